package io.lokiconnect.sink.commit;

import io.lokiconnect.common.config.ConfigChoice;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@code behavior.on.rejected} for records that will not reach Loki. Sender threads {@link #offer} them;
 * the task thread {@link #route}s them, since Connect's dead letter queue must be used from the task thread:
 * {@code dlq} hands them to the {@link DeadLetterHandoff} (logged when the worker has no dead letter queue),
 * {@code log} logs them, {@code fail} fails the task. A record is marked done (committable) only after that.
 */
public final class RefusalRouter {

    private static final Logger log = LoggerFactory.getLogger(RefusalRouter.class);

    /** {@code behavior.on.rejected}. */
    public enum Behavior implements ConfigChoice { DLQ, LOG, FAIL }

    /** behavior.on.rejected asks the task to fail, or the dead letter queue refused a record. */
    public static final class RefusalFailure extends RuntimeException {
        RefusalFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Behavior behavior;
    private final DeadLetterHandoff deadLetters;
    private final Consumer<PendingRecord> done;
    private final Runnable onDeadLetter;
    private final ConcurrentLinkedQueue<Refusal> waiting = new ConcurrentLinkedQueue<>();

    /**
     * @param deadLetters  null when the worker has no dead letter queue
     * @param onDeadLetter called per record handed to the dead letter queue (a metric)
     */
    public RefusalRouter(Behavior behavior, DeadLetterHandoff deadLetters, Consumer<PendingRecord> done,
                         Runnable onDeadLetter) {
        this.behavior = behavior;
        this.deadLetters = deadLetters;
        this.done = done;
        this.onDeadLetter = onDeadLetter;
    }

    /** Queues a refusal; any thread. */
    public void offer(Refusal refusal) {
        waiting.add(refusal);
    }

    /** Routes the queued refusals; task thread only. */
    public void route() {
        Refusal next;
        while ((next = waiting.poll()) != null) {
            switch (behavior) {
                case FAIL -> throw new RefusalFailure(next.message() + " (record " + next.describeRecord()
                        + "). behavior.on.rejected=fail; set it to dlq or log to keep going", null);
                case DLQ -> {
                    if (deadLetters != null) {
                        toDeadLetters(next);
                        continue;
                    }
                    logAndSkip(next, " (behavior.on.rejected=dlq, but this worker has no dead letter queue)");
                }
                default -> logAndSkip(next, " (behavior.on.rejected=log)");
            }
        }
        if (deadLetters != null) {
            deadLetters.collect();
        }
    }

    private void toDeadLetters(Refusal refusal) {
        try {
            deadLetters.report(refusal);
            onDeadLetter.run();
        } catch (RuntimeException e) {
            throw new RefusalFailure(refusal.message() + " (record " + refusal.describeRecord()
                    + ") and it could not go to the dead letter queue: " + e.getMessage() + ". With "
                    + "behavior.on.rejected=dlq set errors.tolerance=all and errors.deadletterqueue.topic.name, or use "
                    + "behavior.on.rejected=log", e);
        }
    }

    private void logAndSkip(Refusal refusal, String why) {
        log.warn("{}; record {} logged and skipped{}", refusal.message(), refusal.describeRecord(), why);
        done.accept(refusal.record());
    }
}
