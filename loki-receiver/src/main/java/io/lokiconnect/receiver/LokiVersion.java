package io.lokiconnect.receiver;

import io.lokiconnect.common.loki.LokiEntrySize;
import java.util.Map;

/**
 * Which Loki the receiver plays. Both group the distributor's refusals ({@code util.GroupedErrors}: "N errors like:
 * ..." joined by "; "). Taken from Loki's source: {@code pkg/validation/validate.go},
 * {@code pkg/distributor/distributor.go}, {@code pkg/ingester/stream.go}, {@code pkg/ingester/instance.go},
 * {@code pkg/chunkenc/interface.go}, {@code pkg/loghttp/push/push.go}, {@code pkg/validation/limits.go}.
 */
public enum LokiVersion {
    /**
     * Loki 2.9: "entry too far behind, oldest acceptable timestamp is: ..."; the rate limits count line bytes;
     * {@code shard_streams} is off, so the per-stream rate limit refuses entry by entry and stores those that fit; no
     * {@code service_name}.
     */
    V2_9,
    /**
     * Loki 3.3 and later (the compose stack runs 3.5): "entry too far behind, entry timestamp is:
     * ..., oldest acceptable timestamp is: ..."; the rate limits count line and structured metadata bytes;
     * {@code shard_streams} is on, so the per-stream rate limit takes or refuses a stream's part of a push whole;
     * every stream gets a {@code service_name} label.
     */
    V3;

    /** The bytes the rate limits charge for an entry ({@link LokiEntrySize}). */
    int entryBytes(String line, Map<String, String> structuredMetadata) {
        return this == V2_9 ? LokiEntrySize.lineBytes(line) : LokiEntrySize.lineAndMetadataBytes(line,
                structuredMetadata);
    }

    /**
     * {@code limits.go} {@code shard_streams.enabled}: false in 2.9, true in 3.x; {@code instance.Push} passes it to
     * {@code stream.Push} as {@code rateLimitWholeStream}.
     */
    boolean shardStreamsByDefault() {
        return this == V3;
    }

    /**
     * {@code limits.go} {@code max_line_size}: no default in 2.9 (0, no limit), 256 KB in 3.x; 0 means no limit.
     */
    int maxLineBytes() {
        return this == V2_9 ? 0 : LokiReceiver.MAX_LINE_BYTES;
    }

    /** {@code limits.go} {@code max_label_names_per_series}: 30 in 2.9, 15 in 3.x. */
    int maxLabelNames() {
        return this == V2_9 ? 30 : LokiReceiver.MAX_LABELS;
    }

    /** Whether {@code push.go} {@code ParseLokiRequest} adds {@code service_name} (3.x only). */
    boolean discoversServiceName() {
        return this == V3;
    }
}
