#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite and the benchmark, started without
# systemd (CI runs as root in a container): initdb into a directory of its own, listen
# on 127.0.0.1 only, on a free port. Installs Debian's `postgresql` package if no
# server is installed.
#
#   deploy/dev/pg-test-cluster.sh start    # idempotent; prints the SQLAlchemy URL
#   deploy/dev/pg-test-cluster.sh url      # the URL if running (exit 1 if not)
#   deploy/dev/pg-test-cluster.sh status   # exit 0 if running
#   deploy/dev/pg-test-cluster.sh stop     # idempotent; keeps the data directory
#   deploy/dev/pg-test-cluster.sh destroy  # stop and delete the data directory
#
# The role kiosk_test (LOGIN CREATEDB, password kiosk_test) owns the database
# kiosk_test; tests create and drop one database each through it. Settings:
# $KIOSK_PGTEST_DIR (default /tmp/kiosk-pgtest-$UID), $KIOSK_PG_BIN (server binaries).
# Only stdout carries the URL; progress goes to stderr.
set -euo pipefail

DIR=${KIOSK_PGTEST_DIR:-/tmp/kiosk-pgtest-$(id -u)}
DATA=$DIR/data
RUN=$DIR/run
ROLE=kiosk_test
PASSWORD=kiosk_test
DB=kiosk_test

say() { echo "pg-test-cluster: $*" >&2; }

find_bin() {
    if [ -n "${KIOSK_PG_BIN:-}" ]; then echo "$KIOSK_PG_BIN"; return; fi
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_installed() {
    PG_BIN=$(find_bin)
    if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then return; fi
    say "installing PostgreSQL from Debian's packages"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        postgresql >&2
    PG_BIN=$(find_bin)
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || { say "no initdb after install"; exit 1; }
}

# The server refuses to run as root: as root, run it as the postgres system user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() {
    [ -f "$DATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

free_port() {
    local port
    for port in $(seq 55432 55632); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    say "no free port in 55432-55632"
    exit 1
}

url() { echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$(cat "$DIR/port")/$DB"; }

psql_admin() {
    as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$(cat "$DIR/port")" \
        -U postgres -d postgres "$@"
}

start() {
    ensure_installed
    if running; then
        url
        return
    fi
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        say "initdb $DATA"
        as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C \
            --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    fi
    as_owner mkdir -p "$RUN"
    free_port >"$DIR/port"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR/port"; fi
    say "starting on 127.0.0.1:$(cat "$DIR/port")"
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$(cat "$DIR/port") \
            -c unix_socket_directories=$RUN -c max_connections=300 \
            -c shared_buffers=64MB -c dynamic_shared_memory_type=mmap ${KIOSK_PGTEST_OPTIONS:-}" \
        start >/dev/null || { tail -n 20 "$DIR/server.log" >&2; exit 1; }
    psql_admin <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$ROLE', '$PASSWORD')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DB', '$ROLE')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
SQL
    url
}

stop() {
    PG_BIN=$(find_bin)
    [ -n "$PG_BIN" ] || return 0
    if running; then
        say "stopping"
        as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    destroy) stop; rm -rf "$DIR" ;;
    status) PG_BIN=$(find_bin); [ -n "$PG_BIN" ] && running ;;
    url) PG_BIN=$(find_bin); [ -n "$PG_BIN" ] && running && url ;;
    *) echo "usage: $0 start|stop|status|url|destroy" >&2; exit 2 ;;
esac
