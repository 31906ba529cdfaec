package io.lokiconnect.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    @Test
    void committedReferenceMatchesTheConfigDefs() throws Exception {
        Path committed = PluginDirs.projectRoot().resolve("docs").resolve("configuration.md");
        String generated = ConfigReference.render();
        // Written next to the build output so a stale reference is fixed with one copy.
        Path fresh = PluginDirs.projectRoot().resolve("local-runner/target/configuration.md");
        Files.createDirectories(fresh.getParent());
        Files.writeString(fresh, generated);
        assertThat(committed).as("docs/configuration.md exists").exists();
        assertThat(Files.readString(committed))
                .as("docs/configuration.md is stale: cp local-runner/target/configuration.md docs/configuration.md")
                .isEqualTo(generated);
    }

    @Test
    void everyKeyIsDocumented() {
        String generated = ConfigReference.render();
        assertThat(generated).contains("## FileLogSourceConnector", "## JsonLabels transform", "## LokiSinkConnector");
        assertThat(generated.lines().filter(l -> l.startsWith("| `")))
                .as("every key row has a description").allMatch(l -> !l.endsWith("|  |"));
    }
}
