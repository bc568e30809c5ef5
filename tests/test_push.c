/*
 * test_push.c — unit tests of the HTTP side's pure parts: query parsing
 * (api.c), the push helpers (push.c), the push queue (pushq.c) and the
 * Prometheus label escaping (metrics.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "metrics.h"
#include "push.h"
#include "pushq.h"

static void params_decode_plus_percent_and_literal_blank(void **state)
{
	(void)state;
	struct api_params p = {0};
	const char *q = "a=x%20y+z&&b&c=wlan caf%E9&d=";
	assert_int_equal(api_params_parse(&p, q, strlen(q)), 0);
	const char *v;
	assert_int_equal(api_param_get(&p, "a", &v), 1);
	assert_string_equal(v, "x y z");
	assert_int_equal(api_param_get(&p, "b", &v), 1);
	assert_string_equal(v, "");
	assert_int_equal(api_param_get(&p, "c", &v), 1);
	assert_string_equal(v, "wlan caf\xe9");
	assert_int_equal(api_param_get(&p, "missing", &v), 0);
	api_params_free(&p);
}

static void params_refuse_bad_percent_nul_and_controls(void **state)
{
	(void)state;
	const char *bad[] = {"a=%zz", "a=%4", "a=%", "a=%00", "a=x\ty", "a=\x7f"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct api_params p = {0};
		errno = 0;
		assert_int_equal(api_params_parse(&p, bad[i], strlen(bad[i])), -1);
		assert_int_equal(errno, EINVAL);
		api_params_free(&p);
	}
}

static void params_report_duplicates(void **state)
{
	(void)state;
	struct api_params p = {0};
	const char *q = "rx=1&tx=2&rx=1";
	assert_int_equal(api_params_parse(&p, q, strlen(q)), 0);
	const char *v;
	assert_int_equal(api_param_get(&p, "rx", &v), -1);
	assert_int_equal(api_param_get(&p, "tx", &v), 1);
	api_params_free(&p);
}

static void secret_equal_needs_same_length_and_bytes(void **state)
{
	(void)state;
	const char *secret = "0123456789abcdef";
	assert_true(push_secret_equal("0123456789abcdef", 16, secret));
	assert_false(push_secret_equal("0123456789abcdeF", 16, secret));
	assert_false(push_secret_equal("0123456789abcde", 15, secret));
	assert_false(push_secret_equal("0123456789abcdef0", 17, secret));
	assert_false(push_secret_equal("0123456789abcdef0123456789abcdef", 32, secret));
	assert_false(push_secret_equal("", 0, secret));
	assert_false(push_secret_equal("", 0, ""));
}

static void ip_check_accepts_routeros_forms(void **state)
{
	(void)state;
	const char *good[] = {"192.0.2.1", "192.0.2.1/24", "10.0.0.0/0", "2001:db8::1",
			      "2001:db8::1/64", "::/128"};
	const char *bad[] = {"", "300.1.1.1", "192.0.2.1/33", "2001:db8::1/129", "1.2.3.4/",
			     "1.2.3.4/-1", "1.2.3.4/2x", "host.example", "1.2.3.4 ", "::1/0128"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(push_check_ip(good[i]), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(push_check_ip(bad[i]), -1);
}

static void write_file_replaces_atomically(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_push.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], buf[64];
	snprintf(path, sizeof path, "%s/ip", dir);
	assert_int_equal(push_write_file(path, "192.0.2.1"), 0);
	assert_int_equal(push_write_file(path, "10.0.0.1/8"), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, "10.0.0.1/8\n");
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
	snprintf(path, sizeof path, "%s/missing-dir/ip", dir);
	assert_int_equal(push_write_file(path, "1.2.3.4"), -1);
}

static void queue_is_bounded_fifo_with_eventfd(void **state)
{
	(void)state;
	struct pushq *q = pushq_new(2);
	assert_non_null(q);
	struct pushq_item it = {.router = 1, .iface = 0};
	it.reading.rx = 10;
	assert_int_equal(pushq_put(q, &it), 0);
	it.reading.rx = 20;
	it.reading.source = ACCT_SRC_LEGACY; /* the old script's pushes keep theirs */
	assert_int_equal(pushq_put(q, &it), 0);
	assert_int_equal(pushq_put(q, &it), -1); /* full */
	struct pushq_item out[4];
	assert_int_equal(pushq_take(q, out, 1), 1);
	assert_int_equal(out[0].reading.rx, 10);
	assert_true(out[0].reading.time > 0);
	assert_true(out[0].reading.time_sub_ms >= 0 && out[0].reading.time_sub_ms <= 999);
	assert_int_equal(out[0].reading.source, ACCT_SRC_PUSH);
	assert_true(out[0].reading.mono_ms > 0);
	assert_int_equal(pushq_take(q, out, 4), 1);
	assert_int_equal(out[0].reading.rx, 20);
	assert_int_equal(out[0].reading.source, ACCT_SRC_LEGACY);
	uint64_t v;
	assert_int_equal(read(pushq_fd(q), &v, sizeof v), -1); /* reset once empty */
	assert_int_equal(errno, EAGAIN);
	pushq_free(q);
}

/* A push with uptime=value to a one-router configuration: the status code,
 * and the queued reading in *out when it was accepted. */
static int push_uptime(const char *value, struct pushq_item *out)
{
	char *ifaces[] = {"ether1"};
	struct cfg_router router = {.name = "r", .mode = MODE_PUSH, .push_token = "T0ken-uptime",
				    .interfaces = ifaces, .n_interfaces = 1};
	struct cfg cfg = {.routers = &router, .n_routers = 1};
	struct pushq *q = pushq_new(4);
	assert_non_null(q);
	char query[256];
	snprintf(query, sizeof query, "token=T0ken-uptime&interface=ether1&rx=1&tx=2&uptime=%s",
		 value);
	struct api_params p = {0};
	assert_int_equal(api_params_parse(&p, query, strlen(query)), 0);
	struct api_response r = {0};
	push_handle(&cfg, NULL, q, &p, false, NULL, "127.0.0.1", &r);
	if (r.status == 400)
		assert_non_null(strstr(r.body.data, "'uptime'"));
	if (r.status == 204)
		assert_int_equal(pushq_take(q, out, 1), 1);
	api_params_free(&p);
	jbuf_free(&r.body);
	pushq_free(q);
	return r.status;
}

static void push_refuses_out_of_range_uptimes(void **state)
{
	(void)state;
	struct pushq_item it;
	assert_int_equal(push_uptime("3155760000", &it), 204); /* 100 years */
	assert_int_equal(it.reading.uptime, 3155760000u);
	assert_true(it.reading.has_uptime);
	assert_int_equal(push_uptime("1w2d03:04:05", &it), 204);
	assert_int_equal(it.reading.uptime, 788645);
	assert_int_equal(push_uptime("3155760001", &it), 400);
	assert_int_equal(push_uptime("9223372036854775807", &it), 400);
	assert_int_equal(push_uptime("18446744073709551615", &it), 400);
	assert_int_equal(push_uptime("1h70m", &it), 400);
	assert_int_equal(push_uptime("24:00:00", &it), 400);
	assert_int_equal(push_uptime("5218w", &it), 400);
}

static void queue_stamps_wall_and_monotonic_time(void **state)
{
	(void)state;
	struct pushq *q = pushq_new(2);
	assert_non_null(q);
	struct pushq_item it = {.router = 0, .iface = 0};
	it.reading.latency_ms = 1234;
	assert_int_equal(pushq_put(q, &it), 0);
	assert_int_equal(pushq_put(q, &it), 0);
	struct pushq_item out[2];
	assert_int_equal(pushq_take(q, out, 2), 2);
	assert_true(out[0].reading.time > 0);
	assert_true(out[0].reading.mono_ms > 0);
	assert_true(out[1].reading.mono_ms >= out[0].reading.mono_ms);
	assert_int_equal(out[0].reading.latency_ms, 0); /* timed on arrival */
	pushq_free(q);
}

static void label_values_are_escaped_and_utf8(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	assert_int_equal(metrics_label_value(&b, "a\\b\"c\nd"), 0);
	assert_string_equal(jbuf_str(&b), "a\\\\b\\\"c\\nd");
	jbuf_reset(&b);
	/* Latin-1 0xE9 becomes U+00E9; valid UTF-8 stays. */
	assert_int_equal(metrics_label_value(&b, "caf\xe9 caf\xc3\xa9"), 0);
	assert_string_equal(jbuf_str(&b), "caf\xc3\xa9 caf\xc3\xa9");
	jbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(params_decode_plus_percent_and_literal_blank),
		cmocka_unit_test(params_refuse_bad_percent_nul_and_controls),
		cmocka_unit_test(params_report_duplicates),
		cmocka_unit_test(secret_equal_needs_same_length_and_bytes),
		cmocka_unit_test(ip_check_accepts_routeros_forms),
		cmocka_unit_test(write_file_replaces_atomically),
		cmocka_unit_test(queue_is_bounded_fifo_with_eventfd),
		cmocka_unit_test(push_refuses_out_of_range_uptimes),
		cmocka_unit_test(queue_stamps_wall_and_monotonic_time),
		cmocka_unit_test(label_values_are_escaped_and_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
