#!/bin/sh
# The container image's entrypoint: `docker run mlqueue model …` runs `java … -jar mlqueue.jar model
# …`, from the service's start-up cache made when the image was built (scripts/startup-cache.sh),
# with the command's default JVM options (scripts/jvm-defaults.sh; MLQUEUE_JVM_DEFAULTS replaces
# them, JAVA_TOOL_OPTIONS adds to them); the JVM options are those the cache was made with.
set -e
. /app/scripts/jvm-defaults.sh
defaults=$(mlqueue_jvm_defaults "${1:-}")
cache="/app/aot/${1:-none}.aot"
if [ -f "$cache" ]; then
  # shellcheck disable=SC2086 # the defaults are a list of options
  exec java -XX:AOTCache="$cache" -Xlog:aot*=off,cds*=off $defaults -XX:+ExitOnOutOfMemoryError \
    --enable-native-access=ALL-UNNAMED -jar /app/mlqueue.jar "$@"
fi
# shellcheck disable=SC2086
exec java $defaults -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED \
  -jar /app/mlqueue.jar "$@"
