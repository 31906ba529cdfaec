package io.lokiconnect.runner;

import com.fasterxml.jackson.databind.JsonNode;
import io.lokiconnect.harness.ConnectRestClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One line of figures about the running pipeline, read the way an operator would: topic end offsets and the
 * sink group's committed offsets from Kafka, connector states from Connect's REST API, and the receiver's count.
 */
public final class PipelineProgress {

    /** A snapshot; {@code lokiAccepted} is -1 when Loki is external and only the committed offsets tell. */
    public record Snapshot(long recordsInTopic, long committedBySink, long lokiAccepted, long dlqRecords,
                    int runningTasks, int failedTasks, List<String> failures) {

        long kafkaBehind() {
            return Math.max(0, recordsInTopic - committedBySink);
        }

        String line(Duration uptime, long sampleLinesWritten) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("[%02d:%02d:%02d] ", uptime.toHours(), uptime.toMinutesPart(), uptime.toSecondsPart()));
            if (sampleLinesWritten >= 0) {
                sb.append("sample lines written ").append(sampleLinesWritten).append(" | ");
            }
            sb.append("records in topic ").append(recordsInTopic);
            sb.append(" | committed by sink ").append(committedBySink);
            if (lokiAccepted >= 0) {
                sb.append(" | entries in Loki ").append(lokiAccepted);
            }
            sb.append(" | behind ").append(kafkaBehind()).append(" records");
            sb.append(" | tasks running ").append(runningTasks);
            sb.append(" | errors: failed tasks ").append(failedTasks).append(", DLQ records ").append(dlqRecords);
            return sb.toString();
        }
    }

    private final Admin admin;
    private final ConnectRestClient rest;
    private final String topic;
    private final String dlqTopic;
    private final String consumerGroup;
    private final List<String> connectors;
    private final LongSupplier lokiAccepted;

    PipelineProgress(Admin admin, ConnectRestClient rest, String topic, String dlqTopic, String consumerGroup,
                     List<String> connectors, LongSupplier lokiAccepted) {
        this.admin = admin;
        this.rest = rest;
        this.topic = topic;
        this.dlqTopic = dlqTopic;
        this.consumerGroup = consumerGroup;
        this.connectors = connectors;
        this.lokiAccepted = lokiAccepted;
    }

    Snapshot snapshot() throws Exception {
        long inTopic = endOffsets(topic);
        long dlq = endOffsets(dlqTopic);
        long committed = 0;
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(consumerGroup)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                committed += e.getValue().offset();
            }
        }
        int running = 0;
        int failed = 0;
        List<String> failures = new java.util.ArrayList<>();
        for (String connector : connectors) {
            JsonNode status = rest.status(connector);
            if (status == null) {
                continue;
            }
            for (JsonNode task : status.path("tasks")) {
                String state = task.path("state").asText();
                if ("RUNNING".equals(state)) {
                    running++;
                } else if ("FAILED".equals(state)) {
                    failed++;
                    failures.add(connector + " task " + task.path("id").asText() + ": "
                            + rootCause(task.path("trace").asText("")));
                }
            }
        }
        return new Snapshot(inTopic, committed, lokiAccepted.getAsLong(), dlq, running, failed, failures);
    }

    /** The last "Caused by:" line of a Java stack trace: the message that says what went wrong. */
    static String rootCause(String trace) {
        String cause = trace.lines().findFirst().orElse("(no trace)");
        for (String line : trace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    private long endOffsets(String name) throws Exception {
        Map<String, TopicDescription> topics;
        try {
            topics = admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return 0; // not created yet (the DLQ topic appears with its first record)
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        topics.get(name).partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest()));
        long sum = 0;
        for (ListOffsetsResult.ListOffsetsResultInfo info :
                admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values()) {
            sum += info.offset();
        }
        return sum;
    }
}
