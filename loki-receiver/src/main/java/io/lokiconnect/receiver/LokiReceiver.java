package io.lokiconnect.receiver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.lokiconnect.common.loki.LabelNames;
import io.lokiconnect.common.loki.TenantIds;
import io.lokiconnect.common.loki.Utf8;
import io.lokiconnect.receiver.LokiErrors.Refused;
import io.lokiconnect.receiver.PushDecoder.DecodedEntry;
import io.lokiconnect.receiver.PushDecoder.DecodedStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;

/**
 * An HTTP server that speaks Loki's push API and keeps and refuses entries as Loki does, for tests, benchmarks and
 * the local runner. It is as strict as Loki and no kinder:
 *
 * <ul>
 *   <li>{@code POST /loki/api/v1/push} takes snappy protobuf or JSON (gzip too); Loki 3 adds {@code service_name};
 *       labels are parsed and validated as Loki's distributor does; entries too old, too new or too long are
 *       refused in Loki's words ({@link LokiErrors}) while the valid ones are kept; the tenant's ingestion limit
 *       refuses a push whole (429); each stream's rate limit and out-of-order window refuse entries in the
 *       "ingester" ({@link IngesterStream}), and, as in Loki, only the last stream's refusal of a request is told:
 *       the rest is dropped unsaid, and shown by {@link #silentlyDropped()};</li>
 *   <li>duplicates as Loki's ingester has them ({@link IngesterStream}): an entry equal in stream, time and line to the
 *       stream's last entry, or to one still in the stream's head block (256 KiB by default), is dropped
 *       ({@link #duplicatesDiscarded()}); any other copy is stored, and a query shows it twice
 *       ({@link #visibleDuplicates()});</li>
 *   <li>answers in the words of {@link LokiVersion#V3} by default, or of {@link LokiVersion#V2_9};</li>
 *   <li>{@code GET /ready} answers {@code ready}; {@code GET /loki/api/v1/query_range?query={a="b"}} returns the
 *       matching streams in Loki's JSON shape;</li>
 *   <li>answers can be scripted: any status (429 with Retry-After, 500, ...) for the next pushes or for a while,
 *       also for one tenant ({@link #enqueueFor}, {@link #failFor(String, Duration, int)}), and every push can be
 *       slowed ({@link #delayEveryRequest}); faults between the sink and Loki (resets, lost answers, dropped
 *       connections) are the relay's: {@code io.lokiconnect.testkit.relay.FaultRelay};</li>
 *   <li>{@link #multiTenant(boolean)} is Loki's {@code auth_enabled: true}: a push without {@code X-Scope-OrgID} is
 *       refused as Loki refuses it, a tenant Loki refuses too; each tenant's entries are kept apart
 *       ({@link #entriesOfTenant}) and queries see only their tenant's.</li>
 * </ul>
 *
 * <pre>{@code
 * try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
 *     String url = loki.pushUrl();            // http://127.0.0.1:<port>/loki/api/v1/push
 *     loki.enqueue(Answer.status(429).retryAfterSeconds(1));
 *     ... loki.entries() ... loki.visibleDuplicates() ...
 * }
 * }</pre>
 */
public final class LokiReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    // Loki 3 defaults (pkg/validation/limits.go, pkg/ingester/ingester.go), the same in 2.9 but for the line size and
    // the label count (LokiVersion#maxLineBytes, #maxLabelNames).
    public static final int MAX_LINE_BYTES = 256 * 1024;
    public static final int MAX_LABELS = 15;
    public static final int MAX_LABEL_NAME_LENGTH = 1024;
    public static final int MAX_LABEL_VALUE_LENGTH = 2048;
    public static final Duration REJECT_OLDER_THAN = Duration.ofDays(7);
    public static final Duration CREATION_GRACE_PERIOD = Duration.ofMinutes(10);
    public static final Duration MAX_CHUNK_AGE = Duration.ofHours(2);
    public static final int BLOCK_SIZE_BYTES = 256 * 1024;
    public static final int MAX_RETURNED_STREAM_ERRORS = 10;
    /** {@code per_stream_rate_limit}: 3 MB/s ({@code limits.go} {@code defaultPerStreamRateLimit = 3 << 20}). */
    public static final long PER_STREAM_RATE_LIMIT_BYTES = 3L << 20;
    /** {@code per_stream_rate_limit_burst}: 15 MB ({@code defaultPerStreamBurstLimit = 5 * defaultPerStreamRateLimit}). */
    public static final long PER_STREAM_RATE_LIMIT_BURST_BYTES = 5 * PER_STREAM_RATE_LIMIT_BYTES;
    /** {@code ingestion_rate_mb} 4, in bytes ({@code IngestionRateMB * bytesInMB}, {@code bytesInMB = 1048576}). */
    public static final long INGESTION_RATE_BYTES = 4L * 1_048_576;
    /** {@code ingestion_burst_size_mb} 6, in bytes. */
    public static final long INGESTION_BURST_BYTES = 6L * 1_048_576;
    /**
     * {@code discover_service_name}, Loki 3.3+ ({@code limits.go} {@code RegisterFlags}; {@code app_name} since
     * grafana/loki#13660): the first of these labels with a value names the service.
     */
    public static final List<String> DISCOVER_SERVICE_NAME = List.of("service", "app", "application", "app_name",
            "name", "app_kubernetes_io_name", "container", "container_name", "k8s_container_name", "component",
            "workload", "job", "k8s_job_name");
    /** {@code push.go} {@code ServiceUnknown}: the service name of a stream without any listed label. */
    public static final String UNKNOWN_SERVICE = "unknown_service";
    private static final String SERVICE_NAME = "service_name";

    /** A scripted answer, used once, for the next push request. */
    public record Answer(int status, String body, long retryAfterSeconds) {
        public static Answer status(int status) {
            return new Answer(status, status == 429 ? "Ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec)"
                    : "internal server error", -1);
        }

        public Answer retryAfterSeconds(long seconds) {
            return new Answer(status, body, seconds);
        }

        public Answer withBody(String newBody) {
            return new Answer(status, newBody, retryAfterSeconds);
        }
    }

    /** A push the receiver answered with an error: its status and body, so a test that misses entries can say why. */
    public record Refusal(Instant at, int status, String body) {
        @Override
        public String toString() {
            return at + " " + status + " " + body.strip();
        }
    }

    /** What a push request carried and the status it got, for tests of headers. */
    public record RequestInfo(String contentType, String contentEncoding, String tenant, String authorization,
                              Map<String, String> headers, int status) {
    }

    private final HttpServer server;
    private final Optional<Path> jsonLines;
    private BufferedWriter jsonWriter;
    private final Map<String, IngesterStream> streams = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicLong> requestsByStatus = new ConcurrentHashMap<>();
    private final List<RequestInfo> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Refusal> refusedPushes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong visibleDuplicates = new AtomicLong();
    private volatile LokiVersion version = LokiVersion.V3;
    private volatile int blockSizeBytes = BLOCK_SIZE_BYTES;
    private final LongSupplier nanoClock;
    /** The limits of pushes from now on; each setter replaces them whole, so a push sees one consistent set. */
    private volatile Limits limits = new Limits(PER_STREAM_RATE_LIMIT_BYTES, PER_STREAM_RATE_LIMIT_BURST_BYTES,
            INGESTION_RATE_BYTES, INGESTION_BURST_BYTES, null, MAX_CHUNK_AGE.toNanos(), DISCOVER_SERVICE_NAME);
    /** The distributor's per-tenant limiters (dskit {@code limiter.RateLimiter}). */
    private final Map<String, LokiRateLimiter> tenantLimiters = new HashMap<>();
    private final Map<DiscardReason, AtomicLong> discarded = new ConcurrentHashMap<>();
    private final List<DroppedEntry> silentlyDropped = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean multiTenant;

    /** Until when a tenant's pushes are answered with {@code status}. */
    private record TenantFailure(Instant until, int status) {
    }
    private final Map<String, ConcurrentLinkedQueue<Answer>> tenantScripts = new ConcurrentHashMap<>();
    /** Per tenant: until when its pushes are answered with a status, and which. */
    private final Map<String, TenantFailure> tenantFailures = new ConcurrentHashMap<>();
    private volatile Instant failUntil = Instant.MIN;
    private volatile int failStatus = 500;
    private volatile long delayEveryRequestMillis;
    private final String scheme;

    /**
     * The configurable limits: per-stream rate and burst, tenant ingestion rate and burst, {@code shard_streams}
     * (null: the version's default), {@code max_chunk_age}, {@code discover_service_name}.
     */
    private record Limits(long streamRate, long streamBurst, long ingestionRate, long ingestionBurst,
                          Boolean shardStreams, long maxChunkAgeNanos, List<String> discoverServiceName) {
    }

    private LokiReceiver(HttpServer server, Optional<Path> jsonLines, String scheme, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.server = server;
        this.jsonLines = jsonLines;
        this.scheme = scheme;
        server.createContext("/loki/api/v1/push", this::push);
        server.createContext("/ready", ex -> respond(ex, 200, "ready"));
        server.createContext("/loki/api/v1/query_range", this::query);
        server.createContext("/loki/api/v1/query", this::query);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "loki-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /**
     * Starts a plain-HTTP receiver; {@code port} 0 picks a free port. When {@code jsonLinesFile} is given,
     * every accepted entry is also appended to it as one JSON object per line.
     */
    public static LokiReceiver start(String host, int port, Optional<Path> jsonLinesFile) throws IOException {
        return start(host, port, jsonLinesFile, System::nanoTime);
    }

    /**
     * As {@link #start(String, int, Optional)}, with the monotonic clock (nanoseconds) the rate limiters refill by;
     * a test that drives it sees exact refills. Entry times (too old, too new) still come from the wall clock.
     */
    public static LokiReceiver start(String host, int port, Optional<Path> jsonLinesFile, LongSupplier nanoClock)
            throws IOException {
        return new LokiReceiver(HttpServer.create(new InetSocketAddress(host, port), 0), jsonLinesFile, "http",
                nanoClock);
    }

    /** Starts an HTTPS receiver with the given server context (e.g. a self-signed certificate). */
    public static LokiReceiver startHttps(String host, int port, SSLContext sslContext) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(sslContext));
        return new LokiReceiver(server, Optional.empty(), "https", System::nanoTime);
    }

    public String baseUrl() {
        return scheme + "://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public String pushUrl() {
        return baseUrl() + "/loki/api/v1/push";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void enqueue(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** Every push until {@code duration} from now gets {@code status} (500 for a Loki outage). */
    public void failFor(Duration duration, int status) {
        failStatus = status;
        failUntil = Instant.now().plus(duration);
    }

    /**
     * Loki's {@code auth_enabled: true} (false by default): a push or query without {@code X-Scope-OrgID} gets
     * dskit's {@code middleware.AuthenticateUser} answer, 401 "no org id"; a tenant ID Loki refuses gets the
     * distributor's 400 ({@code tenant.TenantID}), and a query sees only its tenant's streams. Without it, the header
     * is not checked: a push is kept under its header's tenant, or "fake" without one (Loki's single-tenant mode
     * stores every push as "fake"), and a query sees every tenant's streams.
     */
    public void multiTenant(boolean enabled) {
        multiTenant = enabled;
    }

    /** Scripted answers, each used once, for the next pushes of {@code tenant} (others are not affected). */
    public void enqueueFor(String tenant, Answer... answers) {
        tenantScripts.computeIfAbsent(tenant, t -> new ConcurrentLinkedQueue<>()).addAll(List.of(answers));
    }

    /**
     * Every push of {@code tenant} until {@code duration} from now gets {@code status}; 429 in Loki's words for the
     * tenant's ingestion limit ({@code RateLimitedErrorMsg}), other tenants' pushes are not affected.
     */
    public void failFor(String tenant, Duration duration, int status) {
        tenantFailures.put(tenant, new TenantFailure(Instant.now().plus(duration), status));
    }

    /** Every push waits this long before it is processed (a slow Loki). */
    public void delayEveryRequest(Duration delay) {
        delayEveryRequestMillis = delay.toMillis();
    }

    /** Answers in the words of this Loki version from now on ({@link LokiVersion#V3} by default). */
    public void lokiVersion(LokiVersion lokiVersion) {
        version = lokiVersion;
    }

    /**
     * The head block size ({@code chunk_block_size}, 256 KiB by default): identical entries are dropped only
     * while the first one is in the stream's head block, so a smaller block lets a test see duplicates sooner.
     */
    public void headBlockBytes(int bytes) {
        blockSizeBytes = bytes;
    }

    /**
     * The ingester's per-stream rate limit ({@code per_stream_rate_limit}, 3 MB/s, and
     * {@code per_stream_rate_limit_burst}, 15 MB, by default), in bytes as {@link LokiVersion} counts them;
     * {@link LokiRateLimiter#UNLIMITED} as the rate lifts it. Streams get a new, full bucket, as Loki's do when their
     * limits change.
     */
    public synchronized void perStreamRateLimit(long bytesPerSecond, long burstBytes) {
        new LokiRateLimiter(bytesPerSecond, burstBytes); // refuses a bad pair here, not in the next push
        Limits l = limits;
        limits = new Limits(bytesPerSecond, burstBytes, l.ingestionRate(), l.ingestionBurst(), l.shardStreams(),
                l.maxChunkAgeNanos(), l.discoverServiceName());
    }

    /**
     * The distributor's tenant ingestion limit ({@code ingestion_rate_mb}, 4 MB/s, and {@code ingestion_burst_size_mb},
     * 6 MB, by default), in bytes; a push whose valid entries weigh more than the burst is refused every time;
     * {@link LokiRateLimiter#UNLIMITED} as the rate lifts it. Tenants get a new, full bucket.
     */
    public synchronized void ingestionRateLimit(long bytesPerSecond, long burstBytes) {
        new LokiRateLimiter(bytesPerSecond, burstBytes);
        Limits l = limits;
        limits = new Limits(l.streamRate(), l.streamBurst(), bytesPerSecond, burstBytes, l.shardStreams(),
                l.maxChunkAgeNanos(), l.discoverServiceName());
    }

    /**
     * Loki's {@code shard_streams.enabled} (off in 2.9, on in 3.x, the default here follows {@link #lokiVersion}):
     * when on, the per-stream rate limit takes or refuses a stream's part of a push whole. The sharding itself (the
     * distributor splitting a stream that stays above {@code desired_rate} into {@code __stream_shard__} streams,
     * from rates it learns a while later) is not modelled: the receiver behaves as Loki before it shards.
     */
    public synchronized void shardStreams(boolean enabled) {
        Limits l = limits;
        limits = new Limits(l.streamRate(), l.streamBurst(), l.ingestionRate(), l.ingestionBurst(), enabled,
                l.maxChunkAgeNanos(), l.discoverServiceName());
    }

    /**
     * Loki 3's {@code discover_service_name} ({@link #DISCOVER_SERVICE_NAME} by default); an empty list adds no
     * {@code service_name}. Loki 2.9 never adds one.
     */
    public synchronized void discoverServiceName(List<String> labelNames) {
        Limits l = limits;
        limits = new Limits(l.streamRate(), l.streamBurst(), l.ingestionRate(), l.ingestionBurst(), l.shardStreams(),
                l.maxChunkAgeNanos(), List.copyOf(labelNames));
    }

    /** Every stored entry, per stream in arrival order; an entry stored twice is here twice. */
    public List<ReceivedEntry> entries() {
        List<ReceivedEntry> all = new ArrayList<>();
        streams.values().forEach(stream -> {
            synchronized (stream) {
                all.addAll(stream.entries());
            }
        });
        return all;
    }

    /** Every stored entry of {@code tenant} ("fake" for pushes without a tenant in single-tenant mode). */
    public List<ReceivedEntry> entriesOfTenant(String tenant) {
        List<ReceivedEntry> all = new ArrayList<>();
        streams.values().forEach(stream -> {
            synchronized (stream) {
                if (stream.tenant().equals(tenant)) {
                    all.addAll(stream.entries());
                }
            }
        });
        return all;
    }

    /** The tenants with a stream in the ingester, including a stream whose entries were all refused. */
    public java.util.Set<String> tenants() {
        java.util.Set<String> tenants = new java.util.TreeSet<>();
        streams.values().forEach(stream -> tenants.add(stream.tenant()));
        return tenants;
    }

    /** Entries of streams whose label {@code name} is {@code value}. */
    public List<ReceivedEntry> entriesWithLabel(String name, String value) {
        return entries().stream().filter(e -> value.equals(e.labels().get(name))).toList();
    }

    public long acceptedEntries() {
        return accepted.get();
    }

    /** Entries dropped as Loki drops them: equal to the stream's last entry, or to one still in its head block. */
    public long duplicatesDiscarded() {
        return duplicates.get();
    }

    /**
     * Entries stored although an entry equal in stream, time and line was stored before: the duplicates a Loki
     * query shows (each extra copy counts once).
     */
    public long visibleDuplicates() {
        return visibleDuplicates.get();
    }

    /**
     * Entries refused (not stored) for {@code reason}, told or not: Loki's {@code loki_discarded_samples_total}.
     */
    public long discarded(DiscardReason reason) {
        AtomicLong n = discarded.get(reason);
        return n == null ? 0 : n.get();
    }

    /**
     * Entries refused while the answer did not say so, in order: Loki's {@code instance.Push} answers only the last
     * stream's error, so another stream's refusals (rate limited, too far behind) vanish behind a 204 or behind the
     * last stream's 400/429; and when the ingester answers, the distributor's own refusals go untold too. An entry is
     * told when the answer lists it (or counts it in the "total ignored" of its stream) or refuses the whole push
     * (the tenant's 429). What Loki's HTTP answer hides, this shows.
     */
    public List<DroppedEntry> silentlyDropped() {
        synchronized (silentlyDropped) {
            return List.copyOf(silentlyDropped);
        }
    }

    /** How many entries were dropped silently for {@code reason} ({@link #silentlyDropped()}). */
    public long silentlyDropped(DiscardReason reason) {
        synchronized (silentlyDropped) {
            return silentlyDropped.stream().filter(d -> d.reason() == reason).count();
        }
    }

    public long requests(int status) {
        AtomicLong n = requestsByStatus.get(status);
        return n == null ? 0 : n.get();
    }

    public List<RequestInfo> requestInfos() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Every push answered with a status other than 2xx, in order, with the body the receiver answered. */
    public List<Refusal> refusals() {
        synchronized (refusedPushes) {
            return List.copyOf(refusedPushes);
        }
    }

    private void push(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "only POST");
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            Answer answer = script.poll();
            if (delayEveryRequestMillis > 0) {
                sleep(delayEveryRequestMillis);
            }
            if (answer != null && answer.status() != 204) {
                if (answer.retryAfterSeconds() >= 0) {
                    exchange.getResponseHeaders().set("Retry-After", Long.toString(answer.retryAfterSeconds()));
                }
                respond(exchange, answer.status(), answer.body());
                return;
            }
            if (Instant.now().isBefore(failUntil)) {
                respond(exchange, failStatus, failStatus == 429 ? "Ingestion rate limit exceeded" : "internal server error");
                return;
            }
            Headers h = exchange.getRequestHeaders();
            String tenant = h.getFirst("X-Scope-OrgID");
            if (multiTenant && !authenticated(exchange, tenant)) {
                return;
            }
            tenant = tenant == null || tenant.isEmpty() ? "fake" : tenant;
            Queue<Answer> tenantScript = tenantScripts.get(tenant);
            Answer tenantAnswer = tenantScript == null ? null : tenantScript.poll();
            if (tenantAnswer != null && tenantAnswer.status() != 204) {
                if (tenantAnswer.retryAfterSeconds() >= 0) {
                    exchange.getResponseHeaders().set("Retry-After", Long.toString(tenantAnswer.retryAfterSeconds()));
                }
                respond(exchange, tenantAnswer.status(), tenantAnswer.body());
                return;
            }
            List<DecodedStream> decoded;
            try {
                decoded = PushDecoder.decode(h.getFirst("Content-Type"), h.getFirst("Content-Encoding"), body);
            } catch (IOException | RuntimeException e) {
                respondLokiError(exchange, 400, "failed to parse push request: " + e.getMessage());
                return;
            }
            TenantFailure failure = tenantFailures.get(tenant);
            if (failure != null && Instant.now().isBefore(failure.until())) {
                long lines = 0;
                long bytes = 0;
                for (DecodedStream stream : decoded) {
                    for (DecodedEntry entry : stream.entries()) {
                        lines++;
                        bytes += Utf8.encodedLength(entry.line());
                    }
                }
                respondLokiError(exchange, failure.status(), failure.status() == 429
                        ? LokiErrors.ingestionRateLimited(tenant, limits.ingestionRate(), lines, bytes)
                        : "internal server error");
                return;
            }
            ingest(exchange, decoded, tenant);
        }
    }

    /** A distributor refusal: the stream's text, the entry and why (its message is kept apart, for the 400). */
    private record Rejection(String stream, DecodedEntry entry, DiscardReason reason) {
    }

    /** A stream on its way to the ingester: its labels, Loki's text of them, the entries the distributor let through. */
    private record ToIngester(Map<String, String> labels, String text, List<DecodedEntry> entries) {
    }

    /**
     * Loki's distributor ({@code distributor.go} {@code Push}), then its ingester ({@code instance.go} {@code Push}),
     * 2.9 and 3.x alike unless noted:
     *
     * <ol>
     *   <li>Loki 3 answers a push without streams with 422 ({@code MissingStreamsErrorMsg}); streams without entries
     *       are skipped;</li>
     *   <li>Loki 3 adds {@code service_name} to each stream first ({@code push.go} {@code ParseLokiRequest});</li>
     *   <li>streams whose labels are invalid are refused whole; entries too old, too new or too long are refused each
     *       (one message each, grouped into the 400 by {@code util.GroupedErrors});</li>
     *   <li>nothing valid left: the 400, or 204;</li>
     *   <li>the tenant's limiter is charged the valid entries' bytes; if it refuses, the whole push is refused with
     *       429 ({@code RateLimitedErrorMsg}) and nothing is stored;</li>
     *   <li>each stream goes to the ingester in order ({@link IngesterStream}), and each stream's result replaces the
     *       one before ({@code _, appendErr = s.Push(...)}): a later stream that is fine clears an earlier one's
     *       error. Loki 3 sends no stream the distributor emptied; 2.9 sends it, empty, and it clears the error
     *       too;</li>
     *   <li>the answer: the last stream's error (400 or 429, {@code errorForFailedEntries}) if it has one, which
     *       hides the distributor's 400 as well; else the distributor's 400; else 204.</li>
     * </ol>
     *
     * Every refused entry is counted ({@link #discarded}); those the answer does not tell of are kept in
     * {@link #silentlyDropped()}.
     */
    private void ingest(HttpExchange exchange, List<DecodedStream> decoded, String tenant) throws IOException {
        LokiVersion version = this.version;
        Limits limits = this.limits;
        if (decoded.isEmpty() && version == LokiVersion.V3) {
            respondLokiError(exchange, 422, LokiErrors.missingStreams());
            return;
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        long nowNanos = nanoClock.getAsLong();
        long oldest = now - REJECT_OLDER_THAN.toNanos();
        long newest = now + CREATION_GRACE_PERIOD.toNanos();
        List<String> messages = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        List<ToIngester> toIngester = new ArrayList<>();
        long validatedBytes = 0;
        long validatedLines = 0;
        for (DecodedStream stream : decoded) {
            if (stream.entries().isEmpty()) {
                continue;
            }
            Map<String, String> labels;
            LabelError error;
            String text;
            try {
                labels = dropEmptyValues(stream.labels() != null ? stream.labels()
                        : LabelSelector.parse(stream.labelsText()));
                if (version.discoversServiceName()) {
                    labels = withServiceName(labels, limits.discoverServiceName());
                }
                text = GoText.labels(labels);
                error = labelError(labels, text, version);
            } catch (IllegalArgumentException e) {
                labels = null;
                text = stream.labels() != null ? GoText.labels(stream.labels()) : stream.labelsText();
                error = new LabelError(DiscardReason.INVALID_LABELS, LokiErrors.invalidLabels(text, e.getMessage()));
            }
            if (error != null) {
                messages.add(error.message());
                for (DecodedEntry entry : stream.entries()) {
                    rejected.add(new Rejection(text, entry, error.reason()));
                }
                continue;
            }
            List<DecodedEntry> valid = new ArrayList<>();
            for (DecodedEntry entry : stream.entries()) {
                int length = Utf8.encodedLength(entry.line());
                if (entry.timestampNanos() < oldest) {
                    messages.add(LokiErrors.tooOld(text, entry.timestampNanos(), oldest));
                    rejected.add(new Rejection(text, entry, DiscardReason.GREATER_THAN_MAX_SAMPLE_AGE));
                } else if (entry.timestampNanos() > newest) {
                    messages.add(LokiErrors.tooNew(text, entry.timestampNanos()));
                    rejected.add(new Rejection(text, entry, DiscardReason.TOO_FAR_IN_FUTURE));
                } else if (version.maxLineBytes() > 0 && length > version.maxLineBytes()) {
                    messages.add(LokiErrors.lineTooLong(version.maxLineBytes(), text, length));
                    rejected.add(new Rejection(text, entry, DiscardReason.LINE_TOO_LONG));
                } else {
                    valid.add(entry);
                    validatedBytes += version.entryBytes(entry.line(), entry.metadata());
                    validatedLines++;
                }
            }
            if (valid.isEmpty() && version == LokiVersion.V3) {
                continue;
            }
            toIngester.add(new ToIngester(labels, text, valid));
        }
        if (toIngester.isEmpty()) {
            // Nothing reaches the ingester: the distributor's refusals are the answer, all of them told.
            rejected.forEach(r -> count(r.reason()));
            if (messages.isEmpty()) {
                respond(exchange, 204, "");
            } else {
                respondLokiError(exchange, 400, LokiErrors.distributorRefusal(messages));
            }
            return;
        }
        LokiRateLimiter tenantLimiter = tenantLimiter(tenant, limits);
        boolean allowed;
        synchronized (tenantLimiter) {
            allowed = tenantLimiter.allowN(nowNanos, validatedBytes);
        }
        if (!allowed) {
            // The whole push is refused, and a client sends it again: nothing in it is lost without a word.
            rejected.forEach(r -> count(r.reason()));
            discarded.computeIfAbsent(DiscardReason.RATE_LIMITED, r -> new AtomicLong()).addAndGet(validatedLines);
            respondLokiError(exchange, 429, LokiErrors.ingestionRateLimited(tenant, tenantLimiter.ratePerSecond(),
                    validatedLines, validatedBytes));
            return;
        }
        IngesterStream.Limits streamLimits = new IngesterStream.Limits(limits.streamRate(), limits.streamBurst(),
                limits.shardStreams() != null ? limits.shardStreams() : version.shardStreamsByDefault(),
                limits.maxChunkAgeNanos(), blockSizeBytes);
        List<DroppedEntry> refusedByIngester = new ArrayList<>();
        IngesterStream.Outcome answered = null;
        String answeredStream = null;
        for (ToIngester stream : toIngester) {
            if (stream.entries().isEmpty()) {
                answered = null; // Loki 2.9: an empty stream's Push returns nil, and nil replaces the error before
                continue;
            }
            String finalTenant = tenant;
            IngesterStream target = streams.computeIfAbsent(tenant + "\n" + stream.text(),
                    k -> new IngesterStream(stream.labels(), finalTenant));
            IngesterStream.Outcome outcome;
            synchronized (target) {
                outcome = target.push(stream.entries(), version, streamLimits, nowNanos, MAX_RETURNED_STREAM_ERRORS);
            }
            accepted.addAndGet(outcome.stored().size());
            duplicates.addAndGet(outcome.droppedAsDuplicates());
            visibleDuplicates.addAndGet(outcome.visibleDuplicates());
            jsonLines.ifPresent(file -> outcome.stored().forEach(e -> appendJsonLine(file, e)));
            for (Refused r : outcome.refused()) {
                refusedByIngester.add(new DroppedEntry(stream.text(), r.timestampNanos(), r.line(), r.why()));
            }
            for (Refused r : outcome.refusedUnlisted()) {
                refusedByIngester.add(new DroppedEntry(stream.text(), r.timestampNanos(), r.line(), r.why()));
            }
            answered = outcome.status() == 0 ? null : outcome;
            answeredStream = stream.text();
        }
        flushJsonLines();
        refusedByIngester.forEach(d -> count(d.reason()));
        rejected.forEach(r -> count(r.reason()));
        if (answered != null) {
            // The last stream's listed refusals are told; every other refusal, the distributor's included, is not.
            List<DroppedEntry> told = new ArrayList<>();
            for (Refused r : answered.refused()) {
                told.add(new DroppedEntry(answeredStream, r.timestampNanos(), r.line(), r.why()));
            }
            List<DroppedEntry> untold = new ArrayList<>(refusedByIngester);
            told.forEach(untold::remove);
            rejected.forEach(r -> untold.add(new DroppedEntry(r.stream(), r.entry().timestampNanos(),
                    r.entry().line(), r.reason())));
            silentlyDropped.addAll(untold);
            respondLokiError(exchange, answered.status(), answered.error());
            return;
        }
        silentlyDropped.addAll(refusedByIngester);
        if (!messages.isEmpty()) {
            respondLokiError(exchange, 400, LokiErrors.distributorRefusal(messages));
        } else {
            respond(exchange, 204, "");
        }
    }

    private void count(DiscardReason reason) {
        discarded.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    /** The tenant's limiter; a new, full one when the limits changed (dskit keeps one per tenant). */
    private LokiRateLimiter tenantLimiter(String tenant, Limits limits) {
        synchronized (tenantLimiters) {
            LokiRateLimiter limiter = tenantLimiters.get(tenant);
            if (limiter == null || limiter.ratePerSecond() != limits.ingestionRate()
                    || limiter.burst() != limits.ingestionBurst()) {
                limiter = new LokiRateLimiter(limits.ingestionRate(), limits.ingestionBurst());
                tenantLimiters.put(tenant, limiter);
            }
            return limiter;
        }
    }

    /**
     * Loki 3 {@code push.go} {@code ParseLokiRequest}: a stream without {@code service_name} gets one, the value of
     * the first label of {@code discover_service_name} that has one, else {@link #UNKNOWN_SERVICE}; an empty list
     * adds nothing. It runs before validation, so a stream with no label at all is stored as
     * {@code {service_name="unknown_service"}}.
     */
    private static Map<String, String> withServiceName(Map<String, String> labels, List<String> discover) {
        if (labels.containsKey(SERVICE_NAME) || discover.isEmpty()) {
            return labels;
        }
        String serviceName = UNKNOWN_SERVICE;
        for (String name : discover) {
            String value = labels.get(name);
            if (value != null && !value.isEmpty()) {
                serviceName = value;
                break;
            }
        }
        Map<String, String> with = new LinkedHashMap<>(labels);
        with.put(SERVICE_NAME, serviceName);
        return with;
    }

    /**
     * Loki drops labels with an empty value (Prometheus' label builder); a stream left without any is refused, unless
     * Loki 3 then gives it a {@code service_name}.
     */
    private static Map<String, String> dropEmptyValues(Map<String, String> labels) {
        Map<String, String> kept = new LinkedHashMap<>();
        labels.forEach((name, value) -> {
            if (!value.isEmpty()) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /** A label refusal: Loki's reason and message. */
    private record LabelError(DiscardReason reason, String message) {
    }

    /** The distributor's {@code ValidateLabels}: Loki's reason and message, or null when the labels are fine. */
    private static LabelError labelError(Map<String, String> labels, String text, LokiVersion version) {
        if (labels.isEmpty()) {
            return new LabelError(DiscardReason.MISSING_LABELS, LokiErrors.missingLabels());
        }
        // Loki 3 adds service_name itself, so it never counts against the limit, even when the client sent it
        // (distributor/validator.go, 3.x only).
        int count = labels.size() - (version == LokiVersion.V3 && labels.containsKey(SERVICE_NAME) ? 1 : 0);
        if (count > version.maxLabelNames()) {
            return new LabelError(DiscardReason.MAX_LABEL_NAMES_PER_SERIES,
                    LokiErrors.tooManyLabels(text, count, version.maxLabelNames()));
        }
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            if (!LabelNames.matchesPattern(label.getKey())) {
                return new LabelError(DiscardReason.INVALID_LABELS, LokiErrors.invalidLabels(text,
                        "1:2: parse error: unexpected character inside braces: '"
                                + firstInvalidNameChar(label.getKey()) + "'"));
            }
            if (Utf8.encodedLength(label.getKey()) > MAX_LABEL_NAME_LENGTH) {
                return new LabelError(DiscardReason.LABEL_NAME_TOO_LONG,
                        LokiErrors.labelNameTooLong(text, label.getKey()));
            }
            if (Utf8.encodedLength(label.getValue()) > MAX_LABEL_VALUE_LENGTH) {
                return new LabelError(DiscardReason.LABEL_VALUE_TOO_LONG,
                        LokiErrors.labelValueTooLong(text, label.getValue()));
            }
        }
        return null;
    }

    /** The first character of an invalid {@code name} that breaks the pattern ({@code =} for the empty name). */
    private static char firstInvalidNameChar(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // One character at a time: as the first one, or after a valid first one.
            if (!LabelNames.matchesPattern(i == 0 ? String.valueOf(c) : "a" + c)) {
                return c;
            }
        }
        return '=';
    }

    /** Loki answers errors with Go's {@code http.Error}: plain text, one trailing newline. */
    private void respondLokiError(HttpExchange exchange, int status, String message) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        respond(exchange, status, message + "\n");
    }

    /** Writes one JSON line; the file stays open and is flushed once per request (see {@link #flushJsonLines}). */
    private synchronized void appendJsonLine(Path file, ReceivedEntry entry) {
        ObjectNode node = JSON.createObjectNode();
        node.set("labels", JSON.valueToTree(new TreeMap<>(entry.labels())));
        node.put("timestamp_ns", Long.toString(entry.timestampNanos()));
        node.put("line", entry.line());
        if (!entry.metadata().isEmpty()) {
            node.set("structured_metadata", JSON.valueToTree(entry.metadata()));
        }
        try {
            if (jsonWriter == null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                jsonWriter = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            jsonWriter.write(JSON.writeValueAsString(node));
            jsonWriter.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void flushJsonLines() throws IOException {
        if (jsonWriter != null) {
            jsonWriter.flush();
        }
    }

    /**
     * Loki with {@code auth_enabled: true}: dskit's {@code middleware.AuthenticateUser} answers a request without
     * {@code X-Scope-OrgID} (absent or empty: {@code user.ExtractOrgIDFromHTTPRequest}) with
     * {@code http.Error(w, "no org id", 401)}; the distributor's push handler answers a tenant ID that
     * {@code tenant.TenantID} refuses with 400 and the error's text (dskit, Loki 2.9 and 3.x). False when answered.
     */
    private boolean authenticated(HttpExchange exchange, String tenant) throws IOException {
        if (tenant == null || tenant.isEmpty()) {
            respondLokiError(exchange, 401, "no org id");
            return false;
        }
        String problem = TenantIds.problem(tenant);
        if (problem != null) {
            respondLokiError(exchange, 400, problem);
            return false;
        }
        return true;
    }

    private void query(HttpExchange exchange) throws IOException {
        try (exchange) {
            String queryTenant = exchange.getRequestHeaders().getFirst("X-Scope-OrgID");
            if (multiTenant && !authenticated(exchange, queryTenant)) {
                return;
            }
            String query = "";
            String raw = exchange.getRequestURI().getRawQuery();
            if (raw != null) {
                for (String param : raw.split("&")) {
                    if (param.startsWith("query=")) {
                        query = URLDecoder.decode(param.substring(6), StandardCharsets.UTF_8);
                    }
                }
            }
            Map<String, String> selector;
            try {
                selector = query.isBlank() ? Map.of() : LabelSelector.parse(query);
            } catch (IllegalArgumentException e) {
                respond(exchange, 400, e.getMessage());
                return;
            }
            ObjectNode root = JSON.createObjectNode().put("status", "success");
            ObjectNode data = root.putObject("data").put("resultType", "streams");
            ArrayNode result = data.putArray("result");
            streams.forEach((key, ingesterStream) -> {
                List<ReceivedEntry> copy;
                synchronized (ingesterStream) {
                    copy = ingesterStream.entries();
                }
                if (copy.isEmpty() || !copy.get(0).labels().entrySet().containsAll(selector.entrySet())
                        || (multiTenant && !ingesterStream.tenant().equals(queryTenant))) {
                    return;
                }
                ObjectNode stream = result.addObject();
                stream.set("stream", JSON.valueToTree(new LinkedHashMap<>(copy.get(0).labels())));
                ArrayNode values = stream.putArray("values");
                copy.stream().sorted((a, b) -> Long.compare(b.timestampNanos(), a.timestampNanos()))
                        .forEach(e -> values.addArray().add(Long.toString(e.timestampNanos())).add(e.line()));
            });
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            respond(exchange, 200, JSON.writeValueAsString(root));
        }
    }

    private void record(HttpExchange exchange, int status) {
        requestsByStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        Headers h = exchange.getRequestHeaders();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.forEach((k, v) -> headers.put(k, String.join(",", v)));
        requests.add(new RequestInfo(h.getFirst("Content-Type"), h.getFirst("Content-Encoding"),
                h.getFirst("X-Scope-OrgID"), h.getFirst("Authorization"), headers, status));
    }

    private void respond(HttpExchange exchange, int status, String body) throws IOException {
        if (exchange.getRequestURI().getPath().endsWith("/push")) {
            record(exchange, status);
            if (status / 100 != 2) {
                refusedPushes.add(new Refusal(Instant.now(), status, body));
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (status == 204 || bytes.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        synchronized (this) {
            if (jsonWriter != null) {
                try {
                    jsonWriter.close();
                } catch (IOException ignored) {
                    // the entries were flushed per request
                }
                jsonWriter = null;
            }
        }
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
