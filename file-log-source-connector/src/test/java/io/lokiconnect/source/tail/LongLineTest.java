package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.assignment.FileAssignment;
import io.lokiconnect.source.discovery.FileProblems;
import io.lokiconnect.source.discovery.GlobWatcher;
import io.lokiconnect.source.model.TailedLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Lines at, just under and just over line.max.bytes, with multi-byte characters across the cut. */
class LongLineTest {

    private static final int DEFAULT_LINE_MAX = 256 * 1024;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final TailerStats stats = new TailerStats();

    private FileSetTailer tailerOn(byte[] content, int lineMax) throws IOException {
        Files.write(dir.resolve("a.log"), content);
        FileProblems problems = new FileProblems(stats.fileErrors);
        return new FileSetTailer(new GlobWatcher(List.of(dir + "/*.log"), List.of(), List.of(), problems),
                new FileAssignment(0, 1), TestSettings.defaults().lineMaxBytes(lineMax).partialFlushMs(1_000).scanIntervalMs(0).build(),
                ids -> java.util.Map.of(), stats, problems, clock::get);
    }

    private List<TailedLine> readAll(byte[] content, int lineMax) throws IOException {
        FileSetTailer tailer = tailerOn(content, lineMax);
        List<TailedLine> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lines.addAll(tailer.poll(10_000, 64L << 20));
        }
        tailer.close();
        return lines;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a300KbLineAtTheDefaultLimitIsSplitAndTheFileGoesOn() throws IOException {
        String line = "a".repeat(300 * 1024);
        List<TailedLine> lines = readAll(utf8(line + "\nafter\n"), DEFAULT_LINE_MAX);
        assertThat(lines).extracting(TailedLine::part).containsExactly("1", "2/2", null);
        assertThat(lines.get(0).text()).hasSize(DEFAULT_LINE_MAX);
        assertThat(lines.get(0).text() + lines.get(1).text()).isEqualTo(line);
        assertThat(lines.get(2).text()).isEqualTo("after");
        assertThat(stats.fileErrors.get()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 17, 100, DEFAULT_LINE_MAX})
    void linesOneBelowAtAndOneAboveTheLimit(int limit) throws IOException {
        String below = "b".repeat(limit - 1);
        String at = "c".repeat(limit);
        String above = "d".repeat(limit + 1);
        String atWithCrlf = "e".repeat(limit);
        List<TailedLine> lines = readAll(utf8(below + "\n" + at + "\n" + above + "\n" + atWithCrlf + "\r\n"), limit);
        assertThat(lines).extracting(TailedLine::text)
                .containsExactly(below, at, "d".repeat(limit), "d", atWithCrlf);
        assertThat(lines).extracting(TailedLine::part).containsExactly(null, null, "1", "2/2", null);
    }

    /** A 2-, 3- and 4-byte character placed at every position across the cut: never split, never U+FFFD. */
    @ParameterizedTest
    @ValueSource(ints = {16, 17, 64, DEFAULT_LINE_MAX})
    void aMultiByteCharacterAcrossTheCutMovesWholeIntoTheNextPart(int limit) throws IOException {
        for (String ch : List.of("\u00e9", "\u20ac", "\uD83D\uDE00")) {
            int width = utf8(ch).length;
            for (int before = 0; before <= width; before++) {
                // The character starts `before` bytes ahead of the cut: 0 = just after it, width = ends at it.
                String line = "x".repeat(limit - before) + ch + "y".repeat(5);
                List<TailedLine> lines = readAll(utf8(line + "\n"), limit);
                String why = "width " + width + ", " + before + " bytes before the cut of " + limit;
                assertThat(lines).as(why).hasSize(2);
                assertThat(lines.get(0).text() + lines.get(1).text()).as(why).isEqualTo(line);
                assertThat(utf8(lines.get(0).text()).length).as(why).isLessThanOrEqualTo(limit);
                assertThat(lines).as(why).noneMatch(l -> l.text().contains("\uFFFD"));
                assertThat(stats.malformedLines.get()).as(why).isZero();
            }
        }
    }

    @Test
    void aPartialLastLineOfASplitLineCarriesTheLastPartNumber() throws IOException {
        List<TailedLine> all = readAllWithQuiet(utf8("z".repeat(40)), 16);
        assertThat(all).extracting(TailedLine::part).containsExactly("1", "2", "3/3");
        assertThat(all).extracting(TailedLine::text).containsExactly("z".repeat(16), "z".repeat(16), "z".repeat(8));
    }

    private List<TailedLine> readAllWithQuiet(byte[] content, int lineMax) throws IOException {
        FileSetTailer tailer = tailerOn(content, lineMax);
        List<TailedLine> lines = new ArrayList<>(tailer.poll(100, 1 << 20));
        clock.addAndGet(2_000);
        lines.addAll(tailer.poll(100, 1 << 20));
        tailer.close();
        return lines;
    }
}
