package io.lokiconnect.sink.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * {@link ProtobufPushEncoder} writes its own bytes into a reused array: they must be exactly the bytes protobuf's
 * {@code CodedOutputStream} wrote ({@link CodedOutputStreamPushEncoder}), for any text (lone surrogates included),
 * any time (negative, zero seconds or nanos, Long's limits), metadata, and for pushes one after the other on one
 * thread (the reused buffers must not leak bytes of a larger push into a smaller one).
 */
class ProtobufWireIdentityTest {

    private static final LabelSet API = LabelSet.of(Map.of("job", "kafka-logs", "service", "api"));

    private final ProtobufPushEncoder encoder = new ProtobufPushEncoder();

    @Property(tries = 500)
    void bytesAreThoseOfCodedOutputStream(@ForAll("batches") List<LokiEntry> entries) throws Exception {
        assertIdentical(entries);
    }

    @Test
    void aSmallPushAfterALargeOneOnTheSameThread() throws Exception {
        assertIdentical(List.of(new LokiEntry(API, 5L, "x".repeat(100_000), Map.of(), null)));
        assertIdentical(List.of(new LokiEntry(API, 6L, "y", Map.of("k", "v"), null)));
        assertIdentical(List.of(new LokiEntry(API, 0L, "", Map.of(), null)));
        // above the size of buffers a sender thread keeps, then small again
        assertIdentical(List.of(new LokiEntry(API, 7L, "z".repeat(ProtobufPushEncoder.MAX_KEPT_BUFFER + 1), Map.of(),
                null)));
        assertIdentical(List.of(new LokiEntry(API, 8L, "w", Map.of(), null)));
    }

    @Test
    void varintLimitsOfLengthsAndTimes() throws Exception {
        for (int length : new int[] {0, 1, 127, 128, 129, 16_383, 16_384, 16_385}) {
            assertIdentical(List.of(
                    new LokiEntry(API, Long.MIN_VALUE, "a".repeat(length), Map.of(), null),
                    new LokiEntry(API, -1L, "é".repeat(length / 2) + "a".repeat(length % 2), Map.of(), null),
                    new LokiEntry(API, Long.MAX_VALUE, "\ud834".repeat(Math.min(length, 200)), Map.of(), null)));
        }
    }

    private void assertIdentical(List<LokiEntry> entries) throws Exception {
        LokiBatch batch = batchOf(entries);
        byte[] expected = CodedOutputStreamPushEncoder.encode(batchOf(entries));
        EncodedPush push = encoder.encode(batch);
        assertThat(push.uncompressedBytes()).isEqualTo(expected.length);
        assertThat(Snappy.uncompress(push.body())).isEqualTo(expected);
        assertThat(batch.encodedBytes()).as("the batcher's size of the request").isGreaterThanOrEqualTo(expected.length);
    }

    @Provide
    Arbitrary<List<LokiEntry>> batches() {
        Arbitrary<LabelSet> labels = Arbitraries.of(API, LabelSet.of(Map.of("job", "db")),
                LabelSet.of(Map.of("job", "ünïcode-✓ \ud834")));
        Arbitrary<Long> nanos = Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.of(0L, -1L, 1L, 999_999_999L, 1_000_000_000L, -1_000_000_000L, Long.MIN_VALUE,
                        Long.MAX_VALUE),
                Arbitraries.longs().between(1_600_000_000_000_000_000L, Long.MAX_VALUE));
        // Any char, lone surrogates included: protobuf writes those as '?'.
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().ascii().ofMaxLength(300),
                Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMaxLength(5));
        Arbitrary<Map<String, String>> metadata = Arbitraries.maps(
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8), text).ofMaxSize(3);
        return Combinators.combine(labels, nanos, text, metadata)
                .as((l, ts, line, meta) -> new LokiEntry(l, ts, line, meta, null))
                .list().ofMinSize(1).ofMaxSize(30);
    }

    private LokiBatch batchOf(List<LokiEntry> entries) {
        return TestBatches.of(encoder, entries);
    }
}
