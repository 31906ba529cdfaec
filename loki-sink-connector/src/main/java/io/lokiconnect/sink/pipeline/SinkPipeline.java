package io.lokiconnect.sink.pipeline;

import io.lokiconnect.sink.batch.Outbox;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.commit.AcknowledgedOffsets;
import io.lokiconnect.sink.commit.AcknowledgedOffsets.Partition;
import io.lokiconnect.sink.commit.DeadLetterHandoff;
import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.commit.Refusal;
import io.lokiconnect.sink.commit.RefusalRouter;
import io.lokiconnect.sink.delivery.BatchSender;
import io.lokiconnect.sink.delivery.DeliveryBookkeeper;
import io.lokiconnect.sink.delivery.Dispatcher;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.flow.BackPressure;
import io.lokiconnect.sink.flow.PartitionPauses;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import io.lokiconnect.sink.push.PushEncoder;
import io.lokiconnect.sink.shaping.LokiLimits;
import io.lokiconnect.sink.shaping.PartitionAlignment;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink task's work without Connect: records in ({@link #put}), entries per stream shaped to Loki's limits and
 * composed into pushes ({@link Outbox}), pushed and retried ({@link Dispatcher}, {@link BatchSender}), refusals
 * routed per behavior.on.rejected ({@link RefusalRouter}, {@link DeadLetterHandoff}), partitions paused for
 * back-pressure and alignment, and the offsets that may be committed ({@link #committable}): those of records Loki
 * acknowledged or that went to the dead letter queue or the log, and of every record before them.
 *
 * <p>{@link #put}, {@link #committable}, {@link #opened} and {@link #closed} run on one thread (Connect's task thread);
 * pushes complete on the sender's threads.
 *
 * @param <R> the record type, read through a {@link RecordReader}
 */
public final class SinkPipeline<R> {

    private static final Logger log = LoggerFactory.getLogger(SinkPipeline.class);
    /** Longest time stop() waits for the sender's threads to end after cancelling their pushes. */
    private static final long STOP_WAIT_MILLIS = 1_000;
    /** Longest time committable() waits for the dead letter queue. */
    private static final long DLQ_WAIT_MILLIS = 5_000;
    /**
     * Consuming time after which a partition that delivered nothing counts as caught up (alignment): a partition
     * with a backlog delivers within a poll or two, far sooner.
     */
    private static final long ALIGNMENT_IDLE_NANOS = 10_000_000_000L;
    /** Longest consuming time a stream waits in a row for a lagging partition of it (alignment). */
    private static final long ALIGNMENT_MAX_HOLD_NANOS = 300_000_000_000L;

    /**
     * What the pipeline is built from (the sink's config builds it).
     *
     * @param name             names the sender's threads
     * @param protobuf         snappy-compressed protobuf pushes, else JSON
     * @param levelLabel       the label whose values are counted by level; null: none
     */
    public record Settings(String name, LokiClient.Settings client, boolean protobuf, boolean jsonGzip,
                           int batchMaxBytes, long batchMaxWaitMs, RetryPolicy retryPolicy, int maxInFlightBatches,
                           long bufferMaxBytes, LokiLimits limits, RefusalRouter.Behavior behaviorOnRejected,
                           String levelLabel) {
    }

    private final RecordReader<R> reader;
    private final SinkTaskMetrics metrics;
    private final String levelLabel;
    /** Records are held for the dead letter queue only when one exists and behavior.on.rejected=dlq. */
    private final boolean keepRecordsForDlq;
    private final AcknowledgedOffsets offsets = new AcknowledgedOffsets();
    private final PartitionPauses<Partition> pauses;
    private final BackPressure<Partition> backPressure;
    private final PartitionAlignment<Partition> alignment;
    private final DeadLetterHandoff deadLetters;
    private final RefusalRouter refusals;
    private final Outbox outbox;
    private final LokiClient client;
    private final Dispatcher dispatcher;
    private final BatchSender sender;
    private final AtomicReference<PipelineFailure> failure = new AtomicReference<>();
    /** The partition of the last record put, reused while records come from it (no object per record). */
    private Partition lastPartition;

    /**
     * Starts the sender's threads.
     *
     * @param partitions     pauses and resumes the consumer's partitions
     * @param deadLetters    the dead letter queue; null when there is none
     * @param maxBlockMillis longest time put() blocks for back-pressure before it pauses the partitions
     */
    public SinkPipeline(Settings settings, RecordReader<R> reader, SinkTaskMetrics metrics,
                        BackPressure.Partitions<Partition> partitions, DeadLetterHandoff.Reporter deadLetters,
                        long maxBlockMillis) {
        this.reader = reader;
        this.metrics = metrics;
        this.levelLabel = settings.levelLabel();
        this.pauses = new PartitionPauses<>(partitions);
        this.backPressure = new BackPressure<>(settings.bufferMaxBytes(), maxTrackedRecords(settings.bufferMaxBytes()),
                () -> {
                    offsets.compact();
                    return offsets.trackedCount();
                }, maxBlockMillis, pauses, metrics.pausedTotal::incrementAndGet);
        PushEncoder encoder = PushEncoder.create(settings.protobuf(), settings.jsonGzip());
        this.outbox = new Outbox(encoder, settings.batchMaxBytes(), settings.batchMaxWaitMs(), settings.limits());
        // Alignment lets go only when it would deadlock: the buffer is full and at least half of it waits for a
        // lagging partition, so it cannot drain below half (when back-pressure resumes) while that partition is
        // paused with the others. Otherwise the entries that may go drain it and the lagging partition is read on.
        long halfBuffer = settings.bufferMaxBytes() / 2;
        this.alignment = new PartitionAlignment<>(settings.limits().maxBehindNanos(), ALIGNMENT_IDLE_NANOS,
                ALIGNMENT_MAX_HOLD_NANOS, backPressure::consumingNanos,
                () -> backPressure.isHolding() && outbox.alignmentHeldBytes() >= halfBuffer);
        outbox.horizon(alignment);
        this.deadLetters = deadLetters == null ? null : new DeadLetterHandoff(deadLetters, offsets::done);
        this.keepRecordsForDlq = this.deadLetters != null
                && settings.behaviorOnRejected() == RefusalRouter.Behavior.DLQ;
        this.refusals = new RefusalRouter(settings.behaviorOnRejected(), this.deadLetters, offsets::done,
                metrics.recordsToDlq::incrementAndGet);
        metrics.heldBack(outbox::rateHeldBytes, () -> outbox.rateHeldMillis(System.nanoTime()),
                outbox::alignmentHeldBytes);
        metrics.buffer(outbox::waitingEntries, outbox::streamCount, () -> outbox.heldTenants().size());
        this.client = new LokiClient(settings.client());
        DeliveryBookkeeper bookkeeper = new DeliveryBookkeeper(offsets, refusals, backPressure, metrics,
                message -> failure.compareAndSet(null, new PipelineFailure(message, null)));
        this.dispatcher = new Dispatcher(outbox, settings.maxInFlightBatches(), bookkeeper,
                bookkeeper::refusedBeforeSending, bookkeeper::droppedRevoked);
        this.sender = new BatchSender(client, encoder, settings.retryPolicy(), settings.maxInFlightBatches(),
                settings.name(), dispatcher, dispatcher);
        dispatcher.start(sender, settings.name() + "-dispatch");
        log.info("Loki sink task started: pushing to {} ({}), batches up to {} bytes / {} ms, max.retries {}, Loki's "
                + "limits applied: {}", client.pushUrl(), settings.protobuf() ? "protobuf+snappy" : "json",
                settings.batchMaxBytes(), settings.batchMaxWaitMs(), settings.retryPolicy().maxRetries(),
                settings.limits());
    }

    /**
     * Records tracked for their offsets at most: one per 64 bytes of buffer.max.bytes (at least 10,000), so the
     * tracking (about 50 bytes a record) takes at most about as much heap as the buffer.
     */
    static long maxTrackedRecords(long bufferMaxBytes) {
        return Math.max(10_000, bufferMaxBytes / 64);
    }

    /** Bytes of lines buffered or in flight (the back-pressure bound counts them). */
    public long bufferedBytes() {
        return backPressure.bufferedBytes();
    }

    /** Partitions given to the task. */
    public void opened(Collection<Partition> partitions) {
        alignment.assigned(partitions);
        backPressure.opened(partitions);
    }

    /** Partitions taken from the task: their records not yet sent are dropped, their next owner reads them. */
    public void closed(Collection<Partition> partitions) {
        for (Partition p : partitions) {
            offsets.forget(p.topic(), p.partition());
        }
        backPressure.release(outbox.dropRevoked());
        alignment.revoked(partitions);
        pauses.forget(partitions);
        backPressure.closed(partitions);
    }

    /**
     * Takes records in consumption order: each becomes an entry in the outbox, or is skipped, dropped or refused
     * (and then committable). Blocks up to maxBlockMillis when the buffer is full, then pauses the partitions.
     *
     * @throws PipelineFailure when the pipeline failed
     */
    public void put(Collection<R> records) {
        throwIfFailed();
        routeRefusals();
        offsets.compact();
        long now = System.nanoTime();
        metrics.recordsReceived.addAndGet(records.size());
        for (R record : records) {
            String topic = reader.topic(record);
            int partition = reader.partition(record);
            PendingRecord pending = offsets.track(topic, partition, reader.offset(record),
                    keepRecordsForDlq ? record : null);
            LokiEntry entry;
            try {
                entry = reader.toEntry(record, pending);
            } catch (RecordReader.NotMappable e) {
                refusals.offer(new Refusal(pending, Refusal.Cause.NOT_MAPPABLE, e.getMessage(), record));
                continue;
            }
            if (entry == null || entry == RecordReader.DROPPED) {
                (entry == null ? metrics.recordsSkipped : metrics.recordsDroppedByRelabel).incrementAndGet();
                offsets.done(pending);
                continue;
            }
            if (levelLabel != null) {
                metrics.countLevel(entry.labels().get(levelLabel));
            }
            backPressure.add(entry.lineBytes());
            alignment.observe(partitionOf(topic, partition), entry.labels(), entry.timestampNanos());
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

    private Partition partitionOf(String topic, int partition) {
        Partition last = lastPartition;
        if (last == null || last.partition() != partition || !last.topic().equals(topic)) {
            last = new Partition(topic, partition);
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

    /**
     * The offset to commit per partition (the next offset to read): one past the longest prefix of records that are
     * done. Waits up to 5 s for the dead letter queue first.
     *
     * @throws PipelineFailure when the pipeline failed
     */
    public Map<Partition, Long> committable() {
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
        return offsets.committable();
    }

    private void routeRefusals() {
        try {
            refusals.route();
        } catch (RefusalRouter.RefusalFailure | DeadLetterHandoff.HandoffFailure e) {
            fail(e);
        }
    }

    private void fail(RuntimeException e) {
        failure.compareAndSet(null, new PipelineFailure(e.getMessage(), e));
        throwIfFailed();
    }

    private void throwIfFailed() {
        PipelineFailure e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /**
     * Abandons every batch at once: pushes in flight are cancelled and retry backoffs end. What Loki did not
     * acknowledge stays uncommitted (at-least-once), and the records' next reader sends them again.
     */
    public void stop() {
        dispatcher.close();
        sender.abandon(STOP_WAIT_MILLIS);
        client.close();
    }
}
