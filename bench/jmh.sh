#!/usr/bin/env bash
# JMH benchmarks of the hot wire code (src/test/java/dev/tollgate/bench/*Benchmark).
#   bench/jmh.sh                       all benchmarks, short settings, with -prof gc (B/op)
#   bench/jmh.sh UsageReader -i 10     any JMH arguments: a regexp selects benchmarks
# Output: console and bench/out/jmh.txt (+ bench/out/jmh.json).
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
[ -f target/test-classes/META-INF/BenchmarkList ] || { echo "no JMH BenchmarkList: annotation processor did not run" >&2; exit 1; }

if [ $# -eq 0 ]; then
  set -- 'dev.tollgate.bench.*Benchmark' -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
fi
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat "$cp_file")" org.openjdk.jmh.Main \
  "$@" -rf json -rff bench/out/jmh.json 2>&1 | tee bench/out/jmh.txt
