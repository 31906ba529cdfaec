package io.lokiconnect.transforms.parse;

/** Reads the requested fields out of one log line. Implementations are stateless and thread-safe. */
public interface LogLineParser {

    /**
     * The requested fields of {@code line}.
     *
     * @throws LineParseException when the line is not in this parser's format
     */
    ParsedLine parse(String line) throws LineParseException;

    /** The parser of {@code format} for {@code fields}. */
    static LogLineParser forFormat(InputFormat format, FieldPaths fields) {
        return switch (format) {
            case JSON -> new JsonLineParser(fields);
            case LOGFMT -> new LogfmtLineParser(fields);
            case AUTO -> new AutoLineParser(new JsonLineParser(fields), new LogfmtLineParser(fields));
        };
    }
}
