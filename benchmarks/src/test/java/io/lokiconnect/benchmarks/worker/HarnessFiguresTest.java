package io.lokiconnect.benchmarks.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's arithmetic: what it reports must be what it measured. */
class HarnessFiguresTest {

    @Test
    void minMedianMaxOfOddAndEvenRunCounts() {
        Figure odd = Figure.of(List.of(30.0, 10.0, 20.0));
        assertThat(odd.min()).isEqualTo(10.0);
        assertThat(odd.median()).isEqualTo(20.0);
        assertThat(odd.max()).isEqualTo(30.0);
        assertThat(Figure.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
        assertThat(odd.lines()).isEqualTo("10 / **20** / 30");
    }

    @Test
    void ratiosArePerRunNotOfMedians() {
        // Run 1 is loaded for both: per-run ratios stay 0.5, the ratio of medians would not.
        Figure ours = Figure.of(List.of(5.0, 50.0, 60.0));
        Figure theirs = Figure.of(List.of(10.0, 100.0, 120.0));
        Figure ratio = Figure.ratio(ours, theirs);
        assertThat(ratio.min()).isEqualTo(0.5);
        assertThat(ratio.max()).isEqualTo(0.5);
    }

    @Test
    void missingAndInfiniteValuesAreShownNotHidden() {
        assertThat(Figure.of(null).lines()).isEqualTo("n/a");
        assertThat(Figure.of(List.of(1.0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY)).format("%.0f"))
                .isEqualTo("1 / **∞** / ∞");
    }

    @Test
    void latencyCountsOnlyLinesAfterTheWarmupAndMissingLinesAreLate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("received.jsonl");
        long now = LatencyProbe.epochNanos();
        StringBuilder lines = new StringBuilder();
        // One line written before the warm-up ended (not counted), four after, 100 ms to 400 ms ago.
        lines.append("{\"labels\":{},\"timestamp_ns\":\"").append(now - 5_000_000_000L).append("\",\"line\":\"x\"}\n");
        for (int i = 1; i <= 4; i++) {
            lines.append("{\"labels\":{\"a\":\"b\"},\"timestamp_ns\":\"").append(now - i * 100_000_000L)
                    .append("\",\"line\":\"y\"}\n");
        }
        Files.writeString(file, lines, StandardCharsets.UTF_8);
        LatencyProbe probe = new LatencyProbe(file, now - 1_000_000_000L);
        Thread thread = new Thread(probe);
        thread.start();
        probe.stop();
        thread.join();
        assertThat(probe.seen()).isEqualTo(5);
        assertThat(probe.counted()).isEqualTo(4);
        assertThat(probe.percentileMillis(0.5, 4)).isBetween(200.0, 60_000.0);
        assertThat(probe.percentileMillis(0.99, 4)).isGreaterThanOrEqualTo(400.0).isLessThan(60_000.0);
        // Ten lines were counted by the writer, four arrived: the median is among the missing.
        assertThat(probe.percentileMillis(0.5, 10)).isInfinite();
        assertThat(probe.percentileMillis(0.4, 10)).isFinite();
    }

    @Test
    void framesGoToTheFirstFamilyTheyMatch() {
        assertThat(family("pool-1-thread-3", "org.apache.kafka.connect.storage.StringConverter.fromConnectHeader",
                "org.apache.kafka.connect.runtime.AbstractWorkerSourceTask.convertHeaderFor",
                "org.apache.kafka.connect.runtime.AbstractWorkerSourceTask.sendRecords"))
                .startsWith("source: header conversion");
        assertThat(family("pool-1-thread-3", "net.jpountz.lz4.LZ4Compressor.compress",
                "org.apache.kafka.clients.producer.KafkaProducer.doSend",
                "org.apache.kafka.connect.runtime.AbstractWorkerSourceTask.sendRecords"))
                .startsWith("source: producer.send, compression");
        assertThat(family("pool-1-thread-3", "java.util.HashMap.putVal",
                "io.lokiconnect.source.offsets.SourceOffsets.offset", "io.lokiconnect.source.FileLogSourceTask.toRecord"))
                .startsWith("source: FileLog partition + offset maps");
        assertThat(family("pool-2-thread-1", "java.lang.String.startsWith",
                "io.lokiconnect.sink.SinkRecordMapper.toEntry", "io.lokiconnect.sink.LokiSinkTask.put",
                "org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages"))
                .startsWith("sink: record to entry");
        assertThat(family("pool-2-thread-1", "org.apache.kafka.connect.runtime.WorkerSinkTask.commitOffsets"))
                .startsWith("sink: commit bookkeeping");
        // Thread-based families come first: the worker's internal topic readers are not the record path.
        assertThat(family("KafkaBasedLog Work Thread - offsets", "org.apache.kafka.clients.consumer.KafkaConsumer.poll"))
                .startsWith("worker: internal topics");
        assertThat(family("pool-1-thread-3", "java.lang.Object.wait")).startsWith("other");
    }

    private static String family(String thread, String... framesLeafFirst) {
        JfrFamilies.Sample sample = new JfrFamilies.Sample(thread, List.of(framesLeafFirst));
        for (JfrFamilies.Family family : JfrFamilies.FAMILIES) {
            if (family.test().test(sample)) {
                return family.name();
            }
        }
        throw new AssertionError("no family");
    }

    /** --only many-files rewrites its own section and nothing else; a first run puts it before the marker. */
    @Test
    void theManyFilesSectionReplacesOnlyItself() {
        String marker = WorkerBenchmarks.END_MARKER;
        String first = ManyFilesBenchmark.replaceSection("# B\n\nother figures\n" + marker + "\nanalysis\n",
                ManyFilesBenchmark.BEGIN + "\nrun 1\n" + ManyFilesBenchmark.END, marker);
        assertThat(first).startsWith("# B\n\nother figures\n" + ManyFilesBenchmark.BEGIN + "\nrun 1\n")
                .endsWith(marker + "\nanalysis\n");
        String second = ManyFilesBenchmark.replaceSection(first,
                ManyFilesBenchmark.BEGIN + "\nrun 2\n" + ManyFilesBenchmark.END, marker);
        assertThat(second).contains("run 2").doesNotContain("run 1").contains("other figures")
                .endsWith(marker + "\nanalysis\n");
        assertThat(second.indexOf(ManyFilesBenchmark.BEGIN)).isEqualTo(second.lastIndexOf(ManyFilesBenchmark.BEGIN));
    }

    /** The source's per-file families catch the tailer's per-file work before its per-record families. */
    @Test
    void perFileWorkOfTheSourceFallsInItsFamilies() {
        assertThat(family(List.of("sun.nio.fs.UnixNativeDispatcher.lstat",
                "io.lokiconnect.source.discovery.GlobWatcher.consider", "io.lokiconnect.source.tail.FileSetTailer.scan",
                "io.lokiconnect.source.tail.FileSetTailer.poll"))).startsWith("source per file: discovery");
        assertThat(family(List.of("sun.nio.fs.UnixNativeDispatcher.stat",
                "io.lokiconnect.source.tail.FileSetTailer.attributes", "io.lokiconnect.source.tail.FileSetTailer.readOne",
                "io.lokiconnect.source.tail.FileSetTailer.poll"))).startsWith("source per file: looks");
        assertThat(family(List.of("java.util.HashMap.getNode", "io.lokiconnect.source.tail.FileSetTailer.readOne",
                "io.lokiconnect.source.tail.FileSetTailer.poll"))).startsWith("source per file: poll loop");
        assertThat(family(List.of("io.lokiconnect.source.tail.FileTailer.copyRun",
                "io.lokiconnect.source.tail.FileTailer.readLines", "io.lokiconnect.source.tail.FileTailer.read",
                "io.lokiconnect.source.tail.FileSetTailer.readOne"))).startsWith("source: FileLog tailer");
    }

    private static String family(List<String> frames) {
        JfrFamilies.Sample sample = new JfrFamilies.Sample("task-thread-x-0", frames);
        for (JfrFamilies.Family f : JfrFamilies.FAMILIES) {
            if (f.test().test(sample)) {
                return f.name();
            }
        }
        throw new AssertionError("no family");
    }
}
