package io.lokiconnect.it.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code mvn package} leaves for a user to install: plugin directories, component zips and single jars. */
class PluginPackagingIT {

    /** Per plugin module: its own package, and the Connect interface and class its services file names. */
    private record Plugin(String ownPackage, String service, String pluginClass) {
    }

    private static final Map<String, Plugin> PLUGINS = Map.of(
            "file-log-source-connector", new Plugin("io/lokiconnect/source/",
                    "org.apache.kafka.connect.source.SourceConnector", "io.lokiconnect.source.FileLogSourceConnector"),
            "transforms", new Plugin("io/lokiconnect/transforms/",
                    "org.apache.kafka.connect.transforms.Transformation", "io.lokiconnect.transforms.JsonLabels"),
            "loki-sink-connector", new Plugin("io/lokiconnect/sink/",
                    "org.apache.kafka.connect.sink.SinkConnector", "io.lokiconnect.sink.LokiSinkConnector"));

    /** Where the relocated dependencies live inside each single jar. */
    private static final String SHADED = "io/lokiconnect/shaded/";

    /**
     * snappy-java keeps its package: its native library binds JNI functions by class name
     * ({@code Java_org_xerial_snappy_SnappyNative_*}), so a relocated copy cannot link. See the parent pom.
     */
    private static final String SNAPPY = "org/xerial/snappy/";

    /** What a plugin may refer to outside itself: the JDK and what the Connect worker supplies. */
    private static final List<String> SUPPLIED_BY_JDK_OR_WORKER = List.of(
            "java/", "javax/", "jdk/", "sun/", "org/apache/kafka/", "org/slf4j/");

    /**
     * Optional libraries that OkHttp and protobuf look for with Class.forName and use only when the worker has
     * them (Conscrypt, Bouncy Castle and OpenJSSE TLS providers, Android): never shipped, so never relocated.
     */
    private static final List<String> OPTIONAL_PROBED = List.of(
            "org/conscrypt/", "org/bouncycastle/", "org/openjsse/", "android/");

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
        List<Path> zips = list(components).stream().filter(p -> p.toString().endsWith(".zip")).toList();
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

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source-connector", "transforms", "loki-sink-connector"})
    void singleJarHoldsOnlyThePluginAndItsRelocatedDependencies(String module) throws IOException {
        Plugin plugin = PLUGINS.get(module);
        Path jarPath = SingleJars.of(module);
        Set<String> misplaced = new TreeSet<>();
        int ownClasses = 0;
        int shadedClasses = 0;
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                boolean versioned = name.matches("META-INF/versions/\\d+/.+");
                String path = versioned ? name.replaceFirst("META-INF/versions/\\d+/", "") : name;
                // A multi-release variant must sit at the relocated path of a class the jar holds (MSHADE-406).
                if (versioned && jar.getJarEntry(path) == null) {
                    misplaced.add(name + " (no base entry " + path + ")");
                }
                if (path.startsWith("META-INF/")) {
                    continue;
                }
                if (path.startsWith(plugin.ownPackage())) {
                    ownClasses += path.endsWith(".class") ? 1 : 0;
                } else if (path.startsWith(SHADED)) {
                    shadedClasses += path.endsWith(".class") ? 1 : 0;
                } else if (!(module.equals("loki-sink-connector") && path.startsWith(SNAPPY))) {
                    misplaced.add(name);
                }
            }
        }
        assertThat(misplaced).as("entries of %s outside %s and %s: Kafka, SLF4J, common or a third-party package"
                + " left unrelocated", jarPath.getFileName(), plugin.ownPackage(), SHADED).isEmpty();
        assertThat(ownClasses).as("the plugin's own classes in %s", jarPath.getFileName()).isPositive();
        // Every plugin uses common (the version, the header names): relocated, not missing.
        assertThat(shadedClasses).as("relocated classes in %s", jarPath.getFileName()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source-connector", "transforms", "loki-sink-connector"})
    void singleJarRefersOnlyToItselfTheJdkAndTheWorker(String module) throws IOException {
        Path jarPath = SingleJars.of(module);
        assertThat(unresolvedReferences(jarPath)).as("classes %s refers to that are neither inside it nor supplied"
                + " by the JDK or the worker: a dependency missing or left unrelocated", jarPath.getFileName()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void theReferenceCheckFlagsTheUnshadedJar() throws IOException {
        // The sink's own thin jar (from its plugin directory) uses OkHttp and common at their original names.
        Path thin = list(list(PluginDirs.pluginParent("loki-sink-connector")).get(0)).stream()
                .filter(p -> p.getFileName().toString().startsWith("loki-connect-loki-sink-")).findFirst().orElseThrow();
        assertThat(unresolvedReferences(thin))
                .anyMatch(ref -> ref.startsWith("okhttp3/OkHttpClient "))
                .anyMatch(ref -> ref.startsWith("io/lokiconnect/common/"));
    }

    /** What the jar's classes use that is neither inside the jar nor from the JDK, the worker or an optional probe. */
    private static Set<String> unresolvedReferences(Path jarPath) throws IOException {
        Set<String> unresolved = new TreeSet<>();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = jar.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                for (String ref : ClassReferences.of(bytes)) {
                    boolean inside = jar.getJarEntry(ref + ".class") != null;
                    boolean supplied = SUPPLIED_BY_JDK_OR_WORKER.stream().anyMatch(ref::startsWith);
                    boolean probed = OPTIONAL_PROBED.stream().anyMatch(ref::startsWith);
                    if (!inside && !supplied && !probed) {
                        unresolved.add(ref + " (from " + entry.getName() + ")");
                    }
                }
            }
        }
        return unresolved;
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-log-source-connector", "transforms", "loki-sink-connector"})
    void singleJarServicesEntriesNameTheRelocatedClasses(String module) throws Exception {
        Plugin plugin = PLUGINS.get(module);
        Path jarPath = SingleJars.of(module);
        List<String> pluginEntries = new ArrayList<>();
        // Only this jar and the worker's API: the loader sees no other copy of the plugin or its dependencies.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jarPath.toUri().toURL()}, getClass().getClassLoader());
             JarFile jar = new JarFile(jarPath.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                if (!name.startsWith("META-INF/services/") || entry.isDirectory()) {
                    continue;
                }
                String service = name.substring("META-INF/services/".length());
                List<String> lines = serviceLines(jar, entry);
                assertThat(lines).as("%s in %s", name, jarPath.getFileName()).isNotEmpty();
                if (service.startsWith("org.apache.kafka.")) {
                    Class<?> serviceClass = Class.forName(service);
                    for (String className : lines) {
                        Class<?> impl = Class.forName(className, false, loader);
                        assertThat(impl.getClassLoader()).as("%s loaded from the jar", className).isSameAs(loader);
                        assertThat(serviceClass.isAssignableFrom(impl)).as("%s implements %s", className, service).isTrue();
                        pluginEntries.add(service + "=" + className);
                    }
                } else {
                    // A dependency's service (Jackson's JsonFactory): renamed and rewritten with the relocation.
                    assertThat(service).as("services file of a relocated dependency").startsWith("io.lokiconnect.shaded.");
                    for (String className : lines) {
                        assertThat(className).startsWith("io.lokiconnect.shaded.");
                        assertThat(jar.getJarEntry(className.replace('.', '/') + ".class"))
                                .as("%s listed in %s is inside the jar", className, name).isNotNull();
                    }
                }
            }
        }
        assertThat(pluginEntries).containsExactly(plugin.service() + "=" + plugin.pluginClass());
    }

    @org.junit.jupiter.api.Test
    void snappyInsideTheSinkJarLinksItsNativeLibrary() throws Exception {
        Path jarPath = SingleJars.of("loki-sink-connector");
        // Parent: the platform loader only, so org.xerial.snappy can come from nowhere but the jar.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jarPath.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> snappy = Class.forName("org.xerial.snappy.Snappy", true, loader);
            assertThat(snappy.getClassLoader()).isSameAs(loader);
            byte[] input = "ünïcödé log line ✓ ".repeat(200).getBytes(StandardCharsets.UTF_8);
            byte[] compressed = (byte[]) snappy.getMethod("compress", byte[].class).invoke(null, (Object) input);
            byte[] restored = (byte[]) snappy.getMethod("uncompress", byte[].class).invoke(null, (Object) compressed);
            assertThat(compressed.length).isLessThan(input.length);
            assertThat(restored).isEqualTo(input);
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
