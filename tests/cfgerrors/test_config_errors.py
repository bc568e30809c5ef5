#!/usr/bin/env python3
"""Every error of a configuration file reaches the user, one line each:
tikstatd at start and with --check-config (stderr), tikstatd on a reload
(one log line per error, the running configuration kept) and tikstat.

Usage: test_config_errors.py --tikstatd PATH --tikstat PATH
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402

BAD = ("[tikstat]\ncycle_start_day = 0\n"
       "[router a]\nhost = h\nport = 0\npassword = \"x\"\ninterfaces = e\n"
       "[router b]\ninterval = 0\n")
ERRORS = ["%s:2: [tikstat] cycle_start_day: must be 1 to 28, got 0",
          "%s:5: [router a] port: must be 1 to 65535, got 0",
          "%s:9: [router b] interval: must be 1 to 86400 seconds, got 0"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def wait_for(what, cond, deadline=60):
    end = time.monotonic() + deadline
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def expect_lines(what, text, prefix, conf, suffix=""):
    want = [prefix + (e % conf) + suffix for e in ERRORS]
    got = [line for line in text.splitlines() if line.startswith(prefix)]
    if got != want:
        raise AssertionError("%s: want\n%s\ngot\n%s" % (what, "\n".join(want), text))


def check_start(args, conf):
    for extra in ([], ["--check-config"]):
        out = subprocess.run([args.tikstatd, "-f", "-c", conf] + extra, capture_output=True)
        if out.returncode != 1:
            raise AssertionError("tikstatd %s: exit %d" % (extra, out.returncode))
        expect_lines("tikstatd %s" % extra, out.stderr.decode(), "tikstatd: ", conf)


def check_cli(args, conf):
    out = subprocess.run([args.tikstat, "-c", conf, "-y"], capture_output=True)
    if out.returncode == 0:
        raise AssertionError("tikstat accepted a broken configuration")
    expect_lines("tikstat", out.stderr.decode(), "tikstat: ", conf)


def check_reload(args, workdir, conf):
    """A running daemon keeps its configuration and logs each error."""
    write(conf, "[tikstat]\ndatabase = %s\n[http]\nlisten = 127.0.0.1:%d\n"
                "[router a]\nhost = 127.0.0.1\nport = %d\npassword = \"x\"\ninterfaces = e\n"
                % (os.path.join(workdir, "db"), free_port(), free_port()))
    logpath = os.path.join(workdir, "log")
    with open(logpath, "ab") as log:
        p = subprocess.Popen([args.tikstatd, "-f", "-c", conf] + daemon_user.args(workdir),
                             stdout=log, stderr=log)
    try:
        def logged(what):
            def cond():
                if p.poll() is not None:
                    raise AssertionError("tikstatd exited:\n" + open(logpath).read())
                return what in open(logpath).read()
            return cond
        wait_for("the start", logged("http: listening on"))
        write(conf, BAD)
        daemon_user.own(workdir)
        p.send_signal(signal.SIGHUP)
        wait_for("the last error", logged(ERRORS[2] % conf))
        expect_lines("reload", open(logpath).read(), "tikstatd: error: reload: ", conf,
                     " (keeping the running configuration)")
    finally:
        p.send_signal(signal.SIGTERM)
        if p.wait(timeout=60) != 0:
            raise AssertionError("tikstatd exited %d on SIGTERM" % p.returncode)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--tikstat", required=True)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="cfgerrors.")
    try:
        conf = os.path.join(workdir, "bad.conf")
        write(conf, BAD)
        check_start(args, conf)
        check_cli(args, conf)
        check_reload(args, workdir, os.path.join(workdir, "tikstat.conf"))
    finally:
        shutil.rmtree(workdir)
    print("ok")


if __name__ == "__main__":
    main()
