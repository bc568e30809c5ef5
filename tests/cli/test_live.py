#!/usr/bin/env python3
"""test_live.py --tikstat BIN: `tikstat -l` against a small event-stream
server standing in for tikstatd's GET /api/v1/live (the contract of
daemon/live.h): the request (path, query, Basic auth), the rate each
second, the replayed minute shown but not counted, a router-down status,
the summary on SIGINT (duration, bytes, average, peak), a refusal before
the stream (HTTP 404 with a JSON body), an error event, a stalled daemon
(reconnection, a replay not counted twice), oversized lines, and usage
errors. Waits poll with generous deadlines; nothing depends on speed."""
import base64
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import check  # noqa: E402

REPLAY_RX = 987654321  # the replayed minute's rate: never printed, never counted
LIVE = [(8000, 16000), (24000, 8000), (16000, 4000)]  # (rx_bps, tx_bps) per live second


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def sample(t, rx, tx):
    return 'data: {"time":"%s","rx_bps":%d,"tx_bps":%d}\n\n' % (iso(t), rx, tx)


class Server:
    """A listener on 127.0.0.1; each connection gets the next behaviour
    (the last repeats), a function (conn, request bytes). requests holds
    every request's head."""

    def __init__(self, *behaviours):
        self.behaviours = list(behaviours)
        self.requests = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            head = b""
            conn.settimeout(30)
            while b"\r\n\r\n" not in head:
                got = conn.recv(4096)
                if not got:
                    break
                head += got
            self.requests.append(head)
            behave = self.behaviours[min(len(self.requests), len(self.behaviours)) - 1]
            threading.Thread(target=self.run, args=(behave, conn), daemon=True).start()

    def run(self, behave, conn):
        try:
            behave(conn, self)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.done.set()
        self.sock.close()


def chunk(text):
    data = text.encode()
    return b"%x\r\n%s\r\n" % (len(data), data)


def stream_head(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n")


def replay(conn, now, seconds=3):
    """The last minute (here a few seconds of it), dated before now."""
    conn.sendall(chunk("".join(sample(now - seconds + i, REPLAY_RX, 1) for i in range(seconds))))


def live_seconds(conn, srv, rates, first=None):
    """One sample per second of rates, from the current second on."""
    t = first if first is not None else int(time.time())
    for rx, tx in rates:
        conn.sendall(chunk(sample(t, rx, tx)))
        t += 1
        srv.done.wait(1)
    return t


def normal(conn, srv):
    now = int(time.time())
    stream_head(conn)
    conn.sendall(chunk(": keep-alive comment\n\n"))
    replay(conn, now)
    t = live_seconds(conn, srv, LIVE[:2])
    conn.sendall(chunk('event: status\ndata: {"state":"down","reason":"timed out \\u001b[31m"}\n\n'))
    conn.sendall(chunk('event: status\ndata: {"state":"up"}\n\n'))
    live_seconds(conn, srv, LIVE[2:], first=t)
    srv.done.wait(120)  # stays open until the test ends


class Run:
    """tikstat -l as a child, its stdout read line by line."""

    def __init__(self, tikstat, *args):
        self.proc = subprocess.Popen([tikstat, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.err = []
        threading.Thread(target=self.read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self.read, args=(self.proc.stderr, self.err), daemon=True).start()

    @staticmethod
    def read(f, into):
        for line in f:
            into.append(line.rstrip("\n"))

    def rates(self):
        return [ln for ln in self.lines if ln.lstrip().startswith("rx:")]

    def stop(self):
        """SIGINT; the exit status."""
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=60)


def config(work, port, auth=True):
    conf = os.path.join(work, "tikstat.conf")
    pw = os.path.join(work, "http.pw")
    harness.write_secret(pw, "s3cret:pass")
    rpw = os.path.join(work, "router.pw")
    harness.write_secret(rpw, "x")
    http = harness.section("http", listen="127.0.0.1:%d" % port,
                           auth_user="viewer" if auth else None,
                           auth_password_file=pw if auth else None)
    harness.write_config(conf, harness.section("tikstat", database=os.path.join(work, "db")),
                         http, harness.polled("home", 1, rpw, "ether1, ether2"))
    return conf


def wait_exit(run, what):
    """The exit status, once tikstat ended and its stderr was read."""
    harness.wait_for(lambda: run.proc.poll() is not None, what, timeout=60)
    harness.wait_for(lambda: run.err, what + ": its message", timeout=30)
    return run.proc.returncode


def test_stream(tikstat, work):
    srv = Server(normal)
    conf = config(work, srv.port)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether1")
    harness.wait_for(lambda: len(run.rates()) >= 3, "three live seconds printed", timeout=60)
    rc = run.stop()
    harness.wait_for(lambda: any("peak" in ln for ln in run.lines), "the summary", timeout=30)
    srv.close()
    out = "\n".join(run.lines)
    check(rc == 0, "SIGINT ends tikstat -l with status 0, got %s (%s)" % (rc, run.err))
    head = srv.requests[0].decode("latin-1")
    check(head.startswith("GET /api/v1/live?router=home&interface=ether1 HTTP/1.1\r\n"),
          "the request line: %r" % head.split("\r\n")[0])
    want = "Basic " + base64.b64encode(b"viewer:s3cret:pass").decode()
    check("Authorization: %s\r\n" % want in head, "Basic auth from auth_user and its file")
    check("s3cret" not in out + "\n".join(run.err), "the password is never printed")
    check(str(REPLAY_RX) not in out and "987.65 Mbit/s" not in out,
          "the replayed minute is not shown as this session's rate")
    rates = run.rates()
    check(re.search(r"rx:\s+8\.00 kbit/s\s+tx:\s+16\.00 kbit/s", rates[0]) is not None,
          "the first live second: %r" % rates[0])
    check(any("router down: timed out \\x1b[31m" in ln.lower() for ln in run.lines),
          "a status event says the router is down, its reason escaped: %s" % run.lines)
    check("router up again" in run.lines, "and when it is back")
    m = re.search(r"home/ether1: (\d+):(\d\d):(\d\d), (\d+) seconds? of samples", out)
    check(m is not None, "the summary names the interface and the duration: %s" % out)
    if m:
        check(int(m.group(4)) == len(rates), "every printed second is counted once")
    check(re.search(r"bytes\s+5\.86 KiB\s+3\.42 KiB", out) is not None,
          "bytes: the rates' sum / 8 (48000 bit = 6000 B, 28000 bit = 3500 B): %s" % out)
    secs = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) if m else 0
    if secs <= 3:  # 3 samples: the average is over 3 seconds, never above the peak
        check(re.search(r"average\s+16\.00 kbit/s\s+9\.33 kbit/s", out) is not None,
              "average over the counted seconds when the watch was shorter: %s" % out)
    check(re.search(r"peak\s+24\.00 kbit/s\s+16\.00 kbit/s", out) is not None,
          "peak rx and tx: %s" % out)
    check(re.search(r"average\s+\S+ \S*bit/s\s+\S+ \S*bit/s", out) is not None, "average rx and tx")


def refuse_404(conn, srv):
    body = b'{"error":"unknown interface \\"ether9\\" of router \\"home\\""}'
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))


def no_endpoint(conn, srv):
    """A tikstatd from before the live stream: its route table's 404."""
    body = b'{"error":"not found"}'
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n" + chunk(body.decode()) + b"0\r\n\r\n")


def error_event(conn, srv):
    stream_head(conn)
    live_seconds(conn, srv, LIVE[:1])
    conn.sendall(chunk('event: error\ndata: {"error":"too many live viewers (live_viewers = 2)"}\n\n'))
    conn.sendall(b"0\r\n\r\n")


def test_refusals(tikstat, work):
    srv = Server(refuse_404)
    conf = config(work, srv.port, auth=False)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether9")
    rc = wait_exit(run, "tikstat -l after a 404")
    err = "\n".join(run.err)
    check(rc == 1, "a 404 ends tikstat -l with status 1, got %s" % rc)
    check("HTTP 404" in err and 'unknown interface "ether9"' in err,
          "the refusal says why, from the JSON body: %r" % err)
    check("Authorization" not in srv.requests[0].decode("latin-1"), "no auth_user: no credentials")
    srv.close()

    srv = Server(no_endpoint)
    conf = config(work, srv.port)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether1")
    rc = wait_exit(run, "tikstat -l against a tikstatd without the endpoint")
    err = "\n".join(run.err)
    check(rc == 1 and "HTTP 404: not found): this tikstatd has no live endpoint" in err,
          "a tikstatd without the live endpoint is named as such: %s %r" % (rc, err))
    srv.close()

    srv = Server(error_event)
    conf = config(work, srv.port)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether1")
    rc = wait_exit(run, "tikstat -l after an error event")
    err = "\n".join(run.err)
    check(rc == 1, "an error event ends tikstat -l with status 1, got %s" % rc)
    check("too many live viewers" in err, "the error event's reason is shown: %r" % err)
    srv.close()

    # No daemon: said at once, no endless retries.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    conf = config(work, port)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether1")
    rc = wait_exit(run, "tikstat -l without a daemon")
    check(rc == 1 and any("cannot connect to tikstatd" in ln for ln in run.err),
          "no daemon: one clear error: %s %s" % (rc, run.err))


def stall_then_serve(conn, srv):
    """Headers and one live second, then silence: a stalled daemon."""
    stream_head(conn)
    srv.first = live_seconds(conn, srv, LIVE[:1])
    srv.done.wait(120)


def resume(conn, srv):
    """The reconnection: a replay overlapping what was seen, then more."""
    stream_head(conn)
    conn.sendall(chunk(sample(srv.first - 1, LIVE[0][0], LIVE[0][1])))  # seen already
    live_seconds(conn, srv, LIVE[1:2], first=max(srv.first, int(time.time())))
    srv.done.wait(120)


def test_stall(tikstat, work):
    srv = Server(stall_then_serve, resume)
    conf = config(work, srv.port)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether1")
    harness.wait_for(lambda: any("sent nothing for 15 s" in ln for ln in run.err),
                     "the stall noticed", timeout=90)
    harness.wait_for(lambda: len(run.rates()) >= 2, "the stream resumed", timeout=90)
    rc = run.stop()
    harness.wait_for(lambda: any("peak" in ln for ln in run.lines), "the summary", timeout=30)
    srv.close()
    out = "\n".join(run.lines)
    check(rc == 0, "SIGINT after a reconnection: status 0, got %s" % rc)
    check(len(srv.requests) == 2, "one reconnection, got %d requests" % len(srv.requests))
    check(len(run.rates()) == 2, "the overlapping replay is not shown again: %s" % run.rates())
    check(re.search(r", 2 seconds of samples", out) is not None, "nor counted twice: %s" % out)


def oversized(conn, srv):
    stream_head(conn)
    conn.sendall(chunk("data: " + "x" * 10000))
    srv.done.wait(60)


def test_bounds_and_usage(tikstat, work):
    srv = Server(oversized)
    conf = config(work, srv.port)
    run = Run(tikstat, "-l", "-c", conf, "-r", "home", "-i", "ether1")
    rc = wait_exit(run, "tikstat -l after an oversized line")
    check(rc == 1 and any("beyond the bounds" in ln for ln in run.err),
          "an oversized line ends the stream: %s %s" % (rc, run.err))
    srv.close()
    for args, what in ((["-l", "-c", conf, "-r", "home"], "which interface"),
                       (["-l", "-c", conf, "-r", "home", "-i", "ether1", "--json"], "-l takes only"),
                       (["-l", "--db", os.path.join(work, "db")], "-l takes only")):
        p = subprocess.run([tikstat] + args, capture_output=True, text=True, timeout=60)
        check(p.returncode == 2 and what in p.stderr, "usage %s: %s %r" % (args, p.returncode, p.stderr))


def main():
    args = harness.parse_args("tikstat")
    with harness.Session("test_live.") as session:
        work = session.dir
        test_stream(args.tikstat, work)
        test_refusals(args.tikstat, work)
        test_bounds_and_usage(args.tikstat, work)
        test_stall(args.tikstat, work)
    return harness.exit_status("tikstat -l: all checks passed")


if __name__ == "__main__":
    sys.exit(main())
