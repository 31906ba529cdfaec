package io.lokiconnect.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a broker or worker main in {@link ExitWithRunnerTest}: runs until its JVM is stopped, and writes
 * {@code stopped} to the file given as its argument from a shutdown hook, as Kafka and Connect stop in theirs.
 */
public final class SleepUntilStopped {

    private SleepUntilStopped() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path marker = Path.of(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(marker, "stopped");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        System.out.println("started");
        System.out.flush();
        Thread.currentThread().join();
    }
}
