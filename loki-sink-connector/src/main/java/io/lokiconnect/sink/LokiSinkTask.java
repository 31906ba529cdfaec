package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.sink.batch.Outbox;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.delivery.BatchSender;
import io.lokiconnect.sink.delivery.DeliveryBookkeeper;
import io.lokiconnect.sink.delivery.Dispatcher;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.flow.BackPressure;
import io.lokiconnect.sink.flow.PartitionPauses;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import io.lokiconnect.sink.commit.AcknowledgedOffsets;
import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.push.PushEncoder;
import io.lokiconnect.sink.commit.DeadLetterHandoff;
import io.lokiconnect.sink.commit.Refusal;
import io.lokiconnect.sink.commit.RefusalRouter;
import io.lokiconnect.sink.shaping.PartitionAlignment;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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
 * Adapts Connect's sink task life cycle to plain classes: {@link SinkRecordMapper} (record to entry),
 * {@link Outbox} (entries per stream, shaped to Loki's limits, composed into pushes), {@link Dispatcher} and
 * {@link BatchSender} (pushes, retries), {@link AcknowledgedOffsets} (what may be
 * committed), {@link BackPressure} (pause and resume), {@link RefusalRouter} and {@link DeadLetterHandoff}
 * (behavior.on.rejected). {@code preCommit()} hands Connect only offsets of records that are settled.
 */
public class LokiSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(LokiSinkTask.class);
    /**
     * Longest time put() blocks for back-pressure before pausing partitions: well below max.poll.interval.ms, and
     * short beside Connect's 5 s task.shutdown.graceful.timeout.ms, since a stop waits for put() to return.
     */
    private static final long MAX_BLOCK_MILLIS = 1_000;
    /** Longest time stop() waits for the sender's threads to end after cancelling their pushes. */
    private static final long STOP_WAIT_MILLIS = 1_000;
    /** Longest time preCommit() waits for the dead letter queue. */
    private static final long DLQ_WAIT_MILLIS = 5_000;
    /**
     * Consuming time after which a partition that delivered nothing counts as caught up (alignment): a partition
     * with a backlog delivers within a poll or two, far sooner.
     */
    private static final long ALIGNMENT_IDLE_NANOS = 10_000_000_000L;
    /** Longest consuming time a stream waits in a row for a lagging partition of it (alignment). */
    private static final long ALIGNMENT_MAX_HOLD_NANOS = 300_000_000_000L;

    private LokiSinkConfig config;
    private SinkRecordMapper mapper;
    private Outbox outbox;
    private Dispatcher dispatcher;
    private BatchSender sender;
    private LokiClient client;
    private AcknowledgedOffsets offsets;
    private SinkTaskMetrics metrics;
    private BackPressure<TopicPartition> backPressure;
    private PartitionPauses<TopicPartition> pauses;
    private PartitionAlignment<TopicPartition> alignment;
    /** The partition of the last record put, reused while records come from it (no object per record). */
    private TopicPartition lastPartition;
    private DeadLetterHandoff deadLetters;
    private RefusalRouter refusals;
    private String levelLabel;
    /** Records are held for the dead letter queue only when one exists and behavior.on.rejected=dlq. */
    private boolean keepRecordsForDlq;
    private final AtomicReference<ConnectException> failure = new AtomicReference<>();
    private final long maxBlockMillis;

    public LokiSinkTask() {
        this(MAX_BLOCK_MILLIS);
    }

    /** @param maxBlockMillis longest time put() blocks for back-pressure before it pauses the partitions */
    LokiSinkTask(long maxBlockMillis) {
        this.maxBlockMillis = maxBlockMillis;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new LokiSinkConfig(props);
        offsets = new AcknowledgedOffsets();
        levelLabel = config.metricsLevelLabel();
        metrics = new SinkTaskMetrics(pluginMetrics(), config.metricsLevelValuesMax(),
                () -> backPressure == null ? 0 : backPressure.bufferedBytes());
        mapper = new SinkRecordMapper(config, metrics.labelOverflows);
        pauses = new PartitionPauses<>(new ContextPartitions());
        backPressure = new BackPressure<>(config.bufferMaxBytes(), maxTrackedRecords(config.bufferMaxBytes()),
                () -> {
                    offsets.compact();
                    return offsets.trackedCount();
                }, maxBlockMillis, pauses, metrics.pausedTotal::incrementAndGet);
        // Alignment lets go only when it would deadlock: the buffer is full and at least half of it waits for a
        // lagging partition, so it cannot drain below half (when back-pressure resumes) while that partition is
        // paused with the others. Otherwise the entries that may go drain it and the lagging partition is read on.
        long halfBuffer = config.bufferMaxBytes() / 2;
        alignment = new PartitionAlignment<>(config.lokiLimits().maxBehindNanos(), ALIGNMENT_IDLE_NANOS,
                ALIGNMENT_MAX_HOLD_NANOS, backPressure::consumingNanos,
                () -> backPressure.isHolding() && outbox != null && outbox.alignmentHeldBytes() >= halfBuffer);
        ErrantRecordReporter reporter = errantRecordReporter();
        deadLetters = reporter == null ? null : new DeadLetterHandoff(
                (record, message) -> reporter.report((SinkRecord) record, new DataException(message)), offsets::done);
        keepRecordsForDlq = deadLetters != null && config.behaviorOnRejected() == RefusalRouter.Behavior.DLQ;
        refusals = new RefusalRouter(config.behaviorOnRejected(),
                deadLetters, offsets::done, metrics.recordsToDlq::incrementAndGet);
        PushEncoder encoder = PushEncoder.create(config.encoding() == LokiSinkConfig.Encoding.PROTOBUF, config.jsonGzip());
        outbox = new Outbox(encoder, config.batchMaxBytes(), config.batchMaxWaitMs(), config.lokiLimits());
        outbox.horizon(alignment);
        metrics.heldBack(outbox::rateHeldBytes, () -> outbox.rateHeldMillis(System.nanoTime()),
                outbox::alignmentHeldBytes);
        client = new LokiClient(config.clientSettings());
        RetryPolicy retryPolicy = new RetryPolicy(config.maxRetries(), config.retryBackoffMinMs(), config.retryBackoffMaxMs());
        String name = "loki-sink-" + props.getOrDefault("name", "task");
        DeliveryBookkeeper bookkeeper = new DeliveryBookkeeper(offsets, refusals, backPressure, metrics,
                message -> failure.compareAndSet(null, new ConnectException(message)));
        dispatcher = new Dispatcher(outbox, config.maxInFlightBatches(), bookkeeper, bookkeeper::refusedBeforeSending,
                bookkeeper::droppedRevoked);
        sender = new BatchSender(client, encoder, retryPolicy, config.maxInFlightBatches(), name, dispatcher, dispatcher);
        dispatcher.start(sender, name + "-dispatch");
        log.info("Loki sink task started: pushing to {} ({}), batches up to {} bytes / {} ms, max.retries {}, Loki's "
                + "limits applied: {}", client.pushUrl(),
                config.encoding() == LokiSinkConfig.Encoding.PROTOBUF ? "protobuf+snappy" : "json",
                config.batchMaxBytes(), config.batchMaxWaitMs(), config.maxRetries(), config.lokiLimits());
    }

    /**
     * Records tracked for their offsets at most: one per 64 bytes of buffer.max.bytes (at least 10,000), so the
     * tracking (about 50 bytes a record) takes at most about as much heap as the buffer.
     */
    static long maxTrackedRecords(long bufferMaxBytes) {
        return Math.max(10_000, bufferMaxBytes / 64);
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
    public void open(Collection<TopicPartition> partitions) {
        alignment.assigned(partitions);
        backPressure.opened(partitions);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            offsets.forget(tp.topic(), tp.partition());
        }
        if (outbox != null) {
            backPressure.release(outbox.dropRevoked()); // their next owner reads them from the committed offset
        }
        alignment.revoked(partitions);
        pauses.forget(partitions);
        backPressure.closed(partitions);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        throwIfFailed();
        routeRefusals();
        offsets.compact();
        long now = System.nanoTime();
        metrics.recordsReceived.addAndGet(records.size());
        for (SinkRecord record : records) {
            PendingRecord pending = offsets.track(record.topic(), record.kafkaPartition(), record.kafkaOffset(),
                    keepRecordsForDlq ? record : null);
            LokiEntry entry;
            try {
                entry = mapper.toEntry(record, pending);
            } catch (DataException e) {
                refusals.offer(new Refusal(pending, Refusal.Cause.NOT_MAPPABLE, e.getMessage(), record));
                continue;
            }
            if (entry == null || entry == SinkRecordMapper.DROPPED) {
                (entry == null ? metrics.recordsSkipped : metrics.recordsDroppedByRelabel).incrementAndGet();
                offsets.done(pending);
                continue;
            }
            if (levelLabel != null) {
                metrics.countLevel(entry.labels().get(levelLabel));
            }
            backPressure.add(entry.lineBytes());
            alignment.observe(partitionOf(record), entry.labels(), entry.timestampNanos());
            outbox.add(entry, now);
        }
        routeRefusals();
        align();
        try {
            backPressure.afterPut(() -> failure.get() != null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private TopicPartition partitionOf(SinkRecord record) {
        TopicPartition last = lastPartition;
        if (last == null || last.partition() != record.kafkaPartition() || !last.topic().equals(record.topic())) {
            last = new TopicPartition(record.topic(), record.kafkaPartition());
            lastPartition = last;
        }
        return last;
    }

    /** Pauses the partitions ahead of a lagging partition of one of their streams; resumes the others. */
    private void align() {
        int paused = pauses.align(alignment.leading(), backPressure.assigned());
        if (paused > 0) {
            metrics.alignmentPausesTotal.addAndGet(paused);
            log.info("Pausing partitions {}: they are ahead of a lagging partition of the same stream by more than "
                    + "half of loki.limits.max.behind.ms; they resume once it has caught up, so its lines reach Loki "
                    + "within Loki's window", pauses.pausedForAlignment());
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        throwIfFailed();
        routeRefusals();
        if (deadLetters != null) {
            try {
                deadLetters.await(DLQ_WAIT_MILLIS);
            } catch (DeadLetterHandoff.HandoffFailure e) {
                fail(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        backPressure.check();
        metrics.publishPending();
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

    private void routeRefusals() {
        try {
            refusals.route();
        } catch (RefusalRouter.RefusalFailure | DeadLetterHandoff.HandoffFailure e) {
            fail(e);
        }
    }

    private void fail(RuntimeException e) {
        failure.compareAndSet(null, new ConnectException(e.getMessage(), e));
        throwIfFailed();
    }

    private void throwIfFailed() {
        ConnectException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /**
     * Abandons every batch at once: pushes in flight are cancelled and retry backoffs end. Connect has committed the
     * task's offsets (preCommit) before it stops the task and commits nothing after, so whatever a stop still sent
     * would be read and sent again by the next task: a duplicate for nothing. What Loki did not acknowledge stays
     * uncommitted (at-least-once); a stop that waited for a retried push would outlast Connect's
     * task.shutdown.graceful.timeout.ms and the task's replacement would start beside it.
     */
    @Override
    public void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (sender != null) {
            sender.abandon(STOP_WAIT_MILLIS);
        }
        if (client != null) {
            client.close();
        }
    }

    private final class ContextPartitions implements BackPressure.Partitions<TopicPartition> {
        @Override
        public void pause(Collection<TopicPartition> partitions) {
            context.pause(partitions.toArray(new TopicPartition[0]));
        }

        @Override
        public void resume(Collection<TopicPartition> partitions) {
            context.resume(partitions.toArray(new TopicPartition[0]));
        }
    }
}
