package io.lokiconnect.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The child JVM's watchdog: it stops its JVM, through the shutdown hooks, when the runner's pipe closes. */
class ExitWithRunnerTest {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void outliveLineCarriesAPid() {
        assertThat(ExitWithRunner.parseOutlive("outlive 1")).contains(1L);
        assertThat(ExitWithRunner.parseOutlive("outlive 4194304")).contains(4_194_304L);
        assertThat(ExitWithRunner.parseOutlive("outlive 9223372036854775807")).contains(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"outlive 0", "outlive -1", "outlive ", "outlive", "outlive abc",
            "outlive 9223372036854775808", "Outlive 1", " outlive 1", "outlive 1 2", "outlive ١٢", ""})
    void anythingElseIsNoPid(String line) {
        assertThat(ExitWithRunner.parseOutlive(line)).isEmpty();
    }

    @Test
    void readsUntilTheEndAndReportsLinesItDoesNotKnow() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Long> pids = ExitWithRunner.readUntilEndOfStream(new ByteArrayInputStream(
                "outlive 12\nhello ✓\noutlive 34\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(pids).containsExactly(12L, 34L);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("hello ✓").doesNotContain("outlive 12");
    }

    @Test
    void aReadErrorCountsAsTheRunnerGone() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("pipe broken");
            }
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertThat(ExitWithRunner.readUntilEndOfStream(broken, new PrintStream(log, true, StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("pipe broken");
    }

    @Test
    void awaitingAProcessThatDoesNotExistReturnsAtOnce() {
        long start = System.nanoTime();
        ExitWithRunner.awaitExit(List.of(Long.MAX_VALUE), Duration.ofSeconds(30), System.err);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void childStopsThroughItsShutdownHooksWhenThePipeCloses() throws Exception {
        Path marker = dir.resolve("child.stopped");
        Process child = startChild(marker);
        child.getOutputStream().close(); // what the OS does when the runner dies, kill -9 included
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("the child exits within seconds").isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(marker).hasContent("stopped");
    }

    @Test
    void childOutlivesTheProcessItWasToldToThenStops() throws Exception {
        Process other = startChild(dir.resolve("other.stopped"));
        Path marker = dir.resolve("child.stopped");
        Process child = startChild(marker);
        OutputStream pipe = child.getOutputStream();
        pipe.write((ExitWithRunner.OUTLIVE + other.pid() + "\n").getBytes(StandardCharsets.UTF_8));
        pipe.close();
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(child::isAlive);
        assertThat(marker).doesNotExist();

        other.destroy();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("the child exits once the other is gone").isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(marker).hasContent("stopped");
    }

    /** A JVM as the runner starts its children: ExitWithRunner around a main, stdin a pipe from this process. */
    private Process startChild(Path marker) throws IOException {
        Process process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExitWithRunner.class.getName(),
                SleepUntilStopped.class.getName(), marker.toString())
                .redirectErrorStream(true)
                .start();
        started.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        // Its main runs once it prints; the watchdog was started before it.
        assertThat(Optional.ofNullable(out.readLine())).contains("started");
        return process;
    }
}
