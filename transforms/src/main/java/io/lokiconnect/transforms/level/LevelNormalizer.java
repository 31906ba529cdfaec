package io.lokiconnect.transforms.level;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Maps the many spellings of a log level to the six values Grafana colours: {@code trace}, {@code debug},
 * {@code info}, {@code warn}, {@code error}, {@code fatal}.
 *
 * <ul>
 *   <li>Names, any case: TRACE/TRC; DEBUG/DBG/D; INFO/INFORMATION/INF/I/NOTICE; WARN/WARNING/WRN/W;
 *       ERROR/ERR/E; FATAL/CRIT/CRITICAL/PANIC/DPANIC/EMERG/EMERGENCY/ALERT. Every severity above error is
 *       {@code fatal}, the name pino and bunyan use for 60.</li>
 *   <li>Numbers below 10 are syslog severities: 0 emerg, 1 alert, 2 crit give fatal; 3 error; 4 warn; 5 notice and
 *       6 info give info; 7 debug; 8 and 9 are no syslog severity and are kept as they are.</li>
 *   <li>Numbers from 10 are pino/bunyan levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; a custom
 *       level in between takes the level of its tens (35 is info), 60 to 99 are fatal, 100 and more are kept.</li>
 *   <li>Anything else is kept, trimmed and in lower case, so that an unknown level still groups its lines.</li>
 * </ul>
 */
public final class LevelNormalizer {

    public static final String TRACE = "trace";
    public static final String DEBUG = "debug";
    public static final String INFO = "info";
    public static final String WARN = "warn";
    public static final String ERROR = "error";
    public static final String FATAL = "fatal";

    private static final String[] SYSLOG = {FATAL, FATAL, FATAL, ERROR, WARN, INFO, INFO, DEBUG};
    private static final String[] PINO_TENS = {TRACE, DEBUG, INFO, WARN, ERROR, FATAL, FATAL, FATAL, FATAL};
    private static final Map<String, String> NAMES = new HashMap<>();

    static {
        names(TRACE, "trace", "trc");
        names(DEBUG, "debug", "dbg", "d");
        names(INFO, "info", "information", "informational", "inf", "i", "notice");
        names(WARN, "warn", "warning", "wrn", "w");
        names(ERROR, "error", "err", "e");
        names(FATAL, "fatal", "crit", "critical", "panic", "dpanic", "emerg", "emergency", "alert");
    }

    private LevelNormalizer() {
    }

    private static void names(String level, String... spellings) {
        for (String s : spellings) {
            NAMES.put(s, level);
            NAMES.put(s.toUpperCase(Locale.ROOT), level);
        }
    }

    /** The normalised level of {@code raw}; see the class comment. */
    public static String normalize(String raw) {
        String known = NAMES.get(raw);
        if (known != null) {
            return known;
        }
        String trimmed = raw.trim();
        if (trimmed.isEmpty()) {
            return trimmed;
        }
        int number = smallNumber(trimmed);
        if (number >= 0) {
            if (number < SYSLOG.length) {
                return SYSLOG[number];
            }
            if (number >= 10 && number < 100) {
                return PINO_TENS[number / 10 - 1];
            }
            return trimmed;
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        known = NAMES.get(lower);
        return known != null ? known : lower;
    }

    /** The value of a string of at most 3 digits, or -1. */
    private static int smallNumber(String s) {
        if (s.length() > 3) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
