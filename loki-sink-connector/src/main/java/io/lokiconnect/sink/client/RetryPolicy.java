package io.lokiconnect.sink.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before retry number {@code attempt} (1-based) and whether another is allowed. Exponential
 * backoff with full jitter above the minimum (spreads the retries of many tasks after an outage), and a 429's
 * {@code Retry-After} honoured, capped at the maximum backoff.
 */
public final class RetryPolicy {

    private final int maxRetries;
    private final long minMillis;
    private final long maxMillis;

    /** @param maxRetries retries after the first try; -1 retries forever */
    public RetryPolicy(int maxRetries, long minMillis, long maxMillis) {
        this.maxRetries = maxRetries;
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    public boolean mayRetry(int retriesDone) {
        return maxRetries < 0 || retriesDone < maxRetries;
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** Wait before retry {@code attempt} (1 for the first retry); {@code retryAfterMillis} -1 when absent. */
    public long backoffMillis(int attempt, long retryAfterMillis) {
        if (retryAfterMillis >= 0) {
            return Math.min(Math.max(retryAfterMillis, minMillis), maxMillis);
        }
        long ceiling = ceiling(attempt);
        return minMillis + (ceiling > minMillis ? ThreadLocalRandom.current().nextLong(ceiling - minMillis + 1) : 0);
    }

    /** The largest wait before retry {@code attempt}: min * 2^(attempt-1), capped at max. */
    long ceiling(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 40);
        long ceiling = minMillis << shift;
        return ceiling <= 0 || ceiling > maxMillis ? maxMillis : ceiling;
    }
}
