package io.lokiconnect.sink.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Builds the log line sent to Loki (the original pipeline's "formatting"): the record value as is, or the value
 * under {@code message} with some record headers folded in, as a JSON object or a logfmt line.
 */
public abstract class LineFormatter {

    private static final JsonFactory JSON = new JsonFactory();

    public static LineFormatter forFormat(LineFormat format) {
        return switch (format) {
            case VALUE -> new AsIs();
            case JSON -> new Json();
            case LOGFMT -> new Logfmt();
        };
    }

    /** Whether {@link #format} reads the fields at all (the default format does not, so callers skip them). */
    public boolean usesFields() {
        return true;
    }

    /** The line for {@code value}, with {@code fields} (header name to value, in order) folded in. */
    public abstract String format(String value, Map<String, String> fields);

    private static final class AsIs extends LineFormatter {
        @Override
        public boolean usesFields() {
            return false;
        }

        @Override
        public String format(String value, Map<String, String> fields) {
            return value;
        }
    }

    private static final class Json extends LineFormatter {
        @Override
        public String format(String value, Map<String, String> fields) {
            StringWriter out = new StringWriter(value.length() + 32 * fields.size() + 16);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("message", value);
                for (Map.Entry<String, String> field : fields.entrySet()) {
                    json.writeStringField(field.getKey(), field.getValue());
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
        }
    }

    private static final class Logfmt extends LineFormatter {
        @Override
        public String format(String value, Map<String, String> fields) {
            StringBuilder out = new StringBuilder(value.length() + 32 * fields.size() + 16);
            pair(out, "message", value);
            for (Map.Entry<String, String> field : fields.entrySet()) {
                out.append(' ');
                pair(out, field.getKey(), field.getValue());
            }
            return out.toString();
        }

        private static void pair(StringBuilder out, String key, String value) {
            out.append(key).append('=');
            boolean quote = value.isEmpty();
            for (int i = 0; i < value.length() && !quote; i++) {
                char c = value.charAt(i);
                quote = c <= ' ' || c == '"' || c == '=' || c == '\\';
            }
            if (!quote) {
                out.append(value);
                return;
            }
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(c);
                }
            }
            out.append('"');
        }
    }
}
