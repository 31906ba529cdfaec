package io.lokiconnect.it.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.testkit.connect.PluginDirs;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code mvn package} leaves for a user to install: plugin directories and component zips. */
class PluginPackagingIT {

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source-connector", "transforms", "loki-sink-connector"})
    void pluginDirectoryHoldsNoJarTheWorkerAlreadySupplies(String module) throws IOException {
        List<Path> dirs = PluginDirs.pluginParent(module).toFile().exists()
                ? list(PluginDirs.pluginParent(module)) : List.of();
        assertThat(dirs).as("one plugin directory under %s/target/plugin", module).hasSize(1);
        List<String> jars = list(dirs.get(0)).stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertThat(jars).as("jars in %s", dirs.get(0)).isNotEmpty()
                .allMatch(name -> name.endsWith(".jar"))
                .anyMatch(name -> name.startsWith("loki-connect-"))
                .noneMatch(name -> name.startsWith("kafka-clients"))
                .noneMatch(name -> name.startsWith("connect-api"))
                .noneMatch(name -> name.startsWith("connect-runtime"))
                .noneMatch(name -> name.startsWith("connect-transforms"))
                .noneMatch(name -> name.startsWith("slf4j-api"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source-connector", "transforms", "loki-sink-connector"})
    void everyServicesEntryNamesAPluginClassThatExists(String module) throws Exception {
        Path pluginDir = list(PluginDirs.pluginParent(module)).get(0);
        List<Path> jars = list(pluginDir);
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        Path pluginJar = jars.stream().filter(p -> p.getFileName().toString().startsWith("loki-connect-" ))
                .filter(p -> !p.getFileName().toString().startsWith("loki-connect-common")).findFirst().orElseThrow();
        int entries = 0;
        // The test class path holds connect-api (as the worker does) but not the plugin: load through the jars.
        try (URLClassLoader loader = new URLClassLoader(urls, getClass().getClassLoader());
             JarFile jar = new JarFile(pluginJar.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (!entry.getName().startsWith("META-INF/services/") || entry.isDirectory()) {
                    continue;
                }
                Class<?> service = Class.forName(entry.getName().substring("META-INF/services/".length()));
                for (String className : serviceLines(jar, entry)) {
                    Class<?> impl = Class.forName(className, false, loader);
                    assertThat(service.isAssignableFrom(impl)).as("%s implements %s", className, service.getName()).isTrue();
                    assertThat(org.apache.kafka.connect.components.Versioned.class.isAssignableFrom(impl))
                            .as("%s implements Versioned", className).isTrue();
                    entries++;
                }
            }
        }
        assertThat(entries).as("services entries in %s", pluginJar).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source-connector", "transforms", "loki-sink-connector"})
    void componentZipHasTheConfluentHubLayout(String module) throws IOException {
        Path components = PluginDirs.projectRoot().resolve(module).resolve("target").resolve("components");
        List<Path> zips = list(components);
        assertThat(zips).as("component zips in %s", components).hasSize(1);
        try (ZipFile zip = new ZipFile(zips.get(0).toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).collect(Collectors.toList());
            String base = names.get(0).substring(0, names.get(0).indexOf('/') + 1);
            assertThat(names).contains(base + "manifest.json", base + "doc/README.md", base + "doc/LICENSE")
                    .anyMatch(n -> n.startsWith(base + "lib/loki-connect-") && n.endsWith(".jar"))
                    .anyMatch(n -> n.startsWith(base + "etc/") && n.endsWith(".json"))
                    .noneMatch(n -> n.contains("kafka-clients") || n.contains("connect-api"));
            String manifest = new String(zip.getInputStream(zip.getEntry(base + "manifest.json")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(manifest).doesNotContain("${").contains("\"component_types\"");
        }
    }

    private static List<String> serviceLines(JarFile jar, JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String trimmed = line.replaceAll("#.*", "").trim();
                if (!trimmed.isEmpty()) {
                    lines.add(trimmed);
                }
            }
            return lines;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }
}
