#!/usr/bin/env bash
# 100,000 records from a paged HTTP API (loopback) into PostgreSQL through the sync engine, beside a raw
# JDBC batch insert of the same rows; run with a 256 MiB heap to show memory does not grow with records.
# Needs PostgreSQL as for the test suite (127.0.0.1:5432, db "test"). Usage: bench/sync/throughput.sh [records] [heap]
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS="${1:-100000}"
HEAP="${2:--Xmx256m}"
timeout 1500 ./mvnw -o -B -q test -Dtest=SyncThroughputBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.records="$RECORDS" -Dsurefire.heap="$HEAP" | grep -v '^\s*$' | tail -20 || true
cat target/bench-sync-throughput.txt
