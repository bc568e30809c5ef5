/*
 * test_calendar.c — unit tests for the time buckets, billing cycles and
 * ISO 8601 formatting and parsing of daemon/calendar.c.
 *
 * Expected instants are written as UTC civil times and converted by the
 * test's own arithmetic (utc() below), never by the module under test.
 * Every test sets the zone it needs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"

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

static void zone(const char *name)
{
	assert_int_equal(calendar_set_zone(name), 0);
}

static void assert_bucket(enum step s, int64_t t, int64_t start, int64_t next)
{
	int64_t got = calendar_bucket_start(s, t);
	if (got != start)
		fail_msg("%s bucket of %lld: start %lld, want %lld", step_name(s), (long long)t,
		         (long long)got, (long long)start);
	int64_t got_next = calendar_bucket_next(s, start);
	if (got_next != next)
		fail_msg("%s bucket at %lld: next %lld, want %lld", step_name(s), (long long)start,
		         (long long)got_next, (long long)next);
}

static void assert_format(int64_t t, const char *want)
{
	char out[32];
	memset(out, 'x', sizeof out);
	calendar_format(t, out);
	assert_non_null(memchr(out, '\0', sizeof out));
	assert_string_equal(out, want);
}

static void assert_parse(const char *text, int64_t want)
{
	int64_t t = -12345;
	if (calendar_parse(text, &t) != 0)
		fail_msg("calendar_parse(\"%s\") failed", text);
	if (t != want)
		fail_msg("calendar_parse(\"%s\") = %lld, want %lld", text, (long long)t,
		         (long long)want);
}

static void assert_parse_fails(const char *text)
{
	int64_t t = 0;
	if (calendar_parse(text, &t) != -1)
		fail_msg("calendar_parse(\"%s\") accepted it as %lld", text, (long long)t);
}

static void assert_cycle(int64_t t, int start_day, int64_t want_start, int64_t want_end)
{
	int64_t s = -1, e = -1;
	calendar_cycle(t, start_day, &s, &e);
	if (s != want_start || e != want_end)
		fail_msg("cycle(%lld, day %d) = [%lld, %lld), want [%lld, %lld)", (long long)t,
		         start_day, (long long)s, (long long)e, (long long)want_start,
		         (long long)want_end);
}

/* ------------------------------------------------------------------ */
/* Europe/Berlin, ordinary days                                        */
/* ------------------------------------------------------------------ */

static void berlin_five_minute_bucket_starts_on_the_five_minute_mark(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* 10:07:42 CET */
	assert_bucket(STEP_5MIN, utc(2026, 1, 15, 9, 7, 42), utc(2026, 1, 15, 9, 5, 0),
	              utc(2026, 1, 15, 9, 10, 0));
	/* a bucket start is its own bucket */
	assert_bucket(STEP_5MIN, utc(2026, 1, 15, 9, 10, 0), utc(2026, 1, 15, 9, 10, 0),
	              utc(2026, 1, 15, 9, 15, 0));
	/* the last second of a bucket */
	assert_bucket(STEP_5MIN, utc(2026, 7, 15, 9, 14, 59), utc(2026, 7, 15, 9, 10, 0),
	              utc(2026, 7, 15, 9, 15, 0));
}

static void berlin_hour_bucket_starts_at_the_local_hour_in_winter_and_summer(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_bucket(STEP_HOUR, utc(2026, 1, 15, 9, 59, 59), utc(2026, 1, 15, 9, 0, 0),
	              utc(2026, 1, 15, 10, 0, 0));
	assert_bucket(STEP_HOUR, utc(2026, 7, 15, 22, 0, 0), utc(2026, 7, 15, 22, 0, 0),
	              utc(2026, 7, 15, 23, 0, 0));
}

static void berlin_day_bucket_starts_at_local_midnight(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* 2026-01-15 12:00 CET: the day started at 23:00 UTC the day before */
	assert_bucket(STEP_DAY, utc(2026, 1, 15, 11, 0, 0), utc(2026, 1, 14, 23, 0, 0),
	              utc(2026, 1, 15, 23, 0, 0));
	/* 2026-07-15 00:30 CEST is 22:30 UTC on the 14th */
	assert_bucket(STEP_DAY, utc(2026, 7, 14, 22, 30, 0), utc(2026, 7, 14, 22, 0, 0),
	              utc(2026, 7, 15, 22, 0, 0));
	/* one second before local midnight belongs to the day before */
	assert_bucket(STEP_DAY, utc(2026, 7, 14, 21, 59, 59), utc(2026, 7, 13, 22, 0, 0),
	              utc(2026, 7, 14, 22, 0, 0));
}

static void berlin_month_bucket_starts_on_the_first_at_local_midnight(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* March 2026 begins in CET and ends in CEST: 31 days minus an hour */
	assert_bucket(STEP_MONTH, utc(2026, 3, 15, 12, 0, 0), utc(2026, 2, 28, 23, 0, 0),
	              utc(2026, 3, 31, 22, 0, 0));
	/* October 2026 begins in CEST and ends in CET: 31 days plus an hour */
	assert_bucket(STEP_MONTH, utc(2026, 10, 31, 22, 59, 59), utc(2026, 9, 30, 22, 0, 0),
	              utc(2026, 10, 31, 23, 0, 0));
	/* February of a common year */
	assert_bucket(STEP_MONTH, utc(2026, 2, 10, 0, 0, 0), utc(2026, 1, 31, 23, 0, 0),
	              utc(2026, 2, 28, 23, 0, 0));
	/* the 1st of a month, just after local midnight */
	assert_bucket(STEP_MONTH, utc(2026, 6, 30, 22, 0, 1), utc(2026, 6, 30, 22, 0, 0),
	              utc(2026, 7, 31, 22, 0, 0));
}

static void berlin_year_bucket_starts_on_new_year_at_local_midnight(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_bucket(STEP_YEAR, utc(2026, 7, 1, 0, 0, 0), utc(2025, 12, 31, 23, 0, 0),
	              utc(2026, 12, 31, 23, 0, 0));
	/* 2027-01-01 00:30 CET is still 2026 in UTC */
	int64_t t = utc(2026, 12, 31, 23, 30, 0);
	assert_bucket(STEP_YEAR, t, utc(2026, 12, 31, 23, 0, 0), utc(2027, 12, 31, 23, 0, 0));
	assert_bucket(STEP_MONTH, t, utc(2026, 12, 31, 23, 0, 0), utc(2027, 1, 31, 23, 0, 0));
	assert_bucket(STEP_DAY, t, utc(2026, 12, 31, 23, 0, 0), utc(2027, 1, 1, 23, 0, 0));
	/* the last second of 2026 local time */
	int64_t last = utc(2026, 12, 31, 22, 59, 59);
	assert_bucket(STEP_YEAR, last, utc(2025, 12, 31, 23, 0, 0), utc(2026, 12, 31, 23, 0, 0));
	assert_bucket(STEP_MONTH, last, utc(2026, 11, 30, 23, 0, 0), utc(2026, 12, 31, 23, 0, 0));
}

/* ------------------------------------------------------------------ */
/* Europe/Berlin, DST changes                                          */
/* ------------------------------------------------------------------ */

static void berlin_spring_forward_day_has_23_hours(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC */
	int64_t day = utc(2026, 3, 28, 23, 0, 0);
	assert_int_equal(calendar_bucket_start(STEP_DAY, utc(2026, 3, 29, 12, 0, 0)), day);
	int64_t next = calendar_bucket_next(STEP_DAY, day);
	assert_int_equal(next, utc(2026, 3, 29, 22, 0, 0));
	assert_int_equal(next - day, 82800);
}

static void berlin_spring_forward_hour_after_one_oclock_is_three_oclock(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* 01:00 CET = 00:00 UTC; its next hour is 03:00 CEST = 01:00 UTC */
	int64_t one = utc(2026, 3, 29, 0, 0, 0);
	assert_bucket(STEP_HOUR, utc(2026, 3, 29, 0, 59, 59), one, utc(2026, 3, 29, 1, 0, 0));
	assert_format(one, "2026-03-29T01:00:00+01:00");
	assert_format(calendar_bucket_next(STEP_HOUR, one), "2026-03-29T03:00:00+02:00");
	assert_bucket(STEP_HOUR, utc(2026, 3, 29, 1, 30, 0), utc(2026, 3, 29, 1, 0, 0),
	              utc(2026, 3, 29, 2, 0, 0));
	/* the 5-minute buckets around the jump stay 300 s long */
	assert_bucket(STEP_5MIN, utc(2026, 3, 29, 0, 59, 0), utc(2026, 3, 29, 0, 55, 0),
	              utc(2026, 3, 29, 1, 0, 0));
	assert_bucket(STEP_5MIN, utc(2026, 3, 29, 1, 0, 0), utc(2026, 3, 29, 1, 0, 0),
	              utc(2026, 3, 29, 1, 5, 0));
}

static void berlin_fall_back_day_has_25_hours(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00 UTC */
	int64_t day = utc(2026, 10, 24, 22, 0, 0);
	assert_int_equal(calendar_bucket_start(STEP_DAY, utc(2026, 10, 25, 12, 0, 0)), day);
	int64_t next = calendar_bucket_next(STEP_DAY, day);
	assert_int_equal(next, utc(2026, 10, 25, 23, 0, 0));
	assert_int_equal(next - day, 90000);
}

static void berlin_repeated_two_oclock_gives_two_distinct_hour_buckets(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	int64_t first = utc(2026, 10, 25, 0, 0, 0);  /* 02:00 CEST */
	int64_t second = utc(2026, 10, 25, 1, 0, 0); /* 02:00 CET */
	assert_bucket(STEP_HOUR, utc(2026, 10, 25, 0, 30, 0), first, second);
	assert_bucket(STEP_HOUR, utc(2026, 10, 25, 1, 30, 0), second, utc(2026, 10, 25, 2, 0, 0));
	assert_format(first, "2026-10-25T02:00:00+02:00");
	assert_format(second, "2026-10-25T02:00:00+01:00");
	/* 02:59 CEST and 02:00 CET are in different 5-minute buckets too */
	assert_bucket(STEP_5MIN, utc(2026, 10, 25, 0, 59, 59), utc(2026, 10, 25, 0, 55, 0), second);
}

/* Walks one step's buckets over [from, to): every bucket is the bucket of
 * its own first and last second, and the walk ends exactly at to. */
static long walk(enum step s, int64_t from, int64_t to, int64_t *shortest, int64_t *longest)
{
	long n = 0;
	*shortest = INT64_MAX;
	*longest = 0;
	int64_t b = calendar_bucket_start(s, from);
	assert_int_equal(b, from);
	while (b < to) {
		int64_t next = calendar_bucket_next(s, b);
		if (next <= b)
			fail_msg("%s: next %lld not after %lld", step_name(s), (long long)next,
			         (long long)b);
		if (calendar_bucket_start(s, next - 1) != b || calendar_bucket_start(s, b) != b)
			fail_msg("%s: bucket %lld..%lld not closed", step_name(s), (long long)b,
			         (long long)next);
		if (next - b < *shortest)
			*shortest = next - b;
		if (next - b > *longest)
			*longest = next - b;
		b = next;
		n++;
	}
	assert_int_equal(b, to);
	return n;
}

static void berlin_year_2026_walks_through_every_bucket_of_every_step(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	int64_t from = utc(2025, 12, 31, 23, 0, 0), to = utc(2026, 12, 31, 23, 0, 0);
	int64_t lo, hi;
	/* the DST hour lost in March comes back in October: 365 * 24 hours */
	assert_int_equal(walk(STEP_5MIN, from, to, &lo, &hi), 365 * 288);
	assert_int_equal(lo, 300);
	assert_int_equal(hi, 300);
	assert_int_equal(walk(STEP_HOUR, from, to, &lo, &hi), 365 * 24);
	assert_int_equal(lo, 3600);
	assert_int_equal(hi, 3600);
	assert_int_equal(walk(STEP_DAY, from, to, &lo, &hi), 365);
	assert_int_equal(lo, 82800);
	assert_int_equal(hi, 90000);
	assert_int_equal(walk(STEP_MONTH, from, to, &lo, &hi), 12);
	assert_int_equal(lo, 28 * 86400);
	assert_int_equal(hi, 31 * 86400 + 3600);
	assert_int_equal(walk(STEP_YEAR, from, to, &lo, &hi), 1);
}

static void berlin_dst_days_have_23_and_25_hour_buckets(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	int64_t lo, hi;
	assert_int_equal(
	        walk(STEP_HOUR, utc(2026, 3, 28, 23, 0, 0), utc(2026, 3, 29, 22, 0, 0), &lo, &hi),
	        23);
	assert_int_equal(
	        walk(STEP_5MIN, utc(2026, 3, 28, 23, 0, 0), utc(2026, 3, 29, 22, 0, 0), &lo, &hi),
	        23 * 12);
	assert_int_equal(
	        walk(STEP_HOUR, utc(2026, 10, 24, 22, 0, 0), utc(2026, 10, 25, 23, 0, 0), &lo, &hi),
	        25);
	assert_int_equal(
	        walk(STEP_5MIN, utc(2026, 10, 24, 22, 0, 0), utc(2026, 10, 25, 23, 0, 0), &lo, &hi),
	        25 * 12);
}

static void lord_howe_half_hour_dst_keeps_hour_buckets_consistent(void **state)
{
	(void)state;
	/* Australia/Lord_Howe shifts by 30 minutes: +10:30 in winter, +11 in
	 * summer. On 2026-10-04 02:00 LHST becomes 02:30 LHDT (15:30 UTC):
	 * the local hour 02 lasts 30 minutes. */
	zone("Australia/Lord_Howe");
	int64_t lo, hi;
	assert_int_equal(
	        walk(STEP_HOUR, utc(2026, 10, 3, 13, 30, 0), utc(2026, 10, 4, 13, 0, 0), &lo, &hi),
	        24);
	assert_int_equal(lo, 1800);
	assert_int_equal(hi, 3600);
	assert_bucket(STEP_HOUR, utc(2026, 10, 3, 15, 0, 0), utc(2026, 10, 3, 14, 30, 0),
	              utc(2026, 10, 3, 15, 30, 0));
	assert_bucket(STEP_HOUR, utc(2026, 10, 3, 15, 45, 0), utc(2026, 10, 3, 15, 30, 0),
	              utc(2026, 10, 3, 16, 0, 0));
	/* On 2026-04-05 02:00 LHDT falls back to 01:30 LHST (15:00 UTC): the
	 * half hour 01:30-02:00 comes twice, 24.5 hours in 25 buckets. */
	assert_int_equal(
	        walk(STEP_HOUR, utc(2026, 4, 4, 13, 0, 0), utc(2026, 4, 5, 13, 30, 0), &lo, &hi),
	        25);
	assert_bucket(STEP_HOUR, utc(2026, 4, 4, 14, 45, 0), utc(2026, 4, 4, 14, 0, 0),
	              utc(2026, 4, 4, 15, 0, 0));
	assert_bucket(STEP_HOUR, utc(2026, 4, 4, 15, 10, 0), utc(2026, 4, 4, 15, 0, 0),
	              utc(2026, 4, 4, 15, 30, 0));
}

/* ------------------------------------------------------------------ */
/* Asia/Kolkata (+05:30) and UTC                                       */
/* ------------------------------------------------------------------ */

static void kolkata_hour_buckets_start_at_half_past_utc(void **state)
{
	(void)state;
	zone("Asia/Kolkata");
	/* 10:15 IST = 04:45 UTC */
	int64_t t = utc(2026, 5, 10, 4, 45, 0);
	assert_bucket(STEP_HOUR, t, utc(2026, 5, 10, 4, 30, 0), utc(2026, 5, 10, 5, 30, 0));
	assert_bucket(STEP_HOUR, utc(2026, 5, 10, 4, 29, 59), utc(2026, 5, 10, 3, 30, 0),
	              utc(2026, 5, 10, 4, 30, 0));
	assert_bucket(STEP_5MIN, utc(2026, 5, 10, 4, 47, 10), utc(2026, 5, 10, 4, 45, 0),
	              utc(2026, 5, 10, 4, 50, 0));
	assert_format(utc(2026, 5, 10, 4, 30, 0), "2026-05-10T10:00:00+05:30");
}

static void kolkata_day_buckets_start_at_1830_utc_the_day_before(void **state)
{
	(void)state;
	zone("Asia/Kolkata");
	assert_bucket(STEP_DAY, utc(2026, 5, 10, 4, 45, 0), utc(2026, 5, 9, 18, 30, 0),
	              utc(2026, 5, 10, 18, 30, 0));
	assert_bucket(STEP_DAY, utc(2026, 5, 9, 18, 29, 59), utc(2026, 5, 8, 18, 30, 0),
	              utc(2026, 5, 9, 18, 30, 0));
	assert_bucket(STEP_MONTH, utc(2026, 5, 10, 4, 45, 0), utc(2026, 4, 30, 18, 30, 0),
	              utc(2026, 5, 31, 18, 30, 0));
	assert_bucket(STEP_YEAR, utc(2025, 12, 31, 18, 30, 0), utc(2025, 12, 31, 18, 30, 0),
	              utc(2026, 12, 31, 18, 30, 0));
}

static void utc_buckets_follow_the_utc_clock(void **state)
{
	(void)state;
	zone("UTC");
	int64_t t = utc(2026, 2, 28, 23, 59, 59);
	assert_bucket(STEP_5MIN, t, utc(2026, 2, 28, 23, 55, 0), utc(2026, 3, 1, 0, 0, 0));
	assert_bucket(STEP_HOUR, t, utc(2026, 2, 28, 23, 0, 0), utc(2026, 3, 1, 0, 0, 0));
	assert_bucket(STEP_DAY, t, utc(2026, 2, 28, 0, 0, 0), utc(2026, 3, 1, 0, 0, 0));
	assert_bucket(STEP_MONTH, t, utc(2026, 2, 1, 0, 0, 0), utc(2026, 3, 1, 0, 0, 0));
	assert_bucket(STEP_YEAR, t, utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0));
}

static void utc_february_of_a_leap_year_has_29_days(void **state)
{
	(void)state;
	zone("UTC");
	assert_bucket(STEP_MONTH, utc(2028, 2, 29, 12, 0, 0), utc(2028, 2, 1, 0, 0, 0),
	              utc(2028, 3, 1, 0, 0, 0));
	assert_bucket(STEP_DAY, utc(2028, 2, 29, 12, 0, 0), utc(2028, 2, 29, 0, 0, 0),
	              utc(2028, 3, 1, 0, 0, 0));
	assert_bucket(STEP_YEAR, utc(2028, 12, 31, 23, 59, 59), utc(2028, 1, 1, 0, 0, 0),
	              utc(2029, 1, 1, 0, 0, 0));
}

/* ------------------------------------------------------------------ */
/* billing cycles                                                      */
/* ------------------------------------------------------------------ */

static void cycle_starting_on_the_first_is_the_calendar_month(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_cycle(utc(2026, 3, 15, 12, 0, 0), 1, utc(2026, 2, 28, 23, 0, 0),
	             utc(2026, 3, 31, 22, 0, 0));
	/* the last second of March, local time */
	assert_cycle(utc(2026, 3, 31, 21, 59, 59), 1, utc(2026, 2, 28, 23, 0, 0),
	             utc(2026, 3, 31, 22, 0, 0));
}

static void cycle_start_instant_belongs_to_the_new_cycle(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	int64_t apr1 = utc(2026, 3, 31, 22, 0, 0);
	assert_cycle(apr1, 1, apr1, utc(2026, 4, 30, 22, 0, 0));
	assert_cycle(apr1 - 1, 1, utc(2026, 2, 28, 23, 0, 0), apr1);
	int64_t mar28 = utc(2026, 3, 27, 23, 0, 0);
	assert_cycle(mar28, 28, mar28, utc(2026, 4, 27, 22, 0, 0));
	assert_cycle(mar28 - 1, 28, utc(2026, 2, 27, 23, 0, 0), mar28);
}

static void cycle_starting_on_the_28th_works_around_month_ends_and_february(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* Jan 31: in the cycle that began on Jan 28 */
	assert_cycle(utc(2026, 1, 31, 12, 0, 0), 28, utc(2026, 1, 27, 23, 0, 0),
	             utc(2026, 2, 27, 23, 0, 0));
	/* mid-February: still that cycle */
	assert_cycle(utc(2026, 2, 15, 12, 0, 0), 28, utc(2026, 1, 27, 23, 0, 0),
	             utc(2026, 2, 27, 23, 0, 0));
	/* Feb 28 is the last day of February 2026 and starts a cycle */
	assert_cycle(utc(2026, 2, 28, 10, 0, 0), 28, utc(2026, 2, 27, 23, 0, 0),
	             utc(2026, 3, 27, 23, 0, 0));
	/* March 1 is in the cycle that started on Feb 28 */
	assert_cycle(utc(2026, 3, 1, 10, 0, 0), 28, utc(2026, 2, 27, 23, 0, 0),
	             utc(2026, 3, 27, 23, 0, 0));
	/* in a leap year, Feb 29 is in the cycle that started on Feb 28 */
	assert_cycle(utc(2028, 2, 29, 10, 0, 0), 28, utc(2028, 2, 27, 23, 0, 0),
	             utc(2028, 3, 27, 22, 0, 0));
}

static void cycle_crosses_the_year_end(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* start day 15, early January: began on December 15 of the year before */
	assert_cycle(utc(2027, 1, 10, 12, 0, 0), 15, utc(2026, 12, 14, 23, 0, 0),
	             utc(2027, 1, 14, 23, 0, 0));
	/* start day 28, late December: ends on January 28 of the next year */
	assert_cycle(utc(2026, 12, 30, 12, 0, 0), 28, utc(2026, 12, 27, 23, 0, 0),
	             utc(2027, 1, 27, 23, 0, 0));
	/* start day 1, New Year's midnight local time */
	int64_t ny = utc(2026, 12, 31, 23, 0, 0);
	assert_cycle(ny, 1, ny, utc(2027, 1, 31, 23, 0, 0));
	assert_cycle(ny - 1, 1, utc(2026, 11, 30, 23, 0, 0), ny);
}

static void cycle_follows_the_zone_of_the_calendar(void **state)
{
	(void)state;
	zone("Asia/Kolkata");
	/* 2026-05-01 02:00 IST is still April in UTC */
	assert_cycle(utc(2026, 4, 30, 20, 30, 0), 1, utc(2026, 4, 30, 18, 30, 0),
	             utc(2026, 5, 31, 18, 30, 0));
	zone("UTC");
	assert_cycle(utc(2026, 4, 30, 20, 30, 0), 1, utc(2026, 4, 1, 0, 0, 0),
	             utc(2026, 5, 1, 0, 0, 0));
}

/* ------------------------------------------------------------------ */
/* calendar_local_midnight, calendar_format                            */
/* ------------------------------------------------------------------ */

static void local_midnight_is_in_the_zone_and_normalises_overflow(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_int_equal(calendar_local_midnight(2026, 3, 29), utc(2026, 3, 28, 23, 0, 0));
	assert_int_equal(calendar_local_midnight(2026, 3, 30), utc(2026, 3, 29, 22, 0, 0));
	assert_int_equal(calendar_local_midnight(2026, 13, 1), utc(2026, 12, 31, 23, 0, 0));
	assert_int_equal(calendar_local_midnight(2026, 2, 29), utc(2026, 2, 28, 23, 0, 0));
	assert_int_equal(calendar_local_midnight(2026, 1, 0), utc(2025, 12, 30, 23, 0, 0));
}

static void format_prints_the_offset_of_the_zone(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_format(utc(2026, 1, 15, 12, 0, 0), "2026-01-15T13:00:00+01:00");
	assert_format(utc(2026, 7, 15, 12, 34, 56), "2026-07-15T14:34:56+02:00");
	assert_format(utc(2026, 3, 29, 1, 0, 0), "2026-03-29T03:00:00+02:00");
	zone("Asia/Kolkata");
	assert_format(utc(2026, 5, 9, 18, 30, 0), "2026-05-10T00:00:00+05:30");
	zone("America/St_Johns");
	assert_format(utc(2026, 1, 15, 12, 0, 0), "2026-01-15T08:30:00-03:30");
}

static void format_prints_utc_as_plus_zero_not_z(void **state)
{
	(void)state;
	zone("UTC");
	assert_format(0, "1970-01-01T00:00:00+00:00");
	assert_format(utc(2026, 12, 31, 23, 59, 59), "2026-12-31T23:59:59+00:00");
}

static void format_and_parse_round_trip_through_the_dst_changes(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	for (int64_t t = utc(2026, 10, 24, 23, 0, 0); t < utc(2026, 10, 25, 3, 0, 0); t += 617) {
		char out[32];
		calendar_format(t, out);
		assert_parse(out, t);
	}
	for (int64_t t = utc(2026, 3, 28, 23, 0, 0); t < utc(2026, 3, 29, 3, 0, 0); t += 617) {
		char out[32];
		calendar_format(t, out);
		assert_parse(out, t);
	}
}

/* calendar_format writes its digits by hand: the same bytes as the
 * general form (strftime and the zone's offset) for every kind of zone
 * (half hours, 45 minutes, west of UTC, DST) over three centuries. */
static void format_matches_strftime_everywhere(void **state)
{
	(void)state;
	static const char *const zones[] = {"UTC",
	                                    "Europe/Berlin",
	                                    "Asia/Kolkata",
	                                    "America/St_Johns",
	                                    "Pacific/Chatham",
	                                    "Pacific/Kiritimati"};
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		zone(zones[z]);
		for (int64_t t = utc(1900, 1, 1, 0, 0, 0); t < utc(2200, 1, 1, 0, 0, 0);
		     t += 86400 * 37 + 3727) {
			time_t tt = (time_t)t;
			struct tm tm;
			assert_non_null(localtime_r(&tt, &tm));
			long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
			char want[64], date[40], got[32];
			strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(want, sizeof want, "%s%c%02ld:%02ld", date,
			         tm.tm_gmtoff < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
			calendar_format(t, got);
			assert_string_equal(got, want);
		}
	}
}

/* ------------------------------------------------------------------ */
/* calendar_parse                                                      */
/* ------------------------------------------------------------------ */

static void parse_reads_a_date_as_local_midnight(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_parse("2026-03-01", utc(2026, 2, 28, 23, 0, 0));
	assert_parse("2026-07-01", utc(2026, 6, 30, 22, 0, 0));
	assert_parse("2026-03-29", utc(2026, 3, 28, 23, 0, 0));
	assert_parse("2028-02-29", utc(2028, 2, 28, 23, 0, 0));
	zone("Asia/Kolkata");
	assert_parse("2026-05-10", utc(2026, 5, 9, 18, 30, 0));
}

static void parse_reads_iso_times_with_z_and_with_offsets(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_parse("2026-03-29T01:30:00Z", utc(2026, 3, 29, 1, 30, 0));
	assert_parse("2026-05-10T10:15:00+05:30", utc(2026, 5, 10, 4, 45, 0));
	assert_parse("2026-01-15T08:30:00-03:30", utc(2026, 1, 15, 12, 0, 0));
	assert_parse("2026-07-15T14:34:56+02:00", utc(2026, 7, 15, 12, 34, 56));
	/* an offset that is not the zone's own is still honoured */
	assert_parse("2026-07-15T14:34:56+01:00", utc(2026, 7, 15, 13, 34, 56));
	/* date crossing: 00:30 at +05:30 is the day before in UTC */
	assert_parse("2026-01-01T00:30:00+05:30", utc(2025, 12, 31, 19, 0, 0));
}

static void parse_reads_times_without_offset_as_local_time(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_parse("2026-07-01T12:00:00", utc(2026, 7, 1, 10, 0, 0));
	assert_parse("2026-01-01T12:00:07", utc(2026, 1, 1, 11, 0, 7));
	zone("Asia/Kolkata");
	assert_parse("2026-07-01T12:00:00", utc(2026, 7, 1, 6, 30, 0));
}

static void parse_reads_times_without_seconds(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_parse("2026-07-01T12:00", utc(2026, 7, 1, 10, 0, 0));
	assert_parse("2026-07-01T12:00Z", utc(2026, 7, 1, 12, 0, 0));
	assert_parse("2026-07-01T12:00+05:30", utc(2026, 7, 1, 6, 30, 0));
}

static void parse_moves_a_local_time_in_the_spring_gap_forward(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* 02:30 does not exist on 2026-03-29; it is read as 03:30 CEST */
	assert_parse("2026-03-29T02:30", utc(2026, 3, 29, 1, 30, 0));
}

static void parse_reads_the_repeated_hour_as_one_of_its_two_instants(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	int64_t t = 0;
	assert_int_equal(calendar_parse("2026-10-25T02:30", &t), 0);
	assert_true(t == utc(2026, 10, 25, 0, 30, 0) || t == utc(2026, 10, 25, 1, 30, 0));
	/* with an offset there is no doubt */
	assert_parse("2026-10-25T02:30:00+02:00", utc(2026, 10, 25, 0, 30, 0));
	assert_parse("2026-10-25T02:30:00+01:00", utc(2026, 10, 25, 1, 30, 0));
}

static void parse_rejects_malformed_text(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	static const char *const bad[] = {
	        "",
	        "2026",
	        "2026-03",
	        "2026-1-1",
	        "2026-01-1",
	        "26-01-01",
	        "2026/01/01",
	        "2026-13-01",
	        "2026-00-10",
	        "2026-01-00",
	        "2026-01-32",
	        "2026-03-01x",
	        "2026-03-01 ",
	        "2026-03-01T",
	        "2026-03-01T10",
	        "2026-03-01T10:",
	        "2026-03-01T1:00",
	        "2026-03-01T10:5",
	        "2026-03-01T24:00",
	        "2026-03-01T10:60",
	        "2026-03-01T10:00:61",
	        "2026-03-01T10:00:0",
	        "2026-03-01T10:00:00junk",
	        "2026-03-01T10:00:00Zjunk",
	        "2026-03-01T10:00:00+01:00x",
	        "2026-03-01T10:00:00+1",
	        "2026-03-01T10:00:00+01:3",
	        "2026-03-01T10:00:00+24:00",
	        "2026-03-01T10:00:00+01:60",
	        "2026-03-01T10:00:00 +01:00",
	        "x2026-03-01",
	        " 2026-03-01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_parse_fails(bad[i]);
}

static void parse_rejects_days_the_month_does_not_have(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	/* A date that does not exist is malformed, not the 2nd of March:
	 * /api/v1/traffic?from=2026-02-30 must be a 400, not a silent shift. */
	assert_parse_fails("2026-02-30");
	assert_parse_fails("2026-02-29");
	assert_parse_fails("2026-04-31");
	assert_parse_fails("2026-02-30T10:00:00Z");
	assert_parse_fails("2026-06-31T10:00");
	/* while the days that exist still parse */
	assert_parse("2028-02-29", utc(2028, 2, 28, 23, 0, 0));
	assert_parse("2026-04-30T10:00:00Z", utc(2026, 4, 30, 10, 0, 0));
}

static void parse_leaves_the_output_alone_on_failure(void **state)
{
	(void)state;
	zone("UTC");
	int64_t t = 4242;
	assert_int_equal(calendar_parse("2026-13-01", &t), -1);
	assert_int_equal(t, 4242);
	assert_int_equal(calendar_parse("2026-03-01T10:00:00junk", &t), -1);
	assert_int_equal(t, 4242);
}

/* ------------------------------------------------------------------ */
/* step names, zones                                                   */
/* ------------------------------------------------------------------ */

static void step_names_round_trip(void **state)
{
	(void)state;
	static const char *const names[STEP_COUNT] = {"5min", "hour", "day", "month", "year"};
	for (int i = 0; i < STEP_COUNT; i++) {
		assert_string_equal(step_name((enum step)i), names[i]);
		enum step s = STEP_COUNT;
		assert_int_equal(step_parse(names[i], &s), 0);
		assert_int_equal(s, i);
	}
	assert_string_equal(step_name(STEP_COUNT), "?");
}

static void step_parse_rejects_unknown_names(void **state)
{
	(void)state;
	static const char *const bad[] = {"",   "5MIN",  "Hour", "minute", "hours", "days",
	                                  "5m", "year ", " day", "?",      "weekly"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum step s = STEP_MONTH;
		if (step_parse(bad[i], &s) != -1)
			fail_msg("step_parse(\"%s\") accepted it", bad[i]);
		assert_int_equal(s, STEP_MONTH);
	}
}

static void set_zone_names_the_zone(void **state)
{
	(void)state;
	zone("Asia/Kolkata");
	assert_string_equal(calendar_zone(), "Asia/Kolkata");
	zone("Europe/Berlin");
	assert_string_equal(calendar_zone(), "Europe/Berlin");
	/* Unset: the system zone by its name, never "localtime". */
	char sys[128];
	calendar_system_zone_name("/etc/timezone", "/etc/localtime", sys, sizeof sys);
	zone("");
	assert_string_equal(calendar_zone(), sys);
	assert_string_not_equal(calendar_zone(), "localtime");
	zone("UTC");
	assert_string_equal(calendar_zone(), "UTC");
	assert_int_equal(calendar_set_zone(NULL), 0);
	assert_string_equal(calendar_zone(), sys);
}

/* Writes text to path (a test file). */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void system_zone_name_from_etc_timezone_link_or_offset(void **state)
{
	(void)state;
	char dir[] = "/tmp/tikstat-zone-XXXXXX", tzfile[64], link[64], out[128];
	assert_non_null(mkdtemp(dir));
	snprintf(tzfile, sizeof tzfile, "%s/timezone", dir);
	snprintf(link, sizeof link, "%s/localtime", dir);
	put_file(tzfile, "Asia/Kolkata\n");
	assert_int_equal(symlink("/usr/share/zoneinfo/Europe/Berlin", link), 0);
	calendar_system_zone_name(tzfile, link, out, sizeof out);
	assert_string_equal(out, "Asia/Kolkata");
	/* No /etc/timezone (or a name tzdata lacks): the link's target. */
	put_file(tzfile, "Nowhere/Atlantis\n");
	calendar_system_zone_name(tzfile, link, out, sizeof out);
	assert_string_equal(out, "Europe/Berlin");
	unlink(tzfile);
	calendar_system_zone_name(tzfile, link, out, sizeof out);
	assert_string_equal(out, "Europe/Berlin");
	/* Neither: the offset of local time now. */
	unlink(link);
	zone("Asia/Kolkata");
	calendar_system_zone_name(tzfile, link, out, sizeof out);
	assert_string_equal(out, "UTC+05:30");
	rmdir(dir);
}

static void set_zone_rejects_unknown_zones_and_paths_and_keeps_the_old_one(void **state)
{
	(void)state;
	zone("Asia/Kolkata");
	static const char *const bad[] = {
	        "Nowhere/Atlantis",
	        "Europe/Berlinn",
	        "europe/berlin ",
	        "../etc/passwd",
	        "../../../../etc/passwd",
	        "Europe/../../../etc/passwd",
	        "/etc/passwd",
	        "/usr/share/zoneinfo/Europe/Berlin",
	        "Europe/Berlin/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (calendar_set_zone(bad[i]) != -1)
			fail_msg("calendar_set_zone(\"%s\") accepted it", bad[i]);
		assert_string_equal(calendar_zone(), "Asia/Kolkata");
	}
	/* the buckets still follow Kolkata */
	assert_int_equal(calendar_bucket_start(STEP_HOUR, utc(2026, 5, 10, 4, 45, 0)),
	                 utc(2026, 5, 10, 4, 30, 0));
}

static void set_zone_rejects_zoneinfo_entries_that_are_not_zones(void **state)
{
	(void)state;
	zone("Asia/Kolkata");
	/* A directory and a table under /usr/share/zoneinfo are no zones:
	 * glibc would silently fall back to UTC while calendar_zone() names
	 * "Europe". timezone = Europe in tikstat.conf must be an error. */
	assert_int_equal(calendar_set_zone("Europe"), -1);
	assert_string_equal(calendar_zone(), "Asia/Kolkata");
	assert_int_equal(calendar_set_zone("zone.tab"), -1);
	assert_string_equal(calendar_zone(), "Asia/Kolkata");
}

/* Issue 8, defect 6: INT64_MIN / INT64_MAX (an import row) are clamped
 * into the supported range, never undefined behaviour (UBSan aborts). */
static void extreme_times_are_clamped_into_the_supported_range(void **state)
{
	(void)state;
	static const char *const zones[] = {"UTC", "Europe/Berlin", "Australia/Lord_Howe"};
	static const int64_t extremes[] = {
	        INT64_MIN,     INT64_MIN + 1, CALENDAR_TIME_MIN - 1, CALENDAR_TIME_MAX + 1,
	        INT64_MAX - 1, INT64_MAX};
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		zone(zones[z]);
		for (int st = 0; st < STEP_COUNT; st++) {
			enum step s = (enum step)st;
			int64_t lo = calendar_bucket_start(s, CALENDAR_TIME_MIN);
			int64_t hi = calendar_bucket_start(s, CALENDAR_TIME_MAX);
			assert_true(lo <= CALENDAR_TIME_MIN && hi <= CALENDAR_TIME_MAX && lo < hi);
			assert_true(calendar_bucket_next(s, hi) > CALENDAR_TIME_MAX);
			for (size_t k = 0; k < sizeof extremes / sizeof extremes[0]; k++) {
				int64_t t = extremes[k];
				int64_t b = calendar_bucket_start(s, t);
				assert_int_equal(b, t < 0 ? lo : hi);
				assert_true(calendar_bucket_next(s, t) > b);
			}
		}
		int64_t start, end;
		calendar_cycle(INT64_MIN, 1, &start, &end);
		assert_true(start < end);
		calendar_cycle(INT64_MAX, 28, &start, &end);
		assert_true(start <= CALENDAR_TIME_MAX && start < end);
		char out[32];
		calendar_format(INT64_MAX, out);
		/* the last instant, in the zone's local time */
		assert_true(strncmp(out, "9999-12-31T", 11) == 0 || strncmp(out, "10000-", 6) == 0);
		calendar_format(INT64_MIN, out);
		assert_true(strncmp(out, "0000-12-31T", 11) == 0 ||
		            strncmp(out, "0001-01-01T", 11) == 0);
	}
	/* the range's ends in UTC, exactly */
	zone("UTC");
	char out[32];
	calendar_format(CALENDAR_TIME_MAX, out);
	assert_string_equal(out, "9999-12-31T23:59:59+00:00");
	calendar_format(CALENDAR_TIME_MIN, out);
	assert_string_equal(out, "0001-01-01T00:00:00+00:00");
	assert_int_equal(CALENDAR_TIME_MAX, utc(9999, 12, 31, 23, 59, 59));
	assert_int_equal(CALENDAR_TIME_MIN, utc(1, 1, 1, 0, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(berlin_five_minute_bucket_starts_on_the_five_minute_mark),
	        cmocka_unit_test(berlin_hour_bucket_starts_at_the_local_hour_in_winter_and_summer),
	        cmocka_unit_test(berlin_day_bucket_starts_at_local_midnight),
	        cmocka_unit_test(berlin_month_bucket_starts_on_the_first_at_local_midnight),
	        cmocka_unit_test(berlin_year_bucket_starts_on_new_year_at_local_midnight),
	        cmocka_unit_test(berlin_spring_forward_day_has_23_hours),
	        cmocka_unit_test(berlin_spring_forward_hour_after_one_oclock_is_three_oclock),
	        cmocka_unit_test(berlin_fall_back_day_has_25_hours),
	        cmocka_unit_test(berlin_repeated_two_oclock_gives_two_distinct_hour_buckets),
	        cmocka_unit_test(berlin_year_2026_walks_through_every_bucket_of_every_step),
	        cmocka_unit_test(berlin_dst_days_have_23_and_25_hour_buckets),
	        cmocka_unit_test(lord_howe_half_hour_dst_keeps_hour_buckets_consistent),
	        cmocka_unit_test(kolkata_hour_buckets_start_at_half_past_utc),
	        cmocka_unit_test(kolkata_day_buckets_start_at_1830_utc_the_day_before),
	        cmocka_unit_test(utc_buckets_follow_the_utc_clock),
	        cmocka_unit_test(utc_february_of_a_leap_year_has_29_days),
	        cmocka_unit_test(cycle_starting_on_the_first_is_the_calendar_month),
	        cmocka_unit_test(cycle_start_instant_belongs_to_the_new_cycle),
	        cmocka_unit_test(cycle_starting_on_the_28th_works_around_month_ends_and_february),
	        cmocka_unit_test(cycle_crosses_the_year_end),
	        cmocka_unit_test(cycle_follows_the_zone_of_the_calendar),
	        cmocka_unit_test(local_midnight_is_in_the_zone_and_normalises_overflow),
	        cmocka_unit_test(format_prints_the_offset_of_the_zone),
	        cmocka_unit_test(format_prints_utc_as_plus_zero_not_z),
	        cmocka_unit_test(format_and_parse_round_trip_through_the_dst_changes),
	        cmocka_unit_test(parse_reads_a_date_as_local_midnight),
	        cmocka_unit_test(parse_reads_iso_times_with_z_and_with_offsets),
	        cmocka_unit_test(parse_reads_times_without_offset_as_local_time),
	        cmocka_unit_test(parse_reads_times_without_seconds),
	        cmocka_unit_test(parse_moves_a_local_time_in_the_spring_gap_forward),
	        cmocka_unit_test(parse_reads_the_repeated_hour_as_one_of_its_two_instants),
	        cmocka_unit_test(parse_rejects_malformed_text),
	        cmocka_unit_test(parse_rejects_days_the_month_does_not_have),
	        cmocka_unit_test(parse_leaves_the_output_alone_on_failure),
	        cmocka_unit_test(step_names_round_trip),
	        cmocka_unit_test(step_parse_rejects_unknown_names),
	        cmocka_unit_test(set_zone_names_the_zone),
	        cmocka_unit_test(system_zone_name_from_etc_timezone_link_or_offset),
	        cmocka_unit_test(set_zone_rejects_unknown_zones_and_paths_and_keeps_the_old_one),
	        cmocka_unit_test(set_zone_rejects_zoneinfo_entries_that_are_not_zones),
	        cmocka_unit_test(extreme_times_are_clamped_into_the_supported_range),
	        cmocka_unit_test(format_matches_strftime_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
