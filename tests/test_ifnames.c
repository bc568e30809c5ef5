/*
 * test_ifnames.c — ifnames.c: the router's names listed unambiguously and
 * the likely meant name of a missing interface.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ifnames.h"

static const char *const have[] = {"ether1",           "ether2",      "ether2 lan", "pppoe-out1",
                                   "wlan-caf\xc3\xa9", "bad\xe9name", "tab\tname",  "a,b"};
#define N_HAVE (sizeof have / sizeof have[0])

static void quote(const char *name, const char *want)
{
	char out[128];
	size_t len = ifnames_quote(name, out, sizeof out);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
}

static void quote_keeps_plain_names_and_valid_utf8_as_they_are(void **s)
{
	(void)s;
	quote("ether1", "ether1");
	quote("wlan-caf\xc3\xa9", "wlan-caf\xc3\xa9");
	quote("\xe2\x82\xac-uplink", "\xe2\x82\xac-uplink");
}

static void quote_wraps_names_with_blanks_commas_quotes(void **s)
{
	(void)s;
	quote("ether2 lan", "\"ether2 lan\"");
	quote("a,b", "\"a,b\"");
	quote("say \"hi\"", "\"say \\\"hi\\\"\"");
	quote("back\\slash", "\"back\\\\slash\"");
	quote("", "\"\"");
}

static void quote_escapes_control_bytes_and_invalid_utf8_only(void **s)
{
	(void)s;
	quote("tab\tname", "\"tab\\x09name\"");
	quote("bad\xe9name", "\"bad\\xE9name\"");
	quote("overlong\xc0\xaf", "\"overlong\\xC0\\xAF\"");
	quote("cut\xe2\x82", "\"cut\\xE2\\x82\"");
}

static void quote_truncates_safely_and_reports_the_full_length(void **s)
{
	(void)s;
	char out[5];
	assert_int_equal(ifnames_quote("ether2 lan", out, sizeof out), 12);
	assert_string_equal(out, "\"eth");
}

static void suggest(const char *want, const char *hint)
{
	char out[200];
	assert_int_equal(ifnames_suggest(want, have, N_HAVE, out, sizeof out), hint ? 1 : 0);
	assert_string_equal(out, hint ? hint : "");
}

static void suggests_the_name_in_another_case(void **s)
{
	(void)s;
	suggest("Ether2", "did you mean ether2?");
	suggest("PPPOE-OUT1", "did you mean pppoe-out1?");
}

static void suggests_a_near_name_within_two_edits(void **s)
{
	(void)s;
	suggest("ehter1", "did you mean ether1?");
	suggest("pppoe-out", "did you mean pppoe-out1?");
	suggest("ether2 lna", "did you mean \"ether2 lan\"?");
	suggest("sfp-sfpplus1", NULL);
	suggest("wan", NULL);
}

static void suggests_commas_for_names_joined_by_blanks(void **s)
{
	(void)s;
	suggest("ether2 pppoe-out1", "separate names with commas: interfaces = ether2, pppoe-out1");
	/* "ether2 lan" is one name: its own match, not two. */
	suggest("ether1  ether2", "separate names with commas: interfaces = ether1, ether2");
}

static void missing_message_lists_names_unambiguously_with_the_hint(void **s)
{
	(void)s;
	char out[512];
	static const char *const three[] = {"ether1", "ether2", "ether2 lan"};
	ifnames_missing_message("Ether2", three, 3, out, sizeof out);
	assert_string_equal(out, "not on the router; it has: ether1, ether2, \"ether2 lan\"; "
	                         "did you mean ether2?");
	ifnames_missing_message("wan", three, 3, out, sizeof out);
	assert_string_equal(out, "not on the router; it has: ether1, ether2, \"ether2 lan\"");
	ifnames_missing_message("wan", three, 0, out, sizeof out);
	assert_string_equal(out, "not on the router; it has none");
}

static void missing_message_cuts_a_long_list_with_a_count(void **s)
{
	(void)s;
	char out[80];
	ifnames_missing_message("Ether2", have, N_HAVE, out, sizeof out);
	assert_true(strlen(out) < sizeof out);
	assert_non_null(strstr(out, " more; did you mean ether2?"));
	assert_non_null(strstr(out, "it has: ether1, "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(quote_keeps_plain_names_and_valid_utf8_as_they_are),
	        cmocka_unit_test(quote_wraps_names_with_blanks_commas_quotes),
	        cmocka_unit_test(quote_escapes_control_bytes_and_invalid_utf8_only),
	        cmocka_unit_test(quote_truncates_safely_and_reports_the_full_length),
	        cmocka_unit_test(suggests_the_name_in_another_case),
	        cmocka_unit_test(suggests_a_near_name_within_two_edits),
	        cmocka_unit_test(suggests_commas_for_names_joined_by_blanks),
	        cmocka_unit_test(missing_message_lists_names_unambiguously_with_the_hint),
	        cmocka_unit_test(missing_message_cuts_a_long_list_with_a_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
