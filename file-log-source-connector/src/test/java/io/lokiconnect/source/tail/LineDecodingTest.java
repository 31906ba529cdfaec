package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Decoding of lines: what the tailer emits and counts as malformed must be what a strict decoder says, for the
 * charsets the JDK decodes (UTF-8, US-ASCII, ISO-8859-1) and one that goes through the decoder (windows-1252, which
 * has unmapped bytes), on lines mixing ASCII, valid multi-byte characters, a real U+FFFD and broken sequences.
 */
class LineDecodingTest {

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /** What the tailer must produce for a line: the JDK's replacement text, malformed when strict decoding fails. */
    private static boolean malformed(byte[] line, Charset charset) {
        try {
            charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line));
            return false;
        } catch (CharacterCodingException e) {
            return true;
        }
    }

    private static List<TailedLine> readAll(Path file, Charset charset, TailerStats stats) throws IOException {
        FileTailer tailer = new FileTailer(FileIdentity.of(file), file, ResumePoint.START,
                TestSettings.defaults().lineMaxBytes(4096).charset(charset).partialFlushMs(1_000).build(), stats, 0);
        try {
            List<TailedLine> out = new ArrayList<>();
            tailer.read(100_000, 1 << 30, out, 0);
            return out;
        } finally {
            tailer.close();
        }
    }

    @Provide
    Arbitrary<List<byte[]>> lines() {
        Arbitrary<byte[]> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30)
                .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> multiByte = Arbitraries.of("\u00e9", "\u20ac", "\ud83d\ude00", "\u00ff", "\u0100")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> replacementChar = Arbitraries.just("\uFFFD".getBytes(StandardCharsets.UTF_8));
        // Lone continuation bytes, a lead byte without its continuation, overlong, 0xFF, unmapped in windows-1252.
        Arbitrary<byte[]> broken = Arbitraries.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC3},
                new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0x81}, new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98});
        Arbitrary<byte[]> chunk = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, ascii), net.jqwik.api.Tuple.of(2, multiByte),
                net.jqwik.api.Tuple.of(1, replacementChar), net.jqwik.api.Tuple.of(1, broken));
        Arbitrary<byte[]> line = chunk.list().ofMaxSize(8).map(chunks -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            chunks.forEach(bytes::writeBytes);
            return bytes.toByteArray();
        });
        return line.list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<Charset> charsets() {
        return Arbitraries.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1,
                WINDOWS_1252);
    }

    @Property(tries = 300)
    void everyLineIsTheCharsetsTextAndEveryMalformedLineIsCountedOnce(@ForAll("lines") List<byte[]> lines,
                                                                      @ForAll("charsets") Charset charset)
            throws IOException {
        Path dir = Files.createTempDirectory("line-decoding");
        Path file = dir.resolve("app.log");
        try {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            List<String> expected = new ArrayList<>();
            long malformed = 0;
            for (byte[] line : lines) {
                content.writeBytes(line);
                content.write('\n');
                expected.add(new String(line, charset));
                malformed += malformed(line, charset) ? 1 : 0;
            }
            Files.write(file, content.toByteArray());
            TailerStats stats = new TailerStats();

            List<TailedLine> read = readAll(file, charset, stats);

            assertThat(read).extracting(TailedLine::text).containsExactlyElementsOf(expected);
            assertThat(stats.malformedLines).as("malformed lines").hasValue(malformed);
            assertThat(stats.linesRead).hasValue(lines.size());
            assertThat(stats.bytesRead).hasValue(content.size());
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    @Test
    void aRealReplacementCharacterIsNotMalformedButABrokenSequenceIs() throws IOException {
        Path dir = Files.createTempDirectory("line-decoding");
        Path file = dir.resolve("app.log");
        try {
            byte[] real = "ok \uFFFD here".getBytes(StandardCharsets.UTF_8);
            byte[] broken = {'x', (byte) 0xC3, 'y'};
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            content.writeBytes(real);
            content.write('\n');
            content.writeBytes(broken);
            content.write('\n');
            content.writeBytes("plain".getBytes(StandardCharsets.US_ASCII));
            content.write('\n');
            Files.write(file, content.toByteArray());
            TailerStats stats = new TailerStats();

            List<TailedLine> read = readAll(file, StandardCharsets.UTF_8, stats);

            assertThat(read).extracting(TailedLine::text).containsExactly("ok \uFFFD here", "x\uFFFDy", "plain");
            assertThat(stats.malformedLines).hasValue(1);
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }
}
