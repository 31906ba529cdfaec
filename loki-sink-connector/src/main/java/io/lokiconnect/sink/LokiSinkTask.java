package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.sink.commit.AcknowledgedOffsets.Partition;
import io.lokiconnect.sink.commit.DeadLetterHandoff;
import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.flow.BackPressure;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import io.lokiconnect.sink.pipeline.PipelineFailure;
import io.lokiconnect.sink.pipeline.RecordReader;
import io.lokiconnect.sink.pipeline.SinkPipeline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * Translates Connect's sink task life cycle to a {@link SinkPipeline}, which does the work: records in through
 * {@link SinkRecordMapper}, offsets out as Connect's, refused records to Connect's dead letter queue, pauses to
 * Connect's consumer. {@code preCommit()} hands Connect only offsets of records that are settled.
 */
public class LokiSinkTask extends SinkTask {

    /**
     * Longest time put() blocks for back-pressure before pausing partitions: well below max.poll.interval.ms, and
     * short beside Connect's 5 s task.shutdown.graceful.timeout.ms, since a stop waits for put() to return.
     */
    private static final long MAX_BLOCK_MILLIS = 1_000;

    private final long maxBlockMillis;
    private SinkPipeline<SinkRecord> pipeline;

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
        LokiSinkConfig config = new LokiSinkConfig(props);
        SinkTaskMetrics metrics = new SinkTaskMetrics(pluginMetrics(), config.metricsLevelValuesMax(),
                () -> pipeline == null ? 0 : pipeline.bufferedBytes());
        SinkRecordMapper mapper = new SinkRecordMapper(config, metrics.labelOverflows);
        ErrantRecordReporter reporter = errantRecordReporter();
        DeadLetterHandoff.Reporter deadLetters = reporter == null ? null
                : (record, message) -> reporter.report((SinkRecord) record, new DataException(message));
        pipeline = new SinkPipeline<>(config.pipelineSettings("loki-sink-" + props.getOrDefault("name", "task")),
                new Reader(mapper), metrics, new ContextPartitions(), deadLetters, maxBlockMillis);
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
        pipeline.opened(plain(partitions));
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        if (pipeline != null) {
            pipeline.closed(plain(partitions));
        }
    }

    private static List<Partition> plain(Collection<TopicPartition> partitions) {
        List<Partition> plain = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            plain.add(new Partition(tp.topic(), tp.partition()));
        }
        return plain;
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        try {
            pipeline.put(records);
        } catch (PipelineFailure e) {
            throw connectFailure(e);
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        Map<Partition, Long> committable;
        try {
            committable = pipeline.committable();
        } catch (PipelineFailure e) {
            throw connectFailure(e);
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (Map.Entry<Partition, Long> e : committable.entrySet()) {
            TopicPartition tp = new TopicPartition(e.getKey().topic(), e.getKey().partition());
            if (currentOffsets.containsKey(tp)) {
                commit.put(tp, new OffsetAndMetadata(e.getValue()));
            }
        }
        return commit;
    }

    /** The pipeline's failure as Connect's: its message and its cause. */
    private static ConnectException connectFailure(PipelineFailure e) {
        return new ConnectException(e.getMessage(), e.getCause());
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // Offsets are managed in preCommit; nothing is held only in memory that flush could save.
    }

    /**
     * Abandons every batch at once (see {@link SinkPipeline#stop}). Connect has committed the task's offsets
     * (preCommit) before it stops the task and commits nothing after, so whatever a stop still sent would be read
     * and sent again by the next task: a duplicate for nothing. A stop that waited for a retried push would outlast
     * Connect's task.shutdown.graceful.timeout.ms and the task's replacement would start beside it.
     */
    @Override
    public void stop() {
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    /** Reads a SinkRecord for the pipeline; the mapper's DataException is a record that cannot become an entry. */
    private record Reader(SinkRecordMapper mapper) implements RecordReader<SinkRecord> {
        @Override
        public String topic(SinkRecord record) {
            return record.topic();
        }

        @Override
        public int partition(SinkRecord record) {
            return record.kafkaPartition();
        }

        @Override
        public long offset(SinkRecord record) {
            return record.kafkaOffset();
        }

        @Override
        public LokiEntry toEntry(SinkRecord record, PendingRecord pending) {
            try {
                return mapper.toEntry(record, pending);
            } catch (DataException e) {
                throw new RecordReader.NotMappable(e.getMessage(), e);
            }
        }
    }

    private final class ContextPartitions implements BackPressure.Partitions<Partition> {
        @Override
        public void pause(Collection<Partition> partitions) {
            context.pause(connect(partitions));
        }

        @Override
        public void resume(Collection<Partition> partitions) {
            context.resume(connect(partitions));
        }

        private TopicPartition[] connect(Collection<Partition> partitions) {
            TopicPartition[] connect = new TopicPartition[partitions.size()];
            int i = 0;
            for (Partition p : partitions) {
                connect[i++] = new TopicPartition(p.topic(), p.partition());
            }
            return connect;
        }
    }
}
