package io.lokiconnect.sink.routing;

import io.lokiconnect.common.config.ConfigProblem;
import io.lokiconnect.common.config.EnumChoice;
import io.lokiconnect.common.loki.LabelNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The keys of each named rule of {@code mappings} ({@code mapping.<name>.*}) and {@code relabel.rules}
 * ({@code relabel.rule.<name>.*}), as Connect names a transform's keys after its alias: each rule's keys are added
 * to the sink's ConfigDef ({@link #enrich}), so they are typed, validated and documented like every other key, and
 * an error names the rule's key. {@link #mappings} and {@link #relabelRules} compile them once, at start.
 */
public final class RoutingRules {

    public static final String MAPPINGS_CONFIG = "mappings";
    public static final String RELABEL_RULES_CONFIG = "relabel.rules";
    public static final String MAPPING_PREFIX = "mapping.";
    public static final String RELABEL_RULE_PREFIX = "relabel.rule.";

    public static final String SOURCE = "source";
    public static final String HEADER = "header";
    public static final String HEADER_PATTERN = "header.pattern";
    public static final String REGEX = "regex";
    public static final String TARGET = "target";
    public static final String NAME = "name";
    public static final String VALUE = "value";

    public static final String ACTION = "action";
    public static final String SOURCE_LABELS = "source.labels";
    public static final String SEPARATOR = "separator";
    public static final String TARGET_LABEL = "target.label";
    public static final String REPLACEMENT = "replacement";

    private static final EnumChoice<RecordMapping.Source> SOURCES = EnumChoice.of(RecordMapping.Source.class);
    private static final EnumChoice<RecordMapping.Target> TARGETS = EnumChoice.of(RecordMapping.Target.class);
    private static final EnumChoice<RelabelRule.Action> ACTIONS = EnumChoice.of(RelabelRule.Action.class);
    /** Prometheus's {@code relabelTarget}: what a templated target label or a labelmap replacement must look like. */
    private static final Pattern RELABEL_TARGET = Pattern.compile("^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");
    private static final String GROUP_MAPPING = "Mapping rule (mapping.<name>.*)";
    private static final String GROUP_RELABEL = "Relabel rule (relabel.rule.<name>.*)";

    /** The keys of one mapping rule, without the {@code mapping.<name>.} prefix. */
    public static final ConfigDef MAPPING_RULE_DEF = new ConfigDef()
            .define(SOURCE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, SOURCES, Importance.HIGH,
                    "What the rule reads: 'key' (the record key as text), 'header' (a header, see header and "
                            + "header.pattern), 'topic', 'partition'.", GROUP_MAPPING, 1, ConfigDef.Width.SHORT,
                    "Source", SOURCES)
            .define(HEADER, Type.STRING, "", Importance.MEDIUM,
                    "With source=header: the header's exact name (e.g. team). Not together with header.pattern.",
                    GROUP_MAPPING, 2, ConfigDef.Width.MEDIUM, "Header")
            .define(HEADER_PATTERN, Type.STRING, "", new RegexValidator(true), Importance.MEDIUM,
                    "With source=header: a regex over header names (anchored, RE2 syntax); every header it matches "
                            + "gives an output, named by name with the groups of the header name's match (e.g. "
                            + "header.pattern=x-label-(.+), name=$1). Not together with header.",
                    GROUP_MAPPING, 3, ConfigDef.Width.MEDIUM, "Header pattern")
            .define(REGEX, Type.STRING, RelabelRegex.DEFAULT, new RegexValidator(false), Importance.MEDIUM,
                    "Regex the value must match, whole (anchored, RE2 syntax, '.' matches a line break); a value "
                            + "that does not match gives nothing. Its groups are $1, $2, ${name} in name and value "
                            + "(e.g. for a topic logs.prod.checkout: regex=logs\\.([^.]+)\\..*, value=$1).",
                    GROUP_MAPPING, 4, ConfigDef.Width.LONG, "Regex")
            .define(TARGET, Type.STRING, RecordMapping.Target.LABEL.value(), TARGETS, Importance.HIGH,
                    "Where the value goes: 'label' (a stream label, under labels.values.max), 'metadata' (structured "
                            + "metadata of the entry, for high-cardinality values) or 'tenant' (the record's Loki "
                            + "tenant, X-Scope-OrgID; wins over the loki.tenant header and loki.tenant.id).",
                    GROUP_MAPPING, 5, ConfigDef.Width.SHORT, "Target", TARGETS)
            .define(NAME, Type.STRING, "", Importance.MEDIUM,
                    "The label or metadata name, a template ($1, ${name}). Empty: 'key', 'topic', 'partition' or the "
                            + "header's name. A label name that is not valid is made valid (other characters become "
                            + "_); a name beginning with __ is kept for the relabel rules and removed after them. "
                            + "Unused for target=tenant.",
                    GROUP_MAPPING, 6, ConfigDef.Width.MEDIUM, "Name")
            .define(VALUE, Type.STRING, "$1", Importance.LOW,
                    "The value, a template over the regex's match ($1 is its first group; $0 the whole value). An "
                            + "empty result gives nothing.",
                    GROUP_MAPPING, 7, ConfigDef.Width.MEDIUM, "Value");

    /** The keys of one relabel rule, without the {@code relabel.rule.<name>.} prefix. */
    public static final ConfigDef RELABEL_RULE_DEF = new ConfigDef()
            .define(ACTION, Type.STRING, RelabelRule.Action.REPLACE.value(), ACTIONS, Importance.HIGH,
                    "Prometheus's relabel action: 'replace', 'keep', 'drop', 'labeldrop', 'labelkeep' or 'labelmap'. "
                            + "keep and drop drop the record (counted in records-dropped-by-relabel-total, its offset "
                            + "committed), as in Prometheus and Alloy.", GROUP_RELABEL, 1, ConfigDef.Width.SHORT,
                    "Action", ACTIONS)
            .define(SOURCE_LABELS, Type.LIST, "", Importance.MEDIUM,
                    "Labels whose values, joined by separator, the regex is matched against (source_labels); an "
                            + "absent label counts as empty. __tenant_id__ is the record's tenant.",
                    GROUP_RELABEL, 2, ConfigDef.Width.LONG, "Source labels")
            .define(SEPARATOR, Type.STRING, ";", Importance.LOW, "Joins the source labels' values (separator).",
                    GROUP_RELABEL, 3, ConfigDef.Width.SHORT, "Separator")
            .define(REGEX, Type.STRING, RelabelRegex.DEFAULT, new RegexValidator(false), Importance.MEDIUM,
                    "Regex (anchored, RE2 syntax, '.' matches a line break), matched against the source value, or "
                            + "against label names for labeldrop, labelkeep and labelmap.",
                    GROUP_RELABEL, 4, ConfigDef.Width.LONG, "Regex")
            .define(TARGET_LABEL, Type.STRING, "", Importance.MEDIUM,
                    "replace: the label set (target_label), a template ($1). __tenant_id__ sets the record's tenant.",
                    GROUP_RELABEL, 5, ConfigDef.Width.MEDIUM, "Target label")
            .define(REPLACEMENT, Type.STRING, "$1", Importance.MEDIUM,
                    "replace: the value set, labelmap: the new label name; a template over the regex's match "
                            + "(replacement). An empty value removes the target label.",
                    GROUP_RELABEL, 6, ConfigDef.Width.MEDIUM, "Replacement");

    private RoutingRules() {
    }

    /**
     * {@code base} with the keys of each rule {@code props} names in {@code mappings} and {@code relabel.rules}: the
     * definition the sink's config is parsed and validated with.
     */
    public static ConfigDef enrich(ConfigDef base, Map<?, ?> props) {
        ConfigDef def = new ConfigDef(base);
        for (String name : names(props, MAPPINGS_CONFIG)) {
            addPrefixed(def, MAPPING_RULE_DEF, MAPPING_PREFIX + name + ".");
        }
        for (String name : names(props, RELABEL_RULES_CONFIG)) {
            addPrefixed(def, RELABEL_RULE_DEF, RELABEL_RULE_PREFIX + name + ".");
        }
        return def;
    }

    /** The rule names a list key holds in {@code props}, each once; none when the key is absent or invalid. */
    private static List<String> names(Map<?, ?> props, String key) {
        Object raw = props.get(key);
        if (raw == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try {
            for (Object item : (List<?>) ConfigDef.parseType(key, raw, Type.LIST)) {
                String name = item.toString().trim();
                if (!name.isEmpty() && !names.contains(name)) {
                    names.add(name);
                }
            }
        } catch (ConfigException invalid) {
            return List.of(); // the key's own validation reports it
        }
        return names;
    }

    private static void addPrefixed(ConfigDef def, ConfigDef fragment, String prefix) {
        for (ConfigDef.ConfigKey key : fragment.configKeys().values()) {
            if (def.configKeys().containsKey(prefix + key.name)) {
                continue;
            }
            def.define(prefix + key.name, key.type, key.hasDefault() ? key.defaultValue : ConfigDef.NO_DEFAULT_VALUE,
                    key.validator, key.importance, key.documentation, key.group, key.orderInGroup, key.width,
                    key.displayName, List.of(), key.recommender);
        }
    }

    /** A rule list key's problems: duplicate names. */
    public static List<ConfigProblem> nameProblems(String key, List<String> names) {
        List<ConfigProblem> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (!seen.add(name)) {
                problems.add(new ConfigProblem(key, String.join(",", names), "names rule '" + name
                        + "' twice; give each rule its own name"));
            }
        }
        return problems;
    }

    /**
     * The mapping rules named in {@code mappings}, compiled; {@code get} reads a parsed key's value. Problems that
     * span a rule's keys are added to {@code problems}, each on its key.
     */
    public static List<RecordMapping> mappings(List<String> names, Function<String, Object> get,
                                               List<ConfigProblem> problems) {
        List<RecordMapping> rules = new ArrayList<>();
        for (String name : names) {
            String p = MAPPING_PREFIX + name + ".";
            RecordMapping.Source source = SOURCES.parse(p + SOURCE, (String) get.apply(p + SOURCE));
            RecordMapping.Target target = TARGETS.parse(p + TARGET, (String) get.apply(p + TARGET));
            String header = ((String) get.apply(p + HEADER)).trim();
            String headerPattern = (String) get.apply(p + HEADER_PATTERN);
            String nameTemplate = (String) get.apply(p + NAME);
            if (source == RecordMapping.Source.HEADER) {
                if (header.isEmpty() == headerPattern.isEmpty()) {
                    problems.add(new ConfigProblem(p + HEADER, header, "source=header needs exactly one of " + p
                            + HEADER + " (a header's name) and " + p + HEADER_PATTERN + " (a regex over header names)"));
                }
            } else if (!header.isEmpty() || !headerPattern.isEmpty()) {
                problems.add(new ConfigProblem(header.isEmpty() ? p + HEADER_PATTERN : p + HEADER,
                        header.isEmpty() ? headerPattern : header, "is read only with " + p + SOURCE + "=header, not "
                        + source.value()));
            }
            if (target != RecordMapping.Target.TENANT && !nameTemplate.isEmpty() && !nameTemplate.contains("$")
                    && nameTemplate.isBlank()) {
                problems.add(new ConfigProblem(p + NAME, nameTemplate, "is blank; leave it empty for the default"));
            }
            rules.add(new RecordMapping(name, source, header.isEmpty() ? null : header,
                    headerPattern.isEmpty() ? null : RelabelRegex.compile(headerPattern),
                    RelabelRegex.compile((String) get.apply(p + REGEX)), target,
                    nameTemplate.isEmpty() ? null : nameTemplate, (String) get.apply(p + VALUE)));
        }
        return rules;
    }

    /**
     * The relabel rules named in {@code relabel.rules}, compiled, checked as Prometheus checks a relabel config
     * ({@code RelabelConfig.Validate}), each problem on the rule's key.
     */
    @SuppressWarnings("unchecked")
    public static List<RelabelRule> relabelRules(List<String> names, Function<String, Object> get,
                                                 List<ConfigProblem> problems) {
        List<RelabelRule> rules = new ArrayList<>();
        for (String name : names) {
            String p = RELABEL_RULE_PREFIX + name + ".";
            RelabelRule.Action action = ACTIONS.parse(p + ACTION, (String) get.apply(p + ACTION));
            List<String> sources = (List<String>) get.apply(p + SOURCE_LABELS);
            String separator = (String) get.apply(p + SEPARATOR);
            String target = ((String) get.apply(p + TARGET_LABEL)).trim();
            String replacement = (String) get.apply(p + REPLACEMENT);
            for (String label : sources) {
                if (!LabelNames.matchesPattern(label)) {
                    problems.add(new ConfigProblem(p + SOURCE_LABELS, String.join(",", sources), "'" + label
                            + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"));
                }
            }
            switch (action) {
                case REPLACE -> {
                    if (target.isEmpty()) {
                        problems.add(new ConfigProblem(p + TARGET_LABEL, target, "relabel rule '" + name
                                + "' (action replace) needs a target label: set " + p + TARGET_LABEL));
                    } else if (!target.contains("$") && !LabelNames.matchesPattern(target)) {
                        problems.add(new ConfigProblem(p + TARGET_LABEL, target, "is not a label name "
                                + "([a-zA-Z_][a-zA-Z0-9_]*)"));
                    } else if (target.contains("$") && !RELABEL_TARGET.matcher(target).matches()) {
                        problems.add(new ConfigProblem(p + TARGET_LABEL, target, "is not a label name template "
                                + "(letters, digits, _ and $1 or ${name})"));
                    }
                }
                case LABELMAP -> {
                    if (!RELABEL_TARGET.matcher(replacement).matches()) {
                        problems.add(new ConfigProblem(p + REPLACEMENT, replacement, "relabel rule '" + name
                                + "' (action labelmap) needs a label name template as replacement, e.g. $1"));
                    }
                }
                case LABELDROP, LABELKEEP -> {
                    if (!sources.isEmpty() || !target.isEmpty() || !separator.equals(";") || !replacement.equals("$1")) {
                        String key = !sources.isEmpty() ? SOURCE_LABELS : !target.isEmpty() ? TARGET_LABEL
                                : !separator.equals(";") ? SEPARATOR : REPLACEMENT;
                        problems.add(new ConfigProblem(p + key, get.apply(p + key), "relabel rule '" + name
                                + "' (action " + action.value() + ") takes only " + p + REGEX + ", matched against "
                                + "label names; remove " + p + key));
                    }
                }
                default -> {
                    // keep and drop read source.labels, separator and regex only
                }
            }
            rules.add(new RelabelRule(name, action, sources, separator,
                    RelabelRegex.compile((String) get.apply(p + REGEX)), target, replacement));
        }
        return rules;
    }

    /** A key holding a regex that Java's engine compiles (as {@link RelabelRegex} reads it). */
    static final class RegexValidator implements ConfigDef.Validator {
        private final boolean emptyAllowed;

        RegexValidator(boolean emptyAllowed) {
            this.emptyAllowed = emptyAllowed;
        }

        @Override
        public void ensureValid(String name, Object value) {
            String regex = value == null ? "" : value.toString();
            if (regex.isEmpty() && emptyAllowed) {
                return;
            }
            try {
                RelabelRegex.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(name, regex, "is not a regex: " + e.getDescription() + " near index "
                        + e.getIndex() + " (RE2 syntax; a named group is (?<name>...) or (?P<name>...), letters and "
                        + "digits only)");
            }
        }

        @Override
        public String toString() {
            return "regex";
        }
    }
}
