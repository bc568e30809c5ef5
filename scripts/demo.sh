#!/usr/bin/env bash
# The demo: installs what is missing, builds tikstatd and the fake router
# (a simulated MikroTik on loopback: plain API and api-ssl), then runs
# `tikstatd --demo`: the daemon polling two simulated routers, with a
# temporary database that already holds more than a year of history. Open
# the URL it prints; Ctrl-C stops it and removes every temporary file.
# Build tree: build/. Extra arguments go to tikstatd (e.g. --listen
# 127.0.0.1:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTIKSTAT_NODE_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target tikstatd fakerouter
exec build/daemon/tikstatd --demo --fakerouter build/simulator/fakerouter "$@"
