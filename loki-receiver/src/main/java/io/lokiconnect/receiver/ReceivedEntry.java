package io.lokiconnect.receiver;

import java.util.Map;

/** One log entry as Loki stores it: its stream's labels, timestamp, line and structured metadata. */
public record ReceivedEntry(Map<String, String> labels, long timestampNanos, String line, Map<String, String> metadata) {
}
