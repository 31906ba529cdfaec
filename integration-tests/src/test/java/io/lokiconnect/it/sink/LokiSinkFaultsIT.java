package io.lokiconnect.it.sink;

import static io.lokiconnect.it.sink.SinkTestSupport.produce;
import static io.lokiconnect.it.sink.SinkTestSupport.sinkConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.common.headers.FileHeaders;
import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.it.sink.SinkTestSupport.LogLine;
import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink under faults in a real worker: refused credentials fixed through the REST API, a rebalance while the
 * partitions are paused, identical events under one second-precision time.
 */
class LokiSinkFaultsIT {

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("consumer.session.timeout.ms", "10000")
            .workerProp("consumer.heartbeat.interval.ms", "1000")
            .workerProp("scheduled.rebalance.max.delay.ms", "5000")
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

    private List<LogLine> lines(int n, String prefix, int padding) {
        List<LogLine> lines = new ArrayList<>();
        long base = Instant.now().minusSeconds(60).toEpochMilli() * 1_000_000L;
        for (int i = 0; i < n; i++) {
            lines.add(new LogLine("api", i % 2 == 0 ? "info" : "warn", base + i * 1_000L + 7,
                    prefix + " " + i + " " + "p".repeat(padding)));
        }
        return lines;
    }

    private void produceAll(List<LogLine> lines, int partitions) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            records.add(lines.get(i).toRecord(topic, i % partitions));
        }
        produce(CONNECT.bootstrapServers(), records);
    }

    private static Set<String> lineSet(List<ReceivedEntry> entries) {
        return entries.stream().map(ReceivedEntry::line).collect(Collectors.toSet());
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, CONNECT.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            return admin.listConsumerGroupOffsets("connect-" + connector).partitionsToOffsetAndMetadata().get();
        }
    }

    @Test
    void refusedCredentialsFailTheTaskWithoutCommittingAndAFixedTokenThroughTheRestApiDeliversEverything()
            throws Exception {
        CONNECT.createTopic(topic, 2);
        try (AuthCheckingProxy gateway = new AuthCheckingProxy(loki.pushUrl(), "Bearer fixed-token")) {
            List<LogLine> lines = lines(200, "auth", 10);
            produceAll(lines, 2);
            Map<String, String> config = sinkConfig(topic, gateway.baseUrl());
            config.put("loki.auth.bearer.token", "rotated-token");
            config.put("max.retries", "2");
            CONNECT.deployConnector(connector, config);

            String trace = CONNECT.awaitTaskFailed(connector, Duration.ofSeconds(60));
            assertThat(trace).contains(gateway.baseUrl()).contains("401").contains("invalid token")
                    .contains("loki.auth.bearer.token").contains("loki.headers").doesNotContain("rotated-token");
            assertThat(gateway.refused()).isGreaterThanOrEqualTo(3);
            assertThat(loki.entries()).isEmpty();
            assertThat(committedOffsets()).as("nothing is committed while Loki refuses the credentials").isEmpty();

            // The user fixes the token through the REST API (PUT /connectors/<name>/config); the task restarts.
            config.put("loki.auth.bearer.token", "fixed-token");
            CONNECT.deployConnector(connector, config);
            ReceiverWait.on(loki).sink(CONNECT, connector).awaitEntries(200, Duration.ofSeconds(60));
            assertThat(lineSet(loki.entries())).isEqualTo(lines.stream().map(LogLine::line).collect(Collectors.toSet()));
            assertThat(loki.requestInfos()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer fixed-token"));
            CONNECT.awaitRunning(connector, 1, Duration.ofSeconds(30));
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(committedOffsets().values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                            .isEqualTo(200));
        }
    }

    /**
     * A slow Loki fills the buffer and the task pauses its partitions; then a worker joins and the first one leaves,
     * so the tasks' partitions are revoked and reassigned while paused. Once Loki is fast again, every line arrives:
     * no task stays RUNNING while consuming nothing.
     */
    @Test
    void aRebalanceWhileThePartitionsArePausedFreezesNothingAndLosesNothing() {
        CONNECT.createTopic(topic, 4);
        // Slower than put() blocks for room (10 s): the task pauses its partitions instead.
        loki.delayEveryRequest(Duration.ofSeconds(12));
        List<LogLine> lines = lines(6000, "rebalance", 180);
        produceAll(lines, 4);
        Map<String, String> config = sinkConfig(topic, loki.baseUrl());
        config.put("tasks.max", "2");
        config.put("batch.max.bytes", "16384");
        config.put("buffer.max.bytes", "32768");
        config.put("max.in.flight.batches", "1");
        config.put("consumer.override.max.poll.records", "50");
        config.put("request.timeout.ms", "60000");
        config.put("max.retries", "-1");
        CONNECT.deployConnector(connector, config);
        CONNECT.awaitRunning(connector, 2, Duration.ofSeconds(60));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> CONNECT.taskMetricSum(connector, "partitions-paused-total") > 0);

        CONNECT.addWorker();
        CONNECT.awaitWorkers(2, Duration.ofSeconds(60));
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> CONNECT.cluster().connectorStatus(connector).tasks().stream()
                        .map(t -> t.workerId()).distinct().count() == 2);
        CONNECT.stopWorker();
        CONNECT.awaitRunning(connector, 2, Duration.ofSeconds(90));
        assertThat(loki.entries().size()).as("still paused by the slow Loki during the rebalances").isLessThan(6000);

        loki.delayEveryRequest(Duration.ZERO);
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(lineSet(loki.entries())).hasSize(6000));
        assertThat(lineSet(loki.entries())).isEqualTo(lines.stream().map(LogLine::line).collect(Collectors.toSet()));
    }

    /** The case, measured on a real Loki: three identical events in one second became one entry. */
    @Test
    void threeIdenticalLinesUnderOneSecondPrecisionTimeGiveThreeEntries() {
        CONNECT.createTopic(topic, 1);
        long second = Instant.now().minusSeconds(30).getEpochSecond() * 1_000_000_000L;
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, second / 1_000_000L, null,
                    "GET /health 200");
            record.headers().add(LokiHeaders.LABEL_PREFIX + "service", bytes("api"));
            record.headers().add(LokiHeaders.TIMESTAMP_NS, bytes(Long.toString(second)));
            record.headers().add(FileHeaders.FILE_PATH, bytes("/var/log/app.log"));
            record.headers().add(FileHeaders.FILE_OFFSET, bytes(Long.toString(i * 16L)));
            records.add(record);
        }
        produce(CONNECT.bootstrapServers(), records);
        CONNECT.deployConnector(connector, sinkConfig(topic, loki.baseUrl()));

        ReceiverWait.on(loki).sink(CONNECT, connector).awaitEntries(3, Duration.ofSeconds(30));
        assertThat(loki.entries()).allSatisfy(e -> {
            assertThat(e.line()).isEqualTo("GET /health 200");
            assertThat(e.timestampNanos() / 1_000_000L).isEqualTo(second / 1_000_000L);
        });
        assertThat(loki.entries().stream().map(ReceivedEntry::timestampNanos).distinct()).hasSize(3);
    }

    /**
     * Basic, bearer and header auth configured, deployed, refused by Loki and validated with a malformed header: the
     * worker's whole log (every logger at INFO, the plugins at DEBUG) holds none of the secrets.
     */
    @Test
    void noSecretReachesTheWorkerLog() throws Exception {
        CONNECT.createTopic(topic, 1);
        produceAll(lines(5, "secret", 10), 1);
        String basicPassword = "basic-pw-0d41f7";
        String bearerToken = "bearer-tok-9c2e11";
        String headerKey = "header-key-7ab390";
        String malformedHeader = "header-without-colon-55e1c2";
        try (LogCapture log = LogCapture.begin();
             AuthCheckingProxy gateway = new AuthCheckingProxy(loki.pushUrl(), "Bearer something-else")) {
            Map<String, String> basic = sinkConfig(topic, loki.baseUrl());
            basic.put("loki.auth.basic.username", "shipper");
            basic.put("loki.auth.basic.password", basicPassword);
            basic.put("loki.headers", "X-Api-Key:" + headerKey + ",X-Team:logs");
            basic.put("loki.tenant.id", "team-a");
            CONNECT.deployConnector(connector, basic);
            ReceiverWait.on(loki).sink(CONNECT, connector).awaitEntries(5, Duration.ofSeconds(30));
            assertThat(loki.requestInfos()).allSatisfy(r -> assertThat(r.headers().entrySet()).anySatisfy(h -> {
                assertThat(h.getKey()).isEqualToIgnoringCase("X-Api-Key");
                assertThat(h.getValue()).isEqualTo(headerKey);
            }));

            String bearerConnector = connector + "-bearer";
            Map<String, String> bearer = sinkConfig(topic, gateway.baseUrl());
            bearer.put("loki.auth.bearer.token", bearerToken);
            bearer.put("loki.headers", "X-Api-Key:" + headerKey);
            bearer.put("max.retries", "1");
            try {
                CONNECT.deployConnector(bearerConnector, bearer);
                String trace = CONNECT.awaitTaskFailed(bearerConnector, Duration.ofSeconds(60));
                assertThat(trace).contains("401");
            } finally {
                CONNECT.cluster().deleteConnector(bearerConnector);
            }

            Map<String, String> malformed = sinkConfig(topic, loki.baseUrl());
            malformed.put("loki.headers", malformedHeader);
            assertThat(CONNECT.cluster().validateConnectorConfig("io.lokiconnect.sink.LokiSinkConnector", malformed)
                    .errorCount()).isPositive();

            String captured = log.text();
            assertThat(captured).as("the capture saw the plugins' config log").contains("LokiSinkConfig values")
                    .contains("loki.headers = [hidden]").contains("answered 401");
            for (String secret : List.of(basicPassword, bearerToken, headerKey, malformedHeader)) {
                List<String> leaks = captured.lines().filter(l -> l.contains(secret)).toList();
                assertThat(leaks).as("log lines holding " + secret).isEmpty();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
