package io.lokiconnect.transforms.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LabelValuesTest {

    @Test
    void shortValueIsReturnedItself() {
        String value = "short";
        assertThat(LabelValues.truncateUtf8(value, 2048)).isSameAs(value);
    }

    @Test
    void longValueIsCutToTheByteLimit() {
        assertThat(LabelValues.truncateUtf8("abcdefgh", 5)).isEqualTo("abcde");
    }

    @Test
    void multiByteCharactersAreNeverSplit() {
        String value = "\u00e9\u00e9\u00e9"; // 2 bytes each
        assertThat(LabelValues.truncateUtf8(value, 5)).isEqualTo("\u00e9\u00e9");
        String emoji = "a\uD83D\uDE00b"; // 1 + 4 + 1 bytes
        assertThat(LabelValues.truncateUtf8(emoji, 4)).isEqualTo("a");
        assertThat(LabelValues.truncateUtf8(emoji, 5)).isEqualTo("a\uD83D\uDE00");
    }

    @Test
    void resultAlwaysFitsTheLimit() {
        String value = "\u4e2d".repeat(1000);
        String cut = LabelValues.truncateUtf8(value, 2048);
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2048).isGreaterThan(2044);
    }
}
