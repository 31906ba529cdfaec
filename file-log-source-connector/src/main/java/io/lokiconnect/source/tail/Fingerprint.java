package io.lokiconnect.source.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/** CRC32 of a file's first bytes: tells a reused inode from the file an offset was stored for. */
public final class Fingerprint {

    /** How many leading bytes are hashed once the file is that long. */
    public static final int MAX_BYTES = 512;

    private Fingerprint() {
    }

    /** CRC32 of the first {@code length} bytes, or -1 when the file is shorter than that. */
    public static long of(FileChannel channel, int length) throws IOException {
        if (length <= 0) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        long pos = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                return -1;
            }
            pos += n;
        }
        CRC32 crc = new CRC32();
        crc.update(buffer.flip());
        return crc.getValue();
    }
}
