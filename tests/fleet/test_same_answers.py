#!/usr/bin/env python3
"""The same answers, byte for byte, from SQLite and from PostgreSQL: one
seeded history (seed_db, every kind of counter, a DST day, values beyond
2^41) written into a SQLite file and into a fresh PostgreSQL database; a
tikstatd on each, with the same configuration but for `database`. Every
read endpoint (interfaces, traffic at every step and window, CSV, cycle,
top, bills, bill, their errors) and every CLI report (-5/-h/-d/-m/-y, -t,
the summary, --oneline, --json, --csv, --cycle, --top, --bill, with a fixed
--now) must be the same bytes. API answers use the time of the request:
each URL is asked of both at once and again when a second or bucket
boundary fell between them. Needs TIKSTAT_TEST_ENGINE=postgresql (the
ctest fixture's server). Standard library only.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import free_port  # noqa: E402
from harness import check  # noqa: E402

NOW = "2026-04-15T12:00:00+02:00"
WEAN = "w%E9an"  # "wéan" in Latin-1, as seed_db writes it

URLS = [
    "/api/v1/interfaces",
    "/api/v1/interfaces?kind=device",
    "/api/v1/interfaces?router=office",
    "/api/v1/traffic",
    "/api/v1/traffic?router=home",
    "/api/v1/traffic?step=year",
    "/api/v1/traffic?router=home&interface=ether1&step=5min&from=2026-03-29&to=2026-03-30",
    "/api/v1/traffic?router=home&interface=ether1&step=hour&from=2026-03-28&to=2026-03-31",
    "/api/v1/traffic?router=home&interface=ether1&step=day&from=2026-01-01&to=2026-05-01",
    "/api/v1/traffic?router=home&interface=ether1&step=month&from=2025-12-01",
    "/api/v1/traffic?router=home&interface=ether1&step=year",
    "/api/v1/traffic?router=home&interface=" + WEAN + "&step=hour&from=2026-03-14&to=2026-03-16",
    "/api/v1/traffic?router=office&interface=lte1&step=5min&from=2026-03-15T00:00:00%2B01:00"
    "&to=2026-03-15T06:00:00%2B01:00",
    "/api/v1/traffic?interface=aa-bb-cc-00-00-01&step=day&from=2026-04-01&to=2026-04-20",
    "/api/v1/traffic?router=home&interface=guests&step=month&from=2026-01-01",
    "/api/v1/traffic.csv?router=home&interface=ether1&step=day&from=2026-03-01&to=2026-04-05",
    "/api/v1/traffic.csv?router=office&interface=lte1&step=hour&from=2026-03-15&to=2026-03-21",
    "/api/v1/traffic.csv?router=home&interface=ether1&step=year",
    "/api/v1/cycle",
    "/api/v1/cycle?router=home&interface=ether1",
    "/api/v1/cycle?router=office&interface=lte1",
    "/api/v1/top?router=home&kind=device&period=cycle",
    "/api/v1/top?router=home&kind=queue&period=last_cycle",
    "/api/v1/top?router=home&kind=device&period=today&limit=2",
    "/api/v1/bills",
    "/api/v1/bills?router=home&interface=ether1",
    "/api/v1/bill?name=office",
    "/api/v1/bill?name=downloads",
    "/api/v1/traffic?router=nowhere",
    "/api/v1/traffic?router=home&interface=nothing",
]

CLI = [
    [],
    ["-s"],
    ["--oneline"],
    ["--oneline", "b"],
    ["-r", "home", "-i", "ether1", "-5", "0"],
    ["-r", "home", "-i", "ether1", "-h", "0"],
    ["-r", "home", "-i", "ether1", "-d", "0"],
    ["-r", "home", "-i", "ether1", "-m", "0"],
    ["-r", "home", "-i", "ether1", "-y"],
    ["-r", "home", "-i", "ether1", "-t", "0"],
    ["-d", "--begin", "2026-03-01", "--end", "2026-03-31"],
    ["-m", "--json"],
    ["-h", "--json", "--begin", "2026-03-28", "--end", "2026-03-30"],
    ["-r", "home", "-i", b"w\xe9an", "-h", "--csv", "--begin", "2026-03-14", "--end",
     "2026-03-16"],
    ["-r", "office", "-i", "lte1", "-5", "--csv", "--begin", "2026-03-15", "--end",
     "2026-03-15"],
    ["-i", "aa:bb:cc:00:00:01", "-d", "--json"],
    ["--cycle"],
    ["--cycle", "--json"],
    ["-r", "home", "--top", "devices"],
    ["-r", "home", "--top", "devices", "--json"],
    ["-r", "home", "--top", "queues", "--csv", "-d"],
    ["--bill"],
    ["--bill", "--json"],
    ["--bill", "office"],
    ["--bill", "office", "--json"],
]


def write_config(path, work, db, port):
    harness.write_config(
        path,
        harness.section("tikstat", database=db, timezone="Europe/Berlin",
                        retention_5min="forever", retention_hour="forever",
                        device_retention_5min="forever", device_retention_hour="forever"),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.section("router home", mode="push", push_token_file=work.path("home.token"),
                        interfaces="ether1, " + '"w\xe9an"', quota="2T"),
        harness.section("router office", mode="push",
                        push_token_file=work.path("office.token"), interfaces="lte1"),
        harness.section("bill office", counters="office/lte1", cycle_start_day=15,
                        quota="10G", percentile=95, committed_rate="10k"),
        harness.section("bill downloads", counters="office/lte1 + home/ether1",
                        direction="rx"))


def same_url(ports, path):
    """Asks both at once; again (up to 5 times) while the bodies differ
    (a second boundary between the two requests)."""
    for _ in range(5):
        got = [harness.request(p, "GET", path) for p in ports]
        if got[0][0] == got[1][0] and got[0][2] == got[1][2]:
            return got[0]
        time.sleep(0.2)
    check(False, "%s: SQLite %d %r\nPostgreSQL %d %r" % (path, got[0][0], got[0][2][:400],
                                                       got[1][0], got[1][2][:400]))
    return got[0]


def cli(args, conf, opts):
    p = subprocess.run([os.fsencode(args.tikstat), b"-c", os.fsencode(conf), b"--now",
                        NOW.encode()] + [o if isinstance(o, bytes) else o.encode() for o in opts],
                       capture_output=True)
    return p.returncode, p.stdout, p.stderr


def main():
    args = harness.parse_args("tikstatd", "tikstat", "seed-db")
    if harness.ENGINE != "postgresql":
        print("skipped: TIKSTAT_TEST_ENGINE=postgresql runs it (the ctest fixture's server)")
        return 77
    with harness.Session("tikstat-same-") as work:
        work.secret("home.token", "home-token-0123456789abcdef")
        work.secret("office.token", "office-token-0123456789abcdef")
        dbs = [work.path("tikstat.db"), harness.test_database(work, "same")]
        confs, ports = [], []
        for n, db in enumerate(dbs):
            subprocess.run([args.seed_db, db], check=True)
            ports.append(free_port())
            confs.append(work.path("tikstat%d.conf" % n))
            write_config(confs[-1], work, db, ports[-1])
        compared = 0
        for opts in CLI:
            a, b = cli(args, confs[0], opts), cli(args, confs[1], opts)
            check(a[0] == 0 and a == b, "tikstat %s: SQLite %d %r %r\nPostgreSQL %d %r %r"
                  % (opts, a[0], a[1][:400], a[2], b[0], b[1][:400], b[2]))
            compared += 1
        for n, conf in enumerate(confs):
            d = work.daemon(args.tikstatd, conf, log_path=work.path("tikstatd%d.log" % n))
            harness.wait_for(lambda: d.alive() and harness.answers(ports[n]),
                             "tikstatd %d answering" % n, 60)
        for path in URLS:
            status, _, _ = same_url(ports, path)
            check(status == 200 or "nowhere" in path or "nothing" in path,
                  "%s: HTTP %d" % (path, status))
            compared += 1
        print("# %d CLI outputs and API answers compared" % compared)
        for d in work.daemons:
            d.stop()
    return harness.exit_status("SQLite and PostgreSQL give the same answers, byte for byte")


if __name__ == "__main__":
    sys.exit(main())
