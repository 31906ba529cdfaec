package io.lokiconnect.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main class of every child JVM the runner starts ({@code ExitWithRunner <main class> <args>...}): runs the
 * real main ({@code kafka.Kafka}, {@code ConnectDistributed}, ...) and stops this JVM when the runner is gone.
 *
 * <p>The runner holds the write end of this process's standard input and never closes it. When the runner exits,
 * however it exits ({@code kill -9} too), the operating system closes that end and the read here ends. The JVM
 * then exits through its shutdown hooks, as on SIGTERM, so Kafka and Connect stop cleanly. The children sit in
 * their own sessions (so a Ctrl-C reaches only the runner): without this they would outlive a killed runner and
 * hold its ports.
 *
 * <p>The runner may write {@code outlive <pid>} lines: this JVM then waits, up to {@link #OUTLIVE_AT_MOST}, for
 * those processes to end before it exits. The broker outlives the worker, so the worker can still commit its
 * offsets and leave its group, as when the runner stops them in order.
 */
public final class ExitWithRunner {

    static final Duration OUTLIVE_AT_MOST = Duration.ofSeconds(60);
    static final String OUTLIVE = "outlive ";
    private static final Pattern OUTLIVE_LINE = Pattern.compile("outlive ([0-9]{1,19})");

    private ExitWithRunner() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ExitWithRunner <main class> [args...]");
            System.exit(2);
        }
        Thread watchdog = new Thread(() -> {
            List<Long> outlive = readUntilEndOfStream(System.in, System.err);
            System.err.println("[" + Instant.now() + "] the runner is gone (its pipe closed): stopping");
            awaitExit(outlive, OUTLIVE_AT_MOST, System.err);
            // Runs the shutdown hooks of Kafka and Connect, as SIGTERM would.
            System.exit(0);
        }, "exit-with-runner");
        watchdog.setDaemon(true);
        watchdog.start();
        MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName(args[0]), "main",
                MethodType.methodType(void.class, String[].class));
        main.invokeExact(Arrays.copyOfRange(args, 1, args.length));
    }

    /**
     * Reads the runner's lines until the pipe ends; returns the pids asked to outlive. A read error counts as the
     * end: the pipe can no longer tell that the runner lives.
     */
    static List<Long> readUntilEndOfStream(InputStream in, PrintStream log) {
        List<Long> outlive = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Optional<Long> pid = parseOutlive(line);
                if (pid.isPresent()) {
                    outlive.add(pid.get());
                } else {
                    log.println("ignoring a line from the runner that is not '" + OUTLIVE + "<pid>': " + line);
                }
            }
        } catch (IOException e) {
            log.println("reading the runner's pipe failed (" + e + "): taking the runner as gone");
        }
        return outlive;
    }

    /** The pid of an {@code outlive <pid>} line: ASCII digits only, as the runner writes them. */
    static Optional<Long> parseOutlive(String line) {
        Matcher m = OUTLIVE_LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(m.group(1));
            return pid > 0 ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** Waits until every process ends, up to {@code atMost} in all; a process that does not exist has ended. */
    static void awaitExit(List<Long> pids, Duration atMost, PrintStream log) {
        long deadline = System.nanoTime() + atMost.toNanos();
        for (long pid : pids) {
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                process.get().onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.println("process " + pid + " still runs after " + atMost.toSeconds() + " s: stopping anyway");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                log.println("cannot wait for process " + pid + " (" + e.getCause() + "): stopping");
            }
        }
    }
}
