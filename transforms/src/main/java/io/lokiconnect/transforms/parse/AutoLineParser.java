package io.lokiconnect.transforms.parse;

/** JSON for a line whose first non-blank character is {@code {}, logfmt for any other. */
public final class AutoLineParser implements LogLineParser {

    private final LogLineParser json;
    private final LogLineParser logfmt;

    public AutoLineParser(LogLineParser json, LogLineParser logfmt) {
        this.json = json;
        this.logfmt = logfmt;
    }

    @Override
    public ParsedLine parse(String line) throws LineParseException {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' ? json.parse(line) : logfmt.parse(line);
            }
        }
        throw new LineParseException("the line is empty");
    }
}
