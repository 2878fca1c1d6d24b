#!/bin/sh
# The container image's entrypoint: `docker run mlqueue model …` runs `java … -jar mlqueue.jar model
# …`, from the service's start-up cache made when the image was built (scripts/startup-cache.sh);
# the JVM options are those the cache was made with.
set -e
cache="/app/aot/${1:-none}.aot"
if [ -f "$cache" ]; then
  exec java -XX:AOTCache="$cache" -Xlog:aot=off,cds=off -XX:+ExitOnOutOfMemoryError \
    --enable-native-access=ALL-UNNAMED -jar /app/mlqueue.jar "$@"
fi
exec java -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -jar /app/mlqueue.jar "$@"
