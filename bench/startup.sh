#!/usr/bin/env bash
# Start-up benchmark: seconds from `java -jar` to readiness UP, and the resident memory at that point.
# Default (zero-setup) profile, no external service: embedded H2 and Kafka in a fresh temp data dir,
# free ports, the repository's routes/. Builds the jar first when it is missing. Fails after 120 s.
#
#   bench/startup.sh            # one run
#   RUNS=3 bench/startup.sh     # several runs, one line each
#   JAVA_OPTS="-XX:TieredStopAtLevel=1" bench/startup.sh
#   BENCH_JAR=/path/other.jar bench/startup.sh   # another build through the same script (before/after)
#   BENCH_CDS=1 bench/startup.sh                 # as scripts/run.sh starts it: extracted jar + CDS archive
#
# Second line of each run: where the time went, seconds after `java` was started, from the log's timestamps
# (INFO for the milestones): first log line (JVM + class loading up to logging), embedded Kafka broker started
# (and its own start time), Flyway done, Hawtio initialised, Tomcat started, Camel routes started.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
JAR="${BENCH_JAR:-$REPO/target/integration-hub.jar}"
TIMEOUT_S=${TIMEOUT_S:-120}
RUNS=${RUNS:-1}
JAVA_OPTS=${JAVA_OPTS:-}
if [ "${BENCH_CDS:-0}" = 1 ]; then
  # scripts/run.sh's start: target/integration-hub.jar extracted into target/app/ plus its class data sharing
  # archive (prepared once per build by a training run).
  if [ ! -f target/app/integration-hub.jsa ] || [ target/integration-hub.jar -nt target/app/integration-hub.jar ]; then
    scripts/run.sh --prepare
  fi
  JAR="$REPO/target/app/integration-hub.jar"
  JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=$REPO/target/app/integration-hub.jsa"
fi

command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }
if [ ! -f "$JAR" ]; then
  echo "building $JAR ..." >&2
  ./mvnw -q -B -DskipTests package
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

run_once() {
  local work port kport cport start now elapsed rss cpu status log load spring
  load=$(cut -d' ' -f1 /proc/loadavg)
  work=$(mktemp -d "${TMPDIR:-/tmp}/hub-startup.XXXXXX")
  port=$(free_port); kport=$(free_port); cport=$(free_port)
  log="$work/hub.log"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  (cd "$work" && exec java $JAVA_OPTS -Djava.io.tmpdir="$work" -jar "$JAR" \
      --server.port="$port" \
      --logging.level.root=INFO \
      --hub.data-dir="$work/data" \
      --hub.routes-dir="$REPO/routes" \
      --hub.kafka.embedded.port="$kport" \
      --hub.kafka.embedded.controller-port="$cport" >"$log" 2>&1) &
  pid=$!
  trap 'kill "${pid:-}" 2>/dev/null || true' EXIT

  status=""
  while :; do
    now=$(date +%s.%N)
    elapsed=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the hub exited before it was ready (log kept: $log); last lines:" >&2; tail -30 "$log" >&2; return 1
    fi
    status=$(curl -s -m 2 "http://127.0.0.1:$port/actuator/health/readiness" || true)
    case "$status" in '{"status":"UP"'*) break ;; esac
    if awk -v e="$elapsed" -v t="$TIMEOUT_S" 'BEGIN { exit !(e >= t) }'; then
      echo "not ready after ${TIMEOUT_S}s (last answer: ${status:-none}; log kept: $log); last lines:" >&2
      tail -30 "$log" >&2
      return 1
    fi
    sleep 0.2
  done

  # The JVM is the only child of the subshell's exec; its RSS in MiB.
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?")
  # CPU seconds (user + system, all threads) the JVM used until readiness: moves less with the machine's load
  # than the wall time does, so before/after comparisons on a shared machine read it too.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$pid/stat" 2>/dev/null || echo "?")
  spring=$(grep -o 'Started HubApplication in [0-9.]* seconds' "$log" | grep -o '[0-9.]* seconds' || echo "?")
  echo "ready_s=$elapsed cpu_s=$cpu rss_mib=$rss spring_reported=\"$spring\" cores=$(nproc) load1_at_start=$load java=\"$(java -version 2>&1 | head -1)\""
  python3 - "$log" "$start" <<'PY'
import re, sys, datetime
log, start = sys.argv[1], float(sys.argv[2])
marks = [("first_log", r"."), ("kafka_started", r"Embedded Kafka .* started on"), ("flyway_done", r"Successfully applied|Schema .* is up to date"),
         ("hawtio", r"Initialising Hawtio"), ("tomcat_started", r"Tomcat started on port"), ("camel_started", r"Apache Camel .* started in")]
seen, out = {}, []
for line in open(log, errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    if not m:
        continue
    t = datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc).timestamp() - start
    for name, pattern in marks:
        if name not in seen and re.search(pattern, line):
            seen[name] = t
            extra = re.search(r"started on \S+ in (\d+) ms", line)
            out.append(f"{name}={t:.1f}" + (f" (broker start {int(extra.group(1))/1000:.1f} s)" if extra else ""))
print("  phases_s: " + " ".join(out))
PY

  kill "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  trap - EXIT
  rm -rf "$work"
}

pid=""
for _ in $(seq 1 "$RUNS"); do
  run_once
done
