#!/usr/bin/env bash
# test_tikstat.sh — end-to-end test of tikstat, the report CLI: table, JSON
# and CSV on a seeded database, a configuration's zone, cycle and quota,
# reading while another connection writes, import-legacy from a database
# built with the sqlite3 command-line tool, errors and exit statuses.
#
#   test_tikstat.sh TIKSTAT_BIN SEED_DB_BIN
#
# Needs bash and sqlite3 (the command-line tool); node or python3, when
# present, also checks that every JSON output parses. Exits 0 when every
# check passed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 TIKSTAT_BIN SEED_DB_BIN" >&2
	exit 2
fi
TIKSTAT=$1
SEED=$2
for bin in "$TIKSTAT" "$SEED"; do
	[[ -x $bin ]] || {
		echo "$0: $bin: not an executable" >&2
		exit 1
	}
done
command -v sqlite3 >/dev/null || {
	echo "$0: the sqlite3 command-line tool is needed (apt-get install sqlite3)" >&2
	exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/test_tikstat.XXXXXX")
WRITER_PID=''
cleanup() {
	if [[ -n $WRITER_PID ]]; then
		kill "$WRITER_PID" 2>/dev/null || true
		wait "$WRITER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

DB=$WORK/tikstat.db
"$SEED" "$DB"
NOW=2026-04-15T12:00:00+02:00
export TZ=Europe/Berlin

failures=0
checks=0
CASE=''
fail() {
	echo "FAIL: $CASE: $*" >&2
	echo "  stdout:" >&2
	sed 's/^/    | /' "$WORK/out" >&2 || true
	echo "  stderr:" >&2
	sed 's/^/    | /' "$WORK/err" >&2 || true
	failures=$((failures + 1))
}

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

expect_out_contains() {
	grep -qF -- "$1" "$WORK/out" || fail "stdout lacks: $1"
}

# The output parses as JSON (when a parser is at hand).
expect_json() {
	if command -v node >/dev/null; then
		node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' \
			"$WORK/out" 2>/dev/null || fail "stdout is not JSON"
	elif command -v python3 >/dev/null; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' \
			"$WORK/out" 2>/dev/null || fail "stdout is not JSON"
	fi
}

# ------------------------------------------------------------- reports

run "monthly table" 0 --db "$DB" -r home -i ether1 --now "$NOW"
expect_out <<'EOF'
 home / ether1  (monthly, Europe/Berlin)

 month               rx           tx        total
 ---------  -----------  -----------  -----------
 2026-01       1.00 GiB   512.00 MiB     1.50 GiB
 2026-02       3.40 TiB        512 B     3.40 TiB
 2026-03     977.15 KiB     1.91 MiB     2.86 MiB
 2026-04       1.50 KiB          0 B     1.50 KiB
 estimated     3.10 KiB          0 B     3.10 KiB
 ---------  -----------  -----------  -----------
 sum           3.40 TiB   513.91 MiB     3.40 TiB
EOF

run "monthly json" 0 --db "$DB" -r home -i ether1 -m --json --now "$NOW"
expect_out <<'EOF'
{"router":"home","interface":"ether1","step":"month","timezone":"Europe/Berlin","points":[{"start":"2026-01-01T00:00:00+01:00","rx":1073741824,"tx":536870912},{"start":"2026-02-01T00:00:00+01:00","rx":3738339534438,"tx":512},{"start":"2026-03-01T00:00:00+01:00","rx":1000600,"tx":2000060},{"start":"2026-04-01T00:00:00+02:00","rx":1536,"tx":0}]}
EOF
expect_json

run "monthly csv" 0 --db "$DB" -r home -i ether1 --csv --now "$NOW"
expect_out <<'EOF'
start,rx,tx
2026-01-01T00:00:00+01:00,1073741824,536870912
2026-02-01T00:00:00+01:00,3738339534438,512
2026-03-01T00:00:00+01:00,1000600,2000060
2026-04-01T00:00:00+02:00,1536,0
EOF

run "hours of the spring DST day" 0 --db "$DB" -i ether1 -h \
	--begin 2026-03-29 --end 2026-03-29 --json --now "$NOW"
expect_out <<'EOF'
{"router":"home","interface":"ether1","step":"hour","timezone":"Europe/Berlin","points":[{"start":"2026-03-29T00:00:00+01:00","rx":100,"tx":10},{"start":"2026-03-29T01:00:00+01:00","rx":200,"tx":20},{"start":"2026-03-29T03:00:00+02:00","rx":300,"tx":30}]}
EOF

run "yearly table" 0 --db "$DB" -r office -y --now "$NOW"
expect_out <<'EOF'
 office / lte1  (yearly, Europe/Berlin)

 year                rx           tx        total
 ---------  -----------  -----------  -----------
 2026          5.59 GiB   476.84 MiB     6.05 GiB
 estimated    19.53 GiB     1.63 GiB    21.15 GiB
 ---------  -----------  -----------  -----------
 sum           5.59 GiB   476.84 MiB     6.05 GiB
EOF

run "every interface as a json array" 0 --db "$DB" --json -d --begin 2026-03-29 --end 2026-03-29 --now "$NOW"
expect_out <<'EOF'
[{"router":"home","interface":"ether1","step":"day","timezone":"Europe/Berlin","points":[{"start":"2026-03-29T00:00:00+01:00","rx":600,"tx":60}]},{"router":"home","interface":"w\u00e9an","step":"day","timezone":"Europe/Berlin","points":[]},{"router":"office","interface":"lte1","step":"day","timezone":"Europe/Berlin","points":[]}]
EOF
expect_json

run "a latin-1 name is escaped in the table" 0 --db "$DB" -r home -i $'w\xe9an' -d \
	--now 2026-03-15T12:00:00+01:00
expect_out <<'EOF'
 home / w\xE9an  (daily, Europe/Berlin)

 day                  rx           tx        total
 ----------  -----------  -----------  -----------
 2026-03-14     2.00 KiB     1.00 KiB     3.00 KiB
 2026-03-15       1000 B     2.93 KiB     3.91 KiB
 estimated      1.95 KiB     5.86 KiB     7.81 KiB
 ----------  -----------  -----------  -----------
 sum            2.98 KiB     3.93 KiB     6.91 KiB
EOF

run "cycle without a configuration has no quota" 0 --db "$DB" -r office -i lte1 --cycle \
	--json --now 2026-03-20T00:00:00+01:00
expect_out <<'EOF'
{"router":"office","interface":"lte1","start":"2026-03-01T00:00:00+01:00","end":"2026-04-01T00:00:00+02:00","rx":6000000000,"tx":500000000,"total":6500000000,"estimate":10591008771,"quota":null,"used_percent":null}
EOF
expect_json

# ------------------------------------------------------- configuration

printf 'token-0123456789abcdef\n' >"$WORK/office.token"
chmod 600 "$WORK/office.token"
cat >"$WORK/tikstat.conf" <<EOF
[tikstat]
database        = $DB
timezone        = Europe/Berlin
cycle_start_day = 15

[router office]
mode            = push
push_token_file = $WORK/office.token
interfaces      = lte1
quota           = 10G
EOF

# The configuration's zone wins over TZ.
CASE="cycle with the configuration's day and quota"
checks=$((checks + 1))
got=0
TZ=UTC "$TIKSTAT" -c "$WORK/tikstat.conf" -r office -i lte1 --cycle --json \
	--now 2026-03-20T00:00:00+01:00 >"$WORK/out" 2>"$WORK/err" || got=$?
[[ $got -eq 0 ]] || fail "exit status $got"
expect_out <<'EOF'
{"router":"office","interface":"lte1","start":"2026-03-15T00:00:00+01:00","end":"2026-04-15T00:00:00+02:00","rx":1000000000,"tx":500000000,"total":1500000000,"estimate":9287500000,"quota":10000000000,"used_percent":15.00}
EOF

run "cycle table" 0 -c "$WORK/tikstat.conf" -i lte1 --cycle --now 2026-03-20T00:00:00+01:00
expect_out <<'EOF'
 office / lte1  (billing cycle 2026-03-15 .. 2026-04-14, Europe/Berlin)

                     rx           tx        total
 ---------  -----------  -----------  -----------
 so far      953.67 MiB   476.84 MiB     1.40 GiB
 estimated     5.77 GiB     2.88 GiB     8.65 GiB
 ---------  -----------  -----------  -----------
 quota                                   9.31 GiB  15.00 % used
EOF

run "cycle csv" 0 -c "$WORK/tikstat.conf" -i lte1 --cycle --csv --now 2026-03-20T00:00:00+01:00
expect_out <<'EOF'
start,end,rx,tx,total,estimate,quota,used_percent
2026-03-15T00:00:00+01:00,2026-04-15T00:00:00+02:00,1000000000,500000000,1500000000,9287500000,10000000000,15.00
EOF

run "a missing configuration" 1 -c "$WORK/none.conf"
expect_err "tikstat: $WORK/none.conf: cannot open: No such file or directory"

# ---------------------------------------------- reading while writing

# Another connection holds the write lock (as tikstatd does while it
# commits); WAL lets the read-only report through at once.
(
	printf 'BEGIN IMMEDIATE;\nUPDATE routers SET name = name;\n'
	sleep 3
	printf 'COMMIT;\n'
) | sqlite3 "$DB" &
WRITER_PID=$!
sleep 0.5
CASE="report while a writer holds the lock"
checks=$((checks + 1))
start=$(date +%s%N)
got=0
"$TIKSTAT" --db "$DB" -r home -i ether1 --csv --now "$NOW" >"$WORK/out" 2>"$WORK/err" || got=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ $got -eq 0 ]] || fail "exit status $got"
((elapsed_ms < 2000)) || fail "took ${elapsed_ms} ms: blocked by the writer?"
expect_out_contains "2026-04-01T00:00:00+02:00,1536,0"
wait "$WRITER_PID" || true
WRITER_PID=''

# ------------------------------------------------------------- errors

run "unknown interface" 1 --db "$DB" -r home -i nope
expect_err 'tikstat: unknown interface "home/nope"'

run "unknown router" 1 --db "$DB" -r nope
expect_err 'tikstat: unknown router "nope"'

run "control bytes in a name never reach the terminal" 1 --db "$DB" -r home -i $'x\e[2J'
expect_err 'tikstat: unknown interface "home/x\x1B[2J"'

run "missing database" 1 --db "$WORK/none.db"
expect_err "tikstat: no database at $WORK/none.db: is tikstatd running?"
[[ ! -e $WORK/none.db ]] || fail "the report created a database"

run "csv of several interfaces" 2 --db "$DB" -r home --csv
expect_err "tikstat: CSV holds one interface and 2 are selected: choose one with -r ROUTER -i IFACE (see tikstat --help)"

run "unknown option" 2 --db "$DB" --bogus
expect_err "tikstat: unknown option --bogus (see tikstat --help)"

run "unknown short option" 2 --db "$DB" -x
expect_err "tikstat: unknown option -x (see tikstat --help)"

run "option without its value" 2 --db "$DB" -i
expect_err "tikstat: option -i needs a value (see tikstat --help)"

run "bad --begin" 2 --db "$DB" --begin yesterday
expect_err 'tikstat: --begin: not a date or ISO time: "yesterday" (see tikstat --help)'

run "begin after end" 2 --db "$DB" -d --begin 2026-03-02 --end 2026-03-01
expect_err "tikstat: --begin is not before --end (see tikstat --help)"

run "stray argument" 2 --db "$DB" ether1
expect_err 'tikstat: unexpected argument "ether1" (see tikstat --help)'

run "cycle with a window" 2 --db "$DB" --cycle --begin 2026-03-01
expect_err "tikstat: --begin and --end do not apply to --cycle (see tikstat --help)"

run "help" 0 --help
expect_out_contains "import-legacy FILE -r ROUTER -i IFACE"
[[ ! -s $WORK/err ]] || fail "stderr is not empty"

run "version" 0 --version
grep -qE '^tikstat [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/out" || fail "no version line"

# ------------------------------------------------------- import-legacy

OLD=$WORK/old.db
sqlite3 "$OLD" <<'EOF'
CREATE TABLE traffic(timestamp, tx, rx, dtx, drx);
INSERT INTO traffic VALUES ('2026-03-01 00:00:00', 1000, 5000, 0, 0);
INSERT INTO traffic VALUES ('2026-03-01 00:05:00', 1100, 5500, 100, 500);
INSERT INTO traffic VALUES ('2026-03-01 00:10:00', 1300, 6500, 200, 1000);
INSERT INTO traffic VALUES ('2026-03-01 00:15:00', 50, 70, 50, 70);
INSERT INTO traffic VALUES ('2026-03-01 00:20:00', 150, 170, 100, 999);
EOF
NEW=$WORK/imported.db

run "import-legacy" 0 import-legacy "$OLD" -r home -i ether1 --db "$NEW"
expect_out <<EOF
created the database $NEW
import-legacy $OLD -> home/ether1 (source legacy:old.db)
  rows read          5
  rows imported      5
  already imported   0
  overlap skipped    0
  malformed          0
  duplicate times    0
  counter resets     1
  rejected           0
  dtx/drx differ     1  (the old setup's deltas disagree)
  rx added           1.63 KiB (1670 bytes)
  tx added           450 B (450 bytes)
  time range         2026-03-01T00:00:00+01:00 .. 2026-03-01T00:20:00+01:00
  last reading       the last imported row: tikstatd continues from it
EOF

run "import-legacy again adds nothing" 0 import-legacy "$OLD" -r home -i ether1 --db "$NEW"
expect_out <<EOF
import-legacy $OLD -> home/ether1 (source legacy:old.db)
  rows read          5
  rows imported      0
  already imported   5  (imported before: skipped)
  overlap skipped    0
  malformed          0
  duplicate times    0
  counter resets     0
  rejected           0
  dtx/drx differ     0
  rx added           0 B (0 bytes)
  tx added           0 B (0 bytes)
  time range         nothing new to import
  last reading       unchanged
EOF

run "imported 5-minute buckets" 0 --db "$NEW" -r home -i ether1 -5 \
	--begin 2026-03-01 --end 2026-03-01 --csv
expect_out <<'EOF'
start,rx,tx
2026-03-01T00:00:00+01:00,500,100
2026-03-01T00:05:00+01:00,1000,200
2026-03-01T00:10:00+01:00,70,50
2026-03-01T00:15:00+01:00,100,100
EOF

run "import-legacy without the interface" 2 import-legacy "$OLD" --db "$NEW"
expect_err "tikstat: import-legacy: name the interface to import into with -r ROUTER -i IFACE (see tikstat --help)"

run "import-legacy without a file" 2 import-legacy -r home -i ether1 --db "$NEW"

run "import-legacy of a missing file" 1 import-legacy "$WORK/nope.db" -r home -i ether1 --db "$NEW"
expect_err "tikstat: cannot open $WORK/nope.db: No such file or directory"

run "import-legacy of a file of another kind" 1 import-legacy "$DB" -r home -i ether1 --db "$NEW"
grep -qF "not a database of the old setup" "$WORK/err" || fail "no clear reason"

run "report options do not apply to import-legacy" 2 import-legacy "$OLD" -r home -i ether1 --db "$NEW" --json

echo "tikstat CLI: $checks checks, $failures failed"
((failures == 0))
