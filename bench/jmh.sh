#!/usr/bin/env bash
# Runs the JMH micro-benchmarks of the stream's hot paths (module jmh): codec, inference, pairing,
# the metric log. Arguments go to JMH, e.g. a regex of benchmarks and -f/-wi/-i:
#   bench/jmh.sh                          # all, as configured in each class (1 fork, 5 x 2 s)
#   bench/jmh.sh CodecBenchmark -f 3      # one class, three forks
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java
if [ ! -d "$root/jmh/target/lib" ] || [ ! -d "$root/jmh/target/classes/META-INF" ]; then
  echo "bench/jmh.sh: building the benchmarks (mvn package -pl jmh -am, tests skipped)..." >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl jmh -am) >&2
fi
exec "$JAVA_HOME/bin/java" -cp "$root/jmh/target/classes:$root/jmh/target/lib/*" org.openjdk.jmh.Main "$@"
