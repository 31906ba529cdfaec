package io.lokiconnect.runner.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What each module's production code must never use (docs/development.md, "Modules"). Scans src/main/java for the
 * forbidden packages, imported or written out in full; comments are skipped. Package cycles inside a module are
 * another test's concern.
 */
class ModuleImportRulesTest {

    private static final List<String> TEST_LIBRARIES = List.of(
            "org.junit", "org.assertj", "org.awaitility", "net.jqwik", "org.mockito", "okhttp3.mockwebserver");
    private static final List<String> OUR_TOOLS = List.of("io.lokiconnect.testkit", "io.lokiconnect.receiver",
            "io.lokiconnect.harness", "io.lokiconnect.runner", "io.lokiconnect.benchmarks");
    private static final String SOURCE = "io.lokiconnect.source";
    private static final String TRANSFORMS = "io.lokiconnect.transforms";
    private static final String SINK = "io.lokiconnect.sink";
    private static final String WORKER = "org.apache.kafka.connect.runtime";

    /** Module -> packages its production code must not use. */
    static final Map<String, List<String>> RULES = Map.of(
            // Only the worker's public kafka-clients API (config, metrics), provided by the worker and never shaded.
            "common", concat(TEST_LIBRARIES, OUR_TOOLS, List.of(SOURCE, TRANSFORMS, SINK, "org.apache.kafka.connect",
                    "org.apache.kafka.clients", "org.apache.kafka.server")),
            "file-log-source-connector", concat(TEST_LIBRARIES, OUR_TOOLS, List.of(TRANSFORMS, SINK, WORKER)),
            "transforms", concat(TEST_LIBRARIES, OUR_TOOLS, List.of(SOURCE, SINK, WORKER)),
            "loki-sink-connector", concat(TEST_LIBRARIES, OUR_TOOLS, List.of(SOURCE, TRANSFORMS, WORKER)),
            "loki-receiver", concat(TEST_LIBRARIES, List.of("io.lokiconnect.testkit", "io.lokiconnect.harness",
                    "io.lokiconnect.runner", "io.lokiconnect.benchmarks", SOURCE, TRANSFORMS, SINK, "org.apache.kafka")),
            // The harness, the runner and the test kit load the plugins from plugin.path, as a worker does: they never
            // link to them. The harness and the runner are what ./run-local.sh runs: no test library.
            "harness", concat(TEST_LIBRARIES, List.of("io.lokiconnect.testkit", "io.lokiconnect.receiver",
                    "io.lokiconnect.runner", "io.lokiconnect.benchmarks", SOURCE, TRANSFORMS, SINK)),
            "local-runner", concat(TEST_LIBRARIES, List.of("io.lokiconnect.testkit", "io.lokiconnect.benchmarks",
                    SOURCE, TRANSFORMS, SINK)),
            "testkit", List.of(SOURCE, TRANSFORMS, SINK, "io.lokiconnect.runner", "io.lokiconnect.benchmarks"));

    /** Each plugin module and its root package. */
    static final Map<String, String> PLUGINS = Map.of(
            "file-log-source-connector", SOURCE, "transforms", TRANSFORMS, "loki-sink-connector", SINK);
    private static final String CONNECT = "org.apache.kafka.connect";

    /**
     * Files (relative to the module) outside a plugin's root and {@code metrics} packages that use Connect today and
     * are to be moved: an explicit allowlist, emptied as they are. A listed file that no longer uses Connect fails the
     * test too, so the list only shrinks.
     */
    static final Map<String, List<String>> KNOWN_CONNECT_USERS = Map.of(
            "file-log-source-connector", List.of(),
            "transforms", List.of(),
            "loki-sink-connector", List.of());

    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void noModuleUsesWhatItMustNot() throws IOException {
        Path root = PluginDirs.projectRoot();
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<String>> rule : RULES.entrySet()) {
            Path sources = root.resolve(rule.getKey()).resolve("src/main/java");
            assertThat(sources).as("module %s", rule.getKey()).isDirectory();
            try (Stream<Path> files = Files.walk(sources)) {
                List<Path> javaFiles = files.filter(f -> f.toString().endsWith(".java")).toList();
                assertThat(javaFiles).as("sources of %s", rule.getKey()).isNotEmpty();
                for (Path file : javaFiles) {
                    for (String used : violations(Files.readString(file), rule.getValue())) {
                        violations.add(root.relativize(file) + " uses " + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    /**
     * Connect's API is for the adapters: in each plugin only the root package (connector, task, transform, config)
     * and its {@code metrics} package use {@code org.apache.kafka.connect}; the plain classes below them are
     * unit-tested without Connect. ({@code org.apache.kafka.common.config}, ConfigDef and AbstractConfig, is
     * kafka-clients, not Connect.)
     */
    @Test
    void onlyTheRootAndMetricsPackagesOfAPluginUseConnect() throws IOException {
        Path root = PluginDirs.projectRoot();
        List<String> violations = new ArrayList<>();
        List<String> staleAllowances = new ArrayList<>();
        for (Map.Entry<String, String> plugin : PLUGINS.entrySet()) {
            Path module = root.resolve(plugin.getKey());
            Path rootPackage = module.resolve("src/main/java").resolve(plugin.getValue().replace('.', '/'));
            assertThat(rootPackage).as("root package of %s", plugin.getKey()).isDirectory();
            List<String> allowed = KNOWN_CONNECT_USERS.get(plugin.getKey());
            List<String> users = new ArrayList<>();
            try (Stream<Path> files = Files.walk(rootPackage)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Path dir = rootPackage.relativize(file.getParent());
                    boolean adapterPackage = dir.toString().isEmpty() || dir.startsWith("metrics");
                    if (!adapterPackage && !violations(Files.readString(file), List.of(CONNECT)).isEmpty()) {
                        users.add(module.relativize(file).toString());
                    }
                }
            }
            users.stream().filter(f -> !allowed.contains(f))
                    .forEach(f -> violations.add(plugin.getKey() + "/" + f + " uses " + CONNECT));
            allowed.stream().filter(f -> !users.contains(f))
                    .forEach(f -> staleAllowances.add(plugin.getKey() + "/" + f));
        }
        assertThat(violations).as("plain classes using Connect: move the Connect part to the root package").isEmpty();
        assertThat(staleAllowances).as("no longer use Connect: remove them from KNOWN_CONNECT_USERS").isEmpty();
    }

    @Test
    void theScannerFindsImportsAndFullNamesButNotComments() {
        String source = """
                package io.lokiconnect.sink;
                import org.junit.jupiter.api.Test;
                import static org.assertj.core.api.Assertions.assertThat;
                /** Uses io.lokiconnect.testkit.Foo only in a comment. */
                class X { // org.awaitility here too
                    Object o = new io.lokiconnect.receiver.LokiReceiver();
                    String s = "io.lokiconnect.sinkhole"; // a longer name is another package
                }
                """;
        assertThat(violations(source, concat(TEST_LIBRARIES, OUR_TOOLS, List.of("io.lokiconnect.sin"))))
                .containsExactly("org.junit", "org.assertj", "io.lokiconnect.receiver");
    }

    @Test
    void theHarnessAndTheRunnerDeclareTestLibrariesOnlyInTestScope() throws IOException {
        Path root = PluginDirs.projectRoot();
        Pattern dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
        for (String module : List.of("harness", "local-runner")) {
            String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
            Matcher m = dependency.matcher(pom);
            while (m.find()) {
                String declared = m.group(1);
                if (declaresTestSupport(declared)) {
                    assertThat(declared).as("%s/pom.xml: %s", module, declared.strip())
                            .contains("<scope>test</scope>");
                }
            }
        }
    }

    @Test
    void pluginsDeclareTheTestKitAndTheReceiverOnlyInTestScope() throws IOException {
        Path root = PluginDirs.projectRoot();
        Pattern dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
        for (String module : List.of("common", "file-log-source-connector", "transforms", "loki-sink-connector",
                "loki-receiver")) {
            String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
            Matcher m = dependency.matcher(pom);
            while (m.find()) {
                String declared = m.group(1);
                boolean forbidden = declaresTestSupport(declared)
                        || declared.contains("<artifactId>loki-connect-harness</artifactId>")
                        || declared.contains("<artifactId>loki-connect-loki-receiver</artifactId>");
                if (forbidden) {
                    assertThat(declared).as("%s/pom.xml: %s", module, declared.strip())
                            .contains("<scope>test</scope>");
                }
            }
        }
    }

    private static boolean declaresTestSupport(String dependency) {
        return dependency.contains("<artifactId>loki-connect-testkit</artifactId>")
                || dependency.contains("<groupId>org.junit")
                || dependency.contains("<groupId>org.assertj</groupId>")
                || dependency.contains("<groupId>org.awaitility</groupId>")
                || dependency.contains("<groupId>net.jqwik</groupId>")
                || dependency.contains("<artifactId>kafka-test-common-runtime</artifactId>")
                || dependency.contains("<type>test-jar</type>");
    }

    /** The forbidden packages the source uses, in the order they first appear, outside comments. */
    static List<String> violations(String javaSource, List<String> forbidden) {
        String code = COMMENTS.matcher(javaSource).replaceAll(" ");
        List<String> found = new ArrayList<>();
        for (String pkg : forbidden) {
            Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(pkg) + "(?![\\w])").matcher(code);
            if (m.find()) {
                found.add(pkg);
            }
        }
        found.sort((a, b) -> Integer.compare(firstIndex(code, a), firstIndex(code, b)));
        return found;
    }

    private static int firstIndex(String code, String pkg) {
        return code.indexOf(pkg);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        return Stream.of(lists).flatMap(List::stream).toList();
    }
}
