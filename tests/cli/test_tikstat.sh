#!/usr/bin/env bash
# test_tikstat.sh — end-to-end test of tikstat, the report CLI: the summary,
# the vnStat forms (-s, counts, -b/-e, -t, --oneline), table, JSON and CSV,
# queues and devices (--top devices|queues, -i MAC or queue name)
# on a seeded database, a configuration's zone, cycle and quota, reading
# while another connection writes, --remove, import-legacy from a database
# built with the sqlite3 command-line tool, errors and exit statuses.
#
#   test_tikstat.sh TIKSTAT_BIN SEED_DB_BIN
#
# Needs bash and sqlite3 (the command-line tool); node or python3, when
# present, also checks that every JSON output parses. Exits 0 when every
# check passed.
set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_args 2 "TIKSTAT_BIN SEED_DB_BIN" "$@"
TIKSTAT=$1
SEED=$2
need_executables "$TIKSTAT" "$SEED"
need_tool sqlite3 "the sqlite3 command-line tool is needed (apt-get install sqlite3)"
make_work test_tikstat

DB=$(test_database tikstat)
"$SEED" "$DB"
NOW=2026-04-15T12:00:00+02:00
export TZ=Europe/Berlin

# shellcheck source=tests/cli/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

expect_out_contains() {
	grep -qF -- "$1" "$WORK/out" || fail "stdout lacks: $1"
}

# ------------------------------------------------------------- reports

# Plain tikstat: one screen, a few lines per interface (as plain vnstat).
run "summary of every interface" 0 --db "$DB" --now 2026-03-29T12:00:00+02:00
expect_out <<'EOF'
                      rx           tx        total      avg. rate    estimated
 home / ether1
  yesterday    34.88 KiB    69.75 KiB   104.63 KiB       10 bit/s
      today        600 B         60 B        660 B        0 bit/s     1.35 KiB
 last cycle     3.40 TiB        512 B     3.40 TiB   12.36 Mbit/s
 this cycle   977.15 KiB     1.91 MiB     2.86 MiB       10 bit/s     3.11 MiB
 home / w\xE9an
  yesterday          0 B          0 B          0 B        0 bit/s
      today          0 B          0 B          0 B        0 bit/s          0 B
 last cycle          0 B          0 B          0 B        0 bit/s
 this cycle     2.98 KiB     3.93 KiB     6.91 KiB        0 bit/s     7.51 KiB
 office / lte1
  yesterday          0 B          0 B          0 B        0 bit/s
      today          0 B          0 B          0 B        0 bit/s          0 B
 last cycle          0 B          0 B          0 B        0 bit/s
 this cycle     5.59 GiB   476.84 MiB     6.05 GiB   21.15 kbit/s     6.59 GiB
EOF

run "short summary" 0 --db "$DB" -r home -s --now 2026-03-29T12:00:00+02:00
expect_out <<'EOF'
                      rx           tx        total      avg. rate    estimated
 home / ether1
      today        600 B         60 B        660 B        0 bit/s     1.35 KiB
 this cycle   977.15 KiB     1.91 MiB     2.86 MiB       10 bit/s     3.11 MiB
 home / w\xE9an
      today          0 B          0 B          0 B        0 bit/s          0 B
 this cycle     2.98 KiB     3.93 KiB     6.91 KiB        0 bit/s     7.51 KiB
EOF

run "monthly table" 0 --db "$DB" -r home -i ether1 -m --now "$NOW"
expect_out <<'EOF'
 home / ether1  (monthly, Europe/Berlin)

 month               rx           tx        total      avg. rate
 ---------  -----------  -----------  -----------  -------------
 2026-01       1.00 GiB   512.00 MiB     1.50 GiB    4.81 kbit/s
 2026-02       3.40 TiB        512 B     3.40 TiB   12.36 Mbit/s
 2026-03     977.15 KiB     1.91 MiB     2.86 MiB        9 bit/s
 2026-04       1.50 KiB          0 B     1.50 KiB        0 bit/s
 estimated     3.10 KiB          0 B     3.10 KiB
 ---------  -----------  -----------  -----------  -------------
 sum           3.40 TiB   513.91 MiB     3.40 TiB
EOF

# vnStat's -d [count]: the last count days.
run "the last 3 days" 0 --db "$DB" -r home -i ether1 -d 3 --now 2026-03-29T12:00:00+02:00
expect_out <<'EOF'
 home / ether1  (daily, Europe/Berlin)

 day                  rx           tx        total      avg. rate
 ----------  -----------  -----------  -----------  -------------
 2026-03-27    34.88 KiB    69.75 KiB   104.63 KiB       10 bit/s
 2026-03-28    34.88 KiB    69.75 KiB   104.63 KiB       10 bit/s
 2026-03-29        600 B         60 B        660 B        0 bit/s
 estimated      1.22 KiB        125 B     1.35 KiB
 ----------  -----------  -----------  -----------  -------------
 sum           70.34 KiB   139.57 KiB   209.91 KiB
EOF

run "the last 2 months as json" 0 --db "$DB" -r home -i ether1 -m 2 --json --now "$NOW"
expect_out <<'EOF'
{"router":"home","interface":"ether1","step":"month","timezone":"Europe/Berlin","points":[{"start":"2026-03-01T00:00:00+01:00","rx":1000600,"tx":2000060},{"start":"2026-04-01T00:00:00+02:00","rx":1536,"tx":0}]}
EOF
expect_json

run "count 0 is every bucket" 0 --db "$DB" -r home -i ether1 --months 0 --csv --now 2026-04-15
expect_out <<'EOF'
start,rx,tx
2026-01-01T00:00:00+01:00,1073741824,536870912
2026-02-01T00:00:00+01:00,3738339534438,512
2026-03-01T00:00:00+01:00,1000600,2000060
2026-04-01T00:00:00+02:00,1536,0
EOF

run "-b and -e as --begin and --end" 0 --db "$DB" -i ether1 -h \
	-b 2026-03-29 -e 2026-03-29 --json --now "$NOW"
expect_out <<'EOF'
{"router":"home","interface":"ether1","step":"hour","timezone":"Europe/Berlin","points":[{"start":"2026-03-29T00:00:00+01:00","rx":100,"tx":10},{"start":"2026-03-29T01:00:00+01:00","rx":200,"tx":20},{"start":"2026-03-29T03:00:00+02:00","rx":300,"tx":30}]}
EOF

run "top days" 0 --db "$DB" -r home -i ether1 -t --now "$NOW"
expect_out <<'EOF'
 home / ether1  (top 10 days by total, Europe/Berlin)

  #  day                  rx           tx        total      avg. rate
 --------------  -----------  -----------  -----------  -------------
  1  2026-02-04   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  2  2026-02-07   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  3  2026-02-11   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  4  2026-02-14   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  5  2026-02-18   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  6  2026-02-21   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  7  2026-02-25   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  8  2026-02-28   124.34 GiB         19 B   124.34 GiB   12.36 Mbit/s
  9  2026-02-02   124.34 GiB         18 B   124.34 GiB   12.36 Mbit/s
 10  2026-02-03   124.34 GiB         18 B   124.34 GiB   12.36 Mbit/s
 --------------  -----------  -----------  -----------  -------------
EOF

run "top 2 days of a window as csv" 0 --db "$DB" -r home -i ether1 --top 2 \
	--begin 2026-03-27 --end 2026-03-29 --csv --now "$NOW"
expect_out <<'EOF'
start,rx,tx
2026-03-28T00:00:00+01:00,35715,71429
2026-03-27T00:00:00+01:00,35714,71429
EOF

# vnStat's --oneline fields, the router added as field 2.
run "oneline" 0 --db "$DB" --oneline --now 2026-03-29T12:00:00+02:00
expect_out <<'EOF'
1;home;ether1;2026-03-29;600 B;60 B;660 B;0 bit/s;2026-03;977.15 KiB;1.91 MiB;2.86 MiB;10 bit/s;3.40 TiB;513.91 MiB;3.40 TiB
1;home;w\xE9an;2026-03-29;0 B;0 B;0 B;0 bit/s;2026-03;2.98 KiB;3.93 KiB;6.91 KiB;0 bit/s;2.98 KiB;3.93 KiB;6.91 KiB
1;office;lte1;2026-03-29;0 B;0 B;0 B;0 bit/s;2026-03;5.59 GiB;476.84 MiB;6.05 GiB;21.15 kbit/s;5.59 GiB;476.84 MiB;6.05 GiB
EOF

run "oneline in bytes" 0 --db "$DB" -r office -i lte1 --oneline b --now 2026-03-20T00:00:00+01:00
expect_out <<'EOF'
1;office;lte1;2026-03-20;0;0;0;0;2026-03;6000000000;500000000;6500000000;3959;6000000000;500000000;6500000000
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

 year                rx           tx        total      avg. rate
 ---------  -----------  -----------  -----------  -------------
 2026          5.59 GiB   476.84 MiB     6.05 GiB    5.76 kbit/s
 estimated    19.53 GiB     1.63 GiB    21.15 GiB
 ---------  -----------  -----------  -----------  -------------
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

 day                  rx           tx        total      avg. rate
 ----------  -----------  -----------  -----------  -------------
 2026-03-14     2.00 KiB     1.00 KiB     3.00 KiB        0 bit/s
 2026-03-15       1000 B     2.93 KiB     3.91 KiB        1 bit/s
 estimated      1.95 KiB     5.86 KiB     7.81 KiB
 ----------  -----------  -----------  -----------  -------------
 sum            2.98 KiB     3.93 KiB     6.91 KiB
EOF

run "cycle without a configuration has no quota" 0 --db "$DB" -r office -i lte1 --cycle \
	--json --now 2026-03-20T00:00:00+01:00
expect_out <<'EOF'
{"router":"office","interface":"lte1","start":"2026-03-01T00:00:00+01:00","end":"2026-04-01T00:00:00+02:00","rx":6000000000,"tx":500000000,"total":6500000000,"estimate":10591008771,"quota":null,"used_percent":null}
EOF
expect_json

# ------------------------------------------------- queues and devices

run "top devices of a router in this cycle" 0 --db "$DB" -r home --top devices --now "$NOW"
expect_out <<'EOF'
 home / devices  (this cycle 2026-04-01 .. 2026-04-30, Europe/Berlin)

 #  name               address                 rx           tx        total    share
 -  -----------------  -------------  -----------  -----------  -----------  -------
 1  laptop             192.168.88.10     2.86 MiB   976.66 KiB     3.82 MiB   99.8 %
 2  AA:BB:CC:00:00:02  -                   1000 B     2.93 KiB     3.91 KiB    0.1 %
 3  tv                 192.168.88.12     1.95 KiB     1.95 KiB     3.91 KiB    0.1 %
 -  -----------------  -------------  -----------  -----------  -----------  -------
    all 3 devices                        2.86 MiB   981.54 KiB     3.82 MiB  100.0 %
EOF

run "top devices today (-d)" 0 --db "$DB" -r home --top devices -d --now "$NOW"
expect_out <<'EOF'
 home / devices  (today 2026-04-15, Europe/Berlin)

 #  name    address                 rx           tx        total    share
 -  ------  -------------  -----------  -----------  -----------  -------
 1  laptop  192.168.88.10        500 B        100 B        600 B  100.0 %
 -  ------  -------------  -----------  -----------  -----------  -------
    all 1 device                 500 B        100 B        600 B  100.0 %
EOF

run "top 2 devices as csv (-m: this cycle)" 0 --db "$DB" -r home -t devices 2 --csv -m --now "$NOW"
expect_out <<'EOF'
interface,name,address,rx,tx
AA:BB:CC:00:00:01,laptop,192.168.88.10,3000500,1000100
AA:BB:CC:00:00:02,AA:BB:CC:00:00:02,,1000,3000
EOF

run "top devices as json: the /api/v1/top document" 0 --db "$DB" -r home --top devices --json --now "$NOW"
expect_out <<'EOF'
{"router":"home","kind":"device","period":"cycle","start":"2026-04-01T00:00:00+02:00","end":"2026-05-01T00:00:00+02:00","total":{"rx":3003500,"tx":1005100},"items":[{"interface":"AA:BB:CC:00:00:01","name":"laptop","address":"192.168.88.10","rx":3000500,"tx":1000100},{"interface":"AA:BB:CC:00:00:02","name":"AA:BB:CC:00:00:02","address":null,"rx":1000,"tx":3000},{"interface":"AA:BB:CC:00:00:03","name":"tv","address":"192.168.88.12","rx":2000,"tx":2000}]}
EOF
expect_json

# Only home has queues: no -r needed.
run "top queues of the only router with queues" 0 --db "$DB" --top queues --now "$NOW"
expect_out <<'EOF'
 home / queues  (this cycle 2026-04-01 .. 2026-04-30, Europe/Berlin)

 #  name    address                   rx           tx        total    share
 -  ------  ---------------  -----------  -----------  -----------  -------
 1  guests  192.168.89.0/24     9.77 KiB     4.88 KiB    14.65 KiB  100.0 %
 2  ether1  -                        1 B          2 B          3 B    0.0 %
 -  ------  ---------------  -----------  -----------  -----------  -------
    all 2 queues                9.77 KiB     4.88 KiB    14.65 KiB  100.0 %
EOF

run "top queues of a router without any" 0 --db "$DB" -r office --top queues --now "$NOW"
expect_out <<'EOF'
 office / queues  (this cycle 2026-04-01 .. 2026-04-30, Europe/Berlin)

 no traffic recorded in this period
EOF

run "top devices needs -r when several routers have devices" 2 --db "$DB" --top devices --now "$NOW"
expect_err "tikstat: several routers have devices (home, office): use -r (see tikstat --help)"

run "top devices of an unknown router" 1 --db "$DB" -r nope --top devices
expect_err 'tikstat: unknown router "nope"'

run "top devices takes -d or -m only" 2 --db "$DB" -r home --top devices -h
expect_err "tikstat: --top devices: -d (today) or -m (this billing cycle), without a count (see tikstat --help)"

run "top devices takes no -i" 2 --db "$DB" -r home -i ether1 --top devices
expect_err "tikstat: --top devices ranks every one of a router: -i does not apply (see tikstat --help)"

run "top devices: N is 1 to 1000" 2 --db "$DB" -r home --top devices 1001
expect_err "tikstat: --top devices: N is 1 to 1000 (see tikstat --help)"

# -i names a device by its MAC in any form, days as for an interface.
run "days of a device named by its MAC in lower case with -" 0 --db "$DB" -i aa-bb-cc-00-00-01 -d 6 --now "$NOW"
expect_out <<'EOF'
 home / device AA:BB:CC:00:00:01 (laptop)  (daily, Europe/Berlin)

 day                  rx           tx        total      avg. rate
 ----------  -----------  -----------  -----------  -------------
 2026-04-10     2.86 MiB   976.56 KiB     3.81 MiB      370 bit/s
 2026-04-15        500 B        100 B        600 B        0 bit/s
 estimated        1000 B        200 B     1.17 KiB
 ----------  -----------  -----------  -----------  -------------
 sum            2.86 MiB   976.66 KiB     3.82 MiB
EOF

run "a queue named as an interface: the interface wins" 0 --db "$DB" -r home -i ether1 -m 1 --csv --now "$NOW"
expect_out <<'EOF'
start,rx,tx
2026-04-01T00:00:00+02:00,1536,0
EOF

run "a queue's months" 0 --db "$DB" -r home -i guests -m 1 --csv --now "$NOW"
expect_out <<'EOF'
start,rx,tx
2026-04-01T00:00:00+02:00,10000,5000
EOF

# Without -i only interfaces: a router's JSON stays its interfaces.
run "without -i only interfaces are listed" 0 --db "$DB" -r home -m 1 --json --now "$NOW"
expect_json 'j.length === 2 && j.every((x) => x.interface === "ether1" || x.interface === "w\u00e9an")'

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

# A configuration with devices on home only (the database has office's too).
cat >"$WORK/who.conf" <<EOF
[tikstat]
database        = $DB
timezone        = Europe/Berlin

[router home]
host          = 127.0.0.1
user          = admin
password_file = $WORK/home.password
interfaces    = ether1
devices       = kid-control
quota         = 10G

[router office]
host          = 127.0.0.2
user          = admin
password_file = $WORK/office.password
interfaces    = lte1
EOF

run "top devices of the only router configured with devices" 0 -c "$WORK/who.conf" --top devices -d --now "$NOW"
expect_out_contains " home / devices  (today 2026-04-15, Europe/Berlin)"

run "top queues with no router configured for queues" 1 -c "$WORK/who.conf" --top queues --now "$NOW"
expect_err "tikstat: no router in $WORK/who.conf has queues (queues = * or a list of names)"

run "top devices of a router not in the configuration" 1 -c "$WORK/who.conf" -r nope --top devices
expect_err "tikstat: unknown router \"nope\" (not in $WORK/who.conf)"

# A router's quota is a bill per interface: a device has none.
run "a device's cycle has no quota" 0 -c "$WORK/who.conf" -r home -i AA:BB:CC:00:00:01 --cycle --json --now "$NOW"
expect_out <<'EOF'
{"router":"home","interface":"AA:BB:CC:00:00:01","start":"2026-04-01T00:00:00+02:00","end":"2026-05-01T00:00:00+02:00","rx":3000500,"tx":1000100,"total":4000600,"estimate":8277103,"quota":null,"used_percent":null}
EOF

run "a missing configuration" 1 -c "$WORK/none.conf"
expect_err "tikstat: $WORK/none.conf: cannot open: No such file or directory"

# ---------------------------------------------- reading while writing

# Another connection holds the write lock (as tikstatd does while it
# commits); WAL lets the read-only report through at once.
if ! on_postgresql "a report while sqlite3 holds the write lock"; then
	(
		printf 'BEGIN IMMEDIATE;\nUPDATE routers SET name = name;\n'
		sleep 3
		printf 'COMMIT;\n'
	) | sqlite3 "$DB" &
	CHILD_PID=$!
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
	wait "$CHILD_PID" || true
	CHILD_PID=''
fi

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

run "oneline has no json" 2 --db "$DB" --oneline --json
expect_err "tikstat: the summary and --oneline have no JSON or CSV form: use -d, -m, -t or --cycle with --json or --csv (see tikstat --help)"

run "the summary has no window" 2 --db "$DB" -s -b 2026-03-01
expect_err "tikstat: --begin and --end apply to -5/-h/-d/-m/-y and -t (see tikstat --help)"

run "a count too large" 2 --db "$DB" -d 1000000
expect_err "tikstat: -d: at most 100000 buckets (see tikstat --help)"

run "a word after a count" 2 --db "$DB" -d 7 ether1
expect_err 'tikstat: unexpected argument "ether1" (see tikstat --help)'

run "force without remove or import" 2 --db "$DB" --force
expect_err "tikstat: --force belongs to --remove and import-legacy (see tikstat --help)"

run "remove without the interface" 2 --db "$DB" --remove -r home
expect_err "tikstat: --remove: name the interface with -r ROUTER -i IFACE (see tikstat --help)"

run "help" 0 --help
expect_out_contains "import-legacy FILE -r ROUTER -i IFACE"
[[ ! -s $WORK/err ]] || fail "stderr is not empty"

run "version" 0 --version
grep -qE '^tikstat [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/out" || fail "no version line"

# ------------------------------------------------------------- --remove

RM=$(test_database remove)
"$SEED" "$RM"
# rows of router/interface in table (traffic, last_reading, ...); kind 0:
# the interface, not the queue of the same name
rows_of() {
	db_value "$RM" "SELECT count(*) FROM $1 AS t JOIN interfaces AS i ON i.id = t.interface_id
		JOIN routers AS r ON r.id = i.router_id WHERE $(sql_name_text r.name) = '$2'
		AND i.kind = 0 AND $(sql_name_text i.name) = '$3'"
}

run "remove needs --force without a terminal" 2 --db "$RM" --remove -r home -i ether1 </dev/null
expect_err "tikstat: --remove: standard input is not a terminal: add --force to remove all 75 days of history of home/ether1 (see tikstat --help)"
[[ $(rows_of traffic home ether1) -gt 0 ]] || fail "history removed without --force"

run "remove an unknown interface" 1 --db "$RM" --remove -r home -i nope --force
expect_err 'tikstat: unknown interface "home/nope": nothing to remove'

# While another connection holds the write lock (tikstatd committing),
# --remove waits for it (busy timeout) and then removes in one transaction.
if ! on_postgresql "--remove waiting for sqlite3's write lock"; then
	(
		printf 'BEGIN IMMEDIATE;\nUPDATE routers SET name = name;\n'
		sleep 2
		printf 'COMMIT;\n'
	) | sqlite3 "$RM" &
	CHILD_PID=$!
	wait_for_lock "$RM"
fi
run "remove with --force while a writer holds the lock" 0 --db "$RM" --remove -r home -i ether1 --force
expect_out <<EOF
removed all 75 days of history of home/ether1
if tikstatd still accounts it, new traffic goes on being counted from its last reading
(after a restart of tikstatd, its next reading is a new starting point)
EOF
if [[ -n $CHILD_PID ]]; then
	wait "$CHILD_PID" || true
	CHILD_PID=''
fi
for table in traffic last_reading; do
	[[ $(rows_of $table home ether1) -eq 0 ]] || fail "$table rows of home/ether1 remain"
done
[[ $(rows_of traffic office lte1) -gt 0 ]] || fail "another interface lost its history"

run "the removed interface has no traffic" 0 --db "$RM" -r home -i ether1 -d 0 --now "$NOW"
expect_out <<'EOF'
 home / ether1  (daily, Europe/Berlin)

 no traffic recorded in this period
EOF

# On a terminal it asks; only y or yes removes.
if command -v script >/dev/null; then
	CASE="remove asks on a terminal: no"
	checks=$((checks + 1))
	printf 'n\n' | script -qec "$(printf '%q ' "$TIKSTAT" --db "$RM" --remove -r office -i lte1)" \
		/dev/null >"$WORK/out" 2>"$WORK/err" || true
	grep -qF "remove all 10 days of history of office/lte1? [y/N]" "$WORK/out" || fail "no question"
	grep -qF "nothing removed" "$WORK/out" || fail "not refused"
	[[ $(rows_of traffic office lte1) -gt 0 ]] || fail "removed on no"

	CASE="remove asks on a terminal: yes"
	checks=$((checks + 1))
	printf 'yes\n' | script -qec "$(printf '%q ' "$TIKSTAT" --db "$RM" --remove -r office -i lte1)" \
		/dev/null >"$WORK/out" 2>"$WORK/err" || fail "exit status non-zero"
	grep -qF "removed all 10 days of history of office/lte1" "$WORK/out" || fail "not removed"
	[[ $(rows_of traffic office lte1) -eq 0 ]] || fail "history left"
else
	echo "script (util-linux) missing: the terminal question of --remove is not checked" >&2
fi

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
NEW=$(test_database imported)
# A new SQLite file is announced; a PostgreSQL database exists before.
CREATED=''
[[ $NEW == postgresql://* ]] || CREATED="created the database $NEW"$'\n'

run "import-legacy" 0 import-legacy "$OLD" -r home -i ether1 --db "$NEW"
expect_out <<EOF
${CREATED}import-legacy $OLD -> home/ether1 (source legacy:old.db)
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
  last reading       the last imported row
tikstatd takes its next reading of home/ether1 as a new starting point: nothing is counted twice
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

# A tikstat database is a SQLite file of another kind.
OTHER=$WORK/other.db
"$SEED" "$OTHER"
run "import-legacy of a file of another kind" 1 import-legacy "$OTHER" -r home -i ether1 --db "$NEW"
grep -qF "not a database of the old setup" "$WORK/err" || fail "no clear reason"

run "a rejected source creates no database" 1 import-legacy "$OTHER" -r home -i ether1 --db "$WORK/never.db"
grep -qF "not a database of the old setup" "$WORK/err" || fail "no clear reason"
[[ ! -e $WORK/never.db ]] || fail "the target database was created"

# With a configuration, the target must be configured, or --force given.
cat >"$WORK/import.conf" <<EOF
[tikstat]
database        = $WORK/cfgimport.db
timezone        = Europe/Berlin

[router office]
mode            = push
push_token_file = $WORK/office.token
interfaces      = lte1
EOF

run "import-legacy into an unconfigured router" 1 import-legacy "$OLD" -r home -i ether1 -c "$WORK/import.conf"
expect_err "tikstat: router \"home\" is not in $WORK/import.conf: nothing imported (add --force to import into it anyway)"
[[ ! -e $WORK/cfgimport.db ]] || fail "the target database was created"

run "import-legacy into an unconfigured interface" 1 import-legacy "$OLD" -r office -i ether9 -c "$WORK/import.conf"
expect_err "tikstat: router \"office\" has no interface \"ether9\" in $WORK/import.conf: nothing imported (add --force to import into it anyway)"
[[ ! -e $WORK/cfgimport.db ]] || fail "the target database was created"

run "import-legacy --force into an unconfigured interface" 0 import-legacy "$OLD" -r office -i ether9 -c "$WORK/import.conf" --force
expect_err "tikstat: warning: router \"office\" has no interface \"ether9\" in $WORK/import.conf (--force: importing anyway)"
expect_out_contains "rows imported      5"

# The options may also come before the word import-legacy.
run "import-legacy into a configured interface" 0 -c "$WORK/import.conf" import-legacy "$OLD" -r office -i lte1
expect_out_contains "tikstatd takes its next reading of office/lte1 as a new starting point: nothing is counted twice"
[[ ! -s $WORK/err ]] || fail "stderr is not empty"

run "report options do not apply to import-legacy" 2 import-legacy "$OLD" -r home -i ether1 --db "$NEW" --json

echo "tikstat CLI: $checks checks, $failures failed"
((failures == 0))
