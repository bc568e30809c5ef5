/*
 * billing.h — a [bill NAME]'s state from the database: its cycle, the bytes
 * its counters used, the estimate, the quota's share and overage and, for a
 * bill with percentile = P, the P-th percentile of its 5-minute rates
 * (bill.h has the arithmetic and its worked example). One loader for the
 * API (/api/v1/bills, /api/v1/bill), the CLI (tikstat --bill), /metrics and
 * the bill alerts, so they all agree.
 *
 * The cycle is the one containing now, starting on the bill's
 * cycle_start_day (cfg defaults it to the [tikstat] one) at local
 * midnight. Bytes are the committed day buckets of the cycle, summed over
 * the bill's counters (a counter the database does not have yet counts 0
 * bytes); the percentile's samples are the cycle's committed 5-minute
 * buckets, all counters summed per slot (they must be kept for a whole
 * cycle: cfg refuses a percentile bill with retention_5min under 32 days).
 *
 *   {"name":"internet","counters":["home/ether1","home/lte1"],
 *    "direction":"both","start":"2026-12-01T00:00:00+01:00",
 *    "end":"2027-01-01T00:00:00+01:00","rx":1,"tx":2,"used":3,
 *    "estimate":9,"quota":5000000000,"used_percent":0.01,"overage":0,
 *    "percentile":95,"percentile_bps":{"rx":8000000,"tx":12000000},
 *    "billed_bps":12000000,"committed_bps":10000000,
 *    "rate_overage_bps":2000000}
 *
 * quota and used_percent are null without a quota (overage then 0); the
 * last five members are there only for a bill with a percentile
 * (committed_bps null without a committed rate). Times are ISO 8601 in the
 * configured zone, as in /api/v1/cycle.
 *
 * Functions reading the store use the handle they are given (one thread at
 * a time, store.h) and return 0, or -1 with store_errmsg() set (-1 also
 * when memory ran out). Renderings are pure and return 0, or -1 when
 * memory ran out.
 */
#ifndef TIKSTAT_BILLING_H
#define TIKSTAT_BILLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bill.h"
#include "cfg.h"
#include "jsonw.h"
#include "store.h"

/* One bill's state at one time. */
struct billing_state {
	const struct cfg *cfg;       /* borrowed: the routers the counters name */
	const struct cfg_bill *bill; /* borrowed from cfg */
	struct bill_usage usage;     /* the cycle and its bytes */
	bool has_percentile;         /* pct holds the bill's percentile */
	struct bill_percentile pct;
};

/* The terms of bill b (bill.h's form). */
struct bill_terms billing_terms(const struct cfg_bill *b);

/* Loads the state of bill b of configuration c at now into *out: the
 * usage always, the percentile when with_percentile and the bill has one
 * (O(m + n log n): m 5-minute buckets, n slots of the cycle). */
int billing_load(store *s, const struct cfg *c, const struct cfg_bill *b, int64_t now,
                 bool with_percentile, struct billing_state *out);

/* Whether bill b sums a counter of router (NULL: any router) named
 * counter (NULL: any of the router's counters): an interface or queue
 * name as written, or a device's MAC address in any case. */
bool billing_includes(const struct cfg *c, const struct cfg_bill *b, const char *router,
                      const char *counter);

/* Appends the JSON document above for v[0..n): one object when as_array
 * is false (n must be 1), else an array of n objects; then a newline. */
int billing_json(const struct billing_state *v, size_t n, bool as_array, struct text_buf *out);

/* Appends, for a terminal, the table of each bill (a blank line between
 * them): its counters and direction, the cycle, used of the quota and its
 * percentage, the estimate, the overage, and the percentile rates when the
 * bill has one. */
int billing_table(const struct billing_state *v, size_t n, struct text_buf *out);

/* Appends one line per bill: name, used (of quota, %), estimate, and the
 * percentile's billed rate when the bill has one. */
int billing_lines(const struct billing_state *v, size_t n, struct text_buf *out);

/* --- a cache of percentiles, for /metrics --- */

/* How long a cached percentile is served, in seconds: a scrape every few
 * seconds must not sort a month of samples each time. */
#define BILLING_CACHE_SECONDS 60

/* The percentiles of the bills of one configuration, each computed at
 * most once per BILLING_CACHE_SECONDS (and again when its cycle changes).
 * Thread-safe (a mutex); the usage is never cached. */
struct billing_cache;

/* A cache for the bills of c (borrowed: it must outlive the cache). NULL
 * when out of memory. */
struct billing_cache *billing_cache_new(const struct cfg *c);
/* NULL-safe. */
void billing_cache_free(struct billing_cache *k);

/* billing_load of bill b (one of the cache's cfg's bills) with its
 * percentile from the cache when the cache's copy is of the same cycle
 * and younger than BILLING_CACHE_SECONDS on mono (monotonic seconds),
 * else computed afresh and kept. */
int billing_cache_load(struct billing_cache *k, store *s, const struct cfg_bill *b, int64_t now,
                       int64_t mono, struct billing_state *out);

#endif
