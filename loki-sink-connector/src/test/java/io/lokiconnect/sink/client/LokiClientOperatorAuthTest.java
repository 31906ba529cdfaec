package io.lokiconnect.sink.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.sink.push.EncodedPush;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** Issue 19's auth for operators: the token file, an HTTP proxy with no_proxy, PEM trust and key files. */
class LokiClientOperatorAuthTest {

    private static final EncodedPush PUSH = new EncodedPush(new byte[] {1, 2, 3}, "application/x-protobuf", null, 3);

    private final MockWebServer server = new MockWebServer();
    private final MockWebServer proxy = new MockWebServer();
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
        proxy.shutdown();
    }

    private static LokiClient.Settings settings(String url, TlsSettings tls, String tokenFile, String proxyUrl,
                                                String noProxy) {
        return new LokiClient.Settings(url + "loki/api/v1/push", url + "ready", "", "", "", "", Map.of(), tls,
                Duration.ofSeconds(5), 2, "test", tokenFile, proxyUrl, noProxy);
    }

    @Test
    void theTokenFileIsReadAgainAfterA401AndTheRetryCarriesTheNewToken() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "old-token\n");
        server.enqueue(new MockResponse().setResponseCode(204));
        server.enqueue(new MockResponse().setResponseCode(401).setBody("expired"));
        server.enqueue(new MockResponse().setResponseCode(204));
        try (LokiClient client = new LokiClient(settings(server.url("/").toString(), JvmDefaultTls.settings(),
                token.toString(), "", ""))) {
            assertThat(client.push(PUSH).outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
            Files.writeString(token, "new-token\n"); // rotated; the client's interval (1 s) has not passed
            assertThat(client.push(PUSH).status()).isEqualTo(401);
            assertThat(client.push(PUSH).outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
        }
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer old-token");
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer old-token");
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer new-token");
    }

    @Test
    void pushesGoThroughTheProxyExceptToHostsOfNoProxy() throws Exception {
        proxy.enqueue(new MockResponse().setResponseCode(204));
        // A host that does not resolve: only the proxy can reach it (the proxy is asked for the absolute URL).
        try (LokiClient client = new LokiClient(settings("http://loki.invalid:3100/", JvmDefaultTls.settings(), "",
                proxy.url("/").toString(), "other.example"))) {
            assertThat(client.push(PUSH, "team-a").outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
        }
        RecordedRequest viaProxy = proxy.takeRequest(5, TimeUnit.SECONDS);
        assertThat(viaProxy.getRequestLine()).isEqualTo("POST http://loki.invalid:3100/loki/api/v1/push HTTP/1.1");
        assertThat(viaProxy.getHeader("X-Scope-OrgID")).isEqualTo("team-a");

        server.enqueue(new MockResponse().setResponseCode(204));
        try (LokiClient client = new LokiClient(settings(server.url("/").toString(), JvmDefaultTls.settings(), "",
                proxy.url("/").toString(), server.getHostName() + "," + "example.com"))) {
            assertThat(client.push(PUSH).outcome()).isEqualTo(LokiResponse.Outcome.SUCCESS);
        }
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getRequestLine()).startsWith("POST /loki/api/v1/push");
        assertThat(proxy.getRequestCount()).as("no_proxy: direct").isEqualTo(1);
    }

    @Test
    void pemTrustAndKeyFilesAsKubernetesSecretsHoldThem() throws Exception {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("test CA").build();
        HeldCertificate serverCert = new HeldCertificate.Builder().signedBy(ca)
                .addSubjectAlternativeName(server.getHostName()).build();
        HeldCertificate clientCert = new HeldCertificate.Builder().signedBy(ca).commonName("loki-connect")
                .rsa2048().build();
        server.useHttps(new HandshakeCertificates.Builder().heldCertificate(serverCert, ca.certificate())
                .addTrustedCertificate(ca.certificate()).build().sslSocketFactory(), false);
        server.requireClientAuth();
        Path caCrt = Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
        Path tlsCrt = Files.writeString(dir.resolve("tls.crt"), clientCert.certificatePem() + ca.certificatePem());
        Path pkcs8 = Files.writeString(dir.resolve("tls.key"), clientCert.privateKeyPkcs8Pem());
        Path pkcs1 = Files.writeString(dir.resolve("tls-rsa.key"), clientCert.privateKeyPkcs1Pem());
        Path combined = Files.writeString(dir.resolve("combined.pem"), clientCert.privateKeyPkcs8Pem()
                + clientCert.certificatePem());
        String url = server.url("/").toString();
        for (TlsSettings tls : new TlsSettings[] {
            new TlsSettings(caCrt.toString(), new char[0], "PEM", tlsCrt.toString(), new char[0], "PEM", true,
                    pkcs8.toString()),
            new TlsSettings(caCrt.toString(), new char[0], "PEM", tlsCrt.toString(), new char[0], "PEM", true,
                    pkcs1.toString()),
            new TlsSettings(caCrt.toString(), new char[0], "PEM", combined.toString(), new char[0], "PEM", true, "")}) {
            server.enqueue(new MockResponse().setResponseCode(204));
            try (LokiClient client = new LokiClient(settings(url, tls, "", "", ""))) {
                assertThat(client.push(PUSH).outcome()).as(tls.keyLocation()).isEqualTo(LokiResponse.Outcome.SUCCESS);
            }
        }
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHandshake().peerPrincipal().getName()).contains("loki-connect");
        // Without the client key the server refuses the handshake.
        TlsSettings trustOnly = new TlsSettings(caCrt.toString(), new char[0], "PEM", "", new char[0], "PKCS12", true, "");
        try (LokiClient client = new LokiClient(settings(url, trustOnly, "", "", ""))) {
            assertThatThrownBy(() -> client.push(PUSH)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aPemFileWithoutWhatItShouldHoldFailsNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a pem\n");
        TlsSettings tls = new TlsSettings(empty.toString(), new char[0], "PEM", "", new char[0], "PKCS12", true, "");
        assertThatThrownBy(tls::build).hasMessageContaining("empty.pem").hasMessageContaining("BEGIN CERTIFICATE");
        HeldCertificate cert = new HeldCertificate.Builder().build();
        Path certOnly = Files.writeString(dir.resolve("cert.pem"), cert.certificatePem());
        TlsSettings noKey = new TlsSettings("", new char[0], "PKCS12", certOnly.toString(), new char[0], "PEM", true, "");
        assertThatThrownBy(noKey::build).hasMessageContaining("no private key");
    }
}
