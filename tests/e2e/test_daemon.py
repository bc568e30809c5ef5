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
import argparse
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
from fakectl import FakeRouter, free_port, pct  # noqa: E402

PASSWORD = "e2e-Secret-pw-7f3a"
IFACES = [b"ether1", b"ether2 lan", b"pppoe-out1", b"wlan-caf\xe9"]


def Fake(binary, workdir):
    """The fake router of this test: a RouterOS 7 router on the plain API
    and a pre-6.43 one on TLS with a certificate to pin."""
    return FakeRouter(binary, ["--password", PASSWORD, "--spec", "home:v7:plain",
                               "--spec", "office:v6old:tls",
                               "--cert-out", os.path.join(workdir, "cert.pem")])


class Daemon:
    def __init__(self, args, conf, log):
        self.args, self.conf, self.log = args, conf, log
        self.p = None

    def start(self):
        self.p = subprocess.Popen([self.args.tikstatd, "-f", "-c", self.conf]
                                  + daemon_user.args(os.path.dirname(self.conf)),
                                  stdout=self.log, stderr=self.log)

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=20)
        if sig == signal.SIGTERM and rc != 0:
            raise AssertionError("tikstatd exited %d on SIGTERM" % rc)


QUOTA = 20000000


HTTP_PORT = free_port()


def write_config(path, workdir, fake, commit_interval, password_file="password",
                 fingerprint=None):
    home, office = fake.routers["home"], fake.routers["office"]
    names = b", ".join(b'"' + n + b'"' for n in IFACES)
    text = ("""[tikstat]
database = %(db)s
timezone = Europe/Berlin
commit_interval = %(ci)d
log_level = debug

[http]
listen = 127.0.0.1:%(http)d

[router home]
host = 127.0.0.1
port = %(hp)s
user = admin
password_file = %(pw)s
interval = 1
timeout = 1
interfaces = """ % {"db": os.path.join(workdir, "tikstat.db"), "ci": commit_interval,
                    "http": HTTP_PORT, "hp": home["port"], "pw": os.path.join(workdir, password_file)}).encode()
    text += names + ("""

[router office]
host = 127.0.0.1
port = %(op)s
tls = fingerprint
tls_fingerprint = %(fp)s
user = admin
password_file = %(pw)s
interval = 1
timeout = 1
quota = %(quota)d
alert_command = echo "$TIKSTAT_INTERFACE|$TIKSTAT_PERCENT|$TIKSTAT_USED" >> %(alerts)s
interfaces = """ % {"op": office["port"], "fp": fingerprint or office["fingerprint"],
                    "pw": os.path.join(workdir, password_file), "quota": QUOTA,
                    "alerts": os.path.join(workdir, "alerts.log")}).encode() + names + b"\n"
    with open(path, "wb") as f:
        f.write(text)
    os.chmod(path, 0o600)


def totals(args, conf, router, iface):
    """rx, tx as `tikstat --json -y` reports them (sum of the year points)."""
    out = subprocess.run([args.tikstat, "-c", conf, "-r", router, "-i", iface,
                          "-y", "--json"], capture_output=True)
    if out.returncode != 0:
        raise AssertionError("tikstat failed: %s" % out.stderr.decode(errors="replace"))
    doc = json.loads(out.stdout)
    return sum(p["rx"] for p in doc["points"]), sum(p["tx"] for p in doc["points"])


def check_config(args, conf, workdir, fake):
    """--check-config: what it prints for a good setup and for failures."""
    print("--check-config: good, wrong password, wrong fingerprint")
    write_config(conf, workdir, fake, commit_interval=1)
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True)
    text = out.stdout.decode("latin-1")
    if out.returncode != 0 or "all routers OK" not in text or "interface ether1: id *1" not in text:
        raise AssertionError("check-config on a good setup:\n" + text)
    with open(os.path.join(workdir, "wrong"), "w") as f:
        f.write("not-the-password\n")
    os.chmod(os.path.join(workdir, "wrong"), 0o600)
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
        end = time.time() + timeout
        while True:
            got = {k: list(totals(self.args, self.conf, *k)) for k in self.expect}
            if got == self.expect:
                return
            if time.time() > end:
                diff = {"%s/%r" % k: (got[k], v) for k, v in self.expect.items() if got[k] != v}
                raise AssertionError("totals differ (got, expected): %s" % diff)
            time.sleep(0.3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--tikstat", required=True)
    ap.add_argument("--fakerouter", required=True)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tikstat-e2e-")
    logpath = os.path.join(workdir, "tikstatd.log")
    log = open(logpath, "wb")
    fake = Fake(args.fakerouter, workdir)
    daemon = None
    try:
        with open(os.path.join(workdir, "password"), "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(os.path.join(workdir, "password"), 0o600)
        for router in ("home", "office"):
            for iface in IFACES:
                fake.cmd("rate %s %s 0 0" % (router, pct(iface)))
        conf = os.path.join(workdir, "tikstat.conf")
        check_config(args, conf, workdir, fake)
        write_config(conf, workdir, fake, commit_interval=1)
        s = Scenario(args, conf, fake)
        daemon = Daemon(args, conf, log)
        daemon.start()

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
        daemon.p.send_signal(signal.SIGSTOP)
        s.traffic(counted=False)
        fake.cmd("reboot home 6")
        fake.cmd("reboot office 6")
        daemon.p.send_signal(signal.SIGCONT)
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
        db = sqlite3.connect(os.path.join(workdir, "tikstat.db"))
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
        daemon_user.own(workdir)
        daemon.p.send_signal(signal.SIGHUP)
        time.sleep(1)
        write_config(conf, workdir, fake, commit_interval=1)  # for tikstat
        s.traffic()
        s.wait_counted()  # still running, with the old configuration
        daemon_user.own(workdir)
        daemon.p.send_signal(signal.SIGHUP)
        s.traffic()
        s.wait_counted()

        daemon.stop()
        daemon = None
        check_alerts(workdir)
        log.close()
        text = open(logpath, "rb").read()
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
    except Exception:
        log.flush()
        sys.stdout.write(open(logpath, "rb").read().decode(errors="replace")[-6000:])
        raise
    finally:
        if daemon and daemon.p and daemon.p.poll() is None:
            daemon.p.kill()
            daemon.p.wait()
        fake.stop()
        for name in os.listdir(workdir):
            os.unlink(os.path.join(workdir, name))
        os.rmdir(workdir)


if __name__ == "__main__":
    sys.exit(main())
