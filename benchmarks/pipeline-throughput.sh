#!/usr/bin/env bash
# End-to-end throughput: N JSON lines (default 500000) from a file through the source, Kafka, the sink with
# JsonLabels, into the Loki-protocol receiver, with the local runner's broker and worker. Prints lines/s.
set -euo pipefail
cd "$(dirname "$0")/.."
# The reactor builds the plugins and the runner in place; nothing is installed into ~/.m2.
[ -f local-runner/target/classpath.txt ] || mvn -B -q -pl local-runner -am package -DskipTests
exec java -Xmx1g -cp "local-runner/target/classes:$(cat local-runner/target/classpath.txt)" \
  io.lokiconnect.runner.PipelineThroughput "$@"
