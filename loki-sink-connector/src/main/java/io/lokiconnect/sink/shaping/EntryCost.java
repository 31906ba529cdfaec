package io.lokiconnect.sink.shaping;

import io.lokiconnect.common.loki.LokiEntrySize;
import io.lokiconnect.sink.entry.LokiEntry;

/**
 * An entry's bytes as Loki's limiters count them, the largest count of the versions the sink may write to: Loki 3.3+
 * counts the line plus every structured-metadata name and value, 2.7 to 3.2 the line alone
 * ({@link LokiEntrySize}, the one rule, shared with the receiver). Never less than any version counts, so never
 * lets through what a Loki would refuse. The per-stream limiter (ingester) and the tenant's ingestion limiter
 * (distributor) count the same bytes.
 */
public final class EntryCost {

    private EntryCost() {
    }

    public static long of(LokiEntry entry) {
        return entry.metadata().isEmpty() ? entry.lineBytes()
                : LokiEntrySize.lineAndMetadataBytes(entry.line(), entry.metadata());
    }
}
