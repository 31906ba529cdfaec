package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected texts are what Go prints for the same values (go1.22: fmt.Println(t), t.Format(time.RFC3339), ...). */
class GoTextTest {

    private static final long T = 1_714_564_800L * 1_000_000_000L; // 2024-05-01T12:00:00Z

    @Test
    void timeStringDropsTrailingZerosOfTheFractionAndAZeroFraction() {
        assertThat(GoText.timeString(T + 123_456_789L)).isEqualTo("2024-05-01 12:00:00.123456789 +0000 UTC");
        assertThat(GoText.timeString(T + 100_000_000L)).isEqualTo("2024-05-01 12:00:00.1 +0000 UTC");
        assertThat(GoText.timeString(T + 1L)).isEqualTo("2024-05-01 12:00:00.000000001 +0000 UTC");
        assertThat(GoText.timeString(T)).isEqualTo("2024-05-01 12:00:00 +0000 UTC");
        assertThat(GoText.timeString(-1L)).isEqualTo("1969-12-31 23:59:59.999999999 +0000 UTC");
    }

    @Test
    void rfc3339HasWholeSecondsAndZ() {
        assertThat(GoText.rfc3339(T + 999_999_999L)).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(GoText.rfc3339(0)).isEqualTo("1970-01-01T00:00:00Z");
    }

    /** Loki's flagext.ByteSize is c2h5oh/datasize: the largest binary unit that divides exactly, else bytes. */
    @Test
    void byteSizeAsLokiPrintsLimitsAndEntrySizes() {
        assertThat(GoText.byteSize(0)).isEqualTo("0B");
        assertThat(GoText.byteSize(1)).isEqualTo("1B");
        assertThat(GoText.byteSize(1023)).isEqualTo("1023B");
        assertThat(GoText.byteSize(1024)).isEqualTo("1KB");
        assertThat(GoText.byteSize(1025)).isEqualTo("1025B");
        assertThat(GoText.byteSize(1536 * 1024)).isEqualTo("1536KB");
        assertThat(GoText.byteSize(3L << 20)).isEqualTo("3MB");
        assertThat(GoText.byteSize(15L << 20)).isEqualTo("15MB");
        assertThat(GoText.byteSize(1L << 30)).isEqualTo("1GB");
        assertThat(GoText.byteSize(1L << 60)).isEqualTo("1EB");
    }

    @Test
    void quoteEscapesAsStrconvQuote() {
        assertThat(GoText.quote("plain")).isEqualTo("\"plain\"");
        assertThat(GoText.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(GoText.quote("\n\r\t\u0007\b\f\u000B")).isEqualTo("\"\\n\\r\\t\\a\\b\\f\\v\"");
        assertThat(GoText.quote("\u0000\u001f\u007f")).isEqualTo("\"\\x00\\x1f\\x7f\"");
        // Printable non-ASCII stays as it is; separators and format characters are escaped.
        assertThat(GoText.quote("\u00e9\u4e2d\uD83D\uDE00")).isEqualTo("\"\u00e9\u4e2d\uD83D\uDE00\"");
        assertThat(GoText.quote("\u2028\u00a0\u200b\ufeff")).isEqualTo("\"\\u2028\\u00a0\\u200b\\ufeff\"");
        assertThat(GoText.quote("{a=\"b\", c}")).isEqualTo("\"{a=\\\"b\\\", c}\"");
    }

    @Test
    void labelsAreSortedCommaSpaceSeparatedAndQuoted() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("service", "api");
        labels.put("job", "a\"b\nc");
        labels.put("a", "{x=\"y\"}, z");
        assertThat(GoText.labels(labels)).isEqualTo(
                "{a=\"{x=\\\"y\\\"}, z\", job=\"a\\\"b\\nc\", service=\"api\"}");
        assertThat(GoText.labels(Map.of())).isEqualTo("{}");
    }
}
