package io.lokiconnect.sink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import io.lokiconnect.sink.shaping.LokiLimits;
import io.lokiconnect.sink.shaping.PartitionAlignment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Model-based: the outbox against a model of Loki's ingester written from Loki's source, not from the outbox (per
 * stream a Go rate.Limiter created full when the stream first arrives, AllowN per entry at the push's arrival; the
 * window rule of stream.go against the newest entry stored; the distributor's ingestion burst per push). Pushes
 * arrive at Loki any time between leaving and being answered, some answers are lost and the push sent again (Loki
 * counts it twice), streams share partitions that lag each other, lines are multi-byte and some are larger than a
 * burst. The properties: nothing the sink sends is something this Loki would drop, and nothing is lost: every entry
 * is stored or refused by the sink with a reason that holds. jqwik prints the seed of a failing run.
 */
class OutboxLokiModelTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_764_000_000_000_000_000L;
    private static final LokiLimits LIMITS = new LokiLimits(2_000, 6_000, 5_000, 10 * SECOND);
    /** Three streams, two of them equal labels of two tenants: Loki keeps (and limits) them apart. */
    private static final LabelSet[] STREAMS = {
        LabelSet.of(Map.of("job", "a")).inTenant("team-a"), LabelSet.of(Map.of("job", "a")).inTenant("team-b"),
        LabelSet.of(Map.of("job", "c"))};

    /** One step of the workload. */
    sealed interface Step permits Add, Advance {
    }

    /** An entry of stream {@code stream} from {@code partition}, {@code skewMs} off the clock, of {@code bytes}. */
    record Add(int stream, int partition, int skewMs, int chars, boolean multiByte) implements Step {
    }

    record Advance(int millis) implements Step {
    }

    /** Loki's ingester and distributor, as far as they can drop what they answer 204 for. */
    static final class LokiModel {
        private final Map<LabelSet, double[]> buckets = new HashMap<>(); // {tokens, last}
        private final Map<LabelSet, Long> newest = new HashMap<>();
        final List<String> drops = new ArrayList<>();
        final Set<LokiEntry> stored = Collections.newSetFromMap(new IdentityHashMap<>());

        void push(LokiBatch batch, long arrival) {
            long total = 0;
            for (List<LokiEntry> entries : batch.streams().values()) {
                for (LokiEntry e : entries) {
                    total += cost(e);
                }
            }
            if (total > LIMITS.ingestionBurstBytes()) {
                drops.add("push of " + total + " bytes over the ingestion burst: 429 forever");
                return;
            }
            for (Map.Entry<LabelSet, List<LokiEntry>> stream : batch.streams().entrySet()) {
                double[] bucket = buckets.computeIfAbsent(stream.getKey(),
                        k -> new double[] {LIMITS.streamBurstBytes(), arrival});
                for (LokiEntry e : stream.getValue()) {
                    // rate.Limiter.AllowN: refill to now (capped at burst), take n if there.
                    double tokens = Math.min(LIMITS.streamBurstBytes(),
                            bucket[0] + (arrival - bucket[1]) * (LIMITS.streamRateBytes() / 1e9));
                    bucket[1] = Math.max(bucket[1], arrival);
                    long n = cost(e);
                    // A drop of a copy Loki already stored (a push sent again after its answer was lost) loses nothing.
                    if (n > tokens) {
                        bucket[0] = tokens;
                        if (!stored.contains(e)) {
                            drops.add("rate limit: " + e.line().length() + " chars of " + stream.getKey() + " at "
                                    + arrival);
                        }
                        continue;
                    }
                    bucket[0] = tokens - n;
                    Long highest = newest.get(stream.getKey());
                    if (highest != null && e.timestampNanos() < highest - LIMITS.maxBehindNanos()) {
                        if (!stored.contains(e)) {
                            drops.add("too far behind: " + e.timestampNanos() + " vs newest " + highest);
                        }
                        continue;
                    }
                    newest.merge(stream.getKey(), e.timestampNanos(), Math::max);
                    stored.add(e);
                }
            }
        }

        static long cost(LokiEntry e) {
            return e.lineBytes();
        }
    }

    private record Event(long at, int kind, Flight flight) {
        static final int ARRIVAL = 0;
        static final int ANSWER = 1;
        static final int RESEND = 2;
    }

    private static final class Flight {
        final LokiBatch batch;
        boolean loseAnswer;
        long latency;

        Flight(LokiBatch batch) {
            this.batch = batch;
        }
    }

    @Property(tries = 200)
    void nothingSentIsDroppedByLokiAndNothingIsLost(@ForAll("workloads") List<Step> steps,
                                                    @ForAll("latencies") List<Integer> latenciesMs,
                                                    @ForAll boolean aligned) {
        long[] now = {0};
        Outbox outbox = new Outbox(new ProtobufPushEncoder(), 3_000, 50, LIMITS);
        PartitionAlignment<Integer> alignment = new PartitionAlignment<>(LIMITS.maxBehindNanos(), 2 * SECOND,
                60 * SECOND, () -> now[0], () -> false);
        if (aligned) {
            alignment.assigned(List.of(0, 1));
            outbox.horizon(alignment);
        }
        LokiModel loki = new LokiModel();
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at())
                : Integer.compare(a.kind(), b.kind())); // at one instant a push arrives before it is answered
        List<LokiEntry> added = new ArrayList<>();
        Map<LokiEntry, String> refused = new IdentityHashMap<>();
        Map<LabelSet, Long> newestSent = new HashMap<>();
        int[] inFlight = {0};
        int[] flights = {0};

        Runnable dispatch = () -> {
            while (inFlight[0] < 2) {
                Outbox.Next next = outbox.next(now[0]);
                for (Outbox.Refused r : next.refused()) {
                    refused.put(r.entry(), r.reason());
                }
                if (next.batch() == null) {
                    return;
                }
                Flight flight = new Flight(next.batch());
                int n = flights[0]++;
                flight.latency = latenciesMs.get(n % latenciesMs.size()) * MS;
                flight.loseAnswer = n % 7 == 3;
                next.batch().streams().forEach((labels, entries) -> entries.forEach(
                        e -> newestSent.merge(labels, e.timestampNanos(), Math::max)));
                inFlight[0]++;
                events.add(new Event(now[0] + flight.latency * (n % 3) / 2, Event.ARRIVAL, flight));
                events.add(new Event(now[0] + flight.latency, Event.ANSWER, flight));
            }
        };
        Runnable process = () -> {
            Event e = events.poll();
            now[0] = Math.max(now[0], e.at());
            switch (e.kind()) {
                case Event.ARRIVAL -> loki.push(e.flight().batch, now[0]);
                case Event.ANSWER -> {
                    if (e.flight().loseAnswer) {
                        e.flight().loseAnswer = false;
                        outbox.answered(e.flight().batch, now[0]);
                        events.add(new Event(now[0] + 100 * MS, Event.RESEND, e.flight()));
                    } else {
                        outbox.completed(e.flight().batch, Map.of(), now[0]);
                        inFlight[0]--;
                    }
                }
                default -> {
                    long wait = outbox.takeForResend(e.flight().batch, now[0]);
                    if (wait > 0) {
                        events.add(new Event(now[0] + wait, Event.RESEND, e.flight()));
                    } else {
                        events.add(new Event(now[0] + e.flight().latency / 2, Event.ARRIVAL, e.flight()));
                        events.add(new Event(now[0] + e.flight().latency, Event.ANSWER, e.flight()));
                    }
                }
            }
        };

        for (Step step : steps) {
            if (step instanceof Add a) {
                long ts = T0 + now[0] + a.skewMs() * MS;
                String line = (a.multiByte() ? "é" : "x").repeat(a.chars());
                LokiEntry entry = new LokiEntry(STREAMS[a.stream()], ts, line, Map.of(), null);
                added.add(entry);
                if (aligned) {
                    alignment.observe(a.partition(), entry.labels(), ts);
                }
                outbox.add(entry, now[0]);
            } else if (step instanceof Advance adv) {
                long target = now[0] + adv.millis() * MS;
                while (!events.isEmpty() && events.peek().at() <= target) {
                    process.run();
                    dispatch.run();
                }
                now[0] = target;
            }
            dispatch.run();
        }
        // Drain: time passes until everything is settled (budgets refill, lagging partitions go idle).
        for (int guard = 0; guard < 100_000 && (outbox.waitingEntries() > 0 || !events.isEmpty()); guard++) {
            dispatch.run();
            if (!events.isEmpty()) {
                process.run();
            } else if (outbox.waitingEntries() > 0) {
                Outbox.Next peek = outbox.next(now[0]);
                peek.refused().forEach(r -> refused.put(r.entry(), r.reason()));
                if (peek.batch() != null) {
                    throw new IllegalStateException("dispatch left a push behind");
                }
                now[0] += Math.max(MS, Math.min(peek.waitNanos(), 60 * SECOND));
            }
        }

        assertThat(loki.drops).as("entries Loki would drop (answering 204)").isEmpty();
        assertThat(outbox.waitingEntries()).as("entries still waiting").isZero();
        for (LokiEntry e : added) {
            assertThat(loki.stored.contains(e) || refused.containsKey(e)).as("entry %s of %s stored or refused",
                    e.timestampNanos(), e.labels()).isTrue();
            assertThat(loki.stored.contains(e) && refused.containsKey(e)).as("stored and refused").isFalse();
        }
        refused.forEach((e, reason) -> {
            long cost = LokiModel.cost(e);
            boolean tooBig = cost > LIMITS.streamBurstBytes() || cost > LIMITS.ingestionBurstBytes();
            Long sent = newestSent.get(e.labels());
            boolean behind = sent != null && e.timestampNanos() < sent - LIMITS.maxBehindNanos();
            assertThat(tooBig || behind).as("refusal holds: %s", reason).isTrue();
        });
    }

    @Provide
    Arbitrary<List<Step>> workloads() {
        Arbitrary<Step> add = Combinators.combine(Arbitraries.integers().between(0, STREAMS.length - 1),
                Arbitraries.integers().between(0, 1), Arbitraries.frequency(
                        net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(-500, 500)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-25_000, -5_000))).flatMap(a -> a),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(20, Arbitraries.integers().between(1, 1_500)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(2_400, 3_100))).flatMap(a -> a),
                Arbitraries.of(true, false)).as(Add::new);
        Arbitrary<Step> advance = Arbitraries.integers().between(1, 1_500).map(Advance::new);
        return Arbitraries.frequency(net.jqwik.api.Tuple.of(4, add), net.jqwik.api.Tuple.of(1, advance))
                .flatMap(a -> a).list().ofMinSize(1).ofMaxSize(300);
    }

    @Provide
    Arbitrary<List<Integer>> latencies() {
        return Arbitraries.integers().between(1, 2_000).list().ofMinSize(1).ofMaxSize(10);
    }
}
