#!/usr/bin/env python3
"""test_percentile_ref.py --driver PATH: bill_percentile (daemon/bill.c,
through percentile_driver) against percentile_ref.py, an independent
computation of the textbook definition, on random cycles.

The cycles come from a fixed seed, so a failure repeats: months of 28 to
31 days with DST hours (+-1 h, +2 h), "now" before the start, in the first
minutes (fewer than 20 samples), anywhere in the cycle and after its end;
P = 95 and random P in 1..99; buckets sparse to dense, values with many
ties, in Mbit/s steps, spread up to 2^40 and near 2^64 (saturated sums),
two counters' buckets of one slot, buckets before the start, in the
running slot and after the end. Both programs read the same CSV files
(the format of percentile_ref.py) and print one line each per file; the
lines must be equal. On a mismatch the files are kept and named.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import harness  # noqa: E402

SLOT = 300
DAY = 86400
MAX64 = 2**64 - 1
SEED = 12
CYCLES = 240


def value(rng, kind):
    """One bucket's bytes of the cycle's kind."""
    if kind == "ties":
        return rng.randrange(4)
    if kind == "mbit":
        return rng.randrange(0, 60) * 37500000
    if kind == "spread":
        return rng.randrange(2**40)
    return MAX64 - rng.randrange(2**20)  # huge: two of them saturate


def cycle(rng):
    """(start, end, now, p, rows) of one random cycle."""
    start = rng.randrange(18262, 21914) * DAY + rng.randrange(96) * 900  # 2020-2029
    end = start + rng.choice((28, 29, 30, 31)) * DAY + rng.choice((0, 0, 0, 3600, -3600, 7200))
    where = rng.random()
    if where < 0.1:
        now = start - rng.randrange(1, 2 * DAY)
    elif where < 0.35:
        now = start + rng.randrange(0, 25 * SLOT)
    elif where < 0.85:
        now = rng.randrange(start, end)
    else:
        now = end + rng.randrange(0, 3 * DAY)
    p = 95 if rng.random() < 0.6 else rng.randint(1, 99)
    kind = rng.choice(("ties", "mbit", "spread", "huge"))
    density = rng.choice((0.0, 0.05, 0.5, 1.0))
    slots = (min(max(now, start), end) - start) // SLOT + 1  # the running slot too
    rows = []
    for k in range(slots):
        if rng.random() < density:
            rows.append((start + k * SLOT, value(rng, kind), value(rng, kind)))
            if rng.random() < 0.1:  # a second counter's bucket of the slot
                rows.append((start + k * SLOT, value(rng, kind), value(rng, kind)))
    for _ in range(rng.randrange(4)):  # outside the elapsed part, or inside a slot
        t = rng.choice((start - SLOT, start - 1, end, end + DAY, now, start + rng.randrange(SLOT)))
        rows.append((t, value(rng, kind), value(rng, kind)))
    rng.shuffle(rows)
    return start, end, now, p, rows


def write_cycle(path, c):
    start, end, now, p, rows = c
    with open(path, "w", encoding="ascii") as f:
        f.write(f"start,end,now,percentile\n{start},{end},{now},{p}\nbucket,rx,tx\n")
        f.writelines(f"{t},{rx},{tx}\n" for t, rx, tx in rows)


def run(cmd):
    """The lines cmd prints; a failure is a failed check and no lines."""
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    harness.check(r.returncode == 0, f"{cmd[0]}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout.splitlines()


def main():
    args = harness.parse_args("driver")
    rng = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="tikstat-bill-")
    paths = []
    for i in range(CYCLES):
        paths.append(os.path.join(work, f"cycle{i:03}.csv"))
        write_cycle(paths[-1], cycle(rng))
    got = run([args.driver] + paths)
    want = run([sys.executable, os.path.join(HERE, "percentile_ref.py")] + paths)
    harness.check(len(got) == len(want) == CYCLES,
                  f"lines: driver {len(got)}, reference {len(want)}, cycles {CYCLES}")
    for path, g, w in zip(paths, got, want):
        harness.check(g == w, f"{path}: bill.c says {g!r}, the reference {w!r}")
    samples = sorted(int(w.split()[0]) for w in want) or [0]
    if harness.FAILURES:
        print(f"the cycles are kept in {work}")
    else:
        shutil.rmtree(work)
    return harness.exit_status(f"{len(want)} random cycles (seed {SEED}, {samples[0]} to "
                               f"{samples[-1]} samples): bill.c agrees with the reference")


if __name__ == "__main__":
    sys.exit(main())
