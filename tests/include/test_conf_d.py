#!/usr/bin/env python3
"""include = conf.d/*.conf: --check-config counts the files read, and a
router added in conf.d is polled after a SIGHUP (the reload re-reads the
included files). Standard library only."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check  # noqa: E402

PASSWORD = "conf-d-Secret-pw-1234"


def check_config(args, conf, want):
    """--check-config's summary holds want (as the daemon's user when the
    test runs as root, as the daemon would read the files)."""
    user = daemon_user.args(os.path.dirname(conf))
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf] + user,
                         capture_output=True)
    text = out.stdout.decode("utf-8", errors="replace") + out.stderr.decode()
    check(out.returncode == 0 and want in text,
          "--check-config: exit %d, want %r in\n%s" % (out.returncode, want, text))


def routers_up(port):
    """The routers with an interface that is up, from /api/v1/interfaces."""
    rows = json.loads(harness.get_ok(port, "/api/v1/interfaces"))
    return {r["router"] for r in rows if r["status"] == "up"}


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-conf-d-") as w:
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec",
                                                   "home:v7:plain", "--spec", "cabin:v7:plain"]))
        password = w.secret("password", PASSWORD)
        port = free_port()
        conf = w.path("tikstat.conf")
        os.mkdir(w.path("conf.d"), 0o755)
        harness.write_config(
            conf,
            harness.section("tikstat", database=w.path("tikstat.db"), commit_interval=1,
                            include="conf.d/*.conf"),
            harness.section("http", listen="127.0.0.1:%d" % port),
            harness.polled("home", fake.routers["home"]["port"], password, "ether1"))
        check_config(args, conf, "configuration is valid (1 router)")  # an empty conf.d

        daemon = w.daemon(args.tikstatd, conf)
        harness.expect_soon(lambda: routers_up(port) == {"home"}, "home polled", 60, 0.3,
                            ignore=(OSError, ValueError))

        harness.write_config(w.path("conf.d", "cabin.conf"),
                             harness.polled("cabin", fake.routers["cabin"]["port"], password,
                                            "ether1"))
        check_config(args, conf, "configuration is valid (2 files, 2 routers)")
        daemon.reload()
        harness.expect_soon(lambda: routers_up(port) == {"home", "cabin"},
                            "cabin (conf.d) polled after the reload", 60, 0.3,
                            ignore=(OSError, ValueError))
        daemon.stop(timeout=30)
    return harness.exit_status("ok")


if __name__ == "__main__":
    sys.exit(main())
