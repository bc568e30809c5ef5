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
import datetime
import http.client
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check, expect_soon as wait_for  # noqa: E402

PASSWORD = "sources-Secret-pw-51c2"
TOKEN = "sources-token-0123456789abcdef"
HTTP_PORT = free_port()


def write_config(path, workdir, fake, home_mode):
    """home polls ether1 (ip_file from pppoe-out1) or pushes it; cabin
    always pushes lte1."""
    ip_file = workdir + "/home.ip"
    if home_mode == "poll":
        home = harness.polled("home", fake.routers["home"]["port"], workdir + "/password",
                              "ether1", ip_interface="pppoe-out1", ip_file=ip_file)
    else:
        home = harness.section("router home", mode="push",
                               push_token_file=workdir + "/home-token", ip_file=ip_file,
                               interfaces="ether1")
    harness.write_config(
        path,
        harness.section("tikstat", database=workdir + "/tikstat.db", timezone="UTC",
                        commit_interval=1, log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % HTTP_PORT),
        home,
        harness.section("router cabin", mode="push", push_token_file=workdir + "/token",
                        interfaces="lte1"))


def listening():
    """Waits until tikstatd answers over HTTP."""
    wait_for(lambda: harness.answers(HTTP_PORT), "tikstatd listening")


def totals(args, conf, router, iface):
    return harness.totals(args.tikstat, conf, router, iface)


def expect_counted(args, conf, router, iface, want, what):
    """Waits until router/iface's totals are want: soft checks."""
    if wait_for(lambda: totals(args, conf, router, iface) == want, what + " counted"):
        return
    check(False, "%s/%s %s: %r, expected %r"
          % (router, iface, what, totals(args, conf, router, iface), want))


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
        return harness.request(HTTP_PORT, "GET", "/api/v1/push?token=%s&interface=%s&rx=%d&tx=%d"
                               % (token, iface, rx, tx))[0]
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


def main():
    args = harness.parse_args("tikstatd", "tikstat", "fakerouter")
    with harness.Session("tikstat-sources-", mode=0o755) as w:
        scenario(args, w)
    return harness.exit_status("ok")


def scenario(args, w):
    """Every case in turn, in the harness.Session w."""
    workdir = w.dir
    fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec", "home:v7:plain"]))
    for name in ("ether1", "pppoe-out1"):
        fake.cmd("rate home %s 0 0" % name)
    w.secret("password", PASSWORD)
    w.secret("token", TOKEN)
    w.secret("home-token", TOKEN + "-home")
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
    daemon = w.daemon(args.tikstatd, conf)
    listening()
    wait_for(lambda: "home/ether1: readings now come from polling (before: legacy import): "
             "new baseline" in daemon.text(), "the log of the new baseline")
    fake.cmd("add home ether1 1000 2000")
    expect_home = [expect_home[0] + 1000, expect_home[1] + 2000]
    expect_counted(args, conf, "home", "ether1", expect_home, "polled growth after the import")

    print("ip_file of a polled router: written, changed, kept without an address")
    wait_for(lambda: read_file(ipfile) == "198.51.100.7/24\n", "ip_file written")
    fake.cmd("address home pppoe-out1 198.51.100.8/24")
    wait_for(lambda: read_file(ipfile) == "198.51.100.8/24\n", "ip_file changed")
    fake.cmd("address home ether1 203.0.113.9/24")  # not ip_interface: ignored
    fake.cmd("address home pppoe-out1 none")
    wait_for(lambda: "pppoe-out1 has no enabled, valid IPv4 address" in daemon.text(),
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
    expect_counted(args, conf, "cabin", "lte1", expect_cabin, "burst")
    daemon.stop()
    daemon.start()
    listening()
    p = Pusher(TOKEN)
    rx, tx, crx, ctx = burst(p, "lte1", (rx, tx), reset_at=10)
    p.close()
    expect_cabin = [expect_cabin[0] + crx, expect_cabin[1] + ctx]
    expect_counted(args, conf, "cabin", "lte1", expect_cabin, "burst after a restart")

    print("poll -> push -> poll by SIGHUP: each first reading is a baseline")
    write_config(conf, workdir, fake, "push")
    daemon.reload()
    # Counters of another kind, far below the polled ones: no reset.
    # Pushed again until the reloaded receiver takes it (same values:
    # nothing to count).
    wait_for(lambda: try_push(TOKEN + "-home", "ether1", 5000, 6000) == 204,
             "the reloaded receiver taking home's pushes")
    wait_for(lambda: "readings now come from pushes (before: polling)" in daemon.text(),
             "the log of home's first push")
    home = Pusher(TOKEN + "-home")
    home.push("ether1", 5500, 6100)
    home.close()
    expect_home = [expect_home[0] + 500, expect_home[1] + 100]
    wait_for(lambda: totals(args, conf, "home", "ether1") == expect_home,
             "pushed growth counted")
    write_config(conf, workdir, fake, "poll")
    daemon.reload()
    wait_for(lambda: "readings now come from polling (before: pushes)" in daemon.text(),
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


if __name__ == "__main__":
    sys.exit(main())
