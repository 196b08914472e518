#!/usr/bin/env bash
# The chaos benchmark: steady load on an in-process gateway while simulated deployments fail (500, hang, process
# stop), recover, the configuration file changes and a fallback model takes over. Reports success rate, latency
# (p50/p99, added against the healthy baseline) and the time until traffic moves, per phase.
#   bench/chaos.sh                  8 s per phase, 8 workers (about 90 s)
#   bench/chaos.sh 15 16            15 s per phase, 16 workers
# Output: console and bench/out/chaos.md. The driver is src/test/java/dev/tollgate/bench/ChaosBenchmark.java.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
JAVA_HOME=$("$root/bin/find-java") || exit 1
export JAVA_HOME
mkdir -p bench/out

echo "== compiling main and test classes" >&2
./mvnw -B -q -o test-compile -Dspotless.check.skip=true >&2 2>&1 \
  || ./mvnw -B -q test-compile -Dspotless.check.skip=true >&2
cp_file=target/bench-classpath.txt
if [ ! -s "$cp_file" ] || [ pom.xml -nt "$cp_file" ]; then
  ./mvnw -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2 2>&1 \
    || ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
fi
"$JAVA_HOME/bin/java" -Xmx1g -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  dev.tollgate.bench.ChaosBenchmark "${1:-8}" "${2:-8}" bench/out/chaos.md
