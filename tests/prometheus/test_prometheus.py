#!/usr/bin/env python3
"""Two tikstatd instances scraped by a real Prometheus (Debian's), which
remote-writes to a second one (issue 13).

Instance A polls router r0, instance B router r1 (disjoint router lists,
as docs/deployment.md asks). Prometheus scrapes both every second with the
shipped rules (etc/prometheus/tikstat-rules.yml; the recording group's
1-minute interval shortened to a second) and remote-writes everything to
a second Prometheus started with --web.enable-remote-write-receiver, as
docs/prometheus.md shows. Checked through Prometheus' own query API:

- every tikstat series of a router comes from exactly one instance, the
  one that polls it: labels are consistent and series never collide;
  the instance-wide series (database health, overdue routers) are there
  once per instance;
- the recording rules give each router's cycle bytes and the fleet's sum,
  equal to the sum of the raw series;
- alerts: r0 over its tiny quota fires TikstatQuotaExceeded; r1 refusing
  connections makes TikstatRouterDown pending (its `for` is 10 minutes);
- the remote-write receiver holds the same series;
- every query of the shipped Grafana dashboard (etc/grafana/) is valid
  PromQL against this Prometheus, and the main panels have data.
Standard library only."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check  # noqa: E402

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
RULES = os.path.join(SOURCE, "etc", "prometheus", "tikstat-rules.yml")
DASHBOARD = os.path.join(SOURCE, "etc", "grafana", "tikstat-dashboard.json")
PASSWORD = "prom-Secret-pw-7c21"
QUOTA = 1000000  # r0's quota: exceeded within seconds at the rate below


def start_instance(w, args, name, router, fake):
    port = free_port()
    f = fake.routers[router]
    conf = w.path("%s.conf" % name)
    harness.write_config(
        conf,
        harness.section("tikstat", database=w.path("%s.db" % name), commit_interval=1),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.section("router %s" % router, host="127.0.0.1", port=f["port"], user="admin",
                        password_file=w.path("password"), interval=1, timeout=5,
                        interfaces="ether1, ether2",
                        **({"quota": QUOTA} if router == "r0" else {})))
    w.daemon(args.tikstatd, conf, log_path=w.path("%s.log" % name))
    return port


class Prometheus:
    """A Prometheus server on loopback with its own data directory."""

    def __init__(self, w, name, config, extra=()):
        self.port = free_port()
        self.log = open(w.path("%s.log" % name), "wb")
        os.makedirs(w.path(name + "-data"))
        self.p = subprocess.Popen(
            ["prometheus", "--config.file=" + config,
             "--storage.tsdb.path=" + w.path(name + "-data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"] + list(extra),
            stdout=self.log, stderr=subprocess.STDOUT)
        harness.expect_soon(lambda: self.get("/-/ready") is not None, name + " ready", 60, 0.2,
                            (OSError,))

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=10) as r:
            return r.read()

    def query(self, expr):
        """The vector an instant query returns ([] when empty); raises on an
        invalid expression (Prometheus answers 400 with the reason)."""
        body = json.loads(self.get("/api/v1/query?" + urllib.parse.urlencode({"query": expr})))
        if body["status"] != "success":
            raise AssertionError("%s: %s" % (expr, body))
        return body["data"]["result"]

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()


def write_prometheus_config(w, targets, receiver_port):
    # The shipped rules, with the recording group evaluated every second
    # instead of every minute so that the test need not wait minutes.
    rules = re.sub(r"(?m)^    interval: 1m$", "    interval: 1s", open(RULES).read())
    harness.write_file(w.path("rules.yml"), rules.encode(), 0o644)
    harness.write_file(w.path("prometheus.yml"), (
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "rule_files:\n  - %s\n"
        "scrape_configs:\n  - job_name: tikstat\n    static_configs:\n"
        "      - targets: [%s]\n"
        "remote_write:\n  - url: http://127.0.0.1:%d/api/v1/write\n"
        "    queue_config: {batch_send_deadline: 1s}\n"
        % (w.path("rules.yml"), ", ".join("'127.0.0.1:%d'" % p for p in targets),
           receiver_port)).encode(), 0o644)
    harness.write_file(w.path("receiver.yml"), b"global:\n  scrape_interval: 1h\n", 0o644)


def instances_of(prom, expr):
    """{router: set(instance labels)} of the series expr selects."""
    out = {}
    for s in prom.query(expr):
        out.setdefault(s["metric"].get("router"), set()).add(s["metric"]["instance"])
    return out


def check_labels(prom, port_a, port_b):
    a, b = "127.0.0.1:%d" % port_a, "127.0.0.1:%d" % port_b
    owners = instances_of(prom, '{job="tikstat", __name__=~"tikstat_.+", router!=""}')
    check(owners == {"r0": {a}, "r1": {b}},
          "every router's series come from the one instance polling it: %s" % owners)
    for name in ("tikstat_interface_rx_bytes_total", "tikstat_cycle_tx_bytes"):
        keys = [(s["metric"]["router"], s["metric"]["interface"]) for s in prom.query(name)]
        check(sorted(keys) == [("r0", "ether1"), ("r0", "ether2"), ("r1", "ether1"),
                               ("r1", "ether2")] and len(set(keys)) == len(keys),
              "%s: one series per router and interface, no collision: %s" % (name, keys))
    for name in ("tikstat_database_ok", "tikstat_routers_overdue"):
        got = sorted(s["metric"]["instance"] for s in prom.query(name))
        check(got == sorted([a, b]), "%s once per instance: %s" % (name, got))


def check_recording(prom):
    def values(expr, label):
        return {s["metric"].get(label): float(s["value"][1]) for s in prom.query(expr)}
    # The rule and the raw series read at slightly different instants:
    # compare against the rule's own input at its evaluation instead.
    harness.expect_soon(lambda: set(values("router:tikstat_cycle_bytes:sum", "router")) ==
                        {"r0", "r1"}, "router:tikstat_cycle_bytes:sum for both routers", 60, 0.5)
    per_router = values("router:tikstat_cycle_bytes:sum", "router")
    fleet = values("fleet:tikstat_cycle_bytes:sum", None)
    check(per_router["r0"] > 0 and per_router["r1"] > 0, "cycle bytes counted: %s" % per_router)
    check(set(fleet) == {None}, "one fleet-wide cycle sum: %s" % fleet)
    raw = values("sum by (router) (tikstat_cycle_rx_bytes + tikstat_cycle_tx_bytes)", "router")
    check(set(raw) == set(per_router), "the rule covers the routers the raw series have")
    harness.expect_soon(lambda: values("router_interface:tikstat_rx_bits:rate5m", "router"),
                        "the rate rule has samples", 60, 0.5)


def alerts(prom, name):
    return {(s["metric"].get("router"), s["metric"].get("interface"), s["metric"]["alertstate"])
            for s in prom.query('ALERTS{alertname="%s"}' % name)}


def check_alerts(prom, fake):
    harness.expect_soon(lambda: ("r0", "ether1", "firing") in alerts(prom, "TikstatQuotaExceeded"),
                        "r0/ether1 over its quota fires TikstatQuotaExceeded", 90, 0.5)
    check(not any(r == "r1" for r, _, _ in alerts(prom, "TikstatQuotaExceeded")),
          "no quota alert for r1, which has no quota")
    fake.cmd("refuse r1 on")
    harness.expect_soon(lambda: ("r1", None, "pending") in alerts(prom, "TikstatRouterDown"),
                        "r1 refusing connections makes TikstatRouterDown pending", 90, 0.5)
    check(not any(r == "r0" for r, _, _ in alerts(prom, "TikstatRouterDown")),
          "r0 answers: no TikstatRouterDown for it")
    fake.cmd("refuse r1 off")


def check_remote_write(receiver):
    def routers():
        return {s["metric"]["router"]
                for s in receiver.query("tikstat_interface_rx_bytes_total")}
    harness.expect_soon(lambda: routers() == {"r0", "r1"},
                        "remote_write carried both routers' series to the receiver", 90, 0.5)
    jobs = {s["metric"].get("job") for s in receiver.query("tikstat_up")}
    check(jobs == {"tikstat"}, "the written series keep their job label: %s" % jobs)


def dashboard_queries():
    """(panel title, expr) of every target of the Grafana dashboard."""
    dash = json.load(open(DASHBOARD))
    ids = [p["id"] for p in dash["panels"]]
    check(len(ids) == len(set(ids)), "dashboard panel ids are unique")
    names = {v["name"] for v in dash["templating"]["list"]}
    check({"datasource", "router"} <= names, "dashboard has datasource and router variables")
    for p in dash["panels"]:
        for t in p.get("targets", []):
            yield p["title"], t["expr"]


def check_dashboard(prom):
    with_data = 0
    for title, expr in dashboard_queries():
        q = expr.replace("$__rate_interval", "1m").replace("$router", ".*")
        try:
            result = prom.query(q)
        except urllib.error.HTTPError as e:
            check(False, "dashboard panel %r: invalid PromQL %s: %s" % (title, q, e.read()))
            continue
        with_data += bool(result)
        if title in ("Routers up", "Download (rx) per interface", "This billing cycle per interface",
                     "Quota used", "Poll duration"):
            check(result, "dashboard panel %r has data" % title)
    print("# dashboard: %d queries valid, %d with data" % (len(list(dashboard_queries())),
                                                          with_data))


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    if not shutil.which("prometheus"):
        print("prometheus is not installed (scripts/deps.sh --test installs it)", file=sys.stderr)
        return 1
    with harness.Session("tikstat-prometheus-") as w:
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--routers", "2"]))
        w.secret("password", PASSWORD)
        for r in ("r0", "r1"):
            fake.cmd("rate %s ether1 200000 50000" % r)
        port_a = start_instance(w, args, "a", "r0", fake)
        port_b = start_instance(w, args, "b", "r1", fake)
        write_prometheus_config(w, [port_a, port_b], free_port())
        receiver = Prometheus(w, "receiver", w.path("receiver.yml"),
                              ["--web.enable-remote-write-receiver"])
        # The receiver's port is only known now: write the real config.
        write_prometheus_config(w, [port_a, port_b], receiver.port)
        prom = Prometheus(w, "prometheus", w.path("prometheus.yml"))
        try:
            harness.expect_soon(lambda: len(prom.query('up{job="tikstat"} == 1')) == 2,
                                "Prometheus scrapes both instances", 60, 0.5)
            harness.expect_soon(lambda: len(prom.query("tikstat_cycle_rx_bytes")) == 4,
                                "both instances' cycle series scraped", 60, 0.5)
            check_labels(prom, port_a, port_b)
            check_recording(prom)
            check_alerts(prom, fake)
            check_remote_write(receiver)
            check_dashboard(prom)
        finally:
            prom.stop()
            receiver.stop()
    return harness.exit_status("ok")


if __name__ == "__main__":
    sys.exit(main())
