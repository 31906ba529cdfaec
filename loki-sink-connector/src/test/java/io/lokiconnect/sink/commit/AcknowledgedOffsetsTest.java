package io.lokiconnect.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.commit.AcknowledgedOffsets.Partition;
import org.junit.jupiter.api.Test;

class AcknowledgedOffsetsTest {

    private final AcknowledgedOffsets offsets = new AcknowledgedOffsets();

    @Test
    void nothingIsCommittableBeforeLokiAcknowledges() {
        offsets.track("logs", 0, 10, null);
        offsets.track("logs", 0, 11, null);
        assertThat(offsets.committable()).isEmpty();
        assertThat(offsets.trackedCount()).isEqualTo(2);
    }

    @Test
    void aBatchInRetryHoldsBackTheOffsetsAfterIt() {
        PendingRecord first = offsets.track("logs", 0, 10, null);
        PendingRecord second = offsets.track("logs", 0, 11, null);
        PendingRecord third = offsets.track("logs", 0, 12, null);
        offsets.done(second);
        offsets.done(third);
        assertThat(offsets.committable()).isEmpty();
        offsets.done(first);
        assertThat(offsets.committable()).containsEntry(new Partition("logs", 0), 13L);
    }

    @Test
    void partitionsProgressIndependently() {
        PendingRecord p0 = offsets.track("logs", 0, 5, null);
        offsets.track("logs", 1, 7, null);
        offsets.done(p0);
        assertThat(offsets.committable()).containsOnlyKeys(new Partition("logs", 0)).containsValue(6L);
    }

    @Test
    void theCommittedOffsetIsOfferedAgainUntilItMoves() {
        PendingRecord r = offsets.track("logs", 0, 1, null);
        offsets.done(r);
        assertThat(offsets.committable()).containsEntry(new Partition("logs", 0), 2L);
        assertThat(offsets.committable()).containsEntry(new Partition("logs", 0), 2L);
    }

    @Test
    void aForgottenPartitionIsNotCommitted() {
        PendingRecord r = offsets.track("logs", 3, 1, null);
        offsets.done(r);
        offsets.forget("logs", 3);
        assertThat(offsets.committable()).isEmpty();
    }

    @Test
    void aDoneRecordNoLongerHoldsItsOriginal() {
        Object original = new Object();
        PendingRecord record = offsets.track("logs", 0, 10, original);
        assertThat(record.source()).isSameAs(original);
        offsets.done(record);
        assertThat(record.source()).isNull();
    }

    @Test
    void compactDropsTheDonePrefixWithoutACommit() {
        PendingRecord first = offsets.track("logs", 0, 10, null);
        PendingRecord second = offsets.track("logs", 0, 11, null);
        offsets.track("logs", 0, 12, null);
        offsets.done(first);
        offsets.done(second);
        offsets.compact();
        assertThat(offsets.trackedCount()).isEqualTo(1);
        assertThat(offsets.committable()).containsEntry(new Partition("logs", 0), 12L);
    }
}
