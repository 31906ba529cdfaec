package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack's scripts, run as their containers run them (sh, bash, curl; .ci/run installs curl), the REST
 * calls against a real worker of the local runner whose REST API asks for the password the secrets script made. No
 * Docker engine runs here, so this is what shows that the init job posts the connectors and the health check passes
 * with the right password, and that both fail with a wrong one.
 */
class ComposeScriptsIT {

    private static final Path ROOT = PluginDirs.projectRoot();
    private static final String MAKE_SECRETS = ROOT.resolve("deploy/secrets/make-secrets.sh").toString();

    @TempDir
    Path tmp;

    private record Run(int exit, String output) {
    }

    private static Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended", List.of(command)).isTrue();
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private Run makeSecrets(Map<String, String> env) throws Exception {
        return run(env, "sh", MAKE_SECRETS, tmp.resolve("connect").toString(), tmp.resolve("grafana").toString());
    }

    private String read(String file) throws IOException {
        return Files.readString(tmp.resolve(file), StandardCharsets.UTF_8);
    }

    @Test
    void theSecretsScriptGeneratesKeepsTakesAndRefusesPasswords() throws Exception {
        Run first = makeSecrets(Map.of("CONNECT_REST_USER", "ops"));
        assertThat(first.exit()).as(first.output()).isZero();
        String connect = read("connect/rest-password");
        String grafana = read("grafana/admin-password");
        assertThat(connect).matches("[A-Za-z0-9]{32}");
        assertThat(grafana).matches("[A-Za-z0-9]{32}").isNotEqualTo(connect);
        assertThat(read("connect/rest-user")).isEqualTo("ops");
        assertThat(first.output()).doesNotContain(connect).doesNotContain(grafana);
        // Read as Kafka's PropertyFileLoginModule reads it.
        Properties users = new Properties();
        try (InputStream in = Files.newInputStream(tmp.resolve("connect/rest-credentials.properties"))) {
            users.load(in);
        }
        assertThat(users).containsOnlyKeys("ops");
        assertThat(users.getProperty("ops")).isEqualTo(connect);
        for (String file : List.of("connect/rest-password", "connect/rest-user", "connect/rest-credentials.properties",
                "grafana/admin-password")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(file)))).as(file)
                    .isEqualTo("r--r--r--");
        }

        Run again = makeSecrets(Map.of("CONNECT_REST_USER", "ops"));
        assertThat(again.exit()).isZero();
        assertThat(read("connect/rest-password")).as("kept across starts").isEqualTo(connect);
        assertThat(read("grafana/admin-password")).isEqualTo(grafana);

        // At the limit, one below, and characters the files and the header cannot carry as they are.
        for (String refused : List.of("a".repeat(15), "a".repeat(15) + "\"", "a".repeat(15) + "\\",
                "a".repeat(15) + " b", "a".repeat(15) + "\u00e9", "$(touch " + tmp.resolve("pwned") + ")aaaaaa")) {
            Run bad = makeSecrets(Map.of("CONNECT_REST_PASSWORD", refused));
            assertThat(bad.exit()).as("refused: %s", refused).isEqualTo(1);
            assertThat(bad.output()).contains("CONNECT_REST_PASSWORD");
            assertThat(read("connect/rest-password")).as("unchanged after refusing %s", refused).isEqualTo(connect);
        }
        assertThat(tmp.resolve("pwned")).doesNotExist();
        Run badGrafana = makeSecrets(Map.of("GRAFANA_ADMIN_PASSWORD", "short"));
        assertThat(badGrafana.exit()).isEqualTo(1);
        assertThat(badGrafana.output()).contains("GRAFANA_ADMIN_PASSWORD must have at least 16 characters");
        Run badUser = makeSecrets(Map.of("CONNECT_REST_USER", "ad:min"));
        assertThat(badUser.exit()).isEqualTo(1);
        assertThat(badUser.output()).contains("CONNECT_REST_USER");

        String sixteen = "0123456789:=/+@%";
        Run given = makeSecrets(Map.of("CONNECT_REST_PASSWORD", sixteen, "GRAFANA_ADMIN_PASSWORD", "g".repeat(17)));
        assertThat(given.exit()).as(given.output()).isZero();
        assertThat(read("connect/rest-password")).isEqualTo(sixteen);
        assertThat(read("connect/rest-credentials.properties")).isEqualTo("admin=" + sixteen + "\n");
        assertThat(read("grafana/admin-password")).isEqualTo("g".repeat(17));
    }

    @Test
    void theInitJobAndTheHealthCheckGetInWithThePasswordAndNotWithout() throws Exception {
        assertThat(makeSecrets(Map.of()).exit()).isZero();
        String password = read("connect/rest-password");
        Path wrong = Files.createDirectories(tmp.resolve("wrong"));
        Files.writeString(wrong.resolve("rest-user"), "admin");
        Files.writeString(wrong.resolve("rest-password"), password.substring(1) + "x");

        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Files.writeString(logs.resolve("app.log"), "{\"level\":\"info\",\"message\":\"hello\"}\n");
        Map<String, String> env = new HashMap<>();
        env.put("LOG_PATHS", logs + "/*.log");
        env.put("RUN_DIR", tmp.resolve("run").toString());
        int connectPort = freePort();
        env.put("LOCAL_KAFKA_PORT", Integer.toString(freePort()));
        env.put("LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("LOCAL_CONNECT_PORT", Integer.toString(connectPort));
        env.put("LOCAL_LOKI_PORT", Integer.toString(freePort()));
        env.put("PROGRESS_INTERVAL_SECONDS", "3600");
        env.put("CONNECT_REST_PASSWORD", password);
        RunnerSettings settings = RunnerSettings.from(env, ROOT);
        try (LocalPipeline pipeline = new LocalPipeline(settings,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            pipeline.start();
            String url = "http://127.0.0.1:" + connectPort;
            String healthcheck = ROOT.resolve("deploy/connect/healthcheck.sh").toString();
            String post = ROOT.resolve("deploy/connect/post-connectors.sh").toString();

            Run healthy = run(Map.of(), "bash", healthcheck, tmp.resolve("connect").toString(),
                    Integer.toString(connectPort));
            assertThat(healthy.exit()).as(healthy.output()).isZero();
            Run unhealthy = run(Map.of(), "bash", healthcheck, wrong.toString(), Integer.toString(connectPort));
            assertThat(unhealthy.exit()).isNotZero();
            assertThat(unhealthy.output()).contains("401");

            Path posted = tmp.resolve("posted");
            Run refused = run(Map.of(), "sh", post, url, "connect-configs", wrong.toString(), posted.toString());
            assertThat(refused.exit()).isNotZero();
            assertThat(posted).doesNotExist();
            Run accepted = run(Map.of(), "sh", post, url, "connect-configs", tmp.resolve("connect").toString(),
                    posted.toString());
            assertThat(accepted.exit()).as(accepted.output()).isZero();
            assertThat(accepted.output()).contains("posting file-log-source", "posting loki-sink")
                    .doesNotContain(password);
            assertThat(posted).exists();
            assertThat(pipeline.snapshot().failedTasks()).isZero();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
