#!/usr/bin/env bash
# Makes the start-up cache (JDK 25+ AOT cache, see scripts/startup-cache.sh) of every service in
# one go, ahead of time, against an embedded broker: for the container image (Dockerfile), where
# no first run could write one. Each service runs as it would in production for a few seconds of
# traffic, then stops and writes its cache.
#   scripts/train-startup-caches.sh JAR CACHE_DIR [JVM options…]
# The JVM options must be those the services will run with (the cache records them); each command's
# defaults (scripts/jvm-defaults.sh) are added after them, as the entrypoint does.
set -euo pipefail
jar=$1
dir=$2
shift 2
opts=("$@")
# shellcheck source=jvm-defaults.sh
. "$(dirname "${BASH_SOURCE[0]}")/jvm-defaults.sh"
java=${JAVA:-java}
work=$(mktemp -d)
mkdir -p "$dir"
pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$java" "${opts[@]}" -jar "$jar" broker --port 0 >"$work/broker.log" 2>&1 &
broker=$!
pids+=("$broker")
for _ in $(seq 1 600); do
  uri=$(sed -n 's/^mlqueue broker: listening on \(amqp:[^ ]*\).*/\1/p' "$work/broker.log")
  [ -n "$uri" ] && break
  sleep 0.1
done
[ -n "$uri" ] || { echo "the embedded broker did not start" >&2; cat "$work/broker.log" >&2; exit 1; }

training_java() { # $1: command whose cache the run makes; sets training (the JVM and its options)
  local -a defaults
  read -r -a defaults <<<"$(mlqueue_jvm_defaults "$1")"
  training=("$java" -XX:AOTCacheOutput="$dir/$1.aot" -Xlog:aot*=off,cds*=off "${opts[@]}"
    "${defaults[@]}")
}
train() { # $1: command whose cache this run makes; the rest: its arguments
  local name=$1
  shift
  training_java "$name"
  "${training[@]}" -jar "$jar" "$@" >"$work/$name.log" 2>&1
}
start_training() { # as train, in the background: the JVM's pid (not a subshell's) joins services
  local name=$1
  shift
  training_java "$name"
  "${training[@]}" -jar "$jar" "$@" >"$work/$name.log" 2>&1 &
  services+=($!)
  pids+=($!)
}
await_line() { # $1 file, $2 text, within 120 s
  for _ in $(seq 1 1200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no '$2' in $1" >&2
  cat "$1" >&2
  return 1
}

services=()
start_training model model --amqp-uri "$uri" --metrics-port 0
start_training metric metric --amqp-uri "$uri" --log-dir "$work/logs" --metrics-port 0
start_training gateway gateway --amqp-uri "$uri" --port 18080
await_line "$work/model.log" "consuming features"
await_line "$work/metric.log" "logging pairs to"
await_line "$work/gateway.log" "18080"
train features features --amqp-uri "$uri" --count 3000 --rate 1000
"$java" "${opts[@]}" -jar "$jar" bench gateway --url http://127.0.0.1:18080 --duration 3s \
  --warmup 1s >"$work/bench.log" 2>&1 || true
for _ in $(seq 1 1200); do
  [ -f "$work/logs/metric_log.csv" ] && [ "$(wc -l <"$work/logs/metric_log.csv")" -gt 3000 ] && break
  sleep 0.1
done
start_training plot plot --log-dir "$work/logs" --metrics-port 0
await_line "$work/plot.log" "dashboard"
sleep 3
kill -TERM "${services[@]}"
for pid in "${services[@]}"; do wait "$pid" || true; done # each writes its cache as it exits
train demo demo --duration 5s --gateway-port 0 --dashboard-port 0 --log-dir "$work/demo"
rm -f "$dir"/*.aot.config
ls -l "$dir"
