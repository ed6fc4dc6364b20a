#!/usr/bin/env bash
# OneDrive upload-file of a big file (default 200 MiB) through an upload session, with the hub's heap capped
# (default -Xmx256m): throughput and live heap growth. The file is generated on the fly by a loopback server
# and lands in the in-process Graph simulator (files under target/). Needs PostgreSQL as for the test suite.
# Usage: bench/microsoft/upload.sh [MiB] [heap]
set -euo pipefail
cd "$(dirname "$0")/../.."
MIB="${1:-200}"
HEAP="${2:--Xmx256m}"
timeout 1500 ./mvnw -o -B -q test -Dtest=OneDriveUploadBench -Dsurefire.failIfNoSpecifiedTests=false -Down-jvm.skip=true \
  -Dbench.mib="$MIB" -Dsurefire.heap="$HEAP" | grep -v '^\s*$' | tail -20 || true
cat target/bench-onedrive-upload.txt
