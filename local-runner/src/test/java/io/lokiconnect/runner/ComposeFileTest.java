package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lokiconnect.harness.PluginDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docker-compose.yml cannot be run here (no Docker engine): check what it refers to instead. */
class ComposeFileTest {

    private static final Path ROOT = PluginDirs.projectRoot();

    static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    @Test
    void everyBindMountedRepositoryPathExists() throws Exception {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (JsonNode service : compose().path("services")) {
            for (JsonNode volume : service.path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./")) {
                    checked++;
                    if (!Files.exists(ROOT.resolve(source.substring(2)))) {
                        missing.add(source);
                    }
                }
            }
        }
        assertThat(checked).as("bind mounts from the repository").isGreaterThanOrEqualTo(10);
        assertThat(missing).as("paths mounted by docker-compose.yml that do not exist (run mvn package first)").isEmpty();
    }

    @Test
    void everyServiceHasAHealthCheck() throws Exception {
        compose().path("services").fields().forEachRemaining(e ->
                assertThat(e.getValue().has("healthcheck")).as("service %s has a healthcheck", e.getKey()).isTrue());
    }

    @Test
    void connectWorkerMountsEachPluginDirectoryIntoItsPluginPath() throws Exception {
        JsonNode connect = compose().path("services").path("connect");
        List<String> mounts = new ArrayList<>();
        connect.path("volumes").forEach(v -> mounts.add(v.asText()));
        for (Path pluginDir : PluginDirs.pluginDirectories()) {
            String relative = "./" + ROOT.relativize(pluginDir);
            assertThat(mounts).as("connect mounts %s", relative)
                    .anyMatch(m -> m.startsWith(relative + ":/opt/loki-connect/plugins/"));
        }
        assertThat(mounts).contains("/var/log:/var/log:ro");
        String workerProps = Files.readString(ROOT.resolve("connect-configs/worker.properties"));
        assertThat(workerProps).contains("plugin.path=/opt/loki-connect/plugins");
    }

    @Test
    void initJobPostsTheConnectorFilesThatExist() throws Exception {
        String script = Files.readString(ROOT.resolve("deploy/connect/post-connectors.sh"));
        for (String file : List.of("file-log-source.json", "loki-sink.json")) {
            assertThat(script).contains(file);
            assertThat(ROOT.resolve("connect-configs").resolve(file)).exists();
        }
    }
}
