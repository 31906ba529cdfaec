package io.lokiconnect.transforms.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Map;

/**
 * Writes a field value taken from a {@link Map} (or a Struct turned into one) as text: strings as they are,
 * numbers and booleans as their JSON text, maps and lists as compact JSON, byte arrays as base64. Maps and lists
 * nested deeper than {@value #MAX_DEPTH} (a value built by hand, or holding itself) are refused, as Jackson
 * refuses such JSON lines: the writer recurses, and a {@link StackOverflowError} would escape the transform.
 */
public final class JsonText {

    /** Jackson's default nesting limit for reading and writing JSON. */
    public static final int MAX_DEPTH = 1000;

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonText() {
    }

    /**
     * The text of a field value; null for null.
     *
     * @throws LineParseException when maps and lists in the value nest deeper than {@link #MAX_DEPTH}
     */
    public static String of(Object value) throws LineParseException {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
            return value.toString();
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof Map<?, ?> || value instanceof Iterable<?> || value instanceof Object[]) {
            StringWriter out = new StringWriter();
            try (JsonGenerator generator = FACTORY.createGenerator(out)) {
                write(generator, value, 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
        }
        return value.toString();
    }

    private static void write(JsonGenerator g, Object value, int depth) throws IOException, LineParseException {
        if (depth > MAX_DEPTH && (value instanceof Map<?, ?> || value instanceof Iterable<?>
                || value instanceof Object[])) {
            throw new LineParseException("the value nests maps and lists deeper than " + MAX_DEPTH + " levels");
        }
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (value instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue(), depth + 1);
            }
            g.writeEndObject();
        } else if (value instanceof Iterable<?> items) {
            g.writeStartArray();
            for (Object item : items) {
                write(g, item, depth + 1);
            }
            g.writeEndArray();
        } else if (value instanceof Object[] items) {
            g.writeStartArray();
            for (Object item : items) {
                write(g, item, depth + 1);
            }
            g.writeEndArray();
        } else {
            g.writeString(of(value));
        }
    }
}
