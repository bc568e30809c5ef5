#!/usr/bin/env python3
"""check_links.py PROGRAM LIB... [-- PROGRAM LIB...]: programs link none of
the named shared libraries.

Reads each program's DT_NEEDED entries with readelf -d (the program is not
run) and fails when one names a forbidden library: "libz" forbids libz.so.1
and any other version of it. Exit status 0, 1 with one line per forbidden
library, 2 when readelf fails.
"""
import re
import subprocess
import sys


def needed(program):
    """The shared libraries a program names in its dynamic section."""
    out = subprocess.run(["readelf", "-d", program], check=True, capture_output=True,
                         text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def groups(args):
    """[PROGRAM, LIB...] groups of the command line, split at "--"."""
    group = []
    for a in args + ["--"]:
        if a != "--":
            group.append(a)
        elif group:
            yield group[0], group[1:]
            group = []


def main(args):
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = False
    for program, forbidden in groups(args):
        try:
            libs = needed(program)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"check_links.py: readelf -d {program}: {e}", file=sys.stderr)
            return 2
        for lib in libs:
            if lib.split(".so")[0] in forbidden:
                print(f"{program} links {lib}")
                failed = True
        print(f"{program}: {' '.join(libs)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
