#!/usr/bin/env bash
# N records (default 100,000) from a paged HTTP API (loopback) through the sync engine, beside a raw JDBC batch
# insert of the same rows in the same run, then the same records a 2nd time (all unchanged); with a 256 MiB heap
# to show memory does not grow with records. First a warm-up on other tenants (-Dbench.warmup=N records per round,
# default 20,000; 0: none; rounds until the JIT compiler threads use under 5 % of the cores, at most
# -Dbench.warmup-rounds=30): the measured runs are those of a running hub, not of the JIT compiling the sync path.
# Report: target/bench-sync-throughput.txt (rates, ratio, time per step of route sync.run, CPU of the JVM and the
# PostgreSQL backends, of it the JIT compiler and garbage collector threads, load average).
#
#   bench/sync/throughput.sh [records] [jvm options]    # PostgreSQL as for the test suite (127.0.0.1:5432, db "test");
#                                                       # jvm options default "-Xmx256m -XX:+UseParallelGC"
#   BENCH_DB=h2 bench/sync/throughput.sh [records]      # H2 file database in PostgreSQL mode, as the default profile
#   BENCH_ARGS="-Dhub.sync.write-behind=false" bench/sync/throughput.sh   # more settings for the hub under test
#   BENCH_JFR=1 bench/sync/throughput.sh 20000          # + JDK Flight Recorder: target/bench-sync-throughput.jfr
#                                                       #   (bench/jfr-summary.py target/bench-sync-throughput.jfr)
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS="${1:-100000}"
# the hub's collector as the image, the k8s pods and scripts/run.sh start it (docs/performance.md)
HEAP="${2:--Xmx256m -XX:+UseParallelGC}"
JVM="$HEAP"
if [ -n "${BENCH_JFR:-}" ]; then
  JVM="$JVM -XX:StartFlightRecording=filename=$(pwd)/target/bench-sync-throughput.jfr,settings=profile"
fi
DB=()
case "${BENCH_DB:-postgres}" in
  postgres) DB=(-Dspring.datasource.hikari.data-source-properties.ApplicationName=hub-sync-bench) ;;
  h2)
    rm -rf target/bench-sync-h2
    DB=(-Dhub.test.isolated-schema=false -Dspring.datasource.username=sa -Dspring.datasource.password=
        "-Dspring.datasource.url=jdbc:h2:file:$(pwd)/target/bench-sync-h2/hub;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0"
        -Dspring.quartz.properties.org.quartz.jobStore.driverDelegateClass=org.quartz.impl.jdbcjobstore.StdJDBCDelegate) ;;
  *) echo "BENCH_DB is postgres or h2" >&2; exit 2 ;;
esac
rm -f target/bench-sync-throughput.txt
echo "load before: $(cat /proc/loadavg)"
timeout 1500 ./mvnw -o -B -q test -Dtest=SyncThroughputBench -Dsurefire.failIfNoSpecifiedTests=false -Down-jvm.skip=true \
  -Dbench.records="$RECORDS" "-Dsurefire.heap=$JVM" "${DB[@]}" ${BENCH_ARGS:-} > target/bench-sync-throughput.log 2>&1 || true
if [ ! -f target/bench-sync-throughput.txt ]; then
  grep -v '^\s*$' target/bench-sync-throughput.log | tail -40
  echo "no report (log: target/bench-sync-throughput.log)" >&2
  exit 1
fi
cat target/bench-sync-throughput.txt
