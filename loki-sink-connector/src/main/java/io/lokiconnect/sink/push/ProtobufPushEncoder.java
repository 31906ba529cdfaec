package io.lokiconnect.sink.push;

import com.google.protobuf.CodedOutputStream;
import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Loki's default push body, as Promtail sends it: a {@code logproto.PushRequest} in protobuf, snappy
 * block-compressed. Written field by field (no generated classes), in the bytes protobuf's {@link CodedOutputStream}
 * writes for it:
 * <pre>
 * PushRequest   { repeated StreamAdapter streams = 1; }
 * StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
 * EntryAdapter  { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
 * LabelPairAdapter { string name = 1; string value = 2; }   Timestamp { int64 seconds = 1; int32 nanos = 2; }
 * </pre>
 * Sizes are computed once from each line's UTF-8 length, counted when its entry was made; the request is written
 * straight into one array, which with snappy's output array is kept per sender thread and reused, so a push
 * allocates its compressed body and each string's bytes, not a request-sized array or two.
 */
public final class ProtobufPushEncoder implements PushEncoder {

    public static final String CONTENT_TYPE = "application/x-protobuf";

    /**
     * Buffers larger than this (batch.max.bytes raised well above its 1 MiB default) are not kept for the next push:
     * a sender thread lives as long as its task, and 64 of them (max.in.flight.batches' limit) keep at most 512 MiB.
     */
    static final int MAX_KEPT_BUFFER = 4 << 20;
    /** Wire type 2 (length-delimited) and 0 (varint) tags of the fields written. */
    private static final byte TAG_1_LEN = (1 << 3) | 2;
    private static final byte TAG_2_LEN = (2 << 3) | 2;
    private static final byte TAG_3_LEN = (3 << 3) | 2;
    private static final byte TAG_1_VARINT = 1 << 3;
    private static final byte TAG_2_VARINT = 2 << 3;

    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    @Override
    public int entrySize(LokiEntry entry) {
        return 1 + lengthPrefixed(entryBodySize(entry));
    }

    @Override
    public int streamSize(LabelSet labels) {
        // The stream's own framing: tag + length of the StreamAdapter (at most 5 bytes) and its labels field.
        return 1 + 5 + 1 + lengthPrefixed(Utf8.encodedLength(labels.text()));
    }

    @Override
    public EncodedPush encode(LokiBatch batch) {
        Map<LabelSet, List<LokiEntry>> streams = batch.sortedStreams();
        // Each entry's size is computed once and used for both framing and writing.
        int[][] entrySizes = new int[streams.size()][];
        int[] streamSizes = new int[streams.size()];
        int[] labelBytes = new int[streams.size()];
        long total = 0;
        int s = 0;
        for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
            List<LokiEntry> entries = stream.getValue();
            int[] sizes = new int[entries.size()];
            labelBytes[s] = Utf8.encodedLength(stream.getKey().text());
            long size = 1 + lengthPrefixed(labelBytes[s]);
            for (int i = 0; i < entries.size(); i++) {
                sizes[i] = entryBodySize(entries.get(i));
                size += 1 + lengthPrefixed(sizes[i]);
            }
            if (size > Integer.MAX_VALUE - 16) {
                throw new UncheckedIOException(new IOException("a stream of " + size + " bytes is too large to push"));
            }
            entrySizes[s] = sizes;
            streamSizes[s] = (int) size;
            total += 1 + lengthPrefixed((int) size);
            s++;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new UncheckedIOException(new IOException("a push of " + total + " bytes is too large"));
        }
        int length = (int) total;
        Buffers buf = buffers.get();
        try {
            return encode(streams, entrySizes, streamSizes, labelBytes, length, buf);
        } finally {
            buf.release();
        }
    }

    private static EncodedPush encode(Map<LabelSet, List<LokiEntry>> streams, int[][] entrySizes, int[] streamSizes,
                                      int[] labelBytes, int length, Buffers buf) {
        byte[] raw = buf.raw(length);
        int pos = 0;
        int s = 0;
        for (Map.Entry<LabelSet, List<LokiEntry>> stream : streams.entrySet()) {
            raw[pos++] = TAG_1_LEN;
            pos = writeVarint32(raw, pos, streamSizes[s]);
            raw[pos++] = TAG_1_LEN;
            pos = writeString(raw, pos, stream.getKey().text(), labelBytes[s]);
            List<LokiEntry> entries = stream.getValue();
            int[] sizes = entrySizes[s];
            for (int i = 0; i < entries.size(); i++) {
                raw[pos++] = TAG_2_LEN;
                pos = writeVarint32(raw, pos, sizes[i]);
                pos = writeEntry(raw, pos, entries.get(i));
            }
            s++;
        }
        if (pos != length) {
            throw new IllegalStateException("encoded " + pos + " bytes of a push sized " + length);
        }
        try {
            byte[] compressed = buf.compressed(Snappy.maxCompressedLength(length));
            int n = Snappy.compress(raw, 0, length, compressed, 0);
            return new EncodedPush(Arrays.copyOf(compressed, n), CONTENT_TYPE, null, length);
        } catch (IOException e) {
            throw new UncheckedIOException("could not compress a push request", e);
        }
    }

    private static int writeEntry(byte[] out, int pos, LokiEntry entry) {
        long seconds = Math.floorDiv(entry.timestampNanos(), 1_000_000_000L);
        int nanos = (int) Math.floorMod(entry.timestampNanos(), 1_000_000_000L);
        out[pos++] = TAG_1_LEN;
        pos = writeVarint32(out, pos, timestampSize(seconds, nanos));
        if (seconds != 0) {
            out[pos++] = TAG_1_VARINT;
            pos = writeVarint64(out, pos, seconds);
        }
        if (nanos != 0) {
            out[pos++] = TAG_2_VARINT;
            pos = writeVarint32(out, pos, nanos); // 0 to 999,999,999: never negative
        }
        out[pos++] = TAG_2_LEN;
        pos = writeString(out, pos, entry.line(), entry.lineBytes());
        for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
            int nameBytes = Utf8.encodedLength(pair.getKey());
            int valueBytes = Utf8.encodedLength(pair.getValue());
            out[pos++] = TAG_3_LEN;
            pos = writeVarint32(out, pos, pairSize(nameBytes, valueBytes));
            out[pos++] = TAG_1_LEN;
            pos = writeString(out, pos, pair.getKey(), nameBytes);
            out[pos++] = TAG_2_LEN;
            pos = writeString(out, pos, pair.getValue(), valueBytes);
        }
        return pos;
    }

    /**
     * Writes the length and the UTF-8 bytes of {@code s}, which are {@code utf8Bytes} long. {@link String#getBytes}
     * is what protobuf falls back to for a string with an unpaired surrogate (written as {@code ?}), and for an
     * ASCII string it is one vectorised copy, cheaper than encoding char by char.
     */
    private static int writeString(byte[] out, int pos, String s, int utf8Bytes) {
        pos = writeVarint32(out, pos, utf8Bytes);
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != utf8Bytes) {
            throw new IllegalStateException("a string of " + bytes.length + " UTF-8 bytes was sized " + utf8Bytes);
        }
        System.arraycopy(bytes, 0, out, pos, utf8Bytes);
        return pos + utf8Bytes;
    }

    private static int writeVarint32(byte[] out, int pos, int value) {
        while ((value & ~0x7F) != 0) {
            out[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[pos++] = (byte) value;
        return pos;
    }

    private static int writeVarint64(byte[] out, int pos, long value) {
        while ((value & ~0x7FL) != 0) {
            out[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[pos++] = (byte) value;
        return pos;
    }

    private static int entryBodySize(LokiEntry entry) {
        long seconds = Math.floorDiv(entry.timestampNanos(), 1_000_000_000L);
        int nanos = (int) Math.floorMod(entry.timestampNanos(), 1_000_000_000L);
        int size = 1 + lengthPrefixed(timestampSize(seconds, nanos)) + 1 + lengthPrefixed(entry.lineBytes());
        for (Map.Entry<String, String> pair : entry.metadata().entrySet()) {
            size += 1 + lengthPrefixed(pairSize(Utf8.encodedLength(pair.getKey()),
                    Utf8.encodedLength(pair.getValue())));
        }
        return size;
    }

    private static int timestampSize(long seconds, int nanos) {
        return (seconds != 0 ? CodedOutputStream.computeInt64Size(1, seconds) : 0)
                + (nanos != 0 ? CodedOutputStream.computeInt32Size(2, nanos) : 0);
    }

    private static int pairSize(int nameBytes, int valueBytes) {
        return 1 + lengthPrefixed(nameBytes) + 1 + lengthPrefixed(valueBytes);
    }

    private static int lengthPrefixed(int size) {
        return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    /** One sender thread's request and compression buffers, grown as needed and reused. */
    private static final class Buffers {
        private byte[] raw = new byte[0];
        private byte[] compressed = new byte[0];

        byte[] raw(int size) {
            if (raw.length < size) {
                raw = new byte[size];
            }
            return raw;
        }

        byte[] compressed(int size) {
            if (compressed.length < size) {
                compressed = new byte[size];
            }
            return compressed;
        }

        /** Drops a buffer grown for an unusually large push rather than keeping it for the thread's life. */
        void release() {
            if (raw.length > MAX_KEPT_BUFFER) {
                raw = new byte[0];
            }
            if (compressed.length > MAX_KEPT_BUFFER) {
                compressed = new byte[0];
            }
        }
    }
}
