#!/usr/bin/env python3
"""tikstat copy-db SOURCE DEST: an SQLite history moved to PostgreSQL (and
to another SQLite file) answers the same. A database seeded with seed_db
(interfaces with last readings, queues, devices, a DST day, values beyond
2^41), plus quota alerts, bill alerts and import marks written into it, is
copied to a fresh PostgreSQL database and to a new SQLite file: every CLI
report of test_same_answers.py (with a fixed --now) is the same bytes on
the three; the last readings and marks are the same rows. A non-empty
DEST is refused and left as it was. Then the move as a user does it: a
tikstatd polling the fake router on SQLite is stopped, the router counts
on, the history is copied to PostgreSQL, a tikstatd on the copy counts on
exactly (ground truth from the fake router: no gap, no double count).
Needs TIKSTAT_TEST_ENGINE=postgresql (the ctest fixture's server).
Standard library only.
"""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
import test_same_answers as same  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check  # noqa: E402

PASSWORD = "copy-Secret-pw-1234"
IFACES = ("ether1", "pppoe-out1")


def copy_db(args, src, dst):
    """tikstat copy-db src dst: (status, stdout, stderr) as text."""
    p = subprocess.run([args.tikstat, "copy-db", src, dst], capture_output=True)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")


def name_text(db, column):
    """SQL: the bytes of a name column (SQLite TEXT or BLOB, PostgreSQL
    bytea; names may be Latin-1) in hex, NULL kept."""
    if db.startswith("postgresql://"):
        return "upper(encode(%s, 'hex'))" % column
    return "CASE WHEN %s IS NULL THEN NULL ELSE hex(%s) END" % (column, column)


def counter_key(db):
    """SQL: a counter's router, kind and name as one text (ids differ)."""
    return "%s || '/' || i.kind || '/' || %s" % (name_text(db, "r.name"), name_text(db, "i.name"))


def rows(db):
    """The last readings, alerts, bill alerts and import marks of db, by
    counter name (the ids of a copy differ), sorted."""
    join = " FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"
    key = counter_key(db)
    out = {
        "readings": harness.db_query(
            db, "SELECT %s, l.time, CAST(l.rx AS TEXT), CAST(l.tx AS TEXT),"
            " CAST(l.uptime AS TEXT), %s, l.time_ms, l.source%s"
            " JOIN last_reading AS l ON l.interface_id = i.id" % (key, name_text(db, "l.ros_id"),
                                                                 join)),
        "alerts": harness.db_query(
            db, "SELECT %s, a.cycle_start, a.percent%s JOIN alerts AS a ON a.interface_id = i.id"
            % (key, join)),
        "bill_alerts": harness.db_query(
            db, "SELECT %s, cycle_start, percent FROM bill_alerts" % name_text(db, "bill")),
        "imports": harness.db_query(
            db, "SELECT %s, %s, m.last_time%s JOIN imports AS m ON m.interface_id = i.id"
            % (key, name_text(db, "m.source"), join)),
        "info": harness.db_query(
            db, "SELECT %s, %s, %s, i.last_seen%s" % (key, name_text(db, "i.display"),
                                                      name_text(db, "i.address"), join)),
    }
    return {k: sorted(v, key=lambda row: [str(x) for x in row]) for k, v in out.items()}


def add_marks(path):
    """Quota alerts, bill alerts and import marks in the SQLite file."""
    db = sqlite3.connect(path)
    try:
        ids = [r[0] for r in db.execute("SELECT id FROM interfaces ORDER BY id")]
        db.execute("INSERT INTO alerts VALUES (?, 1775000000, 80), (?, 1775000000, 90),"
                   " (?, 1772000000, 100)", (ids[0], ids[0], ids[-1]))
        db.execute("INSERT INTO bill_alerts VALUES ('office', 1773525600, 80),"
                   " ('downloads', 1773525600, 100)")
        db.execute("INSERT INTO imports VALUES (?, 'legacy:old.db', 1767222000),"
                   " (?, 'legacy:other.db', -5)", (ids[0], ids[1]))
        db.commit()
    finally:
        db.close()


def same_history(args, work):
    """seed_db's history copied SQLite -> PostgreSQL and SQLite -> SQLite:
    the same reports and rows; a second copy into either is refused."""
    src = work.path("source.db")
    subprocess.run([args.seed_db, src], check=True)
    add_marks(src)
    dsts = [harness.test_database(work, "copy"), work.path("copy.db")]
    for dst in dsts:
        status, out, err = copy_db(args, src, dst)
        check(status == 0 and err == "", "copy-db to %s: %d %r" % (dst, status, err))
        src_rows = rows(src)
        want = "copied %d counters of 2 routers (" % len(src_rows["info"])
        check(out.startswith(want) and out.endswith(" last readings) from %s to %s\n"
                                                    % (src, dst)),
              "copy-db says %r (want %r...)" % (out, want))
        check(" %d last readings" % len(src_rows["readings"]) in out and
              len(src_rows["readings"]) > 0, "copy-db counts the last readings: %r" % out)
        got = rows(dst)
        for k in src_rows:
            check(got[k] == src_rows[k] and (src_rows[k] or k == "info"),
                  "%s of %s:\n%r\nsource:\n%r" % (k, dst, got[k], src_rows[k]))
    work.secret("home.token", "home-token-0123456789abcdef")
    work.secret("office.token", "office-token-0123456789abcdef")
    confs = []
    for n, db in enumerate([src] + dsts):
        confs.append(work.path("same%d.conf" % n))
        same.write_config(confs[-1], work, db, free_port())
    for opts in same.CLI:
        want = same.cli(args, confs[0], opts)
        check(want[0] == 0, "tikstat %s on the source: %r" % (opts, want[2]))
        for conf, dst in zip(confs[1:], dsts):
            got = same.cli(args, conf, opts)
            check(got == want, "tikstat %s: source %r\n%s: %d %r %r"
                  % (opts, want[1][:400], dst, got[0], got[1][:400], got[2]))
    print("# %d CLI outputs compared on two copies" % len(same.CLI))
    refuse_non_empty(args, work, src, dsts)


def refuse_non_empty(args, work, src, dsts):
    """Copying into a database that holds counters fails and adds nothing."""
    n = len(rows(src)["info"])
    for dst in dsts:
        before = rows(dst)
        status, out, err = copy_db(args, src, dst)
        check(status == 1 and out == "" and
              err == "tikstat: %s already holds %d counters; copy-db fills an empty database "
              "only\n" % (dst, n), "copy-db into a full %s: %d %r %r" % (dst, status, out, err))
        check(rows(dst) == before, "the refused copy changed %s" % dst)
    status, _, err = copy_db(args, work.path("missing.db"), work.path("never.db"))
    check(status == 1 and "missing.db" in err and not os.path.exists(work.path("never.db")),
          "a missing source: %d %r" % (status, err))
    p = subprocess.run([args.tikstat, "copy-db", src], capture_output=True)
    check(p.returncode == 2 and b"copy-db SOURCE DEST" in p.stderr,
          "copy-db without DEST: %d %r" % (p.returncode, p.stderr))


def write_polled(work, name, db, fake):
    conf = work.path("%s.conf" % name)
    port = free_port()
    harness.write_config(
        conf,
        harness.section("tikstat", database=db, timezone="Europe/Berlin", commit_interval=1),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.polled("alpha", fake.routers["alpha"]["port"], work.path("password"),
                       ", ".join(IFACES)))
    return conf, port


def counts_on(args, work):
    """tikstatd on SQLite, stopped; the router counts on; copy-db to
    PostgreSQL; tikstatd on the copy: the totals are the ground truth."""
    fake = work.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec",
                                                  "alpha:v7:plain"]))
    work.secret("password", PASSWORD)
    for iface in IFACES:
        fake.cmd("rate alpha %s 0 0" % iface)
    base = fake.truth("alpha")

    def expected():
        truth = fake.truth("alpha")
        return {i: [truth[i.encode()][0] - base[i.encode()][0],
                    truth[i.encode()][1] - base[i.encode()][1]] for i in IFACES}

    def exact(conf):
        return {i: harness.totals(args.tikstat, conf, "alpha", i) for i in IFACES} == expected()

    src = work.path("polled.db")
    conf, port = write_polled(work, "old", src, fake)
    d = work.daemon(args.tikstatd, conf, log_path=work.path("old.log"))
    harness.wait_for(lambda: harness.answers(port), "tikstatd on SQLite answering", 60)
    fake.cmd("add alpha ether1 123456789 98765")
    fake.cmd("add alpha pppoe-out1 5000 7000")
    harness.expect_soon(lambda: exact(conf), "tikstatd on SQLite counts exactly", 60, 0.3)
    d.stop()
    fake.cmd("add alpha ether1 1000003 500009")  # while no tikstatd runs
    dst = harness.test_database(work, "moved")
    status, out, err = copy_db(args, src, dst)
    check(status == 0 and out.startswith("copied 2 counters of 1 routers ("),
          "copy-db of the polled history: %d %r %r" % (status, out, err))
    conf2, port2 = write_polled(work, "new", dst, fake)
    d2 = work.daemon(args.tikstatd, conf2, log_path=work.path("new.log"))
    harness.wait_for(lambda: harness.answers(port2), "tikstatd on PostgreSQL answering", 60)
    fake.cmd("add alpha pppoe-out1 31337 4242")
    if not harness.expect_soon(lambda: exact(conf2), "tikstatd on the copy counts on exactly "
                               "(the traffic while stopped included)", 60, 0.3):
        print("got %r want %r" % ({i: harness.totals(args.tikstat, conf2, "alpha", i)
                                   for i in IFACES}, expected()))
    d2.stop()


def main():
    args = harness.parse_args("tikstatd", "tikstat", "seed-db", "fakerouter")
    if harness.ENGINE != "postgresql":
        print("skipped: TIKSTAT_TEST_ENGINE=postgresql runs it (the ctest fixture's server)")
        return 77
    with harness.Session("tikstat-copy-") as work:
        same_history(args, work)
        counts_on(args, work)
    return harness.exit_status("copy-db: SQLite to PostgreSQL and to SQLite, the same answers; "
                               "tikstatd counts on exactly on the copy")


if __name__ == "__main__":
    sys.exit(main())
