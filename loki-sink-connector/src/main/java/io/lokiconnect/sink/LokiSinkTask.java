package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.sink.batch.Batcher;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.delivery.BatchSender;
import io.lokiconnect.sink.delivery.DeliveryListener;
import io.lokiconnect.sink.delivery.Settlement;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.offsets.AcknowledgedOffsets;
import io.lokiconnect.sink.offsets.PendingRecord;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import io.lokiconnect.sink.push.PushEncoder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts Connect's sink task life cycle to the batcher, the sender and the offset tracker. {@code put()} turns
 * records into entries and fills batches; a timer closes batches by age; sender threads push and retry;
 * {@code preCommit()} hands Connect only the offsets of records Loki acknowledged or the dead letter queue took.
 */
public class LokiSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(LokiSinkTask.class);
    /** Longest time put() blocks for back-pressure before pausing partitions, well below max.poll.interval.ms. */
    private static final long MAX_BLOCK_MILLIS = 10_000;

    private LokiSinkConfig config;
    private SinkRecordMapper mapper;
    private Batcher batcher;
    private BatchSender sender;
    private LokiClient client;
    private AcknowledgedOffsets offsets;
    private SinkTaskMetrics metrics;
    private ScheduledExecutorService timer;
    private ErrantRecordReporter reporter;
    private String levelLabel;
    private String behaviorOnRejected;

    private final AtomicLong bufferedBytes = new AtomicLong();
    private final Object bufferLock = new Object();
    private final AtomicReference<ConnectException> failure = new AtomicReference<>();
    /** Refused records waiting for the task thread, which alone talks to the dead letter queue. */
    private final ConcurrentLinkedQueue<Refused> refused = new ConcurrentLinkedQueue<>();
    private final List<Reported> reported = new ArrayList<>();
    private boolean paused;

    private record Refused(PendingRecord record, String reason) {
    }

    private record Reported(PendingRecord record, Future<Void> future) {
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new LokiSinkConfig(props);
        mapper = new SinkRecordMapper(config);
        offsets = new AcknowledgedOffsets();
        levelLabel = config.metricsLevelLabel();
        behaviorOnRejected = config.behaviorOnRejected();
        metrics = new SinkTaskMetrics(pluginMetrics(), config.metricsLevelValuesMax(), bufferedBytes::get);
        reporter = errantRecordReporter();
        PushEncoder encoder = PushEncoder.create(config.protobuf(), config.jsonGzip());
        batcher = new Batcher(encoder, config.batchMaxBytes(), config.batchMaxWaitMs());
        client = new LokiClient(LokiSinkConnector.clientSettings(config));
        RetryPolicy retryPolicy = new RetryPolicy(config.maxRetries(), config.retryBackoffMinMs(), config.retryBackoffMaxMs());
        String name = "loki-sink-" + props.getOrDefault("name", "task");
        sender = new BatchSender(client, encoder, retryPolicy, config.maxInFlightBatches(), name, new Listener());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-linger");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(5, Math.min(250, config.batchMaxWaitMs() / 4));
        timer.scheduleAtFixedRate(this::closeExpiredBatch, period, period, TimeUnit.MILLISECONDS);
        log.info("Loki sink task started: pushing to {} ({}), batches up to {} bytes / {} ms, max.retries {}",
                client.pushUrl(), config.protobuf() ? "protobuf+snappy" : "json", config.batchMaxBytes(),
                config.batchMaxWaitMs(), config.maxRetries());
    }

    private org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        try {
            return context.pluginMetrics();
        } catch (NoSuchMethodError | UnsupportedOperationException e) {
            return null; // worker older than Kafka 4.1 (KIP-877)
        }
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null;
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        throwIfFailed();
        reportRefused();
        long now = System.nanoTime();
        for (SinkRecord record : records) {
            metrics.recordsReceived.incrementAndGet();
            PendingRecord pending = offsets.track(record.topic(), record.kafkaPartition(), record.kafkaOffset(), record);
            LokiEntry entry;
            try {
                entry = mapper.toEntry(record, pending);
            } catch (DataException e) {
                refused.add(new Refused(pending, e.getMessage()));
                continue;
            }
            if (entry == null) {
                metrics.recordsSkipped.incrementAndGet();
                offsets.done(pending);
                continue;
            }
            if (levelLabel != null) {
                metrics.countLevel(entry.labels().get(levelLabel));
            }
            bufferedBytes.addAndGet(entry.line().length());
            for (LokiBatch batch : batcher.add(entry, now)) {
                sender.submit(batch);
            }
        }
        reportRefused();
        applyBackPressure();
    }

    /** Blocks while the buffer is full, then pauses the partitions if Loki still does not drain it. */
    private void applyBackPressure() {
        long limit = config.bufferMaxBytes();
        // Once paused, Connect calls put() with no records; waiting there again would only slow the resume.
        long deadline = paused ? 0 : System.currentTimeMillis() + MAX_BLOCK_MILLIS;
        synchronized (bufferLock) {
            while (bufferedBytes.get() >= limit && failure.get() == null && System.currentTimeMillis() < deadline) {
                try {
                    bufferLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        boolean full = bufferedBytes.get() >= limit;
        if (full && !paused) {
            paused = true;
            metrics.pausedTotal.incrementAndGet();
            log.warn("Buffered {} bytes >= buffer.max.bytes {}: Loki is slow or down; pausing partitions {}",
                    bufferedBytes.get(), limit, context.assignment());
            context.pause(context.assignment().toArray(new TopicPartition[0]));
        } else if (!full && paused && bufferedBytes.get() < limit / 2) {
            paused = false;
            log.info("Buffer drained to {} bytes: resuming partitions", bufferedBytes.get());
            context.resume(context.assignment().toArray(new TopicPartition[0]));
        }
    }

    private void closeExpiredBatch() {
        try {
            LokiBatch batch = batcher.closeIfExpired(System.nanoTime());
            if (batch != null) {
                sender.submit(batch);
            }
        } catch (RuntimeException e) {
            log.error("Could not hand an expired batch to the sender", e);
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        throwIfFailed();
        reportRefused();
        awaitReports(5_000);
        if (paused) {
            applyBackPressure();
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (Map.Entry<AcknowledgedOffsets.Partition, Long> e : offsets.committable().entrySet()) {
            TopicPartition tp = new TopicPartition(e.getKey().topic(), e.getKey().partition());
            if (currentOffsets.containsKey(tp)) {
                commit.put(tp, new OffsetAndMetadata(e.getValue()));
            }
        }
        return commit;
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // Offsets are managed in preCommit; nothing is held only in memory that flush could save.
    }

    /** Hands refused records to the dead letter queue (or the log); only on the task thread, as Connect expects. */
    private void reportRefused() {
        Refused next;
        while ((next = refused.poll()) != null) {
            String mode = behaviorOnRejected;
            if (LokiSinkConfig.REJECTED_FAIL.equals(mode)) {
                failure.compareAndSet(null, new ConnectException("Loki refused a record ("
                        + describe(next.record()) + "): " + next.reason()
                        + ". behavior.on.rejected=fail; set it to dlq or log to keep going"));
                throwIfFailed();
            }
            if (LokiSinkConfig.REJECTED_DLQ.equals(mode) && reporter != null) {
                try {
                    Future<Void> future = reporter.report((SinkRecord) next.record().source(),
                            new DataException("Loki refused the entry: " + next.reason()));
                    reported.add(new Reported(next.record(), future));
                    metrics.recordsToDlq.incrementAndGet();
                    continue;
                } catch (ConnectException e) {
                    throw new ConnectException("Loki refused a record (" + describe(next.record()) + ": "
                            + next.reason() + ") and it could not go to the dead letter queue: " + e.getMessage()
                            + ". With behavior.on.rejected=dlq set errors.tolerance=all and "
                            + "errors.deadletterqueue.topic.name, or use behavior.on.rejected=log", e);
                }
            }
            log.warn("Loki refused record {}; logged and skipped (behavior.on.rejected={}{}): {}",
                    describe(next.record()), mode, reporter == null && mode.equals(LokiSinkConfig.REJECTED_DLQ)
                            ? ", no dead letter queue on this worker" : "", next.reason());
            offsets.done(next.record());
        }
        for (Iterator<Reported> it = reported.iterator(); it.hasNext(); ) {
            Reported r = it.next();
            if (r.future().isDone()) {
                offsets.done(r.record());
                it.remove();
            }
        }
    }

    private void awaitReports(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Iterator<Reported> it = reported.iterator(); it.hasNext(); ) {
            Reported r = it.next();
            try {
                r.future().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                offsets.done(r.record());
                it.remove();
            } catch (TimeoutException e) {
                return;
            } catch (ExecutionException e) {
                throw new ConnectException("Could not write a refused record to the dead letter queue", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String describe(PendingRecord record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private void throwIfFailed() {
        ConnectException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            offsets.forget(tp.topic(), tp.partition());
        }
        paused = false;
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (sender != null) {
            LokiBatch last = batcher.closeNow();
            if (last != null && failure.get() == null) {
                sender.submit(last);
            }
            sender.close(config.flushTimeoutMs());
        }
        if (client != null) {
            client.close();
        }
    }

    /** Test hook: bytes buffered or in flight. */
    long bufferedBytes() {
        return bufferedBytes.get();
    }

    private final class Listener implements DeliveryListener {
        @Override
        public void answered(int status) {
            metrics.answered(status);
        }

        @Override
        public void settled(LokiBatch batch, Settlement settlement, long latencyNanos) {
            for (LokiEntry entry : settlement.accepted()) {
                offsets.done(entry.record());
            }
            if (!settlement.refused().isEmpty()) {
                log.warn("Loki refused {} of {} entries of batch {}; first reason: {}", settlement.refused().size(),
                        batch.entryCount(), batch.sequence(), settlement.refused().values().iterator().next());
            }
            settlement.refused().forEach((entry, reason) -> {
                metrics.entriesRejected.incrementAndGet();
                refused.add(new Refused(entry.record(), reason));
            });
            metrics.entriesSent.addAndGet(settlement.accepted().size());
            metrics.batchesSent.addAndGet(settlement.acknowledgedPushes());
            metrics.bytesSentRaw.addAndGet(settlement.acknowledgedBytes());
            metrics.bytesSentCompressed.addAndGet(settlement.acknowledgedCompressedBytes());
            metrics.batchLatency(latencyNanos / 1_000_000);
            release(batch);
        }

        @Override
        public void retrying(LokiBatch batch, int retry, String problem, long backoffMillis) {
            metrics.retries.incrementAndGet();
        }

        @Override
        public void failed(LokiBatch batch, String message) {
            failure.compareAndSet(null, new ConnectException(message + ". The " + batch.entryCount()
                    + " entries of this batch are not committed and will be sent again after the task restarts "
                    + "(POST /connectors/<name>/tasks/<id>/restart); raise max.retries (-1 = forever) to wait longer."));
            log.error("{}; failing the task", message);
            release(batch);
        }

        @Override
        public void abandoned(LokiBatch batch) {
            release(batch);
        }

        private void release(LokiBatch batch) {
            bufferedBytes.addAndGet(-batch.lineBytes());
            synchronized (bufferLock) {
                bufferLock.notifyAll();
            }
        }
    }
}
