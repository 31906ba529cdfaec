package io.lokiconnect.transforms.parse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields a transform reads from each line, as a tree of names: {@code kubernetes.namespace} is child
 * {@code namespace} of child {@code kubernetes}. Each requested path has a slot, its index in
 * {@link ParsedLine}. A dotted path also matches a flat key holding the dots ({@code {"service.name": "api"}}
 * answers {@code service.name}, as OpenTelemetry writes it), so each node also knows the rest of the path as one
 * key. Parsers look names up here and skip everything else. Built once, then read-only and thread-safe.
 */
public final class FieldPaths {

    private final Node root = new Node();
    private final Map<String, Integer> slots = new LinkedHashMap<>();

    /** The slot of {@code path}, added when new. */
    public int add(String path) {
        Integer existing = slots.get(path);
        if (existing != null) {
            return existing;
        }
        int slot = slots.size();
        slots.put(path, slot);
        String[] segments = path.split("\\.", -1);
        Node node = root;
        for (int i = 0; i < segments.length; i++) {
            if (i < segments.length - 1) {
                node.child(String.join(".", Arrays.asList(segments).subList(i, segments.length))).slot = slot;
            }
            node = node.child(segments[i]);
        }
        node.slot = slot;
        root.freeze();
        return slot;
    }

    /** Number of slots. */
    public int size() {
        return slots.size();
    }

    /** The requested paths, in slot order. */
    public List<String> paths() {
        return new ArrayList<>(slots.keySet());
    }

    public Node root() {
        return root;
    }

    /** One name in the tree. */
    public static final class Node {
        private final Map<String, Node> children = new HashMap<>();
        private Node[] ordered = new Node[0];
        private String[] orderedNames = new String[0];
        private int slot = -1;

        private Node child(String name) {
            return children.computeIfAbsent(name, n -> new Node());
        }

        private void freeze() {
            // Flat dotted keys first, so that for Map and Struct values the nested path, read later, wins.
            List<Map.Entry<String, Node>> entries = new ArrayList<>(children.entrySet());
            entries.sort(Comparator.comparing((Map.Entry<String, Node> e) -> !e.getKey().contains("."))
                    .thenComparing(Map.Entry::getKey));
            ordered = entries.stream().map(Map.Entry::getValue).toArray(Node[]::new);
            orderedNames = entries.stream().map(e -> e.getKey().intern()).toArray(String[]::new);
            for (Node child : ordered) {
                child.freeze();
            }
        }

        /** The child called {@code name} (a segment, or the dotted rest of a path), or null. */
        public Node get(String name) {
            // A few children: equals() (identity first: Jackson interns field names, and so do we) costs less than
            // hashing a name that may be new per line.
            if (orderedNames.length <= 8) {
                for (int i = 0; i < orderedNames.length; i++) {
                    if (orderedNames[i].equals(name)) {
                        return ordered[i];
                    }
                }
                return null;
            }
            return children.get(name);
        }

        /** The slot of the path ending here, or -1 when this node is only on the way to deeper fields. */
        public int slot() {
            return slot;
        }

        public boolean hasChildren() {
            return ordered.length > 0;
        }

        /** Number of children, for walking with {@link #childName(int)} and {@link #child(int)}. */
        public int childCount() {
            return ordered.length;
        }

        public String childName(int i) {
            return orderedNames[i];
        }

        public Node child(int i) {
            return ordered[i];
        }
    }
}
