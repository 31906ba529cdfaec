package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;

/** What became of a batch handed to {@link BatchSender}; called on a sender thread. */
public interface DeliveryListener {

    /** Loki answered (status 0: no answer, connection error or timeout); called for every attempt. */
    void answered(int status);

    /** Loki answered for every entry of the batch: each is accepted or refused (see {@link Settlement}). */
    void settled(LokiBatch batch, Settlement settlement, long latencyNanos);

    /** A retry of a push of the batch is coming after {@code backoffMillis}. */
    void retrying(LokiBatch batch, int retry, String problem, long backoffMillis);

    /**
     * Retries ran out, Loki answered a status that no retry can fix (3xx, 404, other 4xx) or the batch could not be
     * encoded: the task must fail, and the batch's offsets stay uncommitted.
     */
    void failed(LokiBatch batch, String message);

    /** The sender closed before the batch was settled; its records are re-read after restart. */
    void abandoned(LokiBatch batch);
}
