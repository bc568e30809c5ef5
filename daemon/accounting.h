/*
 * accounting.h — from two counter readings to the traffic between them.
 *
 * Pure functions: no I/O, no clock, no globals. The rules (README,
 * "Accounting"):
 *  - the first reading of an interface is a baseline, not counted; so is
 *    the first reading from another source (legacy import, push, poll);
 *  - delta = current - previous while the counters did not go down, the
 *    router did not reboot (its uptime grew by at least the elapsed time,
 *    minus a tolerance) and the interface's .id is unchanged;
 *  - after a reboot or a re-created interface the delta is the current
 *    value: the traffic since the reset; a counter that went down without
 *    either (reset-counters, a wrap) counts its current value, the other
 *    direction its growth;
 *  - elapsed time is measured on the monotonic clock when both readings
 *    carry it (same run of the daemon), so a step of the wall clock is
 *    never taken for a reboot; the wall clock only places the traffic in
 *    buckets. Without it (the first reading after a restart) the wall
 *    clock measures, as it must;
 *  - after downtime of the daemon or the link without a reboot, the whole
 *    growth counts and is spread over the gap;
 *  - a delta implying more than max_rate (bits/s) in either direction is
 *    rejected: not counted, and the reading becomes the new baseline;
 *  - a delta is split across 5-minute buckets in proportion to time, with
 *    integer arithmetic that loses and duplicates no byte.
 */
#ifndef TIKSTAT_ACCOUNTING_H
#define TIKSTAT_ACCOUNTING_H

#include <stdbool.h>
#include <stdint.h>

#define ACCT_ID_MAX 32

/* The time range accounting supports: 1970-01-01 to 9999-12-31 UTC.
 * A reading outside it is ignored (ACCT_STALE), so no arithmetic on times
 * can overflow. */
#define ACCT_TIME_MIN INT64_C(0)
#define ACCT_TIME_MAX INT64_C(253402300799)

/* A wall-clock step larger than this (ms) between two readings of one run
 * is a step (settimeofday, NTP step), not drift or rounding. */
#define ACCT_STEP_MS INT64_C(3000)

/* Where a reading came from. Counters of different sources are different
 * counters (the old router script read driver-rx-byte, the poller reads
 * rx-byte): a change of source is a new baseline, never a reset. */
enum acct_source {
	ACCT_SRC_UNKNOWN, /* not known (a database of schema 1): same as any */
	ACCT_SRC_POLL,    /* read by the poller over the API */
	ACCT_SRC_PUSH,    /* pushed by the router (HTTP) */
	ACCT_SRC_LEGACY,  /* imported from the old PHP setup (import-legacy) */
};

/* One reading of an interface's cumulative counters. */
struct acct_reading {
	int64_t time;        /* Unix seconds when read (a poll: when its request was sent) */
	int32_t time_sub_ms; /* milliseconds past time (0..999): readings in the same
				second keep their order, also after a restart */
	enum acct_source source;
	int64_t mono_ms;    /* monotonic ms (CLOCK_BOOTTIME: it counts a suspend of
			       the host too, as the router's uptime does) at the same
			       instant; 0 = unknown (loaded from the store, imported):
			       never stored */
	int64_t latency_ms; /* request sent -> reply processed (ms, >= 0): the uptime
			       may have been read that much after time */
	uint64_t rx, tx;    /* cumulative byte counters */
	uint64_t uptime;    /* router uptime in seconds, if has_uptime */
	bool has_uptime;
	char id[ACCT_ID_MAX]; /* the interface's .id ("*1"), "" if unknown (push) */
};

/* What happened between two readings. */
enum acct_kind {
	ACCT_BASELINE,  /* first reading, or the first of another source: nothing counted */
	ACCT_NORMAL,    /* counters grew: the growth counts (also across downtime) */
	ACCT_REBOOT,    /* the router rebooted: the current value counts */
	ACCT_RESET,     /* counters went down without a reboot: the current value counts */
	ACCT_RECREATED, /* the interface's .id changed: the current value counts */
	ACCT_REJECTED,  /* implied rate above max_rate: nothing counted, new baseline */
	ACCT_STALE,     /* not newer than the previous reading: ignored */
};

struct acct_delta {
	enum acct_kind kind;
	int64_t t0, t1;       /* the interval the traffic is spread over */
	uint64_t rx, tx;      /* bytes to count */
	enum acct_source was; /* ACCT_BASELINE because the source changed: the
				 previous reading's source; else ACCT_SRC_UNKNOWN */
};

struct acct_limits {
	uint64_t max_rate;        /* bits/s in one direction; 0 = no limit */
	int64_t uptime_tolerance; /* seconds of slack in the reboot test (see acct_default_tolerance) */
};

/* Name of a kind, for logs: "baseline", "normal", "reboot", ... */
const char *acct_kind_name(enum acct_kind k);

/* Name of a source as stored: "poll", "push", "legacy"; NULL for
 * ACCT_SRC_UNKNOWN. acct_source_parse is its inverse (NULL or an unknown
 * name: ACCT_SRC_UNKNOWN). */
const char *acct_source_name(enum acct_source s);
enum acct_source acct_source_parse(const char *name);
/* For logs: "polling", "pushes", "legacy import", "unknown". */
const char *acct_source_text(enum acct_source s);

/* The default tolerance of the reboot test for a gap of elapsed seconds:
 * 5 s for reading skew plus 0.5 % for clock drift over long gaps. */
int64_t acct_default_tolerance(int64_t elapsed);

/* Computes what to count when cur follows prev (prev NULL: no previous
 * reading). lim->uptime_tolerance < 0 means acct_default_tolerance; the
 * reboot test adds prev->latency_ms to it (prev's uptime may have been
 * read that much after prev->time).
 * Readings of two different known sources: ACCT_BASELINE with d.was set.
 * Elapsed time: cur->mono_ms - prev->mono_ms when both are known, else
 * the wall time (time and time_sub_ms) of cur minus that of prev. Less
 * than 0: ACCT_STALE. Exactly 0: a reading of this run (cur->mono_ms
 * known: a push answered 2xx, never dropped) counts its growth into the
 * bucket of its time; one without (an imported row repeating a time) is
 * ACCT_STALE. The delta
 * is spread over [cur->time - elapsed, cur->time]: after a wall-clock step
 * the traffic lands where the new wall clock says, once, without phantom
 * hours. Any uptime and counter values are safe; times outside
 * [ACCT_TIME_MIN, ACCT_TIME_MAX] make cur ACCT_STALE (or, for prev, cur a
 * baseline). */
struct acct_delta acct_compute(const struct acct_reading *prev, const struct acct_reading *cur,
                               const struct acct_limits *lim);

/* The wall-clock step (ms, + forward, - back) between two observations of
 * (wall ms, monotonic ms) taken together, or 0 when the clocks agree
 * within ACCT_STEP_MS. Overflow-safe for any values. */
int64_t acct_clock_step(int64_t wall0_ms, int64_t mono0_ms, int64_t wall1_ms, int64_t mono1_ms);

/* Receives one piece of a split delta: the 5-minute bucket it belongs to. */
typedef int (*acct_piece_fn)(void *ctx, int64_t bucket_start, uint64_t rx, uint64_t tx);

/* Splits d over the 5-minute buckets its interval [t0, t1) overlaps, in
 * proportion to the overlap (a zero-length interval goes to t1's bucket).
 * The pieces add up exactly to d->rx and d->tx. Stops and returns the
 * callback's value when it is non-zero. Buckets come from calendar.h. */
int acct_split(const struct acct_delta *d, acct_piece_fn fn, void *ctx);

/* a + b, or UINT64_MAX when that does not fit: sums of byte counts never
 * near 2^64 in practice, but must never wrap to a small number. */
static inline uint64_t acct_sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

#endif
