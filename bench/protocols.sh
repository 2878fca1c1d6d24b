#!/usr/bin/env bash
# Compares the gateway's two APIs on the same services, interleaved (A/B), so that a machine shared
# with other work affects both alike: one model worker and one gateway as separate processes against
# the RabbitMQ at 127.0.0.1:5672, in a scratch virtual host; then ROUNDS rounds, each running
# (1) a closed loop with wrk, 64 connections, on POST /v1/predict and on
# POST /v2/models/diabetes-ols/infer (the same row; which goes first alternates by round), with the
# gateway's CPU time per request (from /proc: what the gateway itself spends, which neighbours on a
# shared machine disturb far less than they disturb throughput), and
# (2) an open loop at a fixed RATE (default 1,000) requests/s with `mlqueue bench gateway --api`.
# Traffic stays on 127.0.0.1 and every step is bounded in time. Needs wrk and rabbitmqctl.
#   bench/protocols.sh              # ROUNDS=4 SECONDS_PER_RUN=15 RATE=1000
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${ROUNDS:-4}
rate=${RATE:-1000}
seconds=${SECONDS_PER_RUN:-15}
port=${PORT:-18081}
vhost="mlqueue-bench-ab-$$"
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

"$root/mlqueue" model >"$logs/model.log" 2>&1 & pids+=($!)
"$root/mlqueue" gateway --host 127.0.0.1 --port "$port" >"$logs/gateway.log" 2>&1 & pids+=($!)
gateway_pid=$! # the launcher execs the JVM: this is the gateway's own process
url="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
  curl -sf "$url/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -sf "$url/health" >/dev/null || { echo "gateway not ready; logs in $logs" >&2; exit 1; }

declare -A path=([v1]="/v1/predict" [v2]="/v2/models/diabetes-ols/infer")
declare -A script=([v1]="$root/bench/predict.lua" [v2]="$root/bench/infer.lua")

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), RabbitMQ $(rabbitmqctl -q version), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 || true)"
echo "warm-up: wrk 10 s on each API"
for api in v1 v2; do
  wrk -t2 -c64 -d10s -s "${script[$api]}" "$url${path[$api]}" >/dev/null
done

# CPU seconds the gateway has used (user + system), from /proc.
cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$gateway_pid/stat"; }

set +o pipefail # the bench exits 2 when requests failed; the figures are still worth printing
for i in $(seq 1 "$rounds"); do
  order="v1 v2"
  [ $((i % 2)) -eq 0 ] && order="v2 v1"
  for api in $order; do
    before=$(cpu)
    out="$(wrk -t2 -c64 -d"${seconds}s" --latency -s "${script[$api]}" "$url${path[$api]}")"
    after=$(cpu)
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    echo "round $i, $api, closed loop, 64 connections, ${seconds} s (load average $(cut -d' ' -f1 /proc/loadavg)):" \
      "$(echo "$out" | awk '/Requests\/sec/ { print $2 }') req/s;" \
      "gateway CPU $(awk -v a="$after" -v b="$before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }') µs/request;" \
      "$(echo "$out" | grep 'answers not')"
  done
  for api in $order; do
    echo "round $i, $api, open loop, $rate requests/s, ${seconds} s:"
    "$root/mlqueue" bench gateway --url "$url" --api "$api" --rate "$rate" --concurrency 64 \
      --duration "${seconds}s" --warmup 3s | tail -n 1
  done
done
