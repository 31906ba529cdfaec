package io.lokiconnect.sink.labels;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream: its tenant and its labels, sorted by name, with the Prometheus text form Loki expects in a push
 * ({@code {job="x", level="info"}}). Values may hold any character: quotes, backslashes and newlines
 * are escaped, so a value can never change another label.
 *
 * <p>Loki keeps streams per tenant ({@code X-Scope-OrgID}), and its limits are per tenant and per stream within a
 * tenant: two equal label sets of two tenants are two streams. So the tenant is part of the identity here (equals,
 * hash), and everything keyed by stream (the outbox, the rate buckets, the out-of-order window, the alignment of
 * partitions) is keyed by tenant too. The text form holds the labels only: it is what a push carries.
 */
public final class LabelSet {

    private static final LabelSet EMPTY = new LabelSet(new TreeMap<>(), "");

    private final TreeMap<String, String> labels;
    private final String tenant;
    private final String text;
    private final int hash;

    private LabelSet(TreeMap<String, String> labels, String tenant) {
        this.labels = labels;
        this.tenant = tenant;
        this.text = render(labels);
        this.hash = 31 * text.hashCode() + tenant.hashCode();
    }

    /** The labels, of no tenant (no {@code X-Scope-OrgID}). */
    public static LabelSet of(Map<String, String> labels) {
        return labels.isEmpty() ? EMPTY : new LabelSet(new TreeMap<>(labels), "");
    }

    /** This set with {@code more} added; a label in {@code more} replaces one of the same name. */
    public LabelSet with(Map<String, String> more) {
        if (more.isEmpty()) {
            return this;
        }
        TreeMap<String, String> merged = new TreeMap<>(labels);
        merged.putAll(more);
        return new LabelSet(merged, tenant);
    }

    /** The same labels in {@code tenant}'s stream ({@code ""}: no tenant header). */
    public LabelSet inTenant(String tenant) {
        return this.tenant.equals(tenant) ? this : new LabelSet(labels, tenant);
    }

    /** The tenant sent as {@code X-Scope-OrgID}; empty for none. */
    public String tenant() {
        return tenant;
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(labels);
    }

    public String get(String name) {
        return labels.get(name);
    }

    public int size() {
        return labels.size();
    }

    /** The Prometheus text form sent in protobuf pushes. */
    public String text() {
        return text;
    }

    private static String render(Map<String, String> labels) {
        StringBuilder out = new StringBuilder(16 * labels.size() + 2).append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            out.append(label.getKey()).append("=\"");
            escape(label.getValue(), out);
            out.append('"');
        }
        return out.append('}').toString();
    }

    private static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof LabelSet other && hash == other.hash && text.equals(other.text)
                && tenant.equals(other.tenant));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return tenant.isEmpty() ? text : text + " of tenant " + tenant;
    }
}
