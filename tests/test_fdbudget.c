/*
 * test_fdbudget.c — the open files budget (fdbudget.c): the case
 * (1,100 routers under systemd's default 1,024), a generous limit, no
 * limit, a limit below the reserve, no HTTP listener, the invariant that
 * the shares never exceed the limit, and the status text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fdbudget.h"

static struct fdbudget budget(uint64_t limit, size_t routers, size_t listeners, unsigned threads)
{
	struct fdbudget_in in = {.limit = limit,
	                         .routers = routers,
	                         .listeners = listeners,
	                         .http_threads = threads,
	                         .http_max_per_ls = 4096};
	struct fdbudget b;
	fdbudget_compute(&in, &b);
	return b;
}

/* The reserve: 59 fixed (stdio, log, eventfds, alerts, the writer's
 * three database files, slack) and 1 + 6 per thread per listener. */
static void systemd_default_limit_leaves_http_its_floor(void **s)
{
	struct fdbudget b = budget(1024, 1100, 1, 2);
	assert_int_equal(b.reserve, 59 + 13);
	assert_int_equal(b.sessions, 1024 - 72 - FDBUDGET_HTTP_FLOOR);
	assert_int_equal(b.http_per_ls, FDBUDGET_HTTP_FLOOR);
	assert_true(fdbudget_short(&b));
	assert_int_equal(b.routers, 1100);
	assert_int_equal(b.limit, 1024);
}

static void generous_limit_fits_everything(void **s)
{
	struct fdbudget b = budget(65536, 10000, 1, 2);
	assert_int_equal(b.sessions, 10000);
	assert_int_equal(b.http_per_ls, 4096); /* capped at the most wanted */
	assert_false(fdbudget_short(&b));
	/* a few routers: HTTP takes what they leave, up to its maximum */
	b = budget(1024, 10, 2, 2);
	assert_int_equal(b.sessions, 10);
	assert_int_equal(b.http_per_ls, (1024 - (59 + 2 * 13) - 10) / 2);
}

static void no_limit(void **s)
{
	struct fdbudget b = budget(UINT64_MAX, 100000, 3, 8);
	assert_int_equal(b.sessions, 100000);
	assert_int_equal(b.http_per_ls, 4096);
	/* saturating, not wrapping */
	b = budget(UINT64_MAX, 5, SIZE_MAX, 8);
	assert_int_equal(b.reserve, UINT64_MAX);
	assert_int_equal(b.sessions, 0);
	assert_int_equal(b.http_per_ls, FDBUDGET_HTTP_FLOOR);
}

static void limit_below_the_reserve(void **s)
{
	for (uint64_t limit = 0; limit < 200; limit++) {
		struct fdbudget b = budget(limit, 500, 1, 2);
		assert_int_equal(b.sessions, limit > 72 + 64 ? limit - 72 - 64 : 0);
		assert_int_equal(b.http_per_ls, FDBUDGET_HTTP_FLOOR);
	}
}

static void no_listener_gives_routers_the_rest(void **s)
{
	struct fdbudget b = budget(1024, 5000, 0, 2);
	assert_int_equal(b.reserve, 59);
	assert_int_equal(b.sessions, 1024 - 59);
}

/* Whenever the limit holds the reserve and HTTP's floor, the shares fit
 * in it, HTTP never gets less than its floor, and no router that fits is
 * left out. */
static void shares_never_exceed_the_limit(void **s)
{
	static const uint64_t limits[] = {256, 512, 1000, 1024, 4096, 8192, 65536, 1048576};
	static const size_t routers[] = {0, 1, 100, 900, 1100, 10000, 100000};
	for (size_t l = 0; l < sizeof limits / sizeof *limits; l++)
		for (size_t r = 0; r < sizeof routers / sizeof *routers; r++)
			for (size_t ls = 1; ls <= 4; ls++)
				for (unsigned t = 2; t <= 8; t += 2) {
					struct fdbudget b = budget(limits[l], routers[r], ls, t);
					assert_true(b.sessions <= routers[r]);
					assert_true(b.http_per_ls >= FDBUDGET_HTTP_FLOOR);
					assert_true(b.http_per_ls <= 4096);
					if (limits[l] < b.reserve + ls * FDBUDGET_HTTP_FLOOR)
						continue;
					assert_true(b.reserve + (uint64_t)b.http_per_ls * ls +
					                    b.sessions <=
					            limits[l]);
					if (b.sessions <
					    routers[r]) /* HTTP kept no more than its floor */
						assert_int_equal(b.http_per_ls,
						                 FDBUDGET_HTTP_FLOOR);
				}
}

static void message_says_what_to_do(void **s)
{
	struct fdbudget b = budget(1024, 1100, 1, 2);
	char msg[512];
	fdbudget_message(&b, msg, sizeof msg);
	assert_string_equal(msg, "no file descriptor left for this router: 1100 routers with a "
	                         "limit of 1024 open files (888 sessions fit); raise LimitNOFILE "
	                         "(tikstatd.service) or ulimit -n");
	char small[16];
	fdbudget_message(&b, small, sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(systemd_default_limit_leaves_http_its_floor),
	        cmocka_unit_test(generous_limit_fits_everything),
	        cmocka_unit_test(no_limit),
	        cmocka_unit_test(limit_below_the_reserve),
	        cmocka_unit_test(no_listener_gives_routers_the_rest),
	        cmocka_unit_test(shares_never_exceed_the_limit),
	        cmocka_unit_test(message_says_what_to_do),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
