package io.lokiconnect.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.receiver.Pushes.Entry;
import io.lokiconnect.receiver.Pushes.Stream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loki with {@code auth_enabled: true}: dskit's auth middleware and tenant rule, streams kept per tenant, and the
 * scripted answers of one tenant (issue 19's tenant-isolation scenario: tenant A answered 429 while B flows).
 */
class LokiReceiverMultiTenantTest {

    private final long t = (System.currentTimeMillis() / 1000 - 600) * 1_000_000_000L;
    private LokiReceiver loki;

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
        loki.multiTenant(true);
    }

    @AfterEach
    void stop() {
        loki.close();
    }


    private Stream streamAt(String line) {
        return Stream.of(Map.of("job", "x"), new Entry(t, line));
    }

    /** dskit middleware.AuthenticateUser: http.Error(w, "no org id", 401), a text body ending in a line break. */
    @Test
    void aPushWithoutTenantIsRefusedWithLokisExactAnswer() {
        HttpResponse<String> response = Pushes.protobuf(loki, streamAt("a"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("no org id\n");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(Pushes.protobuf(loki, "", streamAt("b")).statusCode()).as("an empty header is none").isEqualTo(401);
        assertThat(loki.entries()).isEmpty();
    }

    @Test
    void aTenantLokiRefusesGetsTheDistributorsAnswer() {
        HttpResponse<String> response = Pushes.protobuf(loki, "team a", streamAt("a"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("tenant ID 'team a' contains unsupported character ' '\n");
        assertThat(Pushes.protobuf(loki, "a|b", streamAt("a")).body()).isEqualTo("multiple org IDs present\n");
        assertThat(Pushes.protobuf(loki, "x".repeat(151), streamAt("a")).body())
                .isEqualTo("tenant ID is too long: max 150 characters\n");
        assertThat(Pushes.protobuf(loki, "x".repeat(150), streamAt("a")).statusCode()).isEqualTo(204);
        assertThat(loki.tenants()).containsExactly("x".repeat(150));
    }

    @Test
    void eachTenantHoldsItsOwnLinesAndQueriesSeeOnlyTheirTenants() throws Exception {
        assertThat(Pushes.protobuf(loki, "team-a", streamAt("from a")).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, "team-b", streamAt("from b")).statusCode()).isEqualTo(204);
        assertThat(loki.entriesOfTenant("team-a")).extracting(ReceivedEntry::line).containsExactly("from a");
        assertThat(loki.entriesOfTenant("team-b")).extracting(ReceivedEntry::line).containsExactly("from b");
        assertThat(loki.tenants()).containsExactly("team-a", "team-b");
        HttpClient client = HttpClient.newHttpClient();
        String url = loki.baseUrl() + "/loki/api/v1/query_range?query="
                + URLEncoder.encode("{job=\"x\"}", StandardCharsets.UTF_8);
        HttpResponse<String> asA = client.send(HttpRequest.newBuilder(URI.create(url)).header("X-Scope-OrgID", "team-a")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(asA.body()).contains("from a").doesNotContain("from b");
        HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void oneTenantsFailureLeavesTheOthersAlone() {
        loki.failFor("team-a", Duration.ofSeconds(30), 429);
        HttpResponse<String> refused = Pushes.protobuf(loki, "team-a", streamAt("a"), streamAt("b"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).startsWith("Ingestion rate limit exceeded for user team-a (limit: 4194304 bytes/sec) "
                + "while attempting to ingest '2' lines totaling '2' bytes");
        assertThat(Pushes.protobuf(loki, "team-b", streamAt("c")).statusCode()).isEqualTo(204);
        assertThat(loki.entriesOfTenant("team-a")).isEmpty();
        loki.failFor("team-a", Duration.ZERO, 429);
        assertThat(Pushes.protobuf(loki, "team-a", streamAt("a")).statusCode()).isEqualTo(204);
    }

    @Test
    void scriptedAnswersOfATenantAreUsedByItsPushesOnly() {
        loki.enqueueFor("team-a", LokiReceiver.Answer.status(403).withBody("forbidden"));
        assertThat(Pushes.protobuf(loki, "team-b", streamAt("b")).statusCode()).isEqualTo(204);
        assertThat(Pushes.protobuf(loki, "team-a", streamAt("a")).statusCode()).isEqualTo(403);
        assertThat(Pushes.protobuf(loki, "team-a", streamAt("a")).statusCode()).isEqualTo(204);
    }

    @Test
    void singleTenantModeStoresAPushWithoutTenantAsFake() {
        loki.multiTenant(false);
        assertThat(Pushes.protobuf(loki, streamAt("a")).statusCode()).isEqualTo(204);
        assertThat(loki.entriesOfTenant("fake")).hasSize(1);
    }
}
