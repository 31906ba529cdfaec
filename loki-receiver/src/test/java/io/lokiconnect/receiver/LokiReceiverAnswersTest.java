package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loki's answers word for word, from its source (2.9 and 3.x): pkg/validation/validate.go, pkg/ingester/stream.go
 * (errorForFailedEntries), pkg/chunkenc/interface.go (ErrTooFarBehind), pkg/util/errors.go (GroupedErrors), and Go's
 * http.Error (text/plain, one trailing newline).
 */
class LokiReceiverAnswersTest {

    private static final Map<String, String> JOB = Map.of("job", "x");
    /** JOB as Loki 3 names it in its answers: with the service_name it adds (from job, the last label it looks for). */
    private static final String JOB_V3 = "{job=\"x\", service_name=\"x\"}";
    private final long now = System.currentTimeMillis() * 1_000_000L;
    /** A recent time with a fraction, so Go's time.String() shows it. */
    private final long t = (now / 1_000_000_000L - 3_600) * 1_000_000_000L + 123_456_789L;
    private LokiReceiver loki;

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    private static long daysAgo(int days) {
        return (System.currentTimeMillis() / 1000 - days * 86_400L) * 1_000_000_000L;
    }

    @Test
    void everyRefusedPushIsKeptWithItsStatusAndBodyAndAcceptedOnesAreNot() {
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "kept")));
        HttpResponse<String> tooOld = Pushes.protobuf(loki, Stream.of(JOB, new Entry(daysAgo(8), "old")));
        loki.enqueue(LokiReceiver.Answer.status(503));
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 1, "unlucky")));

        assertThat(loki.refusals()).extracting(LokiReceiver.Refusal::status).containsExactly(400, 503);
        assertThat(loki.refusals().get(0).body()).isEqualTo(tooOld.body()).contains("timestamp too old");
        assertThat(loki.refusals().get(1).toString()).contains(" 503 internal server error");
    }

    @Test
    void tooFarBehindIsRefusedByTheIngesterWithoutForStreamOnTheEntryLine() {
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "newest")));
        long behind = t - Duration.ofHours(2).toNanos();
        long cutoff = t - Duration.ofHours(1).toNanos();

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(JOB, new Entry(behind, "late"),
                new Entry(t + 1, "fine")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(answer.body()).isEqualTo("entry with timestamp " + GoText.timeString(behind)
                + " ignored, reason: 'entry too far behind, entry timestamp is: " + GoText.rfc3339(behind)
                + ", oldest acceptable timestamp is: " + GoText.rfc3339(cutoff) + "',\n"
                + "user 'fake', total ignored: 1 out of 2 for stream: " + JOB_V3 + "\n");
        assertThat(answer.body().split("\n")[0]).doesNotContain("for stream");
        assertThat(loki.entries()).extracting(ReceivedEntry::line).containsExactlyInAnyOrder("newest", "fine");
    }

    @Test
    void tooFarBehindInLoki29WordsAndTheTenantFromTheHeader() throws Exception {
        loki.lokiVersion(LokiVersion.V2_9);
        // Streams are the tenant's: the newest entry must be team-a's for team-a's late one to be behind it.
        Pushes.protobuf(loki, "team-a", Stream.of(JOB, new Entry(t, "newest")));
        long behind = t - Duration.ofHours(1).toNanos() - 1;
        long cutoff = t - Duration.ofHours(1).toNanos();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(loki.pushUrl()))
                .header("Content-Type", "application/x-protobuf").header("X-Scope-OrgID", "team-a")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                        Pushes.protobufBody(List.of(Stream.of(JOB, new Entry(behind, "late")))))).build();

        HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.body()).isEqualTo("entry with timestamp " + GoText.timeString(behind)
                + " ignored, reason: 'entry too far behind, oldest acceptable timestamp is: " + GoText.rfc3339(cutoff)
                + "',\nuser 'team-a', total ignored: 1 out of 1 for stream: {job=\"x\"}\n");
    }

    @Test
    void exactlyHalfTheMaxChunkAgeBehindIsStillAccepted() {
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "newest")));
        long cutoff = t - Duration.ofHours(1).toNanos();

        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(cutoff, "at the cutoff"))).statusCode())
                .isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(cutoff - 1, "one below"))).statusCode())
                .isEqualTo(400);
    }

    @Test
    void atMostTenRefusedEntriesAreListedButAllAreCounted() {
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "newest")));
        List<Entry> late = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            late.add(new Entry(t - Duration.ofHours(3).toNanos() + i, "late " + i));
        }

        String body = Pushes.protobuf(loki, Stream.of(JOB, late.toArray(Entry[]::new))).body();

        assertThat(body.split("\n")).hasSize(11);
        assertThat(body).endsWith("user 'fake', total ignored: 12 out of 12 for stream: " + JOB_V3 + "\n");
    }

    /** Loki's instance.Push returns only the last stream's error: an earlier stream's refusal is not told. */
    @Test
    void onlyTheLastStreamsRefusalIsToldAsInLoki() {
        Map<String, String> other = Map.of("job", "other");
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "newest")));
        long behind = t - Duration.ofHours(2).toNanos();

        HttpResponse<String> lastIsFine = Pushes.protobuf(loki, Stream.of(JOB, new Entry(behind, "lost quietly")),
                Stream.of(other, new Entry(t, "fine")));
        HttpResponse<String> lastIsRefused = Pushes.protobuf(loki, Stream.of(other, new Entry(t + 1, "fine too")),
                Stream.of(JOB, new Entry(behind, "refused")));

        assertThat(lastIsFine.statusCode()).isEqualTo(204);
        assertThat(lastIsRefused.statusCode()).isEqualTo(400);
        assertThat(lastIsRefused.body()).contains("for stream: " + JOB_V3);
        assertThat(loki.entries()).extracting(ReceivedEntry::line)
                .containsExactlyInAnyOrder("newest", "fine", "fine too");
    }

    @Test
    void tooOldIsRefusedByTheDistributorAndTheRestIsKept() {
        long old = daysAgo(8);

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(JOB, new Entry(old, "old"),
                new Entry(t, "recent")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).startsWith("entry for stream '" + JOB_V3 + "' has timestamp too old: "
                + GoText.rfc3339(old) + ", oldest acceptable timestamp is: ");
        assertThat(answer.body()).matches("(?s).*oldest acceptable timestamp is: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n");
        assertThat(loki.entries()).extracting(ReceivedEntry::line).containsExactly("recent");
    }

    /** Both group (util.GroupedErrors, in 2.9.0 since grafana/loki#9807); only Loki 3 names the stream with service_name. */
    @Test
    void severalRefusalsAreGroupedAndEachVersionNamesTheStreamItsWay() {
        long old = daysAgo(9);
        long future = now + Duration.ofHours(1).toNanos();
        Stream stream = Stream.of(JOB, new Entry(old, "old"), new Entry(future, "future"), new Entry(future, "again"));

        String v3 = Pushes.protobuf(loki, stream).body();
        loki.lokiVersion(LokiVersion.V2_9);
        String v29 = Pushes.protobuf(loki, stream).body();

        for (String[] version : new String[][] {{v3, JOB_V3}, {v29, "{job=\"x\"}"}}) {
            assertThat(version[0]).startsWith("1 errors like: entry for stream '" + version[1]
                            + "' has timestamp too old: ")
                    .endsWith("; 2 errors like: entry for stream '" + version[1] + "' has timestamp too new: "
                            + GoText.rfc3339(future) + "\n");
        }
        assertThat(loki.entries()).isEmpty();
    }

    @Test
    void lineLengthIsLimitedInUtf8Bytes() {
        int max = LokiReceiver.MAX_LINE_BYTES;
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "a".repeat(max)))).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 1, "a".repeat(max - 1)))).statusCode())
                .isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 2, "\u00e9".repeat(max / 2)))).statusCode())
                .isEqualTo(204);

        HttpResponse<String> above = Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 3, "a".repeat(max + 1))));
        HttpResponse<String> across = Pushes.protobuf(loki, Stream.of(JOB,
                new Entry(t + 4, "a" + "\u00e9".repeat(max / 2))));

        assertThat(above.body()).isEqualTo("Max entry size '262144' bytes exceeded for stream '" + JOB_V3 + "' while "
                + "adding an entry with length '262145' bytes\n");
        assertThat(across.body()).contains("with length '262145' bytes");
        assertThat(loki.entries()).hasSize(3);
    }

    @Test
    void labelLimitsAtAndAboveInLokisWords() {
        Map<String, String> fifteen = new LinkedHashMap<>();
        for (int i = 0; i < 15; i++) {
            fifteen.put("l" + i, "v");
        }
        Map<String, String> sixteen = new LinkedHashMap<>(fifteen);
        sixteen.put("l15", "v");
        Map<String, String> withServiceName = new LinkedHashMap<>(fifteen);
        withServiceName.put("service_name", "s");

        assertThat(Pushes.protobuf(loki, Stream.of(fifteen, new Entry(t, "15"))).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(withServiceName, new Entry(t, "15+1"))).statusCode())
                .isEqualTo(204);
        // Loki 3 names the stream with the service_name it added; it is not counted.
        Map<String, String> sixteenAsNamed = new LinkedHashMap<>(sixteen);
        sixteenAsNamed.put("service_name", "unknown_service");
        assertThat(Pushes.protobuf(loki, Stream.of(sixteen, new Entry(t, "16"))).body())
                .isEqualTo("entry for stream '" + GoText.labels(sixteenAsNamed) + "' has 16 label names; limit 15\n");

        String value = "\u00e9".repeat(1024); // 2048 bytes
        assertThat(Pushes.protobuf(loki, Stream.of(Map.of("app", value), new Entry(t, "at"))).statusCode())
                .isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(Map.of("app", value + "x"), new Entry(t, "above"))).body())
                .isEqualTo("stream '{app=\"" + value + "x\", service_name=\"" + value + "x\"}' has label value too "
                        + "long: '" + value + "x'\n");
    }

    /**
     * Loki 2.9 adds no service_name, counts a service_name sent among the labels, and allows 30 label names
     * ({@code max_label_names_per_series} became 15 in 3.0).
     */
    @Test
    void loki29CountsEveryLabelUpToThirtyAndNamesTheStreamAsSent() {
        loki.lokiVersion(LokiVersion.V2_9);
        Map<String, String> thirty = new LinkedHashMap<>();
        for (int i = 0; i < 29; i++) {
            thirty.put("l" + i, "v");
        }
        thirty.put("service_name", "s");
        Map<String, String> thirtyOne = new LinkedHashMap<>(thirty);
        thirtyOne.put("l29", "v");

        assertThat(Pushes.protobuf(loki, Stream.of(thirty, new Entry(t, "30"))).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(thirtyOne, new Entry(t, "31"))).body())
                .isEqualTo("entry for stream '" + GoText.labels(thirtyOne) + "' has 31 label names; limit 30\n");
        assertThat(loki.entries()).singleElement().extracting(ReceivedEntry::labels).isEqualTo(thirty);
    }

    /** Loki 2.9 has no default {@code max_line_size} (0: no limit); 3.0 made it 256 KB. */
    @Test
    void loki29TakesALineLongerThanLoki3s() {
        loki.lokiVersion(LokiVersion.V2_9);
        int max = LokiReceiver.MAX_LINE_BYTES;
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "a".repeat(max + 1)))).statusCode())
                .isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 1, "\u00e9".repeat(max)))).statusCode())
                .isEqualTo(204);
        assertThat(loki.entries()).hasSize(2);
    }

    /** Loki 2.9 refuses a stream without labels; Loki 3 adds service_name before it validates, so it has one. */
    @Test
    void aStreamWithoutLabelsIsRefusedBy29AndStoredAsUnknownServiceBy3() {
        assertThat(Pushes.protobuf(loki, Stream.ofText("{}", new Entry(t, "a"))).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.ofText("{job=\"\"}", new Entry(t + 1, "b"))).statusCode())
                .isEqualTo(204);
        assertThat(loki.entries()).extracting(ReceivedEntry::labels)
                .containsOnly(Map.of("service_name", "unknown_service"));
        loki.lokiVersion(LokiVersion.V2_9);
        assertThat(Pushes.protobuf(loki, Stream.ofText("{}", new Entry(t + 2, "c"))).body())
                .isEqualTo("error at least one label pair is required per stream\n");
        assertThat(Pushes.protobuf(loki, Stream.ofText("{job=\"\"}", new Entry(t + 3, "d"))).body())
                .isEqualTo("error at least one label pair is required per stream\n");
        assertThat(loki.entries()).hasSize(2);
        assertThat(loki.discarded(DiscardReason.MISSING_LABELS)).isEqualTo(2);
    }

    @Test
    void streamsWithABadLabelNameAreRefusedWhole() {
        assertThat(Pushes.protobuf(loki, Stream.ofText("{a-b=\"c\"}", new Entry(t, "a"))).body())
                .isEqualTo("Error parsing labels '{a-b=\"c\"}' with error: 1:3: parse error: unexpected character "
                        + "inside braces: '-'\n");
        assertThat(Pushes.protobuf(loki, Stream.ofText("{job=\"unterminated}", new Entry(t, "a"))).statusCode())
                .isEqualTo(400);
        assertThat(Pushes.protobuf(loki, Stream.ofText("{job=\"bad \\q escape\"}", new Entry(t, "a"))).statusCode())
                .isEqualTo(400);
        assertThat(loki.entries()).isEmpty();
    }

    /** Loki does not refuse names beginning with __ on push; the sink must not send them (LabelNames). */
    @Test
    void reservedLookingNamesAreStoredAsLokiDoes() {
        assertThat(Pushes.protobuf(loki, Stream.of(Map.of("__x", "y", "job", "j"), new Entry(t, "a"))).statusCode())
                .isEqualTo(204);
        assertThat(loki.entries()).singleElement().extracting(ReceivedEntry::labels)
                .isEqualTo(Map.of("__x", "y", "job", "j", "service_name", "j"));
    }

    @Test
    void aPushWithoutStreamsIsUnprocessableInLoki3() {
        HttpResponse<String> answer = Pushes.protobuf(loki);

        assertThat(answer.statusCode()).isEqualTo(422);
        assertThat(answer.body()).isEqualTo("error at least one valid stream is required for ingestion\n");
    }

    @Test
    void aBodyThatIsNoPushIsA400NotADroppedConnection() {
        assertThat(Pushes.post(loki, "application/x-protobuf", new byte[] {1, 2, 3, 4}).statusCode()).isEqualTo(400);
        assertThat(Pushes.post(loki, "application/json", "{\"streams\":[{\"values\":[[\"x\"]]}]}".getBytes())
                .statusCode()).isEqualTo(400);
    }
}
