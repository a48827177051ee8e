#!/bin/sh
# SPDX-License-Identifier: MIT
# pg-test.sh -- a throwaway PostgreSQL server on loopback for the store tests.
#
#   scripts/pg-test.sh run -- COMMAND [ARGS...]
#       initialises a cluster in a fresh temporary directory, starts it on
#       127.0.0.1 on a free port, exports PVG_TEST_PG (a libpq connection
#       string) to COMMAND, then stops the server and removes the directory
#       whatever COMMAND's outcome; exits with COMMAND's status.
#   scripts/pg-test.sh start   prints `export PVG_TEST_PG=...; export PVG_PG_DIR=...`
#   scripts/pg-test.sh stop    stops and removes the cluster named by PVG_PG_DIR
#
# As root the server runs as the `postgres` user (PostgreSQL refuses to run
# as root). PG_BIN overrides the server binaries' folder.
set -eu

PG_BIN=${PG_BIN:-}
if [ -z "$PG_BIN" ]; then
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && PG_BIN=$d
    done
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "pg-test: cannot find PostgreSQL server binaries (set PG_BIN)" >&2
    exit 2
fi

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    # A random port in 20000..59999 that nothing listens on.
    i=0
    while [ $i -lt 200 ]; do
        p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
        if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
            echo "$p"
            return 0
        fi
        i=$((i + 1))
    done
    echo "pg-test: cannot find a free port" >&2
    return 1
}

pg_start() {
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pvg-pg.XXXXXX")
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U pvg --auth=trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1; }
    port=$(free_port)
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; rm -rf "$dir"; return 1; }
    as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U pvg pvgtest
    PVG_PG_DIR=$dir
    PVG_TEST_PG="host=127.0.0.1 port=$port dbname=pvgtest user=pvg"
}

pg_stop() {
    dir=$1
    [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

cmd=${1:-}
case "$cmd" in
run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { echo "usage: pg-test.sh run -- COMMAND [ARGS...]" >&2; exit 2; }
    pg_start
    trap 'pg_stop "$PVG_PG_DIR"' EXIT INT TERM
    export PVG_TEST_PG
    echo "pg-test: PostgreSQL on $PVG_TEST_PG" >&2
    set +e
    "$@"
    rc=$?
    set -e
    exit $rc
    ;;
start)
    pg_start
    echo "export PVG_TEST_PG='$PVG_TEST_PG'; export PVG_PG_DIR='$PVG_PG_DIR'"
    ;;
stop)
    pg_stop "${PVG_PG_DIR:-${2:-}}"
    ;;
*)
    echo "usage: pg-test.sh run -- COMMAND [ARGS...] | start | stop [DIR]" >&2
    exit 2
    ;;
esac
