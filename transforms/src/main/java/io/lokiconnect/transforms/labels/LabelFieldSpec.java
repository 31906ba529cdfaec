package io.lokiconnect.transforms.labels;

import io.lokiconnect.common.loki.LabelNames;

/**
 * One entry of {@code label.fields} or {@code metadata.fields}: {@code path} or {@code path:name}. The path is a
 * field name, or a dotted path into nested objects ({@code kubernetes.namespace}); the name is the label (or
 * metadata) name, sanitised by {@link LabelNames}. Without a rename the name is the sanitised path
 * ({@code kubernetes.namespace} gives {@code kubernetes_namespace}). The entry is split at its last {@code :}, so a
 * field whose name holds a colon is written {@code a:b:label}.
 */
public record LabelFieldSpec(String path, String name) {

    /**
     * Parses one entry.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and how to write it
     */
    public static LabelFieldSpec parse(String entry) {
        String trimmed = entry.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("an entry is empty: write field or field:name, separated by commas");
        }
        int colon = trimmed.lastIndexOf(':');
        String path = colon < 0 ? trimmed : trimmed.substring(0, colon).trim();
        String name = colon < 0 ? trimmed : trimmed.substring(colon + 1).trim();
        checkPath(path, entry);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'" + entry + "' has an empty name after ':': write field:name");
        }
        return new LabelFieldSpec(path, LabelNames.sanitize(name));
    }

    /**
     * Checks a dotted field path: non-empty segments only.
     *
     * @throws IllegalArgumentException naming the path and the fix
     */
    public static void checkPath(String path, String entry) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + entry + "' has an empty field path: write field or field:name");
        }
        if (path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("'" + entry + "' has an empty segment in field path '" + path
                    + "': write nested fields as parent.child");
        }
    }
}
