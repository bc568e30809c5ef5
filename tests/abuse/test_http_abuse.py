#!/usr/bin/env python3
"""HTTP abuse while tikstatd polls: 1,000 slow connections dribbling their
headers from 127.0.0.2 ... 127.0.0.20 (reopened whenever the server cuts
them), malformed requests in a loop (bad percent-encoding, a NUL in the
target, 100 KB targets, 1,000-parameter URLs, bad methods, garbage), and
load (wrk when installed, else a pool of Python threads), all at once.

Asserted: every probe from another client is answered correctly within
PROBE_BOUND seconds (the measured p50 and max are printed: the target is
1 s), polling stays on schedule (the totals of /api/v1/interfaces keep
growing, no gap longer than GAP_BOUND), tikstatd's RSS stays under
RSS_BOUND_KB, it does not crash, and after the attack it answers normally
and stops cleanly on SIGTERM. Standard library only (plus wrk).
"""
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import check, rss_kb  # noqa: E402

PASSWORD = "abuse-Secret-pw-1234"
SLOW = 1000
ADDRESSES = ["127.0.0.%d" % i for i in range(2, 21)]
ATTACK_SECONDS = 45
PROBE_BOUND = 10.0     # seconds; generous: the machine is shared and loaded
GAP_BOUND = 15.0       # seconds without the polled totals growing
RSS_BOUND_KB = 200000  # a leak per request reaches GB in seconds
RATE = 1000000         # bytes/s the fake router's ether1 receives


def write_config(path, workdir, port, home_port):
    harness.write_config(
        path,
        harness.section("tikstat", database=workdir + "/tikstat.db", timezone="UTC",
                        commit_interval=1, log_level="info"),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.polled("home", home_port, workdir + "/password", "ether1", timeout=2))


def get(port, path, timeout=30):
    """(status, body, seconds) of one GET on a fresh connection; status 0
    when it failed."""
    t = time.monotonic()
    try:
        status, _, body = harness.request(port, "GET", path, timeout=timeout)
        return status, body, time.monotonic() - t
    except OSError as e:
        return 0, repr(e).encode(), time.monotonic() - t


class Slowloris(threading.Thread):
    """SLOW connections spread over ADDRESSES, each sending one header byte
    every 4 s and never finishing; a connection the server cuts is opened
    again. Counts the cuts."""

    def __init__(self, port, stop):
        super().__init__(daemon=True)
        self.port, self.stop, self.cuts, self.opened = port, stop, 0, 0
        self.header = (b"GET /api/v1/interfaces HTTP/1.1\r\nHost: x\r\nX-Slow: "
                       + b"a" * 100000)

    def open_one(self, i):
        s = socket.socket()
        s.bind((ADDRESSES[i % len(ADDRESSES)], 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            return None
        self.opened += 1
        return [s, 0]

    def run(self):
        conns = [self.open_one(i) for i in range(SLOW)]
        while not self.stop.is_set():
            for i, c in enumerate(conns):
                if c is not None:
                    try:
                        c[0].send(self.header[c[1]:c[1] + 1])
                        c[1] += 1
                        continue
                    except BlockingIOError:
                        continue  # still connecting
                    except OSError:
                        self.cuts += 1
                        c[0].close()
                conns[i] = self.open_one(i)
            self.stop.wait(4)
        for c in conns:
            if c is not None:
                c[0].close()


MALFORMED = [
    b"GET /api/v1/traffic?router=ho%zzme HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/traffic?router=%e HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /metrics\0/../x HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/interfaces?x=" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /metrics?" + b"&".join(b"a%d=1" % i for i in range(1000)) + b" HTTP/1.1\r\n\r\n",
    b"BREW /api/v1/interfaces HTTP/1.1\r\nHost: x\r\n\r\n",
    b"DELETE /api/v1/push HTTP/1.1\r\nHost: x\r\n\r\n",
    b"G\x01T / HTTP/1.1\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),
    b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /api/v1/push?token=x&rx=1&tx=1&interface=a HTTP/1.1\r\nHost: x\r\n"
    + b"X-Big: " + b"b" * 70000 + b"\r\n\r\n",
]


class Malformed(threading.Thread):
    def __init__(self, port, stop):
        super().__init__(daemon=True)
        self.port, self.stop, self.sent, self.answered_2xx = port, stop, 0, []

    def run(self):
        while not self.stop.is_set():
            for req in MALFORMED:
                try:
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                    s.sendall(req)
                    answer = s.recv(64)
                    s.close()
                except OSError:
                    answer = b""
                self.sent += 1
                if answer.startswith(b"HTTP/1.1 2"):
                    self.answered_2xx.append(req[:60])


class PythonLoad(threading.Thread):
    """A client looping on the API as fast as it is answered."""

    def __init__(self, port, stop, path):
        super().__init__(daemon=True)
        self.port, self.stop, self.path, self.done, self.bad = port, stop, path, 0, 0

    def run(self):
        while not self.stop.is_set():
            st, _, _ = get(self.port, self.path)
            self.done += 1
            self.bad += st != 200


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    stop = threading.Event()
    with harness.Session("tikstat-abuse-", tail=5000) as w:
        try:
            attack(args, w, stop)
        finally:
            stop.set()
    return 0


def attack(args, session, stop):
    """Starts the daemon in the harness.Session, attacks it until stop."""
    workdir = session.dir
    fake = session.fake(FakeRouter(args.fakerouter, ["--password", PASSWORD,
                                                     "--spec", "home:v7:plain"]))
    session.secret("password", PASSWORD)
    fake.cmd("rate home ether1 %d 0" % RATE)
    port = free_port()
    conf = os.path.join(workdir, "tikstat.conf")
    write_config(conf, workdir, port, fake.routers["home"]["port"])
    daemon = session.daemon(args.tikstatd, conf, env=harness.small_asan_quarantine())

    def totals():
        st, body, _ = get(port, "/api/v1/interfaces")
        if st != 200:
            return None
        return sum(d["rx_total"] for d in json.loads(body))

    end = time.monotonic() + 60
    while time.monotonic() < end and not totals():
        time.sleep(0.5)
    start_total = totals()
    check(start_total, "tikstatd never counted the fake router's traffic")
    rss_start = rss_kb(daemon.pid)

    print("attack: %d slow connections from %d addresses, malformed requests, load"
          % (SLOW, len(ADDRESSES)), flush=True)
    slow = Slowloris(port, stop)
    bad = Malformed(port, stop)
    workers = [slow, bad]
    wrk = shutil.which("wrk")
    wrk_proc = None
    if wrk:
        wrk_proc = subprocess.Popen([wrk, "-t2", "-c32", "-d%ds" % (ATTACK_SECONDS - 5),
                                     "http://127.0.0.1:%d/api/v1/interfaces" % port],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    else:
        print("wrk not installed: load from Python threads", flush=True)
        workers += [PythonLoad(port, stop, p) for p in ("/api/v1/interfaces", "/metrics",
                                                       "/api/v1/traffic?step=hour", "/")]
    for w in workers:
        w.start()

    lat, rss_max, last_total, last_change, max_gap = [], rss_start, start_total, None, 0.0
    t0 = time.monotonic()
    last_change = t0
    while time.monotonic() - t0 < ATTACK_SECONDS:
        st, body, took = get(port, "/api/v1/interfaces")
        lat.append(took)
        ok = st == 200
        if ok:
            doc = json.loads(body)
            ok = len(doc) == 1 and doc[0]["status"] == "up"
            total = doc[0]["rx_total"]
            now = time.monotonic()
            if total > last_total:
                max_gap = max(max_gap, now - last_change)
                last_total, last_change = total, now
        check(ok, "probe answered %d %r" % (st, body[:200]))
        if not check(daemon.alive(), "tikstatd died during the attack"):
            break
        rss_max = max(rss_max, rss_kb(daemon.pid))
        time.sleep(0.5)
    max_gap = max(max_gap, time.monotonic() - last_change)
    stop.set()
    for w in workers:
        w.join(timeout=30)
    if wrk_proc:
        out = wrk_proc.communicate(timeout=60)[0].decode(errors="replace")
        summary = [line.strip() for line in out.splitlines()
                   if "Requests/sec" in line or "Latency" in line or "requests in" in line
                   or "Non-2xx" in line or "Socket errors" in line]
        print("wrk: " + "; ".join(summary), flush=True)

    lat.sort()
    p50, mx = lat[len(lat) // 2], lat[-1]
    print("probes: %d, latency p50 %.3f s, max %.3f s (target 1 s, bound %.0f s)"
          % (len(lat), p50, mx, PROBE_BOUND), flush=True)
    print("slow connections opened %d, cut by the server %d; malformed requests %d"
          % (slow.opened, slow.cuts, bad.sent), flush=True)
    print("polling: totals grew %d -> %d bytes, longest gap %.1f s; RSS %d kB -> max %d kB"
          % (start_total or 0, last_total or 0, max_gap, rss_start, rss_max), flush=True)
    for w in workers:
        if isinstance(w, PythonLoad):
            print("load %s: %d requests, %d not 200" % (w.path, w.done, w.bad))
            check(w.bad == 0, "load %s: %d answers not 200" % (w.path, w.bad))
    check(mx < PROBE_BOUND, "a probe took %.1f s" % mx)
    check(max_gap < GAP_BOUND, "polling stalled for %.1f s" % max_gap)
    check(last_total - start_total >= RATE * 10, "polled totals grew only %d bytes"
          % (last_total - start_total))
    check(rss_max < RSS_BOUND_KB, "RSS reached %d kB" % rss_max)
    check(slow.cuts > 0, "no slow connection was ever cut")
    check(not bad.answered_2xx, "malformed requests answered 2xx: %r" % bad.answered_2xx)

    print("after the attack: normal answers, clean stop", flush=True)
    for path in ("/api/v1/interfaces", "/metrics", "/", "/api/v1/traffic?step=day"):
        st, body, took = get(port, path)
        check(st == 200 and body, "after the attack %s: %d" % (path, st))
    daemon.stop()
    harness.raise_if_failed()
    print("HTTP abuse: all checks passed")


if __name__ == "__main__":
    sys.exit(main())
