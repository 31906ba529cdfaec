package io.lokiconnect.sink.commit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Hands refused records to the dead letter queue and marks each done only once the queue has written it, so a record
 * is committed after it is safe somewhere. Used on the task thread only, as Connect's reporter expects.
 */
public final class DeadLetterHandoff {

    /** Connect's ErrantRecordReporter, seen without the Connect API: the record and the error's message. */
    public interface Reporter {
        Future<?> report(Object record, String message);
    }

    /** The dead letter queue could not take a record: the task must fail. */
    public static final class HandoffFailure extends RuntimeException {
        HandoffFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Reported(PendingRecord record, Future<?> future) {
    }

    private final Reporter reporter;
    private final Consumer<PendingRecord> done;
    private final List<Reported> reported = new ArrayList<>();

    public DeadLetterHandoff(Reporter reporter, Consumer<PendingRecord> done) {
        this.reporter = reporter;
        this.done = done;
    }

    /** Reports one refusal; what the reporter throws (errors.tolerance=none) goes to the caller. */
    public void report(Refusal refusal) {
        Future<?> future = reporter.report(refusal.source(), refusal.message());
        reported.add(new Reported(refusal.record(), future));
    }

    /** Marks done the records the queue has written; never blocks. */
    public void collect() {
        for (Iterator<Reported> it = reported.iterator(); it.hasNext(); ) {
            Reported r = it.next();
            if (r.future().isDone() && finish(r)) {
                it.remove();
            }
        }
    }

    /** Waits up to {@code timeoutMillis} for the reports still pending (before a commit). */
    public void await(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Iterator<Reported> it = reported.iterator(); it.hasNext(); ) {
            Reported r = it.next();
            try {
                r.future().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return;
            } catch (ExecutionException e) {
                throw failure(r, e.getCause());
            }
            if (!finish(r)) {
                return;
            }
            it.remove();
        }
    }

    public int pending() {
        return reported.size();
    }

    /**
     * Marks the record done once its report is written; false when interrupted (the producer's future checks the
     * interrupt flag even when complete): the report is kept and collected next time, never dropped untracked.
     */
    private boolean finish(Reported r) {
        try {
            r.future().get();
        } catch (ExecutionException e) {
            throw failure(r, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        done.accept(r.record());
        return true;
    }

    private static HandoffFailure failure(Reported r, Throwable cause) {
        return new HandoffFailure("Could not write refused record " + r.record().topic() + "-" + r.record().partition()
                + "@" + r.record().offset() + " to the dead letter queue: " + cause, cause);
    }
}
