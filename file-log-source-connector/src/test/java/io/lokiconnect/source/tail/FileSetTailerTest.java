package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.offsets.SourceOffsets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSetTailerTest {

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final TailerStats stats = new TailerStats();
    private final FileProblems problems = new FileProblems(stats.fileErrors);
    private final Map<FileIdentity, ResumePoint> stored = new HashMap<>();

    private FileSetTailer tailer(String glob, int lineMax, boolean split, boolean startAtEnd, Pattern multiline,
                                 FileAssignment assignment) {
        GlobWatcher watcher = new GlobWatcher(List.of(glob), List.of(), List.of(), problems);
        return new FileSetTailer(watcher, assignment,
                TestSettings.defaults().lineMaxBytes(lineMax).splitLongLines(split).partialFlushMs(1_000).startAtEnd(startAtEnd).scanIntervalMs(0).multiline(multiline, 100, 1_000).build(),
                TailerHarness.from(stored), stats, problems, clock::get);
    }

    private FileSetTailer tailer(String glob) {
        return tailer(glob, 1024, true, false, null, new FileAssignment(0, 1));
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The lines of 5 polls; records without a line (offsets only) are counted in {@link #offsetOnly}. */
    private List<String> drain(FileSetTailer t) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            t.poll(1000, 1 << 20).forEach(l -> {
                if (l.text() == null) {
                    offsetOnly.add(l);
                } else {
                    texts.add(l.text());
                }
            });
        }
        return texts;
    }

    private final List<TailedLine> offsetOnly = new ArrayList<>();

    @Test
    void readsCompleteLinesAndStripsCarriageReturns() throws IOException {
        append(dir.resolve("a.log"), "one\ntwo\r\nthree");
        assertThat(drain(tailer(dir + "/*.log"))).containsExactly("one", "two");
    }

    @Test
    void partialLastLineIsFlushedOnceAfterQuietAndItsNewlineEmitsNothing() throws IOException {
        Path file = dir.resolve("a.log");
        append(file, "first\nno-newline-yet");
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(drain(t)).containsExactly("first");
        clock.addAndGet(1_500);
        assertThat(drain(t)).containsExactly("no-newline-yet");
        append(file, "\nnext\n");
        assertThat(drain(t)).containsExactly("next");
    }

    @Test
    void renameRotationReadsTheOldFileToItsEndThenTheNewOneFromZero() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, "a1\na2\n");
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(drain(t)).containsExactly("a1", "a2");
        append(file, "a3\n");
        Files.move(file, dir.resolve("app.log.1"), StandardCopyOption.ATOMIC_MOVE);
        append(dir.resolve("app.log.1"), "a4\n");
        append(file, "b1\n");
        assertThat(drain(t)).containsExactlyInAnyOrder("a3", "a4", "b1");
        assertThat(stats.rotations.get()).isEqualTo(1);
    }

    @Test
    void copytruncateRestartsAtZeroAndIsCounted() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, "old line one\nold line two\n");
        FileSetTailer t = tailer(dir + "/*.log");
        drain(t);
        Files.writeString(file, "new\n", StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(drain(t)).containsExactly("new");
        assertThat(stats.truncations.get()).isEqualTo(1);
    }

    @Test
    void longLinesAreSplitWithPartHeadersOrTruncated() throws IOException {
        append(dir.resolve("a.log"), "x".repeat(25) + "\nshort\n");
        FileSetTailer split = tailer(dir + "/*.log", 10, true, false, null, new FileAssignment(0, 1));
        List<TailedLine> lines = split.poll(100, 1 << 20);
        assertThat(lines).extracting(TailedLine::text).containsExactly("x".repeat(10), "x".repeat(10), "xxxxx", "short");
        assertThat(lines).extracting(TailedLine::part).containsExactly("1", "2", "3/3", null);

        FileSetTailer truncate = tailer(dir + "/*.log", 10, false, false, null, new FileAssignment(0, 1));
        List<TailedLine> truncated = truncate.poll(100, 1 << 20);
        assertThat(truncated).extracting(TailedLine::text).containsExactly("x".repeat(10), "short");
        assertThat(truncated).extracting(TailedLine::part).containsExactly("truncated", null);
    }

    @Test
    void invalidUtf8IsReplacedAndCounted() throws IOException {
        Files.write(dir.resolve("a.log"), new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThat(drain(tailer(dir + "/*.log"))).containsExactly("ok\uFFFD(");
        assertThat(stats.malformedLines.get()).isEqualTo(1);
    }

    @Test
    void resumesFromTheStoredOffsetUnlessTheFirstBytesDiffer() throws IOException {
        Path file = dir.resolve("a.log");
        append(file, "one\ntwo\nthree\n");
        FileSetTailer first = tailer(dir + "/*.log");
        List<TailedLine> lines = first.poll(2, 1 << 20);
        TailedLine two = lines.get(1);
        stored.put(two.identity(), SourceOffsets.parse(SourceOffsets.offset(two)).orElseThrow());
        first.close();
        assertThat(drain(tailer(dir + "/*.log"))).containsExactly("three");

        // Same inode, other content: a reused inode or a rewritten file starts from zero.
        Files.writeString(file, "ONE\nTWO\nTHREE\nFOUR\n", StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(drain(tailer(dir + "/*.log"))).containsExactly("ONE", "TWO", "THREE", "FOUR");
    }

    @Test
    void startAtEndSkipsExistingContentButReadsFilesCreatedLater() throws IOException {
        append(dir.resolve("old.log"), "before\n");
        FileSetTailer t = tailer(dir + "/*.log", 1024, true, true, null, new FileAssignment(0, 1));
        assertThat(drain(t)).isEmpty();
        append(dir.resolve("old.log"), "after\n");
        append(dir.resolve("new.log"), "fresh\n");
        assertThat(drain(t)).containsExactlyInAnyOrder("after", "fresh");
    }

    @Test
    void multilineStackTraceBecomesOneEvent() throws IOException {
        append(dir.resolve("a.log"), "2026-01-01 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)\n"
                + "2026-01-01 INFO next\n");
        FileSetTailer t = tailer(dir + "/*.log", 1024, true, false, Pattern.compile("^\\d{4}-"), new FileAssignment(0, 1));
        List<String> events = drain(t);
        assertThat(events).containsExactly("2026-01-01 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)");
        clock.addAndGet(1_500);
        assertThat(drain(t)).containsExactly("2026-01-01 INFO next");
    }

    @Test
    void everyFileHasExactlyOneOwnerAmongTasks() throws IOException {
        for (int i = 0; i < 30; i++) {
            append(dir.resolve("f" + i + ".log"), "line " + i + "\n");
        }
        List<String> all = new ArrayList<>();
        for (int task = 0; task < 3; task++) {
            List<String> mine = drain(tailer(dir + "/*.log", 1024, true, false, null, new FileAssignment(task, 3)));
            assertThat(mine).as("task %d reads some files", task).isNotEmpty();
            all.addAll(mine);
        }
        assertThat(all).hasSize(30).doesNotHaveDuplicates();
    }

    @Test
    void badFilesAreReportedOnceAndOthersStillRead() throws IOException {
        append(dir.resolve("good.log"), "good\n");
        Files.createDirectory(dir.resolve("dir.log"));
        Files.createSymbolicLink(dir.resolve("dangling.log"), dir.resolve("missing-target"));
        Files.write(dir.resolve("binary.log"), new byte[] {'a', 0, 'b', '\n'});
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(drain(t)).containsExactly("good");
        assertThat(problems.current()).containsOnlyKeys(dir.resolve("dir.log"), dir.resolve("dangling.log"),
                dir.resolve("binary.log"));
        drain(t);
        assertThat(stats.fileErrors.get()).as("each reported once").isEqualTo(3);
    }

    @Test
    void excludesAndAllowedRootsKeepFilesOut() throws IOException {
        Path outside = Files.createTempFile("outside", ".log");
        try {
            append(outside, "secret\n");
            append(dir.resolve("a.log"), "a\n");
            append(dir.resolve("skip.log"), "skipped\n");
            Files.createSymbolicLink(dir.resolve("link.log"), outside);
            GlobWatcher watcher = new GlobWatcher(List.of(dir + "/*.log"), List.of(dir + "/skip.*"),
                    List.of(dir.toString()), problems);
            assertThat(watcher.scan().files()).containsExactly(dir.resolve("a.log"));
            assertThat(problems.current().get(dir.resolve("link.log"))).contains("outside paths.allowed.roots");
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void doubleStarAndBracesMatchAcrossDirectories() throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        append(dir.resolve("a/b/deep.log"), "deep\n");
        append(dir.resolve("x.txt"), "txt\n");
        append(dir.resolve("y.log"), "log\n");
        GlobWatcher watcher = new GlobWatcher(List.of(dir + "/**/*.log", dir + "/{x,z}.txt"), List.of(), List.of(), problems);
        assertThat(watcher.scan().files()).containsExactlyInAnyOrder(dir.resolve("a/b/deep.log"), dir.resolve("x.txt"));
    }

    private FileSetTailer tailerWith(TailerSettings settings) {
        GlobWatcher watcher = new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems);
        return new FileSetTailer(watcher, new FileAssignment(0, 1), settings,
                TailerHarness.from(stored), stats, problems, clock::get);
    }

    @Test
    void onePollReturnsAtMostBatchMaxRecordsAndAboutBatchMaxBytes() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            text.append("line-").append(String.format("%04d", i)).append('\n');
        }
        append(dir.resolve("a.log"), text.toString());
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(t.poll(7, 1 << 20)).hasSize(7);
        List<TailedLine> byBytes = t.poll(1000, 50);
        assertThat(byBytes).isNotEmpty();
        assertThat(byBytes.stream().mapToInt(l -> l.text().length() + 1).sum()).isLessThanOrEqualTo(50 + 10);
        List<String> rest = drain(t);
        assertThat(7 + byBytes.size() + rest.size()).isEqualTo(100);
    }

    @Test
    void moreFilesThanFilesMaxOpenAreAllReadWithoutLoss() throws IOException {
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(0).maxOpenFiles(2).build());
        for (int i = 0; i < 6; i++) {
            append(dir.resolve("f" + i + ".log"), "first " + i + "\n");
        }
        List<String> read = new ArrayList<>(drain(t));
        for (int i = 0; i < 6; i++) {
            append(dir.resolve("f" + i + ".log"), "second " + i + "\n");
        }
        read.addAll(drain(t));
        assertThat(read).hasSize(12).doesNotHaveDuplicates();
        assertThat(read).contains("first 0", "second 5");
    }

    @Test
    void theConfiguredEncodingDecodesTheBytes() throws IOException {
        Files.write(dir.resolve("latin.log"), "caf\u00e9 ol\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).charset(StandardCharsets.ISO_8859_1).partialFlushMs(1_000).scanIntervalMs(0).build());
        assertThat(drain(t)).containsExactly("caf\u00e9 ol\u00e9");
        assertThat(stats.malformedLines.get()).isZero();
    }

    @Test
    void multilineMaxLinesSplitsAnEventThatGrowsTooLongIntoParts() throws IOException {
        StringBuilder trace = new StringBuilder("2026-01-01 ERROR boom\n");
        for (int i = 0; i < 10; i++) {
            trace.append("\tat frame").append(i).append('\n');
        }
        append(dir.resolve("a.log"), trace.toString());
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(0).multiline(Pattern.compile("^\\d{4}-"), 4, 1_000).build());
        List<String> events = new ArrayList<>(drain(t));
        clock.addAndGet(1_500);
        events.addAll(drain(t));
        assertThat(events).hasSize(3);
        assertThat(events.get(0).split("\n")).hasSize(4);
        // Parts of one event: concatenated, they are the event (a part begins with the newline that joins it).
        assertThat(String.join("", events)).isEqualTo(trace.toString().strip());
    }

    /** multiline.max.lines=4: events of 3, 4 and 5 lines (the last with a multi-byte character on its 5th line). */
    @Test
    void multilineMaxLinesAtOneBelowAndOneAboveTheLimit() throws IOException {
        String three = "2026-01-01 A\n\t1\n\t2";
        String four = "2026-01-01 B\n\t1\n\t2\n\t3";
        String five = "2026-01-01 C\n\t1\n\t2\n\t3\n\t€ 4";
        append(dir.resolve("a.log"), three + "\n" + four + "\n" + five + "\n2026-01-01 D\n");
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(0).multiline(Pattern.compile("^\\d{4}-"), 4, 1_000).build());
        List<String> events = new ArrayList<>(drain(t));
        clock.addAndGet(1_500);
        events.addAll(drain(t));
        assertThat(events).containsExactly(three, four, "2026-01-01 C\n\t1\n\t2\n\t3", "\n\t€ 4",
                "2026-01-01 D");
        assertThat(String.join("", events.subList(2, 4))).isEqualTo(five);
    }

    @Test
    void multilineFlushEmitsTheLastEventAfterQuietTime() throws IOException {
        append(dir.resolve("a.log"), "2026-01-01 ERROR boom\n\tat A.b(A.java:1)\n");
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(0).multiline(Pattern.compile("^\\d{4}-"), 100, 5_000).build());
        assertThat(drain(t)).isEmpty();
        clock.addAndGet(4_000);
        assertThat(drain(t)).isEmpty();
        clock.addAndGet(1_500);
        assertThat(drain(t)).containsExactly("2026-01-01 ERROR boom\n\tat A.b(A.java:1)");
    }

    @Test
    void aNewFileIsSeenOnlyAtTheNextScanInterval() throws IOException {
        append(dir.resolve("a.log"), "a1\n");
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(10_000).build());
        assertThat(drain(t)).containsExactly("a1");
        append(dir.resolve("b.log"), "b1\n");
        clock.addAndGet(9_000);
        assertThat(drain(t)).isEmpty();
        clock.addAndGet(1_000);
        assertThat(drain(t)).containsExactly("b1");
    }

    @Test
    void bytesBehindIsWhatIsWrittenAndNotYetRead() throws IOException {
        append(dir.resolve("a.log"), "line-0\nline-1\nline-2\n");
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(t.poll(1, 1 << 20)).hasSize(1);
        assertThat(stats.bytesBehind.get()).isEqualTo(21);
        assertThat(t.poll(1, 1 << 20)).hasSize(1);
        assertThat(stats.bytesBehind.get()).isEqualTo(14);
        drain(t);
        assertThat(stats.bytesBehind.get()).isZero();
    }

    @Test
    void aDeletedFileIsReadToTheEndOfItsOpenHandleThenForgotten() throws IOException {
        Path file = dir.resolve("gone.log");
        append(file, "first\n");
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(drain(t)).containsExactly("first");
        append(file, "written before the delete\n");
        Files.delete(file);
        assertThat(drain(t)).containsExactly("written before the delete");
        assertThat(stats.filesTracked.get()).as("kept for rotate.wait.ms").isEqualTo(1);
        clock.addAndGet(TestSettings.TASK_DEFAULTS.rotateWaitMs());
        assertThat(drain(t)).isEmpty();
        assertThat(stats.filesTracked.get()).isZero();
    }

    /** Found by FileSetTailerModelTest: the old check compared the size with the last emitted line only. */
    @Test
    void aTruncationUnderAPendingPartialLineIsDetectedAndTheNewContentReadWhole() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, "pend");
        FileSetTailer t = tailer(dir + "/*.log");
        assertThat(drain(t)).isEmpty();
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(drain(t)).isEmpty();
        append(file, "new content\n");
        assertThat(drain(t)).containsExactly("new content");
    }

    /** Found by FileSetTailerModelTest: a closed handle was reopened by name, whatever file the name held then. */
    @Test
    void aClosedFileRotatedWhileClosedIsFollowedByIdentityNotReopenedByName() throws IOException {
        FileSetTailer t = tailerWith(TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(60_000).maxOpenFiles(1).build());
        Path a = dir.resolve("a.log");
        append(a, "a1\n");
        append(dir.resolve("b.log"), "b1\n");
        List<String> read = new ArrayList<>(drain(t));
        // One handle at most: a is closed now or soon. It is rotated and a new a.log appears before the next scan.
        append(a, "a2\n");
        Files.move(a, dir.resolve("a.log.1"));
        append(a, "new-a1\n");
        append(dir.resolve("b.log"), "b2\n");
        read.addAll(drain(t));
        clock.addAndGet(60_000);
        read.addAll(drain(t));
        assertThat(read).containsExactlyInAnyOrder("a1", "b1", "a2", "b2", "new-a1");
    }

    /** Thousands of files must not stall the first poll with one offset lookup each: one batch per scan. */
    @Test
    void storedOffsetsAreLookedUpInOneBatchPerScan() throws IOException {
        for (int i = 0; i < 20; i++) {
            append(dir.resolve("f" + i + ".log"), "line\n");
        }
        List<Integer> batches = new ArrayList<>();
        StoredOffsets counting = ids -> {
            batches.add(ids.size());
            return Map.of();
        };
        FileSetTailer t = new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(0).build(), counting, stats, problems, clock::get);
        assertThat(drain(t)).hasSize(20);
        assertThat(batches).as("one lookup for the 20 files, none for files already tracked").containsExactly(20);
    }

    /**
     * start.position=end is for the connector's first run. A file renamed out of the globs while the task was down
     * took its offset along: the new file has none, but this is not the first run (the first run stored that it
     * applied "end"), so the new file is read from its beginning.
     */
    @Test
    void startAtEndIsNotAppliedAgainOnceAnEarlierRunStoredThatItWas() throws IOException {
        append(dir.resolve("a.log"), "written while the task was down\n");
        StoredOffsets none = new StoredOffsets() {
            @Override
            public Map<FileIdentity, ResumePoint> of(java.util.Collection<FileIdentity> files) {
                return Map.of();
            }

            @Override
            public boolean startPositionApplied() {
                return true;
            }
        };
        FileSetTailer t = new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).startAtEnd(true).scanIntervalMs(0).build(), none, stats, problems, clock::get);
        assertThat(drain(t)).containsExactly("written while the task was down");
        assertThat(t.takeStartPositionApplied()).isFalse();
    }

    @Test
    void theFirstRunAtEndStartsAtTheEndAndSaysOnceThatItDid() throws IOException {
        append(dir.resolve("a.log"), "before the first run\n");
        FileSetTailer t = tailer(dir + "/*.log", 1024, true, true, null, new FileAssignment(0, 1));
        assertThat(drain(t)).isEmpty();
        assertThat(offsetOnly).as("the file's end, stored so a restart does not read it from 0").singleElement()
                .satisfies(l -> assertThat(l.position()).isEqualTo(Files.size(dir.resolve("a.log"))));
        assertThat(t.takeStartPositionApplied()).isTrue();
        assertThat(t.takeStartPositionApplied()).isFalse();
        append(dir.resolve("a.log"), "after\n");
        assertThat(drain(t)).containsExactly("after");
    }

    @Test
    void filesLastModifiedBeforeIgnoreOlderThanAreNeverOpenedUntilWrittenTo() throws IOException {
        Path old = dir.resolve("old.log");
        Path recent = dir.resolve("recent.log");
        append(old, "from last year\n");
        append(recent, "from today\n");
        long day = 86_400_000L;
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 2 * day));
        Files.setLastModifiedTime(recent, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - day + 60_000));
        FileSetTailer t = new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(1024).partialFlushMs(1_000).scanIntervalMs(0).ignoreOlderThanMs(day).build(),
                TailerHarness.from(stored), stats, problems, clock::get);
        assertThat(drain(t)).containsExactly("from today");
        assertThat(stats.filesTracked.get()).as("the old file is not even tracked").isEqualTo(1);
        append(old, "written again\n");
        assertThat(drain(t)).as("written to: a new file, read from its beginning")
                .containsExactly("from last year", "written again");
    }
}
