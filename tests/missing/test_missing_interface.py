#!/usr/bin/env python3
"""An interface configured but not on the router is shown as such
everywhere: /api/v1/interfaces status "missing" with an error listing the
router's names (names with blanks quoted, valid UTF-8 kept, invalid bytes
escaped) and the likely meant name, tikstat_interface_up 0 in /metrics,
one log line per state change, and the same words in --check-config.
Standard library only."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check, get_ok as get  # noqa: E402

PASSWORD = "missing-Secret-pw-1234"
# What the simulated router has (simulator/model.c), as the list shows it.
HAS = 'it has: ether1, "ether2 lan", pppoe-out1, "wlan-caf\\xE9", bridge'


def write_config(path, workdir, port, home_port):
    harness.write_config(
        path,
        harness.section("tikstat", database=workdir + "/tikstat.db", commit_interval=1),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.polled("home", home_port, workdir + "/password",
                       "ether1, PPPOE-out1, ether1 pppoe-out1, wan", timeout=5))


def wait_for(pred, what, timeout=60):
    return harness.expect_soon(pred, what, timeout, 0.3, ignore=(OSError,))


def check_config(args, conf):
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True)
    text = out.stdout.decode("utf-8", errors="replace")
    print(text)
    check(out.returncode == 1, "--check-config exit %d, want 1" % out.returncode)
    check("configuration is valid (1 router)" in text, "--check-config: '1 router'")
    check("interface PPPOE-out1: not on the router; " + HAS + "; did you mean pppoe-out1?"
          in text, "--check-config: case hint")
    check('interface "ether1 pppoe-out1": not on the router; ' + HAS +
          "; separate names with commas: interfaces = ether1, pppoe-out1" in text,
          "--check-config: commas hint")
    check("interface wan: not on the router; " + HAS + "\n" in text,
          "--check-config: no hint without a likely name")


def check_wrong_port(args, workdir, tls_port):
    """The plain API against an api-ssl port: the hint names TLS."""
    conf = os.path.join(workdir, "wrongport.conf")
    harness.write_config(
        conf,
        harness.section("tikstat", database=workdir + "/wrongport.db"),
        harness.section("router r", host="127.0.0.1", port=tls_port, user="admin",
                        password_file=workdir + "/password", timeout=5, interfaces="ether1"))
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True)
    text = out.stdout.decode("utf-8", errors="replace")
    print(text)
    check(out.returncode == 1, "wrong port: exit %d, want 1" % out.returncode)
    check("hint: if this is the api-ssl port (8729), set tls = fingerprint (or verify)" in text
          or "hint: this port speaks TLS: set tls = fingerprint (or verify) and port = 8729"
          in text, "wrong port: the hint names TLS")


def check_daemon(args, conf, port, logpath):
    def rows():
        return {r["interface"]: r for r in json.loads(get(port, "/api/v1/interfaces"))}

    wait_for(lambda: rows()["wan"]["status"] == "missing", "status missing")
    r = rows()
    check(r["ether1"]["status"] == "up" and r["ether1"]["error"] is None, "ether1 up: %r" % r)
    check(r["PPPOE-out1"]["status"] == "missing", "PPPOE-out1 status: %r" % r["PPPOE-out1"])
    check(r["PPPOE-out1"]["error"] == "not on the router; " + HAS +
          "; did you mean pppoe-out1?", "PPPOE-out1 error: %r" % r["PPPOE-out1"]["error"])
    check(r["ether1 pppoe-out1"]["error"].endswith(
          "separate names with commas: interfaces = ether1, pppoe-out1"),
          "commas hint in the API: %r" % r["ether1 pppoe-out1"]["error"])
    metrics = get(port, "/metrics")
    check('tikstat_interface_up{router="home",interface="ether1"} 1' in metrics,
          "metric 1 for ether1")
    check('tikstat_interface_up{router="home",interface="PPPOE-out1"} 0' in metrics,
          "metric 0 for PPPOE-out1")
    # Several polls later, still one log line per missing interface.
    time.sleep(3)
    log = harness.read_text(logpath, "utf-8")
    lines = [l for l in log.splitlines() if "PPPOE-out1: not on the router" in l]
    check(len(lines) == 1, "one log line for PPPOE-out1, got %r" % lines)
    check(lines and lines[0].endswith("did you mean pppoe-out1?"), "log hint: %r" % lines)


def check_cli(args, conf):
    """The CLI sees only the database: it notes interfaces never read."""
    out = subprocess.run([args.tikstat, "-c", conf], capture_output=True)
    text = out.stdout.decode("utf-8", errors="replace")
    print(text)
    check(out.returncode == 0, "tikstat exit %d" % out.returncode)
    check('note: no reading yet of home/PPPOE-out1, home/"ether1 pppoe-out1", home/wan: '
          "are they on the router? tikstatd --check-config shows its names" in text,
          "tikstat notes the interfaces never read, names quoted")


def main():
    args = harness.parse_args("tikstatd", "fakerouter", "tikstat")
    with harness.Session("tikstat-missing-", tail=10 ** 9) as w:
        workdir = w.dir
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec",
                                                   "home:v7:plain", "--spec", "secure:v7:tls"]))
        w.secret("password", PASSWORD)
        port = free_port()
        conf = os.path.join(workdir, "tikstat.conf")
        write_config(conf, workdir, port, fake.routers["home"]["port"])
        check_config(args, conf)
        check_wrong_port(args, workdir, fake.routers["secure"]["port"])
        daemon = w.daemon(args.tikstatd, conf)
        check_daemon(args, conf, port, w.log_path)
        daemon.stop(timeout=30)
        check_cli(args, conf)
    return harness.exit_status("ok")


if __name__ == "__main__":
    sys.exit(main())
