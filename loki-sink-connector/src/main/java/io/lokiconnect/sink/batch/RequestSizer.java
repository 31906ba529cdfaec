package io.lokiconnect.sink.batch;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;

/**
 * How many bytes each part of a batch adds to the push request it becomes, so the {@link Outbox} can close a push
 * before it exceeds {@code batch.max.bytes}. The push encoder is the one implementation: it lives in {@code push},
 * which depends on this package, never the other way round.
 */
public interface RequestSizer {

    /** Bytes one entry adds to the uncompressed request. */
    int entrySize(LokiEntry entry);

    /** Bytes a new stream adds to the uncompressed request, besides its entries. */
    int streamSize(LabelSet labels);
}
