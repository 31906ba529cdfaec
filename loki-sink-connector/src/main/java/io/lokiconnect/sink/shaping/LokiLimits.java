package io.lokiconnect.sink.shaping;

/**
 * The limits of the Loki the sink writes to that can make Loki drop an entry while it answers 204, which the sink
 * therefore applies itself before sending (issue 17). Defaults are Loki's (2.7 to 3.6, {@code pkg/validation/limits.go}
 * and {@code pkg/ingester}).
 *
 * @param streamRateBytes     {@code per_stream_rate_limit}: bytes a second one stream may carry (default 3 MB)
 * @param streamBurstBytes    {@code per_stream_rate_limit_burst}: the stream's bucket (default 15 MB)
 * @param ingestionBurstBytes {@code ingestion_burst_size_mb}: a push counting more is answered 429 forever (6 MB)
 * @param maxBehindNanos      half of {@code max_chunk_age} (2 h): how far behind the stream's newest entry an entry
 *                            may be (1 h)
 * @param tasks               the connector's tasks, which share the per-stream limit ({@link #sharedBy})
 */
public record LokiLimits(long streamRateBytes, long streamBurstBytes, long ingestionBurstBytes, long maxBehindNanos,
                         int tasks) {

    public static final long DEFAULT_STREAM_RATE_BYTES = 3L << 20;
    public static final long DEFAULT_STREAM_BURST_BYTES = 15L << 20;
    public static final long DEFAULT_INGESTION_BURST_BYTES = 6L << 20;
    public static final long DEFAULT_MAX_BEHIND_MS = 3_600_000L;

    public LokiLimits {
        if (streamRateBytes <= 0 || streamBurstBytes <= 0 || ingestionBurstBytes <= 0 || maxBehindNanos <= 0
                || tasks <= 0) {
            throw new IllegalArgumentException("Loki limits must be positive");
        }
    }

    /** The limits of one task alone. */
    public LokiLimits(long streamRateBytes, long streamBurstBytes, long ingestionBurstBytes, long maxBehindNanos) {
        this(streamRateBytes, streamBurstBytes, ingestionBurstBytes, maxBehindNanos, 1);
    }

    /** This task's share of Loki's per-stream rate, in bytes a second. */
    public long taskStreamRateBytes() {
        return Math.max(1, streamRateBytes / tasks);
    }

    /** This task's share of Loki's per-stream burst, in bytes: the most one stream's bucket holds here. */
    public long taskStreamBurstBytes() {
        return Math.max(1, streamBurstBytes / tasks);
    }

    /**
     * The share of one of {@code tasks} tasks: Loki's per-stream limit is the stream's, and partitions of one stream
     * may be read by several tasks at once (a service writing several files, a rotated file read on), each with its
     * own bucket. With a tasks-th of the rate and of the burst each, and buckets that start empty, the tasks' buckets
     * together never hold more than Loki's. The ingestion burst bounds one push and the window one stream's order:
     * neither is shared.
     */
    public LokiLimits sharedBy(int tasks) {
        return new LokiLimits(streamRateBytes, streamBurstBytes, ingestionBurstBytes, maxBehindNanos, tasks);
    }

    /** Loki's defaults. */
    public static LokiLimits defaults() {
        return new LokiLimits(DEFAULT_STREAM_RATE_BYTES, DEFAULT_STREAM_BURST_BYTES, DEFAULT_INGESTION_BURST_BYTES,
                DEFAULT_MAX_BEHIND_MS * 1_000_000L);
    }
}
