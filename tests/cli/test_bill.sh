#!/usr/bin/env bash
# test_bill.sh — tikstat --bill on the seeded database of test_tikstat.sh
# (seed_db): a bill's JSON (the /api/v1/bill document) with its own cycle
# day, quota and 95th percentile, a bill over two routers counting rx only,
# every bill one line each, -r/-i choosing the bills that sum a counter,
# and the errors.
#
#   test_bill.sh TIKSTAT_BIN SEED_DB_BIN
#
# The percentile is worked out independently here: seed_db spreads office/
# lte1's 1e9 rx and 5e8 tx of 2026-03-15..20 evenly over its 1440 5-minute
# slots, 694444 or 694445 bytes each (rx), 347222 or 347223 (tx): 18518 and
# 9259 bits/s whatever the slot, so the 95th percentile is that.
set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_args 2 "TIKSTAT_BIN SEED_DB_BIN" "$@"
TIKSTAT=$1
SEED=$2
need_executables "$TIKSTAT" "$SEED"
make_work test_bill

DB=$(test_database tikstat)
"$SEED" "$DB"
export TZ=UTC # the configuration's zone wins
NOW=2026-03-20T00:00:00+01:00

# shellcheck source=tests/cli/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

printf 'token-0123456789abcdef\n' >"$WORK/office.token"
printf 'secret-password-1234\n' >"$WORK/home.pw"
chmod 600 "$WORK/office.token" "$WORK/home.pw"
cat >"$WORK/tikstat.conf" <<EOF
[tikstat]
database        = $DB
timezone        = Europe/Berlin
retention_5min  = 32d

[router home]
host            = 127.0.0.1
password_file   = $WORK/home.pw
interfaces      = ether1

[router office]
mode            = push
push_token_file = $WORK/office.token
interfaces      = lte1

[bill office]
counters        = office/lte1
cycle_start_day = 15
quota           = 10G
percentile      = 95
committed_rate  = 10k

[bill downloads]
counters        = office/lte1 + home/ether1
direction       = rx
EOF
CONF=$WORK/tikstat.conf

run "one bill as JSON" 0 -c "$CONF" --bill office --json --now "$NOW"
expect_out <<'EOF'
{"name":"office","counters":["office/lte1"],"direction":"both","start":"2026-03-15T00:00:00+01:00","end":"2026-04-15T00:00:00+02:00","rx":1000000000,"tx":500000000,"used":1500000000,"estimate":9287500000,"quota":10000000000,"used_percent":15.00,"overage":0,"percentile":95,"percentile_bps":{"rx":18518,"tx":9259},"billed_bps":18518,"committed_bps":10000,"rate_overage_bps":8518}
EOF

# March: lte1 5e9 + 1e9, ether1 1000000 + 100 + 200 + 300 (seed_db).
run "every bill as JSON" 0 -c "$CONF" --bill --json --now "$NOW"
python3 - "$WORK/out" <<'EOF' || fail "every bill: wrong JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
assert [b["name"] for b in doc] == ["office", "downloads"], doc
d = doc[1]
assert d["counters"] == ["office/lte1", "home/ether1"], d
assert d["direction"] == "rx" and d["start"] == "2026-03-01T00:00:00+01:00", d
assert d["rx"] == 6001000600 and d["used"] == d["rx"], d
assert d["quota"] is None and d["used_percent"] is None and d["overage"] == 0, d
assert "percentile" not in d and "percentile_bps" not in d, d
EOF

run "one bill as a table" 0 -c "$CONF" --bill office --now "$NOW"
expect_out <<'EOF'
 bill office: office/lte1 (both)
   cycle        2026-03-15 .. 2026-04-14
   used         1.40 GiB of 9.31 GiB (15.00 %)
   estimate     8.65 GiB
   over quota   0 B
   95th         rx 18.52 kbit/s, tx 9.26 kbit/s (1440 samples)
   billed rate  18.52 kbit/s (committed 10.00 kbit/s, 8.52 kbit/s over)
EOF

run "every bill, one line each" 0 -c "$CONF" --bill --now "$NOW"
expect_out <<'EOF'
office: 1.40 GiB of 9.31 GiB (15.00 %), estimate 8.65 GiB, 95th percentile 18.52 kbit/s
downloads: 5.59 GiB, estimate 9.11 GiB
EOF

run "the bills summing a counter" 0 -c "$CONF" --bill -r home -i ether1 --now "$NOW"
expect_out <<'EOF'
downloads: 5.59 GiB, estimate 9.11 GiB
EOF
run "no bill sums it" 0 -c "$CONF" --bill -i ether9 --now "$NOW"
expect_out <<EOF
no bills sum it in $CONF
EOF

run "an unknown bill" 1 -c "$CONF" --bill nowhere
expect_err "tikstat: unknown bill \"nowhere\": $CONF has 2 [bill] sections"
run "an unknown router" 1 -c "$CONF" --bill -r nowhere
expect_err "tikstat: unknown router \"nowhere\" (not in $CONF)"
run "bills need the configuration" 2 --db "$DB" --bill
expect_err "tikstat: --bill: bills are [bill] sections of the configuration: use -c FILE (see tikstat --help)"
run "no CSV" 2 -c "$CONF" --bill office --csv
expect_err "tikstat: --bill takes only a name, -r, -i, --json, --now, -c and --db (see tikstat --help)"
run "a name and -r" 2 -c "$CONF" --bill office -r home
expect_err "tikstat: --bill NAME: -r and -i choose among every bill (--bill alone) (see tikstat --help)"

echo "tikstat --bill: $checks checks, $failures failed"
((failures == 0))
