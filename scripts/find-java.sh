# Sourced by ./mlqueue and .ci/run: sets JAVA_HOME to a JDK of version 21 or newer.
# Order: $JAVA_HOME, the `java` on PATH, then the JDKs installed under the usual system locations
# (newest first). Fails with a message saying what to install.

mlqueue_java_version() { # prints the feature version (17, 21, 25, …) of the java binary $1
  # The JDK's `release` file says it without starting a JVM (a tenth of a second or more each,
  # on every launch); a JDK without one is asked.
  local release version
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\)[."].*/\1/p' "$release" | head -n 1)
    if [ -n "$version" ]; then
      [ "$version" = 1 ] && version=8 # 1.8.0: Java 8
      echo "$version"
      return 0
    fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

mlqueue_find_java() {
  local candidate version
  local -a candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ /usr/local/lib/jvm/*/ /opt/java/*/ 2>/dev/null | sort -rV); do
    candidates+=("${candidate%/}")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    version=$(mlqueue_java_version "$candidate/bin/java")
    if [ -n "$version" ] && [ "$version" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "mlqueue needs a JDK 21 or newer (found none; set JAVA_HOME to one)." >&2
  return 1
}
