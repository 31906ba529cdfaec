package io.lokiconnect.sink;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of {@link LokiSinkConnector}. */
public class LokiSinkConfig extends AbstractConfig {

    public static final String LOKI_URL_CONFIG = "loki.url";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(LOKI_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Loki base URL or push URL.");

    public LokiSinkConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }
}
