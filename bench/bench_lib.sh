# bench_lib.sh — sourced by the shell benchmarks (bench_http.sh,
# bench_queries.sh, bench_profile.sh): bench_setup NAME TOOL BUILD_DIR
# checks that TOOL is installed, sets $build, makes the work directory
# $work (removed on exit, with the daemon stopped) and picks a free
# loopback $port; stop_daemon stops the tikstatd whose pid is in $daemon.

stop_daemon() {
	if [[ -n "$daemon" ]]; then
		kill "$daemon" 2>/dev/null || true
		wait "$daemon" 2>/dev/null || true
		daemon=""
	fi
}

bench_cleanup() {
	stop_daemon
	rm -rf "$work"
}

bench_setup() {
	command -v "$2" >/dev/null || {
		echo "bench_$1: $2 is not installed (scripts/deps.sh --bench)"
		exit 1
	}
	build=$(cd "$3" && pwd)
	work=$(mktemp -d "/tmp/tikstat-bench-$1.XXXXXX")
	daemon=""
	trap bench_cleanup EXIT
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

# bench_config_head DB [LINE...]: the [tikstat] section (database DB, the
# zone of bench_http_seed's buckets, warnings only, then each LINE) and
# the [http] section listening on $port, for a configuration file.
bench_config_head() {
	printf '[tikstat]\ndatabase = %s\ntimezone = Europe/Berlin\nlog_level = warning\n' "$1"
	shift
	if (($#)); then printf '%s\n' "$@"; fi
	printf '\n[http]\nlisten = 127.0.0.1:%s\n\n' "$port"
}
