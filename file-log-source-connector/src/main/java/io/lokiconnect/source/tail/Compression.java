package io.lokiconnect.source.tail;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * How a file is stored, told by its first bytes (never by its name: logrotate's {@code compress} makes
 * {@code app.log.1.gz}, but a user may name an archive anything a glob matches). gzip is the JDK's; bzip2 is
 * commons-compress's, zstd aircompressor's (pure Java both, see the parent pom). Each reader decodes concatenated
 * members, streams or frames, as {@code pigz}, {@code pbzip2} and {@code zstd --rsyncable} may write them.
 */
public enum Compression {
    NONE, GZIP, BZIP2, ZSTD;

    /** Bytes that tell the formats apart: bzip2's "BZh" and level, and its block or end-of-stream magic. */
    static final int MAGIC_BYTES = 10;

    /**
     * The compression of a file whose first bytes are {@code head}; null when {@code head} is too short to tell
     * (it begins like a magic number, and a file of more bytes may turn out compressed).
     */
    static Compression of(byte[] head, int length) {
        if (length == 0) {
            return null; // an empty file may be an archive about to be written (gzip creates, then fills it)
        }
        if (startsWith(head, length, 0x1F, 0x8B)) {
            return length >= 3 ? (head[2] == 8 ? GZIP : NONE) : null; // method 8 (deflate): the only one defined
        }
        if (startsWith(head, length, 0x28, 0xB5, 0x2F, 0xFD)) {
            return length >= 4 ? ZSTD : null;
        }
        if (startsWith(head, length, 'B', 'Z', 'h')) {
            if (length < 4) {
                return null;
            }
            if (head[3] < '1' || head[3] > '9') {
                return NONE;
            }
            if (length < MAGIC_BYTES) {
                return null;
            }
            // A block (pi) or an empty stream's end (sqrt(pi)): text that begins "BZh9" is not taken for bzip2.
            return matchesAt(head, 4, length, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59)
                    || matchesAt(head, 4, length, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90) ? BZIP2 : NONE;
        }
        return NONE;
    }

    /** The compression of the file open on {@code channel}; null while it is too short to tell. */
    public static Compression of(FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(MAGIC_BYTES);
        while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
            // positional reads until MAGIC_BYTES or the end
        }
        return of(head.array(), head.position());
    }

    private static boolean startsWith(byte[] head, int length, int... magic) {
        return matchesAt(head, 0, length, magic);
    }

    /** Whether the bytes from {@code from} begin like {@code magic}, as far as {@code length} bytes go. */
    private static boolean matchesAt(byte[] head, int from, int length, int... magic) {
        for (int i = 0; i < magic.length && from + i < length; i++) {
            if ((head[from + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return from < length || magic.length == 0;
    }

    /** A stream of the decompressed content of {@code raw}. */
    InputStream decoder(InputStream raw) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPInputStream(raw, 64 * 1024);
            case BZIP2 -> new BZip2CompressorInputStream(raw, true);
            case ZSTD -> new ZstdInputStream(raw);
            case NONE -> raw;
        };
    }
}
