package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.common.config.CrossKeyRules;
import io.lokiconnect.sink.client.LokiClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Pushes records to Grafana Loki. The connector only validates and copies its config to {@code tasks.max} tasks;
 * Connect spreads the topic partitions over them, and each task has its own outbox and HTTP connection pool.
 */
public class LokiSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new LokiSinkConfig(props);
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return LokiSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(LokiSinkConfig.TASK_COUNT.name(), String.valueOf(maxTasks));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return LokiSinkConfig.CONFIG_DEF;
    }

    /**
     * Per-key checks, then the rules that span keys (auth pairs, TLS files, backoff order) reported on the key to
     * fix, then, with {@code loki.validate.connection=true}, Loki's {@code GET /ready} reported on {@code loki.url}:
     * the dry run of the original pipeline, through {@code PUT /connector-plugins/.../config/validate}.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        // The definition with the keys of the rules the config names (mapping.<name>.*, relabel.rule.<name>.*).
        Config config = CrossKeyRules.report(new Config(LokiSinkConfig.definition(connectorConfigs).validate(connectorConfigs)),
                () -> LokiSinkConfig.crossKeyProblems(connectorConfigs));
        if (!CrossKeyRules.keysValid(config)) {
            return config;
        }
        LokiSinkConfig parsed = new LokiSinkConfig(connectorConfigs);
        if (parsed.validateConnection()) {
            ConfigValue url = config.configValues().stream()
                    .filter(v -> v.name().equals(LokiSinkConfig.LOKI_URL.name())).findFirst().orElseThrow();
            try (LokiClient client = new LokiClient(parsed.clientSettings())) {
                String problem = client.checkReady();
                if (problem != null) {
                    url.addErrorMessage("Loki is not reachable or not ready: "
                            + problem + ". Check loki.url and that Loki is up.");
                }
            } catch (RuntimeException e) {
                url.addErrorMessage("Could not reach Loki: " + e.getMessage());
            }
        }
        return config;
    }
}
