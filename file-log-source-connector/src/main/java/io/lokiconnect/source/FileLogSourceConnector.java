package io.lokiconnect.source;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.config.CrossKeyRules;
import io.lokiconnect.source.offsets.SourceOffsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Tails log files matched by globs into a Kafka topic. The connector only splits the work: task {@code i} of
 * {@code n} reads the files whose rotation family (the file name without rotation suffixes) hashes to {@code i}
 * (see {@code FileAssignment}), so the file set can change without task reconfiguration and each file has exactly
 * one reader.
 */
public class FileLogSourceConnector extends SourceConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new FileLogSourceConfig(props);
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return FileLogSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(FileLogSourceConfig.TASK_INDEX.name(), String.valueOf(i));
            task.put(FileLogSourceConfig.TASK_COUNT.name(), String.valueOf(maxTasks));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return FileLogSourceConfig.CONFIG_DEF;
    }

    /** The per-key checks, then the rules that span keys (globs inside paths.allowed.roots, multi-line bytes). */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return CrossKeyRules.report(super.validate(connectorConfigs),
                () -> FileLogSourceConfig.crossKeyProblems(connectorConfigs));
    }

    /** Offsets travel with the records they describe, so Connect's exactly-once source support applies as is. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /** KIP-875: lets users move or reset file positions through {@code PATCH/DELETE /connectors/{name}/offsets}. */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
            Optional<String> error = SourceOffsets.validate(e.getKey(), e.getValue());
            if (error.isPresent()) {
                throw new ConnectException(error.get());
            }
        }
        return true;
    }

}
