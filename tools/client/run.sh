#!/usr/bin/env bash
# Generates a Java client from the gateway's /openapi.json with OpenAPI Generator (tools/client/pom.xml),
# compiles it, and gets a prediction with it from a gateway: `mlqueue demo` on an embedded broker,
# on free ports of 127.0.0.1, stopped at the end. Exits non-zero if the client does not compile or
# its answers are wrong. Run by .ci/run; by hand: bash tools/client/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java

work="$(mktemp -d)"
demo_pid=""
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "client: generating and compiling the client from gateway/src/main/resources/io/mlqueue/gateway/openapi.json"
mvn -B -q -f "$here/pom.xml" package dependency:copy-dependencies -DoutputDirectory=target/lib

(cd "$work" && exec "$root/mlqueue" demo --duration 120s --gateway-port 0 --dashboard-port 0 >demo.log 2>&1) &
demo_pid=$!
url=""
for _ in $(seq 1 90); do
  url="$(sed -n 's/^demo: gateway at \(http:[^,]*\),.*/\1/p' "$work/demo.log" | head -n 1)"
  [ -n "$url" ] && curl -sf "$url/v2/health/ready" >/dev/null 2>&1 && break
  sleep 1
done
[ -n "$url" ] || { echo "client: the demo's gateway did not start:" >&2; cat "$work/demo.log" >&2; exit 1; }
echo "client: calling the demo's gateway at $url"
"$JAVA_HOME/bin/java" -cp "$here/target/mlqueue-generated-client-1.jar:$here/target/lib/*" \
  io.mlqueue.client.GeneratedClientSmoke "$url"
