package io.lokiconnect.it.sink;

import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for entries at a receiver and, on timeout, says where the missing ones went: the pushes the receiver refused
 * (status and Loki's body), the sink tasks' state and their counters (buffered, rejected, sent to the dead letter
 * queue), and what the dead letter queue holds. A test that waited in vain used to say only "expected 3, got 2".
 */
public final class ReceiverWait {

    private static final String[] SINK_METRICS = {"records-received-total", "entries-sent-total", "buffered-bytes",
        "retries-total", "entries-rejected-total", "records-sent-to-dlq-total"};
    private static final int MAX_REFUSALS_SHOWN = 5;

    private final LokiReceiver loki;
    private ConnectClusterExtension connect;
    private String connector;
    private String dlqTopic;

    private ReceiverWait(LokiReceiver loki) {
        this.loki = loki;
    }

    public static ReceiverWait on(LokiReceiver loki) {
        return new ReceiverWait(loki);
    }

    /** The sink connector that feeds the receiver: its status and metrics go into the explanation. */
    public ReceiverWait sink(ConnectClusterExtension connect, String connector) {
        this.connect = connect;
        this.connector = connector;
        return this;
    }

    /** The sink's dead letter queue topic: its records go into the explanation. */
    public ReceiverWait deadLetterQueue(String topic) {
        this.dlqTopic = topic;
        return this;
    }

    /** Waits until the receiver stores exactly {@code expected} entries. */
    public void awaitEntries(int expected, Duration timeout) {
        await(entries -> entries.size() == expected, "exactly " + expected + " entries", timeout);
    }

    /** Waits until the receiver stores at least {@code expected} entries. */
    public void awaitAtLeast(long expected, Duration timeout) {
        await(entries -> entries.size() >= expected, "at least " + expected + " entries", timeout);
    }

    private void await(Predicate<List<ReceivedEntry>> done, String what, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> done.test(loki.entries()));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the receiver did not store " + what + " within " + timeout + "\n"
                    + explain(), e);
        }
    }

    /** Where the entries are: stored, refused (with Loki's words), in the task, in the dead letter queue. */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        sb.append("receiver: ").append(loki.entries().size()).append(" entries stored, ")
                .append(loki.duplicatesDiscarded()).append(" dropped as duplicates");
        List<LokiReceiver.Refusal> refusals = loki.refusals();
        sb.append(", ").append(refusals.size()).append(" push(es) refused");
        refusals.stream().skip(Math.max(0, refusals.size() - MAX_REFUSALS_SHOWN))
                .forEach(r -> sb.append("\n  refused: ").append(abbreviate(r.toString(), 600)));
        if (connect != null && connector != null) {
            sb.append("\nsink '").append(connector).append("': ");
            try {
                sb.append(ConnectClusterExtension.describe(connect.cluster().connectorStatus(connector)));
            } catch (RuntimeException unavailable) {
                sb.append("no status (").append(unavailable.getMessage()).append(')');
            }
            sb.append("\n  metrics:");
            for (String metric : SINK_METRICS) {
                sb.append(' ').append(metric).append('=').append(connect.taskMetricSum(connector, metric));
            }
        }
        if (connect != null && dlqTopic != null) {
            sb.append("\ndead letter queue '").append(dlqTopic).append("': ");
            try {
                List<ConsumerRecord<byte[], byte[]>> dead = connect.consumeAll(dlqTopic, Duration.ofSeconds(10));
                sb.append(dead.size()).append(" record(s)");
                dead.stream().limit(MAX_REFUSALS_SHOWN).forEach(r -> sb.append("\n  ").append(describe(r)));
            } catch (AssertionError | RuntimeException unreadable) {
                sb.append("unreadable (").append(unreadable.getMessage()).append(')');
            }
        }
        return sb.toString();
    }

    private static String describe(ConsumerRecord<byte[], byte[]> record) {
        Header reason = record.headers().lastHeader("__connect.errors.exception.message");
        String value = record.value() == null ? "null" : new String(record.value(), StandardCharsets.UTF_8);
        return abbreviate(value, 200) + (reason == null ? ""
                : " <- " + abbreviate(new String(reason.value(), StandardCharsets.UTF_8), 400));
    }

    private static String abbreviate(String text, int max) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
    }
}
