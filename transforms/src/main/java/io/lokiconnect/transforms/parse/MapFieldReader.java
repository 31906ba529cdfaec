package io.lokiconnect.transforms.parse;

import java.util.Map;

/**
 * Reads the requested fields of a {@link Map} value (what Connect's JsonConverter gives without schemas): a
 * dotted path walks nested maps, and also matches a flat key holding the dots; when both exist the nested one
 * wins. Values are rendered by {@link JsonText}; a null value counts as absent.
 */
public final class MapFieldReader {

    private MapFieldReader() {
    }

    /**
     * The requested fields of {@code map}.
     *
     * @throws LineParseException when a requested value nests deeper than {@link JsonText#MAX_DEPTH}
     */
    public static ParsedLine read(Map<?, ?> map, FieldPaths fields) throws LineParseException {
        String[] values = new String[fields.size()];
        readInto(map, fields.root(), values);
        return new ParsedLine(values);
    }

    /** Fills {@code values} with the fields under {@code node} found in {@code map}. */
    public static void readInto(Map<?, ?> map, FieldPaths.Node node, String[] values) throws LineParseException {
        for (int i = 0; i < node.childCount(); i++) {
            Object value = map.get(node.childName(i));
            if (value == null) {
                continue;
            }
            FieldPaths.Node child = node.child(i);
            if (child.slot() >= 0) {
                values[child.slot()] = JsonText.of(value);
            }
            if (child.hasChildren() && value instanceof Map<?, ?> nested) {
                readInto(nested, child, values);
            }
        }
    }
}
