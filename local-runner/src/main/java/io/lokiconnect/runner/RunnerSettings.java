package io.lokiconnect.runner;

import io.lokiconnect.harness.RestCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What the local runner does, from the original pipeline's environment variables (same names, same
 * defaults) plus a few of its own for ports and the working directory.
 *
 * @param kafkaBrokers   KAFKA_BROKERS: when set, that cluster is used and no broker is started
 * @param topic          KAFKA_TOPIC (default {@code logs})
 * @param logPaths       LOG_PATHS: when unset, a sample directory the runner keeps writing into
 * @param consumerGroup  KAFKA_CONSUMER_GROUP (default {@code loki-consumer-group})
 * @param lokiEndpoint   LOKI_ENDPOINT: when unset, a Loki-protocol receiver on 127.0.0.1:{@code lokiPort}
 * @param workDir        RUN_DIR (default {@code <repo>/run}): broker data, worker config, logs, received entries
 * @param logAllowedRoots LOG_ALLOWED_ROOTS, the source's {@code paths.allowed.roots}: when unset, the directories
 *                       of the LOG_PATHS globs
 * @param restUser       CONNECT_REST_USER (default {@code admin})
 * @param restCredentials CONNECT_REST_USER and CONNECT_REST_PASSWORD when the password is set; else the worker keeps
 *                       or generates one
 */
public record RunnerSettings(
        Path projectRoot,
        Path workDir,
        Optional<String> kafkaBrokers,
        String topic,
        Optional<String> logPaths,
        String consumerGroup,
        Optional<String> lokiEndpoint,
        int kafkaPort,
        int controllerPort,
        int connectPort,
        int lokiPort,
        Duration progressInterval,
        boolean fresh,
        Optional<String> logAllowedRoots,
        String restUser,
        Optional<RestCredentials> restCredentials) {

    private static final String DEFAULT_TOPIC = "logs";
    private static final String DEFAULT_CONSUMER_GROUP = "loki-consumer-group";

    /** Reads the settings from environment variables; {@code args} may hold {@code --fresh}. */
    public static RunnerSettings from(Map<String, String> env, Path projectRoot, String... args) {
        boolean fresh = false;
        for (String arg : args) {
            if ("--fresh".equals(arg)) {
                fresh = true;
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "': the only option is --fresh"
                        + " (wipes the broker data and sample logs of earlier runs)");
            }
        }
        Path workDir = optional(env, "RUN_DIR").map(Path::of).orElse(projectRoot.resolve("run")).toAbsolutePath();
        String restUser = optional(env, RestCredentials.USER_VARIABLE).orElse(RestCredentials.DEFAULT_USER);
        RestCredentials.checkUser(restUser);
        // Not trimmed: a password is taken as given, and one with spaces around it is refused, not changed.
        String restPassword = env.get(RestCredentials.PASSWORD_VARIABLE);
        Optional<RestCredentials> restCredentials = restPassword == null || restPassword.isEmpty() ? Optional.empty()
                : Optional.of(new RestCredentials(restUser, restPassword));
        return new RunnerSettings(
                projectRoot,
                workDir,
                optional(env, "KAFKA_BROKERS"),
                optional(env, "KAFKA_TOPIC").orElse(DEFAULT_TOPIC),
                optional(env, "LOG_PATHS"),
                optional(env, "KAFKA_CONSUMER_GROUP").orElse(DEFAULT_CONSUMER_GROUP),
                optional(env, "LOKI_ENDPOINT"),
                port(env, "LOCAL_KAFKA_PORT", 9092),
                port(env, "LOCAL_KAFKA_CONTROLLER_PORT", 9093),
                port(env, "LOCAL_CONNECT_PORT", 8083),
                port(env, "LOCAL_LOKI_PORT", 3100),
                Duration.ofSeconds(port(env, "PROGRESS_INTERVAL_SECONDS", 5)),
                fresh,
                optional(env, "LOG_ALLOWED_ROOTS"),
                restUser,
                restCredentials);
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static int port(Map<String, String> env, String name, int defaultValue) {
        Optional<String> value = optional(env, name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int port = Integer.parseInt(value.get());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + value.get() + "' is not a number from 0 to 65535");
        }
    }
}
