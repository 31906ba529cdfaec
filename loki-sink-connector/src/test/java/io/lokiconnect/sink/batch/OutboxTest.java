package io.lokiconnect.sink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.commit.AcknowledgedOffsets;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import io.lokiconnect.sink.shaping.LokiLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_764_000_000_000_000_000L;
    private static final LabelSet HOT = LabelSet.of(Map.of("job", "hot"));
    private static final LabelSet COLD = LabelSet.of(Map.of("job", "cold"));
    private static final ProtobufPushEncoder ENCODER = new ProtobufPushEncoder();

    private final AcknowledgedOffsets offsets = new AcknowledgedOffsets();
    private long offset;

    private LokiEntry entry(LabelSet labels, long ts, String line) {
        return entry(labels, ts, line, 0);
    }

    private LokiEntry entry(LabelSet labels, long ts, String line, int partition) {
        return new LokiEntry(labels, ts, line, Map.of(), offsets.track("logs", partition, offset++, null));
    }

    private static LokiLimits limits(long rate, long burst, long ingestionBurst, long maxBehindNanos) {
        return new LokiLimits(rate, burst, ingestionBurst, maxBehindNanos);
    }

    private static List<String> lines(LokiBatch batch) {
        List<String> lines = new ArrayList<>();
        batch.streams().values().forEach(es -> es.forEach(e -> lines.add(e.line())));
        return lines;
    }

    @Test
    void aPushIsComposedOnceTheOldestEntryHasWaitedTheLingerOrABatchIsFull() {
        Outbox outbox = new Outbox(ENCODER, 1024, 100, LokiLimits.defaults());
        outbox.add(entry(HOT, T0, "a"), 0);
        Outbox.Next early = outbox.next(100 * MS - 1);
        assertThat(early.batch()).isNull();
        assertThat(early.waitNanos()).isEqualTo(1);
        assertThat(lines(outbox.next(100 * MS).batch())).containsExactly("a");

        Outbox full = new Outbox(ENCODER, 1024, 100, LokiLimits.defaults());
        for (int i = 0; i < 10; i++) {
            full.add(entry(HOT, T0 + i, "x".repeat(100)), 0);
        }
        // A bucket starts empty; 1 ms at Loki's default rate covers the batch, long before the 100 ms linger.
        assertThat(full.next(MS).batch()).as("a full batch goes at once").isNotNull();
    }

    /** At the limit, one below, one above; a batch holds more than one entry only while it fits batch.max.bytes. */
    @Test
    void aPushNeverExceedsBatchMaxBytesUnlessOneEntryAloneDoes() {
        LokiEntry probe = entry(HOT, T0, "é".repeat(100));
        int one = ENCODER.streamSize(HOT) + ENCODER.entrySize(probe);
        int two = one + ENCODER.entrySize(probe);
        for (int max : new int[] {two - 1, two, two + 1}) {
            Outbox outbox = new Outbox(ENCODER, max, 100, LokiLimits.defaults());
            for (int i = 0; i < 6; i++) {
                outbox.add(entry(HOT, T0 + i * SECOND, "é".repeat(100)), 0); // whole seconds: all entries one size
            }
            List<LokiBatch> batches = TestBatches.drain(outbox);
            assertThat(batches).as("max %d", max).allSatisfy(b -> {
                assertThat(b.encodedBytes()).isLessThanOrEqualTo(max);
                assertThat(ENCODER.encode(b).uncompressedBytes()).isLessThanOrEqualTo(b.encodedBytes());
            });
            assertThat(batches).hasSize(max >= two ? 3 : 6);
        }
        Outbox small = new Outbox(ENCODER, 1024, 100, LokiLimits.defaults());
        small.add(entry(HOT, T0, "x".repeat(5000)), 0);
        assertThat(TestBatches.drain(small)).singleElement().satisfies(b -> assertThat(b.entryCount()).isEqualTo(1));
    }

    /**
     * A stream over its budget waits, the others keep flowing, and what leaves of the hot stream in any interval is at
     * most the burst plus the rate times the interval (Loki's token bucket).
     */
    @Test
    void aStreamOverItsBudgetWaitsWhileTheOthersFlow() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1000, 2000, 1 << 20, 3600 * SECOND));
        for (int i = 0; i < 20; i++) {
            outbox.add(entry(HOT, T0 + i, "h".repeat(500)), 0);
        }
        long now = 2 * SECOND; // the bucket, empty at first, holds the burst
        Outbox.Next first = outbox.next(now);
        assertThat(lines(first.batch())).hasSize(4); // 4 x 500 = the burst
        outbox.completed(first.batch(), Map.of(), now);
        outbox.add(entry(COLD, T0, "c"), now);
        Outbox.Next cold = outbox.next(now + 10 * MS);
        assertThat(lines(cold.batch())).containsExactly("c");
        outbox.completed(cold.batch(), Map.of(), now + 10 * MS);
        assertThat(outbox.rateHeldBytes()).isEqualTo(16 * 500);
        Outbox.Next waiting = outbox.next(now + 20 * MS);
        assertThat(waiting.batch()).isNull();
        // It waits for a full burst (2000 bytes at 1000/s from the answer at `now`), not for slivers.
        assertThat(waiting.waitNanos()).isBetween(1_900 * MS, 2_000 * MS);
        assertThat(outbox.rateHeldMillis(now + 20 * MS)).isEqualTo(10);

        long sentHot = 2000;
        long at = now;
        while (outbox.waitingEntries() > 0) {
            Outbox.Next next = outbox.next(at);
            if (next.batch() == null) {
                at += next.waitNanos();
                continue;
            }
            long bytes = next.batch().entryCount() * 500L;
            sentHot += bytes;
            assertThat(sentHot).as("hot bytes sent by %d ms", (at - now) / MS)
                    .isLessThanOrEqualTo(2000 + 1000 * (at - now + SECOND) / SECOND);
            outbox.completed(next.batch(), Map.of(), at);
        }
        assertThat(sentHot).isEqualTo(20 * 500);
        assertThat(outbox.rateHeldBytes()).isZero();
    }

    /** The bytes of a stream held for its budget do not make a push due: the others still wait their linger. */
    @Test
    void aHeldStreamDoesNotSendTheOthersOutInSlivers() {
        Outbox outbox = new Outbox(ENCODER, 4096, 100, limits(1000, 1000, 1 << 20, 3600 * SECOND));
        for (int i = 0; i < 20; i++) {
            outbox.add(entry(HOT, T0 + i, "h".repeat(500)), 0);
        }
        LokiBatch first = outbox.next(SECOND).batch();
        outbox.completed(first, Map.of(), SECOND);
        outbox.add(entry(COLD, T0, "c"), SECOND);
        assertThat(outbox.next(SECOND + 99 * MS).batch()).as("cold waits its linger").isNull();
        assertThat(lines(outbox.next(SECOND + 100 * MS).batch())).containsExactly("c");
    }

    /** A push carries one X-Scope-OrgID: entries of two tenants never share one, equal labels or not. */
    @Test
    void eachPushHoldsOneTenantAndEqualLabelsOfTwoTenantsAreTwoStreams() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        LabelSet a = HOT.inTenant("team-a");
        LabelSet b = HOT.inTenant("team-b");
        outbox.add(entry(a, T0, "a1"), 0);
        outbox.add(entry(b, T0, "b1"), 0);
        outbox.add(entry(COLD, T0, "none1"), 0);
        outbox.add(entry(a, T0 + 1, "a2"), 0);
        assertThat(outbox.streamCount()).isEqualTo(3);
        List<LokiBatch> pushes = TestBatches.drain(outbox);
        assertThat(pushes).hasSize(3);
        Map<String, List<String>> byTenant = new java.util.HashMap<>();
        for (LokiBatch push : pushes) {
            for (LabelSet stream : push.streams().keySet()) {
                assertThat(stream.tenant()).isEqualTo(push.tenant());
            }
            byTenant.put(push.tenant(), lines(push));
        }
        assertThat(byTenant).containsOnly(Map.entry("team-a", List.of("a1", "a2")), Map.entry("team-b", List.of("b1")),
                Map.entry("", List.of("none1")));
    }

    /**
     * Rate budgets are per tenant and stream: a tenant's stream at its budget does not hold the same labels of another
     * tenant (Loki's per_stream_rate_limit is per tenant's stream).
     */
    @Test
    void eachTenantsStreamHasItsOwnRateBudget() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1000, 1000, 1 << 20, 3600 * SECOND));
        String kb = "x".repeat(1000);
        outbox.add(entry(HOT.inTenant("a"), T0, kb), 0);
        outbox.add(entry(HOT.inTenant("a"), T0 + 1, kb), 0);
        outbox.add(entry(HOT.inTenant("b"), T0, kb), 0);
        List<LokiBatch> first = TestBatches.drain(outbox);
        assertThat(first).extracting(LokiBatch::tenant).containsExactlyInAnyOrder("a", "b");
        assertThat(outbox.waitingEntries()).as("a's second entry waits for a's budget only").isEqualTo(1);
    }

    /**
     * A tenant Loki refused as a whole (429, 401, 403) is held: no push of it is composed while its refused push is
     * retried, and the other tenants' pushes go on; once the refused push ends, the tenant goes on too.
     */
    @Test
    void aHeldTenantSendsNothingWhileTheOthersFlow() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        outbox.add(entry(HOT.inTenant("a"), T0, "a1"), 0);
        LokiBatch refused = outbox.next(SECOND).batch();
        assertThat(refused.tenant()).isEqualTo("a");
        outbox.holdTenant("a");
        outbox.add(entry(COLD.inTenant("a"), T0, "a2"), SECOND);
        outbox.add(entry(COLD.inTenant("b"), T0, "b1"), SECOND);
        LokiBatch other = outbox.next(2 * SECOND).batch();
        assertThat(other.tenant()).isEqualTo("b");
        outbox.completed(other, Map.of(), 2 * SECOND);
        assertThat(outbox.next(3 * SECOND).batch()).as("a is held").isNull();
        assertThat(outbox.heldTenants()).containsExactly("a");
        outbox.completed(refused, Map.of(), 4 * SECOND);
        outbox.releaseTenant("a");
        assertThat(outbox.heldTenants()).isEmpty();
        assertThat(lines(outbox.next(5 * SECOND).batch())).containsExactly("a2");
    }

    @Test
    void aTenantHeldTwiceIsReleasedAfterBothHolds() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        outbox.holdTenant("a");
        outbox.holdTenant("a");
        outbox.add(entry(HOT.inTenant("a"), T0, "a1"), 0);
        outbox.releaseTenant("a");
        assertThat(outbox.next(SECOND).batch()).isNull();
        outbox.releaseTenant("a");
        outbox.releaseTenant("a"); // one release too many changes nothing
        assertThat(lines(outbox.next(2 * SECOND).batch())).containsExactly("a1");
    }

    @Test
    void aStreamHasOnePushInFlightAtATime() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        outbox.add(entry(HOT, T0, "a"), 0);
        LokiBatch first = outbox.next(SECOND).batch();
        outbox.add(entry(HOT, T0 + 1, "b"), SECOND);
        outbox.add(entry(COLD, T0, "c"), SECOND);
        assertThat(lines(outbox.next(2 * SECOND).batch())).containsExactly("c");
        assertThat(outbox.next(3 * SECOND).batch()).isNull();
        outbox.completed(first, Map.of(), 3 * SECOND);
        assertThat(lines(outbox.next(3 * SECOND).batch())).containsExactly("b");
    }

    /** Loki's rule (stream.go): refused when older than newest - max behind; at exactly the cut-off it is kept. */
    @Test
    void anEntryTooFarBehindTheNewestLokiHoldsIsRefusedWithItsReasonNotSent() {
        long maxBehind = 3600 * SECOND;
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1 << 20, 1 << 24, 1 << 24, maxBehind));
        outbox.add(entry(HOT, T0, "newest"), 0);
        LokiBatch first = outbox.next(SECOND).batch();
        outbox.completed(first, Map.of(), SECOND);
        outbox.add(entry(HOT, T0 - maxBehind, "at the cut-off"), SECOND);
        outbox.add(entry(HOT, T0 - maxBehind - 1, "one ns too old"), SECOND);
        Outbox.Next next = outbox.next(2 * SECOND);
        assertThat(lines(next.batch())).containsExactly("at the cut-off");
        assertThat(next.refused()).singleElement().satisfies(r -> {
            assertThat(r.entry().line()).isEqualTo("one ns too old");
            assertThat(r.reason()).contains("too far behind").contains("loki.limits.max.behind.ms=3600000")
                    .contains(HOT.text());
        });
    }

    /**
     * A refusal by Loki does not move the stream's newest entry (a time an hour in the future, refused by Loki's
     * distributor, must not make every later line "too far behind"); an unanswered push does (Loki may hold it).
     */
    @Test
    void anEntryLokiRefusedDoesNotMoveTheNewestEntry() {
        long maxBehind = 10 * SECOND;
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1 << 20, 1 << 24, 1 << 24, maxBehind));
        LokiEntry future = entry(HOT, T0 + 3600 * SECOND, "an hour ahead");
        outbox.add(entry(HOT, T0, "now"), 0);
        outbox.add(future, 0);
        LokiBatch pushed = outbox.next(SECOND).batch();
        outbox.completed(pushed, Map.of(future, "timestamp too new"), SECOND);
        outbox.add(entry(HOT, T0 + SECOND, "a second later"), SECOND);
        Outbox.Next next = outbox.next(2 * SECOND);
        assertThat(next.refused()).isEmpty();
        assertThat(lines(next.batch())).containsExactly("a second later");
    }

    @Test
    void theNewestEntryAtLokiCountsWhatLokiMayHold() {
        long maxBehind = 10 * SECOND;
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1 << 20, 1 << 24, 1 << 24, maxBehind));
        outbox.add(entry(HOT, T0 + 100 * SECOND, "sent, answer lost"), 0);
        LokiBatch pushed = outbox.next(SECOND).batch();
        outbox.completed(pushed, Map.of(), SECOND); // a failure or abandon also ends here, entries taken as held
        outbox.add(entry(HOT, T0 + 80 * SECOND, "20 s behind"), SECOND);
        assertThat(outbox.next(2 * SECOND).refused()).hasSize(1);
    }

    /** The bursts, at the limit, one above, and a multi-byte character across the limit. */
    @Test
    void anEntryLargerThanABurstIsRefusedWithTheKeyToRaise() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1 << 20, 1000, 900, 3600 * SECOND));
        outbox.add(entry(HOT, T0, "x".repeat(900)), 0);
        outbox.add(entry(HOT, T0 + 1, "x".repeat(901)), 0);
        outbox.add(entry(COLD, T0, "x".repeat(899) + "é"), 0); // 899 characters, 901 bytes
        outbox.add(entry(COLD, T0 + 1, "x".repeat(999) + "é"), 0); // 1001 bytes: over both
        Outbox.Next next = outbox.next(SECOND);
        assertThat(next.batch().entryCount()).isEqualTo(1);
        assertThat(next.refused()).extracting(r -> r.entry().lineBytes()).containsExactlyInAnyOrder(901, 901, 1001);
        assertThat(next.refused()).filteredOn(r -> r.entry().lineBytes() == 1001).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("loki.limits.stream.burst.bytes=1000"));
        assertThat(next.refused()).filteredOn(r -> r.entry().lineBytes() == 901)
                .allSatisfy(r -> assertThat(r.reason()).contains("loki.limits.ingestion.burst.bytes=900"));
    }

    @Test
    void aPushNeverCountsMoreThanTheIngestionBurst() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024 * 1024, 10, limits(1 << 24, 1 << 24, 1000, 3600 * SECOND));
        int[] sizes = {200, 400, 400, 1, 999, 1, 998, 1, 1};
        for (int i = 0; i < sizes.length; i++) {
            outbox.add(entry(HOT, T0 + i, "x".repeat(sizes[i])), 0);
        }
        List<LokiBatch> batches = TestBatches.drain(outbox);
        // At the limit (1000), one above (1001 stops the push before it), one below (999 + 1 = 1000 fits).
        assertThat(batches).extracting(LokiBatch::lineBytes).containsExactly(1000L, 1000L, 1000L, 1L);
        Outbox multiByte = new Outbox(ENCODER, 64 * 1024 * 1024, 10, limits(1 << 24, 1 << 24, 1000, 3600 * SECOND));
        multiByte.add(entry(HOT, T0, "x".repeat(998)), 0);
        multiByte.add(entry(HOT, T0 + 1, "é"), 0); // one character, two bytes: 1000 bytes in all
        multiByte.add(entry(HOT, T0 + 2, "é"), 0);
        assertThat(TestBatches.drain(multiByte)).extracting(LokiBatch::lineBytes).containsExactly(1000L, 2L);
    }

    @Test
    void entriesGoOldestFirstAcrossPartitionsAndEqualTimesInConsumptionOrder() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        outbox.add(entry(HOT, T0 + 3, "3", 0), 0);
        outbox.add(entry(HOT, T0 + 1, "1", 1), 0);
        outbox.add(entry(HOT, T0 + 2, "2a", 0), 0);
        outbox.add(entry(HOT, T0 + 2, "2b", 0), 0);
        assertThat(lines(outbox.next(SECOND).batch())).containsExactly("1", "2a", "2b", "3");
    }

    @Test
    void entriesPastTheHorizonWaitUntilItMoves() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        long[] horizon = {T0 + 1};
        outbox.horizon(labels -> labels.equals(HOT) ? horizon[0] : Long.MAX_VALUE);
        outbox.add(entry(HOT, T0, "now"), 0);
        outbox.add(entry(HOT, T0 + 5, "later"), 0);
        outbox.add(entry(COLD, T0 + 5, "other stream"), 0);
        LokiBatch first = outbox.next(SECOND).batch();
        assertThat(lines(first)).containsExactlyInAnyOrder("now", "other stream");
        outbox.completed(first, Map.of(), SECOND);
        assertThat(outbox.next(2 * SECOND).batch()).isNull();
        assertThat(outbox.alignmentHeldBytes()).isEqualTo(5);
        horizon[0] = T0 + 5;
        assertThat(lines(outbox.next(3 * SECOND).batch())).containsExactly("later");
        assertThat(outbox.alignmentHeldBytes()).isZero();
    }

    @Test
    void entriesOfRevokedPartitionsAreDroppedNotSent() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        outbox.add(entry(HOT, T0, "kept", 0), 0);
        outbox.add(entry(HOT, T0 + 1, "revoked", 1), 0);
        offsets.forget("logs", 1);
        assertThat(outbox.dropRevoked()).isEqualTo("revoked".length());
        assertThat(lines(outbox.next(SECOND).batch())).containsExactly("kept");
    }

    /** A retried or split push counts at Loki again: it waits for its bytes in the budget, then takes them. */
    @Test
    void aResendWaitsForItsBytesAndTakesThem() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, limits(1000, 1000, 1 << 20, 3600 * SECOND));
        outbox.add(entry(HOT, T0, "x".repeat(600)), 0);
        LokiBatch push = outbox.next(SECOND).batch();
        outbox.answered(push, 2 * SECOND);
        assertThat(outbox.takeForResend(push, 2 * SECOND)).isEqualTo(200 * MS);
        assertThat(outbox.takeForResend(push, 2 * SECOND + 200 * MS)).isZero();
        assertThat(outbox.takeForResend(push, 2 * SECOND + 200 * MS)).isEqualTo(600 * MS);
    }

    @Test
    void idleStreamsAreForgottenAfterLokiWouldHaveForgottenThem() {
        Outbox outbox = new Outbox(ENCODER, 64 * 1024, 10, LokiLimits.defaults());
        outbox.add(entry(HOT, T0, "a"), 0);
        LokiBatch push = outbox.next(SECOND).batch();
        outbox.completed(push, Map.of(), SECOND);
        outbox.next(SECOND + Outbox.FORGET_AFTER_NANOS);
        assertThat(outbox.streamCount()).isEqualTo(1);
        outbox.next(62 * SECOND + Outbox.FORGET_AFTER_NANOS);
        assertThat(outbox.streamCount()).isZero();
    }
}
