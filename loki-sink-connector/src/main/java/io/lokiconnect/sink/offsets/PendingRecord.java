package io.lokiconnect.sink.offsets;

/**
 * One consumed record whose offset may not be committed until it is done: acknowledged by Loki (2xx), handed to
 * the dead letter queue, or logged as rejected. {@code source} is the original record, kept for the dead letter
 * queue; it is typed {@code Object} so this class needs no Connect API.
 */
public final class PendingRecord {

    private final String topic;
    private final int partition;
    private final long offset;
    private final Object source;
    private volatile boolean done;

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

    public Object source() {
        return source;
    }

    public boolean isDone() {
        return done;
    }

    void markDone() {
        done = true;
    }
}
