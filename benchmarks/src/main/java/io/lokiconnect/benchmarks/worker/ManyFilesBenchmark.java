package io.lokiconnect.benchmarks.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Many files: the source as shipped ({@code connect-configs/file-log-source.json}, tasks.max=2) on sets of 1 to
 * 10,000 files written beforehand and read from the start, as a user starts it. Per set: the time from posting
 * to the first record and to the last one, the worker's CPU while the files do not change, how long a line
 * appended to one of them takes, and how long a stop and resume of the connector (its tasks restarted with every
 * file tracked) takes to its first record. Beside it, in the same run: FileStreamSourceConnector on the one-file
 * set (it reads one file only), a raw producer sending every line of the set, and Fluent Bit ({@code tail} ->
 * Kafka) when a {@code fluent-bit} binary is on the PATH (or in {@code FLUENT_BIT}); flight recordings of the
 * worker over the largest set's start and its idle window, split by the source's per-file work.
 */
final class ManyFilesBenchmark {

    /** The markers of the section this benchmark owns in the report; the rest of the report is left alone. */
    static final String BEGIN = "<!-- many-files: begin (benchmarks/run.sh --only many-files rewrites this) -->";
    static final String END = "<!-- many-files: end -->";

    record FileSet(int files, int lines) {
        String label() {
            return String.format(Locale.ROOT, "%,d × %,d", files, lines);
        }
    }

    private static final Map<String, String> TUNED = Map.of("linger.ms", "20", "batch.size", "524288",
            "compression.type", "lz4");

    private final BenchCluster cluster;
    private final Path root;
    private final Path work;
    private final int runs;
    private final boolean smoke;
    private final List<FileSet> sets;
    /** After the last record: a scan interval (5 s) and a modification-time tick (2 s) for every look to settle. */
    private final long settleMs;
    private final long idleMs;
    private final StringBuilder profiles = new StringBuilder();
    private int seq;

    ManyFilesBenchmark(BenchCluster cluster, Path root, Path work, int runs, boolean smoke) {
        this.cluster = cluster;
        this.root = root;
        this.work = work;
        this.runs = runs;
        this.smoke = smoke;
        List<FileSet> all = smoke ? List.of(new FileSet(1, 2_000), new FileSet(20, 100), new FileSet(200, 10))
                : List.of(new FileSet(1, 1_000_000), new FileSet(200, 1_000), new FileSet(2_000, 100),
                new FileSet(10_000, 10));
        // -Dbench.manyFiles=10000 measures only the sets of that many files (a quicker look at one of them).
        String only = System.getProperty("bench.manyFiles");
        this.sets = only == null ? all
                : all.stream().filter(s -> List.of(only.split(",")).contains(Integer.toString(s.files()))).toList();
        this.settleMs = Long.getLong("bench.manyFiles.settleMs", smoke ? 1_000 : 30_000);
        this.idleMs = Long.getLong("bench.manyFiles.idleMs", smoke ? 2_000 : 10_000);
    }

    /** Per set: figure name -> the runs' values. */
    private final Map<FileSet, Map<String, List<Double>>> figures = new LinkedHashMap<>();
    private final List<String> loads = new ArrayList<>();

    private void add(FileSet set, String figure, double value) {
        figures.computeIfAbsent(set, k -> new LinkedHashMap<>()).computeIfAbsent(figure, k -> new ArrayList<>())
                .add(value);
    }

    /** Runs every set {@code runs} times and returns the report's section, markers included. */
    String run(String command) throws Exception {
        long started = System.nanoTime();
        String loadBefore = WorkerBenchmarks.loadAverage();
        Map<FileSet, List<Path>> inputs = new LinkedHashMap<>();
        for (FileSet set : sets) {
            Path dir = Files.createDirectories(work.resolve("many-" + set.files() + "x" + set.lines()));
            List<Path> files = new ArrayList<>();
            for (int f = 0; f < set.files(); f++) {
                Path file = dir.resolve(String.format(Locale.ROOT, "app-%05d.log", f));
                LogLines.writeFile(file, (long) f * set.lines(), set.lines());
                files.add(file);
            }
            inputs.put(set, files);
            log(String.format("many files: %s lines written in %s", set.label(), dir));
        }
        String fluentBit = FluentBit.binary();
        for (int r = 1; r <= runs; r++) {
            double baseline = idleCpu();
            log(String.format("  run %d: the worker with no connector uses %.2f %% of a core", r, baseline));
            for (FileSet set : sets) {
                add(set, "worker idle, no connector %", baseline);
                boolean profile = false;
                loads.add(String.format(Locale.ROOT, "run %d, %s: load %s", r, set.label(),
                        WorkerBenchmarks.loadAverage()));
                fileLog(set, inputs.get(set), profile);
                if (set.files() == 1) {
                    fileStream(set, inputs.get(set).get(0));
                }
                raw(set, inputs.get(set));
                if (fluentBit != null) {
                    fluentBit(fluentBit, set, inputs.get(set));
                }
            }
        }
        // The recordings come from one more pass over the largest set, after the measured runs: a worker that has
        // recorded once keeps part of the recorder running, which the idle figures must not include.
        FileSet largest = sets.get(sets.size() - 1);
        Map<FileSet, Map<String, List<Double>>> measured = new LinkedHashMap<>(figures);
        figures.clear();
        fileLog(largest, inputs.get(largest), true);
        figures.clear();
        figures.putAll(measured);
        return report(command, loadBefore, fluentBit, (System.nanoTime() - started) / 1_000_000_000L);
    }

    private String name(String what) {
        return "many-" + what + "-" + (++seq);
    }

    /** Worker CPU over the idle window, in % of one core. */
    private double idleCpu() throws Exception {
        return idleCpu(false);
    }

    /** Worker CPU over the idle window, in % of one core; with {@code threads}, the busiest threads logged too. */
    private double idleCpu(boolean threads) throws Exception {
        // Three attribute reads around the window: the harness asks the worker for nothing while it is measured.
        Map<String, Long> before = threads ? cluster.workerThreadCpu() : Map.of();
        long[] vm = cluster.workerGcAndJitMillis();
        long cpu = cluster.workerCpuNanos();
        long t = System.nanoTime();
        Thread.sleep(idleMs);
        double percent = 100.0 * (cluster.workerCpuNanos() - cpu) / (System.nanoTime() - t);
        long[] vmAfter = cluster.workerGcAndJitMillis();
        String top = "";
        if (threads) {
            top = "; busiest threads: " + cluster.workerThreadCpu().entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(4)
                    .map(e -> String.format(Locale.ROOT, "%s %.1f %%", e.getKey(), 100.0 * e.getValue() / (idleMs * 1e6)))
                    .toList();
        }
        log(String.format(Locale.ROOT, "    idle %.2f %% of a core; GC %d ms, JIT %d ms%s", percent,
                vmAfter[0] - vm[0], vmAfter[1] - vm[1], top));
        return percent;
    }

    private void fileLog(FileSet set, List<Path> files, boolean profile) throws Exception {
        String name = name("filelog-" + set.files());
        Path dir = files.get(0).getParent();
        cluster.createTopic(name, 2);
        long total = (long) set.files() * set.lines();
        try {
            Map<String, String> config = cluster.shipped("file-log-source.json", Map.of("KAFKA_TOPIC", name,
                    "LOG_PATHS", dir + "/*.log", "LOG_ALLOWED_ROOTS", dir.toString()), Map.of());
            if (profile) {
                cluster.startRecording(name + "-start");
            }
            long posted = System.nanoTime();
            cluster.putConnector(name, config);
            long[] at = awaitRecords(name, name, total, posted);
            double first = (at[0] - posted) / 1e9;
            double all = (at[1] - posted) / 1e9;
            if (profile) {
                Path jfr = work.resolve("jfr").resolve(name + "-start.jfr");
                cluster.stopRecording(name + "-start", jfr);
                profile(String.format(Locale.ROOT, "FileLogSourceConnector, %s files, from posting to the last "
                        + "record (µs per file)", set.label()), jfr, set.files());
            }
            add(set, "FileLog first record s", first);
            add(set, "FileLog all records s", WorkerBenchmarks.measured(name, all));
            Thread.sleep(settleMs);
            double idle = idleCpu(profile); // without a recording: the recorder's own sampling costs the worker CPU
            if (profile) {
                cluster.startRecording(name + "-idle");
                Thread.sleep(idleMs);
                Path jfr = work.resolve("jfr").resolve(name + "-idle.jfr");
                cluster.stopRecording(name + "-idle", jfr);
                profile(String.format(Locale.ROOT, "FileLogSourceConnector, %s files tracked and unchanged, "
                        + "%d s idle window after the measured one (µs per file over the window)", set.label(),
                        idleMs / 1000), jfr, set.files());
            }
            add(set, "FileLog idle worker %", idle);
            // One line appended to one file (the middle one): until it is in the topic.
            Path middle = files.get(files.size() / 2);
            long appended = System.nanoTime();
            Files.writeString(middle, "{\"message\":\"appended while idle\"}\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            long[] arrived = awaitRecords(name, name, total + 1, appended);
            add(set, "FileLog appended line ms", (arrived[1] - appended) / 1e6);
            // Restart: the connector stopped (its tasks shut down, offsets committed), a line appended to the last
            // file, resumed: until that line is in the topic, every file's offset looked up and tracked again.
            cluster.stopConnector(name);
            Files.writeString(files.get(files.size() - 1), "{\"message\":\"appended while stopped\"}\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            long resumed = System.nanoTime();
            cluster.resumeConnector(name);
            long[] back = awaitRecords(name, name, total + 2, resumed);
            add(set, "FileLog restart to first record s", (back[1] - resumed) / 1e9);
            if (profile) {
                steadyTailing(name, set, files, total + 2);
            }
            long extra = profile ? 0 : cluster.recordsIn(name) - (total + 2);
            add(set, "FileLog records beyond the lines", extra);
            log(String.format(Locale.ROOT, "  %s: first %.2f s, all %.2f s, idle %.2f %%, appended line %.0f ms, "
                            + "restart %.2f s, %d records beyond the lines", name, first, all, idle,
                    (arrived[1] - appended) / 1e6, (back[1] - resumed) / 1e9, extra));
            List<String> failed = cluster.failedTasks(name);
            if (!failed.isEmpty()) {
                throw new IllegalStateException("failed tasks: " + failed);
            }
        } finally {
            cluster.deleteConnector(name);
            cluster.deleteTopic(name);
        }
        // The appended lines are taken out again: every run reads the same set.
        truncateLastLine(files.get(files.size() / 2));
        truncateLastLine(files.get(files.size() - 1));
    }

    /** Lines appended to random files of the set while the worker is recorded: tailing with some files changing. */
    private void steadyTailing(String name, FileSet set, List<Path> files, long before) throws Exception {
        int perSecond = 1_000;
        long lines = perSecond * idleMs / 1000;
        java.util.Random random = new java.util.Random(22);
        cluster.startRecording(name + "-steady");
        long cpu = cluster.workerCpuNanos();
        long started = System.nanoTime();
        for (long i = 0; i < lines; i++) {
            long due = started + i * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            Files.writeString(files.get(random.nextInt(files.size())), "{\"message\":\"steady " + i + "\"}\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        double percent = 100.0 * (cluster.workerCpuNanos() - cpu) / (System.nanoTime() - started);
        Path jfr = work.resolve("jfr").resolve(name + "-steady.jfr");
        cluster.stopRecording(name + "-steady", jfr);
        awaitRecords(name, name, before + lines, started);
        log(String.format(Locale.ROOT, "    steady tailing: %,d lines/s appended to random files of %s: worker %.1f %% "
                + "of a core (recorded)", perSecond, set.label(), percent));
        profile(String.format(Locale.ROOT, "FileLogSourceConnector, %s files tracked, %,d lines/s appended to random "
                + "ones for %d s (steady tailing; the worker used %.1f %% of a core, recording included; µs per "
                + "file over the window)", set.label(), perSecond, idleMs / 1000, percent), jfr, set.files());
    }

    private static void truncateLastLine(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length - 1;
        int cut = end - 1;
        while (cut >= 0 && bytes[cut] != '\n') {
            cut--;
        }
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(cut + 1);
        }
    }

    private void fileStream(FileSet set, Path file) throws Exception {
        String name = name("filestream");
        cluster.createTopic(name, 1);
        try {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector");
            config.put("tasks.max", "1");
            config.put("file", file.toString());
            config.put("topic", name);
            config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
            TUNED.forEach((k, v) -> config.put("producer.override." + k, v));
            long posted = System.nanoTime();
            cluster.putConnector(name, config);
            long[] at = awaitRecords(name, name, set.lines(), posted);
            add(set, "FileStream first record s", (at[0] - posted) / 1e9);
            add(set, "FileStream all records s", (at[1] - posted) / 1e9);
            log(String.format(Locale.ROOT, "  %s: first %.2f s, all %.2f s", name, (at[0] - posted) / 1e9,
                    (at[1] - posted) / 1e9));
        } finally {
            cluster.deleteConnector(name);
            cluster.deleteTopic(name);
        }
    }

    private void raw(FileSet set, List<Path> files) throws Exception {
        String topic = name("raw-" + set.files());
        cluster.createTopic(topic, 2);
        try {
            double seconds = RawClients.produceAll(cluster.bootstrapServers(), files, topic, TUNED);
            add(set, "raw producer all records s", WorkerBenchmarks.measured("raw producer", seconds));
            log(String.format(Locale.ROOT, "  raw producer %s: %.2f s", set.label(), seconds));
        } finally {
            cluster.deleteTopic(topic);
        }
    }

    private void fluentBit(String binary, FileSet set, List<Path> files) throws Exception {
        String topic = name("fluentbit-" + set.files());
        cluster.createTopic(topic, 2);
        Path dir = Files.createDirectories(work.resolve(topic));
        try {
            long started = System.nanoTime();
            try (FluentBit fb = FluentBit.start(binary, dir, files.get(0).getParent() + "/*.log",
                    cluster.bootstrapServers(), topic)) {
                long[] at = awaitRecords(null, topic, (long) set.files() * set.lines(), started);
                add(set, "Fluent Bit first record s", (at[0] - started) / 1e9);
                add(set, "Fluent Bit all records s", (at[1] - started) / 1e9);
                log(String.format(Locale.ROOT, "  Fluent Bit %s: first %.2f s, all %.2f s", set.label(),
                        (at[0] - started) / 1e9, (at[1] - started) / 1e9));
            }
        } finally {
            cluster.deleteTopic(topic);
        }
    }

    /** Polls the topic's end offsets every 20 ms; returns {first record seen, count reached} (System.nanoTime). */
    private long[] awaitRecords(String connector, String topic, long expected, long since) throws Exception {
        long first = 0;
        long deadline = since + TimeUnit.MINUTES.toNanos(smoke ? 1 : 5);
        long lastCheck = since;
        long base = -1;
        while (true) {
            long count = cluster.recordsIn(topic);
            long now = System.nanoTime();
            if (base < 0) {
                base = Math.min(count, expected - 1);
            }
            if (first == 0 && count > base) {
                first = now;
            }
            if (count >= expected) {
                return new long[] {first == 0 ? now : first, now};
            }
            if (now > deadline) {
                throw new IllegalStateException(topic + ": " + count + " of " + expected + " records after "
                        + (now - since) / 1_000_000_000L + " s" + (connector == null ? ""
                        : "; failed tasks: " + cluster.failedTasks(connector)));
            }
            if (connector != null && now - lastCheck > 2_000_000_000L) {
                lastCheck = now;
                List<String> failed = cluster.failedTasks(connector);
                if (!failed.isEmpty()) {
                    throw new IllegalStateException(failed.toString());
                }
            }
            Thread.sleep(20);
        }
    }

    private void profile(String title, Path jfr, long files) throws IOException {
        JfrFamilies.Profile p = JfrFamilies.read(jfr);
        profiles.append(JfrFamilies.markdown(title + " (`" + root.relativize(jfr) + "`)", p, files));
    }

    private Figure fig(FileSet set, String name) {
        return Figure.of(figures.getOrDefault(set, Map.of()).get(name));
    }

    private String report(String command, String loadBefore, String fluentBit, long tookSeconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(BEGIN).append("\n\n## Source: many files (").append(smoke ? "smoke run, sizes too small to mean "
                + "anything" : "1 to 10,000 files").append(")\n\n");
        sb.append("Written by `").append(command).append("` on ")
                .append(Instant.now().atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS))
                .append(String.format(Locale.ROOT, " in %d s; %d runs per figure (min / **median** / max); load "
                        + "average (1, 5, 15 min) %s before, %s after (the figures mean something only on a machine "
                        + "doing nothing else).%n%n", tookSeconds, runs, loadBefore, WorkerBenchmarks.loadAverage()));
        sb.append("`connect-configs/file-log-source.json` as shipped (tasks.max=2, its producer overrides, "
                + "`start.position=beginning`) posted to the worker of the other sections, into a 2-partition topic; "
                + "the files (JSON lines of about 200 bytes) written beforehand. Times are from posting to the "
                + "first and the last record in the topic (end offsets polled every 20 ms). *Idle*: the worker "
                + "process's CPU (JMX `ProcessCpuTime`: every thread, GC and JIT included) over "
                + idleMs / 1000 + " s, " + settleMs / 1000 + " s after the last record, with every file tracked and "
                + "none changing; the same worker with no connector beside it. *Appended line*: one line appended to "
                + "the middle file while idle, until it is in the topic (the task sleeps `poll.interval.ms` = 250 ms "
                + "after an empty poll, and looks at each closed file every 800 ms). *Restart*: the connector stopped "
                + "(`PUT .../stop`: tasks shut down, offsets committed), a line appended to the last file, resumed: "
                + "until that line is in the topic (every file's offset looked up, every file tracked again). The "
                + "raw producer sends every line of the set from one thread with the same producer settings "
                + "(`acks=all`, one request in flight, plus the shipped overrides), reading the files as it goes: "
                + "the floor for moving these bytes into Kafka. FileStreamSourceConnector reads one file only, so "
                + "it runs on the one-file set (with the same producer overrides).\n\n");
        sb.append("| files × lines | FileLog first record s | FileLog all records s | FileStream all records s "
                + "| raw producer all records s | Fluent Bit all records s | FileLog / raw | FileLog / Fluent Bit "
                + "| idle worker CPU, % of a core | worker with no connector, % | appended line ms "
                + "| restart to first record s |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (FileSet set : sets) {
            Figure all = fig(set, "FileLog all records s");
            Figure raw = fig(set, "raw producer all records s");
            Figure fb = fig(set, "Fluent Bit all records s");
            sb.append("| ").append(set.label()).append(" | ").append(fig(set, "FileLog first record s").format("%.2f"))
                    .append(" | ").append(all.format("%.2f")).append(" | ")
                    .append(fig(set, "FileStream all records s").format("%.2f")).append(" | ")
                    .append(raw.format("%.2f")).append(" | ").append(fb.format("%.2f")).append(" | ")
                    .append(Figure.ratio(all, raw).times()).append(" | ")
                    .append(fb.isEmpty() ? "n/a" : Figure.ratio(all, fb).times()).append(" | ")
                    .append(fig(set, "FileLog idle worker %").format("%.2f")).append(" | ")
                    .append(fig(set, "worker idle, no connector %").format("%.2f")).append(" | ")
                    .append(fig(set, "FileLog appended line ms").format("%,.0f")).append(" | ")
                    .append(fig(set, "FileLog restart to first record s").format("%.2f")).append(" |\n");
        }
        sb.append("\nRecords in the topic beyond the lines written (duplicates a restart re-sent): ");
        List<String> beyond = new ArrayList<>();
        for (FileSet set : sets) {
            beyond.add(set.label() + ": " + fig(set, "FileLog records beyond the lines").format("%,.0f"));
        }
        sb.append(String.join("; ", beyond)).append(".\n\n");
        sb.append(fluentBit != null ? "Fluent Bit: `" + fluentBit + "` (`tail` with `Read_from_Head On` -> `kafka`, "
                + "the same broker and files, in the same runs).\n"
                : "Fluent Bit: **not run**: " + FluentBit.absentReason() + " The issue's own measurement of Fluent "
                + "Bit 5.1.1 on this 2-core machine (one run each: 1 × 1,000,000 lines 5.8-6.5 s, 200 × 1,000 "
                + "2.8 s, 2,000 × 100 2.8 s, 10,000 × 10 5.6 s) is the reference until it can run here; "
                + "FileStreamSourceConnector and the raw producer are the peers measured in the same run.\n");
        sb.append("\nLoad average at the start of each measurement: ").append(String.join("; ", loads))
                .append(".\n");
        if (!profiles.isEmpty()) {
            sb.append("\n### Where the worker's CPU goes with many files (JFR execution samples, one more pass over the largest set after the measured runs)\n\n"
                    + "The *source per file* families split the source's own work: discovery (the scan: "
                    + "directory listing, one lstat per file, real paths for `paths.allowed.roots`), identity "
                    + "(file keys, first-bytes fingerprint, prefix checksums, copy recognition), the batch offset "
                    + "lookup, opening and closing under `files.max.open`, the looks at closed files (one stat per "
                    + "file every 800 ms), the scan's bookkeeping and the poll loop over the tracked files. "
                    + "\"µs per record\" is µs per file here.\n\n").append(profiles);
        }
        sb.append('\n').append(END);
        return sb.toString();
    }

    /** Puts {@code section} into {@code report} in place of the previous one, or before {@code beforeMarker}. */
    static String replaceSection(String report, String section, String beforeMarker) {
        int begin = report.indexOf(BEGIN);
        int end = report.indexOf(END);
        if (begin >= 0 && end > begin) {
            return report.substring(0, begin) + section + report.substring(end + END.length());
        }
        int at = report.indexOf(beforeMarker);
        if (at < 0) {
            return report + "\n" + section + "\n";
        }
        return report.substring(0, at) + section + "\n\n" + report.substring(at);
    }

    private static void log(String message) {
        System.out.println("[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
    }
}
