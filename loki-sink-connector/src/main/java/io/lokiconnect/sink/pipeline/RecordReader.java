package io.lokiconnect.sink.pipeline;

import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import java.util.Map;

/**
 * How {@link SinkPipeline} reads the records it is given (Connect's {@code SinkRecord} in the task): where each was
 * consumed, and the Loki entry it becomes.
 *
 * @param <R> the record type
 */
public interface RecordReader<R> {

    /** What {@link #toEntry} returns for a record a relabel rule dropped: counted, committed, not sent. */
    LokiEntry DROPPED = new LokiEntry(LabelSet.of(Map.of()), 0, "", null, null, 0);

    String topic(R record);

    int partition(R record);

    long offset(R record);

    /**
     * The record's entry, tracked by {@code pending}; null when it has no line to send (skipped and committed),
     * {@link #DROPPED} when a relabel rule dropped it.
     *
     * @throws NotMappable when it cannot become an entry: it goes to behavior.on.rejected
     */
    LokiEntry toEntry(R record, PendingRecord pending);

    /** The record cannot become a Loki entry (no timestamp, a bad header, a tenant Loki would refuse). */
    final class NotMappable extends RuntimeException {
        public NotMappable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
