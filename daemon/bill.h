/*
 * bill.h — a bill's arithmetic ([bill NAME], DESIGN "Bills"): the bytes it
 * counts by direction, their share of the quota, the overage, and the
 * P-th percentile of its 5-minute rates. Pure: no I/O, no clock, no
 * globals; the caller reads the buckets (store.h) and passes the times.
 *
 * Used bytes. direction = both counts rx + tx, rx or tx one of them; sums
 * are capped at 2^64-1. The estimate is cycle_project (cycle.h) of the used
 * bytes, used_percent is rounded to hundredths as /api/v1/cycle rounds it,
 * the overage is what exceeds the quota (0 under it or without a quota).
 *
 * The percentile (the usual "95th percentile" of burstable billing):
 *  - a sample is one 5-minute slot of the cycle, [start + 300 k,
 *    start + 300 (k + 1)); its rate is its bytes (summed over the bill's
 *    counters) * 8 / 300, in bits per second, rounded down;
 *  - the samples are the slots of the cycle's elapsed part that are over:
 *    n = (min(now, end) - start) / 300, rounded down. The slot still
 *    running is left out (its 5-minute average is not known yet), and so
 *    are the slots still to come: counted as zeros they would pull the
 *    percentile of a young cycle to 0. A slot of the elapsed part without
 *    a bucket counts as 0 bytes: the daemon spreads every byte it counts,
 *    downtime recoveries included, over the buckets it falls in, so a slot
 *    without a bucket is a slot without traffic;
 *  - the rates of rx and tx are sorted separately, ascending; the
 *    percentile is the one of rank r = ceil(P * n / 100) (1-based; index
 *    r - 1 from 0), the nearest-rank definition: the top n - r samples,
 *    floor((100 - P) * n / 100) of them, are discarded and the highest
 *    remaining is taken. For P = 95 and n < 20 nothing is discarded (the
 *    percentile is the highest sample); n = 0 gives 0;
 *  - the billed rate is rx's, tx's, or for direction = both the higher of
 *    the two (max(rx, tx)); the rate overage is what exceeds the committed
 *    rate (0 under it or without one).
 * Memory is bounded by the longest cycle (BILL_SLOTS_MAX samples: 31 days
 * and the 2 hours of the largest fall-back of a DST zone); the cost is
 * O(m + n log n) for m buckets.
 *
 * Worked example (README, "Bills and the 95th percentile"; test_bill.c).
 * A cycle starts 2026-12-01 00:00; at 01:42, 20 slots are over (the one
 * of 01:40 is still running). In Mbit/s (1 Mbit/s = 37,500,000 bytes in
 * 5 minutes), the slots from 00:00 to 00:30 have no bucket, then:
 *   rx: 10 slots at 4, 2 at 6, 1 at 8, then a spike of 50 at 01:35
 *   tx: 12 slots at 1, then 2 at 12 (01:30 and 01:35)
 * sorted, with the 6 empty slots as zeros:
 *   rx: 0 0 0 0 0 0 4 4 4 4 4 4 4 4 4 4 6 6 8 | 50
 *   tx: 0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 1 1 12 | 12
 * r = ceil(0.95 * 20) = 19: one sample discarded. rx: 8 Mbit/s (the
 * spike is discarded), tx: 12 Mbit/s (one of the two 12s remains), both:
 * 12 Mbit/s; over a committed 10 Mbit/s, 2 Mbit/s. Bytes: rx 4.125 GB,
 * tx 1.35 GB; with quota = 5G, direction = rx uses 82.50 %, direction =
 * both 109.50 % with an overage of 475,000,000 bytes.
 */
#ifndef TIKSTAT_BILL_H
#define TIKSTAT_BILL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The length of a sample (a 5-minute bucket), in seconds. */
#define BILL_SLOT 300
/* The longest cycle, in seconds: 31 days and a fall-back of 2 hours. */
#define BILL_CYCLE_MAX (31 * 86400 + 7200)
/* The most samples a cycle has. */
#define BILL_SLOTS_MAX (BILL_CYCLE_MAX / BILL_SLOT)

/* Which bytes a bill counts (the key direction). */
enum bill_direction { BILL_BOTH, BILL_RX, BILL_TX };

/* A bill's terms, from its [bill NAME] section. */
struct bill_terms {
	enum bill_direction direction;
	uint64_t quota;         /* bytes per cycle, 0 = none */
	int percentile;         /* P, 1..99 (0 when the bill has none) */
	uint64_t committed_bps; /* the committed rate, bits/s, 0 = none */
};

/* A bill's usage in one cycle. The caller sets start, end and the sums
 * (bill_usage_add); bill_usage_settle computes the rest. */
struct bill_usage {
	int64_t start, end;        /* the cycle, Unix seconds, end exclusive */
	uint64_t rx, tx;           /* summed over the bill's counters, capped */
	uint64_t used;             /* rx + tx, rx or tx by direction, capped */
	uint64_t estimate;         /* cycle_project(used, start, end, now) */
	uint64_t quota;            /* the terms' quota, 0 = none */
	uint64_t used_hundredths;  /* used_percent * 100, rounded; 0 without a quota */
	uint64_t overage;          /* used - quota when over it, else 0 */
	uint64_t estimate_overage; /* estimate - quota when over it, else 0 */
};

/* The percentile of one cycle's samples. */
struct bill_percentile {
	size_t samples;       /* n, the slots counted */
	size_t rank;          /* r = ceil(P * n / 100), 1-based; 0 when n = 0 */
	uint64_t rx_bps;      /* the rate of rank r of rx, bits/s */
	uint64_t tx_bps;      /* the same for tx */
	uint64_t max_bps;     /* max(rx_bps, tx_bps) */
	uint64_t billed_bps;  /* rx_bps, tx_bps or max_bps by direction */
	uint64_t overage_bps; /* billed_bps - committed_bps when over it, else 0 */
};

/* The bytes direction d counts of rx and tx, capped at 2^64-1. */
uint64_t bill_used(enum bill_direction d, uint64_t rx, uint64_t tx);

/* value - limit when a limit is set (non-zero) and value exceeds it,
 * else 0: the overage of bytes over a quota or of a rate over a
 * committed rate. */
uint64_t bill_over(uint64_t value, uint64_t limit);

/* Adds one counter's rx and tx in the cycle (or bytes still pending in
 * the recorder) to u's sums, capped at 2^64-1. */
void bill_usage_add(struct bill_usage *u, uint64_t rx, uint64_t tx);

/* Computes used, estimate, quota, used_hundredths and the overages of u
 * from its start, end and sums under terms t at time now (start < end). */
void bill_usage_settle(struct bill_usage *u, const struct bill_terms *t, int64_t now);

/* The rate of b bytes in one sample: b * 8 / 300 bits/s, rounded down
 * (exact for every 64-bit b). */
uint64_t bill_rate_bps(uint64_t bytes);

/* The 1-based rank of the P-th percentile of n samples, ceil(P * n / 100),
 * exact for every n; 0 when n is 0. p is 1..99. */
size_t bill_rank(size_t n, int p);

/* The samples of one cycle: owned by the caller, freed with
 * bill_samples_free. */
struct bill_samples;

/* Samples of the cycle [start, end) as it stands at now, all 0 bytes.
 * NULL when end <= start, when the cycle is longer than BILL_CYCLE_MAX, or
 * out of memory. */
struct bill_samples *bill_samples_new(int64_t start, int64_t end, int64_t now);

/* NULL-safe. */
void bill_samples_free(struct bill_samples *s);

/* How many samples s counts (n above). */
size_t bill_samples_count(const struct bill_samples *s);

/* Adds rx and tx bytes of the 5-minute bucket starting at t to its sample
 * (several counters' buckets of one slot add up, capped at 2^64-1); a
 * bucket outside the counted slots (before the cycle, in the running
 * slot, after now or after the end) is ignored. */
void bill_samples_add(struct bill_samples *s, int64_t t, uint64_t rx, uint64_t tx);

/* bill_samples_add as a store_point_fn: ctx is the struct bill_samples,
 * so store_series(st, iface, STEP_5MIN, start, end, bill_samples_point, s)
 * adds a counter's buckets. Returns 0. */
int bill_samples_point(void *ctx, const struct store_point *p);

/* The t->percentile-th percentile of s as described above, with the
 * billed rate and its overage by t's direction and committed rate.
 * Returns 0, or -1 when t->percentile is not 1..99 (out untouched). s is
 * unchanged and may take more buckets afterwards. */
int bill_percentile(struct bill_samples *s, const struct bill_terms *t,
                    struct bill_percentile *out);

#endif
