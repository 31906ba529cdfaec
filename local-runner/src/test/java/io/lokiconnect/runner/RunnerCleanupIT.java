package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.ExitWithRunner;
import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.harness.RestCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner ({@code LocalPipeline}, as run-local.sh starts it) as a process of its own, with its real broker and
 * worker child JVMs, stopped as a user stops it: SIGTERM (what Ctrl-C does to it too) and kill -9. Either way the
 * broker and the worker end and the ports are free for the next run.
 */
class RunnerCleanupIT {

    private static final String REST_PASSWORD = "exported-in-the-shell-0123";

    /** Generous for a loaded 2-core machine; measured figures are printed. */
    private static final Duration CHILDREN_GONE_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final List<ProcessHandle> toKill = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        toKill.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void afterKillDashNineOfTheRunnerItsBrokerAndWorkerStopWithinSeconds() throws Exception {
        Runner runner = startRunner();
        runner.process.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook of the runner runs
        assertThat(runner.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        Map<String, Duration> gone = awaitGone(runner.children);
        System.out.println("after kill -9 of the runner, its children were gone after " + gone);
        assertPortsFree(runner.ports);
        // The worker stopped first: the broker outlived it, so its offsets could still be committed.
        assertThat(gone.get("worker")).isLessThanOrEqualTo(gone.get("broker"));
    }

    @Test
    void sigtermStopsTheWorkerThenTheBrokerAndPrintsTheSummary() throws Exception {
        Runner runner = startRunner();
        runner.process.toHandle().destroy(); // SIGTERM
        Map<String, Duration> gone = awaitGone(runner.children);
        System.out.println("after SIGTERM to the runner, its children were gone after " + gone);
        assertThat(runner.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.process.exitValue()).as("ended by SIGTERM").isEqualTo(128 + 15);
        assertThat(gone.get("worker")).isLessThanOrEqualTo(gone.get("broker"));
        assertPortsFree(runner.ports);
        assertThat(runner.output()).contains("stopping (Ctrl-C or SIGTERM)", "summary after");
    }

    private record Runner(Process process, Map<String, ProcessHandle> children, Map<String, Integer> ports,
                          Path outputFile) {
        String output() throws IOException {
            return Files.readString(outputFile, StandardCharsets.UTF_8);
        }
    }

    private Runner startRunner() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Files.writeString(logs.resolve("app.log"), "{\"level\":\"info\",\"message\":\"hello\"}\n");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : List.of("LOCAL_KAFKA_PORT", "LOCAL_KAFKA_CONTROLLER_PORT", "LOCAL_CONNECT_PORT",
                "LOCAL_LOKI_PORT")) {
            ports.put(name, freePort());
        }
        ProcessBuilder builder = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), LocalPipeline.class.getName())
                .directory(PluginDirs.projectRoot().toFile())
                .redirectErrorStream(true);
        ports.forEach((name, port) -> builder.environment().put(name, port.toString()));
        builder.environment().put("RUN_DIR", tmp.resolve("run").toString());
        builder.environment().put("LOG_PATHS", logs + "/*.log");
        builder.environment().put("PROGRESS_INTERVAL_SECONDS", "2");
        for (String inherited : List.of("KAFKA_BROKERS", "KAFKA_TOPIC", "KAFKA_CONSUMER_GROUP", "LOKI_ENDPOINT")) {
            builder.environment().remove(inherited);
        }
        // As a user exports it: the runner's REST client uses it; its child JVMs must not inherit it.
        builder.environment().put(RestCredentials.PASSWORD_VARIABLE, REST_PASSWORD);
        // A file, not a pipe: Process.destroy() would close a pipe before the runner prints its summary.
        Path output = tmp.resolve("runner.out");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        toKill.add(process.toHandle());
        Runner runner = new Runner(process, new LinkedHashMap<>(), ports, output);
        Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                .failFast("the runner exited", () -> !process.isAlive())
                .until(() -> runner.output().contains("pipeline running"));

        Map<String, ProcessHandle> children = runner.children();
        for (ProcessHandle p : process.toHandle().descendants().toList()) {
            switch (mainClass(p)) {
                case "kafka.Kafka" -> children.put("broker", p);
                case "org.apache.kafka.connect.cli.ConnectDistributed" -> children.put("worker", p);
                default -> { }
            }
        }
        children.values().forEach(toKill::add);
        assertThat(children).as("the runner's child JVMs; output: %s", runner.output())
                .containsOnlyKeys("broker", "worker");
        for (Map.Entry<String, ProcessHandle> child : children.entrySet()) {
            String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(child.getValue().pid()),
                    "environ")), StandardCharsets.UTF_8);
            assertThat(environ).as("environment of the %s", child.getKey()).contains("LOG_PATHS=")
                    .doesNotContain(RestCredentials.PASSWORD_VARIABLE).doesNotContain(REST_PASSWORD);
        }
        return runner;
    }

    /**
     * The main class a child JVM runs: the argument after ExitWithRunner, read from /proc, since the JDK's
     * ProcessHandle.Info gives no arguments for a command line as long as the runner's class path.
     */
    private static String mainClass(ProcessHandle p) {
        try {
            List<String> args = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    StandardCharsets.UTF_8).split("\0"));
            int wrapper = args.indexOf(ExitWithRunner.class.getName());
            return wrapper >= 0 && wrapper + 1 < args.size() ? args.get(wrapper + 1) : "";
        } catch (IOException gone) {
            return "";
        }
    }

    /** Polls until every process is gone; returns how long each took. Fails after {@link #CHILDREN_GONE_WITHIN}. */
    private static Map<String, Duration> awaitGone(Map<String, ProcessHandle> processes) throws InterruptedException {
        long start = System.nanoTime();
        Map<String, Duration> gone = new LinkedHashMap<>();
        while (gone.size() < processes.size()) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            processes.forEach((name, p) -> {
                if (!gone.containsKey(name) && !p.isAlive()) {
                    gone.put(name, elapsed);
                }
            });
            assertThat(elapsed).as("still running: %s", processes.keySet().stream()
                    .filter(n -> !gone.containsKey(n)).toList()).isLessThan(CHILDREN_GONE_WITHIN);
            Thread.sleep(20);
        }
        return gone;
    }

    private static void assertPortsFree(Map<String, Integer> ports) {
        ports.forEach((name, port) -> {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                throw new AssertionError(name + " " + port + " is still taken", e);
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
