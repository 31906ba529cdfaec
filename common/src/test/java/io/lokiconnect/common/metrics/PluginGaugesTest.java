package io.lokiconnect.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

class PluginGaugesTest {

    private static final Map<String, String> TASK_TAGS = Map.of("connector", "c", "task", "0");

    private static Object published(Metrics registry, String name) {
        return registry.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .map(e -> e.getValue().metricValue()).findFirst().orElse(null);
    }

    @Test
    void aGaugeIsPublishedUnderTheTasksTags() {
        try (Metrics registry = new Metrics()) {
            AtomicLong counter = new AtomicLong(7);
            assertThat(new PluginGauges(new PluginMetricsImpl(registry, TASK_TAGS), "test")
                    .add("things-total", "Things.", counter::get)).isTrue();
            counter.incrementAndGet();
            assertThat(published(registry, "things-total")).isEqualTo(8L);
        }
    }

    /**
     * Connect starts the replacement of a task whose graceful stop timed out while the old instance still holds the
     * names: the replacement must not throw, and it publishes once the old instance closed its metrics.
     */
    @Test
    void aSuccessorWaitsForThePredecessorsNamesThenPublishes() throws Exception {
        try (Metrics registry = new Metrics()) {
            PluginMetricsImpl old = new PluginMetricsImpl(registry, TASK_TAGS);
            new PluginGauges(old, "test").add("things-total", "Things.", () -> 1L);
            PluginGauges successor = new PluginGauges(new PluginMetricsImpl(registry, TASK_TAGS), "test");

            assertThat(successor.add("things-total", "Things.", () -> 2L)).isFalse();
            assertThat(published(registry, "things-total")).isEqualTo(1L);
            assertThat(successor.retryPending()).isEqualTo(1);

            old.close();
            assertThat(successor.retryPending()).isZero();
            assertThat(published(registry, "things-total")).isEqualTo(2L);
            assertThat(successor.retryPending()).isZero();
        }
    }

    @Test
    void withoutPluginMetricsNothingIsPublishedAndNothingFails() {
        PluginGauges gauges = new PluginGauges(null, "test");
        assertThat(gauges.add("things-total", "Things.", () -> 1L)).isFalse();
        assertThat(gauges.retryPending()).isZero();
    }
}
