package io.lokiconnect.testkit.connect;

import io.lokiconnect.harness.ConnectorFile;
import io.lokiconnect.harness.PluginDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker and Connect worker(s) in distributed mode for one test class, with the project's
 * built plugin directories on {@code plugin.path}. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ConnectClusterExtension connect = ConnectClusterExtension.builder().workers(1).build();
 * }</pre>
 *
 * One cluster per class: start-up costs about 12 s on 2 cores, so tests in a class share it and use
 * their own topic and connector names.
 */
public final class ConnectClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private final int workers;
    private final Map<String, String> workerProps;
    private EmbeddedConnectCluster cluster;

    private ConnectClusterExtension(Builder builder) {
        this.workers = builder.workers;
        this.workerProps = builder.workerProps;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void start(String name) {
        Map<String, String> props = new HashMap<>();
        props.put("plugin.path", PluginDirs.pluginPath());
        // Commit source offsets and sink offsets often so restart tests do not wait for the 60 s default.
        props.put("offset.flush.interval.ms", "1000");
        props.putAll(workerProps);
        cluster = new EmbeddedConnectCluster.Builder()
                .name(name + "-connect")
                .numWorkers(workers)
                .numBrokers(1)
                .brokerProps(brokerProps())
                // The cluster adds its own keys to this map: it must be mutable.
                .workerProps(new HashMap<>(props))
                .build();
        cluster.start();
    }

    /** Transactions (exactly-once source, read_committed checks) need their state log on the one broker. */
    private static Properties brokerProps() {
        Properties props = new Properties();
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        return props;
    }

    private void stop() {
        if (cluster != null) {
            cluster.stop();
            cluster = null;
        }
    }

    public EmbeddedConnectCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the Connect cluster is not started");
        }
        return cluster;
    }

    public String bootstrapServers() {
        return cluster().kafka().bootstrapServers();
    }

    public void createTopic(String topic, int partitions) {
        cluster().kafka().createTopic(topic, partitions);
    }

    /** GET on the worker's REST API ({@code path} like {@code /connector-plugins}); returns the body, fails on non-2xx. */
    public String restGet(String path) {
        String url = cluster().endpointForResource(path.startsWith("/") ? path.substring(1) : path);
        try (jakarta.ws.rs.core.Response response = cluster().requestGet(url)) {
            // requestGet returns an outbound Response: its body is the entity, not readEntity().
            Object body = response.getEntity();
            String text = body == null ? "" : body.toString();
            if (response.getStatus() / 100 != 2) {
                throw new AssertionError("GET " + url + " answered " + response.getStatus() + ": " + text);
            }
            return text;
        }
    }

    /** Creates or updates a connector and returns its name. */
    public String deployConnector(String name, Map<String, String> config) {
        cluster().configureConnector(name, new HashMap<>(config));
        return name;
    }

    /** Deploys a connector file in the REST API's form, with overrides; returns the connector name. */
    public String deployConnector(Path jsonFile, Map<String, String> overrides) {
        return deployConnector(ConnectorFile.name(jsonFile), ConnectorFile.config(jsonFile, overrides));
    }

    /** Waits until the connector and exactly {@code tasks} tasks are RUNNING; fails with every task's trace. */
    public void awaitRunning(String connector, int tasks, Duration timeout) {
        awaitState(connector, timeout, "the connector and " + tasks + " task(s) RUNNING", s ->
                "RUNNING".equals(s.connector().state())
                        && s.tasks().size() == tasks
                        && s.tasks().stream().allMatch(t -> "RUNNING".equals(t.state())));
    }

    /** Waits until at least one task of the connector is FAILED; returns that task's trace. */
    public String awaitTaskFailed(String connector, Duration timeout) {
        ConnectorStateInfo state = awaitState(connector, timeout, "a FAILED task",
                s -> s.tasks().stream().anyMatch(t -> "FAILED".equals(t.state())));
        return state.tasks().stream().filter(t -> "FAILED".equals(t.state()))
                .map(ConnectorStateInfo.TaskState::trace).findFirst().orElse("");
    }

    private ConnectorStateInfo awaitState(String connector, Duration timeout, String what,
                                          Predicate<ConnectorStateInfo> condition) {
        ConnectorStateInfo[] last = new ConnectorStateInfo[1];
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> {
                        last[0] = cluster().connectorStatus(connector);
                        return last[0] != null && condition.test(last[0]);
                    });
            return last[0];
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("connector '" + connector + "' did not reach " + what + " within "
                    + timeout + "; last status: " + describe(last[0]), e);
        }
    }

    /** Human-readable status with the connector's and each task's trace. */
    public static String describe(ConnectorStateInfo state) {
        if (state == null) {
            return "no status (the connector may not exist)";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("connector ").append(state.connector().state());
        if (state.connector().trace() != null) {
            sb.append("\n  trace: ").append(state.connector().trace());
        }
        for (ConnectorStateInfo.TaskState task : state.tasks()) {
            sb.append("\n  task ").append(task.id()).append(' ').append(task.state())
                    .append(" on ").append(task.workerId());
            if (task.trace() != null) {
                sb.append("\n    trace: ").append(task.trace());
            }
        }
        return sb.toString();
    }

    /** Consumes at least {@code n} records from the start of {@code topic} (fails after {@code timeout}). */
    public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int n, Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = cluster().kafka().consume(n, timeout.toMillis(), topic);
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        return list;
    }

    /** Every record in {@code topic} now (reads to the end offsets as of the call). */
    public List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, Duration timeout) {
        try {
            ConsumerRecords<byte[], byte[]> records = cluster().kafka().consumeAll(timeout.toMillis(), topic);
            List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
            records.forEach(list::add);
            return list;
        } catch (Exception e) {
            throw new AssertionError("cannot read topic " + topic, e);
        }
    }

    /** Stops one worker abruptly-ish (its tasks move when its group session expires) and returns it. */
    public WorkerHandle stopWorker() {
        Set<WorkerHandle> handles = cluster().workers();
        WorkerHandle worker = handles.iterator().next();
        cluster().removeWorker(worker);
        return worker;
    }

    /** Adds a worker to the cluster (a "restart" after {@link #stopWorker()}). */
    public WorkerHandle addWorker() {
        return cluster().addWorker();
    }

    /**
     * A task metric a plugin publishes through PluginMetrics (KIP-877), read from JMX: the embedded worker runs in
     * this JVM. -1 when no task of the connector publishes it (yet).
     */
    public long taskMetric(String connector, String name) {
        List<Long> values = taskMetricValues(connector, name);
        return values.isEmpty() ? -1 : values.get(0);
    }

    /**
     * The sum of a task metric over all of the connector's tasks (-1 when no task publishes it): with several tasks,
     * {@link #taskMetric} reads whichever task JMX lists first, which may not be the one that counted.
     */
    public long taskMetricSum(String connector, String name) {
        List<Long> values = taskMetricValues(connector, name);
        return values.isEmpty() ? -1 : values.stream().mapToLong(Long::longValue).sum();
    }

    private List<Long> taskMetricValues(String connector, String name) {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        Set<javax.management.ObjectName> names;
        try {
            names = server.queryNames(new javax.management.ObjectName("kafka.connect:type=plugins,*"), null);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        List<Long> values = new java.util.ArrayList<>();
        for (javax.management.ObjectName objectName : names) {
            String c = objectName.getKeyProperty("connector");
            if (c == null || !c.replace("\"", "").equals(connector) || objectName.getKeyProperty("task") == null) {
                continue;
            }
            try {
                if (server.getAttribute(objectName, name) instanceof Number number) {
                    values.add(number.longValue());
                }
            } catch (Exception notThisPlugin) {
                // converters and transforms of the task publish their own plugin metrics
            }
        }
        return values;
    }

    /** Waits until {@code n} workers answer their health check. */
    public void awaitWorkers(int n, Duration timeout) {
        Awaitility.await().atMost(timeout.toMillis(), TimeUnit.MILLISECONDS).ignoreExceptions()
                .until(() -> cluster().healthyWorkers().size() >= n);
    }

    public static final class Builder {
        private int workers = 1;
        private final Map<String, String> workerProps = new HashMap<>();

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** A worker property, e.g. {@code exactly.once.source.support=enabled} or {@code plugin.discovery}. */
        public Builder workerProp(String key, String value) {
            workerProps.put(key, value);
            return this;
        }

        public ConnectClusterExtension build() {
            return new ConnectClusterExtension(this);
        }
    }
}
