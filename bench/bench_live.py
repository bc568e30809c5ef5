#!/usr/bin/env python3
"""bench_live.py: what the live endpoint (GET /api/v1/live, Server-Sent
Events) costs tikstatd and how fresh its events are. Prints figures; it is
not a timed test and asserts none of them.

Set-up: the fake router with ROUTERS routers (--monitor-align: streaming
rows on whole seconds of the wall clock) and tikstatd polling every one of
them every INTERVAL s ([http] live_viewers = 200).

  phase A: no viewers for SECONDS s: tikstatd's CPU and the lateness of its
           poll schedule (tikstat_poll_lateness_seconds, delta over the phase).
  phase B: VIEWERS concurrent viewers spread over STREAMS interfaces (ether1
           of r0, r1, ...) for SECONDS s: the same, plus RSS, the delay from
           the router's sample to the event's arrival, events per viewer,
           the router-side monitor streams and the client's own CPU.
  after:   how long the router-side streams outlive the last viewer.

Exits non-zero only when the run itself failed (a process died, a viewer
was refused, nothing arrived). Standard library only. See bench/README.md."""
import argparse
import calendar
import json
import os
import re
import resource
import selectors
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import fakectl  # noqa: E402
import harness  # noqa: E402

LATENESS = "tikstat_poll_lateness_seconds"
# The fake router sends each monitor row this long after a whole second
# (--monitor-align=MS). tikstatd stamps a row with time(), whose second
# turns a clock tick (up to 10 ms) late: a row sent on the whole second
# would often be stamped with the second before.
ALIGN_MS = 50
CLK_TCK = os.sysconf("SC_CLK_TCK")


class RunFailed(Exception):
    """The run could not measure what it claims to (not a bad figure)."""


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--fakerouter", required=True)
    ap.add_argument("--routers", type=int, default=200, help="routers polled (default 200)")
    ap.add_argument("--interval", type=int, default=10, help="poll interval, s (default 10)")
    ap.add_argument("--viewers", type=int, default=100, help="concurrent viewers (default 100)")
    ap.add_argument("--streams", type=int, default=10,
                    help="interfaces the viewers watch, ether1 of r0.. (default 10)")
    ap.add_argument("--seconds", type=int, default=60, help="length of each phase (default 60)")
    ap.add_argument("--warmup", type=int, default=5,
                    help="seconds before phase B measures: connections, history (default 5)")
    a = ap.parse_args()
    if not 1 <= a.streams <= a.routers or a.viewers < 1 or a.seconds < 2 or a.interval < 1:
        ap.error("need 1 <= streams <= routers, viewers >= 1, seconds >= 2, interval >= 1")
    return a


# ---- the processes' figures ------------------------------------------------

def cpu_seconds(pid):
    """utime + stime of pid in seconds (/proc/PID/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def self_cpu_seconds():
    """The bench's own CPU (every thread, user + system)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def memory_kb(pid):
    """{"VmRSS": kB, "VmHWM": kB} of pid."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1])
    return out


class CpuMeter:
    """CPU of some processes over a stretch of wall time, as % of one core."""

    def __init__(self, readers):
        self.readers = readers  # name -> function returning CPU seconds
        self.start = {name: read() for name, read in readers.items()}
        self.t0 = time.monotonic()

    def percent(self):
        wall = time.monotonic() - self.t0
        return {name: 100.0 * (read() - self.start[name]) / wall
                for name, read in self.readers.items()}


# ---- /metrics: the poll lateness histogram -----------------------------------

METRIC_LINE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
LE_LABEL = re.compile(r'le="([^"]*)"')


def lateness_histogram(port):
    """{"sum", "count", "buckets": {le: cumulative count}} of the lateness
    histogram summed over its series, or None when /metrics lacks it."""
    status, _, body = harness.request(port, "GET", "/metrics")
    if status != 200:
        raise RunFailed("/metrics answered %d" % status)
    h = {"sum": 0.0, "count": 0.0, "buckets": {}}
    seen = False
    for line in body.decode("utf-8", "replace").splitlines():
        m = METRIC_LINE.match(line)
        if not m or not m.group(1).startswith(LATENESS):
            continue
        seen = True
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name == LATENESS + "_sum":
            h["sum"] += value
        elif name == LATENESS + "_count":
            h["count"] += value
        elif name == LATENESS + "_bucket":
            le = LE_LABEL.search(labels)
            if le:
                bound = float(le.group(1).replace("Inf", "inf"))
                h["buckets"][bound] = h["buckets"].get(bound, 0.0) + value
    return h if seen else None


def histogram_delta(before, after):
    """after - before, bucket by bucket; None if either is missing."""
    if before is None or after is None:
        return None
    return {"sum": after["sum"] - before["sum"], "count": after["count"] - before["count"],
            "buckets": {le: n - before["buckets"].get(le, 0.0)
                        for le, n in after["buckets"].items()}}


def histogram_bucket(h, q):
    """(lower, upper]: the bucket that holds the q-quantile. A histogram
    cannot say more (interpolating inside the bucket, as Prometheus'
    histogram_quantile does, only guesses); None when it counted nothing."""
    total = h["count"]
    if total <= 0:
        return None
    lower = 0.0
    for le in sorted(h["buckets"]):
        if h["buckets"][le] >= q * total:
            return lower, le
        lower = le
    return lower, float("inf")


def lateness_figures(delta):
    """(mean, p99's bucket, polls) of a histogram delta; Nones when absent."""
    if delta is None or delta["count"] <= 0:
        return None, None, (delta or {}).get("count")
    return delta["sum"] / delta["count"], histogram_bucket(delta, 0.99), delta["count"]


# ---- viewers: raw sockets on one selector thread ------------------------------

SECONDS_OF = {}  # event time text -> Unix second: 10 streams share each second's text


def second_of(stamp):
    """Unix second of an event's "time" ("2026-12-06T18:00:01Z")."""
    t = SECONDS_OF.get(stamp)
    if t is None:
        if len(SECONDS_OF) > 100000:
            SECONDS_OF.clear()
        t = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
        SECONDS_OF[stamp] = t
    return t


class Viewer:
    """One GET /api/v1/live: reads the head, then the chunked body, then the
    events; keeps (time second, arrival) of every data event."""

    def __init__(self, router, iface):
        self.router, self.iface = router, iface
        self.sock = None
        self.status = None
        self.chunked = False
        self.raw = b""     # received, not yet de-chunked
        self.chunk_left = 0  # bytes of the current chunk still to come (+2: CRLF)
        self.sse = b""     # de-chunked, not yet a whole event
        self.samples = []  # (time second, arrival wall time)
        self.status_events = []
        self.keepalives = 0
        self.closed = False
        self.error = None

    def connect(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        path = "/api/v1/live?router=%s&interface=%s" % (self.router, self.iface)
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Accept: text/event-stream\r\n\r\n" % path).encode())
        self.sock.setblocking(False)

    def feed(self, data, arrival):
        """Takes bytes received at arrival (wall clock seconds)."""
        self.raw += data
        if self.status is None and not self._head():
            return
        if self.chunked:
            self._dechunk()
        else:
            self.sse += self.raw
            self.raw = b""
        self._events(arrival)

    def _head(self):
        end = self.raw.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = self.raw[:end].decode("latin-1").split("\r\n")
        self.raw = self.raw[end + 4:]
        self.status = int(head[0].split()[1])
        self.chunked = any(h.lower().replace(" ", "") == "transfer-encoding:chunked"
                           for h in head[1:])
        return True

    def _dechunk(self):
        while self.raw:
            if self.chunk_left == 0:
                eol = self.raw.find(b"\r\n")
                if eol < 0:
                    return
                size = int(self.raw[:eol].split(b";")[0], 16)
                self.raw = self.raw[eol + 2:]
                if size == 0:
                    self.closed = True
                    return
                self.chunk_left = size + 2
            take = self.raw[:self.chunk_left]
            self.raw = self.raw[len(take):]
            data_left = max(0, self.chunk_left - 2)  # the chunk's closing CRLF is no text
            self.sse += take[:data_left]
            self.chunk_left -= len(take)

    def _events(self, arrival):
        if b"\r" in self.sse:
            self.sse = self.sse.replace(b"\r\n", b"\n")
        while True:
            end = self.sse.find(b"\n\n")
            if end < 0:
                return
            block, self.sse = self.sse[:end].decode("utf-8", "replace"), self.sse[end + 2:]
            self._event(block, arrival)

    def _event(self, block, arrival):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith(":"):
                self.keepalives += 1
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if not data:
            return
        if name == "status":
            self.status_events.append("\n".join(data))
            return
        try:
            self.samples.append((second_of(json.loads("\n".join(data))["time"]), arrival))
        except (ValueError, KeyError) as e:
            self.error = "bad event %r: %s" % (block, e)


class Audience:
    """The viewers, read by one thread with a selector (cheap: the client
    must not steal the daemon's CPU)."""

    def __init__(self, port, viewers):
        self.port, self.viewers = port, viewers
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        for v in self.viewers:
            v.connect(self.port)
            self.sel.register(v.sock, selectors.EVENT_READ, v)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.2):
                self._read(key.data)

    def _read(self, v):
        try:
            data = v.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError as e:
            data, v.error = b"", str(e)
        if data:
            v.feed(data, time.time())
        if not data or v.closed:
            v.closed = True
            self.sel.unregister(v.sock)

    def close(self):
        """Stops the thread and hangs up every viewer."""
        self.stop.set()
        self.thread.join(timeout=10)
        for v in self.viewers:
            v.sock.close()


# ---- the set-up --------------------------------------------------------------

def start_rig(a, s):
    """The fake router and tikstatd, up and polling; returns (fake, daemon, http port)."""
    fake = s.fake(fakectl.FakeRouter(a.fakerouter, ["--routers", str(a.routers),
                                                    "--monitor-align=%d" % ALIGN_MS,
                                                    "--password", "bench"]))
    pw = s.secret("password", "bench")
    port = fakectl.free_port()
    sections = [harness.section("tikstat", database=s.path("tikstat.db")),
                harness.section("http", listen="127.0.0.1:%d" % port, live_viewers=200)]
    for name in sorted(fake.routers, key=lambda n: int(n[1:])):
        sections.append(harness.section("router " + name, host="127.0.0.1",
                                        port=fake.routers[name]["port"], user="admin",
                                        password_file=pw, interval=a.interval,
                                        interfaces="ether1, pppoe-out1"))
    harness.write_config(s.path("tikstat.conf"), *sections)
    d = s.daemon(a.tikstatd, s.path("tikstat.conf"))
    harness.wait_for(lambda: check_alive(fake, d) or harness.answers(port),
                     "tikstatd answering", 60)
    harness.wait_for(lambda: check_alive(fake, d) or routers_up(port) >= a.routers,
                     "every router up", 60 + 3 * a.interval)
    return fake, d, port


def routers_up(port):
    """How many routers /metrics shows as up."""
    body = harness.get_ok(port, "/metrics")
    return sum(1 for line in body.splitlines()
               if line.startswith("tikstat_up{") and line.rstrip().endswith(" 1"))


def monitors(fake, routers):
    """Streaming monitor-traffic commands open now on those routers."""
    return sum(int(fake.cmd("monitors " + r).split()[1]) for r in routers)


def check_alive(fake, d):
    """Raises RunFailed when tikstatd or the fake router has exited."""
    if not d.alive():
        raise RunFailed("tikstatd exited %s" % d.p.returncode)
    if fake.p.poll() is not None:
        raise RunFailed("the fake router exited %s" % fake.p.returncode)


def sleep_watching(seconds, fake, d):
    """Sleeps, checking every second that both processes still run."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
        check_alive(fake, d)


# ---- the phases --------------------------------------------------------------

def phase_a(a, fake, d, port):
    """No viewers: the daemon's CPU and the poll schedule's lateness."""
    before = lateness_histogram(port)
    cpu = CpuMeter({"tikstatd": lambda: cpu_seconds(d.pid),
                    "fakerouter": lambda: cpu_seconds(fake.p.pid)})
    sleep_watching(a.seconds, fake, d)
    out = {"cpu": cpu.percent(), "mem": memory_kb(d.pid)}
    out["lateness"] = lateness_figures(histogram_delta(before, lateness_histogram(port)))
    return out


def phase_b(a, fake, d, port):
    """VIEWERS viewers: CPU, RSS, delays, events, streams, lateness."""
    routers = ["r%d" % i for i in range(a.streams)]
    viewers = [Viewer(routers[i % a.streams], "ether1") for i in range(a.viewers)]
    audience = Audience(port, viewers)
    audience.start()
    try:
        sleep_watching(a.warmup, fake, d)
        refused = [v for v in viewers if v.status != 200]
        if refused:
            raise RunFailed("%d viewers without a stream (statuses %s)"
                            % (len(refused), sorted({v.status for v in refused}, key=str)))
        window_start = int(time.time()) + 1  # the first whole second measured
        before = lateness_histogram(port)
        cpu = CpuMeter({"tikstatd": lambda: cpu_seconds(d.pid),
                        "fakerouter": lambda: cpu_seconds(fake.p.pid),
                        "client": self_cpu_seconds})
        sleep_watching(a.seconds / 2, fake, d)
        streams = monitors(fake, routers)
        sleep_watching(a.seconds - a.seconds / 2, fake, d)
        out = {"cpu": cpu.percent(), "mem": memory_kb(d.pid), "streams": streams}
        window_end = int(time.time())  # seconds before it are whole in the window
        out["lateness"] = lateness_figures(histogram_delta(before, lateness_histogram(port)))
        time.sleep(1.5)  # the last second's events are still on their way
    finally:
        audience.close()
    out.update(event_figures(viewers, window_start, window_end))
    return out


def event_figures(viewers, start, end):
    """Delays and counts of the data events whose time is in [start, end)."""
    delays, counts, repeats = [], [], 0
    for v in viewers:
        mine = [(t, arrival) for t, arrival in v.samples if start <= t < end]
        delays.extend(arrival - t - ALIGN_MS / 1000 for t, arrival in mine)
        counts.append(len(mine))
        repeats += len(mine) - len({t for t, _ in mine})
    delays.sort()
    return {"delays": delays, "counts": counts, "expected": end - start, "repeats": repeats,
            "status_events": sum(len(v.status_events) for v in viewers),
            "keepalives": sum(v.keepalives for v in viewers),
            "dropped": sum(1 for v in viewers if v.closed),
            "errors": [v.error for v in viewers if v.error]}


def streams_linger(a, fake, d):
    """Seconds until the router-side streams are gone after the last viewer
    left (the daemon cancels them a few seconds after)."""
    routers = ["r%d" % i for i in range(a.streams)]
    t0 = time.monotonic()
    harness.wait_for(lambda: check_alive(fake, d) or monitors(fake, routers) == 0,
                     "the router-side streams to end", 60, interval=0.1)
    return time.monotonic() - t0


# ---- the report --------------------------------------------------------------

def pct(values, q):
    """Nearest-rank q-quantile of sorted values."""
    if not values:
        return None
    return values[min(len(values) - 1, max(0, int(q * len(values) + 0.999999) - 1))]


def fmt(value, unit="", scale=1.0, digits=1):
    if value is None:
        return "n/a"
    return "%.*f%s" % (digits, value * scale, unit)


def bucket_text(bucket):
    """A histogram bucket (seconds) as "(lower, upper] ms"."""
    if bucket is None:
        return "n/a"
    return "(%g, %g] ms" % (bucket[0] * 1000, bucket[1] * 1000)


def report(a, ra, rb, linger):
    rows = [("setup", "%d routers polled every %d s, %d viewers on %d streams (ether1 of r0..r%d), "
             "%d s per phase" % (a.routers, a.interval, a.viewers, a.streams, a.streams - 1,
                                 a.seconds))]
    for name, r in (("A (no viewers)", ra), ("B (%d viewers)" % a.viewers, rb)):
        mean, p99, n = r["lateness"]
        rows.append(("%s poll lateness" % name, "mean %s, p99 in %s, over %s polls"
                     % (fmt(mean, " ms", 1000), bucket_text(p99), fmt(n, "", 1, 0))))
        rows.append(("%s tikstatd CPU" % name, "%s of one core (fakerouter %s)"
                     % (fmt(r["cpu"]["tikstatd"], " %", 1, 2), fmt(r["cpu"]["fakerouter"], " %"))))
        rows.append(("%s tikstatd memory" % name, "VmRSS %d kB, VmHWM %d kB"
                     % (r["mem"]["VmRSS"], r["mem"]["VmHWM"])))
    d = rb["delays"]
    rows.append(("B sample -> viewer delay", "p50 %s, p99 %s, max %s (%d events)"
                 % (fmt(pct(d, 0.5), " ms", 1000), fmt(pct(d, 0.99), " ms", 1000),
                    fmt(d[-1] if d else None, " ms", 1000), len(d))))
    c = rb["counts"]
    rows.append(("B events per viewer", "min %d, mean %.1f, max %d, expected %d"
                 % (min(c), sum(c) / len(c), max(c), rb["expected"]) if c else "n/a"))
    rows.append(("B router-side streams", "%d (for %d viewers on %d interfaces)"
                 % (rb["streams"], a.viewers, a.streams)))
    rows.append(("B other events", "%d status, %d keep-alive, %d viewers dropped, "
                 "%d seconds stamped twice" % (rb["status_events"], rb["keepalives"],
                                               rb["dropped"], rb["repeats"])))
    rows.append(("B client CPU", "%s of one core (this script, %d viewers)"
                 % (fmt(rb["cpu"]["client"], " %", 1, 2), a.viewers)))
    rows.append(("streams after the last viewer", "gone after %s" % fmt(linger, " s")))
    width = max(len(k) for k, _ in rows)
    print("bench_live")
    for key, value in rows:
        print("  %-*s  %s" % (width, key, value))
    for e in rb["errors"][:5]:
        print("  viewer error:", e)


def main():
    a = parse_args()
    s = harness.Session("tikstat-bench-live.")
    try:
        with s:
            fake, d, port = start_rig(a, s)
            ra = phase_a(a, fake, d, port)
            rb = phase_b(a, fake, d, port)
            linger = streams_linger(a, fake, d)
            report(a, ra, rb, linger)
            if not rb["delays"]:
                raise RunFailed("no live event arrived in the measured window")
    except (RunFailed, AssertionError, OSError) as e:
        print("bench_live: run failed: %s (work directory kept: %s)" % (e, s.dir),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
