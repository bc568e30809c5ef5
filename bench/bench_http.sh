#!/usr/bin/env bash
# bench_http.sh BUILD_DIR — push ingest of tikstatd, printed as figures:
# wrk with 8 connections, each pushing increasing counters (with uptime)
# for its own interface for 10 s: requests/s, and the bytes stored against
# the growth the accepted pushes reported. (The queries: bench_queries.sh.)
# Needs wrk (scripts/deps.sh --bench).
set -euo pipefail
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_setup http wrk "${1:?usage: bench_http.sh BUILD_DIR}"
token=bench-push-token-0123456789
printf '%s\n' "$token" >"$work/token"
chmod 600 "$work/token"
{
	bench_config_head "$work/tikstat.db" "commit_interval = 1" "max_rate = 10T"
	cat <<CONF
[router bench]
mode = push
push_token_file = $work/token
interfaces = p0, p1, p2, p3, p4, p5, p6, p7
CONF
} >"$work/tikstat.conf"
chmod 600 "$work/tikstat.conf"

# As root, tikstatd needs -u: it runs as nobody, owner of the work directory.
user=()
if [[ $(id -u) == 0 ]]; then
	chown -R nobody:nogroup "$work"
	user=(-u nobody)
fi
"$build/daemon/tikstatd" -f -c "$work/tikstat.conf" "${user[@]}" 2>"$work/log" &
daemon=$!
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$port/api/v1/interfaces" >/dev/null 2>&1 && break
	sleep 0.2
done

figures() { # wrk output -> "N req/s, p99 X"
	awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {printf "%s req/s, p99 %s\n", r, p}'
}

# Push ingest: connection i pushes for interface p(i % 8), counters growing
# by 1000/100 per request, uptime growing by 1 s per request.
cat >"$work/push.lua" <<'LUA'
local counter = 0
local threads = {}
function setup(thread)
	thread:set("id", counter)
	table.insert(threads, thread)
	counter = counter + 1
end
function init(args)
	n = 0
	token = args[1]
end
function request()
	n = n + 1
	local body = string.format("token=%s&interface=p%d&rx=%d&tx=%d&uptime=%d",
		token, id, n * 1000, n * 100, 1000000 + n)
	return wrk.format("POST", "/api/v1/push",
		{["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status)
	if status == 204 then ok = (ok or 0) + 1 end
end
function done(summary, latency, requests)
	local accepted, sent = 0, 0
	for _, t in ipairs(threads) do
		accepted = accepted + (t:get("ok") or 0)
		sent = sent + t:get("n")
		io.write(string.format("interface p%d: sent %d, accepted %d, last rx %d\n",
			t:get("id"), t:get("n"), t:get("ok") or 0, t:get("n") * 1000))
	end
	io.write(string.format("pushes: sent %d, accepted (204) %d\n", sent, accepted))
end
LUA
# An explicit baseline per interface (0 bytes), a second before the load:
# then every byte the accepted pushes report must be stored, whatever wrk
# does with its first generated request.
for i in 0 1 2 3 4 5 6 7; do
	curl -sf -d "token=$token&interface=p$i&rx=0&tx=0&uptime=999999" "http://127.0.0.1:$port/api/v1/push"
done
sleep 1.1
echo "push ingest (8 connections, one interface each, 10 s):"
wrk -t8 -c8 -d10s --latency -s "$work/push.lua" "http://127.0.0.1:$port" -- "$token" >"$work/push.out"
figures <"$work/push.out"
grep -E '^(interface|pushes)' "$work/push.out"
# Readings carry whole seconds: a push in the same second as the previous
# one is superseded (its growth counts with the next newer reading). One
# closing push per interface, a second later, with counters above anything
# sent, makes the expected total exact: closing value - baseline (1000).
sleep 1.1
for i in 0 1 2 3 4 5 6 7; do
	sent=$(awk -v i="p$i" '$1=="interface" && $2==i":" {gsub(",","",$4); print $4}' "$work/push.out")
	echo "p$i $(( (sent + 1) * 1000 ))" >>"$work/final"
	curl -sf -d "token=$token&interface=p$i&rx=$(( (sent + 1) * 1000 ))&tx=$(( (sent + 1) * 100 ))&uptime=9000000" \
		"http://127.0.0.1:$port/api/v1/push"
done
sleep 2 # commit_interval
stop_daemon
# Every byte after the zero baseline counted once: stored = closing value.
for i in 0 1 2 3 4 5 6 7; do
	last=$(awk -v i="p$i" '$1==i {print $2}' "$work/final")
	stored=$("$build/daemon/tikstat" --db "$work/tikstat.db" -r bench -i "p$i" -y --json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(p["rx"] for p in d["points"]))')
	echo "interface p$i: rx stored $stored, expected $last"
done
