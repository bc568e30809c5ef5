/*
 * test_queues.c — unit tests for the row helpers of routeros-api beyond
 * interfaces: simple queues (ros_queues_*), kid-control devices
 * (ros_devices_*, ros_parse_mac), DHCP leases (ros_leases_*) and the
 * display name of a device; their parsers on good rows, missing
 * properties, malformed numbers, MACs and addresses, hostile lengths and
 * raw bytes >= 0x80; their indexes; and the blocking helpers against a
 * scripted router on a loopback socket (the words they send, their rows,
 * a !trap, a malformed row named in ros_errstr).
 *
 * Replies are built as a connection builds them: words encoded with
 * ros_buf_add_word, fed to ros_parser, sentences added to a ros_reply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "routeros.h"

/* ------------------------------------------------------------------ */
/* Building replies                                                    */
/* ------------------------------------------------------------------ */

/* Parses the encoded sentences in b and appends them to r. */
static void feed_reply(ros_reply *r, const struct ros_buf *b)
{
	ros_parser *p = ros_parser_new(0, 0);
	size_t off = 0;
	assert_non_null(p);
	while (off < b->len) {
		long n = ros_parser_feed(p, b->data + off, b->len - off);
		ros_sentence *s;
		assert_true(n >= 0);
		off += (size_t)n;
		while ((s = ros_parser_take(p)) != NULL)
			assert_int_equal(ros_reply_add(r, s), ROS_OK);
	}
	ros_parser_free(p);
}

/* Appends one sentence of NUL-terminated words (a NULL ends the list). */
static void add_sentence(ros_reply *r, const char *const *words)
{
	struct ros_buf b = {0};
	size_t n = 0;
	while (words[n])
		n++;
	assert_int_equal(ros_buf_add_sentence(&b, words, n), ROS_OK);
	feed_reply(r, &b);
	ros_buf_free(&b);
}

#define SENTENCE(r, ...) add_sentence((r), (const char *const[]){__VA_ARGS__, NULL})

/* Appends "!re" with one attribute key=value of vlen raw bytes (NULs
 * allowed) after the NUL-terminated attribute words of rest. */
static void add_row_with_raw(ros_reply *r, const char *const *rest, const char *key,
                             const void *value, size_t vlen)
{
	struct ros_buf b = {0};
	size_t klen = strlen(key);
	char *word = malloc(klen + vlen + 2);
	assert_non_null(word);
	word[0] = '=';
	memcpy(word + 1, key, klen);
	word[1 + klen] = '=';
	memcpy(word + 2 + klen, value, vlen);
	assert_int_equal(ros_buf_add_word(&b, "!re", 3), ROS_OK);
	for (size_t i = 0; rest[i]; i++)
		assert_int_equal(ros_buf_add_word(&b, rest[i], strlen(rest[i])), ROS_OK);
	assert_int_equal(ros_buf_add_word(&b, word, klen + vlen + 2), ROS_OK);
	assert_int_equal(ros_buf_add_word(&b, "", 0), ROS_OK);
	feed_reply(r, &b);
	ros_buf_free(&b);
	free(word);
}

static ros_reply *new_reply(void)
{
	ros_reply *r = ros_reply_new();
	assert_non_null(r);
	return r;
}

/* The error line is bounded, one line, and shows no raw byte that a
 * terminal or a log would take as control or as invalid text. */
static void assert_clean_error(const char *err)
{
	size_t len = strlen(err);
	assert_true(len > 0);
	assert_true(len < ROS_ROW_ERR_SIZE);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f)
			fail_msg("raw byte 0x%02x in error \"%s\"", (unsigned char)err[i], err);
}

/* ------------------------------------------------------------------ */
/* Simple queues                                                       */
/* ------------------------------------------------------------------ */

static const char queue_proplist[] = "=.proplist=.id,name,target,comment,disabled,bytes";

static void queues_words_name_queues_or_read_all(void **state)
{
	const char *const names[] = {"guest", "flat 2 \xE9", "x=y"};
	const char *words[7];
	char *storage = NULL;

	(void)state;
	assert_int_equal(ros_queues_words_needed(0), 2);
	assert_int_equal(ros_queues_words_needed(3), 7);
	assert_int_equal(ros_queues_words(names, 3, words, &storage), 7);
	assert_string_equal(words[0], "/queue/simple/print");
	assert_string_equal(words[1], queue_proplist);
	assert_string_equal(words[2], "?name=guest");
	assert_string_equal(words[3], "?name=flat 2 \xE9");
	assert_string_equal(words[4], "?#|");
	assert_string_equal(words[5], "?name=x=y");
	assert_string_equal(words[6], "?#|");
	free(storage);
	assert_int_equal(ros_queues_words(NULL, 0, words, &storage), 2);
	assert_string_equal(words[0], "/queue/simple/print");
	assert_string_equal(words[1], queue_proplist);
	free(storage);
}

static void queues_parse_reads_rows_and_both_directions(void **state)
{
	ros_reply *r = new_reply();
	struct ros_queue_counters *v = NULL;
	size_t n = 0;
	char err[ROS_ROW_ERR_SIZE] = "stale";

	(void)state;
	SENTENCE(r, "!re", "=.id=*1", "=name=flat-2", "=target=192.168.88.10/32",
	         "=comment=Mr. Smith", "=disabled=false", "=bytes=468259100207/17");
	SENTENCE(r, "!re", "=.id=*2A", "=name=lan", "=target=192.168.88.0/24,bridge",
	         "=disabled=true", "=bytes=18446744073709551615/0");
	SENTENCE(r, "!done");
	assert_int_equal(ros_queues_parse(r, &v, &n, err, sizeof err), ROS_OK);
	assert_string_equal(err, ""); /* cleared: nothing to report */
	assert_int_equal(n, 2);
	assert_string_equal(v[0].id, "*1");
	assert_string_equal(v[0].name, "flat-2");
	assert_string_equal(v[0].target, "192.168.88.10/32");
	assert_string_equal(v[0].comment, "Mr. Smith");
	/* bytes is UPLOAD/DOWNLOAD: the first number is the upload. */
	assert_true(v[0].up_bytes == UINT64_C(468259100207));
	assert_true(v[0].down_bytes == 17);
	assert_int_equal(v[0].disabled, 0);
	assert_string_equal(v[1].target, "192.168.88.0/24,bridge");
	assert_string_equal(v[1].comment, "");
	assert_true(v[1].up_bytes == UINT64_MAX);
	assert_true(v[1].down_bytes == 0);
	assert_int_equal(v[1].disabled, 1);
	ros_queues_free(v, n);
	ros_reply_free(r);
}

static void queues_parse_leaves_optional_properties_empty(void **state)
{
	ros_reply *r = new_reply();
	struct ros_queue_counters *v = NULL;
	size_t n = 0;

	(void)state;
	SENTENCE(r, "!re", "=bytes=1/2", "=name=q", "=.id=*3"); /* any order */
	SENTENCE(r, "!re", "=.id=*4", "=name=", "=bytes=0/0", "=target=", "=comment=");
	SENTENCE(r, "!done");
	assert_int_equal(ros_queues_parse(r, &v, &n, NULL, 0), ROS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].target, "");
	assert_string_equal(v[0].comment, "");
	assert_int_equal(v[0].disabled, -1);
	assert_string_equal(v[1].name, ""); /* present and empty is a name */
	ros_queues_free(v, n);
	ros_reply_free(r);
}

static void queues_parse_of_an_empty_reply_has_no_rows(void **state)
{
	ros_reply *r = new_reply();
	struct ros_queue_counters *v = NULL;
	size_t n = 7;

	(void)state;
	SENTENCE(r, "!empty"); /* RouterOS 7.18+ when nothing matches */
	SENTENCE(r, "!done");
	assert_int_equal(ros_queues_parse(r, &v, &n, NULL, 0), ROS_OK);
	assert_int_equal(n, 0);
	assert_non_null(v);
	ros_queues_free(v, n);
	ros_queues_free(NULL, 0);
	ros_reply_free(r);
}

/* Expects ros_queues_parse to refuse r, naming the row in want. */
static void assert_queues_refused(ros_reply *r, const char *want)
{
	struct ros_queue_counters *v = (void *)&v;
	size_t n = 99;
	char err[ROS_ROW_ERR_SIZE] = "";

	assert_int_equal(ros_queues_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_ptr_equal(v, (void *)&v); /* outputs untouched */
	assert_int_equal(n, 99);
	assert_clean_error(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	/* Without a buffer: the same status. */
	assert_int_equal(ros_queues_parse(r, &v, &n, NULL, 0), ROS_ERR_PROTOCOL);
	ros_reply_free(r);
}

static void queues_parse_refuses_a_row_missing_a_required_property(void **state)
{
	ros_reply *r;

	(void)state;
	r = new_reply();
	SENTENCE(r, "!re", "=.id=*1", "=name=ok", "=bytes=1/1");
	SENTENCE(r, "!re", "=.id=*2", "=name=guest", "=target=10.0.0.2/32");
	assert_queues_refused(r, "simple queue 2 (.id *2, name \"guest\"): no bytes");
	r = new_reply();
	SENTENCE(r, "!re", "=name=guest", "=bytes=1/1");
	assert_queues_refused(r, "simple queue 1 (name \"guest\"): no .id");
	r = new_reply();
	SENTENCE(r, "!re", "=.id=*9", "=bytes=1/1");
	assert_queues_refused(r, "simple queue 1 (.id *9): no name");
	r = new_reply();
	SENTENCE(r, "!re");
	assert_queues_refused(r, "simple queue 1: no .id");
}

static void queues_parse_refuses_malformed_bytes(void **state)
{
	static const char *const bad[] = {
	        "=bytes=",
	        "=bytes=12",
	        "=bytes=12/",
	        "=bytes=/12",
	        "=bytes=1/2/3",
	        "=bytes=a/1",
	        "=bytes=1/-1",
	        "=bytes= 1/2",
	        "=bytes=1/2 ",
	        "=bytes=1//2",
	        "=bytes=0x1/2",
	        "=bytes=1.5/2",
	        "=bytes=+1/2",
	        "=bytes=1/18446744073709551616",
	        "=bytes=18446744073709551616/1",
	        "=bytes=1k/2M",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ros_reply *r = new_reply();
		char want[128];
		SENTENCE(r, "!re", "=.id=*1", "=name=a", "=bytes=5/6");
		SENTENCE(r, "!re", "=.id=*7", "=name=flat 3", bad[i]);
		SENTENCE(r, "!done");
		snprintf(want, sizeof want,
		         "simple queue 2 (.id *7, name \"flat 3\"): bytes \"%s\" is not "
		         "UPLOAD/DOWNLOAD",
		         bad[i] + strlen("=bytes="));
		assert_queues_refused(r, want);
	}
}

static void queues_parse_keeps_raw_bytes_of_names(void **state)
{
	ros_reply *r = new_reply();
	struct ros_queue_counters *v = NULL;
	size_t n = 0;

	(void)state;
	/* WinBox writes the PC's code page: Latin-1, not UTF-8. */
	SENTENCE(r, "!re", "=.id=*1", "=name=caf\xE9 \xFF\x80", "=comment=\xC3\xA9t\xE9",
	         "=bytes=1/2");
	SENTENCE(r, "!done");
	assert_int_equal(ros_queues_parse(r, &v, &n, NULL, 0), ROS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "caf\xE9 \xFF\x80");
	assert_string_equal(v[0].comment, "\xC3\xA9t\xE9");
	ros_queues_free(v, n);
	ros_reply_free(r);
}

static void queues_parse_refuses_nul_bytes_and_escapes_the_name(void **state)
{
	static const char *const rest[] = {"=.id=*5", "=name=\xE9\x1b[31m", "=bytes=1/2", NULL};
	ros_reply *r = new_reply();

	(void)state;
	add_row_with_raw(r, rest, "comment", "a\0b", 3);
	assert_queues_refused(r, "simple queue 1 (.id *5, name \"\\xe9\\x1b[31m\"): comment holds "
	                         "a NUL byte");
	r = new_reply();
	add_row_with_raw(r, (const char *const[]){"=.id=*5", "=bytes=1/2", NULL}, "name", "x\0", 2);
	assert_queues_refused(r, "name holds a NUL byte");
	r = new_reply();
	add_row_with_raw(r, rest, "target", "\0", 1);
	assert_queues_refused(r, "target holds a NUL byte");
}

static void queues_parse_bounds_the_error_of_hostile_lengths(void **state)
{
	enum { BIG = 200000 };
	char *big = malloc(BIG + 1);
	char err[ROS_ROW_ERR_SIZE];
	char tiny[8];
	struct ros_queue_counters *v = NULL;
	size_t n = 0;
	ros_reply *r;

	(void)state;
	assert_non_null(big);
	memset(big, '\x9b', BIG); /* a C1 control byte, 200 kB of it */
	big[BIG] = '\0';
	/* A huge name is a name (the word cap bounds it, not this parser)... */
	r = new_reply();
	static const char *const with_bytes[] = {"=.id=*1", "=bytes=1/2", NULL};
	add_row_with_raw(r, with_bytes, "name", big, BIG);
	assert_int_equal(ros_queues_parse(r, &v, &n, NULL, 0), ROS_OK);
	assert_int_equal(strlen(v[0].name), BIG);
	ros_queues_free(v, n);
	ros_reply_free(r);
	/* ...and a huge malformed value is quoted only in part. */
	r = new_reply();
	static const char *const with_name[] = {"=.id=*1", "=name=q", NULL};
	add_row_with_raw(r, with_name, "bytes", big, BIG);
	assert_int_equal(ros_queues_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_clean_error(err);
	assert_non_null(strstr(err, "\\x9b\\x9b..."));
	/* A small buffer receives the start of the message, terminated. */
	memset(tiny, 'z', sizeof tiny);
	assert_int_equal(ros_queues_parse(r, &v, &n, tiny, sizeof tiny), ROS_ERR_PROTOCOL);
	assert_string_equal(tiny, "simple ");
	assert_int_equal(ros_queues_parse(r, &v, &n, tiny, 1), ROS_ERR_PROTOCOL);
	assert_string_equal(tiny, "");
	ros_reply_free(r);
	r = new_reply();
	add_row_with_raw(r, with_bytes, "name", big, BIG);
	SENTENCE(r, "!re", "=.id=*2", "=bytes=1");
	assert_int_equal(ros_queues_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_clean_error(err);
	assert_non_null(strstr(err, "simple queue 2 (.id *2): no name"));
	ros_reply_free(r);
	free(big);
}

/* A failure after good rows, and in the middle of a row, frees all that
 * was copied (ASan's leak check fails the test otherwise). */
static void queues_parse_frees_rows_when_a_later_row_fails(void **state)
{
	ros_reply *r = new_reply();

	(void)state;
	for (int i = 0; i < 50; i++)
		SENTENCE(r, "!re", "=.id=*1", "=name=q", "=target=t", "=comment=c", "=bytes=1/2");
	SENTENCE(r, "!re", "=.id=*2", "=name=q", "=target=t", "=comment=c", "=bytes=1/x");
	assert_queues_refused(r, "simple queue 51 (.id *2, name \"q\")");
}

static void queues_index_finds_the_first_row_of_each_name(void **state)
{
	char *names[] = {"q2", "q1", "\xE9t\xE9", "q1", "q10", "q 1", "Q1"};
	struct ros_queue_counters v[7] = {0};
	const struct ros_queue_counters **index;

	(void)state;
	for (size_t i = 0; i < 7; i++)
		v[i].name = names[i];
	index = ros_queues_index(v, 7);
	assert_non_null(index);
	for (size_t i = 1; i < 7; i++)
		assert_true(strcmp(index[i - 1]->name, index[i]->name) <= 0);
	assert_ptr_equal(ros_queues_find(index, 7, "q1"), &v[1]); /* not v[3] */
	assert_ptr_equal(ros_queues_find(index, 7, "Q1"), &v[6]); /* names are bytes */
	assert_ptr_equal(ros_queues_find(index, 7, "\xE9t\xE9"), &v[2]);
	assert_ptr_equal(ros_queues_find(index, 7, "q 1"), &v[5]);
	assert_ptr_equal(ros_queues_find(index, 7, "q10"), &v[4]);
	assert_null(ros_queues_find(index, 7, "q"));
	assert_null(ros_queues_find(index, 7, "\xE9"));
	assert_null(ros_queues_find(index, 7, "zz"));
	free(index);
	index = ros_queues_index(v, 0);
	assert_non_null(index);
	assert_null(ros_queues_find(index, 0, "q1"));
	free(index);
}

/* Many equal names in a large index: the first in reply order is found,
 * every name is found, and the sort is checked against a plain scan. */
static void queues_index_keeps_reply_order_among_many_duplicates(void **state)
{
	enum { N = 1000 };
	struct ros_queue_counters *v = calloc(N, sizeof *v);
	char(*names)[16] = calloc(N, sizeof *names);
	const struct ros_queue_counters **index;

	(void)state;
	assert_non_null(v);
	assert_non_null(names);
	for (size_t i = 0; i < N; i++) {
		/* 37 distinct names, scattered: name k first appears at row k. */
		snprintf(names[i], sizeof names[i], "q%zu", (i * 7919) % 37);
		v[i].name = names[i];
	}
	index = ros_queues_index(v, N);
	assert_non_null(index);
	for (size_t i = 1; i < N; i++) {
		int c = strcmp(index[i - 1]->name, index[i]->name);
		assert_true(c < 0 || (c == 0 && index[i - 1] < index[i]));
	}
	for (size_t i = 0; i < N; i++) {
		size_t first = 0;
		while (strcmp(v[first].name, v[i].name) != 0)
			first++;
		assert_ptr_equal(ros_queues_find(index, N, v[i].name), &v[first]);
	}
	free(index);
	free(names);
	free(v);
}

/* ------------------------------------------------------------------ */
/* MAC addresses                                                       */
/* ------------------------------------------------------------------ */

static void assert_mac(const char *in, const char *want)
{
	char out[18];
	memset(out, 'x', sizeof out);
	if (ros_parse_mac(in, strlen(in), out) != ROS_OK)
		fail_msg("ros_parse_mac(\"%s\") refused it", in);
	assert_string_equal(out, want);
}

static void parse_mac_normalises_case_and_separator(void **state)
{
	(void)state;
	assert_mac("AA:BB:CC:0D:EE:FF", "AA:BB:CC:0D:EE:FF");
	assert_mac("aa:bb:cc:0d:ee:ff", "AA:BB:CC:0D:EE:FF");
	assert_mac("aA-Bb-cC-0d-Ee-fF", "AA:BB:CC:0D:EE:FF");
	assert_mac("00:00:00:00:00:00", "00:00:00:00:00:00");
	assert_mac("01:23:45:67:89:ab", "01:23:45:67:89:AB");
}

static void parse_mac_refuses_anything_else(void **state)
{
	static const char *const bad[] = {
	        "",
	        "AA:BB:CC:DD:EE",
	        "AA:BB:CC:DD:EE:FF:00",
	        "AA:BB:CC:DD:EE:F",
	        "AA:BB:CC:DD:EE:FFF",
	        "AABBCCDDEEFF",
	        "AABB.CCDD.EEFF",
	        "AA-BB:CC:DD:EE:FF",
	        "AA:BB:CC:DD:EE-FF",
	        "AA BB CC DD EE FF",
	        "GA:BB:CC:DD:EE:FF",
	        "A:BB:CC:DD:EE:FFF",
	        " AA:BB:CC:DD:EE:F",
	        "AA:BB:CC:DD:EE:F ",
	        "AA:BB:CC:DD:EE:\xC3\xA9",
	        "AA::BB:CC:DD:EE:F",
	        "+A:BB:CC:DD:EE:FF",
	        "0x:BB:CC:DD:EE:FF",
	        "AA_BB_CC_DD_EE_FF",
	};
	char out[18] = "untouched";

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ros_parse_mac(bad[i], strlen(bad[i]), out) != ROS_ERR_ARG)
			fail_msg("ros_parse_mac(\"%s\") accepted it", bad[i]);
	assert_string_equal(out, "untouched");
	/* A NUL inside, and only len bytes looked at. */
	assert_int_equal(ros_parse_mac("AA:BB:CC\0DD:EE:FF", 17, out), ROS_ERR_ARG);
	assert_int_equal(ros_parse_mac("AA:BB:CC:DD:EE:FF:00", 17, out), ROS_OK);
	assert_string_equal(out, "AA:BB:CC:DD:EE:FF");
	assert_int_equal(ros_parse_mac("AA:BB:CC:DD:EE:FF", 16, out), ROS_ERR_ARG);
}

/* ------------------------------------------------------------------ */
/* Kid-control devices                                                 */
/* ------------------------------------------------------------------ */

static void devices_words_read_every_device(void **state)
{
	(void)state;
	assert_string_equal(ros_devices_words[0], "/ip/kid-control/device/print");
	assert_string_equal(ros_devices_words[1],
	                    "=.proplist=.id,mac-address,ip-address,name,user,bytes-up,bytes-down");
	assert_string_equal(ros_leases_words[0], "/ip/dhcp-server/lease/print");
	assert_string_equal(ros_leases_words[1],
	                    "=.proplist=mac-address,address,host-name,comment");
}

static void devices_parse_reads_rows_and_normalises_macs(void **state)
{
	ros_reply *r = new_reply();
	struct ros_device_counters *v = NULL;
	size_t n = 0;

	(void)state;
	SENTENCE(r, "!re", "=.id=*1", "=mac-address=a4:83:e7:0b:1c:2d", "=ip-address=192.168.88.23",
	         "=name=Anna's phone", "=user=anna", "=bytes-up=1234567890123",
	         "=bytes-down=9876543210987", "=rate-up=0bps", "=activity=");
	SENTENCE(r, "!re", "=.id=*2", "=mac-address=00-11-22-AA-bb-CC",
	         "=ip-address=", "=bytes-up=0", "=bytes-down=18446744073709551615");
	SENTENCE(r, "!re", "=.id=*3", "=mac-address=02:00:00:00:00:01", "=ip-address=fd00::1:2",
	         "=name=t\xE9l\xE9", "=bytes-up=5", "=bytes-down=6");
	SENTENCE(r, "!done");
	assert_int_equal(ros_devices_parse(r, &v, &n, NULL, 0), ROS_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].id, "*1");
	assert_string_equal(v[0].mac, "A4:83:E7:0B:1C:2D");
	assert_string_equal(v[0].ip, "192.168.88.23");
	assert_string_equal(v[0].name, "Anna's phone");
	assert_string_equal(v[0].user, "anna");
	assert_true(v[0].up_bytes == UINT64_C(1234567890123));
	assert_true(v[0].down_bytes == UINT64_C(9876543210987));
	assert_string_equal(v[1].mac, "00:11:22:AA:BB:CC");
	assert_string_equal(v[1].ip, ""); /* not on the network right now */
	assert_string_equal(v[1].name, "");
	assert_string_equal(v[1].user, "");
	assert_true(v[1].down_bytes == UINT64_MAX);
	assert_string_equal(v[2].ip, "fd00::1:2");
	assert_string_equal(v[2].name, "t\xE9l\xE9");
	ros_devices_free(v, n);
	ros_devices_free(NULL, 0);
	ros_reply_free(r);
}

/* Expects ros_devices_parse to refuse the one row given (after a good
 * row), naming it as want says. */
static void assert_device_refused(const char *const *row, const char *want)
{
	ros_reply *r = new_reply();
	struct ros_device_counters *v = (void *)&v;
	size_t n = 5;
	char err[ROS_ROW_ERR_SIZE] = "";

	SENTENCE(r, "!re", "=.id=*1", "=mac-address=02:00:00:00:00:01", "=bytes-up=1",
	         "=bytes-down=2", "=name=good", "=ip-address=10.0.0.1");
	add_sentence(r, row);
	SENTENCE(r, "!done");
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_ptr_equal(v, (void *)&v);
	assert_int_equal(n, 5);
	assert_clean_error(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	ros_reply_free(r);
}

#define DEVICE_REFUSED(want, ...)                                                                  \
	assert_device_refused((const char *const[]){__VA_ARGS__, NULL}, want)

static void devices_parse_refuses_missing_properties(void **state)
{
	(void)state;
	DEVICE_REFUSED("kid-control device 2 (.id *2): no mac-address", "!re", "=.id=*2",
	               "=bytes-up=1", "=bytes-down=2");
	DEVICE_REFUSED("kid-control device 2 (.id *2, name \"tv\"): no bytes-up", "!re", "=.id=*2",
	               "=name=tv", "=mac-address=02:00:00:00:00:02", "=bytes-down=2");
	DEVICE_REFUSED("kid-control device 2 (.id *2): no bytes-down", "!re", "=.id=*2",
	               "=mac-address=02:00:00:00:00:02", "=bytes-up=2");
	DEVICE_REFUSED("kid-control device 2 (name \"tv\"): no .id", "!re", "=name=tv",
	               "=mac-address=02:00:00:00:00:02", "=bytes-up=1", "=bytes-down=2");
	/* A RouterOS 6 row: no counters at all. */
	DEVICE_REFUSED("no bytes-up", "!re", "=.id=*2", "=mac-address=02:00:00:00:00:02",
	               "=user=anna");
}

static void devices_parse_refuses_malformed_macs(void **state)
{
	static const char *const bad[] = {
	        "",
	        "02:00:00:00:00",
	        "02:00:00:00:00:0G",
	        "0200.0000.0001",
	        "02:00:00:00:00:01 ",
	        "\xFF\xFF:00:00:00:00",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char word[64], want[160], quoted[64];
		size_t q = 0;
		snprintf(word, sizeof word, "=mac-address=%s", bad[i]);
		for (const unsigned char *p = (const unsigned char *)bad[i]; *p; p++)
			q += (size_t)snprintf(quoted + q, sizeof quoted - q,
			                      *p >= 0x80 ? "\\x%02x" : "%c", *p);
		quoted[q] = '\0';
		snprintf(want, sizeof want,
		         "kid-control device 2 (.id *2): mac-address \"%s\" is not a MAC address",
		         quoted);
		DEVICE_REFUSED(want, "!re", "=.id=*2", word, "=bytes-up=1", "=bytes-down=2");
	}
}

static void devices_parse_refuses_malformed_addresses_and_numbers(void **state)
{
	static const char *const bad_ip[] = {
	        "=ip-address=300.1.1.1",
	        "=ip-address=1.2.3",
	        "=ip-address=router",
	        "=ip-address=192.168.1.1/24",
	        "=ip-address= 1.2.3.4",
	        "=ip-address=1.2.3.4 ",
	        "=ip-address=fd00:::1",
	        "=ip-address=1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd",
	};
	static const char *const bad_num[] = {
	        "=bytes-up=",    "=bytes-up=-1", "=bytes-up=1e3", "=bytes-up=18446744073709551616",
	        "=bytes-up=12 ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad_ip / sizeof bad_ip[0]; i++)
		DEVICE_REFUSED("kid-control device 2 (.id *2): ip-address \"", "!re", "=.id=*2",
		               "=mac-address=02:00:00:00:00:02", bad_ip[i], "=bytes-up=1",
		               "=bytes-down=2");
	for (size_t i = 0; i < sizeof bad_num / sizeof bad_num[0]; i++)
		DEVICE_REFUSED("\" is not a decimal counter", "!re", "=.id=*2",
		               "=mac-address=02:00:00:00:00:02", bad_num[i], "=bytes-down=2");
}

static void devices_parse_refuses_nul_bytes_and_hostile_names(void **state)
{
	static const char *const rest[] = {"=.id=*1", "=mac-address=02:00:00:00:00:01",
	                                   "=bytes-up=1", "=bytes-down=2", NULL};
	enum { BIG = 100000 };
	char *big = malloc(BIG);
	ros_reply *r = new_reply();
	struct ros_device_counters *v = NULL;
	size_t n = 0;
	char err[ROS_ROW_ERR_SIZE];

	(void)state;
	assert_non_null(big);
	add_row_with_raw(r, rest, "name", "tv\0x", 4);
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_clean_error(err);
	assert_non_null(
	        strstr(err, "kid-control device 1 (.id *1, name \"tv\\x00x\"): name holds"));
	ros_reply_free(r);
	r = new_reply();
	add_row_with_raw(r, rest, "ip-address", "10.0.0.1\0", 9);
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_non_null(strstr(err, "ip-address \"10.0.0.1\\x00\" is not an IP address"));
	ros_reply_free(r);
	r = new_reply();
	add_row_with_raw(r, rest, "user", "\0", 1);
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	ros_reply_free(r);
	/* A long name with bytes >= 0x80 is kept whole; a long MAC is refused. */
	memset(big, '\xC0', BIG);
	r = new_reply();
	add_row_with_raw(r, rest, "name", big, BIG);
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_OK);
	assert_int_equal(strlen(v[0].name), BIG);
	ros_devices_free(v, n);
	ros_reply_free(r);
	r = new_reply();
	add_row_with_raw(r, (const char *const[]){"=.id=*1", "=bytes-up=1", "=bytes-down=2", NULL},
	                 "mac-address", big, BIG);
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_clean_error(err);
	assert_non_null(strstr(err, "\\xc0\\xc0...\" is not a MAC address"));
	ros_reply_free(r);
	r = new_reply();
	add_row_with_raw(r, rest, "ip-address", big, BIG);
	assert_int_equal(ros_devices_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_clean_error(err);
	ros_reply_free(r);
	free(big);
}

static void devices_index_finds_a_mac_in_any_form(void **state)
{
	char *macs[] = {"02:00:00:00:00:02", "A4:83:E7:0B:1C:2D", "02:00:00:00:00:01",
	                "A4:83:E7:0B:1C:2D"};
	struct ros_device_counters v[4] = {0};
	const struct ros_device_counters **index;

	(void)state;
	for (size_t i = 0; i < 4; i++)
		v[i].mac = macs[i];
	index = ros_devices_index(v, 4);
	assert_non_null(index);
	assert_ptr_equal(ros_devices_find(index, 4, "A4:83:E7:0B:1C:2D"), &v[1]); /* not v[3] */
	assert_ptr_equal(ros_devices_find(index, 4, "a4-83-e7-0b-1c-2d"), &v[1]);
	assert_ptr_equal(ros_devices_find(index, 4, "02:00:00:00:00:01"), &v[2]);
	assert_ptr_equal(ros_devices_find(index, 4, "02:00:00:00:00:02"), &v[0]);
	assert_null(ros_devices_find(index, 4, "02:00:00:00:00:03"));
	assert_null(ros_devices_find(index, 4, "02:00:00:00:00"));
	assert_null(ros_devices_find(index, 4, "tv"));
	assert_null(ros_devices_find(index, 4, ""));
	assert_null(ros_devices_find(index, 4, NULL));
	free(index);
	index = ros_devices_index(v, 0);
	assert_non_null(index);
	assert_null(ros_devices_find(index, 0, "02:00:00:00:00:01"));
	free(index);
}

/* ------------------------------------------------------------------ */
/* DHCP leases and display names                                       */
/* ------------------------------------------------------------------ */

static void leases_parse_reads_rows_and_skips_leases_without_mac(void **state)
{
	ros_reply *r = new_reply();
	struct ros_lease *v = NULL;
	size_t n = 0;

	(void)state;
	SENTENCE(r, "!re", "=mac-address=a4:83:e7:0b:1c:2d", "=address=192.168.88.23",
	         "=host-name=Annas-iPhone", "=comment=Anna");
	SENTENCE(r, "!re", "=address=192.168.88.99", "=host-name=ghost"); /* no MAC */
	SENTENCE(r, "!re", "=mac-address=", "=host-name=ghost");          /* an empty one */
	SENTENCE(r, "!re", "=mac-address=02:00:00:00:00:01", "=host-name=caf\xE9");
	SENTENCE(r, "!done");
	assert_int_equal(ros_leases_parse(r, &v, &n, NULL, 0), ROS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].mac, "A4:83:E7:0B:1C:2D");
	assert_string_equal(v[0].address, "192.168.88.23");
	assert_string_equal(v[0].host_name, "Annas-iPhone");
	assert_string_equal(v[0].comment, "Anna");
	assert_string_equal(v[1].mac, "02:00:00:00:00:01");
	assert_string_equal(v[1].address, "");
	assert_string_equal(v[1].host_name, "caf\xE9");
	assert_string_equal(v[1].comment, "");
	ros_leases_free(v, n);
	ros_leases_free(NULL, 0);
	ros_reply_free(r);
}

static void leases_parse_refuses_malformed_macs_and_nul_bytes(void **state)
{
	static const char *const rest[] = {"=mac-address=02:00:00:00:00:01", NULL};
	ros_reply *r = new_reply();
	struct ros_lease *v = (void *)&v;
	size_t n = 3;
	char err[ROS_ROW_ERR_SIZE];

	(void)state;
	SENTENCE(r, "!re", "=mac-address=02:00:00:00:00:01");
	SENTENCE(r, "!re", "=mac-address=1:2:3:4:5:6", "=host-name=pc");
	SENTENCE(r, "!done");
	assert_int_equal(ros_leases_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_ptr_equal(v, (void *)&v);
	assert_int_equal(n, 3);
	assert_clean_error(err);
	assert_string_equal(err, "DHCP lease 2: mac-address \"1:2:3:4:5:6\" is not a MAC address");
	ros_reply_free(r);
	r = new_reply();
	add_row_with_raw(r, rest, "host-name", "pc\0", 3);
	assert_int_equal(ros_leases_parse(r, &v, &n, err, sizeof err), ROS_ERR_PROTOCOL);
	assert_string_equal(err, "DHCP lease 1: host-name holds a NUL byte");
	ros_reply_free(r);
}

static void display_name_prefers_router_name_then_lease_then_mac(void **state)
{
	char *lmacs[] = {"02:00:00:00:00:03", "02:00:00:00:00:02", "02:00:00:00:00:02",
	                 "02:00:00:00:00:04", "02:00:00:00:00:03"};
	char *hosts[] = {"", "", "nas", "", "later-host"};
	char *comments[] = {"first comment", "", "", "Dad's laptop", ""};
	struct ros_lease l[5] = {0};
	struct ros_device_counters d = {0};
	const struct ros_lease **index;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		l[i].mac = lmacs[i];
		l[i].host_name = hosts[i];
		l[i].comment = comments[i];
	}
	index = ros_leases_index(l, 5);
	assert_non_null(index);
	assert_ptr_equal(ros_leases_find(index, 5, "02-00-00-00-00-02"), &l[1]);
	assert_null(ros_leases_find(index, 5, "02:00:00:00:00:09"));
	assert_null(ros_leases_find(index, 5, "bad"));

	d.mac = "02:00:00:00:00:02";
	d.name = "Kitchen TV";
	assert_string_equal(ros_device_display_name(&d, index, 5), "Kitchen TV");
	d.name = "";
	/* The first lease of this MAC has no host-name: the next one's counts. */
	assert_string_equal(ros_device_display_name(&d, index, 5), "nas");
	/* A host-name of any lease before a comment. */
	d.mac = "02:00:00:00:00:03";
	assert_string_equal(ros_device_display_name(&d, index, 5), "later-host");
	d.mac = "02:00:00:00:00:04";
	assert_string_equal(ros_device_display_name(&d, index, 5), "Dad's laptop");
	d.mac = "02:00:00:00:00:05";
	assert_string_equal(ros_device_display_name(&d, index, 5), "02:00:00:00:00:05");
	assert_string_equal(ros_device_display_name(&d, NULL, 0), "02:00:00:00:00:05");
	free(index);
}

/* ------------------------------------------------------------------ */
/* The blocking helpers against a scripted router                      */
/* ------------------------------------------------------------------ */

/* A router that accepts any login and answers each command with the
 * next canned reply, reporting the words it received on a pipe. */
struct script_router {
	pid_t pid;
	uint16_t port;
	int words_fd; /* "WORD\n" per word, "--\n" after each sentence */
};

/* The child: serves one session. Requests are read as raw words (the
 * library's parser takes only replies). */
static void serve(int lfd, int report, const struct ros_buf *replies, size_t nreplies)
{
	int fd = accept(lfd, NULL, NULL);
	struct ros_buf login = {0};
	size_t next = 0;
	if (fd < 0)
		_exit(2);
	ros_buf_add_sentence(&login, (const char *const[]){"!done"}, 1);
	for (;;) {
		unsigned char buf[65536];
		size_t have = 0;
		/* Read words until the empty word ends the sentence. */
		for (;;) {
			uint32_t len = 0;
			int k = have ? ros_length_decode(buf, have, &len) : 0;
			if (k > 0 && have >= (size_t)k + len) {
				if (len == 0)
					break;
				dprintf(report, "%.*s\n", (int)len, (const char *)buf + k);
				memmove(buf, buf + k + len, have - (size_t)k - len);
				have -= (size_t)k + len;
				continue;
			}
			ssize_t got = read(fd, buf + have, sizeof buf - have);
			if (got <= 0)
				_exit(0);
			have += (size_t)got;
		}
		dprintf(report, "--\n");
		const struct ros_buf *out = &login;
		if (login.len == 0 && next < nreplies)
			out = &replies[next++];
		if (write(fd, out->data, out->len) != (ssize_t)out->len)
			_exit(4);
		login.len = 0; /* the first answer was the login's */
	}
}

/* Starts a scripted router with the replies given as encoded buffers. */
static struct script_router start_router(const struct ros_buf *replies, size_t n)
{
	struct script_router sr = {0};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	int pipefd[2];
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(pipe(pipefd), 0);
	sr.port = ntohs(a.sin_port);
	sr.pid = fork();
	assert_true(sr.pid >= 0);
	if (sr.pid == 0) {
		close(pipefd[0]);
		serve(lfd, pipefd[1], replies, n);
	}
	close(lfd);
	close(pipefd[1]);
	sr.words_fd = pipefd[0];
	return sr;
}

/* Waits for the router to end (the client closed) and returns what it
 * received, without the login sentence. */
static char *stop_router(struct script_router *sr)
{
	static char text[65536];
	size_t len = 0;
	ssize_t got;
	int status = 0;
	while (len < sizeof text - 1 &&
	       (got = read(sr->words_fd, text + len, sizeof text - 1 - len)) > 0)
		len += (size_t)got;
	text[len] = '\0';
	close(sr->words_fd);
	assert_int_equal(waitpid(sr->pid, &status, 0), sr->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *after_login = strstr(text, "--\n");
	assert_non_null(after_login);
	return after_login + 3;
}

static ros_conn *connect_to(const struct script_router *sr)
{
	struct ros_options o = {0};
	int st = 0;
	o.host = "127.0.0.1";
	o.port = sr->port;
	o.user = "reader";
	o.password = "pw";
	o.timeout_ms = 30000;
	ros_conn *c = ros_conn_new(&o, &st);
	assert_non_null(c);
	if (ros_connect(c) != ROS_OK)
		fail_msg("connect: %s", ros_errstr(c));
	return c;
}

/* Encodes sentences (each a NULL-terminated word list; the list ends with
 * a NULL sentence) into one canned reply. */
static struct ros_buf reply_bytes(const char *const *const *sentences)
{
	struct ros_buf b = {0};
	for (size_t i = 0; sentences[i]; i++) {
		size_t n = 0;
		while (sentences[i][n])
			n++;
		assert_int_equal(ros_buf_add_sentence(&b, sentences[i], n), ROS_OK);
	}
	return b;
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void read_helpers_send_their_words_and_parse_rows(void **state)
{
	struct ros_buf replies[3];
	const char *const names[] = {"flat-2", "lan"};
	struct ros_queue_counters *q = NULL;
	struct ros_device_counters *d = NULL;
	struct ros_lease *l = NULL;
	size_t nq = 0, nd = 0, nl = 0;

	(void)state;
	replies[0] = reply_bytes((const char *const *const[]){
	        WORDS("!re", "=.id=*1", "=name=flat-2", "=bytes=10/20"),
	        WORDS("!re", "=.id=*2", "=name=lan", "=bytes=30/40", "=disabled=true"),
	        WORDS("!done"), NULL});
	replies[1] = reply_bytes((const char *const *const[]){
	        WORDS("!re", "=.id=*7", "=mac-address=a4:83:e7:0b:1c:2d", "=bytes-up=5",
	              "=bytes-down=6"),
	        WORDS("!done"), NULL});
	replies[2] = reply_bytes((const char *const *const[]){
	        WORDS("!re", "=mac-address=A4:83:E7:0B:1C:2D", "=host-name=phone"), WORDS("!done"),
	        NULL});
	signal(SIGPIPE, SIG_IGN);
	struct script_router sr = start_router(replies, 3);
	ros_conn *c = connect_to(&sr);
	assert_int_equal(ros_read_queues(c, names, 2, &q, &nq), ROS_OK);
	assert_int_equal(nq, 2);
	assert_true(q[1].up_bytes == 30 && q[1].down_bytes == 40 && q[1].disabled == 1);
	assert_int_equal(ros_read_devices(c, &d, &nd), ROS_OK);
	assert_int_equal(nd, 1);
	assert_string_equal(d[0].mac, "A4:83:E7:0B:1C:2D");
	assert_int_equal(ros_read_leases(c, &l, &nl), ROS_OK);
	assert_int_equal(nl, 1);
	const struct ros_lease **li = ros_leases_index(l, nl);
	assert_non_null(li);
	assert_string_equal(ros_device_display_name(&d[0], li, nl), "phone");
	free(li);
	ros_conn_free(c);
	/* What the router received (ros_conn_free's /quit may follow). */
	static const char want[] = "/queue/simple/print\n"
	                           "=.proplist=.id,name,target,comment,disabled,bytes\n"
	                           "?name=flat-2\n?name=lan\n?#|\n--\n"
	                           "/ip/kid-control/device/print\n"
	                           "=.proplist=.id,mac-address,ip-address,name,user,"
	                           "bytes-up,bytes-down\n--\n"
	                           "/ip/dhcp-server/lease/print\n"
	                           "=.proplist=mac-address,address,host-name,comment\n"
	                           "--\n";
	const char *got = stop_router(&sr);
	if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("the router received:\n%s", got);
	ros_queues_free(q, nq);
	ros_devices_free(d, nd);
	ros_leases_free(l, nl);
	for (size_t i = 0; i < 3; i++)
		ros_buf_free(&replies[i]);
}

static void read_helpers_report_a_trap_and_a_malformed_row(void **state)
{
	struct ros_buf replies[3];
	struct ros_device_counters *d = (void *)&d;
	struct ros_queue_counters *q = (void *)&q;
	size_t nd = 9, nq = 9;
	uint64_t up = 0;

	(void)state;
	/* RouterOS 6 or a router without the menu. */
	replies[0] = reply_bytes((const char *const *const[]){
	        WORDS("!trap", "=message=no such command prefix"), WORDS("!done"), NULL});
	replies[1] = reply_bytes((const char *const *const[]){
	        WORDS("!re", "=.id=*1", "=name=guest \xE9", "=bytes=1/2/3"), WORDS("!done"), NULL});
	replies[2] = reply_bytes(
	        (const char *const *const[]){WORDS("!re", "=uptime=1h"), WORDS("!done"), NULL});
	signal(SIGPIPE, SIG_IGN);
	struct script_router sr = start_router(replies, 3);
	ros_conn *c = connect_to(&sr);
	assert_int_equal(ros_read_devices(c, &d, &nd), ROS_ERR_TRAP);
	assert_non_null(strstr(ros_errstr(c), "no such command prefix"));
	assert_int_equal(ros_read_queues(c, NULL, 0, &q, &nq), ROS_ERR_PROTOCOL);
	assert_string_equal(ros_errstr(c), "simple queue 1 (.id *1, name \"guest \\xe9\"): bytes "
	                                   "\"1/2/3\" is not UPLOAD/DOWNLOAD");
	assert_ptr_equal(d, (void *)&d);
	assert_ptr_equal(q, (void *)&q);
	assert_int_equal(nd + nq, 18);
	/* A reply that parsed badly leaves the session usable. */
	assert_int_equal(ros_is_ready(c), 1);
	assert_int_equal(ros_read_uptime(c, &up), ROS_OK);
	assert_true(up == 3600);
	ros_conn_free(c);
	(void)stop_router(&sr);
	for (size_t i = 0; i < 3; i++)
		ros_buf_free(&replies[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(queues_words_name_queues_or_read_all),
	        cmocka_unit_test(queues_parse_reads_rows_and_both_directions),
	        cmocka_unit_test(queues_parse_leaves_optional_properties_empty),
	        cmocka_unit_test(queues_parse_of_an_empty_reply_has_no_rows),
	        cmocka_unit_test(queues_parse_refuses_a_row_missing_a_required_property),
	        cmocka_unit_test(queues_parse_refuses_malformed_bytes),
	        cmocka_unit_test(queues_parse_keeps_raw_bytes_of_names),
	        cmocka_unit_test(queues_parse_refuses_nul_bytes_and_escapes_the_name),
	        cmocka_unit_test(queues_parse_bounds_the_error_of_hostile_lengths),
	        cmocka_unit_test(queues_parse_frees_rows_when_a_later_row_fails),
	        cmocka_unit_test(queues_index_finds_the_first_row_of_each_name),
	        cmocka_unit_test(queues_index_keeps_reply_order_among_many_duplicates),
	        cmocka_unit_test(parse_mac_normalises_case_and_separator),
	        cmocka_unit_test(parse_mac_refuses_anything_else),
	        cmocka_unit_test(devices_words_read_every_device),
	        cmocka_unit_test(devices_parse_reads_rows_and_normalises_macs),
	        cmocka_unit_test(devices_parse_refuses_missing_properties),
	        cmocka_unit_test(devices_parse_refuses_malformed_macs),
	        cmocka_unit_test(devices_parse_refuses_malformed_addresses_and_numbers),
	        cmocka_unit_test(devices_parse_refuses_nul_bytes_and_hostile_names),
	        cmocka_unit_test(devices_index_finds_a_mac_in_any_form),
	        cmocka_unit_test(leases_parse_reads_rows_and_skips_leases_without_mac),
	        cmocka_unit_test(leases_parse_refuses_malformed_macs_and_nul_bytes),
	        cmocka_unit_test(display_name_prefers_router_name_then_lease_then_mac),
	        cmocka_unit_test(read_helpers_send_their_words_and_parse_rows),
	        cmocka_unit_test(read_helpers_report_a_trap_and_a_malformed_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
