package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Properties of the receiver; jqwik prints the seed of a failing run. */
class LokiReceiverPropertiesTest {

    private static LokiReceiver loki;
    private static final long NOW = System.currentTimeMillis() * 1_000_000L;

    @BeforeContainer
    static void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
    }

    @AfterContainer
    static void stop() {
        loki.close();
    }

    @Provide
    Arbitrary<String> hostileValues() {
        return Arbitraries.of("\"", "\\", "{", "}", ",", "=", "\n", "\r", "\t", " ", "a", "0", "\u00e9", "\u4e2d",
                        "\uD83D\uDE00", "job=\"x\"", "\"}", "{a=\"b\"}", "\\\"", "\u2028", "\u0000", "\u007f", "\\n")
                .list().ofMinSize(1).ofMaxSize(20).map(parts -> String.join("", parts));
    }

    /**
     * Label values with quotes, braces, commas and newlines come out of both encodings as the values that went in:
     * no value leaks into another label, no label is invented.
     */
    @Property(tries = 300)
    void labelValuesSurviveBothEncodings(@ForAll("hostileValues") String service, @ForAll("hostileValues") String level,
            @ForAll boolean json) {
        String run = Long.toHexString(System.nanoTime());
        Map<String, String> labels = Map.of("run", run, "service", service, "level", level);
        Stream stream = Stream.of(labels, new Entry(NOW, "line"));

        int status = (json ? Pushes.json(loki, stream) : Pushes.protobuf(loki, stream)).statusCode();

        assertThat(status).isEqualTo(204);
        // Loki 3 adds service_name, from the service label here.
        Map<String, String> stored = new java.util.HashMap<>(labels);
        stored.put("service_name", service);
        assertThat(loki.entriesWithLabel("run", run)).singleElement()
                .extracting(ReceivedEntry::labels).isEqualTo(stored);
    }

    /** Any text either parses or is refused with an IllegalArgumentException, in bounded time. */
    @Property(tries = 1000)
    void labelTextNeverThrowsAnythingElse(@ForAll("labelTexts") String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            try {
                LabelSelector.parse(text);
            } catch (IllegalArgumentException expected) {
                // refused, as Loki refuses it
            }
        });
    }

    @Provide
    Arbitrary<String> labelTexts() {
        return Arbitraries.of("{", "}", "\"", "=", ",", " ", "\\", "\\x", "\\u12", "\\U0001F600", "\\777", "a", "_",
                        "9", "-", "job", "\u00e9")
                .list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    /**
     * Model of the counters over random pushes (few lines and times, so repeats are common, and a tiny head block so
     * cuts happen): every pushed entry is stored or dropped; stored copies of an earlier stored entry are exactly the
     * visible duplicates.
     */
    @Property(tries = 60)
    void everyEntryIsStoredOrDroppedAndVisibleDuplicatesAreTheRepeatsStored(
            @ForAll("pushes") List<List<Entry>> pushes) throws IOException {
        try (LokiReceiver receiver = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
            receiver.headBlockBytes(24);
            int pushed = 0;
            for (List<Entry> push : pushes) {
                pushed += push.size();
                Pushes.protobuf(receiver, Stream.of(Map.of("job", "m"), push.toArray(Entry[]::new)));
            }
            List<ReceivedEntry> stored = receiver.entries();
            Set<String> distinct = new HashSet<>();
            stored.forEach(e -> distinct.add(e.timestampNanos() + "|" + e.line()));

            assertThat(receiver.acceptedEntries()).isEqualTo(stored.size());
            assertThat(receiver.acceptedEntries() + receiver.duplicatesDiscarded()).isEqualTo(pushed);
            assertThat(receiver.visibleDuplicates()).isEqualTo(stored.size() - distinct.size());
            // Nothing is dropped that was not pushed before in the same stream: distinct entries are all stored.
            Set<String> pushedDistinct = new HashSet<>();
            pushes.forEach(p -> p.forEach(e -> pushedDistinct.add(e.timestampNanos() + "|" + e.line())));
            assertThat(distinct).isEqualTo(pushedDistinct);
        }
    }

    @Provide
    Arbitrary<List<List<Entry>>> pushes() {
        Arbitrary<Entry> entry = Arbitraries.integers().between(0, 3).flatMap(ts -> Arbitraries.of("a", "bb", "ccc")
                .map(line -> new Entry(NOW + ts, line)));
        return entry.list().ofMinSize(1).ofMaxSize(8).list().ofMinSize(1).ofMaxSize(8);
    }
}
