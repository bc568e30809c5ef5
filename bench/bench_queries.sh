#!/usr/bin/env bash
# bench_queries.sh BUILD_DIR [RUNS] — query throughput and latency of
# tikstatd, printed as figures (wrk: 2 threads, 32 connections, 10 s per
# run; RUNS runs of each, default 3, best and median printed).
#  1. A database of 10 years × 100 interfaces (bench_http_seed: the rollups
#     as the default retentions leave them), router "bench":
#     /api/v1/traffic step=month/day/hour/5min (the default window of
#     each) and /api/v1/cycle: req/s, p50, p99;
#     10 years of days in one answer (3,651 points): req/s, p50, p99.
#  2. /metrics with 10,000 interfaces (1,000 push routers × 10
#     interfaces, one push each so that every one has totals): at 1
#     connection (wrk -t1 -c1) and 32 (-t2 -c32): mean, p50, p99.
# Needs wrk (scripts/deps.sh --bench). Seeding takes about 20 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${2:-3}
# shellcheck source=bench_lib.sh
. "$here/bench_lib.sh"
bench_setup queries wrk "${1:?usage: bench_queries.sh BUILD_DIR [RUNS]}"
token=bench-push-token-0123456789
printf '%s\n' "$token" >"$work/token"
chmod 600 "$work/token"

# start_daemon CONF: tikstatd in the background, waits until it answers.
start_daemon() {
	local user=()
	# As root, tikstatd needs -u: it runs as nobody, owner of the work directory.
	if [[ $(id -u) == 0 ]]; then
		chown -R nobody:nogroup "$work"
		user=(-u nobody)
	fi
	"$build/daemon/tikstatd" -f -c "$1" "${user[@]}" 2>>"$work/log" &
	daemon=$!
	for _ in $(seq 300); do
		curl -sf "http://127.0.0.1:$port/api/v1/interfaces" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "bench_queries: tikstatd did not answer" >&2
	tail "$work/log" >&2
	exit 1
}

# wrk output -> "req/s mean p50 p99" (latencies in ms).
parse() {
	awk 'function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
		if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
		return v }
	/Requests\/sec/ {r = $2}
	/^ +Latency / && $2 != "Distribution" {m = ms($2)}
	/^ +50%/ {p50 = ms($2)}
	/^ +99%/ {p99 = ms($2)}
	/Non-2xx/ {bad = $NF}
	END {printf "%s %s %s %s %s\n", r, m, p50, p99, bad + 0}'
}

# measure LABEL THREADS CONNS PATH: RUNS runs; prints the best (highest
# req/s) run and the median of each figure.
measure() {
	local label=$1 t=$2 c=$3 path=$4 out="$work/runs"
	: >"$out"
	for _ in $(seq "$runs"); do
		wrk -t"$t" -c"$c" -d10s --latency "http://127.0.0.1:$port$path" | parse >>"$out"
	done
	python3 - "$label" "$out" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
best = max(rows, key=lambda r: r[0])
med = [statistics.median(r[i] for r in rows) for i in range(4)]
bad = sum(r[4] for r in rows)
print(f"| {sys.argv[1]} | {best[0]:,.0f} | {med[0]:,.0f} | {med[1]:.2f} | {med[2]:.2f} | {med[3]:.2f} |"
      + (f" {bad:.0f} non-2xx!" if bad else ""))
PY
}

header() {
	echo "| query | best req/s | median req/s | mean ms | p50 ms | p99 ms |"
	echo "| --- | --- | --- | --- | --- | --- |"
}

# --- 1. the 10-year database ---
ifaces=$(seq -s ', ' -f 'ether%g' 1 100)
{
	bench_config_head "$work/tikstat.db"
	cat <<CONF
[router bench]
mode = push
push_token_file = $work/token
interfaces = $ifaces
CONF
} >"$work/tikstat.conf"
chmod 600 "$work/tikstat.conf"
"$build/bench/bench_http_seed" "$work/tikstat.db" 10 100
echo "database: $(stat -c %s "$work/tikstat.db") bytes"
start_daemon "$work/tikstat.conf"
now=$(date +%s)
from=$(date -u -d "@$((now - 3652 * 86400))" +%F)
to=$(date -u -d "@$now" +%F)
points=$(curl -sf "http://127.0.0.1:$port/api/v1/traffic?router=bench&interface=ether50&step=day&from=$from&to=$to" |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["points"]))')
echo "10 years × 100 interfaces, wrk 2 threads, 32 connections, $runs × 10 s (interfaces rotate by query)"
header
for step in month day hour 5min; do
	measure "traffic step=$step (default window)" 2 32 "/api/v1/traffic?router=bench&interface=ether17&step=$step"
done
measure "cycle" 2 32 "/api/v1/cycle?router=bench&interface=ether42"
measure "traffic step=day $from..$to ($points points)" 2 32 \
	"/api/v1/traffic?router=bench&interface=ether50&step=day&from=$from&to=$to"
stop_daemon

# --- 2. /metrics with 10,000 interfaces ---
"$here/bench_push_fleet.py" conf "$work" "$port" 1000 10 >"$work/fleet.conf"
chmod 600 "$work/fleet.conf"
start_daemon "$work/fleet.conf"
# One push per interface, so that each has a reading and totals.
"$here/bench_push_fleet.py" push "$port" 1000 10
curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics.txt"
echo
echo "/metrics: $(grep -c '^tikstat_interface_rx_bytes_total{' "$work/metrics.txt" || true) interfaces," \
	"$(wc -l <"$work/metrics.txt") lines, $(stat -c %s "$work/metrics.txt") bytes"
header
measure "/metrics, 1 connection" 1 1 "/metrics"
measure "/metrics, 32 connections" 2 32 "/metrics"
stop_daemon
