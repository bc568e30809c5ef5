#!/usr/bin/env python3
"""bench_clients.py: a router with many simple queues and kid-control
devices (issue 12). Prints figures; asserts none of them.

Set-up: the fake router (v7) with QUEUES simple queues and DEVICES devices
(and their DHCP leases), tikstatd polling it every INTERVAL s with
`queues = *`, `devices = kid-control`, max_devices = 1000.

  phase 1: tikstatd runs until it tracks every queue and device, then
           stops; the database then holds a month of history added
           directly (the buckets tikstatd writes per counter and day:
           288 five-minute, 24 hour, 1 day), so that the database's growth
           per day and the "Who" ranking over a cycle are measured on real
           amounts.
  phase 2: tikstatd polls for SECONDS s: the duration of each poll round
           (tikstat_poll_duration_seconds: interfaces, queues, devices and
           leases), tikstatd's CPU share and RSS, and the response time of
           GET /api/v1/top (the "Who" view, 500 devices, this cycle) and of
           /api/v1/interfaces?kind=device.

Standard library only. See bench/README.md."""
import argparse
import os
import re
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import fakectl  # noqa: E402
import harness  # noqa: E402

PASSWORD = "bench-clients-pw-2b9e"
DAY = 86400


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tikstatd", required=True)
    p.add_argument("--fakerouter", required=True)
    p.add_argument("--queues", type=int, default=200)
    p.add_argument("--devices", type=int, default=500)
    p.add_argument("--interval", type=int, default=10)
    p.add_argument("--seconds", type=int, default=120)
    p.add_argument("--days", type=int, default=31, help="days of history added in phase 1")
    return p.parse_args()


def config(path, workdir, port, fake_port, interval):
    harness.write_config(
        path,
        harness.section("tikstat", database=workdir + "/tikstat.db"),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.section("router home", host="127.0.0.1", port=fake_port, user="admin",
                        password_file=workdir + "/password", interval=interval, timeout=10,
                        queues="*", devices="kid-control", max_devices=1000,
                        interfaces="ether1, pppoe-out1"))


def metric(text, name):
    m = re.search(r"^%s\{[^}]*\} (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def wait_tracked(port, queues, devices):
    def done():
        t = harness.get_ok(port, "/metrics")
        return (metric(t, "tikstat_counters_tracked") is not None
                and 'kind="queue"} %d' % queues in t and 'kind="device"} %d' % devices in t)
    harness.wait_for(done, "every queue and device tracked", timeout=120, ignore=(OSError,))


def add_history(db_path, days, now):
    """Buckets of `days` days for every queue and device, as tikstatd
    writes them (5-minute, hour, day; month and year rows exist already).
    Returns (bytes per counter-day, rows per counter-day)."""
    db = sqlite3.connect(db_path)
    ids = [r[0] for r in db.execute("SELECT id FROM interfaces WHERE kind IN (1, 2)")]
    db.execute("PRAGMA journal_mode=DELETE")
    size0 = os.path.getsize(db_path)
    today = now - now % DAY
    rows = 0
    for d in range(days, 0, -1):
        start = today - d * DAY
        batch = []
        for i in ids:
            v = 1000000 + (i * 7919) % 50000000
            batch += [(i, 0, start + k * 300, v, v // 8) for k in range(288)]
            batch += [(i, 1, start + h * 3600, 12 * v, 12 * v // 8) for h in range(24)]
            batch.append((i, 2, start, 288 * v, 288 * v // 8))
        db.executemany("INSERT OR IGNORE INTO traffic(interface_id, step, start, rx, tx)"
                       " VALUES (?, ?, ?, ?, ?)", batch)
        rows += len(batch)
        db.commit()
    size1 = os.path.getsize(db_path)
    db.close()
    n = max(1, len(ids) * days)
    return (size1 - size0) / n, rows / n, len(ids)


def timed_get(port, path, runs=20):
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        status, _, body = harness.request(port, "GET", path)
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    return status, len(body), times[len(times) // 2], times[-1]


def main():
    a = parse()
    work = tempfile.mkdtemp(prefix="bench-clients-")
    fake = fakectl.FakeRouter(a.fakerouter, ["--password", PASSWORD, "--spec", "home:v7:plain",
                                             "--queues", str(a.queues), "--devices",
                                             str(a.devices)])
    harness.write_secret(os.path.join(work, "password"), PASSWORD)
    port = fakectl.free_port()
    conf = os.path.join(work, "tikstat.conf")
    config(conf, work, port, fake.routers["home"]["port"], a.interval)
    log = os.path.join(work, "tikstatd.log")
    try:
        d = harness.Daemon(a.tikstatd, conf, log)
        wait_tracked(port, a.queues, a.devices)
        d.stop(timeout=60)
        per_day, rows_per_day, n = add_history(os.path.join(work, "tikstat.db"), a.days,
                                               int(time.time()))
        print("history: %d counters x %d days added; %.0f rows and %.1f KiB per counter-day"
              % (n, a.days, rows_per_day, per_day / 1024))
        print("database growth per day, %d queues + %d devices, before retention: %.1f MiB"
              % (a.queues, a.devices, per_day * n / 2 ** 20))
        d = harness.Daemon(a.tikstatd, conf, log)
        wait_tracked(port, a.queues, a.devices)
        time.sleep(a.interval)
        cpu0, t0 = cpu_seconds(d.pid), time.monotonic()
        durations = []
        polls0 = metric(harness.get_ok(port, "/metrics"), "tikstat_polls_total")
        while time.monotonic() - t0 < a.seconds:
            time.sleep(a.interval)
            durations.append(metric(harness.get_ok(port, "/metrics"),
                                    "tikstat_poll_duration_seconds"))
        cpu1, t1 = cpu_seconds(d.pid), time.monotonic()
        polls1 = metric(harness.get_ok(port, "/metrics"), "tikstat_polls_total")
        durations = sorted(x * 1000 for x in durations if x is not None)
        print("polls: %d in %.0f s; round duration (interfaces + %d queues + %d devices): "
              "median %.0f ms, max %.0f ms"
              % (polls1 - polls0, t1 - t0, a.queues, a.devices,
                 durations[len(durations) // 2], durations[-1]))
        print("tikstatd CPU: %.2f %% of one core; RSS %d KiB (peak %d KiB)"
              % (100 * (cpu1 - cpu0) / (t1 - t0), status_kb(d.pid, "VmRSS"),
                 status_kb(d.pid, "VmHWM")))
        for path in ("/api/v1/top?router=home&kind=device&period=cycle",
                     "/api/v1/top?router=home&kind=device&period=today",
                     "/api/v1/top?router=home&kind=queue&period=last_cycle",
                     "/api/v1/interfaces?kind=device"):
            status, size, med, worst = timed_get(port, path)
            print("GET %s: HTTP %d, %d bytes, median %.1f ms, max %.1f ms"
                  % (path, status, size, med, worst))
        print("database file: %.1f MiB" % (os.path.getsize(os.path.join(work, "tikstat.db"))
                                           / 2 ** 20))
        d.stop(timeout=60)
    finally:
        fake.stop()
    harness.shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
