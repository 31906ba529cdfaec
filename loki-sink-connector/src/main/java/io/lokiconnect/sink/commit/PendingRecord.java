package io.lokiconnect.sink.commit;

/**
 * One consumed record whose offset may not be committed until it is done: acknowledged by Loki (2xx), handed to
 * the dead letter queue, or logged as refused. {@code source} is the original record, held only while it may still
 * go to the dead letter queue and released once the record is done, so the heap holds no record Loki has taken; it
 * is typed {@code Object} so this class needs no Connect API.
 */
public final class PendingRecord {

    private final String topic;
    private final int partition;
    private final long offset;
    /** Plain: {@link #markDone} clears it before its volatile write of {@code done}, which publishes both. */
    private Object source;
    private volatile boolean done;
    private volatile boolean revoked;

    public PendingRecord(String topic, int partition, long offset, Object source) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.source = source;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    /** The original record while it may still go to the dead letter queue; null once done or when not kept. */
    public Object source() {
        return source;
    }

    public boolean isDone() {
        return done;
    }

    /**
     * True once its partition was taken from the task (rebalance): its offset was not committed, so the partition's
     * next owner reads it again, and sending it from here too would only store it twice.
     */
    public boolean isRevoked() {
        return revoked;
    }

    void markRevoked() {
        revoked = true;
    }

    void markDone() {
        // One volatile write per entry (the sender thread marks every entry of a pushed batch).
        source = null;
        done = true;
    }
}
