package io.lokiconnect.source.tail;

import static io.lokiconnect.source.tail.TailerHarness.append;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.model.TailedLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files at their end are looked at (one stat of the name) every look interval, not read every poll: size and
 * modification time say when a file changed. What a stat cannot tell (a rewrite that keeps the size) is caught by
 * checking the bytes already read.
 */
class ChangeDetectionTest {

    private static final long LOOK = TestSettings.TASK_DEFAULTS.lookIntervalMs();

    @TempDir
    Path dir;

    private final TailerHarness h = new TailerHarness();

    /** Looks by stat only (the kernel's write events are tested below). */
    private FileSetTailer tailer(int maxOpen) {
        return tailer(maxOpen, false);
    }

    private FileSetTailer tailer(int maxOpen, boolean watchWrites) {
        return h.tailer(h.watcher(dir + "/*.log"), TailerHarness.utf8(1 << 20).scanIntervalMs(60_000).maxOpenFiles(maxOpen).lookIntervalMs(LOOK).watchWrites(watchWrites).build());
    }

    /** Polls (without moving the test clock) until a line comes or 5 s of real time pass: events come on their own. */
    private List<String> pollUntilLines(FileSetTailer t) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> lines = poll(t);
        while (lines.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            lines = poll(t);
        }
        return lines;
    }

    /**
     * On a local file system the kernel says which file was written to: a line appended to one of many closed files
     * arrives without waiting for a look interval, and the others are not looked at (the test clock never moves).
     */
    @Test
    void withWriteEventsALineAppendedToAClosedFileArrivesWithoutALookInterval() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChangeWatch.isLocal(Files.getFileStore(dir))
                && System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
                "inotify on a local file system");
        for (int f = 0; f < 50; f++) {
            append(dir.resolve("f" + f + ".log"), "first " + f + "\n");
        }
        FileSetTailer t = tailer(2, true);
        List<String> read = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            read.addAll(poll(t));
        }
        assertThat(read).hasSize(50);
        h.clock.addAndGet(LOOK); // every file looked at once: all at their end, and their directory watched
        assertThat(poll(t)).isEmpty();
        h.clock.addAndGet(1);
        append(dir.resolve("f25.log"), "second 25\n");
        assertThat(pollUntilLines(t)).containsExactly("second 25");
    }

    /**
     * With write events a rewrite that keeps size and time (the same clock tick) is caught at once: the kernel said
     * the file was written to, so the same size and time are not taken for "unchanged" and its content is checked.
     */
    @Test
    void withWriteEventsARewriteWithinTheSameClockTickIsCaughtAtOnce() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChangeWatch.isLocal(Files.getFileStore(dir))
                && System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
                "inotify on a local file system");
        Path file = dir.resolve("app.log");
        Files.writeString(file, "aaaaaaaaaa\nbbbbbbbbbb\n");
        FileTime tick = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(file, tick);
        FileSetTailer t = tailer(1, true);
        Files.writeString(dir.resolve("busy.log"), "busy\n");
        assertThat(poll(t)).hasSize(3);
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).isEmpty();
        h.clock.addAndGet(1);
        Files.writeString(file, "cccccccccc\ndddddddddd\n");
        Files.setLastModifiedTime(file, tick);
        assertThat(pollUntilLines(t)).containsExactly("cccccccccc", "dddddddddd");
    }

    private List<String> poll(FileSetTailer t) {
        List<String> texts = new ArrayList<>();
        for (TailedLine line : t.poll(100_000, 1 << 24)) {
            if (line.text() != null) {
                texts.add(line.text());
            }
        }
        return texts;
    }

    /** Many more files than handles: a line appended to a closed one arrives at the first poll a look after. */
    @Test
    void aLineAppendedToOneOfManyClosedFilesArrivesWithinOneLookInterval() throws IOException {
        for (int f = 0; f < 300; f++) {
            append(dir.resolve("f" + f + ".log"), "first " + f + "\n");
        }
        FileSetTailer t = tailer(4);
        List<String> read = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            read.addAll(poll(t));
        }
        assertThat(read).hasSize(300).doesNotHaveDuplicates();
        h.clock.addAndGet(LOOK); // every file looked at once: all at their end
        assertThat(poll(t)).isEmpty();

        append(dir.resolve("f150.log"), "second 150\n");
        h.clock.addAndGet(LOOK - 1);
        assertThat(poll(t)).as("not looked at again before the interval").isEmpty();
        h.clock.addAndGet(1);
        assertThat(poll(t)).containsExactly("second 150");
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).isEmpty();
    }

    /**
     * Truncated and written again to the same size, later than the last write's clock tick: the time changed, the
     * size did not. The bytes already read are checked, found other, and the file is read again from 0 (its lines
     * that read the same are shipped again: at least once).
     */
    @Test
    void aRewriteToTheSameSizeWithANewTimeIsReadAgainFromTheStart() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "0123456789 first\nabcdefghij other\n");
        FileTime before = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(file, before);
        FileSetTailer t = tailer(1);
        Files.writeString(dir.resolve("busy.log"), "holds the one handle\n");
        assertThat(poll(t)).containsExactlyInAnyOrder("0123456789 first", "abcdefghij other",
                "holds the one handle");

        Files.writeString(file, "0123456789 first\nABCDEFGHIJ again\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 5_000));
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).containsExactly("0123456789 first", "ABCDEFGHIJ again");
        assertThat(h.stats.truncations.get()).isEqualTo(1);
    }

    /** Touched only (new time, same bytes): checked, found the same, nothing read again. */
    @Test
    void aTouchedFileIsCheckedAndNotReadAgain() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "x".repeat(600) + "\nline two\n");
        FileSetTailer t = tailer(1);
        Files.writeString(dir.resolve("busy.log"), "busy\n");
        assertThat(poll(t)).hasSize(3);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).isEmpty();
        assertThat(h.stats.truncations.get()).isZero();
    }

    /**
     * Rewritten to the same size within the clock tick of its last write: size and time both look unchanged. The
     * file is checked once that tick is over (2 s of the wall clock) and read again from 0.
     */
    @Test
    void aRewriteWithinTheSameClockTickIsCaughtOnceTheTickIsOver() throws Exception {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "aaaaaaaaaa\nbbbbbbbbbb\n");
        FileTime tick = FileTime.fromMillis(System.currentTimeMillis());
        Files.setLastModifiedTime(file, tick);
        FileSetTailer t = tailer(1);
        Files.writeString(dir.resolve("busy.log"), "busy\n");
        assertThat(poll(t)).hasSize(3);

        Files.writeString(file, "cccccccccc\ndddddddddd\n");
        Files.setLastModifiedTime(file, tick); // the same tick: what a 1 s or 2 s file system shows
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).as("inside the tick nothing tells the rewrite").isEmpty();
        Thread.sleep(FileTailer.MTIME_GRANULARITY_MS + 100 - (System.currentTimeMillis() - tick.toMillis()));
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).containsExactly("cccccccccc", "dddddddddd");
        h.clock.addAndGet(LOOK);
        assertThat(poll(t)).as("checked once").isEmpty();
    }

    /**
     * The bytes already read are checked in full up to {@link FileTailer#VERIFY_PREFIX_MAX_BYTES}; beyond, only the
     * first bytes are (a gigabyte file touched every minute is not read again each time). A rewrite that keeps the
     * size, the first 512 bytes and is read beyond the bound is not seen: the documented limit.
     */
    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1})
    void theBytesReadAreCheckedUpToTheBound(int offset) throws IOException {
        int size = (int) FileTailer.VERIFY_PREFIX_MAX_BYTES + offset;
        byte[] content = new byte[size];
        Arrays.fill(content, (byte) 'a');
        for (int i = 99; i < size; i += 100) {
            content[i] = '\n';
        }
        content[size - 1] = '\n';
        Path file = dir.resolve("big.log");
        Files.write(file, content);
        FileTime before = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(file, before);
        FileSetTailer t = tailer(1);
        Files.writeString(dir.resolve("busy.log"), "busy\n");
        int lines = 0;
        for (int i = 0; i < 5; i++) {
            lines += poll(t).size();
        }
        assertThat(lines).isEqualTo(size / 100 + (size % 100 == 0 ? 0 : 1) + 1);

        content[1000] = 'B'; // past the first bytes, inside the prefix
        Files.write(file, content);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 5_000));
        h.clock.addAndGet(LOOK);
        int again = 0;
        for (int i = 0; i < 5; i++) {
            again += poll(t).size();
        }
        if (offset <= 0) {
            assertThat(again).as("read again from 0").isEqualTo(lines - 1);
        } else {
            assertThat(again).as("beyond the bound: not seen").isZero();
        }
    }

    /**
     * A file resumed at its end and not opened since (files.max.open held by another) is truncated to nothing: it
     * is seen truncated at its next look, so that its copy is recognised and not read again from 0.
     */
    @Test
    void aFileTruncatedToNothingBeforeItsFirstReadIsSeenTruncatedAndItsCopyRecognised() throws IOException {
        Path file = dir.resolve("app.log");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            text.append("line ").append(i).append(" of the file that copytruncate will copy\n");
        }
        Files.writeString(file, text);
        Files.writeString(dir.resolve("busy.log"), "busy\n");
        FileSetTailer first = tailer(1);
        for (int i = 0; i < 3; i++) {
            h.drain(first, 1, LOOK);
        }
        first.close();

        FileSetTailer second = tailer(1);
        assertThat(h.drain(second, 1, 0)).isEmpty(); // resumed: both at their end
        Files.copy(file, dir.resolve("app.log.1.log"));
        Files.write(file, new byte[0]);
        List<String> after = h.drain(second, 4, LOOK);
        assertThat(after).as("the copy holds only lines already read").isEmpty();
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
        append(file, "new line\n");
        assertThat(h.drain(second, 2, LOOK)).containsExactly("new line");
        assertThat(Files.readString(dir.resolve("app.log.1.log"), StandardCharsets.UTF_8)).isEqualTo(text.toString());
    }
}
