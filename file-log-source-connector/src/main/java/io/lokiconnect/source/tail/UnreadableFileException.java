package io.lokiconnect.source.tail;

import java.io.IOException;

/** A file the tailer will not read (binary content, for instance): reported once, never fails the task. */
public class UnreadableFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnreadableFileException(String reason) {
        super(reason);
    }
}
