package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void backoffGrowsExponentiallyWithJitterAndStaysWithinBounds() {
        RetryPolicy policy = new RetryPolicy(5, 100, 2000);
        assertThat(policy.ceiling(1)).isEqualTo(100);
        assertThat(policy.ceiling(3)).isEqualTo(400);
        assertThat(policy.ceiling(10)).isEqualTo(2000);
        for (int i = 0; i < 1000; i++) {
            assertThat(policy.backoffMillis(4, -1)).isBetween(100L, 800L);
            assertThat(policy.backoffMillis(50, -1)).isBetween(100L, 2000L);
        }
    }

    @Test
    void jitterSpreadsTheWaits() {
        RetryPolicy policy = new RetryPolicy(5, 100, 10_000);
        long distinct = java.util.stream.LongStream.range(0, 200).map(i -> policy.backoffMillis(6, -1)).distinct().count();
        assertThat(distinct).isGreaterThan(50);
    }

    @Test
    void retryAfterIsHonouredAndCapped() {
        RetryPolicy policy = new RetryPolicy(5, 100, 5000);
        assertThat(policy.backoffMillis(1, 3000)).isEqualTo(3000);
        assertThat(policy.backoffMillis(1, 60_000)).isEqualTo(5000);
    }

    @Test
    void maxRetriesBoundsTheRetriesAndMinusOneNeverStops() {
        RetryPolicy five = new RetryPolicy(5, 1, 1);
        assertThat(five.mayRetry(4)).isTrue();
        assertThat(five.mayRetry(5)).isFalse();
        assertThat(new RetryPolicy(0, 1, 1).mayRetry(0)).isFalse();
        assertThat(new RetryPolicy(-1, 1, 1).mayRetry(1_000_000)).isTrue();
    }

    @Test
    void retryAfterHeaderInSecondsIsRead() {
        assertThat(LokiClient.retryAfterMillis("7")).isEqualTo(7000);
        assertThat(LokiClient.retryAfterMillis(null)).isEqualTo(-1);
        assertThat(LokiClient.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(-1);
    }
}
