#!/usr/bin/env bash
# Reproduces the stream-pipeline figures of docs/PERFORMANCE.md on this machine: one model worker and
# one metric as separate processes against the RabbitMQ at 127.0.0.1:5672, in a scratch virtual host,
# fed by `mlqueue features`:
#   (1) at a fixed RATE pairs/s for SECONDS_PER_RUN s; prints the delay from features' sent_at to
#       the row being written, from metric's histogram mlqueue_metric_pair_delay_seconds;
#   (2) flat out: PAIRS pairs as fast as features can send them (persistent, confirmed); prints
#       the rate at which metric_log.csv grew, from its first new row to its last.
# Every step is bounded in time; traffic stays on 127.0.0.1. Needs rabbitmqctl (run as root, or as a
# RabbitMQ admin).
#   bench/pipeline.sh          # ROUNDS=3 PAIRS=50000 RATE=1000 SECONDS_PER_RUN=20
#   MODEL_ARGS="--prefetch 1000" bench/pipeline.sh   # MODEL_ARGS, METRIC_ARGS, FEATURES_ARGS (the
#                                                     # fixed-rate runs) add options to a service
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${ROUNDS:-3}
pairs=${PAIRS:-50000}
rate=${RATE:-1000}
seconds=${SECONDS_PER_RUN:-20}
model_port=${MODEL_METRICS_PORT:-19101}
metric_port=${METRIC_METRICS_PORT:-19102}
vhost="mlqueue-pipeline-$$"
work="$(mktemp -d)"
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java

pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rabbitmqctl -q add_vhost "$vhost"
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
export MLQUEUE_AMQP_URI="amqp://guest:guest@127.0.0.1:5672/$vhost"

"$root/mlqueue" model --metrics-port "$model_port" ${MODEL_ARGS:-} >"$work/model.log" 2>&1 & pids+=($!)
"$root/mlqueue" metric --log-dir "$work/logs" --metrics-port "$metric_port" ${METRIC_ARGS:-} >"$work/metric.log" 2>&1 &
pids+=($!)
for port in "$model_port" "$metric_port"; do
  for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "a service is not ready; logs in $work" >&2; exit 1; }
done

csv="$work/logs/metric_log.csv"
rows() { if [ -f "$csv" ]; then echo $(($(wc -l <"$csv") - 1)); else echo 0; fi; }
now_ms() { date +%s%3N; }
# Waits until the log holds $1 rows, at most $2 seconds; prints the time it was reached (ms).
await_rows() {
  local deadline=$(($(date +%s) + $2))
  while [ "$(rows)" -lt "$1" ]; do
    [ "$(date +%s)" -ge "$deadline" ] && { echo "only $(rows) of $1 rows after $2 s; logs in $work" >&2; exit 1; }
    sleep 0.05
  done
  now_ms
}
delay_buckets() { # the metric's delay histogram now: "le count" per line, cumulative
  curl -s "http://127.0.0.1:$metric_port/metrics" |
    awk '/^mlqueue_metric_pair_delay_seconds_bucket/ && match($0, /le="[^"]*"/) { print substr($0, RSTART + 4, RLENGTH - 5), $NF }'
}
# $1, $2: files of delay_buckets before and after a run; prints p50, p99 and p99.9 of the pairs
# logged between them (each the upper bound of its bucket: Micrometer's buckets are ~10 % apart).
delay_quantiles() {
  awk 'NR == FNR { before[$1] = $2; next }
       { le[++n] = $1; c[n] = $2 - before[$1] }
       END {
         total = c[n]; split("0.5 0.99 0.999", qs, " ")
         for (k = 1; k <= 3; k++) {
           for (i = 1; i <= n; i++) if (c[i] >= qs[k] * total) break
           if (le[i] == "+Inf") printf "p%s over 300 s", qs[k] * 100
           else printf "p%s <= %.1f ms", qs[k] * 100, le[i] * 1000
           printf "%s", (k < 3 ? ", " : "")
         }
         printf " (%d pairs)\n", total
       }' "$1" "$2"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), RabbitMQ $(rabbitmqctl -q version), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 || true)"
# At the fixed rate, not flat out: a backlog left in the queues costs the broker work (compacting
# its message store) for a while after it has drained, which would land in the delay figures.
warmup=$((rate * 10))
echo "warm-up: $warmup pairs at $rate pairs/s"
"$root/mlqueue" features --rate "$rate" --count "$warmup" >"$work/features-warmup.log" 2>&1
await_rows "$warmup" 120 >/dev/null

count=$((rate * seconds))
for i in $(seq 1 "$rounds"); do
  before=$(rows)
  delay_buckets >"$work/buckets-before"
  "$root/mlqueue" features --rate "$rate" --count "$count" ${FEATURES_ARGS:-} >"$work/features-rate-$i.log" 2>&1
  await_rows $((before + count)) 120 >/dev/null
  delay_buckets >"$work/buckets-after"
  echo "fixed rate, run $i: $count pairs at $rate pairs/s; from sent_at to the row written:" \
    "$(delay_quantiles "$work/buckets-before" "$work/buckets-after")"
done

for i in $(seq 1 "$rounds"); do
  before=$(rows)
  "$root/mlqueue" features --count "$pairs" >"$work/features-$i.log" 2>&1 &
  feeder=$!
  # From the first row to the last: the JVM's start-up is not the pipeline's.
  first=$(await_rows $((before + 1)) 60)
  last=$(await_rows $((before + pairs)) 600)
  wait "$feeder"
  awk -v n="$pairs" -v i="$i" -v f="$first" -v l="$last" 'BEGIN {
    printf "flat out, run %d: %d pairs logged in %.2f s from the first row to the last: %.0f pairs/s" \
      " (%.0f persistent messages/s through the broker)\n", i, n, (l - f) / 1000,
      (n - 1) * 1000 / (l - f), 3 * (n - 1) * 1000 / (l - f) }'
done
