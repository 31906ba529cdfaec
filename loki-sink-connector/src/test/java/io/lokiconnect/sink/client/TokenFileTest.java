package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file, rotated as the kubelet rotates a projected service account token. */
class TokenFileTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);

    /**
     * The kubelet's AtomicWriter: the files live in a timestamped directory, {@code ..data} links to it, the
     * visible file links to {@code ..data/<name>}; an update writes a new directory, links {@code ..data_tmp} to
     * it, renames that over {@code ..data} and deletes the old directory.
     */
    private Path projected(String token) throws Exception {
        Path version = Files.createDirectory(dir.resolve("..2026_12_02_10_00_00.1"));
        Files.writeString(version.resolve("token"), token);
        Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
        return Files.createSymbolicLink(dir.resolve("token"), Path.of("..data", "token"));
    }

    private void rotate(String token, int n) throws Exception {
        Path old = Files.readSymbolicLink(dir.resolve("..data"));
        Path version = Files.createDirectory(dir.resolve("..2026_12_02_11_00_00." + n));
        Files.writeString(version.resolve("token"), token);
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), version.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(dir.resolve(old).resolve("token"));
        Files.delete(dir.resolve(old));
    }

    @Test
    void aRotatedProjectedTokenIsUsedWithinTheIntervalThroughTheSymlinkSwap() throws Exception {
        TokenFile file = new TokenFile(projected("token-1\n"), SECOND, clock::get);
        assertThat(file.current()).isEqualTo("token-1");
        rotate("token-2\n", 2);
        clock.addAndGet(SECOND - 1);
        assertThat(file.current()).as("one nanosecond below the interval: not read again").isEqualTo("token-1");
        clock.addAndGet(1);
        assertThat(file.current()).as("at the interval").isEqualTo("token-2");
        rotate("token-3", 3);
        file.invalidate();
        assertThat(file.current()).as("after a 401: at once").isEqualTo("token-3");
    }

    @Test
    void anEmptyOrMissingFileKeepsTheTokenReadBefore() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "good");
        TokenFile file = new TokenFile(token, SECOND, clock::get);
        Files.writeString(token, "");
        clock.addAndGet(SECOND);
        assertThat(file.current()).isEqualTo("good");
        Files.delete(token);
        clock.addAndGet(SECOND);
        assertThat(file.current()).isEqualTo("good");
        Files.writeString(token, "  better \n");
        clock.addAndGet(SECOND);
        assertThat(file.current()).isEqualTo("better");
    }

    @Test
    void aTokenAHeaderCannotCarryIsNotUsedAndNeverShown() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "good");
        TokenFile file = new TokenFile(token, SECOND, clock::get);
        Files.writeString(token, "s3cr3t\u00e9");
        clock.addAndGet(SECOND);
        assertThat(file.current()).isEqualTo("good");
        Path bad = Files.writeString(dir.resolve("bad"), "s3cr3t\u00e9");
        assertThatThrownBy(() -> new TokenFile(bad, SECOND, clock::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> new TokenFile(dir.resolve("absent"), SECOND, clock::get))
                .hasMessageContaining("cannot be read");
    }
}
