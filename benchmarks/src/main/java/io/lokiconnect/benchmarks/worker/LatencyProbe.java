package io.lokiconnect.benchmarks.worker;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * Latency from a line's write to its arrival in the receiver. The line carries its write time as its JSON
 * {@code timestamp} (microseconds); JsonLabels makes it the entry's time; the receiver appends each entry it accepts
 * to its JSON-lines file, flushed per push, which this probe tails every few milliseconds. Arrival is the moment the
 * probe reads the entry, so latencies are over by at most the poll interval (5 ms) plus the file write.
 */
final class LatencyProbe implements Runnable {

    private static final byte[] KEY = "\"timestamp_ns\":\"".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final long countFromNanos;
    private volatile boolean stopped;
    private long[] latencies = new long[1 << 16];
    private int count;
    private long seen;

    /** @param countFromNanos only lines written at or after this wall-clock instant (epoch ns) are counted */
    LatencyProbe(Path file, long countFromNanos) {
        this.file = file;
        this.countFromNanos = countFromNanos;
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void run() {
        byte[] buf = new byte[1 << 20];
        int carried = 0;
        long position = 0;
        try {
            while (!Files.exists(file) && !stopped) {
                Thread.sleep(5);
            }
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                while (true) {
                    boolean last = stopped;
                    int n;
                    while ((n = readAt(in, position, buf, carried)) > 0) {
                        position += n;
                        long arrived = epochNanos();
                        int end = carried + n;
                        int start = 0;
                        for (int i = 0; i < end; i++) {
                            if (buf[i] == '\n') {
                                record(buf, start, i, arrived);
                                start = i + 1;
                            }
                        }
                        carried = end - start;
                        System.arraycopy(buf, start, buf, 0, carried);
                    }
                    if (last) {
                        return;
                    }
                    Thread.sleep(5);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int readAt(RandomAccessFile in, long position, byte[] buf, int offset) throws IOException {
        if (in.length() <= position || offset >= buf.length) {
            return 0;
        }
        in.seek(position);
        return Math.max(0, in.read(buf, offset, buf.length - offset));
    }

    private void record(byte[] buf, int start, int end, long arrived) {
        int at = indexOf(buf, start, end);
        if (at < 0) {
            return;
        }
        long ts = 0;
        for (int i = at + KEY.length; i < end && buf[i] != '"'; i++) {
            ts = ts * 10 + (buf[i] - '0');
        }
        seen++;
        if (ts < countFromNanos) {
            return;
        }
        if (count == latencies.length) {
            latencies = Arrays.copyOf(latencies, count * 2);
        }
        latencies[count++] = arrived - ts;
    }

    private static int indexOf(byte[] buf, int start, int end) {
        outer:
        for (int i = start; i <= end - KEY.length; i++) {
            for (int j = 0; j < KEY.length; j++) {
                if (buf[i + j] != KEY[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Reads what is left and stops; call from another thread, then join the probe's thread. */
    void stop() {
        stopped = true;
    }

    /** Entries read so far, counted or not. */
    long seen() {
        return seen;
    }

    int counted() {
        return count;
    }

    /**
     * The latency at quantile {@code q} (0..1) of {@code expected} lines, in milliseconds; lines that have not
     * arrived count as later than any that did, so the result is infinite when too many are missing.
     */
    double percentileMillis(double q, long expected) {
        long n = Math.max(expected, count);
        if (n == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        long index = Math.max(0, (long) Math.ceil(q * n) - 1);
        return index >= count ? Double.POSITIVE_INFINITY : sorted[(int) index] / 1e6;
    }
}
