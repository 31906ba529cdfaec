package io.lokiconnect.runner.docs;

import io.lokiconnect.sink.LokiSinkConnector;
import io.lokiconnect.sink.routing.RoutingRules;
import io.lokiconnect.source.FileLogSourceConnector;
import io.lokiconnect.transforms.JsonLabels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Writes {@code docs/configuration.md} from the plugins' own {@link ConfigDef}s, so the reference cannot drift
 * from the code: {@code ConfigReferenceTest} writes what this generates to
 * {@code local-runner/target/configuration.md} and fails when the committed file differs. A build tool, not part of
 * the runner: it lives with its test, where the plugins are on the class path.
 */
public final class ConfigReference {

    private record Plugin(String title, String className, String usage, ConfigDef def) {
    }

    private ConfigReference() {
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        Files.writeString(target, render(), StandardCharsets.UTF_8);
        System.out.println("wrote " + target.toAbsolutePath());
    }

    public static String render() {
        List<Plugin> plugins = List.of(
                new Plugin("FileLogSourceConnector", FileLogSourceConnector.class.getName(),
                        "\"connector.class\": \"" + FileLogSourceConnector.class.getName() + "\"",
                        new FileLogSourceConnector().config()),
                new Plugin("JsonLabels transform", JsonLabels.class.getName(),
                        "\"transforms\": \"labels\", \"transforms.labels.type\": \"" + JsonLabels.class.getName()
                                + "\", then each key below as \"transforms.labels.<key>\"",
                        transformConfig()),
                new Plugin("LokiSinkConnector", LokiSinkConnector.class.getName(),
                        "\"connector.class\": \"" + LokiSinkConnector.class.getName() + "\"",
                        new LokiSinkConnector().config()),
                new Plugin("LokiSinkConnector: a mapping rule", LokiSinkConnector.class.getName(),
                        "\"mappings\": \"<name>,...\", then each key below as \"mapping.<name>.<key>\" (see "
                                + "[routing.md](routing.md))",
                        RoutingRules.MAPPING_RULE_DEF),
                new Plugin("LokiSinkConnector: a relabel rule", LokiSinkConnector.class.getName(),
                        "\"relabel.rules\": \"<name>,...\", then each key below as \"relabel.rule.<name>.<key>\" "
                                + "(see [routing.md](routing.md))",
                        RoutingRules.RELABEL_RULE_DEF));
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("Generated from the plugins' `ConfigDef`s by `io.lokiconnect.runner.docs.ConfigReference`;"
                + " a test fails when this file and the code disagree. Connect's own keys (`tasks.max`, `topics`,"
                + " converters, `errors.*`, `transforms`) are documented by Apache Kafka.\n");
        for (Plugin plugin : plugins) {
            md.append("\n## ").append(plugin.title()).append("\n\n");
            md.append("`").append(plugin.className()).append("`: ").append(plugin.usage()).append(".\n\n");
            md.append("| key | type | default | valid values | importance | description |\n");
            md.append("|---|---|---|---|---|---|\n");
            for (ConfigDef.ConfigKey key : plugin.def().configKeys().values()) {
                if (key.internalConfig) {
                    continue; // set by the connector on its tasks, not by users
                }
                md.append("| `").append(key.name).append("` | ")
                        .append(key.type.toString().toLowerCase()).append(" | ")
                        .append(defaultValue(key)).append(" | ")
                        .append(key.validator == null ? "" : cell(key.validator.toString())).append(" | ")
                        .append(key.importance.toString().toLowerCase()).append(" | ")
                        .append(cell(key.documentation)).append(" |\n");
            }
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static ConfigDef transformConfig() {
        try (JsonLabels<SourceRecord> transform = new JsonLabels<>()) {
            return ((JsonLabels<? extends ConnectRecord<?>>) transform).config();
        }
    }

    private static String defaultValue(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        if (key.defaultValue == null) {
            return "null";
        }
        String value = key.type == ConfigDef.Type.PASSWORD ? "[hidden]" : ConfigDef.convertToString(key.defaultValue, key.type);
        return value.isEmpty() ? "\"\"" : "`" + cell(value) + "`";
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
