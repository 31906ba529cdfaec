package io.lokiconnect.sink.commit;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Which offsets a sink task may commit. Records are tracked per partition in the order they were consumed;
 * batches can complete in any order, but the committable offset of a partition only moves past a record once it
 * and every record before it are done. So a batch in flight or in retry holds back the offsets of its records
 * and of everything consumed after them, and nothing is committed early.
 */
public final class AcknowledgedOffsets {

    /** Kafka's topic-partition, without importing the client library. */
    public record Partition(String topic, int partition) {
    }

    private final Map<Partition, ArrayDeque<PendingRecord>> pending = new HashMap<>();
    private final Map<Partition, Long> committable = new HashMap<>();
    /** The queue of the partition tracked last: consecutive records mostly share it, so no key is built for them. */
    private String lastTopic;
    private int lastPartition;
    private ArrayDeque<PendingRecord> lastQueue;

    /** Starts tracking a consumed record; it must be {@link #done done} before its offset can be committed. */
    public synchronized PendingRecord track(String topic, int partition, long offset, Object source) {
        PendingRecord record = new PendingRecord(topic, partition, offset, source);
        if (lastQueue == null || partition != lastPartition || !topic.equals(lastTopic)) {
            lastQueue = pending.computeIfAbsent(new Partition(topic, partition), p -> new ArrayDeque<>());
            lastTopic = topic;
            lastPartition = partition;
        }
        lastQueue.addLast(record);
        return record;
    }

    /** Marks a record done: Loki acknowledged it, or it went to the dead letter queue or the log. */
    public void done(PendingRecord record) {
        record.markDone();
    }

    /**
     * For every partition owned since it was opened (or last {@link #forget forgotten}) whose first records are done:
     * the offset to commit (the next offset to read, as Kafka expects), one past the last record of the longest
     * done prefix. A partition without new progress is returned again with the same offset.
     */
    public synchronized Map<Partition, Long> committable() {
        compact();
        return Map.copyOf(committable);
    }

    /**
     * Drops the done prefix of each partition, remembering its offset as committable. The pipeline calls it on every
     * put(), so the heap holds only records not yet done and those consumed after them, not everything consumed
     * since the last commit (offset.flush.interval.ms, 60 s by default).
     */
    public synchronized void compact() {
        for (Map.Entry<Partition, ArrayDeque<PendingRecord>> e : pending.entrySet()) {
            ArrayDeque<PendingRecord> queue = e.getValue();
            PendingRecord last = null;
            while (!queue.isEmpty() && queue.peekFirst().isDone()) {
                last = queue.pollFirst();
            }
            if (last != null) {
                committable.put(e.getKey(), last.offset() + 1);
            }
        }
    }

    /** Records tracked: not yet done, or done behind one that is not. */
    public synchronized int trackedCount() {
        int count = 0;
        for (ArrayDeque<PendingRecord> queue : pending.values()) {
            count += queue.size();
        }
        return count;
    }

    /**
     * Forgets a partition this task no longer owns (rebalance); its new owner re-reads what was not committed. Its
     * records not yet done are marked revoked, so the sender drops those it has not pushed yet.
     */
    public synchronized void forget(String topic, int partition) {
        Partition key = new Partition(topic, partition);
        ArrayDeque<PendingRecord> queue = pending.remove(key);
        if (queue != null) {
            for (PendingRecord record : queue) {
                if (!record.isDone()) {
                    record.markRevoked();
                }
            }
        }
        committable.remove(key);
        lastQueue = null;
    }
}
