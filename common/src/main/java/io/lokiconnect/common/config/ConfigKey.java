package io.lokiconnect.common.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/**
 * One config key declared once (Debezium's {@code Field}): its name, type, default, validator, importance and
 * documentation, and how its parsed value is read as a {@code T}. A config class declares each key as one
 * {@code static final ConfigKey}, builds its {@link ConfigDef} from them ({@link #defineAll}) and reads every value
 * once, in its constructor ({@link #from}), so the name, the definition and the getter cannot drift apart and no
 * getter parses again.
 *
 * <p>Instances are immutable: every {@code with...} returns a copy.
 */
public final class ConfigKey<T> {

    private final String name;
    private final Type type;
    private final Object defaultValue;
    private final Validator validator;
    private final Importance importance;
    private final String doc;
    private final Width width;
    private final ConfigDef.Recommender recommender;
    private final boolean internal;
    private final BiFunction<String, Object, T> reader;

    private ConfigKey(String name, Type type, Object defaultValue, Validator validator, Importance importance,
            String doc, Width width, ConfigDef.Recommender recommender, boolean internal,
            BiFunction<String, Object, T> reader) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.defaultValue = defaultValue;
        this.validator = validator;
        this.importance = importance;
        this.doc = doc;
        this.width = width;
        this.recommender = recommender;
        this.internal = internal;
        this.reader = reader;
    }

    private static <T> ConfigKey<T> of(String name, Type type, Class<T> valueType) {
        return new ConfigKey<>(name, type, ConfigDef.NO_DEFAULT_VALUE, null, Importance.LOW, "", Width.NONE, null,
                false, (key, value) -> valueType.cast(value));
    }

    public static ConfigKey<String> string(String name) {
        return of(name, Type.STRING, String.class);
    }

    public static ConfigKey<Integer> integer(String name) {
        return of(name, Type.INT, Integer.class);
    }

    public static ConfigKey<Long> longKey(String name) {
        return of(name, Type.LONG, Long.class);
    }

    public static ConfigKey<Double> decimal(String name) {
        return of(name, Type.DOUBLE, Double.class);
    }

    public static ConfigKey<Boolean> bool(String name) {
        return of(name, Type.BOOLEAN, Boolean.class);
    }

    public static ConfigKey<Password> password(String name) {
        return of(name, Type.PASSWORD, Password.class);
    }

    @SuppressWarnings("unchecked")
    public static ConfigKey<List<String>> list(String name) {
        return new ConfigKey<>(name, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, null, Importance.LOW, "", Width.NONE,
                null, false, (key, value) -> (List<String>) value);
    }

    /** A STRING key holding one value of {@code choice}'s enum: validated, recommended and read as the constant. */
    public static <E extends Enum<E> & ConfigChoice> ConfigKey<E> choice(String name, EnumChoice<E> choice) {
        return new ConfigKey<>(name, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, choice, Importance.LOW, "",
                Width.SHORT, choice, false, (key, value) -> choice.parse(key, (String) value));
    }

    /** A LIST key whose items are values of {@code choice}'s enum ({@link EnumChoice#forList}), read as a set. */
    @SuppressWarnings("unchecked")
    public static <E extends Enum<E> & ConfigChoice> ConfigKey<Set<E>> choices(String name, EnumChoice<E> choice) {
        return new ConfigKey<>(name, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, choice, Importance.LOW, "",
                Width.SHORT, choice, false, (key, value) -> choice.parseAll(key, (List<String>) value));
    }

    /** The default, as a user would write it or as the typed value; without one the key is required. */
    public ConfigKey<T> withDefault(Object value) {
        return new ConfigKey<>(name, type, value, validator, importance, doc, width, recommender, internal, reader);
    }

    public ConfigKey<T> withValidator(Validator value) {
        return new ConfigKey<>(name, type, defaultValue, value, importance, doc, width, recommender, internal, reader);
    }

    public ConfigKey<T> withImportance(Importance value) {
        return new ConfigKey<>(name, type, defaultValue, validator, value, doc, width, recommender, internal, reader);
    }

    public ConfigKey<T> withDoc(String value) {
        return new ConfigKey<>(name, type, defaultValue, validator, importance, value, width, recommender, internal,
                reader);
    }

    /** Set by a connector on its tasks' configs, never by users: not in the documentation nor in validate's answer. */
    public ConfigKey<T> internal() {
        return new ConfigKey<>(name, type, defaultValue, validator, importance, doc, width, recommender, true, reader);
    }

    public String name() {
        return name;
    }

    public Object defaultValue() {
        return defaultValue;
    }

    /** This key's value in a config's parsed values ({@code AbstractConfig.values()}), as its type. */
    public T from(Map<String, ?> parsedValues) {
        return reader.apply(name, parsedValues.get(name));
    }

    /** Adds this key to {@code def}. */
    public ConfigDef defineIn(ConfigDef def) {
        if (internal) {
            // As defineInternal, but in no group: defineInternal's "" would be listed as a group in validate's answer.
            return def.define(new ConfigDef.ConfigKey(name, type, defaultValue, validator, importance, doc, null, -1,
                    Width.NONE, name, List.of(), null, true));
        }
        return def.define(name, type, defaultValue, validator, importance, doc, null, -1, width, name, recommender);
    }

    /** A ConfigDef of {@code keys}, in that order. */
    public static ConfigDef defineAll(ConfigKey<?>... keys) {
        ConfigDef def = new ConfigDef();
        for (ConfigKey<?> key : keys) {
            key.defineIn(def);
        }
        return def;
    }

    @Override
    public String toString() {
        return name;
    }
}
