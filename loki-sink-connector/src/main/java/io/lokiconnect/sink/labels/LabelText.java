package io.lokiconnect.sink.labels;

import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a label set that Loki printed in a response body: Prometheus' text form {@code {a="b", c="d"}} as Go's
 * {@code labels.Labels.String()} writes it (values quoted with {@code strconv.Quote}: {@code \"}, {@code \\},
 * {@code \n}, {@code \t}, hex and unicode escapes). Loki 3 adds labels of its own to what the client sent
 * ({@code service_name}, and {@code __stream_shard__} when it shards a stream), so a body is matched to a stream by
 * its label set with those added ones ignored, never by comparing strings ({@link #sameStream}).
 */
public final class LabelText {

    /** Labels Loki 3 adds to a stream the client sent without them (pkg/loghttp/push, pkg/distributor). */
    private static final String[] ADDED_BY_LOKI = {"service_name", "__stream_shard__"};
    /** Longest label text read: Loki's own limits (label names, value length) keep real ones far shorter. */
    private static final int MAX_TEXT = 16 * 1024;

    /** A label set read from {@code text}, and the index just after its closing brace. */
    public record Parsed(Map<String, String> labels, int end) {
    }

    private LabelText() {
    }

    /** Reads the label set whose {@code '{'} is at {@code from}; null when the text there is not one. */
    public static Parsed parse(String text, int from) {
        if (from < 0 || from >= text.length() || text.charAt(from) != '{') {
            return null;
        }
        int limit = Math.min(text.length(), from + MAX_TEXT);
        TreeMap<String, String> labels = new TreeMap<>();
        int i = skipSpaces(text, from + 1, limit);
        if (i < limit && text.charAt(i) == '}') {
            return new Parsed(labels, i + 1);
        }
        StringBuilder value = new StringBuilder();
        while (i < limit) {
            int nameStart = i;
            while (i < limit && isNameChar(text.charAt(i), i == nameStart)) {
                i++;
            }
            if (i == nameStart || i >= limit || text.charAt(i) != '=') {
                return null;
            }
            String name = text.substring(nameStart, i);
            i++;
            if (i >= limit || text.charAt(i) != '"') {
                return null;
            }
            value.setLength(0);
            i = readQuoted(text, i + 1, limit, value);
            if (i < 0) {
                return null;
            }
            labels.put(name, value.toString());
            i = skipSpaces(text, i, limit);
            if (i < limit && text.charAt(i) == '}') {
                return new Parsed(labels, i + 1);
            }
            if (i >= limit || text.charAt(i) != ',') {
                return null;
            }
            i = skipSpaces(text, i + 1, limit);
        }
        return null;
    }

    /** The whole of {@code text} as a label set (spaces around it allowed); null when it is not one. */
    public static Map<String, String> parseAll(String text) {
        String t = text.strip();
        Parsed parsed = parse(t, 0);
        return parsed != null && parsed.end() == t.length() ? parsed.labels() : null;
    }

    /**
     * True when Loki's label set {@code printed} is the stream the sink sent as {@code sent}: equal, once the labels
     * Loki 3 adds (service_name, __stream_shard__) are left out where {@code sent} has none of that name.
     */
    public static boolean sameStream(LabelSet sent, Map<String, String> printed) {
        Map<String, String> mine = sent.asMap();
        int extra = 0;
        for (String added : ADDED_BY_LOKI) {
            if (!mine.containsKey(added) && printed.containsKey(added)) {
                extra++;
            }
        }
        if (printed.size() != mine.size() + extra) {
            return false;
        }
        for (Map.Entry<String, String> label : mine.entrySet()) {
            if (!label.getValue().equals(printed.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }

    private static int skipSpaces(String text, int i, int limit) {
        while (i < limit && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** Reads a Go-quoted value after its opening quote; returns the index after the closing quote, or -1. */
    private static int readQuoted(String text, int i, int limit, StringBuilder out) {
        while (i < limit) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= limit) {
                return -1;
            }
            char e = text.charAt(i + 1);
            switch (e) {
                case '"', '\\', '\'' -> {
                    out.append(e);
                    i += 2;
                }
                case 'n' -> {
                    out.append('\n');
                    i += 2;
                }
                case 't' -> {
                    out.append('\t');
                    i += 2;
                }
                case 'r' -> {
                    out.append('\r');
                    i += 2;
                }
                case 'a', 'b', 'f', 'v' -> {
                    out.append(switch (e) {
                        case 'a' -> '\u0007';
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        default -> '\u000b';
                    });
                    i += 2;
                }
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + 2 + digits > limit) {
                        return -1;
                    }
                    int code;
                    try {
                        code = Integer.parseUnsignedInt(text, i + 2, i + 2 + digits, 16);
                    } catch (NumberFormatException ex) {
                        return -1;
                    }
                    if (e == 'x') {
                        out.append((char) code); // a byte of invalid UTF-8: kept as one char, matches nothing sent
                    } else if (Character.isValidCodePoint(code)) {
                        out.appendCodePoint(code);
                    } else {
                        return -1;
                    }
                    i += 2 + digits;
                }
                default -> {
                    return -1;
                }
            }
        }
        return -1;
    }
}
