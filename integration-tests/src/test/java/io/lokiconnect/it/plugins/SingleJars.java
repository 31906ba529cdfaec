package io.lokiconnect.it.plugins;

import io.lokiconnect.harness.PluginDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one-jar form of each plugin that {@code mvn package} writes beside its component zip:
 * {@code <module>/target/components/lokiconnect-<plugin>-<version>.jar}.
 */
final class SingleJars {

    private SingleJars() {
    }

    /** The single jar of a plugin module; fails when there is not exactly one. */
    static Path of(String module) {
        Path components = PluginDirs.projectRoot().resolve(module).resolve("target").resolve("components");
        List<Path> jars;
        try (Stream<Path> files = Files.list(components)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(components + " cannot be listed: run 'mvn package' from the root first", e);
        }
        if (jars.size() != 1) {
            throw new IllegalStateException("expected one plugin jar in " + components + ", found " + jars);
        }
        return jars.get(0);
    }

    /** {@code integration-tests/target/<name>/}, emptied, holding a copy of every plugin's single jar. */
    static Path freshDirectoryWithTheJars(String name) {
        Path dir = PluginDirs.projectRoot().resolve("integration-tests").resolve("target").resolve(name);
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
            for (String module : PluginDirs.PLUGIN_MODULES) {
                Path jar = of(module);
                Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out " + dir, e);
        }
        return dir;
    }
}
