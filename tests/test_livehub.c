/*
 * test_livehub.c — the live hub without threads or sockets: viewers join
 * and are refused as the endpoint answers, read the replay and the new
 * samples as event-stream bytes, are parked and woken through their ops
 * exactly when there is something new, get status events when the
 * channel goes down and up, keep-alives after a silence, skip what a slow
 * reader lost, and the poller hears of first and last viewers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livehub.h"

static char *home_ifaces[] = {"ether1", "ether2"};
static char *cabin_ifaces[] = {"lte1"};
static struct cfg_router routers[] = {
        {.name = "home", .mode = MODE_POLL, .interfaces = home_ifaces, .n_interfaces = 2},
        {.name = "cabin", .mode = MODE_PUSH, .interfaces = cabin_ifaces, .n_interfaces = 1},
};
static const struct cfg fixture_cfg = {.routers = routers, .n_routers = 2};

/* A transport that counts how it was parked and woken. */
struct fake_conn {
	int sleeps, wakes;
	bool asleep;
};

static void fake_sleep(void *conn)
{
	struct fake_conn *c = conn;
	assert_false(c->asleep); /* parked twice without a wake: a lost wake-up */
	c->asleep = true;
	c->sleeps++;
}

static void fake_wake(void *conn)
{
	struct fake_conn *c = conn;
	assert_true(c->asleep); /* woken while running: libmicrohttpd would abort */
	c->asleep = false;
	c->wakes++;
}

static const struct livehub_viewer_ops ops = {fake_sleep, fake_wake};

static struct livehub_sample at(int64_t t, uint64_t rx, uint64_t tx)
{
	return (struct livehub_sample){t, rx, tx};
}

/* The wall clock's second now (the hub replays the last minute of it). */
static int64_t wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* Everything v has to read now, into out (NUL-terminated). */
static size_t drain(struct livehub_viewer *v, char *out, size_t outsz)
{
	size_t n = 0;
	long got;
	while ((got = livehub_read(v, out + n, outsz - 1 - n)) > 0)
		n += (size_t)got;
	assert_int_not_equal(got, -1);
	out[n] = '\0';
	return n;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void test_sample_format(void **state)
{
	(void)state;
	char out[LIVEHUB_EVENT_MAX];
	struct livehub_sample s = at(1796580001, 123, UINT64_MAX);
	size_t n = livehub_format_sample(&s, out, sizeof out);
	assert_string_equal(out, "data: {\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":123,"
	                         "\"tx_bps\":18446744073709551615}\n\n");
	assert_int_equal(n, strlen(out));
	assert_int_equal(livehub_format_sample(&s, out, 20), 0); /* too small: nothing */
}

static void test_refusals(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 1);
	struct fake_conn c1 = {0}, c2 = {0};
	struct livehub_viewer *v = NULL, *w = NULL;
	assert_int_equal(livehub_join(h, "nope", "ether1", &ops, &c1, &v), LIVEHUB_UNKNOWN_ROUTER);
	assert_int_equal(livehub_join(h, "home", "ether9", &ops, &c1, &v),
	                 LIVEHUB_UNKNOWN_INTERFACE);
	assert_int_equal(livehub_join(h, "cabin", "lte1", &ops, &c1, &v), LIVEHUB_PUSH_MODE);
	assert_int_equal(livehub_check(h, "cabin", "lte1"), LIVEHUB_PUSH_MODE);
	assert_int_equal(livehub_check(h, "home", "ether2"), LIVEHUB_OK);
	assert_null(v);
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c1, &v), LIVEHUB_OK);
	/* the cap counts viewers of every channel */
	assert_int_equal(livehub_join(h, "home", "ether2", &ops, &c2, &w), LIVEHUB_FULL);
	assert_int_equal(livehub_viewers(h), 1);
	livehub_leave(v);
	assert_int_equal(livehub_join(h, "home", "ether2", &ops, &c2, &w), LIVEHUB_OK);
	livehub_close(h);
	assert_int_equal(livehub_read(w, (char[64]){0}, 64), -1); /* the stream is over */
	struct livehub_viewer *x = NULL;
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c1, &x), LIVEHUB_CLOSED);
	livehub_leave(w);
	livehub_free(h);

	h = livehub_new(&fixture_cfg, 0); /* live_viewers = 0: off */
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c1, &v), LIVEHUB_FULL);
	livehub_free(h);
}

static void test_replay_then_live(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	size_t ch = livehub_channel(h, 0, 1);
	int64_t t0 = wall_now() - 99; /* one a second up to now */
	for (int i = 0; i < 100; i++) {
		struct livehub_sample s = at(t0 + i, (uint64_t)i, 0);
		livehub_publish(h, ch, &s);
	}
	struct fake_conn c = {0};
	struct livehub_viewer *v;
	assert_int_equal(livehub_join(h, "home", "ether2", &ops, &c, &v), LIVEHUB_OK);
	char out[16384];
	drain(v, out, sizeof out);
	/* the retry line, then the last minute: samples 40..99 */
	assert_memory_equal(out, "retry: 2000\n\n", 13);
	assert_int_equal(count(out, "data: "), LIVEHUB_REPLAY);
	assert_non_null(strstr(out, "\"rx_bps\":40,"));
	assert_null(strstr(out, "\"rx_bps\":39,"));
	assert_true(c.asleep);
	assert_int_equal(c.sleeps, 1);
	/* a new sample wakes it once; it reads exactly that sample */
	struct livehub_sample s = at(1796580100, 7, 8);
	livehub_publish(h, ch, &s);
	assert_false(c.asleep);
	assert_int_equal(c.wakes, 1);
	drain(v, out, sizeof out);
	assert_string_equal(out, "data: {\"time\":\"2026-12-06T18:01:40Z\",\"rx_bps\":7,"
	                         "\"tx_bps\":8}\n\n");
	/* another channel's sample does not wake it */
	livehub_publish(h, livehub_channel(h, 0, 0), &s);
	assert_true(c.asleep);
	assert_int_equal(c.wakes, 1);
	livehub_leave(v);
	livehub_free(h);
}

static void test_small_reads_keep_events_whole(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	struct livehub_sample s = at(wall_now(), 1, 2);
	livehub_publish(h, 0, &s);
	livehub_publish(h, 0, &s);
	struct fake_conn c = {0};
	struct livehub_viewer *v;
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c, &v), LIVEHUB_OK);
	char whole[512], part[512];
	size_t n = 0;
	long got;
	/* 7 bytes at a time: nothing lost or doubled */
	while ((got = livehub_read(v, part, 7)) > 0) {
		memcpy(whole + n, part, (size_t)got);
		n += (size_t)got;
	}
	whole[n] = '\0';
	assert_int_equal(count(whole, "data: "), 2);
	assert_int_equal(count(whole, "\n\n"), 3);
	/* a larger read never ends inside an event it could have left out */
	livehub_publish(h, 0, &s);
	livehub_publish(h, 0, &s);
	size_t one = livehub_format_sample(&s, part, sizeof part);
	got = livehub_read(v, part, one + 10);
	assert_int_equal(got, (long)one);
	livehub_leave(v);
	livehub_free(h);
}

static void test_replay_is_the_last_minute(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	int64_t now = wall_now();
	/* an hour ago, before an outage; then two recent ones */
	for (int i = 0; i < 10; i++) {
		struct livehub_sample s = at(now - 3600 + i, 1, 1);
		livehub_publish(h, 0, &s);
	}
	struct livehub_sample recent = at(now - 2, 2, 2);
	livehub_publish(h, 0, &recent);
	livehub_publish(h, 0, &recent);
	struct fake_conn c = {0};
	struct livehub_viewer *v;
	char out[4096];
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c, &v), LIVEHUB_OK);
	drain(v, out, sizeof out);
	assert_int_equal(count(out, "data: "), 2);
	assert_null(strstr(out, "\"rx_bps\":1,"));
	livehub_leave(v);
	livehub_free(h);
}

static void test_down_and_up(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	struct fake_conn c = {0};
	struct livehub_viewer *v;
	char out[4096];
	livehub_down(h, 0, "connect: Connection refused");
	/* a viewer joining a down channel is told at once */
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c, &v), LIVEHUB_OK);
	drain(v, out, sizeof out);
	assert_non_null(strstr(out, "event: status\ndata: {\"state\":\"down\",\"reason\":"
	                            "\"connect: Connection refused\"}\n\n"));
	/* the same reason again: nothing new, no wake */
	livehub_down(h, 0, "connect: Connection refused");
	assert_true(c.asleep);
	/* a new reason is told, escaped as JSON */
	livehub_down(h, 0, "login: \"bad\"\n");
	assert_false(c.asleep);
	drain(v, out, sizeof out);
	assert_string_equal(out, "event: status\ndata: {\"state\":\"down\",\"reason\":"
	                         "\"login: \\\"bad\\\"\\u000a\"}\n\n");
	/* samples again: "up" first, then the sample */
	struct livehub_sample s = at(1796580001, 1, 2);
	livehub_publish(h, 0, &s);
	drain(v, out, sizeof out);
	assert_memory_equal(out, "event: status\ndata: {\"state\":\"up\"}\n\n", 36);
	assert_int_equal(count(out, "data: {\"time\""), 1);
	/* a viewer that never saw "down" is not told "up" */
	struct fake_conn c2 = {0};
	struct livehub_viewer *w;
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c2, &w), LIVEHUB_OK);
	drain(w, out, sizeof out);
	assert_null(strstr(out, "event: status"));
	/* an endless reason is cut to fit one event */
	char huge[4000];
	memset(huge, '\x01', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	livehub_down(h, 0, huge);
	drain(w, out, sizeof out);
	assert_true(strlen(out) < LIVEHUB_EVENT_MAX);
	assert_non_null(strstr(out, "\"state\":\"down\""));
	assert_memory_equal(out + strlen(out) - 4, "\"}\n\n", 4);
	livehub_leave(v);
	livehub_leave(w);
	livehub_free(h);
}

static int64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_keepalive(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	struct fake_conn c = {0};
	struct livehub_viewer *v;
	char out[512];
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c, &v), LIVEHUB_OK);
	drain(v, out, sizeof out);
	assert_string_equal(out, "retry: 2000\n\n");
	livehub_tick(h, mono_now()); /* just sent: no wake */
	assert_true(c.asleep);
	livehub_tick(h, mono_now() + LIVEHUB_KEEPALIVE_MS + 10);
	assert_false(c.asleep);
	/* woken early (the test's clock ran ahead): nothing yet, parked again */
	drain(v, out, sizeof out);
	assert_string_equal(out, "");
	assert_true(c.asleep);
	livehub_leave(v);
	livehub_free(h);
}

static void test_slow_reader_skips(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	struct fake_conn c = {0};
	struct livehub_viewer *v;
	char out[32768];
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c, &v), LIVEHUB_OK);
	drain(v, out, sizeof out);
	for (int i = 0; i < 3 * LIVEHUB_RING; i++) {
		struct livehub_sample s = at(1796580000 + i, (uint64_t)i, 0);
		livehub_publish(h, 0, &s);
	}
	drain(v, out, sizeof out);
	/* only what the ring still holds, newest last */
	assert_int_equal(count(out, "data: "), LIVEHUB_RING);
	char last[32];
	snprintf(last, sizeof last, "\"rx_bps\":%d,", 3 * LIVEHUB_RING - 1);
	assert_non_null(strstr(out, last));
	livehub_leave(v);
	livehub_free(h);
}

static void test_first_and_last_viewer(void **state)
{
	(void)state;
	struct livehub *h = livehub_new(&fixture_cfg, 10);
	struct pollfd pfd = {.fd = livehub_fd(h), .events = POLLIN};
	size_t ids[4];
	assert_int_equal(poll(&pfd, 1, 0), 0);
	struct fake_conn c1 = {0}, c2 = {0};
	struct livehub_viewer *a, *b;
	assert_int_equal(livehub_join(h, "home", "ether2", &ops, &c1, &a), LIVEHUB_OK);
	assert_int_equal(livehub_join(h, "home", "ether2", &ops, &c2, &b), LIVEHUB_OK);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(livehub_changed(h, ids, 4), 1); /* once, not per viewer */
	assert_int_equal(ids[0], livehub_channel(h, 0, 1));
	assert_true(livehub_watched(h, ids[0]));
	assert_int_equal(poll(&pfd, 1, 0), 0);
	livehub_leave(a);
	assert_int_equal(livehub_changed(h, ids, 4), 0); /* one viewer left */
	livehub_leave(b);
	assert_int_equal(livehub_changed(h, ids, 4), 1);
	assert_false(livehub_watched(h, ids[0]));
	/* more changes than asked for: the rest stay pending and readable */
	struct livehub_viewer *x, *y;
	assert_int_equal(livehub_join(h, "home", "ether1", &ops, &c1, &x), LIVEHUB_OK);
	assert_int_equal(livehub_join(h, "home", "ether2", &ops, &c2, &y), LIVEHUB_OK);
	assert_int_equal(livehub_changed(h, ids, 1), 1);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(livehub_changed(h, ids, 4), 1);
	livehub_leave(x);
	livehub_leave(y);
	livehub_free(h);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sample_format),
	        cmocka_unit_test(test_refusals),
	        cmocka_unit_test(test_replay_then_live),
	        cmocka_unit_test(test_small_reads_keep_events_whole),
	        cmocka_unit_test(test_replay_is_the_last_minute),
	        cmocka_unit_test(test_down_and_up),
	        cmocka_unit_test(test_keepalive),
	        cmocka_unit_test(test_slow_reader_skips),
	        cmocka_unit_test(test_first_and_last_viewer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
