package io.lokiconnect.transforms.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.transforms.JsonLabels;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.MetricValueProvider;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TransformMetricsTest {

    /** Keeps what a plugin registers, as the worker's PluginMetricsImpl would. */
    static final class RecordingPluginMetrics implements PluginMetrics {
        final Map<String, MetricValueProvider<?>> metrics = new HashMap<>();

        @Override
        public MetricName metricName(String name, String description, LinkedHashMap<String, String> tags) {
            return new MetricName(name, "plugins", description, tags);
        }

        @Override
        public void addMetric(MetricName name, MetricValueProvider<?> provider) {
            metrics.put(name.name(), provider);
        }

        @Override
        public void removeMetric(MetricName name) {
            metrics.remove(name.name());
        }

        @Override
        public Sensor addSensor(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeSensor(String name) {
        }

        long value(String name) {
            return ((Gauge<Long>) metrics.get(name)).value(null, 0L);
        }
    }

    @Test
    void countsArePublishedThroughPluginMetrics() {
        JsonLabels<SourceRecord> transform = new JsonLabels<>();
        transform.configure(Map.of("label.values.max", "1", "label.value.max.length", "3"));
        RecordingPluginMetrics plugin = new RecordingPluginMetrics();
        transform.withPluginMetrics(plugin);

        transform.apply(record("{\"service\":\"abcdef\",\"timestamp\":\"never\"}"));
        transform.apply(record("{\"service\":\"xyz\"}"));
        transform.apply(record("not json"));
        transform.apply(record(null));

        assertThat(plugin.value("records-parsed-total")).isEqualTo(2);
        assertThat(plugin.value("records-passed-through-total")).isEqualTo(2);
        assertThat(plugin.value("parse-errors-total")).isEqualTo(1);
        assertThat(plugin.value("timestamp-failures-total")).isEqualTo(1);
        assertThat(plugin.value("label-values-truncated-total")).isEqualTo(1);
        assertThat(plugin.value("label-values-overflowed-total")).isEqualTo(1);
    }

    /**
     * Connect builds a task's new transform while the old task, whose graceful stop timed out, still holds the same
     * metric names: the new instance must start (found by the 401 fault scenario: the task failed to start).
     */
    @Test
    void aSecondInstanceUnderTheSameNamesStartsAndTheFirstKeepsPublishing() {
        try (org.apache.kafka.common.metrics.Metrics registry = new org.apache.kafka.common.metrics.Metrics()) {
            Map<String, String> tags = Map.of("connector", "c", "task", "0", "transformation", "labels");
            JsonLabels<SourceRecord> old = new JsonLabels<>();
            old.configure(Map.of());
            old.withPluginMetrics(new org.apache.kafka.common.metrics.internals.PluginMetricsImpl(registry, tags));
            old.apply(record("{\"level\":\"info\"}"));
            JsonLabels<SourceRecord> replacement = new JsonLabels<>();
            replacement.configure(Map.of());

            replacement.withPluginMetrics(new org.apache.kafka.common.metrics.internals.PluginMetricsImpl(registry,
                    tags));
            replacement.apply(record("{\"level\":\"info\"}"));

            assertThat(replacement.metrics().parsed()).isEqualTo(1);
            Object published = registry.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("records-parsed-total"))
                    .map(e -> e.getValue().metricValue()).findFirst().orElseThrow();
            assertThat(published).isEqualTo(1L);
        }
    }

    @Test
    void registeringNullIsHarmless() {
        new TransformMetrics().register(null);
    }

    private static SourceRecord record(Object value) {
        return new SourceRecord(null, null, "logs", 0, null, value);
    }
}
