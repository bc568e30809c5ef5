/*
 * test_json_out.c — unit tests of routeros-api/tools/json_out.c, the JSON and
 * plain-text rendering of rosapi's reply sentences. Every JSON output is
 * checked by the strict validator of jsoncheck.c; the escaping of each
 * word is text/'s (tests/test_text.c).
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
#include "jsoncheck.h"
#include "routeros.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

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
	struct text_buf b = TEXT_BUF_INIT;
	ros_sentence *s = sentence_of(words, NULL, n);

	assert_int_equal(json_out_sentence(&b, s), 0);
	assert_true(json_valid(b.data, b.len));
	ros_sentence_free(s);
	return b.data;
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

/* rosapi running several commands numbers each sentence; 0 adds nothing. */
static void sentence_json_carries_command_number(void **state)
{
	const char *w[] = {"!re", "=name=a"};
	struct text_buf b = TEXT_BUF_INIT;
	ros_sentence *s = sentence_of(w, NULL, 2);

	(void)state;
	/* A number: json_valid takes strings only; the rosapi test parses it. */
	assert_int_equal(json_out_command_sentence(&b, s, 16), 0);
	assert_string_equal(b.data, "{\"type\":\"re\",\"command\":16,\"attrs\":{\"name\":\"a\"}}");
	text_buf_free(&b);
	assert_int_equal(json_out_command_sentence(&b, s, 0), 0);
	assert_string_equal(b.data, "{\"type\":\"re\",\"attrs\":{\"name\":\"a\"}}");
	text_buf_free(&b);
	ros_sentence_free(s);
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
	struct text_buf b = TEXT_BUF_INIT;
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
	text_buf_free(&b);
	free(w);
	free(bufs);
}

static void sentence_text_prints_words_in_wire_order(void **state)
{
	const char *w[] = {"!re", "=name=caf\xe9", ".tag=7", "=comment=a\\b"};
	struct text_buf b = TEXT_BUF_INIT;
	ros_sentence *s;

	(void)state;
	s = sentence_of(w, NULL, 4);
	assert_int_equal(json_out_text_sentence(&b, s), 0);
	assert_string_equal(b.data, "!re\n  =name=caf\\xe9\n  .tag=7\n  =comment=a\\\\b\n");
	ros_sentence_free(s);
	text_buf_free(&b);
}

static void sentence_text_escapes_controls_and_line_separators(void **state)
{
	const char *w[] = {"!re", "=comment=a\x1b[2J\xc2\x9b\xe2\x80\xa8z"};
	struct text_buf b = TEXT_BUF_INIT;
	ros_sentence *s;

	(void)state;
	s = sentence_of(w, NULL, 2);
	assert_int_equal(json_out_text_sentence(&b, s), 0);
	assert_string_equal(b.data, "!re\n  =comment=a\\x1b[2J\\xc2\\x9b\\xe2\\x80\\xa8z\n");
	ros_sentence_free(s);
	text_buf_free(&b);
}

static void sentence_text_prints_fatal_reason_indented(void **state)
{
	const char *w[] = {"!fatal", "not logged in"};
	struct text_buf b = TEXT_BUF_INIT;
	ros_sentence *s;

	(void)state;
	s = sentence_of(w, NULL, 2);
	assert_int_equal(json_out_text_sentence(&b, s), 0);
	assert_string_equal(b.data, "!fatal\n  not logged in\n");
	ros_sentence_free(s);
	text_buf_free(&b);
}

static void reply_json_is_one_array_per_line_elements(void **state)
{
	const char *re[] = {"!re", "=name=ether1"};
	const char *empty[] = {"!empty"};
	const char *done[] = {"!done"};
	ros_reply *r = ros_reply_new();
	struct text_buf b = TEXT_BUF_INIT;

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
	text_buf_free(&b);
}

static void reply_json_of_nothing_is_empty_array(void **state)
{
	struct text_buf b = TEXT_BUF_INIT;

	(void)state;
	assert_int_equal(json_out_reply(&b, NULL), 0);
	assert_string_equal(b.data, "[]\n");
	text_buf_free(&b);
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

static void rendering_fails_once_the_buffer_failed(void **state)
{
	const char *w[] = {"!re", "=name=ether1"};
	struct text_buf b = TEXT_BUF_INIT;
	ros_sentence *s;

	(void)state;
	s = sentence_of(w, NULL, 2);
	b.failed = true; /* as after an allocation failure */
	assert_int_equal(json_out_sentence(&b, s), -1);
	assert_int_equal(json_out_text_sentence(&b, s), -1);
	assert_int_equal(json_out_reply(&b, NULL), -1);
	assert_null(b.data);
	ros_sentence_free(s);
	text_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sentence_json_has_type_and_attrs),
	        cmocka_unit_test(sentence_json_of_bare_done_has_empty_attrs),
	        cmocka_unit_test(sentence_json_carries_tag),
	        cmocka_unit_test(sentence_json_carries_command_number),
	        cmocka_unit_test(sentence_json_carries_fatal_reason),
	        cmocka_unit_test(sentence_json_turns_repeated_key_into_array),
	        cmocka_unit_test(sentence_json_escapes_keys_and_values),
	        cmocka_unit_test(sentence_json_handles_many_repeated_keys),
	        cmocka_unit_test(sentence_text_prints_words_in_wire_order),
	        cmocka_unit_test(sentence_text_escapes_controls_and_line_separators),
	        cmocka_unit_test(sentence_text_prints_fatal_reason_indented),
	        cmocka_unit_test(reply_json_is_one_array_per_line_elements),
	        cmocka_unit_test(reply_json_of_nothing_is_empty_array),
	        cmocka_unit_test(validator_rejects_what_it_should),
	        cmocka_unit_test(rendering_fails_once_the_buffer_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
