package io.lokiconnect.transforms.parse;

import io.lokiconnect.common.config.ConfigChoice;

/** The format of string and byte values, {@code input.format}. */
public enum InputFormat implements ConfigChoice {
    /** One JSON object per line. */
    JSON,
    /** {@code key=value key="quoted value"}. */
    LOGFMT,
    /** JSON when the line starts with '{', logfmt otherwise. */
    AUTO
}
