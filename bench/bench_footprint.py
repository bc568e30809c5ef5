#!/usr/bin/env python3
"""bench_footprint.py: tikstatd's footprint next to vnstatd's (issue 13).
Prints figures; asserts none of them. Standard library only.

  bench_footprint.py --build BUILD_DIR [--minutes 10] [--settle 60]

  1. Idle memory: tikstatd polling one router (the fake router, `ether1`,
     the default interval of 10 s and commit_interval of 60 s) and vnstatd
     counting one interface (eth0, its defaults), side by side. After
     SETTLE s: VmRSS and its parts from /proc/PID/status (RssAnon: the
     process's own memory, heap and stacks; RssFile: mapped files, mostly
     shared libraries, which every process using them shares), threads,
     and tikstatd's largest mappings by Rss (/proc/PID/smaps).
  2. Bytes written: /proc/PID/io write_bytes of each over MINUTES
     minutes, as bytes per hour (both write their database in the
     measured window: tikstatd every commit_interval, vnstatd every
     SaveInterval of 5 minutes).
  3. Database size per interface-year: a 10-year database of 10
     interfaces (bench_http_seed: the rollups as the default retentions
     leave them), pages in use (page_count - freelist_count) and the
     file, per interface-year; and vnstat's database with the same 10
     years of one interface (days, months and years kept for ever),
     written as bench_cli.py writes it."""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)
import fakectl  # noqa: E402
import harness  # noqa: E402
from bench_cli import vnstat_db  # noqa: E402
from bench_fleet import written  # noqa: E402


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--settle", type=int, default=60)
    return p.parse_args()


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM"):
                out[key] = int(value.split()[0])
            elif key == "Threads":
                out[key] = int(value)
    return out


def mappings(pid, n=8):
    """The n largest mappings by Rss, summed per name (file or [heap] ...;
    anonymous ones as "anonymous", which holds the threads' stacks)."""
    sums, name = {}, None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            words = line.split()
            if "-" in words[0] and len(words) >= 5 and ":" in words[3]:
                name = os.path.basename(words[5]) if len(words) > 5 else "anonymous"
            elif words[0] == "Rss:":
                sums[name] = sums.get(name, 0) + int(words[1])
    return sorted(sums.items(), key=lambda kv: -kv[1])[:n]


def vnstatd_start(work):
    conf = os.path.join(work, "vnstatd.conf")
    os.makedirs(os.path.join(work, "vnstatd"))
    with open(conf, "w") as f:
        f.write('DatabaseDir "%s/vnstatd"\nUseLogging 0\nPidFile "%s/vnstatd.pid"\n'
                % (work, work))
    subprocess.run(["vnstatd", "--config", conf, "--initdb"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["vnstat", "--config", conf, "--add", "-i", "eth0"], check=True,
                   stdout=subprocess.DEVNULL)
    return subprocess.Popen(["vnstatd", "--config", conf, "-n"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def db_sizes(build, work):
    path = os.path.join(work, "size.db")
    subprocess.run([os.path.join(build, "bench", "bench_http_seed"), path, "10", "10"],
                   check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(path)
    pages, free, size = (db.execute("PRAGMA " + p).fetchone()[0]
                         for p in ("page_count", "freelist_count", "page_size"))
    db.close()
    used = (pages - free) * size
    file_bytes = os.path.getsize(path)
    one = os.path.join(work, "one")
    os.makedirs(one)
    subprocess.run([os.path.join(build, "bench", "bench_http_seed"),
                    os.path.join(one, "tikstat.db"), "10", "1"], check=True,
                   stdout=subprocess.DEVNULL)
    conf, _ = vnstat_db(one, os.path.join(one, "tikstat.db"))
    vn = os.path.getsize(os.path.join(one, "vnstat", "vnstat.db"))
    one_tik = os.path.getsize(os.path.join(one, "tikstat.db"))
    print("\n| database, 10 years | file | per interface-year |")
    print("| --- | --- | --- |")
    print("| tikstat, 10 interfaces | %.2f MB (%.2f MB in use) | %.1f KB |"
          % (file_bytes / 1e6, used / 1e6, file_bytes / 100 / 1e3))
    print("| tikstat, 1 interface | %.2f MB | %.1f KB |" % (one_tik / 1e6, one_tik / 10 / 1e3))
    print("| vnstat, 1 interface (same days, months, years) | %.2f MB | %.1f KB |"
          % (vn / 1e6, vn / 10 / 1e3))


def main():
    a = parse()
    build = os.path.abspath(a.build)
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    with harness.Session("bench-footprint-") as s:
        db_sizes(build, s.dir)
        fake = s.fake(fakectl.FakeRouter(os.path.join(build, "simulator", "fakerouter"),
                                         ["--routers", "1", "--password", "bench"]))
        pw = s.secret("password", "bench")
        port = fakectl.free_port()
        name, r = next(iter(fake.routers.items()))
        harness.write_config(
            s.path("tikstat.conf"),
            harness.section("tikstat", database=s.path("tikstat.db")),
            harness.section("http", listen="127.0.0.1:%d" % port),
            harness.section("router " + name, host="127.0.0.1", port=r["port"], user="admin",
                            password_file=pw, interfaces="ether1"))
        d = s.daemon(os.path.join(build, "daemon", "tikstatd"), s.path("tikstat.conf"))
        v = vnstatd_start(s.dir)
        try:
            harness.wait_for(lambda: harness.answers(port), "tikstatd answering", 60)
            time.sleep(a.settle)
            st = {"tikstatd": status(d.pid), "vnstatd": status(v.pid)}
            print("\nafter %d s idle (tikstatd: one router polled every 10 s; vnstatd: eth0)"
                  % a.settle)
            print("| process | VmRSS | RssAnon (own) | RssFile (mapped files) | threads |")
            print("| --- | --- | --- | --- | --- |")
            for k, m in st.items():
                print("| %s | %.1f MiB | %.1f MiB | %.1f MiB | %d |"
                      % (k, m["VmRSS"] / 1024, m["RssAnon"] / 1024, m["RssFile"] / 1024,
                         m["Threads"]))
            print("\ntikstatd's largest mappings (Rss): " +
                  ", ".join("%s %.0f KiB" % kv for kv in mappings(d.pid)))
            print("vnstatd's largest mappings (Rss): " +
                  ", ".join("%s %.0f KiB" % kv for kv in mappings(v.pid)))
            w0 = {"tikstatd": written(d.pid), "vnstatd": written(v.pid)}
            t0 = time.monotonic()
            time.sleep(a.minutes * 60)
            el = time.monotonic() - t0
            w1 = {"tikstatd": written(d.pid), "vnstatd": written(v.pid)}
            print("\n| process | written in %.0f s | per hour |" % el)
            print("| --- | --- | --- |")
            for k in w0:
                print("| %s | %d B | %.2f MB |" % (k, w1[k] - w0[k],
                                                     (w1[k] - w0[k]) * 3600 / el / 1e6))
        finally:
            v.terminate()
            v.wait(timeout=30)
        d.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
