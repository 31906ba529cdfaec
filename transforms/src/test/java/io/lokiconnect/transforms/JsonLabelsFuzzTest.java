package io.lokiconnect.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.common.loki.LabelNames;
import io.lokiconnect.common.loki.Utf8;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Hostile input for {@link JsonLabels}: random bytes, invalid UTF-8, 5 MB lines, 10,000 keys, nesting 10,000 deep,
 * huge numbers, and quotes, braces, commas and newlines in label values, in every input format and both
 * {@code on.parse.error} settings. Each record must come back (or, under {@code fail}, throw the DataException that
 * setting asks for) within a time bound linear in its size; nothing else may escape, not even a StackOverflowError.
 * jqwik prints the seed of a failing run; rerun it with {@code @Property(seed = "...")}.
 */
class JsonLabelsFuzzTest {

    private static final int FIVE_MB = 5 * 1024 * 1024;
    private static final String[] FORMATS = {"json", "logfmt", "auto"};

    /** Time allowed for one record: fixed slack for a loaded machine, plus a rate far below the measured one. */
    private static Duration bound(int size) {
        return Duration.ofMillis(2_000 + size / 1_000);
    }

    private static JsonLabels<SourceRecord> transform(String format, boolean fail, int labelValueMax) {
        JsonLabels<SourceRecord> transform = new JsonLabels<>();
        Map<String, String> props = new HashMap<>();
        props.put("input.format", format);
        props.put("on.parse.error", fail ? "fail" : "passthrough");
        props.put("label.fields", "level,service,ctx,a.b.c:deep,weird key:weird");
        props.put("metadata.fields", "trace_id");
        props.put("static.labels", "job=fuzz");
        props.put("label.value.max.length", Integer.toString(labelValueMax));
        props.put("label.values.max", "50");
        transform.configure(props);
        return transform;
    }

    private static SourceRecord record(Object value) {
        Schema schema = value instanceof Struct struct ? struct.schema() : null;
        return new SourceRecord(Map.of("f", "x"), Map.of("p", 1L), "logs", 0, null, null, schema, value,
                1_600_000_000_000L, new ConnectHeaders());
    }

    private static int size(Object value) {
        if (value instanceof String s) {
            return s.length();
        }
        if (value instanceof byte[] b) {
            return b.length;
        }
        if (value instanceof ByteBuffer b) {
            return b.remaining();
        }
        return 100_000; // Map and Struct values: built nested up to 10,000 deep
    }

    // --- the property -------------------------------------------------------------------------------------------

    @Property(tries = 400)
    void anyValueComesBackOrFailsAsAskedWithinItsTimeBound(@ForAll("values") Object generated,
            @ForAll("formats") String format, @ForAll boolean fail) {
        check(generated instanceof Opaque opaque ? opaque.value : generated, format, fail);
    }

    /** Every giant (megabytes, 10,000 keys, 10,000 deep) and every hostile Map and Struct, in every setting. */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyGiantComesBackOrFailsAsAskedWithinItsTimeBound(@ForAll("giantsAndHostileObjects") Object generated,
            @ForAll("formats") String format, @ForAll boolean fail) {
        check(generated instanceof Opaque opaque ? opaque.value : generated, format, fail);
    }

    private static void check(Object value, String format, boolean fail) {
        int labelValueMax = 64;
        JsonLabels<SourceRecord> transform = transform(format, fail, labelValueMax);
        RecordingPluginMetrics counters = new RecordingPluginMetrics();
        transform.withPluginMetrics(counters);
        SourceRecord in = record(value);
        long errorsBefore = counters.value("parse-errors-total");
        Object[] outcome = new Object[1];
        // Anything but a DataException (a StackOverflowError included) escapes this lambda and fails the property.
        assertTimeoutPreemptively(bound(size(value)), () -> {
            try {
                outcome[0] = transform.apply(in);
            } catch (DataException e) {
                outcome[0] = e;
            }
        }, () -> "a value of " + size(value) + " chars/bytes took too long");

        boolean parseError = counters.value("parse-errors-total") > errorsBefore;
        if (outcome[0] instanceof DataException e) {
            assertThat(fail).as("DataException without on.parse.error=fail: %s", e.getMessage()).isTrue();
            assertThat(parseError).isTrue();
            assertThat(e.getMessage()).startsWith("JsonLabels cannot read the value");
            return;
        }
        SourceRecord out = (SourceRecord) outcome[0];
        assertThat(out).isNotNull();
        if (parseError) {
            assertThat(fail).isFalse();
            assertThat(out).isSameAs(in);
            return;
        }
        for (Header header : out.headers()) {
            if (header.key().startsWith(LokiHeaders.LABEL_PREFIX)) {
                String name = header.key().substring(LokiHeaders.LABEL_PREFIX.length());
                assertThat(LabelNames.isValid(name)).as(name).isTrue();
                assertThat(header.value()).isInstanceOf(String.class);
                String text = (String) header.value();
                assertThat(text).isNotEmpty();
                assertThat(Utf8.encodedLength(text)).isLessThanOrEqualTo(labelValueMax);
            }
            if (header.key().equals(LokiHeaders.TIMESTAMP_NS)) {
                long ns = Long.parseLong((String) header.value());
                assertThat(out.timestamp()).as("a source record keeps its own time").isEqualTo(in.timestamp());
            }
        }
    }

    @Provide
    Arbitrary<String> formats() {
        return Arbitraries.of(FORMATS);
    }

    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, randomBytes()),
                Tuple.of(10, invalidUtf8Json()),
                Tuple.of(10, Arbitraries.strings().all().ofMaxLength(300).map(s -> (Object) s)),
                Tuple.of(20, tokenSoup()),
                Tuple.of(15, jsonWithHostileValues()),
                Tuple.of(15, logfmtWithHostileValues()),
                Tuple.of(10, hugeNumbers()),
                Tuple.of(3, giantsAndHostileObjects()));
    }

    private static Arbitrary<Object> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000)
                .flatMap(b -> Arbitraries.of((Object) b, ByteBuffer.wrap(b)));
    }

    /** A JSON line with bytes no UTF-8 decoder accepts spliced in: lone continuation bytes, overlong forms, encoded
     * surrogates, a multi-byte sequence cut at the end. */
    private static Arbitrary<Object> invalidUtf8Json() {
        byte[][] bad = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE4, (byte) 0xB8},
            {(byte) 0xFF}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}};
        return Combinators.combine(Arbitraries.of(bad), Arbitraries.integers().between(0, 60), Arbitraries.of(bad))
                .as((a, at, b) -> {
                    byte[] line = "{\"level\":\"warn\",\"service\":\"svc\",\"message\":\"m\",\"timestamp\":1}"
                            .getBytes(StandardCharsets.UTF_8);
                    int cut = Math.min(at, line.length);
                    byte[] out = new byte[line.length + a.length + b.length];
                    System.arraycopy(line, 0, out, 0, cut);
                    System.arraycopy(a, 0, out, cut, a.length);
                    System.arraycopy(line, cut, out, cut + a.length, line.length - cut);
                    System.arraycopy(b, 0, out, line.length + a.length, b.length);
                    return (Object) out;
                });
    }

    /** Fragments of JSON and logfmt in random order: most are broken, some parse. */
    private static Arbitrary<Object> tokenSoup() {
        return Arbitraries.of("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud83d", "=", " ", "\n", "\t",
                        "\"level\"", "\"service\"", "\"ctx\"", "\"a\"", "\"b\"", "\"c\"", "\"timestamp\"", "level",
                        "service", "timestamp", "1e100000000", "-1E+999999999", ".5e-99999", "123", "1714564800",
                        "true", "null", "\u00e9", "\uD83D\uDE00", "\u0000", "\uFFFF", "weird key", "x=\"y\"",
                        "\"2024-05-01T12:00:00Z\"", "2024-13-45T99:99:99.999999999999+99:99")
                .list().ofMaxSize(200).map(tokens -> (Object) String.join("", tokens));
    }

    /** Label values that would break a label-set text that is not escaped. */
    @Provide
    Arbitrary<String> hostileValues() {
        return Arbitraries.of("\"", "\\", "{", "}", ",", "=", "\n", "\r", "\t", " ", "a", "Z", "0", "\u00e9",
                        "\u4e2d", "\uD83D\uDE00", "level=\"fatal\"", "\"}", "{job=\"x\"}", "\\\"", "', ", "\u2028")
                .list().ofMinSize(1).ofMaxSize(30).map(parts -> String.join("", parts));
    }

    private Arbitrary<Object> jsonWithHostileValues() {
        return Combinators.combine(hostileValues(), hostileValues(), hostileValues())
                .as((level, service, ctx) -> (Object) json(Map.of("level", level, "service", service, "ctx", ctx,
                        "message", service + ctx)));
    }

    private Arbitrary<Object> logfmtWithHostileValues() {
        return Combinators.combine(hostileValues(), hostileValues())
                .as((level, service) -> (Object) logfmt(Map.of("level", level, "service", service, "msg", "m")));
    }

    private static Arbitrary<Object> hugeNumbers() {
        Arbitrary<String> number = Arbitraries.of("1e100000000", "-1e100000000", "1E+2147483647", "1e-2147483648",
                ".1e100000000", "1.e100000000", "1" + "0".repeat(999), "1" + "0".repeat(5_000),
                "0." + "0".repeat(100_000) + "1", "9".repeat(64), "1714564800" + "0".repeat(40) + "e-40");
        return Combinators.combine(number, Arbitraries.of("json-number", "json-string", "logfmt"))
                .as((n, form) -> (Object) switch (form) {
                    case "json-number" -> "{\"level\":\"info\",\"timestamp\":" + n + "}";
                    case "json-string" -> "{\"level\":\"info\",\"timestamp\":\"" + n + "\"}";
                    default -> "level=info timestamp=" + n;
                });
    }

    /** Built once: each is megabytes or 10,000 deep, or holds itself. */
    @Provide
    Arbitrary<Object> giantsAndHostileObjects() {
        return Arbitraries.of(GIANTS);
    }

    private static final List<Object> GIANTS = giantValues();

    private static List<Object> giantValues() {
        List<Object> giants = new ArrayList<>();
        String fiveMb = "x".repeat(FIVE_MB);
        giants.add("{\"level\":\"info\",\"message\":\"" + fiveMb + "\",\"service\":\"s\"}");
        giants.add(("{\"level\":\"info\",\"service\":\"" + "\u4e2d".repeat(FIVE_MB / 3) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        giants.add("level=info msg=\"" + "\\\"".repeat(FIVE_MB / 2) + "\" service=s");
        giants.add("level=info " + "k=v ".repeat(FIVE_MB / 4));
        giants.add("\"".repeat(FIVE_MB));
        giants.add("{".repeat(FIVE_MB));
        giants.add("=".repeat(FIVE_MB));
        StringBuilder keys = new StringBuilder("{");
        for (int i = 0; i < 10_000; i++) {
            keys.append("\"key").append(i).append("\":").append(i).append(',');
        }
        giants.add(keys.append("\"level\":\"error\"}").toString());
        // 10,000 keys whose hashes collide in Jackson's symbol table ("A~" and "B]" hash alike).
        StringBuilder colliding = new StringBuilder("{");
        for (int i = 0; i < 10_000; i++) {
            colliding.append('"');
            for (int bit = 0; bit < 14; bit++) {
                colliding.append(((i >> bit) & 1) == 0 ? "A~" : "B]");
            }
            colliding.append("\":1,");
        }
        giants.add(colliding.append("\"level\":\"error\"}").toString());
        StringBuilder logfmtKeys = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            logfmtKeys.append("key").append(i).append('=').append(i).append(' ');
        }
        giants.add(logfmtKeys.append("level=error").toString());
        giants.add("{\"ctx\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + ",\"level\":\"info\"}");
        giants.add("{\"ctx\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");
        giants.add("{\"a\":{\"b\":" + "{\"c\":".repeat(10_000) + "1" + "}".repeat(10_001) + "}");
        giants.addAll(hostileObjects());
        return giants;
    }

    private static List<Object> hostileObjects() {
        List<Object> values = new ArrayList<>();
        values.add(Map.of("level", "info", "ctx", nestedMaps(10_000)));
        values.add(Map.of("level", "info", "a", Map.of("b", Map.of("c", nestedMaps(10_000)))));
        Map<String, Object> cyclic = new HashMap<>();
        cyclic.put("ctx", cyclic);
        values.add(cyclic);
        List<Object> list = new ArrayList<>();
        list.add(list);
        values.add(Map.of("ctx", list));
        values.add(Map.of("level", "info", "timestamp", new BigDecimal("1e100000000")));
        values.add(Map.of("level", "info", "timestamp", Double.NaN, "service", Double.POSITIVE_INFINITY));
        values.add(nestedStruct(3_000));
        return values.stream().map(v -> (Object) new Opaque(v)).toList();
    }

    /**
     * Carries a value that must not be hashed or compared: jqwik hashes what it generates, and a map holding itself
     * or nested 10,000 deep overflows the stack in {@code hashCode} before the transform ever sees it.
     */
    private static final class Opaque {
        final Object value;

        Opaque(Object value) {
            this.value = value;
        }

        @Override
        public String toString() {
            return value.getClass().getSimpleName() + " (nested or cyclic)";
        }
    }

    private static Map<String, Object> nestedMaps(int depth) {
        Map<String, Object> map = Map.of("a", "leaf");
        for (int i = 0; i < depth; i++) {
            map = Map.of("a", map);
        }
        return map;
    }

    /** A Struct with a field ctx holding structs {@code depth} deep (Connect's schemas recurse too, so not deeper). */
    private static Struct nestedStruct(int depth) {
        List<Schema> schemas = new ArrayList<>();
        Schema schema = SchemaBuilder.struct().field("leaf", Schema.STRING_SCHEMA).build();
        schemas.add(schema);
        for (int i = 0; i < depth; i++) {
            schema = SchemaBuilder.struct().field("a", schema).build();
            schemas.add(schema);
        }
        Struct value = new Struct(schemas.get(0)).put("leaf", "x");
        for (int i = 1; i < schemas.size(); i++) {
            value = new Struct(schemas.get(i)).put("a", value);
        }
        Schema top = SchemaBuilder.struct().field("level", Schema.STRING_SCHEMA).field("ctx", schema).build();
        return new Struct(top).put("level", "info").put("ctx", value);
    }

    // --- label values survive as values ---------------------------------------------------------------------------

    /**
     * Model: label values written into a JSON or logfmt line come out as header values exactly (cut only at the byte
     * limit), however many quotes, braces, commas and newlines they hold; no value leaks into another label.
     */
    @Property(tries = 500)
    void labelValuesSurviveAsValuesInBothFormats(@ForAll("hostileValues") String service,
            @ForAll("hostileValues") String ctx, @ForAll boolean logfmt) {
        int max = 48;
        JsonLabels<SourceRecord> transform = transform(logfmt ? "logfmt" : "json", true, max);
        Map<String, String> fields = Map.of("service", service, "ctx", ctx, "message", "m");
        SourceRecord out = transform.apply(record(logfmt ? logfmt(fields) : json(fields)));

        assertThat(label(out, "service")).isEqualTo(cut(service, max));
        assertThat(label(out, "ctx")).isEqualTo(cut(ctx, max));
        assertThat(label(out, "job")).isEqualTo("fuzz");
        assertThat(label(out, "level")).isNull();
        assertThat(out.headers().allWithName(LokiHeaders.LABEL_PREFIX + "service")).toIterable().hasSize(1);
    }

    private static String label(SourceRecord record, String name) {
        Header header = record.headers().lastWithName(LokiHeaders.LABEL_PREFIX + name);
        return header == null ? null : (String) header.value();
    }

    /** The longest prefix of whole code points that fits in {@code max} UTF-8 bytes: the oracle of the cut. */
    private static String cut(String value, int max) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            int width = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + width > max) {
                break;
            }
            bytes += width;
            out.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static final JsonFactory JSON = new JsonFactory();

    private static String json(Map<String, String> fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, String> field : fields.entrySet()) {
                g.writeStringField(field.getKey(), field.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String logfmt(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String escaped = field.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                    .replace("\r", "\\r").replace("\t", "\\t");
            out.append(field.getKey()).append("=\"").append(escaped).append("\" ");
        }
        return out.toString();
    }
}
