package io.lokiconnect.it.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.common.Version;
import io.lokiconnect.it.sink.ReceiverWait;
import io.lokiconnect.it.sink.SinkTestSupport;
import io.lokiconnect.it.source.SourceTestSupport;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose plugin.path is one directory holding nothing but the three single jars, as a user drops them
 * there: Connect gives each top-level jar a class loader of its own, so each must carry everything it needs.
 * Plugins are found through their ServiceLoader manifests only ({@code plugin.discovery=service_load}).
 */
class SingleJarPluginsIT {

    private static final Path PLUGIN_PATH = SingleJars.freshDirectoryWithTheJars("single-jar-plugin-path");

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("plugin.path", PLUGIN_PATH.toString())
            .workerProp("plugin.discovery", "service_load")
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path logs;

    @Test
    void pluginPathHoldsJustTheThreeJars() throws Exception {
        try (Stream<Path> files = Files.list(PLUGIN_PATH)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()))
                    .containsExactly("lokiconnect-file-log-source-connector-" + Version.get() + ".jar",
                            "lokiconnect-json-label-transforms-" + Version.get() + ".jar",
                            "lokiconnect-loki-sink-connector-" + Version.get() + ".jar");
        }
    }

    @Test
    void workerListsBothConnectorsAndTheTransform() throws Exception {
        Map<String, JsonNode> connectors = byClass(CONNECT.restGet("/connector-plugins"));
        assertThat(connectors).containsKeys("io.lokiconnect.source.FileLogSourceConnector",
                "io.lokiconnect.sink.LokiSinkConnector");
        assertThat(connectors.get("io.lokiconnect.source.FileLogSourceConnector").path("type").asText()).isEqualTo("source");
        assertThat(connectors.get("io.lokiconnect.sink.LokiSinkConnector").path("type").asText()).isEqualTo("sink");
        // The version comes from common's resource, read through its relocated class inside each jar.
        connectors.values().stream().filter(p -> p.path("class").asText().startsWith("io.lokiconnect."))
                .forEach(p -> assertThat(p.path("version").asText()).isEqualTo(Version.get()));

        Map<String, JsonNode> all = byClass(CONNECT.restGet("/connector-plugins?connectorsOnly=false"));
        assertThat(all).containsKey("io.lokiconnect.transforms.JsonLabels");
        assertThat(all.get("io.lokiconnect.transforms.JsonLabels").path("type").asText()).isEqualTo("transformation");
        assertThat(all.get("io.lokiconnect.transforms.JsonLabels").path("version").asText()).isEqualTo(Version.get());
    }

    @Test
    void aPipelineRunsFromFileThroughTheTransformToLoki() throws Exception {
        // From the clock: Loki refuses lines older than reject_old_samples_max_age (7 days by default).
        Instant time = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_789L);
        String t1 = time.toString();
        long t1Nanos = time.getEpochSecond() * 1_000_000_000L + 123_456_789L;
        Files.write(logs.resolve("app.log"), List.of(
                "{\"timestamp\":\"" + t1 + "\",\"level\":\"WARNING\",\"service\":\"api\",\"message\":\"disk ✓ almost full\"}",
                "{\"timestamp\":\"" + t1 + "\",\"level\":\"error\",\"service\":\"db\",\"message\":\"checkpoint failed\"}",
                "plain text line"));
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.discoverServiceName(java.util.List.of()); // the labels as sent, without Loki 3's service_name
            CONNECT.createTopic("single-jar-logs", 1);
            Map<String, String> source = SourceTestSupport.sourceConfig("single-jar-logs", logs + "/*.log", 1);
            source.put("transforms", "labels");
            source.put("transforms.labels.type", "io.lokiconnect.transforms.JsonLabels");
            source.put("transforms.labels.label.fields", "level,service");
            source.put("transforms.labels.timestamp.field", "timestamp");
            source.put("transforms.labels.message.field", "message");
            source.put("transforms.labels.line.output", "message");
            CONNECT.deployConnector("single-jar-source", source);
            // Default encoding: protobuf, snappy-compressed by the snappy-java inside the sink's jar.
            CONNECT.deployConnector("single-jar-sink", SinkTestSupport.sinkConfig("single-jar-logs", loki.baseUrl()));

            ReceiverWait.on(loki).sink(CONNECT, "single-jar-sink").awaitEntries(3, Duration.ofSeconds(90));
            ReceivedEntry warn = loki.entriesWithLabel("service", "api").get(0);
            assertThat(warn.labels()).isEqualTo(Map.of("job", "kafka-logs", "level", "warn", "service", "api"));
            assertThat(warn.timestampNanos()).isEqualTo(t1Nanos);
            assertThat(warn.line()).isEqualTo("disk ✓ almost full");
            assertThat(loki.entriesWithLabel("service", "db")).singleElement()
                    .satisfies(e -> assertThat(e.labels()).containsEntry("level", "error"));
            assertThat(loki.entries()).filteredOn(e -> e.line().equals("plain text line")).singleElement()
                    .satisfies(e -> assertThat(e.labels()).isEqualTo(Map.of("job", "kafka-logs")));
            assertThat(loki.requestInfos()).isNotEmpty().allSatisfy(r -> {
                assertThat(r.contentType()).isEqualTo("application/x-protobuf");
                assertThat(r.status() / 100).isEqualTo(2);
            });
            // The worker runs the relocated OkHttp from the sink's jar: the test class path holds no class of that
            // name, so these frames can come from nowhere else (a thin jar would run okhttp3.* from the class path).
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Thread.getAllStackTraces().values().stream().flatMap(Stream::of)
                            .map(StackTraceElement::getClassName))
                            .anyMatch(c -> c.startsWith("io.lokiconnect.shaded.okhttp3.")));
        }
    }

    private static Map<String, JsonNode> byClass(String body) throws Exception {
        Map<String, JsonNode> byClass = new HashMap<>();
        JSON.readTree(body).forEach(p -> byClass.put(p.path("class").asText(), p));
        return byClass;
    }
}
