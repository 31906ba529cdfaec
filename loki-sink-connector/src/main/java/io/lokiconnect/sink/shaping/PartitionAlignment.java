package io.lokiconnect.sink.shaping;

import io.lokiconnect.sink.labels.LabelSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the partitions of one task that carry the same stream within Loki's out-of-order window of each other
 * (issue 17, item 2). Loki refuses an entry older than its stream's newest by more than {@code max.behind}; when
 * one partition of a stream runs ahead of another (a backlog read partition by partition, a replay), the lagging
 * one's lines would all be refused. So, per stream, the entries newer than the lagging partition's position plus
 * half the window wait ({@link #newestSendable}), and the partitions ahead are paused ({@link #leading}) until the
 * lagging one has caught up; lines then land in Loki in time order.
 *
 * <p>A partition constrains a stream while it is <em>live</em> for it: it has delivered the stream, it delivered
 * something within {@code idle} (of consuming time: the clock stops while back-pressure pauses the task), and its
 * own newest entry has not moved past the stream's by half a window (a partition whose lines of the stream ended
 * long ago does not hold the stream back). A partition just assigned that has delivered nothing yet may carry any
 * stream: for {@code idle} after its assignment, each stream is held to half a window past its oldest entry seen
 * since. A stream is held at most {@code maxHold} of consuming time in a row (a writer with a clock hours behind
 * would otherwise hold it forever): the hold is then dropped for as long, with a WARN, and Loki's window applies as
 * without alignment (what it would refuse goes to behavior.on.rejected). Nothing is held while {@code suspended}
 * says holding would deadlock (the task's buffer full of held entries: the lagging partition could not be read).
 *
 * @param <P> the partition type (the pipeline's {@code AcknowledgedOffsets.Partition}; anything in tests)
 */
public final class PartitionAlignment<P> implements SendHorizon {

    private static final Logger log = LoggerFactory.getLogger(PartitionAlignment.class);
    private static final long NONE = Long.MIN_VALUE;

    private final long halfWindow;
    private final long idleNanos;
    private final long maxHoldNanos;
    private final LongSupplier clock;
    private final BooleanSupplier suspended;
    private final Map<P, PartitionState> partitions = new HashMap<>();
    private final Map<LabelSet, StreamTrack<P>> streams = new HashMap<>();
    private long lastForget;
    private final Set<P> leading = new LinkedHashSet<>();
    private long unknownUntil = NONE;

    private static final class PartitionState {
        long newest = NONE;
        long lastSeen;
        long assignedAt;
        boolean delivered;
    }

    private static final class Position<P> {
        final P partition;
        final PartitionState state;
        long newest = NONE;

        Position(P partition, PartitionState state) {
            this.partition = partition;
            this.state = state;
        }
    }

    private static final class StreamTrack<P> {
        final List<Position<P>> positions = new ArrayList<>(2);
        long oldestSinceAssignment = Long.MAX_VALUE;
        long holdingSince = NONE;
        long freeUntil = NONE;
    }

    /**
     * @param maxBehindNanos Loki's window ({@code loki.limits.max.behind.ms})
     * @param idleNanos      consuming time after which a partition that delivered nothing is taken as caught up
     * @param maxHoldNanos   longest consuming time a stream is held in a row
     * @param clock          consuming time in ns (stops while back-pressure pauses the task)
     * @param suspended      true while nothing may be held (the task's buffer is full of held entries)
     */
    public PartitionAlignment(long maxBehindNanos, long idleNanos, long maxHoldNanos, LongSupplier clock,
                              BooleanSupplier suspended) {
        this.halfWindow = maxBehindNanos / 2;
        this.idleNanos = idleNanos;
        this.maxHoldNanos = maxHoldNanos;
        this.clock = clock;
        this.suspended = suspended;
    }

    /** Partitions assigned to the task: unknown until they deliver. */
    public synchronized void assigned(Collection<P> added) {
        long now = clock.getAsLong();
        for (P p : added) {
            PartitionState state = new PartitionState();
            state.assignedAt = now;
            state.lastSeen = now;
            partitions.put(p, state);
        }
        if (!added.isEmpty()) {
            unknownUntil = now + idleNanos;
            for (StreamTrack<P> track : tracks()) {
                track.oldestSinceAssignment = Long.MAX_VALUE;
            }
        }
    }

    /** Partitions taken from the task: forgotten. */
    public synchronized void revoked(Collection<P> removed) {
        for (P p : removed) {
            partitions.remove(p);
            leading.remove(p);
        }
        for (StreamTrack<P> track : tracks()) {
            track.positions.removeIf(pos -> removed.contains(pos.partition));
        }
    }

    /** An entry of {@code stream} at {@code timestampNanos} was consumed from {@code partition} (task thread). */
    public synchronized void observe(P partition, LabelSet stream, long timestampNanos) {
        PartitionState state = partitions.get(partition);
        if (state == null) {
            state = new PartitionState();
            partitions.put(partition, state);
        }
        long now = clock.getAsLong();
        state.delivered = true;
        state.lastSeen = now;
        if (timestampNanos > state.newest) {
            state.newest = timestampNanos;
        }
        StreamTrack<P> track = streams.get(stream);
        if (track == null) {
            track = new StreamTrack<>();
            streams.put(stream, track);
        }
        if (timestampNanos < track.oldestSinceAssignment) {
            track.oldestSinceAssignment = timestampNanos;
        }
        Position<P> position = null;
        for (int i = 0; i < track.positions.size(); i++) {
            if (track.positions.get(i).state == state) {
                position = track.positions.get(i);
                break;
            }
        }
        if (position == null) {
            position = new Position<>(partition, state);
            track.positions.add(position);
        }
        if (timestampNanos > position.newest) {
            position.newest = timestampNanos;
        }
    }

    @Override
    public synchronized long newestSendable(LabelSet stream) {
        StreamTrack<P> track = streams.get(stream);
        return track == null ? Long.MAX_VALUE : horizon(track, clock.getAsLong());
    }

    private long horizon(StreamTrack<P> track, long now) {
        if (suspended.getAsBoolean() || (track.freeUntil != NONE && now < track.freeUntil)) {
            return Long.MAX_VALUE;
        }
        long horizon = Long.MAX_VALUE;
        for (int i = 0; i < track.positions.size(); i++) {
            Position<P> pos = track.positions.get(i);
            if (now - pos.state.lastSeen <= idleNanos && pos.state.newest <= pos.newest + halfWindow) {
                horizon = Math.min(horizon, saturatedAdd(pos.newest, halfWindow));
            }
        }
        if (now < unknownUntil && anyUnknown(now) && track.oldestSinceAssignment != Long.MAX_VALUE) {
            horizon = Math.min(horizon, saturatedAdd(track.oldestSinceAssignment, halfWindow));
        }
        return horizon;
    }

    private boolean anyUnknown(long now) {
        for (PartitionState state : partitions.values()) {
            if (!state.delivered && now - state.assignedAt <= idleNanos) {
                return true;
            }
        }
        return false;
    }

    /**
     * The partitions to keep paused now: those holding, for some stream, an entry past the stream's horizon. A
     * stream held longer than {@code maxHold} is let go (WARN) and holds nothing for as long.
     */
    public synchronized Set<P> leading() {
        leading.clear();
        long now = clock.getAsLong();
        if (suspended.getAsBoolean()) {
            return Set.of();
        }
        if (now - lastForget > 60_000_000_000L) {
            lastForget = now;
            forgetIdle(now);
        }
        for (Map.Entry<LabelSet, StreamTrack<P>> e : streams.entrySet()) {
            StreamTrack<P> track = e.getValue();
            long horizon = horizon(track, now);
            boolean holding = false;
            for (int i = 0; i < track.positions.size(); i++) {
                Position<P> pos = track.positions.get(i);
                if (pos.newest > horizon) {
                    holding = true;
                    leading.add(pos.partition);
                }
            }
            if (!holding) {
                track.holdingSince = NONE;
            } else if (track.holdingSince == NONE) {
                track.holdingSince = now;
            } else if (now - track.holdingSince > maxHoldNanos) {
                log.warn("Stream {} has waited {} s for a lagging partition of it to come within Loki's window "
                        + "(loki.limits.max.behind.ms); not waiting longer: what Loki would refuse as too far behind "
                        + "goes to behavior.on.rejected", e.getKey(), (now - track.holdingSince) / 1_000_000_000L);
                track.holdingSince = NONE;
                track.freeUntil = now + maxHoldNanos;
            }
        }
        if (!leading.isEmpty()) {
            // Let go of partitions only streams no longer held made leading.
            Set<P> still = new LinkedHashSet<>();
            for (StreamTrack<P> track : tracks()) {
                long horizon = horizon(track, now);
                for (Position<P> pos : track.positions) {
                    if (pos.newest > horizon) {
                        still.add(pos.partition);
                    }
                }
            }
            leading.retainAll(still);
        }
        return Set.copyOf(leading);
    }

    private Collection<StreamTrack<P>> tracks() {
        return streams.values();
    }

    /** Forgets streams none of whose partitions delivered anything for {@code idle} and that hold nothing back. */
    private void forgetIdle(long now) {
        streams.values().removeIf(track -> {
            if (track.holdingSince != NONE || (track.freeUntil != NONE && now < track.freeUntil)) {
                return false;
            }
            for (Position<P> pos : track.positions) {
                if (now - pos.state.lastSeen <= idleNanos) {
                    return false;
                }
            }
            return true;
        });
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
