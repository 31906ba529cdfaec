package io.lokiconnect.sink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatcherTest {

    private static final LabelSet LABELS = LabelSet.of(Map.of("job", "x"));
    private final ProtobufPushEncoder encoder = new ProtobufPushEncoder();

    private static LokiEntry entry(int length) {
        return new LokiEntry(LABELS, 1_700_000_000_000_000_000L, "x".repeat(length), Map.of(), null);
    }

    @Test
    void closesABatchBeforeItWouldExceedTheEncodedSizeLimit() {
        Batcher batcher = new Batcher(encoder, 2048, 60_000);
        List<LokiBatch> closed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            closed.addAll(batcher.add(entry(100), 0));
        }
        assertThat(closed).isNotEmpty();
        for (LokiBatch batch : closed) {
            assertThat(batch.encodedBytes()).isLessThanOrEqualTo(2048);
            assertThat(encoder.encode(batch).uncompressedBytes()).isLessThanOrEqualTo(2048);
        }
        int total = closed.stream().mapToInt(LokiBatch::entryCount).sum() + batcher.closeNow().entryCount();
        assertThat(total).isEqualTo(100);
    }

    @Test
    void closesABatchWhenItsFirstEntryHasWaitedLongEnough() {
        Batcher batcher = new Batcher(encoder, 1 << 20, 1000);
        batcher.add(entry(10), 0);
        batcher.add(entry(10), 900_000_000L);
        assertThat(batcher.closeIfExpired(999_000_000L)).isNull();
        LokiBatch batch = batcher.closeIfExpired(1_000_000_000L);
        assertThat(batch).isNotNull();
        assertThat(batch.entryCount()).isEqualTo(2);
        assertThat(batcher.closeIfExpired(5_000_000_000L)).isNull();
    }

    @Test
    void anEntryLargerThanTheLimitTravelsAlone() {
        Batcher batcher = new Batcher(encoder, 1024, 60_000);
        assertThat(batcher.add(entry(10), 0)).isEmpty();
        List<LokiBatch> closed = batcher.add(entry(5000), 0);
        assertThat(closed).hasSize(2);
        assertThat(closed.get(0).entryCount()).isEqualTo(1);
        assertThat(closed.get(1).entryCount()).isEqualTo(1);
        assertThat(closed.get(1).entries().get(0).line()).hasSize(5000);
        assertThat(batcher.closeNow()).isNull();
    }

    @Test
    void emptyBatcherHasNothingToClose() {
        Batcher batcher = new Batcher(encoder, 1024, 1);
        assertThat(batcher.closeNow()).isNull();
        assertThat(batcher.closeIfExpired(Long.MAX_VALUE)).isNull();
    }
}
