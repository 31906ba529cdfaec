package io.lokiconnect.transforms.parse;

/** Reads the requested fields out of one log line. Implementations are stateless and thread-safe. */
public interface LogLineParser {

    /**
     * The requested fields of {@code line}.
     *
     * @throws LineParseException when the line is not in this parser's format
     */
    ParsedLine parse(String line) throws LineParseException;

    /** The parser of {@code format} ({@code json}, {@code logfmt} or {@code auto}) for {@code fields}. */
    static LogLineParser forFormat(String format, FieldPaths fields) {
        return switch (format) {
            case "json" -> new JsonLineParser(fields);
            case "logfmt" -> new LogfmtLineParser(fields);
            case "auto" -> new AutoLineParser(new JsonLineParser(fields), new LogfmtLineParser(fields));
            default -> throw new IllegalArgumentException("unknown input format '" + format
                    + "': use json, logfmt or auto");
        };
    }
}
