/*
 * test_metrics.c — unit tests of daemon/metrics.c: the whole /metrics
 * exposition for a fixed configuration, status table and store, compared
 * byte for byte with the text written out below, and the exposition
 * format's rules checked on it (each family's # HELP and # TYPE once,
 * before its samples; every sample of a family; nothing else).
 *
 * The fixture, in UTC, scraped at 2026-03-20 12:00 with billing cycles
 * from the 15th:
 *
 *   home    poll, quota 1 GB, ether1 and "w\xE9an" (Latin-1); polled
 *           twice (the last in 1.234 s), w\xE9an read by the first poll
 *           only, 700 + 300 bytes of ether1 in this cycle (and 5 bytes the
 *           cycle before)
 *   cabin   push, lte1 pushed twice
 *   off "x" poll, ether1; one timeout, never read, not in the store
 *
 * plus one refused push (bad token) and a database that failed its
 * integrity check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "metrics.h"
#include "routeros.h"
#include "status.h"
#include "store.h"
#include "tmpdir.h"

static char *home_ifaces[] = {"ether1", "w\351an"};
static char *cabin_ifaces[] = {"lte1"};
static char *off_ifaces[] = {"ether1"};
static struct cfg_router routers[] = {
        {.name = "home",
         .mode = MODE_POLL,
         .interfaces = home_ifaces,
         .n_interfaces = 2,
         .interval = 10,
         .quota = 1000000000,
         .queues_all = true,
         .devices = CFG_DEVICES_KID_CONTROL},
        {.name = "cabin",
         .mode = MODE_PUSH,
         .interfaces = cabin_ifaces,
         .n_interfaces = 1,
         .interval = 60},
        {.name = "off \"x\"",
         .mode = MODE_POLL,
         .interfaces = off_ifaces,
         .n_interfaces = 1,
         .interval = 10},
};
static const struct cfg fixture_cfg = {.routers = routers, .n_routers = 3, .cycle_start_day = 15};

static char tmpdir[256];
static store *db;
static struct status_snapshot snap;
static int64_t now;

static int64_t t_of(const char *iso)
{
	int64_t t;
	if (calendar_parse(iso, &t))
		fail_msg("bad time in test: %s", iso);
	return t;
}

static void seed_store(void)
{
	char err[512], path[512];
	assert_int_equal(tmpdir_make(tmpdir, sizeof tmpdir, "test_metrics"), 0);
	snprintf(path, sizeof path, "%s/metrics.db", tmpdir);
	db = store_open(path, false, err, sizeof err);
	if (!db)
		fail_msg("store_open: %s", err);
	int64_t ether1, wean, lte1;
	assert_int_equal(store_begin(db), 0);
	assert_int_equal(store_interface_id(db, "home", "ether1", &ether1), 0);
	assert_int_equal(store_interface_id(db, "home", "w\351an", &wean), 0);
	assert_int_equal(store_interface_id(db, "cabin", "lte1", &lte1), 0);
	assert_int_equal(store_add_traffic(db, ether1, STEP_DAY, t_of("2026-03-14"), 2, 3), 0);
	assert_int_equal(store_add_traffic(db, ether1, STEP_DAY, t_of("2026-03-15"), 400, 100), 0);
	assert_int_equal(store_add_traffic(db, ether1, STEP_DAY, t_of("2026-03-20"), 300, 200), 0);
	assert_int_equal(store_commit(db), 0);
}

static void seed_status(void)
{
	struct status *st = status_new(&fixture_cfg);
	assert_non_null(st);
	/* wéan read by the first poll only, ether1 by the second */
	status_reading(st, 0, 1, now - 15, 18446744073709551615u, 0);
	status_poll_ok(st, 0, now - 15, 1000);
	status_reading(st, 0, 0, now - 5, 1000, 2000);
	status_poll_ok(st, 0, now - 5, 1234);
	status_push_accepted(st, 1, "192.0.2.7");
	status_push_accepted(st, 1, "192.0.2.7");
	status_reading(st, 1, 0, now - 30, 42, 43);
	status_poll_failed(st, 2, ROS_ERR_TIMEOUT, NULL);
	status_push_rejected(st, PUSH_REJECT_TOKEN);
	struct status_counter q = {.kind = STORE_QUEUE,
	                           .name = "guest \"q\"",
	                           .present = true,
	                           .rx_total = 7,
	                           .tx_total = 8};
	struct status_counter d = {.kind = STORE_DEVICE,
	                           .name = "02:00:00:00:00:01",
	                           .display = "kid\nphone",
	                           .address = "192.0.2.9",
	                           .has_reading = true,
	                           .rx_total = 5,
	                           .tx_total = 6};
	status_counter_update(st, 0, &d);
	status_counter_update(st, 0, &q);
	status_cap_reached(st, 0, STORE_DEVICE, true);
	status_overdue(st, 2);
	status_poll_late(st, 3);     /* the first bucket */
	status_poll_late(st, 70);    /* between 50 and 100 ms */
	status_poll_late(st, 40000); /* beyond the last bound: +Inf only */
	struct store_health h = {
	        .last_commit = now - 60, .commit_failures = 2, .integrity_bad = true};
	status_database(st, &h);
	assert_int_equal(status_snapshot(st, &snap), 0);
	status_free(st);
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	now = t_of("2026-03-20 12:00");
	seed_store();
	seed_status();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	status_snapshot_free(&snap);
	store_close(db);
	tmpdir_remove(tmpdir);
	return 0;
}

/* The families every scrape has before the cycle families. */
static const char totals[] =
        "# HELP tikstat_interface_rx_bytes_total Bytes received by the interface since "
        "tikstat began counting it.\n"
        "# TYPE tikstat_interface_rx_bytes_total counter\n"
        "tikstat_interface_rx_bytes_total{router=\"home\",interface=\"ether1\"} 1000\n"
        "tikstat_interface_rx_bytes_total{router=\"home\",interface=\"w\303\251an\"} "
        "18446744073709551615\n"
        "tikstat_interface_rx_bytes_total{router=\"cabin\",interface=\"lte1\"} 42\n"
        "tikstat_interface_rx_bytes_total{router=\"off \\\"x\\\"\",interface=\"ether1\"} 0\n"
        "# HELP tikstat_interface_tx_bytes_total Bytes sent by the interface since tikstat "
        "began counting it.\n"
        "# TYPE tikstat_interface_tx_bytes_total counter\n"
        "tikstat_interface_tx_bytes_total{router=\"home\",interface=\"ether1\"} 2000\n"
        "tikstat_interface_tx_bytes_total{router=\"home\",interface=\"w\303\251an\"} 0\n"
        "tikstat_interface_tx_bytes_total{router=\"cabin\",interface=\"lte1\"} 43\n"
        "tikstat_interface_tx_bytes_total{router=\"off \\\"x\\\"\",interface=\"ether1\"} 0\n";

/* Only with a store: interfaces it knows, this cycle's bytes. */
static const char cycle[] =
        "# HELP tikstat_cycle_rx_bytes Bytes received in the current billing cycle.\n"
        "# TYPE tikstat_cycle_rx_bytes gauge\n"
        "tikstat_cycle_rx_bytes{router=\"home\",interface=\"ether1\"} 700\n"
        "tikstat_cycle_rx_bytes{router=\"home\",interface=\"w\303\251an\"} 0\n"
        "tikstat_cycle_rx_bytes{router=\"cabin\",interface=\"lte1\"} 0\n"
        "# HELP tikstat_cycle_tx_bytes Bytes sent in the current billing cycle.\n"
        "# TYPE tikstat_cycle_tx_bytes gauge\n"
        "tikstat_cycle_tx_bytes{router=\"home\",interface=\"ether1\"} 300\n"
        "tikstat_cycle_tx_bytes{router=\"home\",interface=\"w\303\251an\"} 0\n"
        "tikstat_cycle_tx_bytes{router=\"cabin\",interface=\"lte1\"} 0\n";

static const char rest[] =
        "# HELP tikstat_quota_bytes Quota per billing cycle (rx + tx) of each interface of the "
        "router.\n"
        "# TYPE tikstat_quota_bytes gauge\n"
        "tikstat_quota_bytes{router=\"home\"} 1000000000\n"
        "# HELP tikstat_up 1 when the last poll of the router succeeded.\n"
        "# TYPE tikstat_up gauge\n"
        "tikstat_up{router=\"home\"} 1\n"
        "tikstat_up{router=\"off \\\"x\\\"\"} 0\n"
        "# HELP tikstat_polls_total Polls of the router tried (connection attempts included).\n"
        "# TYPE tikstat_polls_total counter\n"
        "tikstat_polls_total{router=\"home\"} 2\n"
        "tikstat_polls_total{router=\"off \\\"x\\\"\"} 1\n"
        "# HELP tikstat_poll_failures_total Failed polls by reason.\n"
        "# TYPE tikstat_poll_failures_total counter\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"timeout\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"refused\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"resolve\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"auth\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"tls\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"protocol\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"closed\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"too_large\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"descriptors\"} 0\n"
        "tikstat_poll_failures_total{router=\"home\",reason=\"other\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"timeout\"} 1\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"refused\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"resolve\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"auth\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"tls\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"protocol\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"closed\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"too_large\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"descriptors\"} 0\n"
        "tikstat_poll_failures_total{router=\"off \\\"x\\\"\",reason=\"other\"} 0\n"
        "# HELP tikstat_poll_duration_seconds Duration of the last successful poll.\n"
        "# TYPE tikstat_poll_duration_seconds gauge\n"
        "tikstat_poll_duration_seconds{router=\"home\"} 1.234\n"
        "tikstat_poll_duration_seconds{router=\"off \\\"x\\\"\"} 0.000\n"
        "# HELP tikstat_poll_lateness_seconds How late polls started against their schedule "
        "(all routers).\n"
        "# TYPE tikstat_poll_lateness_seconds histogram\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"0.005\"} 1\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"0.010\"} 1\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"0.050\"} 1\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"0.100\"} 2\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"0.500\"} 2\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"1.000\"} 2\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"5.000\"} 2\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"30.000\"} 2\n"
        "tikstat_poll_lateness_seconds_bucket{le=\"+Inf\"} 3\n"
        "tikstat_poll_lateness_seconds_sum 40.073\n"
        "tikstat_poll_lateness_seconds_count 3\n"
        "# HELP tikstat_routers_overdue Routers more than a second past their poll's time (the "
        "daemon is short of CPU when this stays above 0).\n"
        "# TYPE tikstat_routers_overdue gauge\n"
        "tikstat_routers_overdue 2\n"
        "# HELP tikstat_last_success_timestamp_seconds Unix time of the last successful poll, "
        "0 = never.\n"
        "# TYPE tikstat_last_success_timestamp_seconds gauge\n"
        "tikstat_last_success_timestamp_seconds{router=\"home\"} 1774007995\n"
        "tikstat_last_success_timestamp_seconds{router=\"off \\\"x\\\"\"} 0\n"
        "# HELP tikstat_pushes_total Pushed readings accepted.\n"
        "# TYPE tikstat_pushes_total counter\n"
        "tikstat_pushes_total{router=\"cabin\"} 2\n"
        "# HELP tikstat_push_rejected_total Pushes refused, by reason.\n"
        "# TYPE tikstat_push_rejected_total counter\n"
        "tikstat_push_rejected_total{reason=\"token\"} 1\n"
        "tikstat_push_rejected_total{reason=\"parameter\"} 0\n"
        "tikstat_push_rejected_total{reason=\"interface\"} 0\n"
        "tikstat_push_rejected_total{reason=\"busy\"} 0\n"
        "# HELP tikstat_interface_up 1 when the interface was read in the router's last "
        "successful poll (push: pushed within 3 intervals), else 0.\n"
        "# TYPE tikstat_interface_up gauge\n"
        "tikstat_interface_up{router=\"home\",interface=\"ether1\"} 1\n"
        "tikstat_interface_up{router=\"home\",interface=\"w\303\251an\"} 0\n"
        "tikstat_interface_up{router=\"cabin\",interface=\"lte1\"} 1\n"
        "tikstat_interface_up{router=\"off \\\"x\\\"\",interface=\"ether1\"} 0\n"
        "# HELP tikstat_database_ok 1 when the database commits, prunes, is sound and is the "
        "file at its path.\n"
        "# TYPE tikstat_database_ok gauge\n"
        "tikstat_database_ok 0\n"
        "# HELP tikstat_database_problem 1 for each database problem present now (see "
        "tikstatd(8)).\n"
        "# TYPE tikstat_database_problem gauge\n"
        "tikstat_database_problem{problem=\"commit\"} 0\n"
        "tikstat_database_problem{problem=\"prune\"} 0\n"
        "tikstat_database_problem{problem=\"integrity\"} 1\n"
        "tikstat_database_problem{problem=\"file_deleted\"} 0\n"
        "tikstat_database_problem{problem=\"file_replaced\"} 0\n"
        "# HELP tikstat_database_last_commit_timestamp_seconds Unix time of the last successful "
        "commit, 0 = none since the start.\n"
        "# TYPE tikstat_database_last_commit_timestamp_seconds gauge\n"
        "tikstat_database_last_commit_timestamp_seconds 1774007940\n"
        "# HELP tikstat_database_commit_failures_total Commits that failed (their readings "
        "stayed pending and were retried).\n"
        "# TYPE tikstat_database_commit_failures_total counter\n"
        "tikstat_database_commit_failures_total 2\n"
        "# HELP tikstat_database_read_errors_total Reads that failed on a damaged or unreadable "
        "database file.\n"
        "# TYPE tikstat_database_read_errors_total counter\n"
        "tikstat_database_read_errors_total 0\n"
        "# HELP tikstat_queue_rx_bytes_total Bytes a simple queue's target downloaded (bytes= "
        "second value) since tikstat began counting it.\n"
        "# TYPE tikstat_queue_rx_bytes_total counter\n"
        "tikstat_queue_rx_bytes_total{router=\"home\",queue=\"guest \\\"q\\\"\"} 7\n"
        "# HELP tikstat_queue_tx_bytes_total Bytes a simple queue's target uploaded (bytes= "
        "first value) since tikstat began counting it.\n"
        "# TYPE tikstat_queue_tx_bytes_total counter\n"
        "tikstat_queue_tx_bytes_total{router=\"home\",queue=\"guest \\\"q\\\"\"} 8\n"
        "# HELP tikstat_device_rx_bytes_total Bytes a kid-control device downloaded "
        "(bytes-down) since tikstat began counting it.\n"
        "# TYPE tikstat_device_rx_bytes_total counter\n"
        "tikstat_device_rx_bytes_total{router=\"home\",mac=\"02:00:00:00:00:01\"} 5\n"
        "# HELP tikstat_device_tx_bytes_total Bytes a kid-control device uploaded (bytes-up) "
        "since tikstat began counting it.\n"
        "# TYPE tikstat_device_tx_bytes_total counter\n"
        "tikstat_device_tx_bytes_total{router=\"home\",mac=\"02:00:00:00:00:01\"} 6\n"
        "# HELP tikstat_device_info A tracked device's name and address as the router gives "
        "them (always 1).\n"
        "# TYPE tikstat_device_info gauge\n"
        "tikstat_device_info{router=\"home\",mac=\"02:00:00:00:00:01\",name=\"kid\\nphone\","
        "address=\"192.0.2.9\"} 1\n"
        "# HELP tikstat_counters_tracked Queues or devices the router's counters are tracked "
        "for (at most max_devices).\n"
        "# TYPE tikstat_counters_tracked gauge\n"
        "tikstat_counters_tracked{router=\"home\",kind=\"queue\"} 1\n"
        "tikstat_counters_tracked{router=\"home\",kind=\"device\"} 1\n"
        "# HELP tikstat_counters_cap_reached 1 when max_devices turned a queue or device away "
        "at the last poll.\n"
        "# TYPE tikstat_counters_cap_reached gauge\n"
        "tikstat_counters_cap_reached{router=\"home\",kind=\"queue\"} 0\n"
        "tikstat_counters_cap_reached{router=\"home\",kind=\"device\"} 1\n";

static char *render(store *s)
{
	struct text_buf out = TEXT_BUF_INIT;
	assert_int_equal(metrics_render(&fixture_cfg, &snap, s, now, &out), 0);
	char *text = strdup(text_buf_str(&out));
	text_buf_free(&out);
	assert_non_null(text);
	return text;
}

static char *concat(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* Compares got with want (both freed here), naming the first line that
 * differs. */
static void assert_text(char *got, char *want)
{
	const char *g = got, *w = want;
	unsigned line = 1;
	for (; *g && *g == *w; g++, w++)
		line += *g == '\n';
	bool same = *g == *w;
	char shown[240];
	snprintf(shown, sizeof shown, "line %u: got \"%.80s\", want \"%.80s\"", line,
	         g - (g > got ? 1 : 0), w - (w > want ? 1 : 0));
	free(got);
	free(want);
	if (!same)
		fail_msg("%s", shown);
}

static void exposition_is_byte_identical(void **state)
{
	(void)state;
	assert_text(render(db), concat(totals, cycle, rest));
}

static void without_a_store_the_cycle_families_are_left_out(void **state)
{
	(void)state;
	assert_text(render(NULL), concat(totals, "", rest));
}

/* The name a sample line is for: up to its '{' or blank. */
static size_t sample_name_len(const char *line)
{
	return strcspn(line, "{ ");
}

/* Whether a sample line of len name bytes belongs to family current: its
 * name, or for a histogram its name and _bucket, _sum or _count. */
static bool of_family(const char *line, size_t len, const char *current, bool histogram)
{
	size_t n = strlen(current);
	if (len < n || memcmp(line, current, n) != 0)
		return false;
	if (len == n)
		return !histogram;
	static const char *const parts[] = {"_bucket", "_sum", "_count"};
	for (size_t i = 0; histogram && i < 3; i++)
		if (len - n == strlen(parts[i]) && memcmp(line + n, parts[i], len - n) == 0)
			return true;
	return false;
}

/* Checks the exposition format on text: "# HELP name ..." then "# TYPE
 * name counter|gauge|histogram", each name once, then only samples of
 * that name (a histogram's: name_bucket, name_sum, name_count), each
 * "name{...} value" or "name value", at least one family. */
static void check_format(const char *text)
{
	char seen[64][80];
	size_t nseen = 0;
	char current[80] = "";
	bool histogram = false;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		char line[512];
		size_t n = (size_t)(nl - p);
		assert_true(n < sizeof line);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			size_t nl2 = strcspn(line + 7, " ");
			assert_true(nl2 > 0 && nl2 < sizeof current);
			snprintf(current, sizeof current, "%.*s", (int)nl2, line + 7);
			for (size_t i = 0; i < nseen; i++)
				if (strcmp(seen[i], current) == 0)
					fail_msg("family %s twice", current);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof seen[0], "%s", current);
			/* the TYPE line follows at once */
			char type[128];
			nl = strchr(p, '\n');
			assert_non_null(nl);
			snprintf(type, sizeof type, "%.*s", (int)(nl - p), p);
			char want_c[128], want_g[128], want_h[128];
			snprintf(want_c, sizeof want_c, "# TYPE %s counter", current);
			snprintf(want_g, sizeof want_g, "# TYPE %s gauge", current);
			snprintf(want_h, sizeof want_h, "# TYPE %s histogram", current);
			histogram = strcmp(type, want_h) == 0;
			if (strcmp(type, want_c) != 0 && strcmp(type, want_g) != 0 && !histogram)
				fail_msg("after HELP of %s: %s", current, type);
			p = nl + 1;
			continue;
		}
		assert_true(line[0] != '#');
		size_t len = sample_name_len(line);
		if (!current[0] || !of_family(line, len, current, histogram))
			fail_msg("sample outside its family: %s", line);
		const char *value = strrchr(line, ' ');
		assert_non_null(value);
		char *end;
		strtod(value + 1, &end);
		if (end == value + 1 || *end)
			fail_msg("bad value: %s", line);
	}
	assert_true(nseen > 0);
}

static void every_family_has_help_and_type_before_its_samples(void **state)
{
	(void)state;
	char *with = render(db), *without = render(NULL);
	check_format(with);
	check_format(without);
	free(with);
	free(without);
}

/* The bill families: used bytes in each bill's own cycle and direction,
 * the quota of a bill that has one, the percentile rates of a bill that
 * asks for them; none without a store but the quota. */
static void bills_have_their_families(void **state)
{
	(void)state;
	struct cfg_bill_counter ether1 = {0, CFG_COUNTER_INTERFACE, "ether1"};
	struct cfg_bill bills[] = {
	        {.name = "internet",
	         .counters = &ether1,
	         .n_counters = 1,
	         .cycle_start_day = 15,
	         .quota = 5000,
	         .percentile = 95},
	        {.name = "kids \"1\"",
	         .counters = &ether1,
	         .n_counters = 1,
	         .direction = CFG_DIR_RX,
	         .cycle_start_day = 1},
	};
	struct cfg c = fixture_cfg;
	c.bills = bills;
	c.n_bills = 2;
	struct text_buf out = TEXT_BUF_INIT;
	assert_int_equal(metrics_render(&c, &snap, db, now, &out), 0);
	check_format(text_buf_str(&out));
	const char *want[] = {
	        "tikstat_bill_used_bytes{bill=\"internet\"} 1000\n",
	        "tikstat_bill_used_bytes{bill=\"kids \\\"1\\\"\"} 702\n",
	        "tikstat_bill_quota_bytes{bill=\"internet\"} 5000\n",
	        "tikstat_bill_percentile_bps{bill=\"internet\",direction=\"rx\"} 0\n",
	        "tikstat_bill_percentile_bps{bill=\"internet\",direction=\"tx\"} 0\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(text_buf_str(&out), want[i]))
			fail_msg("no line %s in:\n%s", want[i], text_buf_str(&out));
	assert_null(strstr(text_buf_str(&out), "tikstat_bill_quota_bytes{bill=\"kids"));
	assert_null(strstr(text_buf_str(&out), "percentile_bps{bill=\"kids"));
	text_buf_reset(&out);
	assert_int_equal(metrics_render(&c, &snap, NULL, now, &out), 0);
	assert_null(strstr(text_buf_str(&out), "tikstat_bill_used_bytes"));
	assert_non_null(
	        strstr(text_buf_str(&out), "tikstat_bill_quota_bytes{bill=\"internet\"} 5000\n"));
	text_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(exposition_is_byte_identical),
	        cmocka_unit_test(without_a_store_the_cycle_families_are_left_out),
	        cmocka_unit_test(every_family_has_help_and_type_before_its_samples),
	        cmocka_unit_test(bills_have_their_families),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
