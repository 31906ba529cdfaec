package io.lokiconnect.transforms.parse;

/**
 * Reads the requested fields of a logfmt line: {@code key=value key="quoted \"value\"" bare}, pairs separated by
 * whitespace.
 *
 * <ul>
 *   <li>A key is a run of characters other than whitespace, {@code =} and {@code "}; dotted keys
 *       ({@code service.name=api}) answer the dotted path as one key.</li>
 *   <li>A bare value runs to the next whitespace; a quoted value understands {@code \" \\ \/ \n \r \t \b \f}
 *       and {@code \}{@code uXXXX}; another backslash is kept as written.</li>
 *   <li>A bare key (no {@code =}) has the empty value; {@code key=} too.</li>
 *   <li>A key given twice: the last one wins.</li>
 *   <li>A line with no {@code key=value} pair (plain text), an unterminated quote, a quote or {@code =} where a key
 *       should start is a {@link LineParseException}.</li>
 * </ul>
 */
public final class LogfmtLineParser implements LogLineParser {

    private final FieldPaths fields;

    public LogfmtLineParser(FieldPaths fields) {
        this.fields = fields;
    }

    @Override
    public ParsedLine parse(String line) throws LineParseException {
        String[] values = new String[fields.size()];
        FieldPaths.Node root = fields.root();
        int n = line.length();
        int i = 0;
        boolean sawPair = false;
        while (true) {
            while (i < n && line.charAt(i) <= ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && line.charAt(i) > ' ' && line.charAt(i) != '=' && line.charAt(i) != '"') {
                i++;
            }
            if (i == keyStart) {
                throw new LineParseException("logfmt: '" + line.charAt(i) + "' at character " + i
                        + " where a key should start");
            }
            String key = line.substring(keyStart, i);
            String value;
            if (i < n && line.charAt(i) == '=') {
                i++;
                sawPair = true;
                if (i < n && line.charAt(i) == '"') {
                    int close = closingQuote(line, i + 1);
                    if (close < 0) {
                        throw new LineParseException("logfmt: the quoted value of key '" + shorten(key)
                                + "' starting at character " + i + " is not terminated");
                    }
                    value = unquote(line, i + 1, close);
                    i = close + 1;
                } else {
                    int valueStart = i;
                    while (i < n && line.charAt(i) > ' ') {
                        i++;
                    }
                    value = line.substring(valueStart, i);
                }
            } else if (i < n && line.charAt(i) == '"') {
                throw new LineParseException("logfmt: unexpected '\"' at character " + i + " inside key '"
                        + shorten(key) + "'");
            } else {
                value = "";
            }
            FieldPaths.Node node = root.get(key);
            if (node != null && node.slot() >= 0) {
                values[node.slot()] = value;
            }
        }
        if (!sawPair) {
            throw new LineParseException("logfmt: the line holds no key=value pair");
        }
        return new ParsedLine(values);
    }

    /** Index of the quote closing a value whose text starts at {@code from}, or -1. */
    private static int closingQuote(String line, int from) {
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String line, int from, int to) {
        int backslash = line.indexOf('\\', from);
        if (backslash < 0 || backslash >= to) {
            return line.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = line.charAt(i);
            if (c != '\\' || i + 1 >= to) {
                out.append(c);
                continue;
            }
            char e = line.charAt(++i);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    int code = i + 4 < to ? hex4(line, i + 1) : -1;
                    if (code >= 0) {
                        out.append((char) code);
                        i += 4;
                    } else {
                        out.append('\\').append(e);
                    }
                }
                default -> out.append('\\').append(e);
            }
        }
        return out.toString();
    }

    private static int hex4(String s, int from) {
        int code = 0;
        for (int i = from; i < from + 4; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            code = code * 16 + d;
        }
        return code;
    }

    private static String shorten(String key) {
        return key.length() <= 64 ? key : key.substring(0, 64) + "...";
    }
}
