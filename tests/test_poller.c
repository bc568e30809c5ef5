/*
 * test_poller.c — the poller's steps against the fake router, over real
 * loopback sockets (as test_conn.c does for the library): a poller over a
 * real recorder, status table and ingest table (rig.h) polls a simulated
 * router; pushed readings go through the push queue into the same ingest
 * path; a router that disappears backs off and comes back; a router
 * beyond the descriptor budget, or whose socket() fails with EMFILE, is
 * down with what to do and connects once it can. The loop is
 * stopped from its before-sleep hook once a condition holds (or after a
 * generous deadline).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cycle.h"
#include "fakeproc.h"
#include "poller.h"
#include "pushq.h"
#include "rig.h"
#include "routeros.h"

#define PASSWORD    "s3cret-Pw!"
#define DEADLINE_MS 90000 /* for any condition: the machine may be loaded */

static struct fakeproc fp;
static struct rig rig;

static int group_setup(void **state)
{
	static const char *const args[] = {
	        "--password", PASSWORD,        "--spec", "steady:v7:plain",
	        "--spec",     "gone:v7:plain", NULL};
	(void)state;
	return fakeproc_start(&fp, FAKEROUTER_PATH, args);
}

static int group_teardown(void **state)
{
	(void)state;
	fakeproc_stop(&fp);
	return 0;
}

/* Sends one control line to the fake router; it must answer ok. */
static void fake(const char *line)
{
	char reply[256];
	if (fakeproc_cmd(&fp, reply, sizeof reply, "%s", line) != 0)
		fail_msg("fake router: %s: %s", line, reply);
}

/* Starts the rig with one polled router of the fake, reading ifaces. */
static void start_polled(const char *router, const char *ifaces)
{
	const struct fake_router_info *f = fakeproc_router(&fp, router);
	assert_non_null(f);
	char text[1024];
	snprintf(text, sizeof text,
	         "[router %s]\nhost = 127.0.0.1\nport = %d\nuser = admin\npassword = %s\n"
	         "interval = 1\ntimeout = 5\ninterfaces = %s\n",
	         router, f->port, PASSWORD, ifaces);
	assert_int_equal(rig_init(&rig, "test_poller"), 0);
	assert_int_equal(rig_start(&rig, text), 0);
}

/* ---- running the loop until a condition holds ---- */

struct watch;
typedef bool (*cond_fn)(struct watch *w);

struct watch {
	volatile sig_atomic_t stop;
	cond_fn done;
	int64_t deadline; /* ros_now_ms */
	bool met;
	size_t router;        /* the router the conditions look at */
	uint64_t target;      /* what they wait for */
	uint64_t failures;    /* polls_failed last seen */
	int64_t failed_at[8]; /* ros_now_ms when failure i was first seen */
};

static struct status_router router_status(size_t i)
{
	struct status_snapshot snap;
	assert_int_equal(status_snapshot(rig.status, &snap), 0);
	struct status_router r = snap.routers[i];
	r.ifaces = NULL;
	status_snapshot_free(&snap);
	return r;
}

static struct status_iface iface_status(size_t i, size_t k)
{
	struct status_snapshot snap;
	assert_int_equal(status_snapshot(rig.status, &snap), 0);
	struct status_iface f = snap.routers[i].ifaces[k];
	status_snapshot_free(&snap);
	return f;
}

/* The before-sleep hook: the daemon's housekeeping, then the test's. */
static void hook(void *ctx, const struct poller *p)
{
	struct watch *w = ctx;
	(void)p;
	recorder_tick(rig.rec, (int64_t)time(NULL));
	alerts_reap(rig.alerts);
	uint64_t failed = router_status(w->router).polls_failed;
	for (; w->failures < failed; w->failures++)
		if (w->failures < 8)
			w->failed_at[w->failures] = ros_now_ms();
	if (w->done(w)) {
		w->met = true;
		w->stop = 1;
	} else if (ros_now_ms() > w->deadline) {
		w->stop = 1;
	}
}

/* Runs p until done holds; false when the deadline passed first. */
static bool run_until(struct poller *p, struct watch *w, cond_fn done)
{
	w->done = done;
	w->stop = 0;
	w->met = false;
	w->deadline = ros_now_ms() + DEADLINE_MS;
	poller_set_before_sleep(p, hook, w);
	assert_int_equal(poller_run(p, &w->stop, NULL), 0);
	return w->met;
}

static bool polls_reach_target(struct watch *w)
{
	return router_status(w->router).polls_ok >= w->target;
}

static bool failures_reach_target(struct watch *w)
{
	return w->failures >= w->target;
}

static bool rx_total_reaches_target(struct watch *w)
{
	return iface_status(w->router, 1).rx_total >= w->target;
}

/* One value (rx, tx) of interface id (*1 ...) of router, from the fake. */
static uint64_t fake_counter(const char *router, const char *id, const char *field)
{
	char line[8192], val[64], needle[32];
	assert_int_equal(fakeproc_cmd(&fp, line, sizeof line, "counters %s", router), 0);
	snprintf(needle, sizeof needle, "id=%s ", id);
	const char *at = strstr(line, needle);
	assert_non_null(at);
	assert_int_equal(fakeproc_field(at, field, val, sizeof val), 0);
	return strtoull(val, NULL, 10);
}

/* ---- the tests ---- */

static void polled_bytes_equal_the_routers_counters(void **state)
{
	(void)state;
	/* Still counters: the fake's values are what a poll must read. */
	fake("rate steady ether1 0 0");
	fake("rate steady pppoe-out1 0 0");
	start_polled("steady", "ether1, pppoe-out1");
	struct poller *p = poller_new(rig.cfg, rig.ingest, rig.status, NULL);
	assert_non_null(p);
	struct watch w = {.router = 0, .target = 1};
	assert_true(run_until(p, &w, polls_reach_target)); /* the baseline */
	fake("add steady ether1 1000 2000");
	fake("add steady pppoe-out1 30 40");
	/* The second poll from now was sent after the bytes were added. */
	w.target = router_status(0).polls_ok + 2;
	assert_true(run_until(p, &w, polls_reach_target));
	static const char *const ids[2] = {"*1", "*3"};
	static const uint64_t added[2][2] = {{1000, 2000}, {30, 40}};
	for (size_t k = 0; k < 2; k++) {
		const struct ingest_ref *ref = ingest_ref(rig.ingest, k);
		const struct acct_reading *last = recorder_last(rig.rec, ref->handle);
		assert_non_null(last);
		assert_int_equal(last->rx, fake_counter("steady", ids[k], "rx"));
		assert_int_equal(last->tx, fake_counter("steady", ids[k], "tx"));
		assert_int_equal(last->source, ACCT_SRC_POLL);
		/* Stored (commit_interval 1) and published: exactly what was added. */
		struct cycle_usage u;
		assert_int_equal(cycle_usage(rig.db, ref->store_id, rig.cfg->cycle_start_day,
		                             (int64_t)time(NULL), &u),
		                 0);
		assert_int_equal(u.rx, added[k][0]);
		assert_int_equal(u.tx, added[k][1]);
		struct status_iface f = iface_status(0, k);
		assert_int_equal(f.rx_total, added[k][0]);
		assert_int_equal(f.tx_total, added[k][1]);
		assert_false(f.missing);
	}
	assert_int_equal(poller_count(p), 1);
	assert_int_equal(poller_up(p), 1);
	poller_free(p);
	rig_close(&rig);
}

static void pushed_readings_take_the_ingest_path(void **state)
{
	(void)state;
	assert_int_equal(rig_init(&rig, "test_poller"), 0);
	assert_int_equal(rig_write(&rig, "cabin.token", "tok-0123456789abcdef\n"), 0);
	char text[1024];
	snprintf(text, sizeof text,
	         "[router cabin]\nmode = push\npush_token_file = %s/cabin.token\n"
	         "interfaces = lte1, ether1\n",
	         rig.dir);
	assert_int_equal(rig_start(&rig, text), 0);
	struct pushq *q = pushq_new(8, ingest_resolve, rig.ingest);
	assert_non_null(q);
	struct poller *p = poller_new(rig.cfg, rig.ingest, rig.status, q);
	assert_non_null(p);
	assert_int_equal(poller_count(p), 0);
	/* As push_handle queues them: router and interface by cfg index. */
	struct pushq_item it = {.router = 0, .iface = 1};
	it.reading.rx = 1000;
	it.reading.tx = 2000;
	assert_int_equal(pushq_put(q, &it), 0);
	it.reading.rx = 1500;
	it.reading.tx = 2600;
	assert_int_equal(pushq_put(q, &it), 0);
	struct pushq_item bad = {.router = 0, .iface = 2}; /* no such counter */
	assert_int_equal(pushq_put(q, &bad), -1);
	struct watch w = {.router = 0, .target = 500};
	assert_true(run_until(p, &w, rx_total_reaches_target));
	const struct ingest_ref *ref = ingest_ref(rig.ingest, 1);
	uint64_t rx, tx;
	recorder_totals(rig.rec, ref->handle, &rx, &tx);
	assert_int_equal(rx, 500);
	assert_int_equal(tx, 600);
	assert_int_equal(recorder_last(rig.rec, ref->handle)->source, ACCT_SRC_PUSH);
	assert_int_equal(iface_status(0, 1).tx_total, 600);
	assert_false(iface_status(0, 0).has_reading);
	/* What the HTTP side queued after the loop stopped: poller_free drains it. */
	it.reading.rx = 1700;
	assert_int_equal(pushq_put(q, &it), 0);
	poller_free(p);
	recorder_totals(rig.rec, ref->handle, &rx, &tx);
	assert_int_equal(rx, 700);
	pushq_free(q);
	rig_close(&rig);
}

static void a_router_that_disappears_backs_off_and_returns(void **state)
{
	(void)state;
	start_polled("gone", "ether1");
	struct poller *p = poller_new(rig.cfg, rig.ingest, rig.status, NULL);
	assert_non_null(p);
	struct watch w = {.router = 0, .target = 1};
	assert_true(run_until(p, &w, polls_reach_target));
	fake("refuse gone on");
	w.target = 3;
	assert_true(run_until(p, &w, failures_reach_target));
	struct status_router r = router_status(0);
	assert_false(r.up);
	assert_int_equal(poller_up(p), 0);
	/* Retries wait 1 s, then 2 s (each +-20 %): never at once. The bounds
	 * leave 300 ms for when the hook saw each failure. */
	assert_true(w.failed_at[1] - w.failed_at[0] >= 800 - 300);
	assert_true(w.failed_at[2] - w.failed_at[1] >= 1600 - 300);
	fake("refuse gone off");
	w.target = r.polls_ok + 1;
	assert_true(run_until(p, &w, polls_reach_target));
	r = router_status(0);
	assert_true(r.up);
	assert_string_equal(r.error, "");
	assert_int_equal(poller_up(p), 1);
	poller_free(p);
	rig_close(&rig);
}

static void phases_spread_the_polls_over_the_interval(void **state)
{
	(void)state;
	assert_int_equal(poll_phase_ms(0, 4, 10), 0);
	assert_int_equal(poll_phase_ms(1, 4, 10), 2500);
	assert_int_equal(poll_phase_ms(3, 4, 10), 7500);
	assert_int_equal(poll_phase_ms(9999, 10000, 10), 9999);
	assert_int_equal(poll_phase_ms(0, 0, 10), 0);
	assert_int_equal(poll_phase_ms(5, 10, 0), 0);
}

static void the_next_slot_keeps_the_grid(void **state)
{
	(void)state;
	/* on time or a little late: one interval after the slot, not after the start */
	assert_int_equal(poll_next_slot(10000, 10000, 10300), 20000);
	/* the poll took longer than the interval: the next slot of the grid */
	assert_int_equal(poll_next_slot(10000, 10000, 20000), 30000);
	assert_int_equal(poll_next_slot(10000, 10000, 45000), 50000);
	/* always in the future */
	assert_true(poll_next_slot(0, 1000, 999) > 999);
}

/* Descriptor failures of router i. */
static uint64_t fd_failures(size_t i)
{
	return router_status(i).failures[REASON_DESCRIPTORS];
}

/* One of two routers is up, the other left without a session target
 * times. */
static bool one_up_one_starved(struct watch *w)
{
	size_t up = router_status(0).up + router_status(1).up;
	return up == 1 && (fd_failures(0) >= w->target || fd_failures(1) >= w->target);
}

static bool fd_failures_reach_target(struct watch *w)
{
	return fd_failures(w->router) >= w->target;
}

static void a_router_beyond_the_session_budget_is_down_with_what_to_do(void **state)
{
	(void)state;
	char text[1024];
	const struct fake_router_info *a = fakeproc_router(&fp, "steady");
	const struct fake_router_info *b = fakeproc_router(&fp, "gone");
	assert_non_null(a);
	assert_non_null(b);
	snprintf(text, sizeof text,
	         "[router a]\nhost = 127.0.0.1\nport = %d\nuser = admin\npassword = %s\n"
	         "interval = 1\ntimeout = 5\ninterfaces = ether1\n"
	         "[router b]\nhost = 127.0.0.1\nport = %d\nuser = admin\npassword = %s\n"
	         "interval = 1\ntimeout = 5\ninterfaces = ether1\n",
	         a->port, PASSWORD, b->port, PASSWORD);
	assert_int_equal(rig_init(&rig, "test_poller"), 0);
	assert_int_equal(rig_start(&rig, text), 0);
	struct poller *p = poller_new(rig.cfg, rig.ingest, rig.status, NULL);
	assert_non_null(p);
	poller_set_sessions(p, 1, "no file descriptor left for this router: test");
	struct watch w = {.target = 3};
	assert_true(run_until(p, &w, one_up_one_starved));
	size_t starved = router_status(0).up ? 1 : 0;
	struct status_router r = router_status(starved);
	assert_false(r.up);
	assert_string_equal(r.error, "no file descriptor left for this router: test");
	assert_int_equal(r.polls_failed, r.failures[REASON_DESCRIPTORS]);
	assert_int_equal(router_status(1 - starved).failures[REASON_DESCRIPTORS], 0);
	assert_int_equal(poller_up(p), 1);
	/* A second session allowed: the router left out connects. */
	poller_set_sessions(p, 2, NULL);
	w.router = starved;
	w.target = r.polls_ok + 1;
	assert_true(run_until(p, &w, polls_reach_target));
	assert_int_equal(poller_up(p), 2);
	poller_free(p);
	rig_close(&rig);
}

static void socket_out_of_descriptors_fails_the_router_not_the_loop(void **state)
{
	(void)state;
	start_polled("steady", "ether1");
	struct poller *p = poller_new(rig.cfg, rig.ingest, rig.status, NULL);
	assert_non_null(p);
	/* The lowest free descriptor becomes the limit: every one below it is
	 * open, so the session's socket() fails with EMFILE. */
	struct rlimit saved, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	int lowest = dup(0);
	assert_true(lowest >= 0);
	close(lowest);
	low = saved;
	low.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct watch w = {.router = 0, .target = 2};
	bool met = run_until(p, &w, fd_failures_reach_target);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	assert_true(met);
	struct status_router r = router_status(0);
	assert_false(r.up);
	assert_non_null(strstr(r.error, "no file descriptor left for this router"));
	assert_non_null(strstr(r.error, "raise LimitNOFILE"));
	/* With descriptors again, it connects. */
	w.target = r.polls_ok + 1;
	assert_true(run_until(p, &w, polls_reach_target));
	assert_true(router_status(0).up);
	poller_free(p);
	rig_close(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(polled_bytes_equal_the_routers_counters),
	        cmocka_unit_test(pushed_readings_take_the_ingest_path),
	        cmocka_unit_test(a_router_that_disappears_backs_off_and_returns),
	        cmocka_unit_test(phases_spread_the_polls_over_the_interval),
	        cmocka_unit_test(the_next_slot_keeps_the_grid),
	        cmocka_unit_test(a_router_beyond_the_session_budget_is_down_with_what_to_do),
	        cmocka_unit_test(socket_out_of_descriptors_fails_the_router_not_the_loop),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
