/*
 * test_accounting.c — unit tests for daemon/accounting.c: what one
 * reading counts after another (baseline, growth, resets, reboots,
 * re-created interfaces, downtime, bogus rates, stale readings) and how a
 * delta is split over 5-minute buckets without losing or duplicating a
 * byte.
 *
 * Expected instants are UTC civil times converted by the test's own
 * arithmetic (utc() below). acct_split reads bucket boundaries from
 * calendar.h, so each split test sets its zone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "accounting.h"
#include "calendar.h"

#define U64_MAX UINT64_MAX

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

/* Unix seconds of a UTC civil time (proleptic Gregorian, months 1..12). */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

/* A polled reading: with uptime and the interface's .id. */
static struct acct_reading polled(int64_t time, uint64_t rx, uint64_t tx, uint64_t uptime,
                                  const char *id)
{
	struct acct_reading r = {0};
	r.time = time;
	r.rx = rx;
	r.tx = tx;
	r.uptime = uptime;
	r.has_uptime = true;
	snprintf(r.id, sizeof r.id, "%s", id);
	return r;
}

/* A pushed reading: no uptime, no .id. */
static struct acct_reading pushed(int64_t time, uint64_t rx, uint64_t tx)
{
	struct acct_reading r = {0};
	r.time = time;
	r.rx = rx;
	r.tx = tx;
	return r;
}

static const struct acct_limits no_limit = {0, -1};

static struct acct_delta compute(const struct acct_reading *prev, const struct acct_reading *cur)
{
	return acct_compute(prev, cur, &no_limit);
}

static void assert_delta(struct acct_delta d, enum acct_kind kind, int64_t t0, int64_t t1,
                         uint64_t rx, uint64_t tx)
{
	if (d.kind != kind)
		fail_msg("kind %s, want %s", acct_kind_name(d.kind), acct_kind_name(kind));
	assert_int_equal(d.t0, t0);
	assert_int_equal(d.t1, t1);
	assert_int_equal(d.rx, rx);
	assert_int_equal(d.tx, tx);
}

/* Collects the pieces of a split. */
#define MAX_PIECES 2048
struct pieces {
	size_t n;
	int64_t start[MAX_PIECES];
	uint64_t rx[MAX_PIECES], tx[MAX_PIECES];
	int fail_at; /* return fail_rc from the fail_at-th call (1-based); 0 never */
	int fail_rc;
	int calls;
};

static int collect(void *ctx, int64_t bucket_start, uint64_t rx, uint64_t tx)
{
	struct pieces *p = ctx;
	p->calls++;
	if (p->fail_at && p->calls == p->fail_at)
		return p->fail_rc;
	if (p->n == MAX_PIECES)
		fail_msg("more than %d pieces", MAX_PIECES);
	p->start[p->n] = bucket_start;
	p->rx[p->n] = rx;
	p->tx[p->n] = tx;
	p->n++;
	return 0;
}

static void split(const struct acct_delta *d, struct pieces *p)
{
	memset(p, 0, sizeof *p);
	assert_int_equal(acct_split(d, collect, p), 0);
}

static struct acct_delta span(int64_t t0, int64_t t1, uint64_t rx, uint64_t tx)
{
	struct acct_delta d = {ACCT_NORMAL, t0, t1, rx, tx, ACCT_SRC_UNKNOWN};
	return d;
}

/* ------------------------------------------------------------------ */
/* acct_compute                                                        */
/* ------------------------------------------------------------------ */

static void first_reading_is_a_baseline_that_counts_nothing(void **state)
{
	(void)state;
	struct acct_reading cur = polled(1000000, 123456789, 987654321, 5000, "*1");
	assert_delta(compute(NULL, &cur), ACCT_BASELINE, 1000000, 1000000, 0, 0);
	struct acct_reading push = pushed(1000000, U64_MAX, U64_MAX);
	assert_delta(compute(NULL, &push), ACCT_BASELINE, 1000000, 1000000, 0, 0);
	/* max_rate does not matter to a baseline */
	struct acct_limits lim = {1, -1};
	assert_delta(acct_compute(NULL, &cur, &lim), ACCT_BASELINE, 1000000, 1000000, 0, 0);
}

static void growing_counters_count_their_growth_over_the_interval(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 1000, 2000, 5000, "*1");
	struct acct_reading cur = polled(1000010, 1500, 2700, 5010, "*1");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1000010, 500, 700);
}

static void unchanged_counters_count_zero(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 1000, 2000, 5000, "*1");
	struct acct_reading cur = polled(1000010, 1000, 2000, 5010, "*1");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1000010, 0, 0);
}

static void counters_near_two_to_the_64_count_exactly(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, U64_MAX - 1000, U64_MAX - 5, 5000, "*1");
	struct acct_reading cur = polled(1000010, U64_MAX - 1, U64_MAX, 5010, "*1");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1000010, 999, 5);
	/* the whole range in one step */
	struct acct_reading zero = polled(1000000, 0, 0, 5000, "*1");
	struct acct_reading full = polled(1000010, U64_MAX, U64_MAX, 5010, "*1");
	assert_delta(compute(&zero, &full), ACCT_NORMAL, 1000000, 1000010, U64_MAX, U64_MAX);
}

static void rx_reset_with_uptime_growing_counts_the_current_values(void **state)
{
	(void)state;
	/* Each direction on its own: rx went down (reset, wrap) and counts its
	 * current value; tx grew and counts its growth. */
	struct acct_reading prev = polled(1000000, 1000000, 500, 5000, "*1");
	struct acct_reading cur = polled(1000060, 300, 800, 5060, "*1");
	assert_delta(compute(&prev, &cur), ACCT_RESET, 1000000, 1000060, 300, 300);
}

static void tx_reset_alone_is_a_reset_too(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 100, 1000000, 5000, "*1");
	struct acct_reading cur = polled(1000060, 4000, 20, 5060, "*1");
	assert_delta(compute(&prev, &cur), ACCT_RESET, 1000000, 1000060, 3900, 20);
}

static void reset_to_zero_counts_nothing_negative(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, U64_MAX, U64_MAX, 5000, "*1");
	struct acct_reading cur = polled(1000060, 0, 0, 5060, "*1");
	assert_delta(compute(&prev, &cur), ACCT_RESET, 1000000, 1000060, 0, 0);
}

static void uptime_dropping_is_a_reboot_counted_from_the_boot(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 9000000, 8000000, 100000, "*1");
	struct acct_reading cur = polled(1000300, 5000, 7000, 120, "*1");
	/* booted at 1000300 - 120: the traffic since then */
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, 1000180, 1000300, 5000, 7000);
}

static void reboot_counts_current_values_even_when_counters_grew(void **state)
{
	(void)state;
	/* uptime grew by 3000 s over 7200 s: the router rebooted after 4200 s
	 * of the gap, and its counters happen to exceed the old values */
	struct acct_reading prev = polled(1000000, 1000, 2000, 1000, "*1");
	struct acct_reading cur = polled(1007200, 5000, 9000, 4000, "*1");
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, 1007200 - 4000, 1007200, 5000, 9000);
}

static void reboot_interval_never_starts_before_the_previous_reading(void **state)
{
	(void)state;
	/* uptime dropped from 9000 to 4000, but 4000 s is more than the
	 * 3600 s since the previous reading */
	struct acct_reading prev = polled(1000000, 100000, 100000, 9000, "*1");
	struct acct_reading cur = polled(1003600, 50, 60, 4000, "*1");
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, 1000000, 1003600, 50, 60);
}

static void reboot_with_zero_uptime_goes_to_the_reading_instant(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 100000, 100000, 9000, "*1");
	struct acct_reading cur = polled(1000060, 0, 10, 0, "*1");
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, 1000060, 1000060, 0, 10);
}

static void uptime_growing_by_the_elapsed_time_within_tolerance_is_no_reboot(void **state)
{
	(void)state;
	/* elapsed 3600 s: default tolerance 5 + 3600 / 200 = 23 s */
	struct acct_reading prev = polled(1000000, 1000, 1000, 50000, "*1");
	struct acct_reading cur = polled(1003600, 3000, 4000, 50000 + 3600 - 23, "*1");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1003600, 2000, 3000);
	/* one second more missing: a reboot */
	cur.uptime--;
	struct acct_delta d = compute(&prev, &cur);
	assert_int_equal(d.kind, ACCT_REBOOT);
	assert_int_equal(d.rx, 3000);
	assert_int_equal(d.tx, 4000);
	/* uptime growing faster than the wall clock is no reboot */
	cur.uptime = 50000 + 3700;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_NORMAL);
}

static void explicit_tolerance_replaces_the_default(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 1000, 1000, 50000, "*1");
	struct acct_reading cur = polled(1000100, 2000, 2000, 50000 + 90, "*1");
	struct acct_limits ten = {0, 10};
	assert_int_equal(acct_compute(&prev, &cur, &ten).kind, ACCT_NORMAL);
	struct acct_limits nine = {0, 9};
	assert_int_equal(acct_compute(&prev, &cur, &nine).kind, ACCT_REBOOT);
	struct acct_limits strict = {0, 0};
	cur.uptime = 50000 + 100;
	assert_int_equal(acct_compute(&prev, &cur, &strict).kind, ACCT_NORMAL);
	cur.uptime = 50000 + 99;
	assert_int_equal(acct_compute(&prev, &cur, &strict).kind, ACCT_REBOOT);
}

static void changed_interface_id_counts_the_current_values(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 1000, 2000, 50000, "*1");
	struct acct_reading cur = polled(1000060, 5000, 9000, 50060, "*2");
	assert_delta(compute(&prev, &cur), ACCT_RECREATED, 1000000, 1000060, 5000, 9000);
	/* also when the new counters are lower */
	cur.rx = 10;
	cur.tx = 20;
	assert_delta(compute(&prev, &cur), ACCT_RECREATED, 1000000, 1000060, 10, 20);
}

static void empty_interface_ids_never_mean_recreated(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 1000, 2000, 50000, "");
	struct acct_reading cur = polled(1000060, 5000, 9000, 50060, "*2");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1000060, 4000, 7000);
	prev = polled(1000000, 1000, 2000, 50000, "*1");
	cur = polled(1000060, 5000, 9000, 50060, "");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1000060, 4000, 7000);
	struct acct_reading p1 = pushed(1000000, 1000, 2000);
	struct acct_reading p2 = pushed(1000060, 5000, 9000);
	assert_delta(compute(&p1, &p2), ACCT_NORMAL, 1000000, 1000060, 4000, 7000);
}

static void downtime_without_reboot_recovers_the_whole_growth_over_the_gap(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	int64_t t0 = utc(2026, 5, 1, 0, 0, 0), t1 = t0 + 3 * 86400;
	struct acct_reading prev = polled(t0, 1000, 1000, 86400, "*1");
	struct acct_reading cur =
	        polled(t1, 1000 + 864000000, 1000 + 8640, 86400 + 3 * 86400, "*1");
	struct acct_delta d = compute(&prev, &cur);
	assert_delta(d, ACCT_NORMAL, t0, t1, 864000000, 8640);
	/* spread evenly: 864 buckets of 5 minutes */
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 864);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.start[i], t0 + (int64_t)i * 300);
		assert_int_equal(p.rx[i], 1000000);
		assert_int_equal(p.tx[i], 10);
	}
}

static void downtime_with_a_reboot_counts_the_current_value_from_the_boot(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	int64_t t0 = utc(2026, 5, 1, 0, 0, 0), t1 = t0 + 3 * 86400;
	struct acct_reading prev = polled(t0, 5000000, 5000000, 10 * 86400, "*1");
	struct acct_reading cur = polled(t1, 288000, 2880, 86400, "*1");
	struct acct_delta d = compute(&prev, &cur);
	assert_delta(d, ACCT_REBOOT, t1 - 86400, t1, 288000, 2880);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 288);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.start[i], t1 - 86400 + (int64_t)i * 300);
		assert_int_equal(p.rx[i], 1000);
		assert_int_equal(p.tx[i], 10);
	}
}

static void readings_without_uptime_only_see_a_reset_when_counters_go_down(void **state)
{
	(void)state;
	/* a long gap cannot be told from a reboot without uptime: growth */
	struct acct_reading p1 = pushed(1000000, 1000, 2000);
	struct acct_reading p2 = pushed(1000000 + 30 * 86400, 5000, 9000);
	assert_delta(compute(&p1, &p2), ACCT_NORMAL, 1000000, 1000000 + 30 * 86400, 4000, 7000);
	struct acct_reading p3 = pushed(1000000 + 30 * 86400, 500, 9000);
	assert_delta(compute(&p1, &p3), ACCT_RESET, 1000000, 1000000 + 30 * 86400, 500, 7000);
	/* one of the two with uptime: still no reboot test */
	struct acct_reading u1 = polled(1000000, 1000, 2000, 999999, "");
	assert_int_equal(compute(&u1, &p2).kind, ACCT_NORMAL);
	struct acct_reading u2 = polled(1000000 + 30 * 86400, 5000, 9000, 1, "");
	assert_int_equal(compute(&p1, &u2).kind, ACCT_NORMAL);
}

static void rate_above_max_in_rx_alone_is_rejected(void **state)
{
	(void)state;
	/* 8000 bit/s = 1000 B/s; 10 s allow 10000 B */
	struct acct_limits lim = {8000, -1};
	struct acct_reading prev = polled(1000000, 0, 0, 5000, "*1");
	struct acct_reading cur = polled(1000010, 10001, 10, 5010, "*1");
	struct acct_delta d = acct_compute(&prev, &cur, &lim);
	assert_int_equal(d.kind, ACCT_REJECTED);
	assert_int_equal(d.rx, 0);
	assert_int_equal(d.tx, 0);
}

static void rate_above_max_in_tx_alone_is_rejected(void **state)
{
	(void)state;
	struct acct_limits lim = {8000, -1};
	struct acct_reading prev = polled(1000000, 0, 0, 5000, "*1");
	struct acct_reading cur = polled(1000010, 10, 10001, 5010, "*1");
	struct acct_delta d = acct_compute(&prev, &cur, &lim);
	assert_int_equal(d.kind, ACCT_REJECTED);
	assert_int_equal(d.rx, 0);
	assert_int_equal(d.tx, 0);
}

static void rate_exactly_at_max_is_accepted(void **state)
{
	(void)state;
	struct acct_limits lim = {8000, -1};
	struct acct_reading prev = polled(1000000, 0, 0, 5000, "*1");
	struct acct_reading cur = polled(1000010, 10000, 10000, 5010, "*1");
	assert_delta(acct_compute(&prev, &cur, &lim), ACCT_NORMAL, 1000000, 1000010, 10000, 10000);
	/* 2^64-1 bytes at 2^64-1 bit/s take 8 s: exactly at the limit */
	struct acct_limits top = {U64_MAX, -1};
	struct acct_reading z = polled(1000000, 0, 0, 5000, "*1");
	struct acct_reading f8 = polled(1000008, U64_MAX, 0, 5008, "*1");
	assert_int_equal(acct_compute(&z, &f8, &top).kind, ACCT_NORMAL);
	/* in 7 s it is too fast, and the product does not overflow */
	struct acct_reading f7 = polled(1000007, U64_MAX, 0, 5007, "*1");
	assert_int_equal(acct_compute(&z, &f7, &top).kind, ACCT_REJECTED);
}

static void max_rate_zero_means_no_limit(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 0, 0, 5000, "*1");
	struct acct_reading cur = polled(1000001, U64_MAX, U64_MAX, 5001, "*1");
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, 1000000, 1000001, U64_MAX, U64_MAX);
}

static void max_rate_applies_to_resets_and_reboots_over_their_own_span(void **state)
{
	(void)state;
	struct acct_limits lim = {8000, -1}; /* 1000 B/s */
	/* reboot 10 s before the reading: 10000 B allowed, 10001 not */
	struct acct_reading prev = polled(1000000, 50000000, 0, 90000, "*1");
	struct acct_reading ok = polled(1003600, 10000, 0, 10, "*1");
	assert_delta(acct_compute(&prev, &ok, &lim), ACCT_REBOOT, 1003590, 1003600, 10000, 0);
	struct acct_reading bad = polled(1003600, 10001, 0, 10, "*1");
	assert_int_equal(acct_compute(&prev, &bad, &lim).kind, ACCT_REJECTED);
	/* a reset spans the whole interval: 3600 s allow 3.6 MB */
	struct acct_reading reset = polled(1003600, 3600000, 0, 93600, "*1");
	assert_delta(acct_compute(&prev, &reset, &lim), ACCT_RESET, 1000000, 1003600, 3600000, 0);
	/* zero uptime: judged as one second */
	struct acct_reading boot = polled(1003600, 1000, 0, 0, "*1");
	assert_int_equal(acct_compute(&prev, &boot, &lim).kind, ACCT_REBOOT);
	boot.rx = 1001;
	assert_int_equal(acct_compute(&prev, &boot, &lim).kind, ACCT_REJECTED);
}

static void reading_not_newer_than_the_previous_is_stale(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 1000, 1000, 5000, "*1");
	struct acct_reading same = polled(1000000, 2000, 2000, 5000, "*1");
	struct acct_delta d = compute(&prev, &same);
	assert_int_equal(d.kind, ACCT_STALE);
	assert_int_equal(d.rx, 0);
	assert_int_equal(d.tx, 0);
	struct acct_reading older = polled(999990, 2000, 2000, 4990, "*1");
	d = compute(&prev, &older);
	assert_int_equal(d.kind, ACCT_STALE);
	assert_int_equal(d.rx, 0);
	assert_int_equal(d.tx, 0);
	/* stale wins over a reset, a reboot or a new .id */
	struct acct_reading odd = polled(999000, 1, 1, 1, "*9");
	assert_int_equal(compute(&prev, &odd).kind, ACCT_STALE);
}

static void default_tolerance_is_five_seconds_plus_half_a_percent(void **state)
{
	(void)state;
	assert_int_equal(acct_default_tolerance(0), 5);
	assert_int_equal(acct_default_tolerance(10), 5);
	assert_int_equal(acct_default_tolerance(200), 6);
	assert_int_equal(acct_default_tolerance(3600), 23);
	assert_int_equal(acct_default_tolerance(86400), 437);
	assert_int_equal(acct_default_tolerance(3 * 86400), 1301);
}

static void kind_names_are_readable(void **state)
{
	(void)state;
	assert_string_equal(acct_kind_name(ACCT_BASELINE), "baseline");
	assert_string_equal(acct_kind_name(ACCT_NORMAL), "normal");
	assert_string_equal(acct_kind_name(ACCT_REBOOT), "reboot");
	assert_string_equal(acct_kind_name(ACCT_RESET), "reset");
	assert_string_equal(acct_kind_name(ACCT_RECREATED), "recreated");
	assert_string_equal(acct_kind_name(ACCT_REJECTED), "rejected");
	assert_string_equal(acct_kind_name(ACCT_STALE), "stale");
	assert_string_equal(acct_kind_name((enum acct_kind)99), "?");
}

/* ------------------------------------------------------------------ */
/* acct_split                                                          */
/* ------------------------------------------------------------------ */

static void split_is_proportional_across_a_five_minute_boundary(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	struct acct_delta d = span(utc(2026, 5, 1, 10, 3, 0), utc(2026, 5, 1, 10, 8, 0), 600, 6000);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.start[0], utc(2026, 5, 1, 10, 0, 0));
	assert_int_equal(p.rx[0], 240);
	assert_int_equal(p.tx[0], 2400);
	assert_int_equal(p.start[1], utc(2026, 5, 1, 10, 5, 0));
	assert_int_equal(p.rx[1], 360);
	assert_int_equal(p.tx[1], 3600);
}

static void split_of_an_aligned_interval_fills_exactly_its_buckets(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	struct acct_delta d = span(utc(2026, 5, 1, 10, 0, 0), utc(2026, 5, 1, 10, 5, 0), 777, 1);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.start[0], utc(2026, 5, 1, 10, 0, 0));
	assert_int_equal(p.rx[0], 777);
	assert_int_equal(p.tx[0], 1);
}

static void split_of_a_zero_length_interval_goes_to_its_bucket(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	int64_t t = utc(2026, 5, 1, 10, 7, 30);
	struct acct_delta d = span(t, t, 1234, 5678);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.start[0], utc(2026, 5, 1, 10, 5, 0));
	assert_int_equal(p.rx[0], 1234);
	assert_int_equal(p.tx[0], 5678);
	/* a reversed interval is treated the same way: t1's bucket */
	d = span(t + 600, t, 1, 2);
	split(&d, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.start[0], utc(2026, 5, 1, 10, 5, 0));
}

static void split_of_nothing_calls_nothing(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	struct acct_delta d = span(utc(2026, 5, 1, 10, 3, 0), utc(2026, 5, 2, 10, 3, 0), 0, 0);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.calls, 0);
	d = span(utc(2026, 5, 1, 10, 3, 0), utc(2026, 5, 1, 10, 3, 0), 0, 0);
	split(&d, &p);
	assert_int_equal(p.calls, 0);
}

static void split_skips_buckets_whose_share_is_zero(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	/* 3 bytes over 12 buckets: three pieces of one byte, no empty ones */
	struct acct_delta d = span(utc(2026, 5, 1, 10, 0, 0), utc(2026, 5, 1, 11, 0, 0), 3, 0);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 3);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.rx[i], 1);
		assert_int_equal(p.tx[i], 0);
	}
}

static void split_of_a_long_gap_spreads_evenly(void **state)
{
	(void)state;
	calendar_set_zone("Europe/Berlin");
	/* one week: 2016 buckets */
	int64_t t0 = utc(2026, 6, 1, 0, 0, 0);
	struct acct_delta d = span(t0, t0 + 7 * 86400, 2016ULL * 1000000007ULL, 2016ULL * 3);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 2016);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.start[i], t0 + (int64_t)i * 300);
		assert_int_equal(p.rx[i], 1000000007ULL);
		assert_int_equal(p.tx[i], 3);
	}
}

/* Checks a split of the interval d in the current zone: pieces in strictly
 * increasing aligned 5-minute buckets inside the interval, each within a
 * byte of its exact proportional share, adding up to d exactly. */
static void check_split(const struct acct_delta *d)
{
	struct pieces p;
	split(d, &p);
	unsigned __int128 sum_rx = 0, sum_tx = 0;
	int64_t whole = d->t1 - d->t0;
	for (size_t i = 0; i < p.n; i++) {
		int64_t b = p.start[i];
		if (calendar_bucket_start(STEP_5MIN, b) != b)
			fail_msg("piece at %lld is not a bucket start", (long long)b);
		if (i > 0 && b <= p.start[i - 1])
			fail_msg("pieces out of order at %zu", i);
		if (p.rx[i] == 0 && p.tx[i] == 0)
			fail_msg("empty piece at %lld", (long long)b);
		sum_rx += p.rx[i];
		sum_tx += p.tx[i];
		if (whole <= 0) {
			assert_int_equal(b, calendar_bucket_start(STEP_5MIN, d->t1));
			continue;
		}
		int64_t next = calendar_bucket_next(STEP_5MIN, b);
		assert_int_equal(next - b, 300);
		int64_t lo = b > d->t0 ? b : d->t0, hi = next < d->t1 ? next : d->t1;
		if (hi <= lo)
			fail_msg("piece at %lld outside [%lld, %lld)", (long long)b,
			         (long long)d->t0, (long long)d->t1);
		/* |piece * whole - total * overlap| < whole */
		unsigned __int128 w = (unsigned __int128)whole;
		unsigned __int128 want_rx = (unsigned __int128)d->rx * (uint64_t)(hi - lo);
		unsigned __int128 want_tx = (unsigned __int128)d->tx * (uint64_t)(hi - lo);
		unsigned __int128 got_rx = (unsigned __int128)p.rx[i] * w;
		unsigned __int128 got_tx = (unsigned __int128)p.tx[i] * w;
		if ((got_rx > want_rx ? got_rx - want_rx : want_rx - got_rx) >= w ||
		    (got_tx > want_tx ? got_tx - want_tx : want_tx - got_tx) >= w)
			fail_msg("piece at %lld is not proportional", (long long)b);
	}
	if (sum_rx != d->rx || sum_tx != d->tx)
		fail_msg("pieces of [%lld, %lld) add up to %llu/%llu, want %llu/%llu",
		         (long long)d->t0, (long long)d->t1, (unsigned long long)sum_rx,
		         (unsigned long long)sum_tx, (unsigned long long)d->rx,
		         (unsigned long long)d->tx);
}

/* xorshift64*: a fixed sequence, the same on every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t random_size(void)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return U64_MAX;
	case 2: return U64_MAX - rnd() % 1000;
	case 3: return rnd() % 10;
	case 4: return rnd() % 1000000;
	default: return rnd() >> (rnd() % 64);
	}
}

static void random_splits_add_up_exactly(const char *zone_name)
{
	assert_int_equal(calendar_set_zone(zone_name), 0);
	rng_state = 0x9E3779B97F4A7C15ULL;
	int64_t year = utc(2026, 1, 1, 0, 0, 0);
	for (int i = 0; i < 3000; i++) {
		int64_t t0 = year + (int64_t)(rnd() % (366 * 86400));
		int64_t len;
		switch (rnd() % 4) {
		case 0: len = (int64_t)(rnd() % 2); break;
		case 1: len = (int64_t)(rnd() % 600); break;
		case 2: len = (int64_t)(rnd() % 7200); break;
		default: len = (int64_t)(rnd() % (5 * 86400)); break;
		}
		struct acct_delta d = span(t0, t0 + len, random_size(), random_size());
		check_split(&d);
	}
}

static void random_splits_add_up_exactly_in_berlin(void **state)
{
	(void)state;
	random_splits_add_up_exactly("Europe/Berlin");
}

static void random_splits_add_up_exactly_in_kolkata(void **state)
{
	(void)state;
	random_splits_add_up_exactly("Asia/Kolkata");
}

static void split_of_the_largest_counters_over_a_day_adds_up(void **state)
{
	(void)state;
	calendar_set_zone("Europe/Berlin");
	int64_t t0 = utc(2026, 10, 24, 21, 58, 17);
	struct acct_delta d = span(t0, t0 + 86400 + 3601, U64_MAX, U64_MAX - 1);
	check_split(&d);
	d = span(t0, t0 + 1, U64_MAX, U64_MAX);
	check_split(&d);
}

static void split_over_the_spring_forward_hour_keeps_300_second_buckets(void **state)
{
	(void)state;
	calendar_set_zone("Europe/Berlin");
	/* 01:00 CET to 04:00 CEST: two real hours, 24 buckets */
	int64_t t0 = utc(2026, 3, 29, 0, 0, 0);
	struct acct_delta d = span(t0, t0 + 7200, 2400, 24);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 24);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.start[i], t0 + (int64_t)i * 300);
		assert_int_equal(p.rx[i], 100);
		assert_int_equal(p.tx[i], 1);
	}
}

static void split_over_the_repeated_fall_back_hour_keeps_both_hours_apart(void **state)
{
	(void)state;
	calendar_set_zone("Europe/Berlin");
	/* 02:00 CEST to 02:00 CET to 03:00 CET */
	int64_t t0 = utc(2026, 10, 25, 0, 0, 0);
	struct acct_delta d = span(t0, t0 + 7200, 2400, 24);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 24);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.start[i], t0 + (int64_t)i * 300);
		assert_int_equal(p.rx[i], 100);
	}
	/* the same local minute, an hour apart, landed in two buckets */
	char a[32], b[32];
	calendar_format(p.start[0], a);
	calendar_format(p.start[12], b);
	assert_string_equal(a, "2026-10-25T02:00:00+02:00");
	assert_string_equal(b, "2026-10-25T02:00:00+01:00");
}

static void split_in_kolkata_uses_buckets_aligned_to_the_local_clock(void **state)
{
	(void)state;
	calendar_set_zone("Asia/Kolkata");
	/* 10:02 to 10:17 IST: 3, 5, 5 and 2 minutes */
	struct acct_delta d =
	        span(utc(2026, 5, 10, 4, 32, 0), utc(2026, 5, 10, 4, 47, 0), 900, 9000);
	struct pieces p;
	split(&d, &p);
	assert_int_equal(p.n, 4);
	static const int64_t minute[4] = {30, 35, 40, 45};
	static const uint64_t rx[4] = {180, 300, 300, 120};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(p.start[i], utc(2026, 5, 10, 4, (int)minute[i], 0));
		assert_int_equal(p.rx[i], rx[i]);
		assert_int_equal(p.tx[i], rx[i] * 10);
	}
}

static void split_stops_at_a_callback_error_and_returns_it(void **state)
{
	(void)state;
	calendar_set_zone("UTC");
	struct acct_delta d = span(utc(2026, 5, 1, 10, 0, 0), utc(2026, 5, 1, 11, 0, 0), 1200, 0);
	struct pieces p;
	memset(&p, 0, sizeof p);
	p.fail_at = 2;
	p.fail_rc = -7;
	assert_int_equal(acct_split(&d, collect, &p), -7);
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.n, 1);
	/* a positive value is returned as well, from the first call */
	memset(&p, 0, sizeof p);
	p.fail_at = 1;
	p.fail_rc = 3;
	assert_int_equal(acct_split(&d, collect, &p), 3);
	assert_int_equal(p.calls, 1);
	/* and from the single call of a zero-length interval */
	d = span(utc(2026, 5, 1, 10, 0, 0), utc(2026, 5, 1, 10, 0, 0), 5, 5);
	memset(&p, 0, sizeof p);
	p.fail_at = 1;
	p.fail_rc = -1;
	assert_int_equal(acct_split(&d, collect, &p), -1);
	assert_int_equal(p.calls, 1);
}

/* ------------------------------------------------------------------ */
/* the monotonic clock: wall-clock steps and stalls (issue 8, defect 1) */
/* ------------------------------------------------------------------ */

/* A polled reading of one run: wall time, monotonic ms and latency. */
static struct acct_reading timed(int64_t wall, int64_t mono_ms, int64_t latency_ms, uint64_t rx,
                                 uint64_t tx, uint64_t uptime)
{
	struct acct_reading r = polled(wall, rx, tx, uptime, "*1");
	r.mono_ms = mono_ms;
	r.latency_ms = latency_ms;
	return r;
}

#define W0 INT64_C(1790000000) /* 2026-09-21, any instant */
#define M0 INT64_C(123456789)  /* monotonic ms, any */

static void wall_step_forward_10s_is_no_reboot(void **state)
{
	(void)state;
	/* 5 s pass, the wall clock jumps 10 s: uptime grew 5 s in 5 s */
	struct acct_reading prev = timed(W0, M0, 20, 1000, 2000, 5000);
	struct acct_reading cur = timed(W0 + 15, M0 + 5000, 20, 1500, 2600, 5005);
	/* counted once, over the last 5 s of the new wall clock */
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0 + 10, W0 + 15, 500, 600);
}

static void wall_step_forward_an_hour_is_no_reboot_and_no_phantom_hour(void **state)
{
	(void)state;
	struct acct_reading prev = timed(W0, M0, 20, 1000, 2000, 5000);
	struct acct_reading cur = timed(W0 + 3605, M0 + 5000, 20, 1500, 2600, 5005);
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0 + 3600, W0 + 3605, 500, 600);
	/* max_rate measures the 5 s that passed, not the hour */
	struct acct_limits lim = {1000, -1}; /* 125 bytes/s */
	assert_int_equal(acct_compute(&prev, &cur, &lim).kind, ACCT_NORMAL);
	cur.rx = 1000 + 1001; /* 1001 bytes in 5 s: above 125/s */
	assert_int_equal(acct_compute(&prev, &cur, &lim).kind, ACCT_REJECTED);
}

static void wall_step_back_an_hour_neither_freezes_nor_double_counts(void **state)
{
	(void)state;
	struct acct_reading prev = timed(W0, M0, 20, 1000, 2000, 5000);
	struct acct_reading cur = timed(W0 + 5 - 3600, M0 + 5000, 20, 1500, 2600, 5005);
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0 - 3600, W0 + 5 - 3600, 500, 600);
	/* the next reading goes on from there: only its own growth */
	struct acct_reading next = timed(W0 + 10 - 3600, M0 + 10000, 20, 1700, 2700, 5010);
	assert_delta(compute(&cur, &next), ACCT_NORMAL, W0 + 5 - 3600, W0 + 10 - 3600, 200, 100);
	/* with max_rate the reading is kept, not dropped as implausible */
	struct acct_limits lim = {8000, -1};
	assert_int_equal(acct_compute(&prev, &cur, &lim).kind, ACCT_NORMAL);
}

static void small_wall_differences_keep_the_intervals_contiguous(void **state)
{
	(void)state;
	/* 4.6 s monotonic, 5 s on the wall (whole seconds): no step */
	struct acct_reading prev = timed(W0, M0, 20, 1000, 2000, 5000);
	struct acct_reading cur = timed(W0 + 5, M0 + 4600, 20, 1500, 2600, 5004);
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0, W0 + 5, 500, 600);
	/* two pushes within one wall second still count */
	struct acct_reading a = pushed(W0, 10, 10), b = pushed(W0, 30, 40);
	a.mono_ms = M0;
	b.mono_ms = M0 + 300;
	assert_delta(compute(&a, &b), ACCT_NORMAL, W0, W0, 20, 30);
}

static void monotonic_time_older_is_stale_and_the_same_instant_counts(void **state)
{
	(void)state;
	struct acct_reading prev = timed(W0, M0, 20, 1000, 2000, 5000);
	struct acct_reading cur = timed(W0, M0, 20, 1500, 2600, 5000);
	/* The same instant of this run (a push answered 2xx): its growth goes
	 * into the bucket of its time, never dropped. */
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0, W0, 500, 600);
	cur.mono_ms = M0 - 1;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_STALE);
}

static void without_monotonic_time_on_either_side_the_wall_clock_measures(void **state)
{
	(void)state;
	/* the first reading after a restart: prev was loaded from the store */
	struct acct_reading prev = polled(W0, 1000, 2000, 5000, "*1");
	struct acct_reading cur = timed(W0 + 60, M0, 20, 1500, 2600, 5060);
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0, W0 + 60, 500, 600);
	/* uptime grew 60 s in 600 wall seconds: a reboot, as before */
	cur.time = W0 + 600;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_REBOOT);
	/* wall older: stale */
	cur.time = W0 - 1;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_STALE);
}

static void after_a_restart_sub_second_wall_time_orders_readings(void **state)
{
	(void)state;
	/* The stored reading (no monotonic time) at W0.200; a push burst after
	 * the restart within the same wall second. */
	struct acct_reading prev = pushed(W0, 1000, 2000);
	prev.time_sub_ms = 200;
	struct acct_reading cur = pushed(W0, 1500, 2100);
	cur.mono_ms = M0;
	cur.time_sub_ms = 700;
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0, W0, 500, 100);
	/* the same millisecond: still counted (a reading of this run) */
	cur.time_sub_ms = 200;
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0, W0, 500, 100);
	/* earlier within the second: older than the stored one */
	cur.time_sub_ms = 199;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_STALE);
	/* an imported row repeating the stored time (no monotonic time) is a
	 * duplicate */
	struct acct_reading dup = pushed(W0, 1500, 2100);
	dup.time_sub_ms = 200;
	assert_int_equal(compute(&prev, &dup).kind, ACCT_STALE);
	/* a reset inside the burst counts the value after it */
	struct acct_reading reset = pushed(W0, 40, 3000);
	reset.mono_ms = M0 + 5;
	reset.time_sub_ms = 705;
	assert_delta(compute(&cur, &reset), ACCT_RESET, W0, W0, 40, 900);
}

static void a_burst_of_pushes_in_one_second_counts_every_byte(void **state)
{
	(void)state;
	/* 50 pushes in one second, a few in the same millisecond, a counter
	 * reset at the 25th: the sum is exactly what the counters imply. */
	struct acct_reading prev = pushed(W0, 0, 0);
	prev.mono_ms = M0;
	prev.source = ACCT_SRC_PUSH;
	uint64_t want_rx = 0, want_tx = 0, got_rx = 0, got_tx = 0;
	for (int i = 1; i <= 50; i++) {
		struct acct_reading cur = prev;
		cur.mono_ms = M0 + i / 3 * 20; /* three readings share each instant */
		cur.time_sub_ms = (int32_t)(i / 3 * 20);
		if (i == 25) {
			cur.rx = 7;
			cur.tx = 11;
			want_rx += 7;
			want_tx += 11;
		} else {
			cur.rx = prev.rx + 1000 + (uint64_t)i;
			cur.tx = prev.tx + 2000;
			want_rx += 1000 + (uint64_t)i;
			want_tx += 2000;
		}
		struct acct_delta d = compute(&prev, &cur);
		assert_int_not_equal(d.kind, ACCT_STALE);
		got_rx += d.rx;
		got_tx += d.tx;
		prev = cur;
	}
	assert_true(got_rx == want_rx);
	assert_true(got_tx == want_tx);
}

static void a_change_of_source_is_a_new_baseline(void **state)
{
	(void)state;
	/* The last imported row of the old setup (driver-rx-byte) is above the
	 * first polled counter (rx-byte): not a reset of 4.55 TiB. */
	struct acct_reading legacy = pushed(W0, UINT64_C(5000000000000), UINT64_C(9000000000));
	legacy.source = ACCT_SRC_LEGACY;
	struct acct_reading poll = timed(W0 + 300, M0, 20, 1000, 2000, 5000);
	poll.source = ACCT_SRC_POLL;
	struct acct_delta d = compute(&legacy, &poll);
	assert_delta(d, ACCT_BASELINE, W0 + 300, W0 + 300, 0, 0);
	assert_int_equal(d.was, ACCT_SRC_LEGACY);
	/* poll -> push and push -> poll (a router switched between modes) */
	struct acct_reading push = pushed(W0 + 600, 10, 20);
	push.source = ACCT_SRC_PUSH;
	push.mono_ms = M0 + 300000;
	d = compute(&poll, &push);
	assert_delta(d, ACCT_BASELINE, W0 + 600, W0 + 600, 0, 0);
	assert_int_equal(d.was, ACCT_SRC_POLL);
	poll.time = W0 + 900;
	poll.mono_ms = M0 + 600000;
	d = compute(&push, &poll);
	assert_int_equal(d.kind, ACCT_BASELINE);
	assert_int_equal(d.was, ACCT_SRC_PUSH);
	/* an unknown source (schema 1) continues like the same source */
	struct acct_reading old = pushed(W0, 500, 1000);
	d = compute(&old, &push);
	assert_delta(d, ACCT_RESET, W0, W0 + 600, 10, 20);
	assert_int_equal(d.was, ACCT_SRC_UNKNOWN);
	/* the same source: accounting as usual, was stays unknown */
	struct acct_reading push2 = push;
	push2.time = W0 + 660;
	push2.mono_ms = M0 + 360000;
	push2.rx = 110;
	d = compute(&push, &push2);
	assert_delta(d, ACCT_NORMAL, W0 + 600, W0 + 660, 100, 0);
	assert_int_equal(d.was, ACCT_SRC_UNKNOWN);
}

static void source_names_round_trip(void **state)
{
	(void)state;
	for (int s = ACCT_SRC_POLL; s <= ACCT_SRC_LEGACY; s++)
		assert_int_equal(acct_source_parse(acct_source_name((enum acct_source)s)), s);
	assert_null(acct_source_name(ACCT_SRC_UNKNOWN));
	assert_int_equal(acct_source_parse(NULL), ACCT_SRC_UNKNOWN);
	assert_int_equal(acct_source_parse("fax"), ACCT_SRC_UNKNOWN);
	assert_string_equal(acct_source_text(ACCT_SRC_POLL), "polling");
	assert_string_equal(acct_source_text(ACCT_SRC_LEGACY), "legacy import");
}

static void reboot_is_judged_against_monotonic_time(void **state)
{
	(void)state;
	/* the wall clock says 10 s passed, the monotonic clock 600 s; the
	 * uptime grew 60 s: the router rebooted in between (uptime went
	 * down and came back up past the old value is impossible here, but
	 * grew far less than the time that really passed) */
	struct acct_reading prev = timed(W0, M0, 20, 1000, 2000, 50);
	struct acct_reading cur = timed(W0 + 10, M0 + 600000, 20, 300, 400, 110);
	struct acct_delta d = compute(&prev, &cur);
	assert_int_equal(d.kind, ACCT_REBOOT);
	assert_int_equal(d.rx, 300);
	assert_int_equal(d.tx, 400);
	/* uptime down is a reboot whatever the clocks say */
	cur = timed(W0 + 3600, M0 + 5000, 20, 300, 400, 3);
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, W0 + 3597, W0 + 3600, 300, 400);
}

static void a_stalled_daemon_sees_no_reboot_within_the_reply_latency(void **state)
{
	(void)state;
	/* prev's request went out at M0; the daemon then stopped for 8 s, so
	 * the uptime (read by a second command after the counters' reply)
	 * was read 8 s later: 5008. The next poll, sent 9 s after prev's,
	 * reads 5009: uptime grew 1 s in 9 s. */
	struct acct_reading prev = timed(W0, M0, 8200, 1000, 2000, 5008);
	struct acct_reading cur = timed(W0 + 9, M0 + 9000, 30, 1500, 2600, 5009);
	assert_delta(compute(&prev, &cur), ACCT_NORMAL, W0, W0 + 9, 500, 600);
	/* the same readings without the latency would be a reboot: it is
	 * the latency that bounds the error */
	prev.latency_ms = 0;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_REBOOT);
}

static void latency_extends_an_explicit_tolerance_to_the_millisecond(void **state)
{
	(void)state;
	struct acct_limits tol2 = {0, 2};
	/* uptime grew 10 s in 14.5 s: short by 4.5 s */
	struct acct_reading prev = timed(W0, M0, 2500, 1000, 2000, 5000);
	struct acct_reading cur = timed(W0 + 15, M0 + 14500, 0, 1500, 2600, 5010);
	assert_int_equal(acct_compute(&prev, &cur, &tol2).kind, ACCT_NORMAL); /* 2 + 2.5 */
	prev.latency_ms = 2499;
	assert_int_equal(acct_compute(&prev, &cur, &tol2).kind, ACCT_REBOOT);
	/* the current reading's own latency does not help */
	prev.latency_ms = 0;
	cur.latency_ms = 100000;
	assert_int_equal(acct_compute(&prev, &cur, &tol2).kind, ACCT_REBOOT);
}

static void clock_step_is_the_change_of_wall_minus_monotonic(void **state)
{
	(void)state;
	int64_t w = W0 * 1000;
	assert_int_equal(acct_clock_step(w, M0, w + 5000, M0 + 5000), 0);
	assert_int_equal(acct_clock_step(w, M0, w + 5000 + ACCT_STEP_MS, M0 + 5000), 0);
	assert_int_equal(acct_clock_step(w, M0, w + 15000, M0 + 5000), 10000);
	assert_int_equal(acct_clock_step(w, M0, w + 5000 - 3600000, M0 + 5000), -3600000);
	/* no overflow at the extremes */
	assert_int_equal(acct_clock_step(INT64_MIN, INT64_MAX, INT64_MAX, INT64_MIN), INT64_MAX);
	assert_int_equal(acct_clock_step(INT64_MAX, INT64_MIN, INT64_MIN, INT64_MAX), INT64_MIN);
}

/* ------------------------------------------------------------------ */
/* one direction going down (defect 7), extremes (defect 6)            */
/* ------------------------------------------------------------------ */

static void a_wrapped_rx_leaves_tx_counting_its_growth(void **state)
{
	(void)state;
	/* rx wrapped past 2^64 (or was reset alone): tx grew 10 MB */
	struct acct_reading prev = polled(1000000, U64_MAX - 99, 1000000000, 5000, "*1");
	struct acct_reading cur = polled(1000060, 400, 1010000000, 5060, "*1");
	assert_delta(compute(&prev, &cur), ACCT_RESET, 1000000, 1000060, 400, 10000000);
	/* and max_rate judges each direction's own delta: nothing dropped */
	struct acct_limits lim = {10000000, -1}; /* 1.25 MB/s: 10 MB in 60 s is fine */
	assert_int_equal(acct_compute(&prev, &cur, &lim).kind, ACCT_RESET);
	/* tx going down, rx growing */
	struct acct_reading tprev = polled(1000000, 5000, 70000, 5000, "*1");
	struct acct_reading tcur = polled(1000060, 9000, 300, 5060, "*1");
	assert_delta(compute(&tprev, &tcur), ACCT_RESET, 1000000, 1000060, 4000, 300);
}

static void a_reboot_or_recreation_still_resets_both(void **state)
{
	(void)state;
	struct acct_reading prev = polled(1000000, 5000, 70000, 5000, "*1");
	struct acct_reading cur = polled(1000060, 9000, 300, 30, "*1");
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, 1000030, 1000060, 9000, 300);
	cur = polled(1000060, 9000, 300, 5060, "*2");
	assert_delta(compute(&prev, &cur), ACCT_RECREATED, 1000000, 1000060, 9000, 300);
}

static void huge_uptimes_are_safe(void **state)
{
	(void)state;
	/* values near 2^64 and 2^63: no overflow, decisions still right */
	struct acct_reading prev = polled(1000000, 1, 1, U64_MAX - 10, "*1");
	struct acct_reading cur = polled(1000060, 2, 2, U64_MAX, "*1");
	assert_int_equal(compute(&prev, &cur).kind, ACCT_REBOOT); /* 10 s in 60 s */
	cur.uptime = U64_MAX;
	prev.uptime = U64_MAX - 60;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_NORMAL);
	prev.uptime = 0;
	assert_int_equal(compute(&prev, &cur).kind, ACCT_NORMAL); /* grew 2^64-1 s */
	prev.uptime = UINT64_C(1) << 63;
	cur.uptime = 3;
	assert_delta(compute(&prev, &cur), ACCT_REBOOT, 1000057, 1000060, 2, 2);
	struct acct_limits tol = {0, INT64_MAX};
	cur.uptime = (UINT64_C(1) << 63) + 1;
	assert_int_equal(acct_compute(&prev, &cur, &tol).kind, ACCT_NORMAL);
	/* a reboot's interval never starts before the interval itself, even
	 * with an uptime longer than the wall clock's age */
	struct acct_reading a = timed(W0, 1, 0, 1, 1, 5000);
	struct acct_reading b = timed(W0 + 10, INT64_MAX, 0, 2, 2, UINT64_C(1) << 50);
	a.uptime = (UINT64_C(1) << 50) + 1; /* down: a reboot */
	struct acct_delta d = compute(&a, &b);
	assert_int_equal(d.kind, ACCT_REBOOT);
	assert_true(d.t0 >= ACCT_TIME_MIN && d.t0 <= d.t1 && d.t1 == W0 + 10);
}

static void times_outside_the_supported_range_are_ignored(void **state)
{
	(void)state;
	struct acct_reading ok = polled(1000000, 1, 1, 5000, "*1");
	struct acct_reading bad = polled(INT64_MIN, 2, 2, 5060, "*1");
	assert_int_equal(compute(&ok, &bad).kind, ACCT_STALE);
	assert_int_equal(compute(NULL, &bad).kind, ACCT_STALE);
	bad.time = INT64_MAX;
	assert_int_equal(compute(&ok, &bad).kind, ACCT_STALE);
	bad.time = ACCT_TIME_MAX + 1;
	assert_int_equal(compute(&ok, &bad).kind, ACCT_STALE);
	bad.time = -1;
	assert_int_equal(compute(&ok, &bad).kind, ACCT_STALE);
	/* a previous reading out of range makes the current one a baseline */
	assert_int_equal(compute(&bad, &ok).kind, ACCT_BASELINE);
	/* the range's ends themselves work */
	struct acct_reading lo = polled(ACCT_TIME_MIN, 1, 1, 5, "*1");
	struct acct_reading hi = polled(ACCT_TIME_MAX, 2, 2, 5, "*1");
	struct acct_limits none = {0, INT64_MAX};
	assert_delta(acct_compute(&lo, &hi, &none), ACCT_NORMAL, ACCT_TIME_MIN, ACCT_TIME_MAX, 1,
	             1);
	hi.mono_ms = 1;
	lo.mono_ms = INT64_MAX;
	assert_int_equal(compute(&lo, &hi).kind, ACCT_STALE);
	hi.mono_ms = INT64_MAX;
	lo.mono_ms = 1;
	assert_int_equal(acct_compute(&lo, &hi, &none).kind, ACCT_NORMAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(first_reading_is_a_baseline_that_counts_nothing),
	        cmocka_unit_test(growing_counters_count_their_growth_over_the_interval),
	        cmocka_unit_test(unchanged_counters_count_zero),
	        cmocka_unit_test(counters_near_two_to_the_64_count_exactly),
	        cmocka_unit_test(rx_reset_with_uptime_growing_counts_the_current_values),
	        cmocka_unit_test(tx_reset_alone_is_a_reset_too),
	        cmocka_unit_test(reset_to_zero_counts_nothing_negative),
	        cmocka_unit_test(uptime_dropping_is_a_reboot_counted_from_the_boot),
	        cmocka_unit_test(reboot_counts_current_values_even_when_counters_grew),
	        cmocka_unit_test(reboot_interval_never_starts_before_the_previous_reading),
	        cmocka_unit_test(reboot_with_zero_uptime_goes_to_the_reading_instant),
	        cmocka_unit_test(uptime_growing_by_the_elapsed_time_within_tolerance_is_no_reboot),
	        cmocka_unit_test(explicit_tolerance_replaces_the_default),
	        cmocka_unit_test(changed_interface_id_counts_the_current_values),
	        cmocka_unit_test(empty_interface_ids_never_mean_recreated),
	        cmocka_unit_test(downtime_without_reboot_recovers_the_whole_growth_over_the_gap),
	        cmocka_unit_test(downtime_with_a_reboot_counts_the_current_value_from_the_boot),
	        cmocka_unit_test(readings_without_uptime_only_see_a_reset_when_counters_go_down),
	        cmocka_unit_test(rate_above_max_in_rx_alone_is_rejected),
	        cmocka_unit_test(rate_above_max_in_tx_alone_is_rejected),
	        cmocka_unit_test(rate_exactly_at_max_is_accepted),
	        cmocka_unit_test(max_rate_zero_means_no_limit),
	        cmocka_unit_test(max_rate_applies_to_resets_and_reboots_over_their_own_span),
	        cmocka_unit_test(reading_not_newer_than_the_previous_is_stale),
	        cmocka_unit_test(default_tolerance_is_five_seconds_plus_half_a_percent),
	        cmocka_unit_test(kind_names_are_readable),
	        cmocka_unit_test(split_is_proportional_across_a_five_minute_boundary),
	        cmocka_unit_test(split_of_an_aligned_interval_fills_exactly_its_buckets),
	        cmocka_unit_test(split_of_a_zero_length_interval_goes_to_its_bucket),
	        cmocka_unit_test(split_of_nothing_calls_nothing),
	        cmocka_unit_test(split_skips_buckets_whose_share_is_zero),
	        cmocka_unit_test(split_of_a_long_gap_spreads_evenly),
	        cmocka_unit_test(random_splits_add_up_exactly_in_berlin),
	        cmocka_unit_test(random_splits_add_up_exactly_in_kolkata),
	        cmocka_unit_test(split_of_the_largest_counters_over_a_day_adds_up),
	        cmocka_unit_test(split_over_the_spring_forward_hour_keeps_300_second_buckets),
	        cmocka_unit_test(split_over_the_repeated_fall_back_hour_keeps_both_hours_apart),
	        cmocka_unit_test(split_in_kolkata_uses_buckets_aligned_to_the_local_clock),
	        cmocka_unit_test(split_stops_at_a_callback_error_and_returns_it),
	        cmocka_unit_test(wall_step_forward_10s_is_no_reboot),
	        cmocka_unit_test(wall_step_forward_an_hour_is_no_reboot_and_no_phantom_hour),
	        cmocka_unit_test(wall_step_back_an_hour_neither_freezes_nor_double_counts),
	        cmocka_unit_test(small_wall_differences_keep_the_intervals_contiguous),
	        cmocka_unit_test(monotonic_time_older_is_stale_and_the_same_instant_counts),
	        cmocka_unit_test(after_a_restart_sub_second_wall_time_orders_readings),
	        cmocka_unit_test(a_burst_of_pushes_in_one_second_counts_every_byte),
	        cmocka_unit_test(a_change_of_source_is_a_new_baseline),
	        cmocka_unit_test(source_names_round_trip),
	        cmocka_unit_test(without_monotonic_time_on_either_side_the_wall_clock_measures),
	        cmocka_unit_test(reboot_is_judged_against_monotonic_time),
	        cmocka_unit_test(a_stalled_daemon_sees_no_reboot_within_the_reply_latency),
	        cmocka_unit_test(latency_extends_an_explicit_tolerance_to_the_millisecond),
	        cmocka_unit_test(clock_step_is_the_change_of_wall_minus_monotonic),
	        cmocka_unit_test(a_wrapped_rx_leaves_tx_counting_its_growth),
	        cmocka_unit_test(a_reboot_or_recreation_still_resets_both),
	        cmocka_unit_test(huge_uptimes_are_safe),
	        cmocka_unit_test(times_outside_the_supported_range_are_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
