/*
 * test_alerts.c — the alert runner (alerts.c): the threshold decision,
 * and reaping its own commands without stealing another child of the
 * process (the demo's simulator, a test's helper).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(threshold_is_the_highest_reached),
	        cmocka_unit_test(reaper_takes_only_its_own_children),
	        cmocka_unit_test(reaper_forgets_a_child_reaped_elsewhere),
	        cmocka_unit_test(spawn_failure_is_reported_and_not_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
