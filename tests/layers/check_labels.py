#!/usr/bin/env python3
"""check_labels.py CTEST BUILD_DIR: every test of the build carries one of
the suite's kinds as a label (unit, integration, browser, fuzz), so that
`ctest -L KIND` runs all of a kind and no test falls between them.

Reads the tests with `ctest --show-only=json-v1` (nothing is run).
Exit status 0, 1 with one line per unlabelled test, 2 when ctest fails.
"""
import json
import subprocess
import sys

KINDS = {"unit", "integration", "browser", "fuzz"}


def main(ctest, build):
    try:
        out = subprocess.run([ctest, "--test-dir", build, "--show-only=json-v1"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"check_labels.py: {ctest} --show-only: {e}", file=sys.stderr)
        return 2
    tests = json.loads(out)["tests"]
    bad = 0
    for t in tests:
        labels = next((p["value"] for p in t.get("properties", []) if p["name"] == "LABELS"), [])
        if not KINDS.intersection(labels):
            print(f"{t['name']}: labels {labels}, none of {', '.join(sorted(KINDS))} "
                  "(set_tests_properties(... LABELS ...))")
            bad += 1
    if bad:
        return 1
    print(f"{len(tests)} tests, each labelled {' or '.join(sorted(KINDS))}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
