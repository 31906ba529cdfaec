package io.lokiconnect.sink.flow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a sink task's buffer bounded: counts the bytes buffered or in flight, blocks the task thread for a while when
 * they reach the bound, then pauses the task's partitions until the buffer drains to half.
 *
 * <p>It owns the paused state across rebalances. Connect calls {@code close()} for revoked partitions and
 * {@code open()} for assigned ones, and re-pauses (before {@code open()}) every partition the task paused and still
 * owns. So {@link #opened} pauses new partitions while the buffer is full and resumes them otherwise, making what
 * this class believes the truth for the consumer; {@link #closed} only forgets partitions, never the full state.
 *
 * @param <P> the partition type (the pipeline's {@code AcknowledgedOffsets.Partition}; anything in tests)
 */
public final class BackPressure<P> {

    private static final Logger log = LoggerFactory.getLogger(BackPressure.class);

    /** What the task asks of Connect's consumer. */
    public interface Partitions<P> {
        void pause(Collection<P> partitions);

        void resume(Collection<P> partitions);
    }

    private final long maxBytes;
    private final long maxTracked;
    private final LongSupplier tracked;
    private final long maxBlockMillis;
    private final Partitions<P> partitions;
    private final Runnable onPause;
    private final AtomicLong buffered = new AtomicLong();
    private final Object drained = new Object();
    private final Set<P> assigned = new LinkedHashSet<>();
    /** Read by other threads (the dispatcher asks whether alignment may hold entries). */
    private volatile boolean holding;
    private volatile long heldSince;
    private volatile long heldNanos;

    /**
     * @param maxBytes       bytes buffered or in flight at which the task stops taking records
     * @param maxTracked     records tracked for their offsets (not yet done, or done behind one that is not) at which
     *                       the task stops taking records too: a batch retried for long must not let the records
     *                       consumed after it pile up
     * @param tracked        the records tracked now
     * @param maxBlockMillis longest a put() waits for room before pausing (well below max.poll.interval.ms)
     * @param onPause        called each time the partitions are paused (a metric)
     */
    public BackPressure(long maxBytes, long maxTracked, LongSupplier tracked, long maxBlockMillis,
                        Partitions<P> partitions, Runnable onPause) {
        this.maxBytes = maxBytes;
        this.maxTracked = maxTracked;
        this.tracked = tracked;
        this.maxBlockMillis = maxBlockMillis;
        this.partitions = partitions;
        this.onPause = onPause;
    }

    /** Bytes entered the buffer (task thread). */
    public void add(long bytes) {
        buffered.addAndGet(bytes);
    }

    /** Bytes left the buffer: their batch is settled, failed or abandoned (any thread). */
    public void release(long bytes) {
        buffered.addAndGet(-bytes);
        synchronized (drained) {
            drained.notifyAll();
        }
    }

    public long bufferedBytes() {
        return buffered.get();
    }

    public boolean isHolding() {
        return holding;
    }

    /**
     * Time in ns during which the task was not paused by back-pressure: a clock that stops while the partitions are
     * paused, for whoever measures how long a partition delivered nothing (task thread).
     */
    public long consumingNanos() {
        long now = System.nanoTime();
        return now - heldNanos - (holding ? now - heldSince : 0);
    }

    /**
     * After a put(): while the buffer is full, waits up to the block time for room (not again once paused: Connect
     * then calls put() with nothing, and waiting would only slow the resume), then pauses the partitions if it is still
     * full; resumes them once it has drained to half. {@code stop} ends the wait early (the task failed).
     */
    public void afterPut(BooleanSupplier stop) throws InterruptedException {
        if (!holding) {
            long deadline = System.currentTimeMillis() + maxBlockMillis;
            synchronized (drained) {
                while (isFull() && !stop.getAsBoolean() && System.currentTimeMillis() < deadline) {
                    drained.wait(Math.max(1, Math.min(100, deadline - System.currentTimeMillis())));
                }
            }
        }
        check();
    }

    /** Pauses when full, resumes when drained to half; never blocks (also from preCommit). */
    public void check() {
        long now = buffered.get();
        if (!holding && isFull()) {
            holding = true;
            heldSince = System.nanoTime();
            onPause.run();
            log.warn("Buffered {} bytes (buffer.max.bytes {}), {} records awaiting Loki (at most {}): Loki is slow "
                    + "or down; pausing partitions {}", now, maxBytes, tracked.getAsLong(), maxTracked, assigned);
            partitions.pause(List.copyOf(assigned));
        } else if (holding && now < maxBytes / 2 && tracked.getAsLong() < maxTracked / 2) {
            holding = false;
            heldNanos += System.nanoTime() - heldSince;
            log.info("Buffer drained to {} bytes: resuming partitions {}", now, assigned);
            partitions.resume(List.copyOf(assigned));
        }
    }

    private boolean isFull() {
        return buffered.get() >= maxBytes || tracked.getAsLong() >= maxTracked;
    }

    /** Partitions assigned to the task (open): paused at once while holding, else resumed in case Connect paused them. */
    public void opened(Collection<P> newPartitions) {
        List<P> added = new ArrayList<>(newPartitions);
        assigned.addAll(added);
        if (added.isEmpty()) {
            return;
        }
        if (holding) {
            partitions.pause(added);
        } else {
            partitions.resume(added);
        }
    }

    /** Partitions taken from the task (close): forgotten; the buffer's state is kept for the partitions it keeps. */
    public void closed(Collection<P> removed) {
        assigned.removeAll(removed);
    }

    /** The partitions the task owns now. */
    public Set<P> assigned() {
        return Set.copyOf(assigned);
    }
}
