/*
 * cycle.h — billing-cycle arithmetic: the usage of an interface in the
 * cycle containing a time, and the one linear projection of a cycle or a
 * bucket that alerts, the CLI and the API share (report.h).
 *
 * A cycle starts on cycle_start_day at local midnight (calendar_cycle in
 * calendar.h) and ends where the next one starts. The projection of B
 * bytes counted in [start, now) to [start, end) is
 * B * (end - start) / elapsed, rounded down and capped at 2^64-1, where
 * elapsed is now - start but at least CYCLE_MIN_ELAPSED (an estimate from
 * minutes of data would be noise) and at most end - start.
 */
#ifndef TIKSTAT_CYCLE_H
#define TIKSTAT_CYCLE_H

#include <stdint.h>

#include "store.h"

/* The least elapsed time a projection divides by, in seconds. */
#define CYCLE_MIN_ELAPSED 3600

/* Usage of one interface in one cycle. */
struct cycle_usage {
	int64_t start, end; /* the cycle's bounds, Unix seconds, end exclusive */
	uint64_t rx, tx;
	uint64_t used;     /* rx + tx, capped at 2^64-1 */
	uint64_t estimate; /* cycle_project(used, start, end, now) */
};

/* The projection described above; start < end. Overflow-safe: 128-bit
 * intermediate, the result capped at 2^64-1. */
uint64_t cycle_project(uint64_t bytes, int64_t start, int64_t end, int64_t now);

/* The bytes of interface iface (store id) in the cycle [start, end) (as
 * calendar_cycle gives it), from the committed day buckets (cycles start
 * at local midnight, so day buckets cover them exactly). 0, or -1 (store
 * error). For many interfaces of one cycle: the bounds computed once. */
int cycle_bytes(store *s, int64_t iface, int64_t start, int64_t end, uint64_t *rx, uint64_t *tx);

/* Usage of interface iface (store id) in the cycle containing now, from
 * the committed day buckets (cycles start at local midnight, so day
 * buckets cover them exactly). Returns 0, or -1 (store error). */
int cycle_usage(store *s, int64_t iface, int cycle_start_day, int64_t now, struct cycle_usage *u);

/* Adds rx and tx bytes not in the store yet (recorder_pending) to u and
 * recomputes used and estimate for now; every sum is capped at 2^64-1. */
void cycle_usage_add(struct cycle_usage *u, uint64_t rx, uint64_t tx, int64_t now);

#endif
