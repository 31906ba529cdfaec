package io.lokiconnect.sink.push;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Loki's JSON push body, optionally gzip-compressed:
 * {@code {"streams":[{"stream":{"job":"x"},"values":[["<unix ns>","line",{"trace_id":"..."}]]}]}}.
 */
public final class JsonPushEncoder implements PushEncoder {

    public static final String CONTENT_TYPE = "application/json";
    private static final JsonFactory JSON = new JsonFactory();

    private final boolean gzip;

    public JsonPushEncoder(boolean gzip) {
        this.gzip = gzip;
    }

    @Override
    public int entrySize(LokiEntry entry) {
        // ["<19 digits>","<line>",{...}] plus the separating comma.
        int size = 30 + jsonStringSize(entry.line());
        if (!entry.metadata().isEmpty()) {
            size += 3;
            for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
                size += jsonStringSize(pair.getKey()) + jsonStringSize(pair.getValue()) + 6;
            }
        }
        return size;
    }

    @Override
    public int streamSize(LabelSet labels) {
        int size = 32;
        for (Map.Entry<String, String> label : labels.asMap().entrySet()) {
            size += jsonStringSize(label.getKey()) + jsonStringSize(label.getValue()) + 6;
        }
        return size;
    }

    @Override
    public EncodedPush encode(LokiBatch batch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(256, batch.encodedBytes()));
        try {
            // Counts the JSON before compression: the figure batch.max.bytes is about.
            CountingStream counted = new CountingStream(gzip ? new GZIPOutputStream(bytes, 8192) : bytes);
            try (JsonGenerator json = JSON.createGenerator(counted)) {
                json.writeStartObject();
                json.writeArrayFieldStart("streams");
                for (Map.Entry<LabelSet, List<LokiEntry>> stream : batch.sortedStreams().entrySet()) {
                    json.writeStartObject();
                    json.writeObjectFieldStart("stream");
                    for (Map.Entry<String, String> label : stream.getKey().asMap().entrySet()) {
                        json.writeStringField(label.getKey(), label.getValue());
                    }
                    json.writeEndObject();
                    json.writeArrayFieldStart("values");
                    for (LokiEntry entry : stream.getValue()) {
                        json.writeStartArray();
                        json.writeString(Long.toString(entry.timestampNanos()));
                        json.writeString(entry.line());
                        if (!entry.metadata().isEmpty()) {
                            json.writeStartObject();
                            for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
                                json.writeStringField(pair.getKey(), pair.getValue());
                            }
                            json.writeEndObject();
                        }
                        json.writeEndArray();
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            return new EncodedPush(bytes.toByteArray(), CONTENT_TYPE, gzip ? "gzip" : null, (int) counted.count);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a push request", e);
        }
    }

    /**
     * Length of {@code s} as a JSON string in UTF-8, quotes included: exact for what the generator writes, so a
     * batch never exceeds batch.max.bytes (a surrogate counted as 3 bytes let emoji lines double it).
     */
    static int jsonStringSize(String s) {
        int size = 2;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
                size += 2;
            } else if (c < 0x20) {
                size += 6;
            } else if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isSurrogate(c)) {
                size += 6; // Jackson writes each surrogate as a six-character escape (pairs are not combined by default)
            } else {
                size += 3;
            }
        }
        return size;
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
