package io.lokiconnect.transforms;

import io.lokiconnect.common.Version;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.transforms.Transformation;

/** Placeholder until the label logic lands (issue 5): passes records through. */
public class JsonLabels<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    public static final ConfigDef CONFIG_DEF = new ConfigDef();

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public R apply(R record) {
        return record;
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
