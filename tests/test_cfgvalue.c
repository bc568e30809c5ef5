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

static void size_refused(const char *text, int why)
{
	uint64_t v = 42;

	errno = 0;
	if (cfg_parse_size(text, &v) != -1)
		fail_msg("'%s' accepted", text ? text : "(null)");
	assert_int_equal(errno, why);
	assert_int_equal(v, 42);
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

static void sizes_take_fractions_rounded_down(void **state)
{
	(void)state;
	assert_true(size_of("1.5K") == 1500);
	assert_true(size_of("1.5Ki") == 1536);
	assert_true(size_of("2.5G") == UINT64_C(2500000000));
	assert_true(size_of("0.001K") == 1);
	assert_true(size_of("0.0009K") == 0);
	assert_true(size_of("1.0009K") == 1000);
	assert_true(size_of("0.5") == 0);
	assert_true(size_of("500 GB") == UINT64_C(500000000000));
}

static void sizes_refuse_bad_text_and_overflow(void **state)
{
	(void)state;
	for (const char *const *s = (const char *const[]){"", " 1", "1 ", "-1", "+1", "1.", ".5",
	                                                   "1.K", "K", "1X", "1KiX", "1iK", "1BB",
	                                                   "1 K B", "1,5K", "1e3", NULL};
	     *s; s++)
		size_refused(*s, EINVAL);
	size_refused(NULL, EINVAL);
	assert_true(size_of("18446744073709551615") == UINT64_MAX);
	size_refused("18446744073709551616", ERANGE);
	size_refused("99999999999999999999999", ERANGE);
	assert_true(size_of("16383Pi") == UINT64_C(16383) << 50);
	size_refused("16384Pi", ERANGE);
	size_refused("18446744073709551615.9K", ERANGE);
	size_refused("18446744073709552P", ERANGE);
}

/* ------------------------------------------------------------------ */
/* Durations                                                           */
/* ------------------------------------------------------------------ */

static int64_t seconds_of(const char *text)
{
	int64_t v = 0;

	if (cfg_parse_duration(text, &v) != 0)
		fail_msg("'%s' refused", text);
	return v;
}

static void duration_refused(const char *text, int why)
{
	int64_t v = 42;

	errno = 0;
	if (cfg_parse_duration(text, &v) != -1)
		fail_msg("'%s' accepted", text ? text : "(null)");
	assert_int_equal(errno, why);
	assert_int_equal(v, 42);
}

static void durations_know_every_unit(void **state)
{
	(void)state;
	assert_int_equal(seconds_of("10"), 10);
	assert_int_equal(seconds_of("10s"), 10);
	assert_int_equal(seconds_of("5m"), 300);
	assert_int_equal(seconds_of("2h"), 7200);
	assert_int_equal(seconds_of("7d"), 604800);
	assert_int_equal(seconds_of("1.5m"), 90);
	assert_int_equal(seconds_of("0.5s"), 0);
	assert_int_equal(seconds_of("10 s"), 10);
	assert_int_equal(seconds_of("0"), 0);
}

static void durations_refuse_bad_text_and_overflow(void **state)
{
	(void)state;
	for (const char *const *s = (const char *const[]){"", "s", " 1", "1 ", "10ms", "10S",
	                                                   "10M", "1w", "1y", "-1", "1.", "1ss",
	                                                   "1 s s", NULL};
	     *s; s++)
		duration_refused(*s, EINVAL);
	duration_refused(NULL, EINVAL);
	assert_true(seconds_of("9223372036854775807") == INT64_MAX);
	duration_refused("9223372036854775808", ERANGE);
	assert_true(seconds_of("106751991167300d") == INT64_C(9223372036854720000));
	duration_refused("106751991167301d", ERANGE);
	duration_refused("18446744073709551616", ERANGE);
}

/* ------------------------------------------------------------------ */
/* Listen addresses and hosts                                          */
/* ------------------------------------------------------------------ */

static void listen_splits_host_and_port(void **state)
{
	char host[64];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(cfg_parse_listen("127.0.0.1:8085", host, sizeof host, &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8085);
	assert_int_equal(cfg_parse_listen("[::1]:8080", host, sizeof host, &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8080);
	assert_int_equal(cfg_parse_listen("[fe80::1%eth0]:1", host, sizeof host, &port), 0);
	assert_string_equal(host, "fe80::1%eth0");
	assert_int_equal(port, 1);
	assert_int_equal(cfg_parse_listen("*:65535", host, sizeof host, &port), 0);
	assert_string_equal(host, "*");
	assert_int_equal(port, 65535);
	assert_int_equal(cfg_parse_listen("stats.lan:80", host, sizeof host, &port), 0);
	assert_string_equal(host, "stats.lan");
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
	for (const char *const *s = (const char *const[]){"router.lan", "192.0.2.1", "my_router-1",
	                                                   "2001:db8::1", "fe80::1%ether1", "::",
	                                                   longest, NULL};
	     *s; s++)
		if (!cfg_is_host(*s))
			fail_msg("'%s' refused", *s);
	for (const char *const *s = (const char *const[]){"", "[::1]", "host:8728", "a b", "h\x01",
	                                                   "fe80::1%", "1:2:3", "r\xc3\xa9",
	                                                   too_long, NULL};
	     *s; s++)
		if (cfg_is_host(*s))
			fail_msg("'%s' accepted", *s);
}

/* ------------------------------------------------------------------ */
/* Networks                                                            */
/* ------------------------------------------------------------------ */

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(blanks_and_control_bytes),
	        cmocka_unit_test(integers_are_digits_within_their_range),
	        cmocka_unit_test(sizes_know_every_unit),
	        cmocka_unit_test(sizes_take_fractions_rounded_down),
	        cmocka_unit_test(sizes_refuse_bad_text_and_overflow),
	        cmocka_unit_test(durations_know_every_unit),
	        cmocka_unit_test(durations_refuse_bad_text_and_overflow),
	        cmocka_unit_test(listen_splits_host_and_port),
	        cmocka_unit_test(listen_says_what_is_wrong),
	        cmocka_unit_test(hosts_are_names_or_addresses_without_brackets),
	        cmocka_unit_test(networks_parse_with_and_without_prefix),
	        cmocka_unit_test(networks_say_what_is_wrong),
	        cmocka_unit_test(networks_overlap_when_one_holds_the_other),
	        cmocka_unit_test(fingerprints_are_normalised),
	        cmocka_unit_test(fingerprints_need_64_hex_digits),
	        cmocka_unit_test(quotes_know_two_escapes),
	        cmocka_unit_test(name_lists_take_plain_and_quoted_names),
	        cmocka_unit_test(name_lists_say_what_is_wrong),
	        cmocka_unit_test(comma_lists_give_trimmed_items),
	        cmocka_unit_test(choices_are_exact_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
