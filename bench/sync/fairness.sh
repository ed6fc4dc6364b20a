#!/usr/bin/env bash
# Two tenants on one provider budget (10 requests/s): A backfills 50,000 records in four concurrent runs,
# B's small incremental sync started half-way must finish promptly. Loopback only; PostgreSQL as for tests.
# Usage: bench/sync/fairness.sh [records]
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS="${1:-50000}"
timeout 1500 ./mvnw -o -B -q test -Dtest=SyncFairnessBench -Dsurefire.failIfNoSpecifiedTests=false -Down-jvm.skip=true \
  -Dbench.records="$RECORDS" > target/bench-sync-fairness.log 2>&1 || { tail -40 target/bench-sync-fairness.log; exit 1; }
cat target/bench-sync-fairness.txt
