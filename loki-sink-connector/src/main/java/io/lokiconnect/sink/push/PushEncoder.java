package io.lokiconnect.sink.push;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.batch.RequestSizer;

/** Turns a batch into a Loki push request body, and tells the outbox how many bytes each part will take. */
public interface PushEncoder extends RequestSizer {

    EncodedPush encode(LokiBatch batch);

    static PushEncoder create(boolean protobuf, boolean gzipJson) {
        return protobuf ? new ProtobufPushEncoder() : new JsonPushEncoder(gzipJson);
    }
}
