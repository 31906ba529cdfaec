package io.lokiconnect.transforms.time;

import static io.lokiconnect.transforms.time.TimestampParser.UNPARSEABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampParserTest {

    private static final long T = 1_714_564_800L; // 2024-05-01T12:00:00Z
    private final TimestampParser parser = new TimestampParser();

    @Test
    void isoWithZ() {
        assertThat(parser.parse("2024-05-01T12:00:00Z")).isEqualTo(T * 1_000_000_000L);
    }

    @Test
    void isoWithNineDigitFraction() {
        assertThat(parser.parse("2024-05-01T12:00:00.123456789Z")).isEqualTo(T * 1_000_000_000L + 123_456_789L);
    }

    @Test
    void isoFractionOfAnyLength() {
        assertThat(parser.parse("2024-05-01T12:00:00.5Z")).isEqualTo(T * 1_000_000_000L + 500_000_000L);
        assertThat(parser.parse("2024-05-01T12:00:00,123Z")).isEqualTo(T * 1_000_000_000L + 123_000_000L);
        assertThat(parser.parse("2024-05-01T12:00:00.1234567891234Z")).isEqualTo(T * 1_000_000_000L + 123_456_789L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-05-01T13:00:00+01:00", "2024-05-01T13:00:00+0100", "2024-05-01T13:00:00+01",
        "2024-05-01T07:30:00-04:30", "2024-05-01 12:00:00Z", "2024-05-01t12:00:00z", "2024-05-01T12:00:00",
        " 2024-05-01T12:00:00Z "})
    void isoWithAnyOffsetOrSeparator(String text) {
        assertThat(parser.parse(text)).isEqualTo(T * 1_000_000_000L);
    }

    @ParameterizedTest
    @CsvSource({
        "1714564800, 1714564800000000000",
        "1714564800123, 1714564800123000000",
        "1714564800123456, 1714564800123456000",
        "1714564800123456789, 1714564800123456789",
        "1714564800.123, 1714564800123000000",
        "1714564800.123456789, 1714564800123456789",
        "1714564800123.456, 1714564800123456000",
        "1.714564800123E9, 1714564800123000000",
        "0, 0"
    })
    void epochUnitIsChosenByMagnitude(String text, long expected) {
        assertThat(parser.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-01T25:00:00Z",
        "2024-05-01T12:00:00Zjunk", "2024-05-01T12:00:00.Z", "12:00:00", "1e400", "99999999999999999999999",
        "2024-05-01"})
    void unparseableValues(String text) {
        assertThat(parser.parse(text)).isEqualTo(UNPARSEABLE);
    }

    @Test
    void customPatternIsTriedFirst() {
        TimestampParser custom = new TimestampParser("dd/MMM/yyyy:HH:mm:ss Z");
        assertThat(custom.parse("01/May/2024:14:00:00 +0200")).isEqualTo(T * 1_000_000_000L);
    }

    @Test
    void customPatternWithoutZoneReadsUtc() {
        TimestampParser custom = new TimestampParser("yyyy/MM/dd HH:mm:ss.SSSSSS");
        assertThat(custom.parse("2024/05/01 12:00:00.000001")).isEqualTo(T * 1_000_000_000L + 1_000L);
    }

    @Test
    void customPatternFallsBackToBuiltInForms() {
        TimestampParser custom = new TimestampParser("dd/MMM/yyyy:HH:mm:ss Z");
        assertThat(custom.parse("1714564800")).isEqualTo(T * 1_000_000_000L);
    }

    @Test
    void invalidPatternIsRejected() {
        assertThatThrownBy(() -> new TimestampParser("yyyy {")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leapSecondCountsAsTheNextSecond() {
        assertThat(parser.parse("2016-12-31T23:59:60Z")).isEqualTo(parser.parse("2017-01-01T00:00:00Z"));
    }

    // --- bounded work on hostile numbers ------------------------------------------------------------------------

    /**
     * Every form of number the parser reads, with an exponent or a length that made BigDecimal.setScale run for
     * minutes before the limits: each is refused at once. A regression shows as a timeout, not as a hang.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e100000000", "1E100000000", "-1e100000000", "+1e100000000", "1e+100000000",
        "1e-100000000", ".1e100000000", "1.e100000000", "1714564800.5e100000000", "1714564800123e100000000",
        "0e100000000", "0.0e2147483647", "1e2147483648", "1e99999999999999999999", "1e0000000000000000000000000041",
        "1e41", "1e-41", "1.5E+41"})
    void hugeExponentsOfEveryFormAreRefusedAtOnce(String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThat(parser.parse(text)).isEqualTo(UNPARSEABLE));
        assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThat(new TimestampParser("yyyy").parse(text)).isEqualTo(UNPARSEABLE));
        assertThat(TimestampParser.isBoundedDecimal(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 1_000, 100_000, 5_000_000})
    void longNumbersOfEveryFormAreRefusedAtOnce(int length) {
        String digits = "1".repeat(length);
        String zeros = "0".repeat(length);
        for (String text : new String[] {digits, "-" + digits, "+" + digits, digits + ".5", "0." + zeros + "1",
            "." + digits, digits + ".", digits + "e-40", "1" + zeros + "e-40"}) {
            assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> assertThat(parser.parse(text)).as(text.substring(0, 20)).isEqualTo(UNPARSEABLE));
        }
    }

    @Test
    void numberLengthLimitIsInclusive() {
        String at = "1714564800." + "0".repeat(TimestampParser.MAX_NUMBER_CHARS - 11);
        assertThat(at).hasSize(TimestampParser.MAX_NUMBER_CHARS);
        assertThat(parser.parse(at)).isEqualTo(T * 1_000_000_000L);
        assertThat(parser.parse(at.substring(1))).isEqualTo(714564800L * 1_000_000_000L);
        assertThat(parser.parse(at + "0")).isEqualTo(UNPARSEABLE);
        // A multi-byte character across the limit: characters are counted, and it is no digit anyway.
        assertThat(parser.parse(at.substring(0, at.length() - 1) + "\u00e9")).isEqualTo(UNPARSEABLE);
        assertThat(parser.parse(at + "\u00e9")).isEqualTo(UNPARSEABLE);
    }

    @Test
    void exponentLimitIsInclusiveInBothDirections() {
        int max = TimestampParser.MAX_EXPONENT;
        // 1714564800 written with an exponent of exactly +40 and -40: read; one more either way: refused.
        String up = "0." + "0".repeat(max - 10) + "1714564800e" + max;
        String down = "1714564800" + "0".repeat(max) + "e-" + max;
        assertThat(parser.parse(up)).isEqualTo(T * 1_000_000_000L);
        assertThat(parser.parse(down)).isEqualTo(T * 1_000_000_000L);
        assertThat(parser.parse("0." + "0".repeat(max - 11) + "1714564800e" + (max - 1))).isEqualTo(T * 1_000_000_000L);
        assertThat(parser.parse("1714564800" + "0".repeat(max - 1) + "e-" + (max - 1))).isEqualTo(T * 1_000_000_000L);
        assertThat(parser.parse("0." + "0".repeat(max - 9) + "1714564800e" + (max + 1))).isEqualTo(UNPARSEABLE);
        assertThat(parser.parse("1714564800" + "0".repeat(max + 1) + "e-" + (max + 1))).isEqualTo(UNPARSEABLE);
        assertThat(TimestampParser.isBoundedDecimal("1e" + max)).isTrue();
        assertThat(TimestampParser.isBoundedDecimal("1e" + (max + 1))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "-1", "+1", "1.", ".1", "1.5", "1e5", "1E5", "1e+5", "1e-5", "+.5e-3", "0", "00.00"})
    void boundedDecimalAcceptsEveryFormBigDecimalReads(String text) {
        assertThat(TimestampParser.isBoundedDecimal(text)).isTrue();
        assertThat(new java.math.BigDecimal(text)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1e5.5", "--1", "1 1", "0x10", "1_000",
        "١٢", "Infinity", "NaN", "1e5e5"})
    void boundedDecimalRefusesWhatIsNoPlainDecimal(String text) {
        assertThat(TimestampParser.isBoundedDecimal(text)).isFalse();
        assertThat(parser.parse(text)).isEqualTo(UNPARSEABLE);
    }

    @Test
    void textLengthLimitIsInclusiveAndCountsCharacters() {
        int max = TimestampParser.MAX_TEXT_CHARS;
        String iso = "2024-05-01T12:00:00.";
        String at = iso + "1" + "0".repeat(max - iso.length() - 2) + "Z";
        assertThat(at).hasSize(max);
        assertThat(parser.parse(at)).isEqualTo(T * 1_000_000_000L + 100_000_000L);
        assertThat(parser.parse(at.substring(0, max - 2) + "Z")).isEqualTo(T * 1_000_000_000L + 100_000_000L);
        assertThat(parser.parse(at.substring(0, max - 1) + "0Z")).isEqualTo(UNPARSEABLE);
        // A pattern with a two-byte literal: the limit counts characters, not UTF-8 bytes.
        String time = "2024-01-01T00:00:00Z";
        String literal = "\u00e9".repeat(max - time.length());
        TimestampParser custom = new TimestampParser("'" + literal + "'yyyy-MM-dd'T'HH:mm:ssX");
        assertThat(custom.parse(literal + time)).isEqualTo(Instant2024.START);
        TimestampParser longer = new TimestampParser("'\u00e9" + literal + "'yyyy-MM-dd'T'HH:mm:ssX");
        assertThat(longer.parse("\u00e9" + literal + time)).isEqualTo(UNPARSEABLE);
    }

    @Test
    void aFiveMegabyteTimestampIsRefusedQuickly() {
        String huge = "2024-05-01T12:00:00." + "1".repeat(5 * 1024 * 1024) + "Z";
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThat(parser.parse(huge)).isEqualTo(UNPARSEABLE));
    }

    private static final class Instant2024 {
        static final long START = java.time.Instant.parse("2024-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
    }
}
