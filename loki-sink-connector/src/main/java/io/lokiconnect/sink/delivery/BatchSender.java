package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.LokiResponse;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.push.EncodedPush;
import io.lokiconnect.sink.push.PushEncoder;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends closed batches on {@code max.in.flight.batches} threads until Loki has answered for every entry. Each push is
 * retried per {@link RetryPolicy} on no answer, 429, 5xx, 408, 499, 401 and 403; a 413 splits the push in halves down to single
 * entries; a 400 settles the entries its body names as refused and the others as stored, never sending them again
 * (Loki keeps the valid entries of a push it answers 400, and a second copy is visible once the first left the head
 * block; see {@link Rejections}); a 400 naming none (a proxy's, a push Loki could not read) splits the push like a
 * 413. Only a single entry refused alone is taken as refused without a name. Any other answer (3xx, 404, other 4xx) fails the batch at once.
 * Every batch ends in exactly one {@link DeliveryListener} call: settled, failed or abandoned.
 */
public final class BatchSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);
    /** The keys a user changes when Loki refuses the credentials. */
    static final String AUTH_KEYS = "loki.auth.bearer.token (or the file of loki.auth.bearer.token.file), "
            + "loki.auth.basic.username and loki.auth.basic.password, loki.headers, and the tenant (loki.tenant.id, "
            + "the records' loki.tenant header or mappings)";

    private final LokiClient client;
    private final PushEncoder encoder;
    private final RetryPolicy retryPolicy;
    private final DeliveryListener listener;
    private final PushGate gate;
    private final ThreadPoolExecutor executor;
    private volatile boolean closing;

    /** @param gate asked before every request of a batch but its first (retries, split parts) */
    public BatchSender(LokiClient client, PushEncoder encoder, RetryPolicy retryPolicy, int maxInFlight,
                       String threadName, DeliveryListener listener, PushGate gate) {
        this.client = client;
        this.encoder = encoder;
        this.retryPolicy = retryPolicy;
        this.listener = listener;
        this.gate = gate;
        AtomicInteger count = new AtomicInteger();
        // A thread per batch handed over: the dispatcher hands over at most max.in.flight.batches at a time, plus the
        // batches waiting to retry after Loki refused their tenant, which gave their slot to other tenants (at most
        // max.in.flight.batches per such tenant: no new push of a held tenant is composed).
        this.executor = new ThreadPoolExecutor(maxInFlight, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, threadName + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public void submit(LokiBatch batch) {
        try {
            executor.execute(() -> send(batch));
        } catch (RejectedExecutionException abandonedAlready) {
            listener.abandoned(batch);
        }
    }

    private void send(LokiBatch batch) {
        if (closing) {
            listener.abandoned(batch);
            return;
        }
        long started = System.nanoTime();
        Settlement settlement = new Settlement();
        Deque<LokiBatch> work = new ArrayDeque<>();
        work.add(batch);
        boolean[] sentOnce = {false};
        try {
            while (!work.isEmpty()) {
                settle(work.poll(), settlement, work, sentOnce);
            }
        } catch (Failure e) {
            listener.failed(batch, e.getMessage());
            return;
        } catch (Abandoned e) {
            listener.abandoned(batch);
            return;
        } catch (RuntimeException | Error e) {
            // A bug here must not end the sender thread silently: the batch would never settle, its bytes never be
            // released and its partitions stay paused behind a "Loki is slow" warning. Fail the task instead: its
            // offsets are not committed and a restart sends the batch again.
            log.error("Unexpected error while pushing a batch of {} entries", batch.entryCount(), e);
            listener.failed(batch, "unexpected error while pushing a batch of " + batch.entryCount() + " entries: " + e);
            return;
        }
        listener.settled(batch, settlement, System.nanoTime() - started);
    }

    /** Pushes {@code part}; settles what Loki answered for, queues what it must be asked about again. */
    private void settle(LokiBatch whole, Settlement settlement, Deque<LokiBatch> work, boolean[] sentOnce)
            throws Failure, Abandoned {
        LokiBatch part = withoutRevoked(whole, settlement);
        if (part == null) {
            return;
        }
        EncodedPush push;
        try {
            push = encoder.encode(part);
        } catch (RuntimeException e) {
            throw new Failure("could not encode a batch of " + part.entryCount() + " entries: " + e);
        }
        LokiResponse response;
        try {
            response = pushWithRetries(whole, part, push, sentOnce);
        } catch (Revoked e) {
            work.addFirst(part); // encoded again without the revoked partitions' entries
            return;
        }
        List<LokiEntry> entries = part.entries();
        switch (response.outcome()) {
            case SUCCESS -> settlement.accept(entries, push);
            case TOO_LARGE -> splitOrRefuse(part, entries, response, settlement, work);
            case REFUSED_ENTRIES -> {
                Map<LokiEntry, String> named = Rejections.refused(part, response.body());
                if (named.isEmpty()) {
                    splitOrRefuse(part, entries, response, settlement, work);
                    return;
                }
                named.forEach(settlement::refuse);
                List<LokiEntry> rest = new ArrayList<>(entries.size() - named.size());
                for (LokiEntry entry : entries) {
                    if (!named.containsKey(entry)) {
                        rest.add(entry);
                    }
                }
                // Loki stored the entries its 400 does not name: the distributor pushes the valid entries of a
                // request, the ingester keeps what it appended. Its answer can leave refused ones out (the ingester
                // reports only the request's last failing stream, at most max_returned_stream_errors entries), but
                // sending the rest again would store a second copy of every stored one that left its stream's head
                // block, and Loki refuses the left-out ones again: they are taken as stored.
                settlement.accept(rest, push);
            }
            default -> throw new IllegalStateException("unexpected outcome " + response.outcome());
        }
    }

    private static void splitOrRefuse(LokiBatch part, List<LokiEntry> entries, LokiResponse response,
                                      Settlement settlement, Deque<LokiBatch> work) {
        if (entries.size() == 1) {
            settlement.refuse(entries.get(0), "Loki answered " + response.status() + " to this entry alone: "
                    + excerpt(response.body()));
            return;
        }
        int half = entries.size() / 2;
        work.addFirst(part.subset(entries.subList(half, entries.size())));
        work.addFirst(part.subset(entries.subList(0, half)));
    }

    /**
     * {@code part} without the entries whose partition was revoked from the task since they were batched (counted in
     * the settlement); null when none is left. The partition's next owner reads them again from the committed
     * offset, which they are beyond: pushing them here too would store every one twice.
     */
    private static LokiBatch withoutRevoked(LokiBatch part, Settlement settlement) {
        List<LokiEntry> entries = part.entries();
        int revoked = 0;
        for (LokiEntry entry : entries) {
            if (isRevoked(entry)) {
                revoked++;
            }
        }
        if (revoked == 0) {
            return part;
        }
        settlement.dropRevoked(revoked);
        if (revoked == entries.size()) {
            return null;
        }
        List<LokiEntry> live = new ArrayList<>(entries.size() - revoked);
        for (LokiEntry entry : entries) {
            if (!isRevoked(entry)) {
                live.add(entry);
            }
        }
        return part.subset(live);
    }

    private static boolean isRevoked(LokiEntry entry) {
        return entry.record() != null && entry.record().isRevoked();
    }

    private static boolean anyRevoked(LokiBatch part) {
        for (LokiEntry entry : part.entries()) {
            if (isRevoked(entry)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One push, retried until Loki answers with something other than no answer, 429, 5xx, 408, 499, 401 or 403.
     * Every request but the batch's first passes the {@link PushGate} (its budget was taken when it was composed).
     */
    private LokiResponse pushWithRetries(LokiBatch whole, LokiBatch part, EncodedPush push, boolean[] sentOnce)
            throws Failure, Abandoned, Revoked {
        String target = client.pushUrl() + tenantText(whole);
        int retries = 0;
        while (true) {
            String problem;
            long retryAfter = -1;
            boolean auth = false;
            boolean tenantRefused = false;
            if (sentOnce[0]) {
                try {
                    gate.beforeResend(part);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Abandoned();
                }
            }
            sentOnce[0] = true;
            if (closing) {
                throw new Abandoned();
            }
            try {
                LokiResponse response;
                try {
                    response = client.push(push, whole.tenant());
                } finally {
                    gate.answered(part);
                }
                listener.answered(response.status());
                switch (response.outcome()) {
                    case SUCCESS, REFUSED_ENTRIES, TOO_LARGE -> {
                        return response;
                    }
                    case FATAL -> throw new Failure("Loki push to " + target + " answered "
                            + response.status() + ": " + excerpt(response.body()) + ". " + fatalHint(response.status()));
                    default -> {
                        problem = "answered " + response.status() + ": " + excerpt(response.body());
                        retryAfter = response.retryAfterMillis();
                        auth = response.outcome() == LokiResponse.Outcome.AUTH;
                        tenantRefused = auth || response.status() == 429;
                    }
                }
            } catch (IOException e) {
                listener.answered(0);
                problem = "failed: " + e;
            }
            if (closing || Thread.currentThread().isInterrupted()) {
                throw new Abandoned();
            }
            if (!retryPolicy.mayRetry(retries)) {
                throw new Failure("Loki push to " + target + " " + problem + " (after " + retries
                        + " retries, max.retries=" + retryPolicy.maxRetries() + ")"
                        + (auth ? ". Loki refused the credentials: check " + AUTH_KEYS
                                + ", then update the connector config (PUT /connectors/<name>/config)" : ""));
            }
            retries++;
            long backoff = retryPolicy.backoffMillis(retries, retryAfter);
            listener.retrying(part, retries, problem, backoff);
            if (tenantRefused) {
                gate.tenantRefused(whole); // the tenant's other entries wait; other tenants' go on
            }
            log.warn("Loki push to {} {}; retry {} of batch {} ({} entries) in {} ms{}", target, problem,
                    retries, part.sequence(), part.entryCount(), backoff,
                    auth ? " (credentials refused: check " + AUTH_KEYS + ")" : "");
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Abandoned();
            }
            if (anyRevoked(part)) {
                throw new Revoked(); // a rebalance while retrying: send only what the task still owns
            }
        }
    }

    /** " for tenant 'x'" when the batch has a tenant: errors and logs say whose push failed. */
    private static String tenantText(LokiBatch batch) {
        return batch.tenant().isEmpty() ? "" : " for tenant '" + batch.tenant() + "'";
    }

    private static String fatalHint(int status) {
        if (status >= 300 && status < 400) {
            return "Redirects are not followed: set loki.url to the final URL of Loki's push endpoint";
        }
        if (status == 404 || status == 405) {
            return "Check loki.url: it must reach Loki's push endpoint (http://<host>:3100 or .../loki/api/v1/push)";
        }
        return "Retrying cannot help; check loki.url and the proxy in front of Loki";
    }

    /** The start of a response body, for logs and error messages. */
    public static String excerpt(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    /**
     * Abandons every batch at once: queued ones are not sent, pushes in flight are cancelled, retry backoffs end; each
     * batch ends as {@link DeliveryListener#abandoned}. Waits up to {@code waitMillis} for the threads to end.
     */
    public void abandon(long waitMillis) {
        closing = true;
        executor.shutdownNow().forEach(Runnable::run);
        client.cancelAll();
        try {
            executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        abandon(0);
    }

    /** The batch cannot be delivered: the task fails. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Some entries' partitions were revoked while the push was being retried. */
    private static final class Revoked extends Exception {
        Revoked() {
            super(null, null, false, false);
        }
    }

    /** The sender is closing. */
    private static final class Abandoned extends Exception {
        Abandoned() {
            super(null, null, false, false);
        }
    }
}
