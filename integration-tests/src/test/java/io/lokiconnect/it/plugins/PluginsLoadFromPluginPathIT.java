package io.lokiconnect.it.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.common.Version;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real worker finds every plugin through plugin.path alone, using the ServiceLoader manifests (KIP-898). */
class PluginsLoadFromPluginPathIT {

    private static final Map<String, String> PLUGINS = Map.of(
            "io.lokiconnect.source.FileLogSourceConnector", "source",
            "io.lokiconnect.sink.LokiSinkConnector", "sink",
            "io.lokiconnect.transforms.JsonLabels", "transformation");

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("plugin.discovery", "service_load")
            .build();

    @Test
    void pluginsAreNotOnTheTestClassPath() {
        for (String className : PLUGINS.keySet()) {
            assertThatThrownBy(() -> Class.forName(className)).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void workerListsEveryProjectPluginWithTheProjectVersion() throws Exception {
        JsonNode plugins = new ObjectMapper().readTree(CONNECT.restGet("/connector-plugins?connectorsOnly=false"));
        Map<String, JsonNode> byClass = new HashMap<>();
        plugins.forEach(p -> byClass.put(p.path("class").asText(), p));
        PLUGINS.forEach((className, type) -> {
            assertThat(byClass).as("GET /connector-plugins lists %s", className).containsKey(className);
            assertThat(byClass.get(className).path("type").asText()).isEqualTo(type);
            assertThat(byClass.get(className).path("version").asText()).isEqualTo(Version.get());
        });
    }
}
