package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.batch.Outbox;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the {@link Outbox}'s pushes to the {@link BatchSender} one at a time, each only when a sender thread is free
 * for it: a push is composed (and its streams' budgets taken) right before it is sent, never left waiting in a
 * queue while time passes that Loki would not count. It tells the outbox what became of each push, and passes every
 * delivery event on to its own {@link DeliveryListener}.
 */
public final class Dispatcher implements DeliveryListener, PushGate {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** How often a waiting dispatcher or a resend waiting for its budget looks whether the task stops. */
    private static final long POLL_NANOS = 100_000_000L;

    private final Outbox outbox;
    private final DeliveryListener downstream;
    private final Consumer<List<Outbox.Refused>> refusedHere;
    private final LongConsumer droppedLineBytes;
    private final Semaphore free;
    /**
     * Batches in retry after Loki refused their tenant: each gave its slot back and holds its tenant in the outbox
     * until it ends (identity: a batch is one object from its composition to its end).
     */
    private final java.util.Set<LokiBatch> holdingTenant =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    private volatile boolean closing;
    private Thread thread;

    /**
     * @param refusedHere      entries the outbox refused because Loki would drop them (task: behavior.on.rejected)
     * @param droppedLineBytes line bytes of revoked partitions' entries the outbox dropped (they leave the buffer)
     */
    public Dispatcher(Outbox outbox, int maxInFlight, DeliveryListener downstream,
                      Consumer<List<Outbox.Refused>> refusedHere, LongConsumer droppedLineBytes) {
        this.outbox = outbox;
        this.downstream = downstream;
        this.refusedHere = refusedHere;
        this.droppedLineBytes = droppedLineBytes;
        this.free = new Semaphore(maxInFlight);
    }

    /** Starts handing pushes to {@code sender}. */
    public void start(BatchSender sender, String threadName) {
        thread = new Thread(() -> run(sender), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(BatchSender sender) {
        try {
            while (!closing) {
                free.acquire();
                Outbox.Next next;
                try {
                    next = outbox.waitForNext(() -> closing, POLL_NANOS);
                } catch (RuntimeException | Error e) {
                    free.release();
                    throw e;
                }
                if (!next.refused().isEmpty()) {
                    refusedHere.accept(next.refused());
                }
                if (next.droppedLineBytes() > 0) {
                    droppedLineBytes.accept(next.droppedLineBytes());
                }
                if (next.batch() != null) {
                    sender.submit(next.batch());
                } else {
                    free.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // Nothing more would be sent: the task must fail rather than stall with its partitions' offsets frozen.
            log.error("The Loki sink's dispatcher stopped", e);
            downstream.failed(LokiBatch.empty(), "the dispatcher of pushes stopped: " + e);
        }
    }

    /** Stops composing pushes; those in flight end through the sender. */
    public void close() {
        closing = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void beforeResend(LokiBatch part) throws InterruptedException {
        while (true) {
            long wait = outbox.takeForResend(part, System.nanoTime());
            if (wait == 0) {
                return;
            }
            if (closing) {
                throw new InterruptedException("closing");
            }
            long nanos = Math.min(wait, POLL_NANOS);
            Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
        }
    }

    @Override
    public void answered(LokiBatch part) {
        outbox.answered(part, System.nanoTime());
    }

    /**
     * The batch's tenant is held (no new push of it is composed) and its slot goes to the others: a tenant answered
     * 429 for minutes must not take every slot while the other tenants have entries to send.
     */
    @Override
    public void tenantRefused(LokiBatch batch) {
        if (holdingTenant.add(batch)) {
            outbox.holdTenant(batch.tenant());
            free.release();
        }
    }

    /** The batch ended: gives its slot back, or, when it gave it back already, lets its tenant go on. */
    private void ended(LokiBatch batch) {
        if (holdingTenant.remove(batch)) {
            outbox.releaseTenant(batch.tenant());
        } else {
            free.release();
        }
    }

    @Override
    public void answered(int status) {
        downstream.answered(status);
    }

    @Override
    public void settled(LokiBatch batch, Settlement settlement, long latencyNanos) {
        try {
            outbox.completed(batch, settlement.refused(), System.nanoTime());
            downstream.settled(batch, settlement, latencyNanos);
        } finally {
            ended(batch);
        }
    }

    @Override
    public void retrying(LokiBatch batch, int retry, String problem, long backoffMillis) {
        downstream.retrying(batch, retry, problem, backoffMillis);
    }

    @Override
    public void failed(LokiBatch batch, String message) {
        try {
            outbox.completed(batch, Map.of(), System.nanoTime());
            downstream.failed(batch, message);
        } finally {
            ended(batch);
        }
    }

    @Override
    public void abandoned(LokiBatch batch) {
        try {
            outbox.completed(batch, Map.of(), System.nanoTime());
            downstream.abandoned(batch);
        } finally {
            ended(batch);
        }
    }
}
