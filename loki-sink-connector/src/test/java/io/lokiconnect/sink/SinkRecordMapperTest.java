package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.sink.entry.LokiEntry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class SinkRecordMapperTest {

    private static SinkRecordMapper mapper(String... kv) {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", "http://loki:3100"));
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return new SinkRecordMapper(new LokiSinkConfig(props));
    }

    private static SinkRecord record(String topic, long offset, Long timestamp, Object value, ConnectHeaders headers) {
        return new SinkRecord(topic, 1, Schema.STRING_SCHEMA, "k", null, value, offset, timestamp,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, headers);
    }

    @Test
    void labelsComeFromStaticConfigHeadersAndRecordCoordinates() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("loki.label.level", "warn");
        headers.addString("loki.label.k8s.namespace", "shop");
        headers.addString("loki.meta.trace_id", "t-1");
        headers.addString("loki.timestamp.ns", "1764000000123456789");
        LokiEntry entry = mapper("labels.static", "job=kafka-logs", "labels.from.record", "topic,partition")
                .toEntry(record("logs", 7, 1L, "line", headers), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("job", "kafka-logs"), Map.entry("level", "warn"),
                Map.entry("k8s_namespace", "shop"), Map.entry("topic", "logs"), Map.entry("partition", "1"));
        assertThat(entry.metadata()).containsOnly(Map.entry("trace_id", "t-1"));
        assertThat(entry.timestampNanos()).isEqualTo(1_764_000_000_123_456_789L);
        assertThat(entry.line()).isEqualTo("line");
    }

    @Test
    void recordTimeGetsASubMillisecondPartFromThePartitionAndOffsetSoEqualLinesStayDistinct() {
        SinkRecordMapper mapper = mapper("labels.static", "job=x");
        LokiEntry a = mapper.toEntry(record("logs", 41, 1_700_000_000_000L, "same", new ConnectHeaders()), null);
        LokiEntry b = mapper.toEntry(record("logs", 42, 1_700_000_000_000L, "same", new ConnectHeaders()), null);
        assertThat(a.timestampNanos() / 1_000_000L).isEqualTo(1_700_000_000_000L);
        assertThat(b.timestampNanos() / 1_000_000L).isEqualTo(1_700_000_000_000L);
        assertThat(a.timestampNanos()).isNotEqualTo(b.timestampNanos());
        // A replay of the same record gives the same time, so Loki can drop it as a duplicate.
        assertThat(mapper.toEntry(record("logs", 41, 1_700_000_000_000L, "same", new ConnectHeaders()), null)
                .timestampNanos()).isEqualTo(a.timestampNanos());
    }

    /** The case: three identical events under one second-precision time from the transform. */
    @Test
    void identicalLinesUnderASecondPrecisionTimeHeaderTakeTheirPartFromTheFilePosition() {
        SinkRecordMapper mapper = mapper("labels.static", "job=x");
        java.util.Set<Long> times = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            ConnectHeaders headers = new ConnectHeaders();
            headers.addString("loki.timestamp.ns", "1764000000000000000");
            headers.addString("log.file.path", "/var/log/app.log");
            headers.addString("log.file.offset", Long.toString(i * 42L));
            // Same file position, another Kafka offset: a replay from the source gets the same time.
            LokiEntry entry = mapper.toEntry(record("logs", 1000 + i, 1L, "same", headers), null);
            LokiEntry replay = mapper.toEntry(record("logs", 5000 + i, 1L, "same", headers), null);
            assertThat(replay.timestampNanos()).isEqualTo(entry.timestampNanos());
            assertThat(entry.timestampNanos() / 1_000_000L).isEqualTo(1_764_000_000_000L);
            times.add(entry.timestampNanos());
        }
        assertThat(times).hasSize(3);
        // A time with nanoseconds of its own is kept.
        ConnectHeaders precise = new ConnectHeaders();
        precise.addString("loki.timestamp.ns", "1764000000123456789");
        precise.addString("log.file.offset", "42");
        assertThat(mapper.toEntry(record("logs", 1, 1L, "x", precise), null).timestampNanos())
                .isEqualTo(1_764_000_000_123_456_789L);
    }

    /** Loki reserves names beginning with __: a header cannot make one, by the same rule as the transform. */
    @Test
    void labelNamesFromHeadersFollowTheSharedRuleIncludingTheReservedPrefix() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("loki.label.__name__", "a");
        headers.addString("loki.label.__stream_shard__", "b");
        headers.addString("loki.label.5xx", "c");
        headers.addString("loki.label.", "d");
        LokiEntry entry = mapper().toEntry(record("t", 1, 1L, "x", headers), null);
        assertThat(entry.labels().asMap()).containsOnly(Map.entry("_name__", "a"), Map.entry("_stream_shard__", "b"),
                Map.entry("_5xx", "c"), Map.entry("_", "d"));
        assertThat(entry.labels().asMap().keySet())
                .allSatisfy(name -> assertThat(io.lokiconnect.common.loki.LabelNames.isValid(name)).isTrue());
    }

    @Test
    void aRecordWithoutAnyLabelIsLabelledWithItsTopic() {
        SinkRecordMapper mapper = mapper();
        assertThat(mapper.toEntry(record("a", 1, 1L, "x", new ConnectHeaders()), null).labels().text())
                .isEqualTo("{job=\"a\"}");
        assertThat(mapper.toEntry(record("b", 1, 1L, "x", new ConnectHeaders()), null).labels().text())
                .isEqualTo("{job=\"b\"}");
    }

    @Test
    void lineFormatsFoldHeadersIn() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("log.file.path", "/var/log/a.log");
        LokiEntry json = mapper("line.format", "json", "line.format.headers", "log.file.path,log.host")
                .toEntry(record("logs", 1, 1L, "hello", headers), null);
        assertThat(json.line()).isEqualTo("{\"message\":\"hello\",\"log.file.path\":\"/var/log/a.log\"}");
        LokiEntry logfmt = mapper("line.format", "logfmt").toEntry(record("logs", 1, 1L, "hello", headers), null);
        assertThat(logfmt.line()).isEqualTo("message=hello log.file.path=/var/log/a.log");
    }

    @Test
    void structAndMapValuesAreSentAsJsonAndNullValuesAreSkipped() {
        Schema schema = SchemaBuilder.struct().field("msg", Schema.STRING_SCHEMA).field("n", Schema.INT32_SCHEMA).build();
        Struct struct = new Struct(schema).put("msg", "hi").put("n", 3);
        assertThat(mapper().toEntry(record("t", 1, 1L, struct, new ConnectHeaders()), null).line())
                .isEqualTo("{\"msg\":\"hi\",\"n\":3}");
        assertThat(mapper().toEntry(record("t", 1, 1L, Map.of("a", true), new ConnectHeaders()), null).line())
                .isEqualTo("{\"a\":true}");
        assertThat(mapper().toEntry(record("t", 1, 1L, null, new ConnectHeaders()), null)).isNull();
    }

    @Test
    void aBadTimestampHeaderIsADataExceptionNamingTheHeader() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("loki.timestamp.ns", "yesterday");
        assertThatThrownBy(() -> mapper().toEntry(record("t", 1, 1L, "x", headers), null))
                .isInstanceOf(DataException.class).hasMessageContaining("loki.timestamp.ns");
        assertThatThrownBy(() -> mapper().toEntry(record("t", 1, null, "x", new ConnectHeaders()), null))
                .isInstanceOf(DataException.class).hasMessageContaining("no timestamp");
    }

    /** The label set of the previous record is reused only when topic and label pairs are all the same. */
    @Test
    void consecutiveRecordsGetTheRightStreamWhenLabelsTopicOrOrderChange() {
        SinkRecordMapper mapper = mapper();
        java.util.function.BiFunction<String, String[], LokiEntry> entry = (topic, labels) -> {
            ConnectHeaders headers = new ConnectHeaders();
            for (int i = 0; i < labels.length; i += 2) {
                headers.addString("loki.label." + labels[i], labels[i + 1]);
            }
            return mapper.toEntry(record(topic, 1, 1L, "line", headers), null);
        };
        LokiEntry first = entry.apply("logs", new String[] {"level", "info", "service", "api"});
        assertThat(entry.apply("logs", new String[] {"level", "info", "service", "api"}).labels())
                .isSameAs(first.labels());
        assertThat(entry.apply("logs", new String[] {"level", "warn", "service", "api"}).labels().asMap())
                .containsOnly(Map.entry("level", "warn"), Map.entry("service", "api"));
        // The same labels in another order: the same stream.
        assertThat(entry.apply("logs", new String[] {"service", "api", "level", "info"}).labels())
                .isEqualTo(first.labels());
        // A label given twice: the later header wins, as with one map per record.
        assertThat(entry.apply("logs", new String[] {"level", "info", "level", "error"}).labels().asMap())
                .containsOnly(Map.entry("level", "error"));
        // Without labels the stream depends on the topic, also right after a record of another topic.
        assertThat(entry.apply("a", new String[0]).labels().asMap()).containsOnly(Map.entry("job", "a"));
        assertThat(entry.apply("b", new String[0]).labels().asMap()).containsOnly(Map.entry("job", "b"));
        assertThat(entry.apply("b", new String[] {"level", ""}).labels().asMap()).containsOnly(Map.entry("job", "b"));
    }

    /** The source's headers in any order, with or without path and host: the file position gives the part. */
    @Test
    void filePositionIsReadInTheSamePassWhateverHeadersTheSourceSends() {
        SinkRecordMapper mapper = mapper("labels.static", "job=x");
        ConnectHeaders onlyOffset = new ConnectHeaders();
        onlyOffset.addString("log.file.offset", "84");
        ConnectHeaders reordered = new ConnectHeaders();
        reordered.addString("log.host", "h");
        reordered.addString("log.file.offset", "84");
        reordered.addString("log.file.path", "/p");
        ConnectHeaders inOrder = new ConnectHeaders();
        inOrder.addString("log.file.path", "/p");
        inOrder.addString("log.file.offset", "84");
        inOrder.addString("log.host", "h");
        long time = 1_700_000_000_000L;
        long a = mapper.toEntry(record("logs", 5, time, "l", reordered), null).timestampNanos();
        long b = mapper.toEntry(record("logs", 6, time, "l", inOrder), null).timestampNanos();
        long c = mapper.toEntry(record("logs", 5, time, "l", onlyOffset), null).timestampNanos();
        long byPartition = mapper.toEntry(record("logs", 5, time, "l", new ConnectHeaders()), null).timestampNanos();
        assertThat(a).isEqualTo(b); // the file position, not the Kafka offset
        assertThat(a).isNotEqualTo(c); // path and host shift the part
        assertThat(c).isNotEqualTo(byPartition);
        assertThat(c / 1_000_000L).isEqualTo(time);
    }
}
