#!/usr/bin/env bash
# Webhook bench, one command: ./bench/webhooks/run.sh [count] [concurrency]
#
# Runs the default-profile jar (embedded Kafka; H2 file, or PostgreSQL with BENCH_DB=postgres) on
# loopback with data in a temp dir, twice:
#  1. Warm-up rounds (800 signed webhooks + 500 bare requests each, at most BENCH_WARMUP_ROUNDS) until the JIT compiler threads use under 5 % of
#     the cores in a round. Then, each measured step started on a settled hub (no event waiting for processing, and
#     its CPU under 30 % of a core for 2 s: the previous step's processing, pulls and relay done):
#     a. ingest alone: the webhook consumers (route webhooks.consume) suspended through Jolokia, as an operator would
#        in Hawtio; `count` signed webhooks over xero/square/hubspot/slack (80% unique valid, 10% duplicates, 10%
#        forged or stale), closed loop (`concurrency` clients); the route is resumed;
#     b. the bare 200 endpoint of the same app, closed loop;
#     c. the signed webhooks again with processing running beside the ingest, closed loop;
#     each closed-loop step starts with BENCH_CLIENT_WARMUP untimed requests of its own (the client's JIT warm-up);
#     a-c BENCH_REPEATS times in turn; then each paced (open loop) at BENCH_RATE requests/s for BENCH_PACED_SECONDS
#     after a warm-up of the client (BENCH_PACED_WARMUP seconds at the same rate, sent and verified but not counted),
#     latency counted from each request's due time.
#     The closed-loop ratios signed/bare of each repeat and their medians are printed. Checks that every acknowledged event is stored and processed
#     exactly once and every forged/stale one was refused (401, or 503 when the intake limit shed it before
#     verification).
#  2. The same load with the hub killed (kill -9) half-way and restarted on the same data; checks that
#     every event acknowledged before the kill is processed after the restart, none twice.
# Processing is the hub's own: each xero/square/hubspot event's handler fetches the object the event names
# (Xero invoice, Square order, HubSpot contact) through the platform provider endpoint with the bench
# connection's vaulted bearer token (hub.bench.provider-token), from a provider simulator this script starts
# (java WebhookLoad.java providers: the providers' answer shapes over HTTP on loopback; the hub's
# hub.providers.<key>.api-url point at it), maps it and stores its record; a Slack event asks for an incremental pull
# of the bench connection's channel (conversations.history from the same simulator). The simulator has no rate
# limit, so the Xero and HubSpot per-connection budgets and the four providers' request budgets (default 20 requests/s
# each) are raised for the simulator (the budgets are still counted per call), and processing runs 3 Kafka consumers
# (hub.webhooks.consumers; 1 by default).
# Bounded: each phase has a time limit; the hub processes are stopped at the end.
#
# Environment:
#   BENCH_DB=h2|postgres   database (default h2). postgres: BENCH_PG_URL (default
#                          jdbc:postgresql://127.0.0.1:5432/test), BENCH_PG_USER (postgres), BENCH_PG_PASSWORD
#                          (empty); a fresh schema per phase, dropped at the end when psql is available
#   BENCH_RATE=500         paced rate, requests/s;  BENCH_PACED_SECONDS=20;  BENCH_PACED_REPEATS=1 (the three paced steps
#                          in turn, each with its CPU per request: hub, database, the rest = the load client and the simulator)
#   BENCH_PACED_CLIENT=wire  the paced steps' HTTP client: wire (kept-alive sockets, the request written and the answer
#                          read by hand, ~0.2-0.4 ms of CPU per request) or jdk (java.net.http.HttpClient.sendAsync, as
#                          before the thirteenth session, 1.3-2.3 ms per request: most of a core at 500/s, taken from the hub)
#   BENCH_CLOSED_CLIENT=jdk  the closed-loop steps' client: jdk (as every round measured the ratios with) or wire
#   BENCH_PACED_WARMUP=6   seconds each paced step sends first at the same rate, not counted: the load client's JIT
#                          compiles for ~5 s on two cores, and the hub shares them (3 s left it compiling in the
#                          counted window: the hub then waited for a core and its first seconds' answers took 0.5-2 s)
#   BENCH_READY_SECONDS=120  how long a hub may take to become ready (raise it on an oversubscribed machine)
#   BENCH_VERIFY_SECONDS=300  how long the check waits for every stored event to be processed
#   BENCH_WARMUP_ROUNDS=25 most warm-up rounds;  BENCH_SETTLE_SECONDS=90  longest wait for a settled hub
#   BENCH_REPEATS=3        closed-loop repeats (signed with processing suspended, bare, signed with processing)
#   BENCH_CLIENT_WARMUP=1000  requests each closed-loop step sends first, untimed (the load client's own JIT warm-up;
#                          the signed ones are verified like the rest)
#   BENCH_HUB_ARGS="..."   more arguments for the hub, e.g. --hub.webhooks.group-commit-max-batch=1 (an A/B of a setting)
#   BENCH_JVM="..."        the hub's JVM options besides -Xmx768m (default on PostgreSQL -XX:+UseParallelGC, the collector
#                          of the image and the k8s pods; on H2 -XX:-ClassUnloadingWithConcurrentMark with the JVM's own
#                          collector, G1 on two cores, as the README's ./mvnw spring-boot:run starts the zero-setup profile)
#   BENCH_JAR=path         another build of the hub (e.g. the previous version, for a same-machine comparison)
#   BENCH_JFR=1            record phase 1's closed-loop signed webhooks, processing suspended, with JDK Flight Recorder (CPU samples,
#                          bench/cpu-samples.jfc) into $OUT/hub-1.jfr; summary: bench/jfr-summary.py $OUT/hub-1.jfr
#   BENCH_ASYNC_PROFILER=path/libasyncProfiler.so   the same step profiled with async-profiler 3.x (linux-x64/ of the
#                          tools.profiler:async-profiler jar), loaded into the running hub with jcmd JVMTI.agent_load:
#                          CPU samples (itimer, 1 ms) into $OUT/hub-1-cpu.collapsed (collapsed stacks, one line per
#                          stack), the first repeat's bare step into $OUT/hub-1-bare-cpu.collapsed; unlike JFR it leaves
#                          the hub's CPU per request as it is (docs/performance.md, tenth session)
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-2000}
CONCURRENCY=${2:-16}
DB=${BENCH_DB:-h2}
# PostgreSQL is production: the image's collector. H2 keeps its pages in the hub's heap, and the parallel collector's
# full collections of that old generation (225-323 ms) set the H2 tail; the zero-setup run gets G1 from the JVM
# (docs/performance.md, "Round of 2026-12-07, eleventh session").
# On H2 G1 with the flag ./mvnw spring-boot:run adds (pom.xml): its remark pauses without class unloading.
if [ "$DB" = postgres ]; then DEFAULT_JVM="-XX:+UseParallelGC"; else DEFAULT_JVM="-XX:-ClassUnloadingWithConcurrentMark"; fi
HUB_JVM=${BENCH_JVM-$DEFAULT_JVM}
RATE=${BENCH_RATE:-500}
PACED_SECONDS=${BENCH_PACED_SECONDS:-20}
CLIENT_WARMUP=${BENCH_CLIENT_WARMUP:-1000}
VERIFY_SECONDS=${BENCH_VERIFY_SECONDS:-300}
PG_URL=${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${BENCH_PG_USER:-postgres}
PG_PASSWORD=${BENCH_PG_PASSWORD:-}
JAR=${BENCH_JAR:-target/integration-hub.jar}
if [ -n "${BENCH_ASYNC_PROFILER:-}" ]; then
  BENCH_ASYNC_PROFILER=$(realpath "$BENCH_ASYNC_PROFILER") # the hub's JVM loads it, from its own directory
fi
# the load client, compiled once: run as a source file (java WebhookLoad.java) each of its ~20 starts compiled it
# again in the client's JVM, a second of CPU beside the hub at the start of every step
LOAD_CLASSES=$(mktemp -d /tmp/webhook-load.XXXXXX)
javac -d "$LOAD_CLASSES" bench/webhooks/WebhookLoad.java
PACED_WARMUP=${BENCH_PACED_WARMUP:-6}
PACED_REPEATS=${BENCH_PACED_REPEATS:-1}
PACED_CLIENT=${BENCH_PACED_CLIENT:-wire}
CLOSED_CLIENT=${BENCH_CLOSED_CLIENT:-jdk}
OUT=${BENCH_OUT:-target/bench-webhooks}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # absolute: jcmd writes the recording relative to the hub's directory
rm -f "$OUT"/hub-*.log

if [ ! -f "$JAR" ]; then
  ./mvnw -o -B -q -DskipTests package
fi

PROVIDER_TOKEN=bench-provider-access-token-0123456789
SIM_PID=""
SIM_PORT=""
start_providers() { # the provider APIs the webhook handlers call; one simulator for the whole run
  SIM_PORT=$(free_port)
  # TCP_NODELAY: small answers are not held back by Nagle against the client's delayed ACK (40 ms each)
  java -Dsun.net.httpserver.nodelay=true -cp "$LOAD_CLASSES" WebhookLoad providers "$SIM_PORT" "$PROVIDER_TOKEN" >>"$OUT/providers.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:$SIM_PORT/" 2>/dev/null && return 0
    kill -0 "$SIM_PID" 2>/dev/null || { echo "provider simulator exited; see $OUT/providers.log"; exit 1; }
    sleep 1
  done
  echo "provider simulator not up; see $OUT/providers.log"; exit 1
}
stop_providers() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

SCHEMAS=()
db_args() { # schema -> the database arguments of the hub
  if [ "$DB" = postgres ]; then
    local sep='?'; case "$PG_URL" in *\?*) sep='&';; esac
    echo "--spring.datasource.url=${PG_URL}${sep}currentSchema=$1 --spring.datasource.username=$PG_USER" \
      "--spring.datasource.password=$PG_PASSWORD --spring.flyway.schemas=$1" \
      "--spring.quartz.properties.org.quartz.jobStore.driverDelegateClass=org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
  fi
}
SCHEMA=""
new_schema() { SCHEMA="bench_webhooks_$(date +%s)_$RANDOM"; SCHEMAS+=("$SCHEMA"); } # not in a subshell: SCHEMAS must grow
drop_schemas() {
  if [ "$DB" = postgres ] && command -v psql >/dev/null && [ ${#SCHEMAS[@]} -gt 0 ]; then
    local db=${PG_URL##*/}; db=${db%%\?*}; local hostport=${PG_URL#jdbc:postgresql://}; hostport=${hostport%%/*}
    for s in "${SCHEMAS[@]}"; do
      PGPASSWORD="$PG_PASSWORD" psql -q -h "${hostport%%:*}" -p "${hostport##*:}" -U "$PG_USER" -d "$db" \
        -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
    done
  fi
}

HUB_PID=""
JVM_EXTRA=""
DB_ARGS=""
start_hub() { # data_dir port kafka_port controller_port log
  mkdir -p "$1/routes"
  # shellcheck disable=SC2086
  java -Xmx768m $HUB_JVM $JVM_EXTRA -jar "$JAR" $DB_ARGS \
    --server.address=127.0.0.1 --server.port="$2" --hub.public-url="http://127.0.0.1:$2" \
    --hub.data-dir="$1" --hub.routes-dir="$1/routes" \
    --hub.kafka.embedded.port="$3" --hub.kafka.embedded.controller-port="$4" \
    --hub.demo.api-key=bench-demo-api-key-0123456789 --hub.bench.enabled=true \
    --hub.providers.xero.webhook-secret=bench-xero-webhook-key \
    --hub.providers.square.webhook-secret=bench-square-signature-key \
    --hub.providers.hubspot.webhook-secret=bench-hubspot-app-secret \
    --hub.providers.slack.webhook-secret=bench-slack-signing-secret \
    --hub.webhooks.processing-lease=20s --hub.webhooks.recovery-interval=5s \
    --hub.bench.provider-token="$PROVIDER_TOKEN" \
    --hub.providers.xero.api-url="http://127.0.0.1:$SIM_PORT/xero" \
    --hub.providers.square.api-url="http://127.0.0.1:$SIM_PORT/square" \
    --hub.providers.hubspot.api-url="http://127.0.0.1:$SIM_PORT/hubspot" \
    --hub.providers.slack.api-url="http://127.0.0.1:$SIM_PORT/slack" \
    --hub.resilience.connection-budgets.xero.limit=1000000 \
    --hub.resilience.connection-budgets.hubspot.limit=1000000 \
    --hub.resilience.budgets.xero=100000 --hub.resilience.budgets.square=100000 \
    --hub.resilience.budgets.hubspot=100000 --hub.resilience.budgets.slack=100000 --hub.webhooks.consumers=3 \
    --camel.main.routes-reload-enabled=false --logging.level.root=WARN ${BENCH_HUB_ARGS:-} >>"$5" 2>&1 &
  HUB_PID=$!
  for _ in $(seq 1 "${BENCH_READY_SECONDS:-120}"); do
    if curl -sf "http://127.0.0.1:$2/actuator/health/readiness" >/dev/null 2>&1; then
      # the bench connections are seeded once the app is ready
      sleep 2; return 0
    fi
    kill -0 "$HUB_PID" 2>/dev/null || { echo "hub exited; see $5"; exit 1; }
    sleep 1
  done
  echo "hub not ready after ${BENCH_READY_SECONDS:-120} s; see $5"; exit 1
}
settle() { # until the hub is idle (the previous phase's processing, pulls and relay done): no stored event waiting for
  # processing (unless processing is suspended), then under 30 % of a core for 2 s
  local quiet=0 t0 t1 start=$SECONDS
  if [ "${1:-}" != suspended ]; then
    timeout 400 java -cp "$LOAD_CLASSES" WebhookLoad drained "http://127.0.0.1:$PORT" "$KEY" 300 || echo "(events still waiting for processing after 300 s)"
  fi
  while [ $((SECONDS - start)) -lt "${BENCH_SETTLE_SECONDS:-90}" ] && [ $quiet -lt 2 ]; do
    t0=$(awk '{print $14+$15}' "/proc/$HUB_PID/stat"); sleep 1; t1=$(awk '{print $14+$15}' "/proc/$HUB_PID/stat")
    if [ $(( (t1 - t0) * 100 / $(getconf CLK_TCK) )) -lt 30 ]; then quiet=$((quiet + 1)); else quiet=0; fi
  done
  echo "(hub settled after $((SECONDS - start)) s)"
}
stop_hub() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null || true; HUB_PID=""; }
trap 'stop_hub; stop_providers; drop_schemas; rm -rf "$LOAD_CLASSES"' EXIT
ratio() { # file: signed/bare closed-loop throughput per repeat (processing suspended, with processing) and the medians
  awk '/^RESULT signed webhooks, processing suspended:/ {i[++ni]=$7} /^RESULT signed webhooks:/ {s[++ns]=$5}
       /^RESULT bare 200:/ {b[++nb]=$5}
       function median(a, n,   j, k, t) { for (j = 1; j <= n; j++) for (k = j + 1; k <= n; k++) if (a[k] < a[j]) { t = a[j]; a[j] = a[k]; a[k] = t }
                                          return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
       END { for (r = 1; r <= nb; r++) { ri[r] = i[r] / b[r]; rs[r] = s[r] / b[r]; li = li sprintf(" %.2f", ri[r]); ls = ls sprintf(" %.2f", rs[r]) }
             printf "RATIO signed/bare throughput (closed loop), processing suspended: median %.2f (repeats:%s)\n", median(ri, nb), li
             printf "RATIO signed/bare throughput (closed loop), with processing: median %.2f (repeats:%s)\n", median(rs, nb), ls }' "$1"
}
jit_ticks() { # CPU ticks the hub's JIT compiler threads used so far
  local t=0 d c
  for d in /proc/"$HUB_PID"/task/*; do
    c=$(cat "$d/comm" 2>/dev/null) || continue
    case "$c" in "C1 CompilerThre"*|"C2 CompilerThre"*) t=$((t + $(awk '{print $14+$15}' "$d/stat" 2>/dev/null || echo 0)));; esac
  done
  echo "$t"
}
camel_route() { # route-id suspend|resume: the route's JMX operation through Jolokia (the default profile's, loopback, no login)
  curl -sf -X POST "http://127.0.0.1:$PORT/actuator/jolokia" -H 'Content-Type: application/json' \
    -d "{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=integration-hub,type=routes,name=\\\"$1\\\"\",\"operation\":\"$2()\"}" \
    | grep -q '"status":200' || { echo "could not $2 route $1 through Jolokia"; exit 1; }
  echo "(route $1: $2)"
}

cpu_snap() { # CPU ticks so far: the hub, the PostgreSQL processes (0 on H2), the whole machine (busy)
  local pg=0
  if [ "$DB" = postgres ]; then
    pg=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" {t += $14 + $15} END {print t + 0}')
  fi
  echo "$(awk '{print $14+$15}' "/proc/$HUB_PID/stat") $pg $(awk '/^cpu / {print $2+$3+$4+$7+$8}' /proc/stat)"
}
cpu_report() { # "before" snapshot, requests, label: CPU per request of the hub, the database and the rest (the load client)
  local after; after=$(cpu_snap)
  # shellcheck disable=SC2086
  set -- $1 $after "$2" "$3"
  awk -v h0="$1" -v p0="$2" -v m0="$3" -v h1="$4" -v p1="$5" -v m1="$6" -v n="$7" -v label="$8" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { h = (h1 - h0) * 1000 / hz / n; p = (p1 - p0) * 1000 / hz / n; m = (m1 - m0) * 1000 / hz / n
             printf "CPU per request, %s: hub %.2f ms, database %.2f ms, rest of the machine (load client) %.2f ms\n", label, h, p, m - h - p }'
}

run_dir() { mktemp -d "${TMPDIR:-/tmp}/hub-bench-XXXXXX"; }
KEY=bench-demo-api-key-0123456789

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), database $DB, hub JVM options: -Xmx768m ${HUB_JVM:-(the JVM defaults)}"
echo "== 1. $COUNT signed webhooks (10% duplicates, 10% forged/stale) + bare 200, concurrency $CONCURRENCY; then paced $RATE/s"
rm -f "$OUT/providers.log"
start_providers
DATA=$(run_dir); PORT=$(free_port); KP=$(free_port); CP=$(free_port)
new_schema; DB_ARGS=$(db_args "$SCHEMA")
if [ -n "${BENCH_JFR:-}" ]; then
  JVM_EXTRA="-XX:FlightRecorderOptions:stackdepth=256" # deep Camel/Spring stacks; the recording starts after the warm-up
fi
start_hub "$DATA" "$PORT" "$KP" "$CP" "$OUT/hub-1.log"
JVM_EXTRA=""
# warm-up (JIT, connection pools, Kafka topics), not measured: rounds of 800 signed webhooks and 500 bare requests until
# the JIT compiler threads use under 5 % of the cores during a round (at most BENCH_WARMUP_ROUNDS, default 25), sent
# with the closed-loop steps' client: rounds sent with the JDK client left the hub compiling again once the wire
# client's faster closed loop began (async-profiler: 40 % of the hub's samples in the C2 compiler threads then). The
# wire client's rounds are twice as large: at its rate a round took about a second, short for telling the
# compiler's share (25 rounds ended with the compiler at 19 %); every warm-up event is processed and verified too
WARMUP_SCALE=$([ "$CLOSED_CLIENT" = wire ] && echo 2 || echo 1)
: > "$OUT/warmup.tsv"
for round in $(seq 1 "${BENCH_WARMUP_ROUNDS:-25}"); do
  j0=$(jit_ticks); s0=$(date +%s%N)
  timeout 300 java -Dclosed.client="$CLOSED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad ping "http://127.0.0.1:$PORT" $((500 * WARMUP_SCALE)) "$CONCURRENCY" >/dev/null
  timeout 300 java -Dclosed.client="$CLOSED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad send "http://127.0.0.1:$PORT" $((800 * WARMUP_SCALE)) "$CONCURRENCY" $((1000 + round)) "$OUT/warmup-$round.tsv" >/dev/null
  j1=$(jit_ticks); s1=$(date +%s%N)
  share=$(( (j1 - j0) * 100000 / $(getconf CLK_TCK) / ((s1 - s0) / 1000000) / $(nproc) ))
  if [ "$round" = 1 ]; then cat "$OUT/warmup-$round.tsv" > "$OUT/warmup.tsv"; else tail -n +2 "$OUT/warmup-$round.tsv" >> "$OUT/warmup.tsv"; fi
  rm -f "$OUT/warmup-$round.tsv"
  echo "(warm-up round $round: JIT compiler threads at $share % of the cores)"
  [ "$share" -lt 5 ] && break
done
# Closed loop, BENCH_REPEATS times (default 3) in turn: (a) ingest alone, the webhook consumers (route
# webhooks.consume) suspended through Jolokia as an operator would in Hawtio (the events wait in Kafka and are
# processed once the route is resumed: verify checks them all); (b) the bare endpoint; (c) signed webhooks with their
# processing running beside the ingest. Each on a settled hub; the ratios' median is the run's figure.
: > "$OUT/run1.txt"
TSVS=()
for rep in $(seq 1 "${BENCH_REPEATS:-3}"); do
  settle
  camel_route webhooks.consume suspend
  # the profile covers the first repeat's closed-loop signed webhooks, processing suspended (ingest and the relay)
  [ -n "${BENCH_JFR:-}" ] && [ "$rep" = 1 ] && jcmd "$HUB_PID" JFR.start name=bench settings="$(pwd)/bench/cpu-samples.jfc" >/dev/null
  # jcmd splits its arguments at '=': the agent's options go in quotes of their own
  [ -n "${BENCH_ASYNC_PROFILER:-}" ] && [ "$rep" = 1 ] \
    && jcmd "$HUB_PID" JVMTI.agent_load "$BENCH_ASYNC_PROFILER" '"start,event=itimer,interval=1ms"' >/dev/null
  c0=$(cpu_snap)
  timeout 600 java -Dclosed.warmup="$CLIENT_WARMUP" -Dclosed.client="$CLOSED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad send "http://127.0.0.1:$PORT" "$COUNT" "$CONCURRENCY" $((40 + rep * 10)) "$OUT/run1-$rep.tsv" \
    | sed 's/^RESULT signed webhooks:/RESULT signed webhooks, processing suspended:/' | tee -a "$OUT/run1.txt"
  cpu_report "$c0" "$((COUNT + CLIENT_WARMUP))" "signed, processing suspended (the client warm-up included)" | tee -a "$OUT/run1.txt"
  [ -n "${BENCH_JFR:-}" ] && [ "$rep" = 1 ] && jcmd "$HUB_PID" JFR.stop name=bench filename="$OUT/hub-1.jfr" >/dev/null
  [ -n "${BENCH_ASYNC_PROFILER:-}" ] && [ "$rep" = 1 ] \
    && jcmd "$HUB_PID" JVMTI.agent_load "$BENCH_ASYNC_PROFILER" "\"stop,file=$OUT/hub-1-cpu.collapsed,collapsed\"" >/dev/null
  camel_route webhooks.consume resume
  settle
  [ -n "${BENCH_ASYNC_PROFILER:-}" ] && [ "$rep" = 1 ] \
    && jcmd "$HUB_PID" JVMTI.agent_load "$BENCH_ASYNC_PROFILER" '"start,event=itimer,interval=1ms"' >/dev/null
  c0=$(cpu_snap)
  timeout 600 java -Dclosed.warmup="$CLIENT_WARMUP" -Dclosed.client="$CLOSED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad ping "http://127.0.0.1:$PORT" "$COUNT" "$CONCURRENCY" | tee -a "$OUT/run1.txt"
  cpu_report "$c0" "$((COUNT + CLIENT_WARMUP))" "bare (the client warm-up included)" | tee -a "$OUT/run1.txt"
  [ -n "${BENCH_ASYNC_PROFILER:-}" ] && [ "$rep" = 1 ] \
    && jcmd "$HUB_PID" JVMTI.agent_load "$BENCH_ASYNC_PROFILER" "\"stop,file=$OUT/hub-1-bare-cpu.collapsed,collapsed\"" >/dev/null
  settle
  timeout 600 java -Dclosed.warmup="$CLIENT_WARMUP" -Dclosed.client="$CLOSED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad send "http://127.0.0.1:$PORT" "$COUNT" "$CONCURRENCY" $((41 + rep * 10)) "$OUT/run1p-$rep.tsv" \
    | tee -a "$OUT/run1.txt"
  TSVS+=("run1-$rep" "run1p-$rep")
done
ratio "$OUT/run1.txt" | tee -a "$OUT/run1.txt"
# Paced (open loop) at BENCH_RATE requests/s: ingest alone, bare, with processing; BENCH_PACED_REPEATS times in turn
PACED_REQUESTS=$((RATE * (PACED_SECONDS + PACED_WARMUP)))
for prep in $(seq 1 "$PACED_REPEATS"); do
  sfx=$([ "$prep" = 1 ] && echo "" || echo "-$prep")
  settle
  camel_route webhooks.consume suspend
  c0=$(cpu_snap)
  timeout 600 java -Dpace.warmup-seconds="$PACED_WARMUP" -Dpace.client="$PACED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad pace "http://127.0.0.1:$PORT" webhooks "$RATE" "$PACED_SECONDS" $((46 + 10 * (prep - 1))) "$OUT/paced-ingest$sfx.tsv" \
    | sed 's/^RESULT signed webhooks paced/RESULT signed webhooks, processing suspended, paced/' | tee -a "$OUT/run1.txt"
  cpu_report "$c0" "$PACED_REQUESTS" "paced, signed, processing suspended (its warm-up included)" | tee -a "$OUT/run1.txt"
  camel_route webhooks.consume resume
  settle
  c0=$(cpu_snap)
  timeout 600 java -Dpace.warmup-seconds="$PACED_WARMUP" -Dpace.client="$PACED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad pace "http://127.0.0.1:$PORT" ping "$RATE" "$PACED_SECONDS" 0 | tee -a "$OUT/run1.txt"
  cpu_report "$c0" "$PACED_REQUESTS" "paced, bare (its warm-up included)" | tee -a "$OUT/run1.txt"
  settle
  c0=$(cpu_snap)
  timeout 600 java -Dpace.warmup-seconds="$PACED_WARMUP" -Dpace.client="$PACED_CLIENT" -cp "$LOAD_CLASSES" WebhookLoad pace "http://127.0.0.1:$PORT" webhooks "$RATE" "$PACED_SECONDS" $((44 + 10 * (prep - 1))) "$OUT/paced$sfx.tsv" \
    | tee -a "$OUT/run1.txt"
  cpu_report "$c0" "$PACED_REQUESTS" "paced, signed, with processing (its warm-up included; processing goes on after it)" | tee -a "$OUT/run1.txt"
  TSVS+=("paced-ingest$sfx" "paced$sfx")
done
# the warm-up and paced events are the demo tenant's too: verify all files' events together
cat "$OUT/warmup.tsv" > "$OUT/run1-all.tsv"
for f in "${TSVS[@]}"; do tail -n +2 "$OUT/$f.tsv" >> "$OUT/run1-all.tsv"; done
timeout $((VERIFY_SECONDS + 120)) java -Dverify.seconds="$VERIFY_SECONDS" -cp "$LOAD_CLASSES" WebhookLoad verify "http://127.0.0.1:$PORT" "$KEY" "$OUT/run1-all.tsv" | tee -a "$OUT/run1.txt"
stop_hub; rm -rf "$DATA"

echo "== 2. $COUNT signed webhooks, hub killed (kill -9) after $((COUNT / 2)) answers, restarted on the same data"
DATA=$(run_dir); PORT=$(free_port); KP=$(free_port); CP=$(free_port)
new_schema; DB_ARGS=$(db_args "$SCHEMA")
start_hub "$DATA" "$PORT" "$KP" "$CP" "$OUT/hub-2.log"
timeout 600 java -cp "$LOAD_CLASSES" WebhookLoad send "http://127.0.0.1:$PORT" "$COUNT" "$CONCURRENCY" 43 "$OUT/run2.tsv" $((COUNT / 2)) "$HUB_PID" \
  | tee "$OUT/run2.txt" || true
wait "$HUB_PID" 2>/dev/null || true; HUB_PID=""
start_hub "$DATA" "$PORT" "$KP" "$CP" "$OUT/hub-2.log"
timeout $((VERIFY_SECONDS + 120)) java -Dverify.seconds="$VERIFY_SECONDS" -cp "$LOAD_CLASSES" WebhookLoad verify "http://127.0.0.1:$PORT" "$KEY" "$OUT/run2.tsv" | tee -a "$OUT/run2.txt"
stop_hub; rm -rf "$DATA"
stop_providers; grep '^RESULT provider API' "$OUT/providers.log" | tee -a "$OUT/run2.txt" || true
echo "results: $OUT/run1.txt $OUT/run2.txt"
