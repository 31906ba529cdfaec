package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;

/**
 * What the sender asks before and after each request beyond a batch's first: Loki's per-stream limiter counts every
 * request (a retried push may have been stored, a split one partly), so each must fit the streams' budgets too.
 */
public interface PushGate {

    /** Blocks until {@code part} may be sent again, and takes its bytes from its streams' budgets. */
    void beforeResend(LokiBatch part) throws InterruptedException;

    /** A request holding {@code part} was answered or failed. */
    void answered(LokiBatch part);

    /**
     * Loki refused {@code batch}'s tenant as a whole (429, 401, 403) and the batch waits to be retried: no other
     * push of its tenant should go meanwhile, and the batch should not keep a slot other tenants could use. Called
     * before each such wait; the batch still ends in exactly one listener call.
     */
    default void tenantRefused(LokiBatch batch) {
    }
}
