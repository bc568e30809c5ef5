/*
 * test_billing.c — a bill's state from a real database (billing.c): exact
 * sums over counters of every kind (one not in the database yet), the
 * directions, the bill's own cycle day, the percentile of bill.h's worked
 * example with its buckets spread over several counters, the JSON, which
 * bills include a counter, and the percentile cache of /metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing.h"
#include "calendar.h"
#include "cycle.h"
#include "tmpdir.h"

#define DAY  86400
#define MBIT UINT64_C(37500000) /* bytes in 5 minutes at 1 Mbit/s */
#define MAC  "AA:BB:CC:DD:EE:FF"

/* 2026-12-01 00:00 UTC: bill.h's cycle. */
static const int64_t START = 1796083200;

static char dir[256], path[512];
static store *w; /* read-write: the test writes buckets */

/* A configuration of two routers and one bill over four counters of home:
 * an interface, a queue, a device and an interface without traffic yet. */
static char *names[2] = {"home", "shop"};
static struct cfg_router routers[2];
static struct cfg_bill_counter counters[4];
static struct cfg_bill bills[2];
static struct cfg config = {
        .cycle_start_day = 1, .routers = routers, .n_routers = 2, .bills = bills, .n_bills = 2};

static int setup(void **state)
{
	(void)state;
	char err[256];
	if (calendar_set_zone("UTC") || tmpdir_make(dir, sizeof dir, "test_billing"))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	w = store_open(path, false, err, sizeof err);
	if (!w)
		return -1;
	routers[0].name = names[0];
	routers[1].name = names[1];
	counters[0] = (struct cfg_bill_counter){0, CFG_COUNTER_INTERFACE, "ether1"};
	counters[1] = (struct cfg_bill_counter){0, CFG_COUNTER_QUEUE, "q1"};
	counters[2] = (struct cfg_bill_counter){0, CFG_COUNTER_DEVICE, MAC};
	counters[3] = (struct cfg_bill_counter){0, CFG_COUNTER_INTERFACE, "lte1"};
	bills[0] = (struct cfg_bill){.name = "internet",
	                             .counters = counters,
	                             .n_counters = 4,
	                             .direction = CFG_DIR_BOTH,
	                             .cycle_start_day = 1,
	                             .quota = 5000000000,
	                             .percentile = 95,
	                             .committed_bps = 10000000};
	/* shop's own interface, billed from the 15th */
	static struct cfg_bill_counter shop = {1, CFG_COUNTER_INTERFACE, "ether1"};
	bills[1] = (struct cfg_bill){
	        .name = "shop", .counters = &shop, .n_counters = 1, .cycle_start_day = 15};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(w);
	return tmpdir_remove(dir);
}

static int64_t id_of(const char *router, enum store_kind kind, const char *name)
{
	int64_t id;
	assert_int_equal(store_counter_id(w, router, kind, name, &id), 0);
	return id;
}

/* Slot k of the cycle: rx and tx in Mbit/s, as 5-minute buckets only. */
static void slot(int64_t id, int k, uint64_t rx, uint64_t tx)
{
	assert_int_equal(store_add_traffic(w, id, STEP_5MIN, START + k * 300, rx * MBIT, tx * MBIT),
	                 0);
}

/* bill.h's worked example over three counters of the bill (rx of the
 * interface and the device, tx of the queue), with day buckets that hold
 * the same bytes; a counter outside the bill and buckets outside the
 * cycle must not count. */
static void seed_worked_example(void **state)
{
	(void)state;
	int64_t eth = id_of("home", STORE_IFACE, "ether1");
	int64_t q = id_of("home", STORE_QUEUE, "q1");
	int64_t dev = id_of("home", STORE_DEVICE, MAC);
	int64_t other = id_of("home", STORE_IFACE, "ether2");
	for (int k = 6; k < 16; k++)
		slot(eth, k, 4, 0);
	slot(eth, 16, 6, 0);
	slot(eth, 17, 6, 0);
	slot(eth, 18, 8, 0);
	slot(eth, 19, 30, 0); /* the spike of 50, split over two counters */
	slot(dev, 19, 20, 0);
	for (int k = 6; k < 18; k++)
		slot(q, k, 0, 1);
	slot(q, 18, 0, 12);
	slot(q, 19, 0, 12);
	slot(eth, 20, 90, 90); /* 01:40: still running at 01:42 */
	slot(other, 18, 500, 500);
	/* The day buckets: what the cycle's bytes are summed from. */
	assert_int_equal(store_add_traffic(w, eth, STEP_DAY, START, 90 * MBIT, 0), 0);
	assert_int_equal(store_add_traffic(w, dev, STEP_DAY, START, 20 * MBIT, 0), 0);
	assert_int_equal(store_add_traffic(w, q, STEP_DAY, START, 0, 36 * MBIT), 0);
	assert_int_equal(store_add_traffic(w, other, STEP_DAY, START, 7, 7), 0);
	assert_int_equal(store_add_traffic(w, eth, STEP_DAY, START - DAY, 1000, 1000), 0);
	assert_int_equal(store_add_traffic(w, q, STEP_DAY, START + 31 * DAY, 1000, 1000), 0);
}

static void sums_the_counters_of_every_kind_in_each_direction(void **state)
{
	(void)state;
	struct billing_state st;
	int64_t now = START + 102 * 60;
	assert_int_equal(billing_load(w, &config, &bills[0], now, false, &st), 0);
	assert_int_equal(st.usage.start, START);
	assert_int_equal(st.usage.end, START + 31 * DAY);
	assert_int_equal(st.usage.rx, 4125000000);
	assert_int_equal(st.usage.tx, 1350000000);
	assert_int_equal(st.usage.used, 5475000000);
	assert_int_equal(st.usage.used_hundredths, 10950);
	assert_int_equal(st.usage.overage, 475000000);
	assert_int_equal(st.usage.estimate,
	                 cycle_project(5475000000, START, START + 31 * DAY, now));
	assert_false(st.has_percentile); /* not asked for */

	bills[0].direction = CFG_DIR_RX;
	assert_int_equal(billing_load(w, &config, &bills[0], now, false, &st), 0);
	assert_int_equal(st.usage.used, 4125000000);
	assert_int_equal(st.usage.used_hundredths, 8250);
	assert_int_equal(st.usage.overage, 0);
	bills[0].direction = CFG_DIR_TX;
	assert_int_equal(billing_load(w, &config, &bills[0], now, false, &st), 0);
	assert_int_equal(st.usage.used, 1350000000);
	assert_int_equal(st.usage.used_hundredths, 2700);
	bills[0].direction = CFG_DIR_BOTH;
}

static void percentile_is_the_worked_example(void **state)
{
	(void)state;
	struct billing_state st;
	assert_int_equal(billing_load(w, &config, &bills[0], START + 102 * 60, true, &st), 0);
	assert_true(st.has_percentile);
	assert_int_equal(st.pct.samples, 20);
	assert_int_equal(st.pct.rx_bps, 8000000); /* 30 + 20 = the spike, discarded */
	assert_int_equal(st.pct.tx_bps, 12000000);
	assert_int_equal(st.pct.billed_bps, 12000000);
	assert_int_equal(st.pct.overage_bps, 2000000);
	bills[0].direction = CFG_DIR_RX;
	assert_int_equal(billing_load(w, &config, &bills[0], START + 102 * 60, true, &st), 0);
	assert_int_equal(st.pct.billed_bps, 8000000);
	assert_int_equal(st.pct.overage_bps, 0);
	bills[0].direction = CFG_DIR_BOTH;
}

static void json_has_every_member(void **state)
{
	(void)state;
	struct billing_state st[2];
	struct text_buf out = TEXT_BUF_INIT;
	assert_int_equal(billing_load(w, &config, &bills[0], START + 102 * 60, true, &st[0]), 0);
	assert_int_equal(billing_json(st, 1, false, &out), 0);
	assert_string_equal(
	        text_buf_str(&out),
	        "{\"name\":\"internet\",\"counters\":[\"home/ether1\",\"home/q1\",\"home/" MAC
	        "\",\"home/lte1\"],\"direction\":\"both\",\"start\":\"2026-12-01T00:00:00+00:00\","
	        "\"end\":\"2027-01-01T00:00:00+00:00\",\"rx\":4125000000,\"tx\":1350000000,"
	        "\"used\":5475000000,\"estimate\":2396117647058,\"quota\":5000000000,"
	        "\"used_percent\":109.50,\"overage\":475000000,\"percentile\":95,"
	        "\"percentile_bps\":{\"rx\":8000000,\"tx\":12000000},\"billed_bps\":12000000,"
	        "\"committed_bps\":10000000,\"rate_overage_bps\":2000000}\n");
	/* Without a quota or a percentile: nulls and no percentile members. */
	text_buf_reset(&out);
	assert_int_equal(billing_load(w, &config, &bills[1], START + 102 * 60, true, &st[1]), 0);
	assert_int_equal(billing_json(&st[1], 1, true, &out), 0);
	assert_string_equal(text_buf_str(&out),
	                    "[{\"name\":\"shop\",\"counters\":[\"shop/ether1\"],\"direction\":"
	                    "\"both\",\"start\":\"2026-11-15T00:00:00+00:00\",\"end\":\"2026-12-"
	                    "15T00:00:00+00:00\",\"rx\":0,\"tx\":0,\"used\":0,\"estimate\":0,"
	                    "\"quota\":null,\"used_percent\":null,\"overage\":0}]\n");
	text_buf_free(&out);
}

static void a_bill_has_its_own_cycle_day(void **state)
{
	(void)state;
	int64_t shop = id_of("shop", STORE_IFACE, "ether1");
	/* Dec 14 belongs to the cycle from Nov 15, Dec 15 starts the next. */
	assert_int_equal(store_add_traffic(w, shop, STEP_DAY, START + 13 * DAY, 100, 1), 0);
	assert_int_equal(store_add_traffic(w, shop, STEP_DAY, START + 14 * DAY, 20, 2), 0);
	assert_int_equal(store_add_traffic(w, shop, STEP_DAY, START + 20 * DAY, 3, 3), 0);
	struct billing_state st;
	assert_int_equal(billing_load(w, &config, &bills[1], START + 20 * DAY + 3600, true, &st),
	                 0);
	assert_int_equal(st.usage.start, START + 14 * DAY);
	assert_int_equal(st.usage.end, START + 45 * DAY);
	assert_int_equal(st.usage.rx, 23);
	assert_int_equal(st.usage.tx, 5);
	assert_int_equal(st.usage.used, 28);
	assert_false(st.has_percentile);
	assert_int_equal(billing_load(w, &config, &bills[1], START + 13 * DAY + 5, false, &st), 0);
	assert_int_equal(st.usage.start, START - 16 * DAY); /* 2026-11-15 */
	assert_int_equal(st.usage.rx, 100);
}

static void includes_matches_router_name_and_mac_in_any_case(void **state)
{
	(void)state;
	assert_true(billing_includes(&config, &bills[0], "home", "ether1"));
	assert_true(billing_includes(&config, &bills[0], "home", "q1"));
	assert_true(billing_includes(&config, &bills[0], "home", "aa:bb:cc:dd:ee:ff"));
	assert_true(billing_includes(&config, &bills[0], NULL, "lte1"));
	assert_true(billing_includes(&config, &bills[0], "home", NULL));
	assert_false(billing_includes(&config, &bills[0], "shop", "ether1"));
	assert_false(billing_includes(&config, &bills[0], "home", "ether2"));
	assert_false(billing_includes(&config, &bills[0], "shop", NULL));
	assert_true(billing_includes(&config, &bills[1], "shop", "ether1"));
	assert_true(billing_includes(&config, &bills[1], NULL, NULL));
}

static void the_cache_keeps_a_percentile_for_60_seconds(void **state)
{
	(void)state;
	struct billing_cache *k = billing_cache_new(&config);
	struct billing_state st;
	int64_t now = START + 102 * 60, q = id_of("home", STORE_QUEUE, "q1");
	assert_non_null(k);
	assert_int_equal(billing_cache_load(k, w, &bills[0], now, 1000, &st), 0);
	assert_true(st.has_percentile);
	assert_int_equal(st.pct.tx_bps, 12000000);
	/* Two more slots at 40 Mbit/s: the 95th percentile of tx becomes 40. */
	slot(q, 2, 0, 40);
	slot(q, 3, 0, 40);
	assert_int_equal(billing_cache_load(k, w, &bills[0], now, 1059, &st), 0);
	assert_int_equal(st.pct.tx_bps, 12000000); /* cached */
	assert_int_equal(st.usage.tx, 1350000000); /* the usage never is: day buckets */
	assert_int_equal(billing_cache_load(k, w, &bills[0], now, 1060, &st), 0);
	assert_int_equal(st.pct.tx_bps, 40000000);
	/* A new cycle is computed at once. */
	assert_int_equal(billing_cache_load(k, w, &bills[0], START + 31 * DAY + 600, 1061, &st), 0);
	assert_int_equal(st.usage.start, START + 31 * DAY);
	assert_int_equal(st.pct.samples, 2);
	/* A bill without percentile has none. */
	assert_int_equal(billing_cache_load(k, w, &bills[1], now, 1061, &st), 0);
	assert_false(st.has_percentile);
	billing_cache_free(k);
	billing_cache_free(NULL);
}

static void tables_name_every_figure(void **state)
{
	(void)state;
	struct billing_state st;
	struct text_buf out = TEXT_BUF_INIT;
	assert_int_equal(billing_load(w, &config, &bills[0], START + 102 * 60, true, &st), 0);
	assert_int_equal(billing_table(&st, 1, &out), 0);
	const char *t = text_buf_str(&out);
	assert_non_null(strstr(t, " bill internet: home/ether1 + home/q1 + home/" MAC
	                          " + home/lte1 (both)\n"));
	assert_non_null(strstr(t, "cycle        2026-12-01 .. 2026-12-31\n"));
	assert_non_null(strstr(t, "used         5.10 GiB of 4.66 GiB (109.50 %)\n"));
	assert_non_null(strstr(t, "95th         rx 8.00 Mbit/s, tx 12.00 Mbit/s (20 samples)\n"));
	assert_non_null(strstr(t, "billed rate  12.00 Mbit/s (committed 10.00 Mbit/s, 2.00 "
	                          "Mbit/s over)\n"));
	text_buf_reset(&out);
	assert_int_equal(billing_lines(&st, 1, &out), 0);
	assert_non_null(strstr(text_buf_str(&out), "internet: 5.10 GiB of 4.66 GiB (109.50 %), "
	                                           "estimate "));
	assert_non_null(strstr(text_buf_str(&out), ", 95th percentile 12.00 Mbit/s\n"));
	text_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(seed_worked_example),
	        cmocka_unit_test(sums_the_counters_of_every_kind_in_each_direction),
	        cmocka_unit_test(percentile_is_the_worked_example),
	        cmocka_unit_test(json_has_every_member),
	        cmocka_unit_test(tables_name_every_figure),
	        cmocka_unit_test(a_bill_has_its_own_cycle_day),
	        cmocka_unit_test(includes_matches_router_name_and_mac_in_any_case),
	        cmocka_unit_test(the_cache_keeps_a_percentile_for_60_seconds),
	};
	int rc = setup(NULL);
	if (rc == 0)
		rc = cmocka_run_group_tests(tests, NULL, NULL);
	return teardown(NULL) || rc;
}
