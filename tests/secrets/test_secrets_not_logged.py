#!/usr/bin/env python3
"""No secret reaches tikstatd's log. The daemon runs through the common
failure modes with known secrets, logging at debug level to stderr:

  - a router that refuses the password (poll and --check-config),
  - pushes with a wrong token, with the right token and bad parameters,
    with the token in a POST body,
  - basic auth refused (wrong password, wrong user) and accepted,
  - a SIGHUP reload with the secrets re-read,

and the test fails if any secret, or its base64 or URL form, appears in
what it logged.

Usage: test_secrets_not_logged.py --tikstatd BIN --fakerouter BIN
"""
import base64
import os
import signal
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import FakeRouter, free_port  # noqa: E402
from harness import FAILURES, check  # noqa: E402

ROUTER_PASSWORD = "Router-Pw-5f1b9c7e"
WRONG_PASSWORD = "Wrong-Pw-8a2d44e1"
TOKEN = "push-token-a7c3e91f0b2d"
WRONG_TOKEN = "bad-token-6e0f12aa93c4"
AUTH_USER = "viewer"
AUTH_PASSWORD = "Auth-Pw-31d7f0c2"
WRONG_AUTH = "Guess-Pw-902be4d1"
SECRETS = [ROUTER_PASSWORD, WRONG_PASSWORD, TOKEN, WRONG_TOKEN, AUTH_PASSWORD, WRONG_AUTH]


def forms(secret):
    b = secret.encode()
    return [b, urllib.parse.quote(secret).encode(),
            base64.b64encode(("%s:%s" % (AUTH_USER, secret)).encode()),
            base64.b64encode(("nobody:%s" % secret).encode())]


def request(port, method, path, body=None, auth=None):
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return harness.request(port, method, path, body, headers, timeout=5)[0]


def main():
    args = harness.parse_args("tikstatd", "fakerouter")
    with harness.Session("tikstat-secrets-") as w:
        return run(args, w)


def run(args, w):
    """Provokes every failure in the harness.Session w, then reads the log."""
    work = w.dir
    fake = w.fake(FakeRouter(args.fakerouter, ["--password", ROUTER_PASSWORD,
                                               "--spec", "home:v7:plain"]))
    for name, text in (("password", WRONG_PASSWORD), ("token", TOKEN),
                       ("authpw", AUTH_PASSWORD)):
        w.secret(name, text)
    port = free_port()
    conf = os.path.join(work, "tikstat.conf")
    harness.write_config(
        conf,
        harness.section("tikstat", database=work + "/tikstat.db", log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % port, auth_user=AUTH_USER,
                        auth_password_file=work + "/authpw"),
        harness.polled("home", fake.routers["home"]["port"], work + "/password", "ether1"),
        harness.section("router cabin", mode="push", push_token_file=work + "/token",
                        interfaces="lte1"))

    logged = b""
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True,
                         timeout=60)
    logged += out.stdout + out.stderr
    if out.returncode == 0:
        print("FAIL: --check-config passed with a wrong router password")
        return 1

    d = w.daemon(args.tikstatd, conf)
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/api/v1/interfaces", auth=AUTH_USER + ":" + AUTH_PASSWORD):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(2.5)  # polls refused: wrong password
        q = lambda **kw: "/api/v1/push?" + urllib.parse.urlencode(kw)  # noqa: E731
        request(port, "GET", q(token=WRONG_TOKEN, interface="lte1", rx=1, tx=1))
        request(port, "GET", q(token=TOKEN, interface="eth9", rx=1, tx=1))
        request(port, "GET", q(token=TOKEN, interface="lte1", rx="x", tx=1))
        request(port, "GET", q(token=TOKEN, interface="lte1", rx=5, tx=6, uptime=100))
        request(port, "POST", "/api/v1/push", body="token=%s&interface=lte1&rx=1" % WRONG_TOKEN)
        request(port, "POST", "/api/v1/push", body="token=%s&interface=lte1" % TOKEN)
        request(port, "GET", "/api/v1/interfaces", auth=AUTH_USER + ":" + WRONG_AUTH)
        request(port, "GET", "/api/v1/interfaces", auth="nobody:" + WRONG_AUTH)
        request(port, "GET", "/metrics", auth=AUTH_USER + ":" + AUTH_PASSWORD)
        d.reload()
        time.sleep(2)
        request(port, "GET", "/api/v1/interfaces", auth=AUTH_USER + ":" + WRONG_AUTH)
    finally:
        d.send(signal.SIGTERM)
        rc = d.p.wait(timeout=20)
    logged += d.log()
    check(rc == 0, "tikstatd exited %d on SIGTERM" % rc)
    for needle in (b"login failed", b"unknown token"):
        check(needle in logged.lower(),
              "the log lacks %r: the failure modes were not exercised" % needle)
    for s in SECRETS:
        for form in forms(s):
            check(form not in logged, "secret %r logged (as %r)" % (s, form))
    if FAILURES:
        sys.stdout.write(logged.decode(errors="replace"))
        return 1
    print("secrets: %d secrets in %d forms absent from %d bytes of log" %
          (len(SECRETS), len(forms("x")), len(logged)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
