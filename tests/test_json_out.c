/*
 * test_json_out.c — unit tests of routeros-api/tools/json_out.c, the JSON and
 * plain-text rendering of rosapi.
 *
 * Besides exact expectations, every JSON output is checked by a small strict
 * validator written here (RFC 8259 grammar, raw bytes must be valid UTF-8),
 * and a property test decodes the JSON strings of random byte strings back
 * to code points and compares them with an independent UTF-8 decoder:
 * valid sequences keep their code point, every other byte B becomes U+00BB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "routeros.h"

/* ------------------------------------------------------------------ */
/* An independent UTF-8 decoder and a strict JSON validator            */
/* ------------------------------------------------------------------ */

/* Decodes one code point at s by computing it (not by range tables, as
 * json_out.c does). Returns the sequence length, or 0 when invalid. */
static size_t ref_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	size_t n, i;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2, v = s[0] & 0x1Fu, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3, v = s[0] & 0x0Fu, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4, v = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

struct jp {
	const unsigned char *p, *end;
	uint32_t *cps; /* decoded code points of the last string, if non-NULL */
	size_t ncps;
};

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_cp(struct jp *j, uint32_t cp)
{
	if (j->cps)
		j->cps[j->ncps] = cp;
	j->ncps++;
}

static int parse_string(struct jp *j)
{
	j->ncps = 0;
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = *j->p;
		uint32_t cp;
		size_t n;

		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return -1;
			c = j->p[1];
			j->p += 2;
			if (c == 'u') {
				int k, h;

				if (j->end - j->p < 4)
					return -1;
				for (cp = 0, k = 0; k < 4; k++) {
					if ((h = hexval(j->p[k])) < 0)
						return -1;
					cp = cp * 16 + (uint32_t)h;
				}
				j->p += 4;
				if (cp >= 0xD800 && cp <= 0xDFFF)
					return -1; /* json_out never needs surrogate pairs */
				put_cp(j, cp);
			} else {
				const char *esc = strchr("\"\\/bfnrt", c);

				if (!esc || !c)
					return -1;
				put_cp(j, (uint32_t) "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"]);
			}
			continue;
		}
		n = ref_decode(j->p, (size_t)(j->end - j->p), &cp);
		if (n == 0)
			return -1; /* raw bytes must be valid UTF-8 */
		put_cp(j, cp);
		j->p += n;
	}
	return -1;
}

static int parse_value(struct jp *j, int depth);

static int parse_container(struct jp *j, int depth, unsigned char open, unsigned char close)
{
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		skip_ws(j);
		if (open == '{') {
			if (parse_string(j) < 0)
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return -1;
			j->p++;
		}
		if (parse_value(j, depth + 1) < 0)
			return -1;
		skip_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return -1;
		j->p++;
	}
}

static int parse_value(struct jp *j, int depth)
{
	if (depth > 32)
		return -1;
	skip_ws(j);
	if (j->p >= j->end)
		return -1;
	if (*j->p == '{')
		return parse_container(j, depth, '{', '}');
	if (*j->p == '[')
		return parse_container(j, depth, '[', ']');
	if (*j->p == '"')
		return parse_string(j);
	return -1; /* json_out emits no numbers or literals */
}

/* 1 when text[0..len) is exactly one valid JSON value (plus blanks). */
static int json_valid(const char *text, size_t len)
{
	struct jp j = {(const unsigned char *)text, (const unsigned char *)text + len, NULL, 0};

	if (parse_value(&j, 0) < 0)
		return 0;
	skip_ws(&j);
	return j.p == j.end;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static char *json_of(const void *s, size_t len)
{
	struct json_out_buf b = {0};

	assert_int_equal(json_out_string(&b, s, len), 0);
	assert_non_null(b.data);
	assert_true(json_valid(b.data, b.len));
	return b.data;
}

static char *text_of(const void *s, size_t len)
{
	struct json_out_buf b = {0};

	assert_int_equal(json_out_text(&b, s, len), 0);
	if (!b.data)
		return strdup("");
	return b.data;
}

#define EXPECT_JSON(bytes, want)                                                                   \
	do {                                                                                       \
		char *got_ = json_of(bytes, sizeof(bytes) - 1);                                    \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

#define EXPECT_TEXT(bytes, want)                                                                   \
	do {                                                                                       \
		char *got_ = text_of(bytes, sizeof(bytes) - 1);                                    \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

/* Parses one encoded sentence made of the given words. */
static ros_sentence *sentence_of(const char *const *words, const size_t *lens, size_t n)
{
	struct ros_buf b = {0};
	ros_parser *p = ros_parser_new(0, 0);
	ros_sentence *s;
	unsigned char end = 0;
	size_t i;
	long used;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		assert_int_equal(ros_buf_add_word(&b, words[i], lens ? lens[i] : strlen(words[i])),
		                 0);
	assert_int_equal(ros_buf_add_word(&b, &end, 0), 0);
	used = ros_parser_feed(p, b.data, b.len);
	assert_int_equal(used, (long)b.len);
	s = ros_parser_take(p);
	assert_non_null(s);
	ros_parser_free(p);
	ros_buf_free(&b);
	return s;
}

static char *sentence_json(const char *const *words, size_t n)
{
	struct json_out_buf b = {0};
	ros_sentence *s = sentence_of(words, NULL, n);

	assert_int_equal(json_out_sentence(&b, s), 0);
	assert_true(json_valid(b.data, b.len));
	ros_sentence_free(s);
	return b.data;
}

/* ------------------------------------------------------------------ */
/* JSON strings                                                        */
/* ------------------------------------------------------------------ */

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

static void json_string_escapes_control_bytes_as_u00xx(void **state)
{
	(void)state;
	EXPECT_JSON("a\nb\tc\rd", "\"a\\u000ab\\u0009c\\u000dd\"");
	EXPECT_JSON("\x01\x1f\x1b[31m", "\"\\u0001\\u001f\\u001b[31m\"");
	EXPECT_JSON("nul\0byte", "\"nul\\u0000byte\"");
}

static void json_string_escapes_del(void **state)
{
	(void)state;
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

static void json_string_rejects_overlong_forms(void **state)
{
	(void)state;
	EXPECT_JSON("\xc0\xaf", "\"\\u00c0\\u00af\"");
	EXPECT_JSON("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	EXPECT_JSON("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");
	EXPECT_JSON("\xf0\x80\x80\xaf", "\"\\u00f0\\u0080\\u0080\\u00af\"");
}

static void json_string_rejects_surrogates(void **state)
{
	(void)state;
	EXPECT_JSON("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	EXPECT_JSON("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");
}

static void json_string_rejects_code_points_above_10ffff(void **state)
{
	(void)state;
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
	unsigned seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		unsigned char in[24];
		uint32_t want[24], got[24 * 2];
		size_t len = (size_t)(round % 24), i = 0, nwant = 0;
		struct json_out_buf b = {0};
		struct jp j;

		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* bias towards the interesting high bytes */
			in[i] = (unsigned char)((seed >> 16) & 1 ? 0x80 | (seed >> 8) : seed >> 9);
		}
		for (i = 0; i < len;) {
			uint32_t cp;
			size_t n = ref_decode(in + i, len - i, &cp);

			want[nwant++] = n ? cp : in[i];
			i += n ? n : 1;
		}
		assert_int_equal(json_out_string(&b, in, len), 0);
		j = (struct jp){(const unsigned char *)b.data,
		                (const unsigned char *)b.data + b.len, got, 0};
		assert_int_equal(parse_string(&j), 0);
		assert_true(j.p == j.end);
		assert_int_equal(j.ncps, nwant);
		if (nwant)
			assert_memory_equal(got, want, nwant * sizeof want[0]);
		json_out_buf_free(&b);
	}
}

static void utf8_len_agrees_with_reference_decoder_on_all_short_sequences(void **state)
{
	unsigned a, b2, c;

	(void)state;
	/* Every lead byte with every second and third byte; the fourth fixed
	 * to a continuation byte (its range is the same for all leads). */
	for (a = 0; a < 256; a++)
		for (b2 = 0; b2 < 256; b2++)
			for (c = 0x70; c < 0xD0; c += 0x10) {
				unsigned char s[4] = {(unsigned char)a, (unsigned char)b2,
				                      (unsigned char)c, 0xA5};
				uint32_t cp;
				size_t n;

				for (n = 1; n <= 4; n++)
					assert_int_equal(json_out_utf8_len(s, n),
					                 ref_decode(s, n, &cp));
			}
}

/* ------------------------------------------------------------------ */
/* Plain text                                                          */
/* ------------------------------------------------------------------ */

static void text_keeps_ascii_and_valid_utf8(void **state)
{
	(void)state;
	EXPECT_TEXT("ether1 caf\xc3\xa9 \xe2\x82\xac", "ether1 caf\xc3\xa9 \xe2\x82\xac");
	EXPECT_TEXT("\"quoted\"", "\"quoted\"");
}

static void text_escapes_backslash(void **state)
{
	(void)state;
	EXPECT_TEXT("a\\xe9", "a\\\\xe9");
}

static void text_escapes_control_bytes_and_del_as_hex(void **state)
{
	(void)state;
	EXPECT_TEXT("a\nb\x1b[2J\x7f", "a\\x0ab\\x1b[2J\\x7f");
	EXPECT_TEXT("\0", "\\x00");
}

static void text_escapes_invalid_utf8_bytes_as_hex(void **state)
{
	(void)state;
	EXPECT_TEXT("caf\xe9", "caf\\xe9");
	EXPECT_TEXT("\xe2\x82", "\\xe2\\x82");
	EXPECT_TEXT("\xc0\xaf", "\\xc0\\xaf");
	EXPECT_TEXT("\xed\xa0\x80", "\\xed\\xa0\\x80");
	EXPECT_TEXT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
}

static void text_escapes_c1_controls_encoded_in_utf8(void **state)
{
	(void)state;
	EXPECT_TEXT("\xc2\x9b"
	            "31m",
	            "\\xc2\\x9b31m");
}

/* ------------------------------------------------------------------ */
/* Sentences and replies                                               */
/* ------------------------------------------------------------------ */

static void sentence_json_has_type_and_attrs(void **state)
{
	const char *w[] = {"!re", "=.id=*1", "=name=ether1", "=comment=", "=x=a=b"};
	char *j;

	(void)state;
	j = sentence_json(w, 5);
	assert_string_equal(
	        j,
	        "{\"type\":\"re\",\"attrs\":{\".id\":\"*1\",\"name\":\"ether1\",\"comment\":\"\","
	        "\"x\":\"a=b\"}}");
	free(j);
}

static void sentence_json_of_bare_done_has_empty_attrs(void **state)
{
	const char *w[] = {"!done"};
	char *j;

	(void)state;
	j = sentence_json(w, 1);
	assert_string_equal(j, "{\"type\":\"done\",\"attrs\":{}}");
	free(j);
}

static void sentence_json_carries_tag(void **state)
{
	const char *w[] = {"!re", "=name=a", ".tag=t\"1"};
	char *j;

	(void)state;
	j = sentence_json(w, 3);
	assert_string_equal(j, "{\"type\":\"re\",\"tag\":\"t\\\"1\",\"attrs\":{\"name\":\"a\"}}");
	free(j);
}

static void sentence_json_carries_fatal_reason(void **state)
{
	const char *w[] = {"!fatal", "session terminated on request"};
	char *j;

	(void)state;
	j = sentence_json(w, 2);
	assert_string_equal(
	        j,
	        "{\"type\":\"fatal\",\"reason\":\"session terminated on request\",\"attrs\":{}}");
	free(j);
}

static void sentence_json_turns_repeated_key_into_array(void **state)
{
	const char *w[] = {"!re", "=a=1", "=b=x", "=a=2", "=c=", "=a=3", "=c=y"};
	char *j;

	(void)state;
	j = sentence_json(w, 7);
	assert_string_equal(j, "{\"type\":\"re\",\"attrs\":{\"a\":[\"1\",\"2\",\"3\"],\"b\":\"x\","
	                       "\"c\":[\"\",\"y\"]}}");
	free(j);
}

static void sentence_json_escapes_keys_and_values(void **state)
{
	const char *w[] = {"!trap", "=message=bad \xe9\n", "=k\"\x01=v"};
	char *j;

	(void)state;
	j = sentence_json(w, 3);
	assert_string_equal(j, "{\"type\":\"trap\",\"attrs\":{\"message\":\"bad \\u00e9\\u000a\","
	                       "\"k\\\"\\u0001\":\"v\"}}");
	free(j);
}

static void sentence_json_handles_many_repeated_keys(void **state)
{
	enum { N = 2000 };
	const char **w = calloc(N + 1, sizeof *w);
	char(*bufs)[16] = calloc(N, sizeof *bufs);
	struct json_out_buf b = {0};
	ros_sentence *s;
	size_t i;

	(void)state;
	assert_non_null(w);
	assert_non_null(bufs);
	w[0] = "!re";
	for (i = 0; i < N; i++) {
		snprintf(bufs[i], sizeof bufs[i], "=k%zu=%zu", i % 7, i);
		w[i + 1] = bufs[i];
	}
	s = sentence_of(w, NULL, N + 1);
	assert_int_equal(json_out_sentence(&b, s), 0);
	assert_true(json_valid(b.data, b.len));
	assert_non_null(strstr(b.data, "\"k0\":[\"0\",\"7\",\"14\","));
	assert_non_null(strstr(b.data, "\"k6\":[\"6\",\"13\","));
	ros_sentence_free(s);
	json_out_buf_free(&b);
	free(w);
	free(bufs);
}

static void sentence_text_prints_words_in_wire_order(void **state)
{
	const char *w[] = {"!re", "=name=caf\xe9", ".tag=7", "=comment=a\\b"};
	struct json_out_buf b = {0};
	ros_sentence *s;

	(void)state;
	s = sentence_of(w, NULL, 4);
	assert_int_equal(json_out_text_sentence(&b, s), 0);
	assert_string_equal(b.data, "!re\n  =name=caf\\xe9\n  .tag=7\n  =comment=a\\\\b\n");
	ros_sentence_free(s);
	json_out_buf_free(&b);
}

static void sentence_text_prints_fatal_reason_indented(void **state)
{
	const char *w[] = {"!fatal", "not logged in"};
	struct json_out_buf b = {0};
	ros_sentence *s;

	(void)state;
	s = sentence_of(w, NULL, 2);
	assert_int_equal(json_out_text_sentence(&b, s), 0);
	assert_string_equal(b.data, "!fatal\n  not logged in\n");
	ros_sentence_free(s);
	json_out_buf_free(&b);
}

static void reply_json_is_one_array_per_line_elements(void **state)
{
	const char *re[] = {"!re", "=name=ether1"};
	const char *empty[] = {"!empty"};
	const char *done[] = {"!done"};
	ros_reply *r = ros_reply_new();
	struct json_out_buf b = {0};

	(void)state;
	assert_non_null(r);
	assert_int_equal(ros_reply_add(r, sentence_of(re, NULL, 2)), 0);
	assert_int_equal(ros_reply_add(r, sentence_of(empty, NULL, 1)), 0);
	assert_int_equal(ros_reply_add(r, sentence_of(done, NULL, 1)), 0);
	assert_int_equal(json_out_reply(&b, r), 0);
	assert_string_equal(b.data, "[\n"
	                            "  {\"type\":\"re\",\"attrs\":{\"name\":\"ether1\"}},\n"
	                            "  {\"type\":\"empty\",\"attrs\":{}},\n"
	                            "  {\"type\":\"done\",\"attrs\":{}}\n"
	                            "]\n");
	assert_true(json_valid(b.data, b.len));
	ros_reply_free(r);
	json_out_buf_free(&b);
}

static void reply_json_of_nothing_is_empty_array(void **state)
{
	struct json_out_buf b = {0};

	(void)state;
	assert_int_equal(json_out_reply(&b, NULL), 0);
	assert_string_equal(b.data, "[]\n");
	json_out_buf_free(&b);
}

static void validator_rejects_what_it_should(void **state)
{
	(void)state;
	assert_false(json_valid("\"\xe9\"", 3));
	assert_false(json_valid("\"a\nb\"", 5));
	assert_false(json_valid("\"\\x41\"", 6));
	assert_false(json_valid("{\"a\":}", 6));
	assert_false(json_valid("[\"a\",]", 6));
	assert_true(json_valid("[{\"a\":[\"\\u00e9\"]}]", 18));
}

static void buffer_append_keeps_nul_terminated_data(void **state)
{
	struct json_out_buf b = {0};
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		assert_int_equal(json_out_append(&b, "ab", 2), 0);
	assert_int_equal(b.len, 20000);
	assert_int_equal(b.data[b.len], '\0');
	assert_true(b.cap > b.len);
	json_out_buf_free(&b);
	assert_null(b.data);
	json_out_buf_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(json_string_keeps_plain_ascii),
	        cmocka_unit_test(json_string_escapes_quote_and_backslash),
	        cmocka_unit_test(json_string_escapes_control_bytes_as_u00xx),
	        cmocka_unit_test(json_string_escapes_del),
	        cmocka_unit_test(json_string_keeps_valid_multibyte_utf8),
	        cmocka_unit_test(json_string_maps_lone_latin1_byte_to_its_code_point),
	        cmocka_unit_test(json_string_escapes_truncated_sequence_byte_by_byte),
	        cmocka_unit_test(json_string_rejects_overlong_forms),
	        cmocka_unit_test(json_string_rejects_surrogates),
	        cmocka_unit_test(json_string_rejects_code_points_above_10ffff),
	        cmocka_unit_test(json_string_escapes_c1_controls_and_line_separators),
	        cmocka_unit_test(json_string_of_random_bytes_decodes_to_latin1_fallback),
	        cmocka_unit_test(utf8_len_agrees_with_reference_decoder_on_all_short_sequences),
	        cmocka_unit_test(text_keeps_ascii_and_valid_utf8),
	        cmocka_unit_test(text_escapes_backslash),
	        cmocka_unit_test(text_escapes_control_bytes_and_del_as_hex),
	        cmocka_unit_test(text_escapes_invalid_utf8_bytes_as_hex),
	        cmocka_unit_test(text_escapes_c1_controls_encoded_in_utf8),
	        cmocka_unit_test(sentence_json_has_type_and_attrs),
	        cmocka_unit_test(sentence_json_of_bare_done_has_empty_attrs),
	        cmocka_unit_test(sentence_json_carries_tag),
	        cmocka_unit_test(sentence_json_carries_fatal_reason),
	        cmocka_unit_test(sentence_json_turns_repeated_key_into_array),
	        cmocka_unit_test(sentence_json_escapes_keys_and_values),
	        cmocka_unit_test(sentence_json_handles_many_repeated_keys),
	        cmocka_unit_test(sentence_text_prints_words_in_wire_order),
	        cmocka_unit_test(sentence_text_prints_fatal_reason_indented),
	        cmocka_unit_test(reply_json_is_one_array_per_line_elements),
	        cmocka_unit_test(reply_json_of_nothing_is_empty_array),
	        cmocka_unit_test(validator_rejects_what_it_should),
	        cmocka_unit_test(buffer_append_keeps_nul_terminated_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
