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
import argparse
import base64
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import daemon_user  # noqa: E402
from fakectl import free_port  # noqa: E402

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
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd", required=True)
    ap.add_argument("--fakerouter", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tikstat-secrets-")
    fake = subprocess.Popen([args.fakerouter, "--password", ROUTER_PASSWORD,
                             "--spec", "home:v7:plain"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    routers = {}
    for line in fake.stdout:
        words = line.decode().split()
        if words[0] == "ready":
            break
        f = dict(w.split("=", 1) for w in words[1:])
        routers[f["name"]] = f
    for name, text in (("password", WRONG_PASSWORD), ("token", TOKEN),
                       ("authpw", AUTH_PASSWORD)):
        with open(os.path.join(work, name), "w") as f:
            f.write(text + "\n")
        os.chmod(os.path.join(work, name), 0o600)
    port = free_port()
    conf = os.path.join(work, "tikstat.conf")
    with open(conf, "w") as f:
        f.write("""[tikstat]
database = %(w)s/tikstat.db
log_level = debug

[http]
listen = 127.0.0.1:%(port)d
auth_user = %(au)s
auth_password_file = %(w)s/authpw

[router home]
host = 127.0.0.1
port = %(hp)s
user = admin
password_file = %(w)s/password
interval = 1
timeout = 1
interfaces = ether1

[router cabin]
mode = push
push_token_file = %(w)s/token
interfaces = lte1
""" % {"w": work, "port": port, "hp": routers["home"]["port"], "au": AUTH_USER})
    os.chmod(conf, 0o600)

    logged = b""
    out = subprocess.run([args.tikstatd, "--check-config", "-c", conf], capture_output=True,
                         timeout=60)
    logged += out.stdout + out.stderr
    if out.returncode == 0:
        print("FAIL: --check-config passed with a wrong router password")
        return 1

    logpath = os.path.join(work, "tikstatd.log")
    log = open(logpath, "wb")
    d = subprocess.Popen([args.tikstatd, "-f", "-c", conf] + daemon_user.args(work),
                         stdout=log, stderr=log)
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
        daemon_user.own(work)
        d.send_signal(signal.SIGHUP)
        time.sleep(2)
        request(port, "GET", "/api/v1/interfaces", auth=AUTH_USER + ":" + WRONG_AUTH)
    finally:
        d.send_signal(signal.SIGTERM)
        rc = d.wait(timeout=20)
        log.close()
        fake.stdin.close()
        fake.wait(timeout=10)
    logged += open(logpath, "rb").read()
    failures = []
    if rc != 0:
        failures.append("tikstatd exited %d on SIGTERM" % rc)
    for needle in (b"login failed", b"unknown token"):
        if needle not in logged.lower():
            failures.append("the log lacks %r: the failure modes were not exercised" % needle)
    for s in SECRETS:
        for form in forms(s):
            if form in logged:
                failures.append("secret %r logged (as %r)" % (s, form))
    if failures:
        for f in failures:
            print("FAIL: " + f)
        sys.stdout.write(logged.decode(errors="replace"))
        return 1
    print("secrets: %d secrets in %d forms absent from %d bytes of log" %
          (len(SECRETS), len(forms("x")), len(logged)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
