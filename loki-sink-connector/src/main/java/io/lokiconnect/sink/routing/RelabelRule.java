package io.lokiconnect.sink.routing;

import io.lokiconnect.common.config.ConfigChoice;
import io.lokiconnect.common.loki.LabelNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * One relabel rule with Prometheus's semantics ({@code model/relabel/relabel.go}, {@code relabel()}, as Loki's
 * Promtail and Alloy's {@code loki.relabel} vendor it), for the actions {@code replace}, {@code keep}, {@code drop},
 * {@code labeldrop}, {@code labelkeep} and {@code labelmap}:
 * <ul>
 *   <li>the source value is the values of {@code sourceLabels} joined by {@code separator}, an absent label
 *       counting as empty;</li>
 *   <li>{@code replace}: when the regex matches the source value, the target label (a template) is set to the
 *       replacement (a template); an empty result removes it; a target that is not a valid label name does
 *       nothing;</li>
 *   <li>{@code keep} drops the entry unless the regex matches the source value; {@code drop} when it matches;</li>
 *   <li>{@code labeldrop} / {@code labelkeep} remove the labels whose name matches / does not match;</li>
 *   <li>{@code labelmap} copies each label whose name matches to the name the replacement gives (the original
 *       stays). Unlike Prometheus, a name that is not a valid Loki label name is not set: Loki would refuse the
 *       stream.</li>
 * </ul>
 *
 * @param name the rule's name in {@code relabel.rules}, named in errors
 */
public record RelabelRule(String name, Action action, List<String> sourceLabels, String separator,
                          RelabelRegex regex, String targetLabel, String replacement) {

    /** {@code relabel.rule.<name>.action}. */
    public enum Action implements ConfigChoice {
        REPLACE, KEEP, DROP, LABELDROP, LABELKEEP, LABELMAP
    }

    public RelabelRule {
        sourceLabels = List.copyOf(sourceLabels);
    }

    /**
     * Applies the rule to {@code labels} in place; false when the entry is to be dropped ({@code keep}, {@code drop}).
     */
    public boolean apply(Map<String, String> labels) {
        switch (action) {
            case REPLACE -> {
                String value = sourceValue(labels);
                Matcher m = regex.matcher(value);
                if (!m.matches()) {
                    return true;
                }
                String target = regex.expand(targetLabel, m);
                if (!LabelNames.matchesPattern(target)) {
                    return true;
                }
                String result = regex.expand(replacement, m);
                if (result.isEmpty()) {
                    labels.remove(target);
                } else {
                    labels.put(target, result);
                }
                return true;
            }
            case KEEP -> {
                return regex.matches(sourceValue(labels));
            }
            case DROP -> {
                return !regex.matches(sourceValue(labels));
            }
            case LABELDROP -> {
                labels.keySet().removeIf(regex::matches);
                return true;
            }
            case LABELKEEP -> {
                labels.keySet().removeIf(n -> !regex.matches(n));
                return true;
            }
            case LABELMAP -> {
                for (Map.Entry<String, String> label : new ArrayList<>(labels.entrySet())) {
                    Matcher m = regex.matcher(label.getKey());
                    if (m.matches()) {
                        String mapped = regex.expand(replacement, m);
                        if (LabelNames.matchesPattern(mapped)) {
                            labels.put(mapped, label.getValue());
                        }
                    }
                }
                return true;
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
    }

    private String sourceValue(Map<String, String> labels) {
        if (sourceLabels.size() == 1) {
            String value = labels.get(sourceLabels.get(0));
            return value == null ? "" : value;
        }
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < sourceLabels.size(); i++) {
            if (i > 0) {
                joined.append(separator);
            }
            String value = labels.get(sourceLabels.get(i));
            if (value != null) {
                joined.append(value);
            }
        }
        return joined.toString();
    }
}
