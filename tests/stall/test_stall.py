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
import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402
from fakectl import FakeRouter, free_port, pct  # noqa: E402

ROUTERS = 200
PASSWORD = "stall-Secret-pw-92be"
IFACE = b"ether1"
STALL_S = 8
DEADLINE = 120  # seconds for the daemon to catch up on a loaded machine


def write_config(path, workdir, fake):
    parts = ["""[tikstat]
database = %s
timezone = UTC
commit_interval = 1
log_level = info

[http]
listen = 127.0.0.1:%d
""" % (os.path.join(workdir, "tikstat.db"), free_port())]
    for name, r in sorted(fake.routers.items()):
        parts.append("""
[router %s]
host = 127.0.0.1
port = %s
user = admin
password_file = %s
interval = 1
timeout = 30
interfaces = "%s"
""" % (name, r["port"], os.path.join(workdir, "password"), IFACE.decode()))
    with open(path, "w") as f:
        f.write("".join(parts))
    os.chmod(path, 0o600)


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
    cur = {}
    for word in fake.cmd("counters %s" % router).split()[1:]:
        key, value = word.split("=", 1)
        if key == "id":
            cur = {}
        cur[key] = value
        if key == "truth_tx" and cur["name"] == pct(IFACE):
            return int(cur["truth_rx"]), int(cur["truth_tx"])
    raise AssertionError("no %r on %s" % (IFACE, router))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--fakerouter", required=True)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tikstat-stall-")
    log_path = os.path.join(workdir, "tikstatd.log")
    log = open(log_path, "wb")
    fake = FakeRouter(args.fakerouter, ["--password", PASSWORD, "--routers", str(ROUTERS)])
    daemon = None
    try:
        names = sorted(fake.routers)
        with open(os.path.join(workdir, "password"), "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(os.path.join(workdir, "password"), 0o600)
        for name in names:
            for iface in (b"ether1", b"ether2 lan", b"pppoe-out1", b"wlan-caf\xe9"):
                fake.cmd("rate %s %s 0 0" % (name, pct(iface)))
            # Replies trickle out (about 1 ms a byte): every moment some
            # routers have answered the uptime command and wait for the
            # daemon to read the answer, as on a busy daemon.
            fake.cmd("dribble %s on" % name)
        conf = os.path.join(workdir, "tikstat.conf")
        write_config(conf, workdir, fake)
        daemon = subprocess.Popen([args.tikstatd, "-f", "-c", conf]
                                  + daemon_user.args(workdir), stdout=log, stderr=log)

        end = time.monotonic() + DEADLINE
        while open(log_path, "rb").read().count(b"first reading, counting from now") < ROUTERS:
            if time.monotonic() > end or daemon.poll() is not None:
                raise AssertionError("not every router got its baseline")
            time.sleep(0.3)
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
            daemon.send_signal(signal.SIGSTOP)
            step += 1
            traffic(step)
            time.sleep(STALL_S)
            daemon.send_signal(signal.SIGCONT)
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
        daemon.send_signal(signal.SIGTERM)
        if daemon.wait(timeout=60) != 0:
            raise AssertionError("tikstatd exited %d on SIGTERM" % daemon.returncode)
        daemon = None

        got = stored(os.path.join(workdir, "tikstat.db"))
        over = {n: (got.get(n), expect[n]) for n in names
                if got.get(n, (0, 0))[0] > expect[n][0] or got.get(n, (0, 0))[1] > expect[n][1]}
        under = {n: (got.get(n), expect[n]) for n in names
                 if n not in over and got.get(n) != expect[n]}
        text = open(log_path, "rb").read()
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
        return 0
    except Exception:
        log.flush()
        with open(log_path, "rb") as f:
            sys.stdout.write(f.read().decode(errors="replace")[-4000:])
        raise
    finally:
        if daemon and daemon.poll() is None:
            daemon.send_signal(signal.SIGCONT)
            daemon.kill()
            daemon.wait()
        fake.stop()
        log.close()
        for name in os.listdir(workdir):
            os.unlink(os.path.join(workdir, name))
        os.rmdir(workdir)


if __name__ == "__main__":
    sys.exit(main())
