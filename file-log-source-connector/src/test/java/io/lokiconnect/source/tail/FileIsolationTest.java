package io.lokiconnect.source.tail;

import static io.lokiconnect.source.tail.TailerHarness.append;
import static io.lokiconnect.source.tail.TailerHarness.texts;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.discovery.GlobWatcher;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever goes wrong with one file stays with that file. */
class FileIsolationTest {

    @TempDir
    Path dir;

    private final TailerHarness h = new TailerHarness();

    private FileSetTailer tailer(Charset charset, GlobWatcher watcher) {
        return h.tailer(watcher, TestSettings.defaults().lineMaxBytes(1024).charset(charset).partialFlushMs(1_000).scanIntervalMs(5_000).build());
    }

    @Test
    void anUncheckedExceptionInOneFileIsReportedOnceRetriedAfterTheScanIntervalAndOtherFilesFlow() throws IOException {
        append(dir.resolve("a.log"), "a1\nPOISON\na2\n");
        append(dir.resolve("b.log"), "b1\n");
        // Decoding a line holding POISON throws, twice (one less than makes it skipped): a passing fault.
        AtomicInteger failuresLeft = new AtomicInteger(FileSetTailer.SKIP_AFTER_FAILURES - 1);
        Charset charset = new HookedCharset(text -> {
            if (text.contains("POISON") && failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("decoder bug on this line");
            }
        });
        FileSetTailer t = tailer(charset, new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), h.problems));

        List<String> read = new ArrayList<>(texts(t.poll(100, 1 << 20)));
        assertThat(read).contains("a1", "b1").doesNotContain("POISON", "a2");
        assertThat(h.problems.current().get(dir.resolve("a.log"))).contains("IllegalStateException");
        assertThat(h.stats.fileErrors.get()).isEqualTo(1);

        append(dir.resolve("b.log"), "b2\n");
        read.addAll(texts(t.poll(100, 1 << 20)));
        assertThat(read).contains("b2").doesNotContain("POISON");

        // Retried after scan.interval.ms: it fails once more the same way (logged and counted once), then reads.
        h.clock.addAndGet(5_000);
        read.addAll(texts(t.poll(100, 1 << 20)));
        assertThat(read).doesNotContain("POISON");
        assertThat(h.stats.fileErrors.get()).isEqualTo(1);
        h.clock.addAndGet(5_000);
        read.addAll(texts(t.poll(100, 1 << 20)));
        assertThat(read).containsExactlyInAnyOrder("a1", "b1", "b2", "POISON", "a2");
        assertThat(read.stream().filter(l -> !l.startsWith("b")).toList()).containsExactly("a1", "POISON", "a2");
        assertThat(h.problems.current()).as("cleared once it reads again").isEmpty();
        assertThat(h.stats.linesSkipped.get()).isZero();
    }

    @Test
    void aLineWhoseReadingFailsEveryTimeIsSkippedAfterThreeTriesAndTheFileGoesOn() throws IOException {
        append(dir.resolve("a.log"), "a1\nPOISON forever\na2\n");
        Charset charset = new HookedCharset(text -> {
            if (text.contains("POISON")) {
                throw new IllegalStateException("decoder bug on this line");
            }
        });
        FileSetTailer t = tailer(charset, h.watcher(dir + "/*.log"));
        List<String> read = new ArrayList<>(texts(t.poll(100, 1 << 20)));
        for (int retry = 1; retry < FileSetTailer.SKIP_AFTER_FAILURES; retry++) {
            h.clock.addAndGet(5_000);
            read.addAll(texts(t.poll(100, 1 << 20)));
            assertThat(h.stats.linesSkipped.get()).as("after %d failures", retry + 1).isEqualTo(retry + 1 < 3 ? 0 : 1);
        }
        h.clock.addAndGet(5_000);
        read.addAll(texts(t.poll(100, 1 << 20)));
        append(dir.resolve("a.log"), "a3\n");
        read.addAll(texts(t.poll(100, 1 << 20)));
        assertThat(read).containsExactly("a1", "a2", "a3");
        assertThat(h.stats.linesSkipped.get()).isEqualTo(1);
        assertThat(h.stats.fileErrors.get()).as("reported once").isEqualTo(1);
    }

    @Test
    void aScanThatCouldNotListADirectoryForgetsNoFileAndReadsItsNewLines() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        append(sub.resolve("x.log"), "x1\n");
        Set<Path> unlistable = new HashSet<>();
        GlobWatcher watcher = new GlobWatcher(List.of(dir + "/*/*.log"), List.of(), List.of(), h.problems, d -> {
            if (unlistable.contains(d)) {
                throw new AccessDeniedException(d.toString());
            }
            return Files.newDirectoryStream(d);
        });
        FileSetTailer t = h.tailer(watcher, TailerHarness.utf8(1024).scanIntervalMs(0).build());
        assertThat(texts(t.poll(100, 1 << 20))).containsExactly("x1");

        unlistable.add(sub);
        append(sub.resolve("x.log"), "x2\n");
        List<String> whileUnlistable = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            h.clock.addAndGet(60_000);
            whileUnlistable.addAll(texts(t.poll(100, 1 << 20)));
        }
        assertThat(whileUnlistable).containsExactly("x2");
        assertThat(h.stats.filesTracked.get()).isEqualTo(1);

        unlistable.clear();
        append(sub.resolve("x.log"), "x3\n");
        h.clock.addAndGet(60_000);
        assertThat(texts(t.poll(100, 1 << 20))).as("not read again from a stale offset").containsExactly("x3");
    }
}
