package io.lokiconnect.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.batch.TestBatches;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.client.JvmDefaultTls;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchSenderTest {

    /** No budgets: the gate of tests of other behaviour. */
    private static final PushGate OPEN = new PushGate() {
        @Override
        public void beforeResend(LokiBatch part) {
        }

        @Override
        public void answered(LokiBatch part) {
        }
    };

    private final MockWebServer server = new MockWebServer();
    private final Recorder recorder = new Recorder();
    private LokiClient client;
    private BatchSender sender;

    @AfterEach
    void stop() throws IOException {
        if (sender != null) {
            sender.abandon(1000);
        }
        if (client != null) {
            client.close();
        }
        server.shutdown();
    }

    private void start(int maxRetries, long backoffMinMs, long backoffMaxMs) {
        client = new LokiClient(new LokiClient.Settings(server.url("/loki/api/v1/push").toString(),
                server.url("/ready").toString(), "", "", "", "", Map.of(), JvmDefaultTls.settings(),
                Duration.ofSeconds(5), 2, "test", "", "", ""));
        sender = new BatchSender(client, new ProtobufPushEncoder(), new RetryPolicy(maxRetries, backoffMinMs, backoffMaxMs),
                1, "test-sender", recorder, OPEN);
    }

    private static LokiBatch batch() {
        return TestBatches.of(new LokiEntry(LabelSet.of(Map.of("job", "x")), 1_000_000_000L, "line", Map.of(), null));
    }

    private String outcome() throws InterruptedException {
        String outcome = recorder.outcomes.poll(15, TimeUnit.SECONDS);
        assertThat(outcome).as("the batch ended").isNotNull();
        return outcome;
    }

    @Test
    void aDroppedConnectionIsRetriedAndTheBatchDelivered() throws Exception {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
        server.enqueue(new MockResponse().setResponseCode(204));
        start(5, 10, 100);
        sender.submit(batch());
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(recorder.statuses).containsExactly(0, 204);
        assertThat(recorder.retries).hasSize(1);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void serverErrorsAndRateLimitsAreRetriedHonouringRetryAfter() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(500).setBody("boom"));
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "1"));
        server.enqueue(new MockResponse().setResponseCode(204));
        start(5, 10, 5000);
        sender.submit(batch());
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(recorder.statuses).containsExactly(500, 429, 204);
        // The second retry waited for Retry-After (1 s), not the 10 ms minimum backoff.
        assertThat(recorder.retries.get(1)).isEqualTo(1000L);
    }

    @Test
    void exhaustedRetriesFailWithTheUrlTheLastStatusAndTheBody() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(503).setBody("ingester unavailable"));
        }
        start(2, 10, 20);
        sender.submit(batch());
        String outcome = outcome();
        assertThat(outcome).startsWith("failed:").contains(server.url("/loki/api/v1/push").toString())
                .contains("503").contains("ingester unavailable").contains("max.retries=2");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    private static LokiBatch batch(String... lines) {
        List<LokiEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            entries.add(new LokiEntry(LabelSet.of(Map.of("job", "x")), 1_000_000_000L * (i + 1), lines[i], Map.of(),
                    null));
        }
        return TestBatches.of(entries);
    }

    /** Answers each push by the lines it holds (newline-separated). */
    private void answerByLines(java.util.function.Function<String, MockResponse> answer) {
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
                try {
                    return answer.apply(io.lokiconnect.sink.push.DecodedPushLines.lines(request.getBody().readByteArray()));
                } catch (IOException e) {
                    return new MockResponse().setResponseCode(500).setBody("undecodable push: " + e);
                }
            }
        });
    }

    /**
     * Loki keeps the entries of a 400 it does not name: sending them again stored second copies (visible once the
     * first left the head block). They are taken as stored and nothing is sent again.
     */
    @Test
    void aRefusalTakesTheEntriesItDoesNotNameAsStoredAndSendsNothingAgain() throws Exception {
        answerByLines(lines -> lines.contains("a") ? new MockResponse().setResponseCode(400).setBody(
                "entry for stream '{job=\"x\"}' has timestamp too old: 1970-01-01T00:00:01Z, oldest acceptable "
                        + "timestamp is: 2026-11-18T00:00:00Z") : new MockResponse().setResponseCode(204));
        start(5, 10, 20);
        sender.submit(batch("a", "b", "c"));
        assertThat(outcome()).isEqualTo("refused [a]");
        assertThat(recorder.lastSettlement.accepted()).extracting(LokiEntry::line).containsExactly("b", "c");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    /** The ingester's answer (only the last failing stream, one line per refused entry): the same rule. */
    @Test
    void anIngesterRefusalTakesTheOtherEntriesAsStored() throws Exception {
        answerByLines(lines -> new MockResponse().setResponseCode(400).setBody(
                "entry with timestamp 1970-01-01 00:00:02 +0000 UTC ignored, reason: 'entry too far behind, oldest "
                        + "acceptable timestamp is: 2026-11-18T00:00:00Z',\nuser 'fake', total ignored: 1 out of 3 "
                        + "for stream: {job=\"x\"}"));
        start(5, 10, 20);
        sender.submit(batch("a", "b", "c"));
        assertThat(outcome()).isEqualTo("refused [b]");
        assertThat(recorder.lastSettlement.accepted()).extracting(LokiEntry::line).containsExactly("a", "c");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void a413SplitsTheBatchInHalvesDownToTheSingleEntryLokiRefuses() throws Exception {
        // Every push holding "big" is too large; the others pass.
        answerByLines(lines -> lines.contains("big")
                ? new MockResponse().setResponseCode(413).setBody("Request Entity Too Large")
                : new MockResponse().setResponseCode(204));
        start(5, 10, 20);
        sender.submit(batch("a", "b", "c", "big", "d"));
        assertThat(outcome()).isEqualTo("refused [big]");
        assertThat(recorder.lastSettlement.accepted()).extracting(LokiEntry::line)
                .containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(recorder.lastSettlement.refused().values()).singleElement().asString()
                .contains("413").contains("Request Entity Too Large");
        // [a b c big d] 413 -> [a b] ok, [c big d] 413 -> [c] ok, [big d] 413 -> [big] 413, [d] ok: 7 pushes.
        assertThat(server.getRequestCount()).isEqualTo(7);
    }

    @Test
    void a400NamingNoEntrySplitsUntilTheRefusedEntryIsAlone() throws Exception {
        answerByLines(lines -> lines.contains("bad")
                ? new MockResponse().setResponseCode(400).setBody("bad request")
                : new MockResponse().setResponseCode(204));
        start(5, 10, 20);
        sender.submit(batch("bad", "b", "c", "d"));
        assertThat(outcome()).isEqualTo("refused [bad]");
        assertThat(recorder.lastSettlement.accepted()).hasSize(3);
    }

    @Test
    void refusedCredentialsAreRetriedThenFailNamingTheAuthKeys() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(i == 1 ? 403 : 401).setBody("no org id"));
        }
        start(2, 10, 20);
        sender.submit(batch("a"));
        assertThat(outcome()).startsWith("failed:").contains("401").contains("no org id").contains("max.retries=2")
                .contains("loki.auth.bearer.token").contains("loki.auth.basic.username")
                .contains("loki.auth.basic.password").contains("loki.headers").contains("loki.tenant.id");
        assertThat(recorder.statuses).containsExactly(401, 403, 401);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void aWrongUrlOrARedirectFailsAtOnceWithUrlStatusAndBody() throws Exception {
        for (int status : new int[] {404, 301, 405, 422, 409}) {
            server.enqueue(new MockResponse().setResponseCode(status).setHeader("Location", "http://elsewhere/")
                    .setBody("answer " + status));
        }
        start(5, 10, 20);
        for (int status : new int[] {404, 301, 405, 422, 409}) {
            sender.submit(batch("a"));
            assertThat(outcome()).startsWith("failed:").contains(server.url("/loki/api/v1/push").toString())
                    .contains("answered " + status).contains("answer " + status);
        }
        assertThat(recorder.retries).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(5);
    }

    /**
     * Loki's limiter counts every request: the first of a batch was paid for when the outbox composed it; each retry
     * and each part of a split push passes the gate (which waits for and takes the budget), and every answer is
     * reported so no refill is counted while a request is in flight.
     */
    @Test
    void everyRequestButABatchsFirstPassesTheGateAndEveryAnswerIsReported() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(500));
        server.enqueue(new MockResponse().setResponseCode(413));
        server.enqueue(new MockResponse().setResponseCode(204));
        server.enqueue(new MockResponse().setResponseCode(204));
        List<String> gate = new CopyOnWriteArrayList<>();
        client = new LokiClient(new LokiClient.Settings(server.url("/loki/api/v1/push").toString(),
                server.url("/ready").toString(), "", "", "", "", Map.of(), JvmDefaultTls.settings(),
                Duration.ofSeconds(5), 2, "test", "", "", ""));
        sender = new BatchSender(client, new ProtobufPushEncoder(), new RetryPolicy(5, 10, 20), 1, "test-sender",
                recorder, new PushGate() {
                    @Override
                    public void beforeResend(LokiBatch part) {
                        gate.add("resend " + part.entryCount());
                    }

                    @Override
                    public void answered(LokiBatch part) {
                        gate.add("answered " + part.entryCount());
                    }
                });
        sender.submit(batch("a", "b"));
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(gate).containsExactly("answered 2", "resend 2", "answered 2", "resend 1", "answered 1",
                "resend 1", "answered 1");
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    /** A proxy's 408 and a 499 (the request's context ended) are timeouts, not refusals: retried (issue 17). */
    @Test
    void requestTimeoutAnswersAreRetried() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(408).setBody("request timeout"));
        server.enqueue(new MockResponse().setResponseCode(499).setBody("context canceled"));
        server.enqueue(new MockResponse().setResponseCode(204));
        start(5, 10, 20);
        sender.submit(batch());
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(recorder.retries).hasSize(2);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    /** Issue: a stop waited for a push retried with backoff and outlasted Connect's 5 s graceful stop. */
    @Test
    void abandoningEndsARetryBackoffAtOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            server.enqueue(new MockResponse().setResponseCode(401));
        }
        start(-1, 60_000, 60_000);
        sender.submit(batch());
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        Thread.sleep(200); // in the 60 s backoff now
        long started = System.nanoTime();
        sender.abandon(5_000);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(outcome()).isEqualTo("abandoned");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void abandoningCancelsAPushInFlight() throws Exception {
        server.enqueue(new MockResponse().setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.NO_RESPONSE));
        start(-1, 10, 10);
        sender.submit(batch());
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        long started = System.nanoTime();
        sender.abandon(5_000);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(outcome()).isEqualTo("abandoned");
    }

    @Test
    void aBatchSubmittedAfterAbandoningIsAbandonedUnsent() throws Exception {
        start(-1, 10, 10);
        sender.abandon(1_000);
        sender.submit(batch());
        assertThat(outcome()).isEqualTo("abandoned");
        assertThat(server.getRequestCount()).isZero();
    }

    private static LokiBatch batchOf(io.lokiconnect.sink.commit.AcknowledgedOffsets offsets, int... partitions) {
        List<LokiEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            entries.add(new LokiEntry(LabelSet.of(Map.of("job", "x")), 1_000_000_000L + i, "p" + partitions[i] + "-" + i,
                    Map.of(), offsets.track("logs", partitions[i], i, null)));
        }
        return TestBatches.of(entries);
    }

    private List<String> acceptedLines() {
        List<String> lines = new java.util.ArrayList<>();
        recorder.lastSettlement.accepted().forEach(e -> lines.add(e.line()));
        java.util.Collections.sort(lines);
        return lines;
    }

    /** A rebalance before the push: the revoked partition's entries are left to its next owner, the rest sent. */
    @Test
    void entriesOfARevokedPartitionAreNotPushed() throws Exception {
        start(0, 10, 10);
        io.lokiconnect.sink.commit.AcknowledgedOffsets offsets = new io.lokiconnect.sink.commit.AcknowledgedOffsets();
        LokiBatch batch = batchOf(offsets, 0, 1, 0, 1);
        offsets.forget("logs", 1);
        server.enqueue(new MockResponse().setResponseCode(204));
        sender.submit(batch);
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(acceptedLines()).containsExactly("p0-0", "p0-2");
        assertThat(recorder.lastSettlement.revokedDropped()).isEqualTo(2);
        assertThat(server.getRequestCount()).isEqualTo(1);

        LokiBatch allRevoked = batchOf(offsets, 3, 3);
        offsets.forget("logs", 3);
        sender.submit(allRevoked);
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(recorder.lastSettlement.revokedDropped()).isEqualTo(2);
        assertThat(server.getRequestCount()).as("nothing left to push").isEqualTo(1);
    }

    /** A rebalance while a push is retried: the next attempt sends only the entries the task still owns. */
    @Test
    void aRebalanceDuringRetriesNarrowsTheNextAttempt() throws Exception {
        start(-1, 300, 300);
        io.lokiconnect.sink.commit.AcknowledgedOffsets offsets = new io.lokiconnect.sink.commit.AcknowledgedOffsets();
        LokiBatch batch = batchOf(offsets, 0, 1, 1);
        server.enqueue(new MockResponse().setResponseCode(503).setBody("down"));
        server.enqueue(new MockResponse().setResponseCode(204));
        sender.submit(batch);
        okhttp3.mockwebserver.RecordedRequest first = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(first).as("first attempt").isNotNull();
        offsets.forget("logs", 1); // during the 300 ms backoff
        assertThat(outcome()).isEqualTo("delivered");
        assertThat(acceptedLines()).containsExactly("p0-0");
        assertThat(recorder.lastSettlement.revokedDropped()).isEqualTo(2);
        okhttp3.mockwebserver.RecordedRequest second = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(second.getBodySize()).as("the retry is encoded again, without the revoked entries")
                .isLessThan(first.getBodySize());
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    /** A bug while pushing fails the batch (and so the task) instead of ending the sender thread unsettled. */
    @Test
    void anUnexpectedErrorWhilePushingFailsTheBatchInsteadOfLosingIt() throws Exception {
        client = new LokiClient(new LokiClient.Settings(server.url("/loki/api/v1/push").toString(),
                server.url("/ready").toString(), "", "", "", "", Map.of(), JvmDefaultTls.settings(),
                Duration.ofSeconds(5), 2, "test", "", "", ""));
        ProtobufPushEncoder sizes = new ProtobufPushEncoder();
        io.lokiconnect.sink.push.PushEncoder failing = new io.lokiconnect.sink.push.PushEncoder() {
            @Override
            public io.lokiconnect.sink.push.EncodedPush encode(LokiBatch batch) {
                throw new AssertionError("a bug");
            }

            @Override
            public int entrySize(LokiEntry entry) {
                return sizes.entrySize(entry);
            }

            @Override
            public int streamSize(LabelSet labels) {
                return sizes.streamSize(labels);
            }
        };
        sender = new BatchSender(client, failing, new RetryPolicy(0, 10, 10), 1, "test-sender", recorder, OPEN);
        sender.submit(batch());
        assertThat(outcome()).startsWith("failed: unexpected error").contains("a bug");
        // The sender still works for the next batch.
        server.enqueue(new MockResponse().setResponseCode(204));
        sender = new BatchSender(client, new ProtobufPushEncoder(), new RetryPolicy(0, 10, 10), 1, "test-sender",
                recorder, OPEN);
        sender.submit(batch());
        assertThat(outcome()).isEqualTo("delivered");
    }

    private static final class Recorder implements DeliveryListener {
        final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        final List<Integer> statuses = new CopyOnWriteArrayList<>();
        final List<Long> retries = new CopyOnWriteArrayList<>();
        volatile Settlement lastSettlement;

        @Override
        public void answered(int status) {
            statuses.add(status);
        }

        @Override
        public void settled(LokiBatch batch, Settlement settlement, long latencyNanos) {
            List<String> refused = new java.util.ArrayList<>();
            settlement.refused().forEach((e, reason) -> refused.add(e.line()));
            java.util.Collections.sort(refused);
            lastSettlement = settlement;
            outcomes.add(refused.isEmpty() ? "delivered" : "refused " + refused);
        }

        @Override
        public void retrying(LokiBatch batch, int retry, String problem, long backoffMillis) {
            retries.add(backoffMillis);
        }

        @Override
        public void failed(LokiBatch batch, String message) {
            outcomes.add("failed: " + message);
        }

        @Override
        public void abandoned(LokiBatch batch) {
            outcomes.add("abandoned");
        }
    }
}
