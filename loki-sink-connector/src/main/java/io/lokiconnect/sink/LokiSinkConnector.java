package io.lokiconnect.sink;

import io.lokiconnect.common.Version;
import io.lokiconnect.sink.client.LokiClient;
import io.lokiconnect.sink.client.TlsSettings;
import java.time.Duration;
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
 * Connect spreads the topic partitions over them, and each task has its own batcher and HTTP connection pool.
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
            configs.add(new HashMap<>(props));
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
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        config.configValues().forEach(v -> values.put(v.name(), v));
        boolean keysValid = config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (!keysValid) {
            return config;
        }
        List<LokiSinkConfig.CrossKeyProblem> problems = LokiSinkConfig.crossKeyProblems(connectorConfigs);
        problems.forEach(p -> values.get(p.key()).addErrorMessage(p.error().getMessage()));
        if (!problems.isEmpty()) {
            return config;
        }
        LokiSinkConfig parsed = new LokiSinkConfig(connectorConfigs);
        if (parsed.validateConnection()) {
            try (LokiClient client = new LokiClient(clientSettings(parsed))) {
                String problem = client.checkReady();
                if (problem != null) {
                    values.get(LokiSinkConfig.LOKI_URL_CONFIG).addErrorMessage("Loki is not reachable or not ready: "
                            + problem + ". Check loki.url and that Loki is up.");
                }
            } catch (RuntimeException e) {
                values.get(LokiSinkConfig.LOKI_URL_CONFIG).addErrorMessage("Could not reach Loki: " + e.getMessage());
            }
        }
        return config;
    }

    static LokiClient.Settings clientSettings(LokiSinkConfig config) {
        TlsSettings tls = new TlsSettings(
                config.getString(LokiSinkConfig.LOKI_TLS_TRUSTSTORE_LOCATION_CONFIG),
                config.getPassword(LokiSinkConfig.LOKI_TLS_TRUSTSTORE_PASSWORD_CONFIG).value().toCharArray(),
                config.getString(LokiSinkConfig.LOKI_TLS_TRUSTSTORE_TYPE_CONFIG),
                config.getString(LokiSinkConfig.LOKI_TLS_KEYSTORE_LOCATION_CONFIG),
                config.getPassword(LokiSinkConfig.LOKI_TLS_KEYSTORE_PASSWORD_CONFIG).value().toCharArray(),
                config.getString(LokiSinkConfig.LOKI_TLS_KEYSTORE_TYPE_CONFIG),
                config.getBoolean(LokiSinkConfig.LOKI_TLS_VERIFY_HOSTNAME_CONFIG));
        return new LokiClient.Settings(config.pushUrl(), config.readyUrl(), config.tenantId(), config.basicUser(),
                config.basicPassword().value(), config.bearerToken().value(), config.extraHeaders(), tls,
                Duration.ofMillis(config.requestTimeoutMs()), config.maxInFlightBatches() + 1, Version.get());
    }
}
