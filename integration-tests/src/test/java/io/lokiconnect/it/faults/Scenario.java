package io.lokiconnect.it.faults;

import io.lokiconnect.it.sink.SinkTestSupport;
import io.lokiconnect.it.source.SourceTestSupport;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.PushDecoder;
import io.lokiconnect.receiver.ReceivedEntry;
import io.lokiconnect.testkit.relay.FaultRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fault scenario on real workers: log files written by a {@link LogWriter}, the file source connector reading
 * them into a topic, the sink connector (with the JsonLabels transform) pushing them through a {@link FaultRelay} to
 * a {@link LokiReceiver}. It counts what was written, delivered, visibly duplicated and lost.
 */
final class Scenario implements AutoCloseable {

    private static final Pattern MESSAGE = Pattern.compile("^scn=(\\S+) f=(\\d+) n=(\\d+) ");

    final String name;
    final Path dir;
    final String topic;
    final String source;
    final String sink;
    final LokiReceiver loki;
    final FaultRelay relay;
    private final ConnectClusterExtension connect;
    private LogWriter writer;
    private Thread writerThread;

    Scenario(ConnectClusterExtension connect, String name, Path root) throws IOException {
        this.connect = connect;
        this.name = name;
        this.dir = Files.createDirectories(root.resolve(name));
        this.topic = "faults-" + name;
        this.source = name + "-source";
        this.sink = name + "-sink";
        this.loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
        this.relay = FaultRelay.start("127.0.0.1", loki.port());
        connect.createTopic(topic, 3);
    }

    /** The source: 3 tasks over the scenario's files. */
    Map<String, String> sourceConfig(String glob) {
        return SourceTestSupport.sourceConfig(topic, dir + "/" + glob, 3);
    }

    /**
     * The sink: 3 tasks through the relay, retrying forever, with the dead letter queue on as
     * connect-configs/loki-sink.json ships it (errors.tolerance=all, refusals to the DLQ): a line that ends there is
     * not delivered, so it counts as lost, and the row says how many records the DLQ holds.
     */
    Map<String, String> sinkConfig() {
        Map<String, String> config = SinkTestSupport.sinkConfig(topic, relay.baseUrl());
        config.put("tasks.max", "3");
        config.put("labels.static", "job=faults");
        config.put("retry.backoff.max.ms", "2000");
        config.put("max.retries", "-1");
        config.put("request.timeout.ms", "10000");
        config.put("behavior.on.rejected", "dlq");
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", dlqTopic());
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        config.put("errors.log.enable", "true");
        config.put("consumer.override.session.timeout.ms", "10000");
        config.put("consumer.override.heartbeat.interval.ms", "2000");
        // As connect-configs/loki-sink.json ships it: a joining task takes partitions without revoking the others'.
        config.put("consumer.override.partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        config.put("transforms", "labels");
        config.put("transforms.labels.type", "io.lokiconnect.transforms.JsonLabels");
        config.put("transforms.labels.label.fields", "level,service");
        config.put("transforms.labels.timestamp.field", "timestamp");
        config.put("transforms.labels.message.field", "message");
        config.put("transforms.labels.line.output", "message");
        return config;
    }

    void deploy(Map<String, String> sourceConfig, Map<String, String> sinkConfig) {
        connect.deployConnector(sink, sinkConfig);
        connect.awaitRunning(sink, 3, Duration.ofSeconds(60));
        connect.deployConnector(source, sourceConfig);
        connect.awaitRunning(source, 3, Duration.ofSeconds(60));
    }

    /** Starts writing; the scenario's faults run while it writes. */
    void startWriting(int linesPerSecond, long maxLines, Duration duration, LogWriter.Rotation rotation) {
        writer = new LogWriter(dir, name, 3, linesPerSecond, maxLines, duration, rotation, Duration.ofMillis(500));
        writerThread = new Thread(writer, "log-writer-" + name);
        writerThread.start();
    }

    /** Waits for the writer; a writer that failed (a full disk, a rotation that threw) fails the scenario. */
    void awaitWritingDone() throws InterruptedException {
        writerThread.join();
        if (writer.failure() != null) {
            throw new AssertionError("the log writer of " + name + " failed after " + writer.written()
                    + " lines: the scenario proves nothing", writer.failure());
        }
    }

    long rotations() {
        return writer.rotations();
    }

    long written() {
        return writer.written();
    }

    /** Lines (file, seq) of this scenario the receiver holds, each once. */
    Set<String> delivered() {
        Set<String> lines = new HashSet<>();
        for (ReceivedEntry entry : loki.entries()) {
            Matcher m = MESSAGE.matcher(entry.line());
            if (m.find() && m.group(1).equals(name)) {
                lines.add(m.group(2) + ":" + m.group(3));
            }
        }
        return lines;
    }

    /**
     * Waits until every written line was delivered (or {@code timeout}), then until no push arrived for two seconds,
     * so late retries are counted too.
     */
    void awaitDelivery(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && delivered().size() < written()) {
            Thread.sleep(500);
        }
        long quietSince = System.nanoTime();
        long requests = loki.requestInfos().size();
        while (System.nanoTime() - quietSince < 2_000_000_000L && System.nanoTime() < deadline + 15_000_000_000L) {
            Thread.sleep(250);
            long now = loki.requestInfos().size();
            if (now != requests) {
                requests = now;
                quietSince = System.nanoTime();
            }
        }
    }

    String dlqTopic() {
        return topic + "-dlq";
    }

    /** Records in the scenario's topic: more than written means the source sent lines twice. */
    long recordsInTopic() {
        return recordsIn(topic);
    }

    /** Records in the dead letter queue (0 when it was never created: nothing went there). */
    long recordsInDlq() {
        return recordsIn(dlqTopic());
    }

    private long recordsIn(String topic) {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", connect.bootstrapServers());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.PartitionInfo> infos = consumer.listTopics().get(topic);
            if (infos == null) {
                return 0;
            }
            List<org.apache.kafka.common.TopicPartition> partitions = infos.stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The scenario's row: written, delivered, visibly duplicated, lost. */
    ReliabilityTable.Row row() {
        long written = written();
        Set<String> delivered = delivered();
        long lost = 0;
        for (long n = 0; n < written; n++) {
            if (!delivered.contains(n % 3 + ":" + n)) {
                lost++;
            }
        }
        System.out.println("RELIABILITY-DETAIL " + name + ": records in topic " + recordsInTopic() + ", in the DLQ "
                + recordsInDlq() + ", entries stored "
                + loki.acceptedEntries() + ", dropped as duplicates by the receiver " + loki.duplicatesDiscarded()
                + ", pushes 204/400/429/500 " + loki.requests(204) + "/" + loki.requests(400) + "/"
                + loki.requests(429) + "/" + loki.requests(500) + ", relay " + relay.events().size() + " events");
        return new ReliabilityTable.Row(name, written, delivered.size(), loki.visibleDuplicates(), lost);
    }

    /** Lines visible more than once at the receiver, as {@code file:seq}. */
    Set<String> visiblyDuplicated() {
        Map<String, Integer> counts = new HashMap<>();
        for (ReceivedEntry entry : loki.entries()) {
            Matcher m = MESSAGE.matcher(entry.line());
            if (m.find()) {
                counts.merge(m.group(2) + ":" + m.group(3), 1, Integer::sum);
            }
        }
        Set<String> duplicated = new HashSet<>();
        counts.forEach((line, n) -> {
            if (n > 1) {
                duplicated.add(line);
            }
        });
        return duplicated;
    }

    /** Lines ({@code file:seq}) carried by the pushes whose answers the relay lost. */
    Set<String> linesOfLostAnswers() {
        Set<String> lines = new HashSet<>();
        for (FaultRelay.Request request : relay.lostRequests()) {
            try {
                for (PushDecoder.DecodedStream stream : PushDecoder.decode(request.contentType(),
                        request.contentEncoding(), request.body())) {
                    for (PushDecoder.DecodedEntry entry : stream.entries()) {
                        Matcher m = MESSAGE.matcher(entry.line());
                        if (m.find()) {
                            lines.add(m.group(2) + ":" + m.group(3));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    /** The connectors' state, for failure messages. */
    String status() {
        return "source: " + ConnectClusterExtension.describe(connect.cluster().connectorStatus(source))
                + "\nsink: " + ConnectClusterExtension.describe(connect.cluster().connectorStatus(sink))
                + "\nrelay: " + relay.events();
    }

    List<String> relayEvents() {
        return relay.events();
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.stop();
        }
        try {
            connect.cluster().deleteConnector(source);
            connect.cluster().deleteConnector(sink);
        } catch (RuntimeException e) {
            // the cluster may be gone already; the next scenario uses its own connectors anyway
        }
        relay.close();
        loki.close();
    }
}
