package io.lokiconnect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's keys at config time: each mapping and relabel rule is validated and its errors name the rule's key
 * (in the constructor a task runs and in the connector's validate, which the REST dry run calls); the auth keys.
 */
class RoutingConfigTest {

    @TempDir
    Path dir;

    private static Map<String, String> props(String... kv) {
        Map<String, String> props = new HashMap<>(Map.of("loki.url", "http://loki:3100"));
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return props;
    }

    /** Every error message of the connector's validate, by key. */
    private static Map<String, List<String>> errors(Map<String, String> props) {
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue v : new LokiSinkConnector().validate(props).configValues()) {
            if (!v.errorMessages().isEmpty()) {
                errors.put(v.name(), v.errorMessages());
            }
        }
        return errors;
    }

    private static void refused(String key, String fragment, String... kv) {
        assertThatThrownBy(() -> new LokiSinkConfig(props(kv))).as(key).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key).hasMessageContaining(fragment);
        assertThat(errors(props(kv))).as("validate").containsKey(key);
        assertThat(String.join(" ", errors(props(kv)).get(key))).contains(fragment);
    }

    @Test
    void aRelabelRuleWithABadRegexActionOrTargetFailsNamingTheRulesKey() {
        refused("relabel.rule.env.regex", "is not a regex", "relabel.rules", "env",
                "relabel.rule.env.regex", "(unclosed", "relabel.rule.env.target.label", "env");
        refused("relabel.rule.env.action", "[replace, keep, drop, labeldrop, labelkeep, labelmap]", "relabel.rules",
                "env", "relabel.rule.env.action", "hashmod");
        refused("relabel.rule.env.target.label", "needs a target label", "relabel.rules", "env");
        refused("relabel.rule.env.target.label", "is not a label name", "relabel.rules", "env",
                "relabel.rule.env.target.label", "9env");
        refused("relabel.rule.env.target.label", "template", "relabel.rules", "env",
                "relabel.rule.env.target.label", "env-$1");
        refused("relabel.rule.tidy.source.labels", "takes only", "relabel.rules", "tidy",
                "relabel.rule.tidy.action", "labeldrop", "relabel.rule.tidy.source.labels", "a");
        refused("relabel.rule.map.replacement", "label name template", "relabel.rules", "map",
                "relabel.rule.map.action", "labelmap", "relabel.rule.map.replacement", "a-b");
        refused("relabel.rule.env.source.labels", "'a-b' is not a label name", "relabel.rules", "env",
                "relabel.rule.env.source.labels", "a-b", "relabel.rule.env.target.label", "env");
        refused("relabel.rules", "twice", "relabel.rules", "a,a", "relabel.rule.a.target.label", "x");
    }

    @Test
    void aMappingRuleWithoutItsSourceOrWithHalfAHeaderFailsNamingTheRulesKey() {
        refused("mapping.team.source", "no default value", "mappings", "team");
        refused("mapping.team.source", "[key, header, topic, partition]", "mappings", "team",
                "mapping.team.source", "offset");
        refused("mapping.team.header", "exactly one of", "mappings", "team", "mapping.team.source", "header");
        refused("mapping.team.header", "exactly one of", "mappings", "team", "mapping.team.source", "header",
                "mapping.team.header", "x-team", "mapping.team.header.pattern", "x-.*");
        refused("mapping.team.header", "only with", "mappings", "team", "mapping.team.source", "key",
                "mapping.team.header", "x-team");
        refused("mapping.team.regex", "is not a regex", "mappings", "team", "mapping.team.source", "key",
                "mapping.team.regex", "[a-");
        refused("mapping.team.target", "[label, metadata, tenant]", "mappings", "team", "mapping.team.source", "key",
                "mapping.team.target", "stream");
    }

    @Test
    void validRulesPassAndTheirKeysAreDocumentedInTheValidateAnswer() {
        Map<String, String> props = props("mappings", "team", "mapping.team.source", "header",
                "mapping.team.header", "x-team", "mapping.team.target", "tenant",
                "relabel.rules", "drop-debug", "relabel.rule.drop-debug.action", "drop",
                "relabel.rule.drop-debug.source.labels", "level", "relabel.rule.drop-debug.regex", "debug");
        LokiSinkConfig config = new LokiSinkConfig(props);
        assertThat(config.mappings()).hasSize(1);
        assertThat(config.relabeler().rules()).hasSize(1);
        assertThat(errors(props)).isEmpty();
        assertThat(new LokiSinkConnector().validate(props).configValues()).extracting(ConfigValue::name)
                .contains("mapping.team.regex", "relabel.rule.drop-debug.replacement");
    }

    @Test
    void theTokenFileIsOneOfTheThreeWaysToAuthenticateAndMustBeReadable() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t");
        assertThat(new LokiSinkConfig(props("loki.auth.bearer.token.file", token.toString())).clientSettings()
                .bearerTokenFile()).isEqualTo(token.toString());
        refused("loki.auth.bearer.token.file", "not readable", "loki.auth.bearer.token.file",
                dir.resolve("absent").toString());
        refused("loki.auth.bearer.token.file", "use one of", "loki.auth.bearer.token.file", token.toString(),
                "loki.auth.bearer.token", "x");
    }

    @Test
    void theProxyIsAnHttpUrlWithoutCredentialsAndNoProxyFallsBackToTheEnvironment() {
        refused("loki.proxy.url", "is not an http proxy URL", "loki.proxy.url", "socks5://proxy:1080");
        refused("loki.proxy.url", "holds credentials", "loki.proxy.url", "http://user:s3cr3t@proxy:3128");
        assertThatThrownBy(() -> new LokiSinkConfig(props("loki.proxy.url", "http://user:s3cr3t@proxy:3128")))
                .hasMessageNotContaining("s3cr3t");
        LokiSinkConfig config = new LokiSinkConfig(props("loki.proxy.url", "http://proxy:3128",
                "loki.proxy.no.proxy", "loki.internal"));
        assertThat(config.clientSettings().proxyUrl()).isEqualTo("http://proxy:3128");
        assertThat(config.clientSettings().noProxy()).isEqualTo("loki.internal");
        String env = System.getenv("NO_PROXY") != null && !System.getenv("NO_PROXY").isBlank()
                ? System.getenv("NO_PROXY") : System.getenv("no_proxy") == null ? "" : System.getenv("no_proxy");
        assertThat(new LokiSinkConfig(props()).clientSettings().noProxy()).isEqualTo(env);
    }

    @Test
    void aPemKeyFileIsReadOnlyWithThePemKeyStoreType() throws Exception {
        Path key = Files.writeString(dir.resolve("tls.key"), "x");
        refused("loki.tls.key.location", "only with loki.tls.keystore.type=PEM", "loki.tls.key.location",
                key.toString());
        refused("loki.tls.key.location", "not readable", "loki.tls.key.location", dir.resolve("absent").toString(),
                "loki.tls.keystore.type", "PEM");
        assertThat(new LokiSinkConfig(props("loki.tls.keystore.type", "pem", "loki.tls.key.location",
                key.toString())).clientSettings().tls().keyLocation()).isEqualTo(key.toString());
    }
}
