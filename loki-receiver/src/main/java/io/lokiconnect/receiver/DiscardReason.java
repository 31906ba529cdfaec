package io.lokiconnect.receiver;

/**
 * Why Loki did not store an entry: each constant is, in upper case, the {@code reason} label Loki gives it in
 * {@code loki_discarded_samples_total} ({@code pkg/validation/validate.go}, 2.9 and 3.x alike).
 */
public enum DiscardReason {
    /** The tenant's ingestion rate limit (distributor): the whole push is refused with 429. */
    RATE_LIMITED,
    /** The stream's rate limit (ingester). */
    PER_STREAM_RATE_LIMIT,
    /** Older than the stream's newest entry minus {@code max_chunk_age / 2} (ingester, unordered writes). */
    TOO_FAR_BEHIND,
    /** Older than {@code reject_old_samples_max_age} (distributor). */
    GREATER_THAN_MAX_SAMPLE_AGE,
    /** Newer than now plus {@code creation_grace_period} (distributor). */
    TOO_FAR_IN_FUTURE,
    /** Longer than {@code max_line_size} (distributor). */
    LINE_TOO_LONG,
    /** Labels that do not parse or have a bad name (distributor). */
    INVALID_LABELS,
    /** No label left (distributor). */
    MISSING_LABELS,
    /** More than {@code max_label_names_per_series} labels (distributor). */
    MAX_LABEL_NAMES_PER_SERIES,
    /** A label name longer than {@code max_label_name_length} (distributor). */
    LABEL_NAME_TOO_LONG,
    /** A label value longer than {@code max_label_value_length} (distributor). */
    LABEL_VALUE_TOO_LONG
}
