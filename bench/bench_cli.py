#!/usr/bin/env python3
"""bench_cli.py: `tikstat -m` / `-d` next to `vnstat -m` / `-d` on 10 years
of one interface, as whole processes (issue 13). Prints figures; asserts
none of them. Standard library only.

  bench_cli.py --build BUILD_DIR [--runs 20] [--keep DIR]

Set-up, in a temporary directory (or DIR with --keep, left in place so
that other timing tools can run the printed commands):

  - tikstat: bench_http_seed writes 10 years of one interface ("ether1"
    of router "bench") as tikstatd's accounting leaves them with the
    default retentions (5-minute buckets 7 days, hours 90 days, days,
    months and years for ever);
  - vnstat 2.10 cannot import, and its daemon only counts a real
    interface from now on: its database (SQLite) is written directly,
    with vnstat's own schema (vnstatd --initdb, vnstat --add) and the same
    bytes: every day, month and year of the tikstat database, the hours of
    vnstat's default 4 days and the 5-minute rows of its 48 hours, and the
    top-20 days. Its configuration keeps days and months for ever
    (DailyDays -1, MonthlyMonths -1: vnstat's defaults would drop all but
    62 days and 25 months).

Both run with TZ=Europe/Berlin, the zone the seeder's buckets use. Each
command runs RUNS times, the two in turn (A B A B ...); the figures are
the wall time of each process run: min, median, max, and the median of
the per-pair ratios."""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ZONE = "Europe/Berlin"
STEPS = {"5min": 0, "hour": 1, "day": 2, "month": 3, "year": 4}


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True, help="the build directory (Release)")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--keep", help="set up in this directory and leave it")
    return p.parse_args()


def local(t, fmt):
    return time.strftime(fmt, time.localtime(t))


def vnstat_db(work, tik_db):
    """vnstat's database with the rows of tikstat's, through vnstat's own
    tools for the schema and the interface row."""
    conf = os.path.join(work, "vnstat.conf")
    dbdir = os.path.join(work, "vnstat")
    os.makedirs(dbdir, exist_ok=True)
    with open(conf, "w") as f:
        f.write('DatabaseDir "%s"\nDailyDays -1\nMonthlyMonths -1\nYearlyYears -1\n'
                'UseLogging 0\nPidFile "%s/vnstat.pid"\n' % (dbdir, work))
    subprocess.run(["vnstatd", "--config", conf, "--initdb"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["vnstat", "--config", conf, "--add", "-i", "eth0"], check=True,
                   stdout=subprocess.DEVNULL)
    src = sqlite3.connect(tik_db)
    rows = {s: src.execute("SELECT start, rx, tx FROM traffic WHERE step = ? ORDER BY start",
                           (n,)).fetchall() for s, n in STEPS.items()}
    src.close()
    now = time.time()
    fmt = {"5min": "%Y-%m-%d %H:%M", "hour": "%Y-%m-%d %H:00", "day": "%Y-%m-%d",
           "month": "%Y-%m-01", "year": "%Y-01-01"}
    keep = {"5min": 48 * 3600, "hour": 4 * 86400}  # vnstat's defaults
    table = {"5min": "fiveminute", "hour": "hour", "day": "day", "month": "month",
             "year": "year"}
    db = sqlite3.connect(os.path.join(dbdir, "vnstat.db"))
    for step, rs in rows.items():
        db.executemany("INSERT INTO %s (interface, date, rx, tx) VALUES (1, ?, ?, ?)" % table[step],
                       [(local(t, fmt[step]), rx, tx) for t, rx, tx in rs
                        if t >= now - keep.get(step, now)])
    top = sorted(rows["day"], key=lambda r: r[1] + r[2], reverse=True)[:20]
    db.executemany("INSERT INTO top (interface, date, rx, tx) VALUES (1, ?, ?, ?)",
                   [(local(t, fmt["day"]), rx, tx) for t, rx, tx in top])
    rx = sum(r[1] for r in rows["year"])
    tx = sum(r[2] for r in rows["year"])
    first = local(rows["day"][0][0], "%Y-%m-%d 00:00:00")
    db.execute("UPDATE interface SET created = ?, rxtotal = ?, txtotal = ?", (first, rx, tx))
    db.commit()
    db.close()
    return conf, {s: len(r) for s, r in rows.items()}


def timed(cmd, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    a = parse()
    if not shutil.which("vnstat"):
        sys.exit("bench_cli: vnstat is not installed (scripts/deps.sh --bench)")
    build = os.path.abspath(a.build)
    os.environ["TZ"] = ZONE
    time.tzset()
    work = a.keep or tempfile.mkdtemp(prefix="tikstat-bench-cli.")
    os.makedirs(work, exist_ok=True)
    try:
        tik_db = os.path.join(work, "tikstat.db")
        if os.path.exists(tik_db):
            os.remove(tik_db)
        subprocess.run([os.path.join(build, "bench", "bench_http_seed"), tik_db, "10", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        conf, counts = vnstat_db(work, tik_db)
        print("10 years of one interface: %s rows (tikstat); vnstat the same days, months "
              "and years" % ", ".join("%s %d" % kv for kv in counts.items()))
        env = dict(os.environ, TZ=ZONE)
        tik = os.path.join(build, "daemon", "tikstat")
        print("| report | tikstat (ms): min / median / max | vnstat (ms): min / median / max "
              "| tikstat / vnstat (median of pairs) |")
        print("| --- | --- | --- | --- |")
        for flag in ("-m", "-d"):
            a_cmd = [tik, "--db", tik_db, "-r", "bench", "-i", "ether1", flag]
            b_cmd = ["vnstat", "--config", conf, "-i", "eth0", flag]
            for cmd in (a_cmd, b_cmd):  # warm-up, and a check that both run
                timed(cmd, env)
            ta, tb = [], []
            for _ in range(a.runs):
                ta.append(timed(a_cmd, env))
                tb.append(timed(b_cmd, env))
            ratio = statistics.median(x / y for x, y in zip(ta, tb))
            f = lambda v: "%.2f / %.2f / %.2f" % (1000 * min(v), 1000 * statistics.median(v),
                                                   1000 * max(v))
            print("| `%s` | %s | %s | %.2f |" % (flag, f(ta), f(tb), ratio))
        if a.keep:
            print("kept in %s; the commands (TZ=%s):" % (work, ZONE))
            for flag in ("-m", "-d"):
                print("  %s --db %s -r bench -i ether1 %s" % (tik, tik_db, flag))
                print("  vnstat --config %s -i eth0 %s" % (conf, flag))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
