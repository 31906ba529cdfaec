package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** x/time/rate semantics: values worked out by hand from reserveN and advance. */
class LokiRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aNewBucketIsFullWhateverTheClockSays() {
        LokiRateLimiter limiter = new LokiRateLimiter(10, 100);

        assertThat(limiter.allowN(-5 * SECOND, 100)).isTrue();
        assertThat(limiter.allowN(-5 * SECOND, 1)).isFalse();
    }

    @Test
    void atTheBurstOneBelowAndOneAbove() {
        assertThat(new LokiRateLimiter(10, 100).allowN(0, 100)).isTrue();
        LokiRateLimiter below = new LokiRateLimiter(10, 100);
        assertThat(below.allowN(0, 99)).isTrue();
        assertThat(below.allowN(0, 1)).isTrue();
        assertThat(below.allowN(0, 1)).isFalse();
        assertThat(new LokiRateLimiter(10, 100).allowN(0, 101)).isFalse();
    }

    @Test
    void moreThanTheBurstIsNeverGranted() {
        LokiRateLimiter limiter = new LokiRateLimiter(10, 100);

        assertThat(limiter.allowN(0, 101)).isFalse();
        assertThat(limiter.allowN(3_600 * SECOND, 101)).isFalse();
        assertThat(limiter.allowN(3_600 * SECOND, 100)).isTrue();
    }

    @Test
    void tokensComeBackAtTheRateAndNeverAboveTheBurst() {
        LokiRateLimiter limiter = new LokiRateLimiter(10, 100);
        limiter.allowN(0, 100);

        assertThat(limiter.allowN(SECOND / 2, 6)).isFalse(); // 5 back
        assertThat(limiter.allowN(SECOND / 2, 5)).isTrue();
        assertThat(limiter.allowN(SECOND / 2, 1)).as("the bucket is empty").isFalse();
        assertThat(limiter.allowN(1_000 * SECOND, 101)).as("never above the burst").isFalse();
        assertThat(limiter.allowN(1_000 * SECOND, 100)).isTrue();
    }

    @Test
    void aRefusalTakesNothing() {
        LokiRateLimiter limiter = new LokiRateLimiter(10, 100);
        limiter.allowN(0, 90);

        assertThat(limiter.allowN(0, 11)).isFalse();
        assertThat(limiter.allowN(0, 10)).isTrue();
    }

    /** Go truncates the wait to whole nanoseconds: a deficit worth less than one nanosecond of refill passes. */
    @Test
    void aDeficitBelowOneNanosecondOfRefillIsGranted() {
        LokiRateLimiter limiter = new LokiRateLimiter(3, 10);
        limiter.allowN(0, 10);
        // 333,333,333 ns at 3/s: 0.999999999 tokens, 1e-9 short = 0.33 ns of refill, truncated to 0.
        assertThat(limiter.allowN(333_333_333L, 1)).isTrue();

        LokiRateLimiter other = new LokiRateLimiter(3, 10);
        other.allowN(0, 10);
        // 333,333,332 ns: 4e-9 short = 1.33 ns, truncated to 1: refused.
        assertThat(other.allowN(333_333_332L, 1)).isFalse();
    }

    @Test
    void aClockThatGoesBackRefillsNothing() {
        LokiRateLimiter limiter = new LokiRateLimiter(10, 100);
        limiter.allowN(10 * SECOND, 100);

        assertThat(limiter.allowN(5 * SECOND, 1)).isFalse();
        assertThat(limiter.allowN(10 * SECOND + SECOND / 10, 1)).isTrue();
    }

    @Test
    void unlimitedGrantsEverything() {
        LokiRateLimiter limiter = new LokiRateLimiter(LokiRateLimiter.UNLIMITED, 0);

        assertThat(limiter.allowN(0, Long.MAX_VALUE)).isTrue();
        assertThat(limiter.allowN(0, Long.MAX_VALUE)).isTrue();
    }

    @Test
    void aRateOfZeroOrANegativeBurstIsRefusedWithBothFigures() {
        assertThatThrownBy(() -> new LokiRateLimiter(0, 10)).hasMessageContaining("rate 0").hasMessageContaining("10");
        assertThatThrownBy(() -> new LokiRateLimiter(10, -1)).hasMessageContaining("burst -1");
    }
}
