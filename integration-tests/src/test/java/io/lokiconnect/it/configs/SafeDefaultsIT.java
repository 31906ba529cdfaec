package io.lokiconnect.it.configs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.it.source.SourceTestSupport;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.harness.ConnectorFile;
import io.lokiconnect.harness.PluginDirs;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a caller of the REST API can make a worker configured as shipped do: read files outside the source's allowed
 * roots (no), override client settings beyond the six the shipped connectors set (no), read the worker's environment
 * beyond the pipeline's variables (no). The worker takes the override policy and the config providers from
 * connect-configs/worker.properties itself; its REST authentication is tested on the local runner's worker
 * (LocalPipelineIT), since the embedded cluster's own REST client sends no credentials.
 */
class SafeDefaultsIT {

    private static final Path ROOT = PluginDirs.projectRoot();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = withShippedPolicies(ConnectClusterExtension.builder()).build();

    @TempDir
    Path tmp;

    /** The keys of the shipped worker.properties that decide what a posted connector may do. */
    private static ConnectClusterExtension.Builder withShippedPolicies(ConnectClusterExtension.Builder builder) {
        Properties worker = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("connect-configs/worker.properties"))) {
            worker.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int taken = 0;
        for (String key : worker.stringPropertyNames()) {
            if (key.startsWith("connector.client.config.override.") || key.startsWith("config.providers")) {
                builder.workerProp(key, worker.getProperty(key));
                taken++;
            }
        }
        if (taken < 5) {
            throw new IllegalStateException("worker.properties lost its policies: " + worker);
        }
        return builder;
    }

    private record Validation(List<String> errors) {
        List<String> on(String key) {
            return errors.stream().filter(e -> e.startsWith(key + ": ")).toList();
        }
    }

    private static Validation validate(Map<String, String> config) throws Exception {
        String url = CONNECT.cluster().endpointForResource(
                "connector-plugins/" + config.get("connector.class") + "/config/validate");
        try (Response response = CONNECT.cluster().requestPut(url, JSON.writeValueAsString(config))) {
            assertThat(response.getStatus()).as("validate answered").isEqualTo(200);
            JsonNode body = JSON.readTree(response.getEntity().toString());
            List<String> errors = new ArrayList<>();
            for (JsonNode value : body.get("configs")) {
                for (JsonNode error : value.get("value").get("errors")) {
                    errors.add(value.get("value").get("name").asText() + ": " + error.asText());
                }
            }
            assertThat(body.get("error_count").asInt()).isEqualTo(errors.size());
            return new Validation(errors);
        }
    }

    /** PUT /connectors/{name}/config, as a caller creating a connector does; returns status and body. */
    private static Map.Entry<Integer, String> create(String name, Map<String, String> config) throws Exception {
        String url = CONNECT.cluster().endpointForResource("connectors/" + name + "/config");
        try (Response response = CONNECT.cluster().requestPut(url, JSON.writeValueAsString(config))) {
            Object body = response.getEntity();
            return Map.entry(response.getStatus(), body == null ? "" : body.toString());
        }
    }

    private static int status(String name) {
        try (Response response = CONNECT.cluster().requestGet(
                CONNECT.cluster().endpointForResource("connectors/" + name + "/status"))) {
            return response.getStatus();
        }
    }

    private Map<String, String> source(String name, String paths, String roots) {
        Map<String, String> config = SourceTestSupport.sourceConfig(name, paths, 1);
        config.put("name", name);
        config.put("paths.allowed.roots", roots);
        return config;
    }

    /**
     * Globs at the root, under it, next to it (a sibling whose name starts with the root's, also with a multi-byte
     * character at the cut), above it through '..', and the worker's own files. The error is on paths and names the
     * root and the key to change.
     */
    @ParameterizedTest(name = "{0} in {1}: allowed {2}")
    @CsvSource({
            "logs/*.log,          logs,      true",
            "logs/app.log,        logs,      true",
            "logs/a/**/*.log,     logs,      true",
            "logs/../logs/*.log,  logs,      true",
            "logs-evil/*.log,     logs,      false",
            "logsx/app.log,       logs,      false",
            "logs/../secrets/*.log, logs,    false",
            "日志/*.log,           日志,       true",
            "日志x/*.log,          日志,       false",
            "日/*.log,             日志,       false",
            "/etc/passwd,         logs,      false",
            "/etc/*,              logs,      false",
            "/proc/self/environ,  logs,      false"})
    void aGlobOutsideTheAllowedRootsFailsValidationAndCreationNamingTheKey(String glob, String root, boolean allowed)
            throws Exception {
        Path base = tmp.toRealPath();
        String paths = glob.startsWith("/") ? glob : base.resolve(glob).toString();
        String roots = base.resolve(root).toString();
        String name = "roots-" + Math.abs((glob + root).hashCode());
        Map<String, String> config = source(name, paths, roots);

        Validation validation = validate(config);
        if (allowed) {
            assertThat(validation.errors()).isEmpty();
            return;
        }
        assertThat(validation.on("paths")).singleElement().asString()
                .contains(paths, "is outside paths.allowed.roots [" + roots + "]",
                        "add its directory to paths.allowed.roots or remove the glob");

        Map.Entry<Integer, String> created = create(name, config);
        assertThat(created.getKey()).as(created.getValue()).isEqualTo(400);
        assertThat(created.getValue()).contains("paths", "is outside paths.allowed.roots");
        assertThat(status(name)).as("no connector was created").isEqualTo(404);
    }

    /**
     * The validation looks at the glob; the roots hold when the task reads too: a symbolic link inside a root that
     * points outside it is never read, counted as a file with errors, and the other files flow.
     */
    @Test
    void aSymbolicLinkInsideTheRootsToAFileOutsideIsNeverRead() throws Exception {
        Path base = tmp.toRealPath();
        Path logs = Files.createDirectories(base.resolve("logs"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("shadow"), "SECRET-LINE-1\nSECRET-LINE-2\n");
        Files.createSymbolicLink(logs.resolve("shadow.log"), outside.resolve("shadow"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("app line ").append(i).append('\n');
        }
        Files.writeString(logs.resolve("app.log"), lines, StandardCharsets.UTF_8);
        String topic = "roots-symlink";
        CONNECT.createTopic(topic, 1);
        Map<String, String> config = source(topic, logs + "/*.log", logs.toString());
        assertThat(validate(config).errors()).isEmpty();
        CONNECT.deployConnector(topic, config);
        CONNECT.awaitRunning(topic, 1, Duration.ofSeconds(60));

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> CONNECT.taskMetric(topic, "files-with-errors-total") >= 1
                        && CONNECT.consumeAll(topic, Duration.ofSeconds(10)).size() >= 50);
        // Several more scans: the link is refused every time, never read.
        Thread.sleep(2_000);
        List<ConsumerRecord<byte[], byte[]>> records = CONNECT.consumeAll(topic, Duration.ofSeconds(10));
        List<String> values = records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(values).hasSize(50).allMatch(v -> v.startsWith("app line ")).noneMatch(v -> v.contains("SECRET"));
        CONNECT.awaitRunning(topic, 1, Duration.ofSeconds(10));
        CONNECT.cluster().deleteConnector(topic);
    }

    @Test
    void theShippedConnectorConfigsValidateUnderTheShippedPolicies() throws Exception {
        for (String file : List.of("file-log-source.json", "loki-sink.json")) {
            Path path = ROOT.resolve("connect-configs").resolve(file);
            Map<String, String> config = ConnectorFile.config(path, Map.of());
            config.put("name", ConnectorFile.name(path));
            assertThat(validate(config).errors()).as(file).isEmpty();
        }
    }

    /**
     * Beyond the six client settings the shipped connectors override, the Allowlist policy refuses: another cluster,
     * other credentials, classes loaded into the worker. Each on the connector type whose clients it reaches.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "file-log-source.json, producer.override.bootstrap.servers,   evil:9092",
            "file-log-source.json, producer.override.sasl.jaas.config,    x required;",
            "file-log-source.json, producer.override.interceptor.classes, org.example.Spy",
            "file-log-source.json, producer.override.max.request.size,    104857600",
            "file-log-source.json, admin.override.bootstrap.servers,      evil:9092",
            "loki-sink.json,       consumer.override.bootstrap.servers,   evil:9092",
            "loki-sink.json,       consumer.override.security.protocol,   SASL_PLAINTEXT",
            "loki-sink.json,       consumer.override.metric.reporters,    org.example.Spy",
            "loki-sink.json,       producer.override.bootstrap.servers,   evil:9092"})
    void anOverrideOutsideTheAllowlistFailsValidationAndCreationNamingTheKey(String file, String key, String value)
            throws Exception {
        Path path = ROOT.resolve("connect-configs").resolve(file);
        Map<String, String> config = ConnectorFile.config(path, Map.of(key, value));
        String name = "override-" + Math.abs((file + key).hashCode());
        config.put("name", name);
        if (key.startsWith("admin.") && file.startsWith("file-log-source")) {
            // A source's admin client exists only to create topics: Connect checks admin.override.* then (and
            // again, in the worker, whenever it builds an admin client with them).
            config.put("topic.creation.default.replication.factor", "1");
            config.put("topic.creation.default.partitions", "1");
        }

        Validation validation = validate(config);
        assertThat(validation.errors()).as("errors besides %s", key).allMatch(e -> e.startsWith(key + ": "));
        assertThat(validation.on(key)).singleElement().asString().contains("The 'Allowlist' policy does not allow");

        Map.Entry<Integer, String> created = create(name, config);
        assertThat(created.getKey()).as(created.getValue()).isEqualTo(400);
        // Connect names the client setting without its prefix here.
        assertThat(created.getValue()).contains("The 'Allowlist' policy does not allow '"
                + key.substring(key.indexOf(".override.") + ".override.".length()) + "' to be overridden");
        assertThat(status(name)).isEqualTo(404);
    }

    /** The six keys the allowlist holds pass on either client, so the shipped connectors can set them. */
    @Test
    void theAllowedOverridesPassOnTheirClients() throws Exception {
        Map<String, String> source = ConnectorFile.config(ROOT.resolve("connect-configs/file-log-source.json"),
                Map.of("producer.override.linger.ms", "5", "producer.override.batch.size", "16384",
                        "producer.override.compression.type", "zstd"));
        source.put("name", "allowed-source");
        assertThat(validate(source).errors()).isEmpty();
        Map<String, String> sink = ConnectorFile.config(ROOT.resolve("connect-configs/loki-sink.json"),
                Map.of("consumer.override.group.id", "other-group", "consumer.override.max.poll.records", "10",
                        "consumer.override.partition.assignment.strategy",
                        "org.apache.kafka.clients.consumer.RangeAssignor"));
        sink.put("name", "allowed-sink");
        assertThat(validate(sink).errors()).isEmpty();
    }

    /**
     * ${env:X} resolves the pipeline's variables only: any other variable of the worker (PATH stands for a token a
     * worker's environment may hold) stays literal, and the plugins refuse it naming the key.
     */
    @Test
    void theEnvironmentProviderResolvesThePipelinesVariablesOnly() throws Exception {
        assertThat(System.getenv("PATH")).as("a variable the worker has").isNotEmpty();
        Map<String, String> config = SourceTestSupport.sourceConfig("${env:PATH}", tmp.toRealPath() + "/*.log", 1);
        config.put("name", "env-leak");
        assertThat(validate(config).on("topic")).singleElement().asString()
                .contains("holds an unresolved reference ${env:PATH}");

        Map<String, String> allowed = new HashMap<>(config);
        allowed.put("topic", "${env:KAFKA_TOPIC}");
        assertThat(validate(allowed).errors()).isEmpty();

        Map<String, String> sink = ConnectorFile.config(ROOT.resolve("connect-configs/loki-sink.json"),
                Map.of("loki.url", "http://loki:3100/${env:PATH}"));
        sink.put("name", "env-leak-sink");
        assertThat(validate(sink).on("loki.url")).singleElement().asString()
                .contains("holds an unresolved reference ${env:PATH}");
    }
}
