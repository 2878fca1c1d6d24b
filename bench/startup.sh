#!/usr/bin/env bash
# Start-up of each service, as the launcher starts it: the time from launch until it consumes (or
# serves, for the gateway; until the demo prints its model line), and its resident memory once
# idle; ROUNDS times each, with the start-up cache (scripts/startup-cache.sh) and without it
# (MLQUEUE_STARTUP_CACHE=0), alternating. Services against the RabbitMQ at 127.0.0.1:5672 in a
# scratch virtual host (needs rabbitmqctl); the demo on its embedded broker.
#   bench/startup.sh            # ROUNDS=5 SERVICES="model metric gateway features demo"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${ROUNDS:-5}
services=${SERVICES:-model metric gateway features demo}
vhost="mlqueue-startup-$$"
work=$(mktemp -d)
trap 'rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
rabbitmqctl -q add_vhost "$vhost"
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
export MLQUEUE_AMQP_URI="amqp://guest:guest@127.0.0.1:5672/$vhost"
now_ms() { date +%s%3N; }

ready_line() { # what a service logs once it is ready
  case $1 in
    model) echo "consuming features" ;;
    metric) echo "consuming y_pred" ;;
    gateway) echo "gateway: serving" ;;
    features) echo "features: sending" ;;
    demo) echo "demo: model " ;;
  esac
}
args() {
  case $1 in
    model) echo "model" ;;
    metric) echo "metric --log-dir $work/logs" ;;
    gateway) echo "gateway --port 0" ;;
    features) echo "features --count 1" ;;
    demo) echo "demo --gateway-port 0 --dashboard-port 0 --log-dir $work/demo --duration 6s" ;;
  esac
}

once() { # $1 service, $2 cache on (1) or off (0); prints "ms rss_mib"
  local service=$1 log="$work/$1.log" start pid t rss
  : >"$log"
  start=$(now_ms)
  # shellcheck disable=SC2046
  MLQUEUE_STARTUP_CACHE=$2 "$root/mlqueue" $(args "$service") >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q "$(ready_line "$service")" "$log" && break
    sleep 0.01
  done
  t=$(($(now_ms) - start))
  sleep 2
  jpid=$(pgrep -P "$pid" java || echo "$pid")
  rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$jpid/status" 2>/dev/null || echo "-")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$t $rss"
}

echo "machine: $(nproc) cores, RabbitMQ $(rabbitmqctl -q version)"
# Each service once with the cache first, so its cache exists (its first run writes it).
for service in $services; do once "$service" 1 >/dev/null; done
for service in $services; do
  with=() without=()
  for _ in $(seq 1 "$rounds"); do
    with+=("$(once "$service" 1)")
    without+=("$(once "$service" 0)")
  done
  printf '%-9s ready after (ms), idle RSS (MiB): with the start-up cache %s; without %s\n' "$service" \
    "$(printf '%s, ' "${with[@]}" | sed 's/, $//')" "$(printf '%s, ' "${without[@]}" | sed 's/, $//')"
done
