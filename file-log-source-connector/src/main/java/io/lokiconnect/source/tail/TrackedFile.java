package io.lokiconnect.source.tail;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.multiline.MultilineAggregator;

/**
 * All a {@link FileSetTailer} holds about one file it tails, in one object: forgetting the file is dropping it.
 * The reading itself is its {@link FileTailer}'s.
 */
final class TrackedFile {

    private static final long NOT_ORPHANED = Long.MIN_VALUE;

    final FileTailer tailer;
    /** The multi-line event being joined; null when multiline.start.pattern is empty. */
    final MultilineAggregator aggregator;
    /** Since when (task clock) a complete scan has not seen it (rotated away, deleted); {@link #NOT_ORPHANED} else. */
    private long orphanSince = NOT_ORPHANED;
    /** Its last read failed: it is tried again at {@link #retryAt}. */
    private boolean failing;
    private long retryAt;
    /** The position its last failures happened at, and how many in a row happened there. */
    private long failedAt = -1;
    private int failuresInARow;

    TrackedFile(FileTailer tailer, MultilineAggregator aggregator) {
        this.tailer = tailer;
        this.aggregator = aggregator;
    }

    FileIdentity identity() {
        return tailer.identity();
    }

    boolean isOrphan() {
        return orphanSince != NOT_ORPHANED;
    }

    long orphanSince() {
        return orphanSince;
    }

    /** A complete scan saw it ({@code seen}) or not, at {@code now}: an orphan from the first scan that did not. */
    void seenByScan(boolean seen, long now) {
        if (seen) {
            orphanSince = NOT_ORPHANED;
        } else if (orphanSince == NOT_ORPHANED) {
            orphanSince = now;
        }
    }

    boolean isFailing() {
        return failing;
    }

    /** Whether a failed file waits still at {@code now}. */
    boolean waitsAfterFailure(long now) {
        return failing && now < retryAt;
    }

    /** Its read failed: it is tried again at {@code retryAt} (task clock). */
    void failed(long retryAt) {
        failing = true;
        this.retryAt = retryAt;
    }

    /** Counts a failure at {@code position}; true when it is the {@code times}th in a row there. */
    boolean failedAgainAt(long position, int times) {
        failuresInARow = position == failedAt ? failuresInARow + 1 : 1;
        failedAt = position;
        return failuresInARow >= times;
    }

    /** The line it failed on is skipped: failures at the next position count from zero. */
    void skippedFailingLine() {
        failedAt = -1;
        failuresInARow = 0;
    }

    /** A read succeeded after failures. */
    void recovered() {
        failing = false;
        failedAt = -1;
        failuresInARow = 0;
    }
}
