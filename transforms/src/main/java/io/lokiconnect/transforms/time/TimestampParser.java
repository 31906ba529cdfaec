package io.lokiconnect.transforms.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * Reads a log line's time as Unix nanoseconds. Understood, in this order:
 *
 * <ol>
 *   <li>the optional {@code timestamp.format} pattern ({@link DateTimeFormatter}); a pattern without zone or
 *       offset reads UTC; a value it cannot read falls through to the forms below;</li>
 *   <li>RFC 3339 / ISO-8601 date-time {@code yyyy-MM-dd'T'HH:mm:ss[.f...][offset]}, separator {@code T}, {@code t}
 *       or a space, a fraction of any length ({@code .} or {@code ,}; digits beyond the ninth are dropped), offset
 *       {@code Z}, {@code +01:00}, {@code +0100} or {@code +01}; without offset the time is UTC;</li>
 *   <li>a Unix epoch number, as JSON number or numeric string, unit chosen by magnitude: below 10^11 seconds,
 *       below 10^14 milliseconds, below 10^17 microseconds, else nanoseconds; a fraction is kept down to the
 *       nanosecond ({@code 1700000000.123} is seconds with milliseconds); the forms of {@link BigDecimal}:
 *       optional sign, digits with an optional {@code .} fraction ({@code 5.}, {@code .5}), optional exponent
 *       {@code e}/{@code E} with optional sign.</li>
 * </ol>
 *
 * Anything else returns {@link #UNPARSEABLE}, and so does a text longer than {@value #MAX_TEXT_CHARS} characters,
 * a number longer than {@value #MAX_NUMBER_CHARS} characters, or an exponent beyond &plusmn;{@value #MAX_EXPONENT}.
 * The limits bound the work per value: without them {@code 1e100000000} alone keeps {@link BigDecimal} busy for
 * minutes, long enough for a Connect task to miss {@code max.poll.interval.ms} on every retry of the record. No
 * real time needs more: nanoseconds since the epoch fit in 19 digits. Stateless and thread-safe.
 */
public final class TimestampParser {

    /** Returned for a value that is no time this parser knows. No real log line is from 292 billion years BC. */
    public static final long UNPARSEABLE = Long.MIN_VALUE;

    /** Longest text read as a time at all; the longest real forms (an ISO time with a long fraction) are ~40. */
    public static final int MAX_TEXT_CHARS = 256;
    /** Longest epoch number: 19 digits of nanoseconds, with room for a long fraction, sign and exponent. */
    public static final int MAX_NUMBER_CHARS = 64;
    /** Largest exponent magnitude of an epoch number: far beyond any time a long holds, at either end. */
    public static final int MAX_EXPONENT = 40;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long SECONDS_BELOW = 100_000_000_000L;
    private static final long MILLIS_BELOW = 100_000_000_000_000L;
    private static final long MICROS_BELOW = 100_000_000_000_000_000L;
    private static final BigDecimal BD_SECONDS_BELOW = BigDecimal.valueOf(SECONDS_BELOW);
    private static final BigDecimal BD_MILLIS_BELOW = BigDecimal.valueOf(MILLIS_BELOW);
    private static final BigDecimal BD_MICROS_BELOW = BigDecimal.valueOf(MICROS_BELOW);

    private final DateTimeFormatter pattern;

    /** A parser of the built-in forms only. */
    public TimestampParser() {
        this.pattern = null;
    }

    /**
     * A parser trying {@code pattern} first; empty or null for none.
     *
     * @throws IllegalArgumentException when the pattern is not a valid {@link DateTimeFormatter} pattern
     */
    public TimestampParser(String pattern) {
        this.pattern = pattern == null || pattern.isEmpty() ? null
                : DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
    }

    /** Unix nanoseconds of {@code text}, or {@link #UNPARSEABLE}. */
    public long parse(String text) {
        String s = text.trim();
        if (s.isEmpty() || s.length() > MAX_TEXT_CHARS) {
            return UNPARSEABLE;
        }
        if (pattern != null) {
            long ns = parsePattern(s);
            if (ns != UNPARSEABLE) {
                return ns;
            }
        }
        char first = s.charAt(0);
        if (s.length() >= 19 && s.charAt(4) == '-' && first >= '0' && first <= '9') {
            return parseIso(s);
        }
        if ((first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.') {
            return parseEpoch(s);
        }
        return UNPARSEABLE;
    }

    private long parsePattern(String s) {
        try {
            TemporalAccessor parsed = pattern.parse(s);
            return toNanos(Instant.from(parsed));
        } catch (DateTimeException | ArithmeticException e) {
            return UNPARSEABLE;
        }
    }

    private static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
    }

    static long parseIso(String s) {
        int len = s.length();
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        char sep = s.charAt(10);
        if (s.charAt(7) != '-' || (sep != 'T' && sep != 't' && sep != ' ') || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return UNPARSEABLE;
        }
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        // 60 is a leap second (RFC 3339): it counts as the first second of the next minute.
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 60) {
            return UNPARSEABLE;
        }
        int pos = 19;
        long nanos = 0;
        if (pos < len && (s.charAt(pos) == '.' || s.charAt(pos) == ',')) {
            pos++;
            int start = pos;
            long scale = 100_000_000L;
            while (pos < len && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                nanos += (s.charAt(pos) - '0') * scale;
                scale /= 10;
                pos++;
            }
            if (pos == start) {
                return UNPARSEABLE;
            }
        }
        int offsetSeconds = 0;
        if (pos < len) {
            char c = s.charAt(pos);
            if (c == 'Z' || c == 'z') {
                pos++;
            } else if (c == '+' || c == '-') {
                int sign = c == '-' ? -1 : 1;
                int oh = digits(s, pos + 1, 2);
                pos += 3;
                int om = 0;
                if (pos < len && s.charAt(pos) == ':') {
                    pos++;
                }
                if (pos < len) {
                    om = digits(s, pos, 2);
                    pos += 2;
                }
                if (oh < 0 || oh > 18 || om < 0 || om > 59) {
                    return UNPARSEABLE;
                }
                offsetSeconds = sign * (oh * 3600 + om * 60);
            } else {
                return UNPARSEABLE;
            }
        }
        if (pos != len) {
            return UNPARSEABLE;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return UNPARSEABLE;
        }
        long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        try {
            return Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nanos);
        } catch (ArithmeticException e) {
            return UNPARSEABLE;
        }
    }

    /** The number written by {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        if (from + count > s.length()) {
            return -1;
        }
        int n = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    static long parseEpoch(String s) {
        if (s.length() > MAX_NUMBER_CHARS) {
            return UNPARSEABLE;
        }
        long whole = plainLong(s);
        if (whole != UNPARSEABLE) {
            long magnitude = Math.abs(whole);
            try {
                if (magnitude < SECONDS_BELOW) {
                    return Math.multiplyExact(whole, NANOS_PER_SECOND);
                } else if (magnitude < MILLIS_BELOW) {
                    return Math.multiplyExact(whole, 1_000_000L);
                } else if (magnitude < MICROS_BELOW) {
                    return Math.multiplyExact(whole, 1_000L);
                }
                return whole;
            } catch (ArithmeticException e) {
                return UNPARSEABLE;
            }
        }
        if (!isBoundedDecimal(s)) {
            return UNPARSEABLE;
        }
        // At most MAX_NUMBER_CHARS digits and an exponent within MAX_EXPONENT: every step below is small.
        BigDecimal number = new BigDecimal(s);
        BigDecimal magnitude = number.abs();
        int toNanos;
        if (magnitude.compareTo(BD_SECONDS_BELOW) < 0) {
            toNanos = 9;
        } else if (magnitude.compareTo(BD_MILLIS_BELOW) < 0) {
            toNanos = 6;
        } else if (magnitude.compareTo(BD_MICROS_BELOW) < 0) {
            toNanos = 3;
        } else {
            toNanos = 0;
        }
        try {
            return number.movePointRight(toNanos).setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            return UNPARSEABLE;
        }
    }

    /**
     * True when {@code s} is a decimal number as {@link BigDecimal#BigDecimal(String)} reads it
     * ({@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}) whose exponent is within
     * {@link #MAX_EXPONENT}. Reads each character once.
     */
    static boolean isBoundedDecimal(String s) {
        int len = s.length();
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        int digits = 0;
        while (i < len && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < len && s.charAt(i) == '.') {
            i++;
            while (i < len && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < len && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < len && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                i++;
            }
            int start = i;
            int exponent = 0;
            while (i < len && isDigit(s.charAt(i))) {
                exponent = exponent * 10 + (s.charAt(i) - '0');
                if (exponent > MAX_EXPONENT) {
                    return false;
                }
                i++;
            }
            if (i == start) {
                return false;
            }
        }
        return i == len;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value of an optionally signed string of at most 18 digits, or {@link #UNPARSEABLE}. */
    private static long plainLong(String s) {
        int start = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        int len = s.length();
        if (len == start || len - start > 18) {
            return UNPARSEABLE;
        }
        long n = 0;
        for (int i = start; i < len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return UNPARSEABLE;
            }
            n = n * 10 + (c - '0');
        }
        return s.charAt(0) == '-' ? -n : n;
    }
}
