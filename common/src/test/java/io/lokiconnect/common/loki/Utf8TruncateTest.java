package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Utf8#truncate}: the label-value cut of the transform (Loki's max_label_value_length is in bytes). */
class Utf8TruncateTest {

    @Test
    void shortValueIsReturnedItself() {
        String value = "short";
        assertThat(Utf8.truncate(value, 2048)).isSameAs(value);
    }

    @Test
    void valueAtTheLimitIsKeptAndOneAboveIsCut() {
        assertThat(Utf8.truncate("abcde", 5)).isEqualTo("abcde");
        assertThat(Utf8.truncate("abcd", 5)).isEqualTo("abcd");
        assertThat(Utf8.truncate("abcdef", 5)).isEqualTo("abcde");
    }

    @Test
    void multiByteCharactersAcrossTheLimitAreNeverSplit() {
        assertThat(Utf8.truncate("\u00e9\u00e9\u00e9", 5)).isEqualTo("\u00e9\u00e9"); // 2 bytes each
        assertThat(Utf8.truncate("\u00e9\u00e9\u00e9", 6)).isEqualTo("\u00e9\u00e9\u00e9");
        String emoji = "a\uD83D\uDE00b"; // 1 + 4 + 1 bytes
        assertThat(Utf8.truncate(emoji, 4)).isEqualTo("a");
        assertThat(Utf8.truncate(emoji, 5)).isEqualTo("a\uD83D\uDE00");
        assertThat(Utf8.truncate("ab\u20ac", 4)).isEqualTo("ab"); // the euro sign takes 3
    }

    /** Model: the longest prefix, not ending inside a surrogate pair, whose encoding fits. */
    @Test
    void isTheLongestFittingPrefixOnRandomStrings() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 3_000; round++) {
            char[] chars = new char[random.nextInt(30)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) switch (random.nextInt(5)) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> 0x80 + random.nextInt(0x780);
                    case 2 -> 0x800 + random.nextInt(0xD000);
                    case 3 -> 0xD800 + random.nextInt(0x400);
                    default -> 0xDC00 + random.nextInt(0x400);
                };
            }
            String s = new String(chars);
            int max = random.nextInt(60);
            String cut = Utf8.truncate(s, max);
            String expected = "";
            for (int end = s.length(); end >= 0; end--) {
                boolean splitsPair = end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))
                        && Character.isLowSurrogate(s.charAt(end));
                if (!splitsPair && s.substring(0, end).getBytes(StandardCharsets.UTF_8).length <= max) {
                    expected = s.substring(0, end);
                    break;
                }
            }
            assertThat(cut).as("seed %d, max %d, input %s", seed, max, s.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(expected);
        }
    }
}
