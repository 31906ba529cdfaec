package io.lokiconnect.sink.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The JSON encoder's size estimate is what the Outbox composes pushes by: it must be exactly what Jackson writes,
 * or batches exceed batch.max.bytes (emoji lines counted half their size did).
 */
class JsonStringSizeTest {

    private static final JsonFactory JSON = new JsonFactory();

    private static int written(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeString(s);
        }
        return out.size();
    }

    @Test
    void surrogatesPairedAndLoneAreCountedAsWritten() throws IOException {
        for (String s : new String[] {"😀", "a😀b", "\uD83D", "\uDE00", "x\uD83Dy", "😀😀😀", "€😀é"}) {
            assertThat(JsonPushEncoder.jsonStringSize(s)).as(s).isEqualTo(written(s));
        }
    }

    /** Batches of emoji lines, encoded as JSON, stay within batch.max.bytes (they reached twice the limit). */
    @Test
    void jsonBatchesOfEmojiLinesStayWithinTheLimit() {
        int limit = 4096;
        JsonPushEncoder encoder = new JsonPushEncoder(false);
        io.lokiconnect.sink.batch.Outbox outbox = new io.lokiconnect.sink.batch.Outbox(encoder, limit, 1000,
                new io.lokiconnect.sink.shaping.LokiLimits(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4,
                        Long.MAX_VALUE / 4, Long.MAX_VALUE / 4));
        io.lokiconnect.sink.labels.LabelSet labels = io.lokiconnect.sink.labels.LabelSet.of(java.util.Map.of("job", "x"));
        for (int i = 0; i < 500; i++) {
            String line = "😀".repeat(i % 40) + (i % 3 == 0 ? "\uD83D" : "é") + i;
            outbox.add(new io.lokiconnect.sink.entry.LokiEntry(labels, 1_000_000_000L + i, line, java.util.Map.of(),
                    null), 0);
        }
        java.util.List<io.lokiconnect.sink.batch.LokiBatch> batches = io.lokiconnect.sink.batch.TestBatches.drain(outbox);
        int entries = 0;
        for (io.lokiconnect.sink.batch.LokiBatch batch : batches) {
            EncodedPush push = encoder.encode(batch);
            assertThat(push.body().length).isLessThanOrEqualTo(limit);
            entries += batch.entryCount();
        }
        assertThat(entries).isEqualTo(500);
        assertThat(batches.size()).isGreaterThan(10);
    }

    @Property(tries = 2000)
    void theEstimateIsWhatJacksonWrites(@ForAll("texts") String s) throws IOException {
        assertThat(JsonPushEncoder.jsonStringSize(s)).isEqualTo(written(s));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u007f'),
                Arbitraries.chars().range('\u0080', '\u07ff'),
                Arbitraries.chars().range('\u0800', '\uffff'),
                Arbitraries.chars().range('\ud800', '\udfff'),
                Arbitraries.of('"', '\\', '\n', '\t', '\u2028'));
        return chars.list().ofMaxSize(64).map(list -> {
            StringBuilder b = new StringBuilder(list.size());
            list.forEach(b::append);
            return b.toString();
        });
    }
}
