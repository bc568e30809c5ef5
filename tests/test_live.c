/*
 * test_live.c — live.c's pure parts: the SSE parser (framing, bounds,
 * split reads), the chunked decoder, the events' JSON fields, the
 * session statistics (replay not counted, reconnection not counted
 * twice) and the summary. The I/O is tests/cli/test_live.py's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "live.h"

/* The events an SSE feed delivered, "type|data;" each. */
struct seen {
	char text[1024];
	int n;
	int stop_after; /* return 1 after this many events, 0: never */
};

static int collect(void *ctx, const char *type, const char *data)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof s->text - len, "%s|%s;", type, data);
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static int feed_all(struct live_sse *p, const char *text, size_t step, struct seen *s)
{
	size_t len = strlen(text);
	for (size_t i = 0; i < len; i += step) {
		int rc = live_sse_feed(p, text + i, len - i < step ? len - i : step, collect, s);
		if (rc)
			return rc;
	}
	return 0;
}

static void sse_events_split_at_any_byte_are_the_same(void **state)
{
	(void)state;
	const char *text = ": keep-alive\n\n"
	                   "data: {\"rx_bps\":1}\n\n"
	                   "event: status\r\ndata: {\"state\":\"down\"}\r\n\r\n"
	                   "id: 7\nretry: 10\ndata:a\ndata: b\n\n"
	                   "event: lonely\n\n"
	                   "data: unfinished";
	const char *want = "|{\"rx_bps\":1};status|{\"state\":\"down\"};|a\nb;";
	for (size_t step = 1; step <= strlen(text); step++) {
		struct live_sse p;
		struct seen s = {0};
		live_sse_init(&p);
		assert_int_equal(feed_all(&p, text, step, &s), 0);
		assert_string_equal(s.text, want);
	}
}

static void sse_bounds_refuse_long_lines_and_events(void **state)
{
	(void)state;
	static char big[LIVE_LINE_MAX + 16];
	struct live_sse p;
	struct seen s = {0};
	live_sse_init(&p);
	memset(big, 'x', sizeof big - 1);
	assert_int_equal(live_sse_feed(&p, big, sizeof big - 1, collect, &s), LIVE_SSE_TOO_LONG);

	/* Lines within bounds whose data together exceed an event's. */
	char line[1100];
	memset(line, 'y', sizeof line);
	memcpy(line, "data: ", 6);
	line[sizeof line - 1] = '\n';
	live_sse_init(&p);
	int rc = 0;
	for (int i = 0; i < 5 && rc == 0; i++)
		rc = live_sse_feed(&p, line, sizeof line, collect, &s);
	assert_int_equal(rc, LIVE_SSE_TOO_LONG);
	assert_int_equal(s.n, 0);

	char type[LIVE_EVENT_MAX + 16] = "event: ";
	memset(type + 7, 'z', LIVE_EVENT_MAX + 1);
	strcat(type, "\n");
	live_sse_init(&p);
	assert_int_equal(live_sse_feed(&p, type, strlen(type), collect, &s), LIVE_SSE_TOO_LONG);
}

static void sse_callback_stops_the_feed(void **state)
{
	(void)state;
	struct live_sse p;
	struct seen s = {.stop_after = 1};
	live_sse_init(&p);
	const char *text = "data: 1\n\ndata: 2\n\n";
	assert_int_equal(live_sse_feed(&p, text, strlen(text), collect, &s), 1);
	assert_string_equal(s.text, "|1;");
}

static void chunked_decodes_in_place_across_reads(void **state)
{
	(void)state;
	const char *wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
	for (size_t step = 1; step <= strlen(wire); step++) {
		struct live_chunked c = {0};
		char got[64] = "";
		int rc = 0;
		for (size_t i = 0; i < strlen(wire) && rc == 0; i += step) {
			char buf[64];
			size_t n = strlen(wire) - i < step ? strlen(wire) - i : step, out = 0;
			memcpy(buf, wire + i, n);
			rc = live_chunked_decode(&c, buf, n, &out);
			strncat(got, buf, out);
		}
		assert_int_equal(rc, 1);
		assert_string_equal(got, "hello, world");
	}
}

static void chunked_refuses_malformed_framing(void **state)
{
	(void)state;
	const char *bad[] = {"zz\r\n", "\r\n", "1\r\nab\r\n", "1000000000000000\r\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct live_chunked c = {0};
		char buf[64];
		size_t out;
		strcpy(buf, bad[i]);
		assert_int_equal(live_chunked_decode(&c, buf, strlen(buf), &out), -1);
	}
}

static void samples_parse_and_refuse(void **state)
{
	(void)state;
	struct live_sample s;
	assert_int_equal(live_parse_sample("{\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":123,"
	                                   "\"tx_bps\":18446744073709551615}",
	                                   &s),
	                 0);
	assert_int_equal(s.time, 1796580001);
	assert_int_equal(s.rx_bps, 123);
	assert_true(s.tx_bps == UINT64_MAX);
	/* Order and blanks do not matter; unknown fields are skipped. */
	assert_int_equal(live_parse_sample(" { \"tx_bps\" : 2 , \"x\":null, \"rx_bps\":1,"
	                                   "\"time\":\"2026-12-06T18:00:02Z\" } ",
	                                   &s),
	                 0);
	assert_int_equal(s.rx_bps, 1);
	const char *bad[] = {
	        "{\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":1}",
	        "{\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":-1,\"tx_bps\":1}",
	        "{\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":1.5,\"tx_bps\":1}",
	        "{\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":18446744073709551616,\"tx_bps\":1}",
	        "{\"time\":\"yesterday\",\"rx_bps\":1,\"tx_bps\":1}",
	        "{\"time\":\"2026-12-06T18:00:01Z\",\"rx_bps\":{\"a\":1},\"tx_bps\":1}",
	        "[1,2]",
	        "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(live_parse_sample(bad[i], &s), -1);
}

static void json_strings_unescape_and_truncate(void **state)
{
	(void)state;
	char out[32];
	assert_int_equal(
	        live_json_string("{\"state\":\"down\",\"reason\":\"a \\\"b\\\" \\u00e9\\n\"}",
	                         "reason", out, sizeof out),
	        0);
	assert_string_equal(out, "a \"b\" \xc3\xa9\n");
	assert_int_equal(live_json_string("{\"error\":\"0123456789abcdef\"}", "error", out, 8), 0);
	assert_string_equal(out, "0123456");
	/* A multi-byte character is kept whole or left out. */
	assert_int_equal(live_json_string("{\"e\":\"abcd\\u20ac\"}", "e", out, 6), 0);
	assert_string_equal(out, "abcd");
	assert_int_equal(live_json_string("{\"error\":5}", "error", out, sizeof out), -1);
	assert_int_equal(live_json_string("{\"x\":\"y\"}", "error", out, sizeof out), -1);
	assert_int_equal(live_json_string("{\"error\":\"\\q\"}", "error", out, sizeof out), -1);
	assert_int_equal(live_json_string("{\"error\":\"open", "error", out, sizeof out), -1);
}

static void stats_skip_the_replay_and_seconds_seen(void **state)
{
	(void)state;
	struct live_stats st;
	live_stats_init(&st, 1000);
	struct live_sample replay = {999, 1u << 30, 1u << 30};
	assert_false(live_stats_add(&st, &replay));
	struct live_sample a = {1000, 8000, 800}, b = {1001, 24000, 80}, again = {1001, 1, 1};
	assert_true(live_stats_add(&st, &a));
	assert_true(live_stats_add(&st, &b));
	assert_false(live_stats_add(&st, &again)); /* a reconnection's replay */
	assert_int_equal(st.samples, 2);
	assert_int_equal(st.rx_bits, 32000);
	assert_int_equal(st.tx_bits, 880);
	assert_int_equal(st.peak_rx, 24000);
	assert_int_equal(st.peak_tx, 800);
	struct live_sample huge = {1002, UINT64_MAX, UINT64_MAX};
	assert_true(live_stats_add(&st, &huge));
	assert_true(st.rx_bits == UINT64_MAX); /* saturates, never wraps */
}

static void summary_shows_duration_bytes_average_peak(void **state)
{
	(void)state;
	struct live_stats st;
	live_stats_init(&st, 0);
	for (int i = 0; i < 10; i++) {
		struct live_sample s = {i, 8000000, i == 3 ? 4000 : 2000};
		live_stats_add(&st, &s);
	}
	struct text_buf out = TEXT_BUF_INIT;
	live_summary(&st, 3723400, "home/ether1", &out); /* 1:02:03 */
	assert_non_null(
	        strstr(text_buf_str(&out), "home/ether1: 1:02:03, 10 seconds of samples\n"));
	assert_non_null(
	        strstr(text_buf_str(&out), "bytes              9.54 MiB         2.69 KiB\n"));
	/* 80 Mbit and 22 kbit over 3723 s. */
	assert_non_null(
	        strstr(text_buf_str(&out), "average        21.49 kbit/s          6 bit/s\n"));
	assert_non_null(
	        strstr(text_buf_str(&out), "peak            8.00 Mbit/s      4.00 kbit/s\n"));
	text_buf_reset(&out);
	/* Watched for less than the seconds counted: over the seconds. */
	live_summary(&st, 2000, "r/i", &out);
	assert_non_null(
	        strstr(text_buf_str(&out), "average         8.00 Mbit/s      2.20 kbit/s\n"));
	text_buf_free(&out);
	char rate[16];
	live_format_bps(999, rate);
	assert_string_equal(rate, "999 bit/s");
	live_format_bps(123456789, rate);
	assert_string_equal(rate, "123.46 Mbit/s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sse_events_split_at_any_byte_are_the_same),
	        cmocka_unit_test(sse_bounds_refuse_long_lines_and_events),
	        cmocka_unit_test(sse_callback_stops_the_feed),
	        cmocka_unit_test(chunked_decodes_in_place_across_reads),
	        cmocka_unit_test(chunked_refuses_malformed_framing),
	        cmocka_unit_test(samples_parse_and_refuse),
	        cmocka_unit_test(json_strings_unescape_and_truncate),
	        cmocka_unit_test(stats_skip_the_replay_and_seconds_seen),
	        cmocka_unit_test(summary_shows_duration_bytes_average_peak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
