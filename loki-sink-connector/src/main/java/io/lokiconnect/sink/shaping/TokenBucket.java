package io.lokiconnect.sink.shaping;

/**
 * Loki's per-stream rate limiter as the sink must see it. Loki's ingester ({@code pkg/ingester/stream.go}
 * {@code validateEntries} and {@code limiter.go} {@code StreamRateLimiter}, read in Loki 3.x; the same rule since
 * 2.7, only the bytes counted differ, see {@link EntryCost}) asks a Go {@code rate.Limiter} ({@code golang.org/x/time/rate}: a bucket of {@code burst} tokens, full at first, refilled at
 * {@code rate} a second, never above {@code burst}) for {@code AllowN(now, bytes)} once per entry: an entry that does
 * not fit is refused (and, for any stream but a push's last, dropped while Loki answers 204) and takes nothing.
 *
 * <p>The sink's copy must never hold more tokens than Loki's: it takes an entry's bytes when a push leaves (Loki takes
 * them when the push arrives, later), and it counts no refill while a push of the stream is in flight
 * ({@link #answeredAt}): one push of a stream is in flight at a time, so Loki's time between two pushes of the stream
 * is at least the sink's time from the first one's answer to the second one's sending, and Loki's bucket is never
 * emptier than this one.
 *
 * <p>It starts empty, where Loki's starts full: a task that starts, restarts or is given a stream's partition by a
 * rebalance cannot know what another task (or its own earlier run) took from Loki's bucket in the last
 * burst/rate seconds. An empty start costs at most that much of a backlog's first seconds.
 */
public final class TokenBucket {

    private final double rate;
    private final double burst;
    private double tokens;
    private long last;

    /** An empty bucket at {@code nowNanos}. */
    public TokenBucket(long ratePerSecond, long burst, long nowNanos) {
        this.rate = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = 0;
        this.last = nowNanos;
    }

    /** Tokens at {@code nowNanos}; does not change the bucket. */
    public double available(long nowNanos) {
        long elapsed = nowNanos - last;
        return elapsed <= 0 ? tokens : Math.min(burst, tokens + elapsed * rate);
    }

    /** Takes {@code n} tokens when there are enough at {@code nowNanos}; false (and nothing taken) otherwise. */
    public boolean take(long n, long nowNanos) {
        double now = available(nowNanos);
        if (n > now) {
            return false;
        }
        tokens = now - n;
        last = Math.max(last, nowNanos);
        return true;
    }

    /** Nanoseconds until {@code n} tokens are there (0 when they are); {@link Long#MAX_VALUE} above the burst. */
    public long nanosUntil(long n, long nowNanos) {
        if (n > burst) {
            return Long.MAX_VALUE;
        }
        double missing = n - available(nowNanos);
        return missing <= 0 ? 0 : (long) Math.ceil(missing / rate);
    }

    /**
     * Loki answered (or the attempt failed) at {@code nowNanos}: the time since the push left adds no tokens, since
     * Loki may have taken the push's tokens at any moment up to now.
     */
    public void answeredAt(long nowNanos) {
        if (nowNanos > last) {
            tokens = Math.min(burst, tokens);
            last = nowNanos;
        }
    }

    public long burst() {
        return (long) burst;
    }
}
