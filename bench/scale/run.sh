#!/usr/bin/env bash
# Scale-out with real processes, one command: bench/scale/run.sh
#
# On loopback only: a standalone Kafka broker (KRaft, from the Kafka jars the build already resolved — nothing is
# downloaded), PostgreSQL (127.0.0.1:5432, its own database "scale", dropped at the end), a loopback Square-shaped
# provider process, and hub processes with external Kafka and PostgreSQL (the prod profile's wiring; the bench
# tenant, its connections and bench bearer tokens come from the test classpath: io.integrationhub.bench).
#   1. one hub:  signed webhooks (bench/webhooks/WebhookLoad.java) and full syncs of CONNECTIONS connections;
#   2. two hubs: the same load spread over both (throughput with 2 instances);
#   3. failover: syncs and webhooks through both, hub 2 killed with kill -9 half-way, then restarted;
# then checks: every acknowledged webhook processed once, every sync complete with exactly the provider's records,
# the clustered Quartz job (webhooks.subscriptions.renewal, every 10 s here) fired once per period across the
# instances, and the combined call rate the provider saw against the per-provider budget.
# Bounded: every wait and every load step has a time limit; every process it started is stopped at the end.
#
# Environment: BENCH_WEBHOOKS (per sender, default 600), BENCH_RECORDS (per connection and entity, 3000),
# BENCH_CONNECTIONS (8), BENCH_BUDGET (hub.resilience.budgets.square, requests/s, 5),
# BENCH_PAGE (records per provider page, 100),
# BENCH_PG_USER (postgres), BENCH_OUT (target/bench-scale).
set -euo pipefail
cd "$(dirname "$0")/../.."
WEBHOOKS=${BENCH_WEBHOOKS:-600}
RECORDS=${BENCH_RECORDS:-3000}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
BUDGET=${BENCH_BUDGET:-5}
PG_USER=${BENCH_PG_USER:-postgres}
PAGE=${BENCH_PAGE:-100}
OUT=${BENCH_OUT:-target/bench-scale}
KAFKA_PORT=39092
CONTROLLER_PORT=39093
HUB_PORTS=(38081 38082)
PROVIDER_PORT=38090
RENEWAL_PERIOD=10
KEY=bench-demo-api-key-0123456789
ADMIN=bench-admin-token-0123456789abcdef
LOAD=bench/webhooks/WebhookLoad.java
PSQL=(psql -q -X -h 127.0.0.1 -p 5432 -U "$PG_USER")

rm -rf "$OUT" && mkdir -p "$OUT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS scale WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$OUT/kafka-data" "$OUT"/data-*
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work: throughput figures are indicative)"
log "build (offline) and the test classpath"
./mvnw -o -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test >"$OUT/build.log" 2>&1 \
  || { tail -30 "$OUT/build.log"; exit 1; }
CP="target/test-classes:target/classes:$(cat "$OUT/cp.txt")"

# --- PostgreSQL --------------------------------------------------------------------------------------------
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS scale WITH (FORCE)" >/dev/null
"${PSQL[@]}" -d postgres -c "CREATE DATABASE scale" >/dev/null
sql() { "${PSQL[@]}" -d scale -tA -c "$1"; }

# --- Kafka, KRaft, one combined broker/controller ----------------------------------------------------------
cat >"$OUT/logback-kafka.xml" <<'EOF'
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%d %-5level %logger{36} - %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
EOF
cat >"$OUT/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$PWD/$OUT/kafka-data
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
KJAVA=(java -Xmx512m -Dlogback.configurationFile="$OUT/logback-kafka.xml" -cp "$CP")
CLUSTER_ID=$("${KJAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
"${KJAVA[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$OUT/server.properties" >"$OUT/kafka-format.log" 2>&1
"${KJAVA[@]}" kafka.Kafka "$OUT/server.properties" >"$OUT/kafka.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null && break; sleep 1; done
(exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null || { log "Kafka did not start"; tail -20 "$OUT/kafka.log"; exit 1; }
log "Kafka (KRaft) on 127.0.0.1:$KAFKA_PORT, cluster $CLUSTER_ID"

# --- the loopback provider ---------------------------------------------------------------------------------
java -Xmx256m -cp "$CP" io.integrationhub.bench.ScaleProcesses provider "$PROVIDER_PORT" "$RECORDS" 5 3000 "$OUT/provider.stats" \
  >"$OUT/provider.log" 2>&1 &
PIDS+=($!)

# --- hub processes -----------------------------------------------------------------------------------------
declare -A HUB_PID
start_hub() { # index (1|2)
  local i=$1 port=${HUB_PORTS[$(( $1 - 1 ))]}
  mkdir -p "$OUT/data-$i"
  HUB_DB_URL=jdbc:postgresql://127.0.0.1:5432/scale HUB_DB_USER=$PG_USER HUB_DB_PASSWORD='' \
  HUB_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT HUB_PUBLIC_URL=http://127.0.0.1:$port HUB_ADMIN_TOKEN=$ADMIN \
  HUB_CRYPTO_KEY_RING=bench-1:YmVuY2gtb25seS12YXVsdC1rZXktMDEyMzQ1Njc4OWE= HUB_CRYPTO_ACTIVE_KEY=bench-1 \
  HUB_OPS_ADMIN_PASSWORD=bench-ops-password-0123 \
  java -Xmx640m -cp "$CP" io.integrationhub.bench.ScaleProcesses hub "http://127.0.0.1:$PROVIDER_PORT" "$PAGE" \
    --spring.profiles.active=prod --server.address=127.0.0.1 --server.port="$port" \
    --hub.data-dir="$OUT/data-$i" --hub.routes-dir=routes \
    --hub.demo.enabled=true --hub.demo.api-key=$KEY --hub.bench.enabled=true \
    --hub.providers.xero.webhook-secret=bench-xero-webhook-key \
    --hub.providers.square.webhook-secret=bench-square-signature-key \
    --hub.providers.hubspot.webhook-secret=bench-hubspot-app-secret \
    --hub.providers.slack.webhook-secret=bench-slack-signing-secret \
    --hub.webhooks.processing-lease=20s --hub.webhooks.recovery-interval=5s \
    --hub.webhooks.renewal-cron="*/$RENEWAL_PERIOD * * * * ?" \
    --hub.sync.stale-after=PT15S --hub.sync.heartbeat-period-ms=2000 --hub.sync.sweep-period-ms=2000 \
    --hub.resilience.budgets.square="$BUDGET" \
    --logging.level.root=WARN --logging.level.io.integrationhub=INFO >>"$OUT/hub-$i.log" 2>&1 &
  HUB_PID[$i]=$!
  PIDS+=("${HUB_PID[$i]}")
  for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; then sleep 2; return 0; fi
    kill -0 "${HUB_PID[$i]}" 2>/dev/null || { log "hub $i exited; see $OUT/hub-$i.log"; tail -30 "$OUT/hub-$i.log"; exit 1; }
    sleep 1
  done
  log "hub $i not ready after 180 s"; exit 1
}
url() { echo "http://127.0.0.1:${HUB_PORTS[$(( $1 - 1 ))]}"; }

# Square connections of the bench tenant (no OAuth: the bench tokens stand in), made directly in the database.
connections() {
  local tenant; tenant=$(sql "SELECT tenant_id FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at LIMIT 1")
  for _ in $(seq 1 "$CONNECTIONS"); do
    sql "INSERT INTO connections (id, tenant_id, provider, name, status, scopes, config, created_at, updated_at)
         VALUES (gen_random_uuid(), '$tenant', 'square', 'scale bench', 'active', '[]', '{}', now(), now())" >/dev/null
  done
  sql "SELECT id FROM connections WHERE name = 'scale bench' ORDER BY id" >"$OUT/connections.txt"
}
start_syncs() { # entity hub-index... ; run ids appended to $OUT/runs-<entity>.txt
  local entity=$1; shift; local hubs=("$@") n=0 id
  : >"$OUT/runs-$entity.txt"
  while read -r c; do
    local h=${hubs[$(( n % ${#hubs[@]} ))]}; n=$((n + 1))
    id=$(curl -sf -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
      -d "{\"entity\":\"$entity\",\"mode\":\"full\"}" "$(url "$h")/api/v1/connections/$c/syncs" | sed -E 's/.*"id":"([^"]+)".*/\1/')
    echo "$id" >>"$OUT/runs-$entity.txt"
  done <"$OUT/connections.txt"
}
await_syncs() { # entity limit-seconds hub-index
  local entity=$1 limit=$2 h=$3 done_count
  for _ in $(seq 1 "$limit"); do
    done_count=$(sql "SELECT count(*) FROM sync_runs WHERE entity = '$entity' AND status IN ('succeeded','failed','cancelled')")
    [ "$done_count" -ge "$CONNECTIONS" ] && return 0
    sleep 1
  done
  log "syncs of $entity not finished after $limit s"; return 1
}
check_syncs() { # entity -> prints and returns non-zero on a wrong count
  local entity=$1 bad
  bad=$(sql "SELECT count(*) FROM sync_runs r WHERE r.entity = '$entity' AND (r.status <> 'succeeded'
         OR (SELECT count(*) FROM records x WHERE x.connection_id = r.connection_id AND x.model = r.entity) <> $RECORDS)")
  local dup; dup=$(sql "SELECT count(*) FROM (SELECT connection_id, model, external_id FROM records WHERE model = '$entity'
         GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
  # records_processed counts committed pages only: a page committed twice (a takeover re-reading it) shows here
  local processed; processed=$(sql "SELECT coalesce(sum(records_processed), 0) FROM sync_runs WHERE entity = '$entity'")
  log "syncs of $entity: $CONNECTIONS runs, $(sql "SELECT count(*) FROM records WHERE model = '$entity'") records," \
      "$processed processed (expected $((CONNECTIONS * RECORDS)) each); runs not succeeded or with a wrong record count: $bad," \
      "duplicated records: $dup"
  [ "$bad" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$processed" -eq $((CONNECTIONS * RECORDS)) ]
}
sync_rate() { # entity -> records/s from the first start to the last completion
  local entity=$1
  sql "SELECT round(sum(records_processed) / greatest(extract(epoch FROM max(completed_at) - min(started_at)), 0.001))
       FROM sync_runs WHERE entity = '$entity'"
}
renewals() { # hub-index -> the Quartz route's exchanges on that hub
  curl -sf "$(url "$1")/actuator/prometheus" | awk '/^camel_exchanges_total\{.*routeId="webhooks.subscriptions.renewal"/ {s += $NF} END {print s + 0}'
}
webhook_rate() { awk '/^RESULT signed webhooks:/ {print $5}' "$1"; }

FAILED=0
check() { if "$@"; then :; else FAILED=1; fi; }

# === 1. one hub ============================================================================================
log "== 1. one hub"
start_hub 1
connections
timeout 300 java "$LOAD" send "$(url 1)" 200 8 7 "$OUT/warmup.tsv" >/dev/null
timeout 600 java "$LOAD" send "$(url 1)" "$WEBHOOKS" 16 41 "$OUT/one.tsv" >"$OUT/one.txt"
start_syncs item 1
check await_syncs item 600 1
log "1 hub: signed webhooks $(webhook_rate "$OUT/one.txt") req/s; sync $(sync_rate item) records/s"

# === 2. two hubs ===========================================================================================
log "== 2. two hubs"
start_hub 2
R1=$(renewals 1); R2=$(renewals 2); T0=$(date +%s)
timeout 600 java "$LOAD" send "$(url 1)" "$WEBHOOKS" 8 42 "$OUT/two-a.tsv" >"$OUT/two-a.txt" &
A=$!
timeout 600 java "$LOAD" send "$(url 2)" "$WEBHOOKS" 8 43 "$OUT/two-b.tsv" >"$OUT/two-b.txt" &
B=$!
start_syncs category 1 2
wait "$A" "$B"
check await_syncs category 600 1
log "2 hubs: signed webhooks $(awk -v a="$(webhook_rate "$OUT/two-a.txt")" -v b="$(webhook_rate "$OUT/two-b.txt")" 'BEGIN {print a + b}') req/s" \
    "(two senders, 8 clients each); sync $(sync_rate category) records/s"
sleep $((RENEWAL_PERIOD * 2))
T1=$(date +%s); F=$(( $(renewals 1) - R1 + $(renewals 2) - R2 )); PERIODS=$(( (T1 - T0) / RENEWAL_PERIOD ))
log "clustered Quartz job webhooks.subscriptions.renewal: $F firings on both hubs together in $((T1 - T0)) s ($PERIODS periods of ${RENEWAL_PERIOD} s)"
check test "$F" -ge $((PERIODS - 1)) -a "$F" -le $((PERIODS + 1))

# === 3. failover: kill -9 hub 2 half-way ==================================================================
log "== 3. failover: hub 2 killed with kill -9 half-way through syncs and a webhook burst, then restarted"
# the owner id of hub 1: it ran phase 1's syncs alone
HUB1_OWNER=$(sql "SELECT owner FROM sync_runs WHERE entity = 'item' AND owner IS NOT NULL LIMIT 1")
start_syncs order 2 1
timeout 600 java "$LOAD" send "$(url 1)" "$WEBHOOKS" 8 44 "$OUT/kill-a.tsv" >"$OUT/kill-a.txt" &
A=$!
timeout 600 java "$LOAD" send "$(url 2)" "$WEBHOOKS" 8 45 "$OUT/kill-b.tsv" >"$OUT/kill-b.txt" &
B=$!
# kill hub 2 once it holds a run that has committed a page (or after 40 s, whatever it holds then: which instance
# executes a run depends on which consumer the connection's partition of hub.sync.requests is assigned to)
for _ in $(seq 1 80); do
  HELD=$(sql "SELECT count(*) FROM sync_runs WHERE entity = 'order' AND status = 'running' AND pages >= 1
              AND owner IS DISTINCT FROM '$HUB1_OWNER'")
  [ "$HELD" -ge 1 ] && break
  sleep 0.5
done
sql "SELECT id FROM sync_runs WHERE entity = 'order' AND status = 'running' AND owner IS DISTINCT FROM '$HUB1_OWNER'" >"$OUT/held.txt"
kill -9 "${HUB_PID[2]}"
KILLED_AT=$(date +%s.%N)
wait "${HUB_PID[2]}" 2>/dev/null || true # gone, and its port free, before it is restarted
log "hub 2 killed (kill -9) holding $(wc -l <"$OUT/held.txt") running sync run(s); $(sql "SELECT count(*) FROM sync_runs WHERE entity = 'order' AND status = 'succeeded'") of $CONNECTIONS order runs done"
# takeover, watched from the kill on: each run hub 2 held is claimed again (a fresh heartbeat) or finished
watch_takeover() {
  local left run still
  for _ in $(seq 1 1200); do
    left=0
    while read -r run; do
      [ -n "$run" ] || continue
      still=$(sql "SELECT count(*) FROM sync_runs WHERE id = '$run' AND status = 'running' AND heartbeat_at < to_timestamp($KILLED_AT)")
      left=$((left + still))
    done <"$OUT/held.txt"
    if [ "$left" -eq 0 ]; then
      awk -v k="$KILLED_AT" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f\n", n - k}' >"$OUT/takeover.txt"
      return 0
    fi
    sleep 0.5
  done
  echo "not within 600 s" >"$OUT/takeover.txt"
}
watch_takeover &
WATCH=$!
PIDS+=("$WATCH")
wait "$A" || true
wait "$B" || true
start_hub 2
wait "$WATCH" || true
[ -s "$OUT/held.txt" ] || echo "(hub 2 held no run)" >"$OUT/takeover.txt"
log "runs held by hub 2 claimed again $(cat "$OUT/takeover.txt") s after the kill" \
    "(lease hub.sync.stale-after = 15 s, sweep every 2 s, heartbeat every 2 s; hub 2 was restarted meanwhile)"
check await_syncs order 600 1

# === checks =================================================================================================
log "== checks"
for e in item category order; do check check_syncs "$e"; done
{ cat "$OUT/warmup.tsv"; for f in one two-a two-b kill-a kill-b; do tail -n +2 "$OUT/$f.tsv"; done; } >"$OUT/all.tsv"
log "webhooks (every acknowledged event stored and processed once, across both hubs and the kill):"
check timeout 300 java "$LOAD" verify "$(url 1)" "$KEY" "$OUT/all.tsv"
calls=$(awk -F= '$1 == "calls" {print $2}' "$OUT/provider.stats")
maxPerSecond=$(awk -F= '$1 == "maxPerSecond" {print $2}' "$OUT/provider.stats")
maxPer10s=$(awk -F= '$1 == "maxPer10s" {print $2}' "$OUT/provider.stats")
# Per instance (hub.resilience.budget-scope: instance) the budget is a token bucket (capacity = rate = BUDGET): in
# any 10 s one instance sends at most 11 x BUDGET, 2 instances 22 x BUDGET. Cluster-wide (the default scope since
# the provider_budgets ledger) requests are spaced 1/BUDGET apart for all instances: about 10 x BUDGET in 10 s.
log "provider: $calls calls; at most $maxPerSecond in one second, $maxPer10s in any 10 s" \
    "(= $(awk -v n="$maxPer10s" 'BEGIN {printf "%.1f", n / 10}')/s); hub.resilience.budgets.square = $BUDGET/s:" \
    "cluster-wide about $((10 * BUDGET + 1)) in 10 s, per instance up to $((22 * BUDGET)) for 2 instances"
check test "$maxPer10s" -le $((22 * BUDGET))
if [ "$FAILED" -ne 0 ]; then log "RESULT: a check failed (see above and $OUT)"; exit 1; fi
log "RESULT: all correctness checks passed"
