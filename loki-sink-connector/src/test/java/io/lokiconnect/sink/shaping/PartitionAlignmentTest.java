package io.lokiconnect.sink.shaping;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.labels.LabelSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionAlignmentTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long WINDOW = 60 * MINUTE;
    private static final long IDLE = 10 * SECOND;
    private static final long MAX_HOLD = 5 * MINUTE;
    private static final long T0 = 1_764_000_000_000_000_000L;
    private static final LabelSet APP = LabelSet.of(Map.of("job", "app"));
    private static final LabelSet OTHER = LabelSet.of(Map.of("job", "other"));

    private final long[] clock = {0};
    private final boolean[] suspended = {false};
    private PartitionAlignment<String> alignment;

    @BeforeEach
    void start() {
        alignment = new PartitionAlignment<>(WINDOW, IDLE, MAX_HOLD, () -> clock[0], () -> suspended[0]);
    }

    private void tick(long nanos) {
        clock[0] += nanos;
    }

    /** Both partitions deliver at first; then p0 runs ahead of p1 by more than half the window. */
    private void p0RunsAheadOfP1() {
        alignment.assigned(List.of("p0", "p1"));
        alignment.observe("p0", APP, T0);
        alignment.observe("p1", APP, T0);
        for (long m = 1; m <= 45; m++) {
            alignment.observe("p0", APP, T0 + m * MINUTE);
        }
    }

    @Test
    void aStreamWithOnePartitionIsNeverHeld() {
        alignment.assigned(List.of("p0"));
        alignment.observe("p0", APP, T0);
        alignment.observe("p0", APP, T0 + 5 * WINDOW);
        assertThat(alignment.leading()).isEmpty();
        assertThat(alignment.newestSendable(APP)).isGreaterThanOrEqualTo(T0 + 5 * WINDOW);
        assertThat(alignment.newestSendable(OTHER)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void thePartitionAheadIsPausedAndItsEntriesPastHalfTheWindowWait() {
        p0RunsAheadOfP1();
        assertThat(alignment.leading()).containsExactly("p0");
        assertThat(alignment.newestSendable(APP)).isEqualTo(T0 + WINDOW / 2);
        // p1 catches up: the horizon follows it, and p0 resumes once its entries may all go.
        alignment.observe("p1", APP, T0 + 10 * MINUTE);
        assertThat(alignment.newestSendable(APP)).isEqualTo(T0 + 40 * MINUTE);
        assertThat(alignment.leading()).containsExactly("p0");
        alignment.observe("p1", APP, T0 + 15 * MINUTE);
        assertThat(alignment.leading()).isEmpty();
    }

    /** At half the window exactly p0 may go on; one nanosecond past it, it is paused. */
    @Test
    void theLimitIsHalfTheWindowAheadOfTheLaggingPartition() {
        alignment.assigned(List.of("p0", "p1"));
        alignment.observe("p1", APP, T0);
        alignment.observe("p0", APP, T0 + WINDOW / 2);
        assertThat(alignment.leading()).isEmpty();
        alignment.observe("p0", APP, T0 + WINDOW / 2 + 1);
        assertThat(alignment.leading()).containsExactly("p0");
    }

    @Test
    void aLaggingPartitionThatDeliversNothingForTheIdleTimeIsTakenAsCaughtUp() {
        p0RunsAheadOfP1();
        tick(IDLE);
        assertThat(alignment.leading()).as("at the idle time").containsExactly("p0");
        tick(1);
        assertThat(alignment.leading()).isEmpty();
        assertThat(alignment.newestSendable(APP)).isEqualTo(Long.MAX_VALUE);
    }

    /** The idle clock is the task's consuming time: while back-pressure pauses everything, nothing is held at all. */
    @Test
    void nothingIsHeldWhileTheBufferIsFull() {
        p0RunsAheadOfP1();
        suspended[0] = true;
        assertThat(alignment.leading()).isEmpty();
        assertThat(alignment.newestSendable(APP)).isEqualTo(Long.MAX_VALUE);
        suspended[0] = false;
        assertThat(alignment.leading()).containsExactly("p0");
    }

    /** A partition whose lines of the stream ended long ago, while it goes on with others, holds nothing back. */
    @Test
    void aPartitionThatMovedPastTheStreamDoesNotHoldIt() {
        p0RunsAheadOfP1();
        alignment.observe("p1", OTHER, T0 + WINDOW / 2 + 1);
        assertThat(alignment.leading()).isEmpty();
    }

    /** A partition assigned but silent may carry the stream: for the idle time, the stream is held near its oldest. */
    @Test
    void aSilentNewPartitionHoldsStreamsForTheIdleTimeOnly() {
        alignment.assigned(List.of("p0", "p1"));
        alignment.observe("p0", APP, T0);
        alignment.observe("p0", APP, T0 + 3 * WINDOW);
        assertThat(alignment.leading()).containsExactly("p0");
        assertThat(alignment.newestSendable(APP)).isEqualTo(T0 + WINDOW / 2);
        tick(IDLE + 1);
        assertThat(alignment.leading()).isEmpty();
        assertThat(alignment.newestSendable(APP)).isEqualTo(Long.MAX_VALUE);
    }

    /** The silent partition speaks: it becomes the lagging one, and p0 waits for it. */
    @Test
    void aSilentPartitionThatDeliversBecomesTheLaggingOne() {
        alignment.assigned(List.of("p0", "p1"));
        alignment.observe("p0", APP, T0);
        alignment.observe("p0", APP, T0 + 3 * WINDOW);
        alignment.observe("p1", APP, T0 + 1);
        tick(IDLE + 1);
        alignment.observe("p1", APP, T0 + 2);
        assertThat(alignment.leading()).containsExactly("p0");
        assertThat(alignment.newestSendable(APP)).isEqualTo(T0 + 2 + WINDOW / 2);
    }

    /** A writer hours behind (clock skew) would hold the stream forever: after the longest hold it is let go. */
    @Test
    void aStreamIsHeldAtMostTheLongestHold() {
        p0RunsAheadOfP1();
        for (long t = 0; t <= MAX_HOLD; t += SECOND) {
            alignment.observe("p1", APP, T0); // p1 stays live, and stays behind
            assertThat(alignment.leading()).containsExactly("p0");
            tick(SECOND);
        }
        alignment.observe("p1", APP, T0);
        assertThat(alignment.leading()).isEmpty();
        assertThat(alignment.newestSendable(APP)).isEqualTo(Long.MAX_VALUE);
        tick(MAX_HOLD + 1);
        alignment.observe("p1", APP, T0);
        assertThat(alignment.leading()).as("held again after as long").containsExactly("p0");
    }

    @Test
    void aRevokedPartitionNoLongerHoldsOrIsHeld() {
        p0RunsAheadOfP1();
        alignment.revoked(List.of("p1"));
        assertThat(alignment.leading()).isEmpty();
        p0RunsAheadOfP1();
        alignment.revoked(List.of("p0"));
        assertThat(alignment.leading()).isEmpty();
    }
}
