package io.lokiconnect.transforms;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.MetricValueProvider;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;

/** Keeps what a plugin registers, as the worker's PluginMetricsImpl would: tests read the counts a user reads. */
public final class RecordingPluginMetrics implements PluginMetrics {

    private final Map<String, MetricValueProvider<?>> metrics = new HashMap<>();

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

    /** The value of the gauge registered as {@code name}. */
    @SuppressWarnings("unchecked")
    public long value(String name) {
        return ((Gauge<Long>) metrics.get(name)).value(null, 0L);
    }
}
