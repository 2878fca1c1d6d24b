#!/usr/bin/env bash
# Reproduces the gateway figures of docs/PERFORMANCE.md on this machine: one model worker and one
# gateway as separate processes against the RabbitMQ at 127.0.0.1:5672, in a scratch virtual host,
# then (1) a closed loop with wrk, 64 connections, and (2) an open loop at a fixed 1,000 requests/s
# with `mlqueue bench gateway`. Each runs ROUNDS times after a warm-up. Traffic stays on 127.0.0.1
# and every step is bounded in time. Needs wrk and rabbitmqctl (run as root, or as a RabbitMQ admin).
#   bench/gateway.sh              # ROUNDS=3 SECONDS_PER_RUN=20
#   MODEL_ARGS="--model m.onnx" bench/gateway.sh   # options for the model worker (bench/onnx-model.sh
#                                                  # writes an ONNX model of the diabetes data)
#   COMPETITORS=1 bench/gateway.sh   # plus one busy-looping process during the measured runs: a
#                                    # neighbour taking a core's worth of CPU, to see the tail under it
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${ROUNDS:-3}
competitors=${COMPETITORS:-0}
seconds=${SECONDS_PER_RUN:-20}
port=${PORT:-18080}
vhost="mlqueue-bench-$$"
logs="$(mktemp -d)"
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java

cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
}
pids=()
trap cleanup EXIT

rabbitmqctl -q add_vhost "$vhost"
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
export MLQUEUE_AMQP_URI="amqp://guest:guest@127.0.0.1:5672/$vhost"

# shellcheck disable=SC2086 # MODEL_ARGS is a list of options
"$root/mlqueue" model ${MODEL_ARGS:-} >"$logs/model.log" 2>&1 & pids+=($!)
"$root/mlqueue" gateway --port "$port" >"$logs/gateway.log" 2>&1 & pids+=($!)
url="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
  curl -sf "$url/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -sf "$url/health" >/dev/null || { echo "gateway not ready; logs in $logs" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), RabbitMQ $(rabbitmqctl -q version), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 || true)"
echo "warm-up: wrk 15 s"
wrk -t2 -c64 -d15s -s "$root/bench/predict.lua" "$url/v1/predict" >/dev/null
for _ in $(seq 1 "$competitors"); do
  (while :; do :; done) & pids+=($!)
done
[ "$competitors" -gt 0 ] && echo "competing busy loops: $competitors"

for i in $(seq 1 "$rounds"); do
  echo "closed loop, 64 connections, ${seconds} s, run $i:"
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$root/bench/predict.lua" "$url/v1/predict" |
    grep -E 'Requests/sec|answers not'
done
# The bench exits 2 when requests failed; the figures are still worth printing.
set +o pipefail
for i in $(seq 1 "$rounds"); do
  echo "open loop, 1,000 requests/s, ${seconds} s, run $i:"
  "$root/mlqueue" bench gateway --url "$url" --rate 1000 --concurrency 64 \
    --duration "${seconds}s" --warmup 5s | tail -n 1
done
