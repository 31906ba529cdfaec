package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The class path {@code ./run-local.sh} starts the runner with (and hands to the broker and worker JVMs), as the build
 * wrote it to {@code local-runner/target/classpath.txt}: Kafka's and the project's runtime jars, no test library and
 * no test logging configuration.
 */
class RunnerClasspathTest {

    /** File name starts of test libraries and of the project's test support. */
    private static final List<String> TEST_ARTIFACTS = List.of("junit-", "assertj-", "awaitility-", "opentest4j-",
            "apiguardian-", "jqwik-", "hamcrest-", "mockito-", "mockwebserver", "kafka-test-common-",
            "loki-connect-testkit-");

    @Test
    void theRunnerClassPathHoldsKafkaAndNoTestLibrary() throws IOException {
        List<Path> entries = classPath();
        assertThat(entries).as("the runner's class path").isNotEmpty();
        // A reactor module is its jar after 'package', its target/classes before.
        assertThat(entries.stream().map(Path::toString))
                .as("the harness, the receiver, the worker and its REST authentication are there")
                .anyMatch(p -> p.contains("loki-connect-harness-") || p.endsWith("harness/target/classes"))
                .anyMatch(p -> p.contains("loki-connect-loki-receiver-") || p.endsWith("loki-receiver/target/classes"))
                .anyMatch(p -> name(Path.of(p)).startsWith("connect-basic-auth-extension-"));
        // What a Kafka distribution's libs/ holds for the broker and worker JVMs, which start on this class path.
        for (String jar : List.of("kafka_2.13-", "kafka-clients-", "connect-api-", "connect-runtime-",
                "connect-transforms-", "connect-json-", "slf4j-api-", "log4j-core-", "log4j-slf4j2-impl-")) {
            assertThat(entries.stream().map(RunnerClasspathTest::name)).as("the runner's class path holds %s", jar)
                    .anyMatch(n -> n.startsWith(jar) && !n.endsWith("-test.jar"));
        }
        List<String> testOnly = new ArrayList<>();
        for (Path entry : entries) {
            String name = name(entry);
            if (TEST_ARTIFACTS.stream().anyMatch(name::startsWith) || name.endsWith("-test.jar")
                    || name.endsWith("-tests.jar")) {
                testOnly.add(entry.toString());
            }
        }
        assertThat(testOnly).as("test libraries on the runner's class path").isEmpty();
    }

    @Test
    void noEntryShipsATestLoggingConfiguration() throws IOException {
        List<String> withTestConfig = new ArrayList<>();
        for (Path entry : classPath()) {
            if (holds(entry, "log4j2-test.xml") || holds(entry, "log4j2-test.properties")) {
                withTestConfig.add(entry.toString());
            }
        }
        assertThat(withTestConfig).as("class path entries with a test logging configuration").isEmpty();
    }

    private static List<Path> classPath() throws IOException {
        Path file = PluginDirs.projectRoot().resolve("local-runner/target/classpath.txt");
        assertThat(file).as("written by the build (maven-dependency-plugin, process-classes)").isRegularFile();
        return Arrays.stream(Files.readString(file).strip().split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    private static String name(Path entry) {
        return entry.getFileName().toString();
    }

    private static boolean holds(Path entry, String resource) throws IOException {
        if (Files.isDirectory(entry)) {
            return Files.exists(entry.resolve(resource));
        }
        try (ZipFile jar = new ZipFile(entry.toFile())) {
            return jar.getEntry(resource) != null;
        }
    }
}
