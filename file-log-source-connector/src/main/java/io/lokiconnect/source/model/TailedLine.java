package io.lokiconnect.source.model;

import java.nio.file.Path;

/**
 * One line (or one part of an over-long line, or one multi-line event) read from a file.
 *
 * @param startOffset byte offset of the line's first byte
 * @param part        {@code null} for a whole line, else the value of the {@code log.line.part} header
 * @param resume      where to resume after this line: what the source offset stores
 */
public record TailedLine(FileIdentity identity, Path path, long startOffset, String text, String part,
                         ResumePoint resume) {

    /** The file position to resume from after this line. */
    public long position() {
        return resume.position();
    }

    /** False for a part of a split line that more parts follow ({@code 1}, {@code 2}, ... without {@code /n}). */
    public boolean endsLine() {
        return part == null || part.indexOf('/') >= 0 || "truncated".equals(part);
    }
}
