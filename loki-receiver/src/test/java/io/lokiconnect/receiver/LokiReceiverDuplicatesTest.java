package io.lokiconnect.receiver;

import static io.lokiconnect.receiver.Pushes.entries;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Duplicates as Loki's ingester keeps them: dropped against the stream's last entry and its head block, stored (and
 * visible) otherwise. The first two tests are the measurements on a real Loki 2.7.5 in shared/spec/loki-push-api.md.
 */
class LokiReceiverDuplicatesTest {

    private static final Map<String, String> JOB = Map.of("job", "dup");
    private final long now = System.currentTimeMillis() * 1_000_000L;
    private LokiReceiver loki;

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    @Test
    void theSamePushAgainAtOnceIsDroppedAgainstTheHeadBlock() {
        Entry[] ten = entries(now, "line", 10);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, ten)).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, Stream.of(JOB, ten)).statusCode()).isEqualTo(204);

        assertThat(loki.entries()).hasSize(10);
        assertThat(loki.duplicatesDiscarded()).isEqualTo(10);
        assertThat(loki.visibleDuplicates()).isZero();
    }

    @Test
    void theSamePushAfterTheHeadBlockWasCutIsStoredAgainAndVisible() {
        Entry[] ten = entries(now, "line", 10);
        Pushes.protobuf(loki, Stream.of(JOB, ten));
        // 20,000 more entries of ~40 bytes: about 800 KB, three head blocks of 256 KiB cut.
        for (int batch = 0; batch < 20; batch++) {
            Pushes.protobuf(loki, Stream.of(JOB, entries(now + 1_000 + batch * 1_000L,
                    "filler-" + batch + "-0123456789-0123456789", 1_000)));
        }
        Pushes.protobuf(loki, Stream.of(JOB, ten));

        assertThat(loki.entries()).hasSize(20_020);
        assertThat(loki.entries().stream().filter(e -> e.line().startsWith("line-"))).hasSize(20);
        assertThat(loki.visibleDuplicates()).isEqualTo(10);
        assertThat(loki.duplicatesDiscarded()).isZero();
    }

    @Test
    void threeIdenticalLinesUnderOneTimestampInOnePushBecomeOneEntry() {
        Entry same = new Entry(now, "checkout failed");
        Pushes.protobuf(loki, Stream.of(JOB, same, same, same));

        assertThat(loki.entries()).hasSize(1);
        assertThat(loki.duplicatesDiscarded()).isEqualTo(2);
    }

    @Test
    void identicalLinesAtDistinctTimesAndDistinctLinesAtOneTimeAreAllKept() {
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(now, "x"), new Entry(now + 1, "x"), new Entry(now + 2, "x"),
                new Entry(now + 3, "a"), new Entry(now + 3, "b"), new Entry(now + 3, "c")));

        assertThat(loki.entries()).hasSize(6);
        assertThat(loki.duplicatesDiscarded()).isZero();
        assertThat(loki.visibleDuplicates()).isZero();
    }

    @Test
    void theHeadBlockIsPerStream() {
        Entry entry = new Entry(now, "same line");
        Pushes.protobuf(loki, Stream.of(Map.of("job", "a"), entry), Stream.of(Map.of("job", "b"), entry));

        assertThat(loki.entries()).hasSize(2);
        assertThat(loki.visibleDuplicates()).isZero();
    }

    @Test
    void anIdenticalEntryPushedBetweenOthersIsDroppedWhileItsHeadBlockLasts() {
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(now, "a"), new Entry(now + 1, "b")));
        Pushes.protobuf(loki, Stream.of(JOB, new Entry(now, "a")));

        assertThat(loki.entries()).hasSize(2);
        assertThat(loki.duplicatesDiscarded()).isEqualTo(1);
    }

    /** The head block is cut once its lines reach the block size, in UTF-8 bytes: at, below and above it. */
    @Test
    void theHeadBlockIsCutWhenItsLineBytesReachTheBlockSize() {
        loki.headBlockBytes(100);
        String fifty = "a".repeat(50);
        // 50 + 49 = 99 bytes: below the block size, no cut, the copy of the first entry is dropped.
        Pushes.protobuf(loki, Stream.of(Map.of("job", "below"), new Entry(now, fifty), new Entry(now + 1, "b".repeat(49))));
        Pushes.protobuf(loki, Stream.of(Map.of("job", "below"), new Entry(now, fifty)));
        // 50 + 50 = 100 bytes: the block is cut, the copy is stored.
        Pushes.protobuf(loki, Stream.of(Map.of("job", "at"), new Entry(now, fifty), new Entry(now + 1, "b".repeat(50))));
        Pushes.protobuf(loki, Stream.of(Map.of("job", "at"), new Entry(now, fifty)));
        // 50 + 25 two-byte characters = 100 bytes (75 chars): cut, so bytes are counted, not chars.
        Pushes.protobuf(loki, Stream.of(Map.of("job", "utf8"), new Entry(now, fifty),
                new Entry(now + 1, "\u00e9".repeat(25))));
        Pushes.protobuf(loki, Stream.of(Map.of("job", "utf8"), new Entry(now, fifty)));
        // 50 + 51 = 101 bytes: above, cut too.
        Pushes.protobuf(loki, Stream.of(Map.of("job", "above"), new Entry(now, fifty), new Entry(now + 1, "b".repeat(51))));
        Pushes.protobuf(loki, Stream.of(Map.of("job", "above"), new Entry(now, fifty)));

        assertThat(loki.entriesWithLabel("job", "below")).hasSize(2);
        assertThat(loki.entriesWithLabel("job", "at")).hasSize(3);
        assertThat(loki.entriesWithLabel("job", "utf8")).hasSize(3);
        assertThat(loki.entriesWithLabel("job", "above")).hasSize(3);
        assertThat(loki.visibleDuplicates()).isEqualTo(3);
        assertThat(loki.duplicatesDiscarded()).isEqualTo(1);
    }

    @Test
    void jsonPushesAreDeduplicatedTheSameWay() {
        Entry[] five = entries(now, "json", 5);
        Pushes.json(loki, Stream.of(JOB, five));
        Pushes.protobuf(loki, Stream.of(JOB, five));

        assertThat(loki.entries()).hasSize(5);
        assertThat(loki.duplicatesDiscarded()).isEqualTo(5);
    }
}
