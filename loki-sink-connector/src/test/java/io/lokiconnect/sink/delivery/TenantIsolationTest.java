package io.lokiconnect.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lokiconnect.receiver.LokiReceiver;
import io.lokiconnect.receiver.ReceivedEntry;
import io.lokiconnect.sink.batch.LokiBatch;
import io.lokiconnect.sink.batch.Outbox;
import io.lokiconnect.sink.client.JvmDefaultTls;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.RetryPolicy;
import io.lokiconnect.sink.entry.LokiEntry;
import io.lokiconnect.sink.labels.LabelSet;
import io.lokiconnect.sink.push.ProtobufPushEncoder;
import io.lokiconnect.sink.shaping.LokiLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One tenant's trouble never stops the others: the outbox, the dispatcher and the sender against a multi-tenant
 * receiver that answers tenant A 429 (or 401, 403) while B's pushes are stored, with one push in flight at a time
 * (the hardest case: A's retried push must not keep the only slot).
 */
class TenantIsolationTest {

    private static final long T0 = (System.currentTimeMillis() - 60_000) * 1_000_000L;

    private LokiReceiver loki;
    private LokiClient client;
    private Dispatcher dispatcher;
    private BatchSender sender;
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<LokiBatch> settled = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (sender != null) {
            sender.abandon(1000);
        }
        if (client != null) {
            client.close();
        }
        if (loki != null) {
            loki.close();
        }
    }

    private Outbox start(int maxRetries) throws Exception {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
        loki.multiTenant(true);
        ProtobufPushEncoder encoder = new ProtobufPushEncoder();
        Outbox outbox = new Outbox(encoder, 64 * 1024, 10, LokiLimits.defaults());
        client = new LokiClient(new LokiClient.Settings(loki.pushUrl(), loki.baseUrl() + "/ready", "", "", "", "",
                Map.of(), JvmDefaultTls.settings(), Duration.ofSeconds(5), 2, "test", "", "", ""));
        DeliveryListener listener = new DeliveryListener() {
            @Override
            public void answered(int status) {
            }

            @Override
            public void settled(LokiBatch batch, Settlement settlement, long latencyNanos) {
                settled.add(batch);
            }

            @Override
            public void retrying(LokiBatch batch, int retry, String problem, long backoffMillis) {
            }

            @Override
            public void failed(LokiBatch batch, String message) {
                failures.add(message);
            }

            @Override
            public void abandoned(LokiBatch batch) {
            }
        };
        dispatcher = new Dispatcher(outbox, 1, listener, refused -> { }, bytes -> { });
        sender = new BatchSender(client, encoder, new RetryPolicy(maxRetries, 50, 200), 1, "test", dispatcher,
                dispatcher);
        dispatcher.start(sender, "test-dispatch");
        return outbox;
    }

    private static LokiEntry entry(String tenant, String job, int n) {
        return new LokiEntry(LabelSet.of(Map.of("job", job)).inTenant(tenant), T0 + n, tenant + "-" + n, Map.of(), null);
    }

    private List<String> lines(String tenant) {
        return loki.entriesOfTenant(tenant).stream().map(ReceivedEntry::line).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 401, 403})
    void aTenantRefusedAsAWholeHoldsOnlyItsOwnEntries(int status) throws Exception {
        Outbox outbox = start(-1);
        loki.failFor("team-a", Duration.ofSeconds(30), status);
        outbox.add(entry("team-a", "app", 0), System.nanoTime());
        await().atMost(Duration.ofSeconds(10)).until(() -> loki.requests(status) >= 1);
        outbox.add(entry("team-a", "other", 1), System.nanoTime()); // another stream of A: held with it
        for (int i = 0; i < 20; i++) {
            outbox.add(entry("team-b", "app", i), System.nanoTime());
            Thread.sleep(20);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> lines("team-b").size() == 20);
        assertThat(lines("team-a")).isEmpty();
        assertThat(outbox.heldTenants()).containsExactly("team-a");
        long aPushesWhileHeld = loki.requestInfos().stream().filter(r -> "team-a".equals(r.tenant())).count();
        loki.failFor("team-a", Duration.ZERO, status);
        await().atMost(Duration.ofSeconds(10)).until(() -> lines("team-a").size() == 2);
        assertThat(lines("team-a")).containsExactlyInAnyOrder("team-a-0", "team-a-1");
        assertThat(outbox.heldTenants()).isEmpty();
        assertThat(failures).isEmpty();
        assertThat(aPushesWhileHeld).as("A's retries only: its other stream waited").isPositive();
        assertThat(loki.requestInfos().stream().filter(r -> "team-a".equals(r.tenant()) && r.status() == 204))
                .as("A's two streams went once it recovered").isNotEmpty();
    }

    @Test
    void whenRetriesRunOutTheFailureNamesTheTenant() throws Exception {
        Outbox outbox = start(1);
        loki.failFor("team-a", Duration.ofSeconds(30), 401);
        outbox.add(entry("team-a", "app", 0), System.nanoTime());
        await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
        assertThat(failures.get(0)).contains("for tenant 'team-a'").contains("answered 401")
                .contains("max.retries=1");
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.heldTenants().isEmpty());
    }
}
