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
 * What Loki drops while it answers 204 or speaks of another stream: {@code instance.Push} keeps only the last
 * stream's error ({@code _, appendErr = s.Push(...)}), and the distributor returns the ingester's error instead of its
 * own. The HTTP answer is as dishonest as Loki's; {@link LokiReceiver#silentlyDropped()} shows the loss.
 */
class LokiReceiverSilentDropTest {

    private static final Map<String, String> HOT = Map.of("job", "hot");
    private static final Map<String, String> CALM = Map.of("job", "calm");
    private static final String HOT_V3 = "{job=\"hot\", service_name=\"hot\"}";

    private final AtomicLong clock = new AtomicLong();
    private final long t = (System.currentTimeMillis() / 1000 - 600) * 1_000_000_000L;
    private final long behind = t - Duration.ofHours(2).toNanos();
    private LokiReceiver loki;

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty(), clock::get);
        loki.perStreamRateLimit(100, 1_000);
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    private static Entry[] lines(long start, String prefix, int n, int bytes) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String head = prefix + i + "-";
            entries.add(new Entry(start + i, head + "x".repeat(bytes - head.length())));
        }
        return entries.toArray(Entry[]::new);
    }

    /** The case of issue 17: two streams, the first over its rate, the answer 204, the first one's excess gone. */
    @Test
    void loki29AnswersNoContentWhileTheFirstStreamsExcessIsNotStored() {
        loki.lokiVersion(LokiVersion.V2_9);

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, lines(t, "h", 15, 100)),
                Stream.of(CALM, new Entry(t, "fine")));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(loki.entriesWithLabel("job", "hot")).hasSize(10);
        assertThat(loki.entriesWithLabel("job", "calm")).hasSize(1);
        assertThat(loki.silentlyDropped()).hasSize(5).allSatisfy(d -> {
            assertThat(d.reason()).isEqualTo(DiscardReason.PER_STREAM_RATE_LIMIT);
            assertThat(d.stream()).isEqualTo("{job=\"hot\"}");
        });
        assertThat(loki.silentlyDropped()).extracting(DroppedEntry::line)
                .containsExactly(lines(t, "h", 15, 100)[10].line(), lines(t, "h", 15, 100)[11].line(),
                        lines(t, "h", 15, 100)[12].line(), lines(t, "h", 15, 100)[13].line(),
                        lines(t, "h", 15, 100)[14].line());
        assertThat(loki.silentlyDropped(DiscardReason.PER_STREAM_RATE_LIMIT)).isEqualTo(5);
        assertThat(loki.discarded(DiscardReason.PER_STREAM_RATE_LIMIT)).isEqualTo(5);
        assertThat(loki.refusals()).isEmpty();
    }

    /** Loki 3 refuses the hot stream's part whole: all of it vanishes behind the 204. */
    @Test
    void loki3AnswersNoContentWhileNoneOfTheFirstStreamIsStored() {
        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, lines(t, "h", 15, 100)),
                Stream.of(CALM, new Entry(t, "fine")));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(loki.entriesWithLabel("job", "hot")).isEmpty();
        assertThat(loki.silentlyDropped()).hasSize(15)
                .allSatisfy(d -> assertThat(d.stream()).isEqualTo(HOT_V3))
                .extracting(DroppedEntry::reason).containsOnly(DiscardReason.PER_STREAM_RATE_LIMIT);
    }

    @Test
    void anEarlierStreamsEntriesTooFarBehindVanishBehindNoContent() {
        Pushes.protobuf(loki, Stream.of(HOT, new Entry(t, "newest")));

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, new Entry(behind, "old-1"),
                new Entry(behind + 1, "old-2")), Stream.of(CALM, new Entry(t, "fine")));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(loki.silentlyDropped()).extracting(DroppedEntry::line, DroppedEntry::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("old-1", DiscardReason.TOO_FAR_BEHIND),
                org.assertj.core.groups.Tuple.tuple("old-2", DiscardReason.TOO_FAR_BEHIND));
        assertThat(loki.discarded(DiscardReason.TOO_FAR_BEHIND)).isEqualTo(2);
    }

    /** The last stream's 400 names only it: the first stream's rate-limited entries are not in the answer. */
    @Test
    void theLastStreamsRefusalHidesAnEarlierStreamsRefusal() {
        Pushes.protobuf(loki, Stream.of(CALM, new Entry(t, "newest")));

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, lines(t, "h", 15, 100)),
                Stream.of(CALM, new Entry(behind, "late")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("for stream: {job=\"calm\", service_name=\"calm\"}")
                .doesNotContain("hot").doesNotContain("Per stream rate limit");
        assertThat(loki.silentlyDropped()).hasSize(15)
                .extracting(DroppedEntry::reason).containsOnly(DiscardReason.PER_STREAM_RATE_LIMIT);
        assertThat(loki.discarded(DiscardReason.TOO_FAR_BEHIND)).isEqualTo(1);
    }

    /** A later stream that is fine clears the error before it: the order of streams decides what is told. */
    @Test
    void whenTheRefusedStreamIsLastItIsTold() {
        loki.lokiVersion(LokiVersion.V2_9);

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(CALM, new Entry(t, "fine")),
                Stream.of(HOT, lines(t, "h", 15, 100)));

        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(answer.body()).endsWith("total ignored: 5 out of 15 for stream: {job=\"hot\"}\n");
        assertThat(loki.silentlyDropped()).isEmpty();
    }

    /** The distributor returns the ingester's error and loses its own: a too-old entry is refused unsaid. */
    @Test
    void theIngestersErrorHidesTheDistributorsRefusals() {
        Pushes.protobuf(loki, Stream.of(CALM, new Entry(t, "newest")));
        long old = t - Duration.ofDays(8).toNanos();

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, new Entry(old, "too old"),
                new Entry(t, "kept")), Stream.of(CALM, new Entry(behind, "late")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).startsWith("entry with timestamp ").doesNotContain("too old");
        assertThat(loki.silentlyDropped()).singleElement().satisfies(d -> {
            assertThat(d.line()).isEqualTo("too old");
            assertThat(d.reason()).isEqualTo(DiscardReason.GREATER_THAN_MAX_SAMPLE_AGE);
        });
        assertThat(loki.entriesWithLabel("job", "hot")).extracting(ReceivedEntry::line).containsExactly("kept");
    }

    /**
     * A last stream the distributor emptied: Loki 2.9 still sends it, empty, and its nil result clears the ingester
     * error, so the answer is the distributor's 400 and the earlier too-far-behind entry goes unsaid. Loki 3 does not
     * send it, so the earlier stream's 400 is the answer and the too-old entry goes unsaid.
     */
    @Test
    void aLastStreamTheDistributorEmptiedDecidesDifferentlyIn29And3() {
        long old = t - Duration.ofDays(8).toNanos();
        for (LokiVersion version : LokiVersion.values()) {
            loki.lokiVersion(version);
            Map<String, String> hot = Map.of("job", "hot-" + version);
            Pushes.protobuf(loki, Stream.of(hot, new Entry(t, "newest")));

            HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(hot, new Entry(behind, "late-" + version)),
                    Stream.of(CALM, new Entry(old, "old-" + version)));

            assertThat(answer.statusCode()).isEqualTo(400);
            if (version == LokiVersion.V2_9) {
                assertThat(answer.body()).contains("has timestamp too old").doesNotContain("too far behind");
            } else {
                assertThat(answer.body()).contains("too far behind").doesNotContain("too old");
            }
        }
        assertThat(loki.silentlyDropped()).extracting(DroppedEntry::line, DroppedEntry::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("late-V2_9", DiscardReason.TOO_FAR_BEHIND),
                org.assertj.core.groups.Tuple.tuple("old-V3", DiscardReason.GREATER_THAN_MAX_SAMPLE_AGE));
    }

    /**
     * Loki 3 charges the limiter only with what would be stored, and when it refuses the stream its list holds only
     * the rate-limited entries: the too-far-behind ones of the same push are neither stored nor counted in the
     * answer's "total ignored".
     */
    @Test
    void loki3ListsOnlyTheRateLimitedEntriesOfAStreamItRefusesWhole() {
        Pushes.protobuf(loki, Stream.of(HOT, new Entry(t, "newest")));
        List<Entry> push = new ArrayList<>(List.of(lines(t + 1, "h", 10, 100)));
        push.add(new Entry(behind, "late"));

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, push.toArray(Entry[]::new)));

        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(answer.body()).endsWith("total ignored: 10 out of 11 for stream: " + HOT_V3 + "\n")
                .doesNotContain("too far behind");
        assertThat(loki.silentlyDropped()).singleElement().satisfies(d -> {
            assertThat(d.line()).isEqualTo("late");
            assertThat(d.reason()).isEqualTo(DiscardReason.TOO_FAR_BEHIND);
        });
    }

    /** The tenant's 429 refuses the whole push, and a client sends it again: nothing there is dropped unsaid. */
    @Test
    void theTenantsRefusalOfAWholePushDropsNothingSilently() {
        loki.ingestionRateLimit(100, 500);
        long old = t - Duration.ofDays(8).toNanos();

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, lines(t, "h", 6, 100)),
                Stream.of(CALM, new Entry(old, "too old")));

        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(loki.entries()).isEmpty();
        assertThat(loki.silentlyDropped()).isEmpty();
        assertThat(loki.discarded(DiscardReason.RATE_LIMITED)).isEqualTo(6);
        assertThat(loki.discarded(DiscardReason.GREATER_THAN_MAX_SAMPLE_AGE)).isEqualTo(1);
    }

    /** A 400 from the distributor alone tells every refusal, grouped: nothing is dropped unsaid. */
    @Test
    void theDistributorsOwnAnswerTellsEveryRefusal() {
        long old = t - Duration.ofDays(8).toNanos();

        HttpResponse<String> answer = Pushes.protobuf(loki, Stream.of(HOT, new Entry(old, "a"), new Entry(t, "b")),
                Stream.of(Map.of("job", "x".repeat(2049)), new Entry(t, "c")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("too old").contains("label value too long");
        assertThat(loki.silentlyDropped()).isEmpty();
        assertThat(loki.discarded(DiscardReason.LABEL_VALUE_TOO_LONG)).isEqualTo(1);
    }
}
