package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Model-based properties of the rate limits: random pushes at random times against a token bucket in a few lines.
 * Time moves in eighths of a second and rates are multiples of 8, so the model's tokens are whole bytes and no
 * rounding stands between it and Go's float limiter (whose rounding {@code LokiRateLimiterTest} covers). jqwik prints
 * the seed of a failing run; rerun it with {@code @Property(seed = "...")}.
 */
class LokiReceiverLimitsPropertiesTest {

    private static final long EIGHTH = 125_000_000L;
    private static final long T = (System.currentTimeMillis() / 1000 - 600) * 1_000_000_000L;

    /** The model: Go's x/time/rate in whole bytes. A new bucket is full; a refusal changes nothing. */
    static final class Bucket {
        private final long perEighth;
        private final long burst;
        private long tokens;
        private long last;
        private boolean used;

        Bucket(long rate, long burst) {
            this.perEighth = rate / 8;
            this.burst = burst;
        }

        boolean take(long eighths, long n) {
            long now = used ? Math.min(burst, tokens + (eighths - last) * perEighth) : burst;
            if (n > now) {
                return false;
            }
            tokens = now - n;
            last = eighths;
            used = true;
            return true;
        }
    }

    /** One entry to send: ASCII and two-byte characters of its line, and, for Loki 3, two-byte metadata characters. */
    record Size(int ascii, int twoByte, int metadataTwoByte) {
    }

    /** One push: how long after the last, and the entries of each of its streams (one or two). */
    record Push(int eighthsLater, List<List<Size>> streams) {
    }

    @Provide
    Arbitrary<List<Push>> pushes() {
        Arbitrary<Size> size = Combinators.combine(Arbitraries.integers().between(0, 300),
                Arbitraries.integers().between(0, 100), Arbitraries.integers().between(0, 20)).as(Size::new);
        Arbitrary<List<Size>> stream = size.list().ofMinSize(1).ofMaxSize(6);
        return Combinators.combine(Arbitraries.integers().between(0, 16), stream.list().ofMinSize(1).ofMaxSize(2))
                .as(Push::new).list().ofMinSize(1).ofMaxSize(10);
    }

    private static final class Sent {
        final List<Entry> entries = new ArrayList<>();
        final List<Integer> bytes = new ArrayList<>();
    }

    /** Builds a stream's entries with lines no other entry has, and the bytes the version charges for each. */
    private static Sent build(List<Size> sizes, LokiVersion version, AtomicLong serial) {
        Sent sent = new Sent();
        for (Size s : sizes) {
            long n = serial.incrementAndGet();
            String prefix = "e" + n + "-";
            String line = prefix + "a".repeat(s.ascii()) + "\u00e9".repeat(s.twoByte());
            int lineBytes = prefix.length() + s.ascii() + 2 * s.twoByte();
            Map<String, String> metadata = s.metadataTwoByte() == 0 ? Map.of()
                    : Map.of("k", "\u00e9".repeat(s.metadataTwoByte()));
            int metadataBytes = s.metadataTwoByte() == 0 ? 0 : 1 + 2 * s.metadataTwoByte();
            sent.entries.add(new Entry(T + n, line, metadata));
            sent.bytes.add(version == LokiVersion.V3 ? lineBytes + metadataBytes : lineBytes);
        }
        return sent;
    }

    /**
     * The per-stream limit: 2.9 takes entry by entry, 3 takes a stream's part whole. The answer is the last stream's
     * (429 if it lost any entry, else 204); what the other stream lost is dropped silently.
     */
    @Property(tries = 80)
    void perStreamLimitStoresWhatTheModelGrantsAndAnswersForTheLastStreamOnly(
            @ForAll("pushes") List<Push> pushes, @ForAll boolean loki3,
            @ForAll @IntRange(min = 1, max = 100) int ratePerEighth, @ForAll @IntRange(min = 50, max = 2_000) int burst)
            throws IOException {
        LokiVersion version = loki3 ? LokiVersion.V3 : LokiVersion.V2_9;
        AtomicLong clock = new AtomicLong();
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty(), clock::get)) {
            loki.lokiVersion(version);
            loki.perStreamRateLimit(ratePerEighth * 8L, burst);
            loki.ingestionRateLimit(LokiRateLimiter.UNLIMITED, LokiRateLimiter.UNLIMITED);
            List<Bucket> buckets = List.of(new Bucket(ratePerEighth * 8L, burst), new Bucket(ratePerEighth * 8L, burst));
            AtomicLong serial = new AtomicLong();
            long eighths = 0;
            Set<String> expectedStored = new HashSet<>();
            long refused = 0;
            long silent = 0;
            for (Push push : pushes) {
                eighths += push.eighthsLater();
                clock.set(eighths * EIGHTH);
                List<Stream> streams = new ArrayList<>();
                boolean lastLost = false;
                for (int s = 0; s < push.streams().size(); s++) {
                    Sent sent = build(push.streams().get(s), version, serial);
                    Bucket bucket = buckets.get(s);
                    List<Boolean> granted = new ArrayList<>();
                    if (version == LokiVersion.V3) {
                        boolean whole = bucket.take(eighths, sent.bytes.stream().mapToLong(Integer::longValue).sum());
                        sent.entries.forEach(e -> granted.add(whole));
                    } else {
                        for (int b : sent.bytes) {
                            granted.add(bucket.take(eighths, b));
                        }
                    }
                    long lost = granted.stream().filter(g -> !g).count();
                    for (int i = 0; i < granted.size(); i++) {
                        if (granted.get(i)) {
                            expectedStored.add(sent.entries.get(i).line());
                        }
                    }
                    refused += lost;
                    boolean last = s == push.streams().size() - 1;
                    if (!last) {
                        silent += lost;
                    }
                    lastLost = lost > 0;
                    streams.add(Stream.of(Map.of("job", "s" + s), sent.entries.toArray(Entry[]::new)));
                }

                HttpResponse<String> answer = Pushes.protobuf(loki, streams.toArray(Stream[]::new));

                assertThat(answer.statusCode()).as("answer at %d eighths", eighths).isEqualTo(lastLost ? 429 : 204);
            }
            assertThat(loki.entries().stream().map(ReceivedEntry::line).collect(Collectors.toSet()))
                    .isEqualTo(expectedStored);
            assertThat(loki.entries()).hasSize(expectedStored.size());
            assertThat(loki.discarded(DiscardReason.PER_STREAM_RATE_LIMIT)).isEqualTo(refused);
            assertThat(loki.silentlyDropped(DiscardReason.PER_STREAM_RATE_LIMIT)).isEqualTo(silent);
        }
    }

    /** The tenant's limit: a push is stored whole or refused whole with 429, as the model's one bucket says. */
    @Property(tries = 80)
    void ingestionLimitTakesOrRefusesWholePushesAsTheModelSays(
            @ForAll("pushes") List<Push> pushes, @ForAll boolean loki3,
            @ForAll @IntRange(min = 1, max = 100) int ratePerEighth, @ForAll @IntRange(min = 50, max = 3_000) int burst)
            throws IOException {
        LokiVersion version = loki3 ? LokiVersion.V3 : LokiVersion.V2_9;
        AtomicLong clock = new AtomicLong();
        try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty(), clock::get)) {
            loki.lokiVersion(version);
            loki.perStreamRateLimit(LokiRateLimiter.UNLIMITED, LokiRateLimiter.UNLIMITED);
            loki.ingestionRateLimit(ratePerEighth * 8L, burst);
            Bucket bucket = new Bucket(ratePerEighth * 8L, burst);
            AtomicLong serial = new AtomicLong();
            long eighths = 0;
            Set<String> expectedStored = new HashSet<>();
            long refusedLines = 0;
            for (Push push : pushes) {
                eighths += push.eighthsLater();
                clock.set(eighths * EIGHTH);
                List<Stream> streams = new ArrayList<>();
                List<Sent> sents = new ArrayList<>();
                long bytes = 0;
                for (int s = 0; s < push.streams().size(); s++) {
                    Sent sent = build(push.streams().get(s), version, serial);
                    sents.add(sent);
                    bytes += sent.bytes.stream().mapToLong(Integer::longValue).sum();
                    streams.add(Stream.of(Map.of("job", "s" + s), sent.entries.toArray(Entry[]::new)));
                }
                boolean granted = bucket.take(eighths, bytes);
                long lines = sents.stream().mapToLong(x -> x.entries.size()).sum();
                if (granted) {
                    sents.forEach(x -> x.entries.forEach(e -> expectedStored.add(e.line())));
                } else {
                    refusedLines += lines;
                }

                HttpResponse<String> answer = Pushes.protobuf(loki, streams.toArray(Stream[]::new));

                assertThat(answer.statusCode()).as("answer at %d eighths", eighths).isEqualTo(granted ? 204 : 429);
                if (!granted) {
                    assertThat(answer.body()).contains("while attempting to ingest '" + lines + "' lines totaling '"
                            + bytes + "' bytes");
                }
            }
            assertThat(loki.entries().stream().map(ReceivedEntry::line).collect(Collectors.toSet()))
                    .isEqualTo(expectedStored);
            assertThat(loki.discarded(DiscardReason.RATE_LIMITED)).isEqualTo(refusedLines);
            assertThat(loki.silentlyDropped()).isEmpty();
        }
    }
}
