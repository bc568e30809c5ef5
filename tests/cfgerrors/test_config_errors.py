#!/usr/bin/env python3
"""Every error of a configuration file reaches the user, one line each, in
line order (a bill's counters, checked after the last line, included):
tikstatd at start and with --check-config (stderr), tikstatd on a reload
(one log line per error, the running configuration kept) and tikstat.
A valid file's --check-config summary counts its routers and bills.

Usage: test_config_errors.py --tikstatd PATH --tikstat PATH
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import free_port  # noqa: E402

BAD = ("[bill x]\ncounters = nowhere/e\n"
       "[tikstat]\ncycle_start_day = 0\n"
       "[router a]\nhost = h\nport = 0\npassword = \"x\"\ninterfaces = e\n"
       "[router b]\ninterval = 0\n")
ERRORS = ["%s:2: [bill x] counters: 'nowhere/e': no [router nowhere] in this file",
          "%s:4: [tikstat] cycle_start_day: must be 1 to 28, got 0",
          "%s:7: [router a] port: must be 1 to 65535, got 0",
          "%s:11: [router b] interval: must be 1 to 86400 seconds, got 0"]


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


def check_reload(args, w, conf):
    """A running daemon keeps its configuration and logs each error."""
    harness.write_file(conf, "[tikstat]\ndatabase = %s\n[http]\nlisten = 127.0.0.1:%d\n"
                       "[router a]\nhost = 127.0.0.1\nport = %d\npassword = \"x\"\n"
                       "interfaces = e\n" % (w.path("db"), free_port(), free_port()))
    d = w.daemon(args.tikstatd, conf)
    d.wait_log("http: listening on")
    harness.write_file(conf, BAD)
    d.reload()
    d.wait_log(ERRORS[-1] % conf)
    expect_lines("reload", d.text(), "tikstatd: error: reload: ", conf,
                 " (keeping the running configuration)")
    d.stop()


def check_summary(args, w):
    """--check-config on a valid file: routers and bills counted (a pushing
    router needs no connection)."""
    conf = w.path("good.conf")
    harness.write_file(w.path("cabin.token"), "cabin-token-0123456789abcdef\n")
    harness.write_file(conf, "[bill lte]\ncounters = cabin/lte1\nquota = 5G\n"
                       "[router cabin]\nmode = push\npush_token_file = cabin.token\n"
                       "interfaces = lte1\n")
    out = subprocess.run([args.tikstatd, "-f", "-c", conf, "--check-config"],
                         capture_output=True)
    text = out.stdout.decode() + out.stderr.decode()
    want = "%s: configuration is valid (1 router, 1 bill)" % conf
    if out.returncode != 0 or want not in text:
        raise AssertionError("--check-config: exit %d, want %r in\n%s"
                             % (out.returncode, want, text))


def main():
    args = harness.parse_args("tikstatd", "tikstat")
    with harness.Session("cfgerrors.") as w:
        conf = w.path("bad.conf")
        harness.write_file(conf, BAD)
        check_start(args, conf)
        check_cli(args, conf)
        check_summary(args, w)
        check_reload(args, w, w.path("tikstat.conf"))
    print("ok")


if __name__ == "__main__":
    main()
