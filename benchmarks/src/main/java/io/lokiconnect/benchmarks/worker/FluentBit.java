package io.lokiconnect.benchmarks.worker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Fluent Bit ({@code tail} -> {@code kafka}), the peer a user would pick for many files, run as a child process
 * when a binary is there: {@code FLUENT_BIT} names it, else {@code fluent-bit} on the PATH or in
 * {@code /opt/fluent-bit/bin}. Nothing of Fluent Bit is part of the project; without it the benchmark says so.
 */
final class FluentBit implements AutoCloseable {

    private final Process process;

    private FluentBit(Process process) {
        this.process = process;
    }

    /** The binary to run, or null when there is none. */
    static String binary() {
        String configured = System.getenv("FLUENT_BIT");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return configured;
        }
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/opt/fluent-bit/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "fluent-bit"))) {
                return Path.of(dir, "fluent-bit").toString();
            }
        }
        return null;
    }

    static String absentReason() {
        return "no `fluent-bit` binary on the PATH, in /opt/fluent-bit/bin or in `FLUENT_BIT`. Debian 12, the "
                + "package source of this machine, has no Fluent Bit package (`apt-cache policy fluent-bit`: none), "
                + "and this machine reaches no other download (no release binary, no source to build with cmake). "
                + "Put a `fluent-bit` binary on the PATH (or set `FLUENT_BIT`) and the same command measures it "
                + "beside the others.";
    }

    /** Starts Fluent Bit reading {@code glob} from the start into {@code topic}; its config and log go to {@code dir}. */
    static FluentBit start(String binary, Path dir, String glob, String brokers, String topic) throws IOException {
        Path config = dir.resolve("fluent-bit.conf");
        Files.writeString(config, String.join("\n",
                "[SERVICE]",
                "    Flush        1",
                "    Log_Level    warn",
                "[INPUT]",
                "    Name             tail",
                "    Path             " + glob,
                "    Read_from_Head   On",
                "    Refresh_Interval 1",
                "[OUTPUT]",
                "    Name    kafka",
                "    Match   *",
                "    Brokers " + brokers,
                "    Topics  " + topic,
                ""));
        Process process = new ProcessBuilder(binary, "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("fluent-bit.log").toFile()).start();
        return new FluentBit(process);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
