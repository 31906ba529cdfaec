package io.lokiconnect.sink.push;

import com.google.protobuf.CodedOutputStream;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The push encoder as it was before it wrote its own bytes: every field through protobuf's {@link CodedOutputStream}.
 * {@link ProtobufWireIdentityTest} holds the encoder to these bytes.
 */
final class CodedOutputStreamPushEncoder {

    /** Protobuf logs a warning with a stack trace for every lone surrogate it writes; the tests write many. */
    private static final Logger PROTOBUF_LOG = Logger.getLogger(CodedOutputStream.class.getName());

    static {
        PROTOBUF_LOG.setLevel(Level.OFF);
    }

    private CodedOutputStreamPushEncoder() {
    }

    /** The uncompressed request, as protobuf's CodedOutputStream writes it. */
    static byte[] encode(LokiBatch batch) {
        Map<LabelSet, List<LokiEntry>> streams = batch.sortedStreams();
        // Each entry's size is computed once (it scans the line's UTF-8) and used for both framing and writing.
        int[][] entrySizes = new int[streams.size()][];
        int[] streamSizes = new int[streams.size()];
        int total = 0;
        int s = 0;
        for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
            List<LokiEntry> entries = stream.getValue();
            entrySizes[s] = new int[entries.size()];
            int size = CodedOutputStream.computeStringSize(1, stream.getKey().text());
            for (int i = 0; i < entries.size(); i++) {
                entrySizes[s][i] = entryBodySize(entries.get(i));
                size += CodedOutputStream.computeTagSize(2) + lengthPrefixed(entrySizes[s][i]);
            }
            streamSizes[s] = size;
            total += CodedOutputStream.computeTagSize(1) + lengthPrefixed(size);
            s++;
        }
        byte[] raw = new byte[total];
        CodedOutputStream out = CodedOutputStream.newInstance(raw);
        try {
            s = 0;
            for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
                out.writeTag(1, 2);
                out.writeUInt32NoTag(streamSizes[s]);
                out.writeString(1, stream.getKey().text());
                List<LokiEntry> entries = stream.getValue();
                for (int i = 0; i < entries.size(); i++) {
                    out.writeTag(2, 2);
                    out.writeUInt32NoTag(entrySizes[s][i]);
                    writeEntry(out, entries.get(i));
                }
                s++;
            }
            out.checkNoSpaceLeft();
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a push request", e);
        }
    }

    private static void writeEntry(CodedOutputStream out, LokiEntry entry) throws IOException {
        long seconds = Math.floorDiv(entry.timestampNanos(), 1_000_000_000L);
        int nanos = (int) Math.floorMod(entry.timestampNanos(), 1_000_000_000L);
        out.writeTag(1, 2);
        out.writeUInt32NoTag(timestampSize(seconds, nanos));
        if (seconds != 0) {
            out.writeInt64(1, seconds);
        }
        if (nanos != 0) {
            out.writeInt32(2, nanos);
        }
        out.writeString(2, entry.line());
        for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
            out.writeTag(3, 2);
            out.writeUInt32NoTag(pairSize(pair.getKey(), pair.getValue()));
            out.writeString(1, pair.getKey());
            out.writeString(2, pair.getValue());
        }
    }

    private static int entryBodySize(LokiEntry entry) {
        long seconds = Math.floorDiv(entry.timestampNanos(), 1_000_000_000L);
        int nanos = (int) Math.floorMod(entry.timestampNanos(), 1_000_000_000L);
        int size = CodedOutputStream.computeTagSize(1) + lengthPrefixed(timestampSize(seconds, nanos))
                + CodedOutputStream.computeStringSize(2, entry.line());
        for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
            size += CodedOutputStream.computeTagSize(3) + lengthPrefixed(pairSize(pair.getKey(), pair.getValue()));
        }
        return size;
    }

    private static int timestampSize(long seconds, int nanos) {
        return (seconds != 0 ? CodedOutputStream.computeInt64Size(1, seconds) : 0)
                + (nanos != 0 ? CodedOutputStream.computeInt32Size(2, nanos) : 0);
    }

    private static int pairSize(String name, String value) {
        return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
    }

    private static int lengthPrefixed(int size) {
        return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
}
