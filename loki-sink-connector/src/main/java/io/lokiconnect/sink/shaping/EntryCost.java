package io.lokiconnect.sink.shaping;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.sink.entry.LokiEntry;
import java.util.Map;

/**
 * An entry's bytes as Loki's limiters count them: Loki 3.x's {@code util.EntryTotalSize}, the line's bytes plus the
 * names and values of its structured metadata (Loki excludes {@code level} from the metadata count, and 2.7 to 2.9
 * count the line alone; counting all is never less than any of them, so never lets through what Loki would refuse).
 * The per-stream limiter (ingester) and the tenant's ingestion limiter (distributor) count the same bytes.
 */
public final class EntryCost {

    private EntryCost() {
    }

    public static long of(LokiEntry entry) {
        Map<String, String> metadata = entry.metadata();
        if (metadata.isEmpty()) {
            return entry.lineBytes();
        }
        long bytes = entry.lineBytes();
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            bytes += Utf8.encodedLength(m.getKey()) + Utf8.encodedLength(m.getValue());
        }
        return bytes;
    }
}
