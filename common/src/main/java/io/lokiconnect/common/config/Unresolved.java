package io.lokiconnect.common.config;

import org.apache.kafka.common.config.ConfigException;

/**
 * The one check for a config-provider reference that Connect left as it was. A {@code ${env:X}} whose variable
 * is unset on the worker stays literal in the config, and would be used as a topic, a path or a URL.
 */
public final class Unresolved {

    private Unresolved() {
    }

    /** Fails naming {@code key}, the reference and what to set, when {@code value} still holds {@code ${...}}. */
    public static void reject(String key, Object value) {
        String text = value == null ? "" : value.toString();
        int start = text.indexOf("${");
        if (start < 0) {
            return;
        }
        int end = text.indexOf('}', start);
        String reference = end < 0 ? text.substring(start) : text.substring(start, end + 1);
        throw new ConfigException(key, value, "holds an unresolved reference " + reference + ": " + fix(reference));
    }

    private static String fix(String reference) {
        String inner = reference.endsWith("}") ? reference.substring(2, reference.length() - 1) : reference.substring(2);
        if (inner.startsWith("env:")) {
            String variable = inner.substring("env:".length());
            return "set the environment variable " + variable + " on every Connect worker (with "
                    + "config.providers=env), or replace the reference with a value";
        }
        return "set the environment variable or secret it names on every Connect worker, and the worker's "
                + "config.providers, or replace the reference with a value";
    }
}
