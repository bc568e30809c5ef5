/*
 * test_helpers.c — unit tests for the accounting helpers of routeros-api:
 * strict number parsing, uptime parsing and the words of the counters
 * command.
 *
 * ros_counters_parse and ros_uptime_parse take a ros_reply, which only a
 * connection can build (routeros.h has no public constructor); they are
 * covered by the integration tests against the fake router (test_conn).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routeros.h"

/* ------------------------------------------------------------------ */
/* ros_parse_u64                                                       */
/* ------------------------------------------------------------------ */

static int u64(const char *s, uint64_t *out)
{
	return ros_parse_u64(s, strlen(s), out);
}

static void parse_u64_accepts_zero_and_the_maximum(void **state)
{
	uint64_t v = 1;

	(void)state;
	assert_int_equal(u64("0", &v), ROS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(u64("18446744073709551615", &v), ROS_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(u64("18446744073709551614", &v), ROS_OK);
	assert_true(v == UINT64_MAX - 1);
}

static void parse_u64_reads_counters_beyond_32_bits(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(u64("468259100207", &v), ROS_OK);
	assert_true(v == UINT64_C(468259100207));
	assert_int_equal(u64("4294967296", &v), ROS_OK);
	assert_true(v == UINT64_C(4294967296));
	assert_int_equal(u64("00042", &v), ROS_OK);
	assert_int_equal(v, 42);
}

static void parse_u64_reads_only_len_bytes(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* Not NUL-terminated at len: the rest must not be looked at. */
	assert_int_equal(ros_parse_u64("1234xyz", 4, &v), ROS_OK);
	assert_int_equal(v, 1234);
	assert_int_equal(ros_parse_u64("99", 1, &v), ROS_OK);
	assert_int_equal(v, 9);
}

static void parse_u64_accepts_leading_zeros_beyond_twenty_digits(void **state)
{
	/* Digits only and no overflow: the value, not the length, matters. */
	uint64_t v = 0;

	(void)state;
	assert_int_equal(u64("000000000000000000001", &v), ROS_OK);
	assert_int_equal(v, 1);
	assert_int_equal(u64("0000018446744073709551615", &v), ROS_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(u64("0000018446744073709551616", &v), ROS_ERR_ARG);
}

static void parse_u64_rejects_overflow(void **state)
{
	static const char *const bad[] = {
	        "18446744073709551616", "18446744073709551620",  "18446744073709551699",
	        "99999999999999999999", "184467440737095516150", "100000000000000000000000",
	};
	uint64_t v = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(u64(bad[i], &v), ROS_ERR_ARG);
}

static void parse_u64_rejects_anything_but_digits(void **state)
{
	static const char *const bad[] = {
	        "",    "-1",  "+1",  " 1",  "1 ", "1e9", "0x10",  "1;x",
	        "1.0", "1,0", "\t1", "1\n", "a",  "-0",  "1_000", "\xEF\xBC\x91", /* fullwidth 1 */
	};
	uint64_t v = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(u64(bad[i], &v), ROS_ERR_ARG);
	/* An embedded NUL inside len is not a digit either. */
	assert_int_equal(ros_parse_u64("1\0"
	                               "2",
	                               3, &v),
	                 ROS_ERR_ARG);
}

/* ------------------------------------------------------------------ */
/* ros_parse_uptime                                                    */
/* ------------------------------------------------------------------ */

#define W 604800u
#define D 86400u
#define H 3600u
#define M 60u

static int up(const char *s, uint64_t *out)
{
	return ros_parse_uptime(s, strlen(s), out);
}

static void assert_uptime(const char *s, uint64_t want)
{
	uint64_t v = UINT64_MAX - 7;
	int st = up(s, &v);

	if (st != ROS_OK)
		fail_msg("ros_parse_uptime(\"%s\") returned %d, want 0", s, st);
	if (v != want)
		fail_msg("ros_parse_uptime(\"%s\") gave %llu, want %llu", s, (unsigned long long)v,
		         (unsigned long long)want);
}

static void assert_uptime_invalid(const char *s)
{
	uint64_t v = 0;
	int st = up(s, &v);

	if (st != ROS_ERR_ARG)
		fail_msg("ros_parse_uptime(\"%s\") returned %d (value %llu), want ROS_ERR_ARG", s,
		         st, (unsigned long long)v);
}

static void parse_uptime_reads_the_unit_form(void **state)
{
	(void)state;
	assert_uptime("1w4d1h16m55s", 1 * W + 4 * D + 1 * H + 16 * M + 55);
	assert_uptime("42m53s", 42 * M + 53);
	assert_uptime("7w3s", 7 * W + 3);
	assert_uptime("0s", 0);
	assert_uptime("1h", H);
	assert_uptime("2d", 2 * D);
	assert_uptime("59s", 59);
	assert_uptime("100w", 100 * W);
	assert_uptime("3d23h59m59s", 3 * D + 23 * H + 59 * M + 59);
}

static void parse_uptime_ignores_millisecond_fractions(void **state)
{
	(void)state;
	assert_uptime("42m53s120ms", 42 * M + 53);
	assert_uptime("250ms", 0);
}

static void parse_uptime_reads_the_old_clock_form(void **state)
{
	(void)state;
	assert_uptime("6w6d18:33:07", 6 * W + 6 * D + 18 * H + 33 * M + 7);
	assert_uptime("01:22:53", 1 * H + 22 * M + 53);
	assert_uptime("1d00:00:01", D + 1);
	assert_uptime("00:00:00", 0);
	assert_uptime("23:59:59", 23 * H + 59 * M + 59);
	assert_uptime("3w00:00:10", 3 * W + 10);
}

static void parse_uptime_reads_only_len_bytes(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(ros_parse_uptime("5m10sGARBAGE", 5, &v), ROS_OK);
	assert_int_equal(v, 5 * M + 10);
}

static void parse_uptime_rejects_malformed_text(void **state)
{
	static const char *const bad[] = {
	        "",     "5x",          "s",        "1",        "w",         "1h1h",
	        "1s1h", "12:61:00",    "12:60:00", "12:00:60", "1:2",       "12:00",
	        "::",   "-1s",         " 1s",      "1s ",      "1 s",       "1d 01:00:00",
	        "+5s",  "1w4d1h16m55", "0x10s",    "1h:00:00", "12:00:00s",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_uptime_invalid(bad[i]);
}

static void parse_uptime_rejects_a_repeated_unit(void **state)
{
	(void)state;
	assert_uptime_invalid("1h1h");
	assert_uptime_invalid("1d2d");
	assert_uptime_invalid("5s5s");
	assert_uptime_invalid("1s5ms5ms");
	assert_uptime_invalid("5ms5ms");
}

static void parse_uptime_rejects_overflow(void **state)
{
	(void)state;
	assert_uptime_invalid("99999999999999999w");
	assert_uptime_invalid("18446744073709551616s");
	assert_uptime_invalid("1m18446744073709551615s");
	assert_uptime_invalid("300000000000000d");
	assert_uptime_invalid("18446744073709551615s");
}

static void parse_uptime_rejects_more_than_a_hundred_years(void **state)
{
	(void)state;
	assert_uptime("3155760000s", ROS_UPTIME_MAX);
	assert_uptime("5217w6d", ROS_UPTIME_MAX); /* the same */
	assert_uptime_invalid("3155760001s");
	assert_uptime_invalid("5217w6d00:00:01");
	assert_uptime_invalid("5218w");
	assert_uptime_invalid("36525d00:00:01");
	assert_uptime_invalid("9223372036854775807s"); /* 2^63 - 1: no overflow downstream */
	assert_uptime("36525d", ROS_UPTIME_MAX);
}

static void parse_uptime_rejects_out_of_range_components(void **state)
{
	(void)state;
	/* after the first unit, each is below the next bigger one */
	assert_uptime_invalid("1h70m");
	assert_uptime_invalid("1h60m");
	assert_uptime_invalid("1m60s");
	assert_uptime_invalid("1d24h");
	assert_uptime_invalid("1w7d");
	assert_uptime_invalid("1w2d24h");
	assert_uptime_invalid("1h61s");
	assert_uptime_invalid("1s1000ms");
	assert_uptime("1w6d23h59m59s999ms", W + 6 * D + 23 * H + 59 * M + 59);
	/* the first unit is free (pushes may send 90m or 61s) */
	assert_uptime("70m", 70 * M);
	assert_uptime("100h", 100 * H);
	assert_uptime("61s", 61);
	assert_uptime("1500ms", 0); /* below our resolution */
	/* the clock form: hours < 24 (RouterOS writes 1d00:00:00) */
	assert_uptime_invalid("24:00:00");
	assert_uptime_invalid("99:00:00");
	assert_uptime_invalid("1d24:00:00");
	assert_uptime_invalid("1w7d00:00:00");
	assert_uptime("1w6d23:59:59", W + 6 * D + 23 * H + 59 * M + 59);
}

/* ------------------------------------------------------------------ */
/* The counters command                                                */
/* ------------------------------------------------------------------ */

static const char proplist[] =
        "=.proplist=.id,name,type,running,disabled,rx-byte,tx-byte,rx-packet,tx-packet";

static void counters_words_needed_counts_queries_and_or_operators(void **state)
{
	(void)state;
	assert_int_equal(ros_counters_words_needed(0), 2);
	assert_int_equal(ros_counters_words_needed(1), 3);
	assert_int_equal(ros_counters_words_needed(2), 5);
	assert_int_equal(ros_counters_words_needed(3), 7);
	for (size_t n = 1; n < 100; n++)
		assert_int_equal(ros_counters_words_needed(n), 2 + n + (n - 1));
}

/* Builds the words for names[0..n) into an array of exactly the needed
 * size (so ASan sees any overrun) and checks them against want. */
static void check_counters_words(const char *const *names, size_t n, const char *const *want,
                                 size_t nwant)
{
	size_t need = ros_counters_words_needed(n);
	const char **words = calloc(need, sizeof(*words));
	char *storage = NULL;
	int got;

	assert_non_null(words);
	assert_int_equal(need, nwant);
	got = ros_counters_words(names, n, words, &storage);
	assert_int_equal(got, (int)nwant);
	for (size_t i = 0; i < nwant; i++) {
		assert_non_null(words[i]);
		assert_string_equal(words[i], want[i]);
	}
	free(storage);
	free(words);
}

static void counters_words_for_one_name(void **state)
{
	const char *const names[] = {"ether1"};
	const char *const want[] = {"/interface/print", proplist, "?name=ether1"};

	(void)state;
	check_counters_words(names, 1, want, 3);
}

static void counters_words_join_several_names_with_or(void **state)
{
	const char *const names[] = {"a", "b c", "d"};
	const char *const want[] = {
	        "/interface/print", proplist, "?name=a", "?name=b c", "?#|", "?name=d", "?#|",
	};

	(void)state;
	check_counters_words(names, 3, want, 7);
}

static void counters_words_for_two_names(void **state)
{
	const char *const names[] = {"ether1", "pppoe-out1"};
	const char *const want[] = {
	        "/interface/print", proplist, "?name=ether1", "?name=pppoe-out1", "?#|",
	};

	(void)state;
	check_counters_words(names, 2, want, 5);
}

static void counters_words_without_names_read_every_interface(void **state)
{
	const char *const want[] = {"/interface/print", proplist};

	(void)state;
	check_counters_words(NULL, 0, want, 2);
}

static void counters_words_keep_raw_bytes_and_equals_in_names(void **state)
{
	const char *const names[] = {"\xE4ther=1 \xFF"};
	const char *const want[] = {"/interface/print", proplist, "?name=\xE4ther=1 \xFF"};

	(void)state;
	check_counters_words(names, 1, want, 3);
}

static void counters_words_handle_many_names(void **state)
{
	enum { N = 300 };
	char buf[N][16];
	const char *names[N];
	const char **want = calloc(2 + 2 * N, sizeof(*want));
	char(*q)[24] = calloc(N, sizeof(*q));
	size_t k = 0;

	(void)state;
	assert_non_null(want);
	assert_non_null(q);
	want[k++] = "/interface/print";
	want[k++] = proplist;
	for (size_t i = 0; i < N; i++) {
		snprintf(buf[i], sizeof(buf[i]), "if%zu", i);
		snprintf(q[i], sizeof(q[i]), "?name=if%zu", i);
		names[i] = buf[i];
		want[k++] = q[i];
		if (i > 0)
			want[k++] = "?#|";
	}
	check_counters_words(names, N, want, k);
	free(q);
	free(want);
}

static void uptime_words_restrict_to_uptime(void **state)
{
	(void)state;
	assert_string_equal(ros_uptime_words[0], "/system/resource/print");
	assert_string_equal(ros_uptime_words[1], "=.proplist=uptime");
}

static void counters_free_accepts_null(void **state)
{
	(void)state;
	ros_counters_free(NULL, 0);
	assert_int_equal(ros_counters_words_needed(0), 2);
}

/* The index finds every name, the first of duplicates in reply order, and
 * nothing for an absent or prefix name. */
static void counters_index_finds_first_row_of_each_name(void **state)
{
	(void)state;
	char *names[] = {"ether2", "ether1", "wlan", "ether1", "ether10", "ether 1"};
	struct ros_iface_counters v[6] = {0};
	for (size_t i = 0; i < 6; i++) {
		v[i].name = names[i];
		v[i].rx_bytes = i;
	}
	const struct ros_iface_counters **index = ros_counters_index(v, 6);
	assert_non_null(index);
	for (size_t i = 1; i < 6; i++)
		assert_true(strcmp(index[i - 1]->name, index[i]->name) <= 0);
	assert_ptr_equal(ros_counters_find(index, 6, "ether1"), &v[1]); /* not v[3] */
	assert_ptr_equal(ros_counters_find(index, 6, "ether10"), &v[4]);
	assert_ptr_equal(ros_counters_find(index, 6, "ether 1"), &v[5]);
	assert_ptr_equal(ros_counters_find(index, 6, "wlan"), &v[2]);
	assert_null(ros_counters_find(index, 6, "ether"));
	assert_null(ros_counters_find(index, 6, "zzz"));
	free(index);
	index = ros_counters_index(v, 0); /* an empty reply: an empty index */
	assert_non_null(index);
	assert_null(ros_counters_find(index, 0, "ether1"));
	free(index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(parse_u64_accepts_zero_and_the_maximum),
	        cmocka_unit_test(parse_u64_reads_counters_beyond_32_bits),
	        cmocka_unit_test(parse_u64_reads_only_len_bytes),
	        cmocka_unit_test(parse_u64_accepts_leading_zeros_beyond_twenty_digits),
	        cmocka_unit_test(parse_u64_rejects_overflow),
	        cmocka_unit_test(parse_u64_rejects_anything_but_digits),
	        cmocka_unit_test(parse_uptime_reads_the_unit_form),
	        cmocka_unit_test(parse_uptime_ignores_millisecond_fractions),
	        cmocka_unit_test(parse_uptime_reads_the_old_clock_form),
	        cmocka_unit_test(parse_uptime_reads_only_len_bytes),
	        cmocka_unit_test(parse_uptime_rejects_malformed_text),
	        cmocka_unit_test(parse_uptime_rejects_a_repeated_unit),
	        cmocka_unit_test(parse_uptime_rejects_overflow),
	        cmocka_unit_test(parse_uptime_rejects_more_than_a_hundred_years),
	        cmocka_unit_test(parse_uptime_rejects_out_of_range_components),
	        cmocka_unit_test(counters_words_needed_counts_queries_and_or_operators),
	        cmocka_unit_test(counters_words_for_one_name),
	        cmocka_unit_test(counters_words_join_several_names_with_or),
	        cmocka_unit_test(counters_words_for_two_names),
	        cmocka_unit_test(counters_words_without_names_read_every_interface),
	        cmocka_unit_test(counters_words_keep_raw_bytes_and_equals_in_names),
	        cmocka_unit_test(counters_words_handle_many_names),
	        cmocka_unit_test(uptime_words_restrict_to_uptime),
	        cmocka_unit_test(counters_free_accepts_null),
	        cmocka_unit_test(counters_index_finds_first_row_of_each_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
