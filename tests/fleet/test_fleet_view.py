#!/usr/bin/env python3
"""Every instance shows the whole fleet: a database written for routers
home and office (seed_db, as one tikstatd would), read by a tikstatd whose
configuration has only home. Its /api/v1/interfaces lists office after
home with "configured": false, status "unknown" and office's exact totals;
traffic, traffic.csv, cycle (with the [tikstat] cycle_start_day), top and
bills answer for office (the same bytes as the CLI), and so do `tikstat -r
office -m`, --json, --csv and --top devices; a router in neither (nowhere)
stays a 404 and the CLI's "unknown router" error. Standard library only.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import free_port  # noqa: E402
from harness import check  # noqa: E402

TOKEN = "home-token-0123456789abcdef"
# office as seed_db writes it: lte1 5e9 + 1e9 rx, 5e8 tx; one device.
OFFICE_LTE1 = [6000000000, 500000000]
OFFICE_MODEM = ("AA:BB:CC:00:00:09", "modem", [5, 5])


def write_config(path, work, db, port):
    harness.write_config(
        path,
        harness.section("tikstat", database=db, timezone="Europe/Berlin", cycle_start_day=5,
                        commit_interval=1),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.section("router home", mode="push", push_token_file=work.secret("token", TOKEN),
                        interfaces="ether1"))


def cli(args, conf, *opts):
    """tikstat -c conf OPTS: (exit status, stdout, stderr)."""
    p = subprocess.run([args.tikstat, "-c", conf] + list(opts), capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def same_as_cli(port, args, conf, path, opts, what):
    """The API's body equals tikstat's output (retried across a bucket or
    second boundary: both take 'now' on their own)."""
    for _ in range(5):
        status, _, body = harness.request(port, "GET", path)
        rc, out, err = cli(args, conf, *opts)
        if status == 200 and rc == 0 and body == out:
            return body
        time.sleep(0.3)
    check(False, "%s: HTTP %d %r differs from tikstat %s (%d %r %s)"
          % (what, status, body[:300], opts, rc, out[:300], err))
    return body


def test_interfaces(port):
    doc = json.loads(harness.get_ok(port, "/api/v1/interfaces"))
    rows = [(d["router"], d["kind"], d["interface"]) for d in doc]
    check(rows == [("home", "interface", "ether1"), ("office", "interface", "lte1"),
                   ("office", "device", OFFICE_MODEM[0])],
          "interfaces: configured first, then office by kind and name: %r" % rows)
    check([d["configured"] for d in doc] == [True, False, False],
          "interfaces: configured %r" % doc)
    keys = ["router", "interface", "kind", "name", "mode", "status", "last_reading", "rx_total",
            "tx_total", "address", "error", "configured"]
    check(all(list(d) == keys for d in doc), "interfaces: keys %r" % [list(d) for d in doc])
    lte1, modem = doc[1], doc[2]
    check([lte1["rx_total"], lte1["tx_total"]] == OFFICE_LTE1, "office/lte1 totals %r" % lte1)
    check(lte1["status"] == "unknown" and lte1["mode"] is None and lte1["error"] is None
          and lte1["name"] == "lte1", "office/lte1 state %r" % lte1)
    check(lte1["last_reading"] == "2026-03-20T00:00:00+01:00",
          "office/lte1 last reading %r" % lte1["last_reading"])
    check(modem["name"] == OFFICE_MODEM[1] and [modem["rx_total"], modem["tx_total"]]
          == OFFICE_MODEM[2] and modem["status"] == "unknown", "office modem %r" % modem)
    only = json.loads(harness.get_ok(port, "/api/v1/interfaces?router=office"))
    check(only == doc[1:], "router=office: %r" % only)
    devices = json.loads(harness.get_ok(port, "/api/v1/interfaces?kind=device"))
    check(devices == doc[2:], "kind=device: %r" % devices)
    home = json.loads(harness.get_ok(port, "/api/v1/interfaces?router=home"))
    check(home == doc[:1], "router=home: %r" % home)


def test_reads(port, args, conf):
    for step, letter in (("5min", "-5"), ("hour", "-h"), ("day", "-d"), ("month", "-m"),
                         ("year", "-y")):
        same_as_cli(port, args, conf, "/api/v1/traffic?router=office&step=" + step,
                    ["-r", "office", letter, "--json"], "traffic office " + step)
    body = same_as_cli(port, args, conf,
                       "/api/v1/traffic.csv?router=office&interface=lte1&step=day"
                       "&from=2026-03-01&to=2026-03-31",
                       ["-r", "office", "-i", "lte1", "-d", "--csv", "-b", "2026-03-01",
                        "-e", "2026-03-31"], "traffic.csv office")
    check(b"\n2026-03-15" in body, "csv has the 15th: %r" % body[:200])
    body = same_as_cli(port, args, conf, "/api/v1/cycle?router=office&interface=lte1",
                       ["-r", "office", "-i", "lte1", "--cycle", "--json"], "cycle office")
    start = json.loads(body).get("start", "") if body else ""
    check(start[8:10] == "05", "office's cycle starts on [tikstat] cycle_start_day 5: %r" % start)
    same_as_cli(port, args, conf, "/api/v1/top?router=office&kind=device",
                ["--top", "devices", "-r", "office", "--json"], "top office")
    status, _, body = harness.request(port, "GET", "/api/v1/bills?router=office")
    check(status == 200 and json.loads(body) == [], "bills of office: %d %r" % (status, body))


def test_unknown(port, args, conf):
    for path in ("/api/v1/interfaces?router=nowhere", "/api/v1/traffic?router=nowhere",
                 "/api/v1/cycle?router=nowhere", "/api/v1/top?router=nowhere&kind=device",
                 "/api/v1/bills?router=nowhere",
                 "/api/v1/traffic.csv?router=nowhere&interface=lte1"):
        status, _, body = harness.request(port, "GET", path)
        check(status == 404 and b"unknown router" in body and b"nowhere" in body,
              "%s: %d %r" % (path, status, body))
    for opts in (["-r", "nowhere", "-m"], ["--top", "devices", "-r", "nowhere"],
                 ["--bill", "-r", "nowhere"]):
        rc, out, err = cli(args, conf, *opts)
        check(rc == 1 and "unknown router" in err and "nowhere" in err,
              "tikstat %s: %d %r" % (opts, rc, err))


def test_cli(args, conf):
    rc, out, err = cli(args, conf, "-r", "office", "-m")
    check(rc == 0 and b"lte1" in out and b"office" in out, "tikstat -r office -m: %d %r %s"
          % (rc, out[:300], err))
    for opts in (["-r", "office", "-d", "--json"], ["-r", "office", "-i", "lte1", "-h", "--csv"],
                 ["--top", "devices", "-r", "office", "-m"], ["--bill", "-r", "office"]):
        rc, out, err = cli(args, conf, *opts)
        check(rc == 0, "tikstat %s: %d %s" % (opts, rc, err))
    rc, out, err = cli(args, conf, "--top", "devices", "-r", "office", "--json", "--now",
                       "2026-04-03T00:00:00+02:00")
    doc = json.loads(out) if rc == 0 else {}
    names = [c.get("interface") for c in doc.get("items", [])] if isinstance(doc, dict) else []
    check(rc == 0 and names == [OFFICE_MODEM[0]], "tikstat --top devices -r office on April 3: "
          "%d %r %s" % (rc, out[:300], err))


def main():
    args = harness.parse_args("tikstatd", "tikstat", "seed-db")
    with harness.Session("tikstat-fleet-view-") as work:
        db = harness.test_database(work)
        subprocess.run([args.seed_db, db], check=True)
        port = free_port()
        conf = work.path("tikstat.conf")
        write_config(conf, work, db, port)
        d = work.daemon(args.tikstatd, conf)
        harness.wait_for(lambda: d.alive() and harness.answers(port), "tikstatd answering")
        test_interfaces(port)
        test_reads(port, args, conf)
        test_unknown(port, args, conf)
        test_cli(args, conf)
        d.stop()
    return harness.exit_status("every instance shows the whole fleet")


if __name__ == "__main__":
    sys.exit(main())
