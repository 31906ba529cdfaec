package io.lokiconnect.it.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.harness.ConnectorFile;
import io.lokiconnect.harness.PluginDirs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19's "done when": a multi-tenant Loki (the receiver in Loki's {@code auth_enabled: true} mode, which refuses a
 * push without X-Scope-OrgID as Loki does), fed by a real worker running {@code connect-configs/loki-sink.json} as
 * shipped with only the documented tenant keys added ({@code transforms.labels.tenant.field} and
 * {@code loki.tenant.id}; the file's {@code ${env:...}} values are this test's topic, group and receiver), holds each
 * tenant's lines and only them. A line whose tenant Loki would refuse goes to the dead letter queue with the reason.
 */
class MultiTenantLokiIT {

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("connector.client.config.override.policy", "All")
            .build();

    private static String line(String tenant, String message) {
        String field = tenant == null ? "" : "\"tenant\":\"" + tenant + "\",";
        return "{\"timestamp\":\"" + Instant.now().minusSeconds(60) + "\",\"level\":\"info\",\"service\":\"checkout\","
                + field + "\"message\":\"" + message + "\"}";
    }

    @Test
    void eachTenantHoldsItsLinesAndOnlyThem() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.multiTenant(true);
            String topic = "multi-tenant-logs";
            CONNECT.createTopic(topic, 2);
            Map<String, List<String>> expected = new HashMap<>();
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String tenant = i % 3 == 0 ? "team-a" : i % 3 == 1 ? "team-b" : null;
                String message = "msg-" + i;
                expected.computeIfAbsent(tenant == null ? "platform" : tenant, t -> new ArrayList<>()).add(message);
                records.add(new ProducerRecord<>(topic, i % 2, null, line(tenant, message)));
            }
            records.add(new ProducerRecord<>(topic, 0, null, line("team a", "bad-tenant")));
            SinkTestSupport.produce(CONNECT.bootstrapServers(), records);

            Map<String, String> config = ConnectorFile.config(
                    PluginDirs.projectRoot().resolve("connect-configs/loki-sink.json"), Map.of());
            config.replaceAll((key, value) -> value.replace("${env:KAFKA_TOPIC}", topic)
                    .replace("${env:KAFKA_CONSUMER_GROUP}", "multi-tenant-sink")
                    .replace("${env:LOKI_ENDPOINT}", loki.pushUrl()));
            assertThat(config.values()).noneMatch(v -> v.contains("${env:"));
            // The documented tenant keys, and nothing else.
            config.put("transforms.labels.tenant.field", "tenant");
            config.put("loki.tenant.id", "platform");
            CONNECT.deployConnector("multi-tenant-sink", config);
            CONNECT.awaitRunning("multi-tenant-sink", 2, Duration.ofSeconds(60));
            ReceiverWait.on(loki).sink(CONNECT, "multi-tenant-sink").deadLetterQueue(topic + "-dlq")
                    .awaitEntries(300, Duration.ofSeconds(90));

            assertThat(loki.tenants()).containsExactlyInAnyOrder("team-a", "team-b", "platform");
            for (Map.Entry<String, List<String>> tenant : expected.entrySet()) {
                List<ReceivedEntry> held = loki.entriesOfTenant(tenant.getKey());
                assertThat(held).extracting(ReceivedEntry::line).as(tenant.getKey())
                        .containsExactlyInAnyOrderElementsOf(tenant.getValue());
                assertThat(held).allSatisfy(e -> assertThat(e.labels()).containsEntry("job", "kafka-logs")
                        .containsEntry("service", "checkout").doesNotContainKey("tenant"));
            }
            assertThat(loki.requests(401)).as("no push without a tenant").isZero();
            assertThat(loki.requestInfos()).allSatisfy(r -> assertThat(r.tenant()).isIn("team-a", "team-b", "platform"));
            List<ConsumerRecord<byte[], byte[]>> dlq = CONNECT.consumeAll(topic + "-dlq", Duration.ofSeconds(10));
            assertThat(dlq).hasSize(1);
            Header reason = dlq.get(0).headers().lastHeader("__connect.errors.exception.message");
            assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("tenant 'team a'")
                    .contains("unsupported character ' '");
            CONNECT.cluster().deleteConnector("multi-tenant-sink");
        }
    }
}
