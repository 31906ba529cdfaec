package io.lokiconnect.source.tail;

import java.io.IOException;

/** The name of a tracked file now holds another file (rotated or replaced between a check and an open). */
public final class FileReplacedException extends IOException {
    public FileReplacedException(String message) {
        super(message);
    }
}
