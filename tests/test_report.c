/*
 * test_report.c — unit tests of daemon/report.c: selection, time windows,
 * IEC units, and the exact table, JSON and CSV renderings.
 *
 * A real database file in a temporary directory is seeded once through the
 * recorder (readings at bucket boundaries, so every bucket's bytes are
 * known exactly) in Europe/Berlin:
 *
 *   home/ether1    Jan-Apr 2026, hours across the spring DST change
 *   home/ether2    hours across the autumn DST change (02:00 twice)
 *   home/w\xE9an   a Latin-1 name, a day in progress on 2026-03-15
 *   office/lte1    a billing cycle from the 15th
 *   office/ether1  registered, no traffic ("ether1" on two routers)
 *   big/x          a bucket of 2^64-1 bytes (through the store directly)
 *   home/devices   four, April and March 2026 (two with equal totals), and
 *   home/queues    "guests" and "ether1" (the name of an interface)
 *   many/devices   1003, device i (1..1003) with i bytes rx on 2026-04-05
 * (counters other than interfaces through the store directly, every
 * step's bucket, as the recorder would write them).
 *
 * The expected strings are written out by hand (sizes checked against an
 * independent IEC formatter), so any change of format shows here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "jsonw.h"
#include "recorder.h"
#include "report.h"
#include "store.h"
#include "tmpdir.h"

/* "wéan" in Latin-1, not UTF-8: byte 0xE9 (octal 351). */
#define WEAN "w\351an"

static char tmpdir[256];
static char dbpath[512];
static store *db; /* read-only, for the tests */

static int64_t t_of(const char *iso)
{
	int64_t t;
	if (calendar_parse(iso, &t))
		fail_msg("bad time in test: %s", iso);
	return t;
}

/* --- seeding --- */

struct counter {
	uint64_t rx, tx;
};

/* A reading at when, the counters grown by drx/dtx since the last one. */
static void grow(struct recorder *r, int h, struct counter *c, const char *when, uint64_t drx,
                 uint64_t dtx)
{
	c->rx += drx;
	c->tx += dtx;
	struct acct_reading rd;
	memset(&rd, 0, sizeof rd);
	rd.time = t_of(when);
	rd.rx = c->rx;
	rd.tx = c->tx;
	assert_int_equal(recorder_add(r, h, &rd, rd.time, NULL), 0);
}

static void seed(const char *path)
{
	char err[512];
	store *s = store_open(path, false, err, sizeof err);
	if (!s)
		fail_msg("store_open: %s", err);
	struct recorder_options opt;
	memset(&opt, 0, sizeof opt);
	opt.commit_interval = 1000000;
	struct recorder *r = recorder_new(s, &opt);
	assert_non_null(r);

	int a = recorder_interface(r, "home", "ether1");
	struct counter ca = {5000, 7000};
	grow(r, a, &ca, "2026-01-15T00:00:00+01:00", 0, 0);
	grow(r, a, &ca, "2026-02-01T00:00:00+01:00", 1073741824, 536870912);
	grow(r, a, &ca, "2026-03-01T00:00:00+01:00", 3738339534438, 512);
	grow(r, a, &ca, "2026-03-29T00:00:00+01:00", 1000000, 2000000);
	grow(r, a, &ca, "2026-03-29T01:00:00+01:00", 100, 10);
	grow(r, a, &ca, "2026-03-29T03:00:00+02:00", 200, 20); /* one hour later */
	grow(r, a, &ca, "2026-03-29T04:00:00+02:00", 300, 30);
	grow(r, a, &ca, "2026-04-01T00:00:00+02:00", 0, 0);
	grow(r, a, &ca, "2026-04-02T00:00:00+02:00", 1536, 0);

	int b = recorder_interface(r, "home", "ether2");
	struct counter cb = {0, 0};
	grow(r, b, &cb, "2026-10-25T00:00:00+02:00", 0, 0);
	grow(r, b, &cb, "2026-10-25T01:00:00+02:00", 10, 1);
	grow(r, b, &cb, "2026-10-25T02:00:00+02:00", 20, 2);
	grow(r, b, &cb, "2026-10-25T02:00:00+01:00", 30, 3);
	grow(r, b, &cb, "2026-10-25T03:00:00+01:00", 40, 4);

	int c = recorder_interface(r, "home", WEAN);
	struct counter cc = {0, 0};
	grow(r, c, &cc, "2026-03-14T00:00:00+01:00", 0, 0);
	grow(r, c, &cc, "2026-03-15T00:00:00+01:00", 2048, 1024);
	grow(r, c, &cc, "2026-03-15T12:00:00+01:00", 1000, 3000);

	int d = recorder_interface(r, "office", "lte1");
	struct counter cd = {0, 0};
	grow(r, d, &cd, "2026-03-10T00:00:00+01:00", 0, 0);
	grow(r, d, &cd, "2026-03-15T00:00:00+01:00", 5000000000, 0);
	grow(r, d, &cd, "2026-03-20T00:00:00+01:00", 1000000000, 500000000);

	assert_true(recorder_interface(r, "office", "ether1") >= 0);
	assert_int_equal(recorder_flush(r, t_of("2026-11-01")), 0);
	recorder_free(r, t_of("2026-11-01"));

	int64_t big;
	assert_int_equal(store_interface_id(s, "big", "x", &big), 0);
	assert_int_equal(store_add_traffic(s, big, STEP_MONTH, t_of("2026-01-01"), UINT64_MAX, 1),
	                 0);
	assert_int_equal(store_add_traffic(s, big, STEP_MONTH, t_of("2026-02-01"), 1, 0), 0);
	store_close(s);
}

/* Adds rx/tx at when to every step's bucket of counter id. */
static void add_at(store *s, int64_t id, const char *when, uint64_t rx, uint64_t tx)
{
	int64_t t = t_of(when);
	for (int step = 0; step < STEP_COUNT; step++)
		assert_int_equal(store_add_traffic(s, id, (enum step)step,
		                                   calendar_bucket_start((enum step)step, t), rx,
		                                   tx),
		                 0);
}

/* The counter (router, kind, name), with display and address (NULL:
 * unknown). */
static int64_t counter(store *s, const char *router, enum store_kind kind, const char *name,
                       const char *display, const char *address)
{
	int64_t id;
	assert_int_equal(store_counter_id(s, router, kind, name, &id), 0);
	if (display || address)
		assert_int_equal(store_set_counter_info(s, id, display, address, NULL), 0);
	return id;
}

static void seed_counters(const char *path)
{
	char err[512];
	store *s = store_open(path, false, err, sizeof err);
	if (!s)
		fail_msg("store_open: %s", err);
	assert_int_equal(store_begin(s), 0);
	int64_t laptop =
	        counter(s, "home", STORE_DEVICE, "AA:BB:CC:00:00:01", "laptop", "192.168.88.10");
	add_at(s, laptop, "2026-04-10T10:00:00+02:00", 3000000, 1000000);
	add_at(s, laptop, "2026-04-15T09:00:00+02:00", 500, 100);
	add_at(s, counter(s, "home", STORE_DEVICE, "AA:BB:CC:00:00:02", NULL, NULL),
	       "2026-04-12T00:00:00+02:00", 1000, 3000);
	add_at(s,
	       counter(s, "home", STORE_DEVICE, "AA:BB:CC:00:00:03", "tv, \"living\"",
	               "192.168.88.12"),
	       "2026-04-14T20:00:00+02:00", 2000, 2000);
	add_at(s, counter(s, "home", STORE_DEVICE, "AA:BB:CC:00:00:04", "old phone", NULL),
	       "2026-03-20T00:00:00+01:00", 7000, 0);
	add_at(s, counter(s, "home", STORE_QUEUE, "guests", NULL, "192.168.89.0/24"),
	       "2026-04-02T00:00:00+02:00", 10000, 5000);
	add_at(s, counter(s, "home", STORE_QUEUE, "ether1", NULL, NULL),
	       "2026-04-03T00:00:00+02:00", 1, 2);
	for (unsigned i = 1; i <= 1003; i++) {
		char mac[18];
		snprintf(mac, sizeof mac, "02:00:00:00:%02X:%02X", i >> 8, i & 0xFF);
		add_at(s, counter(s, "many", STORE_DEVICE, mac, NULL, NULL),
		       "2026-04-05T00:00:00+02:00", i, 0);
	}
	assert_int_equal(store_commit(s), 0);
	store_close(s);
}

static int setup(void **state)
{
	(void)state;
	if (calendar_set_zone("Europe/Berlin"))
		return -1;
	if (tmpdir_make(tmpdir, sizeof tmpdir, "test_report"))
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/tikstat.db", tmpdir);
	seed(dbpath);
	seed_counters(dbpath);
	char err[512];
	db = store_open(dbpath, true, err, sizeof err);
	return db ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	store_close(db);
	return tmpdir_remove(tmpdir);
}

/* --- helpers --- */

static struct report_selection select_ok(const char *router, const char *iface)
{
	struct report_selection sel;
	char err[256] = "";
	enum report_select_status st = report_select(db, router, iface, &sel, err, sizeof err);
	if (st != REPORT_SELECT_OK)
		fail_msg("report_select: %s", err);
	return sel;
}

/* Renders the series of the selection in format 't', 'j' or 'c'. */
static char *series_doc(const char *router, const char *iface, enum step step, const char *begin,
                        const char *end, const char *now, char format)
{
	struct report_selection sel = select_ok(router, iface);
	int64_t from, to, tnow = t_of(now);
	assert_int_equal(report_range(step, tnow, begin, end, &from, &to), REPORT_RANGE_OK);
	struct report_series *v = calloc(sel.n, sizeof *v);
	assert_non_null(v);
	for (size_t i = 0; i < sel.n; i++)
		assert_int_equal(report_series_load(db, &sel.v[i], step, from, to, tnow, &v[i]), 0);
	struct text_buf out = TEXT_BUF_INIT;
	if (format == 'j')
		assert_int_equal(report_series_json(v, sel.n, !sel.single, &out), 0);
	else if (format == 'c')
		assert_int_equal(report_series_csv(&v[0], &out), 0);
	else
		assert_int_equal(report_series_table(v, sel.n, &out), 0);
	for (size_t i = 0; i < sel.n; i++)
		report_series_free(&v[i]);
	free(v);
	report_selection_free(&sel);
	char *r = strdup(text_buf_str(&out));
	text_buf_free(&out);
	return r;
}

static char *cycle_doc(const char *router, const char *iface, int start_day, uint64_t quota,
                       const char *now, char format)
{
	struct report_selection sel = select_ok(router, iface);
	assert_int_equal(sel.n, 1);
	struct report_cycle c;
	assert_int_equal(report_cycle_load(db, &sel.v[0], start_day, quota, t_of(now), &c), 0);
	struct text_buf out = TEXT_BUF_INIT;
	if (format == 'j')
		assert_int_equal(report_cycle_json(&c, 1, false, &out), 0);
	else if (format == 'c')
		assert_int_equal(report_cycle_csv(&c, &out), 0);
	else
		assert_int_equal(report_cycle_table(&c, 1, &out), 0);
	report_selection_free(&sel);
	char *r = strdup(text_buf_str(&out));
	text_buf_free(&out);
	return r;
}

#define ASSERT_DOC(call, expected)                                                                 \
	do {                                                                                       \
		char *got_ = (call);                                                               \
		assert_string_equal(got_, expected);                                               \
		free(got_);                                                                        \
	} while (0)

/* --- units and windows --- */

static void iec_formats_bytes_then_binary_units_with_two_decimals(void **state)
{
	(void)state;
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
	        {0, "0 B"},
	        {512, "512 B"},
	        {1023, "1023 B"},
	        {1024, "1.00 KiB"},
	        {1535, "1.50 KiB"},
	        {1048575, "1.00 MiB"}, /* 1023.999 KiB rounds up to the next unit */
	        {1320702443, "1.23 GiB"},
	        {3738339534438, "3.40 TiB"},
	        {UINT64_MAX, "16.00 EiB"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[16];
		report_iec(cases[i].v, out);
		assert_string_equal(out, cases[i].s);
	}
}

static void range_defaults_cover_the_documented_windows(void **state)
{
	(void)state;
	int64_t now = t_of("2026-04-15T12:02:00+02:00"), from, to;
	assert_int_equal(report_range(STEP_5MIN, now, NULL, NULL, &from, &to), REPORT_RANGE_OK);
	assert_int_equal(to, t_of("2026-04-15T12:05:00+02:00"));
	assert_int_equal(from, t_of("2026-04-15T06:05:00+02:00"));
	assert_int_equal(report_range(STEP_HOUR, now, NULL, NULL, &from, &to), REPORT_RANGE_OK);
	assert_int_equal(to, t_of("2026-04-15T13:00:00+02:00"));
	assert_int_equal(from, t_of("2026-04-13T13:00:00+02:00"));
	assert_int_equal(report_range(STEP_DAY, now, NULL, NULL, &from, &to), REPORT_RANGE_OK);
	assert_int_equal(to, t_of("2026-04-16"));
	assert_int_equal(from, t_of("2026-03-17")); /* 30 days, one of them 23 hours */
	assert_int_equal(report_range(STEP_MONTH, now, NULL, NULL, &from, &to), REPORT_RANGE_OK);
	assert_int_equal(to, t_of("2026-05-01"));
	assert_int_equal(from, t_of("2025-05-01"));
	assert_int_equal(report_range(STEP_YEAR, now, NULL, NULL, &from, &to), REPORT_RANGE_OK);
	assert_int_equal(to, t_of("2027-01-01"));
	assert_true(from == INT64_MIN);
}

static void range_takes_dates_and_times_and_names_what_is_wrong(void **state)
{
	(void)state;
	int64_t now = t_of("2026-04-15T12:00:00+02:00"), from, to;
	/* A date as end: that whole day; begin: its bucket. */
	assert_int_equal(
	        report_range(STEP_MONTH, now, "2026-03-15T10:17", "2026-03-29", &from, &to),
	        REPORT_RANGE_OK);
	assert_int_equal(from, t_of("2026-03-01"));
	assert_int_equal(to, t_of("2026-03-30"));
	/* A time as end: buckets starting before it. */
	assert_int_equal(
	        report_range(STEP_HOUR, now, NULL, "2026-03-29T03:00:00+02:00", &from, &to),
	        REPORT_RANGE_OK);
	assert_int_equal(to, t_of("2026-03-29T03:00:00+02:00"));
	assert_int_equal(from, t_of("2026-03-27T02:00:00+01:00"));
	assert_int_equal(report_range(STEP_DAY, now, "yesterday", NULL, &from, &to),
	                 REPORT_RANGE_BAD_BEGIN);
	assert_int_equal(report_range(STEP_DAY, now, NULL, "2026-13-01", &from, &to),
	                 REPORT_RANGE_BAD_END);
	assert_int_equal(report_range(STEP_DAY, now, "2026-04-02", "2026-04-01", &from, &to),
	                 REPORT_RANGE_EMPTY);
}

/* --- selection --- */

static void select_without_names_lists_every_interface_by_router_and_name(void **state)
{
	(void)state;
	struct report_selection sel = select_ok(NULL, NULL);
	static const char *const expect[][2] = {{"big", "x"},         {"home", "ether1"},
	                                        {"home", "ether2"},   {"home", WEAN},
	                                        {"office", "ether1"}, {"office", "lte1"}};
	assert_int_equal(sel.n, 6);
	assert_false(sel.single);
	for (size_t i = 0; i < sel.n; i++) {
		assert_string_equal(sel.v[i].router, expect[i][0]);
		assert_string_equal(sel.v[i].name, expect[i][1]);
	}
	report_selection_free(&sel);
	sel = select_ok("office", NULL);
	assert_int_equal(sel.n, 2);
	report_selection_free(&sel);
	sel = select_ok(NULL, "lte1");
	assert_int_equal(sel.n, 1);
	assert_true(sel.single);
	assert_string_equal(sel.v[0].router, "office");
	report_selection_free(&sel);
}

static void select_names_the_unknown_router_or_interface(void **state)
{
	(void)state;
	struct report_selection sel;
	char err[256];
	assert_int_equal(report_select(db, "nope", NULL, &sel, err, sizeof err),
	                 REPORT_SELECT_UNKNOWN_ROUTER);
	assert_string_equal(err, "unknown router \"nope\"");
	assert_int_equal(report_select(db, "nope", "ether1", &sel, err, sizeof err),
	                 REPORT_SELECT_UNKNOWN_ROUTER);
	assert_int_equal(report_select(db, "home", "eth\x1b[0m", &sel, err, sizeof err),
	                 REPORT_SELECT_UNKNOWN_IFACE);
	assert_string_equal(err, "unknown interface \"home/eth\\x1B[0m\"");
	assert_int_equal(report_select(db, NULL, "nope", &sel, err, sizeof err),
	                 REPORT_SELECT_UNKNOWN_IFACE);
	assert_string_equal(err, "unknown interface \"nope\"");
	assert_null(sel.v);
}

static void select_refuses_an_interface_name_found_on_several_routers(void **state)
{
	(void)state;
	struct report_selection sel;
	char err[256];
	assert_int_equal(report_select(db, NULL, "ether1", &sel, err, sizeof err),
	                 REPORT_SELECT_AMBIGUOUS);
	assert_string_equal(
	        err, "interface \"ether1\" exists on several routers: name the router with -r");
}

#ifdef TEST_REPORT_WRAP
/* The store's lists, counted (the link redirects report.c's calls here,
 * tests/CMakeLists.txt): each lists every counter with its totals. */
static int list_calls;
int __real_store_list_counters(store *s, store_iface_fn fn, void *ctx);
int __real_store_list_interfaces(store *s, store_iface_fn fn, void *ctx);
int __wrap_store_list_counters(store *s, store_iface_fn fn, void *ctx);
int __wrap_store_list_interfaces(store *s, store_iface_fn fn, void *ctx);
int __wrap_store_list_counters(store *s, store_iface_fn fn, void *ctx)
{
	list_calls++;
	return __real_store_list_counters(s, fn, ctx);
}
int __wrap_store_list_interfaces(store *s, store_iface_fn fn, void *ctx)
{
	list_calls++;
	return __real_store_list_interfaces(s, fn, ctx);
}
#endif

/* An interface named with its router is found by one lookup, not by
 * listing every counter with its totals (a query's cost grew with the
 * database's interfaces); a queue of a name still comes from the list. */
static void select_finds_a_named_interface_without_listing_the_counters(void **state)
{
	(void)state;
#ifdef TEST_REPORT_WRAP
	list_calls = 0;
	struct report_selection sel = select_ok("home", "ether1");
	assert_int_equal(list_calls, 0);
	assert_int_equal(sel.n, 1);
	assert_int_equal(sel.v[0].kind, STORE_IFACE);
	assert_string_equal(sel.v[0].router, "home");
	assert_string_equal(sel.v[0].name, "ether1");
	assert_null(sel.v[0].display);
	int64_t id;
	assert_int_equal(store_find_interface(db, "home", "ether1", &id), 0);
	assert_int_equal(sel.v[0].id, id);
	report_selection_free(&sel);
	sel = select_ok("home", "guests");
	assert_true(list_calls > 0);
	assert_int_equal(sel.n, 1);
	assert_int_equal(sel.v[0].kind, STORE_QUEUE);
	report_selection_free(&sel);
#else
	skip();
#endif
}

/* --- series --- */

static void monthly_table_shows_months_estimate_for_this_month_and_sum(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", "ether1", STEP_MONTH, NULL, NULL, "2026-04-15T12:00:00+02:00",
	                      't'),
	           " home / ether1  (monthly, Europe/Berlin)\n"
	           "\n"
	           " month               rx           tx        total      avg. rate\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " 2026-01       1.00 GiB   512.00 MiB     1.50 GiB    4.81 kbit/s\n"
	           " 2026-02       3.40 TiB        512 B     3.40 TiB   12.36 Mbit/s\n"
	           " 2026-03     977.15 KiB     1.91 MiB     2.86 MiB        9 bit/s\n"
	           " 2026-04       1.50 KiB          0 B     1.50 KiB        0 bit/s\n"
	           " estimated     3.10 KiB          0 B     3.10 KiB\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " sum           3.40 TiB   513.91 MiB     3.40 TiB\n");
}

static void monthly_table_of_a_past_window_has_no_estimate(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", "ether1", STEP_MONTH, "2026-02-01", "2026-02-28",
	                      "2026-04-15T12:00:00+02:00", 't'),
	           " home / ether1  (monthly, Europe/Berlin)\n"
	           "\n"
	           " month               rx           tx        total      avg. rate\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " 2026-02       3.40 TiB        512 B     3.40 TiB   12.36 Mbit/s\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " sum           3.40 TiB        512 B     3.40 TiB\n");
}

static void monthly_json_is_the_api_document_with_offsets_across_dst(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", "ether1", STEP_MONTH, NULL, NULL, "2026-04-15T12:00:00+02:00",
	                      'j'),
	           "{\"router\":\"home\",\"interface\":\"ether1\",\"step\":\"month\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-01-01T00:00:00+01:00\",\"rx\":1073741824,\"tx\":536870912},"
	           "{\"start\":\"2026-02-01T00:00:00+01:00\",\"rx\":3738339534438,\"tx\":512},"
	           "{\"start\":\"2026-03-01T00:00:00+01:00\",\"rx\":1000600,\"tx\":2000060},"
	           "{\"start\":\"2026-04-01T00:00:00+02:00\",\"rx\":1536,\"tx\":0}]}\n");
}

static void monthly_csv_lists_bucket_starts_with_offsets(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", "ether1", STEP_MONTH, NULL, NULL, "2026-04-15T12:00:00+02:00",
	                      'c'),
	           "start,rx,tx\n"
	           "2026-01-01T00:00:00+01:00,1073741824,536870912\n"
	           "2026-02-01T00:00:00+01:00,3738339534438,512\n"
	           "2026-03-01T00:00:00+01:00,1000600,2000060\n"
	           "2026-04-01T00:00:00+02:00,1536,0\n");
}

static void daily_json_around_spring_dst_has_a_23_hour_day(void **state)
{
	(void)state;
	/* 1,000,000 B over Mar 1-28 by time: day 28 gets 1e6 - floor(1e6*27/28). */
	ASSERT_DOC(series_doc("home", "ether1", STEP_DAY, "2026-03-28", "2026-03-29",
	                      "2026-04-15T12:00:00+02:00", 'j'),
	           "{\"router\":\"home\",\"interface\":\"ether1\",\"step\":\"day\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-03-28T00:00:00+01:00\",\"rx\":35715,\"tx\":71429},"
	           "{\"start\":\"2026-03-29T00:00:00+01:00\",\"rx\":600,\"tx\":60}]}\n");
}

static void hourly_report_has_no_hour_two_on_the_spring_dst_day(void **state)
{
	(void)state;
	const char *now = "2026-04-15T12:00:00+02:00";
	ASSERT_DOC(series_doc("home", "ether1", STEP_HOUR, "2026-03-29", "2026-03-29", now, 'j'),
	           "{\"router\":\"home\",\"interface\":\"ether1\",\"step\":\"hour\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-03-29T00:00:00+01:00\",\"rx\":100,\"tx\":10},"
	           "{\"start\":\"2026-03-29T01:00:00+01:00\",\"rx\":200,\"tx\":20},"
	           "{\"start\":\"2026-03-29T03:00:00+02:00\",\"rx\":300,\"tx\":30}]}\n");
	ASSERT_DOC(series_doc("home", "ether1", STEP_HOUR, "2026-03-29", "2026-03-29", now, 't'),
	           " home / ether1  (hourly, Europe/Berlin)\n"
	           "\n"
	           " hour                       rx           tx        total      avg. rate\n"
	           " ----------------  -----------  -----------  -----------  -------------\n"
	           " 2026-03-29 00:00        100 B         10 B        110 B        0 bit/s\n"
	           " 2026-03-29 01:00        200 B         20 B        220 B        0 bit/s\n"
	           " 2026-03-29 03:00        300 B         30 B        330 B        1 bit/s\n"
	           " ----------------  -----------  -----------  -----------  -------------\n"
	           " sum                     600 B         60 B        660 B\n");
}

static void hourly_table_tells_the_repeated_autumn_hour_apart_by_offset(void **state)
{
	(void)state;
	const char *now = "2026-11-01T12:00:00+01:00";
	ASSERT_DOC(
	        series_doc("home", "ether2", STEP_HOUR, "2026-10-25", "2026-10-25", now, 't'),
	        " home / ether2  (hourly, Europe/Berlin)\n"
	        "\n"
	        " hour                              rx           tx        total      avg. rate\n"
	        " -----------------------  -----------  -----------  -----------  -------------\n"
	        " 2026-10-25 00:00                10 B          1 B         11 B        0 bit/s\n"
	        " 2026-10-25 01:00                20 B          2 B         22 B        0 bit/s\n"
	        " 2026-10-25 02:00 +02:00         30 B          3 B         33 B        0 bit/s\n"
	        " 2026-10-25 02:00 +01:00         40 B          4 B         44 B        0 bit/s\n"
	        " -----------------------  -----------  -----------  -----------  -------------\n"
	        " sum                            100 B         10 B        110 B\n");
	ASSERT_DOC(series_doc("home", "ether2", STEP_HOUR, "2026-10-25", "2026-10-25", now, 'c'),
	           "start,rx,tx\n"
	           "2026-10-25T00:00:00+02:00,10,1\n"
	           "2026-10-25T01:00:00+02:00,20,2\n"
	           "2026-10-25T02:00:00+02:00,30,3\n"
	           "2026-10-25T02:00:00+01:00,40,4\n");
	/* The 25-hour day. */
	ASSERT_DOC(series_doc("home", "ether2", STEP_DAY, "2026-10-25", "2026-10-25", now, 'c'),
	           "start,rx,tx\n"
	           "2026-10-25T00:00:00+02:00,100,10\n");
}

static void daily_table_escapes_a_latin1_name_and_estimates_today(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", WEAN, STEP_DAY, NULL, NULL, "2026-03-15T12:00:00+01:00", 't'),
	           " home / w\\xE9an  (daily, Europe/Berlin)\n"
	           "\n"
	           " day                  rx           tx        total      avg. rate\n"
	           " ----------  -----------  -----------  -----------  -------------\n"
	           " 2026-03-14     2.00 KiB     1.00 KiB     3.00 KiB        0 bit/s\n"
	           " 2026-03-15       1000 B     2.93 KiB     3.91 KiB        1 bit/s\n"
	           " estimated      1.95 KiB     5.86 KiB     7.81 KiB\n"
	           " ----------  -----------  -----------  -----------  -------------\n"
	           " sum            2.98 KiB     3.93 KiB     6.91 KiB\n");
}

static void json_escapes_a_latin1_name_as_its_code_points(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", WEAN, STEP_DAY, "2026-03-15", NULL,
	                      "2026-03-15T12:00:00+01:00", 'j'),
	           "{\"router\":\"home\",\"interface\":\"w\\u00e9an\",\"step\":\"day\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-03-15T00:00:00+01:00\",\"rx\":1000,\"tx\":3000}]}\n");
}

static void json_of_a_router_is_an_array_of_its_interfaces(void **state)
{
	(void)state;
	ASSERT_DOC(
	        series_doc("office", NULL, STEP_YEAR, NULL, NULL, "2026-04-15T12:00:00+02:00", 'j'),
	        "[{\"router\":\"office\",\"interface\":\"ether1\",\"step\":\"year\","
	        "\"timezone\":\"Europe/Berlin\",\"points\":[]},"
	        "{\"router\":\"office\",\"interface\":\"lte1\",\"step\":\"year\","
	        "\"timezone\":\"Europe/Berlin\",\"points\":["
	        "{\"start\":\"2026-01-01T00:00:00+01:00\",\"rx\":6000000000,\"tx\":500000000}]}]"
	        "\n");
}

static void json_prints_sizes_up_to_2_64_minus_1_exactly(void **state)
{
	(void)state;
	const char *now = "2026-02-15T12:00:00+01:00";
	ASSERT_DOC(series_doc("big", "x", STEP_MONTH, NULL, NULL, now, 'j'),
	           "{\"router\":\"big\",\"interface\":\"x\",\"step\":\"month\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-01-01T00:00:00+01:00\",\"rx\":18446744073709551615,\"tx\":1},"
	           "{\"start\":\"2026-02-01T00:00:00+01:00\",\"rx\":1,\"tx\":0}]}\n");
	/* The table's sums and estimates saturate instead of wrapping. */
	ASSERT_DOC(series_doc("big", "x", STEP_MONTH, NULL, NULL, now, 't'),
	           " big / x  (monthly, Europe/Berlin)\n"
	           "\n"
	           " month               rx           tx        total      avg. rate\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " 2026-01      16.00 EiB          1 B    16.00 EiB   55.10 Tbit/s\n"
	           " 2026-02            1 B          0 B          1 B        0 bit/s\n"
	           " estimated          1 B          0 B          1 B\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " sum          16.00 EiB          1 B    16.00 EiB\n");
}

static void a_window_without_traffic_says_so(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("office", "ether1", STEP_DAY, NULL, NULL, "2026-04-15T12:00:00+02:00",
	                      't'),
	           " office / ether1  (daily, Europe/Berlin)\n"
	           "\n"
	           " no traffic recorded in this period\n");
	ASSERT_DOC(series_doc("office", "ether1", STEP_DAY, NULL, NULL, "2026-04-15T12:00:00+02:00",
	                      'c'),
	           "start,rx,tx\n");
}

/* --- vnStat forms: counts, top days, summary, one line, rates --- */

static void rate_is_decimal_bits_per_second_with_two_decimals(void **state)
{
	(void)state;
	char r[16];
	report_rate(0, 1, r);
	assert_string_equal(r, "0 bit/s");
	report_rate(124, 1, r);
	assert_string_equal(r, "992 bit/s");
	report_rate(125, 1, r);
	assert_string_equal(r, "1.00 kbit/s");
	report_rate(3, 8, r); /* 2.5 bit/s: whole bits, rounded half up */
	assert_string_equal(r, "3 bit/s");
	report_rate(1, 0, r); /* no time elapsed: taken as one second */
	assert_string_equal(r, "8 bit/s");
	report_rate(12345678, 10, r);
	assert_string_equal(r, "9.88 Mbit/s");
	/* 999.995 kbit/s rounds to 1000.00: shown in the next unit. */
	report_rate(999995, 8, r);
	assert_string_equal(r, "1.00 Mbit/s");
	report_rate(UINT64_MAX, 1, r);
	assert_string_equal(r, "147.57 Ebit/s");
}

static void range_count_goes_back_that_many_buckets_and_0_means_all(void **state)
{
	(void)state;
	int64_t now = t_of("2026-04-15T12:02:00+02:00"), from, to;
	assert_int_equal(report_range_count(STEP_DAY, now, NULL, NULL, 7, &from, &to),
	                 REPORT_RANGE_OK);
	assert_int_equal(from, t_of("2026-04-09"));
	assert_int_equal(to, t_of("2026-04-16"));
	assert_int_equal(report_range_count(STEP_MONTH, now, NULL, NULL, 3, &from, &to),
	                 REPORT_RANGE_OK);
	assert_int_equal(from, t_of("2026-02-01"));
	assert_int_equal(report_range_count(STEP_DAY, now, NULL, NULL, 0, &from, &to),
	                 REPORT_RANGE_OK);
	assert_true(from == INT64_MIN);
	/* A count counts back from --end; --begin wins over a count. */
	assert_int_equal(report_range_count(STEP_DAY, now, NULL, "2026-03-31", 2, &from, &to),
	                 REPORT_RANGE_OK);
	assert_int_equal(from, t_of("2026-03-30"));
	assert_int_equal(to, t_of("2026-04-01"));
	assert_int_equal(report_range_count(STEP_DAY, now, "2026-04-01", NULL, 3, &from, &to),
	                 REPORT_RANGE_OK);
	assert_int_equal(from, t_of("2026-04-01"));
	/* Negative: the default window of report_range. */
	assert_int_equal(report_range_count(STEP_DAY, now, NULL, NULL, -1, &from, &to),
	                 REPORT_RANGE_OK);
	assert_int_equal(from, t_of("2026-03-17"));
}

/* Renders the top days of one interface in [begin, end] (NULL: all). */
static char *top_doc(const char *router, const char *iface, const char *begin, const char *end,
                     size_t limit, char format)
{
	struct report_selection sel = select_ok(router, iface);
	assert_int_equal(sel.n, 1);
	int64_t from, to, now = t_of("2026-04-15T12:00:00+02:00");
	assert_int_equal(report_range_count(STEP_DAY, now, begin, end, 0, &from, &to),
	                 REPORT_RANGE_OK);
	struct report_series se;
	assert_int_equal(report_top_load(db, &sel.v[0], from, to, limit, now, &se), 0);
	struct text_buf out = TEXT_BUF_INIT;
	if (format == 'j')
		assert_int_equal(report_series_json(&se, 1, false, &out), 0);
	else
		assert_int_equal(report_top_table(&se, 1, &out), 0);
	report_series_free(&se);
	report_selection_free(&sel);
	char *r = strdup(text_buf_str(&out));
	text_buf_free(&out);
	return r;
}

static void top_orders_days_by_total_then_date_and_keeps_the_limit(void **state)
{
	(void)state;
	ASSERT_DOC(top_doc("home", "ether1", "2026-03-27", "2026-03-29", 0, 'j'),
	           "{\"router\":\"home\",\"interface\":\"ether1\",\"step\":\"day\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-03-28T00:00:00+01:00\",\"rx\":35715,\"tx\":71429},"
	           "{\"start\":\"2026-03-27T00:00:00+01:00\",\"rx\":35714,\"tx\":71429},"
	           "{\"start\":\"2026-03-29T00:00:00+01:00\",\"rx\":600,\"tx\":60}]}\n");
	ASSERT_DOC(top_doc("home", WEAN, NULL, NULL, 1, 't'),
	           " home / w\\xE9an  (top 1 day by total, Europe/Berlin)\n"
	           "\n"
	           "  #  day                  rx           tx        total      avg. rate\n"
	           " --------------  -----------  -----------  -----------  -------------\n"
	           "  1  2026-03-15       1000 B     2.93 KiB     3.91 KiB        0 bit/s\n"
	           " --------------  -----------  -----------  -----------  -------------\n");
}

static char *summary_doc(const char *router, const char *iface, int start_day, uint64_t quota,
                         const char *now, char format)
{
	struct report_selection sel = select_ok(router, iface);
	assert_int_equal(sel.n, 1);
	struct report_summary su;
	assert_int_equal(report_summary_load(db, &sel.v[0], start_day, quota, t_of(now), &su), 0);
	struct text_buf out = TEXT_BUF_INIT;
	if (format == 'o' || format == 'b')
		assert_int_equal(report_oneline(&su, 1, format == 'b', &out), 0);
	else
		assert_int_equal(report_summary_table(&su, 1, format == 's', &out), 0);
	report_selection_free(&sel);
	char *r = strdup(text_buf_str(&out));
	text_buf_free(&out);
	return r;
}

static void summary_shows_days_and_cycles_with_rates_estimates_and_quota(void **state)
{
	(void)state;
	ASSERT_DOC(
	        summary_doc("office", "lte1", 15, 10000000000, "2026-03-20T00:00:00+01:00", 't'),
	        "                      rx           tx        total      avg. rate    estimated\n"
	        " office / lte1  (quota 9.31 GiB: 15.00 % used)\n"
	        "  yesterday   190.73 MiB    95.37 MiB   286.10 MiB   27.78 kbit/s\n"
	        "      today          0 B          0 B          0 B        0 bit/s          0 B\n"
	        " last cycle     4.66 GiB          0 B     4.66 GiB   16.53 kbit/s\n"
	        " this cycle   953.67 MiB   476.84 MiB     1.40 GiB   27.78 kbit/s     8.65 GiB\n");
}

static void short_summary_keeps_today_and_this_cycle(void **state)
{
	(void)state;
	ASSERT_DOC(
	        summary_doc("home", WEAN, 1, 0, "2026-03-15T12:00:00+01:00", 's'),
	        "                      rx           tx        total      avg. rate    estimated\n"
	        " home / w\\xE9an\n"
	        "      today       1000 B     2.93 KiB     3.91 KiB        1 bit/s     7.81 KiB\n"
	        " this cycle     2.98 KiB     3.93 KiB     6.91 KiB        0 bit/s    14.75 KiB\n");
}

static void oneline_has_vnstat_fields_with_the_router_added(void **state)
{
	(void)state;
	const char *now = "2026-03-20T00:00:00+01:00";
	ASSERT_DOC(summary_doc("office", "lte1", 1, 0, now, 'o'),
	           "1;office;lte1;2026-03-20;0 B;0 B;0 B;0 bit/s;"
	           "2026-03;5.59 GiB;476.84 MiB;6.05 GiB;31.68 kbit/s;"
	           "5.59 GiB;476.84 MiB;6.05 GiB\n");
	ASSERT_DOC(summary_doc("office", "lte1", 1, 0, now, 'b'),
	           "1;office;lte1;2026-03-20;0;0;0;0;"
	           "2026-03;6000000000;500000000;6500000000;3959;"
	           "6000000000;500000000;6500000000\n");
	ASSERT_DOC(summary_doc("home", WEAN, 1, 0, "2026-03-15T12:00:00+01:00", 'b'),
	           "1;home;w\\xE9an;2026-03-15;1000;3000;4000;0;"
	           "2026-03;3048;4024;7072;0;3048;4024;7072\n");
}

/* --- billing cycle --- */

static void cycle_json_projects_the_total_to_the_cycle_end(void **state)
{
	(void)state;
	/* Mar 15 - Apr 15 is 31 days less the DST hour: 2,674,800 s; 5 days
	 * elapsed: 1.5e9 * 2674800 / 432000 = 9,287,500,000. */
	ASSERT_DOC(cycle_doc("office", "lte1", 15, 10000000000, "2026-03-20T00:00:00+01:00", 'j'),
	           "{\"router\":\"office\",\"interface\":\"lte1\","
	           "\"start\":\"2026-03-15T00:00:00+01:00\",\"end\":\"2026-04-15T00:00:00+02:00\","
	           "\"rx\":1000000000,\"tx\":500000000,\"total\":1500000000,"
	           "\"estimate\":9287500000,\"quota\":10000000000,\"used_percent\":15.00}\n");
}

static void cycle_json_has_null_quota_and_percent_without_a_quota(void **state)
{
	(void)state;
	/* Cycles from the 1st: March holds all 6.5e9 bytes; 19 days elapsed of 31
	 * (less an hour): 6.5e9 * 2674800 / 1641600. */
	ASSERT_DOC(cycle_doc("office", "lte1", 1, 0, "2026-03-20T00:00:00+01:00", 'j'),
	           "{\"router\":\"office\",\"interface\":\"lte1\","
	           "\"start\":\"2026-03-01T00:00:00+01:00\",\"end\":\"2026-04-01T00:00:00+02:00\","
	           "\"rx\":6000000000,\"tx\":500000000,\"total\":6500000000,"
	           "\"estimate\":10591008771,\"quota\":null,\"used_percent\":null}\n");
}

static void cycle_estimate_needs_an_hour_of_data(void **state)
{
	(void)state;
	/* Ten minutes into the cycle the estimate assumes one hour elapsed:
	 * 4000 * 2674800 / 3600, not / 600. */
	ASSERT_DOC(
	        cycle_doc("home", WEAN, 15, 0, "2026-03-15T00:10:00+01:00", 'c'),
	        "start,end,rx,tx,total,estimate,quota,used_percent\n"
	        "2026-03-15T00:00:00+01:00,2026-04-15T00:00:00+02:00,1000,3000,4000,2972000,,\n");
}

static void cycle_table_shows_used_estimate_and_quota(void **state)
{
	(void)state;
	ASSERT_DOC(cycle_doc("office", "lte1", 15, 10000000000, "2026-03-20T00:00:00+01:00", 't'),
	           " office / lte1  (billing cycle 2026-03-15 .. 2026-04-14, Europe/Berlin)\n"
	           "\n"
	           "                     rx           tx        total\n"
	           " ---------  -----------  -----------  -----------\n"
	           " so far      953.67 MiB   476.84 MiB     1.40 GiB\n"
	           " estimated     5.77 GiB     2.88 GiB     8.65 GiB\n"
	           " ---------  -----------  -----------  -----------\n"
	           " quota                                   9.31 GiB  15.00 % used\n");
	ASSERT_DOC(cycle_doc("office", "lte1", 15, 5000000000, "2026-03-20T00:00:00+01:00", 't'),
	           " office / lte1  (billing cycle 2026-03-15 .. 2026-04-14, Europe/Berlin)\n"
	           "\n"
	           "                     rx           tx        total\n"
	           " ---------  -----------  -----------  -----------\n"
	           " so far      953.67 MiB   476.84 MiB     1.40 GiB\n"
	           " estimated     5.77 GiB     2.88 GiB     8.65 GiB\n"
	           " ---------  -----------  -----------  -----------\n"
	           " quota                                   4.66 GiB  30.00 % used, estimated "
	           "185.75 %\n");
}

static void cycle_csv_is_one_line_with_a_header(void **state)
{
	(void)state;
	ASSERT_DOC(cycle_doc("office", "lte1", 15, 10000000000, "2026-03-20T00:00:00+01:00", 'c'),
	           "start,end,rx,tx,total,estimate,quota,used_percent\n"
	           "2026-03-15T00:00:00+01:00,2026-04-15T00:00:00+02:00,1000000000,500000000,"
	           "1500000000,9287500000,10000000000,15.00\n");
}

/* --- queues and devices --- */

static void select_names_a_queue_or_a_device_by_mac_in_any_form(void **state)
{
	(void)state;
	struct report_selection sel = select_ok("home", "guests");
	assert_int_equal(sel.n, 1);
	assert_int_equal(sel.v[0].kind, STORE_QUEUE);
	assert_string_equal(sel.v[0].name, "guests");
	assert_null(sel.v[0].display);
	report_selection_free(&sel);
	static const char *const forms[] = {"aa-bb-cc-00-00-03", "aa:bb:cc:00:00:03",
	                                    "AA-BB-CC-00-00-03"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		sel = select_ok(i ? "home" : NULL, forms[i]);
		assert_int_equal(sel.n, 1);
		assert_true(sel.single);
		assert_int_equal(sel.v[0].kind, STORE_DEVICE);
		assert_string_equal(sel.v[0].router, "home");
		assert_string_equal(sel.v[0].name, "AA:BB:CC:00:00:03");
		assert_string_equal(sel.v[0].display, "tv, \"living\"");
		report_selection_free(&sel);
	}
	char err[256];
	assert_int_equal(report_select(db, "home", "aa-bb-cc-00-00-99", &sel, err, sizeof err),
	                 REPORT_SELECT_UNKNOWN_IFACE);
	assert_string_equal(err, "unknown interface \"home/aa-bb-cc-00-00-99\"");
	/* a router with devices only is known: its interfaces are none */
	assert_int_equal(report_select(db, "many", NULL, &sel, err, sizeof err), REPORT_SELECT_OK);
	assert_int_equal(sel.n, 0);
	report_selection_free(&sel);
}

static void an_interface_wins_over_a_queue_of_the_same_name(void **state)
{
	(void)state;
	struct report_selection sel = select_ok("home", "ether1");
	assert_int_equal(sel.n, 1);
	assert_int_equal(sel.v[0].kind, STORE_IFACE);
	report_selection_free(&sel);
	/* and the listing without a name stays interfaces only */
	sel = select_ok("home", NULL);
	assert_int_equal(sel.n, 3);
	for (size_t i = 0; i < sel.n; i++)
		assert_int_equal(sel.v[i].kind, STORE_IFACE);
	report_selection_free(&sel);
}

static void a_device_has_series_and_cycle_as_an_interface_with_its_name_in_tables(void **state)
{
	(void)state;
	ASSERT_DOC(series_doc("home", "aa-bb-cc-00-00-01", STEP_DAY, "2026-04-10", "2026-04-15",
	                      "2026-04-15T12:00:00+02:00", 'j'),
	           "{\"router\":\"home\",\"interface\":\"AA:BB:CC:00:00:01\",\"step\":\"day\","
	           "\"timezone\":\"Europe/Berlin\",\"points\":["
	           "{\"start\":\"2026-04-10T00:00:00+02:00\",\"rx\":3000000,\"tx\":1000000},"
	           "{\"start\":\"2026-04-15T00:00:00+02:00\",\"rx\":500,\"tx\":100}]}\n");
	ASSERT_DOC(series_doc("home", "guests", STEP_MONTH, "2026-04-01", "2026-04-30",
	                      "2026-05-15T12:00:00+02:00", 't'),
	           " home / queue guests  (monthly, Europe/Berlin)\n"
	           "\n"
	           " month               rx           tx        total      avg. rate\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " 2026-04       9.77 KiB     4.88 KiB    14.65 KiB        0 bit/s\n"
	           " ---------  -----------  -----------  -----------  -------------\n"
	           " sum           9.77 KiB     4.88 KiB    14.65 KiB\n");
	ASSERT_DOC(cycle_doc("home", "AA:BB:CC:00:00:01", 1, 0, "2026-04-15T12:00:00+02:00", 't'),
	           " home / device AA:BB:CC:00:00:01 (laptop)  (billing cycle 2026-04-01 .. "
	           "2026-04-30, Europe/Berlin)\n"
	           "\n"
	           "                     rx           tx        total\n"
	           " ---------  -----------  -----------  -----------\n"
	           " so far        2.86 MiB   976.66 KiB     3.82 MiB\n"
	           " estimated     5.92 MiB     1.97 MiB     7.89 MiB\n"
	           " ---------  -----------  -----------  -----------\n");
}

/* The ranking of kind on router in period at now, rendered as format
 * 'j', 'c' or 't'. */
static char *rank_doc(const char *router, enum store_kind kind, enum report_rank_period period,
                      size_t limit, const char *now, char format)
{
	struct report_rank r;
	assert_int_equal(report_rank_load(db, router, kind, period, 1, limit, t_of(now), &r), 0);
	struct text_buf out = TEXT_BUF_INIT;
	if (format == 'j')
		assert_int_equal(report_rank_json(&r, &out), 0);
	else if (format == 'c')
		assert_int_equal(report_rank_csv(&r, &out), 0);
	else
		assert_int_equal(report_rank_table(&r, &out), 0);
	report_rank_free(&r);
	char *d = strdup(text_buf_str(&out));
	text_buf_free(&out);
	return d;
}

#define APRIL_15 "2026-04-15T12:00:00+02:00"

static void rank_json_orders_by_total_then_name_with_totals_over_all(void **state)
{
	(void)state;
	ASSERT_DOC(
	        rank_doc("home", STORE_DEVICE, REPORT_RANK_CYCLE, 1000, APRIL_15, 'j'),
	        "{\"router\":\"home\",\"kind\":\"device\",\"period\":\"cycle\",\"start\":\"2026-04-"
	        "01T00:00:00+02:00\",\"end\":\"2026-05-01T00:00:00+02:00\",\"total\":{\"rx\":"
	        "3003500,\"tx\":1005100},\"items\":[{\"interface\":\"AA:BB:CC:00:00:01\",\"name\":"
	        "\"laptop\",\"address\":\"192.168.88.10\",\"rx\":3000500,\"tx\":1000100},{"
	        "\"interface\":\"AA:BB:CC:00:00:02\",\"name\":\"AA:BB:CC:00:00:02\",\"address\":"
	        "null,\"rx\":1000,\"tx\":3000},{\"interface\":\"AA:BB:CC:00:00:03\",\"name\":\"tv, "
	        "\\\"living\\\"\",\"address\":\"192.168.88.12\",\"rx\":2000,\"tx\":2000}]}\n");
	ASSERT_DOC(rank_doc("home", STORE_DEVICE, REPORT_RANK_LAST_CYCLE, 1000, APRIL_15, 'j'),
	           "{\"router\":\"home\",\"kind\":\"device\",\"period\":\"last_cycle\",\"start\":"
	           "\"2026-03-01T00:00:00+01:00\",\"end\":\"2026-04-01T00:00:00+02:00\",\"total\":{"
	           "\"rx\":7000,\"tx\":0},\"items\":[{\"interface\":\"AA:BB:CC:00:00:04\",\"name\":"
	           "\"old phone\",\"address\":null,\"rx\":7000,\"tx\":0}]}\n");
	ASSERT_DOC(rank_doc("home", STORE_DEVICE, REPORT_RANK_TODAY, 1000, APRIL_15, 'j'),
	           "{\"router\":\"home\",\"kind\":\"device\",\"period\":\"today\",\"start\":\"2026-"
	           "04-15T00:00:00+02:00\",\"end\":\"2026-04-16T00:00:00+02:00\",\"total\":{\"rx\":"
	           "500,\"tx\":100},\"items\":[{\"interface\":\"AA:BB:CC:00:00:01\",\"name\":"
	           "\"laptop\",\"address\":\"192.168.88.10\",\"rx\":500,\"tx\":100}]}\n");
	ASSERT_DOC(rank_doc("home", STORE_QUEUE, REPORT_RANK_CYCLE, 1000, APRIL_15, 'j'),
	           "{\"router\":\"home\",\"kind\":\"queue\",\"period\":\"cycle\",\"start\":\"2026-"
	           "04-01T00:00:00+02:00\",\"end\":\"2026-05-01T00:00:00+02:00\",\"total\":{\"rx\":"
	           "10001,\"tx\":5002},\"items\":[{\"interface\":\"guests\",\"name\":\"guests\","
	           "\"address\":\"192.168.89.0/"
	           "24\",\"rx\":10000,\"tx\":5000},{\"interface\":\"ether1\",\"name\":\"ether1\","
	           "\"address\":null,\"rx\":1,\"tx\":2}]}\n");
}

static void rank_of_an_unknown_router_or_a_kind_without_counters_is_empty(void **state)
{
	(void)state;
	ASSERT_DOC(rank_doc("office", STORE_QUEUE, REPORT_RANK_CYCLE, 1000, APRIL_15, 'j'),
	           "{\"router\":\"office\",\"kind\":\"queue\",\"period\":\"cycle\",\"start\":"
	           "\"2026-04-01T00:00:00+02:00\",\"end\":\"2026-05-01T00:00:00+02:00\",\"total\":{"
	           "\"rx\":0,\"tx\":0},\"items\":[]}\n");
	ASSERT_DOC(rank_doc("nowhere", STORE_DEVICE, REPORT_RANK_TODAY, 1000, APRIL_15, 't'),
	           " nowhere / devices  (today 2026-04-15, Europe/Berlin)\n"
	           "\n"
	           " no traffic recorded in this period\n");
}

static void rank_keeps_at_most_1000_items_and_totals_every_counter(void **state)
{
	(void)state;
	struct report_rank r;
	assert_int_equal(report_rank_load(db, "many", STORE_DEVICE, REPORT_RANK_CYCLE, 1, 5000,
	                                  t_of(APRIL_15), &r),
	                 0);
	assert_int_equal(r.n, 1000);
	assert_int_equal(r.counters, 1003);
	assert_int_equal(r.rx, 1003 * 1004 / 2);
	assert_int_equal(r.tx, 0);
	assert_int_equal(r.items[0].rx, 1003);
	assert_string_equal(r.items[0].name, "02:00:00:00:03:EB");
	assert_int_equal(r.items[999].rx, 4);
	report_rank_free(&r);
	assert_int_equal(report_rank_load(db, "many", STORE_DEVICE, REPORT_RANK_CYCLE, 2, 2,
	                                  t_of(APRIL_15), &r),
	                 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.counters, 1003);
	report_rank_free(&r);
}

static void rank_table_and_csv_show_names_addresses_and_shares(void **state)
{
	(void)state;
	ASSERT_DOC(rank_doc("home", STORE_DEVICE, REPORT_RANK_CYCLE, 1000, APRIL_15, 't'),
	           " home / devices  (this cycle 2026-04-01 .. 2026-04-30, Europe/Berlin)\n"
	           "\n"
	           " #  name               address                 rx           tx        total    "
	           "share\n"
	           " -  -----------------  -------------  -----------  -----------  -----------  "
	           "-------\n"
	           " 1  laptop             192.168.88.10     2.86 MiB   976.66 KiB     3.82 MiB   "
	           "99.8 %\n"
	           " 2  AA:BB:CC:00:00:02  -                   1000 B     2.93 KiB     3.91 KiB    "
	           "0.1 %\n"
	           " 3  tv, \"living\"       192.168.88.12     1.95 KiB     1.95 KiB     3.91 KiB  "
	           "  0.1 %\n"
	           " -  -----------------  -------------  -----------  -----------  -----------  "
	           "-------\n"
	           "    all 3 devices                        2.86 MiB   981.54 KiB     3.82 MiB  "
	           "100.0 %\n");
	ASSERT_DOC(rank_doc("home", STORE_DEVICE, REPORT_RANK_CYCLE, 1000, APRIL_15, 'c'),
	           "interface,name,address,rx,tx\n"
	           "AA:BB:CC:00:00:01,laptop,192.168.88.10,3000500,1000100\n"
	           "AA:BB:CC:00:00:02,AA:BB:CC:00:00:02,,1000,3000\n"
	           "AA:BB:CC:00:00:03,\"tv, \"\"living\"\"\",192.168.88.12,2000,2000\n");
	ASSERT_DOC(rank_doc("home", STORE_DEVICE, REPORT_RANK_LAST_CYCLE, 1000, APRIL_15, 't'),
	           " home / devices  (last cycle 2026-03-01 .. 2026-03-31, Europe/Berlin)\n"
	           "\n"
	           " #  name       address           rx           tx        total    share\n"
	           " -  ---------  -------  -----------  -----------  -----------  -------\n"
	           " 1  old phone  -           6.84 KiB          0 B     6.84 KiB  100.0 %\n"
	           " -  ---------  -------  -----------  -----------  -----------  -------\n"
	           "    all 1 device           6.84 KiB          0 B     6.84 KiB  100.0 %\n");
}

static void rank_periods_have_names(void **state)
{
	(void)state;
	enum report_rank_period p;
	for (int i = 0; i < REPORT_RANK_PERIOD_COUNT; i++) {
		assert_int_equal(report_rank_period_parse(
		                         report_rank_period_name((enum report_rank_period)i), &p),
		                 0);
		assert_int_equal(p, i);
	}
	assert_int_equal(report_rank_period_parse("month", &p), -1);
	assert_null(report_rank_period_name(REPORT_RANK_PERIOD_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(iec_formats_bytes_then_binary_units_with_two_decimals),
	        cmocka_unit_test(range_defaults_cover_the_documented_windows),
	        cmocka_unit_test(range_takes_dates_and_times_and_names_what_is_wrong),
	        cmocka_unit_test(select_without_names_lists_every_interface_by_router_and_name),
	        cmocka_unit_test(select_names_the_unknown_router_or_interface),
	        cmocka_unit_test(select_refuses_an_interface_name_found_on_several_routers),
	        cmocka_unit_test(select_finds_a_named_interface_without_listing_the_counters),
	        cmocka_unit_test(monthly_table_shows_months_estimate_for_this_month_and_sum),
	        cmocka_unit_test(monthly_table_of_a_past_window_has_no_estimate),
	        cmocka_unit_test(monthly_json_is_the_api_document_with_offsets_across_dst),
	        cmocka_unit_test(monthly_csv_lists_bucket_starts_with_offsets),
	        cmocka_unit_test(daily_json_around_spring_dst_has_a_23_hour_day),
	        cmocka_unit_test(hourly_report_has_no_hour_two_on_the_spring_dst_day),
	        cmocka_unit_test(hourly_table_tells_the_repeated_autumn_hour_apart_by_offset),
	        cmocka_unit_test(daily_table_escapes_a_latin1_name_and_estimates_today),
	        cmocka_unit_test(json_escapes_a_latin1_name_as_its_code_points),
	        cmocka_unit_test(json_of_a_router_is_an_array_of_its_interfaces),
	        cmocka_unit_test(json_prints_sizes_up_to_2_64_minus_1_exactly),
	        cmocka_unit_test(a_window_without_traffic_says_so),
	        cmocka_unit_test(cycle_json_projects_the_total_to_the_cycle_end),
	        cmocka_unit_test(cycle_json_has_null_quota_and_percent_without_a_quota),
	        cmocka_unit_test(cycle_estimate_needs_an_hour_of_data),
	        cmocka_unit_test(cycle_table_shows_used_estimate_and_quota),
	        cmocka_unit_test(cycle_csv_is_one_line_with_a_header),
	        cmocka_unit_test(rate_is_decimal_bits_per_second_with_two_decimals),
	        cmocka_unit_test(range_count_goes_back_that_many_buckets_and_0_means_all),
	        cmocka_unit_test(top_orders_days_by_total_then_date_and_keeps_the_limit),
	        cmocka_unit_test(summary_shows_days_and_cycles_with_rates_estimates_and_quota),
	        cmocka_unit_test(short_summary_keeps_today_and_this_cycle),
	        cmocka_unit_test(oneline_has_vnstat_fields_with_the_router_added),
	        cmocka_unit_test(select_names_a_queue_or_a_device_by_mac_in_any_form),
	        cmocka_unit_test(an_interface_wins_over_a_queue_of_the_same_name),
	        cmocka_unit_test(
	                a_device_has_series_and_cycle_as_an_interface_with_its_name_in_tables),
	        cmocka_unit_test(rank_json_orders_by_total_then_name_with_totals_over_all),
	        cmocka_unit_test(rank_of_an_unknown_router_or_a_kind_without_counters_is_empty),
	        cmocka_unit_test(rank_keeps_at_most_1000_items_and_totals_every_counter),
	        cmocka_unit_test(rank_table_and_csv_show_names_addresses_and_shares),
	        cmocka_unit_test(rank_periods_have_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
