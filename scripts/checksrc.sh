#!/bin/bash
# checksrc: bans unsafe C library calls in the project's sources (curl's
# CHECKSRC idea). A line may allow one with a trailing comment
# "/* checksrc: allow NAME */". Exits 1 and lists each violation.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
banned='\b(sprintf|vsprintf|strcat|strcpy|gets|atoi|atol|strtok|tmpnam)[[:space:]]*\('
out=$(cd "$root" && git ls-files '*.c' '*.h' 2>/dev/null | xargs -r grep -nE "$banned" 2>/dev/null \
      | grep -v 'checksrc: allow' || true)
if [ -n "$out" ]; then
    echo "checksrc: banned calls:"
    echo "$out"
    exit 1
fi
echo "checksrc: ok"
