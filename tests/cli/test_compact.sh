#!/usr/bin/env bash
# test_compact.sh — tikstat --compact on a database made before tikstat
# gave free pages back (auto_vacuum NONE, as schema 1 and 2 made them):
# the file shrinks, stays the same file (inode), becomes INCREMENTAL, and
# every report is the same before and after; with another connection
# holding the write lock (tikstatd committing) it waits and then compacts,
# and that connection's later writes land in the compacted file.
#
#   test_compact.sh TIKSTAT_BIN SEED_DB_BIN
#
# Needs bash and sqlite3 (the command-line tool). Exits 0 when every check
# passed.
set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_args 2 "TIKSTAT_BIN SEED_DB_BIN" "$@"
TIKSTAT=$1
SEED=$2
need_executables "$TIKSTAT" "$SEED"
need_tool sqlite3 "the sqlite3 command-line tool is needed (apt-get install sqlite3)"
make_work test_compact
export TZ=Europe/Berlin
NOW=2026-04-15T12:00:00+02:00

# shellcheck source=tests/cli/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

expect_out_contains() {
	grep -qF -- "$1" "$WORK/out" || fail "stdout lacks: $1"
}

# An old-format file with free pages inside: the seeded history, then a
# year of 5-minute buckets written and pruned again (as tikstatd's
# retention does), all in a file without auto_vacuum.
OLD=$WORK/old.db
"$SEED" "$OLD"
sqlite3 "$OLD" "PRAGMA auto_vacuum = NONE; VACUUM;
	WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 105119)
	INSERT INTO traffic SELECT 1, 0, 4000000000 + i * 300, 4611686018427387904, i FROM n;
	DELETE FROM traffic WHERE start >= 4000000000;" >/dev/null
[[ $(sqlite3 "$OLD" "PRAGMA auto_vacuum") -eq 0 ]] || { echo "fixture: not auto_vacuum NONE" >&2; exit 1; }
free_pages=$(sqlite3 "$OLD" "PRAGMA freelist_count")
((free_pages > 500)) || { echo "fixture: only $free_pages free pages" >&2; exit 1; }

# Every form of report, to compare before and after.
reports() {
	local db=$1 out=$2
	: >"$out"
	for form in "-d 0" "-m 0" "-5 0" "-y" "-t 0" "--json -d 0" "--json -m 0"; do
		# shellcheck disable=SC2086
		"$TIKSTAT" --db "$db" $form --now "$NOW" >>"$out" 2>&1 || echo "exit $?: $form" >>"$out"
	done
}

# -------------------------------------------------------- compacting
DB=$WORK/copy.db
cp "$OLD" "$DB"
reports "$DB" "$WORK/before"
size_before=$(stat -c %s "$DB")
inode=$(stat -c %i "$DB")
run "compact an old file" 0 --db "$DB" --compact
expect_out_contains "compacted $DB: "
expect_out_contains "($free_pages free pages of "
expect_out_contains "from now on it shrinks after each prune of old buckets by itself"
[[ ! -s $WORK/err ]] || fail "stderr is not empty"
size_after=$(stat -c %s "$DB")
echo "compact: $size_before -> $size_after bytes ($free_pages free pages)"
((size_after < size_before / 2)) || fail "the file did not shrink: $size_before -> $size_after bytes"
[[ $(stat -c %i "$DB") == "$inode" ]] || fail "the file was replaced (inode changed)"
[[ $(sqlite3 "$DB" "PRAGMA auto_vacuum") -eq 2 ]] || fail "not auto_vacuum INCREMENTAL"
[[ $(sqlite3 "$DB" "PRAGMA integrity_check") == ok ]] || fail "integrity check failed"
reports "$DB" "$WORK/after"
CASE="every report is the same after compacting"
checks=$((checks + 1))
cmp -s "$WORK/before" "$WORK/after" || fail "reports differ: $(diff "$WORK/before" "$WORK/after" | head -5)"
grep -q "^exit" "$WORK/before" && fail "a report failed: $(grep "^exit" "$WORK/before")"

run "compact again: nothing left" 0 --db "$DB" --compact
expect_out_contains "(0 free pages of "

# ------------------------------------------------ while tikstatd writes
# Another connection (as tikstatd) holds the write lock for 2 s, then
# commits and, later, writes again from the same connection: --compact
# waits for the lock (busy timeout), and the later write lands in the
# compacted file.
LIVE=$WORK/live.db
cp "$OLD" "$LIVE"
inode=$(stat -c %i "$LIVE")
(
	printf '.timeout 30000\nBEGIN IMMEDIATE;\nUPDATE routers SET name = name;\n'
	sleep 2
	printf 'COMMIT;\n'
	sleep 1
	printf 'INSERT INTO traffic VALUES (1, 4, 4100000000, 7, 7);\n'
) | sqlite3 "$LIVE" &
CHILD_PID=$!
wait_for_lock "$LIVE"
run "compact while another connection holds the write lock" 0 --db "$LIVE" --compact
expect_out_contains "compacted $LIVE: "
wait "$CHILD_PID" || fail "the other connection failed"
CHILD_PID=''
[[ $(stat -c %i "$LIVE") == "$inode" ]] || fail "the file was replaced (inode changed)"
[[ $(sqlite3 "$LIVE" "SELECT count(*) FROM traffic WHERE start = 4100000000") -eq 1 ]] ||
	fail "the other connection's later write is missing"
[[ $(sqlite3 "$LIVE" "PRAGMA integrity_check") == ok ]] || fail "integrity check failed"

# ------------------------------------------------------------- errors
run "compact takes no report options" 2 --db "$DB" --compact -r home
expect_err "tikstat: --compact takes only -c and --db (see tikstat --help)"
run "compact of a missing file" 1 --db "$WORK/none.db" --compact
expect_err "tikstat: no database at $WORK/none.db"
[[ ! -e $WORK/none.db ]] || fail "a database was created"

echo "tikstat --compact: $checks checks, $failures failed"
((failures == 0))
