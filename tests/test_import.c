/*
 * test_import.c — unit tests of daemon/legacy.c: reading the old PHP
 * setup's database (traffic(timestamp, tx, rx, dtx, drx)) and importing it
 * into a tikstat database: totals to the byte, the baseline, counter
 * resets, the dtx/drx cross-check, idempotence, resuming after the old
 * file grew, a live interface left untouched, timestamps in every form,
 * malformed rows and foreign files.
 *
 * The legacy databases are built here with SQLite directly, as the old
 * setup's PHP page did; the tikstat databases are real files in a
 * temporary directory, removed at the end. Zone: Europe/Berlin.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "legacy.h"
#include "recorder.h"
#include "store.h"
#include "tmpdir.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	if (calendar_set_zone("Europe/Berlin"))
		return -1;
	return tmpdir_make(tmpdir, sizeof tmpdir, "test_import");
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(tmpdir);
}

static int64_t t_of(const char *iso)
{
	int64_t t;
	if (calendar_parse(iso, &t))
		fail_msg("bad time in test: %s", iso);
	return t;
}

/* path of name in the test directory (out: 512 bytes). */
static const char *path_of(char *out, const char *name)
{
	snprintf(out, 512, "%s/%s", tmpdir, name);
	return out;
}

/* Runs sql on the (legacy) SQLite file at path, creating it. */
static void sql_file(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
	sqlite3_close(db);
}

static const char legacy_table[] = "CREATE TABLE traffic(timestamp, tx, rx, dtx, drx);";

/* Five pushes 5 minutes apart; a reset at 00:15; drx of the last row
 * disagrees with the counters. rx counted: 500 + 1000 + 70 + 100. */
static const char legacy_rows[] =
        "INSERT INTO traffic VALUES ('2026-03-01 00:00:00', 1000, 5000, 0, 0);"
        "INSERT INTO traffic VALUES ('2026-03-01 00:05:00', 1100, 5500, 100, 500);"
        "INSERT INTO traffic VALUES ('2026-03-01 00:10:00', 1300, 6500, 200, 1000);"
        "INSERT INTO traffic VALUES ('2026-03-01 00:15:00', 50, 70, 50, 70);"
        "INSERT INTO traffic VALUES ('2026-03-01 00:20:00', 150, 170, 100, 999);";

static store *open_target(const char *path)
{
	char err[512];
	store *s = store_open(path, false, err, sizeof err);
	if (!s)
		fail_msg("store_open: %s", err);
	return s;
}

static void import_ok(store *s, const char *legacy, const char *router, const char *iface, bool utc,
                      struct legacy_summary *sum)
{
	struct legacy_import_options opt = {
	        .router = router, .iface = iface, .text_utc = utc, .scratch_dir = tmpdir};
	char err[512] = "";
	if (legacy_import(s, legacy, &opt, sum, err, sizeof err))
		fail_msg("legacy_import: %s", err);
}

static int64_t iface_id(store *s, const char *router, const char *iface)
{
	int64_t id;
	assert_int_equal(store_find_interface(s, router, iface, &id), 0);
	return id;
}

static void assert_totals(store *s, int64_t id, uint64_t rx, uint64_t tx)
{
	uint64_t grx, gtx;
	assert_int_equal(store_totals(s, id, &grx, &gtx), 0);
	assert_int_equal(grx, rx);
	assert_int_equal(gtx, tx);
	/* Every step holds the same bytes. */
	for (int step = 0; step < STEP_COUNT; step++) {
		assert_int_equal(
		        store_sum(s, id, (enum step)step, INT64_MIN, INT64_MAX, &grx, &gtx), 0);
		assert_int_equal(grx, rx);
		assert_int_equal(gtx, tx);
	}
}

static int64_t mark_of(store *s, int64_t id, const char *source)
{
	int64_t t;
	assert_int_equal(store_import_mark(s, id, source, &t), 0);
	return t;
}

static void import_counts_deltas_and_resets_but_not_the_baseline(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old1.db"), legacy_table);
	sql_file(lp, legacy_rows);
	store *s = open_target(path_of(dp, "t1.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);

	assert_int_equal(sum.rows, 5);
	assert_int_equal(sum.imported, 5);
	assert_int_equal(sum.already, 0);
	assert_int_equal(sum.overlap, 0);
	assert_int_equal(sum.malformed, 0);
	assert_int_equal(sum.stale, 0);
	assert_int_equal(sum.resets, 1);
	assert_int_equal(sum.rejected, 0);
	assert_int_equal(sum.mismatches, 1);
	assert_int_equal(sum.rx, 1670);
	assert_int_equal(sum.tx, 450);
	assert_int_equal(sum.first, t_of("2026-03-01T00:00:00+01:00"));
	assert_int_equal(sum.last, t_of("2026-03-01T00:20:00+01:00"));
	assert_false(sum.live);
	assert_true(sum.continued);
	assert_string_equal(sum.source, "legacy:old1.db");

	int64_t id = iface_id(s, "home", "ether1");
	assert_totals(s, id, 1670, 450);
	/* The last imported row is the last reading, marked as imported: the
	 * first poll or push after it is a new baseline (other counters). */
	struct acct_reading last;
	bool have_last = false;
	assert_int_equal(store_load_reading(s, id, &last, &have_last), 0);
	assert_true(have_last);
	assert_int_equal(last.source, ACCT_SRC_LEGACY);
	struct acct_reading polled = {.time = last.time + 60,
	                              .source = ACCT_SRC_POLL,
	                              .rx = 1,
	                              .tx = 1,
	                              .uptime = 100,
	                              .has_uptime = true,
	                              .id = "*1"};
	struct acct_limits lim = {0, -1};
	assert_int_equal(acct_compute(&last, &polled, &lim).kind, ACCT_BASELINE);
	/* Each push's delta lands in the 5 minutes before it. */
	uint64_t rx, tx;
	assert_int_equal(store_sum(s, id, STEP_5MIN, t_of("2026-03-01T00:15:00+01:00"),
	                           t_of("2026-03-01T00:20:00+01:00"), &rx, &tx),
	                 0);
	assert_int_equal(rx, 100);
	assert_int_equal(tx, 100);
	assert_int_equal(mark_of(s, id, "legacy:old1.db"), t_of("2026-03-01T00:20:00+01:00"));
	/* The last row is the last reading: tikstatd continues from it. */
	struct acct_reading r;
	bool have;
	assert_int_equal(store_load_reading(s, id, &r, &have), 0);
	assert_true(have);
	assert_int_equal(r.time, t_of("2026-03-01T00:20:00+01:00"));
	assert_int_equal(r.rx, 170);
	assert_int_equal(r.tx, 150);
	assert_false(r.has_uptime);
	store_close(s);
}

static void import_run_twice_adds_nothing(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old2.db"), legacy_table);
	sql_file(lp, legacy_rows);
	store *s = open_target(path_of(dp, "t2.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.rows, 5);
	assert_int_equal(sum.imported, 0);
	assert_int_equal(sum.already, 5);
	assert_int_equal(sum.rx, 0);
	assert_int_equal(sum.tx, 0);
	assert_false(sum.live); /* the reading is the import's own */
	assert_totals(s, iface_id(s, "home", "ether1"), 1670, 450);
	store_close(s);
}

static void import_after_the_old_file_grew_adds_only_the_new_rows(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old3.db"), legacy_table);
	sql_file(lp, legacy_rows);
	store *s = open_target(path_of(dp, "t3.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	sql_file(lp, "INSERT INTO traffic VALUES ('2026-03-01 00:25:00', 250, 270, 100, 100);");
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.rows, 6);
	assert_int_equal(sum.imported, 1);
	assert_int_equal(sum.already, 5);
	assert_int_equal(sum.rx, 100); /* from the row at 00:20, the baseline again */
	assert_int_equal(sum.tx, 100);
	assert_int_equal(sum.mismatches, 0);
	int64_t id = iface_id(s, "home", "ether1");
	assert_totals(s, id, 1770, 550);
	assert_int_equal(mark_of(s, id, "legacy:old3.db"), t_of("2026-03-01T00:25:00+01:00"));
	store_close(s);
}

static void import_into_a_live_interface_keeps_its_reading_and_skips_the_overlap(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old4.db"), legacy_table);
	sql_file(lp, legacy_rows);
	store *s = open_target(path_of(dp, "t4.db"));
	/* tikstatd has read the interface since 00:12 (API readings: uptime, .id). */
	struct recorder_options ro;
	memset(&ro, 0, sizeof ro);
	ro.commit_interval = 1;
	struct recorder *rec = recorder_new(s, &ro);
	int h = recorder_interface(rec, "home", "ether1");
	struct acct_reading live = {.time = t_of("2026-03-01T00:12:00+01:00"),
	                            .rx = 900000,
	                            .tx = 800000,
	                            .uptime = 1000,
	                            .has_uptime = true,
	                            .id = "*1"};
	assert_int_equal(recorder_add(rec, h, &live, live.time, NULL), 0);
	live.time += 600;
	live.uptime += 600;
	live.rx += 6000;
	live.tx += 3000;
	assert_int_equal(recorder_add(rec, h, &live, live.time, NULL), 0);
	recorder_free(rec, live.time);
	int64_t id = iface_id(s, "home", "ether1");
	assert_totals(s, id, 6000, 3000);

	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	/* Live traffic starts in the 00:10 bucket: rows from 00:10 on overlap. */
	assert_true(sum.live);
	assert_false(sum.continued);
	assert_int_equal(sum.imported, 2);
	assert_int_equal(sum.overlap, 3);
	assert_int_equal(sum.rx, 500);
	assert_int_equal(sum.tx, 100);
	assert_totals(s, id, 6500, 3100);
	struct acct_reading r;
	bool have;
	assert_int_equal(store_load_reading(s, id, &r, &have), 0);
	assert_true(have);
	assert_int_equal(r.time, live.time);
	assert_int_equal(r.rx, live.rx);
	assert_int_equal(r.uptime, live.uptime);
	assert_string_equal(r.id, "*1");

	/* And again: nothing more. */
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.imported, 0);
	assert_int_equal(sum.already, 2);
	assert_totals(s, id, 6500, 3100);
	store_close(s);
}

static void import_reads_unix_seconds_local_text_and_utc_text(void **state)
{
	(void)state;
	char lp[512], dp[512];
	int64_t t0 = t_of("2026-03-01T00:00:00+01:00");
	char sql[1024];
	/* Integer seconds, digits as text, text with a fraction of a second. */
	snprintf(sql, sizeof sql,
	         "CREATE TABLE traffic(timestamp, tx, rx, dtx, drx);"
	         "INSERT INTO traffic VALUES (%lld, 0, 0, NULL, NULL);"
	         "INSERT INTO traffic VALUES ('%lld', 10, 10, NULL, NULL);"
	         "INSERT INTO traffic VALUES ('2026-03-01 00:10:00.250', 30, 30, 20, 20);",
	         (long long)t0, (long long)(t0 + 300));
	sql_file(path_of(lp, "old5.db"), sql);
	store *s = open_target(path_of(dp, "t5.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.imported, 3);
	assert_int_equal(sum.first, t0);
	assert_int_equal(sum.last, t0 + 600);
	assert_int_equal(sum.rx, 30);
	assert_int_equal(sum.mismatches, 0);

	/* --utc: SQLite's CURRENT_TIMESTAMP writes UTC. */
	sql_file(path_of(lp, "old6.db"), legacy_table);
	sql_file(lp, legacy_rows);
	import_ok(s, lp, "home", "utc", true, &sum);
	assert_int_equal(sum.first, t_of("2026-03-01T00:00:00Z"));
	assert_int_equal(sum.last, t_of("2026-03-01T00:20:00Z"));
	store_close(s);
}

static void import_skips_malformed_rows_and_repeated_times(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old7.db"), legacy_table);
	sql_file(lp, "INSERT INTO traffic VALUES ('2026-03-01 00:00:00', 0, 0, 0, 0);"
	             "INSERT INTO traffic VALUES ('yesterday', 5, 5, 5, 5);"
	             "INSERT INTO traffic VALUES ('2026-03-01 00:05:00', 10, NULL, 10, 10);"
	             "INSERT INTO traffic VALUES ('2026-03-01 00:06:00', 10, -4, 10, 10);"
	             "INSERT INTO traffic VALUES ('2026-03-01 00:10:00', 20, 20.0, 20, 20);"
	             "INSERT INTO traffic VALUES ('2026-03-01 00:10:00', 25, 25, 5, 5);"
	             "INSERT INTO traffic VALUES ('2026-03-01 00:15:00', 30, '30', 'x', 10);");
	store *s = open_target(path_of(dp, "t7.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.rows, 7);
	assert_int_equal(sum.malformed, 3);
	assert_int_equal(sum.stale, 1);
	assert_int_equal(sum.imported, 3);
	assert_int_equal(sum.rx, 30);
	assert_int_equal(sum.tx, 30);
	/* The duplicate's deltas (5) are not compared; the last row has none. */
	assert_int_equal(sum.mismatches, 0);
	assert_totals(s, iface_id(s, "home", "ether1"), 30, 30);
	store_close(s);
}

/* Issue 8, defect 6: a row dated year 9999 made the import spread traffic
 * over 8,000 years of buckets (minutes of work), INT64_MIN overflowed. Rows
 * outside 2000 .. tomorrow are skipped, counted, and the first is named. */
static void import_skips_rows_dated_outside_the_sane_range(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old11.db"), legacy_table);
	sql_file(lp, "INSERT INTO traffic VALUES ('2026-03-01 00:00:00', 0, 0, 0, 0);"
	             "INSERT INTO traffic VALUES ('9999-12-31 23:59:59', 5, 5, 5, 5);"
	             "INSERT INTO traffic VALUES (-9223372036854775807 - 1, 6, 6, 6, 6);"
	             "INSERT INTO traffic VALUES (9223372036854775807, 7, 7, 7, 7);"
	             "INSERT INTO traffic VALUES ('9223372036854775807', 8, 8, 8, 8);"
	             "INSERT INTO traffic VALUES (100, 9, 9, 9, 9);"
	             "INSERT INTO traffic VALUES (946684799, 9, 9, 9, 9);"
	             "INSERT INTO traffic VALUES ('2026-03-01 00:05:00', 10, 20, 10, 20);");
	store *s = open_target(path_of(dp, "t11.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.rows, 8);
	assert_int_equal(sum.malformed, 0);
	assert_int_equal(sum.out_of_range, 6);
	/* ordered by timestamp: INT64_MIN comes first, as row 1 */
	assert_int_equal(sum.first_out_of_range_row, 1);
	assert_true(sum.first_out_of_range_time == INT64_MIN);
	assert_int_equal(sum.imported, 2);
	assert_int_equal(sum.rx, 20);
	assert_int_equal(sum.tx, 10);
	assert_totals(s, iface_id(s, "home", "ether1"), 20, 10);
	store_close(s);
}

static void import_works_without_the_delta_columns(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old8.db"),
	         "CREATE TABLE traffic(timestamp INTEGER, tx INTEGER, rx INTEGER);"
	         "INSERT INTO traffic VALUES (1772319600, 100, 200);"
	         "INSERT INTO traffic VALUES (1772319900, 150, 300);"
	         /* REAL: a time with a fraction, counters as integral reals. */
	         "INSERT INTO traffic VALUES (1772320200.9, 200.0, 400.0);"
	         "INSERT INTO traffic VALUES (1772320500, 250.5, 450);");
	store *s = open_target(path_of(dp, "t8.db"));
	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.imported, 3);
	assert_int_equal(sum.malformed, 1); /* a counter with a fraction */
	assert_int_equal(sum.rx, 200);
	assert_int_equal(sum.tx, 100);
	assert_int_equal(sum.last, 1772320200);
	store_close(s);
}

static void import_refuses_missing_and_foreign_files_and_changes_nothing(void **state)
{
	(void)state;
	char lp[512], dp[512], err[512];
	store *s = open_target(path_of(dp, "t9.db"));
	struct legacy_import_options opt = {
	        .router = "home", .iface = "ether1", .scratch_dir = tmpdir};
	struct legacy_summary sum;
	assert_int_equal(legacy_import(s, path_of(lp, "missing.db"), &opt, &sum, err, sizeof err),
	                 -1);
	assert_non_null(strstr(err, "cannot open"));
	assert_non_null(strstr(err, "missing.db"));

	sql_file(path_of(lp, "other.db"), "CREATE TABLE t(a, b);");
	assert_int_equal(legacy_import(s, lp, &opt, &sum, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a database of the old setup"));

	/* A tikstat database is not a legacy one either. */
	assert_int_equal(legacy_import(s, dp, &opt, &sum, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a database of the old setup"));

	FILE *f = fopen(path_of(lp, "text.db"), "w");
	assert_non_null(f);
	fputs("this is not sqlite, but long enough to look like a file header..........\n"
	      "................................................................\n",
	      f);
	fclose(f);
	assert_int_equal(legacy_import(s, lp, &opt, &sum, err, sizeof err), -1);

	int64_t id;
	assert_int_equal(store_find_interface(s, "home", "ether1", &id), 1);
	store_close(s);
	/* No scratch database is left behind. */
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		assert_null(strstr(e->d_name, "tikstat-import-"));
	closedir(d);
}

static void check_accepts_the_old_table_and_refuses_the_rest_writing_nothing(void **state)
{
	(void)state;
	char lp[512], err[512] = "";
	sql_file(path_of(lp, "check-old11.db"), legacy_table);
	assert_int_equal(legacy_check(lp, err, sizeof err), 0); /* empty: still the old table */
	sql_file(lp, legacy_rows);
	assert_int_equal(legacy_check(lp, err, sizeof err), 0);

	assert_int_equal(legacy_check(path_of(lp, "check-missing11.db"), err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot open"));
	/* Opened read-only: checking a missing file does not create it. */
	assert_int_equal(access(lp, F_OK), -1);

	sql_file(path_of(lp, "check-other11.db"), "CREATE TABLE t(a, b);");
	assert_int_equal(legacy_check(lp, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a database of the old setup"));

	FILE *f = fopen(path_of(lp, "check-text11.db"), "w");
	assert_non_null(f);
	fputs("not sqlite at all, but long enough to look like a file header..........\n"
	      "................................................................\n",
	      f);
	fclose(f);
	assert_int_equal(legacy_check(lp, err, sizeof err), -1);
	assert_int_equal(legacy_check(tmpdir, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

struct collected {
	int n;
	int64_t times[8];
};

static int collect(void *ctx, const struct legacy_row *row)
{
	struct collected *c = ctx;
	if (!row->problem && c->n < 8)
		c->times[c->n++] = row->time;
	return 0;
}

static void read_orders_rows_by_timestamp(void **state)
{
	(void)state;
	char lp[512], err[512];
	sql_file(path_of(lp, "old10.db"), legacy_table);
	sql_file(lp, "INSERT INTO traffic VALUES (300, 0, 0, 0, 0);"
	             "INSERT INTO traffic VALUES (100, 0, 0, 0, 0);"
	             "INSERT INTO traffic VALUES (200, 0, 0, 0, 0);");
	struct collected c = {0};
	assert_int_equal(legacy_read(lp, false, collect, &c, err, sizeof err), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.times[0], 100);
	assert_int_equal(c.times[1], 200);
	assert_int_equal(c.times[2], 300);
}

/* The target's free pages (old buckets pruned, e.g. by tikstatd) go
 * back to the filesystem after an import, in several bounded steps. */
static void import_gives_the_targets_free_pages_back(void **state)
{
	(void)state;
	char lp[512], dp[512];
	sql_file(path_of(lp, "old_space.db"), legacy_table);
	sql_file(lp, legacy_rows);
	store *s = open_target(path_of(dp, "t_space.db"));
	int64_t other;
	assert_int_equal(store_interface_id(s, "home", "ether9", &other), 0);
	assert_int_equal(store_begin(s), 0);
	for (int64_t i = 0; i < 400000; i++)
		assert_int_equal(store_add_traffic(s, other, STEP_5MIN, i * 300, UINT64_C(1) << 62,
		                                   UINT64_C(1) << 62),
		                 0);
	assert_int_equal(store_commit(s), 0);
	int64_t keep[STEP_COUNT] = {0};
	keep[STEP_5MIN] = 1;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_prune(s, 399999 * 300, keep), 0);
	assert_int_equal(store_commit(s), 0);
	struct store_space sp;
	assert_int_equal(store_space(s, &sp), 0);
	int64_t pages = sp.pages;
	assert_true(sp.free_pages > 2048); /* more than one step's worth */

	struct legacy_summary sum;
	import_ok(s, lp, "home", "ether1", false, &sum);
	assert_int_equal(sum.imported, 5);
	assert_int_equal(store_space(s, &sp), 0);
	assert_int_equal(sp.free_pages, 0);
	assert_true(sp.pages < pages - 2048);
	assert_totals(s, iface_id(s, "home", "ether1"), 1670, 450);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(import_counts_deltas_and_resets_but_not_the_baseline),
	        cmocka_unit_test(import_run_twice_adds_nothing),
	        cmocka_unit_test(import_after_the_old_file_grew_adds_only_the_new_rows),
	        cmocka_unit_test(
	                import_into_a_live_interface_keeps_its_reading_and_skips_the_overlap),
	        cmocka_unit_test(import_reads_unix_seconds_local_text_and_utc_text),
	        cmocka_unit_test(import_skips_malformed_rows_and_repeated_times),
	        cmocka_unit_test(import_skips_rows_dated_outside_the_sane_range),
	        cmocka_unit_test(import_works_without_the_delta_columns),
	        cmocka_unit_test(import_refuses_missing_and_foreign_files_and_changes_nothing),
	        cmocka_unit_test(read_orders_rows_by_timestamp),
	        cmocka_unit_test(import_gives_the_targets_free_pages_back),
	        cmocka_unit_test(check_accepts_the_old_table_and_refuses_the_rest_writing_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
