#!/usr/bin/env python3
"""tikstatd recording into PostgreSQL (issue 13), with the real daemon
polling the fake router, deterministic traffic added through its control
channel, and the totals `tikstat --json` reads from the database compared
with that ground truth to the byte:

  - the PostgreSQL server restarted (connections cut) twice while traffic
    flows, and stopped for a while: the commits fail ("cannot commit"),
    tikstatd keeps its readings and writes them on a new connection once
    the server is back ("writable again"): the totals stay exact;
  - the password in the database URI never reaches the log or tikstat's
    messages (shown as ***);
  - tikstat --compact refuses with PostgreSQL's reason, --check-config
    names the server and the schema.

The server is the test's own (pgserver.py, in the session's directory):
restarting the shared one of ctest's fixture would cut the connections of
tests running beside this one. Standard library only.

Usage: test_pg_restart.py --tikstatd BIN --tikstat BIN --fakerouter BIN
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import pgserver  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402

PASSWORD = "pgrestart-Pw-77a1"
DB_SECRET = "never-in-a-log-3e1f"  # the URI's password (trust auth: unused)
WAIT = 60  # seconds: generous, the machine may be loaded


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tikstatd", required=True)
    p.add_argument("--tikstat", required=True)
    p.add_argument("--fakerouter", required=True)
    a = p.parse_args()
    if not pgserver.have_server():
        print("no PostgreSQL server installed (scripts/deps.sh --test): skipped")
        return pgserver.SKIP
    with harness.Session("tikstat-pg-restart-") as s:
        pgdir = s.path("pg")
        pgserver.start(pgdir)
        try:
            run(a, s, pgdir)
        finally:
            pgserver.stop(pgdir)
    print("ok: exact totals across two server restarts and a stop; no password in the log")
    return 0


def read_log(s):
    with open(s.log_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def run(a, s, pgdir):
    """The scenario, in session s with the server in pgdir."""
    url = pgserver.createdb(pgdir, "restart")
    secret_url = url.replace("tikstat@", "tikstat:%s@" % DB_SECRET, 1)
    router = s.fake(FakeRouter(a.fakerouter, ["--password", PASSWORD,
                                              "--spec", "home:v7:plain"]))
    router.cmd("rate home ether1 0 0")
    http = free_port()
    s.secret("password", PASSWORD)
    conf = s.path("tikstat.conf")
    harness.write_config(
        conf,
        harness.section("tikstat", database=secret_url, commit_interval=1,
                        timezone="UTC"),
        harness.section("http", listen="127.0.0.1:%d" % http),
        harness.polled("home", router.routers["home"]["port"], s.path("password"),
                       "ether1", timeout=2))
    os.chmod(conf, 0o600)  # it holds the URI's password

    check = subprocess.run([a.tikstatd, "-c", conf, "--check-config"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert "database: PostgreSQL " in check.stdout, check.stdout
    assert "schema version 1" in check.stdout, check.stdout
    assert DB_SECRET not in check.stdout, check.stdout

    d = s.daemon(a.tikstatd, conf)
    expect = [0, 0]

    def totals():
        return harness.totals(a.tikstat, conf, "home", "ether1")

    def add(rx, tx):
        router.cmd("add home ether1 %d %d" % (rx, tx))
        expect[0] += rx
        expect[1] += tx

    def counted(what):
        try:
            harness.wait_for(lambda: totals() == expect, what, WAIT)
        except AssertionError:
            raise AssertionError("%s: database totals %s, traffic sent %s"
                                 % (what, totals(), expect))

    # The first reading is the baseline: traffic before it is not counted.
    harness.wait_for(lambda: totals() == [0, 0], "the first reading", WAIT)
    add(1000, 2000)
    counted("traffic before the restarts")
    for k in range(2):
        add(45678901 + k, 3 * 45678901 + k)
        pgserver.restart(pgdir)
        add(123457 + k, 7654321 + k)
        counted("traffic across restart %d" % (k + 1))
    # Down for a while: commits fail until it is back.
    pgserver.stop(pgdir, remove=False)
    add(5, 6)
    harness.wait_for(lambda: "database: cannot commit" in read_log(s), "a failed commit", WAIT)
    # /metrics still answers (without the cycle figures), and says why: a
    # scraper that got an error would take the whole instance for down.
    metrics = harness.get_ok(http, "/metrics")
    assert "\ntikstat_database_ok 0\n" in metrics, metrics[:3000]
    assert 'tikstat_up{router="home"} 1' in metrics, metrics[:3000]
    assert "tikstat_cycle_rx_bytes{" not in metrics, metrics[:3000]
    add(7, 8)
    pgserver.start(pgdir)
    counted("traffic after the server was down")
    harness.wait_for(lambda: "database: writable again" in read_log(s), "writable again", WAIT)

    compact = subprocess.run([a.tikstat, "-c", conf, "--compact"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert compact.returncode != 0, compact.stdout
    assert "autovacuum reclaims space" in compact.stdout, compact.stdout
    d.stop(timeout=WAIT)
    log = read_log(s)
    assert DB_SECRET not in log, "the database password is in the log"
    assert "tikstat:***@" in log, log[-2000:]


if __name__ == "__main__":
    sys.exit(main())
