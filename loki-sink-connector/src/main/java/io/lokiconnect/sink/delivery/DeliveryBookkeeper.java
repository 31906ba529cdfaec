package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.flow.BackPressure;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import io.lokiconnect.sink.commit.AcknowledgedOffsets;
import io.lokiconnect.sink.commit.Refusal;
import io.lokiconnect.sink.commit.RefusalRouter;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Books what became of each batch, on the sender's threads: accepted records are done (committable), refused ones go
 * to the {@link RefusalRouter}, a failure is handed to the pipeline (which fails the task), the batch's bytes leave the back-pressure buffer in
 * every case, and the metrics count it all.
 */
public final class DeliveryBookkeeper implements DeliveryListener {

    private static final Logger log = LoggerFactory.getLogger(DeliveryBookkeeper.class);

    private final AcknowledgedOffsets offsets;
    private final RefusalRouter refusals;
    private final BackPressure<?> backPressure;
    private final SinkTaskMetrics metrics;
    private final Consumer<String> onFailure;

    /** @param onFailure receives the message the task must fail with (called once per failed batch) */
    public DeliveryBookkeeper(AcknowledgedOffsets offsets, RefusalRouter refusals, BackPressure<?> backPressure,
                              SinkTaskMetrics metrics, Consumer<String> onFailure) {
        this.offsets = offsets;
        this.refusals = refusals;
        this.backPressure = backPressure;
        this.metrics = metrics;
        this.onFailure = onFailure;
    }

    @Override
    public void answered(int status) {
        metrics.answered(status);
    }

    @Override
    public void settled(LokiBatch batch, Settlement settlement, long latencyNanos) {
        for (LokiEntry entry : settlement.accepted()) {
            offsets.done(entry.record());
        }
        if (settlement.revokedDropped() > 0) {
            log.info("Did not push {} of {} entries of batch {}: their partitions were revoked from this task, and "
                    + "their next owner reads them from the last committed offset", settlement.revokedDropped(),
                    batch.entryCount(), batch.sequence());
        }
        if (!settlement.refused().isEmpty()) {
            log.warn("Loki refused {} of {} entries of batch {}; first reason: {}", settlement.refused().size(),
                    batch.entryCount(), batch.sequence(), settlement.refused().values().iterator().next());
        }
        settlement.refused().forEach((entry, reason) -> {
            metrics.entriesRejected.incrementAndGet();
            refusals.offer(new Refusal(entry.record(), Refusal.Cause.LOKI_REFUSED, reason));
        });
        metrics.entriesSent.addAndGet(settlement.accepted().size());
        metrics.batchesSent.addAndGet(settlement.acknowledgedPushes());
        metrics.bytesSentRaw.addAndGet(settlement.acknowledgedBytes());
        metrics.bytesSentCompressed.addAndGet(settlement.acknowledgedCompressedBytes());
        metrics.batchLatency(latencyNanos / 1_000_000);
        backPressure.release(batch.lineBytes());
    }

    /** Entries the outbox did not send because Loki would drop them: refused, and out of the buffer. */
    public void refusedBeforeSending(java.util.List<io.lokiconnect.sink.batch.Outbox.Refused> refused) {
        log.warn("Not sending {} entries that Loki would drop; first: {}", refused.size(), refused.get(0).reason());
        long bytes = 0;
        for (io.lokiconnect.sink.batch.Outbox.Refused r : refused) {
            metrics.entriesRejected.incrementAndGet();
            metrics.entriesRefusedBeforeSending.incrementAndGet();
            refusals.offer(new Refusal(r.entry().record(), Refusal.Cause.LOKI_WOULD_DROP, r.reason()));
            bytes += r.entry().lineBytes();
        }
        backPressure.release(bytes);
    }

    /** Entries of revoked partitions the outbox dropped before sending: out of the buffer. */
    public void droppedRevoked(long lineBytes) {
        backPressure.release(lineBytes);
    }

    @Override
    public void retrying(LokiBatch batch, int retry, String problem, long backoffMillis) {
        metrics.retries.incrementAndGet();
    }

    @Override
    public void failed(LokiBatch batch, String message) {
        log.error("{}; failing the task", message);
        onFailure.accept(message + ". The " + batch.entryCount() + " entries of this batch are not committed and "
                + "will be sent again after the task restarts (POST /connectors/<name>/tasks/<id>/restart)"
                + (message.contains("max.retries=") ? "; raise max.retries (-1 = forever) to wait longer." : "."));
        backPressure.release(batch.lineBytes());
    }

    @Override
    public void abandoned(LokiBatch batch) {
        backPressure.release(batch.lineBytes());
    }
}
