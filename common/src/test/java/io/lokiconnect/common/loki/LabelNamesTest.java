package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelNamesTest {

    @ParameterizedTest
    @CsvSource({
        "level, level", "kubernetes.namespace, kubernetes_namespace", "http-status, http_status",
        "5xx, _5xx", "caf\u00e9, caf_", "a b, a_b", "_ok, _ok", "A9_z, A9_z", "'', _",
        "__path, _path", "___x, _x", "__, _", ".-x, _x", "_.x, _x", "x__y, x__y", "__name__, _name__"
    })
    void invalidCharactersBecomeUnderscoresALeadingDigitIsPrefixedAndTheReservedPrefixIsReduced(
            String raw, String expected) {
        assertThat(LabelNames.sanitize(raw)).isEqualTo(expected);
        assertThat(LabelNames.isValid(expected)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"__name__", "__x", "__", "", "1a", "a-b", "é"})
    void reservedAndMalformedNamesAreInvalid(String name) {
        assertThat(LabelNames.isValid(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"_", "_x", "a", "Z9", "x__"})
    void validNamesStayAsTheyAre(String name) {
        assertThat(LabelNames.isValid(name)).isTrue();
        assertThat(LabelNames.sanitize(name)).isSameAs(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"__name__", "__x", "__", "_", "a", "Z9_"})
    void reservedNamesStillMatchThePatternLokiParses(String name) {
        assertThat(LabelNames.matchesPattern(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1a", "a-b", "\u00e9", "a b", "a.b"})
    void malformedNamesDoNotMatchThePattern(String name) {
        assertThat(LabelNames.matchesPattern(name)).isFalse();
    }
}
