package io.lokiconnect.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.sink.LokiSinkConnector;
import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.transforms.JsonLabelsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@code json} block of the routing and migration pages is a config that works: the sink's keys pass
 * {@code LokiSinkConnector.validate} (what the REST dry run calls) with zero errors, the transform's keys
 * ({@code transforms.labels.*}) configure {@code JsonLabels}' config class. Files an example names (a token, PEM
 * files) are the operator's: they are written to a temporary directory and the paths pointed there.
 */
class DocsExamplesTest {

    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"routing.md", "migrating-from-alloy.md"})
    void everyExampleValidatesWithZeroErrors(String page) throws Exception {
        String text = Files.readString(PluginDirs.projectRoot().resolve("docs").resolve(page));
        Matcher m = JSON_BLOCK.matcher(text);
        int examples = 0;
        // Validation checks that they are readable; the client reads them when a task starts (LokiClientOperatorAuthTest).
        Path token = Files.writeString(dir.resolve("token"), "a-token\n");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path crt = Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n");
        while (m.find()) {
            examples++;
            JsonNode node = JSON.readTree(m.group(1));
            Map<String, String> sink = new LinkedHashMap<>();
            Map<String, String> transform = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String value = e.getValue().asText();
                if (e.getKey().startsWith("transforms.labels.") && !e.getKey().equals("transforms.labels.type")) {
                    transform.put(e.getKey().substring("transforms.labels.".length()), value);
                } else {
                    sink.put(e.getKey(), value);
                }
            }
            sink.computeIfPresent("loki.auth.bearer.token.file", (k, v) -> token.toString());
            sink.computeIfPresent("loki.tls.truststore.location", (k, v) -> ca.toString());
            sink.computeIfPresent("loki.tls.keystore.location", (k, v) -> crt.toString());
            sink.computeIfPresent("loki.tls.key.location", (k, v) -> key.toString());
            List<String> errors = new ArrayList<>();
            for (ConfigValue value : new LokiSinkConnector().validate(sink).configValues()) {
                value.errorMessages().forEach(error -> errors.add(value.name() + ": " + error));
            }
            assertThat(errors).as("%s example %d:\n%s", page, examples, m.group(1)).isEmpty();
            if (!transform.isEmpty()) {
                assertThat(new JsonLabelsConfig(transform)).as("%s example %d's transform", page, examples).isNotNull();
            }
        }
        assertThat(examples).as("examples on %s", page).isGreaterThanOrEqualTo(2);
    }
}
