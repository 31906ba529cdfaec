package io.lokiconnect.benchmarks.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a worker's CPU goes, from a flight recording's execution samples: each sample is put in the first frame
 * family (in the order below) that its stack matches, so the families add up to 100 % of the samples. The families
 * are the per-record steps the issue asks about: the converters (key, value, the headers through the header
 * converter), the producer's send and its compression, the source's offset maps, the sink's label lookup, batching,
 * encoding, HTTP and commit bookkeeping.
 *
 * <p>Also runnable on its own: {@code JfrFamilies recording.jfr [records]}.
 */
final class JfrFamilies {

    /** A family: a name and a test on a sample's stack (frames as {@code pkg.Class.method}, leaf first). */
    record Family(String name, Predicate<Sample> test) {
    }

    /** One execution sample: the thread's name and its frames, leaf first. */
    record Sample(String thread, List<String> frames) {

        boolean has(String fragment) {
            for (String f : frames) {
                if (f.contains(fragment)) {
                    return true;
                }
            }
            return false;
        }

        boolean hasAny(String... fragments) {
            for (String fragment : fragments) {
                if (has(fragment)) {
                    return true;
                }
            }
            return false;
        }
    }

    static final List<Family> FAMILIES = List.of(
            // Threads of the worker that are not per record; some only run because the harness asks (REST, JMX).
            new Family("worker: internal topics (KafkaBasedLog: configs, offsets, status)",
                    s -> s.thread().startsWith("KafkaBasedLog")),
            new Family("worker: herder, connector start/stop",
                    s -> s.thread().startsWith("DistributedHerder") || s.thread().startsWith("StartAndStopExecutor")),
            new Family("worker: REST API (Jetty; the harness polls connector status)", s -> s.thread().startsWith("qtp")),
            new Family("JMX / attach (the harness's heap and metric polls, jcmd)",
                    s -> s.thread().startsWith("RMI ") || s.thread().startsWith("Attach Listener")
                            || s.thread().startsWith("JFR ")),
            new Family("producer network thread (Sender: requests, socket writes)",
                    s -> s.thread().startsWith("kafka-producer-network-thread")),
            new Family("consumer network/background thread",
                    s -> s.thread().contains("consumer_background") || s.thread().startsWith("kafka-coordinator")),
            // Source task thread: what the worker does with each SourceRecord.
            new Family("source: header conversion (convertHeaderFor, per header, with the header converter)",
                    s -> s.has("AbstractWorkerSourceTask.convertHeaderFor")),
            new Family("source: key converter (StringConverter)",
                    s -> s.has("AbstractWorkerSourceTask.lambda$convertTransformedRecord$1")),
            new Family("source: value converter (StringConverter)",
                    s -> s.has("AbstractWorkerSourceTask.lambda$convertTransformedRecord$2")),
            new Family("source: producer.send, compression (lz4 on append)",
                    s -> s.has("KafkaProducer.doSend") && s.hasAny("compress", "lz4", "jpountz", "zstd", "snappy",
                            "Deflater", "GZIP")),
            new Family("source: producer.send, accumulator + record/header serialization",
                    s -> s.hasAny("KafkaProducer.doSend", "KafkaProducer.send")),
            new Family("source: offset bookkeeping (SubmittedRecords, OffsetStorageWriter, offset flush)",
                    s -> s.hasAny("SubmittedRecords", "OffsetStorageWriter", "SourceTaskOffsetCommitter",
                            "AbstractWorkerSourceTask.commitOffsets", "updateCommittableOffsets", "OffsetUtils")),
            // The source's work per file (issue 22), before its per-record work.
            new Family("source per file: discovery (scan: directory listing, lstat, real paths)",
                    s -> s.has("io.lokiconnect.source.discovery.GlobWatcher")),
            new Family("source per file: offset lookup (one batch per scan)",
                    s -> s.hasAny("SourceOffsets.lookup", "OffsetStorageReaderImpl")),
            new Family("source per file: identity (file key, fingerprint, prefix checksum, copy recognition)",
                    s -> s.hasAny("io.lokiconnect.source.model.FileIdentity", "io.lokiconnect.source.tail.Fingerprint",
                            "io.lokiconnect.source.tail.CopyRecognizer", "FileTailer.prefixCrc",
                            "FileTailer.verifySameFile", "FileTailer.detectTruncation", "FileTailer.updateFingerprint")),
            new Family("source per file: open/close under files.max.open",
                    s -> s.hasAny("FileTailer.open", "FileTailer.close", "FileSetTailer.newTailer",
                            "FileSetTailer.closeLeastRecent", "io.lokiconnect.source.tail.Compression")),
            new Family("source per file: looks at closed files (stat of the name: size, time, identity)",
                    s -> s.hasAny("FileSetTailer.attributes", "FileTailer.look", "FileTailer.worthOpening")),
            new Family("source per file: scan bookkeeping (identities, owners, maps)",
                    s -> s.has("FileSetTailer.scan")),
            new Family("source: FileLog partition + offset maps (SourceOffsets)",
                    s -> s.has("io.lokiconnect.source.offsets.SourceOffsets.")),
            new Family("source: FileLog headers built (ConnectHeaders in toRecord)",
                    s -> s.hasAny("FileLogSourceTask.toRecord", "LineRecords.toRecord")
                            && s.has("org.apache.kafka.connect.header.")),
            new Family("source: FileLog rest of toRecord (path strings, SourceRecord)",
                    s -> s.hasAny("FileLogSourceTask.toRecord", "LineRecords.toRecord")),
            new Family("source: FileLog tailer (read, split lines, decode)",
                    s -> s.has("io.lokiconnect.source.tail.FileTailer.read")),
            new Family("source per file: poll loop over the tracked files (FileSetTailer.poll)",
                    s -> s.has("io.lokiconnect.source.")),
            new Family("source: FileStreamSourceTask.poll (read, decode, maps)",
                    s -> s.has("org.apache.kafka.connect.file.")),
            // Sink task thread and the sink's sender threads.
            new Family("sink: header conversion (convertHeadersFor, per header, with the header converter)",
                    s -> s.has("WorkerSinkTask.convertHeadersFor")),
            new Family("sink: key converter (StringConverter)",
                    s -> s.has("WorkerSinkTask.lambda$convertAndTransformRecord$0")),
            new Family("sink: value converter (StringConverter)",
                    s -> s.has("WorkerSinkTask.lambda$convertAndTransformRecord$1")),
            new Family("sink: JsonLabels transform", s -> s.has("io.lokiconnect.transforms.")),
            new Family("sink: consumer poll (fetch parsing, decompression)",
                    s -> s.hasAny("KafkaConsumer.poll", "org.apache.kafka.clients.consumer.internals.")),
            new Family("sink: push encoding (protobuf/JSON + snappy/gzip)",
                    s -> s.hasAny("io.lokiconnect.sink.push.", "org.xerial.snappy", "com.google.protobuf")),
            new Family("sink: HTTP (OkHttp, okio)", s -> s.hasAny("okhttp3.", "okio.")),
            new Family("sink: label-set lookup (labels, LabelSet)", s -> s.has("io.lokiconnect.sink.labels.")),
            new Family("sink: record to entry (SinkRecordMapper, LineFormatter)",
                    s -> s.hasAny("io.lokiconnect.sink.SinkRecordMapper", "io.lokiconnect.sink.format.",
                            "io.lokiconnect.sink.entry.")),
            new Family("sink: batching and Loki's limits (Outbox, LokiBatch, shaping)",
                    s -> s.hasAny("io.lokiconnect.sink.batch.", "io.lokiconnect.sink.shaping.")),
            new Family("sink: commit bookkeeping (acknowledged offsets, preCommit, commit)",
                    s -> s.hasAny("io.lokiconnect.sink.commit.", "preCommit", "WorkerSinkTask.commitOffsets",
                            "WorkerSinkTask.doCommit")),
            new Family("sink: metrics (plugin metrics)", s -> s.has("io.lokiconnect.sink.metrics.")),
            new Family("sink: SinkPipeline and task other (put, delivery)", s -> s.has("io.lokiconnect.sink.")),
            new Family("worker: transformation chain / error handling",
                    s -> s.hasAny("TransformationChain", "RetryWithToleranceOperator")),
            new Family("worker: source loop other (AbstractWorkerSourceTask)",
                    s -> s.hasAny("AbstractWorkerSourceTask", "WorkerSourceTask")),
            new Family("worker: sink loop other (WorkerSinkTask)", s -> s.has("WorkerSinkTask")),
            new Family("Kafka metrics (Sensor.record)", s -> s.has("org.apache.kafka.common.metrics.")),
            new Family("logging", s -> s.hasAny("org.apache.logging.", "org.slf4j.")),
            new Family("other (herder, REST, JMX, JFR, ...)", s -> true));

    /** The first families: worker threads that do not work per record (the record path is the rest). */
    static final int INFRASTRUCTURE_FAMILIES = 4;

    /** Samples per family, per thread group, and per leaf method, of one recording. */
    record Profile(int samples, Map<String, Integer> families, Map<String, Integer> threads,
                   Map<String, Integer> leaves) {

        double percent(int count) {
            return samples == 0 ? 0 : 100.0 * count / samples;
        }
    }

    /** The execution sample period of {@link #SETTINGS}. */
    static final int SAMPLE_PERIOD_MS = 2;

    /**
     * Flight recorder settings for the worker: only execution samples, every {@value #SAMPLE_PERIOD_MS} ms (the
     * JDK's 'profile' settings sample every 10 ms and record much else, which costs the worker more).
     */
    static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="loki-connect benchmarks">
              <event name="jdk.ExecutionSample">
                <setting name="enabled">true</setting>
                <setting name="period">%d ms</setting>
              </event>
            </configuration>
            """.formatted(SAMPLE_PERIOD_MS);

    private JfrFamilies() {
    }

    static Profile read(Path recording) throws IOException {
        Map<String, Integer> families = new LinkedHashMap<>();
        FAMILIES.forEach(f -> families.put(f.name(), 0));
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> leaves = new HashMap<>();
        int samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null) {
                    continue;
                }
                String thread = event.getThread("sampledThread") == null ? "?"
                        : event.getThread("sampledThread").getJavaName();
                List<String> frames = new ArrayList<>(stack.getFrames().size());
                for (RecordedFrame frame : stack.getFrames()) {
                    frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
                }
                Sample sample = new Sample(thread == null ? "?" : thread, frames);
                samples++;
                for (Family family : FAMILIES) {
                    if (family.test().test(sample)) {
                        families.merge(family.name(), 1, Integer::sum);
                        break;
                    }
                }
                threads.merge(threadGroup(sample.thread()), 1, Integer::sum);
                if (!frames.isEmpty()) {
                    leaves.merge(frames.get(0), 1, Integer::sum);
                }
            }
        }
        return new Profile(samples, families, threads, leaves);
    }

    /** Thread names without their connector names and numbers, so runs compare. */
    static String threadGroup(String thread) {
        if (thread.startsWith("task-thread-")) {
            return "task thread";
        }
        if (thread.startsWith("kafka-producer-network-thread")) {
            return "producer network thread";
        }
        return thread.replaceAll("[0-9]+", "N").replaceAll("connector-[^ ]*", "connector-…");
    }

    /** Markdown: families (≥ 0.5 %), thread groups and the hottest leaf methods of a recording. */
    static String markdown(String title, Profile p, long records) {
        double usPerSample = SAMPLE_PERIOD_MS * 1000.0;
        StringBuilder sb = new StringBuilder();
        sb.append("#### ").append(title).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%,d execution samples (one per running Java thread every %d ms) "
                + "while %,d records went through", p.samples(), SAMPLE_PERIOD_MS, records));
        sb.append(String.format(Locale.ROOT, "; about %.2f µs of worker CPU per record (samples × period / "
                + "records: an estimate, threads waiting in native code are not sampled).%n%n",
                records == 0 ? 0 : p.samples() * usPerSample / records));
        int recordPath = p.samples();
        for (int i = 0; i < INFRASTRUCTURE_FAMILIES; i++) {
            recordPath -= p.families().get(FAMILIES.get(i).name());
        }
        sb.append("| frame family (first match, top to bottom) | % of samples | % of record-path samples "
                + "| ≈ µs per record |\n|---|---:|---:|---:|\n");
        int index = 0;
        for (Map.Entry<String, Integer> e : p.families().entrySet()) {
            double pct = p.percent(e.getValue());
            boolean infrastructure = index++ < INFRASTRUCTURE_FAMILIES;
            if (pct >= 0.5) {
                sb.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %.2f |%n", e.getKey(), pct,
                        infrastructure || recordPath == 0 ? "" : String.format(Locale.ROOT, "%.1f",
                                100.0 * e.getValue() / recordPath),
                        records == 0 ? 0 : e.getValue() * usPerSample / records));
            }
        }
        sb.append("\n| thread | % of samples |\n|---|---:|\n");
        top(p.threads(), 6).forEach(e -> sb.append(String.format(Locale.ROOT, "| %s | %.1f |%n", e.getKey(),
                p.percent(e.getValue()))));
        sb.append("\n| hottest leaf methods | % of samples |\n|---|---:|\n");
        top(p.leaves(), 12).forEach(e -> sb.append(String.format(Locale.ROOT, "| `%s` | %.1f |%n", e.getKey(),
                p.percent(e.getValue()))));
        sb.append('\n');
        return sb.toString();
    }

    private static List<Map.Entry<String, Integer>> top(Map<String, Integer> counts, int n) {
        return counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n).toList();
    }

    public static void main(String[] args) throws IOException {
        Profile p = read(Path.of(args[0]));
        System.out.print(markdown(args[0], p, args.length > 1 ? Long.parseLong(args[1]) : 0));
    }
}
