package io.lokiconnect.transforms;

import io.lokiconnect.common.config.ConfigChoice;
import io.lokiconnect.common.config.ConfigKey;
import io.lokiconnect.common.config.ConfigProblem;
import io.lokiconnect.common.config.CrossKeyRules;
import io.lokiconnect.common.config.EnumChoice;
import io.lokiconnect.common.config.StaticLabels;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.transforms.extract.ExtractorSettings;
import io.lokiconnect.transforms.labels.LabelFieldSpec;
import io.lokiconnect.transforms.level.LevelNormalizer;
import io.lokiconnect.transforms.parse.InputFormat;
import io.lokiconnect.transforms.time.TimestampParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link JsonLabels}: every key typed, validated and documented here. */
public class JsonLabelsConfig extends AbstractConfig {

    /** {@code line.output}: what the record value becomes. */
    public enum LineOutput implements ConfigChoice {
        /** The message.field text. */
        MESSAGE,
        /** The value as it was, the whole line. */
        ORIGINAL
    }

    /** {@code on.parse.error}: what happens to a value that is not in input.format. */
    public enum OnParseError implements ConfigChoice {
        /** Forward the record unchanged and count it. */
        PASSTHROUGH,
        /** Throw a DataException, for errors.tolerance and the dead letter queue. */
        FAIL
    }

    static final ConfigKey<List<String>> LABEL_FIELDS = ConfigKey.list("label.fields").withDefault("level,service")
            .withValidator(new FieldSpecs()).withImportance(Importance.HIGH)
            .withDoc("Fields of the line that become Loki labels, comma-separated. A nested field is a dotted path "
                    + "(kubernetes.namespace); field:label renames (lvl:level). Label names are made valid "
                    + "([a-zA-Z_][a-zA-Z0-9_]*, other characters become _, e.g. kubernetes_namespace). A field "
                    + "that is absent, null or empty gives no label. Keep it to a few low-cardinality fields.");
    static final ConfigKey<String> TIMESTAMP_FIELD = ConfigKey.string("timestamp.field").withDefault("timestamp")
            .withValidator(new OptionalPath()).withImportance(Importance.HIGH)
            .withDoc("Field holding the entry time: RFC 3339/ISO-8601 with any fraction and offset (no offset: UTC), "
                    + "or Unix epoch seconds, ms, us or ns (number or string, unit chosen by magnitude, "
                    + "fractions kept). When read, the loki.timestamp.ns header (ns) is set, which the sink "
                    + "sends as the entry time; on a sink connector the record timestamp (ms) too. On a source "
                    + "connector the record keeps the time the line was read (a Kafka 4 broker refuses records "
                    + "more than 1 h ahead, and old times make retention delete early). When unreadable "
                    + "neither is set and the failure is counted. "
                    + "Empty: the timestamp is not touched.");
    static final ConfigKey<String> TIMESTAMP_FORMAT = ConfigKey.string("timestamp.format").withDefault("")
            .withValidator(new DateTimePattern())
            .withDoc("Optional java.time DateTimeFormatter pattern tried before the built-in forms, e.g. "
                    + "'dd/MMM/yyyy:HH:mm:ss Z'. Without zone or offset in the pattern the time is UTC.");
    static final ConfigKey<String> MESSAGE_FIELD = ConfigKey.string("message.field").withDefault("message")
            .withValidator(new OptionalPath()).withImportance(Importance.MEDIUM)
            .withDoc("Field holding the message text, used when line.output=message. Empty: the record value "
                    + "is never replaced.");
    static final ConfigKey<String> TENANT_FIELD = ConfigKey.string("tenant.field").withDefault("")
            .withValidator(new OptionalPath()).withImportance(Importance.MEDIUM)
            .withDoc("Field holding the record's Loki tenant (dotted path for a nested field, e.g. kubernetes.namespace"
                    + "): its value is written to the " + LokiHeaders.TENANT + " header, which the Loki sink "
                    + "sends as X-Scope-OrgID (one push per tenant) instead of its loki.tenant.id. A line "
                    + "without it (absent, null or empty) keeps the record's " + LokiHeaders.TENANT
                    + " header, if any. The sink refuses (behavior.on.rejected) a tenant Loki would refuse. "
                    + "Empty: no tenant is read.");
    static final ConfigKey<LineOutput> LINE_OUTPUT = ConfigKey.choice("line.output", EnumChoice.of(LineOutput.class))
            .withDefault(LineOutput.MESSAGE.value()).withImportance(Importance.MEDIUM)
            .withDoc("'message': the record value becomes the message.field text (a string), so Loki stores the "
                    + "message alone; a line without that field keeps its value. 'original': the value is "
                    + "kept as it is, the whole line.");
    static final ConfigKey<List<String>> METADATA_FIELDS = ConfigKey.list("metadata.fields").withDefault("")
            .withValidator(new FieldSpecs()).withImportance(Importance.MEDIUM)
            .withDoc("Fields sent as Loki structured metadata (headers <metadata.header.prefix><name>), same syntax "
                    + "as label.fields. Use it for high-cardinality values such as trace_id.");
    static final ConfigKey<List<String>> STATIC_LABELS = ConfigKey.list("static.labels").withDefault("")
            .withValidator(StaticLabels.validator()).withImportance(Importance.MEDIUM)
            .withDoc("Labels added to every parsed record, as name=value, comma-separated (a value cannot hold a "
                    + "comma), read as the Loki sink reads labels.static: a name must be a valid label name, "
                    + "a value not empty. A label of label.fields with the same name overrides it when the "
                    + "line has that field.");
    static final ConfigKey<String> LABEL_HEADER_PREFIX = ConfigKey.string("label.header.prefix")
            .withDefault(LokiHeaders.LABEL_PREFIX).withValidator(new NonEmptyString())
            .withDoc("Prefix of the label headers; the Loki sink must use the same. Headers of the same name already "
                    + "on the record are replaced.");
    static final ConfigKey<String> METADATA_HEADER_PREFIX = ConfigKey.string("metadata.header.prefix")
            .withDefault(LokiHeaders.METADATA_PREFIX).withValidator(new NonEmptyString())
            .withDoc("Prefix of the structured-metadata headers; the Loki sink must use the same.");
    static final ConfigKey<Boolean> LEVEL_NORMALIZE = ConfigKey.bool("level.normalize").withDefault(true)
            .withImportance(Importance.MEDIUM)
            .withDoc("Normalise the value of the 'level' label to trace, debug, info, warn, error or fatal "
                    + "(WARNING, W, 40, syslog 4 give warn; CRIT, PANIC, EMERG give fatal). Unknown values "
                    + "are kept in lower case.");
    static final ConfigKey<String> LEVEL_DEFAULT = ConfigKey.string("level.default").withDefault("")
            .withDoc("Value of the 'level' label for a line without level, e.g. info. Needs a label.fields entry "
                    + "named level. Empty: such lines get no level label.");
    static final ConfigKey<InputFormat> INPUT_FORMAT = ConfigKey.choice("input.format", EnumChoice.of(InputFormat.class))
            .withDefault(InputFormat.JSON.value()).withImportance(Importance.MEDIUM)
            .withDoc("Format of string and byte values: 'json' (one object per line), 'logfmt' (key=value "
                    + "key=\"quoted\"), 'auto' (json when the line starts with '{', logfmt otherwise). Map "
                    + "and Struct values are read directly whatever this says.");
    static final ConfigKey<OnParseError> ON_PARSE_ERROR =
            ConfigKey.choice("on.parse.error", EnumChoice.of(OnParseError.class))
            .withDefault(OnParseError.PASSTHROUGH.value()).withImportance(Importance.MEDIUM)
            .withDoc("What happens to a value that is not in input.format (including a JSON array or scalar): "
                    + "'passthrough' forwards the record unchanged and counts it; 'fail' throws a "
                    + "DataException, so the connector's errors.tolerance and dead letter queue apply.");
    static final ConfigKey<Integer> LABEL_VALUE_MAX_LENGTH = ConfigKey.integer("label.value.max.length")
            .withDefault(2048).withValidator(Range.between(1, 1 << 20))
            .withDoc("Longest label value, in UTF-8 bytes (Loki's max_label_value_length, default 2048); longer "
                    + "values are cut at a character boundary and counted.");
    static final ConfigKey<Integer> LABEL_VALUES_MAX = ConfigKey.integer("label.values.max").withDefault(1000)
            .withValidator(Range.atLeast(1))
            .withDoc("Most distinct values of each label per task; a further new value is sent as __overflow__, "
                    + "counted and logged once per label. Bounds the Loki streams a runaway field creates.");

    public static final ConfigDef CONFIG_DEF = ConfigKey.defineAll(LABEL_FIELDS, TIMESTAMP_FIELD, TIMESTAMP_FORMAT,
            MESSAGE_FIELD, TENANT_FIELD, LINE_OUTPUT, METADATA_FIELDS, STATIC_LABELS, LABEL_HEADER_PREFIX,
            METADATA_HEADER_PREFIX, LEVEL_NORMALIZE, LEVEL_DEFAULT, INPUT_FORMAT, ON_PARSE_ERROR,
            LABEL_VALUE_MAX_LENGTH, LABEL_VALUES_MAX);

    private final List<LabelFieldSpec> labelFields;
    private final List<LabelFieldSpec> metadataFields;
    private final Map<String, String> staticLabels;
    private final String timestampField;
    private final String timestampFormat;
    private final String messageField;
    private final String tenantField;
    private final LineOutput lineOutput;
    private final String labelHeaderPrefix;
    private final String metadataHeaderPrefix;
    private final boolean levelNormalize;
    private final String levelDefault;
    private final InputFormat inputFormat;
    private final OnParseError onParseError;
    private final int labelValueMaxLength;
    private final int labelValuesMax;

    /**
     * Validates every key, then the rules spanning keys (see {@link CrossKeyRules}): Connect validates a transform's
     * keys one by one, so the first broken rule is thrown here, when the transform is configured, on the key to fix.
     */
    public JsonLabelsConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
        Map<String, ?> values = values();
        labelFields = specs(LABEL_FIELDS.name(), LABEL_FIELDS.from(values));
        metadataFields = specs(METADATA_FIELDS.name(), METADATA_FIELDS.from(values));
        staticLabels = StaticLabels.parse(STATIC_LABELS.name(), STATIC_LABELS.from(values));
        timestampField = TIMESTAMP_FIELD.from(values).trim();
        timestampFormat = TIMESTAMP_FORMAT.from(values);
        messageField = MESSAGE_FIELD.from(values).trim();
        tenantField = TENANT_FIELD.from(values).trim();
        lineOutput = LINE_OUTPUT.from(values);
        labelHeaderPrefix = LABEL_HEADER_PREFIX.from(values);
        metadataHeaderPrefix = METADATA_HEADER_PREFIX.from(values);
        levelNormalize = LEVEL_NORMALIZE.from(values);
        String level = LEVEL_DEFAULT.from(values).trim();
        levelDefault = levelNormalize && !level.isEmpty() ? LevelNormalizer.normalize(level) : level;
        inputFormat = INPUT_FORMAT.from(values);
        onParseError = ON_PARSE_ERROR.from(values);
        labelValueMaxLength = LABEL_VALUE_MAX_LENGTH.from(values);
        labelValuesMax = LABEL_VALUES_MAX.from(values);
        CrossKeyRules.enforce(crossKeyProblems());
    }

    private List<ConfigProblem> crossKeyProblems() {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Map.Entry<String, String> label : staticLabels.entrySet()) {
            int bytes = Utf8.encodedLength(label.getValue());
            if (bytes > labelValueMaxLength) {
                problems.add(new ConfigProblem(STATIC_LABELS.name(), label.getKey() + "=" + label.getValue(),
                        "the value is " + bytes + " bytes, over " + LABEL_VALUE_MAX_LENGTH + "="
                                + labelValueMaxLength + ": shorten it or raise " + LABEL_VALUE_MAX_LENGTH));
            }
        }
        String levelLabel = ExtractorSettings.LEVEL_LABEL;
        if (!levelDefault.isEmpty() && labelFields.stream().noneMatch(f -> f.name().equals(levelLabel))) {
            problems.add(new ConfigProblem(LEVEL_DEFAULT.name(), levelDefault, "has no effect: no entry of "
                    + LABEL_FIELDS + " is named '" + levelLabel + "'; add one (e.g. lvl:level) or clear "
                    + LEVEL_DEFAULT));
        }
        if (labelHeaderPrefix.equals(metadataHeaderPrefix)) {
            problems.add(new ConfigProblem(METADATA_HEADER_PREFIX.name(), metadataHeaderPrefix, "equals "
                    + LABEL_HEADER_PREFIX + ": labels and metadata would mix; give them different prefixes"));
        }
        return problems;
    }

    /** The entries of a field list as specs; two entries giving one name fail, naming both. */
    private static List<LabelFieldSpec> specs(String key, List<?> entries) {
        List<LabelFieldSpec> specs = new ArrayList<>();
        Map<String, String> entryByName = new HashMap<>();
        for (Object item : entries) {
            String entry = String.valueOf(item);
            LabelFieldSpec spec;
            try {
                spec = LabelFieldSpec.parse(entry);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, entries, e.getMessage());
            }
            String previous = entryByName.put(spec.name(), entry);
            if (previous != null) {
                throw new ConfigException(key, entries, "entries '" + previous + "' and '" + entry
                        + "' both give name '" + spec.name() + "': rename one with field:name");
            }
            specs.add(spec);
        }
        return specs;
    }

    /** The label fields in configured order, names sanitised. */
    public List<LabelFieldSpec> labelFields() {
        return labelFields;
    }

    /** The metadata fields in configured order, names sanitised. */
    public List<LabelFieldSpec> metadataFields() {
        return metadataFields;
    }

    /** Static labels by sanitised name, in configured order. */
    public Map<String, String> staticLabels() {
        return staticLabels;
    }

    /** The timestamp field path, or empty for none. */
    public String timestampField() {
        return timestampField;
    }

    /** The DateTimeFormatter pattern tried first, or empty for none. */
    public String timestampFormat() {
        return timestampFormat;
    }

    /** The tenant field path, or empty for none. */
    public String tenantField() {
        return tenantField;
    }

    /** The message field path, or empty for none. */
    public String messageField() {
        return messageField;
    }

    public LineOutput lineOutput() {
        return lineOutput;
    }

    public String labelHeaderPrefix() {
        return labelHeaderPrefix;
    }

    public String metadataHeaderPrefix() {
        return metadataHeaderPrefix;
    }

    public boolean levelNormalize() {
        return levelNormalize;
    }

    /** The level for lines without one, normalised when level.normalize is on; empty for none. */
    public String levelDefault() {
        return levelDefault;
    }

    public InputFormat inputFormat() {
        return inputFormat;
    }

    public OnParseError onParseError() {
        return onParseError;
    }

    public int labelValueMaxLength() {
        return labelValueMaxLength;
    }

    public int labelValuesMax() {
        return labelValuesMax;
    }

    /** Each entry is {@code path} or {@code path:name}. */
    private static final class FieldSpecs implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null) {
                specs(name, (List<?>) value);
            }
        }

        @Override
        public String toString() {
            return "comma-separated field or field:name, nested fields as parent.child";
        }
    }

    /** A dotted field path, or empty. */
    private static final class OptionalPath implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String path = value == null ? "" : ((String) value).trim();
            if (path.isEmpty()) {
                return;
            }
            try {
                LabelFieldSpec.checkPath(path, path);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a field name, a dotted path parent.child, or empty";
        }
    }

    /** Empty, or a valid DateTimeFormatter pattern. */
    private static final class DateTimePattern implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || ((String) value).isEmpty()) {
                return;
            }
            try {
                new TimestampParser((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "is not a java.time DateTimeFormatter pattern ("
                        + e.getMessage() + "): write e.g. yyyy-MM-dd HH:mm:ss.SSS, or leave it empty");
            }
        }

        @Override
        public String toString() {
            return "a java.time DateTimeFormatter pattern, or empty";
        }
    }
}
