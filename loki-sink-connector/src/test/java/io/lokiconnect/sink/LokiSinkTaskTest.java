package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task's own rules, driven through Connect's SinkTask API with a recording context and a scripted HTTP
 * server: what is committed after a refusal per behavior.on.rejected, back-pressure, the stop timeout and the
 * metrics. (The integration tests run the same task in a real worker.)
 */
class LokiSinkTaskTest {

    private static final TopicPartition TP = new TopicPartition("logs", 0);
    private static final long NOW_MS = Instant.now().toEpochMilli();

    private final MockWebServer server = new MockWebServer();
    private final Metrics metrics = new Metrics();
    private final RecordingContext context = new RecordingContext(Set.of(TP), new PluginMetricsImpl(metrics, Map.of()));
    private LokiSinkTask task = new LokiSinkTask();

    @AfterEach
    void tearDown() throws IOException {
        task.stop();
        server.shutdown();
        metrics.close();
    }

    /** Answers 204 to every push, the first one after {@code firstDelayMillis}. */
    private void acceptAll(long firstDelayMillis) {
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
                MockResponse response = new MockResponse().setResponseCode(204);
                return first.getAndSet(false)
                        ? response.setHeadersDelay(firstDelayMillis, TimeUnit.MILLISECONDS) : response;
            }
        });
    }

    private void start(String... kv) {
        Map<String, String> props = new HashMap<>();
        props.put("loki.url", server.url("/").toString());
        props.put("labels.static", "job=test");
        props.put("batch.max.wait.ms", "50");
        props.put("retry.backoff.min.ms", "10");
        props.put("retry.backoff.max.ms", "20");
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        task.initialize(context);
        task.start(props);
        task.open(List.of(TP));
    }

    private static SinkRecord record(long offset, String line, String level) {
        ConnectHeaders headers = new ConnectHeaders();
        if (level != null) {
            headers.addString("loki.label.level", level);
        }
        return new SinkRecord(TP.topic(), TP.partition(), Schema.STRING_SCHEMA, "k", Schema.STRING_SCHEMA, line,
                offset, NOW_MS, TimestampType.CREATE_TIME, headers);
    }

    private static String tooOldBody() {
        // Loki's answer refusing the entry of offset 1 (the label text is the sink's {job="test"}).
        return "entry for stream '{job=\"test\"}' has timestamp too old: "
                + Instant.ofEpochMilli(NOW_MS).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + ", oldest acceptable timestamp is: 2026-01-01T00:00:00Z\nuser 'fake', total ignored: 1 out of 1";
    }

    private Map<TopicPartition, OffsetAndMetadata> awaitCommit(long offset) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> task.preCommit(Map.of(TP, new OffsetAndMetadata(99))),
                        commit -> commit.containsKey(TP) && commit.get(TP).offset() >= offset);
    }

    private double bufferedBytes() {
        return metricValue("buffered-bytes", Map.of());
    }

    /**
     * Issue 19: offsets are committed in order across tenants. Tenant A's record (offset 1) is refused 429 while
     * B's records before and after it are stored: the commit stops before A's record until A is stored too.
     */
    @Test
    void offsetsAreCommittedInOrderAcrossTenants() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refuseA = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.List<String> stored = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
                String tenant = request.getHeader("X-Scope-OrgID");
                if ("team-a".equals(tenant) && refuseA.get()) {
                    return new MockResponse().setResponseCode(429).setBody("Ingestion rate limit exceeded for user team-a");
                }
                stored.add(tenant);
                return new MockResponse().setResponseCode(204);
            }
        });
        start("max.retries", "-1");
        task.put(List.of(tenantRecord(0, "team-b"), tenantRecord(1, "team-a"), tenantRecord(2, "team-b")));
        assertThat(awaitCommit(1)).containsEntry(TP, new OffsetAndMetadata(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored.contains("team-b"));
        Thread.sleep(300); // B's records are stored by now (B's pushes are not held), A is still refused
        assertThat(metricValue("entries-sent-total", Map.of())).as("both of B's entries").isEqualTo(2.0);
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(99)))).containsEntry(TP, new OffsetAndMetadata(1));
        assertThat(metricValue("tenants-held", Map.of())).as("team-a waits after its 429").isEqualTo(1.0);
        refuseA.set(false);
        assertThat(awaitCommit(3)).containsEntry(TP, new OffsetAndMetadata(3));
        assertThat(stored).contains("team-a", "team-b");
        await().atMost(Duration.ofSeconds(5)).until(() -> metricValue("tenants-held", Map.of()) == 0.0);
    }

    private static SinkRecord tenantRecord(long offset, String tenant) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("loki.tenant", tenant);
        return new SinkRecord(TP.topic(), TP.partition(), Schema.STRING_SCHEMA, "k", Schema.STRING_SCHEMA,
                tenant + "-" + offset, offset, NOW_MS, TimestampType.CREATE_TIME, headers);
    }

    @Test
    void nothingIsCommittedBeforeLokiAcknowledges() throws Exception {
        acceptAll(500);
        start();
        task.put(List.of(record(0, "a", "info"), record(1, "b", "info")));
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(99)))).isEmpty();
        assertThat(awaitCommit(2)).containsEntry(TP, new OffsetAndMetadata(2));
    }

    @Test
    void refusedRecordsWithBehaviorLogAreLoggedAndCommitted() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        start("behavior.on.rejected", "log");
        task.put(List.of(record(0, "old line", "info")));
        assertThat(awaitCommit(1)).containsEntry(TP, new OffsetAndMetadata(1));
        assertThat(metricValue("entries-rejected-total", Map.of())).isEqualTo(1.0);
        assertThat(context.reported).isEmpty();
    }

    @Test
    void refusedRecordsWithBehaviorDlqGoToTheReporterBeforeTheirOffsetIsCommitted() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        start("behavior.on.rejected", "dlq");
        task.put(List.of(record(0, "old line", "info")));
        assertThat(awaitCommit(1)).containsEntry(TP, new OffsetAndMetadata(1));
        assertThat(context.reported).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo("old line"));
        assertThat(metricValue("records-sent-to-dlq-total", Map.of())).isEqualTo(1.0);
    }

    @Test
    void refusedRecordsWithBehaviorFailFailTheTaskAndAreNotCommitted() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        start("behavior.on.rejected", "fail");
        task.put(List.of(record(0, "old line", "info")));
        // Every preCommit until the failure shows: none may hand Connect the refused record's offset.
        List<Map<TopicPartition, OffsetAndMetadata>> commits = new ArrayList<>();
        AtomicReference<ConnectException> failure = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                commits.add(task.preCommit(Map.of(TP, new OffsetAndMetadata(99))));
                return false;
            } catch (ConnectException e) {
                failure.set(e);
                return true;
            }
        });
        assertThat(failure.get().getMessage()).contains("logs-0@0").contains("too old")
                .contains("behavior.on.rejected=fail");
        assertThat(commits).allSatisfy(commit -> assertThat(commit).doesNotContainKey(TP));
        assertThatThrownBy(() -> task.preCommit(Map.of(TP, new OffsetAndMetadata(99))))
                .as("a failed task never commits again").isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> task.put(List.of(record(1, "next", "info")))).isInstanceOf(ConnectException.class);
    }

    @Test
    void aFullBufferPausesThePartitionsUntilLokiCatchesUpEvenAcrossARebalance() throws Exception {
        task = new LokiSinkTask(200);
        acceptAll(1_000); // longer than put() blocks (200 ms here) before it pauses
        start("buffer.max.bytes", "2048", "batch.max.bytes", "2048", "max.in.flight.batches", "1");
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(record(i, "x".repeat(500), "info"));
        }
        task.put(records);
        assertThat(context.paused).containsExactly(TP);
        assertThat(bufferedBytes()).isGreaterThanOrEqualTo(2048);

        // A rebalance while paused: Connect closes the partition, re-pauses it (the task keeps it), opens it.
        task.close(List.of(TP));
        context.pause(TP);
        task.open(List.of(TP));

        // The partition was forgotten: its records in flight are re-read by its next owner, never committed here.
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(99)))).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> bufferedBytes() == 0);
        task.put(List.of());
        assertThat(context.resumed).as("the kept partition is resumed once the buffer drains").contains(TP);
        assertThat(context.isPaused(TP)).isFalse();
    }

    @Test
    void aRecordTheMapperRefusesGoesToTheDeadLetterQueueAsNotSentNotAsRefusedByLoki() throws Exception {
        acceptAll(0);
        start("behavior.on.rejected", "dlq");
        SinkRecord noTime = new SinkRecord(TP.topic(), TP.partition(), null, null, null, "no time", 0, null,
                TimestampType.NO_TIMESTAMP_TYPE);
        task.put(List.of(noTime, record(1, "fine", "info")));
        assertThat(awaitCommit(2)).containsEntry(TP, new OffsetAndMetadata(2));
        assertThat(context.reported).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo("no time"));
        assertThat(context.errors).singleElement().asString()
                .contains("Not sent to Loki: the record cannot become a Loki entry").contains("no timestamp")
                .doesNotContain("Loki refused");
    }

    @Test
    void theBufferCountsUtf8Bytes() {
        server.enqueue(new MockResponse().setResponseCode(204).setHeadersDelay(3, TimeUnit.SECONDS));
        start("batch.max.wait.ms", "60000");
        task.put(List.of(record(0, "é".repeat(1000), "info"), record(1, "😀".repeat(10), "info")));
        assertThat(bufferedBytes()).isEqualTo(2000 + 40);
    }

    /**
     * Issue: after the token was fixed through the REST API, the old tasks (retrying 401s with backoff) did not stop
     * within Connect's 5 s task.shutdown.graceful.timeout.ms. A stop abandons the retry at once and commits nothing
     * Loki did not acknowledge; nothing buffered is sent by the stop (Connect commits nothing after it).
     */
    @Test
    void stopAbandonsARetriedPushAtOnceAndCommitsNothing() throws Exception {
        for (int i = 0; i < 20; i++) {
            server.enqueue(new MockResponse().setResponseCode(401).setBody("Unauthorized"));
        }
        start("max.retries", "-1", "retry.backoff.min.ms", "30000", "retry.backoff.max.ms", "60000",
                "batch.max.bytes", "1024");
        task.put(List.of(record(0, "x".repeat(700), "info"), record(1, "y".repeat(700), "info")));
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        task.put(List.of(record(2, "buffered, not sent", "info")));
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(3)))).isEmpty();

        long started = System.nanoTime();
        task.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    /** The same while a push is in flight to a slow Loki (a task restart answered 500 "Failed to start task"). */
    @Test
    void stopCancelsAPushInFlightAtOnce() throws Exception {
        server.enqueue(new MockResponse().setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.NO_RESPONSE));
        start("batch.max.wait.ms", "50");
        task.put(List.of(record(0, "in flight", "info")));
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();

        long started = System.nanoTime();
        task.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(bufferedBytes()).isZero();
    }

    /**
     * Issue: the new task died on "A metric named records-received-total already exists" while its predecessor,
     * whose stop timed out, still held the names. It starts, and publishes once the predecessor closed its metrics.
     */
    @Test
    void aTaskStartsWhileItsPredecessorStillHoldsTheMetricNames() throws Exception {
        acceptAll(0);
        start();
        task.put(List.of(record(0, "a", "info")));
        PluginMetricsImpl successorMetrics = new PluginMetricsImpl(metrics, Map.of());
        LokiSinkTask successor = new LokiSinkTask();
        successor.initialize(new RecordingContext(Set.of(TP), successorMetrics));
        try {
            Map<String, String> props = new HashMap<>();
            props.put("loki.url", server.url("/").toString());
            props.put("labels.static", "job=test");
            props.put("batch.max.wait.ms", "50");
            successor.start(props);
            successor.open(List.of(TP));
            successor.put(List.of(record(0, "a", "info"), record(1, "b", "info")));
            assertThat(metricValue("records-received-total", Map.of())).as("the predecessor's").isEqualTo(1.0);

            ((PluginMetricsImpl) context.pluginMetrics()).close(); // the worker, once the predecessor's stop ended
            successor.preCommit(Map.of(TP, new OffsetAndMetadata(2)));

            assertThat(metricValue("records-received-total", Map.of())).isEqualTo(2.0);
        } finally {
            successor.stop();
        }
    }

    @Test
    void linesAreCountedByLevelUpToTheConfiguredNumberOfValues() throws Exception {
        acceptAll(300);
        start("metrics.level.values.max", "2");
        task.put(List.of(record(0, "a", "info"), record(1, "b", "warn"), record(2, "c", "error"),
                record(3, "d", "debug"), record(4, "e", "info")));
        assertThat(metricValue("lines-by-level-total", Map.of("level", "info"))).isEqualTo(2.0);
        assertThat(metricValue("lines-by-level-total", Map.of("level", "warn"))).isEqualTo(1.0);
        assertThat(metricValue("lines-by-level-total", Map.of("level", "other"))).isEqualTo(2.0);
        assertThat(awaitCommit(5)).containsEntry(TP, new OffsetAndMetadata(5));
        assertThat(metricValue("push-requests-2xx-total", Map.of())).isGreaterThanOrEqualTo(1.0);
        assertThat(metricValue("entries-sent-total", Map.of())).isEqualTo(5.0);
        assertThat(metricValue("records-received-total", Map.of())).isEqualTo(5.0);
        assertThat(metricValue("bytes-sent-total", Map.of())).isGreaterThan(0.0);
        assertThat(metricValue("bytes-sent-compressed-total", Map.of())).isGreaterThan(0.0);
        // Loki answered the first push after 300 ms: the batch waited at least that long for its acknowledgement.
        assertThat(metricValue("batch-latency-max-ms", Map.of())).isGreaterThanOrEqualTo(300.0);
        assertThat(metricValue("buffered-bytes", Map.of())).isZero();
    }

    @Test
    void customHeaderPrefixesAreRead() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204));
        start("labels.header.prefix", "lbl.", "structured.metadata.header.prefix", "md.", "loki.encoding", "json",
                "loki.json.gzip", "false");
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("lbl.app", "shop");
        headers.addString("md.trace_id", "t-9");
        headers.addString("loki.label.ignored", "x");
        task.put(List.of(new SinkRecord(TP.topic(), 0, null, null, null, "hello", 0, NOW_MS,
                TimestampType.CREATE_TIME, headers)));
        String body = server.takeRequest(10, TimeUnit.SECONDS).getBody().readUtf8();
        assertThat(body).contains("\"app\":\"shop\"").contains("\"trace_id\":\"t-9\"").doesNotContain("ignored");
    }

    private static SinkRecord record(TopicPartition tp, long offset, String line, String level, long timeMs) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("loki.label.level", level);
        return new SinkRecord(tp.topic(), tp.partition(), Schema.STRING_SCHEMA, "k", Schema.STRING_SCHEMA, line,
                offset, timeMs, TimestampType.CREATE_TIME, headers);
    }

    /** A push the server received: when, and its entries as (level label, line, time in ms). */
    private record Received(long atNanos, List<String[]> entries) {
    }

    /** Answers 204 to every push and records it (JSON bodies, not gzipped). */
    private List<Received> recordPushes() {
        List<Received> pushes = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
                long at = System.nanoTime();
                List<String[]> entries = new ArrayList<>();
                try {
                    com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(request.getBody().readUtf8());
                    for (com.fasterxml.jackson.databind.JsonNode stream : body.get("streams")) {
                        String level = stream.get("stream").path("level").asText();
                        for (com.fasterxml.jackson.databind.JsonNode value : stream.get("values")) {
                            entries.add(new String[] {level, value.get(1).asText(),
                                    Long.toString(Long.parseLong(value.get(0).asText()) / 1_000_000L)});
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                pushes.add(new Received(at, entries));
                return new MockResponse().setResponseCode(204);
            }
        });
        return pushes;
    }

    /**
     * Issue 17, item 1: a stream above Loki's per-stream limit is sent no faster than Loki's token bucket allows (at
     * any moment, at most the burst plus the rate times the time since the task started), while another stream is
     * not held behind it; nothing is lost and everything is committed.
     */
    @Test
    void aHotStreamIsSentNoFasterThanLokisPerStreamLimitWhileAnotherFlows() throws Exception {
        List<Received> pushes = recordPushes();
        long started = System.nanoTime();
        start("loki.encoding", "json", "loki.json.gzip", "false", "loki.limits.stream.rate.bytes", "20000",
                "loki.limits.stream.burst.bytes", "20000", "batch.max.bytes", "8192");
        List<SinkRecord> hot = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hot.add(record(TP, i, String.format("%04d", i) + "h".repeat(996), "hot", NOW_MS + i));
        }
        task.put(hot);
        task.put(List.of(record(TP, 100, "cold line", "cold", NOW_MS)));
        assertThat(metricValue("buffered-streams", Map.of())).isEqualTo(2.0);
        assertThat(metricValue("buffered-entries", Map.of())).as("the hot stream waits for its budget")
                .isPositive();
        assertThat(awaitCommit(101)).containsEntry(TP, new OffsetAndMetadata(101));
        assertThat(metricValue("buffered-entries", Map.of())).isZero();

        long hotBytes = 0;
        long coldAt = -1;
        long lastHotAt = 0;
        for (Received push : pushes) {
            for (String[] e : push.entries()) {
                if (e[0].equals("hot")) {
                    hotBytes += e[1].length();
                    lastHotAt = push.atNanos();
                } else {
                    coldAt = push.atNanos();
                }
            }
            double seconds = (push.atNanos() - started) / 1e9;
            assertThat(hotBytes).as("hot bytes received %.3f s after the start", seconds)
                    .isLessThanOrEqualTo((long) (20000 + 20000 * seconds));
        }
        assertThat(hotBytes).isEqualTo(100 * 1000);
        assertThat(Duration.ofNanos(lastHotAt - started)).as("the hot stream took its time").isGreaterThan(
                Duration.ofSeconds(3));
        assertThat(coldAt).as("the cold line came before the hot stream was through").isLessThan(lastHotAt);
        assertThat(Duration.ofNanos(coldAt - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(metricValue("rate-held-bytes", Map.of())).isZero();
    }

    /**
     * Issue 17, item 2: an entry older than its stream's newest at Loki by more than loki.limits.max.behind.ms is
     * not sent (Loki would drop it, answering 204 unless it is the push's last stream): it goes to the dead letter
     * queue with the reason, and its offset is committed after that.
     */
    @Test
    void anEntryTooFarBehindIsNotSentAndGoesToTheDeadLetterQueueWithItsReason() throws Exception {
        List<Received> pushes = recordPushes();
        start("behavior.on.rejected", "dlq", "loki.encoding", "json", "loki.json.gzip", "false");
        task.put(List.of(record(TP, 0, "newest", "info", NOW_MS)));
        assertThat(awaitCommit(1)).containsEntry(TP, new OffsetAndMetadata(1));
        task.put(List.of(record(TP, 1, "at the window's edge", "info", NOW_MS - 3_600_000),
                record(TP, 2, "one ms too old", "info", NOW_MS - 3_600_001)));
        assertThat(awaitCommit(3)).containsEntry(TP, new OffsetAndMetadata(3));
        assertThat(pushes.stream().flatMap(p -> p.entries().stream()).map(e -> e[1]))
                .containsExactlyInAnyOrder("newest", "at the window's edge");
        assertThat(context.reported).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo("one ms too old"));
        assertThat(context.errors).singleElement().asString().contains("Not sent to Loki: Loki would refuse the entry")
                .contains("too far behind").contains("loki.limits.max.behind.ms=3600000");
        assertThat(metricValue("entries-refused-before-sending-total", Map.of())).isEqualTo(1.0);
    }

    /**
     * Issue 17, item 2: two partitions of one stream, one 3 h ahead of the other: the one ahead is paused and its
     * entries past half the window wait, the lagging one is read, and every line reaches Loki with none refused.
     */
    @Test
    void aPartitionAheadOfALaggingOneOfTheSameStreamWaitsForIt() throws Exception {
        TopicPartition p0 = new TopicPartition("logs", 0);
        TopicPartition p1 = new TopicPartition("logs", 1);
        RecordingContext two = new RecordingContext(Set.of(p0, p1), new PluginMetricsImpl(metrics, Map.of()));
        List<Received> pushes = recordPushes();
        Map<String, String> props = new HashMap<>();
        props.put("loki.url", server.url("/").toString());
        props.put("labels.static", "job=test");
        props.put("batch.max.wait.ms", "50");
        props.put("loki.encoding", "json");
        props.put("loki.json.gzip", "false");
        props.put("behavior.on.rejected", "dlq");
        task.initialize(two);
        task.start(props);
        task.open(List.of(p0, p1));
        long start = NOW_MS - 3 * 3_600_000L;
        // p0's 3 h come first (one line a minute), p1 has delivered its first line only.
        task.put(List.of(record(p1, 0, "p1 0", "info", start + 30_000)));
        List<SinkRecord> ahead = new ArrayList<>();
        for (int m = 0; m < 180; m++) {
            ahead.add(record(p0, m, "p0 " + m, "info", start + m * 60_000L));
        }
        task.put(ahead);
        assertThat(two.isPaused(p0)).isTrue();
        assertThat(two.isPaused(p1)).isFalse();
        Thread.sleep(500);
        assertThat(pushes.stream().flatMap(p -> p.entries().stream()).mapToLong(e -> Long.parseLong(e[2])).max()
                .orElse(0)).as("nothing past half the window ahead of p1 was sent").isLessThanOrEqualTo(
                        start + 30_000 + 1_800_000);
        for (int m = 1; m < 180; m++) {
            task.put(List.of(record(p1, m, "p1 " + m, "info", start + m * 60_000L + 30_000)));
        }
        assertThat(two.isPaused(p0)).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> pushes.stream().mapToInt(p -> p.entries().size()).sum()
                == 360);
        assertThat(two.reported).isEmpty();
        assertThat(metricValue("partitions-paused-for-alignment-total", Map.of())).isGreaterThanOrEqualTo(1.0);
    }

    private double metricValue(String name, Map<String, String> tags) {
        for (Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> e : metrics.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().tags().entrySet().containsAll(tags.entrySet())) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name + " " + tags + " in " + metrics.metrics().keySet());
    }
}
