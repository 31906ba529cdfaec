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
 * file's read checkpoints (line starts where a read ended, with the CRC-64 of everything before them) have the
 * same CRC-64: the whole prefix is compared, once, not a short fingerprint. Only checkpoints of at least
 * {@link Fingerprint#MAX_BYTES} bytes count, so two files that merely share a first line or a banner are never
 * taken for one another. The copy resumes at the largest matching checkpoint: lines the original had after it and
 * that the copy holds too (written between the last read and the copy) are shipped a second time: that is the
 * duplicate window, at most what one read of the original returned.
 */
final class CopyRecognizer {

    private record Truncated(List<long[]> checkpoints, long atMillis) {
    }

    private final long windowMs;
    private final List<Truncated> recent = new ArrayList<>();

    CopyRecognizer(long windowMs) {
        this.windowMs = windowMs;
    }

    /** A tracked file was found truncated (or shorter than its stored offset) with these checkpoints. */
    void truncated(List<long[]> checkpoints, long nowMillis) {
        List<long[]> usable = checkpoints.stream().filter(c -> c[0] >= Fingerprint.MAX_BYTES).toList();
        if (!usable.isEmpty()) {
            recent.add(new Truncated(usable, nowMillis));
        }
    }

    boolean expectsCopies(long nowMillis) {
        recent.removeIf(t -> nowMillis - t.atMillis() > windowMs);
        return !recent.isEmpty();
    }

    /** Where {@code candidate} resumes if it is the copy of a recently truncated file. */
    Optional<ResumePoint> recognise(Path candidate, long size, long nowMillis) throws IOException {
        if (!expectsCopies(nowMillis)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(candidate, StandardOpenOption.READ)) {
            for (Iterator<Truncated> it = recent.iterator(); it.hasNext(); ) {
                Optional<long[]> match = largestMatch(channel, size, it.next().checkpoints());
                if (match.isPresent()) {
                    it.remove(); // one copy per truncation
                    return Optional.of(ResumePoint.at(match.get()[0], match.get()[1], true));
                }
            }
        }
        return Optional.empty();
    }

    /** Streams the candidate once, comparing its running CRC-64 at each checkpoint within its size. */
    private static Optional<long[]> largestMatch(FileChannel channel, long size, List<long[]> checkpoints)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = 0;
        long crc = 0;
        long[] best = null;
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
                crc = Crc64.update(crc, buffer.array(), 0, n);
                position += n;
            }
            if (crc != checkpoint[1]) {
                break; // a prefix that differs here differs at every later checkpoint too
            }
            best = checkpoint;
        }
        return Optional.ofNullable(best);
    }
}
