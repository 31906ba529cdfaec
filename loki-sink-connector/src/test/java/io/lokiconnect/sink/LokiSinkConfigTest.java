package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class LokiSinkConfigTest {

    private static Map<String, String> props(String... kv) {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", "http://loki:3100"));
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return props;
    }

    @Test
    void aBaseUrlGetsThePushPathAndAFullPushUrlIsKept() {
        assertThat(new LokiSinkConfig(props()).pushUrl()).isEqualTo("http://loki:3100/loki/api/v1/push");
        assertThat(new LokiSinkConfig(props("loki.url", "https://l.example.com/loki/api/v1/push")).pushUrl())
                .isEqualTo("https://l.example.com/loki/api/v1/push");
        assertThat(new LokiSinkConfig(props("loki.url", "http://loki:3100/")).readyUrl()).isEqualTo("http://loki:3100/ready");
    }

    @Test
    void defaultsMatchTheOriginalPipeline() {
        LokiSinkConfig config = new LokiSinkConfig(props());
        assertThat(config.batchMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.batchMaxWaitMs()).isEqualTo(1000);
        assertThat(config.maxRetries()).isEqualTo(5);
        assertThat(config.protobuf()).isTrue();
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedWithTheFix() {
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.url", "htp://x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loki.url").hasMessageContaining("http(s)");
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.url", "${env:LOKI_ENDPOINT}")))
                .hasMessageContaining("LOKI_ENDPOINT");
    }

    @Test
    void basicAuthNeedsBothKeysAndExcludesABearerToken() {
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.auth.basic.username", "u")))
                .hasMessageContaining("loki.auth.basic.password");
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.auth.basic.username", "u",
                "loki.auth.basic.password", "p", "loki.auth.bearer.token", "t")))
                .hasMessageContaining("loki.auth.bearer.token");
    }

    @Test
    void staticLabelsAreParsedAndBadNamesRefused() {
        assertThat(new LokiSinkConfig(props("labels.static", "job=kafka-logs,env=prod")).staticLabels().text())
                .isEqualTo("{env=\"prod\", job=\"kafka-logs\"}");
        assertThatThrownBy(() -> new LokiSinkConfig(props("labels.static", "bad-name=x")))
                .hasMessageContaining("labels.static").hasMessageContaining("[a-zA-Z_]");
        assertThatThrownBy(() -> new LokiSinkConfig(props("labels.static", "noequals")))
                .hasMessageContaining("name=value");
    }

    @Test
    void missingTlsFilesAreNamed() {
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.tls.truststore.location", "/nope/ca.p12")))
                .hasMessageContaining("loki.tls.truststore.location").hasMessageContaining("not readable");
    }

    @Test
    void validateReportsCrossKeyProblemsOnTheKeyToFix() {
        Map<String, String> config = props("connector.class", LokiSinkConnector.class.getName(), "topics", "logs",
                "loki.auth.basic.username", "u");
        List<ConfigValue> values = new LokiSinkConnector().validate(config).configValues();
        ConfigValue password = values.stream().filter(v -> v.name().equals("loki.auth.basic.password")).findFirst()
                .orElseThrow();
        assertThat(password.errorMessages()).singleElement().asString().contains("set together");
    }

    @Test
    void validateWithConnectionCheckReportsAnUnreachableLokiOnTheUrl() {
        Map<String, String> config = props("loki.url", "http://127.0.0.1:1", "loki.validate.connection", "true",
                "request.timeout.ms", "500");
        ConfigValue url = new LokiSinkConnector().validate(config).configValues().stream()
                .filter(v -> v.name().equals("loki.url")).findFirst().orElseThrow();
        assertThat(url.errorMessages()).singleElement().asString().contains("/ready").contains("Check loki.url");
    }

    @Test
    void extraHeadersAreHiddenLikePasswordsAndStillParsed() {
        Map<String, String> props = new java.util.HashMap<>(Map.of("loki.url", "http://loki:3100",
                "loki.headers", "X-Api-Key:s3cr3t-header, X-Team : logs"));
        LokiSinkConfig config = new LokiSinkConfig(props);
        assertThat(config.extraHeaders()).containsExactly(Map.entry("X-Api-Key", "s3cr3t-header"),
                Map.entry("X-Team", "logs"));
        assertThat(LokiSinkConfig.CONFIG_DEF.configKeys().get("loki.headers").type)
                .isEqualTo(org.apache.kafka.common.config.ConfigDef.Type.PASSWORD);
        assertThat(config.toString()).doesNotContain("s3cr3t-header");
        assertThat(config.values().get("loki.headers").toString()).doesNotContain("s3cr3t-header");
    }

    @Test
    void aMalformedHeaderIsRefusedWithoutEchoingIt() {
        Map<String, String> props = Map.of("loki.url", "http://loki:3100", "loki.headers", "Bearer-s3cr3t-without-colon");
        assertThatThrownBy(() -> new LokiSinkConfig(props)).hasMessageContaining("loki.headers")
                .hasMessageContaining("X-Team:logs").hasMessageNotContaining("s3cr3t");
        org.apache.kafka.common.config.Config validated = new LokiSinkConnector().validate(props);
        assertThat(validated.configValues().toString()).doesNotContain("s3cr3t");
    }

    @Test
    void aStaticLabelWithTheReservedPrefixIsRefusedWithTheSanitisedName() {
        assertThatThrownBy(() -> new LokiSinkConfig(Map.of("loki.url", "http://loki:3100",
                "labels.static", "__job=x"))).hasMessageContaining("labels.static").hasMessageContaining("'_job'");
    }
}
