#!/usr/bin/env bash
# Runs the whole pipeline on this machine: files -> Kafka Connect source -> Kafka -> Connect sink -> Loki.
# Needs only Java 17 and Maven. Environment (same names and defaults as the original Alloy pipeline):
#   KAFKA_BROKERS         use this Kafka instead of starting a local single-node broker
#   KAFKA_TOPIC           topic of the log records (default: logs)
#   LOG_PATHS             comma-separated globs to tail (default: sample logs written under run/sample-logs)
#   KAFKA_CONSUMER_GROUP  consumer group of the Loki sink (default: loki-consumer-group)
#   LOKI_ENDPOINT         Loki push URL (default: a Loki-protocol receiver started on 127.0.0.1:3100)
#   LOG_ALLOWED_ROOTS     directories the source may read (paths.allowed.roots; default: those of LOG_PATHS)
#   CONNECT_REST_USER, CONNECT_REST_PASSWORD  the Connect REST API's basic authentication (default: admin and a
#                         random password kept in run/connect/rest-password)
# Options: --fresh wipes run/ (broker data, offsets, sample logs) first.
# Ctrl-C or SIGTERM stops the connectors, the worker, then the broker. If the runner is killed (kill -9), the
# broker and worker see its pipe to them close and stop on their own (the harness module's ExitWithRunner).
set -euo pipefail
cd "$(dirname "$0")"

built() {
  # A class path from before the REST API asked for a password lacks Kafka's basic-auth extension: build again.
  [ -f local-runner/target/classpath.txt ] && [ -d local-runner/target/classes/io ] \
    && grep -q connect-basic-auth-extension local-runner/target/classpath.txt \
    && [ -d file-log-source-connector/target/plugin/file-log-source-connector ] \
    && [ -d transforms/target/plugin/json-label-transforms ] \
    && [ -d loki-sink-connector/target/plugin/loki-sink-connector ]
}

if ! built; then
  echo "building the plugins and the runner (first run only): mvn -B -q install -DskipTests"
  mvn -B -q install -DskipTests
fi

exec java -Xmx512m -cp "local-runner/target/classes:$(cat local-runner/target/classpath.txt)" \
  io.lokiconnect.runner.LocalPipeline "$@"
