package io.lokiconnect.transforms.metrics;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what one JsonLabels instance did. Counting works without Connect; {@link #register(PluginMetrics)}
 * publishes the counts through Connect's PluginMetrics (KIP-877), under
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>,...} with the names below.
 */
public final class TransformMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(TransformMetrics.class);

    private final LongAdder parsed = new LongAdder();
    private final LongAdder passedThrough = new LongAdder();
    private final LongAdder parseErrors = new LongAdder();
    private final LongAdder timestampFailures = new LongAdder();
    private final LongAdder labelTruncations = new LongAdder();
    private final LongAdder cardinalityOverflows = new LongAdder();
    private boolean registrationFailureLogged;

    public void register(PluginMetrics metrics) {
        if (metrics == null) {
            return;
        }
        add(metrics, "records-parsed-total", "Records whose value was parsed and labelled.", parsed);
        add(metrics, "records-passed-through-total",
                "Records forwarded unchanged: null values, and unparseable values under on.parse.error=passthrough.",
                passedThrough);
        add(metrics, "parse-errors-total", "Values that are not in input.format, or of an unsupported type.",
                parseErrors);
        add(metrics, "timestamp-failures-total",
                "Lines whose timestamp.field was present but unreadable; they keep the record timestamp.",
                timestampFailures);
        add(metrics, "label-values-truncated-total", "Label values cut to label.value.max.length bytes.",
                labelTruncations);
        add(metrics, "label-values-overflowed-total",
                "Label values replaced by __overflow__ because the label reached label.values.max values.",
                cardinalityOverflows);
    }

    private void add(PluginMetrics metrics, String name, String description, LongAdder value) {
        try {
            metrics.addMetric(metrics.metricName(name, description, new LinkedHashMap<>()),
                    (Gauge<Long>) (config, now) -> value.sum());
        } catch (IllegalArgumentException taken) {
            // A task whose graceful stop timed out still holds its instance's metrics when Connect starts the new
            // one; failing here would fail the new task too. The new instance counts, unpublished, until restarted.
            if (!registrationFailureLogged) {
                registrationFailureLogged = true;
                LOG.warn("JsonLabels metric {} is still registered by a previous instance of this transform (its task "
                        + "did not stop in time); this instance's metrics are not published until the task restarts.",
                        name);
            }
        }
    }

    public void recordParsed() {
        parsed.increment();
    }

    public void recordPassedThrough() {
        passedThrough.increment();
    }

    public void recordParseError() {
        parseErrors.increment();
    }

    public void recordTimestampFailure() {
        timestampFailures.increment();
    }

    public void recordLabelTruncation() {
        labelTruncations.increment();
    }

    public void recordCardinalityOverflow() {
        cardinalityOverflows.increment();
    }

    public long parsed() {
        return parsed.sum();
    }

    public long passedThrough() {
        return passedThrough.sum();
    }

    public long parseErrors() {
        return parseErrors.sum();
    }

    public long timestampFailures() {
        return timestampFailures.sum();
    }

    public long labelTruncations() {
        return labelTruncations.sum();
    }

    public long cardinalityOverflows() {
        return cardinalityOverflows.sum();
    }
}
