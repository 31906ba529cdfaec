package io.lokiconnect.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Tracking, completion, compaction and forgetting in any interleaving of partitions (runs of one partition, which
 * the tracker serves from the last partition's queue, and switches, forgets and re-opens) against a model: per
 * partition the list of tracked records in order; committable is one past the last record of the done prefix.
 */
class AcknowledgedOffsetsModelTest {

    private static final String[] TOPICS = {"logs", "logs2"};

    @Property(tries = 300)
    void committableOffsetsAreThoseOfTheModel(@ForAll("operations") List<int[]> operations) {
        AcknowledgedOffsets offsets = new AcknowledgedOffsets();
        Map<AcknowledgedOffsets.Partition, List<PendingRecord>> model = new HashMap<>();
        Map<AcknowledgedOffsets.Partition, Long> committed = new HashMap<>();
        Map<AcknowledgedOffsets.Partition, Long> nextOffset = new HashMap<>();
        List<PendingRecord> all = new ArrayList<>();
        for (int[] op : operations) {
            // new topic strings each time, as consumer records may carry them
            String topic = new String(TOPICS[op[1] % 2]);
            int partition = op[1] / 2;
            AcknowledgedOffsets.Partition key = new AcknowledgedOffsets.Partition(topic, partition);
            switch (op[0]) {
                case 0, 1, 2 -> {
                    long offset = nextOffset.merge(key, 1L, Long::sum);
                    PendingRecord record = offsets.track(topic, partition, offset, null);
                    model.computeIfAbsent(key, k -> new ArrayList<>()).add(record);
                    all.add(record);
                }
                case 3 -> {
                    if (!all.isEmpty()) {
                        offsets.done(all.get(op[2] % all.size()));
                    }
                }
                case 4 -> {
                    offsets.forget(topic, partition);
                    model.remove(key);
                    committed.remove(key);
                }
                default -> offsets.compact();
            }
            Map<AcknowledgedOffsets.Partition, Long> expected = new HashMap<>();
            for (Map.Entry<AcknowledgedOffsets.Partition, List<PendingRecord>> e : model.entrySet()) {
                List<PendingRecord> queue = e.getValue();
                while (!queue.isEmpty() && queue.get(0).isDone()) {
                    committed.put(e.getKey(), queue.remove(0).offset() + 1);
                }
            }
            expected.putAll(committed);
            assertThat(offsets.committable()).isEqualTo(expected);
            int pending = model.values().stream().mapToInt(List::size).sum();
            assertThat(offsets.trackedCount()).isEqualTo(pending);
        }
    }

    @Provide
    Arbitrary<List<int[]>> operations() {
        // op: 0-2 track (the most common), 3 done, 4 forget, 5 compact; on one of 6 topic-partitions.
        return Arbitraries.integers().between(0, 5).flatMap(op -> Arbitraries.integers().between(0, 5)
                        .flatMap(tp -> Arbitraries.integers().between(0, 1000).map(i -> new int[] {op, tp, i})))
                .list().ofMaxSize(120);
    }
}
