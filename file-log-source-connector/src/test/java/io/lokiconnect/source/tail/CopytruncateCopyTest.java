package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.offsets.SourceOffsets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** copytruncate's copy, matched by a glob like app.log*, is not shipped again; look-alike files are not copies. */
class CopytruncateCopyTest {

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final TailerStats stats = new TailerStats();
    private final FileProblems problems = new FileProblems(stats.fileErrors);
    private final Map<FileIdentity, ResumePoint> stored = new HashMap<>();

    private FileSetTailer tailer(String glob) {
        return new FileSetTailer(new GlobWatcher(List.of(glob), List.of(), List.of(), problems),
                new FileAssignment(0, 1), new TailerSettings(1024, true, StandardCharsets.UTF_8, 1_000),
                new FileSetTailer.Options(false, 0, 256, null, 100, 1_000),
                id -> Optional.ofNullable(stored.get(id)), stats, problems, clock::get);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String lines(String prefix, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(prefix).append(String.format("%05d", i)).append(" some payload of a log line\n");
        }
        return sb.toString();
    }

    private List<String> drain(FileSetTailer t) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            for (TailedLine line : t.poll(1000, 1 << 20)) {
                texts.add(line.text());
                stored.put(line.identity(), SourceOffsets.parse(SourceOffsets.offset(line)).orElseThrow());
            }
            clock.addAndGet(600);
        }
        return texts;
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
        assertThat(stats.copiesRecognized.get()).isEqualTo(1);
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
        assertThat(stats.copiesRecognized.get()).isEqualTo(1);
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
        assertThat(stats.copiesRecognized.get()).isEqualTo(1);
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
        assertThat(stats.copiesRecognized.get()).isEqualTo(1);
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
        assertThat(stats.copiesRecognized.get()).isZero();
    }

    private static List<String> texts(List<TailedLine> lines) {
        return lines.stream().map(TailedLine::text).toList();
    }
}
