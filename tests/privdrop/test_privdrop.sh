#!/usr/bin/env bash
# tikstatd started as root: refused without -u; with -u nobody it creates
# and hands over the database directory, runs as nobody (/proc/PID/status)
# and still polls the fake router into its database; -u with an unknown
# user is refused. Needs root (exit 77 otherwise: SKIP_RETURN_CODE).
# Usage: test_privdrop.sh TIKSTATD FAKEROUTER
set -euo pipefail
tikstatd=$1 fakerouter=$2
if [[ $(id -u) != 0 ]]; then
	echo "SKIP: needs root"
	exit 77
fi
fail() {
	echo "FAIL: $*" >&2
	[[ -f "${work:-}/log" ]] && sed 's/^/  log: /' "$work/log" >&2
	exit 1
}
work=$(mktemp -d)
chmod 711 "$work" # nobody passes through to the database directory
daemon=""
cleanup() {
	[[ -n "$daemon" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	[[ -n "${FAKE_PID:-}" ]] && { exec {FAKE[1]}>&-; wait "$FAKE_PID" 2>/dev/null; }
	rm -rf "$work"
}
trap cleanup EXIT
uid=$(id -u nobody) gid=$(id -g nobody)

coproc FAKE { "$fakerouter" --password "privdrop-Pw-41ac" --spec home:v7:plain; }
port=""
while read -r -u "${FAKE[0]}" word rest; do
	[[ $word == ready ]] && break
	[[ $rest =~ port=([0-9]+) ]] && port=${BASH_REMATCH[1]}
done
[[ -n "$port" ]] || fail "the fake router announced no port"
http_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'privdrop-Pw-41ac\n' >"$work/password"
chmod 600 "$work/password"
cat >"$work/tikstat.conf" <<CONF
[tikstat]
database = $work/state/db/tikstat.db
commit_interval = 1
log_level = debug

[http]
listen = 127.0.0.1:$http_port

[router home]
host = 127.0.0.1
port = $port
user = admin
password_file = $work/password
interval = 1
timeout = 1
interfaces = ether1
CONF
chmod 600 "$work/tikstat.conf"

# Root without -u: refused, before anything is created.
set +e
out=$("$tikstatd" -f -c "$work/tikstat.conf" 2>&1)
rc=$?
set -e
[[ $rc == 1 ]] || fail "as root without -u: exit $rc"
[[ $out == "tikstatd: running as root: use -u USER (e.g. -u tikstat) or start it from systemd with User=tikstat" ]] ||
	fail "as root without -u: '$out'"
[[ ! -e "$work/state" ]] || fail "refused, yet created $work/state"

# An unknown user: refused.
set +e
out=$("$tikstatd" -f -c "$work/tikstat.conf" -u no-such-user-tikstat 2>&1)
rc=$?
set -e
[[ $rc == 1 && $out == *"no user no-such-user-tikstat"* ]] || fail "-u unknown user: exit $rc, '$out'"

# -u nobody: runs as nobody, polls, commits.
"$tikstatd" -f -c "$work/tikstat.conf" --user nobody 2>"$work/log" &
daemon=$!
for _ in $(seq 100); do
	grep -q "router home: connected" "$work/log" 2>/dev/null && break
	kill -0 "$daemon" 2>/dev/null || fail "tikstatd -u nobody exited"
	sleep 0.1
done
grep -q "running as user nobody (uid $uid, gid $gid)" "$work/log" || fail "no 'running as user nobody'"
grep -q "router home: connected" "$work/log" || fail "never connected to the fake router"
grep -qP "^Uid:\t$uid\t$uid\t$uid\t$uid$" "/proc/$daemon/status" ||
	fail "$(grep ^Uid: "/proc/$daemon/status")"
grep -qP "^Gid:\t$gid\t$gid\t$gid\t$gid$" "/proc/$daemon/status" ||
	fail "$(grep ^Gid: "/proc/$daemon/status")"
grep -qP "^Groups:\t$gid ?$" "/proc/$daemon/status" || fail "$(grep ^Groups: "/proc/$daemon/status")"
grep -qP "^CapEff:\t0+$" "/proc/$daemon/status" || fail "$(grep ^CapEff: "/proc/$daemon/status")"
sleep 2.5 # readings, committed every second by nobody
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
daemon=""
[[ $rc == 0 ]] || fail "tikstatd -u nobody exited $rc on SIGTERM"
if grep -qE "^tikstatd: (error|fatal):" "$work/log"; then fail "errors logged"; fi
for d in "$work/state" "$work/state/db"; do
	[[ $(stat -c %U:%a "$d") == nobody:750 ]] || fail "$d is $(stat -c %U:%a "$d")"
done
[[ $(stat -c %U "$work/state/db/tikstat.db") == nobody ]] || fail "tikstat.db not nobody's"
if command -v sqlite3 >/dev/null; then
	n=$(sqlite3 "file:$work/state/db/tikstat.db?mode=ro" "SELECT count(*) FROM sqlite_master WHERE type = 'table'")
	[[ $n -gt 0 ]] || fail "no tables in the database"
fi
echo "privdrop: refused as root without -u; -u nobody runs as $uid:$gid, polls and commits"
