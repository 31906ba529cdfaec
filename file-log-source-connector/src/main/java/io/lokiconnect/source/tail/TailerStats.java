package io.lokiconnect.source.tail;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one task's tailing, read by the metrics adapter and by tests. */
public final class TailerStats {
    public final AtomicLong linesRead = new AtomicLong();
    public final AtomicLong bytesRead = new AtomicLong();
    public final AtomicLong rotations = new AtomicLong();
    public final AtomicLong truncations = new AtomicLong();
    public final AtomicLong linesSplit = new AtomicLong();
    public final AtomicLong linesTruncated = new AtomicLong();
    public final AtomicLong malformedLines = new AtomicLong();
    public final AtomicLong fileErrors = new AtomicLong();
    public final AtomicLong filesTracked = new AtomicLong();
    public final AtomicLong bytesBehind = new AtomicLong();
    public final AtomicLong bufferBytes = new AtomicLong();
    public final AtomicLong copiesRecognized = new AtomicLong();
    public final AtomicLong linesSkipped = new AtomicLong();
}
