package io.lokiconnect.sink.format;

import io.lokiconnect.common.config.ConfigChoice;

/** The log line sent to Loki, {@code line.format}. */
public enum LineFormat implements ConfigChoice {
    /** The record value as is. */
    VALUE,
    /** A JSON object: the value under {@code message}, with headers folded in. */
    JSON,
    /** A logfmt line: the value under {@code message}, with headers folded in. */
    LOGFMT
}
