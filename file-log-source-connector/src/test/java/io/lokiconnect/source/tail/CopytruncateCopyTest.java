package io.lokiconnect.source.tail;

import static io.lokiconnect.source.tail.TailerHarness.append;
import static io.lokiconnect.source.tail.TailerHarness.texts;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.model.ResumePoint;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** copytruncate's copy, matched by a glob like app.log*, is not shipped again; look-alike files are not copies. */
class CopytruncateCopyTest {

    @TempDir
    Path dir;

    private final TailerHarness h = new TailerHarness();

    private FileSetTailer tailer(String glob) {
        return h.tailer(h.watcher(glob), TailerHarness.utf8(1024).scanIntervalMs(0).build());
    }

    private static String lines(String prefix, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(prefix).append(String.format("%05d", i)).append(" some payload of a log line\n");
        }
        return sb.toString();
    }

    private List<String> drain(FileSetTailer t) {
        return h.drain(t, 6, 600);
    }

    private static void copyTruncate(Path file, Path copy) throws IOException {
        Files.copy(file, copy);
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Test
    void theCopyResumesWhereTheOriginalWasReadAndOnlyUnreadLinesShip() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, lines("a", 0, 100));
        FileSetTailer t = tailer(dir + "/app.log*");
        List<String> read = new ArrayList<>(drain(t));
        append(file, lines("a", 100, 110)); // written, not yet read, when logrotate copies and truncates
        copyTruncate(file, dir.resolve("app.log.1"));
        append(file, lines("b", 0, 5));
        read.addAll(drain(t));
        assertThat(read).doesNotHaveDuplicates().hasSize(115);
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
    }

    @Test
    void aCopySeenBeforeTheTruncationWaitsForItAndIsThenRecognised() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, lines("a", 0, 100));
        FileSetTailer t = tailer(dir + "/app.log*");
        List<String> read = new ArrayList<>(drain(t));
        Files.copy(file, dir.resolve("app.log.1"));
        read.addAll(texts(t.poll(1000, 1 << 20))); // the scan sees the copy; the original is not truncated yet
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING);
        append(file, lines("b", 0, 3));
        read.addAll(drain(t));
        assertThat(read).doesNotHaveDuplicates().hasSize(103);
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
    }

    @Test
    void linesReadBetweenTheCopyAndTheTruncationAreTheMeasuredDuplicateWindow() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, lines("a", 0, 100));
        FileSetTailer t = tailer(dir + "/app.log*");
        List<String> read = new ArrayList<>(drain(t));
        Files.copy(file, dir.resolve("app.log.1"));
        append(file, lines("a", 100, 103)); // after the copy, before the truncation: only the original has them
        read.addAll(texts(t.poll(1000, 1 << 20))); // read from the original; the copy is held back
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING);
        read.addAll(drain(t));
        // The copy is shorter than what was read; it resumes at the last checkpoint it holds: nothing twice here.
        assertThat(read).hasSize(103).doesNotHaveDuplicates();
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
    }

    @Test
    void aCopyMadeWhileTheTaskWasDownResumesFromTheOriginalsStoredOffset() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, lines("a", 0, 100));
        FileSetTailer first = tailer(dir + "/app.log*");
        List<String> read = new ArrayList<>(drain(first));
        first.close();
        append(file, lines("a", 100, 120));
        copyTruncate(file, dir.resolve("app.log.1"));
        append(file, lines("b", 0, 2));
        read.addAll(drain(tailer(dir + "/app.log*")));
        assertThat(read).doesNotHaveDuplicates().hasSize(122);
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
    }

    @Test
    void filesThatShareAFirstLineOrBannerAreNeverTakenForACopy() throws IOException {
        String header = "id,name,amount\n";
        Path a = dir.resolve("a.csv");
        append(a, header + lines("row-a", 0, 50));
        FileSetTailer t = tailer(dir + "/*.csv*");
        List<String> read = new ArrayList<>(drain(t));
        // a.csv is truncated (a new day), and b.csv, with the same header and other rows, appears at once.
        Files.writeString(a, "", StandardOpenOption.TRUNCATE_EXISTING);
        append(dir.resolve("b.csv"), header + lines("row-b", 0, 50));
        read.addAll(drain(t));
        assertThat(read.stream().filter(header.strip()::equals)).hasSize(2);
        assertThat(read.stream().filter(l -> l.startsWith("row-b"))).hasSize(50);
        assertThat(h.stats.copiesRecognized.get()).isZero();
    }

    /**
     * The model test's shrunk failure: the task stopped with its offset after the first part of a split line (a
     * small poll), the file was copied and truncated while it was down, and the restarted task recognised the copy
     * at that offset. The copy must not resume there as if at a line start (the rest of the line arrived as a line
     * of its own, part "1"): it resumes at that line's start, and the line arrives whole, parts 1, 2, 3/3 (its
     * first part twice: the copytruncate duplicate window).
     */
    @Test
    void aCopyMadeWhileTheTaskWasDownInsideASplitLineResumesAtThatLinesStart() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, lines("a", 0, 20)); // past Fingerprint.MAX_BYTES: a checkpoint a copy is recognised on
        String longLine = "ßé X😀 ßß中🎉€0ß_🎉éaaab😀€🎉ßßéb _é X😀🎉0b🎉😀abé🎉b中ßX";
        assertThat(longLine.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(2 * 48 - 1); // two full parts of 48 cannot hold it: UTF-8 cuts make three
        FileSetTailer first = h.tailer(h.watcher(dir + "/app.log*"), TailerHarness.utf8(48).scanIntervalMs(0).maxOpenFiles(2).build());
        List<String> read = new ArrayList<>(h.drain(first, 2, 600));
        append(file, longLine + "\r\n");
        List<io.lokiconnect.source.model.TailedLine> part = first.poll(1, 16); // one part of the long line
        assertThat(part).singleElement().satisfies(l -> assertThat(l.part()).isEqualTo("1"));
        h.stored.put(part.get(0).identity(), io.lokiconnect.source.offsets.SourceOffsets.parse(
                io.lokiconnect.source.offsets.SourceOffsets.offset(part.get(0))).orElseThrow());
        assertThat(h.stored.get(part.get(0).identity()).linePart()).isEqualTo(1);
        first.close();
        copyTruncate(file, dir.resolve("app.log.c0.log"));

        FileSetTailer restarted = h.tailer(h.watcher(dir + "/app.log*"), TailerHarness.utf8(48).scanIntervalMs(0).maxOpenFiles(2).build());
        List<io.lokiconnect.source.model.TailedLine> rest = new ArrayList<>();
        List<io.lokiconnect.source.model.TailedLine> offsetsOnly = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (io.lokiconnect.source.model.TailedLine line : restarted.poll(1000, 1 << 20)) {
                (line.text() == null ? offsetsOnly : rest).add(line);
            }
            h.clock.addAndGet(600);
        }

        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
        assertThat(offsetsOnly).as("where the copy resumes, stored before its lines").hasSize(1);
        // Before the fix: parts "1", "2/2" holding only the rest of the line.
        assertThat(rest).extracting(io.lokiconnect.source.model.TailedLine::part).containsExactly("1", "2", "3/3");
        assertThat(rest.get(0).text()).isEqualTo(part.get(0).text());
        assertThat(String.join("", texts(rest))).isEqualTo(longLine);
        assertThat(read).hasSize(20);
    }

    @Test
    void aCopyOfExactlyTheBytesReadAfterARestartIsRecognised() throws IOException {
        Path live = dir.resolve("app.log");
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            first.append("L").append(i).append(":").append("x".repeat(50)).append('\n');
        }
        TailerHarness.append(live, first.toString());
        List<String> read = new ArrayList<>(drain(tailer(dir + "/*.log")));
        FileSetTailer restarted = tailer(dir + "/*.log");
        StringBuilder more = new StringBuilder();
        for (int i = 5; more.length() + first.length() < 512 - 60; i++) {
            more.append("L").append(i).append(":").append("y".repeat(50)).append('\n');
        }
        int rest = 512 - first.length() - more.length() - 1;
        more.append("z".repeat(rest)).append('\n');
        TailerHarness.append(live, more.toString());
        assertThat(Files.size(live)).isEqualTo(512);
        read.addAll(h.drain(restarted, 1, 0));
        Files.copy(live, dir.resolve("app.log.c1.log"));
        try (var channel = java.nio.channels.FileChannel.open(live, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        read.addAll(drain(restarted));
        assertThat(read).doesNotHaveDuplicates();
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
    }

    /** A watcher of {@code glob} for which the directories in {@code unlistable} cannot be listed (AccessDenied). */
    private GlobWatcher watcherWithout(String glob, Set<Path> unlistable) {
        return new GlobWatcher(List.of(glob), List.of(), List.of(), h.problems, d -> {
            if (unlistable.contains(d)) {
                throw new AccessDeniedException(d.toString());
            }
            return Files.newDirectoryStream(d);
        });
    }

    private FileSetTailer tailer(GlobWatcher watcher) {
        return h.tailer(watcher, TailerHarness.utf8(1024).scanIntervalMs(0).build());
    }

    private boolean someStoredOffsetLooksForACopy() {
        return h.stored.values().stream().anyMatch(r -> r.copySourcePosition() > 0);
    }

    /**
     * The truncation is seen before the restart, its copy only after it (its directory could not be listed in
     * between): the stored offset of the truncated file carries what it was read to, so the copy is still
     * recognised. Without it the copy was read again whole (all 40 lines shipped twice).
     */
    @Test
    void aCopyMadeWhileItsDirectoryCannotBeListedIsRecognisedAfterARestart() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path file = sub.resolve("app.log");
        append(file, lines("a", 0, 40));
        Set<Path> unlistable = new HashSet<>();
        GlobWatcher watcher = watcherWithout(dir + "/*/app.log*", unlistable);
        FileSetTailer first = tailer(watcher);
        List<String> read = new ArrayList<>(h.drain(first, 3, 600));
        copyTruncate(file, sub.resolve("app.log.1"));
        unlistable.add(sub);
        append(file, "b00000\n");
        read.addAll(h.drain(first, 3, 600)); // the open handle sees the truncation; the copy cannot be seen
        first.close();
        assertThat(h.stats.copiesRecognized.get()).isZero();
        boolean carriedOverTheRestart = someStoredOffsetLooksForACopy();
        unlistable.clear();
        FileSetTailer second = tailer(watcher);
        read.addAll(h.drain(second, 6, 600));
        assertThat(read).doesNotHaveDuplicates().hasSize(41);
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
        assertThat(carriedOverTheRestart).isTrue();
        append(file, "b00001\n");
        read.addAll(h.drain(second, 2, 600));
        assertThat(read).doesNotHaveDuplicates().hasSize(42);
        // Found: the offsets written since no longer carry it.
        assertThat(someStoredOffsetLooksForACopy()).isFalse();
    }

    /**
     * The truncation is found by a restart (the file shorter than its offset) and the copy, made into another
     * directory (logrotate's olddir) that cannot be listed, is seen only after a second restart.
     */
    @Test
    void aTruncationFoundAtARestartIsStillLookedForAtTheNextRestart() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path old = Files.createDirectories(dir.resolve("old"));
        Path file = sub.resolve("app.log");
        append(file, lines("a", 0, 40));
        Set<Path> unlistable = new HashSet<>();
        GlobWatcher watcher = watcherWithout(dir + "/*/app.log*", unlistable);
        FileSetTailer first = tailer(watcher);
        List<String> read = new ArrayList<>(h.drain(first, 3, 600));
        first.close();
        append(file, lines("a", 40, 45)); // written while the task was down, shipped from the copy
        copyTruncate(file, old.resolve("app.log.1"));
        unlistable.add(old);
        append(file, "b00000\n");
        FileSetTailer second = tailer(watcher);
        read.addAll(h.drain(second, 6, 600));
        second.close();
        assertThat(h.stats.copiesRecognized.get()).isZero();
        unlistable.clear();
        read.addAll(h.drain(tailer(watcher), 6, 600));
        assertThat(read).doesNotHaveDuplicates().hasSize(46);
        assertThat(h.stats.copiesRecognized.get()).isEqualTo(1);
    }

    /** A copy never found is looked for only within the window: then the offsets stop carrying it. */
    @Test
    void aCopyNeverFoundIsNoLongerCarriedOnceTheWindowPassed() throws IOException {
        Path file = dir.resolve("app.log");
        append(file, lines("a", 0, 40));
        FileSetTailer t = tailer(dir + "/app.log*");
        List<String> read = new ArrayList<>(drain(t));
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING); // truncated, no copy made
        append(file, "b00000\n");
        read.addAll(h.drain(t, 1, 0));
        assertThat(someStoredOffsetLooksForACopy()).isTrue();
        h.clock.addAndGet(60_000); // past rotate.wait.ms and two scans
        read.addAll(h.drain(t, 2, 600));
        append(file, "b00001\n");
        read.addAll(h.drain(t, 2, 600));
        assertThat(read).doesNotHaveDuplicates().hasSize(42);
        assertThat(h.stored.values()).allMatch(r -> r.copySourcePosition() == 0);
    }
}
