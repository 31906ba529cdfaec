package io.lokiconnect.sink.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.sink.offsets.AcknowledgedOffsets;
import io.lokiconnect.sink.offsets.PendingRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeadLetterHandoffTest {

    private final AcknowledgedOffsets offsets = new AcknowledgedOffsets();
    private final List<CompletableFuture<Void>> futures = new ArrayList<>();
    private final DeadLetterHandoff handoff = new DeadLetterHandoff((record, message) -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        futures.add(f);
        return f;
    }, offsets::done);

    private Refusal refusal(long offset) {
        PendingRecord record = offsets.track("logs", 0, offset, "r" + offset);
        return new Refusal(record, Refusal.Cause.LOKI_REFUSED, "too old");
    }

    @Test
    void aRecordIsDoneOnlyWhenTheQueueHasWrittenIt() throws Exception {
        handoff.report(refusal(0));
        handoff.report(refusal(1));
        handoff.collect();
        assertThat(handoff.pending()).isEqualTo(2);
        futures.get(1).complete(null);
        handoff.collect();
        assertThat(handoff.pending()).isEqualTo(1);
        assertThat(offsets.committable()).as("offset 0 still holds the partition back").isEmpty();
        futures.get(0).complete(null);
        handoff.await(100);
        assertThat(handoff.pending()).isZero();
        assertThat(offsets.committable()).containsValue(2L);
    }

    @Test
    void awaitGivesUpAfterTheTimeoutWithoutMarkingAnything() throws Exception {
        handoff.report(refusal(0));
        long started = System.nanoTime();
        handoff.await(100);
        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(90L, 3_000L);
        assertThat(handoff.pending()).isEqualTo(1);
        assertThat(offsets.committable()).isEmpty();
    }

    @Test
    void aFailedWriteFailsNamingTheRecord() {
        handoff.report(refusal(3));
        futures.get(0).completeExceptionally(new IllegalStateException("topic does not exist"));
        assertThatThrownBy(() -> handoff.await(100)).isInstanceOf(DeadLetterHandoff.HandoffFailure.class)
                .hasMessageContaining("logs-0@3").hasMessageContaining("topic does not exist");
        assertThat(offsets.committable()).isEmpty();
    }
}
