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

    /**
     * An allowed root reached through a symbolic link (macOS {@code /var} is {@code /private/var}, a Kubernetes
     * {@code /var/log/pods} on another mount): the files under it resolve to the link's target, which is the same
     * directory, so they are inside the root.
     */
    @Test
    void aRootReachedThroughASymbolicLinkAllowsTheFilesBelowIt() throws IOException {
        Path real = Files.createDirectories(dir.resolve("private/logs"));
        Files.writeString(real.resolve("app.log"), "a\n");
        Path link = Files.createSymbolicLink(dir.resolve("logs"), real);
        GlobWatcher byLink = new GlobWatcher(List.of(link + "/*.log"), List.of(), List.of(link.toString()), problems);
        assertThat(byLink.scan().files()).containsExactly(link.resolve("app.log"));
        assertThat(problems.current()).isEmpty();
        GlobWatcher rootByLinkGlobByTarget = new GlobWatcher(List.of(real + "/*.log"), List.of(),
                List.of(link.toString()), problems);
        assertThat(rootByLinkGlobByTarget.scan().files()).containsExactly(real.resolve("app.log"));
        GlobWatcher rootByTargetGlobByLink = new GlobWatcher(List.of(link + "/*.log"), List.of(),
                List.of(real.toString()), problems);
        assertThat(rootByTargetGlobByLink.scan().files()).containsExactly(link.resolve("app.log"));
    }

    @Test
    void aSymbolicLinkInsideARootReachedThroughALinkThatPointsOutsideIsStillRefused() throws IOException {
        Path real = Files.createDirectories(dir.resolve("private/logs"));
        Path outside = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(outside.resolve("shadow"), "secret\n");
        Files.writeString(real.resolve("app.log"), "a\n");
        Files.createSymbolicLink(real.resolve("evil.log"), outside.resolve("shadow"));
        Files.createSymbolicLink(real.resolve("evil-dir"), outside);
        Files.writeString(outside.resolve("x.log"), "secret\n");
        Path link = Files.createSymbolicLink(dir.resolve("logs"), real);
        // The walk does not go down symbolic links to directories; a glob naming a file below one does reach it.
        GlobWatcher watcher = new GlobWatcher(List.of(link + "/*.log", link + "/*/*.log", link + "/evil-dir/x.log"),
                List.of(), List.of(link.toString()), problems);
        assertThat(watcher.scan().files()).containsExactly(link.resolve("app.log"));
        assertThat(problems.current().get(link.resolve("evil.log"))).contains("outside paths.allowed.roots");
        assertThat(problems.current().get(link.resolve("evil-dir/x.log"))).contains("outside paths.allowed.roots");
    }

    /** The root is resolved again at each scan: one created (or re-pointed) after the task started is honoured. */
    @Test
    void aRootLinkCreatedAfterTheStartIsResolvedAtTheNextScan() throws IOException {
        Path real = Files.createDirectories(dir.resolve("private/logs"));
        Files.writeString(real.resolve("app.log"), "a\n");
        Path link = dir.resolve("later");
        GlobWatcher watcher = new GlobWatcher(List.of(link + "/*.log"), List.of(), List.of(link.toString()),
                problems);
        assertThat(watcher.scan().files()).isEmpty();
        Files.createSymbolicLink(link, real);
        assertThat(watcher.scan().files()).containsExactly(link.resolve("app.log"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("app.log"), "b\n");
        Files.delete(link);
        Files.createSymbolicLink(link, elsewhere);
        assertThat(watcher.scan().files()).as("the root now is where the link points").containsExactly(
                link.resolve("app.log"));
    }
}
