# shellcheck shell=bash
# lib.sh — sourced by the shell tests (cli/test_tikstat.sh,
# rosapi/test_rosapi.sh): checks of the command line and the tools needed,
# the work directory and its cleanup, and the count of checks and failures
# of the command under test, whose output is in $WORK/out and $WORK/err.
# The sourcing script runs under `set -euo pipefail`.

# need_args COUNT USAGE ARGS...: exits 2 with "usage: $0 USAGE" unless
# ARGS are COUNT words.
need_args() {
	local want=$1 usage=$2
	shift 2
	if [[ $# -ne $want ]]; then
		echo "usage: $0 $usage" >&2
		exit 2
	fi
}

# need_executables FILE...: exits 1 unless each FILE is executable.
need_executables() {
	local bin
	for bin in "$@"; do
		[[ -x $bin ]] || {
			echo "$0: $bin: not an executable" >&2
			exit 1
		}
	done
}

# need_tool TOOL WHY: exits 1, saying WHY, unless TOOL is on the PATH.
need_tool() {
	command -v "$1" >/dev/null || {
		echo "$0: $2" >&2
		exit 1
	}
}

# make_work NAME: a fresh $WORK directory, removed on exit together with
# the background process whose pid is in CHILD_PID (when set): a writer, a
# fake router.
CHILD_PID=''
make_work() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap cleanup_work EXIT
}

cleanup_work() {
	if [[ -n $CHILD_PID ]]; then
		kill "$CHILD_PID" 2>/dev/null || true
		wait "$CHILD_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}

# test_database NAME: prints the database of a test (after make_work):
# the file $WORK/NAME.db, or with TIKSTAT_TEST_ENGINE=postgresql the URL of
# a fresh database of the ctest fixture's server (TIKSTAT_PG_INFO names
# the file that holds its directory).
test_database() {
	if [[ ${TIKSTAT_TEST_ENGINE:-sqlite} != postgresql ]]; then
		echo "$WORK/$1.db"
		return
	fi
	local dir
	dir=$(sed -n 's/^dir //p' "${TIKSTAT_PG_INFO:?names the file of the pg_server_start fixture}")
	python3 "$(dirname "${BASH_SOURCE[0]}")/pg/pgserver.py" createdb "$dir" "$1_$$_$RANDOM"
}

# on_postgresql WHAT: true (after saying WHAT is skipped) when the tests
# run on PostgreSQL: for the checks of a SQLite file (its locks, its WAL).
on_postgresql() {
	[[ ${TIKSTAT_TEST_ENGINE:-sqlite} == postgresql ]] || return 1
	echo "skipped on PostgreSQL (a SQLite file matter): $1" >&2
}

# db_value DATABASE SQL: the result of a query on a test's database
# (sqlite3 on a file, psql on a postgresql:// URL), one line per row.
db_value() {
	if [[ $1 == postgresql://* ]]; then
		psql -XAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
	else
		sqlite3 "$1" "$2"
	fi
}

# sql_name_text COLUMN: SQL for a name column (SQLite TEXT or BLOB,
# PostgreSQL bytea) as text, to compare with an ASCII literal.
sql_name_text() {
	if [[ ${TIKSTAT_TEST_ENGINE:-sqlite} == postgresql ]]; then
		echo "encode($1, 'escape')"
	else
		echo "CAST($1 AS TEXT)"
	fi
}

# The sourcing script counts its checks and names each CASE.
failures=0
# shellcheck disable=SC2034
checks=0
CASE=''

# fail MESSAGE: counts one failure of the current CASE and shows the
# output of the command under test.
fail() {
	echo "FAIL: $CASE: $*" >&2
	echo "  stdout:" >&2
	sed 's/^/    | /' "$WORK/out" >&2 || true
	echo "  stderr:" >&2
	sed 's/^/    | /' "$WORK/err" >&2 || true
	failures=$((failures + 1))
}

# expect_json [JS]: stdout parses as JSON and the JavaScript expression JS
# (default true) holds for it, bound to j. Checked by node; without node,
# python3 checks that it parses (JS must then be absent: the script that
# passes JS needs node); without either nothing is checked.
# shellcheck disable=SC2120
expect_json() {
	local js=${1:-true}
	if command -v node >/dev/null; then
		node -e '
			const fs = require("fs");
			const text = fs.readFileSync(process.argv[1], "utf8");
			let j;
			try { j = JSON.parse(text); } catch (e) { console.error("invalid JSON: " + e.message); process.exit(1); }
			if (!('"$js"')) { console.error("condition failed: " + process.argv[2]); process.exit(1); }
		' "$WORK/out" "$js" 2>>"$WORK/err.node" ||
			fail "JSON check: $js ($(tail -n 1 "$WORK/err.node"))"
	elif command -v python3 >/dev/null && [[ $js == true ]]; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' \
			"$WORK/out" 2>/dev/null || fail "stdout is not JSON"
	fi
}
