package io.lokiconnect.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps writing realistic log lines so the first run shows something: JSON lines from two services
 * (the original pipeline's {@code level}, {@code service}, {@code timestamp}, {@code message}), plain-text
 * lines from a legacy app, a Java stack trace now and then, and a rename rotation every few hundred lines.
 */
final class SampleLogWriter implements Runnable {

    private static final DateTimeFormatter PLAIN_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS").withZone(ZoneOffset.UTC);
    private static final List<String> SERVICES = List.of("checkout", "payments");
    private static final List<String> LEVELS = List.of("info", "info", "info", "info", "debug", "warn", "error");
    private static final List<String> MESSAGES = List.of(
            "order placed", "payment authorised", "cart updated", "inventory reserved",
            "slow response from \\\"inventory\\\" service", "retrying request", "request failed: upstream timeout");
    private static final int LINES_PER_FILE_BEFORE_ROTATION = 400;

    private final Path appDir;
    private final Path systemDir;
    private final Random random = new Random();
    private final AtomicLong linesWritten = new AtomicLong();
    private volatile boolean running = true;

    SampleLogWriter(Path root) {
        this.appDir = root.resolve("app");
        this.systemDir = root.resolve("system");
    }

    /** The LOG_PATHS value that covers what this writer writes, in the original's two-directory shape. */
    String globs() {
        return appDir.resolve("*.log") + "," + systemDir.resolve("*.log");
    }

    long linesWritten() {
        return linesWritten.get();
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(appDir);
            Files.createDirectories(systemDir);
            long n = 0;
            while (running) {
                writeOne(n++);
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException("sample log writer stopped", e);
        }
    }

    private void writeOne(long n) throws IOException {
        Instant now = Instant.now();
        if (n % 5 == 4) {
            String level = random.nextInt(10) == 0 ? "WARN" : "INFO";
            append(systemDir.resolve("legacy-app.log"), PLAIN_TIME.format(now) + " " + level
                    + " [main] com.example.legacy.Scheduler - job " + n + " finished in " + random.nextInt(900) + " ms\n");
        } else if (n % 97 == 50) {
            append(systemDir.resolve("legacy-app.log"), PLAIN_TIME.format(now) + " ERROR [worker-3] com.example.legacy.Importer - import failed\n"
                    + "java.lang.IllegalStateException: file is locked\n"
                    + "\tat com.example.legacy.Importer.open(Importer.java:42)\n"
                    + "\tat com.example.legacy.Importer.run(Importer.java:17)\n");
        } else {
            String service = SERVICES.get((int) (n % SERVICES.size()));
            String level = LEVELS.get(random.nextInt(LEVELS.size()));
            String message = MESSAGES.get(random.nextInt(MESSAGES.size()));
            Path file = appDir.resolve(service + ".log");
            append(file, "{\"timestamp\":\"" + now + "\",\"level\":\"" + level + "\",\"service\":\"" + service
                    + "\",\"message\":\"" + message + "\",\"trace_id\":\"" + Long.toHexString(random.nextLong())
                    + "\",\"duration_ms\":" + random.nextInt(500) + "}\n");
            rotateIfDue(file);
        }
        linesWritten.incrementAndGet();
    }

    /** Rename rotation, as logrotate without copytruncate does: the tailer must finish the old file. */
    private void rotateIfDue(Path file) throws IOException {
        long lines;
        try (var stream = Files.lines(file, StandardCharsets.UTF_8)) {
            lines = stream.count();
        }
        if (lines >= LINES_PER_FILE_BEFORE_ROTATION) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
