package io.lokiconnect.runner;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lokiconnect.harness.PluginDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures end with a message saying what to do, before anything is started. */
class LocalPipelineStartupTest {

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Map<String, String> env() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("RUN_DIR", tmp.resolve("run").toString());
        env.put("LOG_PATHS", tmp + "/*.log");
        env.put("LOCAL_KAFKA_PORT", Integer.toString(freePort()));
        env.put("LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("LOCAL_CONNECT_PORT", Integer.toString(freePort()));
        env.put("LOCAL_LOKI_PORT", Integer.toString(freePort()));
        return env;
    }

    private static LocalPipeline pipeline(Map<String, String> env) {
        return new LocalPipeline(RunnerSettings.from(env, PluginDirs.projectRoot()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void aTakenPortNamesTheVariableToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> env = env();
            env.put("LOCAL_CONNECT_PORT", Integer.toString(taken.getLocalPort()));
            try (LocalPipeline pipeline = pipeline(env)) {
                assertThatThrownBy(pipeline::start).isInstanceOf(LocalPipeline.StartupException.class)
                        .hasMessageContaining("port " + taken.getLocalPort() + " is taken")
                        .hasMessageContaining("LOCAL_CONNECT_PORT=<port>");
            }
        }
    }

    @Test
    void anUnreadableLogPathSaysToCheckTheMount() throws Exception {
        Map<String, String> env = env();
        env.put("LOG_PATHS", tmp.resolve("missing") + "/*.log");
        try (LocalPipeline pipeline = pipeline(env)) {
            assertThatThrownBy(pipeline::start).isInstanceOf(LocalPipeline.StartupException.class)
                    .hasMessageContaining("does not exist or is not readable")
                    .hasMessageContaining("volume mount");
        }
    }

    @Test
    void aLogPathIsCheckedFromTheBaseDirectoryTheSourceWalks() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("logs/app"));
        Path file = java.nio.file.Files.writeString(dir.resolve("one.log"), "x\n");
        LocalPipeline.checkLogPaths(dir + "/*.log");
        LocalPipeline.checkLogPaths(tmp + "/logs/**/*.log");
        LocalPipeline.checkLogPaths(tmp + "/logs/a*/*.log");
        LocalPipeline.checkLogPaths(file.toString()); // a single file: its directory must exist
        LocalPipeline.checkLogPaths(dir + "/not-yet.log"); // an application that has not logged yet
        assertThatThrownBy(() -> LocalPipeline.checkLogPaths(tmp + "/nope/*.log"))
                .hasMessageContaining(tmp + "/nope");
        assertThatThrownBy(() -> LocalPipeline.checkLogPaths(dir + "/*.log, " + tmp + "/gone/x.log"))
                .hasMessageContaining("'" + tmp + "/gone/x.log'");
    }

    @Test
    void anUnreachableKafkaSaysToCheckKafkaBrokers() throws Exception {
        Map<String, String> env = env();
        env.put("KAFKA_BROKERS", "127.0.0.1:" + freePort());
        try (LocalPipeline pipeline = pipeline(env)) {
            assertThatThrownBy(pipeline::start).isInstanceOf(LocalPipeline.StartupException.class)
                    .hasMessageContaining("is unreachable: check KAFKA_BROKERS");
        }
    }
}
