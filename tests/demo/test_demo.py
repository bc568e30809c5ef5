#!/usr/bin/env python3
"""tikstatd --demo: starts with a simulated router and a temporary database
that already holds 13+ months of history, serves the dashboard within 10 s,
polls live, and on SIGINT exits 0 leaving no process and no file behind.
Standard library only."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    args = harness.parse_args("tikstatd", "fakerouter")

    start = time.monotonic()
    p = subprocess.Popen([args.tikstatd, "--demo", "--listen", "127.0.0.1:0",
                          "--fakerouter", args.fakerouter],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines, found = [], threading.Event()
    info = {}

    def drain():
        for raw in p.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            lines.append(line)
            m = re.search(r"database (\S+)$", line)
            if line.startswith("tikstat demo: database") and m:
                info["db"] = m.group(1)
            m = re.search(r"dashboard at (http://\S+/) \(Ctrl-C to stop\)", line)
            if m:
                info["url"] = m.group(1)
                found.set()
        found.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        if not found.wait(60) or "url" not in info:
            raise AssertionError("no dashboard URL:\n" + "\n".join(lines))
        url, tmpdir = info["url"], os.path.dirname(info["db"])
        if not os.path.isdir(tmpdir):
            raise AssertionError("temporary directory %s missing" % tmpdir)
        print("# %s, database %s, %.1f s to start" % (url, info["db"], time.monotonic() - start))

        # The banner says how to try the CLI on the demo, and that works.
        end = time.monotonic() + 30  # printed just after the URL, by another thread here
        tries = []
        while not tries and time.monotonic() < end:
            tries = [re.search(r"^tikstat demo: try the CLI meanwhile: (tikstat -c (\S+) -m)$",
                               l) for l in list(lines)]
            tries = [m for m in tries if m]
            if not tries:
                time.sleep(0.1)
        if not tries or not os.path.isfile(tries[0].group(2)):
            raise AssertionError("no 'try the CLI' line naming the demo's configuration:\n"
                                 + "\n".join(lines))
        cli = os.path.join(os.path.dirname(os.path.abspath(args.tikstatd)), "tikstat")
        if os.path.exists(cli):
            out = subprocess.run([cli] + tries[0].group(1).split()[1:], capture_output=True)
            if out.returncode != 0 or b"ether1" not in out.stdout:
                raise AssertionError("%s: exit %d\n%s" % (tries[0].group(1), out.returncode,
                                                          out.stderr.decode(errors="replace")))

        # Within 10 s: a full history and live readings.
        deadline = time.monotonic() + 10
        ok, why = False, ""
        while time.monotonic() < deadline and not ok:
            try:
                _, body = get(url + "api/v1/traffic?router=home&interface=ether1&step=month"
                              "&from=2000-01-01")
                points = [x for x in json.loads(body)["points"] if x["rx"] + x["tx"] > 0]
                _, body = get(url + "api/v1/interfaces")
                every = json.loads(body)
                ifaces = [f for f in every if f["kind"] == "interface"]
                live = [f for f in ifaces if f["status"] == "up" and f["last_reading"]]
                # home's 8 simple queues and 24 kid-control devices
                clients = [f for f in every if f["kind"] in ("queue", "device")
                           and f["status"] == "up" and f["last_reading"]]
                ok = (len(points) >= 13 and len(live) == len(ifaces) == 5
                      and len(clients) == 32)
                why = "%d months, %d/%d interfaces live, %d/32 queues and devices" % (
                    len(points), len(live), len(ifaces), len(clients))
            except (OSError, ValueError) as e:
                why = str(e)
            if not ok:
                time.sleep(0.5)
        if not ok:
            raise AssertionError("dashboard not full within 10 s: " + why)
        gib = [x["rx"] / 2**30 for x in points[1:-1]]
        print("# %d months; home ether1 full months %.0f..%.0f GiB received"
              % (len(points), min(gib), max(gib)))
        if not (50 < min(gib) and max(gib) < 400):
            raise AssertionError("unrealistic monthly traffic: %s" % gib)

        def totals():
            _, body = get(url + "api/v1/interfaces")
            return {(f["router"], f["interface"]): f["rx_total"] + f["tx_total"]
                    for f in json.loads(body)}
        first = totals()
        grown = False
        for _ in range(30):
            time.sleep(1)
            now = totals()
            if all(now[k] > first[k] for k in first if k[1] != "pppoe-out1") and \
                    now[("home", "ether1")] > first[("home", "ether1")]:
                grown = True
                break
        if not grown:
            raise AssertionError("totals do not grow: %s -> %s" % (first, now))

        status, body = get(url)
        if status != 200 or b"<html" not in body.lower():
            raise AssertionError("/ does not serve the dashboard")

        kids = children(p.pid)
        if not kids:
            raise AssertionError("no fake router child process")
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=30)
        if rc != 0:
            raise AssertionError("exit status %d after SIGINT:\n%s" % (rc, "\n".join(lines)))
        time.sleep(0.2)
        left = [k for k in kids if alive(k)]
        if left:
            raise AssertionError("processes left behind: %s" % left)
        if os.path.exists(tmpdir):
            raise AssertionError("%s left behind: %s" % (tmpdir, os.listdir(tmpdir)))
        print("demo: history, live polling, dashboard, clean stop: OK")
        return 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


if __name__ == "__main__":
    sys.exit(main())
