#!/usr/bin/env python3
"""A stalled tikstatd takes no router for rebooted (issue 8, defect 1).

One fake router process simulates 200 routers; tikstatd polls all of them
every second. While traffic goes on, the daemon is stopped (SIGSTOP) for
8 s, twice: replies to the requests it sent just before wait in the socket
buffers and are processed late (the fake router dribbles its replies, so
at every moment some polls are in flight). Readings are timed when their request was
sent, so the uptime read with them is no evidence of a reboot. After a
clean stop every interface's stored total equals the fake router's ground
truth growth since the daemon's baseline, to the byte, and no reboot is
logged.

Traffic is deterministic: growth rates are zero and bytes are added through
the control channel once every baseline is taken. Standard library only.
"""
import os
import signal
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port, pct  # noqa: E402

ROUTERS = 200
PASSWORD = "stall-Secret-pw-92be"
IFACE = b"ether1"
STALL_S = 8
DEADLINE = 120  # seconds for the daemon to catch up on a loaded machine


def write_config(path, workdir, fake):
    pw = os.path.join(workdir, "password")
    harness.write_config(
        path,
        harness.section("tikstat", database=os.path.join(workdir, "tikstat.db"), timezone="UTC",
                        commit_interval=1, log_level="info"),
        harness.section("http", listen="127.0.0.1:%d" % free_port()),
        *(harness.polled(name, r["port"], pw, harness.quoted([IFACE]), timeout=30)
          for name, r in sorted(fake.routers.items())))


def stored(db_path):
    """{router: (rx, tx)} summed over the 5-minute buckets."""
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
    try:
        rows = db.execute("SELECT r.name, SUM(t.rx), SUM(t.tx) FROM traffic AS t"
                          " JOIN interfaces AS i ON i.id = t.interface_id"
                          " JOIN routers AS r ON r.id = i.router_id"
                          " WHERE t.step = 0 GROUP BY r.name").fetchall()
    finally:
        db.close()
    return {name: (rx, tx) for name, rx, tx in rows}


def truth(fake, router):
    """(truth_rx, truth_tx) of IFACE on router."""
    return tuple(fake.truth(router)[IFACE])


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-stall-", tail=4000) as w:
        stalls(args, w)
    return 0


def stalls(args, w):
    """The stalls and the final comparison, in the harness.Session w."""
    workdir = w.dir
    fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--routers", str(ROUTERS)]))
    names = sorted(fake.routers)
    w.secret("password", PASSWORD)
    for name in names:
        for iface in (b"ether1", b"ether2 lan", b"pppoe-out1", b"wlan-caf\xe9"):
            fake.cmd("rate %s %s 0 0" % (name, pct(iface)))
        # Replies trickle out (about 1 ms a byte): every moment some
        # routers have answered the uptime command and wait for the
        # daemon to read the answer, as on a busy daemon.
        fake.cmd("dribble %s on" % name)
    conf = os.path.join(workdir, "tikstat.conf")
    write_config(conf, workdir, fake)
    daemon = w.daemon(args.tikstatd, conf)
    daemon.wait_log(b"first reading, counting from now", DEADLINE, count=ROUTERS)
    base = {n: truth(fake, n) for n in names}

    def traffic(step):
        for k, n in enumerate(names):
            fake.cmd("add %s %s %d %d" % (n, pct(IFACE), 100003 * step + 7 * k,
                                          50021 * step + k))

    step = 0
    for stall in range(2):
        # Traffic before, during and after the stall, while polls are
        # in flight at every moment.
        for _ in range(3):
            step += 1
            traffic(step)
            time.sleep(0.5)
        daemon.send(signal.SIGSTOP)
        step += 1
        traffic(step)
        time.sleep(STALL_S)
        daemon.send(signal.SIGCONT)
        for _ in range(4):
            step += 1
            traffic(step)
            time.sleep(1)
    expect = {}
    for n in names:
        t = truth(fake, n)
        expect[n] = (t[0] - base[n][0], t[1] - base[n][1])

    # Let every router be read once more, then stop cleanly.
    end = time.monotonic() + DEADLINE
    while stored(os.path.join(workdir, "tikstat.db")) != expect:
        if time.monotonic() > end:
            break
        time.sleep(0.5)
    daemon.stop()

    got = stored(os.path.join(workdir, "tikstat.db"))
    over = {n: (got.get(n), expect[n]) for n in names
            if got.get(n, (0, 0))[0] > expect[n][0] or got.get(n, (0, 0))[1] > expect[n][1]}
    under = {n: (got.get(n), expect[n]) for n in names
             if n not in over and got.get(n) != expect[n]}
    text = daemon.log()
    # A false reboot counts the whole counter: over-counted, or, above
    # max_rate, dropped with the interval's real traffic.
    reboots = text.count(b"reboot detected") + text.count(b"reading dropped")
    print("%d routers, %d stalls of %d s: %d over-counted, %d under-counted, "
          "%d reboots or dropped readings logged"
          % (ROUTERS, 2, STALL_S, len(over), len(under), reboots))
    for n, (g, e) in sorted(over.items())[:10]:
        print("  over-counted %s: got %s, expected %s (+%.1f %%)"
              % (n, g, e, 100.0 * (g[0] - e[0]) / max(e[0], 1)))
    if over or under or reboots:
        raise AssertionError("totals differ from the ground truth (got, expected): %s %s"
                             % (dict(list(over.items())[:5]), dict(list(under.items())[:5])))
    print("every router exact after the stalls")


if __name__ == "__main__":
    sys.exit(main())
