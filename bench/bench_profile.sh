#!/usr/bin/env bash
# bench_profile.sh BUILD_DIR [REQUESTS] — where tikstatd's instructions go
# when it answers (valgrind's callgrind: instruction counts, which a busy
# machine does not change, unlike times):
#  1. 10 years of days in one answer (/api/v1/traffic?step=day, from/to
#     spanning 10 years: 3,651 points) of a 10-year database;
#  2. the default window of step=month (12 points) of one interface of a
#     10-year database of 100;
#  3. /metrics with 10,000 interfaces (1,000 push routers × 10, one push
#     each).
# For each: instructions per request and the top 15 functions by their
# own instructions (callgrind_annotate --inclusive=no). Only what runs
# inside the endpoint's handler (api_traffic, render_metrics: building the
# answer, the queries included; not libmicrohttpd sending it) is counted
# (--toggle-collect), so start-up and the pushes are not. REQUESTS
# requests each (default 20) plus a first one whose answer is kept for its
# size: the totals are divided by REQUESTS + 1. Needs valgrind; build with
# -DCMAKE_BUILD_TYPE=RelWithDebInfo
# (or Release plus -g) for function names of our code. With
# BENCH_PROFILE_KEEP=DIR the callgrind files are copied there (NAME.callgrind,
# for callgrind_annotate --inclusive=yes or kcachegrind).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
requests=${2:-20}
# shellcheck source=bench_lib.sh
. "$here/bench_lib.sh"
bench_setup profile valgrind "${1:?usage: bench_profile.sh BUILD_DIR [REQUESTS]}"

# profile NAME CONF URL [SETUP_COMMAND...]: tikstatd under callgrind with
# CONF, SETUP run once it answers, then REQUESTS GETs of URL counted.
profile() {
	local name=$1 conf=$2 url=$3
	shift 3
	# As root, valgrind itself runs as nobody, owner of the work directory:
	# after tikstatd's own -u it could no longer write its output there.
	local user=()
	if [[ $(id -u) == 0 ]]; then
		chown -R nobody:nogroup "$work"
		user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	fi
	"${user[@]}" valgrind --tool=callgrind --collect-atstart=no --toggle-collect=api_traffic \
		--toggle-collect=render_metrics --callgrind-out-file="$work/$name.%p.out" \
		"$build/daemon/tikstatd" -f -c "$conf" 2>>"$work/log" &
	daemon=$!
	for _ in $(seq 600); do
		curl -sf "http://127.0.0.1:$port/api/v1/interfaces" >/dev/null 2>&1 && break
		sleep 0.2
	done
	if (($#)); then "$@"; fi
	curl -sf "http://127.0.0.1:$port$url" >"$work/$name.body"
	for _ in $(seq "$requests"); do
		curl -sf "http://127.0.0.1:$port$url" >/dev/null
	done
	stop_daemon
	local out n=$((requests + 1))
	out=$(ls "$work/$name".*.out)
	if [[ -n "${BENCH_PROFILE_KEEP:-}" ]]; then cp "$out" "$BENCH_PROFILE_KEEP/$name.callgrind"; fi
	local total
	total=$(callgrind_annotate "$out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
	echo
	echo "### $name: $(stat -c %s "$work/$name.body") bytes per answer," \
		"$(python3 -c "print(f'{$total / $n:,.0f}')") instructions per request"
	echo
	echo "| share | instructions per request | function |"
	echo "| --- | --- | --- |"
	callgrind_annotate --inclusive=no "$out" 2>/dev/null |
		awk -v n="$n" -v total="$total" '
		/^-+$/ {sep++; next}
		sep >= 3 && NF >= 2 && $1 ~ /^[0-9,]+$/ && shown < 15 {
			ir = $1; gsub(",", "", ir)
			fn = $0; sub(/^ *[0-9,]+ *(\([^)]*\))? */, "", fn); sub(/ \[[^]]*\]$/, "", fn)
			if (fn ~ /PROGRAM TOTALS/) next
			sub(/^.*\//, "", fn) # the source file without its directory
			printf "| %.1f %% | %\047d | `%s` |\n", 100 * ir / total, ir / n, fn
			shown++
		}'
}

# --- 1. the long series ---
printf 'bench-push-token-0123456789\n' >"$work/token"
{
	bench_config_head "$work/series.db"
	printf '[router bench]\nmode = push\npush_token_file = %s/token\ninterfaces = ether1\n' "$work"
} >"$work/series.conf"
chmod 600 "$work/series.conf" "$work/token"
"$build/bench/bench_http_seed" "$work/series.db" 10 1 >/dev/null
now=$(date +%s)
from=$(date -u -d "@$((now - 3652 * 86400))" +%F)
to=$(date -u -d "@$now" +%F)
profile series "$work/series.conf" "/api/v1/traffic?router=bench&interface=ether1&step=day&from=$from&to=$to"

# --- 2. a default window (12 months) of one interface among 100 ---
"$build/bench/bench_http_seed" "$work/hundred.db" 10 100 >/dev/null
{
	bench_config_head "$work/hundred.db"
	printf '[router bench]\nmode = push\npush_token_file = %s/token\ninterfaces = %s\n' "$work" \
		"$(seq -s ', ' -f 'ether%g' 1 100)"
} >"$work/hundred.conf"
chmod 600 "$work/hundred.conf"
profile month "$work/hundred.conf" "/api/v1/traffic?router=bench&interface=ether17&step=month"

# --- 3. /metrics with 10,000 interfaces ---
"$here/bench_push_fleet.py" conf "$work" "$port" 1000 10 >"$work/fleet.conf"
chmod 600 "$work/fleet.conf"
profile metrics "$work/fleet.conf" "/metrics" "$here/bench_push_fleet.py" push "$port" 1000 10
