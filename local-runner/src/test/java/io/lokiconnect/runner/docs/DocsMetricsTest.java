package io.lokiconnect.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md lists exactly the metrics the plugins register (the names their {@code metrics} packages pass to
 * {@code PluginGauges}), and every metric name the README and docs/ mention is one of them or one of Connect's own.
 */
class DocsMetricsTest {

    private static final Path ROOT = PluginDirs.projectRoot();
    private static final String NAME = "[a-z][a-z0-9]*(?:-[a-z0-9]+)+";
    /** A string literal that is a whole metric-like name, as the metrics classes register them. */
    private static final Pattern LITERAL = Pattern.compile("\"(" + NAME + ")\"");
    /** A name in backticks, with the tags of a tagged metric ({@code lines-by-level-total{level=...}}). */
    private static final Pattern CODE = Pattern.compile("`(" + NAME + ")(?:\\{[^`]*})?`");
    private static final Pattern METRIC_SHAPED = Pattern.compile(".*-(total|bytes|ms|tracked|behind)");
    /** Connect's own metrics the docs point to. */
    private static final Set<String> CONNECT_METRICS =
            Set.of("source-record-poll-total", "source-record-write-total", "sink-record-read-total");

    /** The names each plugin module's metrics classes register, by module. */
    static Map<String, Set<String>> registered() throws IOException {
        Map<String, Set<String>> names = new TreeMap<>();
        for (String module : List.of("file-log-source-connector", "transforms", "loki-sink-connector")) {
            Set<String> found = new TreeSet<>();
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(p -> p.getParent().getFileName().toString().equals("metrics")
                        && p.toString().endsWith(".java")).toList()) {
                    Matcher m = LITERAL.matcher(Files.readString(file));
                    while (m.find()) {
                        found.add(m.group(1));
                    }
                }
            }
            names.put(module, found);
        }
        return names;
    }

    private static Set<String> names(String markdown, boolean tableRowsOnly) {
        Set<String> names = new TreeSet<>();
        for (String line : markdown.split("\n")) {
            if (tableRowsOnly && !line.matches("\\| (source|transform|sink) \\|.*")) {
                continue;
            }
            Matcher m = CODE.matcher(line);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void theMetricsPageListsExactlyTheMetricsThePluginsRegister() throws Exception {
        Map<String, Set<String>> registered = registered();
        registered.forEach((module, names) -> assertThat(names).as("metrics registered by %s", module).isNotEmpty());
        Set<String> all = new TreeSet<>();
        registered.values().forEach(all::addAll);
        Set<String> documented = names(Files.readString(ROOT.resolve("docs/metrics.md")), true);
        assertThat(documented).as("docs/metrics.md's table against the metrics classes")
                .containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void everyMetricTheDocsNameExists() throws Exception {
        Set<String> known = new TreeSet<>(CONNECT_METRICS);
        registered().values().forEach(known::addAll);
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            // configuration.md is generated from the ConfigDefs, whose docs ConfigReferenceTest keeps in step.
            docs.filter(p -> p.toString().endsWith(".md") && !p.endsWith("configuration.md")).forEach(pages::add);
        }
        List<String> unknown = new ArrayList<>();
        int mentioned = 0;
        for (Path page : pages) {
            for (String name : names(Files.readString(page), false)) {
                if (METRIC_SHAPED.matcher(name).matches()) {
                    mentioned++;
                    if (!known.contains(name)) {
                        unknown.add(page.getFileName() + ": " + name);
                    }
                }
            }
        }
        assertThat(mentioned).as("metric names mentioned").isGreaterThan(20);
        assertThat(unknown).isEmpty();
    }
}
