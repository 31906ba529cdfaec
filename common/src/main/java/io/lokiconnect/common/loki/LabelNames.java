package io.lokiconnect.common.loki;

/**
 * Loki's label-name rule, in one place for the transform, the sink and the receiver.
 *
 * <p>A valid name matches {@code [a-zA-Z_][a-zA-Z0-9_]*}. Names beginning with {@code __} are reserved by Loki and
 * Prometheus for internal labels ({@code __name__}, {@code __stream_shard__}, ...), so a user's name never keeps
 * that prefix. {@link #sanitize} turns any field, header or configured name into a usable one: every other
 * character becomes {@code _}, a leading digit gets a {@code _} in front, and leading underscores are reduced to
 * one ({@code kubernetes.namespace} gives {@code kubernetes_namespace}, {@code 5xx} gives {@code _5xx},
 * {@code __path} gives {@code _path}). Nothing is dropped: a name is renamed, never discarded.
 */
public final class LabelNames {

    private LabelNames() {
    }

    /** True when Loki accepts {@code name} as a user label: it matches the pattern and is not reserved. */
    public static boolean isValid(String name) {
        return matchesPattern(name) && !isReserved(name);
    }

    /**
     * True when {@code name} matches {@code [a-zA-Z_][a-zA-Z0-9_]*}, the syntax Loki's label parser accepts (reserved
     * names included: Loki's own labels pass it too).
     */
    public static boolean matchesPattern(String name) {
        if (name == null || name.isEmpty() || !isFirst(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!isRest(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True for names beginning with {@code __}, which Loki keeps for itself. */
    public static boolean isReserved(String name) {
        return name.length() >= 2 && name.charAt(0) == '_' && name.charAt(1) == '_';
    }

    /** The name itself when valid, otherwise its sanitised form; the empty name becomes {@code _}. */
    public static String sanitize(String name) {
        if (isValid(name)) {
            return name;
        }
        if (name.isEmpty()) {
            return "_";
        }
        StringBuilder out = new StringBuilder(name.length() + 1);
        if (name.charAt(0) >= '0' && name.charAt(0) <= '9') {
            out.append('_');
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            char mapped = isRest(c) ? c : '_';
            // Collapse a leading run of underscores (including mapped characters) to one: "__x" and ".-x" give "_x".
            if (mapped == '_' && out.length() == 1 && out.charAt(0) == '_') {
                continue;
            }
            out.append(mapped);
        }
        return out.toString();
    }

    private static boolean isFirst(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isRest(char c) {
        return isFirst(c) || (c >= '0' && c <= '9');
    }
}
