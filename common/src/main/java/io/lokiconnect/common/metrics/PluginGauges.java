package io.lokiconnect.common.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a plugin's counters as gauges through Connect's PluginMetrics (KIP-877) and tolerates a predecessor that
 * still holds the names. Connect starts a task's new instance while the old one, whose graceful stop timed out
 * ({@code task.shutdown.graceful.timeout.ms}), still has its metrics registered under the same connector and task
 * tags; Kafka's registry then throws "A metric named ... already exists", which would fail the new task too. A name
 * that is taken is kept aside and {@link #retryPending()} registers it once the predecessor has closed its metrics;
 * counting never depends on publishing.
 */
public final class PluginGauges {

    private static final Logger LOG = LoggerFactory.getLogger(PluginGauges.class);

    private final PluginMetrics metrics;
    private final String owner;
    private final List<Pending> pending = new ArrayList<>();
    private boolean takenLogged;

    private record Pending(MetricName name, Gauge<Long> gauge) {
    }

    /**
     * @param metrics the plugin's metrics, or null (a worker older than Kafka 4.1, unit tests): nothing is published
     * @param owner   what owns the metrics, for the log ("Loki sink task", "JsonLabels")
     */
    public PluginGauges(PluginMetrics metrics, String owner) {
        this.metrics = metrics;
        this.owner = owner;
    }

    /** Publishes {@code value} under {@code name} with no tags of its own; false when it must wait for the name. */
    public boolean add(String name, String description, LongSupplier value) {
        return add(name, description, new LinkedHashMap<>(), value);
    }

    /** Publishes {@code value} under {@code name} and {@code tags}; false when it must wait for the name. */
    public synchronized boolean add(String name, String description, LinkedHashMap<String, String> tags,
                                    LongSupplier value) {
        if (metrics == null) {
            return false;
        }
        Pending gauge = new Pending(metrics.metricName(name, description, tags),
                (config, now) -> value.getAsLong());
        if (register(gauge)) {
            return true;
        }
        pending.add(gauge);
        if (!takenLogged) {
            takenLogged = true;
            LOG.warn("{} metric {} is still registered by a previous instance (its task did not stop in time); this "
                    + "instance counts anyway and publishes its metrics once the previous one has closed them.",
                    owner, name);
        }
        return false;
    }

    /** Registers the names a predecessor held before; cheap when there are none. Returns how many still wait. */
    public synchronized int retryPending() {
        pending.removeIf(this::register);
        return pending.size();
    }

    private boolean register(Pending gauge) {
        try {
            metrics.addMetric(gauge.name(), gauge.gauge());
            return true;
        } catch (IllegalArgumentException taken) {
            return false;
        }
    }
}
