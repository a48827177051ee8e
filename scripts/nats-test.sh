#!/bin/sh
# SPDX-License-Identifier: MIT
# nats-test.sh -- a throwaway NATS server with JetStream on loopback for the
# stream tests and benchmark.
#
#   scripts/nats-test.sh run -- COMMAND [ARGS...]
#       starts nats-server with JetStream (-js) on 127.0.0.1 on a free port,
#       its store in a fresh temporary directory, exports PVG_TEST_NATS
#       (nats://127.0.0.1:PORT) and PVG_NATS_DIR (its folder, with nats.pid)
#       to COMMAND, then stops the server and removes
#       the directory whatever COMMAND's outcome; exits with COMMAND's status.
#   scripts/nats-test.sh start   prints `export PVG_TEST_NATS=...; export PVG_NATS_DIR=...`
#   scripts/nats-test.sh stop    stops and removes the server named by PVG_NATS_DIR
#
# NATS_SERVER overrides the server binary (default: nats-server on PATH or
# /usr/sbin/nats-server, Debian package nats-server).
set -eu

NATS_SERVER=${NATS_SERVER:-}
if [ -z "$NATS_SERVER" ]; then
    NATS_SERVER=$(command -v nats-server 2>/dev/null || true)
    [ -z "$NATS_SERVER" ] && [ -x /usr/sbin/nats-server ] && NATS_SERVER=/usr/sbin/nats-server
fi
if [ -z "$NATS_SERVER" ] || [ ! -x "$NATS_SERVER" ]; then
    echo "nats-test: cannot find nats-server (apt-get install nats-server, or set NATS_SERVER)" >&2
    exit 2
fi

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
    echo "nats-test: cannot find a free port" >&2
    return 1
}

nats_start() {
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pvg-nats.XXXXXX")
    tries=0
    while :; do
        port=$(free_port)
        "$NATS_SERVER" -a 127.0.0.1 -p "$port" -js -sd "$dir/store" \
            --pid "$dir/nats.pid" -l "$dir/server.log" >/dev/null 2>&1 &
        # Wait until it accepts connections (JetStream is up once it logs ready).
        i=0
        while [ $i -lt 100 ]; do
            if grep -q "Server is ready" "$dir/server.log" 2>/dev/null; then
                PVG_NATS_DIR=$dir
                PVG_TEST_NATS="nats://127.0.0.1:$port"
                return 0
            fi
            if [ -f "$dir/nats.pid" ] && ! kill -0 "$(cat "$dir/nats.pid")" 2>/dev/null; then
                break
            fi
            sleep 0.1
            i=$((i + 1))
        done
        tries=$((tries + 1))
        if [ $tries -ge 3 ]; then
            echo "nats-test: nats-server did not start" >&2
            cat "$dir/server.log" >&2 2>/dev/null || true
            nats_stop "$dir"
            return 1
        fi
        [ -f "$dir/nats.pid" ] && kill "$(cat "$dir/nats.pid")" 2>/dev/null || true
        rm -f "$dir/nats.pid" "$dir/server.log"
    done
}

nats_stop() {
    dir=$1
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    if [ -f "$dir/nats.pid" ]; then
        pid=$(cat "$dir/nats.pid")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}

cmd=${1:-}
case "$cmd" in
run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { echo "usage: nats-test.sh run -- COMMAND [ARGS...]" >&2; exit 2; }
    nats_start
    trap 'nats_stop "$PVG_NATS_DIR"' EXIT INT TERM
    export PVG_TEST_NATS PVG_NATS_DIR
    echo "nats-test: JetStream on $PVG_TEST_NATS" >&2
    set +e
    "$@"
    rc=$?
    set -e
    exit $rc
    ;;
start)
    nats_start
    echo "export PVG_TEST_NATS='$PVG_TEST_NATS'; export PVG_NATS_DIR='$PVG_NATS_DIR'"
    ;;
stop)
    nats_stop "${PVG_NATS_DIR:-${2:-}}"
    ;;
*)
    echo "usage: nats-test.sh run -- COMMAND [ARGS...] | start | stop [DIR]" >&2
    exit 2
    ;;
esac
