package org.apache.kafka.connect.runtime;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A stand-in of the worker's record type (connect-runtime is not on this module's classpath), shaped as the
 * worker's: a context (there the consumed record's bytes) that {@link #newRecord} carries over. Lets
 * LokiSinkTaskDeadLetterCopyTest check what the task keeps of such a record; LokiSinkIT checks it in a real worker.
 */
public class InternalSinkRecord extends SinkRecord {

    private final Object context;

    public InternalSinkRecord(Object context, String topic, int partition, Schema keySchema, Object key,
                              Schema valueSchema, Object value, long offset, Long timestamp,
                              Iterable<Header> headers) {
        super(topic, partition, keySchema, key, valueSchema, value, offset, timestamp,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, headers);
        this.context = context;
    }

    public Object context() {
        return context;
    }

    @Override
    public SinkRecord newRecord(String topic, Integer kafkaPartition, Schema keySchema, Object key, Schema valueSchema,
                                Object value, Long timestamp, Iterable<Header> headers) {
        return new InternalSinkRecord(context, topic, kafkaPartition, keySchema, key, valueSchema, value,
                kafkaOffset(), timestamp, headers);
    }
}
