package io.lokiconnect.sink.routing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The relabel rules of {@code relabel.rules}, applied in order to a stream's final label set (Prometheus's
 * {@code relabel.Process}): a rule that drops the entry ends the run. Plain and stateless: the sink caches its
 * result per distinct label set, so a rule runs once per new stream, not per record.
 */
public final class Relabeler {

    private final List<RelabelRule> rules;

    public Relabeler(List<RelabelRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public List<RelabelRule> rules() {
        return rules;
    }

    /** The labels after every rule (a new map), or null when a rule drops the entry. */
    public Map<String, String> apply(Map<String, String> labels) {
        TreeMap<String, String> out = new TreeMap<>(labels);
        for (RelabelRule rule : rules) {
            if (!rule.apply(out)) {
                return null;
            }
        }
        return out;
    }
}
