#!/bin/bash
# Runs the whole CTest suite of a build directory. Services the tests need
# (PostgreSQL, nats-server) are started here on loopback by their own
# scripts when those components exist, and stopped afterwards.
set -euo pipefail
build=${1:-build-test}
here=$(cd "$(dirname "$0")" && pwd)
cd "$build"
cmd=(ctest --output-on-failure -j2 --timeout 900)
# Each service wrapper runs the rest of the command line with the service up.
if [ -x "$here/pg-test.sh" ]; then
    cmd=("$here/pg-test.sh" run -- "${cmd[@]}")
fi
if [ -x "$here/nats-test.sh" ]; then
    cmd=("$here/nats-test.sh" run -- "${cmd[@]}")
fi
exec "${cmd[@]}"
