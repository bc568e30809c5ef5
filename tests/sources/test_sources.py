#!/usr/bin/env python3
"""Readings from several sources (issue 9, section 3), with the real
tikstatd, tikstat and the fake router:

- ip_file for a polled router: the address of ip_interface, read over the
  polling session, written when it changes, left alone when there is none;
- import-legacy, then polling: the first polled counter (below the last
  imported row) is a new baseline, not a reset counting the whole counter;
- a router switched from polling to pushing and back by SIGHUP: each first
  reading of the new source is a baseline;
- a burst of pushes (50 in about a second, a reset in the middle), also
  right after a restart: the stored totals equal what the counters imply.

Traffic is deterministic: growth rates are zero, bytes are added through
the fake router's control channel. Standard library only.
"""
import argparse
import datetime
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402

PASSWORD = "sources-Secret-pw-51c2"
TOKEN = "sources-token-0123456789abcdef"
HTTP_PORT = free_port()
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def wait_for(pred, what, timeout=60):
    """Polls pred until it holds (generous deadline: the machine is loaded)."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    check(False, "timed out waiting for " + what)
    return False


def write_config(path, workdir, fake, home_mode):
    """home polls ether1 (ip_file from pppoe-out1) or pushes it; cabin
    always pushes lte1."""
    if home_mode == "poll":
        home = """host = 127.0.0.1
port = %s
user = admin
password_file = %s/password
interval = 1
timeout = 1
ip_interface = pppoe-out1
""" % (fake.routers["home"]["port"], workdir)
    else:
        home = "mode = push\npush_token_file = %s/home-token\n" % workdir
    text = """[tikstat]
database = %(w)s/tikstat.db
timezone = UTC
commit_interval = 1
log_level = debug

[http]
listen = 127.0.0.1:%(port)d

[router home]
%(home)sip_file = %(w)s/home.ip
interfaces = ether1

[router cabin]
mode = push
push_token_file = %(w)s/token
interfaces = lte1
""" % {"w": workdir, "port": HTTP_PORT, "home": home}
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def secret(path, text):
    with open(path, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)


class Daemon:
    def __init__(self, args, conf, log):
        self.args, self.conf, self.log = args, conf, log
        self.p = None

    def start(self):
        self.p = subprocess.Popen([self.args.tikstatd, "-f", "-c", self.conf]
                                  + daemon_user.args(os.path.dirname(self.conf)),
                                  stdout=self.log, stderr=self.log)
        wait_for(self.listening, "tikstatd listening")

    def listening(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=5)
            c.request("GET", "/api/v1/interfaces")
            ok = c.getresponse().status == 200
            c.close()
            return ok
        except OSError:
            return False

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=60)
        check(rc == 0, "tikstatd exited %d on SIGTERM" % rc)


def totals(args, conf, router, iface):
    out = subprocess.run([args.tikstat, "-c", conf, "-r", router, "-i", iface, "-y", "--json"],
                         capture_output=True)
    if out.returncode != 0:
        return None
    doc = json.loads(out.stdout)
    return [sum(p["rx"] for p in doc["points"]), sum(p["tx"] for p in doc["points"])]


class Pusher:
    """One keep-alive connection to the push receiver."""

    def __init__(self, token):
        self.token = token
        self.c = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=30)

    def push(self, iface, rx, tx):
        self.c.request("GET", "/api/v1/push?token=%s&interface=%s&rx=%d&tx=%d"
                       % (self.token, iface, rx, tx))
        r = self.c.getresponse()
        r.read()
        check(r.status == 204, "push %s rx=%d: HTTP %d" % (iface, rx, r.status))

    def close(self):
        self.c.close()


def try_push(token, iface, rx, tx):
    """One push on a new connection: its HTTP status, None when refused."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
        c.request("GET", "/api/v1/push?token=%s&interface=%s&rx=%d&tx=%d"
                  % (token, iface, rx, tx))
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except OSError:
        return None


def burst(pusher, iface, start, n=50, reset_at=25):
    """n pushes as fast as the receiver answers, counters growing by a
    different amount each time, one reset (counters back near zero) at
    reset_at. Returns (last rx, last tx, counted rx, counted tx): what the
    counters imply after the first push (which follows start)."""
    rx, tx = start
    crx = ctx = 0
    for i in range(1, n + 1):
        if i == reset_at:
            rx, tx = 7 * i, 11 * i
            crx, ctx = crx + rx, ctx + tx
        else:
            rx, tx = rx + 1000 + i, tx + 2000 + 3 * i
            crx, ctx = crx + 1000 + i, ctx + 2000 + 3 * i
        pusher.push(iface, rx, tx)
    return rx, tx, crx, ctx


def legacy_db(path):
    """The old PHP setup's database: driver-rx-byte counters (5 TB), rows
    5 minutes apart ending 10 minutes ago, in UTC."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE traffic(timestamp, tx, rx, dtx, drx)")
    rx, tx = 5000000000000, 900000000000
    for k in range(6):
        t = now - datetime.timedelta(minutes=10 + 5 * (5 - k))
        db.execute("INSERT INTO traffic VALUES (?, ?, ?, ?, ?)",
                   (t.strftime("%Y-%m-%d %H:%M:%S"), tx + 1000 * k, rx + 5000 * k,
                    1000 if k else 0, 5000 if k else 0))
    db.commit()
    db.close()
    return 5000 * 5, 1000 * 5


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def log_text(path):
    return open(path, "rb").read().decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--tikstat", required=True)
    ap.add_argument("--fakerouter", required=True)
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="tikstat-sources-")
    os.chmod(workdir, 0o755)
    fake = FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec", "home:v7:plain"])
    daemon = None
    logpath = os.path.join(workdir, "tikstatd.log")
    log = open(logpath, "ab")
    try:
        for name in ("ether1", "pppoe-out1"):
            fake.cmd("rate home %s 0 0" % name)
        secret(os.path.join(workdir, "password"), PASSWORD)
        secret(os.path.join(workdir, "token"), TOKEN)
        secret(os.path.join(workdir, "home-token"), TOKEN + "-home")
        conf = os.path.join(workdir, "tikstat.conf")
        write_config(conf, workdir, fake, "poll")
        ipfile = os.path.join(workdir, "home.ip")

        print("import-legacy, then polling: a new baseline, no phantom")
        old = os.path.join(workdir, "old.db")
        want_rx, want_tx = legacy_db(old)
        out = subprocess.run([args.tikstat, "-c", conf, "import-legacy", old, "-r", "home",
                              "-i", "ether1", "--utc"], capture_output=True)
        check(out.returncode == 0, "import-legacy: %s" % out.stderr.decode(errors="replace"))
        expect_home = [want_rx, want_tx]
        check(totals(args, conf, "home", "ether1") == expect_home,
              "imported totals %r" % (totals(args, conf, "home", "ether1"),))
        fake.cmd("address home pppoe-out1 198.51.100.7/24")
        daemon = Daemon(args, conf, log)
        daemon.start()
        wait_for(lambda: "home/ether1: readings now come from polling (before: legacy import): "
                 "new baseline" in log_text(logpath), "the log of the new baseline")
        fake.cmd("add home ether1 1000 2000")
        expect_home = [expect_home[0] + 1000, expect_home[1] + 2000]
        wait_for(lambda: totals(args, conf, "home", "ether1") == expect_home,
                 "polled growth counted after the import")
        check(totals(args, conf, "home", "ether1") == expect_home,
              "home/ether1 after import + poll: %r, expected %r"
              % (totals(args, conf, "home", "ether1"), expect_home))

        print("ip_file of a polled router: written, changed, kept without an address")
        wait_for(lambda: read_file(ipfile) == "198.51.100.7/24\n", "ip_file written")
        fake.cmd("address home pppoe-out1 198.51.100.8/24")
        wait_for(lambda: read_file(ipfile) == "198.51.100.8/24\n", "ip_file changed")
        fake.cmd("address home ether1 203.0.113.9/24")  # not ip_interface: ignored
        fake.cmd("address home pppoe-out1 none")
        wait_for(lambda: "pppoe-out1 has no enabled, valid IPv4 address" in log_text(logpath),
                 "the log of the missing address")
        check(read_file(ipfile) == "198.51.100.8/24\n",
              "ip_file without an address: %r" % read_file(ipfile))
        check(not [f for f in os.listdir(workdir) if f.startswith("home.ip.tmp")],
              "temporary ip files left behind")

        print("a burst of 50 pushes with a reset, then again after a restart")
        p = Pusher(TOKEN)
        p.push("lte1", 10 ** 9, 2 * 10 ** 9)  # baseline
        rx, tx, crx, ctx = burst(p, "lte1", (10 ** 9, 2 * 10 ** 9))
        p.close()
        expect_cabin = [crx, ctx]
        wait_for(lambda: totals(args, conf, "cabin", "lte1") == expect_cabin, "burst counted")
        check(totals(args, conf, "cabin", "lte1") == expect_cabin,
              "cabin/lte1 after a burst: %r, expected %r"
              % (totals(args, conf, "cabin", "lte1"), expect_cabin))
        daemon.stop()
        daemon.start()
        p = Pusher(TOKEN)
        rx, tx, crx, ctx = burst(p, "lte1", (rx, tx), reset_at=10)
        p.close()
        expect_cabin = [expect_cabin[0] + crx, expect_cabin[1] + ctx]
        wait_for(lambda: totals(args, conf, "cabin", "lte1") == expect_cabin,
                 "burst after a restart counted")
        check(totals(args, conf, "cabin", "lte1") == expect_cabin,
              "cabin/lte1 after a restart and a burst: %r, expected %r"
              % (totals(args, conf, "cabin", "lte1"), expect_cabin))

        print("poll -> push -> poll by SIGHUP: each first reading is a baseline")
        write_config(conf, workdir, fake, "push")
        daemon_user.own(workdir)
        daemon.p.send_signal(signal.SIGHUP)
        # Counters of another kind, far below the polled ones: no reset.
        # Pushed again until the reloaded receiver takes it (same values:
        # nothing to count).
        wait_for(lambda: try_push(TOKEN + "-home", "ether1", 5000, 6000) == 204,
                 "the reloaded receiver taking home's pushes")
        wait_for(lambda: "readings now come from pushes (before: polling)" in log_text(logpath),
                 "the log of home's first push")
        home = Pusher(TOKEN + "-home")
        home.push("ether1", 5500, 6100)
        home.close()
        expect_home = [expect_home[0] + 500, expect_home[1] + 100]
        wait_for(lambda: totals(args, conf, "home", "ether1") == expect_home,
                 "pushed growth counted")
        write_config(conf, workdir, fake, "poll")
        daemon_user.own(workdir)
        daemon.p.send_signal(signal.SIGHUP)
        wait_for(lambda: "readings now come from polling (before: pushes)" in log_text(logpath),
                 "the first poll after pushes")
        fake.cmd("add home ether1 300 400")
        expect_home = [expect_home[0] + 300, expect_home[1] + 400]
        wait_for(lambda: totals(args, conf, "home", "ether1") == expect_home,
                 "polled growth counted after pushes")
        time.sleep(2.5)  # a few more polls: nothing else may be counted
        check(totals(args, conf, "home", "ether1") == expect_home,
              "home/ether1 after push -> poll: %r, expected %r"
              % (totals(args, conf, "home", "ether1"), expect_home))
        daemon.stop()
        daemon = None
    finally:
        if daemon:
            daemon.p.kill()
            daemon.p.wait()
        fake.stop()
        log.close()
    if FAILURES:
        print("---- tikstatd log ----")
        sys.stdout.write(log_text(logpath)[-6000:])
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
