package io.lokiconnect.testkit.loki;

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
import io.lokiconnect.testkit.loki.PushDecoder.DecodedEntry;
import io.lokiconnect.testkit.loki.PushDecoder.DecodedStream;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * An HTTP server that speaks Loki's push API and answers as Loki does, for tests, benchmarks and the local
 * runner. {@code POST /loki/api/v1/push} takes snappy protobuf or JSON (gzip too); labels are validated like
 * Loki (400 with Loki's message); entries too old or too long are rejected per entry with Loki's 400 body while
 * the valid ones are kept; an entry identical in stream, timestamp and line to one already held is discarded
 * (Loki's duplicate rule); {@code GET /ready} answers {@code ready}; {@code GET /loki/api/v1/query_range?query={a="b"}}
 * returns the matching streams in Loki's JSON shape. Answers can be scripted: 429 with Retry-After, 500, slow
 * responses, dropped connections.
 *
 * <pre>{@code
 * try (LokiReceiver loki = LokiReceiver.start("127.0.0.1", 0, Optional.empty())) {
 *     String url = loki.pushUrl();            // http://127.0.0.1:<port>/loki/api/v1/push
 *     loki.enqueue(Answer.status(429).retryAfterSeconds(1));
 *     ... loki.entries() ...
 * }
 * }</pre>
 */
public final class LokiReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Loki 3 defaults. */
    public static final int MAX_LINE_BYTES = 256 * 1024;
    public static final int MAX_LABELS = 15;
    public static final Duration REJECT_OLDER_THAN = Duration.ofDays(7);

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

    /** What a request carried, for tests of headers. */
    public record RequestInfo(String contentType, String contentEncoding, String tenant, String authorization,
                              Map<String, String> headers, int status) {
    }

    private final HttpServer server;
    private final Optional<Path> jsonLines;
    private BufferedWriter jsonWriter;
    private final Map<String, List<ReceivedEntry>> streams = new ConcurrentHashMap<>();
    private final Set<String> seen = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicLong> requestsByStatus = new ConcurrentHashMap<>();
    private final List<RequestInfo> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
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

    public List<ReceivedEntry> entries() {
        List<ReceivedEntry> all = new ArrayList<>();
        streams.values().forEach(list -> {
            synchronized (list) {
                all.addAll(list);
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

    public long duplicatesDiscarded() {
        return duplicates.get();
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
                respond(exchange, 400, "failed to parse push request: " + e.getMessage());
                return;
            }
            ingest(exchange, decoded);
        }
    }

    private void ingest(HttpExchange exchange, List<DecodedStream> decoded) throws IOException {
        List<Map.Entry<Map<String, String>, DecodedStream>> labelled = new ArrayList<>();
        for (DecodedStream stream : decoded) {
            Map<String, String> labels;
            try {
                labels = stream.labels() != null ? stream.labels() : LabelSelector.parse(stream.labelsText());
                validateLabels(labels);
            } catch (IllegalArgumentException e) {
                // Loki rejects the whole request when a stream's labels are invalid.
                respond(exchange, 400, e.getMessage());
                return;
            }
            labelled.add(Map.entry(labels, stream));
        }
        StringBuilder rejections = new StringBuilder();
        int total = 0;
        int ignored = 0;
        long oldest = Instant.now().minus(REJECT_OLDER_THAN).toEpochMilli() * 1_000_000L;
        for (Map.Entry<Map<String, String>, DecodedStream> e : labelled) {
            String key = labelsText(e.getKey());
            for (DecodedEntry entry : e.getValue().entries()) {
                total++;
                int length = Utf8.encodedLength(entry.line());
                if (length > MAX_LINE_BYTES) {
                    ignored++;
                    rejections.append("max entry size '").append(MAX_LINE_BYTES).append("' bytes exceeded for stream '")
                            .append(key).append("' while adding an entry with length '").append(length)
                            .append("' bytes\n");
                    continue;
                }
                if (entry.timestampNanos() < oldest) {
                    ignored++;
                    rejections.append("entry for stream '").append(key).append("' has timestamp too old: ")
                            .append(rfc3339(entry.timestampNanos())).append(", oldest acceptable timestamp is: ")
                            .append(rfc3339(oldest)).append('\n');
                    continue;
                }
                store(e.getKey(), key, entry);
            }
        }
        flushJsonLines();
        if (ignored > 0) {
            rejections.append("user 'fake', total ignored: ").append(ignored).append(" out of ").append(total);
            respond(exchange, 400, rejections.toString());
        } else {
            respond(exchange, 204, "");
        }
    }

    /** Loki formats times in its messages with Go's time.RFC3339: whole seconds. */
    private static String rfc3339(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L)).toString();
    }

    private void store(Map<String, String> labels, String key, DecodedEntry entry) {
        String identity = key + '\u0000' + entry.timestampNanos() + '\u0000' + entry.line();
        if (!seen.add(identity)) {
            duplicates.incrementAndGet();
            return;
        }
        ReceivedEntry received = new ReceivedEntry(Map.copyOf(labels), entry.timestampNanos(), entry.line(),
                Map.copyOf(entry.metadata()));
        List<ReceivedEntry> list = streams.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()));
        list.add(received);
        accepted.incrementAndGet();
        jsonLines.ifPresent(file -> appendJsonLine(file, received));
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

    private static void validateLabels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("error at least one label pair is required per stream");
        }
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("stream '" + labelsText(labels) + "' has " + labels.size()
                    + " label names; limit " + MAX_LABELS);
        }
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String name = e.getKey();
            if (!LabelNames.matchesPattern(name)) {
                int bad = 0;
                while (bad < name.length() && (Character.isLetterOrDigit(name.charAt(bad)) || name.charAt(bad) == '_')) {
                    bad++;
                }
                throw new IllegalArgumentException("1:" + (bad + 2) + ": parse error: unexpected character inside braces: '"
                        + (bad < name.length() ? name.charAt(bad) : '?') + "'");
            }
            if (LabelNames.isReserved(name)) {
                throw new IllegalArgumentException("stream '" + labelsText(labels) + "' has label name '" + name
                        + "' which is reserved");
            }
            if (name.length() > 1024) {
                throw new IllegalArgumentException("label name too long: '" + name + "'");
            }
            if (Utf8.encodedLength(e.getValue()) > 2048) {
                throw new IllegalArgumentException("label value too long: '" + e.getValue().substring(0, 64) + "...'");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("duplicate label name '" + name + "'");
            }
        }
    }

    /** Loki's canonical label text: names sorted, values quoted. */
    public static String labelsText(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder("{");
        new TreeMap<>(labels).forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        });
        return sb.append('}').toString();
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
            streams.forEach((key, list) -> {
                List<ReceivedEntry> copy;
                synchronized (list) {
                    copy = new ArrayList<>(list);
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
