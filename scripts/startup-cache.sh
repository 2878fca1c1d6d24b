# Sourced by ./mlqueue: JVM options that make a service start fast, and the per-command cache
# they need. A service spends most of its first seconds loading and linking classes and running
# cold code; the JDK can keep that work from one run to the next:
#   JDK 25+     an ahead-of-time cache (JEPs 483, 514, 515): classes loaded and linked, and method
#               profiles, so the JIT compiles the hot code sooner. The first run of a command is
#               the training run (-XX:AOTCacheOutput): the JVM writes the cache when it exits, which
#               takes a few seconds more that once. Later runs start from it (-XX:AOTCache).
#   JDK 21-24   a class-data sharing archive the JVM writes itself at the end of the first run and
#               checks at every start (-XX:+AutoCreateSharedArchive).
# One cache per command (app/target/aot/<command>.*), since each service loads its own classes; a
# rebuilt jar makes them stale and they are made again. Only the long-running services get one:
# for a short command the cache would cost more to write than it saves.
# MLQUEUE_STARTUP_CACHE=0 turns it off.

mlqueue_startup_cache_commands="demo model metric features plot gateway broker"

# The JVM options of every run; a cache is made and used with the same ones.
# Native access: ONNX Runtime loads a JNI library, which Java 24+ warns about unless it is allowed;
# Java 17 and 21 accept the option silently.
mlqueue_jvm_opts=(-Djava.awt.headless=true --enable-native-access=ALL-UNNAMED)

# Sets MLQUEUE_STARTUP_OPTS (an array) to the JVM options for running "$command" from "$jar" with
# "$JAVA_HOME". Call it in the shell that execs the JVM (not in a subshell): a training run holds
# its lock on fd 9 until the JVM exits.
mlqueue_startup_cache_opts() {
  local jar=$1 command=${2:-} dir version cache
  MLQUEUE_STARTUP_OPTS=()
  [ "${MLQUEUE_STARTUP_CACHE:-1}" = 0 ] && return 0
  case " $mlqueue_startup_cache_commands " in *" $command "*) ;; *) return 0 ;; esac
  dir="$(dirname "$jar")/aot"
  mkdir -p "$dir" 2>/dev/null || return 0
  [ -w "$dir" ] || return 0
  version=$(mlqueue_java_version "$JAVA_HOME/bin/java")
  if [ -z "$version" ] || [ "$version" -lt 25 ]; then
    MLQUEUE_STARTUP_OPTS=(-XX:SharedArchiveFile="$dir/$command.jsa" -XX:+AutoCreateSharedArchive
      -Xlog:cds=off,cds+dynamic=off)
    return 0
  fi
  cache="$dir/$command.aot"
  # A cache older than the jar belongs to another build.
  if [ -f "$cache" ] && [ "$cache" -ot "$jar" ]; then
    rm -f "$cache" "$cache.ok"
  fi
  if [ -f "$cache" ] && [ ! -f "$cache.ok" ]; then
    # Written by a training run that may have been killed half-way: check it once.
    # (With the jar's class path, as the cache was made: AOTMode=on fails on any mismatch.)
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    if "$JAVA_HOME/bin/java" -XX:AOTCache="$cache" -XX:AOTMode=on -Xlog:aot*=off,cds*=off \
        "${mlqueue_jvm_opts[@]}" ${JAVA_OPTS:-} -jar "$jar" --version >/dev/null 2>&1; then
      touch "$cache.ok"
    else
      rm -f "$cache"
    fi
  fi
  if [ -f "$cache.ok" ]; then
    MLQUEUE_STARTUP_OPTS=(-XX:AOTCache="$cache" -Xlog:aot*=off,cds*=off)
    return 0
  fi
  # Train, unless another run of this command is training now: the lock is fd 9, which the JVM
  # inherits through exec and holds until it exits.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache.lock"
    flock -n 9 || return 0
  fi
  echo "mlqueue: first run of '$command' with this build: it writes a start-up cache when it exits" \
    "(a few seconds, once; MLQUEUE_STARTUP_CACHE=0 to skip)" >&2
  MLQUEUE_STARTUP_OPTS=(-XX:AOTCacheOutput="$cache" -Xlog:aot*=off,cds*=off)
}
