package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One file's reader on its own, without discovery or assignment: positions, limits, partial lines, truncation. */
class FileTailerTest {

    private static final long FLUSH_MS = 1_000;

    private Path dir;
    private Path file;
    private final TailerStats stats = new TailerStats();
    private FileTailer tailer;
    private long now = 1_000_000;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("file-tailer");
        file = dir.resolve("app.log");
        Files.createFile(file);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (tailer != null) {
            tailer.close();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private FileTailer open(int lineMaxBytes, boolean split, ResumePoint start) throws IOException {
        tailer = new FileTailer(FileIdentity.of(file), file, start,
                TestSettings.defaults().lineMaxBytes(lineMaxBytes).splitLongLines(split).partialFlushMs(FLUSH_MS).build(), stats, now);
        return tailer;
    }

    private List<TailedLine> read() throws IOException {
        List<TailedLine> out = new ArrayList<>();
        tailer.read(1000, 1 << 20, out, now);
        return out;
    }

    private void append(String text) throws IOException {
        append(text.getBytes(StandardCharsets.UTF_8));
    }

    private void append(byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private static List<String> texts(List<TailedLine> lines) {
        return lines.stream().map(TailedLine::text).toList();
    }

    @Test
    void linesCarryTheirStartAndTheResumePositionAfterThem() throws IOException {
        append("a\nbb\r\nccc\n");
        open(100, true, ResumePoint.START);
        List<TailedLine> lines = read();
        assertThat(texts(lines)).containsExactly("a", "bb", "ccc");
        assertThat(lines).extracting(TailedLine::startOffset).containsExactly(0L, 2L, 6L);
        assertThat(lines).extracting(TailedLine::position).containsExactly(2L, 6L, 10L);
        assertThat(tailer.committedPosition()).isEqualTo(10);
        assertThat(tailer.bytesBehind()).isZero();
        assertThat(stats.linesRead).hasValue(3);
    }

    /** A file whose size cannot be read any more keeps its last bytes-behind figure (not "0 behind"). */
    @Test
    void bytesBehindKeepsItsLastFigureWhenTheSizeCannotBeRead() throws IOException {
        append("a\nbb\n");
        open(100, true, ResumePoint.START);
        assertThat(tailer.bytesBehind()).isEqualTo(5);
        tailer.close();
        Files.delete(file);
        assertThat(tailer.bytesBehind()).isEqualTo(5);
    }

    @Test
    void aResumePointStartsAtItsPosition() throws IOException {
        append("first\nsecond\n");
        open(100, true, ResumePoint.at(6, 0, false));
        assertThat(texts(read())).containsExactly("second");
    }

    @Test
    void aLastLineWithoutNewlineWaitsForQuietThenItsLateNewlineEmitsNothing() throws IOException {
        append("partial");
        open(100, true, ResumePoint.START);
        assertThat(read()).as("not yet quiet for partialFlushMs").isEmpty();
        now += FLUSH_MS - 1;
        assertThat(read()).as("one ms below partialFlushMs").isEmpty();
        now += 1;
        List<TailedLine> flushed = read();
        assertThat(texts(flushed)).containsExactly("partial");
        assertThat(flushed.get(0).resume().partialFlushed()).isTrue();
        append("\nnext\n");
        assertThat(texts(read())).containsExactly("next");
        assertThat(tailer.committedPosition()).isEqualTo("partial\nnext\n".length());
    }

    @Test
    void aLineAtTheLimitStaysWholeAndOneAboveIsSplit() throws IOException {
        append("abcd\nabc\nabcde\n");
        open(4, true, ResumePoint.START);
        List<TailedLine> lines = read();
        assertThat(texts(lines)).containsExactly("abcd", "abc", "abcd", "e");
        assertThat(lines).extracting(TailedLine::part).containsExactly(null, null, "1", "2/2");
        assertThat(lines.get(2).endsLine()).isFalse();
        assertThat(lines.get(3).endsLine()).isTrue();
        assertThat(stats.linesSplit).hasValue(1);
    }

    @Test
    void aCrlfLineOfExactlyTheLimitStaysWhole() throws IOException {
        append("abcd\r\n");
        open(4, true, ResumePoint.START);
        assertThat(read()).singleElement().satisfies(l -> {
            assertThat(l.text()).isEqualTo("abcd");
            assertThat(l.part()).isNull();
        });
    }

    @Test
    void aMultiByteCharacterAcrossTheLimitIsNeverCut() throws IOException {
        // "abc" + é (2 bytes) = 5 bytes against a limit of 4: the cut moves before é.
        append("abcé\n");
        open(4, true, ResumePoint.START);
        assertThat(texts(read())).containsExactly("abc", "é");
        assertThat(stats.malformedLines).hasValue(0);
    }

    @Test
    void withoutSplittingALongLineKeepsItsFirstPartAndSkipsTheRest() throws IOException {
        append("abcdefgh\nnext\n");
        open(4, false, ResumePoint.START);
        List<TailedLine> lines = read();
        assertThat(texts(lines)).containsExactly("abcd", "next");
        assertThat(lines.get(0).part()).isEqualTo("truncated");
        assertThat(stats.linesTruncated).hasValue(1);
        assertThat(tailer.committedPosition()).isEqualTo(14);
    }

    @Test
    void invalidUtf8IsReplacedAndCountedNotDropped() throws IOException {
        append(new byte[] {'o', 'k', (byte) 0xFF, '\n'});
        open(100, true, ResumePoint.START);
        assertThat(texts(read())).containsExactly("ok\uFFFD");
        assertThat(stats.malformedLines).hasValue(1);
    }

    @Test
    void aTruncatedFileIsReadAgainFromItsStart() throws IOException {
        append("one line before copytruncate\n");
        open(100, true, ResumePoint.START);
        assertThat(read()).hasSize(1);
        Files.writeString(file, "", StandardOpenOption.TRUNCATE_EXISTING);
        append("new\n");
        assertThat(texts(read())).containsExactly("new");
        assertThat(stats.truncations).hasValue(1);
        assertThat(tailer.committedPosition()).isEqualTo(4);
    }

    @Test
    void theLineBudgetStopsAReadAndTheNextReadGoesOn() throws IOException {
        append("1\n2\n3\n");
        open(100, true, ResumePoint.START);
        List<TailedLine> out = new ArrayList<>();
        tailer.read(2, 1 << 20, out, now);
        assertThat(texts(out)).containsExactly("1", "2");
        assertThat(tailer.readToEnd()).isFalse();
        assertThat(texts(read())).containsExactly("3");
        assertThat(tailer.readToEnd()).isTrue();
    }

    /**
     * However the file grows (lines written in arbitrary chunks, split inside lines and inside characters), every
     * complete line is read exactly once, whole, in order, and the resume position is the end of the last one.
     */
    @Property(tries = 200)
    void linesWrittenInAnyChunksAreReadOnceEach(
            @ForAll @Size(min = 1, max = 20)
            List<@StringLength(max = 30) @Chars({'a', 'z', ' ', '\u00e9', '\u4e2d', '\t'}) String> lines,
            @ForAll @IntRange(min = 1, max = 7) int chunk) throws IOException {
        setUp();
        try {
            byte[] all = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
            open(1000, true, ResumePoint.START);
            List<String> read = new ArrayList<>();
            for (int at = 0; at < all.length; at += chunk) {
                append(java.util.Arrays.copyOfRange(all, at, Math.min(all.length, at + chunk)));
                read.addAll(texts(read()));
            }
            assertThat(read).isEqualTo(lines);
            assertThat(tailer.committedPosition()).isEqualTo(all.length);
        } finally {
            tearDown();
            tailer = null;
        }
    }

    /**
     * A handle closed under files.max.open is reopened by name: had the file been rotated between the check of the
     * name and the open, the bytes of the file now at that name would be read from the old position, skipping its
     * first lines and crediting the rest to the old file. The open checks the file's identity and reads nothing.
     */
    @Test
    void aReopenThatFindsAnotherFileAtTheNameReadsNothingFromIt() throws IOException {
        append("one\ntwo\n");
        open(1024, true, ResumePoint.START);
        assertThat(texts(read())).containsExactly("one", "two");
        tailer.close();
        Files.move(file, dir.resolve("app.log.1"));
        Files.writeString(file, "new-1\nnew-2\nnew-3\n");
        org.junit.jupiter.api.Assertions.assertThrows(FileReplacedException.class, this::read);
        tailer.movedTo(dir.resolve("app.log.1"));
        Files.writeString(dir.resolve("app.log.1"), "three\n", StandardOpenOption.APPEND);
        assertThat(texts(read())).as("found under its new name, it goes on").containsExactly("three");
    }

    /** Loki counts UTF-8 bytes: a Latin-1 'é' is one file byte and two UTF-8 bytes. */
    @Test
    void aLatin1LineIsCutByItsUtf8LengthAtTheLimitOneBelowAndOneAbove() throws IOException {
        int limit = 32;
        for (int length : new int[] {limit / 2 - 1, limit / 2, limit / 2 + 1, limit - 1, limit, limit + 1}) {
            Files.write(file, new byte[0]);
            tailer = new FileTailer(FileIdentity.of(file), file, ResumePoint.START,
                    TestSettings.defaults().lineMaxBytes(limit).charset(StandardCharsets.ISO_8859_1).partialFlushMs(FLUSH_MS).build(), stats, now);
            byte[] line = new byte[length + 1];
            java.util.Arrays.fill(line, (byte) 0xE9);
            line[length] = '\n';
            append(line);
            List<TailedLine> out = read();
            String whole = String.join("", texts(out));
            assertThat(whole).as("length %d", length).isEqualTo("é".repeat(length));
            assertThat(out).as("length %d", length).allSatisfy(l ->
                    assertThat(l.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(limit));
            assertThat(out.size()).as("parts of length %d", length).isEqualTo((2 * length + limit - 1) / limit);
            assertThat(out.get(out.size() - 1).position()).isEqualTo(length + 1);
            tailer.close();
        }
    }

    /** A malformed byte becomes U+FFFD, three UTF-8 bytes: a line of them at the limit is cut to fit. */
    @Test
    void aBrokenUtf8LineAtTheLimitIsCutToFitInUtf8() throws IOException {
        int limit = 30;
        byte[] line = new byte[limit + 1];
        java.util.Arrays.fill(line, (byte) 0xFF);
        line[limit] = '\n';
        append(line);
        List<TailedLine> out = open(limit, true, ResumePoint.START) == null ? List.of() : read();
        assertThat(String.join("", texts(out))).isEqualTo("\uFFFD".repeat(limit));
        assertThat(out).hasSize(3).allSatisfy(l ->
                assertThat(l.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(limit));
        assertThat(out).extracting(TailedLine::part).containsExactly("1", "2", "3/3");
    }

    /** A valid multi-byte character across the UTF-8 limit is never cut, malformed bytes before it or not. */
    @Test
    void aMultiByteCharacterAcrossTheUtf8LimitIsKeptWhole() throws IOException {
        int limit = 16;
        // 5 malformed bytes (15 UTF-8 bytes as U+FFFD), then a 3-byte '€' across the limit, then ASCII.
        byte[] bytes = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xE2, (byte) 0x82, (byte) 0xAC, 'a', 'b', '\n'};
        append(bytes);
        List<TailedLine> out = open(limit, true, ResumePoint.START) == null ? List.of() : read();
        assertThat(texts(out)).containsExactly("\uFFFD".repeat(5), "€ab");
    }

    @Test
    void truncatingALatin1LineKeepsWhatFitsInUtf8AndSkipsTheRest() throws IOException {
        int limit = 20;
        byte[] line = new byte[limit + 1];
        java.util.Arrays.fill(line, (byte) 0xE9);
        line[limit] = '\n';
        append(line);
        append("next\n");
        tailer = new FileTailer(FileIdentity.of(file), file, ResumePoint.START,
                TestSettings.defaults().lineMaxBytes(limit).splitLongLines(false).charset(StandardCharsets.ISO_8859_1).partialFlushMs(FLUSH_MS).build(), stats, now);
        List<TailedLine> out = read();
        assertThat(texts(out)).containsExactly("é".repeat(limit / 2), "next");
        assertThat(out.get(0).part()).isEqualTo("truncated");
    }
}
