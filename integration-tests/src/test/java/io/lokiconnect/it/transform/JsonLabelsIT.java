package io.lokiconnect.it.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.it.sink.ReceiverWait;
import io.lokiconnect.it.sink.SinkTestSupport;
import io.lokiconnect.it.source.SourceTestSupport;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The JsonLabels transform in a real worker: on the source connector, and on the sink connector. */
class JsonLabelsIT {

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder().build();

    @TempDir
    Path dir;

    /**
     * A line time an hour ago, with every nanosecond digit: from the clock, as Loki refuses lines older than
     * {@code reject_old_samples_max_age} (a calendar date here turned CI red a week after it was written).
     */
    private static final Instant T1_INSTANT = Instant.now().minus(Duration.ofHours(1))
            .truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_789L);
    private static final String T1 = T1_INSTANT.toString();
    private static final long T1_NS = T1_INSTANT.getEpochSecond() * 1_000_000_000L + 123_456_789L;

    private static List<String> jsonLines() {
        long epochMillis = Instant.now().minusSeconds(30).toEpochMilli();
        return List.of(
                "{\"timestamp\":\"" + T1 + "\",\"level\":\"WARNING\",\"service\":\"api\",\"message\":\"disk \\\"almost\\\" full\",\"trace_id\":\"t-1\"}",
                "{\"timestamp\":" + epochMillis + ",\"level\":\"info\",\"service\":\"db\",\"message\":\"checkpoint ✓\"}",
                "plain text line without json");
    }

    private static Map<String, String> transform(Map<String, String> config) {
        config.put("transforms", "labels");
        config.put("transforms.labels.type", "io.lokiconnect.transforms.JsonLabels");
        config.put("transforms.labels.label.fields", "level,service");
        config.put("transforms.labels.metadata.fields", "trace_id");
        config.put("transforms.labels.timestamp.field", "timestamp");
        config.put("transforms.labels.message.field", "message");
        config.put("transforms.labels.line.output", "message");
        return config;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void onTheSourceConnectorLabelsTimestampAndMessageTravelWithTheRecord() throws Exception {
        Path log = dir.resolve("app.log");
        Files.write(log, jsonLines());
        long deployedAt = System.currentTimeMillis();
        CONNECT.createTopic("labelled", 1);
        Map<String, String> config = SourceTestSupport.sourceConfig("labelled", dir + "/*.log", 1);
        config.put("headers", "path,offset,host"); // off by default; the transform keeps them
        CONNECT.deployConnector("labelled-source", transform(config));

        List<ConsumerRecord<byte[], byte[]>> records = CONNECT.consume("labelled", 3, Duration.ofSeconds(60));
        ConsumerRecord<byte[], byte[]> warn = records.get(0);
        assertThat(new String(warn.value(), StandardCharsets.UTF_8)).isEqualTo("disk \"almost\" full");
        assertThat(header(warn, "loki.label.level")).isEqualTo("warn");
        assertThat(header(warn, "loki.label.service")).isEqualTo("api");
        assertThat(header(warn, "loki.meta.trace_id")).isEqualTo("t-1");
        assertThat(header(warn, "loki.timestamp.ns")).isEqualTo(Long.toString(T1_NS));
        // The record keeps the time the line was read; the line's own time travels in loki.timestamp.ns.
        assertThat(warn.timestamp()).isBetween(deployedAt, System.currentTimeMillis());
        assertThat(header(warn, "log.file.path")).isEqualTo(log.toString());
        assertThat(header(warn, "log.file.offset")).isEqualTo("0");
        assertThat(header(warn, "log.host")).isNotBlank();
        assertThat(warn.headers().lastHeader("log.file.name")).isNull();

        ConsumerRecord<byte[], byte[]> info = records.get(1);
        assertThat(new String(info.value(), StandardCharsets.UTF_8)).isEqualTo("checkpoint ✓");
        assertThat(header(info, "loki.label.level")).isEqualTo("info");
        assertThat(header(info, "loki.label.service")).isEqualTo("db");

        ConsumerRecord<byte[], byte[]> plain = records.get(2);
        assertThat(new String(plain.value(), StandardCharsets.UTF_8)).isEqualTo("plain text line without json");
        assertThat(header(plain, "loki.label.level")).isNull();
    }

    /**
     * A clock-skewed host: lines timed 3 h ahead. A Kafka 4 broker refuses a record more than 1 h ahead of its clock
     * (KIP-1030); had the transform put the line time on the record, the task would fail (errors.tolerance=none, the
     * default) and fail again after every restart. Every line arrives, in order, and the task keeps running.
     */
    @Test
    void onTheSourceConnectorLinesTimedHoursAheadAreAllDeliveredAndTheTaskKeepsRunning() throws Exception {
        Path log = dir.resolve("skewed.log");
        long ahead = Instant.now().plus(Duration.ofHours(3)).toEpochMilli();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long time = i % 2 == 0 ? ahead + i : Instant.now().toEpochMilli();
            lines.add("{\"timestamp\":" + time + ",\"level\":\"info\",\"message\":\"line " + i + "\"}");
        }
        Files.write(log, lines);
        CONNECT.createTopic("skewed", 1);
        Map<String, String> config = SourceTestSupport.sourceConfig("skewed", dir + "/skewed.log", 1);
        config.put("errors.tolerance", "none");
        CONNECT.deployConnector("skewed-source", transform(config));

        List<ConsumerRecord<byte[], byte[]>> records = CONNECT.consume("skewed", 20, Duration.ofSeconds(60));
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "line " + i).toList());
        assertThat(header(records.get(0), "loki.timestamp.ns")).isEqualTo(ahead * 1_000_000L + "");
        CONNECT.awaitRunning("skewed-source", 1, Duration.ofSeconds(10));
        Files.writeString(log, "{\"timestamp\":" + (ahead + 99) + ",\"message\":\"after\"}\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(CONNECT.consume("skewed", 21, Duration.ofSeconds(60)).get(20).value())
                .asString(StandardCharsets.UTF_8).isEqualTo("after");
        CONNECT.awaitRunning("skewed-source", 1, Duration.ofSeconds(10));
    }

    @Test
    void onTheSinkConnectorTheSameLabelsReachLoki() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.discoverServiceName(java.util.List.of()); // the labels as sent, without Loki 3's service_name
            CONNECT.createTopic("raw", 1);
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (String line : jsonLines()) {
                records.add(new ProducerRecord<>("raw", null, Instant.now().toEpochMilli(), "app.log", line));
            }
            SinkTestSupport.produce(CONNECT.bootstrapServers(), records);
            Map<String, String> config = SinkTestSupport.sinkConfig("raw", loki.baseUrl());
            CONNECT.deployConnector("labelled-sink", transform(config));

            ReceiverWait.on(loki).sink(CONNECT, "labelled-sink").awaitEntries(3, Duration.ofSeconds(60));
            ReceivedEntry warn = loki.entriesWithLabel("service", "api").get(0);
            assertThat(warn.labels()).isEqualTo(Map.of("job", "kafka-logs", "level", "warn", "service", "api"));
            assertThat(warn.timestampNanos()).isEqualTo(T1_NS);
            assertThat(warn.line()).isEqualTo("disk \"almost\" full");
            assertThat(warn.metadata()).containsEntry("trace_id", "t-1");
            assertThat(loki.entriesWithLabel("service", "db")).singleElement()
                    .satisfies(e -> assertThat(e.labels()).containsEntry("level", "info"));
            // The plain line is passed on, labelled only with the static labels.
            assertThat(loki.entries()).filteredOn(e -> e.line().equals("plain text line without json"))
                    .singleElement().satisfies(e -> assertThat(e.labels()).isEqualTo(Map.of("job", "kafka-logs")));
        }
    }

    /** Label values built to break a label-set text that is not escaped, and values a header converter could parse. */
    private static final List<String> HOSTILE = List.of("a\", level=\"fatal", "}{job=\"x\"}", "one,two=three",
            "line one\nline two", "back\\slash \\\" quote", "{\"a\":1}", "1.50", "007", "null", "TRUE",
            "2024-05-01T12:00:00.000Z", " padded ", "\u00e9\u4e2d\ud83d\ude00");

    private static String hostileLine(int i, String service) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                Map.of("level", "info", "service", service, "message", "hostile " + i));
    }

    /** The transform on the sink (as connect-configs/ ships it): every value reaches Loki as it was, in both encodings. */
    @Test
    void hostileLabelValuesReachLokiIntactInBothEncodings() throws Exception {
        for (String encoding : List.of("protobuf", "json")) {
            try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
                loki.discoverServiceName(java.util.List.of()); // the labels as sent, without Loki 3's service_name
                String topic = "hostile-" + encoding;
                CONNECT.createTopic(topic, 1);
                List<ProducerRecord<String, String>> records = new ArrayList<>();
                for (int i = 0; i < HOSTILE.size(); i++) {
                    records.add(new ProducerRecord<>(topic, null, Instant.now().toEpochMilli(), "app.log",
                            hostileLine(i, HOSTILE.get(i))));
                }
                SinkTestSupport.produce(CONNECT.bootstrapServers(), records);
                Map<String, String> config = SinkTestSupport.sinkConfig(topic, loki.baseUrl());
                config.put("loki.encoding", encoding);
                CONNECT.deployConnector(topic + "-sink", transform(config));

                ReceiverWait.on(loki).sink(CONNECT, topic + "-sink").awaitEntries(HOSTILE.size(), Duration.ofSeconds(60));
                for (int i = 0; i < HOSTILE.size(); i++) {
                    String line = "hostile " + i;
                    assertThat(loki.entries()).as(encoding + ": " + HOSTILE.get(i))
                            .filteredOn(e -> e.line().equals(line)).singleElement()
                            .extracting(ReceivedEntry::labels)
                            .isEqualTo(Map.of("job", "kafka-logs", "level", "info", "service", HOSTILE.get(i)));
                }
                CONNECT.cluster().deleteConnector(topic + "-sink");
            }
        }
    }

    /**
     * The transform on the source: its headers travel through Kafka, and the sink must read them back as the strings
     * they were. Connect's default SimpleHeaderConverter parses them instead ({"a":1} becomes a Map, 1.50 a Float 1.5,
     * 007 a Byte 7, "null" no value at all), so the sink connector sets header.converter=StringConverter.
     */
    @Test
    void hostileLabelValuesWrittenOnTheSourceSurviveKafkaWithTheStringHeaderConverter() throws Exception {
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            loki.discoverServiceName(java.util.List.of()); // the labels as sent, without Loki 3's service_name
            Path log = dir.resolve("hostile.log");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < HOSTILE.size(); i++) {
                lines.add(hostileLine(i, HOSTILE.get(i)));
            }
            Files.write(log, lines);
            CONNECT.createTopic("hostile-source", 1);
            Map<String, String> source = SourceTestSupport.sourceConfig("hostile-source", log.toString(), 1);
            CONNECT.deployConnector("hostile-source", transform(source));
            Map<String, String> sink = SinkTestSupport.sinkConfig("hostile-source", loki.baseUrl());
            sink.put("header.converter", "org.apache.kafka.connect.storage.StringConverter");
            CONNECT.deployConnector("hostile-source-sink", sink);

            ReceiverWait.on(loki).sink(CONNECT, "hostile-source-sink")
                    .awaitEntries(HOSTILE.size(), Duration.ofSeconds(60));
            for (int i = 0; i < HOSTILE.size(); i++) {
                String line = "hostile " + i;
                assertThat(loki.entries()).as(HOSTILE.get(i)).filteredOn(e -> e.line().equals(line)).singleElement()
                        .extracting(e -> e.labels().get("service")).isEqualTo(HOSTILE.get(i));
            }
        }
    }
}
