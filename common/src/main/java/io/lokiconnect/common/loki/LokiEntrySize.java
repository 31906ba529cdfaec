package io.lokiconnect.common.loki;

import java.util.Map;

/**
 * The bytes Loki charges an entry against its rate limits (the per-stream limit of the ingester and the tenant's
 * ingestion limit of the distributor), as each version counts them:
 *
 * <ul>
 *   <li>Loki 2.9 and 3.0 to 3.2: the line only ({@code len(entry.Line)} in {@code pkg/ingester/stream.go}
 *       {@code validateEntries} and {@code pkg/distributor/distributor.go} {@code Push});</li>
 *   <li>Loki 3.3 and later: the line and its structured metadata, every name and value ({@code util.EntryTotalSize}
 *       in {@code pkg/util/entry_size.go}, grafana/loki#14571). Later 3.x code leaves out the {@code detected_level}
 *       pair Loki itself adds; counted here, so the count is never below Loki's.</li>
 * </ul>
 *
 * Go's {@code len} of a string is its UTF-8 byte length.
 */
public final class LokiEntrySize {

    private LokiEntrySize() {
    }

    /** Loki 2.9 to 3.2: {@code len(entry.Line)}. */
    public static int lineBytes(String line) {
        return Utf8.encodedLength(line);
    }

    /** Loki 3.3+: {@code util.EntryTotalSize}, the line plus {@code len(name) + len(value)} of each metadata pair. */
    public static int lineAndMetadataBytes(String line, Map<String, String> structuredMetadata) {
        int bytes = Utf8.encodedLength(line);
        for (Map.Entry<String, String> pair : structuredMetadata.entrySet()) {
            bytes += Utf8.encodedLength(pair.getKey()) + Utf8.encodedLength(pair.getValue());
        }
        return bytes;
    }
}
