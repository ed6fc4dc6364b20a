#!/usr/bin/env bash
# A full sync killed with SIGKILL half-way, then a new hub process resumes it from the last committed page:
# the result must be exactly the provider's records, no duplicates. Loopback only; PostgreSQL as for the
# test suite. Usage: bench/sync/kill-restart.sh [records]
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS="${1:-20000}"
SCHEMA="bench_kill_$(date +%s)"
DB="-Dhub.test.isolated-schema=false -Dspring.datasource.hikari.schema=$SCHEMA -Dspring.flyway.schemas=$SCHEMA -Dspring.flyway.default-schema=$SCHEMA"
rm -rf target/bench-kill && mkdir -p target/bench-kill
echo "phase 1: start a sync of $RECORDS records (schema $SCHEMA)"
timeout 900 ./mvnw -o -B -q test -Dtest=SyncKillRestartBench -Dsurefire.failIfNoSpecifiedTests=false -Down-jvm.skip=true \
  -Dbench.phase=start -Dbench.records="$RECORDS" $DB > target/bench-kill/phase1.log 2>&1 &
MVN=$!
half=$((RECORDS / 2))
for _ in $(seq 1 1200); do
  p=$(cat target/bench-kill/progress 2>/dev/null || echo 0)
  if [ "${p:-0}" -ge "$half" ] 2>/dev/null; then break; fi
  sleep 0.5
done
echo "killing the hub JVM with SIGKILL at $(cat target/bench-kill/progress) records processed"
kill -9 "$(cat target/bench-kill/pid)"
wait "$MVN" || true
echo "phase 2: a new hub resumes the run"
timeout 900 ./mvnw -o -B -q test -Dtest=SyncKillRestartBench -Dsurefire.failIfNoSpecifiedTests=false -Down-jvm.skip=true \
  -Dbench.phase=resume -Dbench.records="$RECORDS" $DB > target/bench-kill/phase2.log 2>&1 || { tail -40 target/bench-kill/phase2.log; exit 1; }
cat target/bench-sync-kill-restart.txt
psql -h 127.0.0.1 -U postgres -d test -q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
