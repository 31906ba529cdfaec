package io.lokiconnect.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.common.headers.LokiHeaders;
import io.lokiconnect.transforms.labels.LabelFieldSpec;
import io.lokiconnect.transforms.parse.InputFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class JsonLabelsConfigTest {

    @Test
    void defaultsMatchTheDocumentedOnes() {
        JsonLabelsConfig config = new JsonLabelsConfig(Map.of());

        assertThat(config.labelFields()).containsExactly(new LabelFieldSpec("level", "level"),
                new LabelFieldSpec("service", "service"));
        assertThat(config.timestampField()).isEqualTo("timestamp");
        assertThat(config.timestampFormat()).isEmpty();
        assertThat(config.messageField()).isEqualTo("message");
        assertThat(config.lineOutput()).isEqualTo(JsonLabelsConfig.LineOutput.MESSAGE);
        assertThat(config.metadataFields()).isEmpty();
        assertThat(config.staticLabels()).isEmpty();
        assertThat(config.labelHeaderPrefix()).isEqualTo(LokiHeaders.LABEL_PREFIX);
        assertThat(config.metadataHeaderPrefix()).isEqualTo(LokiHeaders.METADATA_PREFIX);
        assertThat(config.levelNormalize()).isTrue();
        assertThat(config.levelDefault()).isEmpty();
        assertThat(config.inputFormat()).isEqualTo(InputFormat.JSON);
        assertThat(config.onParseError()).isEqualTo(JsonLabelsConfig.OnParseError.PASSTHROUGH);
        assertThat(config.labelValueMaxLength()).isEqualTo(2048);
        assertThat(config.labelValuesMax()).isEqualTo(1000);
    }

    @Test
    void everyKeyIsDocumented() {
        for (ConfigDef.ConfigKey key : JsonLabelsConfig.CONFIG_DEF.configKeys().values()) {
            assertThat(key.documentation).as(key.name).isNotBlank();
        }
    }

    @Test
    void emptySegmentInALabelPathIsRejectedWithTheFix() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.fields", "kubernetes..namespace")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("label.fields")
                .hasMessageContaining("kubernetes..namespace")
                .hasMessageContaining("parent.child");
    }

    @Test
    void emptyRenameIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.fields", "lvl:")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("field:name");
    }

    @Test
    void twoEntriesGivingTheSameLabelNameAreRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.fields", "app-name,app.name")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'app-name' and 'app.name' both give name 'app_name'");
    }

    @Test
    void staticLabelWithoutEqualsIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "job")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("static.labels").hasMessageContaining("name=value");
    }

    @Test
    void staticLabelWithEmptyValueIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "job=")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("empty value");
    }

    @Test
    void staticLabelLongerThanTheValueLimitIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "job=abcdef",
                "label.value.max.length", "3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("label.value.max.length=3");
    }

    @Test
    void staticLabelNamesMustBeValidAndTheErrorGivesTheValidFormAsTheSinkDoes() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "k8s-cluster=eu1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("static.labels")
                .hasMessageContaining("use 'k8s_cluster'");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "job=a,job=b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThat(new JsonLabelsConfig(Map.of("static.labels", " k8s_cluster = eu1 ")).staticLabels())
                .containsExactly(Map.entry("k8s_cluster", "eu1"));
    }

    @Test
    void staticLabelValueLimitCountsUtf8BytesAtTheLimitAndAcrossIt() {
        // "é" is 2 bytes: 3 of them are 6 bytes.
        assertThat(new JsonLabelsConfig(Map.of("static.labels", "a=\u00e9\u00e9\u00e9",
                "label.value.max.length", "6")).staticLabels()).containsEntry("a", "\u00e9\u00e9\u00e9");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "a=\u00e9\u00e9\u00e9",
                "label.value.max.length", "5"))).hasMessageContaining("6 bytes");
        assertThat(new JsonLabelsConfig(Map.of("static.labels", "a=abcde", "label.value.max.length", "6"))
                .staticLabels()).containsEntry("a", "abcde");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "a=abcdefg",
                "label.value.max.length", "6"))).hasMessageContaining("7 bytes");
    }

    @Test
    void choiceValuesAreReadIgnoringCaseAndAnUnknownOneNamesTheAllowedValues() {
        JsonLabelsConfig config = new JsonLabelsConfig(Map.of("line.output", "ORIGINAL", "input.format", "LogFmt",
                "on.parse.error", "Fail"));
        assertThat(config.lineOutput()).isEqualTo(JsonLabelsConfig.LineOutput.ORIGINAL);
        assertThat(config.inputFormat()).isEqualTo(InputFormat.LOGFMT);
        assertThat(config.onParseError()).isEqualTo(JsonLabelsConfig.OnParseError.FAIL);
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("input.format", "xml")))
                .hasMessageContaining("input.format").hasMessageContaining("[json, logfmt, auto]");
        Map<String, ConfigValue> values = new HashMap<>();
        JsonLabelsConfig.CONFIG_DEF.validate(Map.of()).forEach(v -> values.put(v.name(), v));
        assertThat(values.get("input.format").recommendedValues()).containsExactly("json", "logfmt", "auto");
        assertThat(values.get("on.parse.error").recommendedValues()).containsExactly("passthrough", "fail");
        assertThat(values.get("line.output").recommendedValues()).containsExactly("message", "original");
    }

    @Test
    void eachBrokenCrossKeyRuleFailsOnItsKeyAndTheConstructorThrowsTheFirst() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("static.labels", "a=abc", "label.value.max.length", "2")))
                .hasMessageContaining("for configuration static.labels: the value is 3 bytes");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.fields", "service", "level.default", "info")))
                .hasMessageContaining("for configuration level.default: has no effect");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.header.prefix", "x.", "metadata.header.prefix",
                "x."))).hasMessageContaining("for configuration metadata.header.prefix: equals label.header.prefix");
        Map<String, String> all = Map.of("label.fields", "service", "level.default", "info",
                "label.header.prefix", "x.", "metadata.header.prefix", "x.", "static.labels", "a=abc",
                "label.value.max.length", "2");
        assertThatThrownBy(() -> new JsonLabelsConfig(all)).hasMessageContaining("for configuration static.labels");
        assertThat(new JsonLabelsConfig(Map.of()).labelFields()).isNotEmpty();
    }

    @Test
    void twoFieldEntriesGivingOneNameFailPerKeyValidation() {
        List<ConfigValue> values = JsonLabelsConfig.CONFIG_DEF.validate(Map.of("metadata.fields", "a.b,a_b"));
        assertThat(values.stream().filter(v -> v.name().equals("metadata.fields")).findFirst().orElseThrow()
                .errorMessages()).singleElement().asString().contains("both give name 'a_b'");
    }

    @Test
    void invalidTimestampPatternIsRejectedWithTheFix() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("timestamp.format", "yyyy-MM-dd {")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("timestamp.format")
                .hasMessageContaining("DateTimeFormatter pattern");
    }

    @Test
    void unknownEnumValuesAreRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("line.output", "both")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line.output");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("input.format", "xml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("input.format");
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("on.parse.error", "drop")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("on.parse.error");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.value.max.length", "0")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.values.max", "0")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void levelDefaultWithoutALevelLabelIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.fields", "service", "level.default", "info")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("level.default")
                .hasMessageContaining("lvl:level");
    }

    @Test
    void levelDefaultIsNormalised() {
        assertThat(new JsonLabelsConfig(Map.of("level.default", "WARNING")).levelDefault()).isEqualTo("warn");
    }

    @Test
    void samePrefixForLabelsAndMetadataIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("metadata.header.prefix", LokiHeaders.LABEL_PREFIX)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("different prefixes");
    }

    @Test
    void emptyPrefixIsRejected() {
        assertThatThrownBy(() -> new JsonLabelsConfig(Map.of("label.header.prefix", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("label.header.prefix");
    }

    @Test
    void emptyLabelFieldsIsAllowed() {
        assertThat(new JsonLabelsConfig(Map.of("label.fields", "")).labelFields()).isEmpty();
    }

    @Test
    void metadataFieldsAcceptRenames() {
        assertThat(new JsonLabelsConfig(Map.of("metadata.fields", "trace.id:trace_id,span_id")).metadataFields())
                .containsExactly(new LabelFieldSpec("trace.id", "trace_id"), new LabelFieldSpec("span_id", "span_id"));
    }

    @Test
    void validationReportsEveryBadKeyThroughConfigDef() {
        var results = JsonLabelsConfig.CONFIG_DEF.validate(Map.of("label.fields", "a..b", "label.values.max", "-1"));

        assertThat(results).filteredOn(v -> !v.errorMessages().isEmpty())
                .extracting(v -> v.name()).containsExactlyInAnyOrder("label.fields", "label.values.max");
    }
}
