package io.lokiconnect.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RefusalRouterTest {

    private final AcknowledgedOffsets offsets = new AcknowledgedOffsets();
    private final List<String> reported = new ArrayList<>();
    private final List<CompletableFuture<Void>> futures = new ArrayList<>();
    private final AtomicInteger toDlq = new AtomicInteger();

    private DeadLetterHandoff handoff() {
        return new DeadLetterHandoff((record, message) -> {
            reported.add(record + " | " + message);
            CompletableFuture<Void> f = new CompletableFuture<>();
            futures.add(f);
            return f;
        }, offsets::done);
    }

    private PendingRecord record(long offset) {
        return offsets.track("logs", 0, offset, "record-" + offset);
    }

    @Test
    void dlqHandsTheRecordOverWithItsCauseAndCommitsItOnlyOnceWritten() throws Exception {
        RefusalRouter router = new RefusalRouter(RefusalRouter.Behavior.DLQ, handoff(), offsets::done,
                toDlq::incrementAndGet);
        PendingRecord r0 = record(0);
        PendingRecord r1 = record(1);
        router.offer(new Refusal(r0, Refusal.Cause.LOKI_REFUSED, "entry too far behind"));
        router.offer(new Refusal(r1, Refusal.Cause.NOT_MAPPABLE, "no timestamp"));
        router.route();
        assertThat(reported).containsExactly(
                "record-0 | Loki refused the entry: entry too far behind",
                "record-1 | Not sent to Loki: the record cannot become a Loki entry: no timestamp");
        assertThat(toDlq).hasValue(2);
        assertThat(offsets.committable()).isEmpty();
        futures.forEach(f -> f.complete(null));
        router.route();
        assertThat(offsets.committable()).isEqualTo(Map.of(new AcknowledgedOffsets.Partition("logs", 0), 2L));
    }

    @Test
    void logMarksTheRecordDoneWithoutTheDeadLetterQueue() {
        RefusalRouter router = new RefusalRouter(RefusalRouter.Behavior.LOG, handoff(), offsets::done, () -> { });
        router.offer(new Refusal(record(0), Refusal.Cause.LOKI_REFUSED, "too old"));
        router.route();
        assertThat(reported).isEmpty();
        assertThat(offsets.committable()).containsValue(1L);
    }

    @Test
    void dlqWithoutADeadLetterQueueLogsAndMarksDone() {
        RefusalRouter router = new RefusalRouter(RefusalRouter.Behavior.DLQ, null, offsets::done, () -> { });
        router.offer(new Refusal(record(0), Refusal.Cause.LOKI_REFUSED, "too old"));
        router.route();
        assertThat(offsets.committable()).containsValue(1L);
    }

    @Test
    void failFailsNamingTheRecordTheCauseAndTheFix() {
        RefusalRouter router = new RefusalRouter(RefusalRouter.Behavior.FAIL, handoff(), offsets::done, () -> { });
        router.offer(new Refusal(record(7), Refusal.Cause.NOT_MAPPABLE, "no timestamp"));
        assertThatThrownBy(router::route).isInstanceOf(RefusalRouter.RefusalFailure.class)
                .hasMessageContaining("logs-0@7").hasMessageContaining("cannot become a Loki entry")
                .hasMessageContaining("behavior.on.rejected=fail");
        assertThat(offsets.committable()).isEmpty();
    }

    @Test
    void aDeadLetterQueueThatThrowsFailsWithTheFix() {
        DeadLetterHandoff refusing = new DeadLetterHandoff((record, message) -> {
            throw new IllegalStateException("Tolerance exceeded in error handler");
        }, offsets::done);
        RefusalRouter router = new RefusalRouter(RefusalRouter.Behavior.DLQ, refusing, offsets::done, () -> { });
        router.offer(new Refusal(record(0), Refusal.Cause.LOKI_REFUSED, "too old"));
        assertThatThrownBy(router::route).hasMessageContaining("errors.tolerance=all")
                .hasMessageContaining("Tolerance exceeded");
        assertThat(offsets.committable()).isEmpty();
    }
}
