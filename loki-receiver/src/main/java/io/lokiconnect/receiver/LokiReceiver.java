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
import io.lokiconnect.common.loki.Utf8;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * An HTTP server that speaks Loki's push API and keeps and refuses entries as Loki does, for tests, benchmarks and
 * the local runner. It is as strict as Loki and no kinder:
 *
 * <ul>
 *   <li>{@code POST /loki/api/v1/push} takes snappy protobuf or JSON (gzip too); labels are parsed and validated as
 *       Loki's distributor does; entries too old, too new or too long are refused in Loki's words
 *       ({@link LokiErrors}) while the valid ones are kept; entries too far behind their stream's newest are refused
 *       by the "ingester" with its body, and, as in Loki, only the last stream's refusal of a request is told;</li>
 *   <li>duplicates as Loki's ingester has them ({@link IngesterStream}): an entry equal in stream, time and line to the
 *       stream's last entry, or to one still in the stream's head block (256 KiB of lines by default), is dropped
 *       ({@link #duplicatesDiscarded()}); any other copy is stored, and a query shows it twice
 *       ({@link #visibleDuplicates()});</li>
 *   <li>answers in the words of {@link LokiVersion#V3} by default, or of {@link LokiVersion#V2_9};</li>
 *   <li>{@code GET /ready} answers {@code ready}; {@code GET /loki/api/v1/query_range?query={a="b"}} returns the
 *       matching streams in Loki's JSON shape;</li>
 *   <li>answers can be scripted: 429 with Retry-After, 500, slow responses, dropped connections (faults between the
 *       sink and Loki are the relay's: {@code io.lokiconnect.testkit.relay.FaultRelay}).</li>
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

    /** Loki 3 defaults ({@code pkg/validation/limits.go}, {@code pkg/ingester/ingester.go}). */
    public static final int MAX_LINE_BYTES = 256 * 1024;
    public static final int MAX_LABELS = 15;
    public static final int MAX_LABEL_NAME_LENGTH = 1024;
    public static final int MAX_LABEL_VALUE_LENGTH = 2048;
    public static final Duration REJECT_OLDER_THAN = Duration.ofDays(7);
    public static final Duration CREATION_GRACE_PERIOD = Duration.ofMinutes(10);
    public static final Duration MAX_CHUNK_AGE = Duration.ofHours(2);
    public static final int BLOCK_SIZE_BYTES = 256 * 1024;
    public static final int MAX_RETURNED_STREAM_ERRORS = 10;

    /** A scripted answer, used once, for the next push request. */
    public record Answer(int status, String body, long retryAfterSeconds, long delayMillis, boolean drop) {
        public static Answer status(int status) {
            return new Answer(status, status == 429 ? "Ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec)"
                    : "internal server error", -1, 0, false);
        }

        public static Answer dropConnection() {
            return new Answer(0, "", -1, 0, true);
        }

        /** Process the push normally, but only after this delay. */
        public static Answer slow(Duration delay) {
            return new Answer(204, "", -1, delay.toMillis(), false);
        }

        public Answer retryAfterSeconds(long seconds) {
            return new Answer(status, body, seconds, delayMillis, drop);
        }

        public Answer withBody(String newBody) {
            return new Answer(status, newBody, retryAfterSeconds, delayMillis, drop);
        }
    }

    /** A push the receiver answered with an error: its status and body, so a test that misses entries can say why. */
    public record Refusal(Instant at, int status, String body) {
        @Override
        public String toString() {
            return at + " " + status + " " + body.strip();
        }
    }

    /** What a request carried, for tests of headers. */
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
    private volatile Instant failUntil = Instant.MIN;
    private volatile int failStatus = 500;
    private volatile long delayEveryRequestMillis;
    private final String scheme;

    private LokiReceiver(HttpServer server, Optional<Path> jsonLines, String scheme) {
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
        return new LokiReceiver(HttpServer.create(new InetSocketAddress(host, port), 0), jsonLinesFile, "http");
    }

    /** Starts an HTTPS receiver with the given server context (e.g. a self-signed certificate). */
    public static LokiReceiver startHttps(String host, int port, SSLContext sslContext) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(sslContext));
        return new LokiReceiver(server, Optional.empty(), "https");
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

    /** Every push waits this long before it is processed (a slow Loki). */
    public void delayEveryRequest(Duration delay) {
        delayEveryRequestMillis = delay.toMillis();
    }

    /** Answers in the words of this Loki version from now on ({@link LokiVersion#V3} by default). */
    public void lokiVersion(LokiVersion lokiVersion) {
        version = lokiVersion;
    }

    /**
     * The head block size ({@code ingester.chunk-block-size}, 256 KiB by default): identical entries are dropped only
     * while the first one is in the stream's head block, so a smaller block lets a test see duplicates sooner.
     */
    public void headBlockBytes(int bytes) {
        blockSizeBytes = bytes;
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

    public long requests(int status) {
        AtomicLong n = requestsByStatus.get(status);
        return n == null ? 0 : n.get();
    }

    public List<RequestInfo> requestInfos() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Every push answered with a status other than 2xx (0: dropped without an answer), in order, with the body the receiver answered. */
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
            long delay = delayEveryRequestMillis + (answer == null ? 0 : answer.delayMillis());
            if (delay > 0) {
                sleep(delay);
            }
            if (answer != null && answer.drop()) {
                record(exchange, 0);
                refusedPushes.add(new Refusal(Instant.now(), 0, "connection dropped without an answer (scripted)"));
                // Closing without a response: the client sees the connection end mid-request.
                return;
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
            List<DecodedStream> decoded;
            try {
                decoded = PushDecoder.decode(h.getFirst("Content-Type"), h.getFirst("Content-Encoding"), body);
            } catch (IOException | RuntimeException e) {
                respondLokiError(exchange, 400, "failed to parse push request: " + e.getMessage());
                return;
            }
            ingest(exchange, decoded);
        }
    }

    /**
     * Loki's distributor, then its ingester: streams whose labels are invalid are refused whole; entries too old, too
     * new or too long are refused each; the rest goes to the streams ({@link IngesterStream}). The answer: the
     * ingester's refusal of the request's last stream if it has one (Loki's {@code instance.Push} returns only the
     * last stream's error), else the distributor's refusals (400), else 204.
     */
    private void ingest(HttpExchange exchange, List<DecodedStream> decoded) throws IOException {
        if (decoded.isEmpty() && version == LokiVersion.V3) {
            respondLokiError(exchange, 422, LokiErrors.missingStreams());
            return;
        }
        String tenant = exchange.getRequestHeaders().getFirst("X-Scope-OrgID");
        tenant = tenant == null || tenant.isEmpty() ? "fake" : tenant;
        long now = System.currentTimeMillis() * 1_000_000L;
        long oldest = now - REJECT_OLDER_THAN.toNanos();
        long newest = now + CREATION_GRACE_PERIOD.toNanos();
        List<String> refusals = new ArrayList<>();
        String ingesterError = null;
        for (DecodedStream stream : decoded) {
            if (stream.entries().isEmpty()) {
                continue;
            }
            Map<String, String> labels;
            String error;
            try {
                labels = dropEmptyValues(stream.labels() != null ? stream.labels()
                        : LabelSelector.parse(stream.labelsText()));
                error = labelError(labels);
            } catch (IllegalArgumentException e) {
                labels = null;
                error = LokiErrors.invalidLabels(stream.labels() != null ? GoText.labels(stream.labels())
                        : stream.labelsText(), e.getMessage());
            }
            if (error != null) {
                refusals.add(error);
                continue;
            }
            String key = GoText.labels(labels);
            List<DecodedEntry> valid = new ArrayList<>();
            for (DecodedEntry entry : stream.entries()) {
                int length = Utf8.encodedLength(entry.line());
                if (entry.timestampNanos() < oldest) {
                    refusals.add(LokiErrors.tooOld(key, entry.timestampNanos(), oldest));
                } else if (entry.timestampNanos() > newest) {
                    refusals.add(LokiErrors.tooNew(key, entry.timestampNanos()));
                } else if (length > MAX_LINE_BYTES) {
                    refusals.add(LokiErrors.lineTooLong(MAX_LINE_BYTES, key, length));
                } else {
                    valid.add(entry);
                }
            }
            if (valid.isEmpty()) {
                continue;
            }
            Map<String, String> streamLabels = labels;
            IngesterStream target = streams.computeIfAbsent(key, k -> new IngesterStream(streamLabels));
            IngesterStream.Outcome outcome;
            synchronized (target) {
                outcome = target.push(valid, version, MAX_CHUNK_AGE.toNanos(), blockSizeBytes);
            }
            accepted.addAndGet(outcome.stored().size());
            duplicates.addAndGet(outcome.droppedAsDuplicates());
            visibleDuplicates.addAndGet(outcome.visibleDuplicates());
            jsonLines.ifPresent(file -> outcome.stored().forEach(e -> appendJsonLine(file, e)));
            ingesterError = outcome.refused().isEmpty() ? null
                    : LokiErrors.ingesterRefusal(outcome.refused(), valid.size(), tenant, key,
                    MAX_RETURNED_STREAM_ERRORS);
        }
        flushJsonLines();
        if (ingesterError != null) {
            respondLokiError(exchange, 400, ingesterError);
        } else if (!refusals.isEmpty()) {
            respondLokiError(exchange, 400, LokiErrors.distributorRefusal(version, refusals));
        } else {
            respond(exchange, 204, "");
        }
    }

    /** Loki drops labels with an empty value (Prometheus' label builder); a stream left without any is refused. */
    private static Map<String, String> dropEmptyValues(Map<String, String> labels) {
        Map<String, String> kept = new LinkedHashMap<>();
        labels.forEach((name, value) -> {
            if (!value.isEmpty()) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /** The distributor's {@code ValidateLabels}: Loki's message, or null when the labels are fine. */
    private static String labelError(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return LokiErrors.missingLabels();
        }
        String text = GoText.labels(labels);
        // Loki 3 adds service_name itself, so it does not count against the limit.
        int count = labels.size() - (labels.containsKey("service_name") ? 1 : 0);
        if (count > MAX_LABELS) {
            return LokiErrors.tooManyLabels(text, count, MAX_LABELS);
        }
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            if (!LabelNames.matchesPattern(label.getKey())) {
                return LokiErrors.invalidLabels(text, "1:2: parse error: unexpected character inside braces: '"
                        + firstInvalidNameChar(label.getKey()) + "'");
            }
            if (Utf8.encodedLength(label.getKey()) > MAX_LABEL_NAME_LENGTH) {
                return LokiErrors.labelNameTooLong(text, label.getKey());
            }
            if (Utf8.encodedLength(label.getValue()) > MAX_LABEL_VALUE_LENGTH) {
                return LokiErrors.labelValueTooLong(text, label.getValue());
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

    private void query(HttpExchange exchange) throws IOException {
        try (exchange) {
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
                if (copy.isEmpty() || !copy.get(0).labels().entrySet().containsAll(selector.entrySet())) {
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
