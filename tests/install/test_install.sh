#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and checks that every
# program and file a user needs is there, runs, and renders.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
cmake --install "$build" --prefix "$dest" >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }
expect=(bin/rosapi bin/tikstat sbin/tikstatd share/man/man1/rosapi.1 share/man/man1/tikstat.1
	share/man/man5/tikstat.conf.5 share/man/man8/tikstatd.8 share/doc/tikstat/examples/tikstat.conf
	share/tikstat/routeros/tikstat-push.rsc share/tikstat/routeros/setup-push.rsc
	share/tikstat/routeros/setup-api-user.rsc share/tikstat/routeros/README.md
	share/tikstat/prometheus/tikstat-rules.yml share/tikstat/grafana/tikstat-dashboard.json
	lib/systemd/system/tikstatd.service)
for f in "${expect[@]}"; do
	[[ -e "$dest/$f" ]] || fail "$f not installed"
done
grep -qx "ExecStart=$dest/sbin/tikstatd -f -c /etc/tikstat/tikstat.conf" \
	"$dest/lib/systemd/system/tikstatd.service" || fail "the unit's ExecStart is not $dest/sbin/tikstatd"
[[ ! -e "$dest/etc" ]] || fail "a prefix other than /usr got etc/"
[[ -x "$dest/bin/rosapi" ]] || fail "rosapi not executable"
# libpq is loaded only for a PostgreSQL database (store_pglib.c): linking
# it would load 16 more libraries into every run (3 ms per tikstat -m).
for prog in bin/tikstat sbin/tikstatd; do
	if ldd "$dest/$prog" | grep -q libpq; then fail "$prog links libpq"; fi
done
"$dest/bin/rosapi" --help | grep -q "COMMAND" || fail "rosapi --help does not show usage"
for prog in bin/tikstat sbin/tikstatd; do
	"$dest/$prog" --version | grep -q "0\." || fail "$prog --version"
done
# The man pages render without warnings.
if command -v groff >/dev/null; then
	for page in "$dest"/share/man/man*/*; do
		warnings=$(groff -t -man -Tutf8 -ww -z "$page" 2>&1)
		[[ -z "$warnings" ]] || fail "$page renders with warnings: $warnings"
	done
fi
echo "install: ${#expect[@]} files present, programs run, man pages render"
