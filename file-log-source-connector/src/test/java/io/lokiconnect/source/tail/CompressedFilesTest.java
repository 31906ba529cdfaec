package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.zstd.ZstdOutputStream;
import io.lokiconnect.source.model.TailedLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Compressed files under the globs: told by content, read once and whole, recognised when they hold lines the source
 * already read under another name (logrotate's {@code compress}), and remembered across a restart.
 */
class CompressedFilesTest {

    @TempDir
    Path dir;

    private final TailerHarness h = new TailerHarness();
    private final List<TailedLine> markers = new ArrayList<>();

    private FileSetTailer tailer() {
        return tailer(dir + "/app.log*");
    }

    private FileSetTailer tailer(String glob) {
        return h.tailer(h.watcher(glob), TailerHarness.utf8(4096).scanIntervalMs(0).build());
    }

    /** Polls, storing offsets as the worker does; returns the texts, keeping the records without a line apart. */
    private List<String> drain(FileSetTailer t, int polls) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < polls; i++) {
            for (TailedLine line : t.poll(1000, 1 << 20)) {
                h.stored.put(line.identity(), line.resume());
                if (line.text() == null) {
                    markers.add(line);
                } else {
                    texts.add(line.text());
                }
            }
            h.clock.addAndGet(1_000);
        }
        return texts;
    }

    static List<String> lines(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + " line " + i + " " + "x".repeat(40)).toList();
    }

    static byte[] text(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] compress(Compression compression, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (compression) {
            case GZIP -> new GZIPOutputStream(bytes);
            case BZIP2 -> new BZip2CompressorOutputStream(bytes);
            case ZSTD -> new ZstdOutputStream(bytes);
            case NONE -> bytes;
        }) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "BZIP2", "ZSTD"})
    void aCompressedFileIsToldByItsContentNotItsName(Compression compression) throws IOException {
        List<String> lines = lines("c", 0, 50);
        Files.write(dir.resolve("app.log.1"), compress(compression, text(lines))); // no .gz, .bz2 or .zst
        assertThat(drain(tailer(), 3)).containsExactlyElementsOf(lines);
        assertThat(markers).singleElement().satisfies(m -> assertThat(m.resume().archiveDone()).isTrue());
        assertThat(h.stats.fileErrors.get()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "BZIP2", "ZSTD"})
    void concatenatedMembersStreamsAndFramesAreReadToTheEnd(Compression compression) throws IOException {
        // pigz -i, pbzip2 and zstd of appended parts write several members, streams or frames one after another.
        byte[] first = compress(compression, text(lines("a", 0, 20)));
        byte[] second = compress(compression, text(lines("b", 0, 20)));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Files.write(dir.resolve("app.log.2"), both);
        List<String> expected = new ArrayList<>(lines("a", 0, 20));
        expected.addAll(lines("b", 0, 20));
        assertThat(drain(tailer(), 3)).containsExactlyElementsOf(expected);
    }

    @Test
    void anArchiveIsReadOnceAndNeverTailed() throws IOException {
        Path archive = dir.resolve("app.log.1.gz");
        Files.write(archive, compress(Compression.GZIP, text(lines("a", 0, 10))));
        FileSetTailer t = tailer();
        assertThat(drain(t, 3)).hasSize(10);
        // Another member appended later is not read: an archive is read once, whole.
        Files.write(archive, compress(Compression.GZIP, text(lines("late", 0, 3))),
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(drain(t, 3)).isEmpty();
        assertThat(markers).hasSize(1);
    }

    @Test
    void aPreExistingArchiveIsReadOnceAndNotAgainAfterARestart() throws IOException {
        Files.write(dir.resolve("app.log.3.gz"), compress(Compression.GZIP, text(lines("old", 0, 30))));
        assertThat(drain(tailer(), 3)).containsExactlyElementsOf(lines("old", 0, 30));
        // A restart: a new tailer on the stored offsets, the record without a line included.
        assertThat(drain(tailer(), 3)).isEmpty();
    }

    @Test
    void aRestartInsideAnArchiveResumesAtItsStoredLineInTheDecompressedContent() throws IOException {
        Files.write(dir.resolve("app.log.3.gz"), compress(Compression.GZIP, text(lines("r", 0, 30))));
        List<String> first = new ArrayList<>();
        FileSetTailer t = tailer();
        for (TailedLine line : t.poll(7, 1 << 20)) {
            h.stored.put(line.identity(), line.resume());
            first.add(line.text());
        }
        assertThat(first).containsExactlyElementsOf(lines("r", 0, 7));
        assertThat(drain(tailer(), 3)).containsExactlyElementsOf(lines("r", 7, 30));
    }

    /**
     * logrotate with {@code compress} (and {@code delaycompress}): app.log is renamed app.log.1, read to its end by
     * the source, then gzip makes app.log.1.gz of it and deletes app.log.1. The archive's lines are not shipped again.
     */
    @Test
    void aCompressRotationShipsNoLineTwice() throws IOException {
        Path live = dir.resolve("app.log");
        Files.write(live, text(lines("a", 0, 40)));
        FileSetTailer t = tailer();
        List<String> shipped = new ArrayList<>(drain(t, 2));
        Path rotated = dir.resolve("app.log.1");
        Files.move(live, rotated);
        TailerHarness.append(rotated, new String(text(lines("a", 40, 45)), StandardCharsets.UTF_8));
        Files.write(live, text(lines("b", 0, 5)));
        shipped.addAll(drain(t, 2));
        Files.write(dir.resolve("app.log.1.gz"), compress(Compression.GZIP, Files.readAllBytes(rotated)));
        shipped.addAll(drain(t, 1));
        Files.delete(rotated);
        shipped.addAll(drain(t, 30)); // past rotate.wait.ms: app.log.1 forgotten, the archive compared with it
        List<String> expected = new ArrayList<>(lines("a", 0, 45));
        expected.addAll(lines("b", 0, 5));
        assertThat(shipped).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(markers).as("the archive's records without a line: where it resumes, and that it is done")
                .extracting(m -> m.resume().archiveDone()).containsExactly(false, true);
        assertThat(drain(tailer(), 3)).as("after a restart").isEmpty();
    }

    /** The source read only part of app.log before it was compressed away: the archive ships the rest, once. */
    @Test
    void anArchiveOfAFileReadInPartShipsOnlyWhatWasNotRead() throws IOException {
        Path live = dir.resolve("app.log");
        Files.write(live, text(lines("a", 0, 40)));
        FileSetTailer t = tailer();
        List<String> shipped = new ArrayList<>(drain(t, 2));
        // Written and compressed away while the task was busy elsewhere: the source never saw these 20 lines.
        TailerHarness.append(live, new String(text(lines("a", 40, 60)), StandardCharsets.UTF_8));
        byte[] whole = Files.readAllBytes(live);
        Files.delete(live);
        Files.write(dir.resolve("app.log.1.gz"), compress(Compression.GZIP, whole));
        shipped.addAll(drain(t, 30));
        assertThat(shipped).containsExactlyElementsOf(lines("a", 0, 60));
    }

    @Test
    void anArchiveStillBeingWrittenIsReadOnceItIsWhole() throws IOException {
        byte[] archive = compress(Compression.GZIP, text(lines("w", 0, 200)));
        Path file = dir.resolve("app.log.1.gz");
        Files.write(file, Arrays.copyOf(archive, archive.length / 2));
        FileSetTailer t = tailer();
        List<String> shipped = new ArrayList<>(drain(t, 2));
        Files.write(file, archive);
        shipped.addAll(drain(t, 3));
        assertThat(shipped).containsExactlyElementsOf(lines("w", 0, 200));
        assertThat(h.stats.fileErrors.get()).as("nothing reported while it was being written").isZero();
    }

    @Test
    void aDamagedArchiveIsReportedWhatPrecedesTheDamageIsShippedAndOtherFilesGoOn() throws IOException {
        byte[] archive = compress(Compression.GZIP, text(lines("d", 0, 2000)));
        for (int i = archive.length / 2; i < archive.length / 2 + 64; i++) {
            archive[i] ^= 0x5A;
        }
        Files.write(dir.resolve("app.log.1.gz"), archive);
        Files.write(dir.resolve("app.log"), text(lines("live", 0, 3)));
        List<String> shipped = drain(tailer(), 3);
        assertThat(shipped).containsAll(lines("live", 0, 3));
        // deflate checks its CRC only at the member's end: bytes decoded before the decoder notices the damage are
        // shipped as they come (reported), the lines before the damaged bytes exactly as written.
        List<String> fromArchive = shipped.stream().filter(s -> s.startsWith("d ")).toList();
        assertThat(fromArchive.size()).isGreaterThan(100);
        assertThat(fromArchive.subList(0, 100)).isEqualTo(lines("d", 0, 100));
        assertThat(h.stats.fileErrors.get()).isPositive();
        assertThat(markers).as("given up on: stored, never read again").hasSize(1);
    }

    @Test
    void aCutShortArchiveIsGivenUpOnceItStopsChanging() throws IOException {
        byte[] archive = compress(Compression.GZIP, text(lines("s", 0, 200)));
        Path file = dir.resolve("app.log.1.gz");
        Files.write(file, Arrays.copyOf(archive, archive.length - 20));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                - 60_000));
        List<String> shipped = drain(tailer(), 3);
        assertThat(shipped).isNotEmpty().allMatch(s -> s.startsWith("s "));
        assertThat(h.stats.fileErrors.get()).isPositive();
        assertThat(markers).hasSize(1);
    }

    @Test
    void aCompressedTarballIsReportedNotShippedAsGarbage() throws IOException {
        byte[] binary = new byte[4096];
        binary[100] = 0;
        Arrays.fill(binary, 0, 100, (byte) 'x');
        Files.write(dir.resolve("app.log.tar.gz"), compress(Compression.GZIP, binary));
        assertThat(drain(tailer(), 3)).isEmpty();
        assertThat(h.stats.fileErrors.get()).isPositive();
    }

    @Test
    void magicBytesDecideAndTextThatMerelyLooksLikeOneIsText() {
        assertThat(Compression.of(new byte[] {0x1F, (byte) 0x8B, 8, 0}, 4)).isEqualTo(Compression.GZIP);
        assertThat(Compression.of(new byte[] {0x1F}, 1)).as("too short to tell").isNull();
        assertThat(Compression.of(new byte[0], 0)).as("empty: perhaps an archive being made").isNull();
        assertThat(Compression.of(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}, 4)).isEqualTo(Compression.ZSTD);
        byte[] bzip = {'B', 'Z', 'h', '9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
        assertThat(Compression.of(bzip, 10)).isEqualTo(Compression.BZIP2);
        byte[] text = "BZh9 is a line of text\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Compression.of(text, 10)).isEqualTo(Compression.NONE);
        assertThat(Compression.of("hello".getBytes(StandardCharsets.UTF_8), 5)).isEqualTo(Compression.NONE);
        assertThat(Compression.of(new byte[] {'B', 'Z', 'h'}, 3)).as("too short to tell").isNull();
    }
}
