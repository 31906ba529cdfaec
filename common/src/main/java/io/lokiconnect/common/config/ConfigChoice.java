package io.lokiconnect.common.config;

import java.util.Locale;

/**
 * An enum constant that is one value of a choice key ({@code line.format=json}), Debezium's {@code EnumeratedValue}:
 * {@link #value()} is how the user writes it, by default the constant's name in lower case.
 */
public interface ConfigChoice {

    /** The value as written in a connector config. */
    default String value() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
    }
}
