package io.lokiconnect.receiver;

/**
 * An entry the receiver did not store while its answer did not say so: the answer was 204, or told of other
 * refusals only. {@code stream} is the stream's label text as Loki's messages write it (with {@code service_name}
 * in Loki 3 mode).
 */
public record DroppedEntry(String stream, long timestampNanos, String line, DiscardReason reason) {
}
