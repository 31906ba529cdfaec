package io.lokiconnect.receiver;

import io.lokiconnect.common.loki.LabelNames;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Text as Loki (Go) writes it into its answers, so the receiver's bodies match Loki's byte for byte: Go's
 * {@code time.Time.String()} and {@code time.RFC3339}, {@code strconv.Quote}, Loki's {@code flagext.ByteSize}, and
 * Prometheus' {@code labels.Labels.String()}. Loki runs in UTC in its images, so times are UTC.
 */
public final class GoText {

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private GoText() {
    }

    /**
     * Go's {@code time.Time.String()} of a UTC time: {@code 2024-05-01 12:00:00.1234 +0000 UTC}, the fraction
     * without trailing zeros and left out when zero (layout {@code 2006-01-02 15:04:05.999999999 -0700 MST}).
     */
    public static String timeString(long unixNanos) {
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L),
                Math.floorMod(unixNanos, 1_000_000_000L));
        StringBuilder out = new StringBuilder(DATE_TIME.format(instant));
        int nanos = instant.getNano();
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(fraction, 0, end);
        }
        return out.append(" +0000 UTC").toString();
    }

    /** Go's {@code time.RFC3339} of a UTC time: whole seconds, {@code Z}. */
    public static String rfc3339(long unixNanos) {
        return RFC3339.format(Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L)));
    }

    /**
     * Loki's {@code flagext.ByteSize.String()}, which is {@code github.com/c2h5oh/datasize} {@code ByteSize.String()}:
     * the largest binary unit that divides the size exactly, no space ({@code 3MB}, {@code 2KB}, {@code 384B},
     * {@code 0B}).
     */
    public static String byteSize(long bytes) {
        if (bytes == 0) {
            return "0B";
        }
        String[] units = {"EB", "PB", "TB", "GB", "MB", "KB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes % unit == 0) {
                return (bytes / unit) + units[i];
            }
        }
        return bytes + "B";
    }

    /**
     * Prometheus' {@code labels.Labels.String()}: names sorted, {@code {a="x", b="y"}}, values {@link #quote}d, and
     * a name outside {@code [a-zA-Z_][a-zA-Z0-9_]*} quoted too.
     */
    public static String labels(Map<String, String> labels) {
        StringBuilder out = new StringBuilder("{");
        new TreeMap<>(labels).forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append(LabelNames.matchesPattern(name) ? name : quote(name)).append('=').append(quote(value));
        });
        return out.append('}').toString();
    }

    /**
     * Go's {@code strconv.Quote}: double-quoted, {@code \"} and {@code \\} escaped, printable characters as they are,
     * {@code \a \b \f \n \r \t \v}, other control characters as {@code \xNN}, other non-printable ones as
     * {@code \}{@code uNNNN} or {@code \UNNNNNNNN}.
     */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '"' || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (isPrint(cp)) {
                out.appendCodePoint(cp);
            } else {
                switch (cp) {
                    case 0x07 -> out.append("\\a");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case 0x0B -> out.append("\\v");
                    default -> {
                        if (cp < ' ' || cp == 0x7F) {
                            out.append(String.format("\\x%02x", cp));
                        } else if (cp < 0x10000) {
                            out.append(String.format("\\u%04x", cp));
                        } else {
                            out.append(String.format("\\U%08x", cp));
                        }
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
