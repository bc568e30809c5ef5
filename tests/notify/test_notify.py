#!/usr/bin/env python3
"""tikstatd's sd_notify messages, received on a NOTIFY_SOCKET of our own
as systemd would: READY=1 with STATUS=, the router count changing in
STATUS=, WATCHDOG=1 every half WATCHDOG_USEC, RELOADING=1 then READY=1
on SIGHUP, STOPPING=1 on SIGTERM.

Usage: test_notify.py --tikstatd BIN --fakerouter BIN
"""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import FAILURES, check  # noqa: E402

PASSWORD = "notify-Pw-77e2"


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-notify-", log_name="log") as w:
        return run(args, w)


def run(args, w):
    """Collects the messages in the harness.Session w; checks them."""
    work = w.dir
    fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec", "home:v7:plain"]))
    w.secret("password", PASSWORD)
    conf = os.path.join(work, "tikstat.conf")
    harness.write_config(
        conf,
        harness.section("tikstat", database=work + "/tikstat.db"),
        harness.section("http", listen="127.0.0.1:%d" % free_port()),
        harness.polled("home", fake.routers["home"]["port"], work + "/password", "ether1"))
    sockpath = os.path.join(work, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sockpath)
    sock.settimeout(0.2)
    env = dict(os.environ, NOTIFY_SOCKET=sockpath, WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    d = w.daemon(args.tikstatd, conf, env=env)
    msgs = []

    def collect_until(done, what, timeout=60):
        """Receives messages until done(msgs) holds; a loaded machine may
        be slow, so only the deadline is generous, never a fixed wait."""
        end = time.monotonic() + timeout
        while not done(msgs):
            if time.monotonic() > end:
                check(False, "%s within %d s; messages: %r" % (what, timeout, msgs))
                return
            try:
                msgs.append(sock.recv(4096).decode())
            except socket.timeout:
                pass

    def watchdogs_after_ready(m):
        ready = next((i for i, x in enumerate(m) if "READY=1" in x), None)
        return ready is not None and sum(x == "WATCHDOG=1" for x in m[ready:]) >= 5

    collect_until(lambda m: watchdogs_after_ready(m) and "STATUS=1 of 1 router up" in m,
                  "READY=1, 5 WATCHDOG=1 and the router up")
    d.reload()
    collect_until(lambda m: any("RELOADING=1" in x for x in m) and
                  "READY=1" in "".join(m[max(i for i, x in enumerate(m) if "RELOADING=1" in x):]),
                  "RELOADING=1 then READY=1")
    d.send(signal.SIGTERM)
    rc = d.p.wait(timeout=60)
    sock.setblocking(False)  # what it sent before exiting is queued: drain it
    while True:
        try:
            msgs.append(sock.recv(4096).decode())
        except BlockingIOError:
            break
    sock.close()
    lines = msgs

    def first(pred):
        return next((i for i, m in enumerate(lines) if pred(m)), None)

    ready = first(lambda m: "READY=1" in m)
    check(ready is not None and "STATUS=0 of 1 router up" in lines[ready],
          "no READY=1 with STATUS=0 of 1 router up")
    check(first(lambda m: m == "STATUS=1 of 1 router up") is not None,
          "no STATUS=1 of 1 router up once the router answered")
    n_wd = sum(1 for m in lines[:first(lambda m: "RELOADING=1" in m) or len(lines)]
               if m == "WATCHDOG=1")
    # one every 0.5 s from READY on (WATCHDOG_USEC=1000000): 5 came
    check(n_wd >= 5, "%d WATCHDOG=1 before the reload" % n_wd)
    rel = first(lambda m: "RELOADING=1" in m)
    check(rel is not None and any("READY=1" in m for m in lines[rel + 1:]),
          "no RELOADING=1 followed by READY=1 on SIGHUP")
    check(lines and "STOPPING=1" in lines[-1], "no STOPPING=1 last")
    check(rc == 0, "exit %d on SIGTERM" % rc)
    if FAILURES:
        print("messages: %r" % lines)
        return 1
    print("notify: %d messages: READY, STATUS, %d WATCHDOG, RELOADING, STOPPING" %
          (len(lines), n_wd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
