package io.lokiconnect.testkit.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.receiver.LokiReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay between a real HTTP client and the Loki receiver. */
class FaultRelayTest {

    private static final String LINE = "{\"streams\":[{\"stream\":{\"job\":\"relay\"},\"values\":[[\"%d\",\"%s\"]]}]}";

    private LokiReceiver loki;
    private FaultRelay relay;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws IOException {
        loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty());
        relay = FaultRelay.start("127.0.0.1", loki.port());
    }

    @AfterEach
    void stop() {
        relay.close();
        loki.close();
    }

    private HttpResponse<String> push(String line) throws IOException, InterruptedException {
        String body = String.format(LINE, System.currentTimeMillis() * 1_000_000L, line);
        return client.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/loki/api/v1/push"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsRequestsAndAnswersUnchangedOverOneConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(push("line " + i).statusCode()).isEqualTo(204);
        }
        HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/ready"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(ready.body()).isEqualTo("ready");
        assertThat(loki.entries()).hasSize(5);
        assertThat(relay.forwarded()).isEqualTo(6);
    }

    @Test
    void aRequestResetMidwayNeverReachesTheServer() throws Exception {
        relay.resetMidRequest(1);

        assertThatThrownBy(() -> push("cut")).isInstanceOf(IOException.class);
        assertThat(push("next").statusCode()).isEqualTo(204);

        assertThat(loki.entries()).extracting(e -> e.line()).containsExactly("next");
        assertThat(relay.resetsMidRequest()).isEqualTo(1);
    }

    @Test
    void aLostAnswerLeavesThePushStoredAndTheClientWithAnError() throws Exception {
        relay.loseAnswers(1);

        assertThatThrownBy(() -> push("stored, answer lost")).isInstanceOf(IOException.class);

        assertThat(loki.entries()).extracting(e -> e.line()).containsExactly("stored, answer lost");
        assertThat(relay.answersLost()).isEqualTo(1);
        assertThat(loki.requests(204)).isEqualTo(1);
        assertThat(relay.lostRequests()).singleElement().satisfies(r -> {
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("stored, answer lost");
        });
    }

    @Test
    void aRequestWithoutTheRequiredHeaderGetsTheStatusUntilHealed() throws Exception {
        relay.answerUnlessHeader("Authorization", "Bearer right", 401, "Unauthorized");

        assertThat(push("no token").statusCode()).isEqualTo(401);
        String body = String.format(LINE, System.currentTimeMillis() * 1_000_000L, "right token");
        HttpResponse<String> withToken = client.send(HttpRequest.newBuilder(
                        URI.create(relay.baseUrl() + "/loki/api/v1/push")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer right").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isEqualTo(204);
        relay.heal();
        assertThat(push("healed").statusCode()).isEqualTo(204);

        assertThat(loki.entries()).extracting(e -> e.line()).containsExactly("right token", "healed");
    }

    @Test
    void theRelayAnswersAnyStatusForAWhileAndForwardsNothing() throws Exception {
        relay.answerFor(Duration.ofSeconds(2), 429, "3", "Ingestion rate limit exceeded");

        HttpResponse<String> limited = push("limited");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("3");
        assertThat(limited.body()).isEqualTo("Ingestion rate limit exceeded");
        assertThat(loki.entries()).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> push("after").statusCode() == 204);
        assertThat(loki.entries()).extracting(e -> e.line()).containsExactly("after");
    }

    @Test
    void theNextRequestsCanGetAStatusEachWithoutRetryAfter() throws Exception {
        relay.answerNext(2, 401, null, "unauthorized");

        assertThat(push("a").statusCode()).isEqualTo(401);
        HttpResponse<String> second = push("b");
        assertThat(second.statusCode()).isEqualTo(401);
        assertThat(second.headers().firstValue("Retry-After")).isEmpty();
        assertThat(push("c").statusCode()).isEqualTo(204);
        assertThat(relay.answeredByRelay()).isEqualTo(2);
    }

    @Test
    void everyRequestIsDelayed() throws Exception {
        relay.delay(Duration.ofMillis(700));
        long start = System.nanoTime();

        assertThat(push("slow").statusCode()).isEqualTo(204);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        relay.delay(Duration.ZERO);
    }

    @Test
    void refusedConnectionsComeBackOnTheSamePort() throws Exception {
        assertThat(push("before").statusCode()).isEqualTo(204);
        relay.refuseConnectionsFor(Duration.ofSeconds(2));

        assertThatThrownBy(() -> new Socket("127.0.0.1", relay.port()).close()).isInstanceOf(ConnectException.class);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> push("after").statusCode() == 204);
        assertThat(loki.entries()).extracting(e -> e.line()).containsExactly("before", "after");
    }

    @Test
    void chunkedRequestBodiesAreForwardedWhole() throws Exception {
        String body = String.format(LINE, System.currentTimeMillis() * 1_000_000L, "chunked");
        try (Socket socket = new Socket("127.0.0.1", relay.port())) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            int half = bytes.length / 2;
            String head = "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write((Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, 0, half);
            out.write(("\r\n" + Integer.toHexString(bytes.length - half) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, half, bytes.length - half);
            out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);

            assertThat(status).isEqualTo("HTTP/1.1 204");
        }
        assertThat(loki.entries()).extracting(e -> e.line()).containsExactly("chunked");
    }
}
