package io.lokiconnect.sink.routing;

import io.lokiconnect.common.config.ConfigChoice;
import io.lokiconnect.common.loki.LabelNames;
import java.util.regex.Matcher;

/**
 * One rule of {@code mappings}: a part of the Kafka record (its key, a header chosen by name or by a regex over
 * header names, its topic, its partition) matched against {@code regex} (anchored, as a relabel rule's) and, when it
 * matches, expanded into a label, a structured-metadata field or the record's tenant. The name and the value are
 * Go-style templates ({@code $1}, {@code ${name}}) over the value's match; with a header pattern, the name's
 * template is over the header name's match instead. A label name that is not valid is made valid as header labels
 * are ({@code kubernetes.namespace} gives {@code kubernetes_namespace}); a name beginning with {@code __} is kept
 * for the relabel rules to read, and removed after them, as Prometheus does.
 *
 * @param name          the rule's name in {@code mappings}, named in errors
 * @param headerName    for {@link Source#HEADER}: the header's exact name, or null with a pattern
 * @param headerPattern for {@link Source#HEADER}: a regex over header names, or null with an exact name
 * @param nameTemplate  the label or metadata name (a template), unused for the tenant; null: the default name (the
 *                      source's: {@code key}, {@code topic}, {@code partition}, the header's name made a valid label
 *                      name)
 */
public record RecordMapping(String name, Source source, String headerName, RelabelRegex headerPattern,
                            RelabelRegex regex, Target target, String nameTemplate, String valueTemplate) {

    /** {@code mapping.<name>.source}. */
    public enum Source implements ConfigChoice {
        KEY, HEADER, TOPIC, PARTITION
    }

    /** {@code mapping.<name>.target}. */
    public enum Target implements ConfigChoice {
        LABEL, METADATA, TENANT
    }

    /** What a rule gives one record: a name (empty for the tenant) and a value. */
    public record Output(String name, String value) {
    }

    /**
     * Whether this rule reads header {@code key}; for a header pattern, the name its match gives (null: not read).
     * Depends on the header name only, so the caller may cache it per name.
     */
    public String headerName(String key) {
        if (headerName != null) {
            return key.equals(headerName) ? key : null;
        }
        Matcher m = headerPattern.matcher(key);
        if (!m.matches()) {
            return null;
        }
        return nameTemplate == null ? key : headerPattern.expand(nameTemplate, m);
    }

    /**
     * What this rule gives the value {@code raw}: null when the regex does not match or the value expands to nothing.
     * {@code sourceName} is the header's name ({@link #headerName}) or the source's name.
     */
    public Output apply(String raw, String sourceName) {
        if (takesValueAsIs()) {
            // regex (.*) and value $1, the defaults: the value as it is, without running the regex
            return raw.isEmpty() ? null : new Output(target == Target.TENANT ? "" : labelName(sourceName), raw);
        }
        Matcher m = regex.matcher(raw);
        if (!m.matches()) {
            return null;
        }
        String value = regex.expand(valueTemplate, m);
        if (value.isEmpty()) {
            return null;
        }
        if (target == Target.TENANT) {
            return new Output("", value);
        }
        String name = labelName(headerPattern != null || nameTemplate == null ? sourceName
                : regex.expand(nameTemplate, m));
        return name.isEmpty() ? null : new Output(name, value);
    }

    /** True when the rule passes the whole value under a name that does not depend on it (the defaults). */
    public boolean takesValueAsIs() {
        return RelabelRegex.DEFAULT.equals(regex.source()) && "$1".equals(valueTemplate)
                && (headerPattern != null || nameTemplate == null || nameTemplate.indexOf('$') < 0);
    }

    private String labelName(String name) {
        String chosen = headerPattern == null && nameTemplate != null && nameTemplate.indexOf('$') < 0 ? nameTemplate
                : name;
        return target == Target.LABEL && !LabelNames.matchesPattern(chosen) ? LabelNames.sanitize(chosen) : chosen;
    }
}
