package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lokiconnect.common.files.GlobBase;
import io.lokiconnect.harness.PluginDirs;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.URIParameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What docker-compose.yml opens to the host, read as an operator would: every published port on loopback, no
 * anonymous Grafana, the Connect REST API's users wired from the secrets volume, the source confined to its roots.
 * The file is parsed (Jackson YAML); `.ci/run` validates it with Debian's docker-compose 1.29 as well.
 */
class ComposeSafeDefaultsTest {

    private static final Path ROOT = PluginDirs.projectRoot();
    /** ${NAME}, ${NAME:-default}, ${NAME-default}: what an unset variable gives is the default, or nothing. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::?-([^}]*))?}");

    /** The value compose uses with none of the variables set; empty for a variable without default. */
    static String withVariablesUnset(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * The host address of a short-syntax port ({@code [HOST:]HOST_PORT:CONTAINER_PORT[/PROTO]} or
     * {@code CONTAINER_PORT}, IPv6 in brackets), empty when it names none, i.e. every interface.
     */
    static Optional<String> hostAddress(String port) {
        String spec = port.replaceFirst("/(tcp|udp|sctp)$", "");
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            return Optional.of(spec.substring(1, close));
        }
        String[] parts = spec.split(":", -1);
        return parts.length == 3 ? Optional.of(parts[0]) : Optional.empty();
    }

    /** An IP literal of the loopback network (127.0.0.0/8, ::1); a host name or an empty address is not. */
    static boolean isLoopback(String address) {
        if (!address.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:8083:8083          | true",
            "127.0.0.1::8083              | true",
            "127.0.0.1:8000-8010:8000-8010/udp | true",
            "127.255.255.254:3000:3000    | true",
            "[::1]:8083:8083              | true",
            "${X:-127.0.0.1}:8083:8083    | true",
            "${X-127.0.0.1}:8083:8083     | true",
            "8083:8083                    | false",
            "8083                         | false",
            "0.0.0.0:8083:8083            | false",
            "[::]:8083:8083               | false",
            "128.0.0.1:8083:8083          | false",
            "126.255.255.255:8083:8083    | false",
            "localhost:8083:8083          | false",
            "${X}:8083:8083               | false",
            "${X:-0.0.0.0}:8083:8083      | false",
            "192.168.1.10:8083:8083/tcp   | false"})
    void theCheckKnowsLoopbackFromEveryInterface(String port, boolean loopback) {
        assertThat(hostAddress(withVariablesUnset(port)).filter(ComposeSafeDefaultsTest::isLoopback).isPresent())
                .isEqualTo(loopback);
    }

    @Test
    void everyPublishedPortListensOnTheHostsLoopbackOnly() throws Exception {
        List<String> open = new ArrayList<>();
        int published = 0;
        for (Map.Entry<String, JsonNode> service : fields(ComposeFileTest.compose().path("services"))) {
            JsonNode spec = service.getValue();
            assertThat(spec.path("network_mode").asText()).as("%s network_mode", service.getKey()).isNotEqualTo("host");
            for (JsonNode port : spec.path("ports")) {
                published++;
                String address = port.isObject()
                        ? withVariablesUnset(port.path("host_ip").asText())          // long syntax (Compose v2)
                        : hostAddress(withVariablesUnset(port.asText())).orElse("");
                if (!isLoopback(address)) {
                    open.add(service.getKey() + ": " + port);
                }
            }
        }
        assertThat(published).as("ports the stack publishes (Connect, Loki, Grafana)").isEqualTo(3);
        assertThat(open).as("ports published beyond the host's loopback").isEmpty();
    }

    /** Each port opens only through its own variable, named in the README. */
    @Test
    void eachPortOpensOnlyThroughItsOwnVariable() throws Exception {
        JsonNode services = ComposeFileTest.compose().path("services");
        assertThat(services.path("connect").path("ports").get(0).asText())
                .isEqualTo("${CONNECT_PUBLISH_ADDRESS:-127.0.0.1}:8083:8083");
        assertThat(services.path("loki").path("ports").get(0).asText())
                .isEqualTo("${LOKI_PUBLISH_ADDRESS:-127.0.0.1}:3100:3100");
        assertThat(services.path("grafana").path("ports").get(0).asText())
                .isEqualTo("${GRAFANA_PUBLISH_ADDRESS:-127.0.0.1}:3000:3000");
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(List.of("CONNECT_PUBLISH_ADDRESS", "LOKI_PUBLISH_ADDRESS", "GRAFANA_PUBLISH_ADDRESS"))
                .as("variables the README explains").allMatch(readme::contains);
    }

    @Test
    void grafanaAsksEveryoneToLogInWithAGeneratedOrGivenAdminPassword() throws Exception {
        JsonNode compose = ComposeFileTest.compose();
        JsonNode grafana = compose.path("services").path("grafana");
        JsonNode env = grafana.path("environment");
        assertThat(env.path("GF_AUTH_ANONYMOUS_ENABLED").asText()).isEqualTo("false");
        assertThat(env.has("GF_AUTH_ANONYMOUS_ORG_ROLE")).isFalse();
        assertThat(env.has("GF_SECURITY_ADMIN_PASSWORD")).as("a password in the file itself").isFalse();
        String passwordFile = env.path("GF_SECURITY_ADMIN_PASSWORD__FILE").asText();
        assertThat(passwordFile).isEqualTo("/etc/grafana/secrets/admin-password");
        assertThat(mounts(grafana)).contains("grafana-secrets:/etc/grafana/secrets:ro");
        // The secrets service writes admin-password into that volume before Grafana starts.
        JsonNode secrets = compose.path("services").path("secrets");
        assertThat(mounts(secrets)).contains("grafana-secrets:/secrets/grafana");
        assertThat(secrets.path("entrypoint").toString()).contains("\"/secrets/grafana\"");
        assertThat(grafana.path("depends_on").path("secrets").path("condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(Files.readString(ROOT.resolve("deploy/secrets/make-secrets.sh")))
                .contains("put \"$grafana_dir/admin-password\"");
    }

    /**
     * The worker's JVM is given the JAAS file of the repository, whose credentials file is the one the secrets service
     * writes into the volume the worker mounts; the init job and the health check read the same volume.
     */
    @Test
    void theWorkersRestUsersComeFromTheSecretsVolume() throws Exception {
        JsonNode compose = ComposeFileTest.compose();
        JsonNode connect = compose.path("services").path("connect");
        assertThat(connect.path("environment").path("KAFKA_OPTS").asText())
                .isEqualTo("-Djava.security.auth.login.config=/etc/loki-connect/rest-jaas.conf");
        assertThat(mounts(connect)).contains("./deploy/connect/rest-jaas.conf:/etc/loki-connect/rest-jaas.conf:ro",
                "connect-secrets:/etc/loki-connect/secrets:ro",
                "./deploy/connect/healthcheck.sh:/etc/loki-connect/healthcheck.sh:ro");
        assertThat(connect.path("depends_on").path("secrets").path("condition").asText())
                .isEqualTo("service_completed_successfully");

        Configuration jaas = Configuration.getInstance("JavaLoginConfig",
                new URIParameter(ROOT.resolve("deploy/connect/rest-jaas.conf").toUri()));
        AppConfigurationEntry[] entries = jaas.getAppConfigurationEntry("KafkaConnect");
        assertThat(entries).hasSize(1);
        assertThat(entries[0].getLoginModuleName())
                .isEqualTo("org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule");
        assertThat(entries[0].getControlFlag()).isEqualTo(AppConfigurationEntry.LoginModuleControlFlag.REQUIRED);
        assertThat(entries[0].getOptions().get("file")).isEqualTo("/etc/loki-connect/secrets/rest-credentials.properties");

        JsonNode secrets = compose.path("services").path("secrets");
        assertThat(mounts(secrets)).contains("connect-secrets:/secrets/connect");
        assertThat(secrets.path("entrypoint").toString()).contains("\"/secrets/connect\"");
        assertThat(Files.readString(ROOT.resolve("deploy/secrets/make-secrets.sh")))
                .contains("put \"$connect_dir/rest-credentials.properties\"", "put \"$connect_dir/rest-user\"",
                        "put \"$connect_dir/rest-password\"");
        assertThat(connect.path("healthcheck").path("test").toString()).contains("/etc/loki-connect/healthcheck.sh");

        JsonNode init = compose.path("services").path("connect-init");
        assertThat(mounts(init)).contains("connect-secrets:/secrets:ro");
        assertThat(init.path("entrypoint").toString()).endsWith(",\"/secrets\"]");

        Properties worker = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve("connect-configs/worker.properties"))) {
            worker.load(in);
        }
        assertThat(worker.getProperty("rest.extension.classes"))
                .isEqualTo("org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension");
    }

    /** No password of any service is written in the file: each comes from the environment or the secrets service. */
    @Test
    void noSecretIsCommitted() throws Exception {
        String text = Files.readString(ROOT.resolve("docker-compose.yml"));
        Matcher m = Pattern.compile("(?m)^\\s*(\\w*(PASSWORD|SECRET|TOKEN)\\w*):\\s*(.*)$").matcher(text);
        int seen = 0;
        while (m.find()) {
            if (m.group(1).endsWith("__FILE")) {
                continue; // a path, the Grafana check above follows it
            }
            seen++;
            assertThat(m.group(3)).as(m.group(1)).isEqualTo("${" + m.group(1) + ":-}");
        }
        assertThat(seen).as("password variables passed to the secrets service").isEqualTo(2);
    }

    /** The default LOG_PATHS lies inside the default LOG_ALLOWED_ROOTS, so the stack starts; nothing else does. */
    @Test
    void theSourceIsConfinedToTheDirectoriesItShips() throws Exception {
        JsonNode env = ComposeFileTest.compose().path("x-pipeline-env");
        List<String> roots = List.of(withVariablesUnset(env.path("LOG_ALLOWED_ROOTS").asText()).split(","));
        assertThat(roots).containsExactly("/var/log", "/app/logs", "/opt/loki-connect/logs");
        for (String glob : withVariablesUnset(env.path("LOG_PATHS").asText()).split(",")) {
            Path base = GlobBase.of(glob);
            assertThat(roots).as("a root holding %s", glob).anyMatch(root -> base.startsWith(Path.of(root)));
        }
        assertThat(Files.readString(ROOT.resolve("connect-configs/file-log-source.json")))
                .contains("\"paths.allowed.roots\": \"${env:LOG_ALLOWED_ROOTS}\"");
    }

    /** The example configs in the plugin archives (etc/) are copied as they are: they confine the source too. */
    @Test
    void everyShippedSourceExampleConfinesItsPathsToAllowedRoots() throws Exception {
        List<Path> examples = List.of(
                ROOT.resolve("file-log-source-connector/src/main/component/etc/file-log-source.json"),
                ROOT.resolve("transforms/src/main/component/etc/json-labels-on-source.json"));
        for (Path example : examples) {
            JsonNode config = new ObjectMapper().readTree(example.toFile()).path("config");
            String allowed = config.path("paths.allowed.roots").asText("");
            assertThat(allowed).as("paths.allowed.roots in %s", example).isNotBlank();
            List<String> roots = List.of(allowed.split(","));
            for (String glob : config.path("paths").asText().split(",")) {
                Path base = GlobBase.of(glob);
                assertThat(roots).as("%s: a root holding %s", example, glob)
                        .anyMatch(root -> base.startsWith(Path.of(root)));
            }
        }
    }

    @Test
    void ciStillValidatesTheComposeFile() throws Exception {
        assertThat(Files.readAllLines(ROOT.resolve(".ci/run")))
                .contains("docker-compose -f docker-compose.yml config -q");
    }

    private static List<String> mounts(JsonNode service) {
        List<String> mounts = new ArrayList<>();
        service.path("volumes").forEach(v -> mounts.add(v.asText()));
        return mounts;
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        node.fields().forEachRemaining(fields::add);
        return fields;
    }
}
