package io.lokiconnect.transforms.extract;

/**
 * What {@link LabelExtractor} took from one line. Label and metadata values are aligned with
 * {@link LabelExtractor#labelNames()} and {@link LabelExtractor#metadataNames()}; null means no such label
 * (metadata) for this line. {@link #tenant()} is the {@code tenant.field} value, null when none.
 */
public record ExtractedEntry(String[] labelValues, String[] metadataValues, long timestampNs, String message,
                             String tenant) {

    /** {@link #timestampNs()} when the line gave no readable time. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    public boolean hasTimestamp() {
        return timestampNs != NO_TIMESTAMP;
    }
}
