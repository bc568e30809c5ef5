#!/usr/bin/env python3
"""A fleet of push routers for the query benchmarks (standard library only).

  bench_push_fleet.py conf WORK PORT ROUTERS IFACES > CONF
      writes a token file per router under WORK/tokens (the token names
      the router) and prints a configuration: database WORK/fleet.db,
      HTTP on 127.0.0.1:PORT, routers p0..p(ROUTERS-1) in push mode with
      interfaces e0..e(IFACES-1).
  bench_push_fleet.py push PORT ROUTERS IFACES
      one push per interface of that fleet, so that every interface has a
      reading and totals; exits non-zero unless each is accepted (204).
"""
import http.client
import os
import sys


def token(r):
    return f"bench-push-token-{r:06d}-0123456789"


def conf(work, port, routers, ifaces):
    os.makedirs(f"{work}/tokens", mode=0o700, exist_ok=True)
    for r in range(routers):
        fd = os.open(f"{work}/tokens/p{r}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (token(r) + "\n").encode())
        os.close(fd)
    print(f"[tikstat]\ndatabase = {work}/fleet.db\ntimezone = Europe/Berlin\nlog_level = warning\n")
    print(f"[http]\nlisten = 127.0.0.1:{port}\n")
    names = ", ".join(f"e{i}" for i in range(ifaces))
    for r in range(routers):
        print(f"[router p{r}]\nmode = push\npush_token_file = {work}/tokens/p{r}\ninterfaces = {names}\n")


def push(port, routers, ifaces):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for r in range(routers):
        for i in range(ifaces):
            body = f"token={token(r)}&interface=e{i}&rx={1000 * (r + 1)}&tx={100 * (i + 1)}&uptime=1000"
            conn.request("POST", "/api/v1/push", body,
                         {"Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 204:
                sys.exit(f"push p{r}/e{i}: {resp.status}")


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "conf":
        conf(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) == 5 and sys.argv[1] == "push":
        push(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
