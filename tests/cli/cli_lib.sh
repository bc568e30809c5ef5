# shellcheck shell=bash
# cli_lib.sh — sourced by the tikstat CLI tests (test_tikstat.sh,
# test_bill.sh) after ../lib.sh: run tikstat ($TIKSTAT) and check its exit
# status, stdout and stderr.

# run NAME STATUS ARGS...: runs tikstat, checks its exit status.
run() {
	CASE=$1
	local want=$2 got=0
	shift 2
	checks=$((checks + 1))
	"$TIKSTAT" "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
	[[ $got -eq $want ]] || fail "exit status $got, expected $want"
}

# expect_out: stdout must be exactly what stdin holds.
expect_out() {
	local want
	want=$(cat)
	[[ "$(cat "$WORK/out")" == "$want" ]] || {
		fail "unexpected output; expected:"
		printf '%s\n' "$want" | sed 's/^/    > /' >&2
	}
}

# expect_err TEXT: stderr must be exactly one line, TEXT.
expect_err() {
	[[ "$(cat "$WORK/err")" == "$1" ]] || fail "stderr is not: $1"
}

# wait_for_lock DB: until another connection holds DB's write lock (the
# sqlite3 tool, started in the background, does not wait for it).
wait_for_lock() {
	for _ in $(seq 300); do
		sqlite3 "$1" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null || break
		sleep 0.05
	done
}
