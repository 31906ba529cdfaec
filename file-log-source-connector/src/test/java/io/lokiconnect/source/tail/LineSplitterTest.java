package io.lokiconnect.source.tail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

/**
 * The line splitter against a model, without files: bytes in (cut into chunks anywhere, consumed under any line
 * and byte budget, through a heap array or byte by byte), lines out. Lines of 1- to 4-byte characters one below,
 * at and one above line.max.bytes and longer, a character across every cut, LF and CRLF, a last line without
 * newline (and its newline coming late), split and truncate; every line's positions, part labels, resume state
 * and prefix checksum; and a splitter resumed from any emitted line's resume state goes on with the same lines.
 * jqwik prints the seed of a failing run; rerun it with {@code @Property(seed = "...")}.
 */
class LineSplitterTest {

    /** One emitted line as the sink saw it, with the splitter's checksum at that moment. */
    record Out(long start, long end, String text, String part, boolean partial, int partAfter, boolean skipAfter,
               long crc) {
    }

    /** A generated input: the lines (text and terminator), the limit, the mode and how the bytes are fed. */
    record Case(int limit, boolean split, List<String> texts, List<String> terminators, List<Integer> chunks,
                List<Integer> lineBudgets, boolean viaArray, boolean lateNewline) {

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < texts.size(); i++) {
                out.writeBytes(utf8(texts.get(i)));
                out.writeBytes(utf8(terminators.get(i)));
            }
            return out.toByteArray();
        }

        boolean endsWithPartialLine() {
            return terminators.get(terminators.size() - 1).isEmpty();
        }
    }

    private static final List<String> CHARACTERS = List.of("a", "Z", "0", " ", "\u00e9", "\u00df", "\u20ac", "\u4e2d",
            "\uD83D\uDE00", "\uD83C\uDF89");

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> limits = Arbitraries.integers().between(16, 40);
        Arbitrary<Boolean> modes = Arbitraries.of(true, false);
        return Combinators.combine(limits, modes).flatAs((limit, split) -> {
            Arbitrary<String> anyChars = Arbitraries.of(CHARACTERS).list().ofMaxSize(3 * limit / 2)
                    .map(chars -> String.join("", chars));
            // ASCII up to 4 bytes before the limit, then any characters: a 1- to 4-byte character across the cut.
            Arbitrary<String> acrossTheCut = Combinators.combine(Arbitraries.integers().between(-4, 4),
                            Arbitraries.of(CHARACTERS).list().ofMinSize(1).ofMaxSize(8))
                    .as((offset, chars) -> "x".repeat(limit - offset) + String.join("", chars));
            Arbitrary<String> nearTheLimit = Combinators.combine(Arbitraries.of(-1, 0, 1, limit + 1, 2 * limit),
                            Arbitraries.of("a", "\u00e9", "\u20ac", "\uD83D\uDE00"))
                    .as((delta, ch) -> "y".repeat(Math.max(0, limit + delta - utf8(ch).length)) + ch);
            Arbitrary<String> text = Arbitraries.oneOf(anyChars, acrossTheCut, nearTheLimit);
            Arbitrary<List<String>> texts = text.list().ofMinSize(1).ofMaxSize(8);
            return texts.flatMap(lines -> Combinators.combine(
                    Arbitraries.of("\n", "\r\n").list().ofSize(lines.size()),
                    Arbitraries.of(true, false),
                    Arbitraries.integers().between(1, 9).list().ofMinSize(1).ofMaxSize(6),
                    Arbitraries.integers().between(1, 3).list().ofMinSize(1).ofMaxSize(4),
                    Arbitraries.of(true, false),
                    Arbitraries.of(true, false)).as((terminators, lastHasNewline, chunks, budgets, viaArray, late) -> {
                        List<String> ends = new ArrayList<>(terminators);
                        if (!lastHasNewline && !lines.get(lines.size() - 1).isEmpty()) {
                            ends.set(ends.size() - 1, "");
                        }
                        return new Case(limit, split, lines, ends, chunks, budgets, viaArray, late);
                    }));
        });
    }

    @Property(tries = 1500, shrinking = ShrinkingMode.BOUNDED)
    void linesComeOutAsTheModelCutsThem(@ForAll("cases") Case c) throws IOException {
        byte[] bytes = c.bytes();
        TailerStats stats = new TailerStats();
        LineSplitter splitter = new LineSplitter(c.limit(), c.split(), StandardCharsets.UTF_8, stats, 0, false, 0,
                true, 0, false);
        List<Out> out = feed(splitter, bytes, 0, c);
        if (c.endsWithPartialLine()) {
            splitter.flushPartial(true, sink(splitter, out));
        }
        List<Out> expected = model(c);
        assertThat(out).extracting(Out::text).as("texts").containsExactlyElementsOf(
                expected.stream().map(Out::text).toList());
        assertThat(out).as("positions, parts and resume state").usingRecursiveFieldByFieldElementComparatorIgnoringFields(
                "crc").containsExactlyElementsOf(expected);
        for (Out line : out) {
            assertThat(line.crc()).as("prefix checksum at " + line.end())
                    .isEqualTo(PrefixCrc.update(0, bytes, 0, (int) line.end()));
            assertThat(utf8(line.text()).length).as("never longer than line.max.bytes").isLessThanOrEqualTo(c.limit());
            assertThat(line.text()).as("never a character cut in two").doesNotContain("\uFFFD");
        }
        assertThat(stats.malformedLines.get()).isZero();
        assertThat(splitter.readPosition()).isEqualTo(bytes.length);

        if (c.endsWithPartialLine() && c.lateNewline() && splitter.partialFlushed()) {
            // The newline of a line already emitted without it emits nothing; the next line is read as before.
            byte[] more = utf8("\nnext\n");
            List<Out> after = feed(splitter, more, bytes.length, c);
            assertThat(after).extracting(Out::text).containsExactly("next");
            assertThat(after.get(0).start()).isEqualTo(bytes.length + 1);
        }
    }

    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void aSplitterResumedFromAnyLinesResumeStateGoesOnWithTheSameLines(@ForAll("cases") Case c) throws IOException {
        byte[] bytes = c.bytes();
        List<Out> all = new ArrayList<>();
        LineSplitter first = new LineSplitter(c.limit(), c.split(), StandardCharsets.UTF_8, new TailerStats(), 0,
                false, 0, true, 0, false);
        all.addAll(feed(first, bytes, 0, c));
        for (int i = 0; i < all.size(); i++) {
            Out from = all.get(i);
            LineSplitter resumed = new LineSplitter(c.limit(), c.split(), StandardCharsets.UTF_8, new TailerStats(),
                    from.end(), from.partial(), from.crc(), true, from.partAfter(), from.skipAfter());
            byte[] rest = java.util.Arrays.copyOfRange(bytes, (int) from.end(), bytes.length);
            assertThat(feed(resumed, rest, from.end(), c)).as("resumed after line " + i)
                    .containsExactlyElementsOf(all.subList(i + 1, all.size()));
        }
    }

    @Test
    void aLineOfExactlyTheLimitEndedByCrlfStaysWhole() throws IOException {
        LineSplitter splitter = new LineSplitter(16, true, StandardCharsets.UTF_8, new TailerStats(), 0, false, 0,
                true, 0, false);
        List<Out> out = new ArrayList<>();
        splitter.consume(ByteBuffer.wrap(utf8("x".repeat(16) + "\r\n")), 10, 1 << 20, sink(splitter, out));
        assertThat(out).extracting(Out::text, Out::part).containsExactly(org.assertj.core.groups.Tuple.tuple(
                "x".repeat(16), null));
    }

    /** Feeds {@code bytes} (which start at {@code offset}) in the case's chunks and line budgets. */
    private static List<Out> feed(LineSplitter splitter, byte[] bytes, long offset, Case c) throws IOException {
        List<Out> out = new ArrayList<>();
        LineSplitter.LineSink sink = sink(splitter, out);
        int at = 0;
        int round = 0;
        while (at < bytes.length) {
            int size = Math.min(bytes.length - at, c.chunks().get(round % c.chunks().size()));
            ByteBuffer chunk = ByteBuffer.wrap(bytes, at, size).slice();
            if (!c.viaArray()) {
                chunk = chunk.asReadOnlyBuffer(); // no array: every byte through the byte loop
            }
            while (chunk.hasRemaining()) {
                int budget = c.lineBudgets().get(round++ % c.lineBudgets().size());
                int before = out.size();
                splitter.consume(chunk, budget, 1 << 20, sink);
                assertThat(out.size() - before).as("at most the line budget").isLessThanOrEqualTo(budget);
            }
            at += size;
        }
        assertThat(splitter.readPosition()).isEqualTo(offset + bytes.length);
        return out;
    }

    private static LineSplitter.LineSink sink(LineSplitter splitter, List<Out> out) {
        return (start, end, text, part, partial, partAfter, skipAfter) ->
                out.add(new Out(start, end, text, part, partial, partAfter, skipAfter, splitter.crc()));
    }

    /**
     * What the splitter must emit: a line of at most the limit whole; a longer one cut into the longest runs of
     * whole characters that fit ("1", "2", ..., "n/n"), or its first such run kept ("truncated") and the rest skipped.
     */
    private static List<Out> model(Case c) {
        List<Out> out = new ArrayList<>();
        long position = 0;
        for (int i = 0; i < c.texts().size(); i++) {
            String text = c.texts().get(i);
            int terminator = utf8(c.terminators().get(i)).length;
            boolean partial = terminator == 0;
            long end = position + utf8(text).length + terminator;
            List<String> parts = cut(text, c.limit());
            if (parts.size() == 1) {
                out.add(new Out(position, end, text, null, partial, 0, false, 0));
            } else if (!c.split()) {
                String kept = parts.get(0);
                out.add(new Out(position, position + utf8(kept).length, kept, "truncated", false, 0, true, 0));
            } else {
                long start = position;
                for (int k = 1; k <= parts.size(); k++) {
                    String part = parts.get(k - 1);
                    boolean last = k == parts.size();
                    long partEnd = last ? end : start + utf8(part).length;
                    out.add(new Out(start, partEnd, part, last ? k + "/" + k : String.valueOf(k), last && partial,
                            last ? 0 : k, false, 0));
                    start = partEnd;
                }
            }
            position = end;
        }
        return out;
    }

    /** The longest runs of whole characters of at most {@code limit} UTF-8 bytes, while more than that is left. */
    private static List<String> cut(String text, int limit) {
        List<String> parts = new ArrayList<>();
        String rest = text;
        while (utf8(rest).length > limit) {
            int end = 0;
            int bytes = 0;
            while (true) {
                int next = rest.offsetByCodePoints(end, 1);
                int width = utf8(rest.substring(end, next)).length;
                if (bytes + width > limit) {
                    break;
                }
                bytes += width;
                end = next;
            }
            parts.add(rest.substring(0, end));
            rest = rest.substring(end);
        }
        parts.add(rest);
        return parts;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
