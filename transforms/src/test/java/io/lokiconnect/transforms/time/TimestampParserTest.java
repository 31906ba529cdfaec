package io.lokiconnect.transforms.time;

import static io.lokiconnect.transforms.time.TimestampParser.UNPARSEABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
