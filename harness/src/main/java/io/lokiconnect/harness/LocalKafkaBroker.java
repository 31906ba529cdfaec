package io.lokiconnect.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/** A real single-node KRaft broker (broker + controller in one JVM), started from Kafka's Maven jars. */
public final class LocalKafkaBroker {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private ChildJvm jvm;

    public LocalKafkaBroker(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public void start(Duration timeout) throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""));
        Path logs = dir.resolve("logs");
        if (!Files.exists(data.resolve("meta.properties"))) {
            ChildJvm.runToCompletion("kafka-storage-format", "kafka.tools.StorageTool",
                    List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                    logs);
        }
        jvm = ChildJvm.start("kafka", "kafka.Kafka", List.of(config.toString()), "1g", Map.of(), logs);
        awaitReady(timeout);
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(props)) {
            while (Instant.now().isBefore(deadline)) {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited during start-up; see " + jvm.logFile()
                            + " and " + dir.resolve("logs").resolve("kafka.out"));
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    Thread.sleep(500);
                }
            }
        }
        throw new IllegalStateException("the Kafka broker did not answer on " + bootstrapServers() + " within "
                + timeout.toSeconds() + " s; see " + jvm.logFile());
    }

    /** If the runner dies, the broker stops only after {@code worker}: see {@link ChildJvm#outlive}. */
    public void outlive(ChildJvm worker) throws IOException {
        jvm.outlive(worker);
    }

    public void stop() throws InterruptedException {
        if (jvm != null) {
            jvm.stop(30);
        }
    }
}
