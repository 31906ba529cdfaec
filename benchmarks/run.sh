#!/usr/bin/env bash
# Writes BENCHMARKS.md: the plugins inside a real broker and Connect worker (child JVMs), against Kafka's
# FileStreamSourceConnector and raw clients, end to end with connect-configs/ as shipped, flight recordings of the
# worker, and the JMH benchmarks with -prof gc. About 15 minutes on 2 cores.
#   benchmarks/run.sh                 full run, writes BENCHMARKS.md (hand-written analysis below its marker is kept)
#   benchmarks/run.sh --smoke         a few seconds of each scenario, writes benchmarks/target/BENCHMARKS-smoke.md
#   benchmarks/run.sh --only many-files   1 to 10,000 files (first record, all records, idle CPU, appended line,
#                                     restart; FileStream, a raw producer and Fluent Bit if installed beside it):
#                                     rewrites only its own section of BENCHMARKS.md (about 12 minutes)
#   options: --runs N, --only source,sink,e2e,jmh,many-files, --out FILE, --no-build (use what is built)
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi
done
if [ $build = 1 ]; then
  # The reactor builds the plugins, the local runner's launchers and this module; nothing is installed.
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
exec java -Xmx3g ${BENCH_JAVA_OPTS:-} -Dbench.command="benchmarks/run.sh $*" \
  -cp "benchmarks/target/classes:local-runner/target/classes:$(cat local-runner/target/classpath.txt)" \
  io.lokiconnect.benchmarks.worker.WorkerBenchmarks "${args[@]}"
