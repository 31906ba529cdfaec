package io.lokiconnect.sink.batch;

import io.lokiconnect.sink.entry.LokiEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills batches and closes them on size or age, like Promtail's batcher but counting the bytes of the encoded
 * request rather than only the lines, so a closed batch never exceeds {@code batch.max.bytes} (unless a single
 * entry does: it then travels alone, and Loki decides). Thread-safe: the task thread adds, a timer closes by age.
 */
public final class Batcher {

    private final RequestSizer encoder;
    private final int maxBytes;
    private final long maxWaitNanos;
    private long sequence;
    private LokiBatch open;

    public Batcher(RequestSizer encoder, int maxBytes, long maxWaitMillis) {
        this.encoder = encoder;
        this.maxBytes = maxBytes;
        this.maxWaitNanos = maxWaitMillis * 1_000_000L;
    }

    /**
     * Adds an entry; returns the batches this closed (the open one when the entry does not fit in it, and the
     * entry's own batch when it alone fills one).
     */
    public synchronized List<LokiBatch> add(LokiEntry entry, long nowNanos) {
        List<LokiBatch> closed = List.of(); // most entries close nothing: no list per entry
        int entryBytes = encoder.entrySize(entry);
        boolean newStream = open == null || !open.hasStream(entry.labels());
        int streamBytes = newStream ? encoder.streamSize(entry.labels()) : 0;
        if (open != null && !open.isEmpty() && open.encodedBytes() + entryBytes + streamBytes > maxBytes) {
            closed = new ArrayList<>(2);
            closed.add(open);
            open = null;
            streamBytes = encoder.streamSize(entry.labels());
        }
        if (open == null) {
            open = new LokiBatch(sequence++, nowNanos);
        }
        open.add(entry, entryBytes, streamBytes);
        if (open.encodedBytes() >= maxBytes) {
            if (closed.isEmpty()) {
                closed = new ArrayList<>(1);
            }
            closed.add(open);
            open = null;
        }
        return closed;
    }

    /** Closes the open batch when its first entry has waited {@code batch.max.wait.ms}; else null. */
    public synchronized LokiBatch closeIfExpired(long nowNanos) {
        if (open != null && nowNanos - open.createdNanos() >= maxWaitNanos) {
            return closeNow();
        }
        return null;
    }

    /** Closes the open batch whatever its age (flush, stop); null when nothing is buffered. */
    public synchronized LokiBatch closeNow() {
        LokiBatch batch = open;
        open = null;
        return batch == null || batch.isEmpty() ? null : batch;
    }
}
