#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the console's end-to-end test (e2e.mjs) from CTest: installs the npm
# packages recorded in package-lock.json when node_modules is missing (npm
# ci; the npm registry is reachable), then runs the test with node. The
# test starts and stops its own `privguard serve` ($PVG_CLI).
set -eu
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "console e2e: node and npm are required (scripts/packages/console.txt)" >&2
    exit 1
fi
if [ ! -f node_modules/playwright-core/package.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
exec node e2e.mjs
