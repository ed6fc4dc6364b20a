#!/usr/bin/env bash
# The project's test command (README "Run the whole test suite"; .ci/run calls exactly this).
#
# On a fresh Debian machine with only a JDK it installs and starts what the suite needs, from Debian's
# packages, then runs `./mvnw verify` with any arguments passed through, e.g.
#   scripts/test.sh                                  # the whole suite
#   scripts/test.sh -Dtest=K8sManifestsTest -Dsurefire.failIfNoSpecifiedTests=false
#
# Needs:  PostgreSQL on 127.0.0.1:5432, trust auth, database "test" (skipped when HUB_TEST_DB_URL points
#         elsewhere), Debian's chromium + chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver), and
#         nodejs + npm (OpenApiLintTest, OpenApiClientRoundTripTest).
# As root (or with password-less sudo) missing packages are installed with apt-get; otherwise the
# script prints what to install and stops. Add a tool the suite needs to need_command below.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=127.0.0.1
PG_PORT=5432
PG_DB="test"

log() { printf 'test.sh: %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, through password-less sudo when there is one.
SUDO=()
can_be_root() {
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
    return 0
  fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
    return 0
  fi
  return 1
}

# --- which Debian packages are missing -------------------------------------------------------------
PACKAGES=()
need_command() { # need_command <command or absolute path> <debian package>
  local cmd=$1 pkg=$2
  if [[ $cmd == /* ]]; then [ -x "$cmd" ] && return 0; else command -v "$cmd" >/dev/null 2>&1 && return 0; fi
  case " ${PACKAGES[*]-} " in *" $pkg "*) ;; *) PACKAGES+=("$pkg") ;; esac
}

pg_port_open() { (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null; }

use_own_postgres=true
if [ -n "${HUB_TEST_DB_URL:-}" ]; then
  use_own_postgres=false
  log "HUB_TEST_DB_URL is set: using that database, not starting PostgreSQL here"
fi

if $use_own_postgres && ! pg_port_open; then
  need_command pg_ctlcluster postgresql
fi
$use_own_postgres && need_command psql postgresql-client
need_command /usr/bin/chromium chromium
need_command /usr/bin/chromedriver chromium-driver
# the API document's lint (Redocly) and the generated TypeScript client's round trip
need_command node nodejs
need_command npm npm

if [ "${#PACKAGES[@]}" -gt 0 ]; then
  if can_be_root && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages: ${PACKAGES[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq "${PACKAGES[@]}" >/dev/null
  else
    cat >&2 <<EOF
test.sh: the test suite needs these Debian packages, which are missing: ${PACKAGES[*]}
Install them as root, then run this script again:

    sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}
EOF
    $use_own_postgres && cat >&2 <<EOF

PostgreSQL must listen on $PG_HOST:$PG_PORT with trust auth for local TCP and a database "$PG_DB":

    sudo pg_ctlcluster <version> main start        # <version>: ls /etc/postgresql
    # in /etc/postgresql/<version>/main/pg_hba.conf, before the other "host" lines:
    #   host all all 127.0.0.1/32 trust
    sudo pg_ctlcluster <version> main reload
    sudo -u postgres createdb $PG_DB

(or point HUB_TEST_DB_URL, HUB_TEST_DB_USER, HUB_TEST_DB_PASSWORD at a PostgreSQL you have).
EOF
    exit 1
  fi
fi

# --- PostgreSQL: start the Debian cluster as its own user, trust local TCP, database "test" -----------
pg_versions() { [ -d /etc/postgresql ] && find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V; }

start_postgres() {
  local v
  if [ -z "$(pg_versions)" ]; then
    # A package install without a cluster (create_main_cluster = false, or it was dropped): make one.
    v=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)
    log "creating PostgreSQL cluster $v/main"
    "${SUDO[@]}" pg_createcluster "$v" main >/dev/null
  fi
  for v in $(pg_versions); do
    # pg_ctlcluster runs the server as the cluster's owner (postgres); PostgreSQL refuses to run as root.
    log "starting PostgreSQL $v/main"
    "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 60); do
    pg_port_open && return 0
    sleep 1
  done
  log "PostgreSQL did not open $PG_HOST:$PG_PORT within 60 s (see /var/log/postgresql/)"
  return 1
}

psql_tcp() { psql -w -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"; }

trust_local_tcp() {
  local v hba changed
  for v in $(pg_versions); do
    changed=false
    hba=/etc/postgresql/$v/main/pg_hba.conf
    [ -f "$hba" ] || continue
    if ! "${SUDO[@]}" grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
      log "trusting 127.0.0.1 in $hba (the tests connect as postgres without a password)"
      # First matching line wins in pg_hba.conf: put ours on top.
      "${SUDO[@]}" sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
      changed=true
    fi
    if $changed; then
      "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$v" main reload || true
    fi
  done
}

if $use_own_postgres; then
  if ! pg_port_open; then
    if can_be_root; then
      start_postgres
    else
      log "PostgreSQL is installed but not running on $PG_HOST:$PG_PORT; start it as root:"
      log "  sudo pg_ctlcluster <version> main start   (<version>: ls /etc/postgresql)"
      exit 1
    fi
  fi
  if ! psql_tcp -d postgres -c 'select 1' >/dev/null 2>&1; then
    if can_be_root; then
      trust_local_tcp
      sleep 1
    fi
    if ! psql_tcp -d postgres -c 'select 1' >/dev/null 2>&1; then
      log "cannot connect to PostgreSQL on $PG_HOST:$PG_PORT as postgres without a password."
      log "Add 'host all all 127.0.0.1/32 trust' on top of pg_hba.conf and reload, or set HUB_TEST_DB_URL/USER/PASSWORD."
      exit 1
    fi
  fi
  if [ "$(psql_tcp -d postgres -tAc "select 1 from pg_database where datname = '$PG_DB'")" != "1" ]; then
    log "creating database $PG_DB"
    psql_tcp -d postgres -c "create database $PG_DB" >/dev/null
  fi
fi

# --- the suite ---------------------------------------------------------------------------------------
exec ./mvnw --batch-mode --no-transfer-progress verify "$@"
