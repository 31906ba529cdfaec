package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.sink.client.TlsSettings;
import io.lokiconnect.sink.format.LineFormat;
import io.lokiconnect.sink.commit.RefusalRouter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
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

    /** Promtail's users put the tenant in the headers: it becomes the default tenant the sink keeps its books by. */
    @Test
    void anXScopeOrgIdInTheHeadersIsTheDefaultTenant() {
        LokiSinkConfig config = new LokiSinkConfig(props("loki.headers", "x-scope-orgid: team-a, X-Api-Key: k"));
        assertThat(config.tenantId()).isEqualTo("team-a");
        assertThat(config.clientSettings().extraHeaders()).containsExactly(Map.entry("X-Api-Key", "k"));
        assertThat(new LokiSinkConfig(props("loki.headers", "X-Scope-OrgID:team-a", "loki.tenant.id", "team-a"))
                .tenantId()).isEqualTo("team-a");
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.headers", "X-Scope-OrgID:team-a",
                "loki.tenant.id", "team-b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loki.headers")
                .hasMessageContaining("loki.tenant.id").hasMessageNotContaining("team-a");
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.headers", "X-Scope-OrgID:a/b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loki.headers")
                .hasMessageContaining("loki.tenant.id");
    }

    /**
     * Loki reads 'a|b' as several tenants and refuses a push to them (Loki 2.9/3.x
     * tenant.ExtractTenantIDFromHTTPRequest).
     */
    @Test
    void anXScopeOrgIdNamingSeveralTenantsFailsValidation() {
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.headers", "X-Scope-OrgID:team-a|team-b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loki.headers")
                .hasMessageContaining("multiple org IDs present").hasMessageNotContaining("team-a");
    }

    /** The connector tells each task how many share Loki's per-stream limit; a task's share is that part of it. */
    @Test
    void everyTaskKnowsHowManyTasksShareTheStreamLimit() {
        LokiSinkConnector connector = new LokiSinkConnector();
        connector.start(props("loki.limits.stream.rate.bytes", "3000", "loki.limits.stream.burst.bytes", "9000"));
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertThat(tasks).hasSize(3).allSatisfy(task -> {
            var limits = new LokiSinkConfig(task).pipelineSettings("t").limits();
            assertThat(limits.tasks()).isEqualTo(3);
            assertThat(limits.taskStreamRateBytes()).isEqualTo(1000);
            assertThat(limits.taskStreamBurstBytes()).isEqualTo(3000);
            assertThat(limits.streamBurstBytes()).isEqualTo(9000);
        });
        assertThat(new LokiSinkConfig(props()).pipelineSettings("t").limits().tasks()).isEqualTo(1);
        assertThatThrownBy(() -> new LokiSinkConfig(props("task.count", "0"))).isInstanceOf(ConfigException.class);
    }

    /** Connect's validate answer groups the keys for UIs: each key in its group, in order, with a display name. */
    @Test
    void everyKeyIsShownInItsGroupInOrderWithADisplayName() {
        assertThat(LokiSinkConfig.CONFIG_DEF.groups()).containsExactly("Loki", "Batching and retries", "Entries",
                "Routing: tenants, mappings, relabelling", "Loki's limits");
        Map<String, ConfigDef.ConfigKey> keys = LokiSinkConfig.CONFIG_DEF.configKeys();
        assertThat(keys.values().stream().filter(key -> !key.internalConfig)).allSatisfy(key -> {
            assertThat(key.group).as(key.name).isNotNull();
            assertThat(key.displayName).as(key.name).isNotBlank().isNotEqualTo(key.name);
            assertThat(key.width).as(key.name).isNotEqualTo(ConfigDef.Width.NONE);
        });
        assertThat(keys.get("loki.url")).satisfies(k -> {
            assertThat(k.group).isEqualTo("Loki");
            assertThat(k.orderInGroup).isEqualTo(1);
            assertThat(k.displayName).isEqualTo("Loki URL");
            assertThat(k.width).isEqualTo(ConfigDef.Width.LONG);
        });
        assertThat(keys.get("loki.limits.max.behind.ms").orderInGroup).isEqualTo(4);
        for (String group : LokiSinkConfig.CONFIG_DEF.groups()) {
            assertThat(keys.values().stream().filter(k -> group.equals(k.group)).map(k -> k.orderInGroup))
                    .as("places in %s, in definition order", group).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aBaseUrlGetsThePushPathAndAFullPushUrlIsKept() {
        assertThat(new LokiSinkConfig(props()).clientSettings().pushUrl()).isEqualTo("http://loki:3100/loki/api/v1/push");
        assertThat(new LokiSinkConfig(props("loki.url", "https://l.example.com/loki/api/v1/push")).clientSettings().pushUrl())
                .isEqualTo("https://l.example.com/loki/api/v1/push");
        assertThat(new LokiSinkConfig(props("loki.url", "http://loki:3100/")).clientSettings().readyUrl()).isEqualTo("http://loki:3100/ready");
    }

    @Test
    void defaultsMatchTheOriginalPipeline() {
        LokiSinkConfig config = new LokiSinkConfig(props());
        assertThat(config.pipelineSettings("t").batchMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.pipelineSettings("t").batchMaxWaitMs()).isEqualTo(1000);
        assertThat(config.pipelineSettings("t").retryPolicy().maxRetries()).isEqualTo(5);
        assertThat(config.pipelineSettings("t").protobuf()).isTrue();
        assertThat(config.lineFormat()).isEqualTo(LineFormat.VALUE);
        assertThat(config.pipelineSettings("t").behaviorOnRejected()).isEqualTo(RefusalRouter.Behavior.DLQ);
        assertThat(List.of(config.topicLabel(), config.partitionLabel(), config.filenameLabel(), config.hostLabel()))
                .containsOnly(false);
        assertThat(config.clientSettings().tls().truststoreType()).isEqualTo("PKCS12");
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
        assertThat(config.clientSettings().extraHeaders()).containsExactly(Map.entry("X-Api-Key", "s3cr3t-header"),
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

    /** The error messages of a dry-run validation (what the REST API answers and the worker logs). */
    private static String errors(Map<String, String> props) {
        return new LokiSinkConnector().validate(props).configValues().stream()
                .flatMap(v -> v.errorMessages().stream()).toList().toString();
    }

    /** Credentials in loki.url would be logged with the URL: refused, naming the auth keys, the password not shown. */
    @Test
    void credentialsInTheUrlAreRefusedNamingTheAuthKeysWithoutEchoingThem() {
        for (String url : new String[] {"http://admin:s3cr3t@loki:3100", "https://s3cr3t@loki.example.com/loki/api/v1/push",
                "http://us:s3cr3t@er@loki:3100/", "htp://user:s3cr3t@loki", "http://user:s3cr3t@loki:3100/${env:X}"}) {
            assertThatThrownBy(() -> new LokiSinkConfig(props("loki.url", url))).as(url)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("loki.url")
                    .hasMessageContaining("loki.auth.basic.username").hasMessageContaining("loki.auth.bearer.token")
                    .hasMessageNotContaining("s3cr3t");
            assertThat(errors(props("loki.url", url))).as(url).doesNotContain("s3cr3t")
                    .contains("loki.auth.basic.username");
        }
        // An '@' after the host (path, query) is no user info.
        assertThat(new LokiSinkConfig(props("loki.url", "http://loki:3100/a@b/loki/api/v1/push")).clientSettings().pushUrl())
                .isEqualTo("http://loki:3100/a@b/loki/api/v1/push");
    }

    /**
     * OkHttp's error for a header value it cannot send echoes the value; values that would reach it are refused by
     * validation, naming the key, never showing the value. At and around the limits: tab and '~' pass; a line break,
     * DEL and a multi-byte letter do not.
     */
    @Test
    void headerValuesOkHttpCannotSendAreRefusedWithoutEchoingThem() {
        for (String bad : new String[] {"s3cr3t\u00e9x", "s3cr3t\nx", "s3cr3t\u007fx", "s3cr3t\u0000x", "\ud83d\ude00s3cr3t"}) {
            String value = bad;
            for (String[] kv : new String[][] {{"loki.auth.bearer.token", value},
                    {"loki.headers", "X-Api-Key:" + value}}) {
                assertThatThrownBy(() -> new LokiSinkConfig(props(kv))).as("%s %s", kv[0], bad)
                        .isInstanceOf(ConfigException.class).hasMessageContaining(kv[0])
                        .hasMessageContaining("printable ASCII").hasMessageNotContaining("s3cr3t");
                assertThat(errors(props(kv))).contains(kv[0]).doesNotContain("s3cr3t");
            }
        }
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.headers", "X Api:s3cr3t")))
                .hasMessageContaining("header name").hasMessageNotContaining("s3cr3t");
        LokiSinkConfig ok = new LokiSinkConfig(props("loki.auth.bearer.token", "abc~!", "loki.headers", "X-Key:a\tb~"));
        assertThat(ok.clientSettings().extraHeaders()).containsEntry("X-Key", "a\tb~");
    }

    /**
     * A tenant Loki refuses (400 for every push: dskit's rule, see TenantIds) fails validation with Loki's reason;
     * before issue 19 any printable ASCII passed, and every entry went to the DLQ one by one after a split.
     */
    @Test
    void aTenantLokiWouldRefuseFailsValidationWithLokisReason() {
        for (String bad : new String[] {"team\ta", "team~a", "team a", "a/b", ".", "..", "a|b", "a".repeat(151),
                "caf\u00e9"}) {
            assertThatThrownBy(() -> new LokiSinkConfig(props("loki.tenant.id", bad))).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("loki.tenant.id")
                    .hasMessageContaining("Loki would refuse this tenant");
        }
        assertThat(new LokiSinkConfig(props("loki.tenant.id", "Team_A.prod!*'()")).tenantId())
                .isEqualTo("Team_A.prod!*'()");
        assertThat(new LokiSinkConfig(props("loki.tenant.id", "a".repeat(150))).tenantId()).hasSize(150);
        assertThat(new LokiSinkConfig(props()).tenantId()).isEmpty();
    }

    @Test
    void aStaticLabelWithTheReservedPrefixIsRefusedWithTheSanitisedName() {
        assertThatThrownBy(() -> new LokiSinkConfig(Map.of("loki.url", "http://loki:3100",
                "labels.static", "__job=x"))).hasMessageContaining("labels.static").hasMessageContaining("'_job'");
    }

    private static Map<String, ConfigValue> validated(Map<String, String> props) {
        Map<String, ConfigValue> values = new HashMap<>();
        new LokiSinkConnector().validate(props).configValues().forEach(v -> values.put(v.name(), v));
        return values;
    }

    @Test
    void choiceValuesAreReadIgnoringCaseAsTheStoreTypesAlwaysWere() {
        LokiSinkConfig config = new LokiSinkConfig(props("loki.encoding", "JSON", "line.format", "LogFmt",
                "behavior.on.rejected", "Fail", "labels.from.record", "Topic,PARTITION",
                "loki.tls.truststore.type", "jks", "loki.tls.keystore.type", "Pkcs12"));
        assertThat(config.pipelineSettings("t").protobuf()).isFalse();
        assertThat(config.lineFormat()).isEqualTo(LineFormat.LOGFMT);
        assertThat(config.pipelineSettings("t").behaviorOnRejected()).isEqualTo(RefusalRouter.Behavior.FAIL);
        assertThat(config.filenameLabel()).isFalse();
        assertThat(config.hostLabel()).isFalse();
        assertThat(config.topicLabel()).isTrue();
        assertThat(config.partitionLabel()).isTrue();
        TlsSettings tls = config.clientSettings().tls();
        assertThat(tls.truststoreType()).isEqualTo("JKS");
        assertThat(tls.keystoreType()).isEqualTo("PKCS12");
    }

    @Test
    void anUnknownChoiceNamesTheKeyAndEveryAllowedValue() {
        Map<String, ConfigValue> values = validated(props("loki.encoding", "avro", "line.format", "xml",
                "behavior.on.rejected", "drop", "labels.from.record", "topic,offset", "loki.tls.truststore.type", "BKS"));
        assertThat(values.get("loki.encoding").errorMessages()).singleElement().asString()
                .contains("loki.encoding").contains("avro").contains("[protobuf, json]");
        assertThat(values.get("line.format").errorMessages()).singleElement().asString()
                .contains("[value, json, logfmt]");
        assertThat(values.get("behavior.on.rejected").errorMessages()).singleElement().asString()
                .contains("behavior.on.rejected").contains("[dlq, log, fail]");
        assertThat(values.get("labels.from.record").errorMessages()).singleElement().asString()
                .contains("offset").contains("[topic, partition, filename, host]");
        assertThat(values.get("loki.tls.truststore.type").errorMessages()).singleElement().asString()
                .contains("[PKCS12, JKS, PEM]");
    }

    @Test
    void choiceKeysRecommendTheValuesOfTheirEnum() {
        Map<String, ConfigValue> values = validated(props());
        assertThat(values.get("loki.encoding").recommendedValues()).containsExactly("protobuf", "json");
        assertThat(values.get("line.format").recommendedValues()).containsExactly("value", "json", "logfmt");
        assertThat(values.get("behavior.on.rejected").recommendedValues()).containsExactly("dlq", "log", "fail");
        assertThat(values.get("labels.from.record").recommendedValues())
                .containsExactly("topic", "partition", "filename", "host");
        assertThat(values.get("loki.tls.keystore.type").recommendedValues()).containsExactly("PKCS12", "JKS", "PEM");
    }

    @Test
    void tlsSettingsAreReadByTheConfig(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path store = Files.write(dir.resolve("ca.p12"), new byte[] {1});
        LokiSinkConfig config = new LokiSinkConfig(props("loki.tls.truststore.location", store.toString(),
                "loki.tls.truststore.password", "pw", "loki.tls.verify.hostname", "false"));
        TlsSettings tls = config.clientSettings().tls();
        assertThat(tls.truststoreLocation()).isEqualTo(store.toString());
        assertThat(tls.truststorePassword()).containsExactly('p', 'w');
        assertThat(tls.keystoreLocation()).isEmpty();
        assertThat(tls.verifyHostname()).isFalse();
        assertThat(config.clientSettings().tls().truststoreLocation()).isEqualTo(store.toString());
    }

    @Test
    void everyBrokenCrossKeyRuleIsReportedByValidateAndTheConstructorThrowsTheFirst() {
        Map<String, String> props = props("loki.auth.basic.username", "u", "retry.backoff.min.ms", "5000",
                "retry.backoff.max.ms", "4999", "buffer.max.bytes", "2048", "batch.max.bytes", "2049");
        Map<String, ConfigValue> values = validated(props);
        assertThat(values.get("loki.auth.basic.password").errorMessages()).singleElement();
        assertThat(values.get("retry.backoff.min.ms").errorMessages()).singleElement().asString().contains("4999");
        assertThat(values.get("buffer.max.bytes").errorMessages()).singleElement().asString().contains("2049");
        assertThatThrownBy(() -> new LokiSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("loki.auth.basic.password");
        props.put("retry.backoff.max.ms", "5000");
        props.put("buffer.max.bytes", "2049");
        props.remove("loki.auth.basic.username");
        assertThat(validated(props).values()).allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    }

    @Test
    void staticLabelsReadAsTheTransformReadsThem() {
        assertThatThrownBy(() -> new LokiSinkConfig(props("labels.static", "job=")))
                .hasMessageContaining("labels.static").hasMessageContaining("empty value");
        assertThatThrownBy(() -> new LokiSinkConfig(props("labels.static", "job=a, job=b")))
                .hasMessageContaining("twice");
        assertThat(new LokiSinkConfig(props("labels.static", " job = a=b ")).staticLabels().asMap())
                .containsExactly(Map.entry("job", "a=b"));
    }
}
