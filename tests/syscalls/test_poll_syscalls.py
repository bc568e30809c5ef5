#!/usr/bin/env python3
"""System calls per poll (issue 13): a poll writes its commands at once.

Three routers polled every second. For a stretch of polls, strace counts
tikstatd's epoll_ctl and epoll_wait calls (every thread) while
tikstat_polls_total counts the polls. A poll's commands go out as soon as
they are started, not after an epoll round trip for EPOLLOUT: before,
every poll switched its socket's registration to EPOLLOUT and back (two
epoll_ctl per poll) and waited in epoll_wait for each command; now an
idle session stays registered for EPOLLIN, so fewer than one epoll_ctl
per poll is expected (a reconnection and the HTTP scrapes of /metrics
add a few). Counts, not times:
a loaded machine changes neither. Skipped (77) without strace or when
ptrace is not permitted. Standard library only."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check, get_ok as get  # noqa: E402

PASSWORD = "syscalls-Secret-pw-7c21"
ROUTERS = 3


def polls(port):
    return sum(float(m) for m in re.findall(r"^tikstat_polls_total\{[^}]*\} (\S+)$",
                                             get(port, "/metrics"), re.M))


def strace_counts(path):
    """{syscall: calls} of an strace -c table."""
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[3].isdigit() and w[-1] != "total":
                out[w[-1]] = int(w[3])
    return out


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    if not shutil.which("strace"):
        print("SKIP: strace is not installed")
        return 77
    with harness.Session("tikstat-syscalls-") as w:
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--routers",
                                                   str(ROUTERS)]))
        port = free_port()
        pw = w.secret("password", PASSWORD)
        routers = [harness.polled(name, f["port"], pw, "ether1", timeout=5)
                   for name, f in sorted(fake.routers.items())]
        harness.write_config(w.path("tikstat.conf"),
                             harness.section("tikstat", database=w.path("tikstat.db")),
                             harness.section("http", listen="127.0.0.1:%d" % port), *routers)
        d = w.daemon(args.tikstatd, w.path("tikstat.conf"))
        harness.wait_for(lambda: harness.answers(port), "tikstatd answering", 60)
        harness.wait_for(lambda: polls(port) >= 3 * ROUTERS, "every router polled", 60)
        out = w.path("strace.txt")
        tracer = subprocess.Popen(["strace", "-c", "-f", "-q", "-e", "trace=epoll_ctl,epoll_wait",
                                   "-o", out, "-p", str(d.pid)], stderr=subprocess.PIPE)
        time.sleep(1)
        if tracer.poll() is not None:
            print("SKIP: strace cannot attach: %s" % tracer.stderr.read().decode().strip())
            return 77
        p0 = polls(port)
        # Looked at every 5 s: each scrape is an HTTP connection, whose
        # registration in libmicrohttpd's own epoll set strace counts too.
        harness.wait_for(lambda: polls(port) >= p0 + 20 * ROUTERS, "20 more polls a router", 180,
                         interval=5)
        p1 = polls(port)
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=60)
        counts = strace_counts(out)
        n = p1 - p0
        print("%d polls: %s" % (n, counts))
        check(counts.get("epoll_ctl", 0) < 0.5 * n,
              "fewer than 0.5 epoll_ctl per poll (%d for %d polls)"
              % (counts.get("epoll_ctl", 0), n))
        check(counts.get("epoll_wait", 0) < 3 * n + 200,
              "epoll_wait not three per poll (%d for %d polls)" % (counts.get("epoll_wait", 0), n))
        d.stop()
    return harness.exit_status("system calls per poll: ok")


if __name__ == "__main__":
    sys.exit(main())
