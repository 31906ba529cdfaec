package io.lokiconnect.transforms.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the requested fields of a JSON object line with Jackson's streaming parser: no tree is built, every
 * field not asked for is skipped with {@link JsonParser#skipChildren()}.
 *
 * <ul>
 *   <li>A string gives its unescaped text, a number or boolean its JSON text ({@code 30}, {@code 1.5e3},
 *       {@code true}), JSON {@code null} counts as absent.</li>
 *   <li>A requested field holding an object or array gives its JSON text exactly as written in the line.</li>
 *   <li>A key given twice: the last one wins, as in JavaScript's {@code JSON.parse}.</li>
 *   <li>A line that is not one JSON object (plain text, an array, a scalar, trailing content, a truncated
 *       object, nesting deeper than Jackson's limit of 1000) is a {@link LineParseException}.</li>
 * </ul>
 */
public final class JsonLineParser implements LogLineParser {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private final FieldPaths fields;

    public JsonLineParser(FieldPaths fields) {
        this.fields = fields;
    }

    @Override
    public ParsedLine parse(String line) throws LineParseException {
        String[] values = new String[fields.size()];
        try (JsonParser parser = FACTORY.createParser(line)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new LineParseException("the line is empty, not a JSON object");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new LineParseException("the line is a JSON " + kind(first) + ", not a JSON object");
            }
            readObject(parser, line, fields.root(), values);
            if (parser.nextToken() != null) {
                throw new LineParseException("content follows the JSON object at character "
                        + parser.currentTokenLocation().getCharOffset());
            }
        } catch (JsonProcessingException e) {
            throw new LineParseException("invalid JSON: " + e.getOriginalMessage() + " at character "
                    + (e.getLocation() == null ? "?" : e.getLocation().getCharOffset()), e);
        } catch (IOException e) {
            throw new LineParseException("cannot read the line as JSON: " + e.getMessage(), e);
        }
        return new ParsedLine(values);
    }

    /** Reads the object the parser is at (its START_OBJECT consumed) up to and including its END_OBJECT. */
    private static void readObject(JsonParser parser, String line, FieldPaths.Node node, String[] values)
            throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            FieldPaths.Node child = node.get(parser.currentName());
            JsonToken token = parser.nextToken();
            if (child == null) {
                parser.skipChildren();
                continue;
            }
            int slot = child.slot();
            switch (token) {
                case START_OBJECT, START_ARRAY -> {
                    int start = (int) parser.currentTokenLocation().getCharOffset();
                    if (token == JsonToken.START_OBJECT && child.hasChildren()) {
                        readObject(parser, line, child, values);
                    } else {
                        parser.skipChildren();
                    }
                    if (slot >= 0) {
                        int end = (int) parser.currentTokenLocation().getCharOffset() + 1;
                        values[slot] = line.substring(start, end);
                    }
                }
                case VALUE_NULL -> {
                    if (slot >= 0) {
                        values[slot] = null;
                    }
                }
                default -> {
                    if (slot >= 0) {
                        values[slot] = parser.getText();
                    }
                }
            }
        }
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }
}
