#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite, for machines where the
# system cluster (127.0.0.1:5432) is not available.
#
#   scripts/start_test_pg.sh          # create (once) and start; prints the URL
#   scripts/start_test_pg.sh stop     # stop it
#   scripts/start_test_pg.sh destroy  # stop it and delete its data
#
#   export JIANGUAN_TEST_DATABASE_URL="$(scripts/start_test_pg.sh)"
#
# Idempotent: when the cluster is already running it just prints the URL.
# The only line on stdout is the URL; progress goes to stderr.
# Data:   $PGTEST_DIR  (default ${CARGO_TARGET_DIR:-target}/pg)
# Port:   $PGTEST_PORT (default 54329), on 127.0.0.1 and a unix socket.
# Tuned for tests, not for keeping data: fsync=off, no synchronous commit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
PORT="${PGTEST_PORT:-54329}"
DIR="${PGTEST_DIR:-$TARGET_DIR/pg}"
ACTION="${1:-start}"

log() { echo "start_test_pg: $*" >&2; }
die() { log "error: $*"; exit 1; }

# PostgreSQL binaries: prefer 15 (what the system cluster runs), else the newest.
find_bindir() {
  local d
  if [[ -n "${PGTEST_BINDIR:-}" ]]; then echo "$PGTEST_BINDIR"; return; fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then echo /usr/lib/postgresql/15/bin; return; fi
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  d="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
  [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  die "no PostgreSQL server binaries found (apt-get install postgresql-15)"
}
BINDIR="$(find_bindir)"

# PostgreSQL refuses to run as root: use the postgres user (or nobody).
AS=()
if [[ "$(id -u)" == 0 ]]; then
  if id postgres >/dev/null 2>&1; then PGUSER_OS=postgres; else PGUSER_OS=nobody; fi
  AS=(runuser -u "$PGUSER_OS" --)
  # The server user must be able to reach the data directory; a clone under
  # /root (mode 700) is not reachable, so fall back to a directory in /tmp.
  mkdir -p "$(dirname "$DIR")"
  if ! "${AS[@]}" test -x "$(dirname "$DIR")"; then
    DIR="${TMPDIR:-/tmp}/jianguan-test-pg-$PORT"
    log "$PGUSER_OS cannot reach the target directory; using $DIR"
  fi
fi
run() { "${AS[@]}" "$@"; }

# Unix sockets have a ~107 byte path limit; use /tmp for deep checkouts.
SOCKDIR="$DIR/socket"
if (( ${#SOCKDIR} > 80 )); then SOCKDIR="${TMPDIR:-/tmp}/jianguan-test-pg-$PORT-socket"; fi

URL="postgres://postgres@127.0.0.1:$PORT/postgres"

is_up() { "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1; }

pg_ctl_() { run "$BINDIR/pg_ctl" -D "$DIR/data" "$@"; }

case "$ACTION" in
  stop|destroy)
    if [[ -f "$DIR/data/postmaster.pid" ]]; then
      pg_ctl_ -m fast -w -t 30 stop >&2 || true
    fi
    if [[ "$ACTION" == destroy ]]; then rm -rf "$DIR"; log "removed $DIR"; fi
    exit 0
    ;;
  start) ;;
  *) die "usage: $0 [start|stop|destroy]" ;;
esac

if is_up; then
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    log "already running on port $PORT ($DIR)"
    echo "$URL"
    exit 0
  fi
  die "port $PORT is taken by another server; set PGTEST_PORT"
fi

if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
  log "initdb $DIR/data (PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}'))"
  rm -rf "$DIR/data"
  mkdir -p "$DIR/data"
  [[ ${#AS[@]} -gt 0 ]] && chown -R "$PGUSER_OS" "$DIR"
  chmod 700 "$DIR/data"
  run "$BINDIR/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  cat >>"$DIR/data/postgresql.conf" <<EOF

# --- jianguan throwaway test cluster (scripts/start_test_pg.sh) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKDIR'
max_connections = 300
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
log_min_messages = warning
EOF
fi

mkdir -p "$SOCKDIR"
[[ ${#AS[@]} -gt 0 ]] && chown "$PGUSER_OS" "$SOCKDIR" "$DIR"
log "starting on 127.0.0.1:$PORT"
pg_ctl_ -l "$DIR/server.log" -w -t 60 start </dev/null >&2 \
  || { tail -n 30 "$DIR/server.log" >&2 || true; die "pg_ctl start failed"; }

for _ in $(seq 1 30); do is_up && break; sleep 1; done
is_up || die "server did not accept connections within 30 s"

# Same databases as the system cluster: postgres (exists) and test.
if ! "$BINDIR/psql" "$URL" -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  "$BINDIR/psql" "$URL" -qc "create database test" >&2
fi
echo "$URL"
