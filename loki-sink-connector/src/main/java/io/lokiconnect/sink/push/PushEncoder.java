package io.lokiconnect.sink.push;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;

/** Turns a batch into a Loki push request body, and tells the batcher how many bytes each part will take. */
public interface PushEncoder {

    /** Bytes one entry adds to the uncompressed request. */
    int entrySize(LokiEntry entry);

    /** Bytes a new stream adds to the uncompressed request, besides its entries. */
    int streamSize(LabelSet labels);

    EncodedPush encode(LokiBatch batch);

    static PushEncoder create(boolean protobuf, boolean gzipJson) {
        return protobuf ? new ProtobufPushEncoder() : new JsonPushEncoder(gzipJson);
    }
}
