#!/usr/bin/env bash
# Installs what building and testing tikstat needs on Debian 12, and only
# what is missing: Debian packages with apt-get, npm packages with npm ci.
# Usage: scripts/deps.sh [--test|--bench]   (--test adds what only the tests
# need: promtool comes with the prometheus package, a PostgreSQL server
# with postgresql; --bench adds wrk, and vnstat, valgrind and strace for the
# comparisons and profiles of bench/)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libssl-dev openssl ca-certificates libsqlite3-dev tzdata
	libmicrohttpd-dev zlib1g-dev libsystemd-dev libpq-dev)
# node and npm build the dashboard (the build runs npm ci in its own tree).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "--test" ]]; then
	packages+=(libcmocka-dev clang clang-format libclang-rt-14-dev groff-base sqlite3 python3 prometheus dpkg-dev file man-db systemd)
	packages+=(chromium) # the dashboard's browser test, driven by playwright-core
	packages+=(faketime) # libfaketime: clock steps (tests/clock, tests/faults)
	packages+=(wrk)      # the load of the HTTP abuse test (tests/abuse)
	packages+=(postgresql) # a server for the tests on PostgreSQL (tests/pg/pgserver.py)
fi

if [[ "${1:-}" == "--bench" ]]; then
	packages+=(wrk vnstat valgrind strace)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}"
	sudo=""
	[[ $(id -u) == 0 ]] || sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--test" && ! -d tests/node/node_modules ]]; then
	echo "deps: npm ci in tests/node"
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi

if [[ "${1:-}" == "--test" && ! -d tests/browser/node_modules ]]; then
	echo "deps: npm ci in tests/browser"
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
