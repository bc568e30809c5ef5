/*
 * fuzz_parser.c — libFuzzer target for the routeros-api reply parser.
 *
 * Input layout:
 *   byte 0          bits 0-1: number of chunk sizes that follow, minus 1;
 *                   bit 2: small caps (max_word 64, max_sentence 256)
 *                   instead of max_word 4096, max_sentence 16384
 *   next 1..4 bytes chunk sizes minus 1, used in turn to cut the stream
 *   the rest        the byte stream fed to the parser
 *
 * Every completed sentence goes through every accessor, and its words are
 * re-encoded and parsed again, which must give the same words. Any broken
 * invariant aborts, so libFuzzer reports it as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routeros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31u + b[i];
	sink += h;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

/* Re-encodes s with the library's encoder, parses it again and checks the
 * words are the same. */
static void check_round_trip(const ros_sentence *s, size_t max_word, size_t max_sentence)
{
	struct ros_buf b = {0};
	size_t wc = ros_sentence_word_count(s);
	ros_parser *p;
	ros_sentence *again;
	long n;

	for (size_t i = 0; i < wc; i++) {
		struct ros_word w = ros_sentence_word(s, i);

		if (ros_buf_add_word(&b, w.data, w.len) != ROS_OK)
			goto out;
	}
	if (ros_buf_add_word(&b, "", 0) != ROS_OK)
		goto out;
	p = ros_parser_new(max_word, max_sentence);
	if (p == NULL)
		goto out;
	n = ros_parser_feed(p, b.data, b.len);
	if (n == ROS_ERR_NOMEM) {
		ros_parser_free(p);
		goto out;
	}
	CHECK(n == (long)b.len);
	again = ros_parser_take(p);
	CHECK(again != NULL);
	CHECK(ros_sentence_type(again) == ros_sentence_type(s));
	CHECK(ros_sentence_word_count(again) == wc);
	CHECK(ros_sentence_attr_count(again) == ros_sentence_attr_count(s));
	for (size_t i = 0; i < wc; i++) {
		struct ros_word a = ros_sentence_word(s, i);
		struct ros_word c = ros_sentence_word(again, i);

		CHECK(a.len == c.len);
		CHECK(a.len == 0 || memcmp(a.data, c.data, a.len) == 0);
	}
	ros_sentence_free(again);
	ros_parser_free(p);
out:
	ros_buf_free(&b);
}

/* Calls every accessor and checks what routeros.h promises. */
static void exercise(const ros_sentence *s)
{
	enum ros_reply_type t = ros_sentence_type(s);
	size_t wc = ros_sentence_word_count(s);
	size_t ac = ros_sentence_attr_count(s);
	struct ros_word w0;
	const char *v;
	size_t len;

	CHECK(t >= ROS_REPLY_RE && t <= ROS_REPLY_EMPTY);
	CHECK(ros_reply_type_name(t) != NULL);
	CHECK(wc >= 1);
	CHECK(ac < wc);
	w0 = ros_sentence_word(s, 0);
	CHECK(w0.len >= 2 && w0.data[0] == '!');

	for (size_t i = 0; i < wc; i++) {
		struct ros_word w = ros_sentence_word(s, i);

		CHECK(w.data != NULL);
		CHECK(w.data[w.len] == '\0');
		touch(w.data, w.len);
	}

	len = 1;
	v = ros_sentence_tag(s, &len);
	if (v != NULL)
		touch(v, len);
	else
		CHECK(len == 0);

	for (size_t i = 0; i < ac; i++) {
		struct ros_word k = {0}, val = {0};
		char key[4200];
		size_t glen = 0;
		const char *g;

		ros_sentence_attr_at(s, i, &k, &val);
		CHECK(k.len == 0 || k.data != NULL);
		CHECK(val.len == 0 || val.data != NULL);
		touch(k.data, k.len);
		touch(val.data, val.len);
		if (k.len >= sizeof(key) || memchr(k.data, '\0', k.len) != NULL)
			continue;
		memcpy(key, k.data, k.len);
		key[k.len] = '\0';
		/* get returns the first attribute with this key. */
		g = ros_sentence_get(s, key, &glen);
		CHECK(g != NULL);
		CHECK(g[glen] == '\0');
		for (size_t j = 0; j <= i; j++) {
			struct ros_word kj = {0}, vj = {0};

			ros_sentence_attr_at(s, j, &kj, &vj);
			if (kj.len == k.len && memcmp(kj.data, k.data, k.len) == 0) {
				CHECK(glen == vj.len);
				CHECK(glen == 0 || memcmp(g, vj.data, glen) == 0);
				break;
			}
		}
	}

	len = 0;
	v = ros_sentence_get(s, "message", &len);
	if (v != NULL)
		touch(v, len);
	v = ros_sentence_fatal_reason(s, &len);
	CHECK((v != NULL) == (t == ROS_REPLY_FATAL));
	if (v != NULL)
		touch(v, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t ntab, max_word, max_sentence, off, turn = 0;
	ros_parser *p;

	if (size < 2)
		return 0;
	ntab = (size_t)(data[0] & 3u) + 1;
	if (size < 1 + ntab)
		return 0;
	max_word = (data[0] & 4u) ? 64 : 4096;
	max_sentence = (data[0] & 4u) ? 256 : 16384;

	{
		/* The codec's prefix functions on the raw stream too. */
		uint32_t len = 0;
		unsigned char enc[5];
		int k = ros_length_decode(data + 1 + ntab, size - 1 - ntab, &len);

		CHECK(k == ROS_ERR_PROTOCOL || (k >= 0 && k <= 5));
		if (k > 0) {
			size_t e = ros_length_encode(len, enc);
			uint32_t back = 0;

			CHECK(e >= 1 && e <= (size_t)k);
			CHECK(ros_length_decode(enc, e, &back) == (int)e && back == len);
		}
	}

	p = ros_parser_new(max_word, max_sentence);
	if (p == NULL)
		return 0;
	off = 1 + ntab;
	while (off < size) {
		size_t chunk = (size_t)data[1 + turn % ntab] + 1;
		long n;
		ros_sentence *s;
		int took = 0;

		turn++;
		if (chunk > size - off)
			chunk = size - off;
		n = ros_parser_feed(p, data + off, chunk);
		if (n < 0) {
			const char *e = ros_parser_error(p);

			CHECK(n == ROS_ERR_PROTOCOL || n == ROS_ERR_TOO_BIG || n == ROS_ERR_NOMEM);
			CHECK(e != NULL && e[0] != '\0');
			touch(e, strlen(e));
			break;
		}
		CHECK((size_t)n <= chunk);
		off += (size_t)n;
		while ((s = ros_parser_take(p)) != NULL) {
			took = 1;
			exercise(s);
			check_round_trip(s, max_word, max_sentence);
			ros_sentence_free(s);
		}
		/* No progress without a sentence would loop forever. */
		CHECK(n > 0 || took);
	}
	ros_parser_free(p);
	return 0;
}
