package io.lokiconnect.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.xerial.snappy.Snappy;

/**
 * Decodes a push body as Loki does: snappy block-compressed protobuf {@code logproto.PushRequest}, or JSON
 * ({@code {"streams":[{"stream":{...},"values":[["<ns>","line",{metadata}]]}]}}), optionally gzip-encoded.
 */
public final class PushDecoder {

    /** One decoded stream: labels as sent (protobuf: the label-set text; JSON: the map) and its entries. */
    public record DecodedStream(String labelsText, Map<String, String> labels, List<DecodedEntry> entries) {
    }

    public record DecodedEntry(long timestampNanos, String line, Map<String, String> metadata) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PushDecoder() {
    }

    public static List<DecodedStream> decode(String contentType, String contentEncoding, byte[] body) throws IOException {
        byte[] raw = body;
        if (contentEncoding != null && contentEncoding.toLowerCase().contains("gzip")) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                raw = in.readAllBytes();
            }
        }
        if (contentType != null && contentType.startsWith("application/json")) {
            return decodeJson(raw);
        }
        // Loki treats anything else as snappy protobuf, its default.
        return decodeProtobuf(Snappy.uncompress(raw));
    }

    private static List<DecodedStream> decodeJson(byte[] raw) throws IOException {
        List<DecodedStream> streams = new ArrayList<>();
        JsonNode root = JSON.readTree(raw);
        for (JsonNode stream : root.path("streams")) {
            Map<String, String> labels = new LinkedHashMap<>();
            stream.path("stream").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            List<DecodedEntry> entries = new ArrayList<>();
            for (JsonNode value : stream.path("values")) {
                Map<String, String> metadata = new LinkedHashMap<>();
                if (value.size() > 2) {
                    value.get(2).fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
                }
                entries.add(new DecodedEntry(Long.parseLong(value.get(0).asText()), value.get(1).asText(), metadata));
            }
            streams.add(new DecodedStream(null, labels, entries));
        }
        return streams;
    }

    private static List<DecodedStream> decodeProtobuf(byte[] raw) throws IOException {
        List<DecodedStream> streams = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(raw);
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag >>> 3 == 1) {
                streams.add(readStream(in.readBytes().newCodedInput()));
            } else {
                in.skipField(tag);
            }
        }
        return streams;
    }

    private static DecodedStream readStream(CodedInputStream in) throws IOException {
        String labels = "";
        List<DecodedEntry> entries = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag >>> 3) {
                case 1 -> labels = in.readString();
                case 2 -> entries.add(readEntry(in.readBytes().newCodedInput()));
                default -> in.skipField(tag);
            }
        }
        return new DecodedStream(labels, null, entries);
    }

    private static DecodedEntry readEntry(CodedInputStream in) throws IOException {
        long seconds = 0;
        int nanos = 0;
        String line = "";
        Map<String, String> metadata = new LinkedHashMap<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag >>> 3) {
                case 1 -> {
                    CodedInputStream ts = in.readBytes().newCodedInput();
                    while (!ts.isAtEnd()) {
                        int t = ts.readTag();
                        switch (t >>> 3) {
                            case 1 -> seconds = ts.readInt64();
                            case 2 -> nanos = ts.readInt32();
                            default -> ts.skipField(t);
                        }
                    }
                }
                case 2 -> line = in.readString();
                case 3 -> {
                    CodedInputStream pair = in.readBytes().newCodedInput();
                    String name = "";
                    String value = "";
                    while (!pair.isAtEnd()) {
                        int t = pair.readTag();
                        switch (t >>> 3) {
                            case 1 -> name = pair.readString();
                            case 2 -> value = pair.readString();
                            default -> pair.skipField(t);
                        }
                    }
                    metadata.put(name, value);
                }
                default -> in.skipField(tag);
            }
        }
        return new DecodedEntry(seconds * 1_000_000_000L + nanos, line, metadata);
    }
}
