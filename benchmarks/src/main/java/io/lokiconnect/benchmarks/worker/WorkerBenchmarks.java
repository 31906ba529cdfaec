package io.lokiconnect.benchmarks.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.receiver.LokiRateLimiter;
import io.lokiconnect.receiver.LokiReceiver;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The performance figures of the plugins inside a real Connect worker, written to {@code BENCHMARKS.md}:
 * FileLogSourceConnector against Kafka's FileStreamSourceConnector in the same worker on the same file (worker
 * default producer, and tuned), a raw KafkaProducer as the upper bound, many files with 1 and 2 tasks; the sink
 * against a raw KafkaConsumer; the whole pipeline with {@code connect-configs/} as shipped (throughput, latency at
 * fixed offered rates, the worker's peak heap at -Xmx512m); flight recordings of the worker broken down by frame
 * family; and the JMH benchmarks with -prof gc. Every figure is min / median / max of the runs, the runs of compared
 * figures interleaved so that a load spike hits both.
 *
 * <pre>benchmarks/run.sh [--smoke] [--runs N] [--only source,sink,e2e,jmh,many-files] [--out FILE]</pre>
 */
public final class WorkerBenchmarks {

    /** Hand-written analysis below this line in the report is kept when the figures are written again. */
    static final String END_MARKER = "<!-- end of generated figures: hand-written analysis below is kept -->";

    private static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";
    /**
     * The source connectors compared: Kafka's; ours on its defaults; ours with the three file headers on (the
     * default before issue 12's phase 3), the same-run "before" of the header-less default.
     */
    private static final List<String> SOURCES = List.of("FileStream", "FileLog", "FileLog+3headers");
    /** FileLog's record shape before phase 3: {@code headers} and {@code record.key} as they were. */
    private static final Map<String, String> THREE_HEADERS = Map.of("headers", "path,offset,host",
            "record.key", "path.hash");

    private static final Map<String, String> TUNED = Map.of("linger.ms", "20", "batch.size", "524288",
            "compression.type", "lz4");

    /**
     * Sizes of one mode: the full run (about 15 minutes on 2 cores) or the smoke run CI does (every scenario once,
     * tiny, without the variants that only change a config key). Throughput is
     * measured over a window after the first record (or to the end of the input when that comes first), so a
     * slow configuration costs no more time than a fast one.
     */
    record Sizes(boolean smoke, int runs, long sourceLines, Duration window, int manyFiles, long manyFileBytes,
                 long e2eLines, int[] offeredRates, Duration offeredFor, Duration offeredWarmup, Duration settle,
                 Duration drain, List<String> jmh) {

        static Sizes fullRun(int runs) {
            return new Sizes(false, runs, 1_000_000, Duration.ofSeconds(10), 100, 10L << 20, 1_000_000,
                    new int[] {10_000, 50_000}, Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(5),
                    Duration.ofSeconds(20), List.of("-f", "1", "-wi", "2", "-w", "2s", "-i", "3", "-r", "3s"));
        }

        static Sizes smokeRun() {
            return new Sizes(true, 1, 10_000, Duration.ofSeconds(2), 2, 128 << 10, 10_000,
                    new int[] {10_000}, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1),
                    Duration.ofSeconds(30), List.of("-f", "1", "-wi", "0", "-i", "1", "-r", "500ms"));
        }
    }

    private final Sizes sizes;
    private final Path root;
    private final Path work;
    private final List<String> only;
    private final StringBuilder report = new StringBuilder();
    private final StringBuilder profiles = new StringBuilder();
    private BenchCluster cluster;
    /** The many-files section, kept apart: {@code --only many-files} rewrites it alone. */
    private String manyFiles;
    private int runSeq;
    private Path out;
    private String command;
    private final long started = System.nanoTime();
    private final String loadBefore = loadAverage();

    private WorkerBenchmarks(Sizes sizes, Path root, Path work, List<String> only) {
        this.sizes = sizes;
        this.root = root;
        this.work = work;
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("log4j2.configurationFile", "log4j2-runner.xml");
        boolean smoke = false;
        int runs = 3;
        List<String> only = List.of("source", "sink", "e2e", "jmh", "many-files");
        Path root = PluginDirs.projectRoot();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--smoke] [--runs N] [--only source,sink,e2e,jmh,many-files] [--out FILE]");
            }
        }
        if (out == null) {
            out = smoke ? root.resolve("benchmarks/target/BENCHMARKS-smoke.md") : root.resolve("BENCHMARKS.md");
        }
        Sizes sizes = smoke ? Sizes.smokeRun() : Sizes.fullRun(runs);
        Path work = Files.createDirectories(root.resolve("benchmarks/target/worker-bench"));
        deleteRecursively(work);
        Files.createDirectories(work);
        WorkerBenchmarks bench = new WorkerBenchmarks(sizes, root, work, only);
        bench.out = out;
        bench.command = System.getProperty("bench.command", "benchmarks/run.sh " + String.join(" ", args));
        Throwable failure = null;
        try {
            bench.runAll();
        } catch (Throwable t) {
            failure = t;
            bench.report.append("\n**The run failed:** `").append(t).append("`\n");
        }
        bench.checkpoint(true);
        System.out.println("wrote " + out);
        if (failure != null) {
            failure.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void runAll() throws Exception {
        cluster = new BenchCluster(root, work);
        try {
            log("starting a broker and a Connect worker (-Xmx512m) ...");
            cluster.start("512m");
            if (only.contains("source")) {
                sourceSingleFile();
                checkpoint(false);
                sourceManyFiles();
                checkpoint(false);
            }
            if (only.contains("sink")) {
                sink();
                checkpoint(false);
            }
            if (only.contains("e2e")) {
                endToEnd();
                checkpoint(false);
            }
            if (only.contains("many-files")) {
                manyFiles = new ManyFilesBenchmark(cluster, root, work, sizes.runs(), sizes.smoke()).run(command);
                checkpoint(false);
            }
        } finally {
            cluster.close();
        }
        if (only.contains("jmh")) {
            jmh();
        }
    }

    /** Writes what is measured so far, so a run stopped half-way still leaves its figures. */
    private void checkpoint(boolean done) throws IOException {
        if (only.equals(List.of("many-files"))) {
            // Its own section only: the other figures of the report stay as they were.
            if (manyFiles != null) {
                String old = Files.exists(out) ? Files.readString(out) : "# Benchmarks\n\n" + END_MARKER + "\n";
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, ManyFilesBenchmark.replaceSection(old, manyFiles, END_MARKER));
            }
            return;
        }
        String header = header(command, loadBefore, loadAverage(), Duration.ofNanos(System.nanoTime() - started));
        writeReport(out, header + (done ? "" : "\n**Run in progress: later sections are still missing.**\n")
                + report + (profiles.isEmpty() ? "" : "\n## Where the worker's CPU goes (JFR execution samples of "
                + "the last run of each scenario)\n\n" + profiles));
        if (manyFiles != null) {
            Files.writeString(out, ManyFilesBenchmark.replaceSection(Files.readString(out), manyFiles, END_MARKER));
        }
    }

    // ---------------------------------------------------------------------------------------------------- source

    /** The last tuned run's topics, FileLog's records of each shape: the sink's input. */
    private final Map<RawClients.Shape, String> keptTopics = new java.util.EnumMap<>(RawClients.Shape.class);

    private void sourceSingleFile() throws Exception {
        Path dir = Files.createDirectories(work.resolve("source-one"));
        Path file = dir.resolve("app.log");
        long bytes = LogLines.writeFile(file, 0, sizes.sourceLines());
        long n = sizes.sourceLines();
        log(String.format("source: %,d lines, %,d bytes (%.0f bytes a line)", n, bytes, (double) bytes / n));
        Map<String, List<Double>> rate = new LinkedHashMap<>();
        Map<String, List<Double>> metric = new LinkedHashMap<>();
        for (int r = 1; r <= sizes.runs(); r++) {
            boolean profile = r == sizes.runs();
            for (boolean tuned : new boolean[] {false, true}) {
                String mode = tuned ? "tuned" : "default";
                Map<String, String> overrides = new LinkedHashMap<>();
                if (tuned) {
                    TUNED.forEach((k, v) -> overrides.put("producer.override." + k, v));
                }
                overrides.put("tasks.max", "1");
                overrides.put("key.converter", STRING_CONVERTER);
                overrides.put("value.converter", STRING_CONVERTER);
                Map<String, String> fileStream = new LinkedHashMap<>(overrides);
                fileStream.put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector");
                fileStream.put("file", file.toString());
                Map<String, String> fileLog = new LinkedHashMap<>(overrides);
                fileLog.put("connector.class", "io.lokiconnect.source.FileLogSourceConnector");
                fileLog.put("paths", file.toString());
                fileLog.put("start.position", "beginning");
                Map<String, String> fileLogThreeHeaders = new LinkedHashMap<>(fileLog);
                fileLogThreeHeaders.putAll(THREE_HEADERS);
                // The order rotates run by run: a connector run right after another one's deletion measured lower
                // (phase 2 found FileLog, always second, behind the third variant in every round).
                List<String> order = new ArrayList<>(sizes.smoke() ? SOURCES.subList(0, 2) : SOURCES);
                Collections.rotate(order, -(r - 1 + Integer.getInteger("bench.rotate", 0)));
                for (String connector : order) {
                    Map<String, String> config = connector.equals("FileStream") ? fileStream
                            : connector.equals("FileLog") ? fileLog : fileLogThreeHeaders;
                    boolean keep = !connector.equals("FileStream") && tuned && r == sizes.runs();
                    SourceResult res = sourceRun(connector.toLowerCase(Locale.ROOT).replace("+", "-") + "-" + mode, config, 1, n,
                            sizes.window(), profile ? connector + ", " + mode + " producer" : null, keep);
                    rate.computeIfAbsent(connector + " " + mode, k -> new ArrayList<>()).add(res.rate());
                    res.metrics().forEach((k, v) -> metric.computeIfAbsent(connector + " " + mode + " " + k,
                            x -> new ArrayList<>()).add(v));
                }
                for (boolean keyed : new boolean[] {false, true}) {
                    String topic = "raw-" + (++runSeq);
                    cluster.createTopic(topic, 1);
                    Map<String, String> producer = tuned ? TUNED : Map.of();
                    double lps = RawClients.produce(cluster.bootstrapServers(), file, topic, producer,
                            keyed ? RawClients.Shape.KEY : RawClients.Shape.PLAIN, sizes.window());
                    log(String.format("  raw producer %s%s: %,.0f lines/s", mode, keyed ? " +key" : "", lps));
                    rate.computeIfAbsent("raw " + mode + (keyed ? " keyed" : ""), k -> new ArrayList<>())
                            .add(measured("raw producer", lps));
                    cluster.deleteTopic(topic);
                }
            }
        }
        report.append(String.format(Locale.ROOT, "%n## Source: one file, %,d JSON lines of about %.0f bytes, "
                + "tasks.max=1%n%n", n, (double) bytes / n));
        report.append("Both connectors in the same worker on the same file, StringConverter for key and value, the "
                + "worker's `SimpleHeaderConverter`, a 1-partition topic, one after the other, their order rotated "
                + "run by run. Lines/s over the first " + sizes.window().toSeconds() + " s after the first record reached "
                + "the topic, or to the end of the file (topic end offsets polled every 100 ms). *tuned* = `producer.override.linger.ms=20`, `batch.size=524288`, `compression.type=lz4` "
                + "on both (the overrides `connect-configs/file-log-source.json` ships). The raw producer sends the "
                + "same lines from one thread for as long, reading the file, with the worker's producer settings (`acks=all`, "
                + "`max.in.flight.requests.per.connection=1`, `linger.ms=0`) plus the same tuning; *+key* "
                + "adds FileLog's default key (8 hex digits of the path's hash), its default record shape. "
                + "*FileLog+3headers* is FileLog with the three file headers on (`headers=path,offset,host`, the "
                + "default before issue 12's phase 3): the same run's *before* of the header-less default. "
                + "Ratios are per run, then min / median / max.\n\n");
        report.append("| worker producer | FileStreamSourceConnector | FileLogSourceConnector | FileLog / FileStream "
                + "| FileLog+3headers | FileLog+3headers / FileStream | FileLog / FileLog+3headers "
                + "| raw KafkaProducer | raw +key | FileLog / raw |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (String mode : List.of("default", "tuned")) {
            Figure fs = Figure.of(rate.get("FileStream " + mode));
            Figure fl = Figure.of(rate.get("FileLog " + mode));
            Figure fsh = Figure.of(rate.get("FileLog+3headers " + mode));
            Figure raw = Figure.of(rate.get("raw " + mode));
            report.append("| ").append(mode).append(" | ").append(fs.lines()).append(" | ").append(fl.lines())
                    .append(" | ").append(Figure.ratio(fl, fs).times()).append(" | ").append(fsh.lines())
                    .append(" | ").append(Figure.ratio(fsh, fs).times()).append(" | ")
                    .append(Figure.ratio(fl, fsh).times()).append(" | ").append(raw.lines())
                    .append(" | ").append(Figure.of(rate.get("raw " + mode + " keyed")).lines()).append(" | ")
                    .append(Figure.ratio(fl, raw).times()).append(" |\n");
        }
        report.append("\n(lines/s, min / **median** / max)\n");
        Figure shipped = Figure.of(rate.get("FileLog tuned"));
        Figure plain = Figure.of(rate.get("FileStream default"));
        report.append("\nAs a user runs them on a worker left at its defaults: FileLog posted from "
                + "`connect-configs/file-log-source.json` (its producer overrides are the *tuned* row) against "
                + "FileStream posted with the keys its documentation gives (the *default* row), per run: ")
                .append(Figure.ratio(shipped, plain).times()).append(" (FileLog ").append(shipped.lines())
                .append(" lines/s, FileStream ").append(plain.lines()).append(").\n");
        report.append("\nThe worker's producer, from its JMX metrics at the end of each run (median of the runs):\n\n"
                + "| connector, producer | record-size-avg B | batch-size-avg B | records-per-request-avg "
                + "| request-latency-avg ms | compression-rate-avg | bytes per record on the broker |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (String mode : List.of("default", "tuned")) {
            for (String connector : SOURCES) {
                String p = connector + " " + mode + " ";
                report.append("| ").append(connector).append(", ").append(mode);
                for (String m : List.of("record-size-avg", "batch-size-avg", "records-per-request-avg",
                        "request-latency-avg", "compression-rate-avg", "broker-bytes-per-record")) {
                    List<Double> v = metric.get(p + m);
                    report.append(" | ").append(v == null ? "n/a" : String.format(Locale.ROOT,
                            m.contains("rate") || m.contains("latency") ? "%.2f" : "%,.0f", Figure.of(v).median()));
                }
                report.append(" |\n");
            }
        }
    }

    private void sourceManyFiles() throws Exception {
        Path dir = Files.createDirectories(work.resolve("source-many"));
        long linesPerFile = 0;
        long total = 0;
        for (int f = 0; f < sizes.manyFiles(); f++) {
            long lines = sizes.manyFileBytes() / 203;
            LogLines.writeFile(dir.resolve(String.format("app-%03d.log", f)), (long) f * lines, lines);
            linesPerFile = lines;
            total += lines;
        }
        log(String.format("source: %d files × %,d lines", sizes.manyFiles(), linesPerFile));
        Map<Integer, List<Double>> rate = new LinkedHashMap<>();
        for (int r = 1; r <= sizes.runs(); r++) {
            for (int tasks : new int[] {1, 2}) {
                Map<String, String> config = cluster.shipped("file-log-source.json",
                        Map.of("KAFKA_TOPIC", "unused", "LOG_PATHS", dir + "/*.log", "LOG_ALLOWED_ROOTS",
                                dir.toString()), Map.of("tasks.max",
                                Integer.toString(tasks)));
                SourceResult res = sourceRun("many-" + tasks + "tasks", config, 4, total, sizes.window(),
                        r == sizes.runs() && tasks == 2 ? "FileLogSourceConnector, " + sizes.manyFiles()
                                + " files, 2 tasks, shipped producer overrides" : null, false);
                rate.computeIfAbsent(tasks, k -> new ArrayList<>()).add(res.rate());
            }
        }
        report.append(String.format(Locale.ROOT, "%n## Source: %d files × %,d bytes (%,d lines each)%n%n",
                sizes.manyFiles(), sizes.manyFileBytes(), linesPerFile));
        report.append(String.format(Locale.ROOT, "`connect-configs/file-log-source.json` as shipped (its producer "
                + "overrides) with `tasks.max` 1 and 2, a 4-partition topic; lines/s over the first %d s after the "
                + "first record (the whole set would take minutes).%n%n", sizes.window().toSeconds()));
        report.append("| tasks.max | lines/s | 2 tasks / 1 task |\n|---|---|---|\n");
        Figure one = Figure.of(rate.get(1));
        Figure two = Figure.of(rate.get(2));
        report.append("| 1 | ").append(one.lines()).append(" | |\n");
        report.append("| 2 | ").append(two.lines()).append(" | ").append(Figure.ratio(two, one).times()).append(" |\n");
    }

    record SourceResult(double rate, Map<String, Double> metrics) {
    }

    /**
     * Runs a source connector into a fresh topic until {@code expected} records are in it (or, with a window,
     * until the window after the first record has passed), then deletes the connector.
     */
    private SourceResult sourceRun(String label, Map<String, String> config, int partitions, long expected,
                                   Duration window, String profileTitle, boolean keepTopic) throws Exception {
        String name = "src-" + label + "-" + (++runSeq);
        String topic = name;
        cluster.createTopic(topic, partitions);
        Map<String, String> withTopic = new LinkedHashMap<>(config);
        withTopic.put("topic", topic);
        if (profileTitle != null) {
            cluster.startRecording(name);
        }
        long posted = System.nanoTime();
        cluster.putConnector(name, withTopic);
        long first = 0;
        long firstCount = 0;
        long count;
        long end;
        long timeout = posted + Duration.ofMinutes(sizes.smoke() ? 1 : 5).toNanos();
        while (true) {
            count = cluster.recordsIn(topic);
            end = System.nanoTime();
            if (first == 0 && count > 0) {
                first = end;
                firstCount = count;
            }
            if (count >= expected || (window != null && first > 0 && end - first >= window.toNanos())) {
                break;
            }
            if (end > timeout) {
                throw new IllegalStateException(name + ": " + count + " of " + expected + " records after "
                        + (end - posted) / 1_000_000_000L + " s; failed tasks: " + cluster.failedTasks(name));
            }
            Thread.sleep(100);
        }
        // A tiny input (smoke runs) may arrive in one poll: then the rate is over the time since posting.
        double rate = end - first < 200_000_000L ? count / ((end - posted) / 1e9)
                : (count - firstCount) / ((end - first) / 1e9);
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String m : List.of("record-size-avg", "batch-size-avg", "records-per-request-avg", "request-latency-avg",
                "compression-rate-avg")) {
            metrics.put(m, cluster.producerMetric(name, m));
        }
        if (profileTitle != null) {
            Path jfr = work.resolve("jfr").resolve(name + ".jfr");
            cluster.stopRecording(name, jfr);
            profile(profileTitle, jfr, count);
        }
        List<String> failed = cluster.failedTasks(name);
        cluster.deleteConnector(name);
        if (!failed.isEmpty()) {
            throw new IllegalStateException("failed tasks: " + failed);
        }
        metrics.put("broker-bytes-per-record", (double) cluster.bytesOnBroker(topic) / cluster.recordsIn(topic));
        if (keepTopic) {
            keptTopics.put(config.containsKey("headers") ? RawClients.Shape.KEY_AND_HEADERS : RawClients.Shape.KEY,
                    topic);
        } else {
            cluster.deleteTopic(topic);
        }
        log(String.format("  %s: %,d records, %,.0f lines/s", name, count, rate));
        return new SourceResult(measured(name, rate), metrics);
    }

    // ------------------------------------------------------------------------------------------------------ sink

    /**
     * One sink run's input and config: FileLog's default records, records with the three file headers, and the same
     * with the {@code filename} switch on ({@code labels.from.record=filename,host}, issue 19): what Alloy's
     * {@code filename} label costs the sink beyond the headers the source must write for it.
     */
    private enum SinkVariant {
        DEFAULT("sink-", RawClients.Shape.KEY, Map.of()),
        HEADERS("sink-headers-", RawClients.Shape.KEY_AND_HEADERS, Map.of()),
        FILENAME("sink-filename-", RawClients.Shape.KEY_AND_HEADERS, Map.of("labels.from.record", "filename,host"));

        final String prefix;
        final RawClients.Shape shape;
        final Map<String, String> overrides;

        SinkVariant(String prefix, RawClients.Shape shape, Map<String, String> overrides) {
            this.prefix = prefix;
            this.shape = shape;
            this.overrides = overrides;
        }
    }

    private void sink() throws Exception {
        Duration window = sizes.window().multipliedBy(3).dividedBy(2);
        // The smoke run checks the filename variant works too (its input is one more tiny topic).
        List<SinkVariant> variants = List.of(SinkVariant.values());
        Map<RawClients.Shape, String> topics = new java.util.EnumMap<>(RawClients.Shape.class);
        for (RawClients.Shape shape : List.of(RawClients.Shape.KEY, RawClients.Shape.KEY_AND_HEADERS)) {
            String topic = keptTopics.get(shape);
            if (topic == null) {
                Path file = Files.createDirectories(work.resolve("sink")).resolve("app.log");
                if (!Files.exists(file)) {
                    LogLines.writeFile(file, 0, sizes.sourceLines());
                }
                topic = "sink-input-" + shape.name().toLowerCase(Locale.ROOT);
                cluster.createTopic(topic, 1);
                RawClients.produce(cluster.bootstrapServers(), file, topic, TUNED, shape, Duration.ofMinutes(5));
            }
            topics.put(shape, topic);
            log(String.format("sink: %,d records in %s", cluster.recordsIn(topic), topic));
        }
        Map<SinkVariant, List<Double>> sink = new java.util.EnumMap<>(SinkVariant.class);
        List<String> fetchLines = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        long n = cluster.recordsIn(topics.get(RawClients.Shape.KEY));
        for (int r = 1; r <= sizes.runs(); r++) {
            for (SinkVariant variant : variants) {
                String topic = topics.get(variant.shape);
                long expected = cluster.recordsIn(topic);
                String name = variant.prefix + (++runSeq);
                boolean profile = r == sizes.runs();
                try (LokiReceiver receiver = receiver(Optional.empty())) {
                    Map<String, String> config = cluster.shipped("loki-sink.json", Map.of("KAFKA_TOPIC", topic,
                            "KAFKA_CONSUMER_GROUP", name, "LOKI_ENDPOINT", receiver.pushUrl()), variant.overrides);
                    if (profile) {
                        cluster.startRecording(name);
                    }
                    cluster.putConnector(name, config);
                    Arrival arrival = awaitEntries(name, receiver::acceptedEntries, expected, window);
                    double rate = arrival.rateFromFirst();
                    if (variant == SinkVariant.FILENAME
                            && receiver.entries().stream().noneMatch(e -> e.labels().containsKey("filename"))) {
                        throw new IllegalStateException(name + ": no entry carries the filename label");
                    }
                    if (profile) {
                        Path jfr = work.resolve("jfr").resolve(name + ".jfr");
                        cluster.stopRecording(name, jfr);
                        profile("LokiSinkConnector (loki-sink.json as shipped: JsonLabels, protobuf + snappy"
                                + (variant.overrides.isEmpty() ? "" : ", " + variant.overrides) + ") on "
                                + (variant.shape == RawClients.Shape.KEY_AND_HEADERS
                                ? "records with the three file headers" : "FileLog's default records")
                                + " into the receiver", jfr, arrival.count());
                    }
                    StringBuilder fetch = new StringBuilder();
                    for (int task = 0; task < 2; task++) {
                        double requests = cluster.consumerMetric(name, task, "fetch-total");
                        if (requests > 0) {
                            fetch.append(String.format(Locale.ROOT, "; task %d consumer: %.0f fetches, fetch-latency-avg "
                                    + "%.1f ms, fetch-size-avg %,.0f B, records-per-request-avg %,.0f", task, requests,
                                    cluster.consumerMetric(name, task, "fetch-latency-avg"),
                                    cluster.consumerMetric(name, task, "fetch-size-avg"),
                                    cluster.consumerMetric(name, task, "records-per-request-avg")));
                        }
                    }
                    cluster.deleteConnector(name);
                    sink.computeIfAbsent(variant, k -> new ArrayList<>()).add(measured(name, rate));
                    log(String.format("  %s: %,.0f lines/s (%d duplicates dropped, %d visible)%s", name, rate,
                            receiver.duplicatesDiscarded(), receiver.visibleDuplicates(), fetch));
                    fetchLines.add("| " + name + " | " + String.format(Locale.ROOT, "%,.0f", rate) + " | "
                            + (fetch.length() == 0 ? "n/a" : fetch.substring(2)) + " |");
                }
            }
            double consumed = RawClients.consume(cluster.bootstrapServers(), topics.get(RawClients.Shape.KEY), n,
                    2000, Duration.ofMinutes(5));
            raw.add(measured("raw consumer", consumed));
            log(String.format("  raw consumer: %,.0f records/s", consumed));
        }
        Figure s = Figure.of(sink.get(SinkVariant.DEFAULT));
        Figure c = Figure.of(raw);
        report.append(String.format(Locale.ROOT, "%n## Sink: %,d records of FileLog's in a 1-partition topic%n%n", n));
        report.append("`connect-configs/loki-sink.json` as shipped (JsonLabels for level/service/timestamp/message, "
                + "protobuf + snappy, `header.converter=StringConverter`, `consumer.override.max.poll.records=2000`, "
                + "DLQ) into the Loki-protocol receiver (loki-receiver), which decodes and checks every push and holds "
                + "every entry (in the harness JVM, on the same 2 cores). Its input: the last tuned source run's "
                + "topics, FileLog's default records (key and line) and records with the three file headers "
                + "(`headers=path,offset,host`). Lines/s over the first " + window.toSeconds() + " s after the first "
                + "entry was accepted (or to the last entry). The raw consumer reads the default records' topic "
                + "from the beginning in one thread (byte arrays, same max.poll.records) and discards them. "
                + "*filename* is the records with headers and the sink's `labels.from.record=filename,host` (issue "
                + "19: Alloy's `filename` label, which needs the source's `headers=path,host`): its cost in the sink "
                + "is *filename* against *with the three headers*; the headers' cost in the source is FileLog "
                + "against FileLog+3headers above.\n\n");
        report.append("| LokiSinkConnector, default records | the same, records with the three headers "
                + "| the same with `labels.from.record=filename,host` | raw KafkaConsumer records/s "
                + "| default records / raw | with headers / raw | filename / with headers |\n"
                + "|---|---|---|---|---|---|---|\n");
        Figure h = Figure.of(sink.get(SinkVariant.HEADERS));
        Figure f = Figure.of(sink.get(SinkVariant.FILENAME));
        report.append("| ").append(s.lines()).append(" | ").append(h.lines()).append(" | ").append(f.lines())
                .append(" | ").append(c.lines()).append(" | ").append(Figure.ratio(s, c).times()).append(" | ")
                .append(Figure.ratio(h, c).times()).append(" | ").append(Figure.ratio(f, h).times()).append(" |\n");
        report.append("\nThe sink's consumer, from its JMX metrics at the end of each run (a task with no "
                + "partition fetched nothing):\n\n| run | lines/s | consumer fetches |\n|---|---:|---|\n");
        fetchLines.forEach(l -> report.append(l).append('\n'));
    }

    /** When the first entry arrived and when the expected count was reached (System.nanoTime). */
    record Arrival(long start, long first, long firstCount, long last, long count) {

        /** Lines/s after the first entry; over the whole wait when the input arrived at once (tiny inputs). */
        double rateFromFirst() {
            return last - first < 200_000_000L ? count / ((last - start) / 1e9)
                    : (count - firstCount) / ((last - first) / 1e9);
        }
    }

    /**
     * Waits until {@code entries} reaches {@code expected} or, with a window, until the window after the first
     * entry has passed; checks the connector's tasks every 2 s.
     */
    private Arrival awaitEntries(String connector, LongSupplier entries, long expected, Duration window)
            throws Exception {
        long start = System.nanoTime();
        long first = 0;
        long firstCount = 0;
        long lastCheck = start;
        while (true) {
            long count = entries.getAsLong();
            long now = System.nanoTime();
            if (first == 0 && count > 0) {
                first = now;
                firstCount = count;
            }
            if (count >= expected || (window != null && first > 0 && now - first >= window.toNanos())) {
                return new Arrival(start, first, firstCount, now, count);
            }
            if (now - lastCheck > 2_000_000_000L) {
                lastCheck = now;
                List<String> failed = cluster.failedTasks(connector);
                if (!failed.isEmpty()) {
                    throw new IllegalStateException(failed.toString());
                }
            }
            if (now - start > Duration.ofMinutes(sizes.smoke() ? 1 : 5).toNanos()) {
                throw new IllegalStateException(connector + ": " + count + " of " + expected + " entries after "
                        + (now - start) / 1_000_000_000L + " s");
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------------------------------------- end to end

    private void endToEnd() throws Exception {
        AtomicLong peakHeap = new AtomicLong();
        AtomicLong peakOld = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peakHeap.accumulateAndGet(cluster.workerHeapUsed(), Math::max);
                    peakOld.accumulateAndGet(cluster.workerOldGenUsed(), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    // the worker is gone: the run that needs it fails and says so
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        List<Double> throughput = new ArrayList<>();
        List<Double> steady = new ArrayList<>();
        List<Double> heaps = new ArrayList<>();
        List<Double> olds = new ArrayList<>();
        Map<Integer, List<Double>> p50 = new LinkedHashMap<>();
        Map<Integer, List<Double>> p99 = new LinkedHashMap<>();
        Map<Integer, List<Double>> achieved = new LinkedHashMap<>();
        Map<Integer, List<Double>> arrived = new LinkedHashMap<>();
        long n = sizes.e2eLines();
        Path input = Files.createDirectories(work.resolve("e2e-input"));
        LogLines.writeFile(input.resolve("app.log"), 0, n);
        try {
            if (!sizes.smoke()) {
                // A first run pays for the JIT and the broker's first segments: its figure is not counted.
                e2eThroughput(input, n, false, "warm-up, not counted");
            }
            for (int r = 1; r <= sizes.runs(); r++) {
                peakHeap.set(0);
                peakOld.set(0);
                // The smoke run profiles its only run; a full run records the worker in a run of its own below,
                // since the flight recorder's cost is not the pipeline's.
                double[] rates = e2eThroughput(input, n, sizes.smoke(), "");
                throughput.add(rates[0]);
                steady.add(measured("end to end", rates[1]));
                for (int offered : sizes.offeredRates()) {
                    double[] lat = e2eLatency(offered);
                    p50.computeIfAbsent(offered, k -> new ArrayList<>()).add(lat[0]);
                    p99.computeIfAbsent(offered, k -> new ArrayList<>()).add(lat[1]);
                    achieved.computeIfAbsent(offered, k -> new ArrayList<>()).add(measured("lines written", lat[2]));
                    arrived.computeIfAbsent(offered, k -> new ArrayList<>()).add(lat[3]);
                }
                heaps.add(peakHeap.get() / 1048576.0);
                olds.add(peakOld.get() / 1048576.0);
            }
            if (!sizes.smoke()) {
                e2eThroughput(input, n, true, "flight recording, not counted");
            }
        } finally {
            sampler.interrupt();
        }
        boolean oom = cluster.workerSawOutOfMemory();
        report.append(String.format(Locale.ROOT, "%n## End to end: `connect-configs/` as shipped%n%n"));
        report.append("File → FileLogSourceConnector (tasks.max=2, the shipped producer overrides) → a 3-partition "
                + "topic → LokiSinkConnector with JsonLabels (tasks.max=2) → the receiver; one broker, one worker "
                + "(-Xmx512m), the receiver and the harness on the same 2 cores. A warm-up run before the counted "
                + "runs and the flight-recorded run after them are not counted.\n\n");
        report.append(String.format(Locale.ROOT, "| figure | min / median / max |\n|---|---|\n"
                        + "| sustained throughput: entries arriving over the first %d s after the first entry, one file "
                        + "of %,d lines written beforehand | %s lines/s |\n"
                        + "| time from posting the connectors to the first entry | %s s |\n",
                sizes.window().toSeconds(), n, Figure.of(steady).lines(), Figure.of(throughput).format("%.1f")));
        for (int offered : sizes.offeredRates()) {
            report.append(String.format(Locale.ROOT, "| latency write → receiver at %,d lines/s offered for %d s "
                            + "(lines after the first %.1f s): p50 | %s ms |%n| the same: p99 | %s ms |%n"
                            + "| the same: lines/s written | %s |%n"
                            + "| the same: %% of the lines in the receiver %d s after the last write | %s |%n",
                    offered, sizes.offeredFor().toSeconds(), sizes.offeredWarmup().toMillis() / 1000.0,
                    Figure.of(p50.get(offered)).format("%,.0f"), Figure.of(p99.get(offered)).format("%,.0f"),
                    Figure.of(achieved.get(offered)).lines(), sizes.drain().toSeconds(),
                    Figure.of(arrived.get(offered)).format("%.1f")));
        }
        report.append(String.format(Locale.ROOT, "| worker peak heap in use (JMX, sampled every 100 ms) over each "
                + "run's throughput and latency phases, -Xmx512m (garbage included) | %s MiB |%n"
                + "| worker peak old-generation occupancy (G1 Old Gen, what survived young collections) | %s MiB |%n",
                Figure.of(heaps).format("%,.0f"), Figure.of(olds).format("%,.0f")));
        report.append("| OutOfMemoryError in the worker's log | ").append(oom ? "**yes**" : "none").append(" |\n");
        report.append("\n∞: more of the counted lines than the quantile allows had not arrived when the drain ended "
                + "(the pipeline did not keep up with the offered rate).\n");
    }

    /**
     * A receiver as strict as Loki but for the tenant's ingestion rate (Loki's default 4 MB/s would cap every figure
     * here at one Loki setting, which an operator sizes to the load, as the held-out Loki was): the per-stream limits
     * stay Loki's defaults, which the shipped sink config applies too.
     */
    private static LokiReceiver receiver(Optional<Path> file) throws IOException {
        LokiReceiver receiver = LokiReceiver.start("127.0.0.1", 0, file);
        receiver.ingestionRateLimit(LokiRateLimiter.UNLIMITED, LokiReceiver.INGESTION_BURST_BYTES);
        return receiver;
    }

    /** Returns {seconds from posting to the first entry, lines/s over the window after it}. */
    private double[] e2eThroughput(Path dir, long n, boolean profile, String note) throws Exception {
        String name = "e2e-" + (++runSeq);
        cluster.createTopic(name, 3);
        try (LokiReceiver receiver = receiver(Optional.empty())) {
            Map<String, String> env = Map.of("KAFKA_TOPIC", name, "LOG_PATHS", dir + "/*.log",
                    "LOG_ALLOWED_ROOTS", dir.toString(), "KAFKA_CONSUMER_GROUP", name,
                    "LOKI_ENDPOINT", receiver.pushUrl());
            if (profile) {
                cluster.startRecording(name);
            }
            long posted = System.nanoTime();
            cluster.putConnector(name + "-source", cluster.shipped("file-log-source.json", env, Map.of()));
            cluster.putConnector(name + "-sink", cluster.shipped("loki-sink.json", env, Map.of()));
            Arrival arrival = awaitEntries(name + "-sink", receiver::acceptedEntries, n, sizes.window());
            double toFirst = (arrival.first() - posted) / 1e9;
            double steady = arrival.rateFromFirst();
            if (profile) {
                Path jfr = work.resolve("jfr").resolve(name + ".jfr");
                cluster.stopRecording(name, jfr);
                profile("End to end, connect-configs as shipped (source and sink in one worker)", jfr,
                        arrival.count());
            }
            cluster.deleteConnector(name + "-source");
            cluster.deleteConnector(name + "-sink");
            log(String.format("  %s: %,.0f lines/s, first entry %.1f s after posting%s", name, steady, toFirst,
                    note.isEmpty() ? "" : " (" + note + ")"));
            return new double[] {toFirst, steady};
        } finally {
            cluster.deleteTopic(name);
        }
    }

    /** Returns {p50 ms, p99 ms, lines/s actually written, % of the lines arrived within the drain}. */
    private double[] e2eLatency(int offered) throws Exception {
        String name = "lat-" + offered + "-" + (++runSeq);
        Path dir = Files.createDirectories(work.resolve(name));
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        Path received = dir.resolve("received.jsonl");
        cluster.createTopic(name, 3);
        try (LokiReceiver receiver = receiver(Optional.of(received))) {
            Map<String, String> env = Map.of("KAFKA_TOPIC", name, "LOG_PATHS", dir + "/*.log",
                    "LOG_ALLOWED_ROOTS", dir.toString(), "KAFKA_CONSUMER_GROUP", name,
                    "LOKI_ENDPOINT", receiver.pushUrl());
            cluster.putConnector(name + "-source", cluster.shipped("file-log-source.json", env, Map.of()));
            cluster.putConnector(name + "-sink", cluster.shipped("loki-sink.json", env, Map.of()));
            Thread.sleep(sizes.settle().toMillis()); // tasks started, files scanned, consumer group joined
            long warmupEnd = LatencyProbe.epochNanos() + sizes.offeredWarmup().toNanos();
            LatencyProbe probe = new LatencyProbe(received, warmupEnd);
            Thread probeThread = new Thread(probe, "latency-probe");
            probeThread.start();
            long[] written = writeAtRate(log, offered, sizes.offeredFor(), warmupEnd);
            double writtenRate = written[0] / (sizes.offeredFor().toNanos() / 1e9);
            // Lines still missing after the drain count as later than every line that arrived: a pipeline that
            // cannot keep up shows an infinite p99 instead of holding the run for minutes.
            long drainEnd = System.nanoTime() + sizes.drain().toNanos();
            while (receiver.acceptedEntries() < written[0] && System.nanoTime() < drainEnd) {
                Thread.sleep(20);
            }
            probe.stop();
            probeThread.join();
            List<String> failed = cluster.failedTasks(name + "-source");
            failed.addAll(cluster.failedTasks(name + "-sink"));
            cluster.deleteConnector(name + "-source");
            cluster.deleteConnector(name + "-sink");
            if (!failed.isEmpty()) {
                throw new IllegalStateException("failed tasks: " + failed);
            }
            double[] result = {probe.percentileMillis(0.50, written[1]), probe.percentileMillis(0.99, written[1]),
                    writtenRate, 100.0 * receiver.acceptedEntries() / written[0]};
            log(String.format("  %s: p50 %.0f ms, p99 %.0f ms over %,d of %,d lines; %.1f %% arrived", name,
                    result[0], result[1], probe.counted(), written[1], result[3]));
            return result;
        } finally {
            deleteRecursively(dir);
            cluster.deleteTopic(name);
        }
    }

    /**
     * Appends lines stamped with their write time at {@code rate} lines/s for {@code duration}; returns the lines
     * written and those written at or after {@code countFromNanos} (epoch ns).
     */
    private static long[] writeAtRate(Path file, int rate, Duration duration, long countFromNanos)
            throws IOException, InterruptedException {
        LogLines gen = LogLines.create();
        long written = 0;
        long counted = 0;
        long start = System.nanoTime();
        try (BufferedWriter out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND), 1 << 16)) {
            while (true) {
                long elapsed = System.nanoTime() - start;
                if (elapsed >= duration.toNanos()) {
                    break;
                }
                long target = (long) (rate * (elapsed / 1e9));
                while (written < target) {
                    Instant now = Instant.now();
                    out.write(gen.line(written, now));
                    out.write('\n');
                    written++;
                    if (now.getEpochSecond() * 1_000_000_000L + now.getNano() >= countFromNanos) {
                        counted++;
                    }
                }
                out.flush();
                Thread.sleep(5);
            }
        }
        return new long[] {written, counted};
    }

    // ------------------------------------------------------------------------------------------------------- JMH

    private void jmh() throws Exception {
        Path jar = root.resolve("benchmarks/target/benchmarks.jar");
        Path json = work.resolve("jmh.json");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(sizes.jmh());
        cmd.addAll(List.of("-prof", "gc", "-rf", "json", "-rff", json.toString(), "JsonLabelsBenchmark",
                "PushEncodeBenchmark", "SinkRecordMapperBenchmark"));
        log("JMH: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("jmh.out").toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("JMH failed; see " + work.resolve("jmh.out"));
        }
        report.append(String.format(Locale.ROOT, "%n## JMH: the plugins' own CPU and allocation per line%n%n"
                + "`java -jar benchmarks/target/benchmarks.jar %s -prof gc JsonLabelsBenchmark PushEncodeBenchmark "
                + "SinkRecordMapperBenchmark`; "
                + "one op is one line (one entry), so `gc.alloc.rate.norm` is bytes allocated per line. Min / median "
                + "/ max of the measurement iterations.%n%n| benchmark | ops/s (lines/s, one thread) "
                + "| bytes allocated per line |%n|---|---|---|%n", String.join(" ", sizes.jmh())));
        for (JsonNode b : new ObjectMapper().readTree(json.toFile())) {
            String name = b.path("benchmark").asText().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1");
            if (b.has("params")) {
                name += " " + b.path("params");
            }
            report.append("| ").append(name).append(" | ").append(iterations(b.path("primaryMetric")).lines());
            JsonNode alloc = b.path("secondaryMetrics").path("·gc.alloc.rate.norm");
            if (alloc.isMissingNode()) {
                alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm");
            }
            report.append(" | ").append(alloc.isMissingNode() ? "n/a" : iterations(alloc).format("%,.0f"))
                    .append(" |\n");
        }
    }

    private static Figure iterations(JsonNode metric) {
        List<Double> values = new ArrayList<>();
        for (JsonNode fork : metric.path("rawData")) {
            for (JsonNode v : fork) {
                values.add(v.asDouble());
            }
        }
        return Figure.of(values);
    }

    // ---------------------------------------------------------------------------------------------------- report

    /** A figure must be a positive number, or the harness is broken (what the CI smoke run is there to catch). */
    static double measured(String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalStateException(what + " measured " + value + ": the harness measured nothing");
        }
        return value;
    }

    private void profile(String title, Path jfr, long records) throws IOException {
        JfrFamilies.Profile p = JfrFamilies.read(jfr);
        measured("execution samples in " + jfr, p.samples());
        profiles.append(JfrFamilies.markdown(title + " (`" + root.relativize(jfr) + "`)", p, records));
    }

    private String header(String command, String loadBefore, String loadAfter, Duration took) {
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            memKb = -1; // reported as unknown
        }
        return "# Benchmarks\n\n"
                + (sizes.smoke() ? "**Smoke run: sizes far too small for the figures to mean anything.**\n\n" : "")
                + "Written by `" + command + "` (`benchmarks/run.sh`; see the README's Performance section). "
                + "Everything runs in real JVMs: a KRaft broker and a Connect worker in distributed mode "
                + "(`ConnectDistributed`, `connect-configs/worker.properties`, the built plugins and Kafka's "
                + "`connect-file` 4.3.1 on its `plugin.path`), each a child process of the harness.\n\n"
                + "| | |\n|---|---|\n"
                + "| date | " + Instant.now().atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS) + " |\n"
                + "| cores | " + Runtime.getRuntime().availableProcessors() + " |\n"
                + "| memory | " + (memKb < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", memKb / 1048576.0))
                + " |\n"
                + "| JVM | " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " |\n"
                + "| runs per figure | " + sizes.runs() + " (figures are min / **median** / max) |\n"
                + "| load average (1, 5, 15 min) before / after | " + loadBefore + " / " + loadAfter + " |\n"
                + "| took | " + took.toSeconds() + " s |\n";
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void writeReport(Path out, String generated) throws IOException {
        String kept = "";
        String manyFiles = null;
        if (Files.exists(out)) {
            String old = Files.readString(out);
            int at = old.indexOf(END_MARKER);
            if (at >= 0) {
                kept = old.substring(at + END_MARKER.length());
            }
            int begin = old.indexOf(ManyFilesBenchmark.BEGIN);
            int end = old.indexOf(ManyFilesBenchmark.END);
            if (begin >= 0 && end > begin && (at < 0 || begin < at)) {
                // The many-files section of an earlier run is kept until a run measures it again.
                manyFiles = old.substring(begin, end + ManyFilesBenchmark.END.length());
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        String report = generated + "\n" + END_MARKER + kept;
        Files.writeString(out, manyFiles == null ? report
                : ManyFilesBenchmark.replaceSection(report, manyFiles, END_MARKER));
    }

    private static void log(String message) {
        System.out.println("[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
