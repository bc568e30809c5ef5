"""Shared by the Python integration tests: the command line, soft checks,
waiting for a condition, a work directory that cleans up after itself,
tikstatd as a child process, configuration and secret files, HTTP
requests and tikstat's totals. The fake router's control channel is
fakectl.py's job. Standard library only.

Waits poll a condition with the caller's (generous) deadline on the
monotonic clock; nothing here depends on the machine's speed."""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import daemon_user

FAILURES = []

# The store engine the test runs against: "sqlite" (a file in the test's
# directory) or "postgresql" (a fresh database on the server of the ctest
# fixture postgresql), from TIKSTAT_TEST_ENGINE.
ENGINE = os.environ.get("TIKSTAT_TEST_ENGINE", "sqlite")


def parse_args(*programs, flags=()):
    """The test's command line: a required --NAME path per name in
    programs, a store_true --FLAG per name in flags (dashes in names as on
    the command line)."""
    ap = argparse.ArgumentParser()
    for name in programs:
        ap.add_argument("--" + name, required=True)
    for name in flags:
        ap.add_argument("--" + name, action="store_true")
    return ap.parse_args()


def check(cond, what):
    """A soft check: records what in FAILURES (and prints it) when cond is
    false, so that one run reports every failure; returns cond."""
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)
    return cond


def raise_if_failed():
    """Raises AssertionError when a soft check failed."""
    if FAILURES:
        raise AssertionError("%d checks failed" % len(FAILURES))


def exit_status(passed):
    """The test's exit status after its soft checks: 0, printing passed,
    when all held; else 1, printing how many failed."""
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print(passed)
    return 0


def wait_for(pred, what, timeout=60, interval=0.2, ignore=()):
    """Calls pred every interval seconds until it returns a true value,
    which is returned; exceptions of the types in ignore count as false
    (a server still starting). Raises AssertionError after timeout s."""
    end = time.monotonic() + timeout
    while True:
        try:
            got = pred()
        except ignore:
            got = None
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def expect_soon(pred, what, timeout=60, interval=0.2, ignore=()):
    """wait_for as a soft check: a timeout is recorded, not raised.
    Returns whether pred came true."""
    try:
        wait_for(pred, what, timeout, interval, ignore)
        return True
    except AssertionError as e:
        check(False, str(e))
        return False


def write_file(path, data, mode=0o600):
    """Writes data (str as latin-1, so that any byte can be in a name;
    or bytes) to path with the given mode: 0600 by default, as tikstatd
    wants for configurations and secrets."""
    with open(path, "wb") as f:
        f.write(data.encode("latin-1") if isinstance(data, str) else data)
    os.chmod(path, mode)


def write_secret(path, text):
    """A secret file (password, token) holding one line, mode 0600."""
    write_file(path, text + "\n")


def section(title, **keys):
    """One configuration section: '[title]' and a 'key = value' line per
    keyword, in order; None values are left out, bytes values are taken
    as latin-1 text (write_file writes them back byte for byte)."""
    lines = ["[%s]" % title]
    for key, value in keys.items():
        if value is None:
            continue
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        lines.append("%s = %s" % (key, value))
    return "\n".join(lines) + "\n"


def polled(name, port, password_file, interfaces, timeout=1, **more):
    """A [router NAME] section polling 127.0.0.1:port as admin every
    second; more keys (quota, tls, password when password_file is None,
    ...) come before interfaces."""
    return section("router " + name, host="127.0.0.1", port=port, user="admin",
                   password_file=password_file, interval=1, timeout=timeout, **more,
                   interfaces=interfaces)


def quoted(names):
    """An interfaces value: every name (str or bytes) in double quotes."""
    return ", ".join('"%s"' % (n.decode("latin-1") if isinstance(n, bytes) else n)
                     for n in names)


def write_config(path, *sections):
    """Writes the sections, a blank line apart, as a configuration (0600)."""
    write_file(path, "\n".join(sections))


def read_text(path, encoding="latin-1"):
    """The file's text, "" when it is missing. Latin-1 by default: every
    byte is one character, so that a raw byte in a name can be looked for;
    with another encoding undecodable bytes are replaced."""
    try:
        with open(path, "rb") as f:
            return f.read().decode(encoding, errors="replace")
    except FileNotFoundError:
        return ""


def rss_kb(pid):
    """VmRSS of pid in kB; 0 when the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def small_asan_quarantine(env=None):
    """The environment (os.environ by default) with a 16 MB ASan
    quarantine, so that RSS shows what the daemon holds, not freed memory
    held back for checking (ignored by builds without ASan)."""
    env = dict(os.environ if env is None else env)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                 "quarantine_size_mb=16"]))
    return env


class Daemon:
    """tikstatd -f -c conf (as daemon_user's user when the test runs as
    root), stdout and stderr appended to log_path."""

    def __init__(self, tikstatd, conf, log_path, env=None, user_args=None, start=True):
        self.tikstatd, self.conf, self.log_path, self.env = tikstatd, conf, log_path, env
        self.user_args = user_args
        self.p = None
        if start:
            self.start()

    def start(self):
        """Starts it (again), owning the configuration's directory first."""
        user = self.user_args
        if user is None:
            user = daemon_user.args(os.path.dirname(self.conf))
        with open(self.log_path, "ab") as log:
            self.p = subprocess.Popen([self.tikstatd, "-f", "-c", self.conf] + user,
                                      stdout=log, stderr=log, env=self.env)

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        """Whether it runs."""
        return self.p is not None and self.p.poll() is None

    def send(self, sig):
        """Sends sig as it is."""
        self.p.send_signal(sig)

    def reload(self):
        """SIGHUP, after handing the configuration's directory to the
        daemon's user again (it re-reads its configuration and secrets as
        that user)."""
        daemon_user.own(os.path.dirname(self.conf))
        self.p.send_signal(signal.SIGHUP)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Sends sig and waits up to timeout s; on SIGTERM the exit status
        must be 0 (AssertionError otherwise). Returns the exit status."""
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=timeout)
        if sig == signal.SIGTERM and rc != 0:
            raise AssertionError("tikstatd exited %d on SIGTERM" % rc)
        return rc

    def kill(self):
        """Kills it if it still runs (cleanup after a failure)."""
        if self.alive():
            self.p.send_signal(signal.SIGCONT)  # a stopped process dies too
            self.p.kill()
            self.p.wait()

    def log(self):
        """The log so far, as bytes."""
        with open(self.log_path, "rb") as f:
            return f.read()

    def text(self):
        """The log so far as text (latin-1: every byte one character)."""
        return read_text(self.log_path)

    def wait_log(self, needle, timeout=60, count=1):
        """Waits up to timeout s until needle (bytes or str) is in the log
        count times; the daemon exiting meanwhile is a failure."""
        def seen():
            if not self.alive():
                raise AssertionError("tikstatd exited %s:\n%s"
                                     % (self.p.returncode, self.text()[-6000:]))
            log = self.log() if isinstance(needle, bytes) else self.text()
            return log.count(needle) >= count
        wait_for(seen, "%r %d times in the log" % (needle, count), timeout)


class Session:
    """A test's work directory (self.dir) and the processes started in it,
    as a context manager. On leaving: every daemon still running is
    killed and every fake router stopped; after a failure (an exception, or
    a soft check failed) the tail of the daemon log is printed and the
    directory kept for a post-mortem, else the directory is removed."""

    def __init__(self, prefix, mode=None, tail=6000, log_name="tikstatd.log"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        if mode is not None:
            os.chmod(self.dir, mode)
        self.log_path = os.path.join(self.dir, log_name)
        self.tail = tail
        self.daemons, self.fakes = [], []

    def path(self, *names):
        """A path inside the work directory."""
        return os.path.join(self.dir, *names)

    def secret(self, name, text):
        """Writes the secret file name (text and a newline, mode 0600)."""
        write_secret(self.path(name), text)
        return self.path(name)

    def fake(self, router):
        """Registers a fakectl.FakeRouter (stopped on leaving); returns it."""
        self.fakes.append(router)
        return router

    def daemon(self, tikstatd, conf, cls=None, **kw):
        """A Daemon (or an instance of its subclass cls) logging to
        self.log_path, killed on leaving if it runs."""
        d = (cls or Daemon)(tikstatd, conf, kw.pop("log_path", self.log_path), **kw)
        self.daemons.append(d)
        return d

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        for d in self.daemons:
            d.kill()
        for f in self.fakes:
            f.stop()
        if exc_type is not None or FAILURES:
            print("---- tikstatd log (%s) ----" % self.dir)
            sys.stdout.write(read_text(self.log_path)[-self.tail:] + "\n")
            sys.stdout.flush()
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def test_database(session, name="tikstat"):
    """The database value of a test's configuration: the file
    DIR/NAME.db on SQLite; on PostgreSQL the URL of a fresh, empty
    database of the fixture's server, made at the first call (the same
    URL for the same session and name after that)."""
    if ENGINE != "postgresql":
        return session.path(name + ".db")
    made = session.__dict__.setdefault("databases", {})
    if name not in made:
        made[name] = pg_database(name)
    return made[name]


def pg_server_dir():
    """The directory of the fixture's PostgreSQL server (pg_server_start
    writes "dir DIR" into the file TIKSTAT_PG_INFO names)."""
    path = os.environ.get("TIKSTAT_PG_INFO")
    if not path:
        raise AssertionError("TIKSTAT_TEST_ENGINE=postgresql needs TIKSTAT_PG_INFO (the "
                             "pg_server_start fixture's file)")
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            if key == "dir":
                return value
    raise AssertionError("%s names no server directory" % path)


_PG_MADE = []


def pg_database(name):
    """A fresh database of the fixture's server: its URL. Named after name,
    this process and a count, so that tests running in parallel never
    share one."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg"))
    import pgserver
    _PG_MADE.append(name)
    db = "%s_%d_%d" % (name.lower(), os.getpid(), len(_PG_MADE))
    return pgserver.createdb(pg_server_dir(), db)


def db_query(database, sql):
    """The rows of a read-only query on a test's database (a SQLite file
    or a postgresql:// URL): lists of strings, None for NULL (psql -At
    prints every value as text; SQLite's are turned into the same). For
    what the engines store alike: ids, names as text, counts."""
    if database.startswith("postgresql://"):
        out = subprocess.run(["psql", "-XAt", "-F", "\t", "-P", "null=\\N", "-v",
                              "ON_ERROR_STOP=1", "-d", database, "-c", sql],
                             capture_output=True, check=True)
        return [[None if v == "\\N" else v for v in line.split("\t")]
                for line in out.stdout.decode("latin-1").splitlines()]
    import sqlite3
    db = sqlite3.connect("file:%s?mode=ro" % database, uri=True, timeout=10)
    try:
        def text(v):
            if v is None:
                return None
            return v.decode("latin-1") if isinstance(v, bytes) else str(v)
        return [[text(v) for v in row] for row in db.execute(sql)]
    finally:
        db.close()


def sql_name_text(column):
    """SQL for a name column (SQLite: TEXT or BLOB; PostgreSQL: bytea) as
    text, to compare with a literal or to read through db_query: ASCII
    names come out as they are."""
    if ENGINE == "postgresql":
        return "encode(%s, 'escape')" % column
    return "CAST(%s AS TEXT)" % column


def skip_on_postgresql(what):
    """Whether a file-only check (WAL files, file size, a damaged page)
    must be skipped: true on PostgreSQL, after printing why."""
    if ENGINE == "postgresql":
        print("skipped on PostgreSQL (a SQLite file matter): " + what, flush=True)
        return True
    return False


def request(port, method, path, body=None, headers=None, timeout=10, host="127.0.0.1"):
    """One HTTP request on a fresh connection: (status, headers with
    lower-case names, body bytes). Raises OSError when nobody answers."""
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=dict(headers or {}))
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    except http.client.HTTPException as e:
        raise OSError("HTTP: %r" % e) from e
    finally:
        c.close()


def get_ok(port, path, timeout=10):
    """The body (text) of a GET that must answer 200; OSError otherwise."""
    status, _, body = request(port, "GET", path, timeout=timeout)
    if status != 200:
        raise OSError("GET %s: HTTP %d" % (path, status))
    return body.decode("utf-8", errors="replace")


def listening(port, host="127.0.0.1"):
    """Whether a TCP connection to port is accepted now."""
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def answers(port, path="/api/v1/interfaces"):
    """Whether a GET of path answers 200 now (the server is up)."""
    try:
        return request(port, "GET", path, timeout=5)[0] == 200
    except OSError:
        return False


def read_all(s, also=()):
    """Everything a connected socket receives until the peer closes it,
    resets it or stays silent for the socket's timeout; exceptions of the
    types in also (ssl.SSLError) end it as well."""
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError) + tuple(also):
        pass
    return out


def raw(port, data, wait=5, host="127.0.0.1"):
    """Sends bytes as they are on a new connection; returns everything the
    server answered before it closed or stayed silent for wait s."""
    s = socket.create_connection((host, port))
    s.settimeout(wait)
    try:
        s.sendall(data)
        return read_all(s)
    finally:
        s.close()


def tikstat(tikstat_bin, conf, *opts):
    """tikstat -c conf OPTS...: its stdout; AssertionError when it fails."""
    out = subprocess.run([tikstat_bin, "-c", conf] + list(opts), capture_output=True)
    if out.returncode != 0:
        raise AssertionError("tikstat %s: %s" % (opts, out.stderr.decode(errors="replace")))
    return out.stdout


def totals(tikstat_bin, conf, router, iface):
    """[rx, tx] of router/iface as `tikstat --json -y` reports them (the
    sum of the year points); None when tikstat fails (no database yet)."""
    out = subprocess.run([tikstat_bin, "-c", conf, "-r", router, "-i", iface, "-y", "--json"],
                         capture_output=True)
    if out.returncode != 0:
        return None
    doc = json.loads(out.stdout)
    return [sum(p["rx"] for p in doc["points"]), sum(p["tx"] for p in doc["points"])]
