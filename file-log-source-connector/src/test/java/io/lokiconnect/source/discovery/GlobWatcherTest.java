package io.lokiconnect.source.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories that cannot be listed. Tests run as root here, where permissions deny nothing, so the failures
 * come from a directory lister that fails for chosen directories, exactly as the file system would.
 */
class GlobWatcherTest {

    @TempDir
    Path dir;

    private final AtomicLong errors = new AtomicLong();
    private final FileProblems problems = new FileProblems(errors);
    private final Map<Path, IOException> failing = new HashMap<>();
    private GlobWatcher watcher;

    @BeforeEach
    void files() throws IOException {
        for (String sub : List.of("a", "b", "c")) {
            Files.createDirectories(dir.resolve(sub));
            Files.writeString(dir.resolve(sub).resolve("x.log"), sub + "\n");
        }
        watcher = new GlobWatcher(List.of(dir + "/*/*.log"), List.of(), List.of(), problems, d -> {
            IOException e = failing.get(d);
            if (e != null) {
                throw e;
            }
            return Files.newDirectoryStream(d);
        });
    }

    @Test
    void anUnreadableDirectoryIsReportedOnceAndTheWalkGoesOnPastIt() {
        failing.put(dir.resolve("b"), new AccessDeniedException(dir.resolve("b").toString()));
        GlobWatcher.Scan scan = watcher.scan();
        assertThat(scan.files()).containsExactlyInAnyOrder(dir.resolve("a/x.log"), dir.resolve("c/x.log"));
        assertThat(scan.complete()).isFalse();
        assertThat(problems.current().get(dir.resolve("b"))).contains("permission denied");
        watcher.scan();
        assertThat(errors.get()).as("logged and counted once").isEqualTo(1);

        failing.clear();
        GlobWatcher.Scan back = watcher.scan();
        assertThat(back.complete()).isTrue();
        assertThat(back.files()).hasSize(3);
        assertThat(problems.current()).isEmpty();
    }

    @Test
    void aDirectoryThatVanishesDuringTheWalkDoesNotEndIt() {
        failing.put(dir.resolve("a"), new NoSuchFileException(dir.resolve("a").toString()));
        GlobWatcher.Scan scan = watcher.scan();
        assertThat(scan.files()).containsExactlyInAnyOrder(dir.resolve("b/x.log"), dir.resolve("c/x.log"));
        assertThat(scan.complete()).isFalse();
        assertThat(problems.current().get(dir.resolve("a"))).contains("vanished");
    }

    @Test
    void anUnlistableGlobBaseIsReportedAndTheOtherGlobsStillScan() throws IOException {
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("y.log"), "y\n");
        GlobWatcher two = new GlobWatcher(List.of(dir + "/a/*.log", other + "/*.log"), List.of(), List.of(), problems,
                d -> {
                    if (d.equals(dir.resolve("a"))) {
                        throw new AccessDeniedException(d.toString());
                    }
                    return Files.newDirectoryStream(d);
                });
        GlobWatcher.Scan scan = two.scan();
        assertThat(scan.files()).containsExactly(other.resolve("y.log"));
        assertThat(scan.complete()).isFalse();
    }
}
