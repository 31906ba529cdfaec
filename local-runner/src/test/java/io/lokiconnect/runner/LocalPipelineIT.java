package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.receiver.ReceivedEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the runner's own code path: a real KRaft broker and a distributed Connect worker started as
 * child JVMs, the plugins loaded from plugin.path, the connector JSON of connect-configs/ posted through the REST
 * API with the environment variables of the original pipeline, and the Loki-protocol receiver at the end.
 */
class LocalPipelineIT {

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void append(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void linesWrittenToFilesArriveInLokiWithLabelsAndTimestamps() throws Exception {
        Path varLog = Files.createDirectories(tmp.resolve("var/log"));
        Path appLogs = Files.createDirectories(tmp.resolve("app/logs"));
        Map<String, String> env = new HashMap<>();
        env.put("LOG_PATHS", varLog + "/*.log," + appLogs + "/*.log");
        env.put("KAFKA_TOPIC", "e2e-logs");
        env.put("KAFKA_CONSUMER_GROUP", "e2e-group");
        env.put("RUN_DIR", tmp.resolve("run").toString());
        env.put("LOCAL_KAFKA_PORT", Integer.toString(freePort()));
        env.put("LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("LOCAL_CONNECT_PORT", Integer.toString(freePort()));
        env.put("LOCAL_LOKI_PORT", Integer.toString(freePort()));
        env.put("PROGRESS_INTERVAL_SECONDS", "2");
        env.put("CONNECT_REST_USER", "ops");
        env.put("CONNECT_REST_PASSWORD", PASSWORD);
        RunnerSettings settings = RunnerSettings.from(env, PluginDirs.projectRoot());
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        Map<String, Expected> expected = new HashMap<>();
        try (LocalPipeline pipeline = new LocalPipeline(settings, new PrintStream(output, true, StandardCharsets.UTF_8))) {
            pipeline.start();
            assertTheRestApiAsksForTheUserAndPassword("http://127.0.0.1:" + settings.connectPort());
            Path app = appLogs.resolve("checkout.log");
            Path sys = varLog.resolve("system.log");
            long base = Instant.now().minusSeconds(120).toEpochMilli();
            for (int round = 0; round < 3; round++) {
                List<String> appLines = new java.util.ArrayList<>();
                List<String> sysLines = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = round * 100 + i;
                    String level = n % 10 == 0 ? "ERROR" : n % 3 == 0 ? "warn" : "info";
                    String service = n % 2 == 0 ? "checkout" : "payments";
                    Instant ts = Instant.ofEpochMilli(base + n).plusNanos(123);
                    String message = "order " + n + " \"processed\"";
                    appLines.add("{\"timestamp\":\"" + ts + "\",\"level\":\"" + level + "\",\"service\":\""
                            + service + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}");
                    expected.put(message, new Expected(Map.of("job", "kafka-logs", "level",
                            level.equals("ERROR") ? "error" : level, "service", service),
                            ts.getEpochSecond() * 1_000_000_000L + ts.getNano(), message));
                    sysLines.add("kernel: plain line " + n);
                }
                append(app, appLines);
                append(sys, sysLines);
                long shipped = (round + 1) * 200L;
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> pipeline.loki().acceptedEntries() >= shipped);
                if (round == 1) {
                    // Rename rotation; the next lines go to a new file at the same path, a new identity.
                    Files.move(app, appLogs.resolve("checkout.log.1"));
                }
            }

            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(pipeline.loki().acceptedEntries()).isGreaterThanOrEqualTo(600));
            // What a user reads: the receiver's JSON-lines file (run/loki/received.jsonl), flushed once per push.
            Path receivedFile = pipeline.loki().entriesFile();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readAllLines(receivedFile).size() >= 600);
            List<ReceivedEntry> entries = readEntries(receivedFile);
            Map<String, ReceivedEntry> json = entries.stream().filter(e -> e.labels().containsKey("service"))
                    .collect(Collectors.toMap(ReceivedEntry::line, e -> e));
            assertThat(json.keySet()).isEqualTo(expected.keySet());
            for (Expected want : expected.values()) {
                ReceivedEntry got = json.get(want.line());
                // The local Loki stores labels as Loki 3 does, with the service_name it adds from 'service'.
                Map<String, String> labels = new java.util.TreeMap<>(got.labels());
                assertThat(labels.remove("service_name")).as(want.line()).isEqualTo(labels.get("service"));
                assertThat(labels).as(want.line()).isEqualTo(want.labels());
                assertThat(got.timestampNanos()).as(want.line()).isEqualTo(want.timestampNanos());
            }
            List<String> plain = entries.stream().filter(e -> !e.labels().containsKey("service"))
                    .map(ReceivedEntry::line).sorted().toList();
            assertThat(plain).hasSize(300).allMatch(l -> l.startsWith("kernel: plain line "));
            assertThat(entries).hasSize(600);
            PipelineProgress.Snapshot progress = pipeline.snapshot();
            assertThat(progress.recordsInTopic()).isEqualTo(600);
            assertThat(progress.failedTasks()).isZero();
            assertThat(progress.dlqRecords()).isLessThanOrEqualTo(0);
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("posted connector 'file-log-source'", "posted connector 'loki-sink'");
        assertThat(printed).contains("basic authentication: user 'ops', password from CONNECT_REST_PASSWORD")
                .contains("paths.allowed.roots=" + varLog + ",").contains("," + appLogs);
        assertThat(printed).doesNotContain(PASSWORD);
        try (Stream<Path> logs = Files.list(tmp.resolve("run/connect/logs"))) {
            for (Path log : logs.toList()) {
                assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).as("%s", log)
                        .isNotEmpty().doesNotContain(PASSWORD).doesNotContain(ASCII_PART);
            }
        }
    }

    /** Beyond Latin-1, with the characters a properties file or a header could trip on. */
    private static final String ASCII_PART = "pa:ss=w#rd\\!";
    private static final String PASSWORD = ASCII_PART + "\u00e9\u20ac\uD83D\uDD11-0123456789";

    private static void assertTheRestApiAsksForTheUserAndPassword(String restUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String right = "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String wrong = "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD + "x").getBytes(StandardCharsets.UTF_8));
        String otherUser = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        for (String path : List.of("/connectors", "/connector-plugins", "/admin/loggers", "/connectors/loki-sink/config",
                "/")) {
            assertThat(send(http, "GET", restUrl + path, null, null).statusCode()).as("GET %s without credentials", path)
                    .isEqualTo(401);
            assertThat(send(http, "GET", restUrl + path, wrong, null).statusCode()).as("GET %s, wrong password", path)
                    .isEqualTo(401);
            assertThat(send(http, "GET", restUrl + path, otherUser, null).statusCode()).as("GET %s, other user", path)
                    .isEqualTo(401);
            assertThat(send(http, "GET", restUrl + path, right, null).statusCode()).as("GET %s, right credentials", path)
                    .isEqualTo(200);
        }
        // What the issue feared: one unauthenticated call creating a connector that reads the worker's files.
        String steal = "{\"name\":\"steal\",\"config\":{\"connector.class\":\"io.lokiconnect.source.FileLogSourceConnector\","
                + "\"topic\":\"stolen\",\"paths\":\"/etc/passwd\"}}";
        HttpResponse<String> refused = send(http, "POST", restUrl + "/connectors", null, steal);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("steal");
        assertThat(send(http, "PUT", restUrl + "/admin/loggers/root", null, "{\"level\":\"TRACE\"}").statusCode())
                .isEqualTo(401);
        assertThat(send(http, "GET", restUrl + "/connectors", right, null).body())
                .contains("file-log-source", "loki-sink").doesNotContain("steal");
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String authorization,
                                             String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<ReceivedEntry> readEntries(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<ReceivedEntry> entries = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode node = json.readTree(line);
            Map<String, String> labels = new HashMap<>();
            node.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            entries.add(new ReceivedEntry(labels, Long.parseLong(node.path("timestamp_ns").asText()),
                    node.path("line").asText(), Map.of()));
        }
        return entries;
    }

    private record Expected(Map<String, String> labels, long timestampNanos, String line) {
    }
}
