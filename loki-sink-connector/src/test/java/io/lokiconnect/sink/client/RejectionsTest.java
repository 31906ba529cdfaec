package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.batch.Batcher;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RejectionsTest {

    private static final LabelSet API = LabelSet.of(Map.of("job", "kafka-logs", "service", "api"));
    private static final LabelSet DB = LabelSet.of(Map.of("job", "kafka-logs", "service", "db"));
    private static final long NOW = 1_764_000_000_000_000_000L;
    private static final long OLD = 1_600_000_000_500_000_000L;

    private final LokiEntry fresh = new LokiEntry(API, NOW, "fresh", Map.of(), null);
    private final LokiEntry old = new LokiEntry(API, OLD, "old", Map.of(), null);
    private final LokiEntry longLine = new LokiEntry(DB, NOW, "y".repeat(300), Map.of(), null);
    private final LokiEntry other = new LokiEntry(DB, NOW + 1, "other", Map.of(), null);

    private LokiBatch batch() {
        Batcher batcher = new Batcher(new ProtobufPushEncoder(), 1 << 20, 1000);
        batcher.add(fresh, 0);
        batcher.add(old, 0);
        batcher.add(longLine, 0);
        batcher.add(other, 0);
        return batcher.closeNow();
    }

    @Test
    void tooOldAndTooLongEntriesAreMatchedExactly() {
        String body = "entry for stream '" + API.text() + "' has timestamp too old: 2020-09-13T12:26:40Z, "
                + "oldest acceptable timestamp is: 2026-11-18T00:00:00Z\n"
                + "max entry size '256' bytes exceeded for stream '" + DB.text()
                + "' while adding an entry with length '300' bytes\n"
                + "user 'fake', total ignored: 2 out of 4";
        Map<LokiEntry, String> refused = Rejections.refused(batch(), 400, body);
        assertThat(refused).containsOnlyKeys(old, longLine);
        assertThat(refused.get(old)).contains("too old");
    }

    @Test
    void outOfOrderMessagesOfOlderLokiAreMatched() {
        String body = "entry with timestamp 2020-09-13 12:26:40.5 +0000 UTC ignored, reason: 'entry out of order' "
                + "for stream: " + API.text() + ",\ntotal ignored: 1 out of 4";
        assertThat(Rejections.refused(batch(), 400, body)).containsOnlyKeys(old);
    }

    @Test
    void aBodyThatNamesNoEntryRefusesTheWholeBatch() {
        String body = "1:5: parse error: unexpected character inside braces: '-'";
        assertThat(Rejections.refused(batch(), 400, body)).hasSize(4);
    }

    @Test
    void fewerMatchesThanLokisCountRefusesTheWholeBatch() {
        String body = "entry for stream '" + API.text() + "' has timestamp too old: 2020-09-13T12:26:40Z, x\n"
                + "user 'fake', total ignored: 3 out of 4";
        assertThat(Rejections.refused(batch(), 400, body)).hasSize(4);
    }
}
