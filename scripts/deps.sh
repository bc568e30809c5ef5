#!/usr/bin/env bash
# Installs what building and testing tikstat needs on Debian 12, and only
# what is missing: Debian packages with apt-get, npm packages with npm ci.
# Usage: scripts/deps.sh [--test]   (--test adds what only the tests need)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libssl-dev openssl libsqlite3-dev libinih-dev tzdata)
if [[ "${1:-}" == "--test" ]]; then
	packages+=(libcmocka-dev clang libclang-rt-14-dev groff-base sqlite3 python3)
	command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
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
