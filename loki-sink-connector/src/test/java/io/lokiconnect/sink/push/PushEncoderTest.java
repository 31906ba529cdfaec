package io.lokiconnect.sink.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.PushDecoder;
import io.lokiconnect.receiver.PushDecoder.DecodedEntry;
import io.lokiconnect.receiver.PushDecoder.DecodedStream;
import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class PushEncoderTest {

    private static final LabelSet API = LabelSet.of(Map.of("job", "kafka-logs", "service", "api"));
    private static final LabelSet DB = LabelSet.of(Map.of("job", "kafka-logs", "service", "db"));

    private static LokiBatch batchOf(PushEncoder encoder, LokiEntry... entries) {
        return TestBatches.of(encoder, entries);
    }

    private static LokiEntry entry(LabelSet labels, long nanos, String line) {
        return new LokiEntry(labels, nanos, line, Map.of(), null);
    }

    @Test
    void protobufGroupsEntriesByStreamAndSortsThemByTime() throws Exception {
        ProtobufPushEncoder encoder = new ProtobufPushEncoder();
        LokiBatch batch = batchOf(encoder,
                entry(API, 1_700_000_002_000_000_005L, "second"),
                entry(DB, 1_700_000_001_000_000_000L, "db line"),
                entry(API, 1_700_000_001_123_456_789L, "first"));
        EncodedPush push = encoder.encode(batch);

        assertThat(push.contentType()).isEqualTo("application/x-protobuf");
        assertThat(push.contentEncoding()).isNull();
        List<DecodedStream> decoded = PushDecoder.decode(push.contentType(), push.contentEncoding(), push.body());
        assertThat(decoded).extracting(DecodedStream::labelsText)
                .containsExactly(API.text(), DB.text());
        List<DecodedEntry> api = decoded.get(0).entries();
        assertThat(api).extracting(DecodedEntry::line).containsExactly("first", "second");
        assertThat(api.get(0).timestampNanos()).isEqualTo(1_700_000_001_123_456_789L);
        assertThat(push.uncompressedBytes()).isLessThanOrEqualTo(batch.encodedBytes());
    }

    @Test
    void protobufCarriesStructuredMetadataAndUnicode() throws Exception {
        ProtobufPushEncoder encoder = new ProtobufPushEncoder();
        LokiEntry entry = new LokiEntry(API, 1_000_000_000L, "héllo ✓ \"quoted\"", Map.of("trace_id", "abc123"), null);
        EncodedPush push = encoder.encode(batchOf(encoder, entry));
        DecodedEntry out = PushDecoder.decode(push.contentType(), push.contentEncoding(), push.body())
                .get(0).entries().get(0);
        assertThat(out.line()).isEqualTo("héllo ✓ \"quoted\"");
        assertThat(out.metadata()).containsEntry("trace_id", "abc123");
    }

    @Test
    void protobufSizeEstimateIsExactForTheEntries() {
        ProtobufPushEncoder encoder = new ProtobufPushEncoder();
        LokiBatch batch = batchOf(encoder, entry(API, 5, "a"), entry(API, 6, "bb"), entry(DB, 7, "ccc"));
        int actual = encoder.encode(batch).uncompressedBytes();
        // The batcher's figure is an upper bound: exact for entries, at most 4 bytes high per stream framing.
        assertThat(batch.encodedBytes()).isBetween(actual, actual + 2 * 4);
    }

    @Test
    void jsonWritesLokisStreamsAndValuesShapeGzipped() throws Exception {
        JsonPushEncoder encoder = new JsonPushEncoder(true);
        LokiEntry withMeta = new LokiEntry(API, 1_700_000_000_000_000_001L, "line \"1\"", Map.of("trace_id", "t1"), null);
        EncodedPush push = encoder.encode(batchOf(encoder, withMeta, entry(API, 1_699_999_999_000_000_000L, "line 0")));
        assertThat(push.contentType()).isEqualTo("application/json");
        assertThat(push.contentEncoding()).isEqualTo("gzip");
        String json = new String(new GZIPInputStream(new ByteArrayInputStream(push.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"streams\":[{\"stream\":{\"job\":\"kafka-logs\",\"service\":\"api\"},"
                + "\"values\":[[\"1699999999000000000\",\"line 0\"],"
                + "[\"1700000000000000001\",\"line \\\"1\\\"\",{\"trace_id\":\"t1\"}]]}]}");
        assertThat(push.uncompressedBytes()).isEqualTo(json.length());
    }

    @Test
    void plainJsonIsNotCompressed() {
        JsonPushEncoder encoder = new JsonPushEncoder(false);
        EncodedPush push = encoder.encode(batchOf(encoder, entry(API, 1, "x")));
        assertThat(push.contentEncoding()).isNull();
        assertThat(new String(push.body(), StandardCharsets.UTF_8)).startsWith("{\"streams\":[");
    }

    @Test
    void jsonStringSizeCountsEscapesAndUtf8() {
        assertThat(JsonPushEncoder.jsonStringSize("ab")).isEqualTo(4);
        assertThat(JsonPushEncoder.jsonStringSize("a\"")).isEqualTo(5);
        assertThat(JsonPushEncoder.jsonStringSize("\u0001")).isEqualTo(8);
        assertThat(JsonPushEncoder.jsonStringSize("é✓")).isEqualTo(2 + 2 + 3);
    }
}
