package io.lokiconnect.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loki's 400 bodies, built with the format strings of Loki's source word for word (pkg/validation/validate.go,
 * pkg/distributor/validator.go, pkg/ingester/stream.go, pkg/util/errors.go GroupedErrors; 2.9 and 3.x), matched to
 * the entries they name.
 */
class RejectionsTest {

    private static final LabelSet API = LabelSet.of(Map.of("job", "kafka-logs", "service", "api"));
    private static final LabelSet DB = LabelSet.of(Map.of("job", "kafka-logs", "service", "db"));
    private static final long NOW = 1_764_000_000_000_000_000L;
    /** 2020-09-13T12:26:40.5Z */
    private static final long OLD = 1_600_000_000_500_000_000L;

    private final LokiEntry fresh = new LokiEntry(API, NOW, "fresh", Map.of(), null);
    private final LokiEntry old = new LokiEntry(API, OLD, "old", Map.of(), null);
    private final LokiEntry oldToo = new LokiEntry(API, OLD + 1, "old too", Map.of(), null);
    private final LokiEntry longLine = new LokiEntry(DB, NOW, "é".repeat(150), Map.of(), null);
    private final LokiEntry other = new LokiEntry(DB, NOW + 1, "other", Map.of("trace_id", "t"), null);

    private LokiBatch batch() {
        return TestBatches.of(fresh, old, oldToo, longLine, other);
    }

    private static String api() {
        return API.text();
    }

    // --- distributor (pkg/validation/validate.go messages) --------------------------------------------------

    /** GreaterThanMaxSampleAgeErrorMsg with validator.go's RFC 3339 times: both entries of that second. */
    @Test
    void tooOldNamesTheEntriesOfItsSecondUpToLokisCount() {
        String oneMessage = "entry for stream '" + api() + "' has timestamp too old: 2020-09-13T12:26:40Z, "
                + "oldest acceptable timestamp is: 2026-11-18T00:00:00Z";
        // Loki 2.9 / a single error: one entry of that second, the oldest.
        assertThat(Rejections.refused(batch(), oneMessage)).containsOnlyKeys(old);
        // Loki 3: GroupedErrors "2 errors like: ..." for two entries of the same second.
        assertThat(Rejections.refused(batch(), "2 errors like: " + oneMessage)).containsOnlyKeys(old, oldToo);
    }

    /** TooFarInFutureErrorMsg. */
    @Test
    void tooNewIsMatchedByItsSecond() {
        String body = "entry for stream '" + api() + "' has timestamp too new: "
                + Instant.ofEpochSecond(NOW / 1_000_000_000L);
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(fresh);
    }

    /** LineTooLongErrorMsg (3.x "Max", older "max"); the length is in UTF-8 bytes (150 x é = 300 bytes). */
    @Test
    void lineTooLongIsMatchedByStreamAndUtf8Length() {
        for (String max : new String[] {"Max", "max"}) {
            String body = max + " entry size '256' bytes exceeded for stream '" + DB.text()
                    + "' while adding an entry with length '300' bytes";
            assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(longLine);
        }
        String wrongLength = "Max entry size '256' bytes exceeded for stream '" + DB.text()
                + "' while adding an entry with length '150' bytes";
        assertThat(Rejections.refused(batch(), wrongLength)).isEmpty();
    }

    /** Loki 3 joins distinct messages with "; ", each with its count. */
    @Test
    void groupedErrorsOfLoki3AreEachMatched() {
        String body = "1 errors like: Max entry size '256' bytes exceeded for stream '" + DB.text()
                + "' while adding an entry with length '300' bytes; 2 errors like: entry for stream '" + api()
                + "' has timestamp too old: 2020-09-13T12:26:40Z, oldest acceptable timestamp is: 2026-11-18T00:00:00Z";
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(longLine, old, oldToo);
    }

    /** Label errors (LabelValueTooLongErrorMsg, MaxLabelNamesPerSeriesErrorMsg, ...) refuse the whole stream. */
    @Test
    void labelErrorsRefuseEveryEntryOfTheStream() {
        assertThat(Rejections.refused(batch(), "stream '" + api() + "' has label value too long: 'x'"))
                .containsOnlyKeys(fresh, old, oldToo);
        assertThat(Rejections.refused(batch(), "entry for stream '" + DB.text() + "' has 16 label names; limit 15"))
                .containsOnlyKeys(longLine, other);
        assertThat(Rejections.refused(batch(), "stream '" + DB.text() + "' has duplicate label name: 'job'"))
                .containsOnlyKeys(longLine, other);
        assertThat(Rejections.refused(batch(), "Error parsing labels '" + DB.text() + "' with error: 1:2: parse error"))
                .containsOnlyKeys(longLine, other);
        assertThat(Rejections.refused(batch(), "missing required labels team for user fake for stream " + DB.text()))
                .containsOnlyKeys(longLine, other);
    }

    /** DisallowedStructuredMetadataErrorMsg names entries carrying metadata. */
    @Test
    void structuredMetadataErrorsNameEntriesWithMetadata() {
        String body = "stream '" + DB.text() + "' includes structured metadata, but this feature is disallowed. "
                + "Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it.";
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(other);
    }

    // --- Loki 3: labels printed as stored (service_name added) ------------------------------------------------

    /** The text of {@code labels} with service_name added, as Loki 3's labels.String() prints it (sorted). */
    private static String withServiceName(LabelSet labels, String serviceName) {
        java.util.Map<String, String> printed = new java.util.TreeMap<>(labels.asMap());
        printed.put("service_name", serviceName);
        return LabelSet.of(printed).text();
    }

    /**
     * Loki 3 (discover_service_name, on by default) prints the stream with service_name; a match by text found
     * nothing and the split that followed sent stored entries again. Matched by label set, every message kind.
     */
    @Test
    void loki3BodiesWithServiceNameAreMatchedByLabelSet() {
        String api = withServiceName(API, "api");
        String db = withServiceName(DB, "db");
        assertThat(Rejections.refused(batch(), "2 errors like: entry for stream '" + api + "' has timestamp too old: "
                + "2020-09-13T12:26:40Z, oldest acceptable timestamp is: 2026-11-18T00:00:00Z"))
                .containsOnlyKeys(old, oldToo);
        assertThat(Rejections.refused(batch(), "1 errors like: Max entry size '256' bytes exceeded for stream '" + db
                + "' while adding an entry with length '300' bytes")).containsOnlyKeys(longLine);
        assertThat(Rejections.refused(batch(), "entry with timestamp 2020-09-13 12:26:40.5 +0000 UTC ignored, "
                + "reason: 'entry too far behind, entry timestamp is: 2020-09-13T12:26:40Z, oldest acceptable "
                + "timestamp is: 2026-11-25T09:00:00Z',\nuser 'fake', total ignored: 1 out of 3 for stream: " + api))
                .containsOnlyKeys(old);
        assertThat(Rejections.refused(batch(), "missing required labels team for user fake for stream " + db))
                .containsOnlyKeys(longLine, other);
        // unknown_service when no label Loki looks at exists, and a shard label of stream sharding.
        java.util.Map<String, String> sharded = new java.util.TreeMap<>(API.asMap());
        sharded.put("service_name", "unknown_service");
        sharded.put("__stream_shard__", "1");
        assertThat(Rejections.refused(batch(), "stream '" + LabelSet.of(sharded).text()
                + "' has label value too long: 'x'")).containsOnlyKeys(fresh, old, oldToo);
    }

    /** A service_name the sink sent itself is compared like any label: a different value is another stream. */
    @Test
    void aServiceNameTheSinkSentMustMatchItsValue() {
        LabelSet withName = LabelSet.of(Map.of("job", "kafka-logs", "service_name", "api"));
        LokiEntry entry = new LokiEntry(withName, OLD, "x", Map.of(), null);
        LokiBatch batch = TestBatches.of(entry);
        String tooOld = "' has timestamp too old: 2020-09-13T12:26:40Z, oldest acceptable timestamp is: "
                + "2026-11-18T00:00:00Z";
        assertThat(Rejections.refused(batch, "entry for stream '" + withName.text() + tooOld)).containsOnlyKeys(entry);
        assertThat(Rejections.refused(batch, "entry for stream '{job=\"kafka-logs\", service_name=\"db\"}" + tooOld))
                .isEmpty();
        // A printed set with a label the sink did not send, other than Loki's own, is another stream.
        assertThat(Rejections.refused(batch(), "entry for stream '" + withServiceName(API, "api").replace("}",
                ", zone=\"eu\"}") + tooOld)).isEmpty();
    }

    /** Loki's cut-off for "too new" falls inside the second too: the newest entries of it are the refused ones. */
    @Test
    void tooNewNamesTheNewestEntriesOfItsSecond() {
        LokiEntry early = new LokiEntry(API, NOW, "early", Map.of(), null);
        LokiEntry late = new LokiEntry(API, NOW + 900_000_000L, "late", Map.of(), null);
        LokiEntry middle = new LokiEntry(API, NOW + 400_000_000L, "middle", Map.of(), null);
        LokiBatch batch = TestBatches.of(early, late, middle);
        String body = "entry for stream '" + withServiceName(API, "api") + "' has timestamp too new: "
                + Instant.ofEpochSecond(NOW / 1_000_000_000L);
        assertThat(Rejections.refused(batch, body)).containsOnlyKeys(late);
        assertThat(Rejections.refused(batch, "2 errors like: " + body)).containsOnlyKeys(late, middle);
        // "too old" of the same second still names the oldest.
        String tooOld = "2 errors like: entry for stream '" + API.text() + "' has timestamp too old: "
                + Instant.ofEpochSecond(NOW / 1_000_000_000L) + ", oldest acceptable timestamp is: x";
        assertThat(Rejections.refused(batch, tooOld)).containsOnlyKeys(early, middle);
    }

    // --- ingester (pkg/ingester/stream.go) ---------------------------------------------------------------------

    /** Loki 2.9 / 3.x: no "for stream:" on the entry line; the stream is on the closing line. */
    @Test
    void tooFarBehindOfLoki3IsMatchedByExactTime() {
        String body = "entry with timestamp 2020-09-13 12:26:40.5 +0000 UTC ignored, reason: 'entry too far behind, "
                + "entry timestamp is: 2020-09-13T12:26:40Z, oldest acceptable timestamp is: 2026-11-25T09:00:00Z',\n"
                + "user 'fake', total ignored: 1 out of 3 for stream: " + api();
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(old);
    }

    @Test
    void outOfOrderOfLoki29IsMatched() {
        String body = "entry with timestamp 2020-09-13 12:26:40.500000001 +0000 UTC ignored, reason: 'entry out of order',\n"
                + "user 'fake', total ignored: 1 out of 3 for stream: " + api();
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(oldToo);
    }

    /** Go prints the zone of the process: the offset counts. */
    @Test
    void goTimesInOtherZonesAreConverted() {
        String body = "entry with timestamp 2020-09-13 14:26:40.5 +0200 CEST ignored, reason: 'entry out of order',\n"
                + "user 'fake', total ignored: 1 out of 3 for stream: " + api();
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(old);
    }

    /** Older Lokis (2.7): "for stream:" on each entry line and no user on the closing line. */
    @Test
    void outOfOrderOfOlderLokiIsMatched() {
        String body = "entry with timestamp 2020-09-13 12:26:40.5 +0000 UTC ignored, reason: 'entry out of order' "
                + "for stream: " + api() + ",\ntotal ignored: 1 out of 3";
        assertThat(Rejections.refused(batch(), body)).containsOnlyKeys(old);
    }

    /**
     * An entry line whose reason starts inside "entry with timestamp " (no time between them) names nothing; it
     * threw StringIndexOutOfBoundsException, which ended the sender thread with the batch unsettled.
     */
    @Test
    void anEntryLineWithoutATimeNamesNothing() {
        for (String line : new String[] {"entry with timestamp ignored, reason: 'x',",
                "entry with timestamp  ignored, reason: 'x',", "entry with timestamp ignored, reason: '',"}) {
            String body = line + "\nuser 'fake', total ignored: 1 out of 3 for stream: " + api();
            assertThat(Rejections.refused(batch(), body)).as(line).isEmpty();
        }
    }

    // --- what is not named -------------------------------------------------------------------------------------

    @Test
    void aBodyThatNamesNoEntryNamesNothing() {
        assertThat(Rejections.refused(batch(), "1:5: parse error: unexpected character inside braces: '-'")).isEmpty();
        assertThat(Rejections.refused(batch(), "")).isEmpty();
        assertThat(Rejections.refused(batch(), "entry for stream '{job=\"elsewhere\"}' has timestamp too old: "
                + "2020-09-13T12:26:40Z, oldest acceptable timestamp is: 2026-11-18T00:00:00Z")).isEmpty();
    }

    @Test
    void timesInBothFormsAreParsed() {
        assertThat(Rejections.parseTime("2020-09-13T12:26:40Z")).isEqualTo(Instant.ofEpochSecond(1_600_000_000L));
        assertThat(Rejections.parseTime("2020-09-13T14:26:40+02:00")).isEqualTo(Instant.ofEpochSecond(1_600_000_000L));
        assertThat(Rejections.parseTime("2020-09-13 12:26:40 +0000 UTC")).isEqualTo(Instant.ofEpochSecond(1_600_000_000L));
        assertThat(Rejections.parseTime("2020-09-13 12:26:40.000000007 +0000 UTC"))
                .isEqualTo(Instant.ofEpochSecond(1_600_000_000L, 7));
        assertThat(Rejections.parseTime("yesterday")).isNull();
    }
}
