package io.lokiconnect.sink.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lokiconnect.sink.LokiSinkConfig;
import io.lokiconnect.sink.commit.AcknowledgedOffsets.Partition;
import io.lokiconnect.sink.commit.PendingRecord;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.flow.BackPressure;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.metrics.SinkTaskMetrics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's rules driven without Connect: plain records in, the offsets the pipeline lets commit out, against a
 * scripted HTTP server. What is committed before and after Loki acknowledges, per behavior.on.rejected, for records
 * that never become an entry, and how a full buffer pauses and resumes the partitions across a rebalance.
 * ({@code LokiSinkTaskTest} drives the same through Connect's SinkTask API.)
 */
class SinkPipelineTest {

    private static final Partition P0 = new Partition("logs", 0);
    private static final long NOW_MS = Instant.now().toEpochMilli();

    /**
     * A consumed record: {@code line} null is a tombstone, "DROP" is dropped by relabelling, "BAD" is unmappable;
     * {@code tenant} empty is none.
     */
    private record Line(Partition partition, long offset, String line, String tenant) {
    }

    private static final RecordReader<Line> READER = new RecordReader<>() {
        @Override
        public String topic(Line record) {
            return record.partition().topic();
        }

        @Override
        public int partition(Line record) {
            return record.partition().partition();
        }

        @Override
        public long offset(Line record) {
            return record.offset();
        }

        @Override
        public LokiEntry toEntry(Line record, PendingRecord pending) {
            if (record.line() == null) {
                return null;
            }
            switch (record.line()) {
                case "DROP":
                    return DROPPED;
                case "BAD":
                    throw new NotMappable("the record has no timestamp", null);
                default:
                    return new LokiEntry(LabelSet.of(Map.of("job", "test")).inTenant(record.tenant()),
                            NOW_MS * 1_000_000L, record.line(), null, pending);
            }
        }
    };

    /** Records the pauses and resumes the pipeline asks for, as the consumer would see them. */
    private static final class Consumer implements BackPressure.Partitions<Partition> {
        final List<Partition> paused = new CopyOnWriteArrayList<>();
        final List<Partition> resumed = new CopyOnWriteArrayList<>();

        @Override
        public void pause(Collection<Partition> partitions) {
            paused.addAll(partitions);
        }

        @Override
        public void resume(Collection<Partition> partitions) {
            resumed.addAll(partitions);
            paused.removeAll(partitions);
        }
    }

    private final MockWebServer server = new MockWebServer();
    private final Consumer consumer = new Consumer();
    private final List<Object> reported = new CopyOnWriteArrayList<>();
    private final List<String> reportedMessages = new CopyOnWriteArrayList<>();
    private SinkTaskMetrics metrics;
    private SinkPipeline<Line> pipeline;

    @AfterEach
    void tearDown() throws IOException {
        if (pipeline != null) {
            pipeline.stop();
        }
        server.shutdown();
    }

    private void start(long maxBlockMillis, String... kv) {
        Map<String, String> props = new HashMap<>();
        props.put("loki.url", server.url("/").toString());
        props.put("batch.max.wait.ms", "50");
        props.put("retry.backoff.min.ms", "10");
        props.put("retry.backoff.max.ms", "20");
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        metrics = new SinkTaskMetrics(null, 10, () -> pipeline == null ? 0 : pipeline.bufferedBytes());
        pipeline = new SinkPipeline<>(new LokiSinkConfig(props).pipelineSettings("test"), READER, metrics, consumer,
                (record, message) -> {
                    reported.add(record);
                    reportedMessages.add(message);
                    return CompletableFuture.completedFuture(null);
                }, maxBlockMillis);
        pipeline.opened(List.of(P0));
    }

    private void start(String... kv) {
        start(1_000, kv);
    }

    private static Line line(long offset, String text) {
        return new Line(P0, offset, text, "");
    }

    /** Answers 204 to every push, the first one after {@code firstDelayMillis}. */
    private void acceptAll(long firstDelayMillis) {
        AtomicBoolean first = new AtomicBoolean(true);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                MockResponse response = new MockResponse().setResponseCode(204);
                return first.getAndSet(false)
                        ? response.setHeadersDelay(firstDelayMillis, TimeUnit.MILLISECONDS) : response;
            }
        });
    }

    private static String tooOldBody() {
        // Loki's answer refusing the entry (the label text is {job="test"}).
        return "entry for stream '{job=\"test\"}' has timestamp too old: "
                + Instant.ofEpochMilli(NOW_MS).truncatedTo(ChronoUnit.SECONDS)
                + ", oldest acceptable timestamp is: 2026-01-01T00:00:00Z\nuser 'fake', total ignored: 1 out of 1";
    }

    private Map<Partition, Long> awaitCommittable(long offset) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(pipeline::committable, commit -> commit.getOrDefault(P0, -1L) >= offset);
    }

    /** Asks committable() until it throws; every answer before the failure goes to {@code commits}. */
    private PipelineFailure awaitFailure(List<Map<Partition, Long>> commits) {
        AtomicReference<PipelineFailure> failure = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                commits.add(pipeline.committable());
                return false;
            } catch (PipelineFailure e) {
                failure.set(e);
                return true;
            }
        });
        return failure.get();
    }

    @Test
    void nothingIsCommittableBeforeLokiAcknowledges() {
        acceptAll(500);
        start();
        pipeline.put(List.of(line(0, "a"), line(1, "b")));
        assertThat(pipeline.committable()).isEmpty();
        assertThat(awaitCommittable(2)).containsEntry(P0, 2L);
        assertThat(metrics.entriesSent.get()).isEqualTo(2);
    }

    /**
     * Offsets are committable in consumption order across tenants: tenant A's record (offset 1) is refused 429 while
     * B's records before and after it are stored, so the offset stops before A's record until A is stored too.
     */
    @Test
    void offsetsAreCommittableInOrderAcrossTenants() {
        AtomicBoolean refuseA = new AtomicBoolean(true);
        List<String> stored = new CopyOnWriteArrayList<>();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String tenant = request.getHeader("X-Scope-OrgID");
                if ("team-a".equals(tenant) && refuseA.get()) {
                    return new MockResponse().setResponseCode(429).setBody("Ingestion rate limit exceeded");
                }
                stored.add(String.valueOf(tenant));
                return new MockResponse().setResponseCode(204);
            }
        });
        start("max.retries", "-1");
        pipeline.put(List.of(new Line(P0, 0, "b0", "team-b"), new Line(P0, 1, "a1", "team-a"),
                new Line(P0, 2, "b2", "team-b")));
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.entriesSent.get() == 2);
        assertThat(pipeline.committable()).as("B's both stored, A's refused: up to A's record")
                .containsEntry(P0, 1L);
        refuseA.set(false);
        assertThat(awaitCommittable(3)).containsEntry(P0, 3L);
        assertThat(stored).contains("team-a", "team-b");
    }

    @Test
    void skippedAndDroppedRecordsAreCommittableAtOnceAndNeverSent() throws InterruptedException {
        start();
        pipeline.put(List.of(line(0, null), line(1, "DROP")));
        assertThat(pipeline.committable()).containsEntry(P0, 2L);
        assertThat(metrics.recordsSkipped.get()).isEqualTo(1);
        assertThat(metrics.recordsDroppedByRelabel.get()).isEqualTo(1);
        Thread.sleep(200); // longer than batch.max.wait.ms: a batch would have gone by now
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aRecordBehindOneInFlightWaitsForIt() {
        acceptAll(500);
        start();
        pipeline.put(List.of(line(0, "a")));
        pipeline.put(List.of(line(1, null)));
        assertThat(pipeline.committable()).as("the skipped record waits for the one before it").isEmpty();
        assertThat(awaitCommittable(2)).containsEntry(P0, 2L);
    }

    @Test
    void refusedRecordsWithBehaviorLogAreCommittableWithoutTheDeadLetterQueue() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        start("behavior.on.rejected", "log");
        pipeline.put(List.of(line(0, "old line")));
        assertThat(awaitCommittable(1)).containsEntry(P0, 1L);
        assertThat(metrics.entriesRejected.get()).isEqualTo(1);
        assertThat(reported).isEmpty();
    }

    @Test
    void refusedRecordsWithBehaviorDlqGoToTheReporterBeforeTheirOffsetIsCommittable() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        start("behavior.on.rejected", "dlq");
        pipeline.put(List.of(line(0, "old line")));
        assertThat(awaitCommittable(1)).containsEntry(P0, 1L);
        assertThat(reported).containsExactly(line(0, "old line"));
        assertThat(reportedMessages).singleElement().asString().startsWith("Loki refused the entry").contains("too old");
        assertThat(metrics.recordsToDlq.get()).isEqualTo(1);
    }

    @Test
    void aDeadLetterQueueThatHasNotWrittenHoldsTheOffsetBack() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        CompletableFuture<Void> written = new CompletableFuture<>();
        metrics = new SinkTaskMetrics(null, 10, () -> 0);
        pipeline = new SinkPipeline<>(new LokiSinkConfig(Map.of("loki.url", server.url("/").toString(),
                "batch.max.wait.ms", "50")).pipelineSettings("test"), READER, metrics, consumer,
                (record, message) -> written, 1_000);
        pipeline.opened(List.of(P0));
        pipeline.put(List.of(line(0, "old line")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            pipeline.put(List.of()); // refusals are routed on the caller's thread, as Connect's reporter expects
            return metrics.recordsToDlq.get() == 1;
        });
        assertThat(pipeline.committable()).as("reported, not yet written (after waiting 5 s for it)").isEmpty();
        written.complete(null);
        assertThat(awaitCommittable(1)).containsEntry(P0, 1L);
    }

    @Test
    void refusedRecordsWithBehaviorFailFailThePipelineAndAreNeverCommittable() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(tooOldBody()));
        start("behavior.on.rejected", "fail");
        pipeline.put(List.of(line(0, "old line")));
        List<Map<Partition, Long>> commits = new ArrayList<>();
        assertThat(awaitFailure(commits).getMessage()).contains("logs-0@0").contains("too old")
                .contains("behavior.on.rejected=fail");
        assertThat(commits).allSatisfy(commit -> assertThat(commit).doesNotContainKey(P0));
        assertThatThrownBy(pipeline::committable).as("a failed pipeline never commits again")
                .isInstanceOf(PipelineFailure.class);
        assertThatThrownBy(() -> pipeline.put(List.of(line(1, "next")))).isInstanceOf(PipelineFailure.class);
    }

    @Test
    void aBatchWhoseRetriesRunOutFailsThePipelineWithTheReason() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(503).setBody("down");
            }
        });
        start("max.retries", "1");
        pipeline.put(List.of(line(0, "a")));
        List<Map<Partition, Long>> commits = new ArrayList<>();
        assertThat(awaitFailure(commits)).hasMessageContaining("503").hasMessageContaining("max.retries=1")
                .hasMessageContaining("not committed");
        assertThat(commits).allSatisfy(commit -> assertThat(commit).doesNotContainKey(P0));
    }

    @Test
    void aRecordTheReaderCannotMapGoesToTheDeadLetterQueueAsNotSent() {
        acceptAll(0);
        start("behavior.on.rejected", "dlq");
        pipeline.put(List.of(line(0, "BAD"), line(1, "fine")));
        assertThat(awaitCommittable(2)).containsEntry(P0, 2L);
        assertThat(reported).containsExactly(line(0, "BAD"));
        assertThat(reportedMessages).singleElement().asString()
                .contains("Not sent to Loki: the record cannot become a Loki entry").contains("no timestamp")
                .doesNotContain("Loki refused");
    }

    @Test
    void aFullBufferPausesThePartitionsUntilLokiCatchesUpEvenAcrossARebalance() {
        acceptAll(1_000); // longer than put() blocks (200 ms here) before it pauses
        start(200, "buffer.max.bytes", "2048", "batch.max.bytes", "2048", "max.in.flight.batches", "1");
        List<Line> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(line(i, "x".repeat(500)));
        }
        pipeline.put(records);
        assertThat(consumer.paused).containsExactly(P0);
        assertThat(pipeline.bufferedBytes()).isGreaterThanOrEqualTo(2048);

        pipeline.closed(List.of(P0));
        pipeline.opened(List.of(P0));

        // The partition was forgotten: its records in flight are re-read by its next owner, never committed here.
        assertThat(pipeline.committable()).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.bufferedBytes() == 0);
        pipeline.put(List.of());
        assertThat(consumer.resumed).as("the kept partition is resumed once the buffer drains").contains(P0);
        assertThat(consumer.paused).isEmpty();
    }

    @Test
    void theBufferCountsUtf8Bytes() {
        server.enqueue(new MockResponse().setResponseCode(204).setHeadersDelay(3, TimeUnit.SECONDS));
        start("batch.max.wait.ms", "60000");
        pipeline.put(List.of(line(0, "é".repeat(1000)), line(1, "😀".repeat(10))));
        assertThat(pipeline.bufferedBytes()).isEqualTo(2000 + 40);
    }

    @Test
    void trackingIsBoundedByTheBufferWithAFloor() {
        assertThat(SinkPipeline.maxTrackedRecords(1024)).isEqualTo(10_000);
        assertThat(SinkPipeline.maxTrackedRecords(64L * 1_000_000)).isEqualTo(1_000_000);
    }
}
