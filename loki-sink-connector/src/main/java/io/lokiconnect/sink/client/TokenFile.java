package io.lokiconnect.sink.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token read from a file and read again when it may have changed, as Kubernetes projects service account
 * tokens: the kubelet writes a new token into a new timestamped directory and swaps the {@code ..data} symlink to it
 * in one rename, so the path keeps its name while the file behind it changes (and the old one is deleted). The file
 * is opened by its path each time, so each read follows the symlinks as they are then: a reader sees the old token
 * or the new one, never a mix. It is read at most once per {@code checkIntervalNanos} (pushes ask for it each time),
 * and at once after Loki refused the credentials (401, 403). A read that fails, or finds the file empty (a writer
 * that truncates before writing), keeps the token it had and logs once per failure in a row: a request with the old
 * token may still pass, one with none cannot. The token is never logged.
 */
public final class TokenFile {

    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
    /** How often the file is read again at most: a projected token is rotated well before it expires. */
    public static final long DEFAULT_CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private final Path path;
    private final long checkIntervalNanos;
    private final LongSupplier clock;
    private volatile String token;
    private volatile long lastReadNanos;
    private volatile boolean failing;

    /** Reads the file once; throws {@link IllegalArgumentException} when it cannot be read or holds no token. */
    public TokenFile(Path path, long checkIntervalNanos, LongSupplier clock) {
        this.path = path;
        this.checkIntervalNanos = checkIntervalNanos;
        this.clock = clock;
        String first;
        try {
            first = read();
        } catch (IOException e) {
            throw new IllegalArgumentException("loki.auth.bearer.token.file '" + path + "' cannot be read: " + e);
        }
        if (first == null) {
            throw new IllegalArgumentException("loki.auth.bearer.token.file '" + path + "' holds no token, or one "
                    + "with a character an HTTP header cannot carry");
        }
        token = first;
        lastReadNanos = clock.getAsLong();
    }

    public TokenFile(Path path) {
        this(path, DEFAULT_CHECK_INTERVAL_NANOS, System::nanoTime);
    }

    /** The token, read again when the last read is older than the interval. */
    public String current() {
        long now = clock.getAsLong();
        if (now - lastReadNanos >= checkIntervalNanos) {
            refresh(now);
        }
        return token;
    }

    /** Loki refused the token: the next {@link #current()} reads the file again. */
    public void invalidate() {
        lastReadNanos = clock.getAsLong() - checkIntervalNanos;
    }

    private synchronized void refresh(long now) {
        if (now - lastReadNanos < checkIntervalNanos) {
            return; // another thread just read it
        }
        lastReadNanos = now;
        try {
            String read = read();
            if (read == null) {
                warnOnce("holds no token (empty, or a character an HTTP header cannot carry)");
                return;
            }
            if (!read.equals(token)) {
                log.info("Bearer token re-read from {} (it changed)", path);
            }
            token = read;
            failing = false;
        } catch (IOException e) {
            warnOnce("cannot be read: " + e);
        }
    }

    private void warnOnce(String problem) {
        if (!failing) {
            failing = true;
            log.warn("loki.auth.bearer.token.file '{}' {}; the token read before is used until the file is good again",
                    path, problem);
        }
    }

    /** The file's token without surrounding whitespace (a trailing line break); null when none or not sendable. */
    private String read() throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8).strip();
        return text.isEmpty() || !HeaderText.isValidValue(text) ? null : text;
    }
}
