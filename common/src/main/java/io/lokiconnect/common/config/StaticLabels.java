package io.lokiconnect.common.config;

import io.lokiconnect.common.loki.LabelNames;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The parser and validator of a list of fixed labels, {@code name=value} comma-separated: the transform's
 * {@code static.labels} and the sink's {@code labels.static} read the same way. A name must be a valid Loki label
 * name (the error suggests the valid form), a value must not be empty (Loki drops such a label), a name appears
 * once, and spaces around names and values are removed. The value is everything after the first {@code =}.
 */
public final class StaticLabels implements ConfigDef.Validator {

    private static final StaticLabels VALIDATOR = new StaticLabels();

    private StaticLabels() {
    }

    /** The ConfigDef validator of a LIST key holding static labels. */
    public static ConfigDef.Validator validator() {
        return VALIDATOR;
    }

    /** The labels in configured order; fails naming {@code key}, the entry and the fix. */
    public static Map<String, String> parse(String key, List<?> entries) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (entries == null) {
            return labels;
        }
        for (Object item : entries) {
            String entry = String.valueOf(item);
            Unresolved.reject(key, entry);
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.substring(0, eq).isBlank()) {
                throw new ConfigException(key, entry, "is not name=value: write e.g. job=api,env=prod");
            }
            String name = entry.substring(0, eq).trim();
            String value = entry.substring(eq + 1).trim();
            if (!LabelNames.isValid(name)) {
                throw new ConfigException(key, entry, "label name '" + name + "' must match [a-zA-Z_][a-zA-Z0-9_]* "
                        + "and not start with __ (Loki reserves it): use '" + LabelNames.sanitize(name) + "'");
            }
            if (value.isEmpty()) {
                throw new ConfigException(key, entry, "has an empty value, which Loki drops: give it a value or "
                        + "remove the entry");
            }
            if (labels.put(name, value) != null) {
                throw new ConfigException(key, entries, "names label '" + name + "' twice: keep one entry");
            }
        }
        return Collections.unmodifiableMap(labels);
    }

    @Override
    public void ensureValid(String name, Object value) {
        parse(name, (List<?>) value);
    }

    @Override
    public String toString() {
        return "comma-separated name=value";
    }
}
