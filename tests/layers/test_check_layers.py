#!/usr/bin/env python3
"""test_check_layers.py TARGETS: check_layers.py fails on each kind of bad
#include and on a bad link, and passes on the tree as it is.

Copies the directories of the checked targets (daemon/, text/, ...) to a
temporary directory, adds one bad #include to one file at a time and runs
check_layers.py --root on the copy: it must exit 1 naming that file.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_layers.py")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # the tests write nothing into the source tree
import check_layers  # noqa: E402 (beside this file)

# (file, #include line added to it): each breaks one rule.
BAD = [
    ("daemon/api.c", "#include <sqlite3.h>"),  # only the store (and import) use SQLite
    ("daemon/metrics.c", "#include <microhttpd.h>"),  # only http.c uses libmicrohttpd
    ("daemon/poller.c", "#include <systemd/sd-daemon.h>"),  # only notify.c uses libsystemd
    ("routeros-api/src/conn.c", '#include "store.h"'),  # the library knows nothing of the daemon
    ("routeros-api/src/conn.c", '#include "../../daemon/cfg.h"'),
    ("daemon/report.c", '#include "http.h"'),  # core uses no server header
    ("daemon/recorder.c", '#include "poller.h"'),  # nor a daemon one
    ("daemon/store.c", '#include "recorder.h"'),  # the store sits below core
    ("daemon/tikstat.c", '#include "status.h"'),  # the CLI uses no server header
    ("simulator/api.c", '#include "routeros.h"'),  # the simulator has its own codec
    ("simulator/wire.c", "#include <openssl/ssl.h>"),  # OpenSSL only in tlsutil.c
    ("text/escape.c", '#include "jsonw.h"'),  # text, the bottom, uses no other layer
]


def source_dirs(targets):
    """The source root TARGETS names and its top directories holding targets."""
    root, _, found = check_layers.read_targets(targets)
    return root, {os.path.relpath(t["dir"], root).split(os.sep)[0] for t in found.values()}


def add_include(path, include):
    """Adds include after the file's first #include."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("#include"))
    lines.insert(at + 1, include + "\n")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


class CheckLayers(unittest.TestCase):
    targets = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tikstat-layers-")
        src, dirs = source_dirs(self.targets)
        for d in dirs:
            shutil.copytree(os.path.join(src, d), os.path.join(self.tmp, d),
                            ignore=shutil.ignore_patterns("node_modules", "build*"))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def check(self):
        return subprocess.run([sys.executable, CHECK, self.targets, "--root", self.tmp],
                              capture_output=True, text=True)

    def test_the_tree_passes(self):
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_each_bad_include_fails(self):
        for rel, include in BAD:
            with self.subTest(file=rel, include=include):
                path = os.path.join(self.tmp, rel)
                shutil.copy(path, path + ".orig")
                add_include(path, include)
                r = self.check()
                os.replace(path + ".orig", path)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn(f"{rel}:", r.stdout)
                self.assertIn(include.split(" ", 1)[1], r.stdout)

    def test_a_bad_link_fails(self):
        """core linking the server layer, or libmicrohttpd, is refused."""
        with open(self.targets, encoding="utf-8") as f:
            lines = f.read().split("\n")
        at = lines.index("target tikstat_core")
        links = next(i for i in range(at, len(lines)) if lines[i].startswith("links "))
        lines[links] += ";tikstat::server;PkgConfig::MHD"
        bad = os.path.join(self.tmp, "targets.txt")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        r = subprocess.run([sys.executable, CHECK, bad, "--root", self.tmp],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("target tikstat_core (layer core) links tikstat::server", r.stdout)
        self.assertIn("target tikstat_core (layer core) links PkgConfig::MHD", r.stdout)


if __name__ == "__main__":
    CheckLayers.targets = sys.argv.pop(1)
    unittest.main(verbosity=2)
