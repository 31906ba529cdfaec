package io.lokiconnect.sink;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** A SinkTaskContext that records what the task asks of Connect: pauses, resumes, dead letter queue reports. */
final class RecordingContext implements SinkTaskContext {

    final List<TopicPartition> paused = new CopyOnWriteArrayList<>();
    final List<TopicPartition> resumed = new CopyOnWriteArrayList<>();
    final List<SinkRecord> reported = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    private final Set<TopicPartition> pausedNow = ConcurrentHashMap.newKeySet();
    private final Set<TopicPartition> assignment;
    private final PluginMetrics pluginMetrics;

    RecordingContext(Set<TopicPartition> assignment, PluginMetrics pluginMetrics) {
        this.assignment = assignment;
        this.pluginMetrics = pluginMetrics;
    }

    boolean isPaused(TopicPartition tp) {
        return pausedNow.contains(tp);
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
    }

    @Override
    public void timeout(long timeoutMs) {
    }

    @Override
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
        paused.addAll(List.of(partitions));
        pausedNow.addAll(List.of(partitions));
    }

    @Override
    public void resume(TopicPartition... partitions) {
        resumed.addAll(List.of(partitions));
        pausedNow.removeAll(List.of(partitions));
    }

    @Override
    public void requestCommit() {
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        return (record, error) -> {
            reported.add(record);
            errors.add(String.valueOf(error.getMessage()));
            Future<Void> done = CompletableFuture.completedFuture(null);
            return done;
        };
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return pluginMetrics;
    }
}
