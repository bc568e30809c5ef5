/*
 * test_jsonw.c — unit tests of daemon/jsonw.c: the JSON writer
 * (separators, nesting, numbers, misuse) and the daemon's terminal text.
 * The buffer and the escaping rule are text/'s (tests/test_text.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

/* --- terminal text --- */

/* tikstat's tables show "w\xE9an" (tests/cli): upper-case hex. The rule
 * itself is text/'s (test_text.c). */
static void text_is_escaped_with_upper_case_hex(void **state)
{
	(void)state;
	const char in[] = "w\xe9\x1b[\\ \xc2\x9b B\xc3\xa4r";
	struct text_buf b = TEXT_BUF_INIT;
	assert_int_equal(plain_text(&b, in, sizeof in - 1), 0);
	assert_string_equal(text_buf_str(&b), "w\\xE9\\x1B[\\\\ \\xC2\\x9B B\xc3\xa4r");
	text_buf_free(&b);
}

/* --- writer --- */

static void writer_places_commas_and_colons(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_uint(&w, 1);
	jsonw_key(&w, "b");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "c");
	jsonw_array_begin(&w);
	jsonw_string(&w, "x");
	jsonw_null(&w);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "d\"");
	jsonw_string(&w, NULL);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(text_buf_str(&b),
	                    "{\"a\":1,\"b\":[],\"c\":[\"x\",null,true,false,{}],\"d\\\"\":null}");
	text_buf_free(&b);
}

static void writer_prints_64_bit_integers_exactly(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	jsonw_uint(&w, UINT64_MAX);
	jsonw_uint(&w, 9007199254740993u); /* 2^53 + 1: not a double */
	jsonw_uint(&w, 0);
	jsonw_int(&w, INT64_MIN);
	jsonw_int(&w, -1);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(text_buf_str(&b), "[18446744073709551615,9007199254740993,0,"
	                                      "-9223372036854775808,-1]");
	text_buf_free(&b);
}

/* The hand-written formatter gives printf's digits: every power of ten
 * and its neighbours, the extremes, and both signs. */
static void numbers_match_printf(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	char want[32];
	uint64_t p = 1;
	for (int e = 0; e < 20; e++, p *= 10) {
		uint64_t vs[] = {p - 1, p, p + 1, p * 7 + 3};
		for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
			text_buf_reset(&b);
			assert_int_equal(jsonw_put_u64(&b, vs[i]), 0);
			snprintf(want, sizeof want, "%" PRIu64, vs[i]);
			assert_string_equal(text_buf_str(&b), want);
			int64_t sv = (int64_t)(vs[i] & INT64_MAX);
			for (int sign = 0; sign < 2; sign++, sv = -sv) {
				text_buf_reset(&b);
				assert_int_equal(jsonw_put_i64(&b, sv), 0);
				snprintf(want, sizeof want, "%" PRId64, sv);
				assert_string_equal(text_buf_str(&b), want);
			}
		}
	}
	text_buf_reset(&b);
	jsonw_put_u64(&b, UINT64_MAX);
	jsonw_put_i64(&b, INT64_MIN);
	jsonw_put_i64(&b, INT64_MAX);
	assert_string_equal(text_buf_str(&b),
	                    "18446744073709551615-92233720368547758089223372036854775807");
	text_buf_free(&b);
}

/* Short plain strings take a shortcut (one append): the same bytes as
 * the escaping path for them, for strings just past the shortcut's
 * length, and for a key or value holding one byte to escape. */
static void short_and_long_strings_are_written_alike(void **state)
{
	(void)state;
	char lng[101];
	memset(lng, 'a', 100);
	lng[100] = '\0';
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	jsonw_string(&w, "2026-12-07T00:00:00+01:00");
	jsonw_key(&w, lng + 40); /* 60 bytes: the shortcut's limit */
	jsonw_string(&w, lng + 39);
	jsonw_key(&w, "tab\t");
	jsonw_string(&w, "del\x7f");
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	char want[512];
	snprintf(
	        want, sizeof want,
	        "{\"k\":\"2026-12-07T00:00:00+01:00\",\"%s\":\"%s\",\"tab\\u0009\":\"del\\u007f\"}",
	        lng + 40, lng + 39);
	assert_string_equal(text_buf_str(&b), want);
	text_buf_free(&b);
}

static void writer_prints_fixed_point_decimals(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	jsonw_decimal(&w, 1234, 2);
	jsonw_decimal(&w, 5, 2);
	jsonw_decimal(&w, 10000, 2);
	jsonw_decimal(&w, 7, 0);
	jsonw_decimal(&w, UINT64_MAX, 9);
	jsonw_decimal(&w, 0, 9);
	jsonw_decimal(&w, 1000000001, 9);
	jsonw_decimal(&w, 45, 1);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(text_buf_str(&b), "[12.34,0.05,100.00,7,18446744073.709551615,"
	                                      "0.000000000,1.000000001,4.5]");
	text_buf_free(&b);
}

static void writer_refuses_a_value_without_key_in_an_object(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	assert_int_equal(jsonw_uint(&w, 1), -1);
	assert_int_equal(jsonw_key(&w, "a"), -1); /* sticky */
	assert_int_equal(jsonw_finish(&w), -1);
	text_buf_free(&b);
}

static void writer_refuses_mismatched_and_unclosed_containers(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -1); /* still open */
	assert_int_equal(jsonw_object_end(&w), -1);
	text_buf_reset(&b);
	jsonw_init(&w, &b);
	assert_int_equal(jsonw_array_end(&w), -1);
	text_buf_reset(&b);
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	assert_int_equal(jsonw_object_end(&w), -1); /* a key without value */
	text_buf_free(&b);
}

static void writer_refuses_nesting_deeper_than_its_limit(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		assert_int_equal(jsonw_array_begin(&w), 0);
	assert_int_equal(jsonw_array_begin(&w), -1);
	assert_int_equal(jsonw_finish(&w), -1);
	text_buf_free(&b);
}

static void writer_stops_when_the_buffer_failed(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	b.failed = true;
	assert_int_equal(jsonw_uint(&w, 1), -1);
	assert_int_equal(jsonw_array_end(&w), -1);
	assert_int_equal(jsonw_finish(&w), -1);
	text_buf_free(&b);
}

static void writer_escapes_raw_byte_strings(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "interface");
	jsonw_string_len(&w, "w\xe9\"\n", 4);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(text_buf_str(&b), "{\"interface\":\"w\\u00e9\\\"\\u000a\"}");
	text_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(text_is_escaped_with_upper_case_hex),
	        cmocka_unit_test(writer_places_commas_and_colons),
	        cmocka_unit_test(writer_prints_64_bit_integers_exactly),
	        cmocka_unit_test(numbers_match_printf),
	        cmocka_unit_test(short_and_long_strings_are_written_alike),
	        cmocka_unit_test(writer_prints_fixed_point_decimals),
	        cmocka_unit_test(writer_refuses_a_value_without_key_in_an_object),
	        cmocka_unit_test(writer_refuses_mismatched_and_unclosed_containers),
	        cmocka_unit_test(writer_refuses_nesting_deeper_than_its_limit),
	        cmocka_unit_test(writer_stops_when_the_buffer_failed),
	        cmocka_unit_test(writer_escapes_raw_byte_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
