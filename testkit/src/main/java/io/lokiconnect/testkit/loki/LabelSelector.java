package io.lokiconnect.testkit.loki;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Loki's label-set text, {@code {job="x", level="info"}}, as Loki's distributor does: label names must
 * match {@code [a-zA-Z_][a-zA-Z0-9_]*}; values are double-quoted Go strings. Errors read like Loki's
 * ({@code 1:5: parse error: unexpected character inside braces: '-'}).
 */
public final class LabelSelector {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private LabelSelector() {
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        String s = text.trim();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw new IllegalArgumentException("1:1: parse error: unexpected end of input, expected {");
        }
        int i = 1;
        while (i < s.length() - 1) {
            while (s.charAt(i) == ' ' || s.charAt(i) == ',') {
                i++;
            }
            if (i >= s.length() - 1) {
                break;
            }
            Matcher m = NAME.matcher(s).region(i, s.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException("1:" + (i + 1) + ": parse error: unexpected character inside braces: '"
                        + s.charAt(i) + "'");
            }
            String name = m.group();
            i = m.end();
            if (s.charAt(i) != '=' || s.charAt(i + 1) != '"') {
                throw new IllegalArgumentException("1:" + (i + 1) + ": parse error: unexpected character inside braces: '"
                        + s.charAt(i) + "'");
            }
            i += 2;
            StringBuilder value = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i);
                if (c == '\\') {
                    char next = s.charAt(++i);
                    value.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> next;
                    });
                } else {
                    value.append(c);
                }
                i++;
            }
            i++;
            if (labels.put(name, value.toString()) != null) {
                throw new IllegalArgumentException("duplicate label name '" + name + "'");
            }
        }
        return labels;
    }
}
