package io.lokiconnect.source.tail;

import static io.lokiconnect.source.tail.TailerHarness.append;
import static io.lokiconnect.source.tail.TailerHarness.texts;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation grace (rotate.wait.ms), files.max.open within a poll and the partial-line h.clock. */
class RotationGraceTest {

    private static final long ROTATE_WAIT = 10_000;

    @TempDir
    Path dir;

    private final TailerHarness h = new TailerHarness();

    private FileSetTailer tailer(String glob, TestSettings settings, int maxOpen) {
        return h.tailer(h.watcher(glob), settings.scanIntervalMs(0).maxOpenFiles(maxOpen).rotateWaitMs(ROTATE_WAIT).build());
    }

    private FileSetTailer tailer(String glob) {
        return tailer(glob, TailerHarness.utf8(1024), 256);
    }

    @Test
    void aFileRenamedOutOfTheGlobsShipsWhatTheOldHandleWritesUntilItIsQuietForRotateWait() throws IOException {
        Path file = dir.resolve("app.log");
        try (FileOutputStream writer = new FileOutputStream(file.toFile(), true)) {
            writer.write("first\n".getBytes());
            FileSetTailer t = tailer(dir + "/*.log");
            assertThat(texts(t.poll(100, 1 << 20))).containsExactly("first");
            Files.move(file, dir.resolve("app.log.1"));
            writer.write("late-1\n".getBytes());
            h.clock.addAndGet(3_000);
            assertThat(texts(t.poll(100, 1 << 20))).containsExactly("late-1");
            h.clock.addAndGet(8_000); // 11 s since it left the globs, 8 s since it last grew
            writer.write("late-2\n".getBytes());
            assertThat(texts(t.poll(100, 1 << 20))).containsExactly("late-2");
            h.clock.addAndGet(ROTATE_WAIT - 1);
            t.poll(100, 1 << 20);
            assertThat(h.stats.filesTracked.get()).as("still inside rotate.wait.ms").isEqualTo(1);
            h.clock.addAndGet(1);
            assertThat(t.poll(100, 1 << 20)).isEmpty();
            assertThat(h.stats.filesTracked.get()).isZero();
        }
    }

    /** a.log, c.log and d.log of one line each (returned: a, c, d) and b.log of 200 lines. */
    private List<String> writeThreeShortFilesAndOneLong() throws IOException {
        List<String> rotated = List.of("a", "c", "d");
        for (String name : rotated) {
            append(dir.resolve(name + ".log"), name + "1\n");
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            many.append("b").append(i).append('\n');
        }
        append(dir.resolve("b.log"), many.toString());
        return rotated;
    }

    @Test
    void rotatedFilesAreReadToTheirRealEndEvenWhenBatchLimitsKeptTheTailerAway() throws IOException {
        List<String> rotated = writeThreeShortFilesAndOneLong();
        FileSetTailer t = tailer(dir + "/*.log");
        List<String> read = new ArrayList<>(texts(t.poll(1000, 1 << 20)));
        for (String name : rotated) {
            // Written after the last read reached the end, then rotated away: one poll of one line visits one file.
            append(dir.resolve(name + ".log"), name + "2\n");
            Files.move(dir.resolve(name + ".log"), dir.resolve(name + ".old"));
        }
        for (int i = 0; i < 40; i++) {
            read.addAll(texts(t.poll(1, 1 << 20)));
            h.clock.addAndGet(1_000);
        }
        assertThat(read).contains("a1", "a2", "c1", "c2", "d1", "d2", "b199").doesNotHaveDuplicates();
    }

    /** The same with files.max.open=1: the rotated files' handles are closed when their rest is due. */
    @Test
    void rotatedFilesWhoseHandlesWereClosedAreReadToTheirEndBeforeBeingForgotten() throws IOException {
        List<String> rotated = writeThreeShortFilesAndOneLong();
        FileSetTailer t = tailer(dir + "/*.log", TailerHarness.utf8(1024), 1);
        List<String> read = new ArrayList<>(texts(t.poll(1000, 1 << 20)));
        for (String name : rotated) {
            append(dir.resolve(name + ".log"), name + "2\n");
            Files.move(dir.resolve(name + ".log"), dir.resolve(name + ".old"));
        }
        read.addAll(texts(t.poll(1, 1 << 20))); // the scan that sees them gone from the globs
        h.clock.addAndGet(ROTATE_WAIT); // their grace ends before a poll of one line can visit each of them
        for (int i = 0; i < 300; i++) {
            read.addAll(texts(t.poll(1, 1 << 20)));
        }
        assertThat(read).contains("a1", "a2", "c1", "c2", "d1", "d2", "b199").doesNotHaveDuplicates();
        h.clock.addAndGet(ROTATE_WAIT);
        t.poll(1, 1 << 20);
        assertThat(h.stats.filesTracked.get()).as("read to their end, then forgotten").isEqualTo(1);
    }

    @Test
    void aPendingLastLineWithoutNewlineIsEmittedWhenTheDeletedFileIsForgotten() throws IOException {
        Path file = dir.resolve("gone.log");
        append(file, "whole\npartial");
        FileSetTailer t = tailer(dir + "/*.log", TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(3_600_000), 256);
        assertThat(texts(t.poll(100, 1 << 20))).containsExactly("whole");
        Files.delete(file);
        h.clock.addAndGet(ROTATE_WAIT / 2);
        assertThat(t.poll(100, 1 << 20)).isEmpty();
        h.clock.addAndGet(ROTATE_WAIT);
        assertThat(texts(t.poll(100, 1 << 20))).containsExactly("partial");
        assertThat(h.stats.filesTracked.get()).isZero();
    }

    private int openHandlesInDir() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(dir);
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new IllegalStateException("needs Linux /proc", e);
        }
    }

    @Test
    void filesMaxOpenHoldsWithinAPollAndEveryLineIsRead() throws IOException {
        // At every line decoded, the descriptors the task holds on files of the test directory are counted.
        AtomicInteger maxOpen = new AtomicInteger();
        Charset charset = new HookedCharset(text -> maxOpen.accumulateAndGet(openHandlesInDir(), Math::max));
        FileSetTailer t = tailer(dir + "/*.log", TestSettings.defaults().lineMaxBytes(1024).charset(charset).partialFlushMs(1_000), 3);
        List<String> read = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int f = 0; f < 20; f++) {
                append(dir.resolve("f" + f + ".log"), "r" + round + "f" + f + "\n");
            }
            for (int i = 0; i < 3; i++) {
                read.addAll(texts(t.poll(10_000, 1 << 20)));
            }
        }
        assertThat(read).hasSize(60).doesNotHaveDuplicates();
        assertThat(maxOpen.get()).as("open handles seen while reading").isBetween(1, 3);
        assertThat(openHandlesInDir()).isLessThanOrEqualTo(3);
    }

    @Test
    void aPartialLastLineIsFlushedUnderFilesMaxOpenPressure() throws IOException {
        for (int f = 0; f < 4; f++) {
            append(dir.resolve("p" + f + ".log"), "line" + f + "\npartial" + f);
        }
        FileSetTailer t = tailer(dir + "/*.log", TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000), 1);
        List<String> read = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            read.addAll(texts(t.poll(10_000, 1 << 20)));
            h.clock.addAndGet(300);
        }
        assertThat(read).containsExactlyInAnyOrder("line0", "line1", "line2", "line3",
                "partial0", "partial1", "partial2", "partial3");
    }
}
