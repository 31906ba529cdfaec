package io.lokiconnect.it.source;

import static io.lokiconnect.it.source.SourceTestSupport.append;
import static io.lokiconnect.it.source.SourceTestSupport.awaitRecords;
import static io.lokiconnect.it.source.SourceTestSupport.header;
import static io.lokiconnect.it.source.SourceTestSupport.sourceConfig;
import static io.lokiconnect.it.source.SourceTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What used to stop the task for good, with default line and event limits in a real worker: a 300 KB line at the
 * default line.max.bytes (262144) with a multi-byte character across the cut, a 2 MB stack trace, ordinary lines
 * in another file. The task stays RUNNING and every line arrives, each part in order, nothing re-joined wrongly.
 */
class FileLogSourceHardInputIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int DEFAULT_LINE_MAX = 262_144;

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder().build();

    @TempDir
    Path dir;

    /** 300 KB of 'a' with a euro sign (3 bytes) starting two bytes before the default cut. */
    private static String longLineWithEuroAcrossTheCut() {
        return "a".repeat(DEFAULT_LINE_MAX - 2) + "\u20ac" + "b".repeat(300 * 1024 - DEFAULT_LINE_MAX - 1);
    }

    private static String stackTrace(int bytes) {
        StringBuilder trace = new StringBuilder("2026-11-26 00:00:00 ERROR request failed\n"
                + "java.lang.IllegalStateException: \u00fcberlastet \u2013 retry later");
        for (int frame = 0; trace.length() < bytes; frame++) {
            trace.append("\n\tat com.example.service.Handler.step").append(frame).append("(Handler.java:")
                    .append(frame % 900 + 10).append(')');
        }
        return trace.toString();
    }

    /** Joins each file's records by their log.line.part headers, in topic order (one partition). */
    private static List<String> rejoined(List<ConsumerRecord<byte[], byte[]>> records, Path file) {
        // No log.* headers by default (headers is empty): the default key, 8 hex digits of the path's hash, names
        // the file.
        String key = String.format("%08x", file.toString().hashCode());
        List<String> lines = new ArrayList<>();
        StringBuilder current = null;
        int expected = 1;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (!key.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                continue;
            }
            String part = header(record, "log.line.part");
            if (part == null) {
                assertThat(current).as("a whole line inside a split one").isNull();
                lines.add(value(record));
            } else {
                if (current == null) {
                    current = new StringBuilder();
                    expected = 1;
                }
                current.append(value(record));
                if (part.contains("/")) {
                    assertThat(part).isEqualTo(expected + "/" + expected);
                    lines.add(current.toString());
                    current = null;
                } else {
                    assertThat(part).isEqualTo(String.valueOf(expected++));
                }
            }
        }
        return lines;
    }

    @Test
    void aLongLineAndA2MbStackTraceWithDefaultSettingsLeaveTheTaskRunningAndEveryLineArrives() throws Exception {
        Path hard = dir.resolve("hard.log");
        Path ordinary = dir.resolve("ordinary.log");
        String longLine = longLineWithEuroAcrossTheCut();
        String trace = stackTrace(2 * 1024 * 1024);
        List<String> hardLines = new ArrayList<>();
        hardLines.add("before the long line");
        hardLines.add(longLine);
        hardLines.addAll(List.of(trace.split("\n")));
        hardLines.add("after everything");
        append(ordinary, "ordinary 1\nordinary 2\n");
        append(hard, String.join("\n", hardLines) + "\n");

        CONNECT.createTopic("hard", 1);
        // Only the test's speed-ups (scan and poll intervals): line.max.bytes, batch and event limits are defaults.
        CONNECT.deployConnector("hard-source", sourceConfig("hard", dir + "/*.log", 1));
        CONNECT.awaitRunning("hard-source", 1, WAIT);
        append(ordinary, "ordinary 3, written while the hard file is read\n");

        int expectedRecords = hardLines.size() + 1 + 3; // the long line comes in two parts
        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "hard", expectedRecords, WAIT);
        assertThat(records).hasSize(expectedRecords);
        assertThat(rejoined(records, dir.resolve("hard.log"))).isEqualTo(hardLines);
        assertThat(rejoined(records, dir.resolve("ordinary.log"))).containsExactly("ordinary 1", "ordinary 2",
                "ordinary 3, written while the hard file is read");

        ConsumerRecord<byte[], byte[]> firstPart = records.stream()
                .filter(r -> "1".equals(header(r, "log.line.part"))).findFirst().orElseThrow();
        assertThat(firstPart.value()).hasSize(DEFAULT_LINE_MAX - 2); // cut before the euro sign, not inside it
        assertThat(records).noneMatch(r -> value(r).contains("\uFFFD"));
        CONNECT.awaitRunning("hard-source", 1, Duration.ofSeconds(5));
        assertThat(CONNECT.taskMetric("hard-source", "files-with-errors-total")).isZero();
    }

    @Test
    void a2MbMultiLineEventIsSplitUnderTheProducersRequestLimitInPartsThatConcatenateToIt() throws Exception {
        Path file = dir.resolve("trace.log");
        String trace = stackTrace(2 * 1024 * 1024);
        append(file, trace + "\n2026-11-26 00:00:01 INFO next event\n");
        CONNECT.createTopic("events", 1);
        Map<String, String> config = sourceConfig("events", dir + "/trace.log", 1);
        config.put("multiline.start.pattern", "^\\d{4}-");
        config.put("multiline.flush.ms", "500");
        config.put("multiline.max.lines", "100000"); // only the byte limit (multiline.max.bytes, default) cuts
        CONNECT.deployConnector("events-source", config);
        CONNECT.awaitRunning("events-source", 1, WAIT);

        List<ConsumerRecord<byte[], byte[]>> records = awaitRecords(CONNECT, "events", 6, WAIT);
        Map<String, String> parts = new LinkedHashMap<>();
        StringBuilder event = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> record : records.subList(0, records.size() - 1)) {
            parts.put(header(record, "log.line.part"), value(record));
            event.append(value(record));
            assertThat(record.value().length).isLessThanOrEqualTo(512 * 1024);
        }
        int n = parts.size();
        assertThat(n).isBetween(4, 6);
        assertThat(parts.keySet()).endsWith(n + "/" + n);
        assertThat(event.toString()).isEqualTo(trace);
        assertThat(value(records.get(records.size() - 1))).isEqualTo("2026-11-26 00:00:01 INFO next event");
        CONNECT.awaitRunning("events-source", 1, Duration.ofSeconds(5));
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).startsWith("2026-11-26 00:00:00 ERROR");
    }
}
