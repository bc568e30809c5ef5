#!/usr/bin/env python3
"""The old PHP setup's routers, unchanged, against a real tikstatd serving
HTTPS itself (issue 9 section 2).

The old router script runs
  /tool fetch url=("https://example.com/mikrotik-traffic-status/traffic-receiver.php\\?tx=$txbyte&rx=$rxbyte&ip=$ip") mode=https keep-result=no
so its request is sent here byte for byte as RouterOS 6 /tool fetch sends it
(HTTP/1.0, "User-Agent: Mikrotik/6.x Fetch", "Host: example.com", no token)
over TLS (python's ssl, no certificate check, as check-certificate=no)
from 127.0.0.2, which the router's push_allow_from lists: 200 "OK", counted
(tikstat --json), numbers with blanks accepted, ip_file byte-exact as the
old receiver wrote it (no newline). The same from 127.0.0.3 is 403 and
stores nothing. Also: HTTPS serves the API and the dashboard, plain HTTP
still works, TLS 1.2 with ECDHE-RSA AES-CBC-SHA and AES-GCM (RouterOS 6)
is accepted, any path ending in /traffic-receiver.php is the legacy
receiver but /traffic-receiver.php.bak is not, /api/v1/push stays
token-only, and SIGHUP loads a renewed certificate.
Standard library only, plus the openssl command to make certificates.
"""
import os
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import free_port  # noqa: E402
from harness import check, expect_soon as wait_for  # noqa: E402

TOKEN = "legacy-token-0123456789abcdef"


def make_cert(workdir, name):
    """A self-signed certificate as the README shows (openssl req)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name,
                    "-keyout", os.path.join(workdir, "key.pem"),
                    "-out", os.path.join(workdir, "cert.pem")],
                   check=True, capture_output=True)
    os.chmod(os.path.join(workdir, "key.pem"), 0o600)


def write_config(path, workdir, port, tls_port):
    harness.write_config(
        path,
        harness.section("tikstat", database=workdir + "/tikstat.db", timezone="UTC",
                        commit_interval=1, log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % port,
                        https_listen="127.0.0.1:%d" % tls_port,
                        tls_cert_file=workdir + "/cert.pem", tls_key_file=workdir + "/key.pem"),
        harness.section("router cabin", mode="push", push_token_file=workdir + "/token",
                        push_allow_from="127.0.0.2, 2001:db8::/64",
                        ip_file=workdir + "/mikrotik-ip.txt", interfaces="ether1"),
        harness.section("router other", mode="push", push_token_file=workdir + "/token2",
                        push_allow_from="10.9.9.0/24", interfaces="lte1"))


def tls_context(maximum=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if maximum:
        ctx.maximum_version = maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def exchange(port, data, source="127.0.0.1", tls=True, ctx=None):
    """Sends data (bytes) from source over TLS (or plain); returns the whole
    answer, and the server's certificate (DER) over TLS."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    cert = None
    if tls:
        s = (ctx or tls_context()).wrap_socket(s, server_hostname="example.com")
        cert = s.getpeercert(binary_form=True)
    s.sendall(data)
    out = harness.read_all(s, (ssl.SSLError,))
    s.close()
    return out, cert


def old_script(tx, rx, ip, path="/mikrotik-traffic-status/traffic-receiver.php"):
    """The old router script's request, as RouterOS 6 /tool fetch sends it."""
    return ("GET %s?tx=%s&rx=%s&ip=%s HTTP/1.0\r\n"
            "Host: example.com\r\n"
            "User-Agent: Mikrotik/6.x Fetch\r\n"
            "\r\n" % (path, tx, rx, ip)).encode()


def status_of(answer):
    line = answer.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else 0


def get(port, path, tls=True):
    return exchange(port, ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                           % path).encode(), tls=tls)[0]


def totals(args, conf):
    """[tx, rx] of cabin/ether1 (the old script's order), None without a
    database yet."""
    rx_tx = harness.totals(args.tikstat, conf, "cabin", "ether1")
    return rx_tx and rx_tx[::-1]


def test_https_api(port, tls_port):
    print("HTTPS serves the API and the dashboard; plain HTTP still works")
    a = get(tls_port, "/api/v1/interfaces")
    check(status_of(a) == 200 and b'"router":"cabin"' in a.replace(b" ", b""),
          "HTTPS API: %r" % a[:200])
    a = get(tls_port, "/")
    check(status_of(a) == 200 and b"<html" in a.lower(), "HTTPS dashboard: %r" % a[:200])
    a = get(port, "/api/v1/interfaces", tls=False)
    check(status_of(a) == 200, "plain API: %r" % a[:200])
    for ciphers in ("ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA",
                    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"):
        try:
            a, _ = exchange(tls_port, b"GET /api/v1/interfaces HTTP/1.0\r\n\r\n",
                            ctx=tls_context(ssl.TLSVersion.TLSv1_2, ciphers))
        except ssl.SSLError as e:
            a = repr(e).encode()
        check(status_of(a) == 200, "TLS 1.2 %s (RouterOS 6): %r" % (ciphers, a[:120]))


def test_old_script(args, conf, workdir, tls_port):
    print("the old script's request over TLS from an allowed address")
    ipfile = os.path.join(workdir, "mikrotik-ip.txt")
    a, _ = exchange(tls_port, old_script(1000, 2000, "192.0.2.7/24"), source="127.0.0.2")
    check(status_of(a) == 200 and a.endswith(b"\r\n\r\nOK\n"), "old script (baseline): %r"
          % a[:300])
    wait_for(lambda: totals(args, conf) == [0, 0], "the baseline")
    time.sleep(1.1)
    # blanks inside the numbers, as the old receiver took them
    a, _ = exchange(tls_port, old_script("1%20004%20000", "2 010 000", "192.0.2.7/24"),
                    source="127.0.0.2")
    check(status_of(a) == 200, "old script with blanks in the numbers: %r" % a[:300])
    wait_for(lambda: totals(args, conf) == [1003000, 2008000], "the old script's push counted")
    check(totals(args, conf) == [1003000, 2008000], "totals %r" % (totals(args, conf),))
    check(open(ipfile, "rb").read() == b"192.0.2.7/24", "ip_file %r"
          % open(ipfile, "rb").read())

    print("the same from an address no router allows: 403, nothing stored")
    before = totals(args, conf)
    a, _ = exchange(tls_port, old_script(9000000, 9000000, "198.51.100.1/24"),
                    source="127.0.0.3")
    check(status_of(a) == 403 and b"push_allow_from" in a, "not allowed: %r" % a[:300])
    a, _ = exchange(tls_port, old_script("1%2000", "2", "198.51.100.1"), source="127.0.0.3")
    check(status_of(a) == 403, "not allowed, blanks: %r" % a[:300])
    time.sleep(1.5)
    check(totals(args, conf) == before, "a refused push changed the totals")
    check(open(ipfile, "rb").read() == b"192.0.2.7/24", "a refused push wrote ip_file")


def test_routing(args, conf, port, workdir):
    print("routing: any directory, not .bak; /api/v1/push stays token-only")
    time.sleep(1.1)
    a, _ = exchange(port, old_script(1004000, 2010000, "192.0.2.8/24", "/x/y/traffic-receiver.php"),
                    source="127.0.0.2", tls=False)
    check(status_of(a) == 200, "/x/y/traffic-receiver.php: %r" % a[:200])
    wait_for(lambda: open(os.path.join(workdir, "mikrotik-ip.txt"), "rb").read()
             == b"192.0.2.8/24", "ip_file via /x/y/traffic-receiver.php")
    a, _ = exchange(port, old_script(1, 2, "192.0.2.8", "/traffic-receiver.php.bak"),
                    source="127.0.0.2", tls=False)
    check(status_of(a) == 404, "/traffic-receiver.php.bak: %r" % a[:200])
    a, _ = exchange(port, old_script(1, 2, "192.0.2.8", "/a/../traffic-receiver.php"),
                    source="127.0.0.2", tls=False)
    check(status_of(a) == 400, "/a/../traffic-receiver.php: %r" % a[:200])
    a, _ = exchange(port, b"GET /api/v1/push?interface=ether1&rx=5&tx=5 HTTP/1.0\r\n\r\n",
                    source="127.0.0.2", tls=False)
    check(status_of(a) == 403, "/api/v1/push without a token from an allowed address: %r"
          % a[:200])
    a, _ = exchange(port, old_script("1 0", 2, "192.0.2.8", "/api/v1/push") .replace(
        b"?", ("?token=%s&interface=ether1&" % TOKEN).encode(), 1), tls=False)
    check(status_of(a) == 400, "/api/v1/push keeps numbers strict: %r" % a[:200])


def test_tls_limits(tls_port):
    print("over TLS: a trickled request is cut, an overlong target closed, not answered")
    s = socket.create_connection(("127.0.0.1", tls_port), timeout=60)
    s = tls_context().wrap_socket(s, server_hostname="example.com")
    start = time.monotonic()
    closed = False
    try:
        for c in b"GET /api/v1/interfaces HTTP/1.1\r\nX-Slow: " + b"a" * 200:
            s.sendall(bytes([c]))
            time.sleep(0.5)
            if time.monotonic() - start > 50:
                break
    except (OSError, ssl.SSLError):
        closed = True
    if not closed:
        try:
            closed = s.recv(100) == b""
        except (OSError, ssl.SSLError):
            closed = True
    s.close()
    check(closed and time.monotonic() - start < 50,
          "a trickled TLS request was not cut (%.1f s)" % (time.monotonic() - start))
    a, _ = exchange(tls_port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(b"200 OK" not in a, "overlong target over TLS answered: %r" % a[:100])
    a = get(tls_port, "/api/v1/interfaces")
    check(status_of(a) == 200, "HTTPS after the hostile clients: %r" % a[:100])


def test_sighup_cert(daemon, workdir, tls_port):
    print("SIGHUP loads a renewed certificate")
    _, old = exchange(tls_port, b"GET /api/v1/interfaces HTTP/1.0\r\n\r\n")
    make_cert(workdir, "renewed.example")
    daemon.reload()

    def renewed():
        try:
            _, cert = exchange(tls_port, b"GET /api/v1/interfaces HTTP/1.0\r\n\r\n")
            return cert is not None and cert != old
        except OSError:
            return False
    wait_for(renewed, "the renewed certificate")


def main():
    args = harness.parse_args("tikstatd", "tikstat")
    with harness.Session("tikstat-legacy-", tail=5000) as w:
        workdir = w.dir
        w.secret("token", TOKEN)
        w.secret("token2", TOKEN[::-1])
        make_cert(workdir, "example.com")
        port, tls_port = free_port(), free_port()
        conf = os.path.join(workdir, "tikstat.conf")
        write_config(conf, workdir, port, tls_port)
        daemon = w.daemon(args.tikstatd, conf)
        wait_for(lambda: status_of(get(tls_port, "/api/v1/interfaces")) == 200,
                 "the HTTPS server", ignore=(OSError,))
        test_https_api(port, tls_port)
        test_old_script(args, conf, workdir, tls_port)
        test_routing(args, conf, port, workdir)
        test_tls_limits(tls_port)
        test_sighup_cert(daemon, workdir, tls_port)
        daemon.stop(timeout=30)
        logtext = daemon.log()
        check(TOKEN.encode() not in logtext and b"PRIVATE KEY" not in logtext,
              "a secret reached the log")
        harness.raise_if_failed()
        print("all legacy receiver checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
