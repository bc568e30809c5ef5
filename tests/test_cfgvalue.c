/*
 * test_cfgvalue.c — unit tests for daemon/cfgvalue.c: the pure parsers of
 * tikstat.conf's values (integers, sizes, durations, listen addresses,
 * hosts, networks, fingerprints, quoted strings and lists).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfgvalue.h"

/* ------------------------------------------------------------------ */
/* Text helpers                                                        */
/* ------------------------------------------------------------------ */

static void blanks_and_control_bytes(void **state)
{
	char s[] = " \t a b \r\n\v\f";

	(void)state;
	assert_true(cfg_is_blank(' ') && cfg_is_blank('\t') && cfg_is_blank('\r'));
	assert_false(cfg_is_blank('\n'));
	s[strlen(s) - 3] = ' '; /* no newline inside a line */
	assert_string_equal(cfg_trim(s), "a b");
	assert_false(cfg_has_control("tab\tis fine"));
	assert_true(cfg_has_control("bell\a"));
	assert_true(cfg_has_control("del\x7f"));
	assert_false(cfg_has_control("\xc3\xa9t\xc3\xa9")); /* UTF-8 is not control */
}

static void integers_are_digits_within_their_range(void **state)
{
	long v = -7;

	(void)state;
	assert_int_equal(cfg_parse_int("1", 1, 28, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cfg_parse_int("028", 1, 28, &v), 0);
	assert_int_equal(v, 28);
	assert_int_equal(cfg_parse_int("999999999", 0, 999999999, &v), 0);
	assert_int_equal(v, 999999999);
	v = -7;
	for (const char *const *s = (const char *const[]){"0", "29", "", "+1", "-1", " 1", "1 ",
	                                                  "1e3", "0x1", "1234567890", NULL};
	     *s; s++)
		assert_int_equal(cfg_parse_int(*s, 1, 28, &v), -1);
	assert_int_equal(v, -7); /* untouched */
}

/* ------------------------------------------------------------------ */
/* Sizes                                                               */
/* ------------------------------------------------------------------ */

static uint64_t size_of(const char *text)
{
	uint64_t v = 0;

	if (cfg_parse_size(text, &v) != 0)
		fail_msg("'%s' refused", text);
	return v;
}

static void parse_size_reads_decimal_and_binary_units(void **state)
{
	static const struct {
		const char *text;
		uint64_t want;
	} ok[] = {
	        {"0", 0},
	        {"1024", 1024},
	        {"1K", 1000},
	        {"1k", 1000},
	        {"1Ki", 1024},
	        {"1KiB", 1024},
	        {"1kb", 1000},
	        {"100M", 100000000},
	        {"500G", UINT64_C(500000000000)},
	        {"500 GB", UINT64_C(500000000000)},
	        {"1.5T", UINT64_C(1500000000000)},
	        {"1P", UINT64_C(1000000000000000)},
	        {"2.5Gi", UINT64_C(2684354560)},
	        {"16Pi", UINT64_C(1) << 54},
	        {"1.0009765625Ki", 1025},
	        {"0.5", 0},
	        {"1.9999999999999999999999999B", 1},
	        {"0.000000000000001P", 1},
	        {"0.0000000000000009P", 0},
	        {"007", 7},
	        {"18446744073709551615", UINT64_MAX},
	        {"18446.744073709551615P", UINT64_MAX},
	        {"15.99999999999999999999Pi", (UINT64_C(16) << 50) - 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t v = 42;

		if (cfg_parse_size(ok[i].text, &v) != 0)
			fail_msg("'%s' rejected", ok[i].text);
		if (v != ok[i].want)
			fail_msg("'%s' = %llu", ok[i].text, (unsigned long long)v);
	}
}

/* Each of texts[0..n) is refused with errno err, the output untouched. */
static void size_refused(const char *const *texts, size_t n, int err)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 42;
		errno = 0;
		if (cfg_parse_size(texts[i], &v) != -1)
			fail_msg("'%s' accepted", texts[i]);
		assert_int_equal(errno, err);
		assert_int_equal(v, 42);
	}
}

/* The same for durations. */
static void duration_refused(const char *const *texts, size_t n, int err)
{
	for (size_t i = 0; i < n; i++) {
		int64_t v = 42;
		errno = 0;
		if (cfg_parse_duration(texts[i], &v) != -1)
			fail_msg("'%s' accepted", texts[i]);
		assert_int_equal(errno, err);
		assert_int_equal(v, 42);
	}
}

static void parse_size_rejects_malformed_and_overflowing_text(void **state)
{
	static const char *const bad[] = {
	        "",    " 1", "1 ", "-1",  "+1",   "1.",  ".5",    "1..5",  "1.5.5", "1X",
	        "1KK", "K",  "1i", "1e3", "0x10", "1Bi", "1 K B", "1KiBB", "1,5G",  "1E",
	};
	static const char *const big[] = {
	        "18446744073709551616",    "18446.744073709551616P",  "16384Pi",
	        "99999999999999999999999", "18446744073709551615.5K",
	};

	(void)state;
	size_refused(bad, sizeof bad / sizeof bad[0], EINVAL);
	size_refused(big, sizeof big / sizeof big[0], ERANGE);
	assert_int_equal(cfg_parse_size(NULL, &(uint64_t){0}), -1);
}

static void sizes_know_every_unit(void **state)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {{"", 1},
	             {"B", 1},
	             {"b", 1},
	             {"K", 1000},
	             {"k", 1000},
	             {"KB", 1000},
	             {"Ki", 1024},
	             {"KiB", 1024},
	             {"kib", 1024},
	             {"M", 1000000},
	             {"Mi", UINT64_C(1) << 20},
	             {"G", 1000000000},
	             {"Gi", UINT64_C(1) << 30},
	             {"GB", 1000000000},
	             {"T", UINT64_C(1000000000000)},
	             {"Ti", UINT64_C(1) << 40},
	             {"P", UINT64_C(1000000000000000)},
	             {"Pi", UINT64_C(1) << 50},
	             {"PiB", UINT64_C(1) << 50}};
	char text[32];

	(void)state;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		snprintf(text, sizeof text, "3%s", units[i].unit);
		assert_true(size_of(text) == 3 * units[i].mult);
		snprintf(text, sizeof text, "3 %s", units[i].unit);
		if (units[i].unit[0])
			assert_true(size_of(text) == 3 * units[i].mult);
	}
}

/* ------------------------------------------------------------------ */
/* Durations                                                           */
/* ------------------------------------------------------------------ */

static void parse_duration_reads_seconds_minutes_hours_days(void **state)
{
	static const struct {
		const char *text;
		int64_t want;
	} ok[] = {
	        {"0", 0},
	        {"10", 10},
	        {"10s", 10},
	        {"5m", 300},
	        {"2h", 7200},
	        {"7d", 604800},
	        {"1.5h", 5400},
	        {"0.5m", 30},
	        {"1.9s", 1},
	        {"5 m", 300},
	        {"9223372036854775807", INT64_MAX},
	        {"106751991167300d", INT64_C(106751991167300) * 86400},
	};

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t v = 42;

		if (cfg_parse_duration(ok[i].text, &v) != 0)
			fail_msg("'%s' rejected", ok[i].text);
		if (v != ok[i].want)
			fail_msg("'%s' = %lld", ok[i].text, (long long)v);
	}
}

static void parse_duration_rejects_malformed_and_overflowing_text(void **state)
{
	static const char *const bad[] = {
	        "",   "s",  "-5",    "+5", "5x",  "5mm", "5 ",
	        " 5", "m5", "1.5.5", "5M", "5ms", "1w",  "5.",
	};
	static const char *const big[] = {
	        "9223372036854775808",
	        "106751991167301d",
	        "99999999999999999999",
	};

	(void)state;
	duration_refused(bad, sizeof bad / sizeof bad[0], EINVAL);
	duration_refused(big, sizeof big / sizeof big[0], ERANGE);
}

/* ------------------------------------------------------------------ */
/* Listen addresses and hosts                                          */
/* ------------------------------------------------------------------ */

static void parse_listen_splits_host_and_port(void **state)
{
	static const struct {
		const char *text;
		const char *host;
		uint16_t port;
	} ok[] = {
	        {"127.0.0.1:8085", "127.0.0.1", 8085},     {"[::1]:9100", "::1", 9100},
	        {"[fe80::1%eth0]:80", "fe80::1%eth0", 80}, {"*:1", "*", 1},
	        {"localhost:65535", "localhost", 65535},
	};
	static const char *const bad[] = {
	        "127.0.0.1", ":8085",      "::1:8085", "[::1]8085", "[::1",     "[zz]:80", "[]:80",
	        "host:0",    "host:65536", "host:",    "host:80x",  "ho st:80", "[::1]:",  "*:-1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char host[64];
		uint16_t port = 0;

		if (cfg_parse_listen(ok[i].text, host, sizeof host, &port) != 0)
			fail_msg("'%s' rejected", ok[i].text);
		assert_string_equal(host, ok[i].host);
		assert_int_equal(port, ok[i].port);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char host[64];
		uint16_t port = 0;

		if (cfg_parse_listen(bad[i], host, sizeof host, &port) != -1)
			fail_msg("'%s' accepted", bad[i]);
	}
	char tiny[4];
	uint16_t port;
	assert_int_equal(cfg_parse_listen("localhost:80", tiny, sizeof tiny, &port), -1);
	assert_int_equal(cfg_parse_listen("::", tiny, sizeof tiny, &port), -1);
}

static void listen_says_what_is_wrong(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
	        {"::1:80", "an IPv6 address needs brackets, e.g. [::1]:8085"},
	        {"[::1]", "missing ':PORT' after ']'"},
	        {"[::1]80", "missing ':PORT' after ']'"},
	        {"[::1:80", "missing ']' after the IPv6 address"},
	        {"[zz::1]:80", "invalid IPv6 address"},
	        {"[127.0.0.1]:80", "invalid IPv6 address"},
	        {"[]:80", "invalid IPv6 address"},
	        {"[fe80::1%]:80", "invalid IPv6 address"},
	        {"localhost", "missing ':PORT'"},
	        {":80", "missing host (use * for every address)"},
	        {"bad host:80", "invalid host name"},
	        {"**:80", "invalid host name"},
	        {"host:0", "the port must be 1 to 65535"},
	        {"host:65536", "the port must be 1 to 65535"},
	        {"host:", "the port must be 1 to 65535"},
	        {"host:+80", "the port must be 1 to 65535"},
	        {"host:80 ", "the port must be 1 to 65535"},
	};
	char host[64] = "untouched";
	uint16_t port = 7;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = cfg_listen_error(cases[i].text, host, sizeof host, &port);

		if (!why || strcmp(why, cases[i].why) != 0)
			fail_msg("'%s': got '%s'", cases[i].text, why ? why : "(accepted)");
		errno = 0;
		assert_int_equal(cfg_parse_listen(cases[i].text, host, sizeof host, &port), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_string_equal(host, "untouched");
	assert_int_equal(port, 7);
	/* a host that does not fit the caller's buffer */
	assert_string_equal(cfg_listen_error("localhost:80", host, 9, &port), "host name too long");
	assert_int_equal(cfg_parse_listen("localhost:80", host, 10, &port), 0);
	assert_int_equal(cfg_parse_listen(NULL, host, sizeof host, &port), -1);
}

static void hosts_are_names_or_addresses_without_brackets(void **state)
{
	char longest[254], too_long[255];

	(void)state;
	memset(longest, 'a', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	memset(too_long, 'a', sizeof too_long - 1);
	too_long[sizeof too_long - 1] = '\0';
	for (const char *const *s =
	             (const char *const[]){"router.lan", "192.0.2.1", "my_router-1", "2001:db8::1",
	                                   "fe80::1%ether1", "::", longest, NULL};
	     *s; s++)
		if (!cfg_is_host(*s))
			fail_msg("'%s' refused", *s);
	for (const char *const *s =
	             (const char *const[]){"", "[::1]", "host:8728", "a b", "h\x01", "fe80::1%",
	                                   "1:2:3", "r\xc3\xa9", too_long, NULL};
	     *s; s++)
		if (cfg_is_host(*s))
			fail_msg("'%s' accepted", *s);
}

/* ------------------------------------------------------------------ */
/* Networks                                                            */
/* ------------------------------------------------------------------ */

static void cfg_parse_net_checks_prefixes_and_host_bits(void **state)
{
	struct cfg_net n;
	static const char *const good[] = {"0.0.0.0/0",     "192.0.2.128/25", "::/0",
	                                   "2001:db8::/32", "fe80::1",        "192.0.2.255/32"};
	static const char *const bad[] = {"",
	                                  "/24",
	                                  "192.0.2.7/24",
	                                  "192.0.2.0/33",
	                                  "192.0.2.0/",
	                                  "192.0.2.0/-1",
	                                  "192.0.2.0/ 24",
	                                  "2001:db8::1/64",
	                                  "::/129",
	                                  "example.com",
	                                  "192.0.2",
	                                  "1.2.3.4 ",
	                                  "192.0.2.0/024x"};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (cfg_parse_net(good[i], &n) != NULL)
			fail_msg("refused %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cfg_parse_net(bad[i], &n) == NULL)
			fail_msg("accepted '%s'", bad[i]);
	struct cfg_net a, b;
	assert_null(cfg_parse_net("192.0.2.0/24", &a));
	assert_null(cfg_parse_net("192.0.2.7", &b));
	assert_true(cfg_net_overlap(&a, &b) && cfg_net_overlap(&b, &a));
	assert_null(cfg_parse_net("192.0.3.0/24", &b));
	assert_false(cfg_net_overlap(&a, &b));
	assert_null(cfg_parse_net("::ffff:192.0.2.7", &b)); /* IPv6, not mapped at load */
	assert_false(cfg_net_overlap(&a, &b));
}

static void networks_parse_with_and_without_prefix(void **state)
{
	struct cfg_net n;
	unsigned char a4[4], a6[16];

	(void)state;
	assert_null(cfg_parse_net("192.0.2.0/24", &n));
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefix, 24);
	inet_pton(AF_INET, "192.0.2.200", a4);
	assert_true(cfg_net_contains(&n, AF_INET, a4));
	inet_pton(AF_INET, "192.0.3.1", a4);
	assert_false(cfg_net_contains(&n, AF_INET, a4));
	assert_null(cfg_parse_net("10.0.0.1", &n));
	assert_int_equal(n.prefix, 32);
	assert_null(cfg_parse_net("0.0.0.0/0", &n));
	assert_true(cfg_net_contains(&n, AF_INET, a4));
	inet_pton(AF_INET6, "2001:db8::1", a6);
	assert_false(cfg_net_contains(&n, AF_INET6, a6)); /* families differ */
	assert_null(cfg_parse_net("2001:db8::/32", &n));
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(n.prefix, 32);
	assert_true(cfg_net_contains(&n, AF_INET6, a6));
	assert_null(cfg_parse_net("2001:db8::1", &n));
	assert_int_equal(n.prefix, 128);
}

static void networks_say_what_is_wrong(void **state)
{
	struct cfg_net n = {.prefix = 99};

	(void)state;
	assert_string_equal(cfg_parse_net("", &n), "not an IPv4 or IPv6 address");
	assert_string_equal(cfg_parse_net("/24", &n), "not an IPv4 or IPv6 address");
	assert_string_equal(cfg_parse_net("router.lan", &n), "not an IPv4 or IPv6 address");
	assert_string_equal(cfg_parse_net("10.0.0.0/33", &n), "the prefix must be 0 to 32");
	assert_string_equal(cfg_parse_net("10.0.0.0/", &n), "the prefix must be 0 to 32");
	assert_string_equal(cfg_parse_net("::/129", &n), "the prefix must be 0 to 128");
	assert_non_null(strstr(cfg_parse_net("192.0.2.7/24", &n), "host bits set"));
	assert_non_null(strstr(cfg_parse_net("2001:db8::1/64", &n), "host bits set"));
	assert_int_equal(n.prefix, 99); /* untouched */
}

static void networks_overlap_when_one_holds_the_other(void **state)
{
	struct cfg_net a, b, c, d;

	(void)state;
	assert_null(cfg_parse_net("192.0.2.0/24", &a));
	assert_null(cfg_parse_net("192.0.2.128/25", &b));
	assert_null(cfg_parse_net("192.0.3.0/24", &c));
	assert_null(cfg_parse_net("::ffff:192.0.2.0/120", &d));
	assert_true(cfg_net_overlap(&a, &b));
	assert_true(cfg_net_overlap(&b, &a));
	assert_false(cfg_net_overlap(&a, &c));
	assert_false(cfg_net_overlap(&a, &d)); /* another family */
}

/* ------------------------------------------------------------------ */
/* Fingerprints                                                        */
/* ------------------------------------------------------------------ */

static void fingerprints_are_normalised(void **state)
{
	static const char want[] = "sha256:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
	                           "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
	char out[CFG_FINGERPRINT_LEN];

	(void)state;
	assert_int_equal(sizeof want, CFG_FINGERPRINT_LEN);
	assert_int_equal(cfg_parse_fingerprint("SHA256:0123456789abcdef0123456789abcdef"
	                                       "0123456789abcdef0123456789abcdef",
	                                       out),
	                 0);
	assert_string_equal(out, want);
	assert_int_equal(cfg_parse_fingerprint(want, out), 0);
	assert_string_equal(out, want);
	assert_int_equal(cfg_parse_fingerprint("sha256::0:1:23456789abcdef0123456789abcdef"
	                                       "0123456789abcdef0123456789abcdef:",
	                                       out),
	                 0);
	assert_string_equal(out, want);
}

static void fingerprints_need_64_hex_digits(void **state)
{
	char out[CFG_FINGERPRINT_LEN];
	char text[128];

	(void)state;
	snprintf(text, sizeof text, "sha256:%063d", 0);
	assert_int_equal(cfg_parse_fingerprint(text, out), -1);
	snprintf(text, sizeof text, "sha256:%065d", 0);
	assert_int_equal(cfg_parse_fingerprint(text, out), -1);
	snprintf(text, sizeof text, "sha256:%063dg", 0);
	assert_int_equal(cfg_parse_fingerprint(text, out), -1);
	snprintf(text, sizeof text, "sha1:%064d", 0);
	assert_int_equal(cfg_parse_fingerprint(text, out), -1);
	snprintf(text, sizeof text, "%064d", 0);
	assert_int_equal(cfg_parse_fingerprint(text, out), -1);
	snprintf(text, sizeof text, "sha256: %064d", 0);
	assert_int_equal(cfg_parse_fingerprint(text, out), -1);
}

/* ------------------------------------------------------------------ */
/* Quotes and lists                                                    */
/* ------------------------------------------------------------------ */

static void quotes_know_two_escapes(void **state)
{
	char out[64];
	const char *end = NULL;

	(void)state;
	assert_null(cfg_dequote("\"a \\\"b\\\" \\\\ c\" rest", out, &end));
	assert_string_equal(out, "a \"b\" \\ c");
	assert_string_equal(end, " rest");
	assert_null(cfg_dequote("\"\"", out, &end));
	assert_string_equal(out, "");
	assert_string_equal(cfg_dequote("\"a\\nb\"", out, &end),
	                    "unknown escape inside quotes (only \\\" and \\\\ are allowed)");
	assert_string_equal(cfg_dequote("\"open", out, &end), "unterminated quote");
	assert_string_equal(cfg_dequote("\"ends in \\\"", out, &end), "unterminated quote");
}

static void name_lists_take_plain_and_quoted_names(void **state)
{
	const char *s = " ether1 ,\"my \\\"lan\\\", too\" , wlan 2";
	char out[64];
	bool more = false;

	(void)state;
	assert_null(cfg_list_entry(&s, out, &more));
	assert_string_equal(out, "ether1");
	assert_true(more);
	assert_null(cfg_list_entry(&s, out, &more));
	assert_string_equal(out, "my \"lan\", too");
	assert_true(more);
	assert_null(cfg_list_entry(&s, out, &more));
	assert_string_equal(out, "wlan 2");
	assert_false(more);
	assert_string_equal(s, "");
}

static void name_lists_say_what_is_wrong(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
	        {"", "empty name"},
	        {" , a", "empty name"},
	        {"\"\"", "empty name"},
	        {"\"a\" b", "text after the closing quote"},
	        {"a\"b", "'\"' inside a name (quote the whole name and write \\\" inside)"},
	        {"\"a", "unterminated quote"},
	        {"a\x01", "control character in the name"},
	};
	char out[64];
	bool more;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = cases[i].text;
		const char *why = cfg_list_entry(&s, out, &more);

		if (!why || strcmp(why, cases[i].why) != 0)
			fail_msg("'%s': got '%s'", cases[i].text, why ? why : "(accepted)");
		assert_ptr_equal(s, cases[i].text); /* not moved */
	}
}

static void counter_lists_take_router_and_plain_or_quoted_names(void **state)
{
	const char *s = " home/ether1+ home/ \"my + wan\" +office-2.b/AA:bb:CC:dd:EE:ff  + x/q 1";
	char router[80], name[80];
	bool more = false;

	(void)state;
	assert_null(cfg_counter_entry(&s, router, name, &more));
	assert_string_equal(router, "home");
	assert_string_equal(name, "ether1");
	assert_true(more);
	assert_null(cfg_counter_entry(&s, router, name, &more));
	assert_string_equal(router, "home");
	assert_string_equal(name, "my + wan");
	assert_true(more);
	assert_null(cfg_counter_entry(&s, router, name, &more));
	assert_string_equal(router, "office-2.b");
	assert_string_equal(name, "AA:bb:CC:dd:EE:ff"); /* as written: cfg_parse_mac normalises */
	assert_true(more);
	assert_null(cfg_counter_entry(&s, router, name, &more));
	assert_string_equal(router, "x");
	assert_string_equal(name, "q 1");
	assert_false(more);
	assert_string_equal(s, "");
	s = "home/vlan/10";
	assert_null(cfg_counter_entry(&s, router, name, &more));
	assert_string_equal(router, "home");
	assert_string_equal(name, "vlan/10"); /* the first '/' ends the router */
}

static void counter_lists_say_what_is_wrong(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
	        {"", "empty entry"},
	        {"  + home/e", "empty entry"},
	        {"ether1", "expected ROUTER/COUNTER (e.g. home/ether1)"},
	        {"/ether1", "expected ROUTER/COUNTER (e.g. home/ether1)"},
	        {"my home/ether1", "expected ROUTER/COUNTER (e.g. home/ether1)"},
	        {"\"home/ether1\"", "expected ROUTER/COUNTER (e.g. home/ether1)"},
	        {"home /ether1", "expected ROUTER/COUNTER (e.g. home/ether1)"},
	        {"home/", "empty name"},
	        {"home/ + x/y", "empty name"},
	        {"home/\"\"", "empty name"},
	        {"home/\"a\" b", "text after the closing quote"},
	        {"home/a\"b", "'\"' inside a name (quote the whole name and write \\\" inside)"},
	        {"home/\"a", "unterminated quote"},
	        {"home/a\x01", "control character in the name"},
	};
	char router[64], name[64];
	bool more;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = cases[i].text;
		const char *why = cfg_counter_entry(&s, router, name, &more);

		if (!why || strcmp(why, cases[i].why) != 0)
			fail_msg("'%s': got '%s'", cases[i].text, why ? why : "(accepted)");
		assert_ptr_equal(s, cases[i].text); /* not moved */
	}
}

static void mac_addresses_are_normalised_to_upper_case(void **state)
{
	char out[CFG_MAC_LEN] = "untouched";
	char in_place[] = "0a:1b:2c:3d:4e:5f";

	(void)state;
	assert_int_equal(cfg_parse_mac("aa:bb:cc:dd:ee:0f", out), 0);
	assert_string_equal(out, "AA:BB:CC:DD:EE:0F");
	assert_int_equal(cfg_parse_mac(in_place, in_place), 0);
	assert_string_equal(in_place, "0A:1B:2C:3D:4E:5F");
	strcpy(out, "untouched");
	for (const char *const *s =
	             (const char *const[]){"", "AA:BB:CC:DD:EE", "AA:BB:CC:DD:EE:F",
	                                   "AA:BB:CC:DD:EE:FF:", "AA:BB:CC:DD:EE:FG",
	                                   "AA-BB-CC-DD-EE-FF", "AABB.CCDD.EEFF",
	                                   " AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:FF ",
	                                   "A:BB:CC:DD:EE:FFF", NULL};
	     *s; s++) {
		if (cfg_parse_mac(*s, out) != -1)
			fail_msg("'%s' accepted", *s);
	}
	assert_string_equal(out, "untouched");
}

static void comma_lists_give_trimmed_items(void **state)
{
	const char *s = " a , b c ,,";
	char out[16];

	(void)state;
	assert_true(cfg_next_item(&s, out));
	assert_string_equal(out, "a");
	assert_true(cfg_next_item(&s, out));
	assert_string_equal(out, "b c");
	assert_true(cfg_next_item(&s, out));
	assert_string_equal(out, "");
	assert_true(cfg_next_item(&s, out));
	assert_string_equal(out, "");
	assert_null(s);
	assert_false(cfg_next_item(&s, out));
	s = "";
	assert_true(cfg_next_item(&s, out));
	assert_string_equal(out, "");
	assert_false(cfg_next_item(&s, out));
}

static void choices_are_exact_words(void **state)
{
	static const char *const words[] = {"off", "verify", "fingerprint", NULL};

	(void)state;
	assert_int_equal(cfg_parse_choice("off", words), 0);
	assert_int_equal(cfg_parse_choice("fingerprint", words), 2);
	assert_int_equal(cfg_parse_choice("OFF", words), -1);
	assert_int_equal(cfg_parse_choice("of", words), -1);
	assert_int_equal(cfg_parse_choice("", words), -1);
}

/* A MAC as typed in a query: ':' or '-' throughout, any case. */
static void a_typed_mac_takes_colons_or_dashes(void **state)
{
	char out[CFG_MAC_LEN];
	(void)state;
	assert_int_equal(cfg_parse_mac_typed("aa-bb-cc-00-00-0f", out), 0);
	assert_string_equal(out, "AA:BB:CC:00:00:0F");
	assert_int_equal(cfg_parse_mac_typed("aa:bb:cc:00:00:0f", out), 0);
	assert_string_equal(out, "AA:BB:CC:00:00:0F");
	assert_int_equal(cfg_parse_mac_typed("aa-bb:cc-00-00-0f", out), -1);
	assert_int_equal(cfg_parse_mac_typed("aa.bb.cc.00.00.0f", out), -1);
	assert_int_equal(cfg_parse_mac_typed("aa-bb-cc-00-00-0", out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a_typed_mac_takes_colons_or_dashes),
	        cmocka_unit_test(blanks_and_control_bytes),
	        cmocka_unit_test(integers_are_digits_within_their_range),
	        cmocka_unit_test(parse_size_reads_decimal_and_binary_units),
	        cmocka_unit_test(parse_size_rejects_malformed_and_overflowing_text),
	        cmocka_unit_test(sizes_know_every_unit),
	        cmocka_unit_test(parse_duration_reads_seconds_minutes_hours_days),
	        cmocka_unit_test(parse_duration_rejects_malformed_and_overflowing_text),
	        cmocka_unit_test(parse_listen_splits_host_and_port),
	        cmocka_unit_test(listen_says_what_is_wrong),
	        cmocka_unit_test(hosts_are_names_or_addresses_without_brackets),
	        cmocka_unit_test(cfg_parse_net_checks_prefixes_and_host_bits),
	        cmocka_unit_test(networks_parse_with_and_without_prefix),
	        cmocka_unit_test(networks_say_what_is_wrong),
	        cmocka_unit_test(networks_overlap_when_one_holds_the_other),
	        cmocka_unit_test(fingerprints_are_normalised),
	        cmocka_unit_test(fingerprints_need_64_hex_digits),
	        cmocka_unit_test(quotes_know_two_escapes),
	        cmocka_unit_test(name_lists_take_plain_and_quoted_names),
	        cmocka_unit_test(name_lists_say_what_is_wrong),
	        cmocka_unit_test(counter_lists_take_router_and_plain_or_quoted_names),
	        cmocka_unit_test(counter_lists_say_what_is_wrong),
	        cmocka_unit_test(mac_addresses_are_normalised_to_upper_case),
	        cmocka_unit_test(comma_lists_give_trimmed_items),
	        cmocka_unit_test(choices_are_exact_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
