package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.client.LokiResponse;
import io.lokiconnect.sink.push.EncodedPush;

/** What became of a batch handed to {@link BatchSender}; called on a sender thread. */
public interface DeliveryListener {

    /** Loki answered (status 0: no answer, connection error or timeout); called for every attempt. */
    void answered(int status);

    /** Loki accepted every entry (2xx). */
    void delivered(LokiBatch batch, EncodedPush push, long latencyNanos);

    /** Loki refused some or all entries with a 4xx (not 429) and kept the rest; not retried. */
    void rejected(LokiBatch batch, EncodedPush push, LokiResponse response);

    /** A retry of the batch is coming after {@code backoffMillis}. */
    void retrying(LokiBatch batch, int retry, String problem, long backoffMillis);

    /** Retries ran out (or the batch could not be encoded): the task must fail, its offsets stay uncommitted. */
    void failed(LokiBatch batch, String message);

    /** The sender closed before the batch was delivered; its records are re-read after restart. */
    void abandoned(LokiBatch batch);
}
