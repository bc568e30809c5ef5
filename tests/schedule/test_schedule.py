#!/usr/bin/env python3
"""The poll schedule of a fleet (issue 13): polls spread over the interval,
lateness made visible.

20 routers polled every 4 s. Watching /api/v1/interfaces every 50 ms, the
moment each router's reading changes is its poll: modulo the interval
these moments must spread over the interval (before, every router polled
in the same burst of under a second), and each router keeps its phase
from one interval to the next. Then tikstatd is stopped (SIGSTOP) for 3 s
as if starved of CPU: once it runs again, /metrics says how many routers
were overdue (tikstat_routers_overdue > 0), the lateness histogram counts
polls more than a second late, and a second later the gauge is back to 0.
Timings here are the schedule's own (seconds apart), not speed: a loaded
machine shifts every poll alike. Standard library only."""
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check, get_ok as get  # noqa: E402

PASSWORD = "schedule-Secret-pw-41d7"
ROUTERS = 20
INTERVAL = 4


def write_config(path, workdir, port, fake):
    routers = [harness.section("router %s" % name, host="127.0.0.1", port=f["port"],
                               user="admin", password_file=workdir + "/password",
                               interval=INTERVAL, timeout=5, interfaces="ether1")
               for name, f in sorted(fake.routers.items())]
    harness.write_config(
        path, harness.section("tikstat", database=workdir + "/tikstat.db"),
        harness.section("http", listen="127.0.0.1:%d" % port), *routers)


def watch_polls(port, seconds):
    """{router: [monotonic times its reading changed]} over seconds."""
    seen, last = {}, {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        now = time.monotonic()
        for r in json.loads(get(port, "/api/v1/interfaces")):
            key = (r["last_reading"], r["rx_total"])
            if r["last_reading"] and last.get(r["router"]) != key:
                if r["router"] in last:
                    seen.setdefault(r["router"], []).append(now)
                last[r["router"]] = key
        time.sleep(0.05)
    return seen


def circular_span(phases, period):
    """The shortest arc of the circle of length period holding every phase."""
    ps = sorted(p % period for p in phases)
    gaps = [ps[i + 1] - ps[i] for i in range(len(ps) - 1)] + [ps[0] + period - ps[-1]]
    return period - max(gaps)


def metric(text, name):
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


def late_polls(text):
    """Polls that started more than a second late (the histogram's count
    minus its le="1.000" bucket)."""
    m = re.search(r'^tikstat_poll_lateness_seconds_bucket\{le="1\.000"\} (\d+)$', text, re.M)
    return metric(text, "tikstat_poll_lateness_seconds_count") - int(m.group(1))


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-schedule-", tail=10 ** 9) as w:
        fake = w.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD, "--routers",
                                                   str(ROUTERS)]))
        w.secret("password", PASSWORD)
        port = free_port()
        conf = w.path("tikstat.conf")
        write_config(conf, w.dir, port, fake)
        daemon = w.daemon(args.tikstatd, conf)
        harness.expect_soon(lambda: all(r["last_reading"] for r in json.loads(
            get(port, "/api/v1/interfaces"))), "every router read once", 60, 0.2, (OSError,))

        seen = watch_polls(port, 3 * INTERVAL + 1)
        firsts = [t[0] for t in seen.values() if t]
        check(len(firsts) == ROUTERS, "a poll of every router seen: %d" % len(firsts))
        span = circular_span(firsts, INTERVAL)
        print("# the polls of %d routers spread over %.1f s of the %d s interval"
              % (ROUTERS, span, INTERVAL))
        check(span >= INTERVAL / 2, "polls spread over the interval: %.2f s of %d s"
              % (span, INTERVAL))
        # Each router keeps its phase: its polls are whole intervals apart.
        drift = [abs(((b - a) + INTERVAL / 2) % INTERVAL - INTERVAL / 2)
                 for t in seen.values() for a, b in zip(t, t[1:])]
        check(drift and max(drift) < 0.8, "each router keeps its phase: worst %.2f s"
              % max(drift or [0]))

        text = get(port, "/metrics")
        check(metric(text, "tikstat_routers_overdue") == 0, "no router overdue at ease")
        late0 = late_polls(text)
        daemon.send(signal.SIGSTOP)
        time.sleep(3)
        daemon.send(signal.SIGCONT)
        peak, end = 0, time.monotonic() + 10
        while time.monotonic() < end and peak == 0:
            try:
                peak = metric(get(port, "/metrics"), "tikstat_routers_overdue")
            except OSError:
                pass
            time.sleep(0.02)
        print("# overdue after 3 s stopped: %d routers" % peak)
        check(peak > 0, "tikstat_routers_overdue counts the routers a stalled loop left behind")
        harness.expect_soon(lambda: metric(get(port, "/metrics"), "tikstat_routers_overdue") == 0,
                            "overdue back to 0", 30, 0.2, (OSError,))
        check(late_polls(get(port, "/metrics")) > late0,
              "the lateness histogram counts polls more than a second late")
    return harness.exit_status("ok")


if __name__ == "__main__":
    sys.exit(main())
