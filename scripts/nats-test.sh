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
#   scripts/nats-test.sh cluster prints `export PVG_TEST_NATS_CLUSTER=...;
#       export PVG_NATS_CLUSTER_DIR=...` after starting a three-node JetStream
#       cluster on 127.0.0.1 (servers n1, n2, n3, pid files DIR/n<i>.pid,
#       client URLs comma-separated) once it has a metadata leader;
#       `stop DIR` stops it
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
    for f in "$dir"/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
}

# Three nodes n1..n3 routed to each other; JetStream is usable once a
# quorum of them logs the metadata leader (placing a replicated stream can
# still fail for a moment after that: callers retry).
cluster_start() {
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pvg-nats3.XXXXXX")
    # six different free ports
    while :; do
        p1=$(free_port); p2=$(free_port); p3=$(free_port)
        c1=$(free_port); c2=$(free_port); c3=$(free_port)
        [ "$(printf '%s\n' $p1 $p2 $p3 $c1 $c2 $c3 | sort -u | wc -l)" -eq 6 ] && break
    done
    routes="nats://127.0.0.1:$c1,nats://127.0.0.1:$c2,nats://127.0.0.1:$c3"
    for i in 1 2 3; do
        eval "p=\$p$i; c=\$c$i"
        "$NATS_SERVER" -a 127.0.0.1 -p "$p" --server_name "n$i" --cluster_name pvg-test \
            --cluster "nats://127.0.0.1:$c" --routes "$routes" -js -sd "$dir/n$i" \
            --pid "$dir/n$i.pid" -l "$dir/n$i.log" >/dev/null 2>&1 &
    done
    i=0
    while [ $i -lt 300 ]; do
        # a quorum knows the leader (the leader itself says "Self is new
        # ..."); a node that joined late may never log it
        ready=0
        for n in 1 2 3; do
            grep -q "metadata leader" "$dir/n$n.log" 2>/dev/null && ready=$((ready + 1))
        done
        if [ $ready -ge 2 ]; then
            PVG_NATS_CLUSTER_DIR=$dir
            PVG_TEST_NATS_CLUSTER="nats://127.0.0.1:$p1,nats://127.0.0.1:$p2,nats://127.0.0.1:$p3"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo "nats-test: the three-node cluster did not elect a leader" >&2
    tail -n 20 "$dir"/n*.log >&2 2>/dev/null || true
    nats_stop "$dir"
    return 1
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
cluster)
    cluster_start
    echo "export PVG_TEST_NATS_CLUSTER='$PVG_TEST_NATS_CLUSTER'; export PVG_NATS_CLUSTER_DIR='$PVG_NATS_CLUSTER_DIR'"
    ;;
stop)
    nats_stop "${2:-${PVG_NATS_DIR:-}}"
    ;;
*)
    echo "usage: nats-test.sh run -- COMMAND [ARGS...] | start | cluster | stop [DIR]" >&2
    exit 2
    ;;
esac
