package io.lokiconnect.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any body, however hostile, is read in bounded time, never throws, and names only entries of the batch. */
class RejectionsFuzzTest {

    private static final Duration PER_BODY = Duration.ofSeconds(2);
    private static final LabelSet API = LabelSet.of(Map.of("job", "x", "service", "api"));
    private static final String[] FRAGMENTS = {
        "entry for stream '{job=\"x\", service=\"api\", service_name=\"api\"}' has timestamp too new: 2020-09-13T12:26:40Z",
        "entry for stream '" + API.text() + "' has timestamp too old: 2020-09-13T12:26:40Z, oldest acceptable "
                + "timestamp is: 2026-11-18T00:00:00Z",
        "Max entry size '256' bytes exceeded for stream '" + API.text() + "' while adding an entry with length '3' bytes",
        "entry with timestamp 2020-09-13 12:26:40.5 +0000 UTC ignored, reason: 'entry out of order',",
        "user 'fake', total ignored: 1 out of 3 for stream: " + API.text(),
        "99999999999999999999 errors like: ", "; ", "\n", "stream '" + API.text() + "'", " has 2 label names",
        " ignored, reason: '", "'", "{", "}", "\"", "é", "\u0000", "2020-09-13 12:26:40.999999999999 +9999 X",
    };

    private static LokiBatch batch() {
        return TestBatches.of(new LokiEntry(API, 1_600_000_000_000_000_000L, "abc", Map.of(), null),
                new LokiEntry(API, 1_600_000_000_500_000_000L, "old", Map.of("k", "v"), null),
                new LokiEntry(LabelSet.of(Map.of("job", "y")), 1L, "é", Map.of(), null));
    }

    @Property(tries = 400)
    void anyBodyIsReadInBoundedTimeAndNamesOnlyEntriesOfTheBatch(@ForAll("bodies") String body) {
        LokiBatch batch = batch();
        Set<LokiEntry> entries = batch.entries().stream().collect(Collectors.toCollection(
                () -> java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>())));
        long started = System.nanoTime();
        Map<LokiEntry, String> refused = Rejections.refused(batch, body);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PER_BODY);
        assertThat(entries).containsAll(refused.keySet());
        assertThat(refused.values()).allSatisfy(reason -> assertThat(reason).isNotNull());
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> noise = Arbitraries.strings().all().ofMaxLength(2000);
        Arbitrary<String> fragments = Arbitraries.of(FRAGMENTS).list().ofMaxSize(60).map(l -> String.join("", l));
        Arbitrary<String> mixed = Combinators.combine(fragments, noise, fragments).as((a, b, c) -> a + b + c);
        Arbitrary<String> repeated = Combinators.combine(Arbitraries.of(FRAGMENTS), Arbitraries.integers().between(1, 3000))
                .as((f, n) -> "entry with timestamp " + f.repeat(n));
        return Arbitraries.oneOf(noise, fragments, mixed, repeated);
    }
}
