#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/server/run.sh -- load benchmark of the service with wrk on loopback
# (not part of `make test`). Starts `privguard serve` on a fresh SQLite
# store in a temporary folder, sanctions 512 of 4096 accounts, then runs wrk
# against the sanction check, single-message scan and batch scan, printing
# wrk's latency distribution, and the server's RSS before and after.
#
#   bench/server/run.sh [BUILD_DIR] [DURATION] [CONNECTIONS] [WRK_THREADS] [SERVER_THREADS]
#   defaults: build 30s 32 1 2; BENCH="check scan batch" picks the runs,
#   SANCTIONED=512 the number of sanctioned accounts (of 4096).
# Besides wrk's view (which includes wrk's own queueing on a shared 2-core
# machine), the server's own latency histogram per route is printed from
# /metrics (time from request headers to the end of the answer).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
dur=${2:-30s}
conns=${3:-32}
wthreads=${4:-1}
sthreads=${5:-2}
cli=$(cd "$build" && pwd)/privguard
[ -x "$cli" ] || { echo "run.sh: no privguard in $build (make build)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/pvg-bench-server.XXXXXX)
port=$((20000 + RANDOM % 20000))
store=$tmp/data/privguard.db
cleanup() { [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

tok() { "$cli" token create --store "$store" --role "$1" | jq -r .token; }
token=$(tok service); app=$(tok reporter_app); mod=$(tok moderator)

"$cli" serve --store "$store" --listen "127.0.0.1:$port" --threads "$sthreads" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url=http://127.0.0.1:$port
# sanctions for 1 in 8 of the check's accounts, made over the API
ncases=0
step=$((4096 / ${SANCTIONED:-512}))
for i in $(seq 0 "$step" 4095); do
  case_id=$(curl -sf -H "Authorization: Bearer $app" "$url/v1/reports" -d \
      "{\"reporter\":\"user:rb$i\",\"account\":\"user:b$i\",\"subject_type\":\"account\",\"subject_id\":\"user:b$i\",\"reason\":\"pii_exposure\"}" \
      | jq -r .case_id)
  curl -sf -H "Authorization: Bearer $mod" "$url/v1/cases/$case_id/events" -d \
      '{"type":"decide","outcome":"violation","categories":["pii_exposure"],"sanctions":[{"scope":"openchat_access","duration":"7d"}]}' >/dev/null
  ncases=$((ncases + 1))
done
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
echo "machine: $(nproc) cores; server threads $sthreads; wrk -t$wthreads -c$conns -d$dur --latency"
echo "sanctioned accounts: $ncases of 4096 (every ${step}th)"
echo "RSS at start: $(rss)"
for s in ${BENCH:-check scan batch}; do
  echo "=== $s"
  TOKEN=$token wrk -t"$wthreads" -c"$conns" -d"$dur" --latency -s "$here/$s.lua" \
      "http://127.0.0.1:$port" | sed -n '/Latency Distribution/,/Transfer/p;/Requests\/sec/p;/Non-2xx/p;/Socket errors/p;/^RESULT/p'
  echo "RSS after $s: $(rss)"
done
curl -s "http://127.0.0.1:$port/metrics" > "$tmp/metrics.txt"
grep -E '^privguard_(shed_total|http_requests_total\{route="/v1/(scan|scan/batch|sanctions/check)")' "$tmp/metrics.txt"
# server-side share of requests answered within each bound
for r in /v1/sanctions/check /v1/scan /v1/scan/batch; do
  awk -v r="$r" -F'[{}" ]+' '$1 == "privguard_http_request_duration_seconds_bucket" && $3 == r {
      le[n] = $5; c[n++] = $NF }
    END { if (!n) exit; t = c[n-1]; printf "server-side %s:", r;
          for (i = 0; i < n; i++) if (le[i] == "0.0005" || le[i] == "0.001" || le[i] == "0.002" || le[i] == "0.005" || le[i] == "0.025" || le[i] == "0.1")
            printf " <=%sms %.3f%%", le[i] * 1000, 100 * c[i] / t; printf "\n" }' "$tmp/metrics.txt"
done
