#!/usr/bin/env python3
"""tikstatd end to end: the real daemon polls the fake router (plain API and
TLS with a pinned fingerprint) through scripted traffic with reboots, a
counter reset, a re-created interface, an unreachable period, a stall, a
clean restart and a kill -9; at the end the totals that `tikstat --json`
reports must equal the traffic the fake router counted, minus only the
unavoidable loss (bytes counted after the last reading and before a reboot),
to the byte, per interface.

Traffic is deterministic: growth rates are set to zero and bytes are added
through the fake router's control channel, so the test knows the ground
truth exactly. Standard library only.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port, pct  # noqa: E402

PASSWORD = "e2e-Secret-pw-7f3a"
IFACES = [b"ether1", b"ether2 lan", b"pppoe-out1", b"wlan-caf\xe9"]


def Fake(binary, workdir):
    """The fake router of this test: a RouterOS 7 router on the plain API
    and a pre-6.43 one on TLS with a certificate to pin."""
    return FakeRouter(binary, ["--password", PASSWORD, "--spec", "home:v7:plain",
                               "--spec", "office:v6old:tls",
                               "--cert-out", os.path.join(workdir, "cert.pem")])


QUOTA = 20000000


HTTP_PORT = free_port()
# The database of the test (harness.test_database: a file, or a PostgreSQL
# URL), set once the work directory exists.
DATABASE = []


def write_config(path, workdir, fake, commit_interval, password_file="password",
                 fingerprint=None):
    home, office = fake.routers["home"], fake.routers["office"]
    names = harness.quoted(IFACES)
    pw = os.path.join(workdir, password_file)
    alerts = os.path.join(workdir, "alerts.log")
    harness.write_config(
        path,
        harness.section("tikstat", database=DATABASE[0],
                        timezone="Europe/Berlin", commit_interval=commit_interval,
                        log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % HTTP_PORT),
        harness.polled("home", home["port"], pw, names),
        harness.polled("office", office["port"], pw, names, tls="fingerprint",
                       tls_fingerprint=fingerprint or office["fingerprint"], quota=QUOTA,
                       alert_command='echo "$TIKSTAT_INTERFACE|$TIKSTAT_PERCENT|$TIKSTAT_USED"'
                       " >> " + alerts))


def totals(args, conf, router, iface):
    """rx, tx as `tikstat --json -y` reports them (sum of the year points)."""
    return harness.totals(args.tikstat, conf, router, iface)


def check_config(args, conf, workdir, fake):
    """--check-config: what it prints for a good setup and for failures."""
    print("--check-config: good, wrong password, wrong fingerprint")
    write_config(conf, workdir, fake, commit_interval=1)
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True)
    text = out.stdout.decode("latin-1")
    if out.returncode != 0 or "all routers OK" not in text or "interface ether1: id *1" not in text:
        raise AssertionError("check-config on a good setup:\n" + text)
    harness.write_secret(os.path.join(workdir, "wrong"), "not-the-password")
    zero = "sha256:" + ":".join(["00"] * 32)
    write_config(conf, workdir, fake, 1, password_file="wrong", fingerprint=zero)
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True)
    text = out.stdout.decode("latin-1")
    expect = ["invalid user name or password", "'api'", "fingerprint mismatch",
              "the router presented " + fake.routers["office"]["fingerprint"]]
    if out.returncode != 1 or any(e not in text for e in expect):
        raise AssertionError("check-config failures:\n" + text)
    if "not-the-password" in text or PASSWORD in text:
        raise AssertionError("check-config printed a password")


def check_alerts(workdir):
    """Each office interface crossed 80/90/100 % of QUOTA: one alert per
    threshold at most, the last for 100 %, never repeated after restarts."""
    path = os.path.join(workdir, "alerts.log")
    for _ in range(50):
        if os.path.exists(path) and open(path, "rb").read().count(b"|100|") >= len(IFACES):
            break
        time.sleep(0.1)
    lines = open(path, "rb").read().splitlines()
    seen = set()
    for line in lines:
        iface, percent, used = line.rsplit(b"|", 2)
        if (iface, percent) in seen:
            raise AssertionError("alert repeated: %r" % line)
        seen.add((iface, percent))
        if int(used) * 100 < QUOTA * int(percent):
            raise AssertionError("alert before the threshold: %r" % line)
    for iface in IFACES:
        if (iface, b"100") not in seen:
            raise AssertionError("no 100 %% alert for %r: %r" % (iface, lines))


class Scenario:
    """Tracks what the fake router counted that the daemon must count."""

    def __init__(self, args, conf, fake):
        self.args, self.conf, self.fake = args, conf, fake
        self.expect = {(r, i): [0, 0] for r in ("home", "office") for i in IFACES}
        self.step = 0

    def add(self, router, iface, rx, tx, counted=True):
        self.fake.cmd("add %s %s %d %d" % (router, pct(iface), rx, tx))
        if counted:
            self.expect[(router, iface)][0] += rx
            self.expect[(router, iface)][1] += tx

    def traffic(self, counted=True):
        """Adds a different amount to every interface of both routers."""
        self.step += 1
        for n, (router, iface) in enumerate(sorted(self.expect)):
            self.add(router, iface, 1000003 * self.step + 7919 * n, 500009 * self.step + n,
                     counted)

    def wait_counted(self, timeout=30):
        """Waits until the database holds exactly what is expected."""
        def got():
            return {k: totals(self.args, self.conf, *k) for k in self.expect}
        try:
            harness.wait_for(lambda: got() == self.expect, "the expected totals", timeout, 0.3)
        except AssertionError:
            now = got()
            diff = {"%s/%r" % k: (now[k], v) for k, v in self.expect.items() if now[k] != v}
            raise AssertionError("totals differ (got, expected): %s" % diff)


def main():
    args = harness.parse_args("tikstatd", "tikstat", "fakerouter")
    with harness.Session("tikstat-e2e-") as w:
        workdir = w.dir
        DATABASE.append(harness.test_database(w))
        fake = w.fake(Fake(args.fakerouter, workdir))
        w.secret("password", PASSWORD)
        for router in ("home", "office"):
            for iface in IFACES:
                fake.cmd("rate %s %s 0 0" % (router, pct(iface)))
        conf = os.path.join(workdir, "tikstat.conf")
        check_config(args, conf, workdir, fake)
        write_config(conf, workdir, fake, commit_interval=1)
        s = Scenario(args, conf, fake)
        daemon = w.daemon(args.tikstatd, conf)

        print("baseline, then normal growth")
        time.sleep(2)
        s.traffic()
        s.wait_counted()

        print("reboot of each router (traffic after the reboot is counted)")
        for router in ("home", "office"):
            fake.cmd("reboot %s 1" % router)
        s.traffic()
        s.wait_counted()

        print("unavoidable loss: bytes counted just before a reboot are not ours")
        # A real reboot takes tens of seconds: the uptime then tells it.
        daemon.send(signal.SIGSTOP)
        s.traffic(counted=False)
        fake.cmd("reboot home 6")
        fake.cmd("reboot office 6")
        daemon.send(signal.SIGCONT)
        s.traffic()
        s.wait_counted()

        print("reset-counters and a re-created PPPoE interface")
        s.traffic()
        s.wait_counted()
        for router in ("home", "office"):
            fake.cmd("reset %s %s" % (router, pct(b"ether1")))
            fake.cmd("recreate %s %s" % (router, pct(b"pppoe-out1")))
        s.traffic()
        s.wait_counted()

        print("unreachable period: traffic meanwhile is recovered")
        fake.cmd("refuse home on")
        s.traffic()
        time.sleep(3)
        fake.cmd("refuse home off")
        s.wait_counted()

        print("stalled router: timeout, reconnect, traffic recovered")
        fake.cmd("stall office on")
        s.traffic()
        time.sleep(3)
        fake.cmd("stall office off")
        s.wait_counted()

        print("clean daemon restart: traffic while it is down is recovered")
        daemon.stop()
        s.traffic()
        time.sleep(1)
        daemon.start()
        s.wait_counted()

        print("kill -9 with uncommitted readings, then restart")
        daemon.stop()
        write_config(conf, workdir, fake, commit_interval=3600)
        daemon.start()
        time.sleep(2)
        s.traffic()
        time.sleep(3)  # polled, but not committed: commit_interval is an hour
        daemon.stop(signal.SIGKILL)
        if not harness.skip_on_postgresql("PRAGMA integrity_check after kill -9"):
            db = sqlite3.connect(DATABASE[0])
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            if check != "ok":
                raise AssertionError("integrity_check after kill -9: %s" % check)
        write_config(conf, workdir, fake, commit_interval=1)
        daemon.start()
        s.wait_counted()

        print("SIGHUP: a broken configuration is refused, a good one applied")
        with open(conf, "ab") as f:
            f.write(b"[bogus section]\n")
        daemon.reload()
        time.sleep(1)
        write_config(conf, workdir, fake, commit_interval=1)  # for tikstat
        s.traffic()
        s.wait_counted()  # still running, with the old configuration
        daemon.reload()
        s.traffic()
        s.wait_counted()

        daemon.stop()
        check_alerts(workdir)
        text = daemon.log()
        for expect in (b"keeping the running configuration", b"reloading"):
            if expect not in text:
                raise AssertionError("log lacks %r" % expect)
        if PASSWORD.encode() in text:
            raise AssertionError("the password appears in the daemon's log")
        for router in ("home", "office"):
            downs = text.count(b"router %s: down:" % router.encode())
            if not 1 <= downs <= 6:
                raise AssertionError("router %s: %d 'down' log lines (logged per poll?)"
                                     % (router, downs))
        print("totals exact for %d interfaces" % len(s.expect))
    return 0


if __name__ == "__main__":
    sys.exit(main())
