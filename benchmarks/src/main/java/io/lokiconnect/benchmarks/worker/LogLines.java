package io.lokiconnect.benchmarks.worker;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * JSON log lines of about 200 bytes, as an application writes them: an RFC 3339 time with microseconds (the time
 * of writing, for the latency runs), level, service, message, trace id and user.
 */
final class LogLines {

    private static final String[] LEVELS = {"info", "warn", "error", "debug"};
    private static final String[] SERVICES = {"checkout", "payments", "search", "auth", "api"};

    private final StringBuilder sb = new StringBuilder(256);

    private LogLines() {
    }

    static LogLines create() {
        return new LogLines();
    }

    /** Line {@code i} stamped with {@code time}, without the newline. */
    String line(long i, Instant time) {
        sb.setLength(0);
        sb.append("{\"timestamp\":\"").append(time).append("\",\"level\":\"").append(LEVELS[(int) (i % 4)])
                .append("\",\"service\":\"").append(SERVICES[(int) (i % 5)])
                .append("\",\"message\":\"order ").append(i)
                .append(" placed for customer 4711 with 3 items\",\"trace_id\":\"")
                .append(Long.toHexString(0x4bf92f3577b34da6L ^ (i * 0x9E3779B97F4A7C15L)))
                .append(Long.toHexString(0xa3ce929d0e0e4736L + i)).append("\",\"user\":\"u-").append(i % 9973)
                .append("\"}");
        return sb.toString();
    }

    /**
     * Writes {@code lines} lines to {@code file}, stamped 10 minutes ago onwards (1,000 lines per millisecond):
     * recent enough for Loki, distinct per line. Returns the bytes written.
     */
    static long writeFile(Path file, long firstIndex, long lines) throws IOException {
        LogLines gen = create();
        long base = Instant.now().minusSeconds(600).toEpochMilli() * 1_000_000L;
        long bytes = 0;
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            for (long i = firstIndex; i < firstIndex + lines; i++) {
                long nanos = base + i * 1_000L;
                String line = gen.line(i, Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L));
                out.write(line);
                out.write('\n');
                bytes += line.length() + 1;
            }
        }
        return bytes;
    }
}
