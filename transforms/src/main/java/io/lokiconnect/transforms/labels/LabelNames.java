package io.lokiconnect.transforms.labels;

/**
 * Turns any field or configured name into a valid Loki label name, {@code [a-zA-Z_][a-zA-Z0-9_]*}: every other
 * character becomes {@code _} and a leading digit gets a {@code _} in front ({@code kubernetes.namespace} gives
 * {@code kubernetes_namespace}, {@code 5xx} gives {@code _5xx}). Loki rejects a push whose label name is invalid,
 * so names are fixed here, once, at configuration time.
 */
public final class LabelNames {

    private LabelNames() {
    }

    public static boolean isValid(String name) {
        if (name.isEmpty() || !isFirst(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!isRest(name.charAt(i))) {
                return false;
            }
        }
        return true;
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
            out.append(isRest(c) ? c : '_');
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
