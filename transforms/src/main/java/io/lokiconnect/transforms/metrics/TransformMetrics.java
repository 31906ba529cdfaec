package io.lokiconnect.transforms.metrics;

import io.lokiconnect.common.metrics.PluginGauges;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * Counts what one JsonLabels instance did. Counting works without Connect; {@link #register(PluginMetrics)}
 * publishes the counts through Connect's PluginMetrics (KIP-877), under
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>,...} with the names below.
 */
public final class TransformMetrics {

    private final LongAdder parsed = new LongAdder();
    private final LongAdder passedThrough = new LongAdder();
    private final LongAdder parseErrors = new LongAdder();
    private final LongAdder timestampFailures = new LongAdder();
    private final LongAdder labelTruncations = new LongAdder();
    private final LongAdder cardinalityOverflows = new LongAdder();

    /** A name a previous instance still holds (its task did not stop in time) is not published: see PluginGauges. */
    public void register(PluginMetrics pluginMetrics) {
        if (pluginMetrics == null) {
            return;
        }
        PluginGauges metrics = new PluginGauges(pluginMetrics, "JsonLabels");
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

    private static void add(PluginGauges metrics, String name, String description, LongAdder value) {
        metrics.add(name, description, value::sum);
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
}
