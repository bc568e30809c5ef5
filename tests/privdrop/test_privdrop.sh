#!/usr/bin/env bash
# tikstatd started as root: refused without -u; with -u nobody it creates
# and hands over the database directory, runs as nobody (/proc/PID/status)
# and still polls the fake router into its database; -u with an unknown
# user is refused. A database place the user (or a third user) could
# have rigged is refused before root opens or chowns anything: a symbolic
# link as the database or its -wal, -shm or -journal file (planted by the
# user in its own directory, pointing at a root file or at a new file in
# a directory only root may write), a directory of another user, a
# world-writable directory; the target stays root's and unchanged.
# Needs root (exit 77 otherwise: SKIP_RETURN_CODE).
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

# Rigged database places: each start must exit 1 naming the problem and
# leave the targets alone. A start that runs (the hole) is stopped by
# timeout, and the checks below then fail.
mkdir "$work/rootonly" "$work/evil"
chmod 755 "$work/rootonly"
cp /etc/passwd "$work/rootonly/target"
chmod 644 "$work/rootonly/target"
sum=$(sha256sum <"$work/rootonly/target")
chown nobody: "$work/evil"
refused() { # DATABASE WHAT EXPECTED-MESSAGE-PART
	local db=$1 what=$2 want=$3 conf="$work/rigged.conf" rc=0 out
	sed "s|^database = .*|database = $db|" "$work/tikstat.conf" >"$conf"
	chmod 600 "$conf"
	out=$(timeout 20 "$tikstatd" -f -c "$conf" -u nobody 2>&1) || rc=$?
	[[ $rc == 1 ]] || fail "$what: exit $rc (expected 1, refused): $out"
	[[ $out == *"$want"* ]] || fail "$what: '$out' does not say '$want'"
	[[ $(stat -c %U "$work/rootonly/target") == root ]] || fail "$what: the target was chowned"
	[[ $(sha256sum <"$work/rootonly/target") == "$sum" ]] || fail "$what: the target changed"
	[[ ! -e "$work/rootonly/created.db" ]] || fail "$what: root created rootonly/created.db"
	[[ -z $(find "$work/rootonly" -user nobody) ]] || fail "$what: nobody owns files in rootonly"
}
ln -s "$work/rootonly/created.db" "$work/evil/tikstat.db"
refused "$work/evil/tikstat.db" "db -> a new file" "$work/evil/tikstat.db is a symbolic link"
rm "$work/evil/tikstat.db"
ln -s "$work/rootonly/target" "$work/evil/tikstat.db"
refused "$work/evil/tikstat.db" "db -> a root file" "$work/evil/tikstat.db is a symbolic link"
rm "$work/evil/tikstat.db"
: >"$work/evil/tikstat.db" # an empty database of nobody's
chown nobody: "$work/evil/tikstat.db"
for sfx in -wal -shm -journal; do
	ln -s "$work/rootonly/target" "$work/evil/tikstat.db$sfx"
	refused "$work/evil/tikstat.db" "db$sfx -> a root file" "$work/evil/tikstat.db$sfx is a symbolic link"
	rm "$work/evil/tikstat.db$sfx"
done
# The directory a link planted by nobody, to root's directory: resolved
# and checked as that directory; the database is opened there as nobody,
# which may not create it.
ln -s "$work/rootonly" "$work/evil/sub"
refused "$work/evil/sub/tikstat.db" "the directory -> a root directory" "unable to open"
mkdir "$work/third" && chown daemon: "$work/third"
refused "$work/third/tikstat.db" "a directory of a third user" "$work/third belongs to uid $(id -u daemon)"
mkdir "$work/open" && chmod 777 "$work/open"
refused "$work/open/tikstat.db" "a world-writable directory" "$work/open is writable by group or others"
# A root-owned database with one link (an older start as root left it)
# is handed over through its descriptor; one with two links is not.
rm -f "$work/evil/tikstat.db"
cp "$work/state/db/tikstat.db" "$work/evil/tikstat.db"
ln "$work/evil/tikstat.db" "$work/evil/second-link"
refused "$work/evil/tikstat.db" "a root database with two links" "has 2 hard links"
echo "privdrop: refused as root without -u; -u nobody runs as $uid:$gid, polls and commits;" \
	"rigged database paths refused, targets untouched"
