package io.lokiconnect.it.source;

import static io.lokiconnect.it.source.SourceTestSupport.append;
import static io.lokiconnect.it.source.SourceTestSupport.awaitRecords;
import static io.lokiconnect.it.source.SourceTestSupport.header;
import static io.lokiconnect.it.source.SourceTestSupport.sourceConfig;
import static io.lokiconnect.it.source.SourceTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The source connector in a real worker, on real files written, rotated and truncated while they are tailed. */
class FileLogSourceIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder().build();

    @TempDir
    Path dir;

    @Test
    void tailsGlobsAcrossTwoDirectoriesWithHeadersAndPicksUpNewFiles() throws Exception {
        Path varLog = Files.createDirectories(dir.resolve("var/log"));
        Path appLogs = Files.createDirectories(dir.resolve("app/logs"));
        append(varLog.resolve("syslog.log"), "system one\nsystem two\n");
        append(appLogs.resolve("api.log"), "{\"level\":\"info\",\"message\":\"api up\"}\n");
        append(appLogs.resolve("ignored.txt"), "not a log\n");
        CONNECT.createTopic("globs", 3);
        CONNECT.deployConnector("globs-source", sourceConfig("globs", varLog + "/*.log," + appLogs + "/*.log", 2));
        CONNECT.awaitRunning("globs-source", 2, WAIT);

        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "globs", 3, WAIT);
        assertThat(values(records)).containsExactlyInAnyOrder("system one", "system two",
                "{\"level\":\"info\",\"message\":\"api up\"}");
        ConsumerRecord<byte[], byte[]> api = records.stream()
                .filter(r -> SourceTestSupport.value(r).contains("api up")).findFirst().orElseThrow();
        // Defaults: record.key=path.hash (8 hex digits of the path's hash), no headers.
        assertThat(new String(api.key())).isEqualTo(
                String.format("%08x", appLogs.resolve("api.log").toString().hashCode()));
        assertThat(records).allSatisfy(r -> assertThat(r.headers().toArray()).isEmpty());

        append(appLogs.resolve("new.log"), "a new file appears\n");
        assertThat(values(awaitRecords(CONNECT, "globs", 4, WAIT))).contains("a new file appears");
    }

    @Test
    void renameRotationAndCopytruncateUnderContinuousWritesLoseNoLine() throws Exception {
        Path file = dir.resolve("app.log");
        CONNECT.createTopic("rotation", 3);
        CONNECT.deployConnector("rotation-source", sourceConfig("rotation", dir + "/*.log", 1));
        CONNECT.awaitRunning("rotation-source", 1, WAIT);

        Set<String> written = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String line = "line-" + i;
            append(file, line + "\n");
            written.add(line);
            if (i % 700 == 699) {
                // Lines come fast; a rotation comes after the file has been seen by a scan, as in real life
                // (a file created and rotated away between two scans never matched the glob): once the first line
                // of this file arrived. The rest of it may still be unread when it is renamed.
                awaitRecords(CONNECT, "rotation", i - 698, WAIT);
                // logrotate's default: rename, then the application creates a new file at the old name.
                Files.move(file, dir.resolve("app.log." + i), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "rotation", 3000, WAIT);
        assertThat(new HashSet<>(values(records))).isEqualTo(written);
        assertThat(records).hasSize(3000);

        // copytruncate: the file is copied away and truncated in place; the tailer restarts at 0.
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING);
        append(file, "after truncate\n");
        assertThat(values(awaitRecords(CONNECT, "rotation", 3001, WAIT))).contains("after truncate");
    }

    @Test
    void partialLongAndMalformedLinesAreDeliveredNotDropped() throws Exception {
        Map<String, String> config = sourceConfig("edges", dir + "/edge.log", 1);
        config.put("line.max.bytes", "100");
        CONNECT.createTopic("edges", 1);
        Path file = dir.resolve("edge.log");
        Files.write(file, ("x".repeat(250) + "\nbad-utf8-").getBytes());
        Files.write(file, new byte[] {(byte) 0xFF, '\n', 'p', 'a', 'r', 't', 'i', 'a', 'l'}, StandardOpenOption.APPEND);
        CONNECT.deployConnector("edges-source", config);
        CONNECT.awaitRunning("edges-source", 1, WAIT);

        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "edges", 5, WAIT);
        assertThat(values(records)).containsExactly("x".repeat(100), "x".repeat(100), "x".repeat(50),
                "bad-utf8-\uFFFD", "partial");
        assertThat(records.subList(0, 3)).extracting(r -> header(r, "log.line.part")).containsExactly("1", "2", "3/3");
        append(file, "\nafter\n");
        // "partial" was emitted at its flush; its late newline must not emit it again.
        awaitRecords(CONNECT, "edges", 6, WAIT);
        awaitNoMoreThan(6, "edges");
        assertThat(values(CONNECT.consumeAll("edges", WAIT))).hasSize(6).endsWith("partial", "after");
    }

    @Test
    void badFilesBesideGoodOnesNeverFailTheTask() throws Exception {
        append(dir.resolve("good.log"), "good line\n");
        Files.createDirectory(dir.resolve("a-directory.log"));
        Files.createSymbolicLink(dir.resolve("dangling.log"), dir.resolve("nowhere"));
        Files.write(dir.resolve("binary.log"), new byte[] {1, 0, 2, 0, '\n'});
        CONNECT.createTopic("bad-files", 1);
        CONNECT.deployConnector("bad-files-source", sourceConfig("bad-files", dir + "/*.log", 1));
        CONNECT.awaitRunning("bad-files-source", 1, WAIT);
        assertThat(values(awaitRecords(CONNECT, "bad-files", 1, WAIT))).containsExactly("good line");
        append(dir.resolve("good.log"), "still tailing\n");
        assertThat(values(awaitRecords(CONNECT, "bad-files", 2, WAIT))).containsExactly("good line", "still tailing");
        CONNECT.awaitRunning("bad-files-source", 1, Duration.ofSeconds(5));
    }

    @Test
    void threeTasksShareThirtyFilesAndEachLineArrivesOnce() throws Exception {
        List<String> written = new ArrayList<>();
        for (int f = 0; f < 30; f++) {
            for (int l = 0; l < 20; l++) {
                String line = "file-" + f + "-line-" + l;
                append(dir.resolve("f" + f + ".log"), line + "\n");
                written.add(line);
            }
        }
        CONNECT.createTopic("shared", 3);
        CONNECT.deployConnector("shared-source", sourceConfig("shared", dir + "/*.log", 3));
        CONNECT.awaitRunning("shared-source", 3, WAIT);
        awaitRecords(CONNECT, "shared", 600, WAIT);
        awaitNoMoreThan(600, "shared");
        List<ConsumerRecord<byte[], byte[]>> records = CONNECT.consumeAll("shared", Duration.ofSeconds(30));
        assertThat(values(records)).hasSize(600).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void stopAndRestartMidStreamLosesNoLine() throws Exception {
        Path file = dir.resolve("restart.log");
        CONNECT.createTopic("restart", 3);
        CONNECT.deployConnector("restart-source", sourceConfig("restart", dir + "/*.log", 1));
        CONNECT.awaitRunning("restart-source", 1, WAIT);
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            append(file, "before-" + i + "\n");
            written.add("before-" + i);
        }
        awaitRecords(CONNECT, "restart", 250, WAIT);
        CONNECT.cluster().stopConnector("restart-source");
        for (int i = 0; i < 500; i++) {
            append(file, "while-stopped-" + i + "\n");
            written.add("while-stopped-" + i);
        }
        CONNECT.cluster().resumeConnector("restart-source");
        CONNECT.awaitRunning("restart-source", 1, WAIT);
        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "restart", 1000, WAIT);
        assertThat(new HashSet<>(values(records))).isEqualTo(written);
    }

    @Test
    void aMultilineStackTraceBecomesOneRecordAndLinesAreCountedInTheTaskMetrics() throws Exception {
        Path file = dir.resolve("trace.log");
        CONNECT.createTopic("multiline", 1);
        Map<String, String> config = sourceConfig("multiline", dir + "/trace.log", 1);
        config.put("multiline.start.pattern", "^\\d{4}-");
        config.put("multiline.flush.ms", "500");
        CONNECT.deployConnector("multiline-source", config);
        CONNECT.awaitRunning("multiline-source", 1, WAIT);
        append(file, "2026-11-25 10:00:00 ERROR payment failed\n"
                + "java.lang.IllegalStateException: card declined\n"
                + "\tat shop.Payments.charge(Payments.java:42)\n"
                + "\tat shop.Checkout.run(Checkout.java:7)\n"
                + "2026-11-25 10:00:01 INFO retrying\n");
        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "multiline", 2, WAIT);
        assertThat(values(records)).containsExactly(
                "2026-11-25 10:00:00 ERROR payment failed\njava.lang.IllegalStateException: card declined\n"
                        + "\tat shop.Payments.charge(Payments.java:42)\n\tat shop.Checkout.run(Checkout.java:7)",
                "2026-11-25 10:00:01 INFO retrying");
        // Physical lines: the five lines of the file, which made two records.
        assertThat(CONNECT.taskMetric("multiline-source", "lines-read-total")).isEqualTo(5);
        assertThat(CONNECT.taskMetric("multiline-source", "files-tracked")).isEqualTo(1);
    }

    @Test
    void offsetsAlteredThroughTheRestApiMoveTheReadPosition() throws Exception {
        Path file = dir.resolve("replay.log");
        CONNECT.createTopic("replay", 1);
        CONNECT.deployConnector("replay-source", sourceConfig("replay", dir + "/replay.log", 1));
        CONNECT.awaitRunning("replay-source", 1, WAIT);
        for (int i = 0; i < 10; i++) {
            append(file, "replay-" + i + "\n");
        }
        awaitRecords(CONNECT, "replay", 10, WAIT);
        CONNECT.cluster().stopConnector("replay-source");
        // Wait until the stopped task's offsets are committed: the file's position is its size.
        long size = Files.size(file);
        org.awaitility.Awaitility.await().atMost(WAIT).ignoreExceptions().until(() ->
                CONNECT.cluster().connectorOffsets("replay-source").offsets().stream()
                        .anyMatch(o -> ((Number) o.offset().get("position")).longValue() == size));
        var stored = CONNECT.cluster().connectorOffsets("replay-source").offsets().get(0);
        Map<String, Object> rewound = new java.util.HashMap<>(stored.offset());
        rewound.put("position", 0);
        CONNECT.cluster().alterSourceConnectorOffset("replay-source", stored.partition(), rewound);

        CONNECT.cluster().resumeConnector("replay-source");
        CONNECT.awaitRunning("replay-source", 1, WAIT);
        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "replay", 20, WAIT);
        assertThat(values(records)).hasSize(20);
        assertThat(values(records).subList(10, 20)).isEqualTo(values(records).subList(0, 10));
    }

    /** No duplicate follows: the topic holds {@code n} records throughout two seconds (a duplicate comes within one). */
    private static void awaitNoMoreThan(int n, String topic) {
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> CONNECT.consumeAll(topic, Duration.ofSeconds(10)).size() == n);
    }
}
