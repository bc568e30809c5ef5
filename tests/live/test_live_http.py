#!/usr/bin/env python3
"""GET /api/v1/live against tikstatd polling the fake router (issue 11).

Checks, each printed as it passes:
  - the stream: text/event-stream, a retry line, one event a second with
    the fake router's rates (bits per second), times one second apart;
  - sharing: four viewers of two interfaces make two monitor-traffic
    streams on the router (the fake counts them), on the polling session
    (no second login);
  - cancellation: the router's stream ends a few seconds after the last
    viewer of an interface leaves;
  - the viewer cap ([http] live_viewers): the next viewer gets 503 with
    Retry-After and a JSON error;
  - refusals name what is wrong: unknown router or interface (404), a
    push-mode router (409), no interface named (400), no credentials (401);
  - a router that goes down ends the samples with a "down" status event
    saying why; they resume with an "up" event when it is back;
  - a slow reader (tiny receive window, never reads) is dropped, and its
    stream cancelled, while polls go on on schedule;
  - `tikstat -l` shows the rate from this endpoint (Basic auth from the
    configuration) and its summary on Ctrl-C;
  - a clean stop with viewers connected.
Standard library only.
"""
import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402

PASSWORD = "live-Router-pw-5e1"
WEB_USER, WEB_PASSWORD = "viewer", "live-Web-pw-77a0"
AUTH = "Basic " + base64.b64encode(("%s:%s" % (WEB_USER, WEB_PASSWORD)).encode()).decode()
CAP = 6


class Viewer:
    """One client of the event stream, read by a thread of its own:
    status, headers, and the events so far as (type, data, arrival)."""

    def __init__(self, port, query, auth=AUTH):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Accept": "text/event-stream"}
        if auth:
            headers["Authorization"] = auth
        self.c.request("GET", "/api/v1/live?" + query, headers=headers)
        self.r = self.c.getresponse()
        self.status = self.r.status
        self.headers = {k.lower(): v for k, v in self.r.getheaders()}
        self.events, self.retry, self.ended = [], None, False
        self.lock = threading.Lock()
        if self.status == 200:
            self.t = threading.Thread(target=self._read, daemon=True)
            self.t.start()
        else:
            self.body = self.r.read()

    def _read(self):
        typ, data = "", []
        try:
            for raw in iter(self.r.readline, b""):
                line = raw.decode().rstrip("\n")
                if line == "":
                    if data:
                        with self.lock:
                            self.events.append((typ, "\n".join(data), time.monotonic()))
                    typ, data = "", []
                elif line.startswith("retry: "):
                    self.retry = int(line[7:])
                elif line.startswith("event: "):
                    typ = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by close() (http.client then has no file left)
        self.ended = True

    def samples(self):
        with self.lock:
            return [json.loads(d) for t, d, _ in self.events if t == ""]

    def statuses(self):
        with self.lock:
            return [json.loads(d) for t, d, _ in self.events if t == "status"]

    def close(self):
        try:
            self.c.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.c.close()


def monitors(fake):
    return int(fake.cmd("monitors r0").split()[1])


def sessions(fake):
    stats = dict(w.split("=") for w in fake.cmd("stats r0").split()[1:])
    return int(stats["sessions"]), int(stats["logins"])


def metric(port, name):
    body = harness.request(port, "GET", "/metrics", headers={"Authorization": AUTH})[2].decode()
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def error_of(v):
    try:
        return json.loads(v.body)["error"]
    except (ValueError, KeyError):
        return repr(v.body)


def check_stream(fake, port):
    a = Viewer(port, "router=r0&interface=ether1")
    harness.check(a.status == 200, "live answers 200 (got %d)" % a.status)
    harness.check(a.headers.get("content-type") == "text/event-stream",
                  "content type text/event-stream (got %r)" % a.headers.get("content-type"))
    harness.wait_for(lambda: len(a.samples()) >= 4, "four samples of ether1")
    s = a.samples()
    harness.check(a.retry == 2000, "a retry line of 2000 ms first (got %r)" % a.retry)
    # the fake's ether1 grows 1.25 MB/s rx, 250 kB/s tx by default: 10 and 2 Mbit/s
    harness.check(all(x["rx_bps"] == 10000000 and x["tx_bps"] == 2000000 for x in s),
                  "rates are the router's bits per second: %r" % s[:2])
    times = [x["time"] for x in s]
    harness.check(all(t.endswith("Z") and len(t) == 20 for t in times),
                  "times are UTC seconds: %r" % times[:2])
    harness.check(len(set(times)) >= len(times) - 1, "one sample a second: %r" % times)
    fake.cmd("rate r0 ether1 500000 100000")
    harness.wait_for(lambda: a.samples()[-1]["rx_bps"] == 4000000,
                     "a new rate shows within seconds")
    print("ok: the stream carries the router's per-second rates", flush=True)
    return a


def check_cli(tikstat, conf):
    """tikstat -l against the daemon: a rate line a second, the summary on
    SIGINT. The fake's ether1 runs at 4 Mbit/s rx, 0.8 Mbit/s tx now."""
    p = subprocess.Popen([tikstat, "-c", conf, "-l", "-r", "r0", "-i", "ether1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = []
    try:
        for raw in p.stdout:
            lines.append(raw.decode())
            if len(lines) >= 3:
                break
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    text = "".join(lines) + out.decode()
    harness.check(p.returncode == 0, "tikstat -l exits 0 on Ctrl-C (%r, %r)" %
                  (p.returncode, err.decode()[-300:]))
    harness.check("rx:    4.00 Mbit/s   tx:  800.00 kbit/s" in text or
                  "rx:    4.00 Mbit/s" in text, "tikstat -l shows the rate: %r" % lines[:3])
    harness.check("r0/ether1:" in text and "peak" in text and "average" in text,
                  "tikstat -l prints a summary: %r" % text[-300:])
    print("ok: tikstat -l reads the endpoint", flush=True)


def check_sharing(fake, port, a):
    n_sessions, n_logins = sessions(fake)
    more = [Viewer(port, "router=r0&interface=ether1") for _ in range(2)]
    br = Viewer(port, "router=r0&interface=bridge")
    harness.wait_for(lambda: all(len(v.samples()) >= 2 for v in more + [br]),
                     "samples for every viewer")
    # a late joiner first gets the minute it missed
    harness.check(len(more[0].samples()) >= len(a.samples()) - 2,
                  "a new viewer first gets the last minute")
    harness.check(monitors(fake) == 2, "4 viewers of 2 interfaces: 2 streams on the router "
                  "(got %d)" % monitors(fake))
    harness.check(sessions(fake) == (n_sessions, n_logins),
                  "the streams run on the polling session: no new login (%r -> %r)" %
                  ((n_sessions, n_logins), sessions(fake)))
    print("ok: viewers of one interface share one router stream", flush=True)
    for v in [a] + more:
        v.close()
    harness.wait_for(lambda: monitors(fake) == 1, "ether1's stream cancelled", timeout=30)
    br.close()
    harness.wait_for(lambda: monitors(fake) == 0, "bridge's stream cancelled", timeout=30)
    print("ok: a stream is cancelled after its last viewer left", flush=True)


def check_cap(port):
    vs = [Viewer(port, "router=r0&interface=ether1") for _ in range(CAP)]
    harness.check(all(v.status == 200 for v in vs), "%d viewers accepted" % CAP)
    over = Viewer(port, "router=r0&interface=bridge")
    harness.check(over.status == 503 and over.headers.get("retry-after") == "5" and
                  "live_viewers" in error_of(over),
                  "viewer %d: 503, Retry-After, names live_viewers (%d %r)" %
                  (CAP + 1, over.status, error_of(over)))
    vs[0].close()

    def place():
        v = Viewer(port, "router=r0&interface=bridge")
        if v.status == 200:
            vs.append(v)
        return v.status == 200

    harness.wait_for(place, "a place frees up when a viewer leaves", timeout=30)
    for v in vs[1:]:
        v.close()
    print("ok: the viewer cap holds and frees up", flush=True)


def check_refusals(port):
    cases = [("router=r0&interface=nope", None, 404, "nope"),
             ("router=nope&interface=ether1", None, 404, "nope"),
             ("router=cabin&interface=lte1", None, 409, "push mode"),
             ("", None, 400, "interface"),
             ("router=r0&interface=ether1", "", 401, "authentication")]
    for query, auth, status, needle in cases:
        v = Viewer(port, query, auth=AUTH if auth is None else auth)
        harness.check(v.status == status and needle in error_of(v),
                      "%r: %d naming %r (got %d %r)" % (query, status, needle, v.status,
                                                        error_of(v)))
        harness.check("retry-after" not in v.headers,
                      "%r: no Retry-After (waiting does not help)" % query)
    print("ok: refusals say what is wrong", flush=True)


def check_down_up(fake, port):
    v = Viewer(port, "router=r0&interface=ether1")
    harness.wait_for(lambda: v.samples(), "samples before the outage")
    fake.cmd("refuse r0 on")
    harness.wait_for(lambda: any(s["state"] == "down" for s in v.statuses()),
                     "a down event", timeout=60)
    down = [s for s in v.statuses() if s["state"] == "down"][0]
    harness.check(down.get("reason"), "the down event says why: %r" % down)
    n = len(v.samples())
    fake.cmd("refuse r0 off")
    harness.wait_for(lambda: v.statuses()[-1]["state"] == "up" and len(v.samples()) > n,
                     "an up event and samples again", timeout=90)
    joined = Viewer(port, "router=r0&interface=ether1")
    harness.wait_for(lambda: joined.samples(), "a new viewer after the outage")
    harness.check(monitors(fake) == 1, "one stream again after the outage (got %d)" %
                  monitors(fake))
    v.close()
    joined.close()
    print("ok: a router that goes down ends the samples with its reason; they resume",
          flush=True)


def start_slow_reader(port):
    """A client that asks for bridge's stream and never reads, with the
    smallest receive buffer the kernel allows."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    s.connect(("127.0.0.1", port))
    s.sendall(("GET /api/v1/live?router=r0&interface=bridge HTTP/1.1\r\nHost: x\r\n"
               "Authorization: %s\r\n\r\n" % AUTH).encode())
    return s


def main():
    a = harness.parse_args("tikstatd", "tikstat", "fakerouter")
    with harness.Session("tikstat-live-") as ses:
        fake = ses.fake(FakeRouter(a.fakerouter,
                                   ["--password", PASSWORD, "--spec", "r0:v7:plain"]))
        port = free_port()
        pw = ses.secret("router.pw", PASSWORD)
        web = ses.secret("web.pw", WEB_PASSWORD)
        conf = ses.path("tikstat.conf")
        harness.write_config(
            conf,
            harness.section("tikstat", database=ses.path("tikstat.db"), timezone="UTC"),
            harness.section("http", listen="127.0.0.1:%d" % port, auth_user=WEB_USER,
                            auth_password_file=web, live_viewers=CAP),
            harness.polled("r0", fake.routers["r0"]["port"], pw, "ether1, bridge",
                           timeout=10),
            harness.section("router cabin", mode="push", interfaces="lte1",
                            push_token_file=ses.secret("token", "live-push-token-0123456789")))
        d = ses.daemon(a.tikstatd, conf)
        harness.wait_for(lambda: not d.alive() or harness.request(
            port, "GET", "/api/v1/interfaces", headers={"Authorization": AUTH})[0] == 200,
                         "tikstatd answers", ignore=(OSError,))
        if not d.alive():
            raise AssertionError("tikstatd did not start")
        stream = check_stream(fake, port)
        check_cli(a.tikstat, conf)
        check_sharing(fake, port, stream)
        check_refusals(port)
        check_cap(port)
        harness.wait_for(lambda: monitors(fake) == 0, "no streams left", timeout=30)
        check_down_up(fake, port)
        harness.wait_for(lambda: monitors(fake) == 0, "no streams left", timeout=30)
        slow = start_slow_reader(port)
        harness.wait_for(lambda: monitors(fake) == 1, "the slow reader's stream starts")
        polls = metric(port, "tikstat_polls_total{router=\"r0\"}")
        harness.wait_for(lambda: metric(port, "tikstat_polls_total{router=\"r0\"}") > polls + 2,
                         "polls going on while a reader is stuck")
        began = time.monotonic()
        # the slow reader fills its window, is dropped, and its stream cancelled
        harness.wait_for(lambda: monitors(fake) == 0, "the slow reader dropped", timeout=240)
        print("ok: a reader that stops reading is dropped (after %.0f s)" %
              (time.monotonic() - began), flush=True)
        harness.check(metric(port, "tikstat_poll_lateness_seconds_count") > 5,
                      "poll lateness is measured")
        slow.close()
        last = Viewer(port, "router=r0&interface=ether1")
        harness.wait_for(lambda: last.samples(), "a viewer at the stop")
        harness.check(d.stop() == 0, "a clean stop with a viewer connected")
        harness.wait_for(lambda: last.ended, "the viewer's stream ends at the stop", timeout=30)
        return harness.exit_status("live endpoint: all checks passed")


if __name__ == "__main__":
    sys.exit(main())
