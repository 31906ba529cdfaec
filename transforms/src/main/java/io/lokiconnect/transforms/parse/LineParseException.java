package io.lokiconnect.transforms.parse;

/** A line is not in the expected format; the message says what is wrong and where, never the line itself. */
public class LineParseException extends Exception {

    public LineParseException(String message) {
        super(message);
    }

    public LineParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
