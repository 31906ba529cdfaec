package io.lokiconnect.source;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of {@link FileLogSourceConnector}. */
public class FileLogSourceConfig extends AbstractConfig {

    public static final String TOPIC_CONFIG = "topic";
    public static final String PATHS_CONFIG = "paths";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TOPIC_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Kafka topic the log lines are written to.")
            .define(PATHS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Comma-separated globs of the log files to tail.");

    public FileLogSourceConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }
}
