#!/usr/bin/env python3
"""percentile_ref.py FILE...: the P-th percentile of a bill's 5-minute
rates, computed the textbook way, independently of daemon/bill.c, for
test_percentile_ref.py to compare with it. Standard library only.

A FILE is a CSV of one cycle:

    start,end,now,percentile
    1796083200,1798761600,1796089320,95
    bucket,rx,tx
    1796085000,150000000,37500000
    ...

(times in Unix seconds; a bucket row is the bytes of the 5-minute bucket
starting at that time; rows in any order, rows of one bucket add up, as
the buckets of a bill's several counters do). For each FILE one line:
"samples rank rx_bps tx_bps max_bps".

The textbook way, step by step, as the README states it: list the
5-minute periods of the cycle that are over by now; the bytes of each
(0 when no row falls in it), as the average rate bytes * 8 / 300, rounded
down; sort them; discard the top (100 - P) percent, rounded down to whole
samples; the highest remaining one is the percentile (0 without samples).
"""
import csv
import sys

SLOT = 300
MAX64 = 2**64 - 1


def read_cycle(path):
    """(start, end, now, percentile, [(time, rx, tx), ...]) from FILE."""
    with open(path, newline="", encoding="ascii") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["start", "end", "now", "percentile"] or rows[2] != ["bucket", "rx", "tx"]:
        raise ValueError(f"{path}: not a cycle CSV")
    start, end, now, p = (int(v) for v in rows[1])
    return start, end, now, p, [tuple(int(v) for v in r) for r in rows[3:]]


def periods(start, end, now):
    """The starts of the 5-minute periods of [start, end) that are over by now."""
    t, out = start, []
    while t + SLOT <= min(now, end):
        out.append(t)
        t += SLOT
    return out


def percentile(start, end, now, p, buckets):
    """(samples, rank, rx_bps, tx_bps, max_bps) as the module doc states."""
    starts = periods(start, end, now)
    rx = {t: 0 for t in starts}
    tx = dict(rx)
    for t, r, x in buckets:
        # the period a bucket's start falls in (buckets are aligned anyway)
        s = t - (t - start) % SLOT
        if s in rx:
            rx[s] = min(rx[s] + r, MAX64)
            tx[s] = min(tx[s] + x, MAX64)
    n = len(starts)
    if n == 0:
        return 0, 0, 0, 0, 0
    discard = n * (100 - p) // 100
    kept = n - discard

    def pick(by_start):
        rates = sorted(b * 8 // SLOT for b in by_start.values())
        return rates[:kept][-1]

    r, x = pick(rx), pick(tx)
    return n, kept, r, x, max(r, x)


def main(paths):
    for path in paths:
        print(*percentile(*read_cycle(path)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
