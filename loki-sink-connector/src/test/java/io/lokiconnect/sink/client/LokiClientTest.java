package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.sink.push.EncodedPush;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LokiClientTest {

    private static final EncodedPush PUSH = new EncodedPush(new byte[] {1, 2, 3}, "application/x-protobuf", null, 3);

    private final MockWebServer server = new MockWebServer();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private static LokiClient.Settings settings(String url, String user, String password, String token,
                                                Map<String, String> headers, TlsSettings tls, Duration timeout) {
        return new LokiClient.Settings(url + "loki/api/v1/push", url + "ready", "team-a", user, password, token,
                headers, tls, timeout, 2, "test", "", "", "");
    }

    private LokiClient client(String user, String password, String token, Map<String, String> headers) {
        return new LokiClient(settings(server.url("/").toString(), user, password, token, headers,
                JvmDefaultTls.settings(), Duration.ofSeconds(5)));
    }

    /** After cancelAll() (the task stops), a push that was about to start fails at once and sends nothing. */
    @Test
    void aPushStartedAfterCancelAllFailsWithoutBeingSent() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204));
        try (LokiClient client = client("", "", "", Map.of())) {
            client.cancelAll();
            assertThatThrownBy(() -> client.push(PUSH)).isInstanceOf(IOException.class);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void sendsTenantBearerTokenAndExtraHeaders() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204));
        try (LokiClient client = client("", "", "s3cret-token", Map.of("X-Source", "loki-connect"))) {
            assertThat(client.push(PUSH, "team-a").outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
        }
        RecordedRequest request = server.takeRequest();
        assertThat(request.getPath()).isEqualTo("/loki/api/v1/push");
        assertThat(request.getHeader("X-Scope-OrgID")).isEqualTo("team-a");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer s3cret-token");
        assertThat(request.getHeader("X-Source")).isEqualTo("loki-connect");
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-protobuf");
        assertThat(request.getBody().readByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void sendsBasicAuthAndTheContentEncoding() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204));
        try (LokiClient client = client("user", "pw", "", Map.of())) {
            client.push(new EncodedPush(new byte[] {9}, "application/json", "gzip", 20));
        }
        RecordedRequest request = server.takeRequest();
        assertThat(request.getHeader("Authorization")).isEqualTo("Basic dXNlcjpwdw==");
        assertThat(request.getHeader("Content-Encoding")).isEqualTo("gzip");
    }

    @Test
    void reportsStatusBodyAndRetryAfter() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "3")
                .setBody("Ingestion rate limit exceeded"));
        try (LokiClient client = client("", "", "", Map.of())) {
            LokiResponse response = client.push(PUSH);
            assertThat(response.status()).isEqualTo(429);
            assertThat(response.outcome()).isEqualTo(LokiResponse.Outcome.RETRY);
            assertThat(response.retryAfterMillis()).isEqualTo(3000);
            assertThat(response.body()).isEqualTo("Ingestion rate limit exceeded");
        }
    }

    @Test
    void aResponseSlowerThanTheRequestTimeoutIsAnIOException() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204).setHeadersDelay(3, TimeUnit.SECONDS));
        try (LokiClient client = new LokiClient(settings(server.url("/").toString(), "", "", "", Map.of(),
                JvmDefaultTls.settings(), Duration.ofMillis(300)))) {
            assertThatThrownBy(() -> client.push(PUSH)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void readyCheckNamesTheProblem() {
        server.enqueue(new MockResponse().setResponseCode(503).setBody("Ingester not ready"));
        try (LokiClient client = client("", "", "", Map.of())) {
            assertThat(client.checkReady()).contains("/ready").contains("503").contains("Ingester not ready");
        }
        server.enqueue(new MockResponse().setResponseCode(200).setBody("ready"));
        try (LokiClient client = client("", "", "", Map.of())) {
            assertThat(client.checkReady()).isNull();
        }
    }

    // --- TLS -------------------------------------------------------------------------------------------------

    private static final char[] PASSWORD = "changeit".toCharArray();

    private Path store(String name, KeyStore keyStore) throws Exception {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, PASSWORD);
        }
        return file;
    }

    private Path trustStore(HeldCertificate ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        return store("trust.p12", trust);
    }

    private Path keyStore(HeldCertificate client) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", client.keyPair().getPrivate(), PASSWORD, new Certificate[] {client.certificate()});
        return store("keys.p12", keys);
    }

    private static HeldCertificate ca() {
        return new HeldCertificate.Builder().certificateAuthority(0).commonName("test CA").build();
    }

    private LokiClient tlsClient(Path trust, Path keys, boolean verifyHostname) {
        TlsSettings tls = new TlsSettings(trust.toString(), PASSWORD, "PKCS12", keys == null ? "" : keys.toString(),
                PASSWORD, "PKCS12", verifyHostname, "");
        return new LokiClient(settings(server.url("/").toString(), "", "", "", Map.of(), tls, Duration.ofSeconds(5)));
    }

    @Test
    void hostNameVerificationIsOnByDefaultAndCanBeTurnedOff() throws Exception {
        HeldCertificate ca = ca();
        HeldCertificate serverCert = new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("loki.example.com")
                .build();
        server.useHttps(new HandshakeCertificates.Builder().heldCertificate(serverCert, ca.certificate()).build()
                .sslSocketFactory(), false);
        server.enqueue(new MockResponse().setResponseCode(204));
        Path trust = trustStore(ca);
        try (LokiClient verifying = tlsClient(trust, null, true)) {
            assertThatThrownBy(() -> verifying.push(PUSH)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Hostname");
        }
        try (LokiClient lenient = tlsClient(trust, null, false)) {
            assertThat(lenient.push(PUSH).outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
        }
    }

    @Test
    void mutualTlsSendsTheClientCertificateFromTheKeyStore() throws Exception {
        HeldCertificate ca = ca();
        HeldCertificate serverCert = new HeldCertificate.Builder().signedBy(ca)
                .addSubjectAlternativeName(server.getHostName()).build();
        HeldCertificate clientCert = new HeldCertificate.Builder().signedBy(ca).commonName("loki-connect").build();
        HandshakeCertificates serverSide = new HandshakeCertificates.Builder()
                .heldCertificate(serverCert, ca.certificate()).addTrustedCertificate(ca.certificate()).build();
        server.useHttps(serverSide.sslSocketFactory(), false);
        server.requireClientAuth();
        server.enqueue(new MockResponse().setResponseCode(204));
        server.enqueue(new MockResponse().setResponseCode(204));
        Path trust = trustStore(ca);
        try (LokiClient withoutCert = tlsClient(trust, null, true)) {
            assertThatThrownBy(() -> withoutCert.push(PUSH)).isInstanceOf(IOException.class);
        }
        try (LokiClient withCert = tlsClient(trust, keyStore(clientCert), true)) {
            assertThat(withCert.push(PUSH).outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
        }
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        while (request != null && request.getHandshake() == null) {
            request = server.takeRequest(5, TimeUnit.SECONDS);
        }
        assertThat(request).isNotNull();
        assertThat(request.getHandshake().peerPrincipal().getName()).contains("loki-connect");
    }

    /** Should a value OkHttp cannot send get past validation, the client's error names the header, not the value. */
    @Test
    void aHeaderValueOkHttpCannotSendIsNotEchoed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LokiClient(settings("http://127.0.0.1:1/", "", "",
                        "", Map.of("X-Api-Key", "s3cr3t\u00e9"), JvmDefaultTls.settings(), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Api-Key")
                .hasMessageNotContaining("s3cr3t");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LokiClient(settings("http://127.0.0.1:1/", "", "",
                        "tok\ns3cr3t", Map.of(), JvmDefaultTls.settings(), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Authorization")
                .hasMessageNotContaining("s3cr3t");
    }
}
