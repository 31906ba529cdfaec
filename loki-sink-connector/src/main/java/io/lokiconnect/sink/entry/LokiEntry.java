package io.lokiconnect.sink.entry;

import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.offsets.PendingRecord;
import java.util.Map;

/**
 * One Loki log entry: the stream it belongs to, its time in Unix nanoseconds, its line and structured metadata,
 * and the consumed record it came from (its offset is committed once the entry is done).
 */
public record LokiEntry(LabelSet labels, long timestampNanos, String line, Map<String, String> metadata,
                        PendingRecord record) {

    public LokiEntry {
        metadata = metadata == null ? Map.of() : metadata;
    }
}
