package io.lokiconnect.source.tail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;

/**
 * The decompressed content of a compressed file, read at positions as {@link FileChannel#read(ByteBuffer, long)}
 * reads a plain file: forwards by decompressing, backwards (a reopen after files.max.open, a resume from a stored
 * offset) by decompressing again from the start. The file is read once, whole: its end is final.
 *
 * <p>A failure to decode is {@link Incomplete} when the compressed bytes ran out first (the archive is still being
 * written, or was cut short), else {@link Corrupt}. A decoder's runtime exception on hostile bytes is a
 * {@link Corrupt} too: it never escapes as anything but an {@link IOException}.
 */
final class DecompressedContent {

    /** The compressed bytes ended before the compressed stream did. */
    static final class Incomplete extends IOException {
        Incomplete(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The compressed bytes cannot be decoded. */
    static final class Corrupt extends IOException {
        Corrupt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final FileChannel channel;
    private final Compression compression;
    private InputStream decoder;
    private RawCount raw;
    private long position;
    private boolean ended;
    private final byte[] skipBuffer = new byte[8192];

    DecompressedContent(FileChannel channel, Compression compression) {
        this.channel = channel;
        this.compression = compression;
    }

    /** Reads decompressed bytes from {@code at} into {@code dst}; -1 at the end of the content. */
    int read(ByteBuffer dst, long at) throws IOException {
        if (decoder == null || at < position) {
            restart();
        }
        try {
            while (position < at) {
                int n = decoder.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, at - position));
                if (n < 0) {
                    ended = true;
                    return -1;
                }
                position += n;
            }
            int n = decoder.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n < 0) {
                ended = true;
                return -1;
            }
            dst.position(dst.position() + n);
            position += n;
            return n;
        } catch (IOException | RuntimeException e) {
            decoder = null; // what it decoded so far stays valid; a retry decodes again from the start
            String what = compression.name().toLowerCase(java.util.Locale.ROOT) + " content at byte " + position;
            if (raw.reachedEnd) {
                throw new Incomplete("the " + what + " ends before its compressed stream does (" + e + ")", e);
            }
            throw new Corrupt("cannot decode the " + what + " (" + e + ")", e);
        }
    }

    /** Whether the whole content was read: the compressed stream ended where it should. */
    boolean ended() {
        return ended;
    }

    /** Compressed bytes consumed so far (the bytes-behind metric counts the rest). */
    long rawPosition() {
        return raw == null ? 0 : raw.count;
    }

    private void restart() throws IOException {
        channel.position(0);
        raw = new RawCount(Channels.newInputStream(channel));
        position = 0;
        ended = false;
        try {
            decoder = compression.decoder(new BufferedInputStream(raw, 64 * 1024));
        } catch (IOException | RuntimeException e) {
            decoder = null;
            if (raw.reachedEnd) {
                throw new Incomplete("the compressed header is not complete yet (" + e + ")", e);
            }
            throw new Corrupt("cannot read the compressed header (" + e + ")", e);
        }
    }

    /** Counts compressed bytes and remembers whether their end was reached. */
    private static final class RawCount extends InputStream {
        private final InputStream in;
        long count;
        boolean reachedEnd;

        RawCount(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                reachedEnd = true;
            } else {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                reachedEnd = true;
            } else {
                count += n;
            }
            return n;
        }
    }
}
