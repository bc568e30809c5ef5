#!/usr/bin/env python3
"""check_layers.py TARGETS [--root DIR]: the layers of tikstat, checked.

TARGETS is the file tests/layers/CMakeLists.txt generates: for each checked
target its directory, sources and direct links. The compiler cannot stop a
file from including a header that is on the path anyway (every system
header, every header of daemon/), so this checks, for every source of every
target and the header of the same name beside it:

  - each #include of a header of the tree names a header of the file's own
    layer or of a layer that LAYERS lets it use and that its target links;
  - each #include of a foreign library's header is in a file FOREIGN allows
    (one foreign library per file: only the store includes sqlite3.h, ...);
  - each target links only the layers and foreign libraries allowed to it.

--root checks a copy of the tree instead of the one TARGETS names (the
check's own test injects bad #includes into a copy).
Exit status 0 when all hold, 1 with one line per violation, 2 on bad input.
"""
import argparse
import os
import re
import sys

# layer: (its CMake targets, the layers it may use). The order is the
# build's (daemon/CMakeLists.txt): a layer uses only layers above it.
LAYERS = {
    "text": ({"tikstat_text"}, set()),
    "routeros": ({"routeros", "routeros_headers"}, {"text"}),
    "rosapi": ({"rosapi"}, {"routeros", "text"}),
    "simulator": ({"fakerouter"}, set()),
    "base": ({"tikstat_base"}, {"text"}),
    "store": ({"tikstat_store"}, {"base", "text"}),
    "core": ({"tikstat_core"}, {"store", "base", "text", "routeros"}),
    "import": ({"tikstat_import"}, {"core", "store", "base", "text", "routeros"}),
    "server": ({"tikstat_server"}, {"core", "store", "base", "text", "routeros"}),
    "daemon": ({"tikstat_daemon", "tikstatd"},
               {"server", "core", "store", "base", "text", "routeros"}),
    "cli": ({"tikstat"}, {"import", "core", "store", "base", "text", "routeros"}),
}

# A foreign library's headers (a name, or a directory ending in "/") and
# the only files of the tree that may include them.
FOREIGN = [
    ("sqlite3.h", {"daemon/store_sqlite.c", "daemon/legacy.c"}),
    ("sqlite3ext.h", {"daemon/store_sqlite.c", "daemon/legacy.c"}),
    ("libpq-fe.h", {"daemon/store_pglib.h", "daemon/store_pglib.c"}),
    ("microhttpd.h", {"daemon/http.c"}),
    ("zlib.h", {"daemon/http.c"}),
    ("systemd/", {"daemon/notify.c"}),
    ("openssl/", {"routeros-api/src/tls.c", "routeros-api/src/digest.c", "simulator/tlsutil.c"}),
]

# A foreign library's CMake target and the only layers that may link it.
FOREIGN_LINKS = {
    "PkgConfig::SQLITE": {"store", "import"},
    "PkgConfig::LIBPQ": {"store"},
    "PkgConfig::MHD": {"server"},
    "PkgConfig::ZLIB": {"server"},
    "PkgConfig::SYSTEMD": {"daemon"},
    "OpenSSL::SSL": {"routeros", "simulator"},
    "OpenSSL::Crypto": {"routeros", "simulator"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def read_targets(path):
    """The TARGETS file as (source root, build root,
    {target: {"dir", "sources", "links"}})."""
    root, build, targets, cur = None, None, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            if key == "source_root":
                root = value
            elif key == "binary_root":
                build = value
            elif key == "target":
                cur = targets.setdefault(value, {"dir": "", "sources": [], "links": []})
            elif cur is not None and key == "dir":
                cur["dir"] = value
            elif cur is not None and key == "sources":
                cur["sources"] = [s for s in value.split(";") if s]
            elif cur is not None and key in ("links", "interface_links"):
                cur["links"] += [link_name(s) for s in value.split(";") if s]
    if root is None or build is None or not targets:
        raise ValueError(f"{path}: no source_root, binary_root or target")
    return root, build, targets


def link_name(entry):
    """A link entry without $<LINK_ONLY:...> around it."""
    m = re.fullmatch(r"\$<LINK_ONLY:(.*)>", entry)
    return m.group(1) if m else entry


def target_of_link(name, targets):
    """The checked target a link names (tikstat::x is tikstat_x or x), or None."""
    if name in targets:
        return name
    if name.startswith("tikstat::"):
        short = name[len("tikstat::"):]
        for t in ("tikstat_" + short, short):
            if t in targets:
                return t
    return None


class Tree:
    """The checked files of one tree: who owns which, and the violations."""

    def __init__(self, root, targets, orig_root, build_root):
        self.root = root
        self.targets = targets
        self.layer_of_target = {}
        self.owner = {}  # relative path of a source or header -> target
        self.errors = []
        for t in targets:
            layer = next((name for name, (ts, _) in LAYERS.items() if t in ts), None)
            if layer is None:
                self.errors.append(f"target {t}: in no layer of check_layers.py's LAYERS")
            self.layer_of_target[t] = layer
        for t, info in targets.items():
            for src in info["sources"]:
                path = os.path.normpath(os.path.join(info["dir"], src))
                if under(path, build_root) or not under(path, orig_root):
                    continue  # generated in the build tree: not the tree's code
                rel = os.path.relpath(path, orig_root)
                self.owner[rel] = t
                header = os.path.splitext(rel)[0] + ".h"
                if rel.endswith(".c") and os.path.exists(os.path.join(root, header)):
                    self.owner.setdefault(header, t)

    def closure(self, target):
        """The layers a target reaches through its links (its own included)."""
        seen, todo = {target}, [target]
        while todo:
            for name in self.targets[todo.pop()]["links"]:
                t = target_of_link(name, self.targets)
                if t is not None and t not in seen:
                    seen.add(t)
                    todo.append(t)
        return {self.layer_of_target[t] for t in seen}

    def may_use(self, target, layer):
        """Whether files of target may include headers of layer."""
        own = self.layer_of_target[target]
        if own is None or layer == own:
            return True
        return layer in LAYERS[own][1] and layer in self.closure(target)

    def check_links(self):
        for t, info in self.targets.items():
            own = self.layer_of_target[t]
            if own is None:
                continue
            for name in info["links"]:
                to = target_of_link(name, self.targets)
                if to is not None and not self.may_use(t, self.layer_of_target[to]):
                    self.errors.append(f"target {t} (layer {own}) links {name} "
                                       f"(layer {self.layer_of_target[to]}); "
                                       f"{own} may use only {allowed(own)}")
                if name in FOREIGN_LINKS and own not in FOREIGN_LINKS[name]:
                    self.errors.append(f"target {t} (layer {own}) links {name}; only "
                                       f"{', '.join(sorted(FOREIGN_LINKS[name]))} may")

    def resolve(self, rel, quoted, name):
        """The tree's headers an #include names: beside the file, else any
        owned header whose path ends with the name (include paths of other
        layers count: that is what the check is for)."""
        if quoted:
            beside = os.path.normpath(os.path.join(os.path.dirname(rel), name))
            if os.path.exists(os.path.join(self.root, beside)):
                return [beside]
        suffix = "/" + os.path.normpath(name)
        return [p for p in self.owner if ("/" + p).endswith(suffix)]

    def check_file(self, rel, target):
        layer = self.layer_of_target[target]
        with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            quoted, name = m.group(1) == '"', m.group(2)
            shown = f'"{name}"' if quoted else f"<{name}>"
            where = f"{rel}:{n}: includes {shown}"
            found = self.resolve(rel, quoted, name)
            if found:
                owners = [self.owner.get(p) for p in found]
                if None in owners:
                    self.errors.append(f"{where}, a header of no layer "
                                       "(list it in a target's sources)")
                elif not any(self.may_use(target, self.layer_of_target[o]) for o in owners):
                    theirs = ", ".join(sorted({self.layer_of_target[o] for o in owners}))
                    self.errors.append(f"{where} (layer {theirs}); {layer} may use only "
                                       f"{allowed(layer)} and what its target links")
                continue
            for header, files in FOREIGN:
                hit = name.startswith(header) if header.endswith("/") else name == header
                if hit and rel not in files:
                    self.errors.append(f"{where}; only {', '.join(sorted(files))} may "
                                       "(one foreign library per file)")

    def check(self):
        self.check_links()
        for rel, target in sorted(self.owner.items()):
            if os.path.exists(os.path.join(self.root, rel)):
                self.check_file(rel, target)
            else:
                self.errors.append(f"{rel}: a source of {target} that is not in the tree")
        return self.errors


def under(path, root):
    return os.path.commonpath([path, os.path.normpath(root)]) == os.path.normpath(root)


def allowed(layer):
    uses = LAYERS[layer][1]
    return ", ".join(sorted(uses)) if uses else "itself"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("targets")
    ap.add_argument("--root", help="check this copy of the source tree")
    args = ap.parse_args()
    try:
        orig_root, build_root, targets = read_targets(args.targets)
    except (OSError, ValueError) as e:
        print(f"check_layers.py: {e}", file=sys.stderr)
        return 2
    tree = Tree(args.root or orig_root, targets, orig_root, build_root)
    errors = tree.check()
    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"layers: {len(tree.owner)} files of {len(targets)} targets checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
