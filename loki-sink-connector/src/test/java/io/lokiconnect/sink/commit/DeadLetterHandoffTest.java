package io.lokiconnect.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /**
     * Kafka's producer future waits on a latch, which throws when the thread is interrupted even if the write is
     * done. The report must stay pending then, not be dropped with its record never marked done (its partition's
     * offsets would never move again).
     */
    @Test
    void anInterruptedCollectKeepsTheReportAndMarksItDoneLater() throws Exception {
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(0);
        DeadLetterHandoff latchHandoff = new DeadLetterHandoff((record, message) -> new java.util.concurrent.Future<Void>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return false;
            }

            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public boolean isDone() {
                return written.getCount() == 0;
            }

            @Override
            public Void get() throws InterruptedException {
                written.await();
                return null;
            }

            @Override
            public Void get(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
                written.await(timeout, unit);
                return null;
            }
        }, offsets::done);
        latchHandoff.report(refusal(0));
        Thread.currentThread().interrupt();
        try {
            latchHandoff.collect();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(latchHandoff.pending()).isEqualTo(1);
        assertThat(offsets.committable()).isEmpty();
        latchHandoff.collect();
        assertThat(latchHandoff.pending()).isZero();
        assertThat(offsets.committable()).containsValue(1L);
    }
}
