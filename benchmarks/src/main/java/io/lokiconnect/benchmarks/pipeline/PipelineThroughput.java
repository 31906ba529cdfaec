package io.lokiconnect.benchmarks.pipeline;

import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.runner.LocalPipeline;
import io.lokiconnect.runner.RunnerSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * End-to-end throughput of the whole pipeline on one machine: a file of N JSON log lines is tailed by the source
 * (2 tasks), labelled by JsonLabels on the sink, and pushed (2 tasks) to the Loki-protocol receiver, through a
 * real broker and a distributed worker started by the local runner ({@link LocalPipeline}) with the shipped
 * connect-configs. Prints lines/s from the moment the connectors are posted to the moment the receiver holds every
 * line.
 *
 * <pre>benchmarks/pipeline-throughput.sh [lines]</pre>
 */
public final class PipelineThroughput {

    private PipelineThroughput() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("log4j2.configurationFile", "log4j2-runner.xml");
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Path work = Files.createTempDirectory("loki-connect-throughput");
        Path logs = Files.createDirectories(work.resolve("logs"));
        long bytes = writeLines(logs.resolve("app.log"), lines);
        Map<String, String> env = new HashMap<>();
        env.put("LOG_PATHS", logs + "/*.log");
        env.put("RUN_DIR", work.resolve("run").toString());
        env.put("LOCAL_KAFKA_PORT", Integer.toString(freePort()));
        env.put("LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("LOCAL_CONNECT_PORT", Integer.toString(freePort()));
        env.put("LOCAL_LOKI_PORT", Integer.toString(freePort()));
        env.put("PROGRESS_INTERVAL_SECONDS", "3600");
        RunnerSettings settings = RunnerSettings.from(env, PluginDirs.projectRoot());
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (LocalPipeline pipeline = new LocalPipeline(settings, quiet)) {
            System.out.printf("%,d lines (%,d MiB) in %s; starting broker and worker...%n", lines, bytes >> 20, logs);
            pipeline.startWorker();
            long posted = System.nanoTime();
            pipeline.postConnectors();
            long last = 0;
            while (pipeline.loki().acceptedEntries() < lines) {
                Thread.sleep(200);
                long now = System.nanoTime();
                if (now - last > 5_000_000_000L) {
                    last = now;
                    System.out.printf("  %,d records in the topic, %,d entries in Loki after %.1f s%n",
                            pipeline.snapshot().recordsInTopic(), pipeline.loki().acceptedEntries(),
                            (now - posted) / 1e9);
                }
            }
            double seconds = (System.nanoTime() - posted) / 1e9;
            System.out.printf("pipeline: %,d lines from file to Loki in %.1f s: %,.0f lines/s, %.1f MiB/s "
                    + "(source and sink tasks.max=2, protobuf+snappy, one broker, one worker, 2 cores)%n",
                    lines, seconds, lines / seconds, (bytes >> 20) / seconds);
        }
    }

    private static long writeLines(Path file, int lines) throws IOException {
        long base = Instant.now().minusSeconds(600).toEpochMilli();
        String[] levels = {"info", "warn", "error", "debug"};
        String[] services = {"checkout", "payments", "search", "auth", "api"};
        long bytes = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines; i++) {
                String line = "{\"timestamp\":\"" + Instant.ofEpochMilli(base + i / 1000) + "\",\"level\":\""
                        + levels[i % 4] + "\",\"service\":\"" + services[i % 5] + "\",\"message\":\"order " + i
                        + " placed for customer 4711 with 3 items\",\"trace_id\":\"t" + i + "\"}";
                out.write(line);
                out.write('\n');
                bytes += line.length() + 1;
            }
        }
        return bytes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
