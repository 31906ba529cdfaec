package io.lokiconnect.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.flow.BackPressure;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import io.lokiconnect.sink.commit.AcknowledgedOffsets;
import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.push.EncodedPush;
import io.lokiconnect.sink.commit.RefusalRouter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryBookkeeperTest {

    private final AcknowledgedOffsets offsets = new AcknowledgedOffsets();
    private final SinkTaskMetrics metrics = new SinkTaskMetrics(null, 10, () -> 0);
    private final BackPressure<String> backPressure = new BackPressure<>(1 << 20, 1 << 20, () -> 0, 10,
            new BackPressure.Partitions<>() {
                @Override
                public void pause(Collection<String> partitions) {
                }

                @Override
                public void resume(Collection<String> partitions) {
                }
            }, () -> { });
    private final RefusalRouter refusals = new RefusalRouter(RefusalRouter.Behavior.LOG, null, offsets::done, () -> { });
    private final List<String> failures = new ArrayList<>();
    private final DeliveryBookkeeper bookkeeper = new DeliveryBookkeeper(offsets, refusals, backPressure, metrics,
            failures::add);

    private LokiBatch batch(String... lines) {
        List<LokiEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            PendingRecord record = offsets.track("logs", 0, i, null);
            LokiEntry entry = new LokiEntry(LabelSet.of(Map.of("job", "x")), 1_000 + i, lines[i], Map.of(), record);
            backPressure.add(LokiBatch.lineBytes(entry));
            entries.add(entry);
        }
        return TestBatches.of(entries);
    }

    @Test
    void acceptedRecordsAreDoneRefusedOnesRoutedAndTheBytesReleased() {
        LokiBatch batch = batch("a", "é", "c");
        Settlement settlement = new Settlement();
        List<LokiEntry> entries = batch.entries();
        settlement.accept(List.of(entries.get(0), entries.get(2)), new EncodedPush(new byte[7], "x", null, 30));
        settlement.refuse(entries.get(1), "entry too far behind");
        bookkeeper.settled(batch, settlement, 5_000_000);
        assertThat(backPressure.bufferedBytes()).isZero();
        assertThat(metrics.entriesSent).hasValue(2);
        assertThat(metrics.entriesRejected).hasValue(1);
        assertThat(metrics.bytesSentCompressed).hasValue(7);
        assertThat(offsets.committable()).as("the refused record waits for its routing").containsValue(1L);
        refusals.route(); // behavior log: logged and done
        assertThat(offsets.committable()).containsValue(3L);
    }

    @Test
    void aFailedBatchFailsTheTaskCommitsNothingAndReleasesItsBytes() {
        LokiBatch batch = batch("a", "b");
        bookkeeper.failed(batch, "Loki push to http://loki answered 503: down (after 5 retries, max.retries=5)");
        assertThat(failures).singleElement().asString().contains("answered 503").contains("2 entries")
                .contains("raise max.retries");
        bookkeeper.failed(batch("c"), "Loki push to http://loki answered 404: not found");
        assertThat(failures.get(1)).doesNotContain("raise max.retries");
        assertThat(offsets.committable()).isEmpty();
        assertThat(backPressure.bufferedBytes()).isZero();
    }

    @Test
    void anAbandonedBatchOnlyReleasesItsBytes() {
        bookkeeper.abandoned(batch("a"));
        assertThat(backPressure.bufferedBytes()).isZero();
        assertThat(offsets.committable()).isEmpty();
        assertThat(failures).isEmpty();
    }
}
