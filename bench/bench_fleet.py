#!/usr/bin/env python3
"""bench_fleet.py: one tikstatd polling a fleet (issue 13). Prints
figures; asserts none of them.

Set-up: FAKES simulator processes serving ROUTERS routers between them
(one port each, ephemeral on 127.0.0.1), tikstatd polling `ether1` of
every router every INTERVAL s. Once every router is up, for SECONDS s:

  - polls on time: the share of polls that started within 1 s (and within
    100 ms) of their schedule, from tikstat_poll_lateness_seconds, and the
    polls per second;
  - tikstat_routers_overdue, sampled every second (the worst seen);
  - tikstatd's CPU (% of one core), RSS, open file descriptors, and bytes
    written to disk per second (/proc/PID/io write_bytes);
  - the simulators' own CPU, to see that they are not the bottleneck;
  - with --database URL (a PostgreSQL database instead of the SQLite file
    in the session's directory): the CPU of that database's server
    processes (backends whose title names the database) as well.

Exact totals under load are the integration tests' business
(tests/clients, tests/poll...), not this program's. Standard library
only; see bench/README.md."""
import argparse
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)
import fakectl  # noqa: E402
import harness  # noqa: E402
from bench_live import (cpu_seconds, histogram_delta, lateness_figures,  # noqa: E402
                        lateness_histogram, memory_kb)


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tikstatd", required=True)
    p.add_argument("--fakerouter", required=True)
    p.add_argument("--routers", type=int, default=1000)
    p.add_argument("--fakes", type=int, default=0,
                   help="simulator processes (default: one per 2,500 routers)")
    p.add_argument("--strace", action="store_true",
                   help="count tikstatd's system calls in the window (strace -c -f): per poll")
    p.add_argument("--interval", type=int, default=10)
    p.add_argument("--seconds", type=int, default=120)
    p.add_argument("--commit-interval", type=int, default=None,
                   help="[tikstat] commit_interval in seconds (default: tikstatd's, 60)")
    p.add_argument("--database", metavar="URL",
                   help="a postgresql:// database to record into (default: an SQLite file)")
    return p.parse_args()


def backends(dbname):
    """{pid: CPU seconds} of the PostgreSQL backends serving dbname (their
    process title: "postgres: USER DBNAME HOST(PORT) STATE")."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                title = f.read().decode("utf-8", "replace").split()
        except OSError:
            continue
        if len(title) >= 3 and title[0] == "postgres:" and title[2] == dbname:
            try:
                out[int(pid)] = cpu_seconds(int(pid))
            except OSError:
                pass
    return out


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def written(pid):
    with open("/proc/%d/io" % pid) as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    return 0


def metric(port, name):
    for line in harness.get_ok(port, "/metrics").splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def routers_up(port):
    return sum(1 for line in harness.get_ok(port, "/metrics").splitlines()
               if line.startswith("tikstat_up{") and line.rstrip().endswith(" 1"))


def strace_start(pid, path):
    """strace -c -f attached to pid (every thread), its table to path."""
    return subprocess.Popen(["strace", "-c", "-f", "-q", "-o", path, "-p", str(pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def strace_report(proc, path, polls):
    """Stops strace and prints its calls per poll, the most frequent first."""
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    rows = []
    with open(path) as f:
        for line in f:
            w = line.split()
            # % time, seconds, usecs/call, calls, [errors,] syscall
            if len(w) >= 5 and w[-1] != "total" and w[3].isdigit():
                rows.append((int(w[3]), int(w[4]) if len(w) == 6 else 0, w[-1]))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print("system calls: %d in the window, %.2f per poll (%d polls)"
          % (total, total / max(polls, 1), polls))
    print("| system call | calls | per poll | errors |")
    print("| --- | --- | --- | --- |")
    for calls, errors, name in rows:
        if calls / max(polls, 1) >= 0.01:
            print("| %s | %d | %.2f | %d |" % (name, calls, calls / max(polls, 1), errors))


def on_time(delta, bound):
    """The share of the polls of a histogram delta that started within bound s."""
    if not delta or delta["count"] <= 0:
        return None
    within = max((n for le, n in delta["buckets"].items() if le <= bound), default=0.0)
    return within / delta["count"]


def main():
    a = parse()
    nfakes = a.fakes or max(1, (a.routers + 2499) // 2500)
    with harness.Session("bench-fleet-") as s:
        fakes, sections = [], []
        pw = s.secret("password", "bench")
        port = fakectl.free_port()
        database = a.database or s.path("tikstat.db")
        dbname = a.database.rsplit("/", 1)[-1].split("?")[0] if a.database else None
        sections += [harness.section("tikstat", database=database,
                                     commit_interval=a.commit_interval),
                     harness.section("http", listen="127.0.0.1:%d" % port)]
        for k in range(nfakes):
            n = a.routers // nfakes + (1 if k < a.routers % nfakes else 0)
            f = s.fake(fakectl.FakeRouter(a.fakerouter, ["--routers", str(n),
                                                         "--password", "bench"]))
            fakes.append(f)
            for name in sorted(f.routers, key=lambda x: int(x[1:])):
                sections.append(harness.section(
                    "router f%d-%s" % (k, name), host="127.0.0.1", port=f.routers[name]["port"],
                    user="admin", password_file=pw, interval=a.interval, timeout=10,
                    interfaces="ether1"))
        # 10,000 simulated routers take as many ephemeral ports after the
        # HTTP port was picked, and once took it: pick again if so.
        taken = {r["port"] for f in fakes for r in f.routers.values()}
        while port in taken:
            port = fakectl.free_port()
            sections[1] = harness.section("http", listen="127.0.0.1:%d" % port)
        harness.write_config(s.path("tikstat.conf"), *sections)
        t_start = time.monotonic()
        d = s.daemon(a.tikstatd, s.path("tikstat.conf"))
        harness.wait_for(lambda: harness.answers(port), "tikstatd answering", 120)
        harness.wait_for(lambda: routers_up(port) >= a.routers, "every router up",
                         120 + 3 * a.interval, interval=1)
        print("fleet: %d routers on %d simulator processes, every %d s; all up after %.0f s"
              % (a.routers, nfakes, a.interval, time.monotonic() - t_start))
        time.sleep(a.interval)  # past the first round
        h0, w0, t0 = lateness_histogram(port), written(d.pid), time.monotonic()
        cpu0 = cpu_seconds(d.pid)
        fcpu0 = sum(cpu_seconds(f.p.pid) for f in fakes)
        pg0 = backends(dbname) if dbname else {}
        worst_overdue = 0
        tracer = strace_start(d.pid, s.path("strace.txt")) if a.strace else None
        while time.monotonic() - t0 < a.seconds:
            time.sleep(1)
            worst_overdue = max(worst_overdue, metric(port, "tikstat_routers_overdue") or 0)
        t1 = time.monotonic()
        cpu1, w1, h1 = cpu_seconds(d.pid), written(d.pid), lateness_histogram(port)
        fcpu1 = sum(cpu_seconds(f.p.pid) for f in fakes)
        pg1 = backends(dbname) if dbname else {}
        delta = histogram_delta(h0, h1)
        mean, p99, polls = lateness_figures(delta)
        el = t1 - t0
        print("polls: %d in %.0f s (%.0f/s); on time within 1 s: %.2f %%, within 100 ms: %.2f %%; "
              "mean lateness %.1f ms, p99 in (%s, %s] s; worst tikstat_routers_overdue %d"
              % (polls or 0, el, (polls or 0) / el, 100 * (on_time(delta, 1.0) or 0),
                 100 * (on_time(delta, 0.1) or 0), 1000 * (mean or 0),
                 p99[0] if p99 else "-", p99[1] if p99 else "-", worst_overdue))
        mem = memory_kb(d.pid)
        print("tikstatd: CPU %.1f %% of one core, RSS %.1f MiB (peak %.1f MiB), %d open files, "
              "%.1f KiB/s written" % (100 * (cpu1 - cpu0) / el, mem["VmRSS"] / 1024,
                                      mem["VmHWM"] / 1024, fds(d.pid), (w1 - w0) / el / 1024))
        if tracer:
            # (the window's once-a-second scrapes of /metrics are counted too)
            strace_report(tracer, s.path("strace.txt"), int(polls or 0))
        print("simulators: CPU %.1f %% of one core in all" % (100 * (fcpu1 - fcpu0) / el))
        if dbname:
            # Backends that lived through the run (readers may come and go).
            pg = sum(pg1[p] - pg0.get(p, 0.0) for p in pg1)
            print("PostgreSQL backends of %s: CPU %.1f %% of one core (%d processes)"
                  % (dbname, 100 * pg / el, len(pg1)))
        d.stop(timeout=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
