#!/bin/bash
# make fuzz: runs every libFuzzer target of a fuzz build for SECONDS each,
# starting from (and adding to) its committed seed corpus in a work copy;
# crashes are kept as fuzz/artifacts/<target>-crash-*. Afterwards, merge
# new interesting inputs into the seeds with:
#   build-fuzz/fuzz/fuzz_scan -merge=1 fuzz/seeds/fuzz_scan /tmp/pvg-fuzz/fuzz_scan
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-/tmp/pvg-fuzz}
mkdir -p "$work" "$root/fuzz/artifacts"
status=0
for bin in $(find "$build/fuzz" -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x | sort); do
    name=$(basename "$bin")
    seeds=$(find "$root/fuzz" -type d -path "*/seeds/$name" | head -1)
    mkdir -p "$work/$name"
    echo "fuzz: $name for ${seconds}s (seeds: ${seeds:-none})"
    if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$root/fuzz/artifacts/$name-" "$work/$name" ${seeds:+"$seeds"} \
        > "$work/$name.log" 2>&1; then
        echo "fuzz: $name FAILED, see $work/$name.log and fuzz/artifacts/"
        status=1
    fi
    tail -1 "$work/$name.log"
done
exit $status
