#!/usr/bin/env bash
# Runs the built hub with class data sharing (CDS): about a third less CPU to readiness than `java -jar
# target/integration-hub.jar` (docs/performance.md "Start-up"). Same application, same profiles, same arguments.
#
#   ./mvnw -DskipTests package && scripts/run.sh             # default profile, like java -jar
#   scripts/run.sh --server.port=9090                         # arguments go to the hub
#   scripts/run.sh --prepare                                  # only (re)build the archive, then exit
#   JAVA_OPTS="-Xmx512m -XX:+UseG1GC" scripts/run.sh          # JVM options (default: -XX:+UseParallelGC, as the
#                                                             # image; docs/performance.md)
#
# The first run after a build prepares, once (about as long as one start-up):
#  1. Spring Boot's `java -Djarmode=tools -jar target/integration-hub.jar extract` unpacks the jar into
#     target/app/ (plain jars on a class path: no nested-jar class loading, which CDS needs anyway);
#  2. a training run: the hub starts from target/app/ with -XX:ArchiveClassesAtExit in a throw-away data dir on
#     free ports (default profile: embedded H2 and Kafka, nothing external), is asked for readiness, then
#     stopped; the JVM writes the classes it loaded to target/app/integration-hub.jsa.
# Runs from the repository root, like the README's `java -jar target/integration-hub.jar` (./data, ./routes).
# Later runs start with -XX:SharedArchiveFile. A stale or unusable archive is only a slower start: the JVM
# then loads classes as usual (-Xshare:auto). A new build (a newer target/integration-hub.jar) prepares again.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
JAR=target/integration-hub.jar
APP=target/app
APP_JAR=$APP/integration-hub.jar
JSA=$APP/integration-hub.jsa
TIMEOUT_S=${TIMEOUT_S:-300}
# The parallel collector, as the image and the k8s pods: G1's concurrent marking cost ~10x its CPU in the sync
# benchmark (docs/performance.md, "Round of 2026-12-06, third session"). Set JAVA_OPTS to choose otherwise.
JAVA_OPTS=${JAVA_OPTS--XX:+UseParallelGC}

[ -f "$JAR" ] || { echo "$JAR is missing: build it first (./mvnw -DskipTests package)" >&2; exit 2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

prepare() {
  echo "run.sh: extracting $JAR into $APP/ and recording the class data sharing archive (once per build)..." >&2
  rm -rf "$APP"
  java -Djarmode=tools -jar "$JAR" extract --destination "$APP" >/dev/null
  local work port kport cport pid status waited=0
  work=$(mktemp -d "${TMPDIR:-/tmp}/hub-cds.XXXXXX")
  port=$(free_port); kport=$(free_port); cport=$(free_port)
  (cd "$work" && exec java ${JAVA_OPTS:-} -XX:ArchiveClassesAtExit="$REPO/$JSA" -Djava.io.tmpdir="$work" -jar "$REPO/$APP_JAR" \
      --spring.profiles.active=default \
      --server.port="$port" \
      --hub.data-dir="$work/data" \
      --hub.routes-dir="$REPO/routes" \
      --hub.kafka.embedded.port="$kport" \
      --hub.kafka.embedded.controller-port="$cport" >"$work/training.log" 2>&1) &
  pid=$!
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: the training run exited early (log: $work/training.log); starting without the archive" >&2
      rm -f "$JSA"; return 0
    fi
    status=$(curl -s -m 2 "http://127.0.0.1:$port/actuator/health/readiness" || true)
    case "$status" in '{"status":"UP"'*) break ;; esac
    if [ "$waited" -ge $((TIMEOUT_S * 2)) ]; then
      echo "run.sh: the training run was not ready after ${TIMEOUT_S}s (log: $work/training.log); no archive" >&2
      kill -9 "$pid" 2>/dev/null || true; rm -f "$JSA"; return 0
    fi
    sleep 0.5; waited=$((waited + 1))
  done
  # A normal exit (SIGTERM: graceful shutdown) writes the archive.
  kill "$pid"; wait "$pid" || true
  rm -rf "$work"
  [ -f "$JSA" ] && echo "run.sh: archive $JSA ready" >&2 || echo "run.sh: no archive was written" >&2
}

if [ "${1:-}" = "--prepare" ] || [ ! -f "$JSA" ] || [ ! -f "$APP_JAR" ] || [ "$JAR" -nt "$APP_JAR" ]; then
  prepare
  [ "${1:-}" = "--prepare" ] && exit 0
fi

if [ -f "$JSA" ]; then
  exec java ${JAVA_OPTS:-} -XX:SharedArchiveFile="$JSA" -jar "$APP_JAR" "$@"
fi
exec java ${JAVA_OPTS:-} -jar "$APP_JAR" "$@"
