package io.lokiconnect.sink.metrics;

import io.lokiconnect.common.metrics.PluginGauges;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * A sink task's counters, published through Connect's PluginMetrics (KIP-877) under
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>}. They answer the original pipeline's "Loki write
 * requests total" and its metric extraction (lines by level). Works without PluginMetrics too (unit tests), and
 * starts while a predecessor whose stop timed out still holds the names ({@link PluginGauges}).
 */
public final class SinkTaskMetrics {

    public final AtomicLong recordsReceived = new AtomicLong();
    public final AtomicLong recordsSkipped = new AtomicLong();
    public final AtomicLong entriesSent = new AtomicLong();
    public final AtomicLong bytesSentRaw = new AtomicLong();
    public final AtomicLong bytesSentCompressed = new AtomicLong();
    public final AtomicLong batchesSent = new AtomicLong();
    public final AtomicLong requests2xx = new AtomicLong();
    public final AtomicLong requests4xx = new AtomicLong();
    public final AtomicLong requests429 = new AtomicLong();
    public final AtomicLong requests5xx = new AtomicLong();
    public final AtomicLong requestErrors = new AtomicLong();
    public final AtomicLong retries = new AtomicLong();
    public final AtomicLong entriesRejected = new AtomicLong();
    public final AtomicLong recordsToDlq = new AtomicLong();
    public final AtomicLong batchLatencyMaxMs = new AtomicLong();
    public final AtomicLong batchLatencyLastMs = new AtomicLong();
    public final AtomicLong pausedTotal = new AtomicLong();
    public final AtomicLong entriesRefusedBeforeSending = new AtomicLong();
    public final AtomicLong alignmentPausesTotal = new AtomicLong();
    public final AtomicLong recordsDroppedByRelabel = new AtomicLong();
    public final AtomicLong labelOverflows = new AtomicLong();

    private final Map<String, AtomicLong> linesByLevel = new ConcurrentHashMap<>();
    private final String[] recentLevels = new String[8];
    private final AtomicLong[] recentCounters = new AtomicLong[8];
    private int nextRecent;
    private final int levelValuesMax;
    private final PluginGauges gauges;

    public SinkTaskMetrics(PluginMetrics plugin, int levelValuesMax, LongSupplier bufferedBytes) {
        this.gauges = new PluginGauges(plugin, "Loki sink task");
        this.levelValuesMax = levelValuesMax;
        if (plugin == null) {
            return;
        }
        add("records-received-total", "Records handed to the task by Connect.", recordsReceived::get);
        add("records-skipped-total", "Records with a null value (tombstones): nothing to send, offset committed.",
                recordsSkipped::get);
        add("entries-sent-total", "Entries Loki acknowledged.", entriesSent::get);
        add("bytes-sent-total", "Bytes of acknowledged push requests before compression.", bytesSentRaw::get);
        add("bytes-sent-compressed-total", "Bytes of acknowledged push requests on the wire.", bytesSentCompressed::get);
        add("batches-sent-total", "Push requests Loki acknowledged.", batchesSent::get);
        add("push-requests-2xx-total", "Push requests answered 2xx.",
                requests2xx::get);
        add("push-requests-4xx-total", "Push requests answered 4xx other than 429 (entries refused).", requests4xx::get);
        add("push-requests-429-total", "Push requests answered 429 (rate limited, retried).", requests429::get);
        add("push-requests-5xx-total", "Push requests answered 5xx (retried).", requests5xx::get);
        add("push-request-errors-total", "Push requests with no answer: connection error or timeout (retried).",
                requestErrors::get);
        add("retries-total", "Push retries.", retries::get);
        add("entries-rejected-total", "Entries Loki refused with a 4xx, handled per behavior.on.rejected.",
                entriesRejected::get);
        add("records-sent-to-dlq-total", "Records reported to the dead letter queue.", recordsToDlq::get);
        add("batch-latency-max-ms", "Longest time from closing a batch to Loki's acknowledgement, retries included.",
                batchLatencyMaxMs::get);
        add("batch-latency-last-ms", "Time from closing the last acknowledged batch to its acknowledgement.",
                batchLatencyLastMs::get);
        add("buffered-bytes", "Line bytes buffered or in flight (bounded by buffer.max.bytes).", bufferedBytes);
        add("partitions-paused-total", "Times the task paused its partitions for back-pressure.", pausedTotal::get);
        add("entries-refused-before-sending-total", "Entries not sent because Loki would drop them (too far behind "
                + "their stream's newest entry, larger than a burst); handled per behavior.on.rejected.",
                entriesRefusedBeforeSending::get);
        add("records-dropped-by-relabel-total", "Records a relabel rule (keep, drop) dropped: not sent, offset "
                + "committed.", recordsDroppedByRelabel::get);
        add("label-overflows-total", "Label values from the record (mappings, filename, host) sent as __overflow__ "
                + "because their label had labels.values.max distinct values already.", labelOverflows::get);
        add("partitions-paused-for-alignment-total", "Times the task paused partitions ahead of a lagging partition "
                + "of the same stream, so old lines reach Loki in time.", alignmentPausesTotal::get);
    }

    /**
     * The gauges of what the task holds back so Loki drops nothing (issue 17): bytes of streams waiting for Loki's
     * per-stream rate limit, how long the longest has waited, and bytes waiting for a lagging partition.
     */
    public void heldBack(LongSupplier rateHeldBytes, LongSupplier rateHeldMillis, LongSupplier alignmentHeldBytes) {
        add("rate-held-bytes", "Bytes (line and structured metadata) of streams waiting for Loki's per-stream rate "
                + "limit (loki.limits.stream.rate.bytes).", rateHeldBytes);
        add("rate-held-max-ms", "How long the stream held back longest for Loki's per-stream rate limit has waited.",
                rateHeldMillis);
        add("alignment-held-bytes", "Bytes of entries waiting for a lagging partition of their stream to catch up "
                + "(loki.limits.max.behind.ms).", alignmentHeldBytes);
    }

    /**
     * The gauges of the task's buffer by stream and tenant: entries waiting to be sent, the streams it knows (Loki's
     * per-stream limits are kept per stream, idle ones until Loki would forget them), and the tenants whose pushes
     * wait after a 429 of theirs.
     */
    public void buffer(LongSupplier waitingEntries, LongSupplier streams, LongSupplier tenantsHeld) {
        add("buffered-entries", "Entries buffered and not yet in a push request.", waitingEntries);
        add("buffered-streams", "Streams the task keeps Loki's per-stream state for (idle ones until Loki would "
                + "forget them).", streams);
        add("tenants-held", "Tenants whose push requests wait after Loki answered 429 for them; other tenants' "
                + "go on.", tenantsHeld);
    }

    /** Counts a line under its level label; beyond {@code metrics.level.values.max} values, under 'other'. */
    public void countLevel(String level) {
        if (level == null || levelValuesMax == 0) {
            return;
        }
        // The level comes from a cached label set, the same string instance record after record: compared by
        // identity before the map is asked. Only the task thread counts.
        for (int i = 0; i < recentLevels.length; i++) {
            if (recentLevels[i] == level) {
                recentCounters[i].incrementAndGet();
                return;
            }
        }
        AtomicLong counter = linesByLevel.get(level);
        if (counter == null) {
            String key = linesByLevel.size() < levelValuesMax ? level : "other";
            counter = linesByLevel.computeIfAbsent(key, this::newLevelCounter);
        }
        counter.incrementAndGet();
        recentLevels[nextRecent] = level;
        recentCounters[nextRecent] = counter;
        nextRecent = (nextRecent + 1) % recentLevels.length;
    }


    public void answered(int status) {
        if (status == 0) {
            requestErrors.incrementAndGet();
        } else if (status == 429) {
            requests429.incrementAndGet();
        } else if (status >= 500) {
            requests5xx.incrementAndGet();
        } else if (status >= 400) {
            requests4xx.incrementAndGet();
        } else if (status >= 200 && status < 300) {
            requests2xx.incrementAndGet();
        }
    }

    public void batchLatency(long millis) {
        batchLatencyLastMs.set(millis);
        batchLatencyMaxMs.accumulateAndGet(millis, Math::max);
    }

    /** Publishes the metrics a predecessor task still held when this one started; returns how many still wait. */
    public int publishPending() {
        return gauges.retryPending();
    }

    private AtomicLong newLevelCounter(String level) {
        AtomicLong counter = new AtomicLong();
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        tags.put("level", level);
        gauges.add("lines-by-level-total", "Lines received, by their level label.",
                tags, counter::get);
        return counter;
    }

    private void add(String name, String description, LongSupplier value) {
        gauges.add(name, description, value);
    }
}
