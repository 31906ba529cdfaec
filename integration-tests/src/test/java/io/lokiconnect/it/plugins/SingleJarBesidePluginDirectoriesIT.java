package io.lokiconnect.it.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.Version;
import io.lokiconnect.harness.PluginDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.runtime.isolation.PluginDesc;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;

/**
 * One plugin.path directory holding each plugin twice, as a user who installs the one jar beside an older install
 * of the plugin directory has it. Connect's own plugin scanner (the worker's {@link Plugins}) takes both, each in
 * a class loader of its own, and each works. Plugins are found through their ServiceLoader manifests only.
 */
class SingleJarBesidePluginDirectoriesIT {

    private static final String JSON_LINE =
            "{\"level\":\"WARNING\",\"service\":\"api\",\"message\":\"disk ✓ almost full\"}";

    @Test
    void bothFormsOfEveryPluginLoadSideBySide() {
        Path dir = SingleJars.freshDirectoryWithTheJars("mixed-plugin-path");
        for (Path pluginDir : PluginDirs.pluginDirectories()) {
            copyDirectory(pluginDir, dir.resolve(pluginDir.getFileName()));
        }
        Plugins plugins = new Plugins(Map.of("plugin.path", dir.toString(), "plugin.discovery", "service_load"));

        assertBothForms(plugins.sourceConnectors(), "io.lokiconnect.source.FileLogSourceConnector", dir);
        assertBothForms(plugins.sinkConnectors(), "io.lokiconnect.sink.LokiSinkConnector", dir);
        List<PluginDesc<Transformation<?>>> transforms =
                assertBothForms(plugins.transformations(), "io.lokiconnect.transforms.JsonLabels", dir);
        for (PluginDesc<Transformation<?>> desc : transforms) {
            assertThat(applyJsonLabels(plugins, desc)).as("JsonLabels from %s", desc.location())
                    .containsEntry("loki.label.level", "warn").containsEntry("loki.label.service", "api");
        }
    }

    private static <T> List<PluginDesc<T>> assertBothForms(Set<PluginDesc<T>> all, String className, Path dir) {
        List<PluginDesc<T>> found = all.stream().filter(d -> d.className().equals(className)).collect(Collectors.toList());
        assertThat(found).as("%s found in %s", className, dir).hasSize(2)
                .allSatisfy(d -> assertThat(d.version()).isEqualTo(Version.get()));
        assertThat(found.stream().map(d -> d.location().endsWith(".jar")).collect(Collectors.toSet()))
                .as("one from the one jar, one from the plugin directory: %s", found).containsExactlyInAnyOrder(true, false);
        return found;
    }

    /** Configures and applies the transform as a worker would: inside the plugin's own class loader. */
    private static Map<String, String> applyJsonLabels(Plugins plugins, PluginDesc<Transformation<?>> desc) {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(desc.loader());
        try {
            @SuppressWarnings("unchecked")
            Transformation<SourceRecord> transform = (Transformation<SourceRecord>)
                    plugins.newPlugin(desc.className(), null, desc.loader());
            transform.configure(Map.of("label.fields", "level,service", "message.field", "message"));
            SourceRecord out = transform.apply(new SourceRecord(Map.of(), Map.of(), "logs", null, null,
                    Schema.STRING_SCHEMA, JSON_LINE));
            transform.close();
            Map<String, String> headers = new HashMap<>();
            out.headers().forEach(h -> headers.put(h.key(), String.valueOf(h.value())));
            return headers;
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static void copyDirectory(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
