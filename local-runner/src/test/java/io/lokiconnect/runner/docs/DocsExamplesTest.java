package io.lokiconnect.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.sink.LokiSinkConnector;
import io.lokiconnect.source.FileLogSourceConnector;
import io.lokiconnect.transforms.JsonLabels;
import io.lokiconnect.transforms.JsonLabelsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@code json} block of the README and of the routing and migration pages is a config that works: a connector
 * config (bare, or in the REST API's {@code {"name", "config"}} form) passes its connector's {@code validate} (what
 * the REST dry run calls) with zero errors, and the keys of each {@code JsonLabels} transform
 * ({@code transforms.<alias>.*}) configure its config class. A block without a connector is a transform's keys
 * alone. Files an example names (a token, PEM files) are the operator's: they are written to a temporary directory
 * and the paths pointed there. The README must show a minimal config of each plugin, and the line it shows landing
 * in a stream does land there through the sink's config.
 */
class DocsExamplesTest {

    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = FileLogSourceConnector.class.getName();
    private static final String SINK = LokiSinkConnector.class.getName();
    private static final String TRANSFORM = JsonLabels.class.getName();

    @TempDir
    Path dir;

    /** A json block: its connector class (null for a transform's keys alone), and its keys. */
    record Example(String connectorClass, Map<String, String> config, String text) {

        /** The keys of each JsonLabels transform of the example, by alias, without their prefix. */
        Map<String, Map<String, String>> jsonLabelsTransforms() {
            Map<String, Map<String, String>> transforms = new LinkedHashMap<>();
            for (String alias : config.getOrDefault("transforms", "").split(",")) {
                String prefix = "transforms." + alias.trim() + ".";
                if (alias.isBlank() || !TRANSFORM.equals(config.get(prefix + "type"))) {
                    continue;
                }
                Map<String, String> keys = new LinkedHashMap<>();
                config.forEach((k, v) -> {
                    if (k.startsWith(prefix) && !k.equals(prefix + "type")) {
                        keys.put(k.substring(prefix.length()), v);
                    }
                });
                transforms.put(alias.trim(), keys);
            }
            return transforms;
        }
    }

    static List<Example> examples(String page) throws Exception {
        String text = Files.readString(PluginDirs.projectRoot().resolve(page));
        Matcher m = JSON_BLOCK.matcher(text);
        List<Example> examples = new ArrayList<>();
        while (m.find()) {
            JsonNode root = JSON.readTree(m.group(1));
            JsonNode node = root.has("config") ? root.get("config") : root;
            Map<String, String> config = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                config.put(e.getKey(), e.getValue().asText());
            }
            examples.add(new Example(config.get("connector.class"), config, m.group(1)));
        }
        return examples;
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/routing.md", "docs/migrating-from-alloy.md"})
    void everyExampleValidatesWithZeroErrors(String page) throws Exception {
        // Validation checks that they are readable; the client reads them when a task starts (LokiClientOperatorAuthTest).
        Path token = Files.writeString(dir.resolve("token"), "a-token\n");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path crt = Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n");
        List<Example> examples = examples(page);
        for (int i = 0; i < examples.size(); i++) {
            Example example = examples.get(i);
            int n = i + 1;
            Map<String, Map<String, String>> transforms = example.jsonLabelsTransforms();
            if (example.connectorClass() == null) {
                assertThat(transforms).as("%s example %d is neither a connector nor a JsonLabels transform:\n%s",
                        page, n, example.text()).isNotEmpty();
            } else {
                Map<String, String> config = new LinkedHashMap<>(example.config());
                config.computeIfPresent("loki.auth.bearer.token.file", (k, v) -> token.toString());
                config.computeIfPresent("loki.tls.truststore.location", (k, v) -> ca.toString());
                config.computeIfPresent("loki.tls.keystore.location", (k, v) -> crt.toString());
                config.computeIfPresent("loki.tls.key.location", (k, v) -> key.toString());
                assertThat(validationErrors(example.connectorClass(), config))
                        .as("%s example %d:\n%s", page, n, example.text()).isEmpty();
            }
            transforms.forEach((alias, keys) -> assertThat(new JsonLabelsConfig(keys))
                    .as("%s example %d's transform %s", page, n, alias).isNotNull());
        }
        assertThat(examples).as("examples on %s", page).hasSizeGreaterThanOrEqualTo(2);
    }

    private static List<String> validationErrors(String connectorClass, Map<String, String> config) {
        Connector connector = switch (connectorClass) {
            case "io.lokiconnect.source.FileLogSourceConnector" -> new FileLogSourceConnector();
            case "io.lokiconnect.sink.LokiSinkConnector" -> new LokiSinkConnector();
            default -> throw new AssertionError("an example of an unknown connector: " + connectorClass);
        };
        List<String> errors = new ArrayList<>();
        for (ConfigValue value : connector.validate(config).configValues()) {
            value.errorMessages().forEach(error -> errors.add(value.name() + ": " + error));
        }
        return errors;
    }

    /** A user installing into a cluster sees a config of each plugin inline: the source, the transform, the sink. */
    @Test
    void theReadmeShowsAMinimalConfigOfEachPlugin() throws Exception {
        List<Example> examples = examples("README.md");
        assertThat(examples).extracting(Example::connectorClass).contains(SOURCE, SINK);
        assertThat(examples).as("a block of the transform's keys alone")
                .anySatisfy(e -> {
                    assertThat(e.connectorClass()).isNull();
                    assertThat(e.jsonLabelsTransforms()).isNotEmpty();
                });
        assertThat(examples).filteredOn(e -> SINK.equals(e.connectorClass()))
                .allSatisfy(e -> assertThat(e.jsonLabelsTransforms()).as("the sink's example labels lines").isNotEmpty());
    }

    /**
     * The README's sentence "A line {@code {...}} lands in the stream {@code {...}}": the sink's example transform and
     * static labels give exactly that label set, and the line's own time.
     */
    @Test
    void theReadmesExampleLineLandsInTheStreamItNames() throws Exception {
        String readme = Files.readString(PluginDirs.projectRoot().resolve("README.md"));
        Matcher sentence = Pattern.compile("A line `(\\{.*?\\})` lands in\\s+the stream `\\{(.*?)\\}`", Pattern.DOTALL)
                .matcher(readme);
        assertThat(sentence.find()).as("the README's example line and stream").isTrue();
        String line = sentence.group(1);
        Map<String, String> expected = new TreeMap<>();
        for (String pair : sentence.group(2).split(",")) {
            String[] kv = pair.trim().split("=", 2);
            expected.put(kv[0], kv[1].replace("\"", ""));
        }
        Example sink = examples("README.md").stream().filter(e -> SINK.equals(e.connectorClass())).findFirst()
                .orElseThrow();
        Map<String, String> labels = new TreeMap<>();
        for (String pair : sink.config().getOrDefault("labels.static", "").split(",")) {
            String[] kv = pair.trim().split("=", 2);
            labels.put(kv[0], kv[1]);
        }
        long lineTimeNs = 0;
        for (Map<String, String> keys : sink.jsonLabelsTransforms().values()) {
            try (JsonLabels<SinkRecord> transform = new JsonLabels<>()) {
                transform.configure(keys);
                SinkRecord out = transform.apply(new SinkRecord("logs", 0, null, null, Schema.STRING_SCHEMA, line, 7,
                        1L, TimestampType.CREATE_TIME));
                for (Header header : out.headers()) {
                    if (header.key().startsWith(LokiHeaders.LABEL_PREFIX)) {
                        labels.put(header.key().substring(LokiHeaders.LABEL_PREFIX.length()),
                                String.valueOf(header.value()));
                    } else if (header.key().equals(LokiHeaders.TIMESTAMP_NS)) {
                        lineTimeNs = Long.parseLong(String.valueOf(header.value()));
                    }
                }
            }
        }
        assertThat(labels).as("the stream of %s", line).isEqualTo(expected);
        String time = JSON.readTree(line).path("timestamp").asText();
        assertThat(lineTimeNs).as("the line's own time").isEqualTo(
                java.time.Instant.parse(time).getEpochSecond() * 1_000_000_000L + java.time.Instant.parse(time).getNano());
    }
}
