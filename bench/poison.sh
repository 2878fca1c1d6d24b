#!/usr/bin/env bash
# Messages/s through a consumer while one message makes its handler throw (docs/RELIABILITY.md,
# "poison message"), on the RabbitMQ at 127.0.0.1:5672, in a scratch virtual host (needs
# rabbitmqctl). A consumer gives the message up after --poison-attempts failures (default 5)
# while others go through; before that rule it paused a second on every failure, forever.
#   bench/poison.sh            # COUNT=10000 PREFETCH=250
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/find-java.sh
. "$root/scripts/find-java.sh"
mlqueue_find_java
if [ ! -d "$root/jmh/target/lib" ]; then
  (cd "$root" && mvn -B -q -DskipTests package -pl jmh -am) >&2
fi
vhost="mlqueue-poison-$$"
trap 'rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true' EXIT
rabbitmqctl -q add_vhost "$vhost"
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
"$JAVA_HOME/bin/java" -cp "$root/jmh/target/classes:$root/jmh/target/lib/*" \
  io.mlqueue.jmh.PoisonMessageRate "amqp://guest:guest@127.0.0.1:5672/$vhost" \
  "${COUNT:-10000}" "${PREFETCH:-250}"
