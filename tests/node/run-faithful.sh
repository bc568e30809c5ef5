#!/bin/sh
# Runs the node-routeros faithfulness test against a built fakerouter.
# Usage: tests/node/run-faithful.sh /path/to/fakerouter
set -eu
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 /path/to/fakerouter (an executable)" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund
fi
FAKEROUTER=$bin exec node --test faithful.test.mjs
