package io.lokiconnect.it.configs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.harness.ConnectorFile;
import io.lokiconnect.harness.PluginDirs;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connector files of connect-configs/ pass Connect's own validation (the dry run users do) on a real worker
 * whose environment holds the original pipeline's variables, resolved by EnvVarConfigProvider as in production.
 * Failsafe sets KAFKA_TOPIC, LOG_PATHS, KAFKA_CONSUMER_GROUP and LOKI_ENDPOINT for this JVM (see the pom).
 */
class ConnectConfigsIT {

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("config.providers", "env")
            .workerProp("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider")
            .workerProp("connector.client.config.override.policy", "All")
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> validationErrors(Path file) throws Exception {
        Map<String, String> config = ConnectorFile.config(file, Map.of());
        config.put("name", ConnectorFile.name(file));
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
            return errors;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source.json", "loki-sink.json"})
    void theShippedConnectorConfigsValidateWithZeroErrors(String file) throws Exception {
        assertThat(validationErrors(PluginDirs.projectRoot().resolve("connect-configs").resolve(file))).isEmpty();
    }

    /**
     * The connector configs the README shows inline (in the REST API's form, ready to post) pass the same validation
     * on the same worker: a user who copies one gets no error.
     */
    @Test
    void theReadmesConnectorConfigsValidateWithZeroErrors() throws Exception {
        String readme = Files.readString(PluginDirs.projectRoot().resolve("README.md"));
        Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        Path dir = Files.createTempDirectory("readme-configs");
        List<String> connectors = new ArrayList<>();
        while (block.find()) {
            JsonNode node = JSON.readTree(block.group(1));
            if (!node.path("config").has("connector.class")) {
                continue; // a transform's keys alone: DocsExamplesTest configures the transform with them
            }
            Path file = Files.writeString(dir.resolve(node.path("name").asText() + ".json"), block.group(1));
            connectors.add(node.path("config").path("connector.class").asText());
            assertThat(validationErrors(file)).as("README's %s", file.getFileName()).isEmpty();
        }
        assertThat(connectors).contains("io.lokiconnect.source.FileLogSourceConnector",
                "io.lokiconnect.sink.LokiSinkConnector");
    }

    /**
     * The zero-error result above depends on the worker resolving the variables: with each one renamed to a variable
     * the worker does not have, validation fails and names it (paths, loki.url).
     */
    @ParameterizedTest
    @CsvSource({"file-log-source.json, paths, LOG_PATHS", "loki-sink.json, loki.url, LOKI_ENDPOINT"})
    void aVariableUnsetInTheWorkersEnvironmentIsNamedInValidation(String file, String key, String variable)
            throws Exception {
        String text = Files.readString(PluginDirs.projectRoot().resolve("connect-configs").resolve(file));
        assertThat(text).contains("${env:" + variable + "}");
        Path unset = Files.createTempDirectory("configs").resolve(file);
        Files.writeString(unset, text.replaceAll("\\$\\{env:(\\w+)}", "\\${env:$1_UNSET_IN_THIS_WORKER}"));
        assertThat(validationErrors(unset))
                .anySatisfy(error -> assertThat(error).startsWith(key + ": ")
                        .contains(variable + "_UNSET_IN_THIS_WORKER"));
    }

    @Test
    void aBrokenConfigNamesTheKeyAndTheFix() throws Exception {
        Map<String, String> config = ConnectorFile.config(
                PluginDirs.projectRoot().resolve("connect-configs/loki-sink.json"),
                Map.of("loki.url", "htp://loki:3100", "loki.auth.basic.username", "user"));
        config.put("name", "broken");
        String url = CONNECT.cluster().endpointForResource(
                "connector-plugins/io.lokiconnect.sink.LokiSinkConnector/config/validate");
        try (Response response = CONNECT.cluster().requestPut(url, JSON.writeValueAsString(config))) {
            String body = response.getEntity().toString();
            assertThat(body).contains("htp://loki:3100").contains("is not an http(s) URL");
        }
    }
}
