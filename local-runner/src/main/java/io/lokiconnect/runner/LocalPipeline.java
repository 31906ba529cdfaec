package io.lokiconnect.runner;

import io.lokiconnect.common.files.GlobBase;
import io.lokiconnect.harness.ConnectRestClient;
import io.lokiconnect.harness.ConnectorFile;
import io.lokiconnect.harness.LocalConnectWorker;
import io.lokiconnect.harness.LocalKafkaBroker;
import io.lokiconnect.harness.PluginDirs;
import io.lokiconnect.harness.RestCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The whole original pipeline on one machine: files → FileLogSourceConnector → Kafka → LokiSinkConnector
 * (with the JsonLabels transform) → Loki. Starts what is not given by the environment (a broker unless
 * KAFKA_BROKERS, a Loki-protocol receiver unless LOKI_ENDPOINT, sample logs unless LOG_PATHS), always a real
 * Connect worker in distributed mode, and posts {@code connect-configs/*.json} through the REST API.
 */
public final class LocalPipeline implements AutoCloseable {

    static final String SOURCE_CONNECTOR_FILE = "file-log-source.json";
    static final String SINK_CONNECTOR_FILE = "loki-sink.json";

    private final RunnerSettings settings;
    private final PrintStream out;
    private final List<String> connectorNames = new ArrayList<>();
    private volatile boolean stopping;
    private LocalKafkaBroker broker;
    private LocalConnectWorker worker;
    private LocalLoki loki;
    private SampleLogWriter sampleWriter;
    private Thread sampleThread;
    private Admin admin;
    private ConnectRestClient rest;
    private PipelineProgress progress;
    /** The last progress taken; on Ctrl-C the child JVMs get the signal too and may be gone before the summary. */
    private volatile PipelineProgress.Snapshot lastSnapshot;
    private String bootstrapServers;
    private Instant startedAt;
    /** What {@code ${env:...}} in the connector files resolves to on the worker. */
    private Map<String, String> workerEnv;

    public LocalPipeline(RunnerSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) {
        // Before any logger exists: the runner's console shows its progress lines, not the Kafka clients' INFO logs.
        System.setProperty("log4j2.configurationFile", "log4j2-runner.xml");
        RunnerSettings settings;
        try {
            settings = RunnerSettings.from(System.getenv(), PluginDirs.projectRoot(), args);
        } catch (IllegalArgumentException e) {
            System.err.println("run-local: " + e.getMessage());
            System.exit(2);
            return;
        }
        LocalPipeline pipeline = new LocalPipeline(settings, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pipeline.stopping = true;
            pipeline.out.println();
            pipeline.out.println("stopping (Ctrl-C or SIGTERM): the connectors, the worker, then the broker ...");
            pipeline.printSummary();
            pipeline.close();
        }, "run-local-shutdown"));
        try {
            pipeline.start();
            pipeline.reportUntilInterrupted();
        } catch (StartupException e) {
            System.err.println();
            System.err.println("run-local: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("run-local: unexpected failure: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** A start-up failure with a message saying what to do; printed without a stack trace. */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message);
        }

        StartupException(String message, Throwable cause) {
            super(message + " (" + cause.getMessage() + ")", cause);
        }
    }

    /** Starts everything ({@link #startWorker}), then posts the connectors ({@link #postConnectors}). */
    public void start() throws Exception {
        startWorker();
        postConnectors();
    }

    /**
     * Everything but the connectors: the Loki receiver and the broker unless given, the topic, the sample logs unless
     * LOG_PATHS is given, and the Connect worker, up and answering its REST API.
     */
    public void startWorker() throws Exception {
        startedAt = Instant.now();
        Path work = settings.workDir();
        if (settings.fresh()) {
            deleteRecursively(work);
        }
        Files.createDirectories(work);
        out.println("loki-connect local pipeline: working directory " + work);

        String pluginPath = checkPlugins();
        checkPortsFree();
        String logPaths = settings.logPaths().orElseGet(this::startSampleLogs);
        checkLogPaths(logPaths);

        String lokiEndpoint = settings.lokiEndpoint().orElse(null);
        if (lokiEndpoint == null) {
            loki = LocalLoki.start(settings.lokiPort(), work.resolve("loki"));
            lokiEndpoint = loki.pushUrl();
            out.println("Loki-protocol receiver on " + loki.baseUrl() + " (entries also in " + loki.entriesFile()
                    + "; look up: curl '" + loki.baseUrl() + "/loki/api/v1/query_range?query={service=\"checkout\"}')");
        } else {
            out.println("pushing to Loki at " + lokiEndpoint);
        }

        if (settings.kafkaBrokers().isPresent()) {
            bootstrapServers = settings.kafkaBrokers().get();
            out.println("using Kafka at " + bootstrapServers + " (KAFKA_BROKERS)");
        } else {
            broker = new LocalKafkaBroker(work.resolve("kafka"), settings.kafkaPort(), settings.controllerPort());
            out.println("starting a single-node KRaft broker on 127.0.0.1:" + settings.kafkaPort() + " ...");
            broker.start(Duration.ofSeconds(90));
            bootstrapServers = broker.bootstrapServers();
        }
        admin = connectAdmin();
        createTopic(settings.topic());

        rest = new ConnectRestClient("http://127.0.0.1:" + settings.connectPort());
        Path workerDir = work.resolve("connect");
        RestCredentials credentials = settings.restCredentials().isPresent() ? settings.restCredentials().get()
                : RestCredentials.resolve(Optional.of(settings.restUser()), Optional.empty(), workerDir);
        worker = new LocalConnectWorker(workerDir, settings.connectPort(), credentials);
        out.println("starting a Connect worker (distributed mode) on 127.0.0.1:" + settings.connectPort()
                + ", plugin.path=" + pluginPath + " ...");
        String allowedRoots = settings.logAllowedRoots().orElseGet(() -> allowedRoots(logPaths));
        out.println("the source reads only under paths.allowed.roots=" + allowedRoots
                + (settings.logAllowedRoots().isPresent() ? " (LOG_ALLOWED_ROOTS)" : " (the directories of LOG_PATHS;"
                + " set LOG_ALLOWED_ROOTS to choose)"));
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BROKERS", bootstrapServers);
        env.put("KAFKA_TOPIC", settings.topic());
        env.put("LOG_PATHS", logPaths);
        env.put("LOG_ALLOWED_ROOTS", allowedRoots);
        env.put("KAFKA_CONSUMER_GROUP", settings.consumerGroup());
        env.put("LOKI_ENDPOINT", lokiEndpoint);
        workerEnv = env;
        worker.start(settings.projectRoot().resolve("connect-configs").resolve("worker.properties"),
                bootstrapServers, env, rest, Duration.ofSeconds(120));
        if (broker != null) {
            broker.outlive(worker.jvm());
        }
        out.println("Connect REST API on " + worker.restUrl() + ", basic authentication: user '" + credentials.user()
                + "', password " + (settings.restCredentials().isPresent() ? "from " + RestCredentials.PASSWORD_VARIABLE
                : "in " + worker.passwordFile()) + ", e.g. " + curl() + " " + worker.restUrl() + "/connectors");
    }

    /** Validates and posts {@code connect-configs/}'s source and sink to the worker {@link #startWorker} started. */
    public void postConnectors() throws Exception {
        for (String file : List.of(SOURCE_CONNECTOR_FILE, SINK_CONNECTOR_FILE)) {
            postConnector(settings.projectRoot().resolve("connect-configs").resolve(file), workerEnv);
        }
        progress = new PipelineProgress(admin, rest, settings.topic(), settings.topic() + "-dlq",
                settings.consumerGroup(), connectorNames, () -> loki == null ? -1 : loki.acceptedEntries());
        out.println("pipeline running: " + String.join(", ", connectorNames) + ". Ctrl-C stops it.");
    }

    /** The Loki receiver of this run, or null when LOKI_ENDPOINT points elsewhere. */
    public LocalLoki loki() {
        return loki;
    }

    public PipelineProgress.Snapshot snapshot() throws Exception {
        return progress.snapshot();
    }

    void reportUntilInterrupted() throws InterruptedException {
        List<String> reportedFailures = new ArrayList<>();
        while (!stopping) {
            Thread.sleep(settings.progressInterval().toMillis());
            if (stopping) {
                return;
            }
            try {
                PipelineProgress.Snapshot s = progress.snapshot();
                lastSnapshot = s;
                out.println(s.line(Duration.between(startedAt, Instant.now()), sampleLinesWritten()));
                // A failure is explained once, not on every progress line.
                for (String failure : s.failures()) {
                    if (!reportedFailures.contains(failure)) {
                        reportedFailures.add(failure);
                        out.println("  FAILED " + failure);
                        out.println("  (details: " + worker.jvm().logFile() + "; restart it with: " + curl() + " -X POST '"
                                + "http://127.0.0.1:" + settings.connectPort() + "/connectors/<name>/restart?includeTasks=true&onlyFailed=true')");
                    }
                }
            } catch (Exception e) {
                out.println("(progress unavailable: " + e + ")");
            }
        }
    }

    private long sampleLinesWritten() {
        return sampleWriter == null ? -1 : sampleWriter.linesWritten();
    }

    void printSummary() {
        if (progress == null) {
            return;
        }
        PipelineProgress.Snapshot s;
        String asOf = "";
        try {
            s = progress.snapshot();
        } catch (Exception e) {
            s = lastSnapshot;
            asOf = " (as of the last progress line: a fresh one failed: " + e + ")";
        }
        if (s == null) {
            out.println("summary unavailable: the pipeline stopped before its first progress line");
            return;
        }
        try {
            out.println("summary after " + Duration.between(startedAt, Instant.now()).toSeconds() + " s" + asOf + ":");
            if (sampleWriter != null) {
                out.println("  sample log lines written: " + sampleWriter.linesWritten());
            }
            out.println("  records in topic '" + settings.topic() + "': " + s.recordsInTopic());
            out.println("  records acknowledged by Loki (sink committed offsets): " + s.committedBySink());
            if (s.lokiAccepted() >= 0) {
                out.println("  entries held by the receiver: " + s.lokiAccepted() + " (" + loki.entriesFile() + ")");
            }
            out.println("  failed tasks: " + s.failedTasks() + ", dead letter queue records: " + s.dlqRecords());
            out.println("  logs: " + settings.workDir().resolve("connect").resolve("logs").resolve("connect.log"));
        } catch (Exception e) {
            out.println("summary unavailable: " + e);
        }
    }

    private String checkPlugins() throws StartupException {
        try {
            return PluginDirs.pluginPath();
        } catch (IllegalStateException e) {
            throw new StartupException("the plugins are not built: run 'mvn -B install -DskipTests' (run-local.sh"
                    + " does it when they are missing)", e);
        }
    }

    private void checkPortsFree() throws StartupException {
        Map<String, Integer> ports = new HashMap<>();
        ports.put("LOCAL_CONNECT_PORT (Connect REST API)", settings.connectPort());
        if (settings.kafkaBrokers().isEmpty()) {
            ports.put("LOCAL_KAFKA_PORT (Kafka broker)", settings.kafkaPort());
            ports.put("LOCAL_KAFKA_CONTROLLER_PORT (KRaft controller)", settings.controllerPort());
        }
        if (settings.lokiEndpoint().isEmpty()) {
            ports.put("LOCAL_LOKI_PORT (Loki receiver)", settings.lokiPort());
        }
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", e.getValue()));
            } catch (IOException taken) {
                throw new StartupException("port " + e.getValue() + " is taken: stop what uses it (an earlier"
                        + " run-local.sh?) or choose another with " + e.getKey().replace(" (", "=<port> (") );
            }
        }
    }

    /** curl with the worker's REST credentials, the password read from its file (never printed). */
    private String curl() {
        String password = settings.restCredentials().isPresent() ? "$" + RestCredentials.PASSWORD_VARIABLE
                : "$(cat " + worker.passwordFile() + ")";
        return "curl -u \"" + worker.credentials().user() + ":" + password + "\"";
    }

    /**
     * The source's {@code paths.allowed.roots} when LOG_ALLOWED_ROOTS is unset: each glob's base directory (for a
     * single file, its directory), and that directory's real path too when a symbolic link leads to it, since the
     * source checks the glob as written at validation and each file's real path when it reads.
     */
    static String allowedRoots(String logPaths) {
        LinkedHashSet<String> roots = new LinkedHashSet<>();
        for (String glob : logPaths.split(",")) {
            String trimmed = glob.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            Path base = GlobBase.of(trimmed).normalize();
            Path dir = GlobBase.hasWildcard(trimmed) ? base : base.getParent();
            if (dir == null) {
                continue;
            }
            roots.add(dir.toString());
            try {
                roots.add(dir.toRealPath().toString());
            } catch (IOException missing) {
                // checkLogPaths has refused a directory that does not exist before this is asked.
            }
        }
        return String.join(",", roots);
    }

    /**
     * Each glob's base directory (the source's own, {@link GlobBase}; for a single file, its directory) must exist
     * and be readable, else the user gets the original pipeline's advice.
     */
    static void checkLogPaths(String logPaths) throws StartupException {
        for (String glob : logPaths.split(",")) {
            String trimmed = glob.trim();
            Path base = GlobBase.of(trimmed);
            Path dir = GlobBase.hasWildcard(trimmed) ? base : base.getParent();
            if (dir == null || !Files.isDirectory(dir) || !Files.isReadable(dir)) {
                throw new StartupException("LOG_PATHS entry '" + trimmed + "': directory " + dir + " does not exist"
                        + " or is not readable. Check the path and its permissions (in Docker: the volume mount"
                        + " and its read permission for the Connect worker's user).");
            }
        }
    }

    private String startSampleLogs() {
        sampleWriter = new SampleLogWriter(settings.workDir().resolve("sample-logs"));
        sampleThread = new Thread(sampleWriter, "sample-log-writer");
        sampleThread.setDaemon(true);
        sampleThread.start();
        out.println("LOG_PATHS not set: writing sample JSON and plain-text logs into "
                + settings.workDir().resolve("sample-logs") + " (rotated every 400 lines)");
        return sampleWriter.globs();
    }

    private Admin connectAdmin() throws StartupException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        Admin client = Admin.create(props);
        try {
            client.describeCluster().nodes().get(20, TimeUnit.SECONDS);
            return client;
        } catch (Exception e) {
            client.close(Duration.ofSeconds(1));
            throw new StartupException("Kafka at " + bootstrapServers + " is unreachable: check KAFKA_BROKERS"
                    + " (host:port of a broker listener this machine can reach) or unset it to start a local broker", e);
        }
    }

    private void createTopic(String topic) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            out.println("created topic '" + topic + "' (3 partitions)");
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Validates the connector file through the REST API (the dry run), then creates or updates the connector. */
    private void postConnector(Path file, Map<String, String> env) throws Exception {
        String name = ConnectorFile.name(file);
        Map<String, String> config = ConnectorFile.config(file, Map.of());
        Map<String, String> withName = new HashMap<>(config);
        withName.put("name", name);
        List<String> errors = rest.validate(withName);
        if (!errors.isEmpty()) {
            throw new StartupException(file + " fails Connect's validation:\n  " + String.join("\n  ", errors)
                    + "\n(environment given to the worker: " + env + ")");
        }
        rest.putConnector(name, config);
        connectorNames.add(name);
        out.println("posted connector '" + name + "' from " + settings.projectRoot().relativize(file));
    }

    @Override
    public void close() {
        if (sampleWriter != null) {
            sampleWriter.stop();
        }
        try {
            if (worker != null) {
                worker.stop();
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            if (broker != null) {
                broker.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loki != null) {
            loki.stop();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
