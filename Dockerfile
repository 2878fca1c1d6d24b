# syntax=docker/dockerfile:1
# One image for every service: `docker run mlqueue:latest model`, `… gateway --port 8080`, and so on.
# The build needs no JDK or Maven on the host; the runtime stage carries only a JRE and the jar.

# ---- build -------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src

# The poms alone first: the dependency download below is then a layer of its own, rebuilt only when
# a pom changes, not on every source edit.
COPY pom.xml ./
COPY contract/pom.xml contract/
COPY data/pom.xml data/
COPY stats/pom.xml stats/
COPY amqp/pom.xml amqp/
COPY broker/pom.xml broker/
COPY model/pom.xml model/
COPY features/pom.xml features/
COPY metric/pom.xml metric/
COPY plot/pom.xml plot/
COPY observe/pom.xml observe/
COPY gateway/pom.xml gateway/
COPY app/pom.xml app/
COPY jmh/pom.xml jmh/
RUN mvn -B -q dependency:go-offline -pl app -am

# Then the sources. Tests are skipped here: CI runs them (`mvn -B verify`), and the integration
# tests need a RabbitMQ that a build container does not have.
COPY . .
RUN mvn -B -DskipTests package -pl app -am

# ---- runtime -----------------------------------------------------------------------------------
# Java 25: its ahead-of-time cache (below) starts each service in about half the time.
FROM eclipse-temurin:25-jre

# plot draws its histogram with Java2D, which needs fontconfig and at least one font even headless.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# A fixed non-root uid, so Kubernetes' runAsNonRoot can verify it and volume permissions are
# predictable. /app/logs belongs to it: metric and plot write there unless a volume is mounted.
RUN groupadd --system --gid 10001 mlqueue \
 && useradd --system --uid 10001 --gid mlqueue --home-dir /app --shell /usr/sbin/nologin mlqueue \
 && mkdir -p /app/logs \
 && chown mlqueue:mlqueue /app/logs

WORKDIR /app
# lib/ beside the jar: the jar's manifest names its dependencies as lib/*.jar.
COPY --from=build /src/app/target/lib/ /app/lib/
COPY --from=build /src/app/target/mlqueue.jar /app/mlqueue.jar

# Headless charts; the heap follows the container's memory limit instead of the host's memory.
ENV JAVA_TOOL_OPTIONS="-Djava.awt.headless=true -XX:MaxRAMPercentage=75"

# A start-up cache per service (scripts/startup-cache.sh explains them), made now by running each
# service for a few seconds against an embedded broker, with the options the entrypoint uses.
COPY scripts/train-startup-caches.sh scripts/docker-entrypoint.sh scripts/jvm-defaults.sh /app/scripts/
# (-Xmx512m keeps the build machine's memory from choosing another heap layout than the containers'.)
RUN /app/scripts/train-startup-caches.sh /app/mlqueue.jar /app/aot -Xmx512m \
      -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED \
 && chown -R 10001:10001 /app/aot

USER 10001:10001
# 8080: the gateway's HTTP port. 9100: /metrics and /health of model, metric and features when run
# with --metrics-port 9100 (the compose file and the Kubernetes manifests do).
EXPOSE 8080 9100

# No HEALTHCHECK here: the image has no curl, the probe port differs by subcommand (plot has none),
# and the orchestrators probe /health themselves (Kubernetes probes; the compose file relies on
# restart policies and the broker's healthcheck).
# Exit on OutOfMemoryError so the orchestrator restarts a clean process instead of a crippled one.
# Native access for ONNX Runtime's JNI library: Java 24+ warns without it; 17 and 21 accept it.
# The entrypoint adds the service's start-up cache, when it has one, to these options.
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["--help"]
