#!/usr/bin/env python3
"""Two tikstatd instances, one database (PostgreSQL under ctest): instance
A polls router alpha, B polls beta (one fake router process serving
both). Checks: each instance's /api/v1/interfaces lists both routers (its
own "configured": true, the other's false) with the simulator's exact
totals; /api/v1/traffic of the other instance's router matches the ground
truth; `tikstat -m` with either configuration shows both; /metrics of
each has only its own routers' series (Prometheus scrapes both: no series
twice). Then A is killed (-9) while alpha keeps counting, B keeps
answering all along, and A started again counts alpha exactly: its
counters are cumulative, nothing is lost. Standard library only.
"""
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check  # noqa: E402

PASSWORD = "fleet-Secret-pw-1234"
IFACES = ("ether1", "pppoe-out1")
OWNER = {"alpha": "A", "beta": "B"}


class Instance:
    """One tikstatd of the fleet: its configuration, port and process."""

    def __init__(self, work, args, name, router, db, fake):
        self.name, self.router = name, router
        self.port = free_port()
        self.conf = work.path("%s.conf" % name)
        harness.write_config(
            self.conf,
            harness.section("tikstat", database=db, timezone="Europe/Berlin", commit_interval=1,
                            cycle_start_day=1),
            harness.section("http", listen="127.0.0.1:%d" % self.port),
            harness.polled(router, fake.routers[router]["port"], work.path("password"),
                           ", ".join(IFACES)))
        self.d = work.daemon(args.tikstatd, self.conf, log_path=work.path("%s.log" % name))

    def interfaces(self):
        return json.loads(harness.get_ok(self.port, "/api/v1/interfaces"))


class Fleet:
    """The routers' expected totals: what the fake carried since the
    instances' first readings (every rate is 0, so only `add` counts)."""

    def __init__(self, fake):
        self.fake = fake
        for router in OWNER:
            for iface in IFACES:
                fake.cmd("rate %s %s 0 0" % (router, iface))
        self.base = {r: fake.truth(r) for r in OWNER}

    def expected(self):
        """{(router, iface): [rx, tx]} from the ground truth."""
        out = {}
        for r in OWNER:
            truth = self.fake.truth(r)
            for i in IFACES:
                b, t = self.base[r][i.encode()], truth[i.encode()]
                out[(r, i)] = [t[0] - b[0], t[1] - b[1]]
        return out

    def traffic(self, step):
        for n, (r, i) in enumerate((r, i) for r in OWNER for i in IFACES):
            self.fake.cmd("add %s %s %d %d" % (r, i, 1000003 * step + 7919 * n,
                                               500009 * step + n))


def view(inst):
    """{(router, iface): (configured, [rx, tx])} of the instance's API."""
    return {(d["router"], d["interface"]): (d["configured"], [d["rx_total"], d["tx_total"]])
            for d in inst.interfaces()}


def wait_views(instances, fleet, what):
    """Both instances list both routers, their own configured, with the
    exact totals."""
    def right(inst):
        want = {k: (OWNER[k[0]] == inst.name, v) for k, v in fleet.expected().items()}
        return view(inst) == want
    for inst in instances:
        if not harness.expect_soon(lambda: right(inst), "%s: %s" % (inst.name, what), 60, 0.3,
                                   (OSError,)):
            print("got %r\nwant %r" % (view(inst), fleet.expected()))


def check_traffic(inst, fleet):
    """The other router's year series sums to the ground truth."""
    other = "beta" if inst.router == "alpha" else "alpha"
    for iface in IFACES:
        doc = json.loads(harness.get_ok(
            inst.port, "/api/v1/traffic?router=%s&interface=%s&step=year" % (other, iface)))
        got = [sum(p["rx"] for p in doc["points"]), sum(p["tx"] for p in doc["points"])]
        check(got == fleet.expected()[(other, iface)],
              "%s: traffic of %s/%s %r != truth %r" % (inst.name, other, iface, got,
                                                       fleet.expected()[(other, iface)]))


def check_cli(args, inst, fleet):
    """tikstat -m with the instance's configuration shows both routers,
    and the other's totals exactly."""
    out = harness.tikstat(args.tikstat, inst.conf, "-m").decode("latin-1")
    check("alpha" in out and "beta" in out, "%s: tikstat -m shows both routers:\n%s"
          % (inst.name, out))
    doc = json.loads(harness.tikstat(args.tikstat, inst.conf, "-m", "--json"))
    check(sorted((d["router"], d["interface"]) for d in doc)
          == sorted(fleet.expected()), "%s: tikstat -m --json routers %r"
          % (inst.name, [(d["router"], d["interface"]) for d in doc]))
    for key, want in fleet.expected().items():
        got = harness.totals(args.tikstat, inst.conf, *key)
        check(got == want, "%s: tikstat totals of %s %r != %r" % (inst.name, key, got, want))


def check_metrics(inst):
    """/metrics: interface series of the instance's own router only."""
    text = harness.get_ok(inst.port, "/metrics")
    routers = set(re.findall(r'^tikstat_interface_rx_bytes_total\{router="([^"]*)"', text, re.M))
    check(routers == {inst.router}, "%s: /metrics interface series of %r" % (inst.name, routers))
    check('router="%s"' % ("beta" if inst.router == "alpha" else "alpha") not in text,
          "%s: /metrics names the other instance's router" % inst.name)


def kill_and_return(a, b, fleet):
    """kill -9 A while alpha counts on; B answers every request meanwhile;
    A back: alpha's totals exact."""
    a.d.stop(signal.SIGKILL)
    fleet.fake.cmd("rate alpha ether1 100000 50000")
    fleet.traffic(3)  # beta too, counted by B meanwhile
    failures, asked, end = 0, 0, time.monotonic() + 3
    while time.monotonic() < end:
        try:
            doc = b.interfaces()
            asked += 1
            if {d["router"] for d in doc} != {"alpha", "beta"}:
                failures += 1
        except OSError:
            failures += 1
        time.sleep(0.1)
    check(failures == 0 and asked > 0, "B answered every request while A was down: "
          "%d failures in %d" % (failures, asked + failures))
    fleet.fake.cmd("rate alpha ether1 0 0")
    a.d.start()
    harness.wait_for(lambda: harness.answers(a.port), "A answering again", 60)
    wait_views((a, b), fleet, "alpha exact after A's kill -9 and restart")
    grown = fleet.expected()[("alpha", "ether1")][0]
    check(grown > 1000003 * (1 + 2 + 3), "alpha counted while A was down: %d bytes" % grown)


def main():
    args = harness.parse_args("tikstatd", "tikstat", "fakerouter")
    with harness.Session("tikstat-fleet-") as work:
        fake = work.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--spec",
                                                      "alpha:v7:plain", "--spec", "beta:v7:plain"]))
        work.secret("password", PASSWORD)
        fleet = Fleet(fake)
        db = harness.test_database(work)
        a = Instance(work, args, "A", "alpha", db, fake)
        # B's first start creates nothing A has not (one schema, created once).
        harness.wait_for(lambda: harness.answers(a.port), "A answering", 60)
        b = Instance(work, args, "B", "beta", db, fake)
        harness.wait_for(lambda: harness.answers(b.port), "B answering", 60)
        for step in (1, 2):
            fleet.traffic(step)
            wait_views((a, b), fleet, "both routers, exact, after traffic %d" % step)
        for inst in (a, b):
            check_traffic(inst, fleet)
            check_cli(args, inst, fleet)
            check_metrics(inst)
        kill_and_return(a, b, fleet)
        check_traffic(b, fleet)
        a.d.stop()
        b.d.stop()
    return harness.exit_status("two instances, one database: every view whole and exact")


if __name__ == "__main__":
    sys.exit(main())
