package io.lokiconnect.receiver;

/**
 * A token bucket with the semantics of Go's {@code golang.org/x/time/rate.Limiter}, the limiter behind Loki's
 * per-stream rate limit ({@code pkg/ingester/limiter.go}, {@code StreamRateLimiter}) and its tenant ingestion limit
 * (dskit {@code limiter.RateLimiter}, used by {@code pkg/distributor/distributor.go}). Copied from x/time/rate
 * v0.5+ ({@code reserveN}, {@code advance}, {@code durationFromTokens}), as Loki 3.x vendors it:
 *
 * <ul>
 *   <li>the bucket holds {@code burst} tokens (bytes) and starts full (Go's zero {@code last} time makes the first
 *       refill reach the burst);</li>
 *   <li>{@link #allowN} refills {@code rate} tokens per second since the last granted call, capped at the burst, then
 *       grants {@code n} only if {@code n <= burst} and the bucket holds {@code n} tokens, less than one nanosecond's
 *       refill short (Go truncates the wait to whole nanoseconds); a refusal changes nothing;</li>
 *   <li>a request larger than the burst is never granted;</li>
 *   <li>a rate of {@link #UNLIMITED} grants everything (Go's {@code rate.Inf}).</li>
 * </ul>
 *
 * Time is a caller's monotonic nanosecond clock ({@link System#nanoTime()} or a test's), so refills are exact and
 * deterministic. Not thread-safe: callers lock.
 */
public final class LokiRateLimiter {

    /** Go's {@code rate.Inf}: every request is granted, the burst is ignored. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final long ratePerSecond;
    private final long burst;
    private double tokens;
    private long last;
    private boolean hasLast;

    /** A full bucket of {@code burst} tokens (at least 0) refilled at {@code ratePerSecond} (more than 0). */
    public LokiRateLimiter(long ratePerSecond, long burst) {
        if (ratePerSecond <= 0 || burst < 0) {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 0, got rate " + ratePerSecond
                    + " and burst " + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Whether {@code n} tokens may be taken at {@code nowNanos}; if so they are taken. */
    public boolean allowN(long nowNanos, long n) {
        if (ratePerSecond == UNLIMITED) {
            return true;
        }
        double available = advance(nowNanos);
        double left = available - n;
        long waitNanos = left < 0 ? (long) ((-left / ratePerSecond) * 1e9) : 0;
        boolean ok = n <= burst && waitNanos <= 0;
        if (ok) {
            last = nowNanos;
            hasLast = true;
            tokens = left;
        }
        return ok;
    }

    /** x/time/rate {@code advance}: a clock that went back counts no time; Go's duration split into s and ns. */
    private double advance(long nowNanos) {
        if (!hasLast) {
            return burst;
        }
        long elapsed = Math.max(0, nowNanos - last);
        double seconds = (double) (elapsed / 1_000_000_000L) + (double) (elapsed % 1_000_000_000L) / 1e9;
        double refilled = tokens + seconds * ratePerSecond;
        return Math.min(refilled, burst);
    }

    public long ratePerSecond() {
        return ratePerSecond;
    }

    public long burst() {
        return burst;
    }
}
