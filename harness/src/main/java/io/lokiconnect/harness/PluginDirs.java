package io.lokiconnect.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the plugin directories that {@code mvn package} builds ({@code <module>/target/plugin/<name>/}),
 * so a worker loads the plugins from {@code plugin.path} exactly as a user's worker would.
 */
public final class PluginDirs {

    /** The plugin modules, in the order their plugin directories are put on {@code plugin.path}. */
    public static final List<String> PLUGIN_MODULES =
            List.of("file-log-source-connector", "transforms", "loki-sink-connector");

    private PluginDirs() {
    }

    /** The repository root: system property {@code lokiconnect.root}, else the nearest parent holding {@code .mvn/}. */
    public static Path projectRoot() {
        String configured = System.getProperty("lokiconnect.root");
        if (configured != null && !configured.isBlank() && Files.isDirectory(Paths.get(configured, ".mvn"))) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve(".mvn")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the loki-connect root: set -Dlokiconnect.root=<checkout>");
    }

    /** {@code <module>/target/plugin}: a directory whose one sub-directory is the plugin. */
    public static Path pluginParent(String module) {
        Path parent = projectRoot().resolve(module).resolve("target").resolve("plugin");
        if (!Files.isDirectory(parent)) {
            throw new IllegalStateException(parent + " does not exist: run 'mvn package' (or 'mvn verify') from the root"
                    + " so the plugin directories are built before the tests that load them");
        }
        return parent;
    }

    /** Every plugin directory ({@code <module>/target/plugin/<name>}). */
    public static List<Path> pluginDirectories() {
        return PLUGIN_MODULES.stream().flatMap(m -> list(pluginParent(m))).collect(Collectors.toList());
    }

    /** The {@code plugin.path} value that loads every project plugin. */
    public static String pluginPath() {
        return PLUGIN_MODULES.stream().map(m -> pluginParent(m).toString()).collect(Collectors.joining(","));
    }

    private static Stream<Path> list(Path parent) {
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(Files::isDirectory).collect(Collectors.toList()).stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
