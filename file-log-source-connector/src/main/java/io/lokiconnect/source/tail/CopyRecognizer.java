package io.lokiconnect.source.tail;

import io.lokiconnect.source.model.ResumePoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Recognises the copy that logrotate's copytruncate makes of a tracked file, so that the copy (a new inode with
 * no offset, matched by a glob like {@code app.log*}) resumes where the original was read to instead of being
 * shipped again.
 *
 * <p>A new file is a copy of a file truncated within the last {@code windowMs} when its bytes up to one of that
 * file's read checkpoints (line starts where a read ended, with the {@link PrefixCrc} of everything before them)
 * have the same checksum: the whole prefix is compared, once, not a short fingerprint. Only checkpoints of at least
 * {@link Fingerprint#MAX_BYTES} bytes count, so two files that merely share a first line or a banner are never
 * taken for one another. The copy resumes at the largest matching checkpoint: lines the original had after it and
 * that the copy holds too (written between the last read and the copy) are shipped a second time: that is the
 * duplicate window, at most what one read of the original returned.
 */
final class CopyRecognizer {

    /** {@code settled}: told once its copy was found or the window passed (the offsets stop carrying it). */
    private record Truncated(List<long[]> checkpoints, long atMillis, Runnable settled) {
    }

    private static final Runnable NOTHING = () -> { };

    /** Reads bytes of a candidate at a position: a plain file's channel, or a compressed file's content. */
    @FunctionalInterface
    interface Content {
        int read(ByteBuffer dst, long position) throws IOException;
    }

    private final long windowMs;
    private final List<Truncated> recent = new ArrayList<>();
    /** Plain files forgotten after they were deleted or left the globs: what a compressed archive of them holds. */
    private final List<Truncated> forgotten = new ArrayList<>();

    CopyRecognizer(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Flags in a checkpoint's fourth element: the line state a stored offset had at its position. */
    private static final long PARTIAL_FLUSHED = 1;
    private static final long SKIPPING_LINE = 2;

    /**
     * The checkpoint of a stored offset. Unlike the tailer's own checkpoints (always line starts) it may lie inside
     * a split line, inside a truncated line's skipped rest or just before the newline of a flushed partial line:
     * its line state goes with it, or the copy would resume there as if at a line start and ship the rest of a
     * line as a line of its own. A copy matched inside a split line resumes at that line's start (its parts
     * already shipped from the original are shipped again, inside the duplicate window), so that every file's
     * records carry whole part sequences 1, 2, ..., n/n.
     */
    static long[] checkpointOf(ResumePoint stored) {
        return new long[] {stored.position(), stored.prefixCrc(), stored.linePart(),
                (stored.partialFlushed() ? PARTIAL_FLUSHED : 0) | (stored.skippingLine() ? SKIPPING_LINE : 0)};
    }

    /**
     * A tracked file was found truncated (or shorter than its stored offset, or a restart found a truncation whose
     * copy was not found yet in its offset) with these checkpoints; {@code settled} is told when its copy is found
     * or no longer looked for.
     */
    void truncated(List<long[]> checkpoints, long nowMillis, Runnable settled) {
        List<long[]> usable = checkpoints.stream().filter(c -> c[0] >= Fingerprint.MAX_BYTES).toList();
        if (!usable.isEmpty()) {
            recent.add(new Truncated(usable, nowMillis, settled));
        }
    }

    /** A plain file was forgotten (deleted or out of the globs, read to its end) with these checkpoints. */
    void forgotten(List<long[]> checkpoints, long nowMillis) {
        List<long[]> usable = checkpoints.stream().filter(c -> c[0] >= Fingerprint.MAX_BYTES).toList();
        if (!usable.isEmpty()) {
            forgotten.add(new Truncated(usable, nowMillis, NOTHING));
        }
    }

    /**
     * Where a compressed file resumes when its decompressed content begins with what the source already read of
     * another file: one of {@code tracked} (checkpoints of files still tracked whose first bytes it shares), one
     * truncated or forgotten within the window. The largest match wins; empty when none matches.
     */
    Optional<ResumePoint> recogniseArchive(Content content, List<List<long[]>> tracked, long nowMillis)
            throws IOException {
        expectsCopies(nowMillis);
        forgotten.removeIf(t -> nowMillis - t.atMillis() > windowMs);
        long[] best = null;
        Truncated bestSource = null;
        List<Truncated> candidates = new ArrayList<>(recent);
        candidates.addAll(forgotten);
        for (List<long[]> checkpoints : tracked) {
            candidates.add(new Truncated(checkpoints.stream().filter(c -> c[0] >= Fingerprint.MAX_BYTES).toList(),
                    nowMillis, NOTHING));
        }
        for (Truncated candidate : candidates) {
            if (candidate.checkpoints().isEmpty()) {
                continue;
            }
            Optional<long[]> match = largestMatch(content, Long.MAX_VALUE, candidate.checkpoints());
            if (match.isPresent() && (best == null || match.get()[0] > best[0])) {
                best = match.get();
                bestSource = candidate;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        if (recent.remove(bestSource)) { // one copy per truncation; and one archive per forgotten file
            bestSource.settled().run();
        }
        forgotten.remove(bestSource);
        return Optional.of(resumePoint(best));
    }

    boolean expectsCopies(long nowMillis) {
        for (Iterator<Truncated> it = recent.iterator(); it.hasNext(); ) {
            Truncated t = it.next();
            if (nowMillis - t.atMillis() > windowMs) {
                it.remove();
                t.settled().run();
            }
        }
        return !recent.isEmpty();
    }

    /** Where {@code candidate} resumes if it is the copy of a recently truncated file. */
    Optional<ResumePoint> recognise(Path candidate, long size, long nowMillis) throws IOException {
        if (!expectsCopies(nowMillis)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(candidate, StandardOpenOption.READ)) {
            for (Iterator<Truncated> it = recent.iterator(); it.hasNext(); ) {
                Truncated truncated = it.next();
                Optional<long[]> match = largestMatch(channel::read, size, truncated.checkpoints());
                if (match.isPresent()) {
                    it.remove(); // one copy per truncation
                    truncated.settled().run();
                    return Optional.of(resumePoint(match.get()));
                }
            }
        }
        return Optional.empty();
    }

    private static ResumePoint resumePoint(long[] checkpoint) {
        if (checkpoint.length < 4) {
            return ResumePoint.at(checkpoint[0], checkpoint[1], true); // the tailer's own: a line start
        }
        return new ResumePoint(checkpoint[0], (checkpoint[3] & PARTIAL_FLUSHED) != 0, 0, 0, checkpoint[1], true,
                (int) checkpoint[2], (checkpoint[3] & SKIPPING_LINE) != 0);
    }

    /** Streams the candidate once, comparing its running checksum at each checkpoint within its size. */
    private static Optional<long[]> largestMatch(Content channel, long size, List<long[]> checkpoints)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = 0;
        long crc = 0;
        long[] best = null;
        // The last line start read, and the checksum before it: where a match inside a split line resumes.
        long lineStart = 0;
        long lineStartCrc = 0;
        long[] bestLineStart = null;
        for (long[] checkpoint : checkpoints) {
            if (checkpoint[0] > size) {
                break;
            }
            while (position < checkpoint[0]) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), checkpoint[0] - position));
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    return Optional.ofNullable(best);
                }
                int lastNewline = n - 1;
                while (lastNewline >= 0 && buffer.get(lastNewline) != '\n') {
                    lastNewline--;
                }
                if (lastNewline >= 0) {
                    lineStart = position + lastNewline + 1;
                    lineStartCrc = PrefixCrc.update(crc, buffer.array(), 0, lastNewline + 1);
                }
                crc = PrefixCrc.update(crc, buffer.array(), 0, n);
                position += n;
            }
            if (crc != checkpoint[1]) {
                break; // a prefix that differs here differs at every later checkpoint too
            }
            best = checkpoint;
            bestLineStart = new long[] {lineStart, lineStartCrc};
        }
        if (best != null && best.length >= 4 && best[2] > 0) {
            return Optional.of(bestLineStart);
        }
        return Optional.ofNullable(best);
    }
}
