package io.lokiconnect.source.model;

/**
 * Where reading a file resumes, and what is known of the file up to there; stored in Connect's source offsets.
 *
 * @param position          byte position just after the last byte emitted (of the decompressed content for a
 *                          compressed file)
 * @param partialFlushed    the last line was emitted without its newline: skip that newline when it arrives
 * @param fingerprint       CRC32 of the first {@code fingerprintLength} bytes (as stored on disk), to detect a
 *                          reused inode
 * @param prefixCrc         {@code PrefixCrc} of the bytes before {@code position}, to recognise a copy of this file
 * @param prefixCrcKnown    false for offsets written before this checksum existed (none, or the CRC-64 of earlier versions)
 * @param linePart          parts of the line at {@code position} already emitted (0 at a line start)
 * @param skippingLine      {@code position} is inside a truncated line whose rest is skipped
 * @param eventPart         parts of the multi-line event at {@code position} already emitted (0 between events)
 * @param archiveDone       a compressed file read to its end: never opened again
 * @param copySourcePosition the file was found truncated after being read to this line start (0: not, or its copy
 *                          was found): a restart still recognises the copy copytruncate made of it
 * @param copySourceCrc     {@code PrefixCrc} of the bytes before {@code copySourcePosition}
 */
public record ResumePoint(long position, boolean partialFlushed, long fingerprint, int fingerprintLength,
                          long prefixCrc, boolean prefixCrcKnown, int linePart, boolean skippingLine, int eventPart,
                          boolean archiveDone, long copySourcePosition, long copySourceCrc) {

    public static final ResumePoint START = new ResumePoint(0, false, 0, 0, 0, true, 0, false);

    public ResumePoint(long position, boolean partialFlushed, long fingerprint, int fingerprintLength,
                       long prefixCrc, boolean prefixCrcKnown, int linePart, boolean skippingLine) {
        this(position, partialFlushed, fingerprint, fingerprintLength, prefixCrc, prefixCrcKnown, linePart,
                skippingLine, 0, false, 0, 0);
    }

    public ResumePoint(long position, boolean partialFlushed, long fingerprint, int fingerprintLength,
                       long prefixCrc, boolean prefixCrcKnown, int linePart, boolean skippingLine, int eventPart,
                       boolean archiveDone) {
        this(position, partialFlushed, fingerprint, fingerprintLength, prefixCrc, prefixCrcKnown, linePart,
                skippingLine, eventPart, archiveDone, 0, 0);
    }

    /** A position at a line start with a known prefix checksum (a recognised copy, or start.position=end). */
    public static ResumePoint at(long position, long prefixCrc, boolean prefixCrcKnown) {
        return new ResumePoint(position, false, 0, 0, prefixCrc, prefixCrcKnown, 0, false);
    }

    public ResumePoint withEventPart(int part) {
        return new ResumePoint(position, partialFlushed, fingerprint, fingerprintLength, prefixCrc, prefixCrcKnown,
                linePart, skippingLine, part, archiveDone, copySourcePosition, copySourceCrc);
    }

    public ResumePoint withArchiveDone() {
        return new ResumePoint(position, partialFlushed, fingerprint, fingerprintLength, prefixCrc, prefixCrcKnown,
                linePart, skippingLine, eventPart, true, copySourcePosition, copySourceCrc);
    }

    /** With the line start (position, PrefixCrc) a truncation left, whose copy is not found yet; null: none. */
    public ResumePoint withCopySource(long[] source) {
        return new ResumePoint(position, partialFlushed, fingerprint, fingerprintLength, prefixCrc, prefixCrcKnown,
                linePart, skippingLine, eventPart, archiveDone, source == null ? 0 : source[0],
                source == null ? 0 : source[1]);
    }

    /** The line start (position, PrefixCrc) whose copy a restart still looks for; null when none. */
    public long[] copySource() {
        return copySourcePosition > 0 ? new long[] {copySourcePosition, copySourceCrc} : null;
    }
}
