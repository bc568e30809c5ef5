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

#include <arpa/inet.h>
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
	const char *good[] = {"192.0.2.1",   "192.0.2.1/24",   "10.0.0.0/0",
	                      "2001:db8::1", "2001:db8::1/64", "::/128"};
	const char *bad[] = {"",         "300.1.1.1",  "192.0.2.1/33", "2001:db8::1/129",
	                     "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/2x",   "host.example",
	                     "1.2.3.4 ", "::1/0128"};
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
	struct pushq *q = pushq_new(2, NULL, NULL);
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
	struct cfg_router router = {.name = "r",
	                            .mode = MODE_PUSH,
	                            .push_token = "T0ken-uptime",
	                            .interfaces = ifaces,
	                            .n_interfaces = 1};
	struct cfg cfg = {.routers = &router, .n_routers = 1};
	struct pushq *q = pushq_new(4, NULL, NULL);
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
	text_buf_free(&r.body);
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
	struct pushq *q = pushq_new(2, NULL, NULL);
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
	struct text_buf b = TEXT_BUF_INIT;
	assert_int_equal(metrics_label_value(&b, "a\\b\"c\nd"), 0);
	assert_string_equal(text_buf_str(&b), "a\\\\b\\\"c\\nd");
	text_buf_reset(&b);
	/* Latin-1 0xE9 becomes U+00E9; valid UTF-8 stays. */
	assert_int_equal(metrics_label_value(&b, "caf\xe9 caf\xc3\xa9"), 0);
	assert_string_equal(text_buf_str(&b), "caf\xc3\xa9 caf\xc3\xa9");
	text_buf_free(&b);
}

/* The legacy receiver's routers: cabin allows 192.0.2.7 and
 * 2001:db8::/64, office 198.51.100.0/24; poll's list is ignored (not a
 * push router). */
static char *legacy_ifaces[] = {"ether1", "lte1"};
static struct cfg_net cabin_nets[2], office_nets[1], poll_nets[1];
static struct cfg_router legacy_routers[] = {
        {.name = "poll",
         .mode = MODE_POLL,
         .interfaces = legacy_ifaces,
         .n_interfaces = 1,
         .push_allow = poll_nets,
         .n_push_allow = 1},
        {.name = "cabin",
         .mode = MODE_PUSH,
         .push_token = "cabin-token-0123456789",
         .interfaces = legacy_ifaces,
         .n_interfaces = 2,
         .push_allow = cabin_nets,
         .n_push_allow = 2},
        {.name = "office",
         .mode = MODE_PUSH,
         .push_token = "office-token-0123456789",
         .interfaces = legacy_ifaces,
         .n_interfaces = 1,
         .push_allow = office_nets,
         .n_push_allow = 1},
};
static const struct cfg legacy_cfg = {.routers = legacy_routers, .n_routers = 3};

static void legacy_nets(void)
{
	assert_null(cfg_parse_net("192.0.2.7", &cabin_nets[0]));
	assert_null(cfg_parse_net("2001:db8::/64", &cabin_nets[1]));
	assert_null(cfg_parse_net("198.51.100.0/24", &office_nets[0]));
	assert_null(cfg_parse_net("203.0.113.9", &poll_nets[0]));
}

static struct sockaddr_storage peer_of(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
	}
	return ss;
}

/* The router push_allowed_router finds for the address text, or -1. */
static long allowed(const char *text, size_t *matches)
{
	struct sockaddr_storage ss = peer_of(text);
	return push_allowed_router(&legacy_cfg, (const struct sockaddr *)&ss, matches);
}

static void allow_from_matches_v4_mapped_v4_and_v6(void **state)
{
	(void)state;
	size_t m;
	legacy_nets();
	assert_int_equal(allowed("192.0.2.7", &m), 1);
	assert_int_equal(m, 1);
	assert_int_equal(allowed("::ffff:192.0.2.7", &m), 1); /* a dual-stack socket's view */
	assert_int_equal(allowed("192.0.2.8", &m), -1);
	assert_int_equal(m, 0);
	assert_int_equal(allowed("2001:db8::42", &m), 1);
	assert_int_equal(allowed("2001:db8:0:1::42", &m), -1);
	assert_int_equal(allowed("198.51.100.200", &m), 2);
	assert_int_equal(allowed("::ffff:198.51.100.1", &m), 2);
	assert_int_equal(allowed("::198.51.100.1", &m), -1); /* compatible, not mapped */
	assert_int_equal(allowed("203.0.113.9", &m), -1);    /* a polled router's list */
	assert_int_equal(push_allowed_router(&legacy_cfg, NULL, &m), -1);
	/* the same address in two routers (cfg_load refuses it): ambiguous */
	office_nets[0] = cabin_nets[0];
	assert_int_equal(allowed("192.0.2.7", &m) >= 0, 1);
	assert_int_equal(m, 2);
}

/* The ip of the last accepted parse_from (pp->ip points into freed params). */
static char last_ip[64];

/* push_parse of query q for the legacy receiver (or not) from peer. */
static int parse_from(const char *q, bool legacy, const char *peer, struct push_parsed *pp)
{
	struct api_params p = {0};
	struct sockaddr_storage ss = peer_of(peer);
	assert_int_equal(api_params_parse(&p, q, strlen(q)), 0);
	int rc = push_parse(&legacy_cfg, &p, legacy, (const struct sockaddr *)&ss, pp);
	snprintf(last_ip, sizeof last_ip, "%s", rc == 0 && pp->ip ? pp->ip : "");
	pp->ip = NULL;
	api_params_free(&p);
	return rc;
}

static void legacy_push_without_token_needs_an_allowed_address(void **state)
{
	(void)state;
	struct push_parsed pp;
	legacy_nets();
	assert_int_equal(
	        parse_from("tx=12+345&rx=1%20000%20000&ip=192.0.2.7/24", true, "192.0.2.7", &pp),
	        0);
	assert_int_equal(pp.item.router, 1);
	assert_int_equal(pp.item.iface, 0);
	assert_int_equal(pp.item.reading.tx, 12345);
	assert_int_equal(pp.item.reading.rx, 1000000);
	assert_string_equal(last_ip, "192.0.2.7/24");
	assert_int_equal(parse_from("tx=1&rx=2", true, "::ffff:198.51.100.3", &pp), 0);
	assert_int_equal(pp.item.router, 2);
	/* not listed anywhere: 403, saying why */
	assert_int_equal(parse_from("tx=1&rx=2", true, "192.0.2.8", &pp), -1);
	assert_int_equal(pp.status, 403);
	assert_true(pp.token_missing);
	assert_non_null(strstr(pp.error, "push_allow_from"));
	/* /api/v1/push stays token-only, even from an allowed address */
	assert_int_equal(parse_from("interface=ether1&tx=1&rx=2", false, "192.0.2.7", &pp), -1);
	assert_int_equal(pp.status, 403);
	/* a token decides when given: a wrong one is refused from anywhere */
	assert_int_equal(parse_from("tx=1&rx=2&token=nope-nope-nope-nope", true, "192.0.2.7", &pp),
	                 -1);
	assert_int_equal(pp.status, 403);
	assert_int_equal(
	        parse_from("tx=1&rx=2&token=office-token-0123456789", true, "192.0.2.7", &pp), 0);
	assert_int_equal(pp.item.router, 2);
	/* blanks only on the legacy receiver; nothing else is lenient */
	assert_int_equal(parse_from("token=cabin-token-0123456789&interface=ether1&tx=12+345&rx=1",
	                            false, "192.0.2.7", &pp),
	                 -1);
	assert_int_equal(pp.status, 400);
	assert_int_equal(parse_from("tx=12%09345&rx=1", true, "192.0.2.7", &pp), -1);
	assert_int_equal(parse_from("tx=+&rx=1", true, "192.0.2.7", &pp), -1);
	assert_int_equal(parse_from("tx=-1 2&rx=1", true, "192.0.2.7", &pp), -1);
	assert_int_equal(parse_from("tx=18446744073709551615&rx=18 446 744 073 709 551 616", true,
	                            "192.0.2.7", &pp),
	                 -1);
	assert_int_equal(pp.status, 400);
	/* the same address in two routers (cfg_load refuses it): 403 */
	office_nets[0] = cabin_nets[0];
	assert_int_equal(parse_from("tx=1&rx=2", true, "192.0.2.7", &pp), -1);
	assert_int_equal(pp.status, 403);
	assert_non_null(strstr(pp.error, "of 2 routers"));
}

static void strip_blanks_removes_spaces_only(void **state)
{
	(void)state;
	char out[8];
	assert_int_equal(push_strip_blanks(" 12 345 ", out, sizeof out), 0);
	assert_string_equal(out, "12345");
	assert_int_equal(push_strip_blanks("1\t2", out, sizeof out), 0);
	assert_string_equal(out, "1\t2");
	assert_int_equal(push_strip_blanks("", out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(push_strip_blanks("1 234 567", out, sizeof out), 0); /* 7 + NUL fit */
	assert_int_equal(push_strip_blanks("12345678", out, sizeof out), -1);
	assert_int_equal(push_strip_blanks("1", out, 0), -1);
}

static void write_file_exact_adds_no_newline(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_push.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], buf[64];
	snprintf(path, sizeof path, "%s/mikrotik-ip.txt", dir);
	assert_int_equal(push_write_file_exact(path, "192.0.2.7/24"), 0);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(n, 12);
	assert_memory_equal(buf, "192.0.2.7/24", 12);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
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
	        cmocka_unit_test(allow_from_matches_v4_mapped_v4_and_v6),
	        cmocka_unit_test(legacy_push_without_token_needs_an_allowed_address),
	        cmocka_unit_test(strip_blanks_removes_spaces_only),
	        cmocka_unit_test(write_file_exact_adds_no_newline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
