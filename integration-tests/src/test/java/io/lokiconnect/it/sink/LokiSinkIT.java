package io.lokiconnect.it.sink;

import static io.lokiconnect.it.sink.SinkTestSupport.produce;
import static io.lokiconnect.it.sink.SinkTestSupport.sinkConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.it.sink.SinkTestSupport.LogLine;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.LokiReceiver.Answer;
import io.lokiconnect.receiver.ReceivedEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Loki sink in a real worker, pushing to the test kit's Loki-protocol receiver. */
class LokiSinkIT {

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("consumer.session.timeout.ms", "10000")
            .build();

    private LokiReceiver loki;
    private String topic;
    private String connector;

    @BeforeEach
    void setUp(TestInfo info) throws Exception {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
        String name = info.getTestMethod().orElseThrow().getName();
        topic = "logs-" + name;
        connector = "sink-" + name;
        CONNECT.createTopic(topic, 2);
    }

    @AfterEach
    void tearDown() {
        try {
            CONNECT.cluster().deleteConnector(connector);
        } catch (RuntimeException ignored) {
            // the test may not have created it
        }
        loki.close();
    }

    private List<LogLine> lines(int n, String prefix) {
        List<LogLine> lines = new ArrayList<>();
        long base = Instant.now().minusSeconds(60).toEpochMilli() * 1_000_000L;
        String[] services = {"api", "db", "web"};
        String[] levels = {"info", "warn", "error"};
        for (int i = 0; i < n; i++) {
            // Times deliberately not in production order within a stream, with nanosecond precision (never a whole
            // millisecond, which the sink would give a sub-millisecond part of its own).
            long ts = base + (long) ((i * 7919) % n) * 1_000_000L + i + 1;
            lines.add(new LogLine(services[i % 3], levels[(i / 3) % 3], ts, prefix + " line " + i + " \"quoted\" é"));
        }
        return lines;
    }

    private void produceAll(List<LogLine> lines) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            records.add(lines.get(i).toRecord(topic, i % 2));
        }
        produce(CONNECT.bootstrapServers(), records);
    }

    private void awaitEntries(long n, Duration timeout) {
        ReceiverWait.on(loki).sink(CONNECT, connector).awaitAtLeast(n, timeout);
    }

    private static void assertSameEntries(List<ReceivedEntry> received, List<LogLine> written) {
        assertThat(received).hasSize(written.size());
        Set<String> expected = written.stream()
                .map(l -> "{job=kafka-logs, level=" + l.level() + ", service=" + l.service() + "}|" + l.timestampNanos()
                        + "|" + l.line())
                .collect(Collectors.toSet());
        // The receiver stores labels as Loki 3 does, with the service_name it adds (here from 'service').
        Set<String> actual = received.stream()
                .map(e -> {
                    java.util.TreeMap<String, String> labels = new java.util.TreeMap<>(e.labels());
                    assertThat(labels.remove("service_name")).isEqualTo(labels.get("service"));
                    return labels + "|" + e.timestampNanos() + "|" + e.line();
                })
                .collect(Collectors.toSet());
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void protobufPushesGroupStreamsByLabelsInTimeOrder() {
        List<LogLine> lines = lines(300, "pb");
        produceAll(lines);
        CONNECT.deployConnector(connector, sinkConfig(topic, loki.baseUrl()));
        CONNECT.awaitRunning(connector, 1, Duration.ofSeconds(30));

        awaitEntries(300, Duration.ofSeconds(30));
        assertSameEntries(loki.entries(), lines);
        assertThat(loki.requestInfos()).allSatisfy(r -> {
            assertThat(r.contentType()).isEqualTo("application/x-protobuf");
            assertThat(r.contentEncoding()).isNull();
        });
        // Within one request each stream's entries are sorted by time: the receiver keeps arrival order.
        for (String service : List.of("api", "db", "web")) {
            List<ReceivedEntry> stream = loki.entries().stream()
                    .filter(e -> e.labels().get("service").equals(service) && e.labels().get("level").equals("info"))
                    .toList();
            if (loki.requestInfos().size() == 1) {
                assertThat(stream).isSortedAccordingTo(Comparator.comparingLong(ReceivedEntry::timestampNanos));
            }
        }
        assertThat(loki.duplicatesDiscarded()).isZero();
    }

    @Test
    void jsonEncodingWithGzipDeliversTheSameEntries() {
        List<LogLine> lines = lines(120, "json");
        produceAll(lines);
        Map<String, String> config = sinkConfig(topic, loki.pushUrl());
        config.put("loki.encoding", "json");
        CONNECT.deployConnector(connector, config);

        awaitEntries(120, Duration.ofSeconds(30));
        assertSameEntries(loki.entries(), lines);
        assertThat(loki.requestInfos()).allSatisfy(r -> {
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(r.contentEncoding()).isEqualTo("gzip");
        });
    }

    @Test
    void aStormOf429sWithRetryAfterIsWaitedOutAndNothingIsLost() {
        for (int i = 0; i < 4; i++) {
            loki.enqueue(Answer.status(429).retryAfterSeconds(1));
        }
        List<LogLine> lines = lines(200, "429");
        produceAll(lines);
        CONNECT.deployConnector(connector, sinkConfig(topic, loki.baseUrl()));

        awaitEntries(200, Duration.ofSeconds(40));
        assertSameEntries(loki.entries(), lines);
        assertThat(loki.requests(429)).isEqualTo(4);
        assertThat(CONNECT.taskMetric(connector, "push-requests-429-total")).isEqualTo(4);
    }

    @Test
    void serverErrorsForThirtySecondsThenRecoveryLosesNothing() {
        loki.failFor(Duration.ofSeconds(30), 500);
        List<LogLine> lines = lines(200, "500");
        produceAll(lines);
        Map<String, String> config = sinkConfig(topic, loki.baseUrl());
        config.put("max.retries", "-1");
        config.put("retry.backoff.max.ms", "3000");
        CONNECT.deployConnector(connector, config);

        awaitEntries(200, Duration.ofSeconds(70));
        assertSameEntries(loki.entries(), lines);
        assertThat(loki.requests(500)).isGreaterThan(5);
        CONNECT.awaitRunning(connector, 1, Duration.ofSeconds(5));
    }

    @Test
    void refusedEntriesGoToTheDeadLetterQueueAndTheRestIsKept() {
        List<LogLine> lines = new ArrayList<>(lines(50, "ok"));
        long monthAgo = Instant.now().minus(Duration.ofDays(30)).toEpochMilli() * 1_000_000L;
        LogLine tooOld = new LogLine("api", "info", monthAgo, "a line from last month");
        LogLine tooLong = new LogLine("db", "error", lines.get(0).timestampNanos() + 5, "x".repeat(300 * 1024));
        List<LogLine> all = new ArrayList<>(lines);
        all.add(10, tooOld);
        all.add(30, tooLong);
        produceAll(all);
        Map<String, String> config = sinkConfig(topic, loki.baseUrl());
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", topic + "-dlq");
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        config.put("consumer.override.max.partition.fetch.bytes", "2097152");
        CONNECT.deployConnector(connector, config);

        awaitEntries(50, Duration.ofSeconds(30));
        List<ConsumerRecord<byte[], byte[]>> dlq = CONNECT.consume(topic + "-dlq", 2, Duration.ofSeconds(30));
        assertThat(dlq).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder(tooOld.line(), tooLong.line());
        assertThat(dlq.get(0).headers().lastHeader("__connect.errors.exception.message")).isNotNull();
        assertSameEntries(loki.entries(), lines);
        assertThat(loki.requests(400)).isGreaterThanOrEqualTo(1);
        CONNECT.awaitRunning(connector, 1, Duration.ofSeconds(5));

        // A wait for all 52 times out, and its message says where the two missing ones went, in Loki's words.
        assertThatThrownBy(() -> ReceiverWait.on(loki).sink(CONNECT, connector).deadLetterQueue(topic + "-dlq")
                .awaitEntries(all.size(), Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exactly 52 entries")
                .hasMessageContaining("50 entries stored")
                .hasMessageContaining("refused: ").hasMessageContaining("timestamp too old")
                .hasMessageContaining("records-sent-to-dlq-total=2")
                .hasMessageContaining("dead letter queue '" + topic + "-dlq': 2 record(s)")
                .hasMessageContaining("a line from last month <- ");
    }

    @Test
    void exhaustedRetriesFailTheTaskWithTheCauseAndARestartDeliversEverything() {
        loki.failFor(Duration.ofMinutes(10), 503);
        List<LogLine> lines = lines(100, "retry");
        produceAll(lines);
        Map<String, String> config = sinkConfig(topic, loki.baseUrl());
        config.put("max.retries", "2");
        CONNECT.deployConnector(connector, config);

        String trace = CONNECT.awaitTaskFailed(connector, Duration.ofSeconds(30));
        assertThat(trace).contains(loki.pushUrl()).contains("503").contains("internal server error")
                .contains("max.retries=2");
        assertThat(loki.entries()).isEmpty();

        loki.failFor(Duration.ZERO, 503);
        CONNECT.cluster().restartTask(connector, 0);
        awaitEntries(100, Duration.ofSeconds(30));
        assertSameEntries(loki.entries(), lines);
    }

    @Test
    void aWorkerRestartMidStreamLosesNothingAndReplaysOnlyIdenticalEntries() throws Exception {
        List<LogLine> first = lines(300, "before");
        produceAll(first);
        CONNECT.deployConnector(connector, sinkConfig(topic, loki.baseUrl()));
        awaitEntries(300, Duration.ofSeconds(30));

        CONNECT.stopWorker();
        List<LogLine> second = lines(300, "after");
        produceAll(second);
        CONNECT.addWorker();
        CONNECT.awaitWorkers(1, Duration.ofSeconds(60));

        awaitEntries(600, Duration.ofSeconds(90));
        List<LogLine> all = new ArrayList<>(first);
        all.addAll(second);
        assertSameEntries(loki.entries(), all);
        // Whatever was re-sent after the restart was identical and discarded, as Loki does.
        assertThat(loki.acceptedEntries()).isEqualTo(600);
    }

    @Test
    void tenantAndBasicAuthHeadersAreSent() {
        produceAll(lines(10, "auth"));
        Map<String, String> config = sinkConfig(topic, loki.baseUrl());
        config.put("loki.tenant.id", "team-a");
        config.put("loki.auth.basic.username", "user");
        config.put("loki.auth.basic.password", "s3cret");
        config.put("loki.headers", "X-Source:loki-connect");
        CONNECT.deployConnector(connector, config);

        awaitEntries(10, Duration.ofSeconds(30));
        assertThat(loki.requestInfos()).allSatisfy(r -> {
            assertThat(r.tenant()).isEqualTo("team-a");
            assertThat(r.authorization()).isEqualTo("Basic dXNlcjpzM2NyZXQ=");
        });
    }

    @Test
    void tlsWithASelfSignedReceiverNeedsTheTrustStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        try (LokiReceiver https = LokiReceiver.startHttps("127.0.0.1", 0, cert.serverContext())) {
            produceAll(lines(20, "tls"));
            Map<String, String> untrusted = sinkConfig(topic, https.baseUrl());
            untrusted.put("max.retries", "0");
            CONNECT.deployConnector(connector, untrusted);
            String trace = CONNECT.awaitTaskFailed(connector, Duration.ofSeconds(30));
            assertThat(trace).contains(https.pushUrl()).containsAnyOf("PKIX", "certification path", "SSLHandshake");
            assertThat(https.entries()).isEmpty();

            Map<String, String> trusted = sinkConfig(topic, https.baseUrl());
            trusted.put("loki.tls.truststore.location", cert.trustStore().toString());
            trusted.put("loki.tls.truststore.password", SelfSignedCertificate.PASSWORD);
            CONNECT.deployConnector(connector, trusted);
            ReceiverWait.on(https).sink(CONNECT, connector).awaitEntries(20, Duration.ofSeconds(30));
            assertThat(https.baseUrl()).startsWith("https://");
        }
    }

    @Test
    void aSlowLokiKeepsBufferedBytesUnderTheBound() {
        loki.delayEveryRequest(Duration.ofMillis(700));
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        long base = Instant.now().minusSeconds(60).toEpochMilli() * 1_000_000L;
        String payload = "y".repeat(1000);
        for (int i = 0; i < 4000; i++) {
            records.add(new LogLine("api", "info", base + i, i + " " + payload).toRecord(topic, i % 2));
        }
        produce(CONNECT.bootstrapServers(), records);
        Map<String, String> config = sinkConfig(topic, loki.baseUrl());
        config.put("batch.max.bytes", "65536");
        config.put("buffer.max.bytes", "262144");
        config.put("max.in.flight.batches", "1");
        config.put("consumer.override.max.poll.records", "100");
        CONNECT.deployConnector(connector, config);

        // Sampled every 20 ms while the entries arrive.
        java.util.concurrent.atomic.AtomicLong buffered = new java.util.concurrent.atomic.AtomicLong();
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
            buffered.accumulateAndGet(CONNECT.taskMetric(connector, "buffered-bytes"), Math::max);
            return loki.entries().size() >= 4000;
        });
        long maxBuffered = buffered.get();
        assertThat(loki.entries()).hasSize(4000);
        // Bound plus at most one poll (100 records of ~1 KB) of overshoot.
        assertThat(maxBuffered).isGreaterThan(0).isLessThanOrEqualTo(262_144 + 100 * 1010);
        System.out.printf("slow Loki: max buffered %d bytes for buffer.max.bytes 262144%n", maxBuffered);
    }
}
