/*
 * test_text.c — unit tests of text/: the growable buffer, array growth,
 * hex digits, strict UTF-8, and the one escaping rule shared by rosapi and
 * the daemon (no raw control byte reaches a terminal or a JSON client).
 *
 * Besides exact expectations, random byte strings are checked against an
 * independent decoder (jsoncheck.c): a JSON string decodes back to the
 * input's code points with every invalid byte B as U+00BB, and terminal
 * text unescapes back to the input bytes while holding no control byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsoncheck.h"
#include "text.h"

/* The JSON string text_escape_json makes of len bytes at s (validated). */
static char *json_of(const void *s, size_t len)
{
	struct text_buf b = TEXT_BUF_INIT;

	assert_int_equal(text_escape_json(&b, s, len), 0);
	assert_non_null(b.data);
	assert_true(json_valid(b.data, b.len));
	return b.data;
}

static char *terminal_of(const void *s, size_t len, unsigned flags)
{
	struct text_buf b = TEXT_BUF_INIT;

	assert_int_equal(text_escape_terminal(&b, s, len, flags), 0);
	char *r = strdup(text_buf_str(&b));
	text_buf_free(&b);
	return r;
}

#define EXPECT_JSON(bytes, want)                                                                   \
	do {                                                                                       \
		char *got_ = json_of(bytes, sizeof(bytes) - 1);                                    \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

#define EXPECT_TERMINAL(flags, bytes, want)                                                        \
	do {                                                                                       \
		char *got_ = terminal_of(bytes, sizeof(bytes) - 1, flags);                         \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

/* rosapi's plain output, and the daemon's tables. */
#define EXPECT_LOWER(bytes, want) EXPECT_TERMINAL(0, bytes, want)
#define EXPECT_UPPER(bytes, want) EXPECT_TERMINAL(TEXT_HEX_UPPER, bytes, want)

/* A pseudo-random byte string biased towards the interesting high bytes. */
static size_t random_bytes(unsigned *seed, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		out[i] = (unsigned char)((*seed >> 16) & 1 ? 0x80 | (*seed >> 8) : *seed >> 9);
	}
	return len;
}

/* --- buffer --- */

static void buffer_grows_and_stays_nul_terminated(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	assert_string_equal(text_buf_str(&b), "");
	for (int i = 0; i < 10000; i++)
		assert_int_equal(text_buf_puts(&b, "abc"), 0);
	assert_int_equal(b.len, 30000);
	assert_int_equal(strlen(b.data), 30000);
	assert_true(b.cap > b.len);
	assert_int_equal(text_buf_printf(&b, "%0600d", 7), 0);
	assert_int_equal(b.len, 30600);
	assert_int_equal(b.data[30599], '7');
	assert_int_equal(b.data[30600], '\0');
	text_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(text_buf_str(&b), "");
	assert_int_equal(text_buf_fill(&b, '-', 5), 0);
	assert_int_equal(text_buf_append(&b, "x\0y", 3), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "-----x\0y", 9);
	text_buf_free(&b);
	assert_null(b.data);
	text_buf_free(&b);
	text_buf_free(NULL);
}

static void buffer_failure_is_sticky(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	text_buf_puts(&b, "x");
	b.failed = true; /* as after an allocation failure */
	assert_int_equal(text_buf_puts(&b, "y"), -1);
	assert_int_equal(text_buf_printf(&b, "%d", 1), -1);
	assert_int_equal(text_buf_fill(&b, 'z', 1), -1);
	assert_int_equal(text_escape_json(&b, "a", 1), -1);
	assert_int_equal(text_escape_terminal(&b, "a", 1, 0), -1);
	assert_string_equal(text_buf_str(&b), "x");
	text_buf_reset(&b);
	assert_int_equal(text_buf_puts(&b, "y"), 0);
	assert_string_equal(text_buf_str(&b), "y");
	text_buf_free(&b);
}

static void buffer_refuses_a_size_beyond_the_bound(void **state)
{
	(void)state;
	struct text_buf b = TEXT_BUF_INIT;
	text_buf_puts(&b, "abc");
	/* len + extra + 1 would wrap around, or exceed TEXT_MAX_BYTES. */
	assert_int_equal(text_buf_append(&b, "", SIZE_MAX - 1), -1);
	assert_true(b.failed);
	text_buf_reset(&b);
	assert_int_equal(text_buf_fill(&b, 'x', TEXT_MAX_BYTES), -1);
	assert_true(b.failed);
	assert_int_equal(b.len, 0);
	text_buf_free(&b);
}

/* --- array growth --- */

static void grow_keeps_contents_and_doubles(void **state)
{
	(void)state;
	uint64_t *v = NULL;
	size_t cap = 0;
	size_t reallocs = 0;
	for (size_t n = 0; n < 100000; n++) {
		size_t before = cap;
		uint64_t *g = text_grow(v, &cap, n + 1, sizeof *g);
		assert_non_null(g);
		assert_true(cap >= n + 1);
		reallocs += cap != before;
		v = g;
		v[n] = n * 3;
	}
	for (size_t n = 0; n < 100000; n++)
		assert_int_equal(v[n], n * 3);
	assert_true(reallocs < 20); /* geometric: log2(100000 / 32) + 1 */
	free(v);
}

static void grow_leaves_room_when_there_is_some(void **state)
{
	(void)state;
	size_t cap = 0;
	char *p = text_grow(NULL, &cap, 1, 1);
	assert_non_null(p);
	assert_int_equal(cap, 256); /* a first allocation of about 256 bytes */
	assert_ptr_equal(text_grow(p, &cap, 256, 1), p);
	assert_int_equal(cap, 256);
	free(p);
	cap = 0;
	struct big {
		char x[1000];
	} *q = text_grow(NULL, &cap, 1, sizeof *q);
	assert_non_null(q);
	assert_int_equal(cap, 1);
	free(q);
}

static void grow_refuses_overflow_and_keeps_the_array(void **state)
{
	(void)state;
	size_t cap = 0;
	int *v = text_grow(NULL, &cap, 4, sizeof *v);
	assert_non_null(v);
	size_t old = cap;
	assert_null(text_grow(v, &cap, SIZE_MAX / 2, sizeof *v)); /* need * elem wraps */
	assert_null(text_grow(v, &cap, TEXT_MAX_BYTES / sizeof *v + 1, sizeof *v));
	assert_null(text_grow(v, &cap, 0, sizeof *v));
	assert_int_equal(cap, old);
	v[3] = 7; /* still the caller's, still usable */
	free(v);
}

/* --- hex digits --- */

static void hex_value_reads_both_cases_and_nothing_else(void **state)
{
	(void)state;
	const char *digits = "0123456789abcdef", *upper = "ABCDEF";
	for (int i = 0; i < 16; i++)
		assert_int_equal(text_hex_value((unsigned char)digits[i]), i);
	for (int i = 0; i < 6; i++)
		assert_int_equal(text_hex_value((unsigned char)upper[i]), 10 + i);
	int valid = 0;
	for (int c = 0; c < 256; c++)
		valid += text_hex_value((unsigned char)c) >= 0;
	assert_int_equal(valid, 22);
}

/* --- UTF-8 --- */

static void utf8_len_accepts_exactly_the_valid_sequences(void **state)
{
	(void)state;
	const unsigned char ok2[] = {0xc3, 0xa4}, ok3[] = {0xe2, 0x82, 0xac},
	                    ok4[] = {0xf0, 0x9f, 0x98, 0x80}, max[] = {0xf4, 0x8f, 0xbf, 0xbf},
	                    bad[] = {0xc1, 0xbf};
	assert_int_equal(text_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(text_utf8_len(ok2, 2), 2);
	assert_int_equal(text_utf8_len(ok3, 3), 3);
	assert_int_equal(text_utf8_len(ok4, 4), 4);
	assert_int_equal(text_utf8_len(max, 4), 4);
	assert_int_equal(text_utf8_len(ok4, 3), 0); /* truncated */
	assert_int_equal(text_utf8_len(bad, 2), 0);
}

static void utf8_len_agrees_with_reference_decoder_on_all_short_sequences(void **state)
{
	(void)state;
	/* Every lead byte with every second and third byte; the fourth fixed
	 * to a continuation byte (its range is the same for all leads). */
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b2 = 0; b2 < 256; b2++)
			for (unsigned c = 0x70; c < 0xD0; c += 0x10) {
				unsigned char s[4] = {(unsigned char)a, (unsigned char)b2,
				                      (unsigned char)c, 0xA5};
				uint32_t cp;
				for (size_t n = 1; n <= 4; n++)
					assert_int_equal(text_utf8_len(s, n),
					                 ref_decode(s, n, &cp));
			}
}

/* --- JSON strings --- */

static void json_string_keeps_plain_ascii(void **state)
{
	(void)state;
	EXPECT_JSON("ether1", "\"ether1\"");
	EXPECT_JSON("", "\"\"");
	EXPECT_JSON("a b/c=d", "\"a b/c=d\"");
}

static void json_string_escapes_quote_and_backslash(void **state)
{
	(void)state;
	EXPECT_JSON("say \"hi\"", "\"say \\\"hi\\\"\"");
	EXPECT_JSON("C:\\dir\\", "\"C:\\\\dir\\\\\"");
}

static void json_string_escapes_control_bytes_and_del_as_u00xx(void **state)
{
	(void)state;
	EXPECT_JSON("a\nb\tc\rd", "\"a\\u000ab\\u0009c\\u000dd\"");
	EXPECT_JSON("\x01\x1f\x1b[31m", "\"\\u0001\\u001f\\u001b[31m\"");
	EXPECT_JSON("nul\0byte", "\"nul\\u0000byte\"");
	EXPECT_JSON("x\x7fy", "\"x\\u007fy\"");
}

static void json_string_keeps_valid_multibyte_utf8(void **state)
{
	(void)state;
	EXPECT_JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");           /* é */
	EXPECT_JSON("\xe2\x82\xac 5", "\"\xe2\x82\xac 5\"");     /* € */
	EXPECT_JSON("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
	EXPECT_JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	EXPECT_JSON("\xed\x9f\xbf\xee\x80\x80",
	            "\"\xed\x9f\xbf\xee\x80\x80\""); /* around surrogates */
	EXPECT_JSON("\xc2\xa0", "\"\xc2\xa0\"");     /* NBSP, first after C1 */
}

static void json_string_maps_lone_latin1_byte_to_its_code_point(void **state)
{
	(void)state;
	EXPECT_JSON("\xe9", "\"\\u00e9\"");
	EXPECT_JSON("caf\xe9 bar", "\"caf\\u00e9 bar\"");
	EXPECT_JSON("\x80\xff", "\"\\u0080\\u00ff\"");
}

static void json_string_escapes_truncated_sequence_byte_by_byte(void **state)
{
	(void)state;
	EXPECT_JSON("\xe2\x82", "\"\\u00e2\\u0082\"");   /* at the end */
	EXPECT_JSON("\xe2\x82X", "\"\\u00e2\\u0082X\""); /* cut by ASCII */
	EXPECT_JSON("\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"");
	EXPECT_JSON("\xc3\xc3\xa9", "\"\\u00c3\xc3\xa9\""); /* resync on a valid lead */
}

static void json_string_rejects_overlong_surrogates_and_beyond_10ffff(void **state)
{
	(void)state;
	EXPECT_JSON("\xc0\xaf", "\"\\u00c0\\u00af\"");
	EXPECT_JSON("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	EXPECT_JSON("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");
	EXPECT_JSON("\xf0\x80\x80\xaf", "\"\\u00f0\\u0080\\u0080\\u00af\"");
	EXPECT_JSON("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	EXPECT_JSON("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");
	EXPECT_JSON("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	EXPECT_JSON("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
	EXPECT_JSON("\xf8\x88\x80\x80\x80", "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"");
}

static void json_string_escapes_c1_controls_and_line_separators(void **state)
{
	(void)state;
	EXPECT_JSON("\xc2\x80\xc2\x9b", "\"\\u0080\\u009b\"");
	EXPECT_JSON("a\xe2\x80\xa8"
	            "b\xe2\x80\xa9",
	            "\"a\\u2028b\\u2029\"");
	EXPECT_JSON("\xe2\x80\xa7", "\"\xe2\x80\xa7\""); /* U+2027 is ordinary */
}

static void json_string_of_random_bytes_decodes_to_latin1_fallback(void **state)
{
	(void)state;
	unsigned seed = 12345;
	for (int round = 0; round < 3000; round++) {
		unsigned char in[24];
		uint32_t want[24], got[24];
		size_t len = random_bytes(&seed, in, (size_t)(round % 24)), nwant = 0;
		for (size_t i = 0; i < len;) {
			uint32_t cp;
			size_t n = ref_decode(in + i, len - i, &cp);
			want[nwant++] = n ? cp : in[i];
			i += n ? n : 1;
		}
		struct text_buf b = TEXT_BUF_INIT;
		assert_int_equal(text_escape_json(&b, in, len), 0);
		long ngot = json_string_code_points(b.data, b.len, got, 24);
		assert_int_equal(ngot, (long)nwant);
		if (nwant)
			assert_memory_equal(got, want, nwant * sizeof want[0]);
		text_buf_free(&b);
	}
}

/* --- terminal text --- */

static void terminal_keeps_printable_ascii_and_valid_utf8(void **state)
{
	(void)state;
	EXPECT_LOWER("ether1 caf\xc3\xa9 \xe2\x82\xac", "ether1 caf\xc3\xa9 \xe2\x82\xac");
	EXPECT_LOWER("\"quoted\"", "\"quoted\"");
	EXPECT_UPPER("B\xc3\xa4r \xf0\x9f\x98\x80", "B\xc3\xa4r \xf0\x9f\x98\x80");
	EXPECT_UPPER("\xc2\xa0\xe2\x80\xa7", "\xc2\xa0\xe2\x80\xa7");
}

static void terminal_escapes_backslash_unless_told_to_keep_it(void **state)
{
	(void)state;
	EXPECT_LOWER("a\\xe9", "a\\\\xe9");
	EXPECT_UPPER("a\\b", "a\\\\b");
	EXPECT_TERMINAL(TEXT_KEEP_BACKSLASH, "a\\x1b\x1b", "a\\x1b\\x1b");
}

static void terminal_escapes_control_bytes_and_del_as_hex(void **state)
{
	(void)state;
	EXPECT_LOWER("a\nb\x1b[2J\x7f", "a\\x0ab\\x1b[2J\\x7f");
	EXPECT_LOWER("\0", "\\x00");
	EXPECT_UPPER("\x1b[31m", "\\x1B[31m");
	EXPECT_UPPER("\x7f", "\\x7F");
}

static void terminal_escapes_invalid_utf8_bytes_as_hex(void **state)
{
	(void)state;
	EXPECT_LOWER("caf\xe9", "caf\\xe9");
	EXPECT_UPPER("caf\xe9", "caf\\xE9");
	EXPECT_LOWER("\xe2\x82", "\\xe2\\x82");
	EXPECT_LOWER("\xc0\xaf", "\\xc0\\xaf");
	EXPECT_LOWER("\xed\xa0\x80", "\\xed\\xa0\\x80");
	EXPECT_LOWER("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
}

static void terminal_escapes_both_bytes_of_c1_controls(void **state)
{
	(void)state;
	/* U+009B is CSI: some terminals obey it like ESC [. */
	EXPECT_LOWER("\xc2\x9b"
	             "31m",
	             "\\xc2\\x9b31m");
	EXPECT_UPPER("\xc2\x9b", "\\xC2\\x9B");
	EXPECT_TERMINAL(TEXT_KEEP_BACKSLASH, "\xc2\x85", "\\xc2\\x85");
}

static void terminal_escapes_line_separators(void **state)
{
	(void)state;
	EXPECT_LOWER("a\xe2\x80\xa8"
	             "b",
	             "a\\xe2\\x80\\xa8b");
	EXPECT_UPPER("\xe2\x80\xa9", "\\xE2\\x80\\xA9");
	EXPECT_TERMINAL(TEXT_KEEP_BACKSLASH, "\xe2\x80\xa8", "\\xe2\\x80\\xa8");
}

/* Undoes the terminal escaping: "\\" and "\xHH". */
static size_t unescape_terminal(const char *s, unsigned char *out)
{
	size_t n = 0;
	while (*s) {
		if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x') {
			out[n++] = (unsigned char)(text_hex_value((unsigned char)s[2]) * 16 +
			                           text_hex_value((unsigned char)s[3]));
			s += 4;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return n;
}

static void terminal_text_of_random_bytes_is_safe_and_reversible(void **state)
{
	(void)state;
	unsigned seed = 4242;
	for (int round = 0; round < 3000; round++) {
		unsigned char in[24], back[24 * 4];
		size_t len = random_bytes(&seed, in, (size_t)(round % 24));
		unsigned flags = round & 1 ? TEXT_HEX_UPPER : 0;
		char *got = terminal_of(in, len, flags);
		const unsigned char *p = (const unsigned char *)got;
		size_t glen = strlen(got);
		for (size_t i = 0; i < glen;) {
			uint32_t cp;
			size_t n = ref_decode(p + i, glen - i, &cp);
			assert_true(n > 0); /* only valid UTF-8 reaches the terminal */
			assert_false(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
			             cp == 0x2029);
			i += n;
		}
		assert_int_equal(unescape_terminal(got, back), len);
		if (len)
			assert_memory_equal(back, in, len);
		free(got);
	}
}

static int int_cmp(const void *key, const void *elem)
{
	int a = *(const int *)key, b = *(const int *)elem;
	return (a > b) - (a < b);
}

/* The first element not before the key, found or not, at both ends and
 * among equal elements; an empty array. */
static void lower_bound_finds_where_a_key_goes(void **state)
{
	(void)state;
	static const int v[] = {2, 4, 4, 4, 9};
	static const struct {
		int key;
		size_t at;
		bool found;
	} cases[] = {{1, 0, false}, {2, 0, true}, {3, 1, false}, {4, 1, true},
	             {5, 4, false}, {9, 4, true}, {10, 5, false}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool found = !cases[i].found;
		assert_int_equal(
		        text_lower_bound(&cases[i].key, v, 5, sizeof v[0], int_cmp, &found),
		        cases[i].at);
		assert_int_equal(found, cases[i].found);
	}
	bool found = true;
	assert_int_equal(text_lower_bound(&cases[0].key, NULL, 0, sizeof v[0], int_cmp, &found), 0);
	assert_false(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(buffer_grows_and_stays_nul_terminated),
	        cmocka_unit_test(buffer_failure_is_sticky),
	        cmocka_unit_test(buffer_refuses_a_size_beyond_the_bound),
	        cmocka_unit_test(grow_keeps_contents_and_doubles),
	        cmocka_unit_test(grow_leaves_room_when_there_is_some),
	        cmocka_unit_test(grow_refuses_overflow_and_keeps_the_array),
	        cmocka_unit_test(hex_value_reads_both_cases_and_nothing_else),
	        cmocka_unit_test(utf8_len_accepts_exactly_the_valid_sequences),
	        cmocka_unit_test(utf8_len_agrees_with_reference_decoder_on_all_short_sequences),
	        cmocka_unit_test(json_string_keeps_plain_ascii),
	        cmocka_unit_test(json_string_escapes_quote_and_backslash),
	        cmocka_unit_test(json_string_escapes_control_bytes_and_del_as_u00xx),
	        cmocka_unit_test(json_string_keeps_valid_multibyte_utf8),
	        cmocka_unit_test(json_string_maps_lone_latin1_byte_to_its_code_point),
	        cmocka_unit_test(json_string_escapes_truncated_sequence_byte_by_byte),
	        cmocka_unit_test(json_string_rejects_overlong_surrogates_and_beyond_10ffff),
	        cmocka_unit_test(json_string_escapes_c1_controls_and_line_separators),
	        cmocka_unit_test(json_string_of_random_bytes_decodes_to_latin1_fallback),
	        cmocka_unit_test(terminal_keeps_printable_ascii_and_valid_utf8),
	        cmocka_unit_test(terminal_escapes_backslash_unless_told_to_keep_it),
	        cmocka_unit_test(terminal_escapes_control_bytes_and_del_as_hex),
	        cmocka_unit_test(terminal_escapes_invalid_utf8_bytes_as_hex),
	        cmocka_unit_test(terminal_escapes_both_bytes_of_c1_controls),
	        cmocka_unit_test(terminal_escapes_line_separators),
	        cmocka_unit_test(terminal_text_of_random_bytes_is_safe_and_reversible),
	        cmocka_unit_test(lower_bound_finds_where_a_key_goes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
