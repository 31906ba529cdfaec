package io.lokiconnect.transforms.labels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelNamesTest {

    @ParameterizedTest
    @CsvSource({
        "level, level", "kubernetes.namespace, kubernetes_namespace", "http-status, http_status",
        "5xx, _5xx", "caf\u00e9, caf_", "a b, a_b", "_ok, _ok", "A9_z, A9_z", "'', _"
    })
    void invalidCharactersBecomeUnderscoresAndALeadingDigitIsPrefixed(String raw, String expected) {
        assertThat(LabelNames.sanitize(raw)).isEqualTo(expected);
        assertThat(LabelNames.isValid(expected)).isTrue();
    }
}
