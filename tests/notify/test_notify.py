#!/usr/bin/env python3
"""tikstatd's sd_notify messages, received on a NOTIFY_SOCKET of our own
as systemd would: READY=1 with STATUS=, the router count changing in
STATUS=, WATCHDOG=1 every half WATCHDOG_USEC, RELOADING=1 then READY=1
on SIGHUP, STOPPING=1 on SIGTERM.

Usage: test_notify.py --tikstatd BIN --fakerouter BIN
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402

PASSWORD = "notify-Pw-77e2"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--fakerouter", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tikstat-notify-")
    fake = subprocess.Popen([args.fakerouter, "--password", PASSWORD, "--spec", "home:v7:plain"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = None
    for line in fake.stdout:
        words = line.decode().split()
        if words[0] == "ready":
            break
        port = dict(w.split("=", 1) for w in words[1:])["port"]
    with open(os.path.join(work, "password"), "w") as f:
        f.write(PASSWORD + "\n")
    os.chmod(os.path.join(work, "password"), 0o600)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    http_port = s.getsockname()[1]
    s.close()
    conf = os.path.join(work, "tikstat.conf")
    with open(conf, "w") as f:
        f.write("[tikstat]\ndatabase = %s/tikstat.db\n\n[http]\nlisten = 127.0.0.1:%d\n\n"
                "[router home]\nhost = 127.0.0.1\nport = %s\nuser = admin\n"
                "password_file = %s/password\ninterval = 1\ntimeout = 1\ninterfaces = ether1\n"
                % (work, http_port, port, work))
    sockpath = os.path.join(work, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sockpath)
    sock.settimeout(0.2)
    env = dict(os.environ, NOTIFY_SOCKET=sockpath, WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    log = open(os.path.join(work, "log"), "wb")
    d = subprocess.Popen([args.tikstatd, "-f", "-c", conf] + daemon_user.args(work),
                         stdout=log, stderr=log, env=env)
    msgs = []

    def collect(seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                msgs.append(sock.recv(4096).decode())
            except socket.timeout:
                pass

    try:
        collect(4)
        daemon_user.own(work)
        d.send_signal(signal.SIGHUP)
        collect(1.5)
        d.send_signal(signal.SIGTERM)
        rc = d.wait(timeout=20)
        collect(0.3)
    finally:
        if d.poll() is None:
            d.kill()
        fake.stdin.close()
        fake.wait(timeout=10)
    lines = msgs
    failures = []

    def first(pred):
        return next((i for i, m in enumerate(lines) if pred(m)), None)

    ready = first(lambda m: "READY=1" in m)
    if ready is None or "STATUS=0 of 1 router up" not in lines[ready]:
        failures.append("no READY=1 with STATUS=0 of 1 router up")
    if first(lambda m: m == "STATUS=1 of 1 router up") is None:
        failures.append("no STATUS=1 of 1 router up once the router answered")
    n_wd = sum(1 for m in lines[:first(lambda m: "RELOADING=1" in m) or len(lines)]
               if m == "WATCHDOG=1")
    if n_wd < 5:  # 4 s at one every 0.5 s, from READY on
        failures.append("%d WATCHDOG=1 in 4 s with WATCHDOG_USEC=1000000" % n_wd)
    rel = first(lambda m: "RELOADING=1" in m)
    if rel is None or not any("READY=1" in m for m in lines[rel + 1:]):
        failures.append("no RELOADING=1 followed by READY=1 on SIGHUP")
    if not lines or "STOPPING=1" not in lines[-1]:
        failures.append("no STOPPING=1 last")
    if rc != 0:
        failures.append("exit %d on SIGTERM" % rc)
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print("messages: %r" % lines)
        return 1
    print("notify: %d messages: READY, STATUS, %d WATCHDOG, RELOADING, STOPPING" %
          (len(lines), n_wd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
