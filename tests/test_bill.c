/*
 * test_bill.c — a bill's arithmetic (bill.c): the worked example of
 * bill.h and the README, the percentile's rank and its edges (ties, fewer
 * than 20 samples, all zero, a spike, P = 50), which slots count, the
 * direction, the quota and the committed rate, and 64-bit edges.
 * tests/bill/ checks the percentile against an independent computation.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bill.h"
#include "cycle.h"

#define DAY  86400
#define MBIT UINT64_C(37500000) /* bytes in 5 minutes at 1 Mbit/s */

/* 2026-12-01 00:00 UTC, a 31-day cycle. */
static const int64_t START = 1796083200;
static const int64_t END = 1796083200 + 31 * DAY;

static struct bill_samples *samples(int64_t now)
{
	struct bill_samples *s = bill_samples_new(START, END, now);
	assert_non_null(s);
	return s;
}

static struct bill_percentile percentile_of(struct bill_samples *s, enum bill_direction d, int p,
                                            uint64_t committed)
{
	struct bill_terms t = {.direction = d, .percentile = p, .committed_bps = committed};
	struct bill_percentile out;
	assert_int_equal(bill_percentile(s, &t, &out), 0);
	return out;
}

/* Slot k's rx and tx, in Mbit/s. */
static void add_mbit(struct bill_samples *s, int k, uint64_t rx, uint64_t tx)
{
	bill_samples_add(s, START + k * BILL_SLOT, rx * MBIT, tx * MBIT);
}

/* bill.h's example: at 01:42, 20 slots are over; 00:00-00:30 empty. */
static struct bill_samples *worked_example(void)
{
	struct bill_samples *s = samples(START + 102 * 60);
	for (int k = 6; k < 16; k++)
		add_mbit(s, k, 4, 1);
	add_mbit(s, 16, 6, 1);
	add_mbit(s, 17, 6, 1);
	add_mbit(s, 18, 8, 12);
	add_mbit(s, 19, 50, 12);
	/* 01:40, still running: not a sample yet */
	add_mbit(s, 20, 90, 90);
	return s;
}

static void worked_example_percentile(void **state)
{
	(void)state;
	struct bill_samples *s = worked_example();
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 95, 10000000);
	assert_int_equal(p.samples, 20);
	assert_int_equal(p.rank, 19);
	assert_int_equal(p.rx_bps, 8000000);  /* the spike of 50 discarded */
	assert_int_equal(p.tx_bps, 12000000); /* one 12 discarded, one kept */
	assert_int_equal(p.max_bps, 12000000);
	assert_int_equal(p.billed_bps, 12000000);
	assert_int_equal(p.overage_bps, 2000000);
	bill_samples_free(s);
}

static void worked_example_usage(void **state)
{
	(void)state;
	int64_t now = START + 102 * 60;
	struct bill_usage u = {.start = START, .end = END};
	/* the two counters of a bill, in bytes */
	bill_usage_add(&u, 10 * 4 * MBIT + 2 * 6 * MBIT, 12 * MBIT);
	bill_usage_add(&u, 8 * MBIT + 50 * MBIT, 2 * 12 * MBIT);
	assert_int_equal(u.rx, 4125000000);
	assert_int_equal(u.tx, 1350000000);

	struct bill_terms rx = {.direction = BILL_RX, .quota = 5000000000};
	bill_usage_settle(&u, &rx, now);
	assert_int_equal(u.used, 4125000000);
	assert_int_equal(u.quota, 5000000000);
	assert_int_equal(u.used_hundredths, 8250);
	assert_int_equal(u.overage, 0);
	assert_int_equal(u.estimate, 1805294117647); /* 4.125e9 * 31 days / 102 min */
	assert_int_equal(u.estimate_overage, 1805294117647 - 5000000000);

	struct bill_terms both = {.direction = BILL_BOTH, .quota = 5000000000};
	bill_usage_settle(&u, &both, now);
	assert_int_equal(u.used, 5475000000);
	assert_int_equal(u.used_hundredths, 10950);
	assert_int_equal(u.overage, 475000000);
	assert_int_equal(u.estimate, cycle_project(5475000000, START, END, now));
	assert_int_equal(u.estimate, 2396117647058);

	struct bill_terms tx = {.direction = BILL_TX};
	bill_usage_settle(&u, &tx, now);
	assert_int_equal(u.used, 1350000000);
	assert_int_equal(u.quota, 0);
	assert_int_equal(u.used_hundredths, 0);
	assert_int_equal(u.overage, 0);
	assert_int_equal(u.estimate_overage, 0);
}

static void rank_is_nearest_rank(void **state)
{
	(void)state;
	assert_int_equal(bill_rank(0, 95), 0);
	/* fewer than 20 samples: nothing discarded at P = 95 */
	for (size_t n = 1; n < 20; n++)
		assert_int_equal(bill_rank(n, 95), n);
	assert_int_equal(bill_rank(20, 95), 19);
	assert_int_equal(bill_rank(39, 95), 38);
	assert_int_equal(bill_rank(40, 95), 38);
	/* a full 31-day cycle: 8928 samples, floor(446.4) = 446 discarded */
	assert_int_equal(bill_rank(8928, 95), 8928 - 446);
	assert_int_equal(bill_rank(4, 50), 2);
	assert_int_equal(bill_rank(5, 50), 3);
	assert_int_equal(bill_rank(100, 1), 1);
	assert_int_equal(bill_rank(1, 1), 1);
	assert_int_equal(bill_rank(101, 99), 100);
	/* no overflow of P * n */
	if (SIZE_MAX == UINT64_MAX) {
		assert_int_equal(bill_rank(SIZE_MAX, 99), 18262276632972456099ULL);
		assert_int_equal(bill_rank(SIZE_MAX, 1), 184467440737095517ULL);
	}
}

static void ties_take_the_tied_rate(void **state)
{
	(void)state;
	/* 40 slots, all 7 Mbit/s */
	struct bill_samples *s = samples(START + 40 * BILL_SLOT);
	for (int k = 0; k < 40; k++)
		add_mbit(s, k, 7, 7);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 95, 0);
	assert_int_equal(p.rank, 38);
	assert_int_equal(p.rx_bps, 7000000);
	assert_int_equal(p.tx_bps, 7000000);
	/* ties across the cut: rx's two 9s are discarded and its three 8s
	 * tie at the rank; tx's three 8s straddle it */
	add_mbit(s, 3, 2, 0);
	add_mbit(s, 4, 2, 0);
	for (int k = 5; k < 8; k++)
		add_mbit(s, k, 1, 1);
	p = percentile_of(s, BILL_BOTH, 95, 0);
	assert_int_equal(p.rx_bps, 8000000);
	assert_int_equal(p.tx_bps, 8000000);
	bill_samples_free(s);
}

static void fewer_than_20_samples_give_the_highest(void **state)
{
	(void)state;
	/* 19 slots: a spike is not discarded */
	struct bill_samples *s = samples(START + 19 * BILL_SLOT + 299);
	assert_int_equal(bill_samples_count(s), 19);
	add_mbit(s, 0, 2, 0);
	add_mbit(s, 18, 500, 3);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 95, 0);
	assert_int_equal(p.rank, 19);
	assert_int_equal(p.rx_bps, 500000000);
	assert_int_equal(p.tx_bps, 3000000);
	bill_samples_free(s);
	/* one sample */
	s = samples(START + BILL_SLOT);
	add_mbit(s, 0, 3, 4);
	p = percentile_of(s, BILL_BOTH, 95, 0);
	assert_int_equal(p.samples, 1);
	assert_int_equal(p.rx_bps, 3000000);
	assert_int_equal(p.max_bps, 4000000);
	bill_samples_free(s);
	/* none yet: the first slot is still running */
	s = samples(START + 299);
	add_mbit(s, 0, 3, 4);
	p = percentile_of(s, BILL_BOTH, 95, 1);
	assert_int_equal(p.samples, 0);
	assert_int_equal(p.rank, 0);
	assert_int_equal(p.max_bps, 0);
	assert_int_equal(p.overage_bps, 0);
	bill_samples_free(s);
}

static void all_zero_is_zero(void **state)
{
	(void)state;
	/* a whole cycle without a bucket, and one with buckets of 0 bytes */
	struct bill_samples *s = samples(END + DAY);
	assert_int_equal(bill_samples_count(s), 31 * 288);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 95, 0);
	assert_int_equal(p.rank, 8928 - 446);
	assert_int_equal(p.rx_bps, 0);
	assert_int_equal(p.tx_bps, 0);
	for (int k = 0; k < 31 * 288; k++)
		add_mbit(s, k, 0, 0);
	p = percentile_of(s, BILL_BOTH, 99, 0);
	assert_int_equal(p.max_bps, 0);
	bill_samples_free(s);
}

static void one_huge_spike_is_discarded(void **state)
{
	(void)state;
	/* a month at 2 Mbit/s and one slot at 2^64-1 bytes */
	struct bill_samples *s = samples(END);
	for (int k = 0; k < 31 * 288; k++)
		add_mbit(s, k, 2, 1);
	bill_samples_add(s, START + 4000 * BILL_SLOT, UINT64_MAX, UINT64_MAX);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 95, 0);
	assert_int_equal(p.rx_bps, 2000000);
	assert_int_equal(p.tx_bps, 1000000);
	/* 446 are discarded: 446 spikes still are, 447 are not */
	for (int k = 1; k < 446; k++)
		bill_samples_add(s, START + k * BILL_SLOT, UINT64_MAX, 0);
	assert_int_equal(percentile_of(s, BILL_RX, 95, 0).rx_bps, 2000000);
	bill_samples_add(s, START + 446 * BILL_SLOT, UINT64_MAX, 0);
	assert_int_equal(percentile_of(s, BILL_RX, 95, 0).rx_bps, bill_rate_bps(UINT64_MAX));
	bill_samples_free(s);
}

static void max_of_both_and_direction(void **state)
{
	(void)state;
	/* rx's percentile higher than tx's, though tx has the higher peak */
	struct bill_samples *s = samples(START + 20 * BILL_SLOT);
	for (int k = 0; k < 20; k++)
		add_mbit(s, k, 5, 1);
	add_mbit(s, 19, 0, 100);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 95, 4000000);
	assert_int_equal(p.rx_bps, 5000000);
	assert_int_equal(p.tx_bps, 1000000);
	assert_int_equal(p.max_bps, 5000000);
	assert_int_equal(p.billed_bps, 5000000);
	assert_int_equal(p.overage_bps, 1000000);
	p = percentile_of(s, BILL_TX, 95, 4000000);
	assert_int_equal(p.billed_bps, 1000000);
	assert_int_equal(p.overage_bps, 0);
	p = percentile_of(s, BILL_RX, 95, 0);
	assert_int_equal(p.billed_bps, 5000000);
	assert_int_equal(p.overage_bps, 0); /* no committed rate */
	bill_samples_free(s);
}

static void p50_is_the_lower_median(void **state)
{
	(void)state;
	struct bill_samples *s = samples(START + 4 * BILL_SLOT);
	for (int k = 0; k < 4; k++)
		add_mbit(s, k, (uint64_t)k + 1, 4 - (uint64_t)k);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 50, 0);
	assert_int_equal(p.rank, 2);
	assert_int_equal(p.rx_bps, 2000000);
	assert_int_equal(p.tx_bps, 2000000);
	bill_samples_free(s);
	s = samples(START + 5 * BILL_SLOT);
	for (int k = 0; k < 5; k++)
		add_mbit(s, k, 10 - (uint64_t)k, 0);
	p = percentile_of(s, BILL_RX, 50, 0);
	assert_int_equal(p.rank, 3);
	assert_int_equal(p.rx_bps, 8000000);
	bill_samples_free(s);
}

static void percentile_out_of_range_is_refused(void **state)
{
	(void)state;
	struct bill_samples *s = samples(START + DAY);
	struct bill_percentile out = {.samples = 77};
	const int bad[] = {INT_MIN, -1, 0, 100, 101, INT_MAX};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bill_terms t = {.percentile = bad[i]};
		assert_int_equal(bill_percentile(s, &t, &out), -1);
		assert_int_equal(out.samples, 77);
	}
	bill_samples_free(s);
}

static void only_the_elapsed_complete_slots_count(void **state)
{
	(void)state;
	/* before the start, after now, in the running slot, after the end */
	struct bill_samples *s = samples(START + 3 * BILL_SLOT + 10);
	assert_int_equal(bill_samples_count(s), 3);
	bill_samples_add(s, START - 1, UINT64_MAX, UINT64_MAX);
	bill_samples_add(s, START - BILL_SLOT, UINT64_MAX, UINT64_MAX);
	bill_samples_add(s, START + 3 * BILL_SLOT, UINT64_MAX, UINT64_MAX);
	bill_samples_add(s, END, UINT64_MAX, UINT64_MAX);
	bill_samples_add(s, INT64_MAX, UINT64_MAX, UINT64_MAX);
	bill_samples_add(s, INT64_MIN, UINT64_MAX, UINT64_MAX);
	assert_int_equal(percentile_of(s, BILL_BOTH, 99, 0).max_bps, 0);
	/* a bucket starting inside a slot belongs to it */
	bill_samples_add(s, START + 2 * BILL_SLOT + 299, 3 * MBIT, 0);
	assert_int_equal(percentile_of(s, BILL_BOTH, 99, 0).max_bps, 3000000);
	bill_samples_free(s);

	/* before the start: none; after the end: the whole cycle */
	s = samples(START - DAY);
	assert_int_equal(bill_samples_count(s), 0);
	bill_samples_free(s);
	s = bill_samples_new(START, START + 1000, START + 5000);
	assert_non_null(s);
	assert_int_equal(bill_samples_count(s), 3); /* the cut last slot is not whole */
	bill_samples_free(s);
}

static void cycle_bounds_are_checked(void **state)
{
	(void)state;
	assert_null(bill_samples_new(START, START, START));
	assert_null(bill_samples_new(START, START - 1, START));
	assert_null(bill_samples_new(START, START + BILL_CYCLE_MAX + 1, START));
	assert_null(bill_samples_new(INT64_MIN, INT64_MAX, 0));
	struct bill_samples *s = bill_samples_new(START, START + BILL_CYCLE_MAX, INT64_MAX);
	assert_non_null(s);
	assert_int_equal(bill_samples_count(s), BILL_SLOTS_MAX);
	assert_int_equal(BILL_SLOTS_MAX, 31 * 288 + 24);
	bill_samples_free(s);
	bill_samples_free(NULL);
}

/* store_series' callback: two counters' buckets of one slot add up. */
static void buckets_of_several_counters_add_up(void **state)
{
	(void)state;
	struct bill_samples *s = samples(START + 20 * BILL_SLOT);
	struct store_point a = {.start = START + 5 * BILL_SLOT, .rx = 3 * MBIT, .tx = MBIT};
	struct store_point b = {.start = START + 5 * BILL_SLOT, .rx = 4 * MBIT, .tx = 0};
	assert_int_equal(bill_samples_point(s, &a), 0);
	assert_int_equal(bill_samples_point(s, &b), 0);
	struct bill_percentile p = percentile_of(s, BILL_BOTH, 99, 0);
	assert_int_equal(p.rx_bps, 7000000);
	assert_int_equal(p.tx_bps, 1000000);
	/* and saturate */
	struct store_point big = {.start = START + 6 * BILL_SLOT, .rx = UINT64_MAX - 1, .tx = 1};
	bill_samples_point(s, &big);
	bill_samples_point(s, &big);
	p = percentile_of(s, BILL_BOTH, 99, 0);
	assert_int_equal(p.rx_bps, bill_rate_bps(UINT64_MAX));
	assert_int_equal(p.tx_bps, 1000000);
	bill_samples_free(s);
}

static void sums_and_rates_hold_at_uint64_edges(void **state)
{
	(void)state;
	/* (2^64-1) * 8 / 300, which needs 67 bits on the way */
	assert_int_equal(bill_rate_bps(UINT64_MAX), 491913175298921376ULL);
	assert_int_equal(bill_rate_bps(MBIT), 1000000);
	assert_int_equal(bill_rate_bps(37), 0); /* 0.98 bit/s, rounded down */
	assert_int_equal(bill_rate_bps(38), 1);
	assert_int_equal(bill_used(BILL_BOTH, UINT64_MAX, 1), UINT64_MAX);
	assert_int_equal(bill_used(BILL_BOTH, UINT64_MAX - 1, 1), UINT64_MAX);
	assert_int_equal(bill_used(BILL_RX, UINT64_MAX, 1), UINT64_MAX);
	assert_int_equal(bill_used(BILL_TX, UINT64_MAX, 1), 1);
	assert_int_equal(bill_over(UINT64_MAX, 1), UINT64_MAX - 1);
	assert_int_equal(bill_over(UINT64_MAX, 0), 0);
	assert_int_equal(bill_over(5, 5), 0);
	assert_int_equal(bill_over(6, 5), 1);

	struct bill_usage u = {.start = START, .end = END};
	bill_usage_add(&u, UINT64_MAX - 1, UINT64_MAX);
	bill_usage_add(&u, 5, 5);
	assert_int_equal(u.rx, UINT64_MAX);
	assert_int_equal(u.tx, UINT64_MAX);
	struct bill_terms t = {.direction = BILL_BOTH, .quota = 1};
	bill_usage_settle(&u, &t, START + 1);
	assert_int_equal(u.used, UINT64_MAX);
	assert_int_equal(u.estimate, UINT64_MAX);
	assert_int_equal(u.used_hundredths, UINT64_MAX); /* capped, not wrapped */
	assert_int_equal(u.overage, UINT64_MAX - 1);
	assert_int_equal(u.estimate_overage, UINT64_MAX - 1);
	/* the largest quota: exactly 100 % */
	t.quota = UINT64_MAX;
	bill_usage_settle(&u, &t, END);
	assert_int_equal(u.used_hundredths, 10000);
	assert_int_equal(u.overage, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(worked_example_percentile),
	        cmocka_unit_test(worked_example_usage),
	        cmocka_unit_test(rank_is_nearest_rank),
	        cmocka_unit_test(ties_take_the_tied_rate),
	        cmocka_unit_test(fewer_than_20_samples_give_the_highest),
	        cmocka_unit_test(all_zero_is_zero),
	        cmocka_unit_test(one_huge_spike_is_discarded),
	        cmocka_unit_test(max_of_both_and_direction),
	        cmocka_unit_test(p50_is_the_lower_median),
	        cmocka_unit_test(percentile_out_of_range_is_refused),
	        cmocka_unit_test(only_the_elapsed_complete_slots_count),
	        cmocka_unit_test(cycle_bounds_are_checked),
	        cmocka_unit_test(buckets_of_several_counters_add_up),
	        cmocka_unit_test(sums_and_rates_hold_at_uint64_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
