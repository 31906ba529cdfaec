package io.lokiconnect.transforms;

import io.lokiconnect.transforms.parse.FieldPaths;
import io.lokiconnect.transforms.parse.JsonText;
import io.lokiconnect.transforms.parse.LineParseException;
import io.lokiconnect.transforms.parse.MapFieldReader;
import io.lokiconnect.transforms.parse.ParsedLine;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads the requested fields of a {@link Struct} value by field name; a dotted path walks nested structs (and
 * maps), and also matches a field whose name holds the dots. A nested struct, map or array gives its JSON text;
 * a {@link Date} (Connect's Timestamp logical type) its ISO-8601 instant; a null field counts as absent. Nesting
 * deeper than {@link JsonText#MAX_DEPTH} is a {@link LineParseException}, as for JSON lines.
 */
final class StructFieldReader {

    private StructFieldReader() {
    }

    static ParsedLine read(Struct struct, FieldPaths fields) throws LineParseException {
        String[] values = new String[fields.size()];
        readInto(struct, fields.root(), values);
        return new ParsedLine(values);
    }

    private static void readInto(Struct struct, FieldPaths.Node node, String[] values) throws LineParseException {
        for (int i = 0; i < node.childCount(); i++) {
            Field field = struct.schema().field(node.childName(i));
            Object value = field == null ? null : struct.get(field);
            if (value == null) {
                continue;
            }
            FieldPaths.Node child = node.child(i);
            if (child.slot() >= 0) {
                values[child.slot()] = value instanceof Date date ? date.toInstant().toString()
                        : JsonText.of(plain(value, 1));
            }
            if (child.hasChildren()) {
                if (value instanceof Struct nested) {
                    readInto(nested, child, values);
                } else if (value instanceof Map<?, ?> map) {
                    MapFieldReader.readInto(map, child, values);
                }
            }
        }
    }

    /** The value with every Struct inside turned into an ordered Map, for {@link JsonText}. */
    private static Object plain(Object value, int depth) throws LineParseException {
        if (depth > JsonText.MAX_DEPTH && (value instanceof Struct || value instanceof Map<?, ?>
                || value instanceof List<?>)) {
            throw new LineParseException("the value nests structs, maps and lists deeper than " + JsonText.MAX_DEPTH
                    + " levels");
        }
        if (value instanceof Struct struct) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Field field : struct.schema().fields()) {
                map.put(field.name(), plain(struct.get(field), depth + 1));
            }
            return map;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(e.getKey(), plain(e.getValue(), depth + 1));
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object v : list) {
                copy.add(plain(v, depth + 1));
            }
            return copy;
        }
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        return value;
    }
}
