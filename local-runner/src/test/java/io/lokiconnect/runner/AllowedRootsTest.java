package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source's paths.allowed.roots the runner derives from LOG_PATHS when LOG_ALLOWED_ROOTS is unset. */
class AllowedRootsTest {

    @TempDir
    Path tmp;

    private static List<String> roots(String logPaths) {
        return List.of(LocalPipeline.allowedRoots(logPaths).split(","));
    }

    @Test
    void eachGlobGivesItsBaseDirectoryAndAFileItsDirectoryOnce() {
        assertThat(roots("/srv/a/*.log, /srv/b/**/x.log,/srv/c/app.log,/srv/a/*.txt"))
                .containsExactly("/srv/a", "/srv/b", "/srv/c");
    }

    @Test
    void dotDotIsResolvedSoTheRootIsWhereTheFilesAre() {
        assertThat(roots("/srv/a/../b/*.log")).containsExactly("/srv/b");
    }

    @Test
    void aRelativeGlobGivesAnAbsoluteRoot() {
        assertThat(roots("logs/*.log")).containsExactly(Paths.get("").toAbsolutePath().resolve("logs").toString());
    }

    /** The source checks the glob as written at validation, and each file's real path when it reads: both are roots. */
    @Test
    void aDirectoryReachedThroughASymbolicLinkGivesTheLinkAndItsTarget() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThat(roots(link + "/*.log")).containsExactly(link.toString(), real.toRealPath().toString());
        assertThat(roots(real.toRealPath() + "/*.log")).containsExactly(real.toRealPath().toString());
    }
}
