package io.lokiconnect.sink.entry;

import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.commit.PendingRecord;
import java.util.Map;

/**
 * One Loki log entry: the stream it belongs to, its time in Unix nanoseconds, its line and structured metadata,
 * the consumed record it came from (its offset is committed once the entry is done), and the UTF-8 bytes of its
 * line, counted once here: the back-pressure bound, the outbox and the push encoder all need them.
 */
public record LokiEntry(LabelSet labels, long timestampNanos, String line, Map<String, String> metadata,
                        PendingRecord record, int lineBytes) {

    public LokiEntry {
        metadata = metadata == null ? Map.of() : metadata;
    }

    public LokiEntry(LabelSet labels, long timestampNanos, String line, Map<String, String> metadata,
                     PendingRecord record) {
        this(labels, timestampNanos, line, metadata, record, Utf8.encodedLength(line));
    }
}
