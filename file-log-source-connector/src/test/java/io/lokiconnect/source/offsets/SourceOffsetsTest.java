package io.lokiconnect.source.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.source.model.FileIdentity;
import io.lokiconnect.source.model.ResumePoint;
import io.lokiconnect.source.model.TailedLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/**
 * The offset map of a line is a view over its {@link ResumePoint}: it must be indistinguishable from the
 * {@code HashMap} earlier versions built (same entries, value types, order, JSON bytes through the worker's
 * converter), so offsets stored by either version resume in the other.
 */
class SourceOffsetsTest {

    private static final FileIdentity FILE = new FileIdentity("(dev=803,ino=42)", "/");

    /** The offset as the HashMap of earlier versions built it (with the current checksum key). */
    private static Map<String, Object> legacy(ResumePoint resume, String path) {
        Map<String, Object> offset = new HashMap<>(12);
        offset.put(SourceOffsets.POSITION, resume.position());
        offset.put(SourceOffsets.PATH, path);
        offset.put(SourceOffsets.PARTIAL, resume.partialFlushed());
        offset.put(SourceOffsets.FINGERPRINT, resume.fingerprint());
        offset.put(SourceOffsets.FINGERPRINT_LENGTH, (long) resume.fingerprintLength());
        if (resume.prefixCrcKnown()) {
            offset.put(SourceOffsets.PREFIX_CRC, resume.prefixCrc());
        }
        if (resume.linePart() > 0) {
            offset.put(SourceOffsets.LINE_PART, (long) resume.linePart());
        }
        if (resume.skippingLine()) {
            offset.put(SourceOffsets.LINE_SKIP, true);
        }
        return offset;
    }

    /** The worker's internal offset converter: JSON, schemas off. */
    private static JsonConverter workerConverter() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), false);
        return converter;
    }

    private static Map<String, Object> offset(ResumePoint resume, String path) {
        return SourceOffsets.offset(new TailedLine(FILE, Path.of("/ignored"), 0, "x", null, resume), path);
    }

    @Provide
    Arbitrary<ResumePoint> resumePoints() {
        // Edge values of each field are mixed in by jqwik (0, 1, MAX, MIN for the longs).
        return Combinators.combine(List.of(
                Arbitraries.longs().greaterOrEqual(0).map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.integers().between(0, 1 << 20).map(Object.class::cast),
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.integers().between(0, 3).map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast))).as(v -> new ResumePoint(
                (Long) v.get(0), (Boolean) v.get(1), (Long) v.get(2), (Integer) v.get(3), (Long) v.get(4),
                (Boolean) v.get(5), (Integer) v.get(6), (Boolean) v.get(7)));
    }

    @Provide
    Arbitrary<String> paths() {
        // Any text, multi-byte and JSON-escaped characters included.
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().withChars("/\\\"\u00e9\u20ac\ud83d\ude00 \n").ofMaxLength(12),
                Arbitraries.of("/var/log/app.log", ""));
    }

    @Property(tries = 2000)
    void equalsTheLegacyHashMapInEntriesTypesOrderAndJsonBytes(@ForAll("resumePoints") ResumePoint resume,
                                                              @ForAll("paths") String path) {
        Map<String, Object> view = offset(resume, path);
        Map<String, Object> old = legacy(resume, path);

        assertThat(view).isEqualTo(old);
        assertThat(old).isEqualTo(view);
        assertThat(view.hashCode()).isEqualTo(old.hashCode());
        assertThat(view.size()).isEqualTo(old.size());
        assertThat(view.toString()).as("iteration order").isEqualTo(old.toString());
        assertThat(List.copyOf(view.keySet())).isEqualTo(List.copyOf(old.keySet()));
        for (String key : List.of(SourceOffsets.POSITION, SourceOffsets.PATH, SourceOffsets.PARTIAL,
                SourceOffsets.FINGERPRINT, SourceOffsets.FINGERPRINT_LENGTH, SourceOffsets.PREFIX_CRC,
                SourceOffsets.LINE_PART, SourceOffsets.LINE_SKIP, "other")) {
            assertThat(view.containsKey(key)).as(key).isEqualTo(old.containsKey(key));
            assertThat(view.get(key)).as(key).isEqualTo(old.get(key));
            if (old.get(key) != null) {
                assertThat(view.get(key)).as(key).hasSameClassAs(old.get(key));
            }
        }
        assertThat(view.get(null)).isNull();
        assertThat(view.get(42)).isNull();

        JsonConverter converter = workerConverter();
        byte[] written = converter.fromConnectData("offsets", null, view);
        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(new String(converter.fromConnectData("offsets", null, old), StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> read = (Map<String, Object>) converter.toConnectData("offsets", written).value();
        assertThat(SourceOffsets.parse(read)).isEqualTo(SourceOffsets.parse(old));
        assertThat(SourceOffsets.parse(view)).isEqualTo(SourceOffsets.parse(old));
        assertThat(SourceOffsets.parse(read).orElseThrow().position()).isEqualTo(resume.position());
        if (resume.prefixCrcKnown()) {
            assertThat(SourceOffsets.parse(read)).contains(resume);
        }
        assertThat(SourceOffsets.validate(SourceOffsets.partition(FILE), view)).isEmpty();
        assertThat(SourceOffsets.validate(SourceOffsets.partition(FILE), read)).isEmpty();
    }

    @Test
    void aStoredOffsetOfThePreviousVersionResumesAtItsPositionWithItsCrc64TakenForUnknown() {
        // What the previous version stored, as the worker's converter reads it back (numbers may be Integer).
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("path", "/var/log/app.log");
        stored.put("partial", false);
        stored.put("fingerprint", 123456789L);
        stored.put("fingerprint.length", 1024);
        stored.put("position", 4096);
        stored.put("prefix.crc64", -7L);
        stored.put("line.part", 2);
        // Everything but the checksum, which another algorithm computed: unknown, as in offsets before it existed.
        assertThat(SourceOffsets.parse(stored))
                .contains(new ResumePoint(4096, false, 123456789L, 1024, 0L, false, 2, false));

        stored.put(SourceOffsets.PREFIX_CRC, -7L);
        ResumePoint current = new ResumePoint(4096, false, 123456789L, 1024, -7L, true, 2, false);
        assertThat(SourceOffsets.parse(stored)).as("the current checksum key wins").contains(current);
        assertThat(SourceOffsets.parse(offset(current, "/var/log/app.log"))).contains(current);
        assertThat(offset(current, "/var/log/app.log")).isEqualTo(legacy(current, "/var/log/app.log"))
                .containsEntry("prefix.crc32c.crc32", -7L).doesNotContainKey("prefix.crc64");
    }

    @Test
    void theViewCannotBeChangedByTheWorkerOrAnyoneElse() {
        Map<String, Object> view = offset(new ResumePoint(10, true, 1, 2, 3, true, 1, true), "/a");
        assertThatThrownBy(() -> view.put("position", 0L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.remove("position")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(view::clear).isInstanceOf(UnsupportedOperationException.class);
        Iterator<Map.Entry<String, Object>> entries = view.entrySet().iterator();
        Map.Entry<String, Object> first = entries.next();
        assertThatThrownBy(() -> first.setValue(1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(entries::remove).isInstanceOf(UnsupportedOperationException.class);
        assertThat(view).hasSize(8).containsEntry("position", 10L).containsEntry("line.skip", true);
    }

    @Test
    void anUnknownChecksumIsLeftOutAsBefore() {
        Map<String, Object> view = offset(ResumePoint.at(7, 99, false), "/a");
        assertThat(view).doesNotContainKey(SourceOffsets.PREFIX_CRC).doesNotContainKey(SourceOffsets.LINE_PART)
                .doesNotContainKey(SourceOffsets.LINE_SKIP).hasSize(5);
        assertThat(SourceOffsets.parse(view).orElseThrow().prefixCrcKnown()).isFalse();
    }

    @Test
    void theEventPartAndAnArchiveReadWholeSurviveTheRoundTripAndOldOffsetsLackThem() {
        io.lokiconnect.source.model.ResumePoint point = new io.lokiconnect.source.model.ResumePoint(10, false, 1, 2, 3,
                true, 0, false, 4, true);
        io.lokiconnect.source.model.TailedLine line = new io.lokiconnect.source.model.TailedLine(
                new io.lokiconnect.source.model.FileIdentity("k"), java.nio.file.Path.of("/x"), 0, "t", null, point);
        java.util.Map<String, Object> offset = new java.util.HashMap<>(SourceOffsets.offset(line));
        assertThat(offset).containsEntry("event.part", 4L).containsEntry("archive.done", true);
        assertThat(SourceOffsets.parse(offset)).contains(point);
        io.lokiconnect.source.model.ResumePoint plain = new io.lokiconnect.source.model.ResumePoint(10, false, 1, 2, 3, true, 0, false);
        assertThat(SourceOffsets.offset(new io.lokiconnect.source.model.TailedLine(line.identity(), line.path(), 0,
                "t", null, plain))).doesNotContainKeys("event.part", "archive.done");
    }

    @Test
    void theTruncationWhoseCopyIsLookedForSurvivesTheRoundTripAndIsLeftOutWhenThereIsNone() {
        ResumePoint point = ResumePoint.at(10, 3, true).withCopySource(new long[] {4096, -7});
        Map<String, Object> offset = new java.util.HashMap<>(offset(point, "/x"));
        assertThat(offset).containsEntry(SourceOffsets.COPY_SOURCE_POSITION, 4096L)
                .containsEntry(SourceOffsets.COPY_SOURCE_CRC, -7L).hasSize(8);
        assertThat(SourceOffsets.parse(offset)).contains(point);
        assertThat(SourceOffsets.parse(offset).orElseThrow().copySource()).containsExactly(4096, -7);
        assertThat(offset(ResumePoint.at(10, 3, true), "/x"))
                .doesNotContainKeys(SourceOffsets.COPY_SOURCE_POSITION, SourceOffsets.COPY_SOURCE_CRC);
        // A position without its checksum (an offset edited by hand) is no truncation to look for.
        offset.remove(SourceOffsets.COPY_SOURCE_CRC);
        assertThat(SourceOffsets.parse(offset).orElseThrow().copySource()).isNull();
    }

    @Test
    void lookupAsksOnceForTheCurrentPartitionsAndOnceForTheLegacyOnesOfFilesWithout() {
        io.lokiconnect.source.model.FileIdentity a = new io.lokiconnect.source.model.FileIdentity("(dev=1,ino=1)", "/");
        io.lokiconnect.source.model.FileIdentity b = new io.lokiconnect.source.model.FileIdentity("(dev=1,ino=2)", "/");
        java.util.Map<java.util.Map<String, Object>, java.util.Map<String, Object>> store = new java.util.HashMap<>();
        store.put(SourceOffsets.partition(a), java.util.Map.of("position", 5));
        store.put(SourceOffsets.legacyPartition("h", b), java.util.Map.of("position", 7L));
        java.util.List<Integer> calls = new java.util.ArrayList<>();
        var found = SourceOffsets.lookup(java.util.List.of(a, b), "h", partitions -> {
            calls.add(partitions.size());
            java.util.Map<java.util.Map<String, Object>, java.util.Map<String, Object>> out = new java.util.HashMap<>();
            partitions.forEach(p -> out.put(p, store.get(p)));
            return out;
        });
        assertThat(calls).containsExactly(2, 1);
        assertThat(found.get(a).position()).isEqualTo(5);
        assertThat(found.get(b).position()).isEqualTo(7);
    }

    /** DELETE /connectors/<name>/offsets resets every partition, the one that stores start.position=end too. */
    @Test
    void theStartPositionPartitionCanBeResetOrAltered() {
        assertThat(SourceOffsets.validate(SourceOffsets.START_POSITION_PARTITION, null)).isEmpty();
        assertThat(SourceOffsets.validate(SourceOffsets.START_POSITION_PARTITION, SourceOffsets.START_POSITION_OFFSET))
                .isEmpty();
        assertThat(SourceOffsets.validate(java.util.Map.of("start.position", "x"), null)).isPresent();
    }
}
