/*
 * test_alerts.c — the alert runner (alerts.c): the threshold decision,
 * and reaping its own commands without stealing another child of the
 * process (the demo's simulator, a test's helper); a [bill]'s alerts after
 * a commit, once per threshold and cycle, with the bill's environment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "calendar.h"
#include "tmpdir.h"

extern char **environ;

static void threshold_is_the_highest_reached(void **state)
{
	(void)state;
	assert_int_equal(alerts_crossed(0, 1000), 0);
	assert_int_equal(alerts_crossed(799, 1000), 0);
	assert_int_equal(alerts_crossed(800, 1000), 80);
	assert_int_equal(alerts_crossed(899, 1000), 80);
	assert_int_equal(alerts_crossed(900, 1000), 90);
	assert_int_equal(alerts_crossed(999, 1000), 90);
	assert_int_equal(alerts_crossed(1000, 1000), 100);
	assert_int_equal(alerts_crossed(5000, 1000), 100);
	assert_int_equal(alerts_crossed(5000, 0), 0); /* no quota */
	/* exact at the top of the range, where used * 100 needs 71 bits */
	assert_int_equal(alerts_crossed(UINT64_MAX, UINT64_MAX), 100);
	assert_int_equal(alerts_crossed(UINT64_MAX - 1, UINT64_MAX), 90);
	uint64_t q = UINT64_MAX / 10 * 10; /* 80 % of it is an integer */
	assert_int_equal(alerts_crossed(q / 10 * 8, q), 80);
	assert_int_equal(alerts_crossed(q / 10 * 8 - 1, q), 0);
}

/* Sleeps 10 ms (a poll interval, not an assumption about speed). */
static void pause_a_little(void)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static void reaper_takes_only_its_own_children(void **state)
{
	(void)state;
	/* An unrelated child that has exited: a zombie whose status belongs
	 * to whoever started it. */
	pid_t other = fork();
	assert_true(other >= 0);
	if (other == 0)
		_exit(7);
	siginfo_t info;
	assert_int_equal(waitid(P_PID, (id_t)other, &info, WEXITED | WNOWAIT), 0);

	struct alerts *a = alerts_new();
	assert_non_null(a);
	char *argv[] = {"/bin/sh", "-c", "exit 0", NULL};
	assert_int_equal(alerts_spawn(a, argv, environ), 0);
	assert_int_equal(alerts_running(a), 1);
	/* Up to 60 s for the command to end and be reaped. */
	for (int i = 0; i < 6000 && alerts_running(a) > 0; i++) {
		alerts_reap(a);
		if (alerts_running(a) > 0)
			pause_a_little();
	}
	assert_int_equal(alerts_running(a), 0);
	alerts_free(a);

	/* The unrelated child's status is still there for its parent. */
	int status = 0;
	assert_int_equal(waitpid(other, &status, WNOHANG), other);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

static void reaper_forgets_a_child_reaped_elsewhere(void **state)
{
	(void)state;
	struct alerts *a = alerts_new();
	assert_non_null(a);
	char *argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	assert_int_equal(alerts_spawn(a, argv, environ), 0);
	/* Someone else collects it (a waitpid(-1) elsewhere in the process). */
	int status;
	assert_true(waitpid(-1, &status, 0) > 0);
	alerts_reap(a);
	assert_int_equal(alerts_running(a), 0);
	alerts_free(a);
}

static void spawn_failure_is_reported_and_not_kept(void **state)
{
	(void)state;
	struct alerts *a = alerts_new();
	assert_non_null(a);
	char *argv[] = {"/nonexistent/tikstat-no-such-shell", NULL};
	int rc = alerts_spawn(a, argv, environ);
	/* glibc reports a failed exec from posix_spawn (ENOENT); where it
	 * cannot, the child exits 127 and is reaped like any other. */
	for (int i = 0; i < 6000 && alerts_running(a) > 0; i++) {
		alerts_reap(a);
		if (alerts_running(a) > 0)
			pause_a_little();
	}
	assert_true(rc == ENOENT || rc == 0);
	assert_int_equal(alerts_running(a), 0);
	alerts_free(a);
}

/* Waits (up to 30 s) until every alert command a started has ended. */
static void wait_commands(struct alerts *a)
{
	for (int i = 0; i < 3000 && alerts_running(a) > 0; i++) {
		alerts_reap(a);
		if (alerts_running(a) > 0)
			pause_a_little();
	}
	assert_int_equal(alerts_running(a), 0);
}

/* The text of dir/name, or NULL when there is no such file (caller frees). */
static char *slurp(const char *dir, const char *name)
{
	char path[600], *text = calloc(1, 65536);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(text);
	if (!f) {
		free(text);
		return NULL;
	}
	size_t n = fread(text, 1, 65535, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* ether1 grown by rx bytes at time t, then committed at t. */
static void grow_and_commit(struct recorder *r, int h, uint64_t *rx, uint64_t more, int64_t t)
{
	struct acct_reading rd = {.time = t};
	*rx += more;
	rd.rx = *rx;
	assert_int_equal(recorder_add(r, h, &rd, t, NULL), 0);
	assert_int_equal(recorder_flush(r, t), 0);
}

static void a_bill_alerts_once_per_threshold_after_commits(void **state)
{
	(void)state;
	char dir[256], path[512], command[700], err[256];
	assert_int_equal(calendar_set_zone("UTC"), 0);
	assert_int_equal(tmpdir_make(dir, sizeof dir, "test_alerts"), 0);
	snprintf(path, sizeof path, "%s/t.db", dir);
	store *s = store_open(path, false, err, sizeof err);
	assert_non_null(s);
	struct recorder_options ro = {.commit_interval = 1};
	struct recorder *rec = recorder_new(s, &ro);
	assert_non_null(rec);
	int h = recorder_interface(rec, "home", "ether1");
	assert_true(h >= 0);
	/* a bill over ether1 and lte1 (never read: 0 bytes) with 1000 bytes */
	snprintf(command, sizeof command, "env > %s/env.$TIKSTAT_PERCENT", dir);
	char *home = "home";
	struct cfg_router router = {.name = home};
	struct cfg_bill_counter counters[] = {{0, CFG_COUNTER_INTERFACE, "ether1"},
	                                      {0, CFG_COUNTER_INTERFACE, "lte1"}};
	struct cfg_bill bill = {.name = "internet",
	                        .counters = counters,
	                        .n_counters = 2,
	                        .cycle_start_day = 5,
	                        .quota = 1000,
	                        .alert_command = command};
	struct cfg cfg = {.cycle_start_day = 1,
	                  .routers = &router,
	                  .n_routers = 1,
	                  .bills = &bill,
	                  .n_bills = 1};
	struct alerts *a = alerts_new();
	assert_non_null(a);
	int64_t t0 = 1796083200 + 9 * 86400; /* 2026-12-10 00:00 UTC */
	uint64_t rx = 5000;

	alerts_bills(a, &cfg, rec, t0);      /* no commit yet: nothing to check */
	grow_and_commit(rec, h, &rx, 0, t0); /* the baseline */
	alerts_bills(a, &cfg, rec, t0);
	grow_and_commit(rec, h, &rx, 900, t0 + 600);
	alerts_bills(a, &cfg, rec, t0 + 600); /* 80 and 90 % crossed: one run, for 90 */
	wait_commands(a);
	char *env = slurp(dir, "env.90");
	assert_non_null(env);
	assert_null(slurp(dir, "env.80"));
	assert_non_null(strstr(env, "TIKSTAT_BILL=internet\n"));
	assert_non_null(strstr(env, "TIKSTAT_PERCENT=90\n"));
	assert_non_null(strstr(env, "TIKSTAT_USED=900\n"));
	assert_non_null(strstr(env, "TIKSTAT_QUOTA=1000\n"));
	/* the bill's own cycle: from the 5th */
	assert_non_null(strstr(env, "TIKSTAT_CYCLE_START=2026-12-05T00:00:00+00:00\n"));
	assert_non_null(strstr(env, "TIKSTAT_CYCLE_END=2027-01-05T00:00:00+00:00\n"));
	assert_null(strstr(env, "TIKSTAT_ROUTER="));
	assert_null(strstr(env, "TIKSTAT_INTERFACE="));
	free(env);
	/* No new commit, or one below the next threshold: no command. */
	alerts_bills(a, &cfg, rec, t0 + 700);
	grow_and_commit(rec, h, &rx, 50, t0 + 1200);
	alerts_bills(a, &cfg, rec, t0 + 1200);
	assert_int_equal(alerts_running(a), 0);
	/* 100 %: once, and not again after a restart (the marks are stored). */
	grow_and_commit(rec, h, &rx, 60, t0 + 1800);
	alerts_bills(a, &cfg, rec, t0 + 1800);
	wait_commands(a);
	env = slurp(dir, "env.100");
	assert_non_null(env);
	assert_non_null(strstr(env, "TIKSTAT_USED=1010\n"));
	free(env);
	alerts_free(a);
	a = alerts_new();
	assert_non_null(a);
	grow_and_commit(rec, h, &rx, 1, t0 + 2400);
	alerts_bills(a, &cfg, rec, t0 + 2400);
	assert_int_equal(alerts_running(a), 0);
	alerts_free(a);
	recorder_free(rec, t0 + 3000);
	store_close(s);
	assert_int_equal(tmpdir_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(threshold_is_the_highest_reached),
	        cmocka_unit_test(reaper_takes_only_its_own_children),
	        cmocka_unit_test(reaper_forgets_a_child_reaped_elsewhere),
	        cmocka_unit_test(spawn_failure_is_reported_and_not_kept),
	        cmocka_unit_test(a_bill_alerts_once_per_threshold_after_commits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
