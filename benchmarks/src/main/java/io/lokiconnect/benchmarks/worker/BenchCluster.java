package io.lokiconnect.benchmarks.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.lokiconnect.harness.ConnectRestClient;
import io.lokiconnect.harness.ConnectorFile;
import io.lokiconnect.harness.LocalConnectWorker;
import io.lokiconnect.harness.LocalKafkaBroker;
import java.io.IOException;
import java.lang.management.MemoryMXBean;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * One real KRaft broker and one real Connect worker in distributed mode, each its own JVM (the harness module's
 * launchers, as in the local runner), the worker configured by {@code connect-configs/worker.properties} with the
 * built plugins and Kafka's connect-file on its {@code plugin.path}. The benchmarks reach the worker as an operator
 * would: REST for connectors, JMX for heap and producer metrics, jcmd for flight recordings.
 */
final class BenchCluster implements AutoCloseable {

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)}");

    private final Path projectRoot;
    private final Path work;
    private LocalKafkaBroker broker;
    private LocalConnectWorker worker;
    private Admin admin;
    private ConnectRestClient rest;
    private JMXConnector jmx;
    private MBeanServerConnection mbeans;

    BenchCluster(Path projectRoot, Path work) {
        this.projectRoot = projectRoot;
        this.work = work;
    }

    void start(String workerHeap) throws Exception {
        broker = new LocalKafkaBroker(work.resolve("kafka"), freePort(), freePort());
        broker.start(Duration.ofSeconds(120));
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        admin = Admin.create(props);
        int connectPort = freePort();
        int jmxPort = freePort();
        rest = new ConnectRestClient("http://127.0.0.1:" + connectPort);
        List<String> jvmOptions = List.of(
                "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false");
        Path benchPlugins = projectRoot.resolve("benchmarks/target/bench-plugins");
        if (!Files.isDirectory(benchPlugins.resolve("connect-file"))) {
            throw new IllegalStateException(benchPlugins + "/connect-file is missing: build with "
                    + "'mvn -B -pl benchmarks -am package -DskipTests' (benchmarks/run.sh does)");
        }
        worker = new LocalConnectWorker(work.resolve("connect"), connectPort, workerHeap, jvmOptions,
                List.of(benchPlugins));
        worker.start(projectRoot.resolve("connect-configs/worker.properties"), broker.bootstrapServers(),
                Map.of("KAFKA_BROKERS", broker.bootstrapServers()), rest, Duration.ofSeconds(180));
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        jmx = JMXConnectorFactory.connect(url);
        mbeans = jmx.getMBeanServerConnection();
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    long workerPid() {
        return worker.jvm().pid();
    }

    Path workerLog() {
        return worker.jvm().logFile();
    }

    /** A shipped connector file's config with its {@code ${env:X}} references resolved from {@code env}. */
    Map<String, String> shipped(String file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>();
        ConnectorFile.config(projectRoot.resolve("connect-configs").resolve(file), overrides).forEach((k, v) -> {
            Matcher m = ENV_REF.matcher(v);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String value = env.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException(file + " refers to ${env:" + m.group(1) + "}: give it a value");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            config.put(k, sb.toString());
        });
        return config;
    }

    /** Creates the topic and waits until its partitions answer offset requests (metadata takes a moment). */
    void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                recordsIn(topic);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    void deleteTopic(String topic) throws Exception {
        admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }

    long recordsIn(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        long sum = 0;
        for (var info : admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values()) {
            sum += info.offset();
        }
        return sum;
    }

    /** Bytes of the topic's log segments on the broker (after the producer's compression). */
    long bytesOnBroker(String topic) throws Exception {
        long bytes = 0;
        for (var dir : admin.describeLogDirs(List.of(1)).allDescriptions().get(10, TimeUnit.SECONDS).get(1).values()) {
            for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
                if (e.getKey().topic().equals(topic)) {
                    bytes += e.getValue().size();
                }
            }
        }
        return bytes;
    }

    void putConnector(String name, Map<String, String> config) throws Exception {
        Map<String, String> withName = new HashMap<>(config);
        withName.put("name", name);
        List<String> errors = rest.validate(withName);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("connector " + name + " fails validation: " + errors);
        }
        rest.putConnector(name, config);
    }

    /** FAILED tasks of the connector, with the first line of their trace; empty when none failed. */
    List<String> failedTasks(String name) throws Exception {
        List<String> failed = new ArrayList<>();
        JsonNode status = rest.status(name);
        if (status != null) {
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    failed.add(name + " task " + task.path("id").asText() + ": "
                            + task.path("trace").asText("").lines().findFirst().orElse(""));
                }
            }
        }
        return failed;
    }

    /**
     * Deletes the connector and waits until its tasks' Kafka clients are closed (their JMX beans gone): a task
     * still finishing its last batch would otherwise run into the next measurement and its recording.
     */
    void deleteConnector(String name) throws Exception {
        rest.deleteConnector(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rest.status(name) != null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        ObjectName producers = new ObjectName("kafka.producer:type=producer-metrics,client-id=connector-producer-"
                + name + "-*");
        ObjectName consumers = new ObjectName("kafka.consumer:type=consumer-metrics,client-id=connector-consumer-"
                + name + "-*");
        while (System.nanoTime() < deadline && !(mbeans.queryNames(producers, null).isEmpty()
                && mbeans.queryNames(consumers, null).isEmpty())) {
            Thread.sleep(100);
        }
    }

    /** Stops the connector (its tasks shut down, offsets committed) and waits until it says STOPPED. */
    void stopConnector(String name) throws Exception {
        rest.stopConnector(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode status = rest.status(name);
            if (status != null && "STOPPED".equals(status.path("connector").path("state").asText())
                    && status.path("tasks").isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not stop within 60 s");
    }

    void resumeConnector(String name) throws Exception {
        rest.resumeConnector(name);
    }

    /** CPU time the worker process has used so far (all its threads, JIT and GC included), in ns. */
    long workerCpuNanos() throws Exception {
        Object value = mbeans.getAttribute(new ObjectName("java.lang:type=OperatingSystem"), "ProcessCpuTime");
        return ((Number) value).longValue();
    }

    /** Milliseconds the worker spent so far in garbage collection (all collectors) and in JIT compilation. */
    long[] workerGcAndJitMillis() throws Exception {
        long gc = 0;
        for (ObjectName name : mbeans.queryNames(new ObjectName("java.lang:type=GarbageCollector,*"), null)) {
            gc += ((Number) mbeans.getAttribute(name, "CollectionTime")).longValue();
        }
        long jit = ((Number) mbeans.getAttribute(new ObjectName("java.lang:type=Compilation"), "TotalCompilationTime"))
                .longValue();
        return new long[] {gc, jit};
    }

    /** CPU time of each live thread of the worker so far (ns), by thread name and id. */
    Map<String, Long> workerThreadCpu() throws Exception {
        java.lang.management.ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(mbeans,
                ManagementFactory.THREAD_MXBEAN_NAME, java.lang.management.ThreadMXBean.class);
        Map<String, Long> cpu = new HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                cpu.put(info.getThreadName() + "#" + info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return cpu;
    }

    /** Old-generation occupancy of the worker now, in bytes: what survived young collections (G1 Old Gen). */
    long workerOldGenUsed() {
        try {
            Object usage = mbeans.getAttribute(new ObjectName("java.lang:type=MemoryPool,name=G1 Old Gen"), "Usage");
            return usage instanceof javax.management.openmbean.CompositeData c ? (Long) c.get("used") : 0;
        } catch (Exception e) {
            return 0; // another collector: the heap figure alone is reported
        }
    }

    /** Heap in use in the worker JVM now, in bytes (garbage included: G1 lets it fill before collecting). */
    long workerHeapUsed() throws IOException {
        MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** A producer metric of the connector's task 0 (client id {@code connector-producer-<name>-0}), or NaN. */
    double producerMetric(String connector, String metric) {
        try {
            Object value = mbeans.getAttribute(new ObjectName("kafka.producer:type=producer-metrics,client-id="
                    + "connector-producer-" + connector + "-0"), metric);
            return value instanceof Number n ? n.doubleValue() : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** A fetch metric of the sink connector's task {@code task} consumer (client id {@code connector-consumer-<name>-<task>}), or NaN. */
    double consumerMetric(String connector, int task, String metric) {
        try {
            Object value = mbeans.getAttribute(new ObjectName("kafka.consumer:type=consumer-fetch-manager-metrics,"
                    + "client-id=connector-consumer-" + connector + "-" + task), metric);
            return value instanceof Number n ? n.doubleValue() : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Starts a flight recording of execution samples in the worker (settings: {@link JfrFamilies#SETTINGS}). */
    void startRecording(String name) throws Exception {
        // -Dbench.jfc=<file> records other events too (parks, socket reads) when looking for waits, not CPU.
        String custom = System.getProperty("bench.jfc");
        Path settings = custom != null ? Path.of(custom) : work.resolve("jfr").resolve("samples.jfc");
        if (!Files.exists(settings)) {
            Files.createDirectories(settings.getParent());
            Files.writeString(settings, JfrFamilies.SETTINGS);
        }
        jcmd("JFR.start", "name=" + name, "settings=" + settings.toAbsolutePath());
    }

    void stopRecording(String name, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        jcmd("JFR.stop", "name=" + name, "filename=" + file.toAbsolutePath());
    }

    private void jcmd(String... command) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(workerPid()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** True when the worker's log mentions an OutOfMemoryError. */
    boolean workerSawOutOfMemory() throws IOException {
        Path dir = workerLog().getParent();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)
                        .contains("OutOfMemoryError")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        if (jmx != null) {
            try {
                jmx.close();
            } catch (IOException ignored) {
                // the worker is stopping anyway; nothing of the measurement depends on a clean JMX close
            }
        }
        if (worker != null) {
            worker.stop();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.stop();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
