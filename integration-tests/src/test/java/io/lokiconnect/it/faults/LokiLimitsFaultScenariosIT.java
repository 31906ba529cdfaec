package io.lokiconnect.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.it.sink.SinkTestSupport;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.LokiVersion;
import io.lokiconnect.receiver.ReceivedEntry;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17's fault scenarios: what Loki (2.7 to 3.6) drops while it answers 204, or answers for in a shape the sink
 * misread. A backlog is written to a topic beforehand (the case where these bite: a sink catching up after an
 * outage sends each stream far faster than it was written, and partitions of one stream lag each other), then the
 * sink (real worker, dead letter queue, {@code behavior.on.rejected=dlq}) pushes it to the receiver, which applies
 * Loki's limits and records what Loki would drop without saying so ({@link LokiReceiver#silentlyDropped()}).
 * Each prints a row of RELIABILITY.md and asserts lost = 0 (a line Loki refused counts as delivered only when it is
 * in the dead letter queue with its reason), visibly duplicated = 0, and nothing dropped silently.
 */
class LokiLimitsFaultScenariosIT {

    private static final Pattern ID = Pattern.compile("^scn=(\\S+) n=(\\d+) ");
    private static final String REASON_HEADER = "__connect.errors.exception.message";

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder().workers(1).build();

    /** A line of the backlog: partition, labels (level, optional service), time, and whether Loki refuses it. */
    private record Line(int n, int partition, String level, String service, long timeNanos, int padding) {
        String text(String scenario) {
            return "scn=" + scenario + " n=" + n + " " + "x".repeat(padding);
        }

        ProducerRecord<String, String> record(String topic, String scenario) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, timeNanos / 1_000_000L,
                    null, text(scenario));
            record.headers().add(LokiHeaders.LABEL_PREFIX + "level", level.getBytes(StandardCharsets.UTF_8));
            if (service != null) {
                record.headers().add(LokiHeaders.LABEL_PREFIX + "service", service.getBytes(StandardCharsets.UTF_8));
            }
            record.headers().add(LokiHeaders.TIMESTAMP_NS, Long.toString(timeNanos).getBytes(StandardCharsets.UTF_8));
            return record;
        }
    }

    /** What one scenario found. */
    private record Outcome(ReliabilityTable.Row row, Map<Integer, String> deadLetters, Set<Integer> stored,
                           long alignmentPauses) {
    }

    /**
     * Writes {@code lines} to a new topic of {@code partitions}, runs the sink with {@code tasks} tasks over it into
     * {@code loki}, waits until every line is stored or dead-lettered (or {@code timeout}), and counts.
     */
    private Outcome run(String name, LokiReceiver loki, int partitions, int tasks, List<Line> lines,
                        Map<String, String> sinkOverrides, Duration timeout) throws InterruptedException {
        String topic = "limits-" + name;
        String sink = name + "-sink";
        CONNECT.createTopic(topic, partitions);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        lines.forEach(line -> records.add(line.record(topic, name)));
        SinkTestSupport.produce(CONNECT.bootstrapServers(), records);

        Map<String, String> config = SinkTestSupport.sinkConfig(topic, loki.baseUrl());
        config.put("tasks.max", Integer.toString(tasks));
        config.put("labels.static", "job=limits");
        config.put("max.retries", "-1");
        config.put("behavior.on.rejected", "dlq");
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", topic + "-dlq");
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        config.putAll(sinkOverrides);
        try {
            CONNECT.deployConnector(sink, config);
            CONNECT.awaitRunning(sink, tasks, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline
                    && stored(loki, name).size() + CONNECT.taskMetricSum(sink, "records-sent-to-dlq-total") < lines.size()) {
                Thread.sleep(500);
            }
            awaitQuiet(loki);
            long alignmentPauses = CONNECT.taskMetricSum(sink, "partitions-paused-for-alignment-total");
            Map<Integer, String> deadLetters = deadLetters(topic + "-dlq", name);
            Set<Integer> stored = stored(loki, name);
            long lost = 0;
            for (Line line : lines) {
                if (!stored.contains(line.n()) && !deadLetters.containsKey(line.n())) {
                    lost++;
                }
            }
            System.out.println("RELIABILITY-DETAIL " + name + ": stored " + stored.size() + ", dead-lettered "
                    + deadLetters.size() + ", pushes 204/400/429 " + loki.requests(204) + "/" + loki.requests(400)
                    + "/" + loki.requests(429) + ", dropped silently " + loki.silentlyDropped().size()
                    + ", duplicates dropped " + loki.duplicatesDiscarded() + ", sink status "
                    + ConnectClusterExtension.describe(CONNECT.cluster().connectorStatus(sink)));
            ReliabilityTable.Row row = new ReliabilityTable.Row(name, lines.size(),
                    lines.size() - lost, loki.visibleDuplicates(), lost);
            ReliabilityTable.record("short", row);
            return new Outcome(row, deadLetters, stored, alignmentPauses);
        } finally {
            CONNECT.cluster().deleteConnector(sink);
        }
    }

    /** Waits until no push arrived for two seconds (late retries are counted too). */
    private static void awaitQuiet(LokiReceiver loki) throws InterruptedException {
        long quietSince = System.nanoTime();
        long requests = loki.requestInfos().size();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() - quietSince < 2_000_000_000L && System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = loki.requestInfos().size();
            if (now != requests) {
                requests = now;
                quietSince = System.nanoTime();
            }
        }
    }

    private static Set<Integer> stored(LokiReceiver loki, String scenario) {
        Set<Integer> ids = new HashSet<>();
        for (ReceivedEntry entry : loki.entries()) {
            Matcher m = ID.matcher(entry.line());
            if (m.find() && m.group(1).equals(scenario)) {
                ids.add(Integer.parseInt(m.group(2)));
            }
        }
        return ids;
    }

    /** The lines in the dead letter queue, each with the reason its exception header gives. */
    private static Map<Integer, String> deadLetters(String topic, String scenario) {
        Map<Integer, String> lines = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : CONNECT.consumeAll(topic, Duration.ofSeconds(10))) {
            Matcher m = ID.matcher(new String(record.value(), StandardCharsets.UTF_8));
            Header reason = record.headers().lastHeader(REASON_HEADER);
            if (m.find() && m.group(1).equals(scenario) && reason != null) {
                lines.put(Integer.parseInt(m.group(2)), new String(reason.value(), StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    private static void assertNothingLost(Outcome outcome, LokiReceiver loki) {
        assertThat(loki.silentlyDropped()).as("entries Loki dropped behind its answer").isEmpty();
        assertThat(outcome.row().lost()).as("lines neither stored nor dead-lettered").isZero();
        assertThat(outcome.row().duplicated()).as("lines visible twice").isZero();
    }

    /**
     * A stream above Loki's per-stream limit (here 32 KiB/s, burst 64 KiB; the case was 256 KB/s against a
     * real Loki 2.7.5: 30,072 of 63,157 lines lost behind 204s): a 400 KB backlog of it with two other streams in the
     * same pushes. The sink, told Loki's limits, sends the hot stream no faster than Loki takes it.
     */
    @Test
    void hotStream() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.lokiVersion(LokiVersion.V2_9);
            loki.perStreamRateLimit(32 * 1024, 64 * 1024);
            long now = Instant.now().toEpochMilli() * 1_000_000L;
            List<Line> lines = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                boolean hot = i % 3 == 0;
                // The hot stream lives in partition 0 (one task); the others are spread over all three.
                lines.add(new Line(i, hot ? 0 : i % 3, hot ? "hot" : i % 3 == 1 ? "info" : "warn", null,
                        now - 60_000_000_000L + i * 1_000_000L, hot ? 1000 : 100));
            }
            Outcome outcome = run("hot-stream", loki, 3, 3, lines, Map.of(
                    "loki.limits.stream.rate.bytes", Integer.toString(32 * 1024),
                    "loki.limits.stream.burst.bytes", Integer.toString(64 * 1024)), Duration.ofSeconds(120));

            assertNothingLost(outcome, loki);
            assertThat(outcome.deadLetters()).isEmpty();
            assertThat(loki.refusals()).as("no push refused: the sink kept within the limit").isEmpty();
        }
    }

    /**
     * A 3 h backlog of one stream over two partitions of one task (21,600 lines), written beforehand, so the consumer
     * hands the sink one partition's lines before the other's (the case: 2,000 lines of 2 h ago after recent ones,
     * 1,930 vanished unreported). With a second stream in each push, Loki's refusals of the first would be silent.
     * The partition ahead waits for the lagging one: every line arrives, none refused.
     */
    @Test
    void laggingPartition() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            long start = Instant.now().toEpochMilli() * 1_000_000L - 3 * 3_600_000_000_000L - 300_000_000_000L;
            List<Line> lines = new ArrayList<>();
            int n = 0;
            for (int partition = 0; partition < 2; partition++) {
                for (int k = 0; k < 10_800; k++) {
                    // 3 h, a line a second in each partition, half a second apart; two streams interleaved.
                    long time = start + k * 1_000_000_000L + partition * 500_000_000L;
                    lines.add(new Line(n++, partition, k % 2 == 0 ? "info" : "debug", null, time, 60));
                }
            }
            // A buffer far smaller than the backlog (1.1 MB a partition), as when catching up after an outage: the
            // sink must send lines of the partition read first long before it has read the other.
            Outcome outcome = run("lagging-partition", loki, 2, 1, lines, Map.of("buffer.max.bytes", "262144",
                    "batch.max.bytes", "16384", "batch.max.wait.ms", "50"), Duration.ofSeconds(180));

            assertNothingLost(outcome, loki);
            assertThat(outcome.deadLetters()).as("arrived whole: nothing refused as too far behind").isEmpty();
            assertThat(outcome.stored()).hasSize(lines.size());
            assertThat(outcome.alignmentPauses()).as("the partition ahead was paused").isPositive();
        }
    }

    /**
     * Loki 3 answers a push with some entries too old or too new with a 400 naming them by the labels it stored,
     * service_name added ("unknown_service" when no label it looks at exists). The sink matches by label set: the
     * named entries go to the dead letter queue with Loki's reason, the others are taken as stored and not sent
     * again (a small head block makes any second copy visible).
     */
    @Test
    void loki3Partial400() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.lokiVersion(LokiVersion.V3);
            loki.headBlockBytes(4096);
            long now = Instant.now().toEpochMilli() * 1_000_000L;
            List<Line> lines = new ArrayList<>();
            Set<Integer> refused = new HashSet<>();
            for (int i = 0; i < 1500; i++) {
                long time = now - 60_000_000_000L + i * 1_000_000L;
                if (i % 50 == 7) {
                    time = now - 8L * 24 * 3_600_000_000_000L + i; // past reject_old_samples_max_age (7 d)
                    refused.add(i);
                } else if (i % 50 == 31) {
                    time = now + 3_600_000_000_000L + i; // past creation_grace_period (10 min)
                    refused.add(i);
                }
                String service = i % 4 == 0 ? null : "svc-" + (i % 4); // unknown_service for a quarter
                lines.add(new Line(i, i % 2, i % 3 == 0 ? "error" : "info", service, time, 60));
            }
            Outcome outcome = run("loki3-partial-400", loki, 2, 2, lines, Map.of(), Duration.ofSeconds(120));

            assertNothingLost(outcome, loki);
            assertThat(outcome.deadLetters().keySet()).isEqualTo(refused);
            // A line 8 days old is refused by Loki ("too old", named with service_name) or, once Loki holds newer
            // lines of its stream, not sent at all ("too far behind"); a line an hour ahead always reaches Loki.
            outcome.deadLetters().forEach((n, reason) -> {
                if (n % 50 == 31) {
                    assertThat(reason).as("line %d", n).startsWith("Loki refused the entry").contains("too new")
                            .contains("service_name");
                } else {
                    assertThat(reason).as("line %d", n).containsAnyOf("too old", "too far behind");
                }
            });
            assertThat(loki.requests(400)).as("Loki 3 answered 400s").isPositive();
        }
    }
}
