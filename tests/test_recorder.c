/*
 * test_recorder.c — unit tests for daemon/recorder.c on real database
 * files in a temporary directory (removed at the end): readings become
 * traffic in all five steps to the byte, commits are batched and seen by
 * a second (read-only) connection only when committed, a restarted or
 * crashed daemon recovers from the stored last reading, and old 5-minute
 * buckets are pruned.
 *
 * The ground truth is always the routers' cumulative counters. Expected
 * instants are UTC civil times converted by the test's own arithmetic
 * (utc() below). The zone is Europe/Berlin.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbcorrupt.h"
#include "log.h"
#include "recorder.h"
#include "tmpdir.h"

static char tmpdir[256];
static int db_counter;

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static int make_tmpdir(void **state)
{
	(void)state;
	if (tmpdir_make(tmpdir, sizeof tmpdir, "test_recorder"))
		return -1;
	return calendar_set_zone("Europe/Berlin");
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return tmpdir_remove(tmpdir);
}

/* A fresh database path in the test directory (out holds 512 bytes). */
static const char *new_db(char *out)
{
	snprintf(out, 512, "%s/t%d.db", tmpdir, ++db_counter);
	return out;
}

static store *open_store(const char *path, bool readonly)
{
	char err[512] = "";
	store *s = store_open(path, readonly, err, sizeof err);
	if (!s)
		fail_msg("store_open(%s%s): %s", path, readonly ? ", readonly" : "", err);
	return s;
}

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

static struct recorder_options options(int commit_interval)
{
	struct recorder_options o;
	memset(&o, 0, sizeof o);
	o.max_rate = 0;
	o.commit_interval = commit_interval;
	return o;
}

static struct recorder *new_recorder(store *s, const struct recorder_options *o)
{
	struct recorder *r = recorder_new(s, o);
	assert_non_null(r);
	return r;
}

static int iface(struct recorder *r, const char *router, const char *name)
{
	int h = recorder_interface(r, router, name);
	if (h < 0)
		fail_msg("recorder_interface(%s, %s): %s", router, name,
		         store_errmsg(recorder_store(r)));
	return h;
}

static struct acct_reading reading(int64_t time, uint64_t rx, uint64_t tx, uint64_t uptime,
                                   const char *id)
{
	struct acct_reading r;
	memset(&r, 0, sizeof r);
	r.time = time;
	r.rx = rx;
	r.tx = tx;
	r.uptime = uptime;
	r.has_uptime = true;
	snprintf(r.id, sizeof r.id, "%s", id);
	return r;
}

/* Adds a reading taken at its own time; returns the kind it was counted as. */
static enum acct_kind add(struct recorder *r, int h, struct acct_reading rd)
{
	struct acct_delta d;
	memset(&d, 0xa5, sizeof d);
	if (recorder_add(r, h, &rd, rd.time, &d) != 0)
		fail_msg("recorder_add at %lld: %s", (long long)rd.time,
		         store_errmsg(recorder_store(r)));
	return d.kind;
}

static void flush(struct recorder *r, int64_t now)
{
	if (recorder_flush(r, now) != 0)
		fail_msg("recorder_flush: %s", store_errmsg(recorder_store(r)));
}

static void assert_totals(store *s, int64_t id, uint64_t rx, uint64_t tx)
{
	uint64_t grx = 1, gtx = 1;
	if (store_totals(s, id, &grx, &gtx) != 0)
		fail_msg("store_totals: %s", store_errmsg(s));
	if (grx != rx || gtx != tx)
		fail_msg("stored totals %llu/%llu, want %llu/%llu", (unsigned long long)grx,
		         (unsigned long long)gtx, (unsigned long long)rx, (unsigned long long)tx);
}

static void assert_recorder_totals(struct recorder *r, int h, uint64_t rx, uint64_t tx)
{
	uint64_t grx = 1, gtx = 1;
	recorder_totals(r, h, &grx, &gtx);
	if (grx != rx || gtx != tx)
		fail_msg("recorder totals %llu/%llu, want %llu/%llu", (unsigned long long)grx,
		         (unsigned long long)gtx, (unsigned long long)rx, (unsigned long long)tx);
}

/* Every step's buckets add up to rx/tx. */
static void assert_every_step_sums_to(store *s, int64_t id, uint64_t rx, uint64_t tx)
{
	for (int step = 0; step < STEP_COUNT; step++) {
		uint64_t grx = 1, gtx = 1;
		if (store_sum(s, id, (enum step)step, INT64_MIN, INT64_MAX, &grx, &gtx) != 0)
			fail_msg("store_sum: %s", store_errmsg(s));
		if (grx != rx || gtx != tx)
			fail_msg("%s buckets add up to %llu/%llu, want %llu/%llu",
			         step_name((enum step)step), (unsigned long long)grx,
			         (unsigned long long)gtx, (unsigned long long)rx,
			         (unsigned long long)tx);
	}
}

/* A series of buckets. */
#define MAX_POINTS 1024
struct points {
	size_t n;
	struct store_point p[MAX_POINTS];
};

static int collect(void *ctx, const struct store_point *p)
{
	struct points *pts = ctx;
	if (pts->n == MAX_POINTS)
		return 1;
	pts->p[pts->n++] = *p;
	return 0;
}

static void series(store *s, int64_t id, enum step step, int64_t from, int64_t to,
                   struct points *out)
{
	memset(out, 0, sizeof *out);
	if (store_series(s, id, step, from, to, collect, out) != 0)
		fail_msg("store_series(%s): %s", step_name(step), store_errmsg(s));
}

static void assert_point(const struct points *pts, size_t i, int64_t start, uint64_t rx,
                         uint64_t tx)
{
	assert_true(i < pts->n);
	assert_int_equal(pts->p[i].start, start);
	assert_int_equal(pts->p[i].rx, rx);
	assert_int_equal(pts->p[i].tx, tx);
}

static void load_last(store *s, int64_t id, struct acct_reading *out, bool *have)
{
	if (store_load_reading(s, id, out, have) != 0)
		fail_msg("store_load_reading: %s", store_errmsg(s));
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY);
	if (in < 0)
		return; /* -wal or -shm that does not exist */
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(out >= 0);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
}

/* What a crash leaves on disk: the database with its -wal and -shm. */
static void copy_database(const char *from, const char *to)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char a[600], b[600];
		snprintf(a, sizeof a, "%s%s", from, suffix[i]);
		snprintf(b, sizeof b, "%s%s", to, suffix[i]);
		copy_file(a, b);
	}
}

/* xorshift64*: a fixed sequence, the same on every run. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* ------------------------------------------------------------------ */
/* readings become traffic                                             */
/* ------------------------------------------------------------------ */

static void baseline_then_growth_lands_in_all_five_steps_to_the_byte(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(1);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	assert_null(recorder_last(r, h));

	/* 23:58 CET on New Year's Eve to 00:03 on 2027-01-01 */
	int64_t t0 = utc(2026, 12, 31, 22, 58, 0), t1 = utc(2026, 12, 31, 23, 3, 0);
	uint64_t rx0 = 1000000000000ULL, tx0 = 500000000000ULL;
	assert_int_equal(add(r, h, reading(t0, rx0, tx0, 7000, "*1")), ACCT_BASELINE);
	assert_totals(s, id, 0, 0);
	assert_every_step_sums_to(s, id, 0, 0);
	assert_int_equal(add(r, h, reading(t1, rx0 + 3000, tx0 + 5000, 7300, "*1")), ACCT_NORMAL);

	/* 2 of the 5 minutes were in 2026, 3 in 2027 */
	struct points pts;
	series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2);
	assert_point(&pts, 0, utc(2026, 12, 31, 22, 55, 0), 1200, 2000);
	assert_point(&pts, 1, utc(2026, 12, 31, 23, 0, 0), 1800, 3000);
	series(s, id, STEP_HOUR, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2);
	assert_point(&pts, 0, utc(2026, 12, 31, 22, 0, 0), 1200, 2000);
	assert_point(&pts, 1, utc(2026, 12, 31, 23, 0, 0), 1800, 3000);
	series(s, id, STEP_DAY, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2);
	assert_point(&pts, 0, utc(2026, 12, 30, 23, 0, 0), 1200, 2000);
	assert_point(&pts, 1, utc(2026, 12, 31, 23, 0, 0), 1800, 3000);
	series(s, id, STEP_MONTH, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2);
	assert_point(&pts, 0, utc(2026, 11, 30, 23, 0, 0), 1200, 2000);
	assert_point(&pts, 1, utc(2026, 12, 31, 23, 0, 0), 1800, 3000);
	series(s, id, STEP_YEAR, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2);
	assert_point(&pts, 0, utc(2025, 12, 31, 23, 0, 0), 1200, 2000);
	assert_point(&pts, 1, utc(2026, 12, 31, 23, 0, 0), 1800, 3000);

	assert_totals(s, id, 3000, 5000);
	assert_recorder_totals(r, h, 3000, 5000);
	const struct acct_reading *last = recorder_last(r, h);
	assert_non_null(last);
	assert_int_equal(last->time, t1);
	assert_int_equal(last->rx, rx0 + 3000);
	assert_ptr_equal(recorder_store(r), s);
	recorder_free(r, t1);
	store_close(s);
}

/* Expected 5-minute sums of the ground truth, bucket start -> bytes. */
struct truth {
	size_t n;
	int64_t start[MAX_POINTS];
	uint64_t rx[MAX_POINTS], tx[MAX_POINTS];
};

static void truth_add(struct truth *t, int64_t bucket, uint64_t rx, uint64_t tx)
{
	if (t->n == 0 || t->start[t->n - 1] != bucket) {
		assert_true(t->n < MAX_POINTS);
		t->start[t->n] = bucket;
		t->rx[t->n] = t->tx[t->n] = 0;
		t->n++;
	}
	t->rx[t->n - 1] += rx;
	t->tx[t->n - 1] += tx;
}

static void truth_sum(const struct truth *t, int64_t from, int64_t to, uint64_t *rx, uint64_t *tx)
{
	*rx = *tx = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->start[i] >= from && t->start[i] < to) {
			*rx += t->rx[i];
			*tx += t->tx[i];
		}
}

static void two_days_of_readings_across_the_fall_back_add_up_in_every_bucket(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(60);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "pppoe-out1");
	int64_t id = recorder_iface_id(r, h);

	/* every 30 s from 2026-10-24 12:00 UTC to 2026-10-26 12:00 UTC, with
	 * counters above 2^63; each interval lies inside one 5-minute bucket */
	static struct truth truth;
	memset(&truth, 0, sizeof truth);
	rng_state = 0x243F6A8885A308D3ULL;
	int64_t t = utc(2026, 10, 24, 12, 0, 0), end = utc(2026, 10, 26, 12, 0, 0);
	uint64_t rx = UINT64_MAX - (UINT64_C(1) << 50), tx = (UINT64_C(1) << 63) + 12345;
	uint64_t up = 100000, total_rx = 0, total_tx = 0;
	assert_int_equal(add(r, h, reading(t, rx, tx, up, "*7")), ACCT_BASELINE);
	while (t < end) {
		uint64_t drx = rnd() % 8 == 0 ? 0 : rnd() % 1000000000;
		uint64_t dtx = rnd() % 1000000;
		truth_add(&truth, t - t % 300, drx, dtx);
		t += 30;
		up += 30;
		rx += drx;
		tx += dtx;
		total_rx += drx;
		total_tx += dtx;
		assert_int_equal(add(r, h, reading(t, rx, tx, up, "*7")), ACCT_NORMAL);
	}
	flush(r, t);
	assert_int_equal(truth.n, 576);
	assert_totals(s, id, total_rx, total_tx);
	assert_recorder_totals(r, h, total_rx, total_tx);
	assert_every_step_sums_to(s, id, total_rx, total_tx);

	static struct points pts;
	series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, &pts);
	size_t j = 0;
	for (size_t i = 0; i < truth.n; i++) {
		if (truth.rx[i] == 0 && truth.tx[i] == 0)
			continue;
		assert_point(&pts, j++, truth.start[i], truth.rx[i], truth.tx[i]);
	}
	assert_int_equal(pts.n, j);

	/* Berlin's offsets are whole hours: hours are UTC hours, 48 of them,
	 * the repeated 02:00 of October 25 twice */
	series(s, id, STEP_HOUR, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 48);
	for (size_t i = 0; i < pts.n; i++) {
		int64_t start = utc(2026, 10, 24, 12, 0, 0) + (int64_t)i * 3600;
		uint64_t erx, etx;
		truth_sum(&truth, start, start + 3600, &erx, &etx);
		assert_point(&pts, i, start, erx, etx);
	}
	/* days: October 24 (24 h), 25 (25 h), 26 (24 h), local midnights */
	static const int64_t day[4][3] = {
	        {2026, 10, 23}, {2026, 10, 24}, {2026, 10, 25}, {2026, 10, 26}};
	static const int hour[4] = {22, 22, 23, 23};
	series(s, id, STEP_DAY, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 3);
	for (size_t i = 0; i < 3; i++) {
		int64_t from = utc((int)day[i][0], (int)day[i][1], (int)day[i][2], hour[i], 0, 0);
		int64_t to = utc((int)day[i + 1][0], (int)day[i + 1][1], (int)day[i + 1][2],
		                 hour[i + 1], 0, 0);
		uint64_t erx, etx;
		truth_sum(&truth, from, to, &erx, &etx);
		assert_point(&pts, i, from, erx, etx);
	}
	series(s, id, STEP_MONTH, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 1);
	assert_point(&pts, 0, utc(2026, 9, 30, 22, 0, 0), total_rx, total_tx);
	series(s, id, STEP_YEAR, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 1);
	assert_point(&pts, 0, utc(2025, 12, 31, 23, 0, 0), total_rx, total_tx);
	recorder_free(r, t);
	store_close(s);
}

static void two_interfaces_keep_their_traffic_apart(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(60);
	struct recorder *r = new_recorder(s, &o);
	int a = iface(r, "home", "ether1");
	int b = iface(r, "office", "ether1");
	assert_int_not_equal(recorder_iface_id(r, a), recorder_iface_id(r, b));
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, a, reading(t, 100, 200, 1000, "*1"));
	add(r, b, reading(t, 5000, 6000, 9000, "*1"));
	add(r, a, reading(t + 10, 150, 260, 1010, "*1"));
	add(r, b, reading(t + 10, 5007, 6008, 9010, "*1"));
	add(r, a, reading(t + 20, 170, 280, 1020, "*1"));
	flush(r, t + 20);
	assert_totals(s, recorder_iface_id(r, a), 70, 80);
	assert_totals(s, recorder_iface_id(r, b), 7, 8);
	assert_every_step_sums_to(s, recorder_iface_id(r, a), 70, 80);
	assert_every_step_sums_to(s, recorder_iface_id(r, b), 7, 8);
	assert_recorder_totals(r, a, 70, 80);
	assert_recorder_totals(r, b, 7, 8);
	recorder_free(r, t + 20);
	store_close(s);
}

static void stale_reading_is_ignored(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(1);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 100, 200, 1000, "*1"));
	add(r, h, reading(t + 10, 150, 250, 1010, "*1"));
	assert_int_equal(add(r, h, reading(t + 10, 999, 999, 1010, "*1")), ACCT_STALE);
	assert_int_equal(add(r, h, reading(t + 5, 999, 999, 1005, "*1")), ACCT_STALE);
	assert_int_equal(recorder_last(r, h)->time, t + 10);
	assert_int_equal(recorder_last(r, h)->rx, 150);
	assert_totals(s, recorder_iface_id(r, h), 50, 50);
	assert_recorder_totals(r, h, 50, 50);
	/* the next reading counts from the last accepted one */
	assert_int_equal(add(r, h, reading(t + 20, 160, 260, 1020, "*1")), ACCT_NORMAL);
	assert_totals(s, recorder_iface_id(r, h), 60, 60);
	recorder_free(r, t + 20);
	store_close(s);
}

static void rejected_reading_stores_nothing_and_becomes_the_baseline(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(60);
	o.max_rate = 8000; /* 1000 B/s */
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 0, 0, 1000, "*1"));
	assert_int_equal(add(r, h, reading(t + 10, 20000, 10, 1010, "*1")), ACCT_REJECTED);
	assert_recorder_totals(r, h, 0, 0);
	assert_int_equal(recorder_last(r, h)->rx, 20000);
	assert_int_equal(add(r, h, reading(t + 20, 25000, 30, 1020, "*1")), ACCT_NORMAL);
	flush(r, t + 20);
	assert_totals(s, id, 5000, 20);
	assert_every_step_sums_to(s, id, 5000, 20);
	recorder_free(r, t + 20);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* commit batching                                                     */
/* ------------------------------------------------------------------ */

static void readings_within_the_commit_interval_stay_invisible_to_readers(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(60);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	store *ro = open_store(p, true);
	struct acct_reading last;
	bool have = true;
	load_last(ro, id, &last, &have);
	assert_false(have);

	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	/* a baseline commits at once */
	add(r, h, reading(t, 1000, 1000, 5000, "*1"));
	load_last(ro, id, &last, &have);
	assert_true(have);
	assert_int_equal(last.time, t);

	uint64_t rx = 1000;
	for (int i = 1; i <= 5; i++) {
		rx += 100;
		assert_int_equal(add(r, h, reading(t + 10 * i, rx, 1000, 5000 + 10 * i, "*1")),
		                 ACCT_NORMAL);
		assert_totals(ro, id, 0, 0);
		load_last(ro, id, &last, &have);
		assert_int_equal(last.time, t);
	}
	assert_recorder_totals(r, h, 500, 0);
	/* 60 s after the last commit */
	add(r, h, reading(t + 60, rx += 100, 1000, 5060, "*1"));
	assert_totals(ro, id, 600, 0);
	assert_every_step_sums_to(ro, id, 600, 0);
	load_last(ro, id, &last, &have);
	assert_int_equal(last.time, t + 60);

	/* recorder_flush commits before the interval is due */
	add(r, h, reading(t + 70, rx += 100, 1000, 5070, "*1"));
	assert_totals(ro, id, 600, 0);
	flush(r, t + 75);
	assert_totals(ro, id, 700, 0);
	load_last(ro, id, &last, &have);
	assert_int_equal(last.time, t + 70);

	/* and the interval counts from that flush */
	add(r, h, reading(t + 130, rx += 100, 1000, 5130, "*1"));
	assert_totals(ro, id, 700, 0);
	add(r, h, reading(t + 135, rx += 100, 1000, 5135, "*1"));
	assert_totals(ro, id, 900, 0);
	recorder_free(r, t + 135);
	store_close(ro);
	store_close(s);
}

/* Issue 8, defect 1: after the wall clock stepped back an hour, readings
 * are committed as they come due, not held in memory for an hour. */
static void a_wall_clock_step_back_does_not_hold_commits(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(60);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	store *ro = open_store(p, true);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	struct acct_reading rd = reading(t, 1000, 1000, 5000, "*1");
	rd.mono_ms = 1000000;
	add(r, h, rd); /* the baseline commits */
	/* 10 s later on the monotonic clock; the wall clock went back 1 h */
	rd = reading(t + 10 - 3600, 1500, 1200, 5010, "*1");
	rd.mono_ms = 1010000;
	struct acct_delta d;
	assert_int_equal(recorder_add(r, h, &rd, t + 10 - 3600, &d), 0);
	assert_int_equal(d.kind, ACCT_NORMAL);
	assert_totals(ro, id, 500, 200);
	/* from there on the interval counts as usual */
	rd = reading(t + 20 - 3600, 1600, 1300, 5020, "*1");
	rd.mono_ms = 1020000;
	assert_int_equal(recorder_add(r, h, &rd, t + 20 - 3600, &d), 0);
	assert_totals(ro, id, 500, 200);
	assert_int_equal(recorder_tick(r, t + 80 - 3600), 0);
	assert_totals(ro, id, 600, 300);
	recorder_free(r, t + 80 - 3600);
	store_close(ro);
	store_close(s);
}

static void reset_reboot_and_recreation_commit_at_once(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(3600);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	store *ro = open_store(p, true);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 1000, 1000, 5000, "*1"));

	/* a normal reading waits, a reset takes it along at once */
	assert_int_equal(add(r, h, reading(t + 10, 1100, 1010, 5010, "*1")), ACCT_NORMAL);
	assert_totals(ro, id, 0, 0);
	assert_int_equal(add(r, h, reading(t + 20, 30, 40, 5020, "*1")), ACCT_RESET);
	assert_totals(ro, id, 100 + 30, 10 + 40);

	/* a reboot: uptime dropped */
	assert_int_equal(add(r, h, reading(t + 30, 50, 60, 5030, "*1")), ACCT_NORMAL);
	assert_totals(ro, id, 130, 50);
	assert_int_equal(add(r, h, reading(t + 40, 7, 8, 5, "*1")), ACCT_REBOOT);
	assert_totals(ro, id, 130 + 20 + 7, 50 + 20 + 8);

	/* a re-created interface: a new .id */
	assert_int_equal(add(r, h, reading(t + 50, 17, 18, 15, "*1")), ACCT_NORMAL);
	assert_totals(ro, id, 157, 78);
	assert_int_equal(add(r, h, reading(t + 60, 3, 4, 25, "*2")), ACCT_RECREATED);
	assert_totals(ro, id, 157 + 10 + 3, 78 + 10 + 4);
	assert_every_step_sums_to(ro, id, 170, 92);

	struct acct_reading last;
	bool have = false;
	load_last(ro, id, &last, &have);
	assert_true(have);
	assert_int_equal(last.time, t + 60);
	assert_string_equal(last.id, "*2");
	recorder_free(r, t + 60);
	store_close(ro);
	store_close(s);
}

static void recorder_totals_include_pending_traffic(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(3600);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 1000, 2000, 5000, "*1"));
	assert_recorder_totals(r, h, 0, 0);
	add(r, h, reading(t + 10, 1500, 2100, 5010, "*1"));
	add(r, h, reading(t + 20, 1600, 2300, 5020, "*1"));
	assert_recorder_totals(r, h, 600, 300);
	assert_totals(s, id, 0, 0);
	flush(r, t + 20);
	assert_totals(s, id, 600, 300);
	assert_recorder_totals(r, h, 600, 300);
	/* pending again on top of the committed */
	add(r, h, reading(t + 30, 1601, 2302, 5030, "*1"));
	assert_recorder_totals(r, h, 601, 302);
	assert_totals(s, id, 600, 300);
	recorder_free(r, t + 30);
	/* recorder_free committed it */
	assert_totals(s, id, 601, 302);
	store_close(s);
}

static void flush_with_nothing_pending_succeeds_and_writes_nothing(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(60);
	struct recorder *r = new_recorder(s, &o);
	flush(r, 1000);
	int h = iface(r, "home", "ether1");
	flush(r, 2000);
	assert_null(recorder_last(r, h));
	assert_totals(s, recorder_iface_id(r, h), 0, 0);
	recorder_free(r, 3000);
	recorder_free(NULL, 0);
	store_close(s);
}

static void store_failure_keeps_the_reading_pending_for_the_next_commit(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(1);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 1000, 2000, 5000, "*1"));

	/* another writer holds the write lock: the commit fails (after the
	 * store's busy timeout) */
	store *other = open_store(p, false);
	assert_int_equal(store_begin(other), 0);
	store_set_busy_timeout(s, 50); /* fail fast: the lock is held on purpose */
	struct acct_reading rd = reading(t + 10, 1500, 2100, 5010, "*1");
	struct acct_delta d;
	assert_int_equal(recorder_add(r, h, &rd, t + 10, &d), -1);
	assert_int_equal(d.kind, ACCT_NORMAL);
	assert_int_equal(d.rx, 500);
	assert_int_equal(recorder_last(r, h)->time, t + 10);
	assert_recorder_totals(r, h, 500, 100);
	assert_int_equal(store_rollback(other), 0);
	store_close(other);

	assert_totals(s, id, 0, 0);
	add(r, h, reading(t + 20, 1600, 2300, 5020, "*1"));
	assert_totals(s, id, 600, 300);
	assert_every_step_sums_to(s, id, 600, 300);
	struct acct_reading last;
	bool have = false;
	load_last(s, id, &last, &have);
	assert_int_equal(last.time, t + 20);
	recorder_free(r, t + 20);
	store_close(s);
}

static void failed_commit_writes_nothing_and_leaves_no_transaction_open(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(3600);
	struct recorder *r = new_recorder(s, &o);
	int b = iface(r, "home", "b"); /* written first in a commit */
	int a = iface(r, "home", "a");
	int64_t ida = recorder_iface_id(r, a), idb = recorder_iface_id(r, b);
	store *ro = open_store(p, true);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, a, reading(t, 0, 0, 1000, "*1"));
	add(r, b, reading(t, 0, 0, 1000, "*2"));
	/* a's buckets are full to the last byte */
	add(r, a, reading(t + 1, UINT64_MAX, 0, 1001, "*1"));
	flush(r, t + 1);
	assert_totals(ro, ida, UINT64_MAX, 0);

	/* b has pending traffic; a's reset needs one byte more in the same
	 * buckets than a uint64 holds: the store refuses, nothing is written */
	assert_int_equal(add(r, b, reading(t + 2, 100, 10, 1002, "*2")), ACCT_NORMAL);
	struct acct_reading rd = reading(t + 3, 1, 0, 1003, "*1");
	struct acct_delta d;
	assert_int_equal(recorder_add(r, a, &rd, t + 3, &d), -1);
	assert_int_equal(d.kind, ACCT_RESET);
	assert_totals(ro, idb, 0, 0);
	assert_totals(ro, ida, UINT64_MAX, 0);
	struct acct_reading last;
	bool have = false;
	load_last(ro, ida, &last, &have);
	assert_int_equal(last.time, t + 1);
	load_last(ro, idb, &last, &have);
	assert_int_equal(last.time, t);
	/* the pending state is kept, and the writer is usable again */
	assert_recorder_totals(r, b, 100, 10);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_rollback(s), 0);
	store_close(ro);
	recorder_free(r, t + 3);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* restarts and crashes                                                */
/* ------------------------------------------------------------------ */

static void reopened_recorder_continues_from_the_stored_last_reading(void **state)
{
	(void)state;
	char p[512];
	new_db(p);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	store *s = open_store(p, false);
	struct recorder_options o = options(60);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	add(r, h, reading(t, 1000, 2000, 5000, "*3"));
	add(r, h, reading(t + 30, 1300, 2100, 5030, "*3"));
	add(r, h, reading(t + 60, 1600, 2200, 5060, "*3"));
	recorder_free(r, t + 60);
	store_close(s);

	/* the daemon restarts an hour later; the router kept counting */
	s = open_store(p, false);
	r = new_recorder(s, &o);
	h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	const struct acct_reading *last = recorder_last(r, h);
	assert_non_null(last);
	assert_int_equal(last->time, t + 60);
	assert_int_equal(last->rx, 1600);
	assert_int_equal(last->tx, 2200);
	assert_true(last->has_uptime);
	assert_int_equal(last->uptime, 5060);
	assert_string_equal(last->id, "*3");
	assert_recorder_totals(r, h, 600, 200);

	int64_t t2 = t + 3660;
	struct acct_reading rd = reading(t2, 1600 + 3600000, 2200 + 36000, 5060 + 3600, "*3");
	struct acct_delta d;
	assert_int_equal(recorder_add(r, h, &rd, t2, &d), 0);
	assert_int_equal(d.kind, ACCT_NORMAL);
	assert_int_equal(d.t0, t + 60);
	assert_int_equal(d.t1, t2);
	flush(r, t2);
	/* everything the counters grew by since the first baseline, once */
	assert_totals(s, id, 3600000 + 600, 36000 + 200);
	assert_every_step_sums_to(s, id, 3600000 + 600, 36000 + 200);
	assert_recorder_totals(r, h, 3600000 + 600, 36000 + 200);
	/* the downtime was spread over the gap: 1000 B/s, 10 B/s */
	struct points pts;
	series(s, id, STEP_5MIN, t + 300, t + 3600, &pts);
	assert_int_equal(pts.n, 11);
	for (size_t i = 0; i < pts.n; i++)
		assert_point(&pts, i, t + 300 * (int64_t)(i + 1), 300000, 3000);
	recorder_free(r, t2);
	store_close(s);
}

static void restart_after_a_router_reboot_counts_the_current_value(void **state)
{
	(void)state;
	char p[512];
	new_db(p);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	store *s = open_store(p, false);
	struct recorder_options o = options(1);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	add(r, h, reading(t, 1000, 2000, 50000, "*1"));
	add(r, h, reading(t + 60, 1600, 2200, 50060, "*1"));
	recorder_free(r, t + 60);
	store_close(s);

	s = open_store(p, false);
	r = new_recorder(s, &o);
	h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	/* an hour later; the router came up 600 s ago */
	struct acct_reading rd = reading(t + 3660, 6000, 600, 600, "*1");
	struct acct_delta d;
	assert_int_equal(recorder_add(r, h, &rd, t + 3660, &d), 0);
	assert_int_equal(d.kind, ACCT_REBOOT);
	assert_int_equal(d.t0, t + 3060);
	assert_totals(s, id, 600 + 6000, 200 + 600);
	assert_every_step_sums_to(s, id, 6600, 800);
	/* nothing was spread before the boot */
	uint64_t rx = 1, tx = 1;
	assert_int_equal(store_sum(s, id, STEP_5MIN, t + 300, t + 3000, &rx, &tx), 0);
	assert_int_equal(rx, 0);
	assert_int_equal(tx, 0);
	recorder_free(r, t + 3660);
	store_close(s);
}

static void crash_loses_nothing_the_router_still_counts(void **state)
{
	(void)state;
	char p[512], crashed[512];
	new_db(p);
	new_db(crashed);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	store *s = open_store(p, false);
	struct recorder_options o = options(3600);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	uint64_t rx0 = (UINT64_C(1) << 63) - 5000, tx0 = 77;
	add(r, h, reading(t, rx0, tx0, 9000, "*1"));
	/* ten readings, none committed */
	uint64_t rx = rx0, tx = tx0;
	for (int i = 1; i <= 10; i++) {
		rx += 1000 * (uint64_t)i;
		tx += 3;
		uint64_t up = 9000 + 30 * (uint64_t)i;
		assert_int_equal(add(r, h, reading(t + 30 * i, rx, tx, up, "*1")), ACCT_NORMAL);
	}
	assert_recorder_totals(r, h, rx - rx0, tx - tx0);
	store *ro = open_store(p, true);
	assert_totals(ro, recorder_iface_id(r, h), 0, 0);
	store_close(ro);

	/* the disk as the crash leaves it */
	copy_database(p, crashed);
	recorder_free(r, t + 300);
	store_close(s);

	/* the daemon starts again on the crashed files */
	s = open_store(crashed, false);
	r = new_recorder(s, &o);
	h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	assert_int_equal(recorder_last(r, h)->time, t);
	assert_int_equal(recorder_last(r, h)->rx, rx0);
	assert_recorder_totals(r, h, 0, 0);
	rx += 4242;
	tx += 1;
	struct acct_reading rd = reading(t + 330, rx, tx, 9330, "*1");
	struct acct_delta d;
	assert_int_equal(recorder_add(r, h, &rd, t + 330, &d), 0);
	assert_int_equal(d.kind, ACCT_NORMAL);
	assert_int_equal(d.t0, t);
	flush(r, t + 330);
	assert_totals(s, id, rx - rx0, tx - tx0);
	assert_every_step_sums_to(s, id, rx - rx0, tx - tx0);
	assert_recorder_totals(r, h, rx - rx0, tx - tx0);
	recorder_free(r, t + 330);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* retention                                                           */
/* ------------------------------------------------------------------ */

static void five_minute_rows_older_than_retention_are_pruned_a_day_later(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(1);
	o.retention[STEP_5MIN] = 2 * 86400;
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	struct points pts;

	add(r, h, reading(t, 0, 0, 1000, "*1"));
	add(r, h, reading(t + 300, 1000, 10, 1300, "*1"));
	add(r, h, reading(t + 600, 2000, 20, 1600, "*1"));
	series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2);

	/* two days later: 10 B/s over the gap, 5-minute rows all the way */
	int64_t t2 = t + 2 * 86400;
	uint64_t gap = (uint64_t)(t2 - (t + 600)) * 10;
	add(r, h, reading(t2, 2000 + gap, 20, 1000 + 2 * 86400, "*1"));
	series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 2 + 574);

	/* a day after that, a reading without traffic commits and prunes */
	int64_t t3 = t + 3 * 86400;
	add(r, h, reading(t3, 2000 + gap, 20, 1000 + 3 * 86400, "*1"));
	series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, &pts);
	assert_int_equal(pts.n, 288);
	assert_int_equal(pts.p[0].start, t3 - 2 * 86400);
	uint64_t rx = 0, tx = 0;
	assert_int_equal(store_sum(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, &rx, &tx), 0);
	assert_int_equal(rx, 86400 * 10);
	assert_int_equal(tx, 0);
	/* the other steps keep everything */
	uint64_t all_rx = 2000 + gap, all_tx = 20;
	for (int step = STEP_HOUR; step < STEP_COUNT; step++) {
		assert_int_equal(store_sum(s, id, (enum step)step, INT64_MIN, INT64_MAX, &rx, &tx),
		                 0);
		assert_int_equal(rx, all_rx);
		assert_int_equal(tx, all_tx);
	}
	assert_totals(s, id, all_rx, all_tx);
	assert_recorder_totals(r, h, all_rx, all_tx);
	recorder_free(r, t3);
	store_close(s);
}

static void retention_of_zero_keeps_every_row(void **state)
{
	(void)state;
	char p[512];
	store *s = open_store(new_db(p), false);
	struct recorder_options o = options(1);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2025, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 0, 0, 1000, "*1"));
	add(r, h, reading(t + 300, 1000, 10, 1300, "*1"));
	int64_t later = t + 400 * 86400;
	add(r, h, reading(later, 1000, 10, 1000 + 400 * 86400, "*1"));
	add(r, h, reading(later + 86400, 1000, 10, 1000 + 401 * 86400, "*1"));
	for (int step = 0; step < STEP_COUNT; step++) {
		struct points pts;
		series(s, id, (enum step)step, INT64_MIN, INT64_MAX, &pts);
		assert_int_equal(pts.n, 1);
		assert_int_equal(pts.p[0].rx, 1000);
	}
	recorder_free(r, later + 86400);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* database faults                                                     */
/* ------------------------------------------------------------------ */

/* What the recorder published last (recorder_options.on_health). */
struct health_seen {
	int calls;
	struct store_health last;
};

static void on_health(void *ctx, const struct store_health *h)
{
	struct health_seen *seen = ctx;
	seen->calls++;
	seen->last = *h;
}

static struct recorder_options watched(int commit_interval, struct health_seen *seen)
{
	struct recorder_options o = options(commit_interval);
	memset(seen, 0, sizeof *seen);
	o.on_health = on_health;
	o.health_ctx = seen;
	return o;
}

/* Lines of the captured log that contain what. */
static int log_count(FILE *f, const char *what)
{
	char line[2048];
	int n = 0;
	fflush(f);
	rewind(f);
	while (fgets(line, sizeof line, f))
		n += strstr(line, what) != NULL;
	fseek(f, 0, SEEK_END);
	return n;
}

#define OLD0 1000000000 /* 2001 */

/* 5000 old 5-minute buckets of home/ether1, written and closed, with
 * garbage over the page of bucket 100 (tests/dbcorrupt.h). */
static void damaged_old_data(const char *path)
{
	store *s = open_store(path, false);
	int64_t id;
	assert_int_equal(store_interface_id(s, "home", "ether1", &id), 0);
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(store_add_traffic(s, id, STEP_5MIN, OLD0 + (int64_t)i * 300, 7, 7),
		                 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	char side[600];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unsigned char needle[4];
	dbcorrupt_be32(needle, OLD0 + 100 * 300);
	assert_true(dbcorrupt_page_with(path, needle, sizeof needle) > 1);
}

static void a_prune_failing_on_a_damaged_old_page_never_holds_back_commits(void **state)
{
	(void)state;
	char p[512];
	damaged_old_data(new_db(p));
	store *s = open_store(p, false);
	struct health_seen seen;
	struct recorder_options o = watched(1, &seen);
	o.retention[STEP_5MIN] = 7 * 86400;
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);

	add(r, h, reading(t, 0, 0, 1000, "*1")); /* commits, then the prune fails */
	add(r, h, reading(t + 10, 1000, 2000, 1010, "*1"));
	assert_totals(s, id, 1000, 2000);
	uint64_t rx = 0, tx = 0;
	assert_int_equal(store_sum(s, id, STEP_5MIN, t - 3600, INT64_MAX, &rx, &tx), 0);
	assert_int_equal(rx, 1000);
	assert_int_equal(tx, 2000);

	const struct store_health *hh = recorder_health(r);
	assert_true(hh->prune_failing);
	assert_false(hh->commit_failing);
	assert_int_equal(hh->commit_failures, 0);
	assert_int_equal(hh->last_commit, t + 10);
	assert_false(store_health_ok(hh));
	assert_non_null(strstr(hh->problem, "prune"));
	assert_true(seen.calls > 0);
	assert_int_equal(seen.last.last_commit, t + 10);
	assert_true(seen.last.prune_failing);

	add(r, h, reading(t + 20, 1500, 2100, 1020, "*1"));
	assert_totals(s, id, 1500, 2100);
	recorder_free(r, t + 20);
	store_close(s);
}

static void a_failing_commit_is_logged_once_reminded_and_its_recovery_logged(void **state)
{
	(void)state;
	char p[512];
	FILE *logf = tmpfile();
	assert_non_null(logf);
	log_set_output(logf);
	store *s = open_store(new_db(p), false);
	struct health_seen seen;
	struct recorder_options o = watched(1, &seen);
	o.remind_interval = 1;
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 1000, 2000, 5000, "*1"));

	/* another writer holds the lock: commits fail after the busy timeout */
	store *other = open_store(p, false);
	assert_int_equal(store_begin(other), 0);
	store_set_busy_timeout(s, 50); /* fail fast: the lock is held on purpose */
	struct acct_reading rd = reading(t + 10, 1500, 2100, 5010, "*1");
	struct acct_delta d;
	assert_int_equal(recorder_add(r, h, &rd, t + 10, &d), -1);
	assert_true(seen.last.commit_failing);
	assert_int_equal(seen.last.failing_since, t + 10);
	assert_int_equal(seen.last.commit_failures, 1);
	assert_non_null(strstr(seen.last.problem, "failing since"));

	/* within the retry delay: pending, no new attempt, nothing logged */
	rd = reading(t + 11, 1600, 2200, 5011, "*1");
	assert_int_equal(recorder_add(r, h, &rd, t + 10, &d), 0);
	assert_int_equal(recorder_tick(r, t + 10), 0);
	assert_int_equal(recorder_health(r)->commit_failures, 1);

	/* the next attempt fails too: one reminder (remind_interval 1 s, on
	 * the monotonic clock: the lock wait lets more than a second pass) */
	store_set_busy_timeout(s, 1100);
	rd = reading(t + 20, 1700, 2300, 5020, "*1");
	assert_int_equal(recorder_add(r, h, &rd, t + 20, &d), -1);
	assert_int_equal(recorder_health(r)->commit_failures, 2);

	assert_int_equal(store_rollback(other), 0);
	store_close(other);
	assert_int_equal(recorder_tick(r, t + 30), 0);
	assert_false(recorder_health(r)->commit_failing);
	assert_true(store_health_ok(&seen.last));
	assert_int_equal(seen.last.last_commit, t + 30);
	assert_int_equal(seen.last.commit_failures, 2);
	assert_totals(s, id, 700, 300);

	assert_int_equal(log_count(logf, "cannot commit"), 2);
	assert_int_equal(log_count(logf, "still cannot commit"), 1);
	assert_int_equal(log_count(logf, "writable again after"), 1);
	assert_int_equal(log_count(logf, "2 commits failed, nothing lost"), 1);
	log_set_output(NULL);
	fclose(logf);
	recorder_free(r, t + 30);
	store_close(s);
}

static void a_deleted_database_file_is_written_back_by_the_next_tick(void **state)
{
	(void)state;
	char p[512];
	FILE *logf = tmpfile();
	assert_non_null(logf);
	log_set_output(logf);
	store *s = open_store(new_db(p), false);
	struct health_seen seen;
	struct recorder_options o = watched(60, &seen);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 0, 0, 1000, "*1"));
	add(r, h, reading(t + 10, 1000, 2000, 1010, "*1"));
	flush(r, t + 10);

	assert_int_equal(unlink(p), 0);
	add(r, h, reading(t + 20, 1100, 2100, 1020, "*1")); /* pending */
	assert_int_equal(recorder_tick(r, t + 20), 0);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(recorder_health(r)->file, STORE_FILE_OK);
	assert_true(store_health_ok(recorder_health(r)));
	assert_int_equal(log_count(logf, "was deleted while tikstatd has it open"), 1);
	assert_int_equal(log_count(logf, "restored: history kept"), 1);
	add(r, h, reading(t + 30, 1500, 2500, 1030, "*1"));
	recorder_free(r, t + 30);
	store_close(s);
	log_set_output(NULL);
	fclose(logf);

	s = open_store(p, false); /* the next start has the whole history */
	assert_totals(s, id, 1500, 2500);
	store_close(s);
}

static void a_replaced_database_file_is_reported_and_never_written(void **state)
{
	(void)state;
	char p[512], moved[600], other[600];
	FILE *logf = tmpfile();
	assert_non_null(logf);
	log_set_output(logf);
	store *s = open_store(new_db(p), false);
	snprintf(moved, sizeof moved, "%s.moved", p);
	snprintf(other, sizeof other, "%s.other", p);
	struct health_seen seen;
	struct recorder_options o = watched(1, &seen);
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	int64_t id = recorder_iface_id(r, h);
	int64_t t = utc(2026, 6, 1, 10, 0, 0);
	add(r, h, reading(t, 0, 0, 1000, "*1"));

	/* the admin moves the file away and puts another tikstat database there */
	store_close(open_store(other, false));
	assert_int_equal(rename(p, moved), 0);
	assert_int_equal(rename(other, p), 0);
	assert_int_equal(recorder_tick(r, t + 5), 0);
	assert_int_equal(recorder_health(r)->file, STORE_FILE_REPLACED);
	assert_false(store_health_ok(&seen.last));
	assert_non_null(strstr(seen.last.problem, "replaced"));
	assert_int_equal(log_count(logf, "move the new file away"), 1);

	/* the counting goes on in the open file; the new one is not touched */
	add(r, h, reading(t + 10, 100, 200, 1010, "*1"));
	assert_totals(s, id, 100, 200);
	store *ro = open_store(p, true);
	int64_t other_id;
	assert_int_equal(store_find_interface(ro, "home", "ether1", &other_id), 1);
	store_close(ro);
	log_set_output(NULL);
	fclose(logf);
	recorder_free(r, t + 10);
	store_close(s);

	/* the file moved away holds everything, and no side file is left */
	ro = open_store(moved, true);
	assert_totals(ro, id, 100, 200);
	store_close(ro);
	char detached[700];
	snprintf(detached, sizeof detached, "%s-wal.detached", p);
	assert_int_equal(access(detached, F_OK), -1);
	snprintf(detached, sizeof detached, "%s-shm.detached", p);
	assert_int_equal(access(detached, F_OK), -1);
}

/* ------------------------------------------------------------------ */
/* giving pruned pages back to the filesystem                          */
/* ------------------------------------------------------------------ */

/* days of 5-minute buckets of counter id before t, written directly (as
 * import-legacy writes years of them), in one transaction. */
static void old_buckets(store *s, int64_t id, int64_t t, int days)
{
	assert_int_equal(store_begin(s), 0);
	for (int64_t b = t - (int64_t)days * 86400; b < t; b += 300)
		assert_int_equal(store_add_traffic(s, id, STEP_5MIN, b, 1000, 2000), 0);
	assert_int_equal(store_commit(s), 0);
}

/* A recorder keeping 5-minute buckets a day over the file at path holding
 * days of them: the first commit prunes, the next ticks give the pages
 * back. The log goes to logf; *sp gets the space afterwards. */
static void prune_then_tick(const char *path, FILE *logf, int days, struct store_space *sp)
{
	int64_t t = utc(2026, 6, 1, 10, 0, 0), id;
	store *s = open_store(path, false);
	assert_int_equal(store_interface_id(s, "home", "ether1", &id), 0);
	old_buckets(s, id, t, days);
	log_set_output(logf);
	struct recorder_options o = options(60);
	o.retention[STEP_5MIN] = 86400;
	struct recorder *r = new_recorder(s, &o);
	int h = iface(r, "home", "ether1");
	add(r, h, reading(t, 0, 0, 1000, "*1")); /* a baseline commits, then prunes */
	for (int i = 0; i < 5; i++)
		assert_int_equal(recorder_tick(r, t + i), 0);
	recorder_free(r, t + 5);
	log_set_output(NULL);
	assert_int_equal(store_space(s, sp), 0);
	store_close(s);
}

static void pages_freed_by_the_prune_go_back_to_the_filesystem_with_one_line(void **state)
{
	(void)state;
	char p[512];
	FILE *logf = tmpfile();
	assert_non_null(logf);
	struct store_space sp;
	prune_then_tick(new_db(p), logf, 400, &sp);
	assert_true(sp.incremental);
	assert_int_equal(sp.free_pages, 0);
	assert_int_equal(log_count(logf, "returned to the filesystem"), 1);
	assert_int_equal(log_count(logf, "database: "), 1); /* nothing else said */
	fclose(logf);
}

/* Less than a MiB freed stays for new buckets to reuse, silently. */
static void a_small_prune_leaves_its_pages_for_reuse_and_says_nothing(void **state)
{
	(void)state;
	char p[512];
	FILE *logf = tmpfile();
	assert_non_null(logf);
	struct store_space sp;
	prune_then_tick(new_db(p), logf, 30, &sp);
	assert_true(sp.free_pages > 0 && sp.free_pages < 256);
	assert_int_equal(log_count(logf, "database: "), 0);
	fclose(logf);
}

/* A file made before (auto_vacuum NONE) keeps its free pages: the
 * recorder says once how to change that. */
static void an_old_file_gets_the_hint_to_compact_once(void **state)
{
	(void)state;
	char p[512];
	FILE *logf = tmpfile();
	assert_non_null(logf);
	store_close(open_store(new_db(p), false));
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA auto_vacuum = NONE; VACUUM", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	struct store_space sp;
	prune_then_tick(p, logf, 400, &sp);
	assert_false(sp.incremental);
	assert_true(sp.free_pages > 256);
	assert_int_equal(log_count(logf, "returned to the filesystem"), 0);
	assert_int_equal(log_count(logf, "run tikstat --compact once"), 1);
	fclose(logf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(baseline_then_growth_lands_in_all_five_steps_to_the_byte),
	        cmocka_unit_test(two_days_of_readings_across_the_fall_back_add_up_in_every_bucket),
	        cmocka_unit_test(two_interfaces_keep_their_traffic_apart),
	        cmocka_unit_test(stale_reading_is_ignored),
	        cmocka_unit_test(rejected_reading_stores_nothing_and_becomes_the_baseline),
	        cmocka_unit_test(readings_within_the_commit_interval_stay_invisible_to_readers),
	        cmocka_unit_test(a_wall_clock_step_back_does_not_hold_commits),
	        cmocka_unit_test(reset_reboot_and_recreation_commit_at_once),
	        cmocka_unit_test(recorder_totals_include_pending_traffic),
	        cmocka_unit_test(flush_with_nothing_pending_succeeds_and_writes_nothing),
	        cmocka_unit_test(store_failure_keeps_the_reading_pending_for_the_next_commit),
	        cmocka_unit_test(failed_commit_writes_nothing_and_leaves_no_transaction_open),
	        cmocka_unit_test(reopened_recorder_continues_from_the_stored_last_reading),
	        cmocka_unit_test(restart_after_a_router_reboot_counts_the_current_value),
	        cmocka_unit_test(crash_loses_nothing_the_router_still_counts),
	        cmocka_unit_test(five_minute_rows_older_than_retention_are_pruned_a_day_later),
	        cmocka_unit_test(retention_of_zero_keeps_every_row),
	        cmocka_unit_test(a_prune_failing_on_a_damaged_old_page_never_holds_back_commits),
	        cmocka_unit_test(pages_freed_by_the_prune_go_back_to_the_filesystem_with_one_line),
	        cmocka_unit_test(a_small_prune_leaves_its_pages_for_reuse_and_says_nothing),
	        cmocka_unit_test(an_old_file_gets_the_hint_to_compact_once),
	        cmocka_unit_test(a_failing_commit_is_logged_once_reminded_and_its_recovery_logged),
	        cmocka_unit_test(a_deleted_database_file_is_written_back_by_the_next_tick),
	        cmocka_unit_test(a_replaced_database_file_is_reported_and_never_written),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
