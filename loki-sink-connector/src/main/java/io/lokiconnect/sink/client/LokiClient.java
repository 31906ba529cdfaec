package io.lokiconnect.sink.client;

import io.lokiconnect.sink.push.EncodedPush;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Sends push requests to Loki over OkHttp (pooled connections, TLS, timeouts) and reports Loki's answer. It does
 * not retry: {@link RetryPolicy} and the sender decide, so OkHttp's own retry on connection failure is off.
 */
public final class LokiClient implements Closeable {

    /** How much of an error body is kept for logs, exceptions and rejection parsing. */
    public static final int BODY_LIMIT = 64 * 1024;

    /** Pushes under way, for {@link #cancelAll()}. */
    private final java.util.Set<Call> calls = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    private final OkHttpClient http;
    private final String pushUrl;
    private final String readyUrl;
    private final Headers headers;
    private final Headers readyHeaders;
    /** The token file of loki.auth.bearer.token.file, read again as it changes; null when not set. */
    private final TokenFile tokenFile;

    public LokiClient(Settings settings) {
        this.pushUrl = settings.pushUrl();
        this.readyUrl = settings.readyUrl();
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .callTimeout(settings.requestTimeout())
                .connectTimeout(settings.requestTimeout())
                .readTimeout(settings.requestTimeout())
                .writeTimeout(settings.requestTimeout())
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .connectionPool(new ConnectionPool(settings.maxConnections(), 5, TimeUnit.MINUTES));
        if (!settings.proxyUrl().isEmpty()) {
            builder.proxySelector(proxySelector(settings.proxyUrl(), NoProxy.parse(settings.noProxy())));
        }
        if (pushUrl.startsWith("https:")) {
            TlsSettings.Context tls = settings.tls().build();
            builder.sslSocketFactory(tls.sslContext().getSocketFactory(), tls.trustManager());
            if (!settings.tls().verifyHostname()) {
                builder.hostnameVerifier((host, session) -> true);
            }
        }
        this.http = builder.build();
        this.tokenFile = settings.bearerTokenFile().isEmpty() ? null : new TokenFile(Path.of(settings.bearerTokenFile()));
        this.headers = headers(settings);
        Headers.Builder ready = headers.newBuilder();
        if (!settings.tenantId().isEmpty()) {
            add(ready, TENANT_HEADER, settings.tenantId(), true);
        }
        this.readyHeaders = ready.build();
    }

    /** Loki's tenant header; set per push, from the batch's tenant. */
    static final String TENANT_HEADER = "X-Scope-OrgID";

    /**
     * The headers of every request. OkHttp's error for a value it cannot send echoes the value (a key, a token, a
     * tenant): the config's validators refuse such values first, and should one pass anyway, the error names the
     * header only.
     */
    private static Headers headers(Settings settings) {
        Headers.Builder h = new Headers.Builder();
        add(h, "User-Agent", "loki-connect/" + settings.version(), false);
        if (!settings.basicUser().isEmpty()) {
            String credentials = settings.basicUser() + ":" + settings.basicPassword();
            add(h, "Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)), false);
        } else if (!settings.bearerToken().isEmpty()) {
            add(h, "Authorization", "Bearer " + settings.bearerToken(), false);
        }
        settings.extraHeaders().forEach((name, value) -> add(h, name, value, true));
        return h.build();
    }

    private static void add(Headers.Builder headers, String name, String value, boolean replace) {
        if (!HeaderText.isValidName(name) || !HeaderText.isValidValue(value)) {
            throw new IllegalArgumentException("HTTP header '" + (HeaderText.isValidName(name) ? name : "(invalid name)")
                    + "' cannot be sent: its name or value holds a character other than printable ASCII (value not "
                    + "shown; check loki.headers, loki.tenant.id and loki.auth.bearer.token)");
        }
        if (replace) {
            headers.set(name, value);
        } else {
            headers.add(name, value);
        }
    }

    public String pushUrl() {
        return pushUrl;
    }

    /** Sends one push of no tenant. */
    public LokiResponse push(EncodedPush push) throws IOException {
        return push(push, "");
    }

    /**
     * Sends one push of {@code tenant} (its {@code X-Scope-OrgID}; none when empty); an {@link IOException} means no
     * answer (connection refused or dropped, timeout). The tenant was checked against Loki's rule for tenant IDs
     * (printable ASCII) before it reached a batch.
     */
    public LokiResponse push(EncodedPush push, String tenant) throws IOException {
        Request.Builder request = new Request.Builder().url(pushUrl).headers(headers)
                .post(RequestBody.create(push.body(), MediaType.get(push.contentType())));
        if (!tenant.isEmpty()) {
            request.header(TENANT_HEADER, tenant);
        }
        if (tokenFile != null) {
            request.header("Authorization", "Bearer " + tokenFile.current());
        }
        if (push.contentEncoding() != null) {
            request.header("Content-Encoding", push.contentEncoding());
        }
        Call call = http.newCall(request.build());
        // Registered before the cancelled check, and cancelAll() sets the flag before it looks at the calls: one of
        // the two always sees the other, so no push starts after cancelAll() returned.
        calls.add(call);
        try {
            if (cancelled) {
                call.cancel();
            }
            try (Response response = call.execute()) {
                if (tokenFile != null && (response.code() == 401 || response.code() == 403)) {
                    tokenFile.invalidate(); // the token may have been rotated: the retry reads the file again
                }
                return new LokiResponse(response.code(), bodyExcerpt(response),
                        retryAfterMillis(response.header("Retry-After")));
            }
        } finally {
            calls.remove(call);
        }
    }

    /** Loki's {@code GET /ready}: null when ready, else what went wrong. */
    public String checkReady() {
        Request.Builder builder = new Request.Builder().url(readyUrl).headers(readyHeaders).get();
        if (tokenFile != null) {
            builder.header("Authorization", "Bearer " + tokenFile.current());
        }
        Request request = builder.build();
        try (Response response = http.newCall(request).execute()) {
            return response.isSuccessful() ? null
                    : "GET " + readyUrl + " answered " + response.code() + ": " + bodyExcerpt(response).strip();
        } catch (IOException e) {
            return "GET " + readyUrl + " failed: " + e;
        }
    }

    private static String bodyExcerpt(Response response) throws IOException {
        ResponseBody body = response.body();
        if (body == null) {
            return "";
        }
        BufferedSource source = body.source();
        source.request(BODY_LIMIT);
        Buffer buffer = source.getBuffer();
        return buffer.readString(Math.min(buffer.size(), BODY_LIMIT), StandardCharsets.UTF_8);
    }

    /** Retry-After in delay-seconds form (what Loki and proxies send); an HTTP date is ignored. */
    static long retryAfterMillis(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(header.trim())) * 1000L;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Cancels every push under way, and any push started later: each fails at once with an IOException. */
    public void cancelAll() {
        cancelled = true;
        for (Call call : calls) {
            call.cancel();
        }
        http.dispatcher().cancelAll();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /**
     * What the client needs from the connector config.
     *
     * @param bearerTokenFile the file of {@code loki.auth.bearer.token.file}, or empty
     * @param proxyUrl        {@code loki.proxy.url} ({@code http://host:port}), or empty for none
     * @param noProxy         hosts reached without the proxy ({@link NoProxy})
     */
    public record Settings(String pushUrl, String readyUrl, String tenantId, String basicUser, String basicPassword,
                           String bearerToken, Map<String, String> extraHeaders, TlsSettings tls,
                           Duration requestTimeout, int maxConnections, String version, String bearerTokenFile,
                           String proxyUrl, String noProxy) {
    }

    /**
     * Sends requests to {@code proxyUrl}'s host and port, except those to hosts {@code noProxy} names. For https, OkHttp
     * tunnels through the proxy with CONNECT, so TLS still ends at Loki.
     */
    private static ProxySelector proxySelector(String proxyUrl, NoProxy noProxy) {
        URI uri = URI.create(proxyUrl);
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        Proxy proxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI target) {
                int targetPort = target.getPort() > 0 ? target.getPort()
                        : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
                return List.of(noProxy.matches(target.getHost(), targetPort) ? Proxy.NO_PROXY : proxy);
            }

            @Override
            public void connectFailed(URI target, SocketAddress address, IOException e) {
                // OkHttp reports the failure itself; nothing to learn here
            }
        };
    }
}
