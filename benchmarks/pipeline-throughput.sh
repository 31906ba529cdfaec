#!/usr/bin/env bash
# End-to-end throughput: N JSON lines (default 500000) from a file through the source, Kafka, the sink with
# JsonLabels, into the Loki-protocol receiver, with the local runner's broker and worker. Prints lines/s.
set -euo pipefail
cd "$(dirname "$0")/.."
# The reactor builds the plugins, the runner and this module in place; nothing is installed into ~/.m2.
[ -f local-runner/target/classpath.txt ] \
  && [ -f benchmarks/target/classes/io/lokiconnect/benchmarks/pipeline/PipelineThroughput.class ] \
  || mvn -B -q -pl benchmarks -am package -DskipTests
exec java -Xmx1g -cp "benchmarks/target/classes:local-runner/target/classes:$(cat local-runner/target/classpath.txt)" \
  io.lokiconnect.benchmarks.pipeline.PipelineThroughput "$@"
