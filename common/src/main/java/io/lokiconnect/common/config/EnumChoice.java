package io.lokiconnect.common.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The validator, the recommender and the parser of a choice key, all taken from its enum, so the values a
 * ConfigDef accepts, the ones Connect's validate endpoint recommends and the ones the config's getter returns
 * cannot drift apart. Values are matched ignoring case and surrounding spaces ({@code JSON} is {@code json});
 * an unknown value fails naming the key and every allowed value.
 *
 * <p>For a LIST key ({@link #forList}) each item is one value of the enum.
 */
public final class EnumChoice<E extends Enum<E> & ConfigChoice> implements ConfigDef.Validator, ConfigDef.Recommender {

    private final Class<E> type;
    private final boolean list;
    private final List<Object> values;

    private EnumChoice(Class<E> type, boolean list) {
        this.type = type;
        this.list = list;
        this.values = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            values.add(constant.value());
        }
    }

    /** For a STRING key holding one value of {@code type}. */
    public static <E extends Enum<E> & ConfigChoice> EnumChoice<E> of(Class<E> type) {
        return new EnumChoice<>(type, false);
    }

    /** For a LIST key whose items are values of {@code type}. */
    public static <E extends Enum<E> & ConfigChoice> EnumChoice<E> forList(Class<E> type) {
        return new EnumChoice<>(type, true);
    }

    /** The constant {@code value} names, ignoring case and surrounding spaces; fails naming {@code key}. */
    public E parse(String key, String value) {
        String wanted = value == null ? "" : value.trim();
        for (E constant : type.getEnumConstants()) {
            if (constant.value().equalsIgnoreCase(wanted)) {
                return constant;
            }
        }
        throw new ConfigException(key, value, "must be one of " + values + " (case does not matter)");
    }

    /** The constants the items of a LIST value name, in enum order. */
    public Set<E> parseAll(String key, List<String> items) {
        Set<E> parsed = EnumSet.noneOf(type);
        for (String item : items) {
            parsed.add(parse(key, item));
        }
        return parsed;
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (list) {
            if (value != null) {
                for (Object item : (List<?>) value) {
                    parse(name, String.valueOf(item));
                }
            }
        } else {
            parse(name, value == null ? null : value.toString());
        }
    }

    @Override
    public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
        return values;
    }

    @Override
    public boolean visible(String name, Map<String, Object> parsedConfig) {
        return true;
    }

    /** As {@code ValidString} prints it, for the generated configuration reference. */
    @Override
    public String toString() {
        return list ? "any of " + values : values.toString();
    }
}
