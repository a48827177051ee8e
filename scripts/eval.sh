#!/bin/bash
# make eval: precision/recall/F1 per entity type and per violation category on
# the labelled sets (tests/eval: development sets, tests/blind: sets written
# blind to the rules, when present), then findings per 10,000 lines on each
# file of the shared negatives (../shared/corpus/negatives), by type. URL
# findings are signals, not personal information.
set -euo pipefail
build=${1:-build}
neg=${PVG_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus}/negatives
root=$(cd "$(dirname "$0")/.." && pwd)
for set in "$root"/tests/eval/detect_dev.jsonl "$root"/tests/eval/policy_dev.jsonl \
           "$root"/tests/eval/policy_holdout.jsonl "$root"/tests/blind/*.jsonl; do
    [ -f "$set" ] || continue
    echo "== $(basename "$set")"
    "$build/privguard" eval "$set" | grep -v "^ *$" || true
    echo
done
echo "== shared negatives"
printf "%-20s %8s  %s\n" file lines "findings per 10,000 lines (by type)"
total_lines=0
declare -A tot
for f in "$neg"/*.txt; do
    lines=$(wc -l < "$f")
    total_lines=$((total_lines + lines))
    counts=$("$build/privguard" scan --format text < "$f" | grep -o '"type":"[A-Z_]*"' | cut -d'"' -f4 | sort | uniq -c || true)
    out=""
    while read -r n t; do
        [ -z "${t:-}" ] && continue
        tot[$t]=$(( ${tot[$t]:-0} + n ))
        out="$out $t=$(awk -v n="$n" -v l="$lines" 'BEGIN{printf "%.2f", n*10000/l}')"
    done <<< "$counts"
    printf "%-20s %8d %s\n" "$(basename "$f")" "$lines" "${out:- none}"
done
all=""
for t in "${!tot[@]}"; do
    all="$all $t=$(awk -v n="${tot[$t]}" -v l="$total_lines" 'BEGIN{printf "%.2f", n*10000/l}')"
done
printf "%-20s %8d %s\n" all "$total_lines" "${all:- none}"
