package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.headers.FileHeaders;
import io.lokiconnect.sink.entry.LokiEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The mapper keeps state across records (the previous record's labels, label sets by pairs and by map, label names
 * by header key, the last file's time shift): a sequence of records through one mapper gives each record the entry a
 * fresh mapper gives it. Records alternate topics, streams, duplicate and empty labels, files and hosts, and carry new
 * string instances for every header, as the worker's header converter makes them.
 */
class SinkRecordMapperModelTest {

    private static final String[] CONFIG = {"labels.static", "job=kafka-logs", "labels.from.record", "topic"};

    @Property(tries = 200)
    void oneMapperForManyRecordsGivesWhatAFreshMapperGivesEach(@ForAll("records") List<SinkRecord> records) {
        SinkRecordMapper shared = mapper();
        for (SinkRecord record : records) {
            LokiEntry expected = mapper().toEntry(record, null);
            LokiEntry actual = shared.toEntry(record, null);
            assertThat(actual.labels()).isEqualTo(expected.labels());
            assertThat(actual.labels().text()).isEqualTo(expected.labels().text());
            assertThat(actual.timestampNanos()).isEqualTo(expected.timestampNanos());
            assertThat(actual.line()).isEqualTo(expected.line());
            assertThat(actual.lineBytes()).isEqualTo(expected.lineBytes());
            assertThat(actual.metadata()).isEqualTo(expected.metadata());
        }
    }

    private static SinkRecordMapper mapper() {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", "http://loki:3100"));
        for (int i = 0; i < CONFIG.length; i += 2) {
            props.put(CONFIG[i], CONFIG[i + 1]);
        }
        return new SinkRecordMapper(new LokiSinkConfig(props));
    }

    @Provide
    Arbitrary<List<SinkRecord>> records() {
        Arbitrary<String> topic = Arbitraries.of("logs", "logs-2");
        Arbitrary<String> level = Arbitraries.of("info", "warn", "", "é✓").injectNull(0.2);
        Arbitrary<String> service = Arbitraries.of("api", "db", "checkout").injectNull(0.2);
        Arbitrary<String> second = Arbitraries.of("api", "db").injectNull(0.7); // a second header of one label
        Arbitrary<String> path = Arbitraries.of("/var/log/a.log", "/var/log/b.log").injectNull(0.2);
        Arbitrary<String> host = Arbitraries.of("h1", "h2").injectNull(0.3);
        Arbitrary<Long> offset = Arbitraries.longs().between(0, 1_000_000);
        Arbitrary<String> line = Arbitraries.strings().all().ofMaxLength(20);
        return Combinators.combine(topic, level, service, second, path, host, offset, line)
                .as((t, l, s, s2, p, h, o, v) -> {
                    ConnectHeaders headers = new ConnectHeaders();
                    if (l != null) {
                        headers.addString(new String("loki.label.level"), new String(l));
                    }
                    if (s != null) {
                        headers.addString(new String("loki.label.service"), new String(s));
                    }
                    if (s2 != null) {
                        headers.addString(new String("loki.label.service"), new String(s2));
                    }
                    if (p != null) {
                        headers.addString(new String(FileHeaders.FILE_PATH), new String(p));
                    }
                    if (h != null) {
                        headers.addString(new String(FileHeaders.HOST), new String(h));
                    }
                    headers.addString(new String(FileHeaders.FILE_OFFSET), Long.toString(o));
                    return new SinkRecord(t, 0, Schema.STRING_SCHEMA, "k", null, v, o, 1_764_000_000_000L + o,
                            org.apache.kafka.common.record.TimestampType.CREATE_TIME, headers);
                })
                .list().ofMaxSize(60);
    }
}
