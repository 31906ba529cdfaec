package io.lokiconnect.transforms.parse;

/**
 * The values a parser found for the requested {@link FieldPaths}, by slot: a string, the text of a number or
 * boolean, the JSON text of an object or array, or null when the field is absent or JSON {@code null}.
 */
public final class ParsedLine {

    private final String[] values;

    public ParsedLine(String[] values) {
        this.values = values;
    }

    /** The value at {@code slot}, or null; -1 (a field not configured) is always null. */
    public String value(int slot) {
        return slot < 0 ? null : values[slot];
    }
}
