package io.lokiconnect.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka process (broker or Connect worker) as a child JVM on the runner's own class path, its output in a
 * log file. Separate JVMs, as in production: a worker crash cannot take the broker or the runner with it. The
 * runner is the JVM that starts it: the local runner, a benchmark or a test.
 */
public final class ChildJvm {

    private final String name;
    private final Process process;
    private final Path logFile;

    private ChildJvm(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    static ChildJvm start(String name, String mainClass, List<String> args, String heap,
                          Map<String, String> env, Path logDir) throws IOException {
        return start(name, mainClass, args, heap, List.of(), env, logDir);
    }

    /** As above, with extra JVM options (the benchmarks add a flight recorder, GC logging, JMX). */
    public static ChildJvm start(String name, String mainClass, List<String> args, String heap, List<String> jvmOptions,
                                 Map<String, String> env, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path logFile = logDir.resolve(name + ".log");
        Path log4j = logDir.resolve("log4j2-" + name + ".properties");
        Files.writeString(log4j, String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + logFile.toString().replace("\\", "/"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %X{connector.context}%m (%c{1})%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "logger.reflections.name = org.reflections",
                "logger.reflections.level = ERROR",
                ""));
        List<String> command = new ArrayList<>();
        // Own session: a Ctrl-C on the terminal reaches only the runner, which prints its summary while the broker
        // and worker still answer, then stops them in order (worker first). Should the runner die without
        // stopping them (kill -9), ExitWithRunner stops them.
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.addAll(jvmOptions);
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        command.add("-Dkafka.logs.dir=" + logDir);
        command.add("-cp");
        command.add(kafkaClassPath());
        // Stops the child when the runner is gone, even after a kill -9 of the runner: see ExitWithRunner.
        command.add(ExitWithRunner.class.getName());
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                // The child's stdin is a pipe whose write end only this process holds, open while it lives.
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".out").toFile()));
        // The REST password reaches the worker as a file; in its environment any process reading /proc/<pid>/environ
        // as this user, or a connector config's ${env:...}, could read it.
        builder.environment().remove(RestCredentials.PASSWORD_VARIABLE);
        builder.environment().putAll(env);
        return new ChildJvm(name, builder.start(), logFile);
    }

    /**
     * This JVM's class path less test jars and test libraries (a test or an IT running the harness has them; the
     * runner's own class path has none): what a Kafka distribution's libs/ holds, so the worker lists only real
     * plugins.
     */
    static String kafkaClassPath() {
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String file = Paths.get(entry).getFileName().toString();
            boolean testOnly = file.endsWith("-test.jar") || file.startsWith("junit-") || file.startsWith("assertj-")
                    || file.startsWith("awaitility-") || file.startsWith("opentest4j-") || file.startsWith("apiguardian-");
            if (!testOnly) {
                if (cp.length() > 0) {
                    cp.append(java.io.File.pathSeparator);
                }
                cp.append(entry);
            }
        }
        return cp.toString();
    }

    /** Runs a short-lived tool to its end; fails with its output when it exits non-zero. */
    static void runToCompletion(String name, String mainClass, List<String> args, Path logDir)
            throws IOException, InterruptedException {
        ChildJvm tool = start(name, mainClass, args, "256m", Map.of(), logDir);
        if (!tool.process.waitFor(120, TimeUnit.SECONDS)) {
            tool.process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within 120 s; see " + logDir);
        }
        if (tool.process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed (exit " + tool.process.exitValue() + "): "
                    + Files.readString(logDir.resolve(name + ".out")));
        }
    }

    /** The JVM's process id, for jcmd (setsid execs the JVM in place, so it is the JVM's own). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * When the runner is gone, this JVM waits for {@code other} to end before it stops: the broker outlives the
     * worker, so the worker can commit its offsets and leave its group first.
     */
    void outlive(ChildJvm other) throws IOException {
        OutputStream pipe = process.getOutputStream();
        pipe.write((ExitWithRunner.OUTLIVE + other.pid() + "\n").getBytes(StandardCharsets.UTF_8));
        pipe.flush();
    }

    public Path logFile() {
        return logFile;
    }

    String name() {
        return name;
    }

    /** SIGTERM, so Kafka and Connect run their own shutdown hooks; killed if still alive after the grace period. */
    public void stop(long graceSeconds) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
