# Sourced by ./mvnw and ./tensorfile: makes sure a JDK 25 or newer runs the build and the CLI.
# Keeps JAVA_HOME when it already points at JDK 25+; otherwise keeps the `java` on PATH when it is 25+;
# otherwise picks the newest JDK 25+ in the standard places (Debian's /usr/lib/jvm, SDKMAN, /opt).
tensorfile_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
tensorfile_pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(tensorfile_java_major "$JAVA_HOME/bin/java"); [ "${v:-0}" -ge 25 ] && return 0
  fi
  if command -v java >/dev/null 2>&1; then
    v=$(tensorfile_java_major java)
    if [ "${v:-0}" -ge 25 ]; then
      JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); export JAVA_HOME; return 0
    fi
  fi
  best=""; bestv=0
  for d in /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* /opt/java/* /opt/jdk*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(tensorfile_java_major "$d/bin/java")
    if [ "${v:-0}" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  if [ -z "$best" ]; then
    echo "tensorfile: a JDK 25 or newer is needed; install one (e.g. Temurin 25) or set JAVA_HOME" >&2
    return 1
  fi
  JAVA_HOME=$best; export JAVA_HOME
}
tensorfile_pick_jdk || exit 1
