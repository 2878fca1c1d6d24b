# Sourced by ./mlqueue, the image's entrypoint and its start-up cache training (POSIX sh): the JVM
# options each command runs with unless the user says otherwise. Measured in docs/PERFORMANCE.md,
# "The services' JVM":
#   -XX:TieredStopAtLevel=1   the client compiler only. On two cores shared with the broker, C2
#                             compiling a service's hot code took as much CPU as the service's work
#                             in a run's first seconds (22 % of the machine in a 30,000-pair run);
#                             C1 code is as fast here, where the time goes to I/O and the broker.
#   -XX:+UseSerialGC -Xmx…    a heap sized for what a service holds (metric's duplicate filter is
#                             the largest: ~56 MB at its million ids), collected without G1's
#                             concurrent threads and remembered sets; G1's defaults let a service
#                             grow past 1 GB resident on a big machine.
#   -XX:+ExitOnOutOfMemoryError  a service out of heap stops (and is restarted, by compose or
#                             Kubernetes) instead of limping on; nothing unacked is lost.
# MLQUEUE_JVM_DEFAULTS replaces the defaults of every command (set it empty for the JVM's own
# ergonomics); JAVA_OPTS adds options after them, and a later -Xmx wins over the default one.

mlqueue_jvm_defaults() {
  if [ -n "${MLQUEUE_JVM_DEFAULTS+set}" ]; then
    echo "$MLQUEUE_JVM_DEFAULTS"
    return 0
  fi
  case "${1:-}" in
    model | metric | features | plot | gateway)
      echo "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx128m -XX:+ExitOnOutOfMemoryError" ;;
    demo) # every service and the embedded broker in one JVM: ready in 3.1-4.2 s instead of 4.4-4.8
      echo "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m -XX:+ExitOnOutOfMemoryError" ;;
    *) echo "" ;;
  esac
}
