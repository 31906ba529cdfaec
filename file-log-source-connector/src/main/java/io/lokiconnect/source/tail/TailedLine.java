package io.lokiconnect.source.tail;

import java.nio.file.Path;

/**
 * One line (or one part of an over-long line, or one multi-line event) read from a file.
 *
 * @param startOffset byte offset of the line's first byte
 * @param position    the file position to resume from after this line: what the source offset stores
 * @param part        {@code null} for a whole line, else the value of the {@code log.line.part} header
 * @param partialFlushed true when this line ended without a newline (flushed after {@code partial.line.flush.ms})
 */
public record TailedLine(FileIdentity identity, Path path, long startOffset, long position, String text,
                         String part, boolean partialFlushed, long fingerprint, int fingerprintLength) {

    /** False for a part of a split line that more parts follow ({@code 1}, {@code 2}, ... without {@code /n}). */
    public boolean endsLine() {
        return part == null || part.indexOf('/') >= 0 || "truncated".equals(part);
    }
}
