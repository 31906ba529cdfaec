package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-stream rate limit (ingester, {@code stream.go} {@code validateEntries}) and the tenant's ingestion limit
 * (distributor, {@code distributor.go} {@code Push}), at their limits, one byte below and above, with multi-byte
 * characters across them, in Loki's words. The limiters' clock is the test's: refills are exact.
 */
class LokiReceiverRateLimitsTest {

    private static final Map<String, String> JOB = Map.of("job", "x");
    private static final String JOB_V3 = "{job=\"x\", service_name=\"x\"}";
    private static final long SECOND = 1_000_000_000L;
    private static final String STREAM_RATE_TAIL = ", consider splitting a stream via additional labels or contact "
            + "your Loki administrator to see if the limit can be increased";
    private static final String TENANT_RATE_TAIL = " bytes, reduce log volume or contact your Loki administrator to "
            + "see if the limit can be increased\n";

    private final AtomicLong clock = new AtomicLong(42 * SECOND);
    /** A recent time with a fraction, so Go's time.String() shows it. */
    private final long t = (System.currentTimeMillis() / 1000 - 600) * 1_000_000_000L + 123_456_789L;
    private LokiReceiver loki;

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty(), clock::get);
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    /** {@code n} entries of {@code bytes} ASCII bytes each, one nanosecond apart from {@code start}. */
    private static List<Entry> sized(long start, int n, int bytes) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String prefix = "e" + i + "-";
            entries.add(new Entry(start + i, prefix + "a".repeat(bytes - prefix.length())));
        }
        return entries;
    }

    private static Stream stream(Map<String, String> labels, List<Entry> entries) {
        return Stream.of(labels, entries.toArray(Entry[]::new));
    }

    private static List<Entry> plus(List<Entry> entries, Entry... more) {
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(List.of(more));
        return all;
    }

    // --- the per-stream limit, Loki 2.9: entry by entry, what fits is stored ---

    @Test
    void loki29PerStreamLimitAtTheBurstStoresEverything() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);

        assertThat(Pushes.protobuf(loki, stream(JOB, sized(t, 10, 100))).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).hasSize(10);
    }

    @Test
    void loki29PerStreamLimitOneByteBelowLeavesOneByte() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);

        assertThat(Pushes.protobuf(loki, stream(JOB, plus(sized(t, 9, 100), new Entry(t + 9, "b".repeat(99)))))
                .statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 10, "c"))).statusCode()).isEqualTo(204);
        HttpResponse<String> over = Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 11, "d")));

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(loki.entries()).hasSize(11);
    }

    /** One byte above: the entries that fit are stored, the last is refused with Loki's 429 body. */
    @Test
    void loki29PerStreamLimitOneByteAboveRefusesTheEntryThatDoesNotFitInLokisWords() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);

        HttpResponse<String> answer = Pushes.protobuf(loki, stream(JOB, plus(sized(t, 10, 100),
                new Entry(t + 10, "z"))));

        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(answer.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(answer.body()).isEqualTo("entry with timestamp " + GoText.timeString(t + 10) + " ignored, reason: "
                + "'Per stream rate limit exceeded (limit: 100B/sec) while attempting to ingest for stream "
                + "'{job=\"x\"}' totaling 1B" + STREAM_RATE_TAIL + "',\n"
                + "user 'fake', total ignored: 1 out of 11 for stream: {job=\"x\"}\n");
        assertThat(loki.entries()).hasSize(10).noneMatch(e -> e.line().equals("z"));
        assertThat(loki.discarded(DiscardReason.PER_STREAM_RATE_LIMIT)).isEqualTo(1);
        assertThat(loki.silentlyDropped()).isEmpty();
    }

    /** Bytes, not characters: 998 + one two-byte character is at the burst, 999 + one is across it. */
    @Test
    void loki29PerStreamLimitCountsUtf8BytesAcrossTheBurst() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);
        String at = "a".repeat(998) + "\u00e9";
        String across = "a".repeat(999) + "\u00e9";

        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, at))).statusCode()).isEqualTo(204);
        clock.addAndGet(3_600 * SECOND);
        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(Map.of("job", "y"), new Entry(t, across)));

        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(answer.body()).contains("totaling 1001B");
        // More than the burst is refused whatever the wait.
        clock.addAndGet(3_600 * SECOND);
        assertThat(Pushes.protobuf(loki, Stream.of(Map.of("job", "y"), new Entry(t, across))).statusCode())
                .isEqualTo(429);
        assertThat(loki.entries()).extracting(ReceivedEntry::line).containsExactly(at);
    }

    @Test
    void perStreamTokensComeBackAtTheRate() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);
        Pushes.protobuf(loki, stream(JOB, sized(t, 10, 100)));

        clock.addAndGet(SECOND / 2);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 100, "f".repeat(51)))).statusCode())
                .isEqualTo(429);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 101, "g".repeat(50)))).statusCode())
                .isEqualTo(204);
        clock.addAndGet(SECOND);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 102, "h".repeat(100)))).statusCode())
                .isEqualTo(204);
        assertThat(loki.entries()).hasSize(12);
    }

    /** Each stream has its own bucket: another stream is not slowed by a spent one. */
    @Test
    void perStreamBucketsAreTheStreamsOwn() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);
        Pushes.protobuf(loki, stream(JOB, sized(t, 10, 100)));

        assertThat(Pushes.protobuf(loki, stream(Map.of("job", "other"), sized(t, 10, 100))).statusCode())
                .isEqualTo(204);
        assertThat(Pushes.protobuf(loki, "team-b", stream(JOB, sized(t, 10, 100))).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).hasSize(30);
    }

    /** The limit is checked before the window: an entry too far behind has used its tokens (stream.go). */
    @Test
    void anEntryTooFarBehindUsesItsTokensFirst() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "newest")));
        long behind = t - Duration.ofHours(2).toNanos();

        HttpResponse<String> late = Pushes.protobuf(loki, stream(JOB, sized(behind, 9, 100)));
        HttpResponse<String> after = Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 1, "q".repeat(100))));

        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(after.statusCode()).isEqualTo(429);
        assertThat(after.body()).contains("totaling 100B");
    }

    /**
     * errorForFailedEntries: the status is the last refused entry's. Rate limited then too far behind is a 400 that
     * lists both.
     */
    @Test
    void theStatusIsTheLastRefusedEntrysAndTheBodyListsEveryKind() {
        loki.lokiVersion(LokiVersion.V2_9);
        loki.perStreamRateLimit(100, 1_000);
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "newest")));
        long behind = t - Duration.ofHours(2).toNanos();

        HttpResponse<String> answer = Pushes.protobuf(loki, stream(JOB, plus(sized(t + 1, 10, 99),
                new Entry(t + 20, "r".repeat(100)), new Entry(behind, "late"))));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("reason: 'Per stream rate limit exceeded (limit: 100B/sec)")
                .contains("reason: 'entry too far behind, oldest acceptable timestamp is: ")
                .endsWith("total ignored: 2 out of 12 for stream: {job=\"x\"}\n");
    }

    // --- the per-stream limit, Loki 3: shard_streams on, a stream's part of a push is taken or refused whole ---

    @Test
    void loki3PerStreamLimitAtTheBurstStoresEverything() {
        loki.perStreamRateLimit(100, 1_000);

        assertThat(Pushes.protobuf(loki, stream(JOB, sized(t, 10, 100))).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).hasSize(10);
    }

    @Test
    void loki3PerStreamLimitOneByteBelowThenAboveRefusesTheWholePush() {
        loki.perStreamRateLimit(100, 1_000);

        assertThat(Pushes.protobuf(loki, stream(JOB, plus(sized(t, 9, 100), new Entry(t + 9, "b".repeat(99)))))
                .statusCode()).isEqualTo(204);
        HttpResponse<String> over = Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 10, "c"),
                new Entry(t + 11, "d")));

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).endsWith("total ignored: 2 out of 2 for stream: " + JOB_V3 + "\n");
        assertThat(loki.entries()).hasSize(10);
    }

    @Test
    void loki3PerStreamLimitOneByteAboveStoresNothingOfTheStreamAndListsEveryEntry() {
        loki.perStreamRateLimit(100, 1_000);

        HttpResponse<String> answer = Pushes.protobuf(loki, stream(JOB, plus(sized(t, 10, 100),
                new Entry(t + 10, "z"))));

        assertThat(answer.statusCode()).isEqualTo(429);
        String[] lines = answer.body().split("\n");
        assertThat(lines).hasSize(11); // 10 listed (max_returned_stream_errors), then the total
        assertThat(lines[0]).isEqualTo("entry with timestamp " + GoText.timeString(t) + " ignored, reason: 'Per "
                + "stream rate limit exceeded (limit: 100B/sec) while attempting to ingest for stream '" + JOB_V3
                + "' totaling 100B" + STREAM_RATE_TAIL + "',");
        assertThat(lines[10]).isEqualTo("user 'fake', total ignored: 11 out of 11 for stream: " + JOB_V3);
        assertThat(loki.entries()).isEmpty();
        assertThat(loki.discarded(DiscardReason.PER_STREAM_RATE_LIMIT)).isEqualTo(11);
    }

    /** Loki 3.3+ charges structured metadata too: 90 line bytes and 10 metadata bytes fill a 100-byte burst. */
    @Test
    void loki3CountsStructuredMetadataAndLoki29DoesNot() {
        loki.perStreamRateLimit(10, 100);
        Entry withMetadata = new Entry(t, "m".repeat(90), Map.of("k", "\u00e9".repeat(4) + "a")); // 1 + 9 bytes
        Entry oneMore = new Entry(t + 1, "n");

        assertThat(Pushes.json(loki, Stream.of(JOB, withMetadata)).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, oneMore)).statusCode()).isEqualTo(429);

        loki.lokiVersion(LokiVersion.V2_9);
        Map<String, String> other = Map.of("job", "v29");
        assertThat(Pushes.protobuf(loki, Stream.of(other, withMetadata)).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(other, oneMore)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).hasSize(3);
    }

    @Test
    void shardStreamsCanBeSetAgainstTheVersion() {
        loki.perStreamRateLimit(100, 1_000);
        loki.shardStreams(false);

        assertThat(Pushes.protobuf(loki, stream(JOB, plus(sized(t, 10, 100), new Entry(t + 10, "z"))))
                .statusCode()).isEqualTo(429);
        assertThat(loki.entries()).hasSize(10);
    }

    /** Loki's defaults: 15 MB of burst fit at once, one 256 KB line more is refused as over 3MB/sec. */
    @Test
    void theDefaultPerStreamLimitIs3MBPerSecondWithA15MBBurst() {
        loki.ingestionRateLimit(LokiRateLimiter.UNLIMITED, LokiRateLimiter.UNLIMITED);
        assertThat(LokiReceiver.PER_STREAM_RATE_LIMIT_BYTES).isEqualTo(3_145_728L);
        assertThat(LokiReceiver.PER_STREAM_RATE_LIMIT_BURST_BYTES).isEqualTo(15_728_640L);
        int line = 256 * 1024;
        for (int i = 0; i < 6; i++) {
            assertThat(Pushes.protobuf(loki, stream(JOB, sized(t + i * 100L, 10, line))).statusCode())
                    .isEqualTo(204);
        }
        HttpResponse<String> over = Pushes.protobuf(loki, stream(JOB, sized(t + 1_000, 1, line)));

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("(limit: 3MB/sec) while attempting to ingest for stream '" + JOB_V3
                + "' totaling 256KB");
        assertThat(loki.entries()).hasSize(60);
    }

    // --- the tenant's ingestion limit: a push is taken or refused whole ---

    @Test
    void ingestionLimitAtTheBurstOneBelowAndOneAbove() {
        loki.ingestionRateLimit(100, 1_000);

        assertThat(Pushes.protobuf(loki, stream(JOB, plus(sized(t, 9, 100), new Entry(t + 9, "b".repeat(99)))))
                .statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(Map.of("job", "y"), new Entry(t + 10, "c"))).statusCode())
                .isEqualTo(204);
        HttpResponse<String> over = Pushes.protobuf(loki, Stream.of(Map.of("job", "z"), new Entry(t + 11, "d")));

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).isEqualTo("Ingestion rate limit exceeded for user fake (limit: 100 bytes/sec) while "
                + "attempting to ingest '1' lines totaling '1'" + TENANT_RATE_TAIL);
        assertThat(loki.entries()).hasSize(11);
        assertThat(loki.discarded(DiscardReason.RATE_LIMITED)).isEqualTo(1);
        assertThat(loki.silentlyDropped()).isEmpty();
    }

    /** A push above the burst is refused whole, every time, whatever the wait; streams do not matter. */
    @Test
    void aPushAboveTheIngestionBurstIsRefusedWholeForever() {
        loki.ingestionRateLimit(100, 1_000);
        Stream a = stream(JOB, sized(t, 5, 100));
        Stream b = stream(Map.of("job", "y"), plus(sized(t, 4, 100), new Entry(t + 4, "w".repeat(101))));

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = Pushes.protobuf(loki, a, b);
            assertThat(answer.statusCode()).isEqualTo(429);
            assertThat(answer.body()).contains("while attempting to ingest '10' lines totaling '1001' bytes");
            clock.addAndGet(3_600 * SECOND);
        }
        assertThat(loki.entries()).isEmpty();
    }

    @Test
    void ingestionLimitCountsUtf8BytesAcrossTheBurst() {
        loki.ingestionRateLimit(100, 1_000);

        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t, "a".repeat(998) + "\u00e9"))).statusCode())
                .isEqualTo(204);
        clock.addAndGet(3_600 * SECOND);
        HttpResponse<String> across = Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 1,
                "a".repeat(999) + "\u00e9")));

        assertThat(across.statusCode()).isEqualTo(429);
        assertThat(across.body()).contains("'1' lines totaling '1001' bytes");
    }

    /** Only what the distributor let through is charged: a too-old entry is refused (400) and costs nothing. */
    @Test
    void entriesTheDistributorRefusesAreNotCharged() {
        loki.ingestionRateLimit(100, 1_000);
        long old = t - Duration.ofDays(8).toNanos();

        HttpResponse<String> answer = Pushes.protobuf(loki, stream(JOB, plus(sized(t, 10, 100),
                new Entry(old, "o".repeat(500)))));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("has timestamp too old");
        assertThat(loki.entries()).hasSize(10);
    }

    @Test
    void ingestionTokensComeBackAtTheRateAndTenantsHaveTheirOwn() {
        loki.ingestionRateLimit(100, 1_000);
        Pushes.protobuf(loki, stream(JOB, sized(t, 10, 100)));

        assertThat(Pushes.protobuf(loki, "team-b", stream(JOB, sized(t, 10, 100))).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 50, "p".repeat(100)))).statusCode())
                .isEqualTo(429);
        clock.addAndGet(SECOND);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, new Entry(t + 51, "p".repeat(100)))).statusCode())
                .isEqualTo(204);
    }

    /** Loki's defaults: 4 MB/s and 6 MB of burst; 24 lines of 256 KB are exactly the burst, 25 are refused. */
    @Test
    void theDefaultIngestionLimitIs4MBPerSecondWithA6MBBurst() {
        assertThat(LokiReceiver.INGESTION_RATE_BYTES).isEqualTo(4_194_304L);
        assertThat(LokiReceiver.INGESTION_BURST_BYTES).isEqualTo(6_291_456L);
        int line = 256 * 1024;

        HttpResponse<String> above = Pushes.protobuf(loki, stream(JOB, sized(t, 25, line)));
        HttpResponse<String> at = Pushes.protobuf(loki, stream(JOB, sized(t, 24, line)));

        assertThat(above.statusCode()).isEqualTo(429);
        assertThat(above.body()).isEqualTo("Ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec) "
                + "while attempting to ingest '25' lines totaling '6553600'" + TENANT_RATE_TAIL);
        assertThat(at.statusCode()).isEqualTo(204);
        assertThat(loki.entries()).hasSize(24);
    }
}
