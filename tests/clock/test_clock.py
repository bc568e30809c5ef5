#!/usr/bin/env python3
"""tikstatd across wall-clock steps (issue 8, defects 1 and 7).

The daemon runs under Debian's libfaketime with the monotonic clock left
real (DONT_FAKE_MONOTONIC=1); the test steps its wall clock by +10 s, +1 h
and -1 h through FAKETIME_TIMESTAMP_FILE while the fake router's traffic
goes on, then zeroes one direction of one interface (`resetdir`). After
each event the bytes stored in every step's buckets must equal the fake
router's ground truth exactly, each clock step must be logged once, and no
reboot may be reported.

Traffic is deterministic: growth rates are zero and bytes are added through
the control channel once the daemon has its baselines. Standard library
only. Exit 77 (skipped) when libfaketime is not installed.
"""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port, pct  # noqa: E402

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
PASSWORD = "clock-Secret-pw-5d1c"
IFACES = [b"ether1", b"pppoe-out1"]
DEADLINE = 60  # seconds for the daemon to catch up on a loaded machine


def preload(binary):
    """LD_PRELOAD for binary: libfaketime, behind the ASan runtime when the
    binary is sanitized (ASan insists on coming first)."""
    libs = []
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "libasan" in line and "=>" in line:
            libs.append(line.split("=>")[1].split()[0])
    return " ".join(libs + [FAKETIME])


def write_config(path, workdir, fake):
    harness.write_config(
        path,
        harness.section("tikstat", database=os.path.join(workdir, "tikstat.db"),
                        timezone="Europe/Berlin", commit_interval=1, log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % free_port()),
        harness.polled("r0", fake.routers["r0"]["port"], os.path.join(workdir, "password"),
                       harness.quoted(IFACES), timeout=5))


def stored(db_path):
    """{(iface, step): (rx, tx)} summed over the buckets of each step."""
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
    try:
        rows = db.execute("SELECT i.name, t.step, SUM(t.rx), SUM(t.tx) FROM traffic AS t"
                          " JOIN interfaces AS i ON i.id = t.interface_id"
                          " GROUP BY i.name, t.step").fetchall()
    finally:
        db.close()
    return {(bytes(n), s): (rx, tx) for n, s, rx, tx in rows}


class Clock:
    """The daemon's fake wall clock: an offset in seconds from the real one."""

    def __init__(self, path):
        self.path = path
        self.set(0)

    def set(self, offset):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write("%+d\n" % offset)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)  # never a half-written file


class Run:
    def __init__(self, args, workdir, fake):
        self.args, self.workdir, self.fake = args, workdir, fake
        self.db = os.path.join(workdir, "tikstat.db")
        self.base = None
        self.step = 0

    def traffic(self):
        """Adds a different amount to every interface."""
        self.step += 1
        for n, iface in enumerate(IFACES):
            rx, tx = 1000003 * self.step + 7919 * n, 500009 * self.step + 31 * n
            self.fake.cmd("add r0 %s %d %d" % (pct(iface), rx, tx))

    def truth(self):
        """{iface: [truth_rx, truth_tx]}: the fake router's ground truth."""
        out = self.fake.truth("r0")
        return {i: out[i] for i in IFACES}

    def baseline(self):
        """Counting starts at the daemon's first reading: growth from here."""
        self.base = self.truth()

    def expected(self):
        now = self.truth()
        return {i: (now[i][0] - self.base[i][0], now[i][1] - self.base[i][1]) for i in IFACES}

    def wait_counted(self, what):
        """Every step's buckets hold exactly the expected bytes."""
        end = time.monotonic() + DEADLINE
        expect = self.expected()
        while True:
            got = stored(self.db) if os.path.exists(self.db) else {}
            bad = {(i, s): (got.get((i, s)), expect[i])
                   for i in IFACES for s in range(5) if got.get((i, s), (0, 0)) != expect[i]}
            if not bad:
                print("%s: exact (%s)" % (what, ", ".join(
                    "%s rx=%d tx=%d" % (i.decode(), *expect[i]) for i in IFACES)))
                return
            if time.monotonic() > end:
                raise AssertionError("%s: stored (got, expected) differ: %s" % (what, bad))
            time.sleep(0.3)


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    if not os.path.exists(FAKETIME):
        print("libfaketime not installed (scripts/deps.sh --test): skipped")
        return 77
    with harness.Session("tikstat-clock-") as w:
        scenario(args, w)
    return 0


def scenario(args, w):
    """The clock steps and resets, in the harness.Session w."""
    workdir = w.dir
    fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec", "r0:v7:plain"]))
    w.secret("password", PASSWORD)
    for iface in IFACES:
        fake.cmd("rate r0 %s 0 0" % pct(iface))
    conf = os.path.join(workdir, "tikstat.conf")
    write_config(conf, workdir, fake)
    clock = Clock(os.path.join(workdir, "faketime"))
    env = dict(os.environ, LD_PRELOAD=preload(args.tikstatd),
               FAKETIME_TIMESTAMP_FILE=clock.path, FAKETIME_NO_CACHE="1",
               DONT_FAKE_MONOTONIC="1", FAKETIME_DONT_FAKE_MONOTONIC="1")
    daemon = w.daemon(args.tikstatd, conf, env=env)
    run = Run(args, workdir, fake)
    daemon.wait_log(b"first reading, counting from now", DEADLINE, count=len(IFACES))
    run.baseline()

    run.traffic()
    run.wait_counted("before any step")

    steps = [(10, "+10 s", b"clock stepped forward by 10 s"),
             (3610, "+1 h", b"clock stepped forward by 3600 s"),
             (10, "-1 h", b"clock stepped back by 3600 s")]
    # Expected bytes: the fake router's ground truth grows by what is
    # added; the counters are read by the daemon, the truth by the test.
    for offset, what, line in steps:
        clock.set(offset)
        run.traffic()
        run.wait_counted("after a step of " + what)
        run.traffic()
        run.wait_counted("a while after the step of " + what)
        daemon.wait_log(line, DEADLINE)

    # One direction going down (a wrap, or a one-sided reset): the
    # other direction keeps counting its growth, nothing is counted twice.
    # (Bytes between the last reading and the reset cannot be known:
    # wait until the daemon has read everything first.)
    for direction in ("rx", "tx"):
        run.traffic()
        run.wait_counted("before resetdir " + direction)
        fake.cmd("resetdir r0 %s %s" % (pct(b"ether1"), direction))
        run.traffic()
        run.wait_counted("after resetdir " + direction)

    daemon.stop(timeout=30)
    run.wait_counted("after a clean stop")

    text = daemon.log()
    for _, what, line in steps:
        if text.count(line) != 1:
            raise AssertionError("%r logged %d times, want once" % (line, text.count(line)))
    if text.count(b"clock stepped") != len(steps):
        raise AssertionError("%d clock steps logged, want %d"
                             % (text.count(b"clock stepped"), len(steps)))
    for bad in (b"reboot detected", b"max_rate"):
        if bad in text:
            raise AssertionError("log has %r" % bad)
    if text.count(b"counter reset") != 2:
        raise AssertionError("want 2 'counter reset' lines (resetdir rx, tx)")
    print("clock steps +10 s, +1 h, -1 h and one-direction resets: exact")


if __name__ == "__main__":
    sys.exit(main())
