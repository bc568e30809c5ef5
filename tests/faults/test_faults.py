#!/usr/bin/env python3
"""Fault injection: tikstatd against the fake router while this script
injects one fault after another, and for every scenario compares the bytes
the simulator counted (its ground truth, `truth_rx`/`truth_tx`, which no
reboot or reset touches) with the bytes tikstatd counted (`tikstat --json
-y` on its database), as growth since the scenario's baseline.

The promise checked: every byte exactly once. The difference must be zero,
except the one documented unavoidable loss (a daemon crash followed by a
router reboot before the daemon is back: the traffic after the last
committed reading is gone with the router's counters); never a double
count, in no scenario.

Scenarios run one after another on one daemon (each waits for a settled
baseline first), then the ones that need a daemon of their own run on
fresh state: a full disk (database on a small tmpfs), a corrupted page in
old data, clock steps (libfaketime). A scenario whose tool or fake-router
command is missing is reported as "needs ..."; with --require-all that is
a failure. A full disk is skipped (with the reason) where mounting a tmpfs
is not permitted. A summary table ends the run.

Traffic is deterministic: the fake router's growth rates are zero and
bytes are added through its control channel. Standard library only.
"""
import argparse
import glob
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402
import harness  # noqa: E402
from fakectl import FakeRouter, free_port, pct  # noqa: E402

PASSWORD = "faults-Pw-1"
NEW_PASSWORD = "faults-Pw-2 changed"
MAIN_IFACES = [b"ether1", b"ether2 lan", b"pppoe-out1"]
OTHER_IFACES = [b"ether1"]
COMMIT_INTERVAL = 2

FAKETIME_LIBS = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"]


class Needs(Exception):
    """A scenario cannot run here: a tool or fake-router command is missing."""


class Skip(Exception):
    """A scenario that cannot run in this environment (not a failure)."""


def unknown_command(fake, line):
    """Sends a control line; returns True when the fake router does not know
    the command (a feature of another branch), raises on other errors."""
    answer = fake.ask(line)
    if answer.startswith("error unknown command"):
        return True
    if not answer.startswith("ok"):
        raise AssertionError("fake router: %s -> %s" % (line, answer))
    return False


class Instance:
    """One tikstatd with its own work directory, configuration and database,
    polling routers of the shared fake router."""

    def __init__(self, args, fake, name, routers, passwords, dbdir=None, env=None):
        self.args, self.fake, self.name, self.routers = args, fake, name, routers
        self.passwords = passwords  # router -> its current password (shared)
        self.workdir = tempfile.mkdtemp(prefix="tikstat-faults-%s-" % name)
        self.dbdir = dbdir or self.workdir
        self.conf = os.path.join(self.workdir, "tikstat.conf")
        self.d = harness.Daemon(args.tikstatd, self.conf,
                                os.path.join(self.workdir, "tikstatd.log"), env=env, start=False)
        for router in routers:
            self.write_password(router)
        self.write_config()

    def pwfile(self, router):
        return os.path.join(self.workdir, "password-" + router)

    def write_password(self, router):
        harness.write_secret(self.pwfile(router), self.passwords[router])

    def write_config(self, extra=""):
        """The configuration; extra: lines for the [tikstat] section."""
        harness.write_config(
            self.conf,
            harness.section("tikstat", database=os.path.join(self.dbdir, "tikstat.db"),
                            timezone="UTC", commit_interval=COMMIT_INTERVAL,
                            log_level="debug") + extra,
            harness.section("http", listen="127.0.0.1:%d" % free_port()),
            *(harness.polled(router, self.fake.routers[router]["port"], self.pwfile(router),
                             harness.quoted(ifaces), timeout=2)
              for router, ifaces in self.routers.items()))

    def start(self):
        if self.dbdir != self.workdir:
            daemon_user.own(self.dbdir)
        self.d.start()

    def alive(self):
        return self.d.alive()

    def stop(self, sig=signal.SIGTERM):
        """Sends sig and waits (30 s at most, then kills it); on SIGTERM the
        exit status must be 0. Forgets the process: stopping a daemon that
        is not running checks only how it ended."""
        p, self.d.p = self.d.p, None
        if p is None or p.poll() is not None:
            rc = p.returncode if p else 0
            if sig == signal.SIGTERM and rc not in (0, None):
                raise AssertionError("%s: tikstatd had exited with %d" % (self.name, rc))
            return
        p.send_signal(sig)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise AssertionError("%s: tikstatd ignored signal %d for 30 s" % (self.name, sig))
        if sig == signal.SIGTERM and rc != 0:
            raise AssertionError("%s: tikstatd exited %d on SIGTERM" % (self.name, rc))

    def counted(self):
        """{(router, iface): [rx, tx]} as `tikstat --json -y` reports them,
        or None while some interface cannot be read yet."""
        out = {}
        for router, ifaces in self.routers.items():
            for iface in ifaces:
                out[(router, iface)] = harness.totals(self.args.tikstat, self.conf, router, iface)
                if out[(router, iface)] is None:
                    return None
        return out

    def truth(self):
        out = {}
        for router, ifaces in self.routers.items():
            t = self.fake.truth(router)
            for iface in ifaces:
                out[(router, iface)] = t[iface]
        return out

    def log_tail(self, n=4000):
        return harness.read_text(self.d.log_path, "utf-8")[-n:]

    def cleanup(self):
        self.d.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def total(d):
    return sum(v[0] + v[1] for v in d.values())


def sub(a, b):
    return {k: [a[k][0] - b[k][0], a[k][1] - b[k][1]] for k in a}


class Suite:
    def __init__(self, args):
        self.args = args
        self.rows = []  # (scenario, expected, counted, diff, result)
        self.passwords = {"main": PASSWORD, "other": PASSWORD}
        self.deadline = 90 if args.long else 30
        self.step = 0

    # ---- traffic and measurement ----

    def add(self, inst, routers=None, scale=1):
        """Adds a different amount to every interface of inst's routers."""
        self.step += 1
        n = 0
        for router, ifaces in inst.routers.items():
            if routers and router not in routers:
                continue
            for iface in ifaces:
                n += 1
                rx = (1000003 * self.step + 7919 * n) * scale
                tx = (500009 * self.step + 31 * n) * scale
                self.fake.cmd("add %s %s %d %d" % (router, pct(iface), rx, tx))

    def settle(self, inst):
        """Waits until inst's counts stop changing (every earlier byte is in
        or definitely lost); returns (truth, counted) as the baseline."""
        end = time.monotonic() + self.deadline
        last = None
        while True:
            if not inst.alive():
                raise AssertionError("%s: tikstatd exited:\n%s" % (inst.name, inst.log_tail()))
            got = inst.counted()
            if got is not None and got == last:
                return inst.truth(), got
            if time.monotonic() > end:
                raise AssertionError("%s: counts never settled" % inst.name)
            last = got
            time.sleep(COMMIT_INTERVAL + 0.2)

    def wait(self, inst, base, loss=0, deadline=None):
        """Waits until counted growth equals truth growth minus loss bytes
        (or the deadline); returns (expected, counted, per-iface diff)."""
        t0, c0 = base
        end = time.monotonic() + (deadline or self.deadline)
        while True:
            exp = sub(inst.truth(), t0)
            got = inst.counted()
            if got is not None:
                cnt = sub(got, c0)
                if total(cnt) == total(exp) - loss and (loss or cnt == exp):
                    break
                # Counts never go down: a double count is final.
                if any(cnt[k][d] > exp[k][d] for k in exp for d in (0, 1)):
                    break
            if time.monotonic() > end or not inst.alive():
                break
            time.sleep(0.5)
        if got is None:
            got = c0
        cnt = sub(got, c0)
        return exp, cnt, {k: (cnt[k][0] - exp[k][0], cnt[k][1] - exp[k][1]) for k in exp}

    def record(self, name, exp, cnt, diffs, loss=0, note="", inst=None):
        e, c = total(exp), total(cnt)
        d = c - e
        bad = {"%s/%s" % (k[0], k[1].decode()): v for k, v in diffs.items() if v != (0, 0)}
        if d > 0 or any(x > 0 for v in diffs.values() for x in v):
            result = "FAIL: double count %s" % bad
        elif d < -loss:
            result = "FAIL: lost %d bytes %s" % (-d, bad)
        elif loss and d < 0:
            result = "ok (documented loss %d <= %d)" % (-d, loss)
        elif bad:
            result = "FAIL: %s" % bad
        else:
            result = "ok"
        if note:
            result += " " + note
        self.rows.append((name, str(e), str(c), str(d), result))
        print("  %-26s expected %14d counted %14d diff %10d  %s" % (name, e, c, d, result),
              flush=True)
        if inst and result.startswith("FAIL"):
            print("  ---- tikstatd log (%s, tail) ----\n%s" % (inst.name, inst.log_tail(2500)))

    def run(self, name, fn, *a):
        if self.args.only and not re.search(self.args.only, name):
            return
        print("scenario: %s" % name, flush=True)
        try:
            fn(name, *a)
        except Needs as e:
            self.rows.append((name, "-", "-", "-", "needs %s" % e))
            print("  needs %s" % e, flush=True)
        except Skip as e:
            self.rows.append((name, "-", "-", "-", "skipped: %s" % e))
            print("  skipped: %s" % e, flush=True)
        except Exception as e:  # one scenario failing does not hide the others
            self.rows.append((name, "-", "-", "-", "FAIL: %s" % str(e).splitlines()[0]))
            print("  FAIL: %s" % e, flush=True)

    # ---- scenarios on the main daemon ----

    def simple(self, name, before, after=None, pause=0.0, loss=0):
        """Baseline, before(), traffic, pause, after(), more traffic, check."""
        inst = self.main
        base = self.settle(inst)
        self.add(inst)
        self.wait(inst, base)  # the router's counters before the fault are in
        before()
        self.add(inst)
        if pause:
            time.sleep(pause)
        if after:
            after()
        self.add(inst)
        self.record(name, *self.wait(inst, base, loss), loss=loss)

    def s_reboot(self, name):
        self.simple(name, lambda: self.fake.cmd("reboot main 1"))

    def polled(self, router):
        """Waits until the daemon has read router's counters again (two more
        commands: a reset followed by more traffic than the counter held
        before, unseen in between, cannot be told from growth)."""
        def commands():
            return int(dict(w.split("=") for w in
                            self.fake.cmd("stats %s" % router).split()[1:])["commands"])
        n, end = commands(), time.monotonic() + self.deadline
        while commands() < n + 2 and time.monotonic() < end:
            time.sleep(0.2)

    def s_reset(self, name):
        def reset():
            self.fake.cmd("reset main %s" % pct(b"ether1"))
            self.polled("main")
        self.simple(name, reset)

    def s_recreate(self, name):
        self.simple(name, lambda: self.fake.cmd("recreate main %s" % pct(b"pppoe-out1")))

    def s_outage(self, name):
        self.simple(name, lambda: self.fake.cmd("refuse main on"),
                    lambda: self.fake.cmd("refuse main off"), pause=self.long(3, 15))

    def s_stall(self, name):
        self.simple(name, lambda: self.fake.cmd("stall main on"),
                    lambda: self.fake.cmd("stall main off"), pause=self.long(5, 15))

    def s_dribble(self, name):
        inst = self.main
        base = self.settle(inst)
        self.fake.cmd("dribble main on")
        try:
            self.add(inst)
            time.sleep(self.long(4, 20))
            self.add(inst)
            res = self.wait(inst, base, deadline=self.deadline * 2)
        finally:
            self.fake.cmd("dribble main off")
        self.record(name, *res)

    def s_garbage(self, name):
        self.simple(name, lambda: self.fake.cmd("garbage main"), pause=2)

    def s_fatal(self, name):
        self.simple(name, lambda: self.fake.cmd("fatal main"), pause=2)

    def s_flood(self, name):
        """An endless reply from one router: memory stays bounded, the other
        router keeps being counted, the flooding one is counted again once
        it stops."""
        inst = self.main
        base = self.settle(inst)
        answer = self.fake.ask("flood main")
        if answer.startswith("error unknown command"):
            raise Needs("fake-router command 'flood ROUTER' (issue 8, defect 3 branch)")
        if not answer.startswith("ok"):  # perhaps it takes on|off
            answer = self.fake.ask("flood main on")
        if not answer.startswith("ok"):
            raise AssertionError("fake router refused 'flood main [on]': %s" % answer)
        rss = 0
        try:
            t0, c0 = base
            self.add(inst, routers=["other"])
            end = time.monotonic() + self.deadline
            # A few seconds of flood at least, RSS sampled throughout.
            busy_until = time.monotonic() + self.long(3, 30)
            while True:
                rss = max(rss, rss_mb(inst.d.pid) if inst.alive() else 0)
                got = inst.counted()
                k = ("other", b"ether1")
                if (got and got[k] != c0[k] and sub(got, c0)[k] == sub(inst.truth(), t0)[k]
                        and time.monotonic() > busy_until):
                    break
                if time.monotonic() > end or not inst.alive():
                    raise AssertionError("router 'other' not counted during the flood of 'main'")
                time.sleep(0.5)
            if rss > 512:
                raise AssertionError("tikstatd RSS %d MB during the flood" % rss)
        finally:
            # Ends the flood whatever the command's syntax: refusing closes
            # every session of the router.
            self.fake.ask("flood main off")
            self.fake.cmd("refuse main on")
            self.fake.cmd("refuse main off")
        self.add(inst)
        self.record(name, *self.wait(inst, base), note="(RSS %d MB)" % rss)

    def s_password(self, name):
        inst = self.main

        def change():
            new = NEW_PASSWORD if self.passwords["main"] == PASSWORD else PASSWORD
            self.fake.cmd("password main %s" % pct(new.encode()))
            self.passwords["main"] = new
            inst.write_password("main")
            inst.d.reload()
        self.simple(name, change, pause=2)

    def s_kill9(self, name):
        """kill -9, probably with polled readings not committed yet: the
        restarted daemon recovers them from the router's counters."""
        inst = self.main
        base = self.settle(inst)
        self.add(inst)
        self.wait(inst, base)
        self.add(inst)
        time.sleep(1.2)
        inst.stop(signal.SIGKILL)
        self.add(inst)
        inst.start()
        self.add(inst)
        self.record(name, *self.wait(inst, base))

    def s_crash_reboot(self, name):
        """The documented loss: tikstatd dies, then the router reboots
        before tikstatd is back; what the router counted after the last
        committed reading is gone with its counters."""
        inst = self.main
        base = self.settle(inst)
        self.add(inst)
        self.settle(inst)  # committed
        inst.stop(signal.SIGKILL)
        before = total({k: v for k, v in inst.truth().items() if k[0] == "main"})
        self.add(inst, routers=["main"])
        loss = total({k: v for k, v in inst.truth().items() if k[0] == "main"}) - before
        self.fake.cmd("reboot main 1")
        time.sleep(1.5)
        inst.start()
        self.add(inst)
        self.record(name, *self.wait(inst, base, loss=loss), loss=loss)

    def s_daemon_stall(self, name):
        """tikstatd itself stalls (SIGSTOP 8 s) while the router answers: the
        readings processed late are no reboot."""
        inst = self.main
        base = self.settle(inst)
        self.add(inst)
        time.sleep(COMMIT_INTERVAL + 1.5)
        inst.d.send(signal.SIGSTOP)
        self.add(inst)
        time.sleep(8)
        inst.d.send(signal.SIGCONT)
        self.add(inst)
        self.record(name, *self.wait(inst, base))

    def s_resetdir(self, name):
        inst = self.main
        base = self.settle(inst)
        self.add(inst)
        self.wait(inst, base)
        if unknown_command(self.fake, "resetdir main %s rx" % pct(b"ether1")):
            raise Needs("fake-router command 'resetdir ROUTER IFACE rx|tx' (issue 8, defect 7 "
                        "branch)")
        self.polled("main")
        self.add(inst)
        self.polled("main")
        self.fake.cmd("resetdir main %s tx" % pct(b"pppoe-out1"))
        self.polled("main")
        self.add(inst)
        self.record(name, *self.wait(inst, base))

    # ---- scenarios on a daemon of their own ----

    def fresh(self, name, dbdir=None, env=None, extra=""):
        inst = Instance(self.args, self.fake, name, {"main": MAIN_IFACES}, self.passwords,
                        dbdir, env)
        if extra:
            inst.write_config(extra)
        return inst

    def s_full_disk(self, name):
        mnt = tempfile.mkdtemp(prefix="tikstat-faults-tmpfs-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt],
                           capture_output=True)
        if r.returncode != 0:
            os.rmdir(mnt)
            raise Skip("cannot mount a tmpfs here (%s)" % r.stderr.decode().strip())
        inst = None
        try:
            inst = self.fresh(name, dbdir=mnt)
            inst.start()
            base = self.settle(inst)
            filler = os.path.join(mnt, "filler")
            # Unbuffered: a write refused for lack of space leaves nothing
            # behind for close() to fail on.
            with open(filler, "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 4096)
                except OSError:
                    pass
            self.add(inst)
            time.sleep(self.long(6, 30))  # commits fail meanwhile
            alive = inst.alive()
            hit = "disk is full" in inst.log_tail(20000)
            os.unlink(filler)
            if not alive:
                raise AssertionError("tikstatd exited on a full disk:\n" + inst.log_tail())
            if not hit:
                raise AssertionError("the disk never got full (no 'disk is full' in the log)")
            self.add(inst)
            self.record(name, *self.wait(inst, base), inst=inst)
        finally:
            if inst:
                try:
                    inst.stop()
                finally:
                    inst.cleanup()
            subprocess.run(["umount", mnt])
            os.rmdir(mnt)

    def s_corrupt(self, name):
        """One damaged page in old data (another interface's 5-minute buckets
        from two months ago, due for pruning): new readings keep being
        committed and counted."""
        inst = self.fresh(name, extra="retention_5min = 7d\n")
        try:
            db = os.path.join(inst.dbdir, "tikstat.db")
            legacy = os.path.join(inst.workdir, "legacy.db")
            now = int(time.time())
            with sqlite3.connect(legacy) as c:
                c.execute("CREATE TABLE traffic(timestamp, tx, rx, dtx, drx)")
                c.executemany("INSERT INTO traffic VALUES (?, ?, ?, NULL, NULL)",
                              [(now - 60 * 86400 + 300 * i, 1000 * i, 3000 * i)
                               for i in range(30 * 288)])
            c.close()
            r = subprocess.run([self.args.tikstat, "import-legacy", legacy, "-r", "main",
                                "-i", "ether2 lan", "-c", inst.conf], capture_output=True)
            if r.returncode != 0:
                raise AssertionError("import-legacy: %s" % r.stderr.decode(errors="replace"))
            corrupt_old_page(db)
            inst.start()
            base = self.settle(inst)
            self.add(inst)
            time.sleep(COMMIT_INTERVAL + 1.5)
            self.add(inst)
            self.record(name, *self.wait(inst, base), inst=inst)
        finally:
            try:
                inst.stop()
            finally:
                inst.cleanup()

    def s_clock(self, name, steps):
        lib = next((p for p in FAKETIME_LIBS if os.path.exists(p)), None)
        if not lib:
            raise Needs("libfaketime (Debian package faketime: scripts/deps.sh --test)")
        env = dict(os.environ)
        stamp = tempfile.mkstemp(prefix="tikstat-faults-faketime-")[1]
        with open(stamp, "w") as f:
            f.write("+0\n")
        os.chmod(stamp, 0o644)
        env.update({"LD_PRELOAD": lib, "FAKETIME_TIMESTAMP_FILE": stamp,
                    "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1",
                    "ASAN_OPTIONS": env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"})
        inst = self.fresh(name, env=env)
        try:
            inst.start()
            offset = 0
            for step in steps:
                base = self.settle(inst)
                self.add(inst)
                time.sleep(COMMIT_INTERVAL + 1.5)
                offset += step
                with open(stamp + ".tmp", "w") as f:
                    f.write("%+d\n" % offset)
                os.chmod(stamp + ".tmp", 0o644)
                os.rename(stamp + ".tmp", stamp)
                self.add(inst)
                time.sleep(COMMIT_INTERVAL + 1.5)
                self.add(inst)
                self.record("%s %+ds" % (name, step), *self.wait(inst, base), inst=inst)
        finally:
            try:
                inst.stop()
            finally:
                inst.cleanup()
                os.unlink(stamp)

    def long(self, short, long_):
        return long_ if self.args.long else short

    # ---- the run ----

    def main_scenarios(self):
        return [("reboot", self.s_reboot), ("reset-counters", self.s_reset),
                ("re-created interface", self.s_recreate), ("outage (refuse)", self.s_outage),
                ("stall", self.s_stall), ("dribble", self.s_dribble),
                ("garbage", self.s_garbage), ("!fatal", self.s_fatal),
                ("endless reply (flood)", self.s_flood),
                ("password change + SIGHUP", self.s_password),
                ("kill -9 + restart", self.s_kill9),
                ("crash, then router reboot", self.s_crash_reboot),
                ("daemon stall (SIGSTOP 8 s)", self.s_daemon_stall),
                ("one-direction resets", self.s_resetdir)]

    def go(self):
        self.fake = FakeRouter(self.args.fakerouter,
                               ["--password", PASSWORD, "--spec", "main:v7:plain",
                                "--spec", "other:v6:plain"])
        self.main = None
        try:
            for router in ("main", "other"):
                for iface in (b"ether1", b"ether2 lan", b"pppoe-out1", b"wlan-caf\xe9"):
                    self.fake.cmd("rate %s %s 0 0" % (router, pct(iface)))
            self.main = Instance(self.args, self.fake, "main",
                                 {"main": MAIN_IFACES, "other": OTHER_IFACES}, self.passwords)
            for rnd in range(self.args.rounds):
                for name, fn in self.main_scenarios():
                    if self.args.only and not re.search(self.args.only, name):
                        continue
                    if not self.main.alive():
                        self.main.start()
                    self.run(name if rnd == 0 else "%s #%d" % (name, rnd + 1), fn)
            if self.main.alive():
                try:
                    self.settle(self.main)  # up and serving: SIGTERM is handled
                    self.main.stop()
                except AssertionError as e:
                    self.rows.append(("SIGTERM at the end", "-", "-", "-", "FAIL: %s" % e))
            self.run("full disk (tmpfs)", self.s_full_disk)
            self.run("corrupted old page", self.s_corrupt)
            self.run("clock step", self.s_clock, [10, 3600, -3600])
        finally:
            if self.main:
                if any(r[4].startswith("FAIL") for r in self.rows):
                    print("---- tikstatd log (main, tail) ----\n" + self.main.log_tail())
                self.main.cleanup()
            self.fake.stop()

    def summary(self):
        head = ("scenario", "expected B", "counted B", "diff B", "result")
        widths = [max(len(r[i]) for r in self.rows + [head]) for i in range(4)]
        line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, head[:4])) + "  " + head[4]
        print("\n" + line + "\n" + "-" * len(line))
        for r in self.rows:
            print("  ".join(("%-*s" if i == 0 else "%*s") % (widths[i], r[i]) for i in range(4))
                  + "  " + r[4])
        fails = [r for r in self.rows if r[4].startswith("FAIL")]
        needs = [r for r in self.rows if r[4].startswith("needs")]
        print("\n%d scenarios: %d failed, %d need something missing here, %d skipped"
              % (len(self.rows), len(fails), len(needs),
                 sum(r[4].startswith("skipped") for r in self.rows)))
        if fails or (needs and self.args.require_all):
            return 1
        return 0


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def corrupt_old_page(path):
    """Overwrites one leaf page in the middle of the oldest 5-minute
    buckets (the first interface's step-0 rows, the lowest keys of the
    traffic table) with garbage, after checkpointing the WAL into the file."""
    c = sqlite3.connect(path)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pagesize = c.execute("PRAGMA page_size").fetchone()[0]
    try:
        leaves = [r[0] for r in c.execute(
            "SELECT pageno FROM dbstat WHERE name = 'traffic' AND pagetype = 'leaf' "
            "ORDER BY path")]
    except sqlite3.OperationalError as e:
        c.close()
        raise Needs("SQLite's dbstat table in Python's sqlite3 (%s)" % e)
    c.close()
    if len(leaves) < 8:
        raise AssertionError("only %d leaf pages of old data" % len(leaves))
    page = leaves[len(leaves) // 4]
    with open(path, "r+b") as f:
        f.seek((page - 1) * pagesize + 8)  # keep the page type, break the cells
        f.write(bytes((i * 37 + 11) & 0xFF for i in range(pagesize - 8)))
    for extra in glob.glob(path + "-*"):
        if extra.endswith("-wal") or extra.endswith("-shm"):
            os.unlink(extra)


def main():
    ap = argparse.ArgumentParser(description="tikstatd under injected faults: expected "
                                 "against counted bytes per scenario")
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--tikstat", required=True)
    ap.add_argument("--fakerouter", required=True)
    ap.add_argument("--require-all", action="store_true",
                    help="a scenario that needs a missing tool or fake-router command fails")
    ap.add_argument("--long", action="store_true",
                    help="longer outages and deadlines, three rounds of the main scenarios")
    ap.add_argument("--rounds", type=int, default=None,
                    help="rounds of the main scenarios (default 1, 3 with --long)")
    ap.add_argument("--only", metavar="REGEX",
                    help="run only the scenarios whose name matches REGEX")
    args = ap.parse_args()
    if args.rounds is None:
        args.rounds = 3 if args.long else 1
    s = Suite(args)
    started = time.monotonic()
    s.go()
    rc = s.summary()
    print("took %.0f s" % (time.monotonic() - started))
    return rc


if __name__ == "__main__":
    sys.exit(main())
