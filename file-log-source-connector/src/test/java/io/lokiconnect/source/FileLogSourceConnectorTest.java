package io.lokiconnect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/** The connector's own duties besides validation: task shares and the offsets a user may set (KIP-875). */
class FileLogSourceConnectorTest {

    private static final Map<String, String> FILE = Map.of("host", "h", "file.key", "(dev=1,ino=2)");

    private final FileLogSourceConnector connector = new FileLogSourceConnector();

    private static Map<String, String> config() {
        return Map.of("topic", "logs", "paths", "/var/log/*.log,/app/logs/*.log");
    }

    private static Map<Map<String, ?>, Map<String, ?>> offsets(Map<String, ?> partition, Map<String, ?> offset) {
        Map<Map<String, ?>, Map<String, ?>> offsets = new HashMap<>();
        offsets.put(partition, offset);
        return offsets;
    }

    @Test
    void tasksGetDisjointShares() {
        connector.start(config());
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertThat(tasks).extracting(t -> t.get("task.index")).containsExactly("0", "1", "2");
        assertThat(tasks).allMatch(t -> "3".equals(t.get("task.count")));
    }

    @Test
    void alterOffsetsAcceptsAPositionFromZeroOnAndAReset() {
        assertThat(connector.alterOffsets(config(), offsets(FILE, Map.of("position", 0L)))).isTrue();
        assertThat(connector.alterOffsets(config(), offsets(FILE, Map.of("position", 123_456L)))).isTrue();
        assertThat(connector.alterOffsets(config(), offsets(FILE, null))).as("a reset (null offset)").isTrue();
    }

    @Test
    void alterOffsetsRejectsAnOffsetWithoutAValidPositionNamingIt() {
        assertThatThrownBy(() -> connector.alterOffsets(config(), offsets(FILE, Map.of("path", "/x"))))
                .isInstanceOf(ConnectException.class).hasMessageContaining("position");
        assertThatThrownBy(() -> connector.alterOffsets(config(), offsets(FILE, Map.of("position", -1L))))
                .as("one below zero").hasMessageContaining("non-negative");
        assertThatThrownBy(() -> connector.alterOffsets(config(), offsets(FILE, Map.of("position", "12"))))
                .as("a string is not a position").hasMessageContaining("position");
    }

    @Test
    void alterOffsetsRejectsAPartitionWithoutFileKey() {
        assertThatThrownBy(() -> connector.alterOffsets(config(),
                offsets(Map.of("host", "h", "path", "/var/log/app.log"), Map.of("position", 0L))))
                .isInstanceOf(ConnectException.class).hasMessageContaining("file.key");
    }
}
