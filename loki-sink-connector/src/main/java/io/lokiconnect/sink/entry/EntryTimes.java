package io.lokiconnect.sink.entry;

import java.util.Objects;

/**
 * Keeps distinct events distinct in Loki, which keeps one of two entries equal in stream, time and line. Many logs
 * carry times of millisecond or second precision, so identical lines (a health check, a retry message) logged in the
 * same millisecond would collapse into one. A time that is a whole number of milliseconds gets a sub-millisecond part
 * (0 to 999,999 ns) derived from where the line comes from, never from a clock or a counter, so the same line sent
 * again (a replay after a crash, a retried push) gets the same time and Loki can drop it as the duplicate it is:
 * <ul>
 *   <li>from the source connector (headers {@code log.file.offset}, {@code log.file.path}, {@code log.host}): the
 *       line's byte offset in its file, shifted by a hash of the file and host. Two lines of one file get the same
 *       part only when they start a multiple of 1,000,000 bytes apart within one millisecond;</li>
 *   <li>otherwise: the record's Kafka offset, shifted by its partition. Two records of one partition get the same
 *       part only when their offsets are a multiple of 1,000,000 apart within one millisecond.</li>
 * </ul>
 * A time with a sub-millisecond part of its own is kept as it is.
 */
public final class EntryTimes {

    private static final long NANOS_PER_MILLI = 1_000_000L;

    private EntryTimes() {
    }

    /** The shift of the lines of file {@code path} on {@code host}; {@code offset} is a line's first byte in it. */
    static long fileShift(String path, String host) {
        long h = 1125899906842597L;
        h = 31 * h + (path == null ? 0 : path.hashCode());
        h = 31 * h + (host == null ? 0 : host.hashCode());
        return mix(h);
    }

    /**
     * The shift of the last file asked for, kept while the next records come from the same file: the path and host
     * arrive as new strings with every record, and comparing them with the last ones is cheaper than hashing them.
     * One per task thread; not thread-safe.
     */
    public static final class FileShifts {
        private String path;
        private String host;
        private long shift;
        private boolean known;

        /** {@link #fileShift}'s shift for {@code path} and {@code host}. */
        public long shift(String path, String host) {
            if (!known || !Objects.equals(path, this.path) || !Objects.equals(host, this.host)) {
                this.shift = fileShift(path, host);
                this.path = path;
                this.host = host;
                this.known = true;
            }
            return shift;
        }
    }

    /**
     * {@code nanos} itself when it has a sub-millisecond part, else {@code nanos} plus the part of the line at
     * {@code offset} of the file or partition whose shift is {@code shift} ({@link #fileShift}, {@link
     * #partitionShift}).
     */
    public static long distinct(long nanos, long shift, long offset) {
        if (Math.floorMod(nanos, NANOS_PER_MILLI) != 0 || nanos > Long.MAX_VALUE - NANOS_PER_MILLI) {
            return nanos;
        }
        return nanos + Math.floorMod(shift + offset, NANOS_PER_MILLI);
    }

    /** The shift of the records of Kafka partition {@code partition}; {@code offset} is a record's Kafka offset. */
    public static long partitionShift(int partition) {
        return mix(partition);
    }

    /** A 64-bit finaliser (SplitMix64), so nearby files and partitions get unrelated shifts. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
