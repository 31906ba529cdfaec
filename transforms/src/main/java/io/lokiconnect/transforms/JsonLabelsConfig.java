package io.lokiconnect.transforms;

import io.lokiconnect.common.config.ConfigChoice;
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
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link JsonLabels}: every key typed, validated and documented here. */
public class JsonLabelsConfig extends AbstractConfig {

    public static final String LABEL_FIELDS_CONFIG = "label.fields";
    public static final String TIMESTAMP_FIELD_CONFIG = "timestamp.field";
    public static final String TIMESTAMP_FORMAT_CONFIG = "timestamp.format";
    public static final String MESSAGE_FIELD_CONFIG = "message.field";
    public static final String TENANT_FIELD_CONFIG = "tenant.field";
    public static final String LINE_OUTPUT_CONFIG = "line.output";
    public static final String METADATA_FIELDS_CONFIG = "metadata.fields";
    public static final String STATIC_LABELS_CONFIG = "static.labels";
    public static final String LABEL_HEADER_PREFIX_CONFIG = "label.header.prefix";
    public static final String METADATA_HEADER_PREFIX_CONFIG = "metadata.header.prefix";
    public static final String LEVEL_NORMALIZE_CONFIG = "level.normalize";
    public static final String LEVEL_DEFAULT_CONFIG = "level.default";
    public static final String INPUT_FORMAT_CONFIG = "input.format";
    public static final String ON_PARSE_ERROR_CONFIG = "on.parse.error";
    public static final String LABEL_VALUE_MAX_LENGTH_CONFIG = "label.value.max.length";
    public static final String LABEL_VALUES_MAX_CONFIG = "label.values.max";

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

    private static final EnumChoice<LineOutput> LINE_OUTPUT = EnumChoice.of(LineOutput.class);
    private static final EnumChoice<InputFormat> INPUT_FORMAT = EnumChoice.of(InputFormat.class);
    private static final EnumChoice<OnParseError> ON_PARSE_ERROR = EnumChoice.of(OnParseError.class);

    /** The label whose value {@code level.normalize} and {@code level.default} apply to. */
    public static final String LEVEL_LABEL = ExtractorSettings.LEVEL_LABEL;

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(LABEL_FIELDS_CONFIG, Type.LIST, "level,service", new FieldSpecs(), Importance.HIGH,
                    "Fields of the line that become Loki labels, comma-separated. A nested field is a dotted path "
                            + "(kubernetes.namespace); field:label renames (lvl:level). Label names are made valid "
                            + "([a-zA-Z_][a-zA-Z0-9_]*, other characters become _, e.g. kubernetes_namespace). A field "
                            + "that is absent, null or empty gives no label. Keep it to a few low-cardinality fields.")
            .define(TIMESTAMP_FIELD_CONFIG, Type.STRING, "timestamp", new OptionalPath(), Importance.HIGH,
                    "Field holding the entry time: RFC 3339/ISO-8601 with any fraction and offset (no offset: UTC), "
                            + "or Unix epoch seconds, ms, us or ns (number or string, unit chosen by magnitude, "
                            + "fractions kept). When read, the loki.timestamp.ns header (ns) is set, which the sink "
                            + "sends as the entry time; on a sink connector the record timestamp (ms) too. On a source "
                            + "connector the record keeps the time the line was read (a Kafka 4 broker refuses records "
                            + "more than 1 h ahead, and old times make retention delete early). When unreadable "
                            + "neither is set and the failure is counted. "
                            + "Empty: the timestamp is not touched.")
            .define(TIMESTAMP_FORMAT_CONFIG, Type.STRING, "", new DateTimePattern(), Importance.LOW,
                    "Optional java.time DateTimeFormatter pattern tried before the built-in forms, e.g. "
                            + "'dd/MMM/yyyy:HH:mm:ss Z'. Without zone or offset in the pattern the time is UTC.")
            .define(MESSAGE_FIELD_CONFIG, Type.STRING, "message", new OptionalPath(), Importance.MEDIUM,
                    "Field holding the message text, used when line.output=message. Empty: the record value "
                            + "is never replaced.")
            .define(TENANT_FIELD_CONFIG, Type.STRING, "", new OptionalPath(), Importance.MEDIUM,
                    "Field holding the record's Loki tenant (dotted path for a nested field, e.g. kubernetes.namespace"
                            + "): its value is written to the " + LokiHeaders.TENANT + " header, which the Loki sink "
                            + "sends as X-Scope-OrgID (one push per tenant) instead of its loki.tenant.id. A line "
                            + "without it (absent, null or empty) keeps the record's " + LokiHeaders.TENANT
                            + " header, if any. The sink refuses (behavior.on.rejected) a tenant Loki would refuse. "
                            + "Empty: no tenant is read.")
            .define(LINE_OUTPUT_CONFIG, Type.STRING, LineOutput.MESSAGE.value(), LINE_OUTPUT, Importance.MEDIUM,
                    "'message': the record value becomes the message.field text (a string), so Loki stores the "
                            + "message alone; a line without that field keeps its value. 'original': the value is "
                            + "kept as it is, the whole line.",
                    null, -1, Width.SHORT, LINE_OUTPUT_CONFIG, LINE_OUTPUT)
            .define(METADATA_FIELDS_CONFIG, Type.LIST, "", new FieldSpecs(), Importance.MEDIUM,
                    "Fields sent as Loki structured metadata (headers <metadata.header.prefix><name>), same syntax "
                            + "as label.fields. Use it for high-cardinality values such as trace_id.")
            .define(STATIC_LABELS_CONFIG, Type.LIST, "", StaticLabels.validator(), Importance.MEDIUM,
                    "Labels added to every parsed record, as name=value, comma-separated (a value cannot hold a "
                            + "comma), read as the Loki sink reads labels.static: a name must be a valid label name, "
                            + "a value not empty. A label of label.fields with the same name overrides it when the "
                            + "line has that field.")
            .define(LABEL_HEADER_PREFIX_CONFIG, Type.STRING, LokiHeaders.LABEL_PREFIX, new NonEmptyString(),
                    Importance.LOW,
                    "Prefix of the label headers; the Loki sink must use the same. Headers of the same name already "
                            + "on the record are replaced.")
            .define(METADATA_HEADER_PREFIX_CONFIG, Type.STRING, LokiHeaders.METADATA_PREFIX, new NonEmptyString(),
                    Importance.LOW, "Prefix of the structured-metadata headers; the Loki sink must use the same.")
            .define(LEVEL_NORMALIZE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Normalise the value of the 'level' label to trace, debug, info, warn, error or fatal "
                            + "(WARNING, W, 40, syslog 4 give warn; CRIT, PANIC, EMERG give fatal). Unknown values "
                            + "are kept in lower case.")
            .define(LEVEL_DEFAULT_CONFIG, Type.STRING, "", Importance.LOW,
                    "Value of the 'level' label for a line without level, e.g. info. Needs a label.fields entry "
                            + "named level. Empty: such lines get no level label.")
            .define(INPUT_FORMAT_CONFIG, Type.STRING, InputFormat.JSON.value(), INPUT_FORMAT, Importance.MEDIUM,
                    "Format of string and byte values: 'json' (one object per line), 'logfmt' (key=value "
                            + "key=\"quoted\"), 'auto' (json when the line starts with '{', logfmt otherwise). Map "
                            + "and Struct values are read directly whatever this says.",
                    null, -1, Width.SHORT, INPUT_FORMAT_CONFIG, INPUT_FORMAT)
            .define(ON_PARSE_ERROR_CONFIG, Type.STRING, OnParseError.PASSTHROUGH.value(), ON_PARSE_ERROR,
                    Importance.MEDIUM,
                    "What happens to a value that is not in input.format (including a JSON array or scalar): "
                            + "'passthrough' forwards the record unchanged and counts it; 'fail' throws a "
                            + "DataException, so the connector's errors.tolerance and dead letter queue apply.",
                    null, -1, Width.SHORT, ON_PARSE_ERROR_CONFIG, ON_PARSE_ERROR)
            .define(LABEL_VALUE_MAX_LENGTH_CONFIG, Type.INT, 2048, Range.between(1, 1 << 20), Importance.LOW,
                    "Longest label value, in UTF-8 bytes (Loki's max_label_value_length, default 2048); longer "
                            + "values are cut at a character boundary and counted.")
            .define(LABEL_VALUES_MAX_CONFIG, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
                    "Most distinct values of each label per task; a further new value is sent as __overflow__, "
                            + "counted and logged once per label. Bounds the Loki streams a runaway field creates.");

    private final List<LabelFieldSpec> labelFields;
    private final List<LabelFieldSpec> metadataFields;
    private final Map<String, String> staticLabels;

    public JsonLabelsConfig(Map<?, ?> props) {
        this(props, true);
    }

    private JsonLabelsConfig(Map<?, ?> props, boolean enforceCrossKeyRules) {
        super(CONFIG_DEF, props);
        labelFields = specs(LABEL_FIELDS_CONFIG, getList(LABEL_FIELDS_CONFIG));
        metadataFields = specs(METADATA_FIELDS_CONFIG, getList(METADATA_FIELDS_CONFIG));
        staticLabels = StaticLabels.parse(STATIC_LABELS_CONFIG, getList(STATIC_LABELS_CONFIG));
        if (enforceCrossKeyRules) {
            CrossKeyRules.enforce(crossKeyProblems());
        }
    }

    /**
     * The rules spanning keys that {@code props} break, each on the key to fix (see {@link CrossKeyRules}); its keys
     * must pass their validators. Connect validates a transform's keys one by one, so the constructor throws the
     * first of these when the transform is configured.
     */
    static List<ConfigProblem> crossKeyProblems(Map<?, ?> props) {
        return new JsonLabelsConfig(props, false).crossKeyProblems();
    }

    private List<ConfigProblem> crossKeyProblems() {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Map.Entry<String, String> label : staticLabels.entrySet()) {
            int bytes = Utf8.encodedLength(label.getValue());
            if (bytes > labelValueMaxLength()) {
                problems.add(new ConfigProblem(STATIC_LABELS_CONFIG, label.getKey() + "=" + label.getValue(),
                        "the value is " + bytes + " bytes, over " + LABEL_VALUE_MAX_LENGTH_CONFIG + "="
                                + labelValueMaxLength() + ": shorten it or raise " + LABEL_VALUE_MAX_LENGTH_CONFIG));
            }
        }
        if (!levelDefault().isEmpty() && labelFields.stream().noneMatch(f -> f.name().equals(LEVEL_LABEL))) {
            problems.add(new ConfigProblem(LEVEL_DEFAULT_CONFIG, levelDefault(), "has no effect: no entry of "
                    + LABEL_FIELDS_CONFIG + " is named '" + LEVEL_LABEL + "'; add one (e.g. lvl:level) or clear "
                    + LEVEL_DEFAULT_CONFIG));
        }
        if (labelHeaderPrefix().equals(metadataHeaderPrefix())) {
            problems.add(new ConfigProblem(METADATA_HEADER_PREFIX_CONFIG, metadataHeaderPrefix(), "equals "
                    + LABEL_HEADER_PREFIX_CONFIG + ": labels and metadata would mix; give them different prefixes"));
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
        return getString(TIMESTAMP_FIELD_CONFIG).trim();
    }

    public String timestampFormat() {
        return getString(TIMESTAMP_FORMAT_CONFIG);
    }

    /** The message field path, or empty for none. */
    public String tenantField() {
        return getString(TENANT_FIELD_CONFIG).trim();
    }

    public String messageField() {
        return getString(MESSAGE_FIELD_CONFIG).trim();
    }

    public LineOutput lineOutput() {
        return LINE_OUTPUT.parse(LINE_OUTPUT_CONFIG, getString(LINE_OUTPUT_CONFIG));
    }

    public String labelHeaderPrefix() {
        return getString(LABEL_HEADER_PREFIX_CONFIG);
    }

    public String metadataHeaderPrefix() {
        return getString(METADATA_HEADER_PREFIX_CONFIG);
    }

    public boolean levelNormalize() {
        return getBoolean(LEVEL_NORMALIZE_CONFIG);
    }

    /** The level for lines without one, normalised when level.normalize is on; empty for none. */
    public String levelDefault() {
        String value = getString(LEVEL_DEFAULT_CONFIG).trim();
        return levelNormalize() && !value.isEmpty() ? LevelNormalizer.normalize(value) : value;
    }

    public InputFormat inputFormat() {
        return INPUT_FORMAT.parse(INPUT_FORMAT_CONFIG, getString(INPUT_FORMAT_CONFIG));
    }

    public OnParseError onParseError() {
        return ON_PARSE_ERROR.parse(ON_PARSE_ERROR_CONFIG, getString(ON_PARSE_ERROR_CONFIG));
    }

    public int labelValueMaxLength() {
        return getInt(LABEL_VALUE_MAX_LENGTH_CONFIG);
    }

    public int labelValuesMax() {
        return getInt(LABEL_VALUES_MAX_CONFIG);
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
