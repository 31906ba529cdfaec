package io.lokiconnect.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.it.sink.SinkTestSupport;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19's fault scenario {@code tenant-429-20s}: two tenants' lines flow through one sink (real worker, 2 tasks over
 * 3 partitions, dead letter queue on, {@code max.retries=-1}) into a multi-tenant receiver; a third of the way in,
 * every push of tenant A is answered 429 in Loki's words for 20 s. Asserts lost = 0 and no line visible twice, that
 * B's lines kept arriving while A was refused (from 3 s after the refusal began to 2 s before it ended, B stored at
 * least 80% of what it wrote meanwhile), that A stored nothing then, and that A's lines all arrived after.
 */
class TenantIsolationFaultScenarioIT {

    private static final int LINES_PER_TENANT_PER_SECOND = 20;
    private static final int SECONDS = 36;
    private static final Duration REFUSAL = Duration.ofSeconds(20);

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder().workers(1).build();

    private static ProducerRecord<String, String> record(String topic, String tenant, int n) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, n % 3, null,
                "scn=tenant-429-20s tenant=" + tenant + " n=" + n + " " + "x".repeat(80));
        record.headers().add(LokiHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
        record.headers().add(LokiHeaders.LABEL_PREFIX + "service", "checkout".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static Set<String> stored(LokiReceiver loki, String tenant) {
        Set<String> lines = new HashSet<>();
        for (ReceivedEntry entry : loki.entriesOfTenant(tenant)) {
            lines.add(entry.line());
        }
        return lines;
    }

    @Test
    void tenantAAnswered429For20SecondsWhileBFlows() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.multiTenant(true);
            loki.headBlockBytes(4096); // a second copy of a line becomes visible soon
            String topic = "tenant-isolation";
            CONNECT.createTopic(topic, 3);
            Map<String, String> config = SinkTestSupport.sinkConfig(topic, loki.baseUrl());
            config.put("tasks.max", "2");
            config.put("max.retries", "-1");
            config.put("retry.backoff.max.ms", "5000");
            config.put("behavior.on.rejected", "dlq");
            config.put("errors.tolerance", "all");
            config.put("errors.deadletterqueue.topic.name", topic + "-dlq");
            config.put("errors.deadletterqueue.topic.replication.factor", "1");
            CONNECT.deployConnector("tenant-sink", config);
            CONNECT.awaitRunning("tenant-sink", 2, Duration.ofSeconds(60));

            List<String> written = new ArrayList<>();
            int aBeforeEnd = -1;
            int bBeforeEnd = -1;
            int bWrittenBeforeEnd = 0;
            int bAtWindowMiddleStart = -1;
            int bWrittenAtMiddleStart = 0;
            int aAtWindowMiddleStart = -1;
            long start = System.nanoTime();
            int n = 0;
            for (int second = 0; second < SECONDS; second++) {
                if (second == SECONDS / 3) {
                    loki.failFor("team-a", REFUSAL, 429);
                }
                if (second == SECONDS / 3 + (int) REFUSAL.toSeconds() - 2) { // 2 s before the refusal ends
                    aBeforeEnd = stored(loki, "team-a").size();
                    bBeforeEnd = stored(loki, "team-b").size();
                    bWrittenBeforeEnd = n;
                }
                if (second == SECONDS / 3 + 3) { // the window's middle: earlier pushes have settled
                    aAtWindowMiddleStart = stored(loki, "team-a").size();
                    bAtWindowMiddleStart = stored(loki, "team-b").size();
                    bWrittenAtMiddleStart = n;
                }
                List<ProducerRecord<String, String>> batch = new ArrayList<>();
                for (int i = 0; i < LINES_PER_TENANT_PER_SECOND; i++, n++) {
                    for (String tenant : new String[] {"team-a", "team-b"}) {
                        ProducerRecord<String, String> record = record(topic, tenant, n);
                        batch.add(record);
                        written.add(record.value());
                    }
                }
                SinkTestSupport.produce(CONNECT.bootstrapServers(), batch);
                long next = start + (second + 1) * 1_000_000_000L;
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000L));
            }

            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline && stored(loki, "team-a").size() + stored(loki, "team-b").size()
                    < written.size()) {
                Thread.sleep(500);
            }
            Set<String> all = new HashSet<>(stored(loki, "team-a"));
            all.addAll(stored(loki, "team-b"));
            long lost = written.stream().filter(line -> !all.contains(line)).count();
            ReliabilityTable.Row row = new ReliabilityTable.Row("tenant-429-20s", written.size(),
                    written.size() - lost, loki.visibleDuplicates(), lost);
            ReliabilityTable.record("short", row);
            System.out.println("RELIABILITY-DETAIL tenant-429-20s: A stored " + aAtWindowMiddleStart + " -> "
                    + aBeforeEnd + " during the refusal, B stored " + bAtWindowMiddleStart + " -> " + bBeforeEnd
                    + " (written " + bWrittenAtMiddleStart + " -> " + bWrittenBeforeEnd
                    + "), pushes answered 429: " + loki.requests(429) + ", 204: " + loki.requests(204)
                    + ", sink status " + ConnectClusterExtension.describe(CONNECT.cluster().connectorStatus("tenant-sink")));

            assertThat(lost).as("lines lost").isZero();
            assertThat(loki.visibleDuplicates()).as("lines visible twice").isZero();
            assertThat(loki.requests(429)).as("A was refused").isPositive();
            assertThat(aBeforeEnd).as("A stored nothing while refused").isEqualTo(aAtWindowMiddleStart);
            int bWrittenInWindow = bWrittenBeforeEnd - bWrittenAtMiddleStart;
            assertThat(bBeforeEnd - bAtWindowMiddleStart).as("B kept flowing while A was refused")
                    .isGreaterThanOrEqualTo(bWrittenInWindow * 8 / 10);
            assertThat(CONNECT.consumeAll(topic + "-dlq", Duration.ofSeconds(5))).as("nothing dead-lettered").isEmpty();
            CONNECT.cluster().deleteConnector("tenant-sink");
        }
    }
}
