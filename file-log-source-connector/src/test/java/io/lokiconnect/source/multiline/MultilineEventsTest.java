package io.lokiconnect.source.multiline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.tail.FileSetTailer;
import io.lokiconnect.source.model.TailedLine;
import io.lokiconnect.source.tail.TestSettings;
import io.lokiconnect.source.tail.TailerStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-line events: long lines inside them, the byte cap and its parts. */
class MultilineEventsTest {

    private static final Pattern START = Pattern.compile("^\\d{4}-");

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final TailerStats stats = new TailerStats();

    private List<TailedLine> read(String content, int lineMax, int eventMax) throws IOException {
        Files.writeString(dir.resolve("a.log"), content, StandardCharsets.UTF_8);
        FileProblems problems = new FileProblems(stats.fileErrors);
        FileSetTailer t = new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(lineMax).partialFlushMs(1_000).scanIntervalMs(0).multiline(START, 500, 1_000).multilineMaxBytes(eventMax).build(),
                ids -> java.util.Map.of(), stats, problems, clock::get);
        List<TailedLine> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.addAll(t.poll(10_000, 64L << 20));
        }
        clock.addAndGet(2_000);
        out.addAll(t.poll(10_000, 64L << 20));
        return out;
    }

    /**
     * A long event's buffer counts in buffer-bytes while it is pending and is given back once the event is emitted,
     * so one stack trace does not hold up to multiline.max.bytes per file for good.
     */
    @Test
    void aLongEventsBufferIsCountedWhilePendingAndGivenBackOnceEmitted() throws IOException {
        StringBuilder trace = new StringBuilder("2026-01-01 ERROR boom");
        for (int i = 0; i < 3000; i++) {
            trace.append("\n\tat frame").append(i).append("(F.java:").append(i).append(')');
        }
        Path file = dir.resolve("a.log");
        Files.writeString(file, trace + "\n", StandardCharsets.UTF_8);
        FileProblems problems = new FileProblems(stats.fileErrors);
        FileSetTailer t = new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(4096).partialFlushMs(1_000).scanIntervalMs(0).multiline(START, 10_000, 1_000).multilineMaxBytes(1 << 20).build(),
                ids -> java.util.Map.of(), stats, problems, clock::get);
        assertThat(t.poll(10_000, 64L << 20)).as("the event is still open").isEmpty();
        t.poll(10_000, 64L << 20);
        assertThat(stats.bufferBytes.get()).as("the pending event's buffer").isGreaterThan(trace.length());
        Files.writeString(file, "2026-01-01 INFO next\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        List<TailedLine> out = new ArrayList<>(t.poll(10_000, 64L << 20));
        assertThat(out).extracting(TailedLine::text).containsExactly(trace.toString());
        t.poll(10_000, 64L << 20);
        assertThat(stats.bufferBytes.get()).as("given back once emitted").isLessThan(trace.length());
    }

    @Test
    void thePartsOfALongLineInsideAnEventAreJoinedWithoutANewlineAndNeverStartAnEvent() throws IOException {
        // The second part of the long line begins with "2026-": it is not the start of a line, so no new event.
        String longLine = "2026-01-01 ERROR " + "x".repeat(15) + "2026-02-02 still the same line";
        List<TailedLine> events = read(longLine + "\n\tat A.b(A.java:1)\n2026-01-01 INFO next\n", 32, 4096);
        assertThat(events).extracting(TailedLine::text)
                .containsExactly(longLine + "\n\tat A.b(A.java:1)", "2026-01-01 INFO next");
        assertThat(events).extracting(TailedLine::part).containsExactly(null, null);
    }

    @Test
    void anEventLongerThanMultilineMaxBytesIsEmittedInNumberedPartsThatConcatenateToIt() throws IOException {
        StringBuilder trace = new StringBuilder("2026-01-01 ERROR boom");
        for (int i = 0; i < 40; i++) {
            trace.append("\n\tat frame").append(i).append("(F.java:").append(i).append(')');
        }
        String event = trace.toString();
        List<TailedLine> out = read(event + "\n2026-01-01 INFO next\n", 64, 100);
        List<TailedLine> parts = out.subList(0, out.size() - 1);
        assertThat(parts.size()).isGreaterThan(5);
        assertThat(String.join("", parts.stream().map(TailedLine::text).toList())).isEqualTo(event);
        assertThat(parts).allSatisfy(p -> assertThat(p.text().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(100));
        for (int i = 0; i < parts.size() - 1; i++) {
            assertThat(parts.get(i).part()).isEqualTo(String.valueOf(i + 1));
            assertThat(parts.get(i).position()).isLessThan(parts.get(i + 1).position());
        }
        assertThat(parts.get(parts.size() - 1).part()).isEqualTo(parts.size() + "/" + parts.size());
        assertThat(out.get(out.size() - 1).text()).isEqualTo("2026-01-01 INFO next");
    }

    @Test
    void anEventOfExactlyMultilineMaxBytesIsOneRecordAndOneByteMoreIsTwo() throws IOException {
        String head = "2026-01-01 E";             // 12 bytes
        String tail = "\t" + "\u20ac".repeat(5);   // 1 + 15 bytes: a multi-byte character at the cut
        int exact = head.length() + 1 + 1 + 15;    // with the joining newline
        List<TailedLine> one = read(head + "\n" + tail + "\n2026-01-01 next\n", 16, exact);
        assertThat(one).extracting(TailedLine::text).containsExactly(head + "\n" + tail, "2026-01-01 next");
        assertThat(one.get(0).part()).isNull();

        List<TailedLine> two = read(head + "\n" + tail + "\n2026-01-01 next\n", 16, exact - 1);
        assertThat(two).extracting(TailedLine::text).containsExactly(head, "\n" + tail, "2026-01-01 next");
        assertThat(two).extracting(TailedLine::part).containsExactly("1", "2/2", null);
    }

    /**
     * An event emitted in parts, and a restart between two of its parts: the offset stores how many parts were
     * emitted, so the next part goes on with the numbering and the last one is n/n (before, it started again at 1
     * and n/n never came).
     */
    @Test
    void thePartNumberingOfAnEventGoesOnAfterARestart() throws IOException {
        StringBuilder event = new StringBuilder("2026-01-01 ERROR boom");
        for (int i = 0; i < 9; i++) {
            event.append("\n\tat frame").append(i);
        }
        Files.writeString(dir.resolve("a.log"), event + "\n2026-01-01 INFO next\n", StandardCharsets.UTF_8);
        java.util.Map<io.lokiconnect.source.model.FileIdentity, io.lokiconnect.source.model.ResumePoint> stored =
                new java.util.HashMap<>();
        FileProblems problems = new FileProblems(stats.fileErrors);
        java.util.function.Supplier<FileSetTailer> start = () -> new FileSetTailer(
                new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(4096).partialFlushMs(1_000).scanIntervalMs(0).multiline(START, 3, 1_000).multilineMaxBytes(1 << 20).build(),
                ids -> {
                    java.util.Map<io.lokiconnect.source.model.FileIdentity, io.lokiconnect.source.model.ResumePoint>
                            found = new java.util.HashMap<>();
                    ids.stream().filter(stored::containsKey).forEach(id -> found.put(id, stored.get(id)));
                    return found;
                }, stats, problems, clock::get);
        List<TailedLine> out = new ArrayList<>();
        // Parts of 3 lines; the task stops after the offsets of the first two were committed.
        List<TailedLine> firstRun = start.get().poll(100, 1 << 20);
        assertThat(firstRun).extracting(TailedLine::part).startsWith("1", "2", "3");
        for (TailedLine line : firstRun.subList(0, 2)) {
            out.add(line);
            stored.put(line.identity(), line.resume());
        }
        FileSetTailer restarted = start.get();
        for (int i = 0; i < 3; i++) {
            out.addAll(restarted.poll(100, 1 << 20));
        }
        clock.addAndGet(2_000);
        out.addAll(restarted.poll(100, 1 << 20));
        assertThat(out).extracting(TailedLine::part).containsExactly("1", "2", "3", "4/4", null);
        assertThat(String.join("", out.subList(0, 4).stream().map(TailedLine::text).toList()))
                .isEqualTo(event.toString());
    }
}
