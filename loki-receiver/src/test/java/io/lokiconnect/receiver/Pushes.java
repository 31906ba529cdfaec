package io.lokiconnect.receiver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/** Builds push bodies as a Loki client writes them, and posts them: protobuf + snappy, or JSON. */
final class Pushes {

    record Entry(long timestampNanos, String line, Map<String, String> metadata) {
        Entry(long timestampNanos, String line) {
            this(timestampNanos, line, Map.of());
        }
    }

    /** One stream of a push: its labels text (protobuf) or map (JSON) and its entries. */
    record Stream(String labelsText, Map<String, String> labels, List<Entry> entries) {
        static Stream of(Map<String, String> labels, Entry... entries) {
            return new Stream(GoText.labels(labels), labels, List.of(entries));
        }

        static Stream ofText(String labelsText, Entry... entries) {
            return new Stream(labelsText, null, List.of(entries));
        }
    }

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Pushes() {
    }

    static HttpResponse<String> protobuf(LokiReceiver loki, Stream... streams) {
        return post(loki, "application/x-protobuf", protobufBody(List.of(streams)));
    }

    /** A protobuf push of tenant {@code tenant} (header X-Scope-OrgID). */
    static HttpResponse<String> protobuf(LokiReceiver loki, String tenant, Stream... streams) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(loki.pushUrl()))
                    .header("Content-Type", "application/x-protobuf").header("X-Scope-OrgID", tenant)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(protobufBody(List.of(streams)))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> json(LokiReceiver loki, Stream... streams) {
        return post(loki, "application/json", jsonBody(List.of(streams)));
    }

    static HttpResponse<String> post(LokiReceiver loki, String contentType, byte[] body) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(loki.pushUrl()))
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static byte[] protobufBody(List<Stream> streams) {
        try {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(request);
            for (Stream stream : streams) {
                byte[] encoded = streamMessage(stream);
                out.writeByteArray(1, encoded);
            }
            out.flush();
            return Snappy.compress(request.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] streamMessage(Stream stream) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(1, stream.labelsText());
        for (Entry entry : stream.entries()) {
            ByteArrayOutputStream entryBytes = new ByteArrayOutputStream();
            CodedOutputStream e = CodedOutputStream.newInstance(entryBytes);
            ByteArrayOutputStream tsBytes = new ByteArrayOutputStream();
            CodedOutputStream ts = CodedOutputStream.newInstance(tsBytes);
            ts.writeInt64(1, Math.floorDiv(entry.timestampNanos(), 1_000_000_000L));
            ts.writeInt32(2, (int) Math.floorMod(entry.timestampNanos(), 1_000_000_000L));
            ts.flush();
            e.writeByteArray(1, tsBytes.toByteArray());
            e.writeString(2, entry.line());
            for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
                ByteArrayOutputStream pairBytes = new ByteArrayOutputStream();
                CodedOutputStream p = CodedOutputStream.newInstance(pairBytes);
                p.writeString(1, pair.getKey());
                p.writeString(2, pair.getValue());
                p.flush();
                e.writeByteArray(3, pairBytes.toByteArray());
            }
            e.flush();
            out.writeByteArray(2, entryBytes.toByteArray());
        }
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] jsonBody(List<Stream> streams) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("streams");
        for (Stream stream : streams) {
            ObjectNode s = array.addObject();
            s.set("stream", JSON.valueToTree(new LinkedHashMap<>(stream.labels())));
            ArrayNode values = s.putArray("values");
            for (Entry entry : stream.entries()) {
                ArrayNode value = values.addArray().add(Long.toString(entry.timestampNanos())).add(entry.line());
                if (!entry.metadata().isEmpty()) {
                    value.add(JSON.valueToTree(entry.metadata()));
                }
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} entries of a stream: lines {@code prefix-0} ... one nanosecond apart from {@code start}. */
    static Entry[] entries(long start, String prefix, int n) {
        List<Entry> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Entry(start + i, prefix + "-" + i));
        }
        return list.toArray(Entry[]::new);
    }
}
