package io.lokiconnect.it.source;

import static io.lokiconnect.it.source.SourceTestSupport.append;
import static io.lokiconnect.it.source.SourceTestSupport.sourceConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.testkit.connect.ConnectClusterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** With the worker's exactly-once source support, restarts leave every line in the topic exactly once. */
class FileLogSourceExactlyOnceIT {

    @RegisterExtension
    static final ConnectClusterExtension CONNECT = ConnectClusterExtension.builder()
            .workerProp("exactly.once.source.support", "enabled")
            .build();

    @TempDir
    Path dir;

    private static List<String> committedValues(String topic) throws Exception {
        Map<String, Object> readCommitted = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ConsumerRecords<byte[], byte[]> records = CONNECT.cluster().kafka()
                .consumeAll(30_000, readCommitted, null, topic);
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void restartsWhileWritingLeaveZeroDuplicates() throws Exception {
        Path file = dir.resolve("eos.log");
        CONNECT.createTopic("eos", 1);
        Map<String, String> config = sourceConfig("eos", dir + "/*.log", 1);
        config.put("exactly.once.support", "required");
        CONNECT.deployConnector("eos-source", config);
        CONNECT.awaitRunning("eos-source", 1, Duration.ofSeconds(60));

        Set<String> written = new HashSet<>();
        int line = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 400; i++, line++) {
                append(file, "line-" + line + "\n");
                written.add("line-" + line);
            }
            // Restart the connector and its task mid-stream, while lines are still arriving.
            CONNECT.cluster().restartConnectorAndTasks("eos-source", false, true, false);
            for (int i = 0; i < 100; i++, line++) {
                append(file, "line-" + line + "\n");
                written.add("line-" + line);
            }
            CONNECT.awaitRunning("eos-source", 1, Duration.ofSeconds(60));
        }

        int expected = written.size();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> committedValues("eos").size() >= expected);
        List<String> values = committedValues("eos");
        assertThat(new HashSet<>(values)).isEqualTo(written);
        assertThat(values).as("no line twice").hasSize(expected);
        assertThat(CONNECT.restGet("/connectors/eos-source/offsets")).contains("eos.log");
    }
}
