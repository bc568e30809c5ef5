#!/usr/bin/env python3
"""Simple queues and kid-control devices polled and accounted exactly
(issue 12), against the fake router's ground truth.

One v7 router with 2 queues and 3 devices, one v6 router (device table
empty) and one v6old router (no kid-control menu). Growth rates are zero;
bytes are added through the control channel once the daemon counts, and
after each event the totals of /api/v1/interfaces must have grown by
exactly what the router counted: download is rx (a queue's bytes= second
value, a device's bytes-down), upload tx. Events: plain traffic, a queue
re-created (new .id, counters zeroed), a listed queue not on the
router, a queue edited (counters reset, same
.id), a device's counters reset, a router reboot, a device changing its IP,
a device leaving ("missing"), max_devices reached (the cap is logged and in
/metrics, nothing else disturbed), the v6 and v6old routers logging what to
enable while their interfaces keep being counted, and --check-config
saying the same. The stored buckets of
every step equal the totals. Standard library only."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check, get_ok as get  # noqa: E402

PASSWORD = "clients-Secret-pw-7c21"
MACS = ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"]
DEADLINE = 60

# The database of the test (harness.test_database: a file, or a PostgreSQL
# URL), set once the work directory exists.
DATABASE = []


def write_config(path, workdir, port, fake):
    harness.write_config(
        path,
        harness.section("tikstat", database=DATABASE[0], commit_interval=1),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.polled("home", fake.routers["home"]["port"], workdir + "/password", "ether1",
                       timeout=5, queues="*", devices="kid-control", max_devices=4),
        harness.polled("old", fake.routers["old"]["port"], workdir + "/password", "ether1",
                       timeout=5, devices="kid-control", queues="queue1, nosuch"),
        harness.polled("older", fake.routers["older"]["port"], workdir + "/password", "ether1",
                       timeout=5, devices="kid-control"))


def rows(port, router="home"):
    """{(kind, interface): row} of /api/v1/interfaces?router=."""
    data = json.loads(get(port, "/api/v1/interfaces?router=" + router))
    return {(r["kind"], r["interface"]): r for r in data}


def totals(port):
    return {k: (r["rx_total"], r["tx_total"]) for k, r in rows(port).items()
            if k[0] != "interface"}


def wait(pred, what):
    return harness.expect_soon(pred, what, DEADLINE, 0.3, ignore=(OSError, KeyError))


def expect_growth(port, before, growth, what):
    """Waits until every counter grew by growth[key] (rx, tx), 0 for the
    others, and stays there for a poll or two."""
    def want():
        return {k: (v[0] + growth.get(k, (0, 0))[0], v[1] + growth.get(k, (0, 0))[1])
                for k, v in before.items()}
    wait(lambda: all(totals(port).get(k) == v for k, v in want().items()), what)
    time.sleep(2.5)
    now = totals(port)
    for k, v in want().items():
        check(now.get(k) == v, "%s: %s %s = %r, want %r" % (what, k[0], k[1], now.get(k), v))
    return now


def stored(database):
    """{(kind, name): {step: (rx, tx)}} of router home, summed over each
    step's buckets (either engine: harness.db_query)."""
    out = {}
    for kind, name, step, rx, tx in harness.db_query(
            database,
            "SELECT i.kind, %s, t.step, SUM(t.rx), SUM(t.tx) FROM traffic AS t"
            " JOIN interfaces AS i ON i.id = t.interface_id"
            " JOIN routers AS r ON r.id = i.router_id WHERE %s = 'home'"
            " GROUP BY i.kind, i.name, t.step"
            % (harness.sql_name_text("i.name"), harness.sql_name_text("r.name"))):
        out.setdefault((int(kind), name.encode("latin-1")), {})[int(step)] = (int(rx), int(tx))
    return out


def check_config(tikstatd, conf):
    """--check-config reads queues and devices once and says what it saw."""
    out = subprocess.run([tikstatd, "--check-config", "-c", conf], capture_output=True)
    text = out.stdout.decode("utf-8", errors="replace")
    print(text)
    check(out.returncode == 1, "--check-config exit %d, want 1 (a listed queue missing)"
          % out.returncode)
    check("  simple queues: 2 read (queues = *)\n  kid-control devices: 3 read\n" in text,
          "--check-config: home's queues and devices")
    check("  simple queue nosuch: NOT FOUND on the router" in text,
          "--check-config: the listed queue not on the router")
    check("  warning: the kid-control device table is empty; to turn kid control on without "
          "restricting anyone: /ip kid-control add name=tikstat" in text,
          "--check-config: v6 says what to enable")
    check("  warning: cannot read kid-control devices: " in text,
          "--check-config: v6old has no kid-control menu")


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-clients-", tail=10 ** 9) as w:
        fake = w.fake(FakeRouter(args.fakerouter, [
            "--password", PASSWORD, "--queues", "2", "--devices", "3",
            "--spec", "home:v7:plain", "--spec", "old:v6:plain", "--spec", "older:v6old:plain"]))
        for q in ("queue1", "queue2"):
            fake.cmd("queue home rate %s 0 0" % q)
        for m in MACS:
            fake.cmd("device home rate %s 0 0" % m)
        w.secret("password", PASSWORD)
        port = free_port()
        conf = w.path("tikstat.conf")
        DATABASE.append(harness.test_database(w))
        write_config(conf, w.dir, port, fake)
        check_config(args.tikstatd, conf)
        daemon = w.daemon(args.tikstatd, conf)

        q1, q2 = ("queue", "queue1"), ("queue", "queue2")
        d1, d2, d3 = (("device", m) for m in MACS)
        wait(lambda: len(totals(port)) == 5, "2 queues and 3 devices listed")
        r = rows(port)
        check(r[d1]["name"] == "kid phone 1" and r[d1]["address"] == "192.168.88.10",
              "device name and address from the router: %r" % r[d1])
        check(r[q1]["address"] == "192.168.88.10/32", "a queue's target: %r" % r[q1])
        check(all(v["status"] == "up" for v in r.values()), "all up: %r" % r)
        wait(lambda: rows(port)[d3]["name"] == MACS[2], "a device without any name: its MAC")
        daemon.wait_log("counting 3 new devices (3 tracked)")
        daemon.wait_log("counting 2 new queues (2 tracked)")
        base = totals(port)

        # Plain traffic: upload first in bytes=, download is rx.
        fake.cmd("queue home bytes queue1 1000 5000")
        fake.cmd("device home bytes %s 300 7000" % MACS[0])
        base = expect_growth(port, base, {q1: (5000, 1000), d1: (7000, 300)}, "traffic")

        # A queue re-created: a new .id and counters from 0; nothing lost.
        fake.cmd("queue home recreate queue2")
        fake.cmd("queue home bytes queue2 40 60")
        base = expect_growth(port, base, {q2: (60, 40)}, "queue re-created")

        # A queue edited: RouterOS resets its counters, the .id stays.
        fake.cmd("queue home edit queue1 comment=edited")
        fake.cmd("queue home bytes queue1 7 9")
        base = expect_growth(port, base, {q1: (9, 7)}, "queue edited (reset)")
        wait(lambda: rows(port)[q1]["name"] == "edited", "a queue's comment is its name")

        # A device's counters reset.
        fake.cmd("device home reset %s" % MACS[1])
        fake.cmd("device home bytes %s 11 13" % MACS[1])
        base = expect_growth(port, base, {d2: (13, 11)}, "device reset")

        # The router reboots: every counter zeroed, the uptime restarts.
        fake.cmd("reboot home 0.5")
        fake.cmd("device home rate %s 0 0" % MACS[0])
        daemon.wait_log("router home: up again")
        time.sleep(3)
        fake.cmd("device home bytes %s 100 200" % MACS[0])
        fake.cmd("queue home bytes queue1 1 2")
        base = expect_growth(port, base, {d1: (200, 100), q1: (2, 1)}, "after a reboot")

        # A device changes its IP: same counter, new address.
        fake.cmd("device home ip %s 192.168.88.99" % MACS[2])
        wait(lambda: rows(port)[d3]["address"] == "192.168.88.99", "new address shown")
        check(len(totals(port)) == 5, "an IP change is no new device")

        # A device leaves: shown as missing, its totals kept.
        fake.cmd("device home remove %s" % MACS[2])
        wait(lambda: rows(port)[d3]["status"] == "missing", "a gone device is missing")
        check(totals(port)[d3] == base[d3], "its totals stay")

        # max_devices = 4: a 4th device is tracked, a 5th is not.
        fake.cmd("device home add 02:00:00:00:00:aa 192.168.88.50")
        fake.cmd("device home add 02:00:00:00:00:BB 192.168.88.51")
        wait(lambda: ("device", "02:00:00:00:00:AA") in rows(port), "the 4th device")
        daemon.wait_log("4 devices tracked (max_devices): device 02:00:00:00:00:BB")
        metrics = get(port, "/metrics")
        check('tikstat_counters_cap_reached{router="home",kind="device"} 1' in metrics,
              "cap reached in /metrics")
        check('tikstat_counters_tracked{router="home",kind="device"} 4' in metrics,
              "4 devices tracked in /metrics")
        check(("device", "02:00:00:00:00:BB") not in rows(port), "the 5th is not listed")
        check('tikstat_device_rx_bytes_total{router="home",mac="%s"} %d' % (MACS[0], base[d1][0])
              in metrics, "a device's rx total in /metrics")
        check('tikstat_queue_tx_bytes_total{router="home",queue="queue1"} %d' % base[q1][1]
              in metrics, "a queue's tx total in /metrics")

        # Routers without per-device counters: said once, interfaces counted.
        daemon.wait_log("router old: the kid-control device table is empty")
        daemon.wait_log("/ip kid-control add name=tikstat mon=0s-1d")
        daemon.wait_log("router older: cannot read kid-control devices")
        for name in ("old", "older"):
            r = rows(port, name)
            check(r[("interface", "ether1")]["status"] == "up", "%s: ether1 up" % name)
            check(not any(k[0] == "device" for k in r), "%s: no devices: %r" % (name, r))
        # A list of queues: only those read; one not on the router is said once.
        daemon.wait_log("router old: simple queue nosuch: not on the router (queues lists it)")
        check(set(k for k in rows(port, "old") if k[0] == "queue") == {("queue", "queue1")},
              "old: only the listed queue that exists")
        text = daemon.text()
        check(text.count("router old: the kid-control device table is empty") == 1,
              "the empty table is said once")
        check(text.count("simple queue nosuch: not on the router") == 1,
              "a missing listed queue is said once")
        check("router old: down" not in text and "router older: down" not in text,
              "a missing menu is no failure of the router")

        daemon.stop(timeout=30)
        # Every step's buckets hold the totals (kind 1 queue, 2 device).
        final = base
        db = stored(DATABASE[0])
        for key, kind in ((q1, 1), (q2, 1), (d1, 2), (d2, 2)):
            steps = db.get((kind, key[1].encode()), {})
            for step in range(5):
                check(steps.get(step) == final[key],
                      "stored %s %s step %d: %r, want %r" % (key[0], key[1], step,
                                                             steps.get(step), final[key]))
    return harness.exit_status("ok")


if __name__ == "__main__":
    sys.exit(main())
