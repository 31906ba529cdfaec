package io.lokiconnect.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.headers.LokiHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The headers the transform writes, against a model of how it always wrote them: the record's headers duplicated,
 * then for each label, metadata field and the time this record has a value for, every header of that name removed
 * and the new one added, in that order. Records carry headers of those names already (stale ones, twice, under the
 * other prefix), other headers around them, lines with and without each field; configurations with distinct
 * prefixes, and with prefixes under which a label and a metadata field write the same header name ("x." + "level"
 * and "x.lev" + "el").
 */
class JsonLabelsHeadersModelTest {

    @Property(tries = 300)
    void headersAreThoseOfTheModel(@ForAll("prefixes") Tuple2<String, String> prefixes,
                                   @ForAll("lines") String line, @ForAll("existing") List<Tuple2<String, String>> existing) {
        Map<String, String> props = new HashMap<>();
        props.put("label.fields", "level,service");
        props.put("metadata.fields", "service,trace_id,el");
        props.put("timestamp.field", "ts");
        props.put("label.header.prefix", prefixes.get1());
        props.put("metadata.header.prefix", prefixes.get2());
        props.put("level.default", "");
        JsonLabels<SourceRecord> transform = new JsonLabels<>();
        transform.configure(props);

        ConnectHeaders headers = new ConnectHeaders();
        for (Tuple2<String, String> h : existing) {
            String key = h.get1().replace("L:", prefixes.get1()).replace("M:", prefixes.get2());
            headers.addString(key, h.get2());
        }
        SourceRecord in = new SourceRecord(Map.of(), Map.of(), "logs", null, null, null, Schema.STRING_SCHEMA, line,
                1L, headers);
        List<String> before = describe(in.headers());

        SourceRecord out = transform.apply(in);

        assertThat(describe(in.headers())).as("the input record is untouched").isEqualTo(before);
        assertThat(describe(out.headers())).isEqualTo(describe(model(in, line, prefixes)));
    }

    /** The old algorithm, with what the line gives for each name (the lines are built from a few known parts). */
    private static Headers model(SourceRecord in, String line, Tuple2<String, String> p) {
        List<String[]> writes = new ArrayList<>();
        if (line.contains("\"level\":\"WARN\"")) {
            writes.add(new String[] {p.get1() + "level", "warn"});
        }
        String service = line.contains("\"service\":\"api\"") ? "api"
                : line.contains("\"service\":\"é✓\"") ? "é✓" : null;
        if (service != null) {
            writes.add(new String[] {p.get1() + "service", service});
            writes.add(new String[] {p.get2() + "service", service});
        }
        if (line.contains("\"trace_id\"")) {
            writes.add(new String[] {p.get2() + "trace_id", "t-1"});
        }
        if (line.contains("\"el\"")) {
            writes.add(new String[] {p.get2() + "el", "E"});
        }
        if (line.contains("12:00:00.123456789Z")) {
            writes.add(new String[] {LokiHeaders.TIMESTAMP_NS, "1714564800123456789"});
        }
        Headers headers = in.headers().duplicate();
        for (String[] w : writes) {
            headers.remove(w[0]);
            headers.addString(w[0], w[1]);
        }
        return headers;
    }

    private static List<String> describe(Headers headers) {
        List<String> out = new ArrayList<>();
        headers.forEach(h -> out.add(h.key() + "=" + h.value()));
        return out;
    }

    @Provide
    Arbitrary<Tuple2<String, String>> prefixes() {
        return Arbitraries.of(Tuple.of("loki.label.", "loki.meta."), Tuple.of("x.", "x.lev"), Tuple.of("l.", "loki.label."));
    }

    @Provide
    Arbitrary<String> lines() {
        Arbitrary<String> level = Arbitraries.of("", "\"level\":\"WARN\",", "\"level\":\"\",");
        Arbitrary<String> service = Arbitraries.of("", "\"service\":\"api\",", "\"service\":\"é✓\",");
        Arbitrary<String> trace = Arbitraries.of("", "\"trace_id\":\"t-1\",", "\"el\":\"E\",");
        Arbitrary<String> ts = Arbitraries.of("", "\"ts\":\"2024-05-01T12:00:00.123456789Z\",", "\"ts\":\"nope\",");
        return Combinators.combine(level, service, trace, ts).as((a, b, c, d) -> "{" + a + b + c + d + "\"m\":1}");
    }

    @Provide
    Arbitrary<List<Tuple2<String, String>>> existing() {
        Arbitrary<String> key = Arbitraries.of("L:level", "L:service", "M:service", "M:trace_id", "M:el", "log.file.path",
                LokiHeaders.TIMESTAMP_NS, "L:other", "other");
        return Combinators.combine(key, Arbitraries.of("stale", "1", "x")).as(Tuple::of).list().ofMaxSize(6);
    }
}
