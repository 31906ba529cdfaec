package io.lokiconnect.sink.batch;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.shaping.EntryCost;
import io.lokiconnect.sink.shaping.LokiLimits;
import io.lokiconnect.sink.shaping.SendHorizon;
import io.lokiconnect.sink.shaping.TokenBucket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds every entry not yet sent, per stream, and composes each push at the moment a sender is free to send it, so
 * that nothing it sends is something Loki would drop (issue 17):
 * <ul>
 *   <li>a stream never goes faster than Loki's per-stream limiter lets it ({@link TokenBucket}, rate and burst):
 *       a stream over its budget waits here, counted in the task's buffer, while the others keep going;</li>
 *   <li>a push never counts more than the tenant's ingestion burst (Loki answers such a push 429 forever);</li>
 *   <li>an entry older than its stream's newest entry Loki accepted by more than {@code loki.limits.max.behind.ms}
 *       (Loki's "entry too far behind") is not sent but refused here, with the reason; so is an entry larger than
 *       either burst;</li>
 *   <li>a stream has one push in flight at a time, and its entries go oldest first, so Loki sees each stream in time
 *       order as far as the sink has it, and the sink knows Loki's newest entry of the stream when it decides;</li>
 *   <li>entries newer than the {@link SendHorizon} wait (a partition of the same stream lags behind).</li>
 * </ul>
 * A push is composed when the entries waiting fill {@code batch.max.bytes} or the oldest has waited
 * {@code batch.max.wait.ms}, as the batcher did before. Thread-safe: the task thread adds, a dispatcher takes, the
 * sender threads report answers.
 */
public final class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    /** Entries of a stream come out oldest first; equal times in consumption order (partition, then offset). */
    static final Comparator<LokiEntry> ORDER = Comparator.comparingLong(LokiEntry::timestampNanos)
            .thenComparingInt(e -> e.record() == null ? 0 : e.record().partition())
            .thenComparingLong(e -> e.record() == null ? 0 : e.record().offset());
    /** Bytes a push adds per entry beyond its line and metadata, near enough to tell when a batch is full. */
    private static final int ENTRY_OVERHEAD = 16;
    /** A stream with nothing waiting and no push for this long is forgotten (longer than Loki keeps one in memory). */
    static final long FORGET_AFTER_NANOS = 3L * 3600 * 1_000_000_000L;
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;
    private static final long NONE = Long.MIN_VALUE;

    /** What {@link #next} found: a push to send (or null), entries refused here, and how long to wait otherwise. */
    public record Next(LokiBatch batch, List<Refused> refused, long droppedLineBytes, long waitNanos) {
    }

    /** An entry not sent because Loki would drop it, and why. */
    public record Refused(LokiEntry entry, String reason) {
    }

    /** What {@link #waitForNext} hands on when it is stopped: nothing. */
    private static final Next STOPPED = new Next(null, List.of(), 0, 0);

    private final RequestSizer sizer;
    private final int maxBytes;
    private final long lingerNanos;
    private final LokiLimits limits;
    private volatile SendHorizon horizon = SendHorizon.NONE;
    private final Map<LabelSet, Stream> streams = new HashMap<>();
    private final List<Stream> candidates = new ArrayList<>();
    /** Per tenant, the bytes and age of what may go now (reused by each composition). */
    private final Map<String, TenantTotals> tenants = new HashMap<>();
    /**
     * Tenants Loki refused as a whole (429, 401, 403), with the number of their pushes in retry: no new push of theirs
     * is composed until those end, so one tenant's trouble holds its entries while the others' keep flowing.
     */
    private final Map<String, Integer> heldTenants = new HashMap<>();
    private long sequence;
    /** Bytes held for a lagging partition as the last {@link #next} found them; read without the lock. */
    private volatile long alignmentHeld;
    /** Estimated push bytes waiting in streams with no push in flight. */
    private long waitingBytes;
    private long lastSweepNanos;

    /** What may go now of one tenant. */
    private static final class TenantTotals {
        long sendable;
        long oldest = Long.MAX_VALUE;
        boolean due;
    }

    /** One stream: its entries waiting, its budget at Loki, and what Loki holds of it. */
    private static final class Stream {
        final LabelSet labels;
        final PriorityQueue<LokiEntry> queue = new PriorityQueue<>(ORDER);
        final TokenBucket bucket;
        long queuedEstimate;
        long queuedCost;
        long firstQueuedNanos = NONE;
        /**
         * Newest entry time Loki may hold for the stream: of every entry sent, answered or not, except those Loki's
         * answer named as refused.
         */
        long newestAtLoki = NONE;
        boolean inFlight;
        long lastActiveNanos;
        long rateHeldSinceNanos = NONE;
        long alignmentHeldCost;
        long lastWarnNanos = NONE;

        Stream(LabelSet labels, TokenBucket bucket, long nowNanos) {
            this.labels = labels;
            this.bucket = bucket;
            this.lastActiveNanos = nowNanos;
        }
    }

    public Outbox(RequestSizer sizer, int maxBytes, long lingerMillis, LokiLimits limits) {
        this.sizer = sizer;
        this.maxBytes = maxBytes;
        this.lingerNanos = lingerMillis * 1_000_000L;
        this.limits = limits;
    }

    /** Where the alignment of partitions holds entries back (none by default). */
    public void horizon(SendHorizon horizon) {
        this.horizon = horizon;
    }

    /** Adds an entry (task thread). */
    public synchronized void add(LokiEntry entry, long nowNanos) {
        Stream stream = streams.get(entry.labels());
        if (stream == null) {
            TokenBucket bucket = new TokenBucket(limits.taskStreamRateBytes(), limits.taskStreamBurstBytes(), nowNanos);
            stream = new Stream(entry.labels(), bucket, nowNanos);
            streams.put(entry.labels(), stream);
        }
        long cost = EntryCost.of(entry);
        boolean wasEmpty = stream.queue.isEmpty();
        stream.queue.add(entry);
        stream.queuedCost += cost;
        stream.queuedEstimate += cost + ENTRY_OVERHEAD;
        stream.lastActiveNanos = nowNanos;
        if (wasEmpty) {
            stream.firstQueuedNanos = nowNanos;
        }
        if (!stream.inFlight) {
            long before = waitingBytes;
            waitingBytes += cost + ENTRY_OVERHEAD;
            // Wake the dispatcher when the first entry arrives (it then waits for the linger) or a batch is full.
            if (before == 0 || (before < maxBytes && waitingBytes >= maxBytes)) {
                notifyAll();
            }
        }
    }

    /**
     * Waits until a push can be composed, an entry is refused here, or {@code stopped} (checked at least every
     * {@code pollNanos}); composes it, taking its bytes from its streams' budgets.
     */
    public synchronized Next waitForNext(BooleanSupplier stopped, long pollNanos) throws InterruptedException {
        while (!stopped.getAsBoolean()) {
            Next next = next(System.nanoTime());
            if (next.batch() != null || !next.refused().isEmpty() || next.droppedLineBytes() > 0) {
                return next;
            }
            long waitNanos = Math.max(1_000_000L, Math.min(next.waitNanos(), pollNanos));
            wait(waitNanos / 1_000_000L, (int) (waitNanos % 1_000_000L));
        }
        return STOPPED;
    }

    /** Composes the next push, if one is due now; never waits. */
    public synchronized Next next(long nowNanos) {
        sweep(nowNanos);
        List<Refused> refused = new ArrayList<>(0);
        long[] dropped = {0};
        long wait = Long.MAX_VALUE;
        SendHorizon currentHorizon = horizon;
        // Streams that may send now: not in flight, something waiting, not held for their budget, a lagging
        // partition or their tenant's trouble. Only their bytes and ages make a push due, so a held stream does not
        // make the others go out in slivers. A push carries one tenant: bytes and ages count per tenant.
        candidates.clear();
        tenants.clear();
        for (Stream s : streams.values()) {
            if (s.inFlight || s.queue.isEmpty()) {
                continue;
            }
            dropRefusedAndRevoked(s, refused, dropped);
            if (s.queue.isEmpty()) {
                s.rateHeldSinceNanos = NONE;
                s.alignmentHeldCost = 0;
                continue;
            }
            if (!heldTenants.isEmpty() && heldTenants.containsKey(s.labels.tenant())) {
                continue; // Loki refused the tenant (429, 401, 403): its push in retry is the probe
            }
            LokiEntry head = s.queue.peek();
            if (head.timestampNanos() > currentHorizon.newestSendable(s.labels)) {
                s.alignmentHeldCost = s.queuedCost;
                wait = Math.min(wait, Math.max(lingerNanos, 100_000_000L)); // the horizon moves with consumption
                continue;
            }
            s.alignmentHeldCost = 0;
            // A stream over its budget waits until its budget covers what it has (up to a full batch, and at least
            // its next entry), rather than going out in slivers as tokens trickle in.
            long need = Math.min(Math.max(Math.min(s.queuedCost, maxBytes), EntryCost.of(head)),
                    limits.taskStreamBurstBytes());
            if (s.bucket.available(nowNanos) < need) {
                holdForRate(s, nowNanos);
                wait = Math.min(wait, s.bucket.nanosUntil(need, nowNanos));
                continue;
            }
            candidates.add(s);
            TenantTotals totals = tenants.get(s.labels.tenant());
            if (totals == null) {
                totals = new TenantTotals();
                tenants.put(s.labels.tenant(), totals);
            }
            totals.sendable += s.queuedEstimate;
            totals.oldest = Math.min(totals.oldest, s.firstQueuedNanos);
            long deadline = s.firstQueuedNanos + lingerNanos;
            if (deadline - nowNanos <= 0) {
                totals.due = true;
            } else {
                wait = Math.min(wait, deadline - nowNanos);
            }
        }
        // The tenant whose push is due and has waited longest goes first.
        String tenant = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<String, TenantTotals> e : tenants.entrySet()) {
            TenantTotals totals = e.getValue();
            if ((totals.due || totals.sendable >= maxBytes) && (tenant == null || totals.oldest - oldest < 0)) {
                tenant = e.getKey();
                oldest = totals.oldest;
            }
        }
        if (tenant == null) {
            long held = 0;
            for (Stream s : streams.values()) {
                held += s.alignmentHeldCost;
            }
            alignmentHeld = held;
            return new Next(null, refused, dropped[0], wait);
        }
        candidates.sort(Comparator.comparingLong(s -> s.firstQueuedNanos));
        LokiBatch batch = null;
        long pushCost = 0;
        boolean full = false;
        for (Stream s : candidates) {
            if (full) {
                break;
            }
            if (!s.labels.tenant().equals(tenant)) {
                continue;
            }
            long newest = currentHorizon.newestSendable(s.labels);
            double available = s.bucket.available(nowNanos);
            long taken = 0;
            long takenEstimate = 0;
            boolean first = true;
            while (!s.queue.isEmpty()) {
                LokiEntry e = s.queue.peek();
                if (refuseOrDrop(s, e, refused, dropped)) {
                    continue;
                }
                long cost = EntryCost.of(e);
                if (e.timestampNanos() > newest || taken + cost > available) {
                    break;
                }
                if (pushCost + cost > limits.ingestionBurstBytes()) {
                    full = true;
                    break;
                }
                int entryBytes = sizer.entrySize(e);
                int streamBytes = first ? sizer.streamSize(s.labels) : 0;
                if (batch != null && !batch.isEmpty() && batch.encodedBytes() + entryBytes + streamBytes > maxBytes) {
                    full = true;
                    break;
                }
                if (batch == null) {
                    batch = new LokiBatch(sequence++, tenant);
                }
                s.queue.poll();
                batch.add(e, entryBytes, streamBytes);
                first = false;
                taken += cost;
                takenEstimate += cost + ENTRY_OVERHEAD;
                pushCost += cost;
            }
            s.alignmentHeldCost = !s.queue.isEmpty() && s.queue.peek().timestampNanos() > newest ? s.queuedCost - taken : 0;
            if (taken > 0) {
                s.bucket.take(taken, nowNanos);
                s.inFlight = true;
                s.queuedCost -= taken;
                s.queuedEstimate -= takenEstimate;
                waitingBytes -= s.queuedEstimate + takenEstimate; // the stream's rest waits on its push now
                s.rateHeldSinceNanos = NONE;
                s.lastActiveNanos = nowNanos;
                if (s.queue.isEmpty()) {
                    s.firstQueuedNanos = NONE;
                }
            }
        }
        long held = 0;
        for (Stream s : streams.values()) {
            held += s.alignmentHeldCost;
        }
        alignmentHeld = held;
        return new Next(batch, refused, dropped[0], wait);
    }

    /** Removes from the head of {@code s} the entries refused here or revoked, so the head is one that may go. */
    private void dropRefusedAndRevoked(Stream s, List<Refused> refused, long[] dropped) {
        while (!s.queue.isEmpty() && refuseOrDrop(s, s.queue.peek(), refused, dropped)) {
            // removed
        }
    }

    /** True (and the entry removed) when the head entry {@code e} is refused here or its partition was revoked. */
    private boolean refuseOrDrop(Stream s, LokiEntry e, List<Refused> refused, long[] dropped) {
        String reason = null;
        long cost = EntryCost.of(e);
        if (e.record() != null && e.record().isRevoked()) {
            dropped[0] += e.lineBytes();
        } else if (cost > limits.taskStreamBurstBytes()) {
            reason = cost > limits.streamBurstBytes()
                    ? "its " + cost + " bytes (line and structured metadata) exceed Loki's per-stream burst, "
                            + "loki.limits.stream.burst.bytes=" + limits.streamBurstBytes() + " (Loki's "
                            + "per_stream_rate_limit_burst): Loki would refuse it every time"
                    : "its " + cost + " bytes (line and structured metadata) exceed this task's share of Loki's "
                            + "per-stream burst, loki.limits.stream.burst.bytes=" + limits.streamBurstBytes()
                            + " over the connector's " + limits.tasks() + " tasks (" + limits.taskStreamBurstBytes()
                            + " each; tasks share it since each may read partitions of the stream): raise Loki's "
                            + "per_stream_rate_limit_burst and this key, or lower tasks.max";
        } else if (cost > limits.ingestionBurstBytes()) {
            reason = "its " + cost + " bytes (line and structured metadata) exceed Loki's ingestion burst, "
                    + "loki.limits.ingestion.burst.bytes=" + limits.ingestionBurstBytes() + " (Loki's "
                    + "ingestion_burst_size_mb): Loki would answer every push holding it 429";
        } else if (s.newestAtLoki != NONE && e.timestampNanos() < s.newestAtLoki - limits.maxBehindNanos()) {
            reason = "entry too far behind: its time " + java.time.Instant.ofEpochSecond(0, e.timestampNanos())
                    + " is more than loki.limits.max.behind.ms=" + limits.maxBehindNanos() / 1_000_000L
                    + " older than the newest entry Loki holds for stream " + s.labels + " ("
                    + java.time.Instant.ofEpochSecond(0, s.newestAtLoki) + "); Loki (max_chunk_age/2) would drop it, "
                    + "answering 204 when it is not the push's last stream";
        } else {
            return false;
        }
        s.queue.poll();
        s.queuedCost -= cost;
        s.queuedEstimate -= cost + ENTRY_OVERHEAD;
        if (!s.inFlight) {
            waitingBytes -= cost + ENTRY_OVERHEAD;
        }
        if (reason != null) {
            refused.add(new Refused(e, reason));
        }
        if (s.queue.isEmpty()) {
            s.firstQueuedNanos = NONE;
        }
        return true;
    }

    private void holdForRate(Stream s, long nowNanos) {
        if (s.rateHeldSinceNanos == NONE) {
            s.rateHeldSinceNanos = nowNanos;
        }
        if (s.lastWarnNanos == NONE || nowNanos - s.lastWarnNanos >= WARN_EVERY_NANOS) {
            s.lastWarnNanos = nowNanos;
            log.warn("Stream {} is held back at Loki's per-stream rate limit: {} bytes waiting for {} ms "
                    + "(loki.limits.stream.rate.bytes={}, loki.limits.stream.burst.bytes={}, shared by {} tasks). "
                    + "Nothing is lost; "
                    + "to send it faster raise Loki's per_stream_rate_limit and per_stream_rate_limit_burst and these "
                    + "two keys with them, or split the stream with another label", s.labels, s.queuedCost,
                    (nowNanos - s.rateHeldSinceNanos) / 1_000_000L, limits.streamRateBytes(), limits.streamBurstBytes(),
                    limits.tasks());
        }
    }

    /**
     * A push of {@code part} is to be sent again (a retry, or a part of a split push): takes its bytes from its
     * streams' budgets, as Loki counts every request; returns 0 when taken, else how long to wait before asking again.
     */
    public synchronized long takeForResend(LokiBatch part, long nowNanos) {
        long wait = 0;
        for (Map.Entry<LabelSet, List<LokiEntry>> e : part.streams().entrySet()) {
            Stream s = streams.get(e.getKey());
            if (s != null) {
                wait = Math.max(wait, s.bucket.nanosUntil(cost(e.getValue()), nowNanos));
            }
        }
        if (wait > 0) {
            return wait;
        }
        for (Map.Entry<LabelSet, List<LokiEntry>> e : part.streams().entrySet()) {
            Stream s = streams.get(e.getKey());
            if (s != null) {
                s.bucket.take(cost(e.getValue()), nowNanos);
            }
        }
        return 0;
    }

    /** Loki answered a request holding {@code part}, or the request failed: no refill is counted for its flight. */
    public synchronized void answered(LokiBatch part, long nowNanos) {
        for (LabelSet labels : part.streams().keySet()) {
            Stream s = streams.get(labels);
            if (s != null) {
                s.bucket.answeredAt(nowNanos);
            }
        }
    }

    /**
     * The push composed as {@code batch} is over: its streams may send again. {@code refusedByLoki} are entries Loki
     * named as refused (they did not move its newest entry); every other entry is taken as held by Loki.
     */
    public synchronized void completed(LokiBatch batch, Map<LokiEntry, String> refusedByLoki, long nowNanos) {
        for (Map.Entry<LabelSet, List<LokiEntry>> e : batch.streams().entrySet()) {
            Stream s = streams.get(e.getKey());
            if (s == null) {
                continue;
            }
            // Loki's newest entry of the stream moves with every entry it may hold: all but those its answer named as
            // refused (a time too far in the future is refused by the distributor and never reaches the stream).
            // No other push of the stream was in flight, so no decision was taken on an older figure meanwhile.
            for (LokiEntry entry : e.getValue()) {
                if (entry.timestampNanos() > s.newestAtLoki && !refusedByLoki.containsKey(entry)) {
                    s.newestAtLoki = entry.timestampNanos();
                }
            }
            s.bucket.answeredAt(nowNanos);
            s.inFlight = false;
            s.lastActiveNanos = nowNanos;
            waitingBytes += s.queuedEstimate;
        }
        notifyAll();
    }

    /**
     * Loki refused a push of {@code tenant} as a whole (429, 401, 403) and the sender retries it: compose no new push
     * of the tenant until {@link #releaseTenant} for each hold.
     */
    public synchronized void holdTenant(String tenant) {
        heldTenants.merge(tenant, 1, Integer::sum);
    }

    /** A push that held its tenant ended (stored, failed or abandoned). */
    public synchronized void releaseTenant(String tenant) {
        Integer holds = heldTenants.get(tenant);
        if (holds == null) {
            return;
        }
        if (holds <= 1) {
            heldTenants.remove(tenant);
        } else {
            heldTenants.put(tenant, holds - 1);
        }
        notifyAll();
    }

    /** Tenants whose pushes wait after a 429 of theirs. */
    public synchronized Set<String> heldTenants() {
        return Set.copyOf(heldTenants.keySet());
    }

    /** Removes entries of revoked partitions; returns their line bytes (they leave the buffer). */
    public synchronized long dropRevoked() {
        long dropped = 0;
        for (Stream s : streams.values()) {
            Iterator<LokiEntry> it = s.queue.iterator();
            while (it.hasNext()) {
                LokiEntry e = it.next();
                if (e.record() != null && e.record().isRevoked()) {
                    it.remove();
                    long cost = EntryCost.of(e);
                    s.queuedCost -= cost;
                    s.queuedEstimate -= cost + ENTRY_OVERHEAD;
                    if (!s.inFlight) {
                        waitingBytes -= cost + ENTRY_OVERHEAD;
                    }
                    dropped += e.lineBytes();
                }
            }
            if (s.queue.isEmpty()) {
                s.firstQueuedNanos = NONE;
            }
        }
        return dropped;
    }

    /** Bytes (as Loki counts them) of streams waiting for their rate budget. */
    public synchronized long rateHeldBytes() {
        long held = 0;
        for (Stream s : streams.values()) {
            if (s.rateHeldSinceNanos != NONE && !s.queue.isEmpty()) {
                held += s.queuedCost;
            }
        }
        return held;
    }

    /** How long the stream held back longest for its rate budget has waited, in ms (0 when none waits). */
    public synchronized long rateHeldMillis(long nowNanos) {
        long longest = 0;
        for (Stream s : streams.values()) {
            if (s.rateHeldSinceNanos != NONE && !s.queue.isEmpty()) {
                longest = Math.max(longest, nowNanos - s.rateHeldSinceNanos);
            }
        }
        return longest / 1_000_000L;
    }

    /**
     * Bytes waiting because a lagging partition of their stream must catch up first, as the last composition found
     * them. Takes no lock: the alignment asks it under its own.
     */
    public long alignmentHeldBytes() {
        return alignmentHeld;
    }

    /** Entries waiting, in all streams. */
    public synchronized int waitingEntries() {
        int n = 0;
        for (Stream s : streams.values()) {
            n += s.queue.size();
        }
        return n;
    }

    /** Streams known, idle ones not yet forgotten. */
    public synchronized int streamCount() {
        return streams.size();
    }

    private static long cost(List<LokiEntry> entries) {
        long cost = 0;
        for (LokiEntry e : entries) {
            cost += EntryCost.of(e);
        }
        return cost;
    }

    /** Forgets streams idle longer than Loki keeps them (at most once a minute). */
    private void sweep(long nowNanos) {
        if (nowNanos - lastSweepNanos < 60_000_000_000L) {
            return;
        }
        lastSweepNanos = nowNanos;
        streams.values().removeIf(s -> !s.inFlight && s.queue.isEmpty()
                && nowNanos - s.lastActiveNanos > FORGET_AFTER_NANOS);
    }
}
