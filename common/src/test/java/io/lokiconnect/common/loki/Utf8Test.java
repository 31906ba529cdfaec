package io.lokiconnect.common.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "\u00e9", "\u20ac", "\uD83D\uDE00", "a\u00e9\u20ac\uD83D\uDE00z",
        "\uD83D", "\uDE00", "x\uD83Dy", "\uDE00\uD83D"})
    void countsWhatTheEncoderWrites(String s) {
        assertThat(Utf8.encodedLength(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void agreesWithTheEncoderOnRandomChars() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 2_000; round++) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                int kind = random.nextInt(5);
                chars[i] = (char) switch (kind) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> 0x80 + random.nextInt(0x780);
                    case 2 -> 0x800 + random.nextInt(0xD000);
                    case 3 -> 0xD800 + random.nextInt(0x800);
                    default -> 0xE000 + random.nextInt(0x2000);
                };
            }
            String s = new String(chars);
            assertThat(Utf8.encodedLength(s)).as("seed %d, round %d", seed, round)
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
