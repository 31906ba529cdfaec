package io.lokiconnect.transforms.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.transforms.JsonLabels;
import io.lokiconnect.transforms.RecordingPluginMetrics;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TransformMetricsTest {

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

            Object published = registry.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("records-parsed-total"))
                    .map(e -> e.getValue().metricValue()).findFirst().orElseThrow();
            assertThat(published).isEqualTo(1L);
        }
    }

    @Test
    void withoutPluginMetricsTheTransformStillTransforms() {
        // A worker without KIP-877 hands the transform no PluginMetrics: nothing is published, nothing fails.
        JsonLabels<SourceRecord> transform = new JsonLabels<>();
        transform.configure(Map.of());
        transform.withPluginMetrics(null);

        SourceRecord out = transform.apply(record("{\"service\":\"shop\",\"message\":\"hi\"}"));
        transform.apply(record("not json"));

        assertThat(out.headers().lastWithName("loki.label.service").value()).isEqualTo("shop");
    }

    private static SourceRecord record(Object value) {
        return new SourceRecord(null, null, "logs", 0, null, value);
    }
}
