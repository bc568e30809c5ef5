/*
 * test_cycle.c — the billing-cycle arithmetic (cycle.c): the one
 * projection shared by the alerts and the reports, and its overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cycle.h"

#define DAY 86400

static void projection_is_the_documented_formula(void **state)
{
	(void)state;
	/* 1536 B after 14.5 days of a 30-day cycle: 1536 * 30 / 14.5 */
	assert_int_equal(cycle_project(1536, 0, 30 * DAY, 1252800), 3177);
	/* at the end and after it: what was counted */
	assert_int_equal(cycle_project(1536, 0, 30 * DAY, 30 * DAY), 1536);
	assert_int_equal(cycle_project(1536, 0, 30 * DAY, 40 * DAY), 1536);
	/* elapsed is at least an hour: minutes of data are not projected */
	assert_int_equal(cycle_project(100, 1000, 1000 + 7200, 1001), 200);
	assert_int_equal(cycle_project(100, 1000, 1000 + 7200, 1000), 200);
	assert_int_equal(cycle_project(0, 0, 30 * DAY, 1), 0);
}

static void projection_caps_at_2_64_minus_1(void **state)
{
	(void)state;
	assert_int_equal(cycle_project(UINT64_MAX, 0, 3 * 3600, 3600), UINT64_MAX);
	assert_int_equal(cycle_project(UINT64_MAX, 0, 3600, 3600), UINT64_MAX);
	/* Near 2^64 bytes one second into a 30-day cycle: 720 times that.
	 * The alerts' old copy truncated the 128-bit quotient to 64 bits
	 * (a wrapped, small estimate); the reports' capped it. */
	int64_t start = 1767225600; /* 2026-01-01 00:00 UTC */
	uint64_t huge = UINT64_MAX - 5;
	uint64_t wrapped = (uint64_t)((unsigned __int128)huge * (30 * DAY) / 3600);
	assert_true(wrapped < huge); /* what the old copy gave */
	assert_int_equal(cycle_project(huge, start, start + 30 * DAY, start + 1), UINT64_MAX);
	/* exact just below the cap: 2^64 / 720 bytes project to under 2^64 */
	uint64_t b = UINT64_MAX / 720;
	assert_int_equal(cycle_project(b, start, start + 30 * DAY, start + 1), b * 720);
}

static void usage_sums_cap_and_reproject(void **state)
{
	(void)state;
	struct cycle_usage u = {.start = 0, .end = 30 * DAY, .rx = UINT64_MAX - 1, .tx = 0};
	cycle_usage_add(&u, 10, 3, 1);
	assert_int_equal(u.rx, UINT64_MAX);
	assert_int_equal(u.tx, 3);
	assert_int_equal(u.used, UINT64_MAX);
	assert_int_equal(u.estimate, UINT64_MAX);
	struct cycle_usage v = {.start = 0, .end = 30 * DAY, .rx = 1000, .tx = 500};
	cycle_usage_add(&v, 24, 12, 15 * DAY);
	assert_int_equal(v.used, 1536);
	assert_int_equal(v.estimate, 3072);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(projection_is_the_documented_formula),
	        cmocka_unit_test(projection_caps_at_2_64_minus_1),
	        cmocka_unit_test(usage_sums_cap_and_reproject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
