package io.lokiconnect.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.common.loki.CardinalityGuard;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonLabelsTest {

    private static final long RECORD_TIME = 1_600_000_000_000L;
    private static final String LINE = "{\"timestamp\":\"2024-05-01T12:00:00.123456789Z\",\"level\":\"WARNING\","
            + "\"service\":\"api\",\"message\":\"disk almost full\",\"trace_id\":\"abc123\"}";

    private JsonLabels<SourceRecord> transform = new JsonLabels<>();
    /** The counters of the last configured transform, as published through PluginMetrics. */
    private RecordingPluginMetrics counters;

    @AfterEach
    void close() {
        transform.close();
    }

    private JsonLabels<SourceRecord> configured(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        transform.configure(props);
        counters = new RecordingPluginMetrics();
        transform.withPluginMetrics(counters);
        return transform;
    }

    private static SourceRecord record(Object value) {
        return record(null, value);
    }

    private static SourceRecord record(Schema schema, Object value) {
        return new SourceRecord(Map.of("file", "/var/log/app.log"), Map.of("position", 1L), "logs", 0,
                Schema.STRING_SCHEMA, "key-1", schema, value, RECORD_TIME, new ConnectHeaders().addString("log.file",
                "/var/log/app.log"));
    }

    private static SinkRecord sinkRecord(String value) {
        return new SinkRecord("logs", 0, null, null, null, value, 7L, RECORD_TIME,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME);
    }

    /**
     * KIP-1030: a Kafka 4 broker refuses a record more than 1 h ahead of its clock, which fails the source task
     * (errors.tolerance=none, again after every restart) or drops the line (all); an old line time makes time-based
     * retention delete the record early. On the source the record keeps the time it was read, at any line time.
     */
    @Test
    void onTheSourceTheLineTimeGoesOnlyInTheHeaderNeverTheRecordTimestamp() {
        long now = System.currentTimeMillis();
        for (long lineMillis : new long[] {now + 3 * 3_600_000L, now + 3_600_001L, now - 30L * 86_400_000L, 1L}) {
            String iso = java.time.Instant.ofEpochMilli(lineMillis).toString();
            SourceRecord out = configured().apply(record("{\"timestamp\":\"" + iso + "\",\"message\":\"m\"}"));
            assertThat(out.timestamp()).as(iso).isEqualTo(RECORD_TIME);
            assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).as(iso).isEqualTo(lineMillis * 1_000_000L + "");
        }
    }

    @Test
    void onTheSinkTheRecordTimestampFollowsTheLine() {
        JsonLabels<SinkRecord> sink = new JsonLabels<>();
        sink.configure(Map.of());
        long ahead = System.currentTimeMillis() + 3 * 3_600_000L;
        SinkRecord out = sink.apply(sinkRecord("{\"timestamp\":" + ahead + "}"));
        assertThat(out.timestamp()).isEqualTo(ahead);
        assertThat(out.headers().lastWithName(LokiHeaders.TIMESTAMP_NS).value()).isEqualTo(ahead * 1_000_000L + "");
        sink.close();
    }

    private static String header(SourceRecord record, String name) {
        Header header = record.headers().lastWithName(name);
        return header == null ? null : (String) header.value();
    }

    private static String label(SourceRecord record, String name) {
        return header(record, LokiHeaders.LABEL_PREFIX + name);
    }

    private static long count(SourceRecord record, String name) {
        int n = 0;
        for (Header h : record.headers()) {
            if (h.key().equals(name)) {
                n++;
            }
        }
        return n;
    }

    // --- the whole path, default configuration ---------------------------------------------------------------

    @Test
    void defaultConfigurationLabelsLevelAndServiceAndKeepsMessageTimeKeyAndOtherHeaders() {
        SourceRecord out = configured().apply(record(Schema.STRING_SCHEMA, LINE));

        assertThat(label(out, "level")).isEqualTo("warn");
        assertThat(label(out, "service")).isEqualTo("api");
        assertThat(out.value()).isEqualTo("disk almost full");
        assertThat(out.valueSchema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isEqualTo("1714564800123456789");
        assertThat(out.timestamp()).as("a source record keeps the time it was read").isEqualTo(RECORD_TIME);
        assertThat(out.key()).isEqualTo("key-1");
        assertThat(out.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(header(out, "log.file")).isEqualTo("/var/log/app.log");
        assertThat(out.sourcePartition()).isEqualTo(Map.of("file", "/var/log/app.log"));
        assertThat(out.topic()).isEqualTo("logs");
        assertThat(counters.value("records-parsed-total")).isEqualTo(1);
    }

    @Test
    void sinkRecordsKeepTheirOffset() {
        JsonLabels<SinkRecord> sink = new JsonLabels<>();
        sink.configure(Map.of());
        SinkRecord in = new SinkRecord("logs", 3, null, null, null, LINE, 42L, RECORD_TIME,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME);

        SinkRecord out = sink.apply(in);

        assertThat(out.kafkaOffset()).isEqualTo(42L);
        assertThat(out.kafkaPartition()).isEqualTo(3);
        assertThat(out.headers().lastWithName(LokiHeaders.LABEL_PREFIX + "level").value()).isEqualTo("warn");
        assertThat(out.value()).isEqualTo("disk almost full");
    }

    @Test
    void versionAndConfigComeFromTheProject() {
        assertThat(transform.version()).isEqualTo(Version.get());
        assertThat(transform.config()).isSameAs(JsonLabels.CONFIG_DEF);
        assertThat(JsonLabels.CONFIG_DEF.names()).contains("label.fields", "timestamp.field", "timestamp.format",
                "message.field", "line.output", "metadata.fields", "static.labels", "label.header.prefix",
                "metadata.header.prefix", "level.normalize", "level.default", "input.format", "on.parse.error",
                "label.value.max.length", "label.values.max");
        assertThat((Transformation<SourceRecord>) transform).isInstanceOf(Transformation.class);
    }

    // --- one test per key -------------------------------------------------------------------------------------

    @Test
    void labelFieldsReadsNestedPathsAndRenames() {
        configured("label.fields", "kubernetes.namespace,app:service,level");
        SourceRecord out = transform.apply(record(
                "{\"kubernetes\":{\"namespace\":\"prod\",\"pod\":\"p-1\"},\"app\":\"billing\",\"level\":\"info\"}"));

        assertThat(label(out, "kubernetes_namespace")).isEqualTo("prod");
        assertThat(label(out, "service")).isEqualTo("billing");
        assertThat(label(out, "app")).isNull();
        assertThat(label(out, "level")).isEqualTo("info");
    }

    @Test
    void absentNullAndEmptyFieldsGiveNoLabel() {
        SourceRecord out = configured("label.fields", "level,service,env")
                .apply(record("{\"level\":null,\"service\":\"\"}"));

        assertThat(label(out, "level")).isNull();
        assertThat(label(out, "service")).isNull();
        assertThat(label(out, "env")).isNull();
    }

    @Test
    void timestampFieldChoosesWhereTheTimeIsRead() {
        SourceRecord out = configured("timestamp.field", "ts")
                .apply(record("{\"ts\":1700000000,\"timestamp\":\"garbage\"}"));

        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isEqualTo("1700000000000000000");
        assertThat(counters.value("timestamp-failures-total")).isZero();
    }

    @Test
    void emptyTimestampFieldLeavesTheTimestampAlone() {
        SourceRecord out = configured("timestamp.field", "").apply(record(LINE));

        assertThat(out.timestamp()).isEqualTo(RECORD_TIME);
        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isNull();
    }

    @Test
    void timestampFormatReadsACustomPattern() {
        SourceRecord out = configured("timestamp.format", "dd/MMM/yyyy:HH:mm:ss Z")
                .apply(record("{\"timestamp\":\"10/Oct/2023:13:55:36 -0700\"}"));

        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isEqualTo("1696971336000000000");
    }

    @Test
    void unparseableTimestampKeepsRecordTimestampAndIsCounted() {
        SourceRecord out = configured().apply(record("{\"timestamp\":\"yesterday\",\"message\":\"m\"}"));

        assertThat(out.timestamp()).isEqualTo(RECORD_TIME);
        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isNull();
        assertThat(counters.value("timestamp-failures-total")).isEqualTo(1);
        assertThat(out.value()).isEqualTo("m");
    }

    /**
     * Kafka refuses record times before 1970 (the worker would fail the source task, and again after every restart):
     * the record keeps its own time, the header carries the line's.
     */
    @Test
    void timestampBeforeTheEpochKeepsTheRecordTimeAndGoesInTheHeader() {
        for (String[] c : new String[][] {{"1969-12-31T23:59:59.9995Z", "-500000"},
                {"1969-12-31T23:59:58Z", "-2000000000"}, {"1969-12-31T23:59:59.999Z", "-1000000"}}) {
            SourceRecord out = configured().apply(record("{\"timestamp\":\"" + c[0] + "\"}"));
            assertThat(out.timestamp()).as(c[0]).isEqualTo(RECORD_TIME);
            assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).as(c[0]).isEqualTo(c[1]);
        }
        JsonLabels<SinkRecord> sink = new JsonLabels<>();
        sink.configure(Map.of());
        SinkRecord epoch = sink.apply(sinkRecord("{\"timestamp\":\"1970-01-01T00:00:00.0005Z\"}"));
        assertThat(epoch.timestamp()).as("at the epoch").isEqualTo(0L);
        SinkRecord before = sink.apply(sinkRecord("{\"timestamp\":\"1969-12-31T23:59:58Z\"}"));
        assertThat(before.timestamp()).as("before the epoch, on the sink").isEqualTo(RECORD_TIME);
        sink.close();
    }

    @Test
    void messageFieldChoosesTheMessageText() {
        SourceRecord out = configured("message.field", "msg").apply(record("{\"msg\":\"hello\",\"message\":\"no\"}"));

        assertThat(out.value()).isEqualTo("hello");
    }

    @Test
    void nestedMessageObjectBecomesItsJsonText() {
        SourceRecord out = configured().apply(record("{\"message\": {\"a\": [1, 2]}}"));

        assertThat(out.value()).isEqualTo("{\"a\": [1, 2]}");
    }

    @Test
    void missingMessageFieldKeepsTheOriginalLine() {
        String line = "{\"level\":\"info\",\"msg\":\"elsewhere\"}";
        SourceRecord out = configured().apply(record(Schema.STRING_SCHEMA, line));

        assertThat(out.value()).isSameAs(line);
        assertThat(out.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(label(out, "level")).isEqualTo("info");
    }

    @Test
    void lineOutputOriginalKeepsTheWholeLine() {
        SourceRecord out = configured("line.output", "original").apply(record(Schema.STRING_SCHEMA, LINE));

        assertThat(out.value()).isSameAs(LINE);
        assertThat(out.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(label(out, "level")).isEqualTo("warn");
    }

    @Test
    void metadataFieldsBecomeMetadataHeaders() {
        SourceRecord out = configured("metadata.fields", "trace_id,http.status:status").apply(record(
                "{\"trace_id\":\"abc123\",\"http\":{\"status\":503},\"message\":\"m\"}"));

        assertThat(header(out, LokiHeaders.METADATA_PREFIX + "trace_id")).isEqualTo("abc123");
        assertThat(header(out, LokiHeaders.METADATA_PREFIX + "status")).isEqualTo("503");
        assertThat(label(out, "trace_id")).isNull();
    }

    /** Issue 19: tenant.field gives the record's tenant in the loki.tenant header, which the sink sends per push. */
    @Test
    void theTenantFieldBecomesTheTenantHeaderReplacingAnyEarlierOne() {
        JsonLabels<SourceRecord> t = configured("tenant.field", "k8s.namespace");
        SourceRecord in = record("{\"k8s\":{\"namespace\":\"team-a\"},\"message\":\"m\"}");
        in.headers().addString(LokiHeaders.TENANT, "producer-set");
        SourceRecord out = t.apply(in);
        assertThat(header(out, LokiHeaders.TENANT)).isEqualTo("team-a");
        assertThat(count(out, LokiHeaders.TENANT)).isEqualTo(1);
        // A line without the field (or with it empty) keeps what the producer set, and adds nothing otherwise.
        SourceRecord without = record("{\"k8s\":{\"namespace\":\"\"},\"message\":\"m\"}");
        without.headers().addString(LokiHeaders.TENANT, "producer-set");
        assertThat(header(t.apply(without), LokiHeaders.TENANT)).isEqualTo("producer-set");
        assertThat(header(t.apply(record("{\"message\":\"m\"}")), LokiHeaders.TENANT)).isNull();
        // A logfmt line too, and a multi-byte value passes as is (the sink refuses what Loki refuses).
        JsonLabels<SourceRecord> logfmt = configured("tenant.field", "tenant", "input.format", "logfmt");
        assertThat(header(logfmt.apply(record("tenant=\u00e9quipe msg=x")), LokiHeaders.TENANT)).isEqualTo("\u00e9quipe");
    }

    @Test
    void withoutTenantFieldNoTenantHeaderIsWritten() {
        SourceRecord out = configured().apply(record("{\"tenant\":\"team-a\",\"message\":\"m\"}"));
        assertThat(header(out, LokiHeaders.TENANT)).isNull();
    }

    @Test
    void staticLabelsAreAddedToEveryParsedRecord() {
        SourceRecord out = configured("static.labels", "job=api, env=prod").apply(record(LINE));

        assertThat(label(out, "job")).isEqualTo("api");
        assertThat(label(out, "env")).isEqualTo("prod");
        assertThat(label(out, "level")).isEqualTo("warn");
    }

    @Test
    void fieldLabelOverridesStaticLabelOfTheSameNameOnlyWhenPresent() {
        configured("static.labels", "service=unknown");

        assertThat(label(transform.apply(record("{\"service\":\"api\"}")), "service")).isEqualTo("api");
        assertThat(label(transform.apply(record("{\"level\":\"info\"}")), "service")).isEqualTo("unknown");
    }

    @Test
    void labelHeaderPrefixIsConfigurable() {
        SourceRecord out = configured("label.header.prefix", "lbl_").apply(record(LINE));

        assertThat(header(out, "lbl_level")).isEqualTo("warn");
        assertThat(label(out, "level")).isNull();
    }

    @Test
    void metadataHeaderPrefixIsConfigurable() {
        SourceRecord out = configured("metadata.fields", "trace_id", "metadata.header.prefix", "sm.")
                .apply(record(LINE));

        assertThat(header(out, "sm.trace_id")).isEqualTo("abc123");
    }

    @Test
    void levelNormalizeOffKeepsTheLevelAsWritten() {
        SourceRecord out = configured("level.normalize", "false").apply(record(LINE));

        assertThat(label(out, "level")).isEqualTo("WARNING");
    }

    @Test
    void warningIsNormalisedToWarn() {
        assertThat(label(configured().apply(record("{\"level\":\"Warning\"}")), "level")).isEqualTo("warn");
    }

    @Test
    void numericPinoLevelIsNormalised() {
        configured();
        assertThat(label(transform.apply(record("{\"level\":50}")), "level")).isEqualTo("error");
        assertThat(label(transform.apply(record("{\"level\":\"30\"}")), "level")).isEqualTo("info");
        assertThat(label(transform.apply(record("{\"level\":3}")), "level")).isEqualTo("error");
    }

    @Test
    void renamedLevelFieldIsNormalisedToo() {
        SourceRecord out = configured("label.fields", "severity:level").apply(record("{\"severity\":\"ERR\"}"));

        assertThat(label(out, "level")).isEqualTo("error");
    }

    @Test
    void levelDefaultLabelsLinesWithoutLevel() {
        configured("level.default", "INFO");

        assertThat(label(transform.apply(record("{\"message\":\"m\"}")), "level")).isEqualTo("info");
        assertThat(label(transform.apply(record("{\"level\":\"debug\"}")), "level")).isEqualTo("debug");
    }

    @Test
    void aBlankLevelIsNoLevelAndTakesTheDefault() {
        assertThat(label(configured().apply(record("{\"level\":\"   \"}")), "level")).isNull();
        transform = new JsonLabels<>();
        assertThat(label(configured("level.default", "info").apply(record("{\"level\":\" \\t \"}")), "level"))
                .isEqualTo("info");
    }

    @Test
    void withoutLevelDefaultALineWithoutLevelHasNoLevelLabel() {
        assertThat(label(configured().apply(record("{\"service\":\"a\"}")), "level")).isNull();
    }

    @Test
    void inputFormatLogfmtReadsKeyValueLines() {
        SourceRecord out = configured("input.format", "logfmt", "message.field", "msg").apply(record(
                "ts=2024-05-01T12:00:00Z level=error service=db msg=\"query failed: \\\"users\\\" locked\""));

        assertThat(label(out, "level")).isEqualTo("error");
        assertThat(label(out, "service")).isEqualTo("db");
        assertThat(out.value()).isEqualTo("query failed: \"users\" locked");
    }

    @Test
    void inputFormatAutoReadsJsonAndLogfmt() {
        configured("input.format", "auto");

        assertThat(label(transform.apply(record("  {\"level\":\"warn\"}")), "level")).isEqualTo("warn");
        assertThat(label(transform.apply(record("level=debug service=x")), "service")).isEqualTo("x");
        SourceRecord plain = record("just some text");
        assertThat(transform.apply(plain)).isSameAs(plain);
    }

    @Test
    void jsonInputDoesNotReadLogfmt() {
        SourceRecord in = record("level=debug service=x");

        assertThat(configured().apply(in)).isSameAs(in);
        assertThat(counters.value("parse-errors-total")).isEqualTo(1);
    }

    @Test
    void nonJsonLinePassesThroughUnchangedAndIsCounted() {
        SourceRecord in = record("plain text, not JSON");

        SourceRecord out = configured().apply(in);

        assertThat(out).isSameAs(in);
        assertThat(counters.value("records-passed-through-total")).isEqualTo(1);
        assertThat(counters.value("parse-errors-total")).isEqualTo(1);
        assertThat(counters.value("records-parsed-total")).isZero();
    }

    @Test
    void jsonArrayLinePassesThroughUnderPassthrough() {
        SourceRecord in = record("[{\"level\":\"info\"}]");

        assertThat(configured().apply(in)).isSameAs(in);
        assertThat(counters.value("parse-errors-total")).isEqualTo(1);
    }

    @Test
    void nonJsonLineFailsUnderFail() {
        configured("on.parse.error", "fail");

        assertThatThrownBy(() -> transform.apply(record("plain text")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic 'logs' partition 0")
                .hasMessageContaining("invalid JSON")
                .hasMessageNotContaining("plain text");
        assertThat(counters.value("parse-errors-total")).isEqualTo(1);
        assertThat(counters.value("records-passed-through-total")).isZero();
    }

    @Test
    void jsonArrayAndScalarLinesFailUnderFail() {
        configured("on.parse.error", "fail");

        assertThatThrownBy(() -> transform.apply(record("[1,2]")))
                .isInstanceOf(DataException.class).hasMessageContaining("JSON array, not a JSON object");
        assertThatThrownBy(() -> transform.apply(record("42")))
                .isInstanceOf(DataException.class).hasMessageContaining("JSON number, not a JSON object");
        assertThatThrownBy(() -> transform.apply(record("\"text\"")))
                .isInstanceOf(DataException.class).hasMessageContaining("JSON string, not a JSON object");
    }

    @Test
    void unsupportedValueTypeIsAParseError() {
        configured("on.parse.error", "fail");

        assertThatThrownBy(() -> transform.apply(record(Schema.INT32_SCHEMA, 7)))
                .isInstanceOf(DataException.class).hasMessageContaining("java.lang.Integer");
    }

    @Test
    void labelValueMaxLengthTruncatesAndCounts() {
        SourceRecord out = configured("label.value.max.length", "5").apply(record("{\"service\":\"abcdefgh\"}"));

        assertThat(label(out, "service")).isEqualTo("abcde");
        assertThat(counters.value("label-values-truncated-total")).isEqualTo(1);
    }

    @Test
    void labelValuesMaxSendsOverflowBeyondTheLimit() {
        configured("label.values.max", "2");

        assertThat(label(transform.apply(record("{\"service\":\"a\"}")), "service")).isEqualTo("a");
        assertThat(label(transform.apply(record("{\"service\":\"b\"}")), "service")).isEqualTo("b");
        assertThat(label(transform.apply(record("{\"service\":\"c\"}")), "service"))
                .isEqualTo(CardinalityGuard.OVERFLOW_VALUE);
        assertThat(label(transform.apply(record("{\"service\":\"a\"}")), "service")).isEqualTo("a");
        assertThat(counters.value("label-values-overflowed-total")).isEqualTo(1);
    }

    // --- values and headers -----------------------------------------------------------------------------------

    @Test
    void nullValuePassesThrough() {
        SourceRecord in = record(null);

        assertThat(configured().apply(in)).isSameAs(in);
        assertThat(counters.value("records-passed-through-total")).isEqualTo(1);
    }

    @Test
    void byteArrayValuesAreReadAsUtf8() {
        byte[] bytes = "{\"service\":\"caf\u00e9\",\"message\":\"gr\u00fc\u00df \u2603\"}".getBytes(StandardCharsets.UTF_8);

        SourceRecord out = configured().apply(record(Schema.BYTES_SCHEMA, bytes));

        assertThat(label(out, "service")).isEqualTo("caf\u00e9");
        assertThat(out.value()).isEqualTo("gr\u00fc\u00df \u2603");
        assertThat(out.valueSchema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    }

    @Test
    void byteArrayValueStaysBytesWithLineOutputOriginal() {
        byte[] bytes = LINE.getBytes(StandardCharsets.UTF_8);

        SourceRecord out = configured("line.output", "original").apply(record(Schema.BYTES_SCHEMA, bytes));

        assertThat(out.value()).isSameAs(bytes);
        assertThat(label(out, "service")).isEqualTo("api");
    }

    @Test
    void mapValuesAreReadDirectly() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("level", "ERROR");
        value.put("kubernetes", Map.of("namespace", "prod"));
        value.put("timestamp", 1_700_000_000_123L);
        value.put("message", "boom");
        value.put("tags", List.of("a", "b"));

        SourceRecord out = configured("label.fields", "level,kubernetes.namespace", "metadata.fields", "tags")
                .apply(record(value));

        assertThat(label(out, "level")).isEqualTo("error");
        assertThat(label(out, "kubernetes_namespace")).isEqualTo("prod");
        assertThat(header(out, LokiHeaders.METADATA_PREFIX + "tags")).isEqualTo("[\"a\",\"b\"]");
        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isEqualTo("1700000000123000000");
        assertThat(out.value()).isEqualTo("boom");
    }

    @Test
    void mapValueWithFlatDottedKeyAnswersTheDottedPath() {
        SourceRecord out = configured("label.fields", "service.name")
                .apply(record(Map.of("service.name", "checkout")));

        assertThat(label(out, "service_name")).isEqualTo("checkout");
    }

    @Test
    void structValuesAreReadByFieldName() {
        Schema k8s = SchemaBuilder.struct().field("namespace", Schema.STRING_SCHEMA).build();
        Schema schema = SchemaBuilder.struct()
                .field("level", Schema.INT32_SCHEMA)
                .field("service", Schema.OPTIONAL_STRING_SCHEMA)
                .field("kubernetes", k8s)
                .field("timestamp", org.apache.kafka.connect.data.Timestamp.SCHEMA)
                .field("message", Schema.STRING_SCHEMA)
                .build();
        Struct value = new Struct(schema)
                .put("level", 40)
                .put("kubernetes", new Struct(k8s).put("namespace", "prod"))
                .put("timestamp", new java.util.Date(1_700_000_000_456L))
                .put("message", "slow");

        SourceRecord out = configured("label.fields", "level,service,kubernetes.namespace",
                "metadata.fields", "kubernetes").apply(record(schema, value));

        assertThat(label(out, "level")).isEqualTo("warn");
        assertThat(label(out, "service")).isNull();
        assertThat(label(out, "kubernetes_namespace")).isEqualTo("prod");
        assertThat(header(out, LokiHeaders.METADATA_PREFIX + "kubernetes")).isEqualTo("{\"namespace\":\"prod\"}");
        assertThat(header(out, LokiHeaders.TIMESTAMP_NS)).isEqualTo("1700000000456000000");
        assertThat(out.value()).isEqualTo("slow");
        assertThat(out.valueSchema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    }

    /** A struct field holding structs {@code depth} levels deep, under the label field {@code ctx}. */
    /**
     * Connect's Struct.put validates the whole value recursively (three frames a level), so a deep test value is
     * built on a thread with a large stack; the transform itself then runs on the test's ordinary stack.
     */
    private static Struct nestedStruct(int depth) {
        Struct[] built = new Struct[1];
        Thread builder = new Thread(null, () -> built[0] = buildNestedStruct(depth), "deep-struct", 512L << 20);
        builder.start();
        try {
            builder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return built[0];
    }

    private static Struct buildNestedStruct(int depth) {
        Schema schema = SchemaBuilder.struct().field("leaf", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(schema).put("leaf", "x");
        for (int i = 1; i < depth; i++) {
            schema = SchemaBuilder.struct().field("a", schema).build();
            value = new Struct(schema).put("a", value);
        }
        Schema top = SchemaBuilder.struct().field("level", Schema.STRING_SCHEMA).field("ctx", schema).build();
        return new Struct(top).put("level", "info").put("ctx", value);
    }

    @Test
    void structsNestedUpToTheLimitAreRendered() {
        configured("label.fields", "level,ctx", "label.value.max.length", "1048576");
        for (int depth : new int[] {1000, 999}) {
            Struct value = nestedStruct(depth);
            SourceRecord out = transform.apply(record(value.schema(), value));

            assertThat(label(out, "ctx")).startsWith("{\"a\":{").endsWith("{\"leaf\":\"x\"" + "}".repeat(depth));
        }
    }

    @Test
    void structsNestedBeyondTheLimitAreAParseErrorNotAStackOverflow() {
        configured("label.fields", "level,ctx", "on.parse.error", "fail");
        for (int depth : new int[] {1001, 5000}) {
            Struct value = nestedStruct(depth);

            assertThatThrownBy(() -> transform.apply(record(value.schema(), value)))
                    .isInstanceOf(DataException.class).hasMessageContaining("deeper than 1000 levels");
        }
    }

    @Test
    void structValueStaysAStructWithLineOutputOriginal() {
        Schema schema = SchemaBuilder.struct().field("level", Schema.STRING_SCHEMA)
                .field("message", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(schema).put("level", "W").put("message", "m");

        SourceRecord out = configured("line.output", "original").apply(record(schema, value));

        assertThat(out.value()).isSameAs(value);
        assertThat(out.valueSchema()).isSameAs(schema);
        assertThat(label(out, "level")).isEqualTo("warn");
    }

    @Test
    void existingLabelHeadersOfTheSameNameAreReplacedNotDuplicated() {
        SourceRecord in = record(LINE);
        in.headers().addString(LokiHeaders.LABEL_PREFIX + "level", "stale");
        in.headers().addString(LokiHeaders.TIMESTAMP_NS, "1");

        SourceRecord out = configured().apply(in);

        assertThat(count(out, LokiHeaders.LABEL_PREFIX + "level")).isEqualTo(1);
        assertThat(label(out, "level")).isEqualTo("warn");
        assertThat(count(out, LokiHeaders.TIMESTAMP_NS)).isEqualTo(1);
        assertThat(in.headers().lastWithName(LokiHeaders.LABEL_PREFIX + "level").value()).isEqualTo("stale");
    }

    @Test
    void labelValuesKeepQuotesNewlinesAndUnicode() {
        SourceRecord out = configured().apply(record(
                "{\"service\":\"a \\\"quoted\\\"\\nname \u00e9\u4e2d\\ud83d\\ude00\",\"message\":\"x\"}"));

        assertThat(label(out, "service")).isEqualTo("a \"quoted\"\nname \u00e9\u4e2d\uD83D\uDE00");
    }

    @Test
    void labelNamesAreSanitised() {
        SourceRecord out = configured("label.fields", "http-status,1st,app.name:app name")
                .apply(record("{\"http-status\":\"200\",\"1st\":\"x\",\"app\":{\"name\":\"n\"}}"));

        assertThat(label(out, "http_status")).isEqualTo("200");
        assertThat(label(out, "_1st")).isEqualTo("x");
        assertThat(label(out, "app_name")).isEqualTo("n");
    }

    @Test
    void duplicateKeysLastOneWins() {
        SourceRecord out = configured().apply(record("{\"level\":\"info\",\"level\":\"error\"}"));

        assertThat(label(out, "level")).isEqualTo("error");
    }

    @Test
    void aOneMegabyteLineIsParsed() {
        String big = "x".repeat(1024 * 1024);
        SourceRecord out = configured().apply(record("{\"level\":\"info\",\"message\":\"" + big + "\",\"service\":\"s\"}"));

        assertThat(out.value()).isEqualTo(big);
        assertThat(label(out, "service")).isEqualTo("s");
    }

    @Test
    void deeplyNestedUnrequestedFieldsAreSkipped() {
        String deep = "{\"a\":".repeat(500) + "1" + "}".repeat(500);
        SourceRecord out = configured().apply(record("{\"skip\":" + deep + ",\"level\":\"debug\"}"));

        assertThat(label(out, "level")).isEqualTo("debug");
    }

    @Test
    void nestingBeyondJacksonsLimitIsAParseErrorNotACrash() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        SourceRecord in = record("{\"skip\":" + deep + ",\"level\":\"debug\"}");

        assertThat(configured().apply(in)).isSameAs(in);
        assertThat(counters.value("parse-errors-total")).isEqualTo(1);
    }

    @Test
    void parsedAndPassedThroughRecordsAreCounted() {
        configured();
        transform.apply(record(LINE));
        transform.apply(record("nope"));

        assertThat(counters.value("records-parsed-total")).isEqualTo(1);
        assertThat(counters.value("records-passed-through-total")).isEqualTo(1);
    }
}
