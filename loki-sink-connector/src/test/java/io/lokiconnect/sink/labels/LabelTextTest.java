package io.lokiconnect.sink.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class LabelTextTest {

    @Test
    void readsGoQuotedValuesAndTheEndOfTheSet() {
        String text = "stream '{a=\"x\\\"y\", b=\"tab\\there\", c=\"\\u00e9\\n\", d=\"\\\\\"}' has";
        LabelText.Parsed parsed = LabelText.parse(text, text.indexOf('{'));
        assertThat(parsed.labels()).containsExactlyEntriesOf(new java.util.TreeMap<>(
                Map.of("a", "x\"y", "b", "tab\there", "c", "é\n", "d", "\\")));
        assertThat(text.charAt(parsed.end())).isEqualTo('\'');
        assertThat(LabelText.parseAll("{}")).isEmpty();
        assertThat(LabelText.parseAll(" {job=\"x\"} ")).containsEntry("job", "x");
    }

    @Test
    void whatIsNotALabelSetIsNull() {
        for (String bad : new String[] {"", "{", "{a}", "{a=x}", "{a=\"x\"", "{a=\"x\" b=\"y\"}", "{1a=\"x\"}",
                "{a=\"\\q\"}", "{a=\"\\u12\"}", "job=\"x\"", "{a=\"x\"}}"}) {
            assertThat(LabelText.parseAll(bad)).as(bad).isNull();
        }
    }

    /** The sink's own text form reads back as its set, whatever the values hold. */
    @Property(tries = 300)
    void theSinksTextReadsBackAsItsSet(@ForAll("labelMaps") Map<String, String> labels) {
        LabelSet set = LabelSet.of(labels);
        assertThat(LabelText.parseAll(set.text())).isEqualTo(set.asMap());
        assertThat(LabelText.sameStream(set, LabelText.parseAll(set.text()))).isTrue();
    }

    @Test
    void lokisAddedLabelsAreIgnoredOnlyWhenTheSinkSentNone() {
        LabelSet sent = LabelSet.of(Map.of("job", "x"));
        assertThat(LabelText.sameStream(sent, Map.of("job", "x", "service_name", "x"))).isTrue();
        assertThat(LabelText.sameStream(sent, Map.of("job", "x", "service_name", "unknown_service",
                "__stream_shard__", "3"))).isTrue();
        assertThat(LabelText.sameStream(sent, Map.of("job", "y", "service_name", "x"))).isFalse();
        assertThat(LabelText.sameStream(sent, Map.of("job", "x", "zone", "x"))).isFalse();
        assertThat(LabelText.sameStream(sent, Map.of())).isFalse();
        LabelSet named = LabelSet.of(Map.of("job", "x", "service_name", "a"));
        assertThat(LabelText.sameStream(named, Map.of("job", "x", "service_name", "b"))).isFalse();
        assertThat(LabelText.sameStream(named, Map.of("job", "x", "service_name", "a"))).isTrue();
    }

    /** Any text is read in bounded time and never throws. */
    @Property(tries = 300)
    void anyTextIsReadInBoundedTime(@ForAll("texts") String text) {
        long started = System.nanoTime();
        for (int i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
            LabelText.parse(text, i);
        }
        LabelText.parseAll(text);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Provide
    Arbitrary<Map<String, String>> labelMaps() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> values = Arbitraries.strings().all().ofMaxLength(20);
        return Arbitraries.maps(names, values).ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> fragments = Arbitraries.of("{", "}", "a", "=", "\"", "\\", "\\u", "\\x4", ", ", " ", "é")
                .list().ofMaxSize(400).map(l -> String.join("", l));
        return Arbitraries.oneOf(fragments, Arbitraries.strings().all().ofMaxLength(3000));
    }
}
