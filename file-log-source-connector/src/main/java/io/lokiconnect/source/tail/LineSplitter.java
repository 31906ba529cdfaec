package io.lokiconnect.source.tail;

import io.lokiconnect.common.loki.Utf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a file's bytes into lines: at each newline (a CR before it dropped), over-long lines split or truncated at
 * {@code lineMaxBytes} (never inside a UTF-8 character, and so that the text fits the limit in UTF-8, as Loki
 * counts it), a last line without newline emitted on request and its late newline not emitted again. It knows
 * nothing of files: bytes come in, lines go out, with the positions and the prefix checksum a restart resumes from.
 * Memory: at most one line ({@code lineMaxBytes + 1} bytes).
 *
 * <p>Three positions: {@code readPosition} is how far bytes were consumed into the pending line;
 * {@code committedPosition} is just after the last emitted line (or part), the only position ever stored;
 * {@code lineStart} is where the pending line (or part) starts.
 */
final class LineSplitter {

    /** Where each cut line goes. */
    interface LineSink {
        /**
         * One line, or one part of a longer line.
         *
         * @param start     position of its first byte
         * @param end       position after its last byte (and after its newline): where reading resumes after it
         * @param text      its decoded text, without newline
         * @param part      null for a whole line; "1", "2", ... for parts of a split line and "n/n" on the last one;
         *                  "truncated" for the kept part of a truncated line
         * @param partial   a last line without newline (yet)
         * @param partAfter parts of the line at {@code end} already emitted (0 at a line start)
         * @param skipAfter {@code end} lies inside a truncated line whose rest is skipped
         */
        void line(long start, long end, String text, String part, boolean partial, int partAfter, boolean skipAfter)
                throws IOException;
    }

    private static final int PENDING_INITIAL_BYTES = 256;
    /** A line buffer grown past this by a long line is given back once that line is emitted. */
    private static final int PENDING_KEEP_BYTES = 64 * 1024;

    private final int lineMaxBytes;
    private final boolean splitLongLines;
    private final Charset charset;
    private final boolean utf8;
    private final TailerStats stats;
    private final CharsetDecoder decoder;
    /**
     * UTF-8, US-ASCII or ISO-8859-1: decoded by {@code new String}, whose check for non-ASCII bytes is a JVM
     * intrinsic and which copies an all-ASCII line once; other charsets go through the decoder.
     */
    private final boolean jdkDecodes;
    private byte[] pending = new byte[PENDING_INITIAL_BYTES];
    private int pendingLength;
    private long readPosition;
    private long committedPosition;
    private long lineStart;
    private int partIndex;
    private boolean skippingRestOfLine;
    private boolean partialFlushed;
    /** Lines and parts emitted so far: what a call's line budget is counted on. */
    private long emittedLines;
    /** PrefixCrc of the bytes before committedPosition; unknown after an offset written by an older version. */
    private long crc;
    private boolean crcKnown;
    /** While the rest of a truncated line is skipped: PrefixCrc of the bytes before readPosition. */
    private long skipCrc;

    /**
     * Starts at {@code position}, inside the line state a restart found there: {@code linePart} parts of the line
     * there already emitted, its rest skipped ({@code skipping}), or its newline still to come after its text was
     * emitted ({@code partialFlushed}).
     */
    LineSplitter(int lineMaxBytes, boolean splitLongLines, Charset charset, TailerStats stats, long position,
                 boolean partialFlushed, long crc, boolean crcKnown, int linePart, boolean skipping) {
        this.lineMaxBytes = lineMaxBytes;
        this.splitLongLines = splitLongLines;
        this.charset = charset;
        this.utf8 = charset.equals(StandardCharsets.UTF_8);
        this.stats = stats;
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.jdkDecodes = utf8 || charset.equals(StandardCharsets.US_ASCII)
                || charset.equals(StandardCharsets.ISO_8859_1);
        this.readPosition = position;
        this.committedPosition = position;
        this.lineStart = position;
        this.partialFlushed = partialFlushed;
        this.crc = crc;
        this.crcKnown = crcKnown;
        this.skipCrc = crc;
        this.partIndex = linePart;
        this.skippingRestOfLine = skipping;
    }

    long readPosition() {
        return readPosition;
    }

    long committedPosition() {
        return committedPosition;
    }

    long crc() {
        return crc;
    }

    boolean crcKnown() {
        return crcKnown;
    }

    int partIndex() {
        return partIndex;
    }

    boolean skippingRestOfLine() {
        return skippingRestOfLine;
    }

    boolean partialFlushed() {
        return partialFlushed;
    }

    /** Bytes of a line without newline (yet) that would be emitted: not the skipped rest of a truncated line. */
    boolean hasPendingText() {
        return pendingLength > 0 && !skippingRestOfLine;
    }

    /** Bytes the line buffer holds now. */
    int bufferBytes() {
        return pending.length;
    }

    /**
     * Consumes bytes of {@code bytes} (which start at {@link #readPosition}) until it is empty, {@code maxLines}
     * lines were emitted or about {@code maxBytes} bytes; returns the line bytes emitted.
     */
    long consume(ByteBuffer bytes, int maxLines, long maxBytes, LineSink sink) throws IOException {
        long emitted = 0;
        long linesBefore = emittedLines;
        while (bytes.hasRemaining() && emittedLines - linesBefore < maxLines && emitted < maxBytes) {
            if (!partialFlushed && !skippingRestOfLine) {
                copyRun(bytes);
                if (!bytes.hasRemaining()) {
                    break;
                }
            }
            byte b = bytes.get();
            readPosition++;
            if (partialFlushed) {
                partialFlushed = false;
                if (b == '\n') {
                    // The newline that ends a line already emitted at its flush: nothing new to emit.
                    crc = PrefixCrc.update(crc, b);
                    committedPosition = readPosition;
                    lineStart = readPosition;
                    continue;
                }
            }
            if (b == '\n') {
                if (!skippingRestOfLine) {
                    emitted += fitToLoki(false, sink);
                }
                if (skippingRestOfLine) {
                    skippingRestOfLine = false;
                    crc = PrefixCrc.update(skipCrc, b);
                    committedPosition = readPosition;
                    lineStart = readPosition;
                    pendingLength = 0;
                } else {
                    int length = pendingLength;
                    if (length > 0 && pending[length - 1] == '\r') {
                        length--;
                    }
                    String part = partIndex > 0 ? (partIndex + 1) + "/" + (partIndex + 1) : null;
                    crc = PrefixCrc.update(PrefixCrc.update(crc, pending, 0, pendingLength), b);
                    emitted += emit(length, part, false, sink);
                }
                continue;
            }
            if (skippingRestOfLine) {
                skipCrc = PrefixCrc.update(skipCrc, b);
                continue;
            }
            // The line is full and this byte does not end it: emit a part first. One byte of room is kept for a
            // '\r' that may turn out to be the CR of a CRLF, so a line of exactly lineMaxBytes stays whole.
            if (pendingLength > lineMaxBytes || pendingLength == lineMaxBytes && b != '\r') {
                emitted += overflowAt(fitCut(utf8Boundary(lineMaxBytes, b)), sink);
                if (skippingRestOfLine) {
                    skipCrc = PrefixCrc.update(skipCrc, b);
                    continue;
                }
            }
            append(b);
        }
        return emitted;
    }

    /**
     * Emits the pending line without newline now (the end of the file was reached and it is due, or the file is
     * being forgotten), in parts if its text is longer than line.max.bytes in UTF-8 when {@code fit}; its newline,
     * should it come, emits nothing. Returns the bytes emitted.
     */
    long flushPartial(boolean fit, LineSink sink) throws IOException {
        long emitted = 0;
        if (fit) {
            emitted += fitToLoki(true, sink);
        }
        if (!hasPendingText()) {
            return emitted;
        }
        String part = partIndex > 0 ? (partIndex + 1) + "/" + (partIndex + 1) : null;
        crc = PrefixCrc.update(crc, pending, 0, pendingLength);
        emitted += emit(pendingLength, part, true, sink);
        partialFlushed = true;
        return emitted;
    }

    /**
     * Drops what was consumed after the committed position (the handle is closed: it is read again from there).
     * What is known about the line at that position (its part number, a truncated line's skipped rest) is kept.
     */
    void rewind() {
        readPosition = committedPosition;
        lineStart = committedPosition;
        pendingLength = 0;
        skipCrc = crc; // a skipped rest of line is read, and hashed, again from the committed position
        shrinkLineBuffer();
    }

    /** The file was truncated or written anew: everything starts again at 0, its checksum known from there. */
    void restartAtZero() {
        readPosition = 0;
        committedPosition = 0;
        lineStart = 0;
        pendingLength = 0;
        partIndex = 0;
        skippingRestOfLine = false;
        partialFlushed = false;
        crc = 0;
        crcKnown = true;
        skipCrc = 0;
    }

    /** Skips the line at the committed position (its rest up to the newline); only after a {@link #rewind}. */
    void skipLine() {
        skippingRestOfLine = true;
        skipCrc = crc;
        partIndex = 0;
        partialFlushed = false;
    }

    /**
     * Copies the bytes up to the next newline (or the buffer's end) into the pending line in one go, as long as
     * the line stays within {@code lineMaxBytes}: the byte loop in {@link #consume} then only sees newlines and the
     * bytes that make a line overflow, so it decides exactly what it decided byte by byte.
     */
    private void copyRun(ByteBuffer bytes) {
        int room = lineMaxBytes - pendingLength;
        if (room <= 0 || !bytes.hasArray()) {
            return;
        }
        byte[] array = bytes.array();
        int from = bytes.arrayOffset() + bytes.position();
        int end = from + Math.min(bytes.remaining(), room);
        int i = from;
        while (i < end && array[i] != '\n') {
            i++;
        }
        int run = i - from;
        if (run == 0) {
            return;
        }
        if (pendingLength + run > pending.length) {
            // At most lineMaxBytes + 1: a full line and the '\r' that may end it.
            pending = Arrays.copyOf(pending, (int) Math.min(Math.max(Math.max(pending.length * 2L, 256),
                    pendingLength + (long) run), lineMaxBytes + 1L));
        }
        System.arraycopy(array, from, pending, pendingLength, run);
        pendingLength += run;
        bytes.position(bytes.position() + run);
        readPosition += run;
    }

    /**
     * Loki counts a line's UTF-8 bytes, not the file's: a Latin-1 'é' is 2 bytes there, a malformed byte a U+FFFD
     * of 3. A pending line whose text would be longer than line.max.bytes in UTF-8 is emitted in parts (or
     * truncated) like a line of too many file bytes. Only lines of more than a third of the limit can be: no byte
     * becomes more than 3 UTF-8 bytes (a supplementary character takes at least 2 bytes in any charset).
     * Returns the bytes emitted.
     */
    private long fitToLoki(boolean partial, LineSink sink) throws IOException {
        long emitted = 0;
        while (true) {
            int textLength = partial || pendingLength == 0 || pending[pendingLength - 1] != '\r'
                    ? pendingLength : pendingLength - 1;
            if (textLength <= lineMaxBytes / 3 || utf8Length(textLength) <= lineMaxBytes) {
                return emitted;
            }
            emitted += overflowAt(fitCut(textLength), sink);
            if (skippingRestOfLine) {
                return emitted;
            }
        }
    }

    /** UTF-8 bytes of the text the first {@code length} pending bytes decode to (as {@link #decode} makes it). */
    private int utf8Length(int length) {
        return Utf8.encodedLength(new String(pending, 0, length, charset));
    }

    /** The largest cut at or below {@code cut}, at a character boundary, whose text fits line.max.bytes in UTF-8. */
    private int fitCut(int cut) {
        if (cut <= lineMaxBytes / 3 || utf8Length(cut) <= lineMaxBytes) {
            return cut;
        }
        int lo = 1;
        int hi = cut;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (utf8Length(mid) <= lineMaxBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int c = boundaryAtOrBefore(lo);
        // A cut inside a sequence decodes to a U+FFFD that the whole sequence would not: step back until it fits.
        while (c > 1 && utf8Length(c) > lineMaxBytes) {
            c = boundaryAtOrBefore(c - 1);
        }
        return Math.max(c, 1);
    }

    /** {@code c}, or the start of the UTF-8 sequence that {@code c} falls inside. */
    private int boundaryAtOrBefore(int c) {
        if (!utf8 || c >= pendingLength || (pending[c] & 0xC0) != 0x80) {
            return c;
        }
        int lead = c - 1;
        while (lead > c - 4 && lead > 0 && (pending[lead] & 0xC0) == 0x80) {
            lead--;
        }
        int length = sequenceLength(pending[lead]);
        return length > 0 && lead + length > c && lead > 0 ? lead : c;
    }

    private long overflowAt(int cut, LineSink sink) throws IOException {
        if (splitLongLines) {
            stats.linesSplit.incrementAndGet();
            partIndex++;
            int rest = pendingLength - cut;
            crc = PrefixCrc.update(crc, pending, 0, cut);
            long bytes = emitPart(cut, String.valueOf(partIndex), sink);
            System.arraycopy(pending, cut, pending, 0, rest);
            pendingLength = rest;
            return bytes;
        }
        stats.linesTruncated.incrementAndGet();
        crc = PrefixCrc.update(crc, pending, 0, cut);
        skippingRestOfLine = true;
        long bytes = emitPart(cut, "truncated", sink);
        skipCrc = PrefixCrc.update(crc, pending, cut, pendingLength - cut);
        pendingLength = 0;
        return bytes;
    }

    /**
     * Where to cut a full line of {@code limit} bytes whose next byte is {@code next}: never inside a UTF-8
     * sequence. Only bytes really read are looked at (the array beyond {@code pendingLength} holds stale bytes).
     */
    private int utf8Boundary(int limit, byte next) {
        if (!utf8) {
            return limit;
        }
        // The first byte after the cut: the '\r' kept at pending[limit], or else the next byte read.
        byte after = pendingLength > limit ? pending[limit] : next;
        if ((after & 0xC0) != 0x80) {
            return limit; // the cut falls before a lead byte or an ASCII byte: a boundary
        }
        int lead = limit - 1;
        while (lead > limit - 4 && lead > 0 && (pending[lead] & 0xC0) == 0x80) {
            lead--;
        }
        int length = sequenceLength(pending[lead]);
        // Cut before the lead byte when its sequence runs past the cut; invalid input is cut where it is.
        return length > 0 && lead + length > limit && lead > 0 ? lead : limit;
    }

    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        return b >= 0xF8 ? 0 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    }

    /** Emits the first {@code length} pending bytes as a part of a longer line; the rest stays pending. */
    private long emitPart(int length, String part, LineSink sink) throws IOException {
        long position = lineStart + length;
        sink.line(lineStart, position, decode(length), part, false, skippingRestOfLine ? 0 : partIndex,
                skippingRestOfLine);
        emittedLines++;
        committedPosition = position;
        lineStart = position;
        return length;
    }

    private long emit(int length, String part, boolean partial, LineSink sink) throws IOException {
        sink.line(lineStart, readPosition, decode(length), part, partial, 0, false);
        emittedLines++;
        committedPosition = readPosition;
        lineStart = readPosition;
        pendingLength = 0;
        partIndex = 0;
        shrinkLineBuffer();
        return length;
    }

    private String decode(int length) {
        if (jdkDecodes) {
            // Most log lines are ASCII: one intrinsic scan and one copy, no decoder (which would copy into a
            // CharBuffer, then into a String). new String replaces malformed input with U+FFFD, as the strict
            // path below does after counting it; only a line that shows a U+FFFD (a Latin-1 string, i.e. every
            // ASCII line, answers that without scanning) is decoded again strictly, to tell a malformed line
            // from one that really contains U+FFFD.
            String text = new String(pending, 0, length, charset);
            if (text.indexOf('\uFFFD') >= 0 && strictlyDecoded(length) == null) {
                stats.malformedLines.incrementAndGet();
            }
            return text;
        }
        String text = strictlyDecoded(length);
        if (text == null) {
            stats.malformedLines.incrementAndGet();
            return new String(pending, 0, length, charset);
        }
        return text;
    }

    /** The first {@code length} pending bytes by the charset's reporting decoder; null when they are malformed. */
    private String strictlyDecoded(int length) {
        try {
            return decoder.reset().decode(ByteBuffer.wrap(pending, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void append(byte b) {
        if (pendingLength == pending.length) {
            // At most lineMaxBytes + 1: a full line and the '\r' that may end it.
            pending = Arrays.copyOf(pending, (int) Math.min(Math.max(pending.length * 2L, 256), lineMaxBytes + 1L));
        }
        pending[pendingLength++] = b;
    }

    private void shrinkLineBuffer() {
        if (pending.length > PENDING_KEEP_BYTES && pendingLength <= PENDING_INITIAL_BYTES) {
            pending = Arrays.copyOf(pending, PENDING_INITIAL_BYTES);
        }
    }
}
