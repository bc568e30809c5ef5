#!/usr/bin/env python3
"""Out of file descriptors, tikstatd degrades instead of going deaf
(issue 13).

tikstatd runs with a low open files limit (soft = hard = LIMIT, as a
systemd unit without LimitNOFILE gives 1,024) and more polled routers
than fit (one fake router process simulating ROUTERS routers), plus a
router in push mode. While HTTP connections are held open:
- /api/v1/interfaces and /metrics keep answering, a push is accepted
  (204);
- the routers that fit the descriptor budget are polled and up, every
  other one is down with the error that says what to do, and the number
  up is the number of sessions the error says fit;
- tikstat_poll_failures_total counts their failures under
  reason="descriptors";
- the log says it once, however often the routers left out are retried;
- --check-config under the same limit warns.
Standard library only."""
import json
import os
import re
import resource
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check  # noqa: E402

LIMIT = 256
ROUTERS = 240
HELD = 40  # idle HTTP connections held open during the checks
PASSWORD = "fdlimit-Secret-pw-5e1"
TOKEN = "fdlimit-token-0123456789abcdef"
NEEDLE = "no file descriptor left for this router: %d routers with a limit of %d open files" % (
    ROUTERS, LIMIT)
DEADLINE = 120


def low_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


class LimitedDaemon(harness.Daemon):
    """tikstatd started with the low open files limit."""

    def start(self):
        user = harness.daemon_user.args(os.path.dirname(self.conf))
        with open(self.log_path, "ab") as log:
            self.p = subprocess.Popen([self.tikstatd, "-f", "-c", self.conf] + user,
                                      stdout=log, stderr=log, env=self.env,
                                      preexec_fn=low_limit)


def write_config(path, workdir, port, fake):
    pw = os.path.join(workdir, "password")
    harness.write_config(
        path,
        harness.section("tikstat", database=os.path.join(workdir, "tikstat.db"),
                        timezone="UTC", log_level="info"),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.section("router cabin", mode="push", push_token_file=workdir + "/token",
                        interfaces="lte1"),
        *(harness.polled(name, r["port"], pw, "ether1", timeout=30)
          for name, r in sorted(fake.routers.items())))


def rows(port):
    """{router: (status, error)} of the polled routers' ether1 rows."""
    out = {}
    for r in json.loads(harness.get_ok(port, "/api/v1/interfaces", timeout=20)):
        if r["mode"] == "poll" and r["interface"] == "ether1":
            out[r["router"]] = (r["status"], r["error"])
    return out


def descriptor_failures(port):
    """{router: tikstat_poll_failures_total{reason="descriptors"}}."""
    text = harness.get_ok(port, "/metrics", timeout=20)
    got = re.findall(r'^tikstat_poll_failures_total\{router="([^"]*)",reason="descriptors"\} '
                     r'(\d+)$', text, re.M)
    return {name: int(n) for name, n in got}


def settled(port):
    """The rows once every polled router is up or down for want of a
    descriptor; None before."""
    r = rows(port)
    if len(r) != ROUTERS:
        return None
    if all(st == "up" or (st == "down" and err and NEEDLE in err) for st, err in r.values()):
        return r
    return None


def check_degraded(port, daemon):
    r = harness.wait_for(lambda: settled(port), "every router up or out of descriptors",
                         DEADLINE, 0.5, ignore=(OSError, ValueError))
    up = [n for n, (st, _) in r.items() if st == "up"]
    down = {n: err for n, (st, err) in r.items() if st == "down"}
    print("%d routers up, %d down for want of a descriptor" % (len(up), len(down)))
    check(up and down, "some routers up (%d) and some left out (%d)" % (len(up), len(down)))
    err = next(iter(down.values()), "")
    print("status: %s" % err)
    fit = re.search(r"\((\d+) sessions fit\)", err or "")
    check(fit and int(fit.group(1)) == len(up),
          "the routers up are the sessions that fit: %d up, %s" % (len(up), err))
    check("raise LimitNOFILE (tikstatd.service) or ulimit -n" in (err or ""),
          "the status says what to do: %r" % err)
    # Retried, counted each time, logged once.
    harness.expect_soon(lambda: sum(1 for n in down if descriptor_failures(port).get(n, 0) >= 3)
                        == len(down), "every router left out counted 3 times",
                        DEADLINE, 0.5, ignore=(OSError,))
    fails = descriptor_failures(port)
    check(all(fails.get(n, 0) == 0 for n in up), "no descriptor failure of a router up")
    log = daemon.text()
    check(log.count("no file descriptor left for this router") == 1,
          "logged once: %d times" % log.count("no file descriptor left for this router"))
    check("open files limit %d: %d of %d polled routers fit" % (LIMIT, len(up), ROUTERS) in log,
          "the start says how many routers fit")
    check("Too many open files" not in log, "no router hit EMFILE")


def check_http(port):
    """HTTP answers with HELD connections held open: the API, /metrics,
    a push."""
    held = []
    try:
        for _ in range(HELD):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        check(harness.answers(port), "/api/v1/interfaces answers")
        st, _, body = harness.request(port, "GET", "/metrics", timeout=20)
        check(st == 200 and b'reason="descriptors"' in body, "/metrics answers: %d" % st)
        st, _, _ = harness.request(port, "GET", "/api/v1/push?token=%s&interface=lte1&rx=10"
                                   "&tx=20&uptime=100" % TOKEN, timeout=20)
        check(st == 204, "push accepted: %d" % st)
    finally:
        for s in held:
            s.close()


def check_config(args, conf):
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True,
                         preexec_fn=low_limit, timeout=600)
    text = out.stdout.decode("utf-8", errors="replace")
    warn = [line for line in text.splitlines() if line.startswith("warning:")]
    print("\n".join(warn))
    check(any("polled routers would get no session under the current open files limit" in w
              and NEEDLE in w for w in warn), "--check-config warns")


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-fdlimit-") as w:
        fake = w.fake(FakeRouter(args.fakerouter,
                                 ["--password", PASSWORD, "--routers", str(ROUTERS)]))
        w.secret("password", PASSWORD)
        w.secret("token", TOKEN)
        port = free_port()
        conf = w.path("tikstat.conf")
        write_config(conf, w.dir, port, fake)
        check_config(args, conf)  # as root, before the files go to the daemon's user
        daemon = w.daemon(args.tikstatd, conf, cls=LimitedDaemon)
        harness.wait_for(lambda: harness.answers(port), "HTTP up", DEADLINE, 0.5)
        check_http(port)
        check_degraded(port, daemon)
        check_http(port)
        check(daemon.alive(), "tikstatd still runs")
        daemon.stop()
    return harness.exit_status("out of descriptors: degraded, never deaf")


if __name__ == "__main__":
    sys.exit(main())
