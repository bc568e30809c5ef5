#!/usr/bin/env python3
"""tikstatd's quota alerts, reloads and configuration limits, end to end
against the fake router (issue 8, items of defect 9):

- several interfaces crossing 80 % of the quota within one commit_interval
  (nothing committed yet) each run alert_command exactly once;
- alert_command starts with default signal dispositions and nothing
  blocked although the daemon ignores SIGPIPE (/proc/self/status SigIgn,
  SigBlk; `yes | head -1` ends);
- with -u (as root): a password file the user cannot read is named at start
  with the fix, and a SIGHUP keeps the secret loaded before instead of
  failing the reload;
- a reload to a file without routers is refused (the running one goes on),
  and --check-config refuses it too;
- a router with 5,000 configured interfaces is polled (the interface list
  check sorts; it was quadratic).

Waits poll for a condition with generous deadlines; nothing depends on
speed. Standard library only.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402
import harness  # noqa: E402
from fakectl import FakeRouter, free_port, pct  # noqa: E402

PASSWORD = "alerts-Secret-pw-52be"
IFACES = [b"ether1", b"ether2 lan", b"pppoe-out1", b"wlan-caf\xe9"]
QUOTA = 10000000
SIGPIPE_BIT = 1 << (signal.SIGPIPE - 1)
NO_ROUTERS = "no [router NAME] section: nothing to poll or receive"

ALERT_SCRIPT = """#!/bin/sh
# One line per run: interface, percent, this shell's ignored and blocked
# signal masks, and what `yes | head -1` printed (it must end).
ign=$(grep '^SigIgn:' /proc/$$/status | cut -f2)
blk=$(grep '^SigBlk:' /proc/$$/status | cut -f2)
first=$(yes | head -1)
echo "$TIKSTAT_INTERFACE|$TIKSTAT_PERCENT|$ign|$blk|$first" >> %s
"""


def wait_for(what, cond, deadline=60):
    """harness.wait_for, the description first."""
    harness.wait_for(cond, what, deadline, 0.1)


def read(path):
    return harness.read_text(path)


def write_config(path, workdir, port, names, commit_interval=3600, alert=True):
    harness.write_config(
        path,
        harness.section("tikstat", database=os.path.join(workdir, "tikstat.db"),
                        commit_interval=commit_interval, log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % free_port()),
        harness.polled("home", int(port), os.path.join(workdir, "password"),
                       harness.quoted(names), timeout=5, quota=QUOTA,
                       alert_command=os.path.join(workdir, "alert.sh") if alert else None))


def prepare(workdir):
    harness.write_secret(os.path.join(workdir, "password"), PASSWORD)
    harness.write_file(os.path.join(workdir, "alert.sh"),
                       ALERT_SCRIPT % os.path.join(workdir, "alerts.log"), 0o755)


def check_alert_lines(text):
    """One 80 % alert per interface, run with SIGPIPE at its default and no
    signal blocked."""
    lines = [l for l in text.splitlines() if l]
    seen = {}
    for line in lines:
        iface, percent, ign, blk, first = line.split("|")
        if percent != "80":
            raise AssertionError("unexpected alert: %r" % line)
        if iface in seen:
            raise AssertionError("alert repeated: %r" % line)
        seen[iface] = True
        if int(ign, 16) & SIGPIPE_BIT:
            raise AssertionError("alert_command runs with SIGPIPE ignored (SigIgn %s)" % ign)
        if int(blk, 16) != 0:
            raise AssertionError("alert_command runs with signals blocked (SigBlk %s)" % blk)
        if first != "y":
            raise AssertionError("yes | head -1 printed %r" % first)
    want = {n.decode("latin-1") for n in IFACES}
    if set(seen) != want:
        raise AssertionError("alerts for %s, expected %s" % (sorted(seen), sorted(want)))


def test_alerts_and_reloads(args):
    with harness.Session("tikstat-alerts.", mode=0o755, tail=20000, log_name="log") as w:
        workdir = w.dir
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD,
                                                   "--spec", "home:v7:plain"]))
        for n in IFACES:
            fake.cmd("rate home %s 0 0" % pct(n))
        prepare(workdir)
        conf = os.path.join(workdir, "tikstat.conf")
        write_config(conf, workdir, fake.routers["home"]["port"], IFACES)
        as_root = os.geteuid() == 0
        user_args = daemon_user.args(workdir)
        if as_root:  # the password stays root's: nobody cannot re-read it
            os.chown(os.path.join(workdir, "password"), 0, 0)
        daemon = w.daemon(args.tikstatd, conf, user_args=user_args)
        for n in IFACES:
            daemon.wait_log("router home: %s: first reading" % n.decode("latin-1"))
        if as_root:
            pw = os.path.join(workdir, "password")
            daemon.wait_log("nobody cannot read a password_file (%s: Permission denied)" % pw)
            daemon.wait_log("fix: chown root:tikstat %s; chmod 640 %s" % (pw, pw))

        # 85 % of the quota on every interface, within one commit window
        # (commit_interval is an hour: nothing of it is committed yet).
        for n in IFACES:
            fake.cmd("add home %s %d 0" % (pct(n), QUOTA * 85 // 100))
        alerts = os.path.join(workdir, "alerts.log")
        wait_for("an alert per interface",
                 lambda: len([l for l in read(alerts).splitlines() if l]) >= len(IFACES))
        polls = daemon.text().count("router home: connected")
        # A few more polls must not repeat them: wait for the daemon to read
        # the counters again (more traffic, still below 90 %).
        for n in IFACES:
            fake.cmd("add home %s 1000 0" % pct(n))
        before = fake.cmd("stats home")
        wait_for("more polls", lambda: fake.cmd("stats home") != before)
        time.sleep(1)
        check_alert_lines(read(alerts))

        # SIGHUP: as nobody, the root-only password cannot be re-read; the
        # secret loaded at start stays and the reload succeeds.
        daemon.send(signal.SIGHUP)
        daemon.wait_log("reloading %s" % conf)
        if as_root:
            daemon.wait_log("keeping the secret loaded before")
        wait_for("a new session after the reload",
                 lambda: daemon.text().count("router home: connected") > polls)
        if "reload:" in daemon.text():
            raise AssertionError("the reload failed:\n" + daemon.text())

        # A file without routers: the reload is refused, polling goes on.
        with open(conf, "w") as f:
            f.write("[tikstat]\nlog_level = debug\n")
        daemon.send(signal.SIGHUP)
        daemon.wait_log("reload: %s: %s (keeping the running configuration)"
                        % (conf, NO_ROUTERS))
        if not daemon.alive():
            raise AssertionError("tikstatd exited after a refused reload")
        before = fake.cmd("stats home")
        wait_for("polls after the refused reload", lambda: fake.cmd("stats home") != before)
        daemon.stop()
        check_alert_lines(read(alerts))

        # --check-config and a start refuse it the same way.
        for extra in (["--check-config"], []):
            r = subprocess.run([args.tikstatd, "-f", "-c", conf] + extra + user_args,
                               capture_output=True, timeout=60)
            if r.returncode != 1 or r.stderr.decode() != "tikstatd: %s: %s\n" % (conf, NO_ROUTERS):
                raise AssertionError("%s: exit %d, %r" % (extra, r.returncode, r.stderr))

        # More listen entries than the daemon binds: --check-config says so
        # (it used to accept them and the start failed).
        write_config(conf, workdir, fake.routers["home"]["port"], IFACES)
        text = read(conf).replace("listen = ", "listen = %s, " % ", ".join(
            "127.0.0.1:%d" % (40000 + i) for i in range(16)))
        with open(conf, "w") as f:
            f.write(text)
        r = subprocess.run([args.tikstatd, "-c", conf, "--check-config"] + user_args,
                           capture_output=True, timeout=60)
        want = "[http] listen: 17 entries: at most 16 addresses can be listened on"
        if r.returncode != 1 or want not in r.stderr.decode():
            raise AssertionError("17 listen entries: exit %d, %r" % (r.returncode, r.stderr))
    print("alerts: one per interface within one commit window, default signals; "
          "reload keeps an unreadable secret, refuses a file without routers")


def test_many_interfaces(args):
    """5,000 configured interfaces, 4 of them on the router: every poll
    matches them (sorted once, searched per name) and accounts the four."""
    with harness.Session("tikstat-alerts.", mode=0o755, tail=20000, log_name="log") as w:
        workdir = w.dir
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD,
                                                   "--spec", "home:v7:plain"]))
        prepare(workdir)
        names = IFACES + [b"x%d" % i for i in range(5000 - len(IFACES))]
        conf = os.path.join(workdir, "tikstat.conf")
        write_config(conf, workdir, fake.routers["home"]["port"], names, commit_interval=1,
                     alert=False)
        daemon = w.daemon(args.tikstatd, conf)
        for n in IFACES:
            daemon.wait_log("router home: %s: first reading" % n.decode("latin-1"), 120)
        daemon.wait_log("router home: interface x4995: not on the router", 120)
        before = fake.cmd("stats home")
        wait_for("more polls", lambda: fake.cmd("stats home") != before, 120)
        daemon.stop()
    print("5,000 configured interfaces: polled")


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    for test in (test_alerts_and_reloads, test_many_interfaces):
        test(args)


if __name__ == "__main__":
    main()
