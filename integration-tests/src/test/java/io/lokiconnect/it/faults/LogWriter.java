package io.lokiconnect.it.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes JSON log lines into {@code files} log files of a directory, round robin, at a steady rate or at full
 * speed, and rotates them while it writes. Every line's message is unique ({@code scn=<scenario> f=<file>
 * n=<seq>}), so what arrives at the receiver can be matched to what was written.
 */
final class LogWriter implements Runnable {

    enum Rotation {
        NONE,
        /** Rename the file to {@code app-<f>.log.<k>} and start a new one, as logrotate's default does. */
        RENAME,
        /** Copy the file to {@code app-<f>.log.<k>}, then truncate it in place, as logrotate's copytruncate does. */
        COPYTRUNCATE
    }

    private static final String PAD = "x".repeat(40);

    private final Path dir;
    private final String scenario;
    private final int files;
    private final int linesPerSecond;
    private final long maxLines;
    private final Duration duration;
    private final Rotation rotation;
    private final Duration rotationEvery;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private volatile boolean stop;
    /** Why the writer stopped early, if it did: a scenario whose writer failed proves nothing. */
    private volatile Throwable failure;

    /**
     * @param linesPerSecond lines per second over all files; 0 for full speed
     * @param maxLines stop after this many lines even if {@code duration} has not passed
     */
    LogWriter(Path dir, String scenario, int files, int linesPerSecond, long maxLines, Duration duration,
              Rotation rotation, Duration rotationEvery) {
        this.dir = dir;
        this.scenario = scenario;
        this.files = files;
        this.linesPerSecond = linesPerSecond;
        this.maxLines = maxLines;
        this.duration = duration;
        this.rotation = rotation;
        this.rotationEvery = rotationEvery;
    }

    static Path file(Path dir, int f) {
        return dir.resolve("app-" + f + ".log");
    }

    long written() {
        return written.get();
    }

    long rotations() {
        return rotations.get();
    }

    void stop() {
        stop = true;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        Writer[] out = new Writer[files];
        long start = System.nanoTime();
        long nextRotation = start + rotationEvery.toNanos();
        try {
            for (int f = 0; f < files; f++) {
                out[f] = open(f);
            }
            long n = 0;
            while (!stop && n < maxLines && System.nanoTime() - start < duration.toNanos()) {
                int f = (int) (n % files);
                out[f].write("{\"timestamp\":\"" + Instant.now() + "\",\"level\":\"info\",\"service\":\"svc-" + f
                        + "\",\"message\":\"scn=" + scenario + " f=" + f + " n=" + n + " " + PAD + "\"}\n");
                n++;
                written.set(n);
                if (n % files == 0) {
                    for (Writer w : out) {
                        w.flush();
                    }
                }
                if (rotation != Rotation.NONE && System.nanoTime() >= nextRotation) {
                    for (int r = 0; r < files; r++) {
                        out[r].flush();
                        out[r] = rotate(r, out[r]);
                    }
                    rotations.incrementAndGet();
                    nextRotation += rotationEvery.toNanos();
                }
                if (linesPerSecond > 0) {
                    long due = start + n * 1_000_000_000L / linesPerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    }
                }
            }
            for (Writer w : out) {
                w.close();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        } catch (InterruptedException e) {
            failure = e;
            Thread.currentThread().interrupt();
        }
    }

    private Writer open(int f) throws IOException {
        return Files.newBufferedWriter(file(dir, f), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private Writer rotate(int f, Writer current) throws IOException {
        Path live = file(dir, f);
        Path rotated = dir.resolve(live.getFileName() + "." + (rotations.get() + 1));
        if (rotation == Rotation.RENAME) {
            current.close();
            Files.move(live, rotated, StandardCopyOption.ATOMIC_MOVE);
            return open(f);
        }
        Files.copy(live, rotated, StandardCopyOption.COPY_ATTRIBUTES);
        try (var channel = java.nio.channels.FileChannel.open(live, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        return current;
    }
}
