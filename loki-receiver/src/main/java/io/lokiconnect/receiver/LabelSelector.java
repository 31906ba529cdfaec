package io.lokiconnect.receiver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses Loki's label-set text, {@code {job="x", level="info"}}, as Loki's distributor does (Prometheus'
 * {@code ParseMetric}): names match {@code [a-zA-Z_][a-zA-Z0-9_]*}; values are double-quoted Go strings with Go's
 * escapes ({@code \" \\ \a \b \f \n \r \t \v \xNN \NNN \}{@code uNNNN \UNNNNNNNN}). Errors read like Prometheus'
 * ({@code 1:5: parse error: unexpected character inside braces: '-'}); any malformed text is an
 * {@link IllegalArgumentException}, never another exception.
 */
public final class LabelSelector {

    private LabelSelector() {
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        String s = text.trim();
        if (!s.startsWith("{")) {
            throw error(1, "unexpected end of input, expected {");
        }
        int i = 1;
        while (true) {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
                i++;
            }
            if (i >= s.length()) {
                throw error(i + 1, "unexpected end of input inside braces");
            }
            if (s.charAt(i) == '}') {
                if (i != s.length() - 1) {
                    throw error(i + 2, "unexpected character after braces: '" + s.charAt(i + 1) + "'");
                }
                return labels;
            }
            int start = i;
            while (i < s.length() && isNameChar(s.charAt(i), i == start)) {
                i++;
            }
            if (i == start) {
                throw error(i + 1, "unexpected character inside braces: '" + s.charAt(i) + "'");
            }
            String name = s.substring(start, i);
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '=') {
                throw error(i + 1, i >= s.length() ? "unexpected end of input inside braces"
                        : "unexpected character inside braces: '" + s.charAt(i) + "'");
            }
            i++;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error(i + 1, "unexpected character inside braces, expected a quoted label value");
            }
            StringBuilder value = new StringBuilder();
            i = unquote(s, i + 1, value);
            if (labels.put(name, value.toString()) != null) {
                throw new IllegalArgumentException("duplicate label name '" + name + "'");
            }
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
    }

    /** Reads a Go string body from {@code from} into {@code out}; returns the index after the closing quote. */
    private static int unquote(String s, int from, StringBuilder out) {
        int i = from;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= s.length()) {
                break;
            }
            char e = s.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000B');
                case '\\', '"' -> out.append(e);
                case 'x' -> i = hex(s, i, 2, out);
                case 'u' -> i = hex(s, i, 4, out);
                case 'U' -> i = hex(s, i, 8, out);
                default -> {
                    if (e >= '0' && e <= '7' && i + 1 < s.length()) {
                        int code = Integer.parseInt(s.substring(i - 1, i + 2), 8);
                        out.appendCodePoint(code);
                        i += 2;
                    } else {
                        throw error(i, "unknown escape sequence '\\" + e + "'");
                    }
                }
            }
        }
        throw error(s.length() + 1, "unterminated quoted string");
    }

    private static int hex(String s, int from, int digits, StringBuilder out) {
        if (from + digits > s.length()) {
            throw error(from, "unterminated escape sequence");
        }
        try {
            out.appendCodePoint(Integer.parseUnsignedInt(s.substring(from, from + digits), 16));
        } catch (IllegalArgumentException e) {
            throw error(from, "invalid escape sequence");
        }
        return from + digits;
    }

    private static IllegalArgumentException error(int column, String message) {
        return new IllegalArgumentException("1:" + column + ": parse error: " + message);
    }
}
