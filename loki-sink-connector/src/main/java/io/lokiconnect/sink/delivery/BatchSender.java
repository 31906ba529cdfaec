package io.lokiconnect.sink.delivery;

import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.LokiResponse;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.push.EncodedPush;
import io.lokiconnect.sink.push.PushEncoder;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends closed batches on {@code max.in.flight.batches} threads and retries them per {@link RetryPolicy}. Every
 * batch ends in exactly one {@link DeliveryListener} call: delivered, rejected (a 4xx: some or all entries
 * refused, the rest kept by Loki), failed (retries exhausted) or abandoned (the sender was closed first).
 */
public final class BatchSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

    private final LokiClient client;
    private final PushEncoder encoder;
    private final RetryPolicy retryPolicy;
    private final DeliveryListener listener;
    private final ThreadPoolExecutor executor;
    private volatile boolean closing;

    public BatchSender(LokiClient client, PushEncoder encoder, RetryPolicy retryPolicy, int maxInFlight,
                       String threadName, DeliveryListener listener) {
        this.client = client;
        this.encoder = encoder;
        this.retryPolicy = retryPolicy;
        this.listener = listener;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(maxInFlight, maxInFlight, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, threadName + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public void submit(LokiBatch batch) {
        executor.execute(() -> send(batch));
    }

    /** Batches queued or being sent. */
    public int inFlight() {
        return executor.getQueue().size() + executor.getActiveCount();
    }

    private void send(LokiBatch batch) {
        if (closing) {
            listener.abandoned(batch);
            return;
        }
        long started = System.nanoTime();
        EncodedPush push;
        try {
            push = encoder.encode(batch);
        } catch (RuntimeException e) {
            listener.failed(batch, "could not encode a batch of " + batch.entryCount() + " entries: " + e);
            return;
        }
        int retries = 0;
        while (true) {
            String problem;
            long retryAfter = -1;
            try {
                LokiResponse response = client.push(push);
                listener.answered(response.status());
                if (response.isSuccess()) {
                    listener.delivered(batch, push, System.nanoTime() - started);
                    return;
                }
                if (response.isRejection()) {
                    listener.rejected(batch, push, response);
                    return;
                }
                problem = "answered " + response.status() + ": " + excerpt(response.body());
                retryAfter = response.retryAfterMillis();
            } catch (IOException e) {
                listener.answered(0);
                problem = "failed: " + e;
            }
            if (closing || Thread.currentThread().isInterrupted()) {
                listener.abandoned(batch);
                return;
            }
            if (!retryPolicy.mayRetry(retries)) {
                listener.failed(batch, "Loki push to " + client.pushUrl() + " " + problem + " (after " + retries
                        + " retries, max.retries=" + retryPolicy.maxRetries() + ")");
                return;
            }
            retries++;
            long backoff = retryPolicy.backoffMillis(retries, retryAfter);
            listener.retrying(batch, retries, problem, backoff);
            log.warn("Loki push to {} {}; retry {} of batch {} ({} entries) in {} ms", client.pushUrl(), problem,
                    retries, batch.sequence(), batch.entryCount(), backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                listener.abandoned(batch);
                return;
            }
        }
    }

    /** The start of a response body, for logs and error messages. */
    public static String excerpt(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    /** Lets queued and running batches finish for up to {@code timeoutMillis}, then abandons the rest. */
    public void close(long timeoutMillis) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                closing = true;
                executor.shutdownNow().forEach(Runnable::run);
                executor.awaitTermination(Math.min(timeoutMillis, 5000), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(0);
    }
}
