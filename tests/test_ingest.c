/*
 * test_ingest.c — the one ingest point (ingest.c) over a real store,
 * recorder, status table and alert runner: references built once per
 * configured counter, and a reading's effects on each of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rig.h"

static struct rig rig;

static const char routers[] = "[router home]\n"
                              "host = 127.0.0.1\n"
                              "password = pw\n"
                              "interfaces = ether1, \"ether2 lan\"\n"
                              "quota = 1000\n"
                              "queues = *\n"
                              "devices = kid-control\n"
                              "max_devices = 2\n"
                              "device_idle = 1h\n"
                              "alert_command = echo \"$TIKSTAT_PERCENT $TIKSTAT_USED\" > "
                              "\"$ALERT_FILE\"\n"
                              "\n"
                              "[router cabin]\n"
                              "mode = push\n"
                              "push_token_file = %s/cabin.token\n"
                              "interfaces = lte1\n";

static int setup(void **state)
{
	(void)state;
	char text[2048], file[512];
	if (rig_init(&rig, "test_ingest") < 0 ||
	    rig_write(&rig, "cabin.token", "tok-0123456789abcdef\n") < 0)
		return -1;
	snprintf(text, sizeof text, routers, rig.dir);
	snprintf(file, sizeof file, "%s/alert", rig.dir);
	setenv("ALERT_FILE", file, 1);
	return rig_start(&rig, text);
}

static int teardown(void **state)
{
	(void)state;
	rig_close(&rig);
	return 0;
}

/* A reading of counters rx/tx at Unix time t (monotonic clock alike). */
static struct acct_reading reading(int64_t t, uint64_t rx, uint64_t tx, enum acct_source src)
{
	return (struct acct_reading){
	        .time = t, .mono_ms = t * 1000, .source = src, .rx = rx, .tx = tx};
}

/* The status table's row of ref. */
static struct status_iface status_of(const struct ingest_ref *ref)
{
	struct status_snapshot snap;
	assert_int_equal(status_snapshot(rig.status, &snap), 0);
	struct status_iface f = snap.routers[ref->router].ifaces[ref->iface];
	status_snapshot_free(&snap);
	return f;
}

static void one_reference_per_configured_counter(void **state)
{
	(void)state;
	assert_int_equal(ingest_count(rig.ingest), 3);
	assert_int_equal(ingest_find(rig.ingest, 0, 0), 0);
	assert_int_equal(ingest_find(rig.ingest, 0, 1), 1);
	assert_int_equal(ingest_find(rig.ingest, 1, 0), 2);
	assert_int_equal(ingest_find(rig.ingest, 1, 1), -1);
	assert_int_equal(ingest_find(rig.ingest, 2, 0), -1);
	assert_int_equal(ingest_resolve(rig.ingest, 0, 1), 1);
	assert_null(ingest_ref(rig.ingest, 3));
	for (size_t id = 0; id < 3; id++) {
		const struct ingest_ref *ref = ingest_ref(rig.ingest, id);
		assert_non_null(ref);
		const struct cfg_router *c = &rig.cfg->routers[ref->router];
		assert_ptr_equal(ref->cfg, c);
		assert_string_equal(ref->name, c->interfaces[ref->iface]);
		int64_t id_in_store;
		assert_int_equal(store_find_interface(rig.db, c->name, ref->name, &id_in_store), 0);
		assert_int_equal(ref->store_id, id_in_store);
		assert_int_equal(recorder_iface_id(rig.rec, ref->handle), id_in_store);
	}
	/* Polled routers first, so the store's ids are as they always were. */
	assert_true(ingest_ref(rig.ingest, 2)->store_id > ingest_ref(rig.ingest, 1)->store_id);
}

static void a_reading_reaches_recorder_and_status(void **state)
{
	(void)state;
	const struct ingest_ref *ref = ingest_ref(rig.ingest, 1); /* home, "ether2 lan" */
	int64_t t = (int64_t)time(NULL);
	struct acct_delta d;
	struct acct_reading r0 = reading(t, 5000, 7000, ACCT_SRC_POLL);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r0, t, &d), 0);
	assert_int_equal(d.kind, ACCT_BASELINE);
	struct acct_reading r1 = reading(t + 10, 5300, 7100, ACCT_SRC_POLL);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r1, t + 10, &d), 0);
	assert_int_equal(d.kind, ACCT_NORMAL);
	assert_int_equal(d.rx, 300);
	assert_int_equal(d.tx, 100);
	uint64_t rx, tx;
	recorder_totals(rig.rec, ref->handle, &rx, &tx);
	assert_int_equal(rx, 300);
	assert_int_equal(tx, 100);
	assert_int_equal(recorder_last(rig.rec, ref->handle)->rx, 5300);
	struct status_iface f = status_of(ref);
	assert_true(f.has_reading);
	assert_int_equal(f.last_time, t + 10);
	assert_int_equal(f.rx_total, 300);
	assert_int_equal(f.tx_total, 100);
	/* The other counters did not move. */
	assert_false(status_of(ingest_ref(rig.ingest, 0)).has_reading);
	assert_null(recorder_last(rig.rec, ingest_ref(rig.ingest, 2)->handle));
}

static void a_pushed_reading_takes_the_same_path(void **state)
{
	(void)state;
	const struct ingest_ref *ref = ingest_ref(rig.ingest, 2); /* cabin, lte1 */
	int64_t t = (int64_t)time(NULL);
	struct acct_reading r0 = reading(t, 100, 200, ACCT_SRC_PUSH);
	struct acct_reading r1 = reading(t + 60, 150, 260, ACCT_SRC_PUSH);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r0, t, NULL), 0);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r1, t + 60, NULL), 0);
	struct status_iface f = status_of(ref);
	assert_int_equal(f.rx_total, 50);
	assert_int_equal(f.tx_total, 60);
	assert_int_equal(recorder_last(rig.rec, ref->handle)->source, ACCT_SRC_PUSH);
}

/* Whether percent was marked for ref in the cycle containing t. */
static bool marked(const struct ingest_ref *ref, int64_t t, int percent)
{
	int64_t start, end;
	bool sent = false;
	calendar_cycle(t, rig.cfg->cycle_start_day, &start, &end);
	assert_int_equal(store_alert_sent(rig.db, ref->store_id, start, percent, &sent), 0);
	return sent;
}

static void crossing_the_quota_runs_the_alert_once_for_the_highest(void **state)
{
	(void)state;
	const struct ingest_ref *ref = ingest_ref(rig.ingest, 0); /* home, ether1: quota 1000 */
	int64_t t = (int64_t)time(NULL);
	struct acct_reading r0 = reading(t, 0, 0, ACCT_SRC_POLL);
	struct acct_reading r1 = reading(t + 10, 500, 200, ACCT_SRC_POLL); /* 70 % */
	assert_int_equal(ingest_reading(rig.ingest, ref, &r0, t, NULL), 0);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r1, t + 10, NULL), 0);
	assert_false(marked(ref, t + 10, 80));
	assert_int_equal(alerts_running(rig.alerts), 0);
	struct acct_reading r2 = reading(t + 20, 700, 350, ACCT_SRC_POLL); /* 105 % */
	assert_int_equal(ingest_reading(rig.ingest, ref, &r2, t + 20, NULL), 0);
	assert_true(marked(ref, t + 20, 80));
	assert_true(marked(ref, t + 20, 90));
	assert_true(marked(ref, t + 20, 100));
	assert_int_equal(alerts_running(rig.alerts), 1);
	/* Up to 60 s for the command to finish, then its output. */
	for (int i = 0; i < 6000 && alerts_running(rig.alerts) > 0; i++) {
		alerts_reap(rig.alerts);
		struct timespec ts = {0, 10 * 1000 * 1000};
		if (alerts_running(rig.alerts) > 0)
			nanosleep(&ts, NULL);
	}
	assert_int_equal(alerts_running(rig.alerts), 0);
	char path[512], line[64] = "";
	snprintf(path, sizeof path, "%s/alert", rig.dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_string_equal(line, "100 1050\n");
	/* Once per threshold per cycle: no second command. */
	struct acct_reading r3 = reading(t + 30, 800, 400, ACCT_SRC_POLL);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r3, t + 30, NULL), 0);
	assert_int_equal(alerts_running(rig.alerts), 0);
}

/* The status row of router 0's counter (kind, name); false when none. */
static bool counter_status(enum store_kind kind, const char *name, struct status_counter *out)
{
	struct status_snapshot snap;
	assert_int_equal(status_snapshot(rig.status, &snap), 0);
	bool found = false;
	for (size_t k = 0; k < snap.routers[0].n_counters; k++) {
		const struct status_counter *c = &snap.routers[0].counters[k];
		if (c->kind == kind && strcmp(c->name, name) == 0) {
			*out = *c;
			found = true;
		}
	}
	status_snapshot_free(&snap);
	return found;
}

#define MAC1 "02:00:00:00:00:01"
#define MAC2 "02:00:00:00:00:02"
#define MAC3 "02:00:00:00:00:03"

static void a_device_is_tracked_from_first_sight(void **state)
{
	(void)state;
	const struct ingest_ref *ref = ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC1);
	assert_non_null(ref);
	assert_ptr_equal(ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC1), ref);
	assert_int_equal(ref->kind, STORE_DEVICE);
	assert_int_equal(ref->iface, SIZE_MAX);
	assert_string_equal(ref->name, MAC1);
	int64_t id;
	assert_int_equal(store_find_counter(rig.db, "home", STORE_DEVICE, MAC1, &id), 0);
	assert_int_equal(ref->store_id, id);
	assert_int_equal(ingest_count(rig.ingest), 3); /* configured counters only */
	int64_t t = (int64_t)time(NULL);
	struct acct_reading r0 = reading(t, 100, 10, ACCT_SRC_POLL);
	struct acct_reading r1 = reading(t + 10, 400, 30, ACCT_SRC_POLL);
	ingest_counter_seen(rig.ingest, ref, "phone", "192.0.2.5", 1, t, t * 1000);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r0, t, NULL), 0);
	assert_int_equal(ingest_reading(rig.ingest, ref, &r1, t + 10, NULL), 0);
	struct status_counter c;
	assert_true(counter_status(STORE_DEVICE, MAC1, &c));
	assert_true(c.present);
	assert_string_equal(c.display, "phone");
	assert_string_equal(c.address, "192.0.2.5");
	assert_int_equal(c.rx_total, 300);
	assert_int_equal(c.tx_total, 20);
	assert_int_equal(c.last_time, t + 10);
	/* A queue of the same name is another counter. */
	const struct ingest_ref *q = ingest_counter(rig.ingest, 0, STORE_QUEUE, MAC1);
	assert_non_null(q);
	assert_ptr_not_equal(q, ref);
	assert_int_not_equal(q->store_id, ref->store_id);
}

static void max_devices_bounds_each_kind(void **state)
{
	(void)state;
	assert_non_null(ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC2));
	assert_null(ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC3)); /* max_devices = 2 */
	int64_t id;
	assert_int_equal(store_find_counter(rig.db, "home", STORE_DEVICE, MAC3, &id), 1);
	assert_non_null(ingest_counter(rig.ingest, 0, STORE_QUEUE, "guest"));
	char longname[STATUS_NAME_SIZE + 1];
	memset(longname, 'q', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_null(ingest_counter(rig.ingest, 0, STORE_QUEUE, longname));
}

static void an_unseen_device_is_missing_then_released(void **state)
{
	(void)state;
	int64_t t = (int64_t)time(NULL) + 100, m = t * 1000;
	const struct ingest_ref *a = ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC1);
	const struct ingest_ref *b = ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC2);
	ingest_counter_seen(rig.ingest, a, NULL, NULL, 2, t, m);
	ingest_counter_seen(rig.ingest, b, NULL, NULL, 2, t, m);
	assert_int_equal(ingest_counters_sweep(rig.ingest, 0, STORE_DEVICE, 2, true, t, m), 2);
	/* Round 3 sees only MAC2: MAC1 is missing, still tracked. */
	ingest_counter_seen(rig.ingest, b, NULL, NULL, 3, t + 10, m + 10000);
	assert_int_equal(
	        ingest_counters_sweep(rig.ingest, 0, STORE_DEVICE, 3, false, t + 10, m + 10000), 2);
	struct status_counter c;
	assert_true(counter_status(STORE_DEVICE, MAC1, &c));
	assert_false(c.present);
	struct status_snapshot snap;
	assert_int_equal(status_snapshot(rig.status, &snap), 0);
	assert_false(snap.routers[0].tracked[STORE_DEVICE].cap_reached);
	assert_int_equal(snap.routers[0].tracked[STORE_DEVICE].n, 2);
	status_snapshot_free(&snap);
	/* An hour (device_idle) unseen: released, its place free. */
	ingest_counter_seen(rig.ingest, b, NULL, NULL, 4, t + 3600, m + 3600000);
	assert_int_equal(
	        ingest_counters_sweep(rig.ingest, 0, STORE_DEVICE, 4, false, t + 3600, m + 3600000),
	        1);
	assert_false(counter_status(STORE_DEVICE, MAC1, &c));
	assert_non_null(ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC3));
	/* Back later: its stored last reading (400/30) makes the next one a delta. */
	assert_null(ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC1)); /* full again */
	ingest_counter_seen(rig.ingest, ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC3), NULL,
	                    NULL, 5, t + 3700, m + 3700000);
	ingest_counter_seen(rig.ingest, b, NULL, NULL, 5, t + 3700, m + 3700000);
	ingest_counters_sweep(rig.ingest, 0, STORE_DEVICE, 5, false, t + 3700, m + 3700000);
	ingest_counters_sweep(rig.ingest, 0, STORE_DEVICE, 6, false, t + 7400, m + 7400000);
	const struct ingest_ref *again = ingest_counter(rig.ingest, 0, STORE_DEVICE, MAC1);
	assert_non_null(again);
	struct acct_delta d;
	struct acct_reading r = reading(t + 7400, 1400, 40, ACCT_SRC_POLL);
	r.uptime = 0;
	assert_int_equal(ingest_reading(rig.ingest, again, &r, t + 7400, &d), 0);
	assert_int_not_equal(d.kind, ACCT_BASELINE);
	assert_int_equal(d.rx, 1000);
	assert_int_equal(d.tx, 10);
	uint64_t rx, tx;
	recorder_totals(rig.rec, again->handle, &rx, &tx);
	assert_int_equal(rx, 1300); /* 300 before it left, 1000 since */
	assert_int_equal(tx, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(one_reference_per_configured_counter),
	        cmocka_unit_test(a_reading_reaches_recorder_and_status),
	        cmocka_unit_test(a_pushed_reading_takes_the_same_path),
	        cmocka_unit_test(crossing_the_quota_runs_the_alert_once_for_the_highest),
	        cmocka_unit_test(a_device_is_tracked_from_first_sight),
	        cmocka_unit_test(max_devices_bounds_each_kind),
	        cmocka_unit_test(an_unseen_device_is_missing_then_released),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
