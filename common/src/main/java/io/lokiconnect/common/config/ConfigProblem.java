package io.lokiconnect.common.config;

import org.apache.kafka.common.config.ConfigException;

/**
 * A rule spanning keys that a config breaks, reported on the key the user should change.
 *
 * @param key the key to fix
 * @param value the value shown in the message ({@code (hidden)} for passwords)
 * @param message what is wrong and how to fix it
 */
public record ConfigProblem(String key, Object value, String message) {

    public ConfigException toException() {
        return new ConfigException(key, value, message);
    }
}
