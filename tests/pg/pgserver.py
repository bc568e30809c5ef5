#!/usr/bin/env python3
"""pgserver.py: a throwaway PostgreSQL server for the tests (stdlib only).

  pgserver.py start DIR          initdb a cluster in DIR/data, start it on a
                                 unix socket in DIR and a free loopback port
                                 (fsync off: test data only); prints its URL
  pgserver.py createdb DIR NAME  makes database NAME; prints its URL
  pgserver.py url DIR [NAME]     the URL of database NAME (default postgres)
  pgserver.py restart DIR        stops and starts it (connections are cut)
  pgserver.py stop DIR           stops the server (DIR stays)
  pgserver.py fixture-start DIR INFO   start, then INFO gets "dir DIR" and
                                 "url URL" lines (ctest's pg_server_start)
  pgserver.py run INFO CMD...    runs CMD with TIKSTAT_TEST_PG_URL,
                                 TIKSTAT_TEST_PG_DIR and TIKSTAT_TEST_PGSERVER
                                 set from INFO (ctest's tests on PostgreSQL)

Binaries come from Debian's packages (/usr/lib/postgresql/VERSION/bin, the
newest). PostgreSQL refuses to run as root: as root the binaries run as the
`postgres` system user (runuser), and the cluster (data, socket, log) lives
in a directory of its own under /tmp owned by it (DIR may be where it
cannot go, such as /root: DIR/cluster names that directory, removed by
stop); as another user they run directly, the cluster in DIR. Importable:
start(), createdb(), url(), restart(), stop(), read_info(), run().
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

USER = "tikstat"  # the cluster's superuser (initdb -U)


def bindir():
    """The newest installed server's binaries."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    dirs = [d for d in dirs if os.path.exists(os.path.join(d, "initdb"))]
    if not dirs:
        raise RuntimeError("no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)")
    return dirs[-1]


def _as_owner(argv):
    """argv run as the cluster's owner: `postgres` when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


def _run(argv, **kw):
    return subprocess.run(_as_owner(argv), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_file(d):
    return os.path.join(d, "port")


def _cluster(d, make=False):
    """Where the cluster of d lives: d itself, or as root a directory under
    /tmp owned by `postgres` (named in d/cluster; made when make)."""
    d = os.path.abspath(d)
    if os.geteuid() != 0:
        return d
    name = os.path.join(d, "cluster")
    if os.path.exists(name):
        with open(name) as f:
            c = f.read().strip()
        if os.path.isdir(c) or not make:
            return c
    if not make:
        return None
    c = tempfile.mkdtemp(prefix="tikstat-pg-")
    pw = pwd.getpwnam("postgres")
    os.chown(c, pw.pw_uid, pw.pw_gid)
    with open(name, "w") as f:
        f.write(c + "\n")
    return c


def url(d, name="postgres"):
    """The URL of database name of the server in d (over its unix socket
    would need a host=DIR parameter; loopback TCP is what users have)."""
    with open(_port_file(d)) as f:
        port = int(f.read())
    return f"postgresql://{USER}@127.0.0.1:{port}/{name}"


def start(d):
    """Makes and starts the cluster in d; returns the URL of `postgres`."""
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    c = _cluster(d, make=True)
    data = os.path.join(c, "data")
    b = bindir()
    if not os.path.exists(os.path.join(data, "PG_VERSION")):
        _run([os.path.join(b, "initdb"), "-D", data, "-U", USER, "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
    status = subprocess.run(_as_owner([os.path.join(b, "pg_ctl"), "-D", data, "status"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if status.returncode == 0 and os.path.exists(_port_file(d)):
        return url(d)  # already running (a start after an interrupted run)
    # Started again after a stop: the same port, so that URLs stay valid.
    if os.path.exists(_port_file(d)):
        with open(_port_file(d)) as f:
            port = int(f.read())
    else:
        port = _free_port()
        with open(_port_file(d), "w") as f:
            f.write(str(port))
    opts = (f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={c}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200")
    _run([os.path.join(b, "pg_ctl"), "-D", data, "-l", os.path.join(c, "log"), "-w",
          "-t", "60", "-o", opts, "start"])
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return url(d)


def restart(d):
    """Stops the server (fast: connections are cut) and starts it again on
    the same port."""
    c = _cluster(d)
    data = os.path.join(c, "data")
    # -l: the server must not inherit our stdout (run() would wait for it).
    _run([os.path.join(bindir(), "pg_ctl"), "-D", data, "-l", os.path.join(c, "log"), "-w",
          "-t", "60", "-m", "fast", "restart"])


def createdb(d, name):
    """Makes database name (UTF-8, C collation); returns its URL."""
    with open(_port_file(d)) as f:
        port = f.read().strip()
    _run([os.path.join(bindir(), "createdb"), "-h", "127.0.0.1", "-p", port, "-U", USER,
          "-T", "template0", name])
    return url(d, name)


def stop(d, remove=True):
    """Stops the server; as root also removes its cluster under /tmp
    unless remove is false (to start it again: start(d))."""
    c = _cluster(d)
    if not c:
        return
    data = os.path.join(c, "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        _run([os.path.join(bindir(), "pg_ctl"), "-D", data, "-w", "-t", "60", "-m", "fast",
              "stop"])
    if remove and c != os.path.abspath(d):  # root's cluster under /tmp
        shutil.rmtree(c, ignore_errors=True)
        os.unlink(_port_file(d))


def read_info(path):
    """The fixture's INFO file as {"dir": DIR, "url": URL}."""
    out = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            out[key] = value
    return out


SKIP = 77  # ctest's SKIP_RETURN_CODE of the tests on PostgreSQL


def have_server():
    """Whether Debian's PostgreSQL server is installed (scripts/deps.sh
    --test installs it); without it the tests on PostgreSQL are skipped."""
    try:
        bindir()
        return True
    except RuntimeError:
        return False


def fixture_start(d, info):
    """Starts the fixture's server; without one installed, INFO says so
    (url none) and the tests run under `run` are skipped."""
    u = start(d) if have_server() else "none"
    with open(info, "w") as f:
        f.write(f"dir {os.path.abspath(d)}\nurl {u}\n")
    return u


def run(info, argv):
    """Runs argv against the fixture's server; its exit status."""
    i = read_info(info)
    if i.get("url", "none") == "none":
        print("pgserver.py: no PostgreSQL server installed (scripts/deps.sh --test): skipped")
        return SKIP
    env = dict(os.environ, TIKSTAT_TEST_PG_URL=i["url"], TIKSTAT_TEST_PG_DIR=i["dir"],
               TIKSTAT_TEST_PGSERVER=os.path.abspath(__file__))
    return subprocess.run(argv, env=env).returncode


def main(argv):
    if len(argv) >= 2 and argv[0] == "start":
        print(start(argv[1]))
    elif len(argv) == 3 and argv[0] == "createdb":
        print(createdb(argv[1], argv[2]))
    elif len(argv) in (2, 3) and argv[0] == "url":
        print(url(argv[1], *argv[2:]))
    elif len(argv) == 2 and argv[0] == "restart":
        restart(argv[1])
    elif len(argv) == 2 and argv[0] == "stop":
        stop(argv[1])
    elif len(argv) == 3 and argv[0] == "fixture-start":
        print(fixture_start(argv[1], argv[2]))
    elif len(argv) >= 3 and argv[0] == "run":
        return run(argv[1], argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as e:
        sys.stderr.write(f"pgserver.py: {' '.join(e.cmd)} failed:\n{e.stdout}")
        sys.exit(1)
