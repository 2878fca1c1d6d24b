#!/usr/bin/env bash
# The broker's ceiling on this machine for the stream's message flow, measured with RabbitMQ's own
# PerfTest (com.rabbitmq:perf-test, from the jmh module's dependencies), in a scratch virtual host:
#   durable  persistent 250-byte messages on a durable queue, publisher confirms (2,000 in flight,
#            as features keeps), manual acks every 64 messages, prefetch 250: our default mode
#   course   transient 250-byte messages over three queues, auto-ack, no confirms: what the course's
#            services ask of the broker
#   bulk     the durable flow with 25 KB messages, the size of a 100-row bulk message
#   latency  the delay floor: three durable queues (persistent, confirms, manual acks) at RATE
#            msg/s each, as the stream at RATE pairs/s puts on the broker (features, y_true,
#            y_pred), then the same transient with auto-ack; prints PerfTest's consumer latency
#            percentiles of one hop, publish to delivery (not in the default FLOWS)
# A pair is three messages through the broker (features, y_true, y_pred; a bulk message carries 100
# pairs' worth), so pairs/s = messages/s / 3 (x 100 for bulk) at the same broker CPU.
#   bench/perftest.sh            # SECONDS_PER_RUN=20 FLOWS="durable course bulk"
#   FLOWS=latency RATE=1000 bench/perftest.sh
# Needs rabbitmqctl (root or a RabbitMQ admin) and RabbitMQ at 127.0.0.1:5672 (guest).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=${SECONDS_PER_RUN:-20}
flows=${FLOWS:-durable course bulk}
rate=${RATE:-1000}
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java
if [ ! -d "$root/jmh/target/lib" ]; then
  echo "bench/perftest.sh: building (mvn package -pl jmh -am, tests skipped)..." >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl jmh -am) >&2
fi
vhost="mlqueue-perftest-$$"
trap 'rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true' EXIT
rabbitmqctl -q add_vhost "$vhost"
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
uri="amqp://guest:guest@127.0.0.1:5672/$vhost"
beam=$(pgrep -o beam.smp || true)
cpu() { if [ -n "$beam" ]; then awk '{print ($14+$15)/100}' "/proc/$beam/stat"; else echo 0; fi; }

run() { # $1 name, $2 pairs per message received, rest: PerfTest options
  local name=$1 per=$2 before after out
  shift 2
  before=$(cpu)
  out=$("$JAVA_HOME/bin/java" -cp "$root/jmh/target/lib/*" com.rabbitmq.perf.PerfTest \
    --uri "$uri" --time "$seconds" "$@" 2>&1 | grep -E 'sending rate avg|receiving rate avg' || true)
  after=$(cpu)
  echo "$out" | awk -v name="$name" -v per="$per" -v s="$seconds" -v cpu="$(awk -v a="$before" -v b="$after" 'BEGIN {print b - a}')" '
    /sending rate avg/ { sent = $(NF - 1) }
    /receiving rate avg/ { received = $(NF - 1) }
    END {
      per_msg = received > 0 ? 1e6 * cpu / (received * s) : 0
      printf "%-8s sent %s msg/s, received %s msg/s; broker CPU %.1f s in %d s (%.0f µs/message" \
        " received): ceiling %.0f pairs/s\n", name, sent, received, cpu, s, per_msg, received * per / 3
    }'
}

echo "machine: $(nproc) cores, RabbitMQ $(rabbitmqctl -q version), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
for flow in $flows; do
  case $flow in
    durable) run durable 1 --producers 1 --consumers 1 --queue pt-durable --auto-delete false \
               --flag persistent --confirm 2000 --multi-ack-every 64 --qos 250 --size 250 ;;
    course)  run course 1 --producers 3 --consumers 3 --queue-pattern 'pt-course-%d' \
               --queue-pattern-from 1 --queue-pattern-to 3 --autoack --size 250 ;;
    bulk)    run bulk 100 --producers 1 --consumers 1 --queue pt-bulk --auto-delete false \
               --flag persistent --confirm 200 --multi-ack-every 16 --qos 50 --size 25000 ;;
    latency)
      for mode in durable transient; do
        if [ "$mode" = durable ]; then
          opts=(--flag persistent --confirm 2000 --multi-ack-every 64 --qos 250)
        else
          opts=(--autoack)
        fi
        "$JAVA_HOME/bin/java" -cp "$root/jmh/target/lib/*" com.rabbitmq.perf.PerfTest \
          --uri "$uri" --time "$seconds" --producers 3 --consumers 3 \
          --queue-pattern "pt-latency-$mode-%d" --queue-pattern-from 1 --queue-pattern-to 3 \
          --auto-delete false --size 250 --rate "$rate" "${opts[@]}" 2>&1 |
          awk -v mode="$mode" -v rate="$rate" '/consumer latency min\/median/ && !/time [0-9]/ {
            printf "latency  %-9s 3 queues at %s msg/s each: one hop, min/median/75th/95th/99th %s µs\n", mode, rate, $NF == "µs" ? $(NF - 1) : $NF
          }'
      done ;;
    *) echo "unknown flow $flow (durable, course, bulk, latency)" >&2; exit 2 ;;
  esac
done
