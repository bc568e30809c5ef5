/*
 * test_jsonw.c — unit tests of daemon/jsonw.c: the growable buffer, the
 * JSON writer (separators, nesting, numbers, misuse) and the two escaping
 * rules (JSON strings, terminal text) on raw, often non-UTF-8 bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

/* The JSON string jbuf_json_string makes of len bytes at s. */
static char *json_of(const void *s, size_t len)
{
	struct jbuf b = JBUF_INIT;
	assert_int_equal(jbuf_json_string(&b, s, len), 0);
	return b.data;
}

static char *text_of(const void *s, size_t len)
{
	struct jbuf b = JBUF_INIT;
	assert_int_equal(jbuf_text(&b, s, len), 0);
	char *r = strdup(jbuf_str(&b));
	jbuf_free(&b);
	return r;
}

#define ASSERT_JSON(bytes, expected)                                                               \
	do {                                                                                       \
		char *got_ = json_of(bytes, sizeof(bytes) - 1);                                    \
		assert_string_equal(got_, expected);                                               \
		free(got_);                                                                        \
	} while (0)

#define ASSERT_TEXT(bytes, expected)                                                               \
	do {                                                                                       \
		char *got_ = text_of(bytes, sizeof(bytes) - 1);                                    \
		assert_string_equal(got_, expected);                                               \
		free(got_);                                                                        \
	} while (0)

/* --- buffer --- */

static void buffer_grows_and_stays_nul_terminated(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	assert_string_equal(jbuf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(jbuf_puts(&b, "abc"), 0);
	assert_int_equal(b.len, 3000);
	assert_int_equal(strlen(b.data), 3000);
	assert_int_equal(jbuf_printf(&b, "%0600d", 7), 0);
	assert_int_equal(b.len, 3600);
	assert_int_equal(b.data[3599], '7');
	assert_int_equal(b.data[3600], '\0');
	jbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(jbuf_str(&b), "");
	assert_int_equal(jbuf_fill(&b, '-', 5), 0);
	assert_string_equal(jbuf_str(&b), "-----");
	jbuf_free(&b);
	jbuf_free(&b);
	jbuf_free(NULL);
}

static void buffer_failure_is_sticky(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	jbuf_puts(&b, "x");
	b.failed = true; /* as after an allocation failure */
	assert_int_equal(jbuf_puts(&b, "y"), -1);
	assert_int_equal(jbuf_printf(&b, "%d", 1), -1);
	assert_string_equal(jbuf_str(&b), "x");
	jbuf_free(&b);
}

/* --- JSON strings --- */

static void json_string_keeps_ascii_and_escapes_quote_and_backslash(void **state)
{
	(void)state;
	ASSERT_JSON("ether1", "\"ether1\"");
	ASSERT_JSON("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	ASSERT_JSON("", "\"\"");
}

static void json_string_escapes_control_bytes_and_del(void **state)
{
	(void)state;
	ASSERT_JSON("a\nb\tc\x01\x1f\x7f", "\"a\\u000ab\\u0009c\\u0001\\u001f\\u007f\"");
	/* An embedded NUL is a byte like any other. */
	char *got = json_of("a\0b", 3);
	assert_string_equal(got, "\"a\\u0000b\"");
	free(got);
}

static void json_string_keeps_valid_utf8(void **state)
{
	(void)state;
	ASSERT_JSON("Kalle B\xc3\xa4r \xe2\x82\xac \xf0\x9f\x98\x80",
	            "\"Kalle B\xc3\xa4r \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

static void json_string_reads_invalid_bytes_as_latin1(void **state)
{
	(void)state;
	/* WinBox writes the PC's code page: "café" in Latin-1. */
	ASSERT_JSON("caf\xe9", "\"caf\\u00e9\"");
	ASSERT_JSON("\xff\xfe", "\"\\u00ff\\u00fe\"");
	/* A lone continuation byte, a truncated sequence. */
	ASSERT_JSON("\x80", "\"\\u0080\"");
	ASSERT_JSON("\xe2\x82", "\"\\u00e2\\u0082\"");
}

static void json_string_rejects_overlong_surrogates_and_beyond_10ffff(void **state)
{
	(void)state;
	ASSERT_JSON("\xc0\xaf", "\"\\u00c0\\u00af\"");
	ASSERT_JSON("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");
	ASSERT_JSON("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	ASSERT_JSON("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	ASSERT_JSON("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
}

static void json_string_escapes_c1_controls_and_line_separators(void **state)
{
	(void)state;
	ASSERT_JSON("\xc2\x85", "\"\\u0085\"");
	ASSERT_JSON("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	/* U+00A0 is not a control: kept. */
	ASSERT_JSON("\xc2\xa0", "\"\xc2\xa0\"");
}

static void utf8_len_accepts_exactly_the_valid_sequences(void **state)
{
	(void)state;
	const unsigned char ok2[] = {0xc3, 0xa4}, ok3[] = {0xe2, 0x82, 0xac},
	                    ok4[] = {0xf0, 0x9f, 0x98, 0x80}, max[] = {0xf4, 0x8f, 0xbf, 0xbf};
	assert_int_equal(jsonw_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(jsonw_utf8_len(ok2, 2), 2);
	assert_int_equal(jsonw_utf8_len(ok3, 3), 3);
	assert_int_equal(jsonw_utf8_len(ok4, 4), 4);
	assert_int_equal(jsonw_utf8_len(max, 4), 4);
	assert_int_equal(jsonw_utf8_len(ok4, 3), 0); /* truncated */
	const unsigned char bad[] = {0xc1, 0xbf};
	assert_int_equal(jsonw_utf8_len(bad, 2), 0);
}

/* --- terminal text --- */

static void text_keeps_printable_ascii_and_valid_utf8(void **state)
{
	(void)state;
	ASSERT_TEXT("ether1 \"wan\"", "ether1 \"wan\"");
	ASSERT_TEXT("B\xc3\xa4r", "B\xc3\xa4r");
}

static void text_escapes_backslash_controls_and_invalid_bytes_in_upper_hex(void **state)
{
	(void)state;
	ASSERT_TEXT("a\\b", "a\\\\b");
	ASSERT_TEXT("\x1b[31m", "\\x1B[31m");
	ASSERT_TEXT("caf\xe9", "caf\\xE9");
	ASSERT_TEXT("\x7f", "\\x7F");
	/* Both bytes of a C1 control, which some terminals obey. */
	ASSERT_TEXT("\xc2\x9b", "\\xC2\\x9B");
}

/* --- writer --- */

static void writer_places_commas_and_colons(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
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
	assert_string_equal(jbuf_str(&b),
	                    "{\"a\":1,\"b\":[],\"c\":[\"x\",null,true,false,{}],\"d\\\"\":null}");
	jbuf_free(&b);
}

static void writer_prints_64_bit_integers_exactly(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
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
	assert_string_equal(jbuf_str(&b), "[18446744073709551615,9007199254740993,0,"
	                                  "-9223372036854775808,-1]");
	jbuf_free(&b);
}

static void writer_prints_fixed_point_decimals(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	jsonw_decimal(&w, 1234, 2);
	jsonw_decimal(&w, 5, 2);
	jsonw_decimal(&w, 10000, 2);
	jsonw_decimal(&w, 7, 0);
	jsonw_decimal(&w, UINT64_MAX, 9);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(jbuf_str(&b), "[12.34,0.05,100.00,7,18446744073.709551615]");
	jbuf_free(&b);
}

static void writer_refuses_a_value_without_key_in_an_object(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	assert_int_equal(jsonw_uint(&w, 1), -1);
	assert_int_equal(jsonw_key(&w, "a"), -1); /* sticky */
	assert_int_equal(jsonw_finish(&w), -1);
	jbuf_free(&b);
}

static void writer_refuses_mismatched_and_unclosed_containers(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -1); /* still open */
	assert_int_equal(jsonw_object_end(&w), -1);
	jbuf_reset(&b);
	jsonw_init(&w, &b);
	assert_int_equal(jsonw_array_end(&w), -1);
	jbuf_reset(&b);
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	assert_int_equal(jsonw_object_end(&w), -1); /* a key without value */
	jbuf_free(&b);
}

static void writer_refuses_nesting_deeper_than_its_limit(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		assert_int_equal(jsonw_array_begin(&w), 0);
	assert_int_equal(jsonw_array_begin(&w), -1);
	assert_int_equal(jsonw_finish(&w), -1);
	jbuf_free(&b);
}

static void writer_stops_when_the_buffer_failed(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	b.failed = true;
	assert_int_equal(jsonw_uint(&w, 1), -1);
	assert_int_equal(jsonw_array_end(&w), -1);
	assert_int_equal(jsonw_finish(&w), -1);
	jbuf_free(&b);
}

static void writer_escapes_raw_byte_strings(void **state)
{
	(void)state;
	struct jbuf b = JBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_key(&w, "interface");
	jsonw_string_len(&w, "w\xe9\"\n", 4);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(jbuf_str(&b), "{\"interface\":\"w\\u00e9\\\"\\u000a\"}");
	jbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(buffer_grows_and_stays_nul_terminated),
	        cmocka_unit_test(buffer_failure_is_sticky),
	        cmocka_unit_test(json_string_keeps_ascii_and_escapes_quote_and_backslash),
	        cmocka_unit_test(json_string_escapes_control_bytes_and_del),
	        cmocka_unit_test(json_string_keeps_valid_utf8),
	        cmocka_unit_test(json_string_reads_invalid_bytes_as_latin1),
	        cmocka_unit_test(json_string_rejects_overlong_surrogates_and_beyond_10ffff),
	        cmocka_unit_test(json_string_escapes_c1_controls_and_line_separators),
	        cmocka_unit_test(utf8_len_accepts_exactly_the_valid_sequences),
	        cmocka_unit_test(text_keeps_printable_ascii_and_valid_utf8),
	        cmocka_unit_test(text_escapes_backslash_controls_and_invalid_bytes_in_upper_hex),
	        cmocka_unit_test(writer_places_commas_and_colons),
	        cmocka_unit_test(writer_prints_64_bit_integers_exactly),
	        cmocka_unit_test(writer_prints_fixed_point_decimals),
	        cmocka_unit_test(writer_refuses_a_value_without_key_in_an_object),
	        cmocka_unit_test(writer_refuses_mismatched_and_unclosed_containers),
	        cmocka_unit_test(writer_refuses_nesting_deeper_than_its_limit),
	        cmocka_unit_test(writer_stops_when_the_buffer_failed),
	        cmocka_unit_test(writer_escapes_raw_byte_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
