package io.lokiconnect.sink.shaping;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Go's rate.Limiter as Loki's ingester uses it (AllowN per entry), and the sink's stricter start and refill. */
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    /** Empty at first (Loki's is full, but another task or an earlier run may have drained it), full burst/rate later. */
    @Test
    void aNewBucketIsEmptyThenHoldsTheBurstAndTakesAtItButNotOneAbove() {
        TokenBucket bucket = new TokenBucket(100, 1000, 0);
        assertThat(bucket.available(0)).isZero();
        assertThat(bucket.take(1, 0)).isFalse();
        assertThat(bucket.available(10 * SECOND - 1)).isLessThan(1000);
        long full = 10 * SECOND;
        assertThat(bucket.take(1001, full)).isFalse();
        assertThat(bucket.available(full)).isEqualTo(1000); // a refusal takes nothing, as AllowN
        assertThat(bucket.take(1000, full)).isTrue();
        assertThat(bucket.take(1, full)).isFalse();
    }

    @Test
    void itRefillsAtTheRateUpToTheBurstOnly() {
        TokenBucket bucket = new TokenBucket(100, 1000, 0);
        bucket.take(1000, 0);
        assertThat(bucket.take(100, SECOND - 1)).isFalse();
        assertThat(bucket.take(99, SECOND - 1)).isTrue();
        assertThat(bucket.available(100 * SECOND)).isEqualTo(1000);
        assertThat(bucket.nanosUntil(1001, 0)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void nanosUntilIsExactlyWhenTheTokensAreThere() {
        TokenBucket bucket = new TokenBucket(100, 1000, 0);
        bucket.take(1000, 0);
        long wait = bucket.nanosUntil(250, 0);
        assertThat(wait).isEqualTo(2_500_000_000L);
        assertThat(bucket.take(250, wait - 1)).isFalse();
        assertThat(bucket.take(250, wait)).isTrue();
        assertThat(bucket.nanosUntil(0, wait)).isZero();
    }

    /** No refill counts between a push leaving and its answer: Loki may take the tokens at any moment in between. */
    @Test
    void theTimeAPushIsInFlightAddsNoTokens() {
        TokenBucket bucket = new TokenBucket(100, 1000, 0);
        bucket.take(1000, 0);
        bucket.answeredAt(5 * SECOND);
        assertThat(bucket.available(5 * SECOND)).isZero();
        assertThat(bucket.available(6 * SECOND)).isEqualTo(100);
        bucket.answeredAt(SECOND); // an earlier time changes nothing
        assertThat(bucket.available(6 * SECOND)).isEqualTo(100);
    }

    /** Loki 3.3+ counts the line and every structured metadata name and value, in UTF-8 bytes (the most any counts). */
    @Test
    void anEntryCostsItsLineAndMetadataInUtf8Bytes() {
        LabelSet labels = LabelSet.of(Map.of("job", "x"));
        assertThat(EntryCost.of(new LokiEntry(labels, 1, "é€😀", Map.of(), null))).isEqualTo(2 + 3 + 4);
        assertThat(EntryCost.of(new LokiEntry(labels, 1, "ab", Map.of("trace_id", "é", "level", "x"), null)))
                .isEqualTo(2 + 8 + 2 + 5 + 1);
    }
}
