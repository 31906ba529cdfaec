package io.lokiconnect.sink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import io.lokiconnect.sink.shaping.LokiLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loki's per-stream limit is the stream's, whoever sends it: several tasks reading partitions of one stream, and a task
 * that restarts (or gets the stream's partition in a rebalance) while Loki's bucket is still drained, must together
 * stay within it. Loki here is Go's rate.Limiter as its ingester uses it (full when the stream first arrives, AllowN
 * per entry at arrival, {@code pkg/ingester/stream.go} of 2.9 and 3.x).
 */
class TasksSharingAStreamTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final LokiLimits LOKI = new LokiLimits(2_000, 6_000, 1_000_000, 3_600 * SECOND);
    private static final LabelSet STREAM = LabelSet.of(Map.of("job", "hot"));
    private static final String LINE = "x".repeat(99) + "é"; // 101 bytes

    /** Go's rate.Limiter, created full at the stream's first entry. */
    private static final class LokiBucket {
        double tokens = LOKI.streamBurstBytes();
        long last = -1;
        int stored;
        int refused;

        void push(LokiBatch batch, long arrival) {
            for (List<LokiEntry> entries : batch.streams().values()) {
                for (LokiEntry e : entries) {
                    if (last >= 0) {
                        tokens = Math.min(LOKI.streamBurstBytes(),
                                tokens + (arrival - last) * (LOKI.streamRateBytes() / 1e9));
                    }
                    last = Math.max(last, arrival);
                    if (e.lineBytes() > tokens) {
                        refused++;
                    } else {
                        tokens -= e.lineBytes();
                        stored++;
                    }
                }
            }
        }
    }

    private static Outbox task(LokiLimits limits, int entries, long now) {
        Outbox outbox = new Outbox(new ProtobufPushEncoder(), 1_000_000, 0, limits);
        for (int i = 0; i < entries; i++) {
            outbox.add(new LokiEntry(STREAM, now + i, LINE, Map.of(), null), now);
        }
        return outbox;
    }

    /** Runs the tasks for {@code millis}, each push arriving at once; returns the pushes sent. */
    private static int run(List<Outbox> tasks, LokiBucket loki, long from, long millis) {
        int pushes = 0;
        for (long now = from; now < from + millis * MS; now += MS) {
            for (Outbox task : tasks) {
                Outbox.Next next = task.next(now);
                if (next.batch() != null) {
                    loki.push(next.batch(), now);
                    task.completed(next.batch(), Map.of(), now);
                    pushes++;
                }
            }
        }
        return pushes;
    }

    @Test
    void twoTasksSendingOneStreamStayWithinLokisLimitTogether() {
        LokiBucket loki = new LokiBucket();
        List<Outbox> tasks = new ArrayList<>(List.of(task(LOKI.sharedBy(2), 300, 0), task(LOKI.sharedBy(2), 300, 0)));
        run(tasks, loki, 0, 20_000);
        assertThat(loki.refused).as("entries Loki refused (dropped behind a 204 but for the last stream)").isZero();
        // 20 s at a half of 2,000 B/s each, from empty buckets, each push waiting for a task's burst (3,000 B):
        // at most 40,000 bytes (396 entries), and no stall
        assertThat(loki.stored).isBetween(300, 396);
    }

    /** The test's teeth: tasks that each take the whole limit overrun Loki. */
    @Test
    void tasksThatEachTakeTheWholeLimitWouldOverrunIt() {
        LokiBucket loki = new LokiBucket();
        run(List.of(task(LOKI, 300, 0), task(LOKI, 300, 0)), loki, 0, 20_000);
        assertThat(loki.refused).isPositive();
    }

    /** A restarted task (a new outbox) cannot know what its earlier run took from Loki: its bucket starts empty. */
    @Test
    void aTaskRestartedWhileLokisBucketIsDrainedWaitsForTheRefill() {
        LokiBucket loki = new LokiBucket();
        List<Outbox> tasks = new ArrayList<>(List.of(task(LOKI, 300, 0)));
        run(tasks, loki, 0, 5_000); // drains Loki's burst and runs at its rate
        tasks.set(0, task(LOKI, 300, 5_000 * MS)); // restarted: the same entries again (nothing committed)
        run(tasks, loki, 5_000, 1_000);
        assertThat(loki.refused).isZero();
        assertThat(tasks.get(0).next(6_000 * MS).batch()).as("still held at the rate").isNull();
    }

    @Test
    void theSharesOfRateAndBurstAreATasksThAndTheOtherLimitsAreNotShared() {
        LokiLimits shared = LOKI.sharedBy(3);
        assertThat(shared.taskStreamRateBytes()).isEqualTo(666);
        assertThat(shared.taskStreamBurstBytes()).isEqualTo(2_000);
        assertThat(shared.streamBurstBytes()).isEqualTo(6_000);
        assertThat(shared.ingestionBurstBytes()).isEqualTo(LOKI.ingestionBurstBytes());
        assertThat(shared.maxBehindNanos()).isEqualTo(LOKI.maxBehindNanos());
        assertThat(LOKI.taskStreamBurstBytes()).isEqualTo(6_000);
        assertThat(new LokiLimits(2, 2, 1, 1).sharedBy(3).taskStreamRateBytes()).isEqualTo(1);
    }

    /** At a task's share of the burst, one byte below and one above (a two-byte character across it). */
    @Test
    void anEntryLargerThanATasksShareOfTheBurstIsRefusedNamingTheKeysAndTheTasks() {
        LokiLimits shared = LOKI.sharedBy(3); // 2,000 bytes each
        Outbox outbox = new Outbox(new ProtobufPushEncoder(), 1_000_000, 0, shared);
        String at = "y".repeat(1_998) + "é"; // 2,000 bytes
        String above = "y".repeat(1_999) + "é"; // 2,001 bytes
        outbox.add(new LokiEntry(STREAM, 1, at, Map.of(), null), 0);
        outbox.add(new LokiEntry(STREAM, 2, above, Map.of(), null), 0);
        List<Outbox.Refused> refused = new ArrayList<>();
        int sent = 0;
        for (long now = 0; now < 10 * SECOND; now += 10 * MS) {
            Outbox.Next next = outbox.next(now);
            refused.addAll(next.refused());
            if (next.batch() != null) {
                sent += next.batch().streams().get(STREAM).size();
                outbox.completed(next.batch(), Map.of(), now);
            }
        }
        assertThat(sent).isEqualTo(1);
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).reason()).contains("2001 bytes", "loki.limits.stream.burst.bytes=6000",
                "3 tasks", "tasks.max");
    }
}
