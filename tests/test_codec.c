/*
 * test_codec.c — unit tests for the pure codec layer of routeros-api:
 * length prefixes, sentence encoding (ros_buf_*), the incremental reply
 * parser and the sentence accessors.
 *
 * Reply streams are built with a small encoder written here, independent
 * of the library's, so a symmetric bug in the library's encoder and
 * decoder cannot hide itself. The wire facts come from
 * shared/PROTOCOL.md; the expected behaviour from routeros.h.
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
/* A byte string and an encoder of our own                             */
/* ------------------------------------------------------------------ */

struct bytes {
	unsigned char *d;
	size_t n;
	size_t cap;
};

static void b_put(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n)
			cap *= 2;
		b->d = realloc(b->d, cap);
		assert_non_null(b->d);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void b_free(struct bytes *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

/* The length prefix, written from the table in PROTOCOL.md. */
static size_t my_prefix(uint32_t len, unsigned char out[5])
{
	if (len < 0x80u) {
		out[0] = (unsigned char)len;
		return 1;
	}
	if (len < 0x4000u) {
		out[0] = (unsigned char)(0x80u | (len >> 8));
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len < 0x200000u) {
		out[0] = (unsigned char)(0xC0u | (len >> 16));
		out[1] = (unsigned char)(len >> 8);
		out[2] = (unsigned char)len;
		return 3;
	}
	if (len < 0x10000000u) {
		out[0] = (unsigned char)(0xE0u | (len >> 24));
		out[1] = (unsigned char)(len >> 16);
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[0] = 0xF0u;
	out[1] = (unsigned char)(len >> 24);
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	return 5;
}

static void b_word(struct bytes *b, const void *w, size_t n)
{
	unsigned char pre[5];
	size_t k = my_prefix((uint32_t)n, pre);

	b_put(b, pre, k);
	b_put(b, w, n);
}

static void b_str(struct bytes *b, const char *s)
{
	b_word(b, s, strlen(s));
}

static void b_end(struct bytes *b)
{
	unsigned char z = 0;

	b_put(b, &z, 1);
}

/* Appends a sentence of NUL-terminated words, the list ended by NULL. */
static void b_sentence(struct bytes *b, ...)
{
	va_list ap;
	const char *w;

	va_start(ap, b);
	while ((w = va_arg(ap, const char *)) != NULL)
		b_str(b, w);
	va_end(ap);
	b_end(b);
}

/* A word of n bytes: 'head' followed by a repeating byte pattern. */
static void b_long_word(struct bytes *b, const char *head, size_t n)
{
	size_t h = strlen(head);
	unsigned char *w = malloc(n);

	assert_non_null(w);
	assert_true(n >= h);
	memcpy(w, head, h);
	for (size_t i = h; i < n; i++)
		w[i] = (unsigned char)(i * 7u + 3u);
	b_word(b, w, n);
	free(w);
}

/* ------------------------------------------------------------------ */
/* Feeding helpers                                                     */
/* ------------------------------------------------------------------ */

/* Deterministic xorshift32, so chunk patterns are reproducible. */
static uint32_t rng_next(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

enum chunk_mode { CHUNK_ALL, CHUNK_FIXED, CHUNK_RANDOM, CHUNK_SPLIT };

struct chunker {
	enum chunk_mode mode;
	size_t size;   /* CHUNK_FIXED: chunk size; CHUNK_RANDOM: max; CHUNK_SPLIT: split offset */
	uint32_t seed; /* CHUNK_RANDOM */
	int first;     /* CHUNK_SPLIT: next call is the first chunk */
};

static size_t next_chunk(struct chunker *c, size_t off, size_t left)
{
	size_t n = left;

	switch (c->mode) {
	case CHUNK_ALL: break;
	case CHUNK_FIXED: n = c->size; break;
	case CHUNK_RANDOM: n = 1 + rng_next(&c->seed) % c->size; break;
	case CHUNK_SPLIT: n = off < c->size ? c->size - off : left; break;
	}
	if (n == 0)
		n = left;
	return n < left ? n : left;
}

/* Everything a parser produced from one stream. */
struct parsed {
	ros_sentence **s;
	size_t n;
	size_t cap;
	long status;     /* 0, or the negative status the parser returned */
	size_t consumed; /* bytes consumed before the error (or all) */
	const char *err; /* ros_parser_error copy when status < 0 (static buffer below) */
	char errbuf[512];
};

static void parsed_push(struct parsed *r, ros_sentence *s)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->s = realloc(r->s, r->cap * sizeof(*r->s));
		assert_non_null(r->s);
	}
	r->s[r->n++] = s;
}

static void parsed_free(struct parsed *r)
{
	for (size_t i = 0; i < r->n; i++)
		ros_sentence_free(r->s[i]);
	free(r->s);
	r->s = NULL;
	r->n = r->cap = 0;
}

/* Feeds d[0..n) to p in chunks chosen by ch, taking every completed
 * sentence, until the end or the first error. */
static void feed_with(ros_parser *p, const unsigned char *d, size_t n, struct chunker *ch,
                      struct parsed *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	while (off < n) {
		size_t c = next_chunk(ch, off, n - off);
		size_t coff = 0;

		while (coff < c) {
			long r = ros_parser_feed(p, d + off + coff, c - coff);
			ros_sentence *s;
			int took = 0;

			if (r < 0) {
				const char *e = ros_parser_error(p);

				out->status = r;
				out->consumed = off + coff;
				snprintf(out->errbuf, sizeof(out->errbuf), "%s", e ? e : "");
				out->err = out->errbuf;
				return;
			}
			assert_true((size_t)r <= c - coff);
			coff += (size_t)r;
			while ((s = ros_parser_take(p)) != NULL) {
				parsed_push(out, s);
				took = 1;
			}
			if (r == 0 && !took)
				fail_msg("ros_parser_feed made no progress at offset %zu",
				         off + coff);
		}
		off += c;
	}
	out->consumed = off;
}

/* Parses a whole stream with a fresh parser. */
static void parse_all(const unsigned char *d, size_t n, size_t max_word, size_t max_sentence,
                      struct chunker *ch, struct parsed *out)
{
	ros_parser *p = ros_parser_new(max_word, max_sentence);

	assert_non_null(p);
	feed_with(p, d, n, ch, out);
	ros_parser_free(p);
}

static void parse_whole(const struct bytes *b, struct parsed *out)
{
	struct chunker ch = {.mode = CHUNK_ALL};

	parse_all(b->d, b->n, 0, 0, &ch, out);
}

/* A byte-exact description of everything the accessors report, so two
 * parses can be compared. */
static void put_u64(struct bytes *b, uint64_t v)
{
	b_put(b, &v, sizeof(v));
}

static void put_word(struct bytes *b, const char *d, size_t n)
{
	put_u64(b, n);
	b_put(b, d, n);
}

static void describe(const struct parsed *r, struct bytes *out)
{
	put_u64(out, (uint64_t)r->status);
	put_u64(out, r->consumed);
	put_u64(out, r->n);
	for (size_t i = 0; i < r->n; i++) {
		const ros_sentence *s = r->s[i];
		size_t wc = ros_sentence_word_count(s);
		size_t ac = ros_sentence_attr_count(s);
		size_t len = 0;
		const char *t;

		put_u64(out, (uint64_t)ros_sentence_type(s));
		put_u64(out, wc);
		for (size_t w = 0; w < wc; w++) {
			struct ros_word word = ros_sentence_word(s, w);

			put_word(out, word.data, word.len);
		}
		t = ros_sentence_tag(s, &len);
		put_u64(out, t != NULL);
		if (t)
			put_word(out, t, len);
		put_u64(out, ac);
		for (size_t a = 0; a < ac; a++) {
			struct ros_word k, v;

			ros_sentence_attr_at(s, a, &k, &v);
			put_word(out, k.data, k.len);
			put_word(out, v.data, v.len);
		}
		len = 0;
		t = ros_sentence_fatal_reason(s, &len);
		put_u64(out, t != NULL);
		if (t)
			put_word(out, t, len);
	}
}

static void assert_same_parse(const struct parsed *a, const struct parsed *b)
{
	struct bytes da = {0}, db = {0};

	describe(a, &da);
	describe(b, &db);
	assert_int_equal(da.n, db.n);
	assert_memory_equal(da.d, db.d, da.n);
	b_free(&da);
	b_free(&db);
}

/* ------------------------------------------------------------------ */
/* Assertion helpers for sentences                                     */
/* ------------------------------------------------------------------ */

static void assert_word(const ros_sentence *s, size_t i, const void *data, size_t len)
{
	struct ros_word w;

	assert_true(i < ros_sentence_word_count(s));
	w = ros_sentence_word(s, i);
	assert_non_null(w.data);
	assert_int_equal(w.len, len);
	if (len > 0)
		assert_memory_equal(w.data, data, len);
	/* The header promises a NUL after every word. */
	assert_int_equal(w.data[len], '\0');
}

static void assert_attr(const ros_sentence *s, size_t i, const char *key, const void *val,
                        size_t vlen)
{
	struct ros_word k = {0}, v = {0};

	assert_true(i < ros_sentence_attr_count(s));
	ros_sentence_attr_at(s, i, &k, &v);
	assert_int_equal(k.len, strlen(key));
	if (k.len > 0)
		assert_memory_equal(k.data, key, k.len);
	assert_int_equal(v.len, vlen);
	if (vlen > 0)
		assert_memory_equal(v.data, val, vlen);
}

static void assert_get(const ros_sentence *s, const char *key, const void *val, size_t vlen)
{
	size_t len = 12345;
	const char *v = ros_sentence_get(s, key, &len);

	assert_non_null(v);
	assert_int_equal(len, vlen);
	if (vlen > 0)
		assert_memory_equal(v, val, vlen);
	assert_int_equal(v[vlen], '\0');
}

static void assert_untagged(const ros_sentence *s)
{
	size_t len = 99;

	assert_null(ros_sentence_tag(s, &len));
	assert_int_equal(len, 0);
}

static void assert_tag(const ros_sentence *s, const char *tag)
{
	size_t len = 0;
	const char *t = ros_sentence_tag(s, &len);

	assert_non_null(t);
	assert_int_equal(len, strlen(tag));
	assert_memory_equal(t, tag, len);
}

/* Parses a stream that must yield exactly one sentence without error. */
static ros_sentence *parse_one(const struct bytes *b)
{
	struct parsed r;
	ros_sentence *s;

	parse_whole(b, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n, 1);
	s = r.s[0];
	r.n = 0;
	parsed_free(&r);
	return s;
}

/* Parses a stream that must fail; returns the status. */
static long parse_fails(const struct bytes *b, size_t max_word, size_t max_sentence)
{
	struct chunker ch = {.mode = CHUNK_ALL};
	struct parsed r;
	long st;

	parse_all(b->d, b->n, max_word, max_sentence, &ch, &r);
	st = r.status;
	assert_true(st < 0);
	assert_non_null(r.err);
	assert_true(r.err[0] != '\0');
	parsed_free(&r);
	return st;
}

/* ------------------------------------------------------------------ */
/* Length prefixes                                                     */
/* ------------------------------------------------------------------ */

struct len_vector {
	uint32_t len;
	size_t size;
	unsigned char bytes[5];
};

static const struct len_vector vectors[] = {
        {0x0u, 1, {0x00}},
        {0x7Fu, 1, {0x7F}},
        {0x80u, 2, {0x80, 0x80}},
        {0x3FFFu, 2, {0xBF, 0xFF}},
        {0x4000u, 3, {0xC0, 0x40, 0x00}},
        {0x1FFFFFu, 3, {0xDF, 0xFF, 0xFF}},
        {0x200000u, 4, {0xE0, 0x20, 0x00, 0x00}},
        {0xFFFFFFFu, 4, {0xEF, 0xFF, 0xFF, 0xFF}},
        {0x10000000u, 5, {0xF0, 0x10, 0x00, 0x00, 0x00}},
        {0xFFFFFFFFu, 5, {0xF0, 0xFF, 0xFF, 0xFF, 0xFF}},
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

static void length_encode_matches_protocol_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVECTORS; i++) {
		unsigned char out[5] = {0xAA, 0xAA, 0xAA, 0xAA, 0xAA};
		size_t k = ros_length_encode(vectors[i].len, out);

		assert_int_equal(k, vectors[i].size);
		assert_memory_equal(out, vectors[i].bytes, k);
	}
}

static void length_decode_matches_protocol_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVECTORS; i++) {
		uint32_t len = 0xDEADBEEFu;
		int k = ros_length_decode(vectors[i].bytes, vectors[i].size, &len);

		assert_int_equal(k, (int)vectors[i].size);
		assert_int_equal(len, vectors[i].len);
	}
}

static void length_decode_ignores_bytes_after_the_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVECTORS; i++) {
		unsigned char buf[16];
		uint32_t len = 0;

		memset(buf, 0xF9, sizeof(buf));
		memcpy(buf, vectors[i].bytes, vectors[i].size);
		assert_int_equal(ros_length_decode(buf, sizeof(buf), &len), (int)vectors[i].size);
		assert_int_equal(len, vectors[i].len);
	}
}

static void length_encode_picks_the_smallest_prefix_at_every_boundary(void **state)
{
	static const struct {
		uint32_t len;
		size_t size;
	} cases[] = {
	        {1, 1},          {0x7E, 1},       {0x7F, 1},       {0x80, 2},       {0x81, 2},
	        {0x3FFE, 2},     {0x3FFF, 2},     {0x4000, 3},     {0x4001, 3},     {0x1FFFFE, 3},
	        {0x1FFFFF, 3},   {0x200000, 4},   {0x200001, 4},   {0xFFFFFFE, 4},  {0xFFFFFFF, 4},
	        {0x10000000, 5}, {0x10000001, 5}, {0xFFFFFFFE, 5}, {0xFFFFFFFF, 5},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char out[5], mine[5];
		uint32_t back = 0;
		size_t k = ros_length_encode(cases[i].len, out);

		assert_int_equal(k, cases[i].size);
		assert_int_equal(my_prefix(cases[i].len, mine), k);
		assert_memory_equal(out, mine, k);
		assert_int_equal(ros_length_decode(out, k, &back), (int)k);
		assert_int_equal(back, cases[i].len);
	}
}

static void length_round_trips_for_many_values(void **state)
{
	uint32_t seed = 0x12345678u;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		/* Spread values over every prefix size. */
		uint32_t v = rng_next(&seed) >> (rng_next(&seed) % 32);
		unsigned char out[5], mine[5];
		uint32_t back = ~v;
		size_t k = ros_length_encode(v, out);

		assert_int_equal(my_prefix(v, mine), k);
		assert_memory_equal(out, mine, k);
		assert_int_equal(ros_length_decode(out, k, &back), (int)k);
		assert_int_equal(back, v);
	}
}

static void length_decode_returns_zero_while_the_prefix_is_incomplete(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVECTORS; i++) {
		for (size_t avail = 0; avail < vectors[i].size; avail++) {
			uint32_t len = 0;

			assert_int_equal(ros_length_decode(vectors[i].bytes, avail, &len), 0);
		}
	}
}

static void decode_rejects_control_bytes_f1_to_ff(void **state)
{
	(void)state;
	for (unsigned b = 0xF1; b <= 0xFF; b++) {
		unsigned char buf[8] = {(unsigned char)b, 0, 0, 0, 1, 0, 0, 0};
		uint32_t len = 0;

		/* Known from the first byte alone, and with plenty of bytes. */
		assert_int_equal(ros_length_decode(buf, 1, &len), ROS_ERR_PROTOCOL);
		assert_int_equal(ros_length_decode(buf, sizeof(buf), &len), ROS_ERR_PROTOCOL);
	}
}

static void decode_accepts_f0_as_the_five_byte_form(void **state)
{
	static const unsigned char f0[] = {0xF0, 0x12, 0x34, 0x56, 0x78};
	uint32_t len = 0;

	(void)state;
	assert_int_equal(ros_length_decode(f0, sizeof(f0), &len), 5);
	assert_int_equal(len, 0x12345678u);
	for (size_t avail = 1; avail < sizeof(f0); avail++)
		assert_int_equal(ros_length_decode(f0, avail, &len), 0);
}

/* ------------------------------------------------------------------ */
/* Sentence encoding                                                   */
/* ------------------------------------------------------------------ */

static void buf_add_sentence_encodes_the_foo_bar_vector(void **state)
{
	static const unsigned char want[] = {0x03, 0x66, 0x6F, 0x6F, 0x03, 0x62, 0x61, 0x72, 0x00};
	const char *const words[] = {"foo", "bar"};
	struct ros_buf b = {0};

	(void)state;
	assert_int_equal(ros_buf_add_sentence(&b, words, 2), ROS_OK);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	assert_true(b.cap >= b.len);
	ros_buf_free(&b);
}

static void buf_add_sentence_gives_a_200_byte_word_a_two_byte_prefix(void **state)
{
	char word[201];
	const char *const words[] = {word};
	struct ros_buf b = {0};

	(void)state;
	memset(word, 'x', 200);
	word[200] = '\0';
	assert_int_equal(ros_buf_add_sentence(&b, words, 1), ROS_OK);
	assert_int_equal(b.len, 2 + 200 + 1);
	assert_int_equal(b.data[0], 0x80);
	assert_int_equal(b.data[1], 0xC8);
	assert_memory_equal(b.data + 2, word, 200);
	assert_int_equal(b.data[202], 0x00);
	ros_buf_free(&b);
}

static void buf_add_sentence_with_no_words_is_a_lone_zero(void **state)
{
	struct ros_buf b = {0};

	(void)state;
	assert_int_equal(ros_buf_add_sentence(&b, NULL, 0), ROS_OK);
	assert_int_equal(b.len, 1);
	assert_int_equal(b.data[0], 0x00);
	ros_buf_free(&b);
}

static void buf_add_word_keeps_nul_bytes_and_appends(void **state)
{
	static const unsigned char w1[] = {'a', 0x00, 0xFF, 'b'};
	static const unsigned char want[] = {0x04, 'a', 0x00, 0xFF, 'b', 0x00, 0x01, 'z'};
	struct ros_buf b = {0};

	(void)state;
	assert_int_equal(ros_buf_add_word(&b, w1, sizeof(w1)), ROS_OK);
	assert_int_equal(ros_buf_add_word(&b, "", 0), ROS_OK);
	assert_int_equal(ros_buf_add_word(&b, "z", 1), ROS_OK);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	ros_buf_free(&b);
}

static void buf_encoding_matches_an_independent_encoder(void **state)
{
	static const size_t sizes[] = {0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 70000, 0x200000};
	struct ros_buf b = {0};
	struct bytes mine = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *w = malloc(sizes[i] + 1);

		assert_non_null(w);
		for (size_t j = 0; j < sizes[i]; j++)
			w[j] = (unsigned char)(j ^ i);
		assert_int_equal(ros_buf_add_word(&b, w, sizes[i]), ROS_OK);
		b_word(&mine, w, sizes[i]);
		free(w);
	}
	assert_int_equal(b.len, mine.n);
	assert_memory_equal(b.data, mine.d, mine.n);
	ros_buf_free(&b);
	b_free(&mine);
}

static void buf_free_is_safe_on_a_zeroed_buffer(void **state)
{
	struct ros_buf b = {0};

	(void)state;
	ros_buf_free(&b);
	/* And usable again after a free. */
	assert_int_equal(ros_buf_add_word(&b, "ab", 2), ROS_OK);
	assert_int_equal(b.len, 3);
	ros_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Parser: reply kinds                                                 */
/* ------------------------------------------------------------------ */

static void parser_reads_re_with_attributes(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!re", "=.id=*1", "=name=ether1", "=rx-byte=468259100207", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_RE);
	assert_int_equal(ros_sentence_word_count(s), 4);
	assert_word(s, 0, "!re", 3);
	assert_word(s, 2, "=name=ether1", 12);
	assert_int_equal(ros_sentence_attr_count(s), 3);
	assert_attr(s, 0, ".id", "*1", 2);
	assert_attr(s, 1, "name", "ether1", 6);
	assert_attr(s, 2, "rx-byte", "468259100207", 12);
	assert_get(s, "rx-byte", "468259100207", 12);
	assert_get(s, ".id", "*1", 2);
	assert_null(ros_sentence_get(s, "tx-byte", &(size_t){0}));
	assert_untagged(s);
	assert_null(ros_sentence_fatal_reason(s, &(size_t){0}));
	ros_sentence_free(s);
	b_free(&b);
}

static void parser_reads_re_without_attributes(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!re", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_RE);
	assert_int_equal(ros_sentence_word_count(s), 1);
	assert_int_equal(ros_sentence_attr_count(s), 0);
	assert_null(ros_sentence_get(s, "name", &(size_t){0}));
	ros_sentence_free(s);
	b_free(&b);
}

static void parser_reads_done(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!done", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_DONE);
	assert_int_equal(ros_sentence_word_count(s), 1);
	assert_word(s, 0, "!done", 5);
	assert_int_equal(ros_sentence_attr_count(s), 0);
	assert_null(ros_sentence_get(s, "ret", &(size_t){0}));
	assert_untagged(s);
	ros_sentence_free(s);
	b_free(&b);
}

static void parser_reads_done_with_ret(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!done", "=ret=abc", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_DONE);
	assert_int_equal(ros_sentence_attr_count(s), 1);
	assert_attr(s, 0, "ret", "abc", 3);
	assert_get(s, "ret", "abc", 3);
	ros_sentence_free(s);
	b_free(&b);
}

static void parser_reads_trap_with_category_and_message(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!trap", "=category=2", "=message=interrupted", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_TRAP);
	assert_int_equal(ros_sentence_attr_count(s), 2);
	assert_get(s, "category", "2", 1);
	assert_get(s, "message", "interrupted", 11);
	assert_null(ros_sentence_fatal_reason(s, &(size_t){0}));
	ros_sentence_free(s);
	b_free(&b);
}

static void parser_reads_fatal_and_its_bare_reason(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;
	const char *reason;
	size_t len = 0;

	(void)state;
	b_sentence(&b, "!fatal", "session terminated on request", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_FATAL);
	assert_int_equal(ros_sentence_word_count(s), 2);
	assert_int_equal(ros_sentence_attr_count(s), 0);
	reason = ros_sentence_fatal_reason(s, &len);
	assert_non_null(reason);
	assert_int_equal(len, strlen("session terminated on request"));
	assert_memory_equal(reason, "session terminated on request", len);
	ros_sentence_free(s);
	b_free(&b);
}

static void fatal_reason_is_empty_when_fatal_has_no_reason(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;
	const char *reason;
	size_t len = 77;

	(void)state;
	b_sentence(&b, "!fatal", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_FATAL);
	reason = ros_sentence_fatal_reason(s, &len);
	assert_non_null(reason);
	assert_int_equal(len, 0);
	assert_string_equal(reason, "");
	ros_sentence_free(s);
	b_free(&b);
}

static void fatal_reason_is_null_for_other_reply_kinds(void **state)
{
	static const char *const kinds[] = {"!re", "!done", "!trap", "!empty"};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct bytes b = {0};
		ros_sentence *s;

		b_sentence(&b, kinds[i], "=message=x", NULL);
		s = parse_one(&b);
		assert_null(ros_sentence_fatal_reason(s, &(size_t){0}));
		ros_sentence_free(s);
		b_free(&b);
	}
}

static void parser_reads_empty(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!empty", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_EMPTY);
	assert_int_equal(ros_sentence_word_count(s), 1);
	assert_int_equal(ros_sentence_attr_count(s), 0);
	ros_sentence_free(s);
	b_free(&b);
}

static void parser_reads_a_whole_conversation_in_order(void **state)
{
	static const enum ros_reply_type want[] = {ROS_REPLY_RE,    ROS_REPLY_RE,   ROS_REPLY_DONE,
	                                           ROS_REPLY_EMPTY, ROS_REPLY_DONE, ROS_REPLY_TRAP,
	                                           ROS_REPLY_DONE,  ROS_REPLY_FATAL};
	struct bytes b = {0};
	struct parsed r;

	(void)state;
	b_sentence(&b, "!re", "=name=ether1", NULL);
	b_sentence(&b, "!re", "=name=ether2", NULL);
	b_sentence(&b, "!done", NULL);
	b_sentence(&b, "!empty", NULL);
	b_sentence(&b, "!done", NULL);
	b_sentence(&b, "!trap", "=message=no such command", NULL);
	b_sentence(&b, "!done", NULL);
	b_sentence(&b, "!fatal", "not logged in", NULL);
	parse_whole(&b, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.consumed, b.n);
	assert_int_equal(r.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(ros_sentence_type(r.s[i]), want[i]);
	assert_get(r.s[1], "name", "ether2", 6);
	parsed_free(&r);
	b_free(&b);
}

static void sentence_type_and_reply_type_name_agree(void **state)
{
	static const struct {
		const char *word;
		enum ros_reply_type type;
		const char *name;
	} kinds[] = {
	        {"!re", ROS_REPLY_RE, "re"},          {"!done", ROS_REPLY_DONE, "done"},
	        {"!trap", ROS_REPLY_TRAP, "trap"},    {"!fatal", ROS_REPLY_FATAL, "fatal"},
	        {"!empty", ROS_REPLY_EMPTY, "empty"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct bytes b = {0};
		ros_sentence *s;

		b_sentence(&b, kinds[i].word, NULL);
		s = parse_one(&b);
		assert_int_equal(ros_sentence_type(s), kinds[i].type);
		assert_string_equal(ros_reply_type_name(ros_sentence_type(s)), kinds[i].name);
		assert_string_equal(ros_reply_type_name(kinds[i].type), kinds[i].name);
		ros_sentence_free(s);
		b_free(&b);
	}
}

/* ------------------------------------------------------------------ */
/* Parser: malformed streams                                           */
/* ------------------------------------------------------------------ */

static void parser_skips_empty_sentences(void **state)
{
	struct bytes b = {0};
	struct parsed r;

	(void)state;
	b_end(&b);
	b_end(&b);
	b_sentence(&b, "!done", NULL);
	b_end(&b);
	b_sentence(&b, "!re", NULL);
	b_end(&b);
	b_end(&b);
	parse_whole(&b, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.consumed, b.n);
	assert_int_equal(r.n, 2);
	assert_int_equal(ros_sentence_type(r.s[0]), ROS_REPLY_DONE);
	assert_int_equal(ros_sentence_type(r.s[1]), ROS_REPLY_RE);
	parsed_free(&r);
	b_free(&b);
}

static void parser_consumes_lone_empty_sentences_and_takes_nothing(void **state)
{
	static const unsigned char zeros[] = {0, 0, 0, 0};
	ros_parser *p = ros_parser_new(0, 0);
	long n;

	(void)state;
	assert_non_null(p);
	n = ros_parser_feed(p, zeros, sizeof(zeros));
	assert_int_equal(n, (long)sizeof(zeros));
	assert_null(ros_parser_take(p));
	ros_parser_free(p);
}

static void parser_rejects_an_unknown_reply_word(void **state)
{
	static const char *const bad[] = {"!foo", "!", "!res", "!don", "!re ", "!Done"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bytes b = {0};

		b_sentence(&b, bad[i], "=message=x", NULL);
		assert_int_equal(parse_fails(&b, 0, 0), ROS_ERR_PROTOCOL);
		b_free(&b);
	}
}

static void parser_rejects_a_sentence_without_a_reply_word(void **state)
{
	static const char *const bad[] = {"=name=ether1", "re", "/interface/print", ".tag=1",
	                                  "done"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bytes b = {0};

		b_sentence(&b, bad[i], "!done", NULL);
		assert_int_equal(parse_fails(&b, 0, 0), ROS_ERR_PROTOCOL);
		b_free(&b);
	}
}

static void parser_rejects_an_empty_first_word_followed_by_words(void **state)
{
	/* 00 ends an (empty) sentence; what follows must start a new one, so
	 * "=a=b" here is a sentence without a reply word. */
	struct bytes b = {0};

	(void)state;
	b_end(&b);
	b_sentence(&b, "=a=b", NULL);
	assert_int_equal(parse_fails(&b, 0, 0), ROS_ERR_PROTOCOL);
	b_free(&b);
}

static void parser_rejects_every_control_byte_as_a_word_prefix(void **state)
{
	(void)state;
	for (unsigned c = 0xF1; c <= 0xFF; c++) {
		struct bytes first = {0}, later = {0};
		unsigned char cb = (unsigned char)c;
		unsigned char pad[4] = {0, 0, 0, 1};

		/* As the very first byte. */
		b_put(&first, &cb, 1);
		b_put(&first, pad, sizeof(pad));
		assert_int_equal(parse_fails(&first, 0, 0), ROS_ERR_PROTOCOL);
		/* After a reply word, and after a complete sentence. */
		b_sentence(&later, "!done", NULL);
		b_str(&later, "!re");
		b_put(&later, &cb, 1);
		b_put(&later, pad, sizeof(pad));
		assert_int_equal(parse_fails(&later, 0, 0), ROS_ERR_PROTOCOL);
		b_free(&first);
		b_free(&later);
	}
}

static void parser_error_is_non_empty_after_an_error(void **state)
{
	static const unsigned char bad[] = {0x04, '!', 'f', 'o', 'o', 0x00};
	ros_parser *p = ros_parser_new(0, 0);
	long n = 0;
	size_t off = 0;
	const char *e;

	(void)state;
	assert_non_null(p);
	while (off < sizeof(bad) && (n = ros_parser_feed(p, bad + off, sizeof(bad) - off)) > 0)
		off += (size_t)n;
	assert_int_equal(n, ROS_ERR_PROTOCOL);
	e = ros_parser_error(p);
	assert_non_null(e);
	assert_true(strlen(e) > 0);
	assert_null(ros_parser_take(p));
	ros_parser_free(p);
}

/* ------------------------------------------------------------------ */
/* Parser: attributes                                                  */
/* ------------------------------------------------------------------ */

static void attribute_splits_at_the_second_equals_sign(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!re", "=comment=a=b=c", "=x==", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_attr_count(s), 2);
	assert_attr(s, 0, "comment", "a=b=c", 5);
	assert_get(s, "comment", "a=b=c", 5);
	assert_attr(s, 1, "x", "=", 1);
	ros_sentence_free(s);
	b_free(&b);
}

static void attribute_with_an_empty_key_keeps_its_value(void **state)
{
	/* "==x": the header does not forbid an empty key; the sane reading
	 * of "split at the second =" is key "" and value "x". */
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!re", "==x", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_attr_count(s), 1);
	assert_attr(s, 0, "", "x", 1);
	assert_get(s, "", "x", 1);
	ros_sentence_free(s);
	b_free(&b);
}

static void empty_value_is_present_and_distinct_from_missing(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;
	size_t len = 0;

	(void)state;
	b_sentence(&b, "!re", "=comment=", "=name=x", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_attr_count(s), 2);
	assert_attr(s, 0, "comment", "", 0);
	assert_get(s, "comment", "", 0);
	assert_null(ros_sentence_get(s, "missing", &len));
	/* Prefixes of a present key are not matches. */
	assert_null(ros_sentence_get(s, "comm", &len));
	assert_null(ros_sentence_get(s, "commentx", &len));
	assert_null(ros_sentence_get(s, "Name", &len));
	ros_sentence_free(s);
	b_free(&b);
}

static void duplicate_keys_get_returns_the_first_and_attr_at_sees_both(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!re", "=name=first", "=other=1", "=name=second", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_attr_count(s), 3);
	assert_get(s, "name", "first", 5);
	assert_attr(s, 0, "name", "first", 5);
	assert_attr(s, 1, "other", "1", 1);
	assert_attr(s, 2, "name", "second", 6);
	ros_sentence_free(s);
	b_free(&b);
}

static void values_keep_non_utf8_and_nul_bytes_exactly(void **state)
{
	static const unsigned char word[] = {'=',  'c',  'o',  'm',  'm', 'e',  'n',  't', '=',
	                                     0xE4, 0x00, 0xFF, 0x80, 'a', 0x00, 0xC3, 0x28};
	static const unsigned char *const val = word + 9;
	const size_t vlen = sizeof(word) - 9;
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_str(&b, "!re");
	b_word(&b, word, sizeof(word));
	b_str(&b, "=name=\xC4ther \xFE");
	b_end(&b);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_word_count(s), 3);
	assert_word(s, 1, word, sizeof(word));
	assert_attr(s, 0, "comment", val, vlen);
	assert_get(s, "comment", val, vlen);
	assert_get(s, "name", "\xC4ther \xFE", 7);
	ros_sentence_free(s);
	b_free(&b);
}

static void words_are_followed_by_a_nul_byte(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!trap", "=message=failure: x", ".tag=9", "=category=0", NULL);
	s = parse_one(&b);
	assert_int_equal(ros_sentence_word_count(s), 4);
	assert_word(s, 0, "!trap", 5);
	assert_word(s, 1, "=message=failure: x", 19);
	assert_word(s, 2, ".tag=9", 6);
	assert_word(s, 3, "=category=0", 11);
	ros_sentence_free(s);
	b_free(&b);
}

/* ------------------------------------------------------------------ */
/* Parser: tags                                                        */
/* ------------------------------------------------------------------ */

static void tag_is_recognised_at_any_position_and_is_not_an_attribute(void **state)
{
	(void)state;
	for (int pos = 0; pos < 3; pos++) {
		struct bytes b = {0};
		ros_sentence *s;

		b_str(&b, "!re");
		if (pos == 0)
			b_str(&b, ".tag=42");
		b_str(&b, "=name=ether1");
		if (pos == 1)
			b_str(&b, ".tag=42");
		b_str(&b, "=rx-byte=5");
		if (pos == 2)
			b_str(&b, ".tag=42");
		b_end(&b);
		s = parse_one(&b);
		assert_int_equal(ros_sentence_word_count(s), 4);
		assert_word(s, (size_t)pos + 1, ".tag=42", 7);
		assert_tag(s, "42");
		assert_int_equal(ros_sentence_attr_count(s), 2);
		assert_attr(s, 0, "name", "ether1", 6);
		assert_attr(s, 1, "rx-byte", "5", 1);
		assert_null(ros_sentence_get(s, ".tag", &(size_t){0}));
		ros_sentence_free(s);
		b_free(&b);
	}
}

static void tag_is_read_on_every_reply_kind(void **state)
{
	static const char *const kinds[] = {"!re", "!done", "!trap", "!empty"};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct bytes b = {0};
		ros_sentence *s;

		b_sentence(&b, kinds[i], ".tag=abc", NULL);
		s = parse_one(&b);
		assert_tag(s, "abc");
		assert_int_equal(ros_sentence_attr_count(s), 0);
		ros_sentence_free(s);
		b_free(&b);
	}
}

static void tag_value_may_contain_equals(void **state)
{
	struct bytes b = {0};
	ros_sentence *s;

	(void)state;
	b_sentence(&b, "!done", ".tag=a=b", NULL);
	s = parse_one(&b);
	assert_tag(s, "a=b");
	ros_sentence_free(s);
	b_free(&b);
}

/* ------------------------------------------------------------------ */
/* Parser: fragmentation                                               */
/* ------------------------------------------------------------------ */

/* A stream with every reply kind, tags, edge attributes and 1-, 2- and
 * 3-byte prefixes. */
static void build_mixed_stream(struct bytes *b, int with_long_word)
{
	static const unsigned char raw[] = {'=', 'v', '=', 0x00, 0xFF, 0x00, 'q'};

	b_end(b);
	b_sentence(b, "!re", ".tag=1", "=.id=*1", "=name=ether 1", "=rx-byte=468259100207", NULL);
	b_str(b, "!re");
	b_str(b, "=comment=a=b=c");
	b_word(b, raw, sizeof(raw));
	b_long_word(b, "=long=", 200);
	b_str(b, ".tag=1");
	b_end(b);
	if (with_long_word) {
		b_str(b, "!re");
		b_long_word(b, "=huge=", 0x4000 + 17);
		b_end(b);
	}
	b_sentence(b, "!done", ".tag=1", NULL);
	b_end(b);
	b_sentence(b, "!empty", ".tag=2", NULL);
	b_sentence(b, "!done", "=ret=abc", ".tag=2", NULL);
	b_sentence(b, "!trap", "=category=2", ".tag=3", "=message=interrupted", NULL);
	b_sentence(b, "!done", ".tag=3", NULL);
	b_sentence(b, "!re", "=comment=", "=dup=1", "=dup=2", NULL);
	b_sentence(b, "!fatal", "session terminated on request", NULL);
}

static void feeding_one_byte_at_a_time_gives_the_same_result(void **state)
{
	struct bytes b = {0};
	struct parsed whole, bytewise;
	struct chunker one = {.mode = CHUNK_FIXED, .size = 1};

	(void)state;
	build_mixed_stream(&b, 1);
	parse_whole(&b, &whole);
	assert_int_equal(whole.status, 0);
	assert_int_equal(whole.n, 10);
	parse_all(b.d, b.n, 0, 0, &one, &bytewise);
	assert_same_parse(&whole, &bytewise);
	parsed_free(&whole);
	parsed_free(&bytewise);
	b_free(&b);
}

static void feeding_random_chunks_gives_the_same_result(void **state)
{
	struct bytes b = {0};
	struct parsed whole;
	uint32_t seed = 20240611u;

	(void)state;
	build_mixed_stream(&b, 1);
	parse_whole(&b, &whole);
	assert_int_equal(whole.status, 0);
	for (int it = 0; it < 300; it++) {
		static const size_t maxes[] = {2, 3, 7, 16, 100, 1000, 20000};
		struct chunker ch = {.mode = CHUNK_RANDOM};
		struct parsed r;

		ch.size = maxes[rng_next(&seed) % (sizeof(maxes) / sizeof(maxes[0]))];
		ch.seed = rng_next(&seed) | 1u;
		parse_all(b.d, b.n, 0, 0, &ch, &r);
		assert_same_parse(&whole, &r);
		parsed_free(&r);
	}
	parsed_free(&whole);
	b_free(&b);
}

static void feeding_in_two_parts_split_anywhere_gives_the_same_result(void **state)
{
	struct bytes b = {0};
	struct parsed whole;

	(void)state;
	build_mixed_stream(&b, 0);
	parse_whole(&b, &whole);
	assert_int_equal(whole.status, 0);
	for (size_t split = 1; split < b.n; split++) {
		struct chunker ch = {.mode = CHUNK_SPLIT, .size = split};
		struct parsed r;

		parse_all(b.d, b.n, 0, 0, &ch, &r);
		assert_same_parse(&whole, &r);
		parsed_free(&r);
	}
	parsed_free(&whole);
	b_free(&b);
}

static void a_length_prefix_split_across_feeds_is_reassembled(void **state)
{
	/* Words with 2-, 3- and 4-byte prefixes, split inside each prefix. */
	static const size_t sizes[] = {0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct bytes b = {0};
		struct parsed whole;
		unsigned char pre[5];
		size_t plen = my_prefix((uint32_t)sizes[i], pre);
		size_t start;

		b_str(&b, "!re");
		start = b.n;
		b_long_word(&b, "=w=", sizes[i]);
		b_str(&b, ".tag=t");
		b_end(&b);
		assert_memory_equal(b.d + start, pre, plen);
		parse_all(b.d, b.n, 4u << 20, 0, &(struct chunker){.mode = CHUNK_ALL}, &whole);
		assert_int_equal(whole.status, 0);
		assert_int_equal(whole.n, 1);
		assert_int_equal(ros_sentence_attr_count(whole.s[0]), 1);
		for (size_t k = 1; k < plen; k++) {
			struct chunker ch = {.mode = CHUNK_SPLIT, .size = start + k};
			struct parsed r;

			parse_all(b.d, b.n, 4u << 20, 0, &ch, &r);
			assert_same_parse(&whole, &r);
			parsed_free(&r);
		}
		parsed_free(&whole);
		b_free(&b);
	}
}

static void feed_stops_after_a_complete_sentence(void **state)
{
	struct bytes b = {0};
	ros_parser *p = ros_parser_new(0, 0);
	ros_sentence *s;
	size_t first;
	long n;

	(void)state;
	assert_non_null(p);
	b_sentence(&b, "!re", "=name=a", NULL);
	first = b.n;
	b_sentence(&b, "!done", NULL);

	assert_null(ros_parser_take(p));
	n = ros_parser_feed(p, b.d, b.n);
	assert_int_equal(n, (long)first);
	s = ros_parser_take(p);
	assert_non_null(s);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_RE);
	assert_get(s, "name", "a", 1);
	ros_sentence_free(s);
	assert_null(ros_parser_take(p));

	n = ros_parser_feed(p, b.d + first, b.n - first);
	assert_int_equal(n, (long)(b.n - first));
	s = ros_parser_take(p);
	assert_non_null(s);
	assert_int_equal(ros_sentence_type(s), ROS_REPLY_DONE);
	ros_sentence_free(s);
	assert_null(ros_parser_take(p));

	ros_parser_free(p);
	b_free(&b);
}

static void take_returns_null_until_the_terminating_zero_arrives(void **state)
{
	struct bytes b = {0};
	ros_parser *p = ros_parser_new(0, 0);
	ros_sentence *s;

	(void)state;
	assert_non_null(p);
	b_sentence(&b, "!done", "=ret=abc", NULL);
	assert_int_equal(ros_parser_feed(p, b.d, b.n - 1), (long)(b.n - 1));
	assert_null(ros_parser_take(p));
	assert_int_equal(ros_parser_feed(p, b.d + b.n - 1, 1), 1);
	s = ros_parser_take(p);
	assert_non_null(s);
	assert_get(s, "ret", "abc", 3);
	ros_sentence_free(s);
	ros_parser_free(p);
	b_free(&b);
}

static void freeing_a_parser_with_a_partial_sentence_does_not_leak(void **state)
{
	struct bytes b = {0};
	ros_parser *p = ros_parser_new(0, 0);

	(void)state;
	assert_non_null(p);
	b_str(&b, "!re");
	b_long_word(&b, "=comment=", 5000);
	/* Stop in the middle of the second word's bytes. */
	assert_int_equal(ros_parser_feed(p, b.d, b.n - 100), (long)(b.n - 100));
	assert_null(ros_parser_take(p));
	ros_parser_free(p);
	b_free(&b);
}

static void free_functions_accept_null(void **state)
{
	ros_parser *p;

	(void)state;
	ros_parser_free(NULL);
	ros_sentence_free(NULL);
	p = ros_parser_new(0, 0);
	assert_non_null(p);
	ros_parser_free(p);
}

/* ------------------------------------------------------------------ */
/* Parser: size caps                                                   */
/* ------------------------------------------------------------------ */

/* Feeds d one byte at a time; returns the index of the byte whose feed
 * failed, or n if none did; *st receives the status. */
static size_t feed_bytewise_until_error(ros_parser *p, const unsigned char *d, size_t n, long *st)
{
	for (size_t i = 0; i < n; i++) {
		long r = ros_parser_feed(p, d + i, 1);
		ros_sentence *s;

		if (r < 0) {
			*st = r;
			return i;
		}
		assert_int_equal(r, 1);
		while ((s = ros_parser_take(p)) != NULL)
			ros_sentence_free(s);
	}
	*st = 0;
	return n;
}

static void max_word_rejects_a_huge_prefix_before_the_word_arrives(void **state)
{
	static const unsigned char huge[] = {0xF0, 0x10, 0x00, 0x00, 0x00};

	(void)state;
	for (int after_reply_word = 0; after_reply_word < 2; after_reply_word++) {
		ros_parser *p = ros_parser_new(1024 * 1024, 0);
		struct bytes b = {0};
		size_t at;
		long st = 0;

		assert_non_null(p);
		if (after_reply_word)
			b_str(&b, "!re");
		b_put(&b, huge, sizeof(huge));
		at = feed_bytewise_until_error(p, b.d, b.n, &st);
		/* Only the prefix was fed, and it was enough to refuse. */
		assert_int_equal(st, ROS_ERR_TOO_BIG);
		assert_true(at < b.n);
		assert_true(strlen(ros_parser_error(p)) > 0);
		ros_parser_free(p);
		b_free(&b);
	}
}

static void max_word_rejects_0xffffffff_with_the_default_cap(void **state)
{
	static const unsigned char huge[] = {0x03, '!', 'r', 'e', 0xF0, 0xFF, 0xFF, 0xFF, 0xFF};
	ros_parser *p = ros_parser_new(0, 0);
	long st = 0;

	(void)state;
	assert_non_null(p);
	assert_true(feed_bytewise_until_error(p, huge, sizeof(huge), &st) < sizeof(huge));
	assert_int_equal(st, ROS_ERR_TOO_BIG);
	ros_parser_free(p);
}

static void max_word_accepts_a_word_of_exactly_the_cap(void **state)
{
	struct bytes ok = {0}, big = {0};
	struct parsed r;
	ros_sentence *s;
	struct ros_word w;

	(void)state;
	b_str(&ok, "!re");
	b_long_word(&ok, "=w=", 100);
	b_end(&ok);
	parse_all(ok.d, ok.n, 100, 0, &(struct chunker){.mode = CHUNK_ALL}, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n, 1);
	s = r.s[0];
	w = ros_sentence_word(s, 1);
	assert_int_equal(w.len, 100);
	parsed_free(&r);

	b_str(&big, "!re");
	b_long_word(&big, "=w=", 101);
	b_end(&big);
	assert_int_equal(parse_fails(&big, 100, 0), ROS_ERR_TOO_BIG);
	b_free(&ok);
	b_free(&big);
}

static void max_word_zero_means_the_one_mebibyte_default(void **state)
{
	struct bytes ok = {0};
	struct parsed r;
	unsigned char pre[5];
	size_t plen;
	ros_parser *p;
	long st = 0;

	(void)state;
	b_str(&ok, "!re");
	b_long_word(&ok, "=w=", ROS_DEFAULT_MAX_WORD);
	b_end(&ok);
	parse_all(ok.d, ok.n, 0, 0, &(struct chunker){.mode = CHUNK_FIXED, .size = 65536}, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(ros_sentence_word(r.s[0], 1).len, ROS_DEFAULT_MAX_WORD);
	parsed_free(&r);
	b_free(&ok);

	/* One byte more: refused from the prefix alone. */
	plen = my_prefix(ROS_DEFAULT_MAX_WORD + 1, pre);
	p = ros_parser_new(0, 0);
	assert_non_null(p);
	assert_int_equal(ros_parser_feed(p, "\x03!re", 4), 4);
	assert_true(feed_bytewise_until_error(p, pre, plen, &st) < plen);
	assert_int_equal(st, ROS_ERR_TOO_BIG);
	ros_parser_free(p);
}

static void max_sentence_is_enforced(void **state)
{
	struct bytes b = {0};
	struct parsed r;
	size_t third;
	ros_parser *p;
	long st = 0;

	(void)state;
	/* About 810 bytes: under a 1000-byte cap. */
	b_str(&b, "!re");
	b_long_word(&b, "=a=", 400);
	b_long_word(&b, "=b=", 400);
	b_end(&b);
	parse_all(b.d, b.n, 0, 1000, &(struct chunker){.mode = CHUNK_ALL}, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n, 1);
	parsed_free(&r);

	/* A second sentence of about 1210 bytes: over it. The cap is per
	 * sentence, so the first one is still accepted. */
	b_str(&b, "!re");
	b_long_word(&b, "=a=", 400);
	b_long_word(&b, "=b=", 400);
	third = b.n;
	b_long_word(&b, "=c=", 400);
	b_end(&b);
	parse_all(b.d, b.n, 0, 1000, &(struct chunker){.mode = CHUNK_ALL}, &r);
	assert_int_equal(r.status, ROS_ERR_TOO_BIG);
	assert_int_equal(r.n, 1);
	assert_true(strlen(r.err) > 0);
	parsed_free(&r);

	/* Refused from the third word's prefix, before its bytes arrive. */
	p = ros_parser_new(0, 1000);
	assert_non_null(p);
	assert_true(feed_bytewise_until_error(p, b.d, third + 2, &st) < third + 2);
	assert_int_equal(st, ROS_ERR_TOO_BIG);
	ros_parser_free(p);
	b_free(&b);
}

static void parser_treats_f0_as_a_length_not_a_control_byte(void **state)
{
	/* A valid 5-byte prefix over the cap is TOO_BIG, not PROTOCOL. */
	static const unsigned char f0[] = {0x03, '!', 'r', 'e', 0xF0, 0x10, 0x00, 0x00, 0x01};
	ros_parser *p = ros_parser_new(4096, 0);
	long st = 0;

	(void)state;
	assert_non_null(p);
	feed_bytewise_until_error(p, f0, sizeof(f0), &st);
	assert_int_equal(st, ROS_ERR_TOO_BIG);
	ros_parser_free(p);
}

static void long_words_round_trip(void **state)
{
	static const size_t sizes[] = {70000, 3u * 1024u * 1024u};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct bytes mine = {0};
		struct ros_buf lib = {0};
		unsigned char *word = malloc(sizes[i]);
		struct parsed r;
		struct ros_word w;

		assert_non_null(word);
		memcpy(word, "=comment=", 9);
		for (size_t j = 9; j < sizes[i]; j++)
			word[j] = (unsigned char)(j * 31u + i);
		/* Both encoders agree. */
		b_str(&mine, "!re");
		b_word(&mine, word, sizes[i]);
		b_str(&mine, ".tag=big");
		b_end(&mine);
		assert_int_equal(ros_buf_add_word(&lib, "!re", 3), ROS_OK);
		assert_int_equal(ros_buf_add_word(&lib, word, sizes[i]), ROS_OK);
		assert_int_equal(ros_buf_add_word(&lib, ".tag=big", 8), ROS_OK);
		assert_int_equal(ros_buf_add_word(&lib, "", 0), ROS_OK);
		assert_int_equal(lib.len, mine.n);
		assert_memory_equal(lib.data, mine.d, mine.n);

		parse_all(lib.data, lib.len, 4u << 20, 0,
		          &(struct chunker){.mode = CHUNK_RANDOM, .size = 100000, .seed = 7}, &r);
		assert_int_equal(r.status, 0);
		assert_int_equal(r.n, 1);
		w = ros_sentence_word(r.s[0], 1);
		assert_int_equal(w.len, sizes[i]);
		assert_memory_equal(w.data, word, sizes[i]);
		assert_get(r.s[0], "comment", word + 9, sizes[i] - 9);
		assert_tag(r.s[0], "big");
		parsed_free(&r);
		ros_buf_free(&lib);
		b_free(&mine);
		free(word);
	}
}

/* ------------------------------------------------------------------ */
/* Status names                                                        */
/* ------------------------------------------------------------------ */

static void status_name_is_distinct_and_non_empty_for_every_status(void **state)
{
	static const int all[] = {
	        ROS_OK,
	        ROS_AGAIN,
	        ROS_ERR_NOMEM,
	        ROS_ERR_ARG,
	        ROS_ERR_STATE,
	        ROS_ERR_RESOLVE,
	        ROS_ERR_REFUSED,
	        ROS_ERR_TIMEOUT,
	        ROS_ERR_IO,
	        ROS_ERR_CLOSED,
	        ROS_ERR_TLS,
	        ROS_ERR_TLS_VERIFY,
	        ROS_ERR_TLS_FINGERPRINT,
	        ROS_ERR_AUTH,
	        ROS_ERR_POLICY,
	        ROS_ERR_PROTOCOL,
	        ROS_ERR_FATAL,
	        ROS_ERR_TRAP,
	        ROS_ERR_TOO_BIG,
	};
	const size_t n = sizeof(all) / sizeof(all[0]);

	(void)state;
	assert_int_equal(n, 19);
	for (size_t i = 0; i < n; i++) {
		const char *a = ros_status_name(all[i]);

		assert_non_null(a);
		assert_true(strlen(a) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(a, ros_status_name(all[j]));
	}
	assert_string_equal(ros_status_name(ROS_ERR_TIMEOUT), "timeout");
}

static void status_name_is_never_null_for_unknown_values(void **state)
{
	(void)state;
	assert_non_null(ros_status_name(12345));
	assert_non_null(ros_status_name(-12345));
	assert_non_null(ros_status_name(ROS_ERR_TOO_BIG - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(length_encode_matches_protocol_vectors),
	        cmocka_unit_test(length_decode_matches_protocol_vectors),
	        cmocka_unit_test(length_decode_ignores_bytes_after_the_prefix),
	        cmocka_unit_test(length_encode_picks_the_smallest_prefix_at_every_boundary),
	        cmocka_unit_test(length_round_trips_for_many_values),
	        cmocka_unit_test(length_decode_returns_zero_while_the_prefix_is_incomplete),
	        cmocka_unit_test(decode_rejects_control_bytes_f1_to_ff),
	        cmocka_unit_test(decode_accepts_f0_as_the_five_byte_form),
	        cmocka_unit_test(buf_add_sentence_encodes_the_foo_bar_vector),
	        cmocka_unit_test(buf_add_sentence_gives_a_200_byte_word_a_two_byte_prefix),
	        cmocka_unit_test(buf_add_sentence_with_no_words_is_a_lone_zero),
	        cmocka_unit_test(buf_add_word_keeps_nul_bytes_and_appends),
	        cmocka_unit_test(buf_encoding_matches_an_independent_encoder),
	        cmocka_unit_test(buf_free_is_safe_on_a_zeroed_buffer),
	        cmocka_unit_test(parser_reads_re_with_attributes),
	        cmocka_unit_test(parser_reads_re_without_attributes),
	        cmocka_unit_test(parser_reads_done),
	        cmocka_unit_test(parser_reads_done_with_ret),
	        cmocka_unit_test(parser_reads_trap_with_category_and_message),
	        cmocka_unit_test(parser_reads_fatal_and_its_bare_reason),
	        cmocka_unit_test(fatal_reason_is_empty_when_fatal_has_no_reason),
	        cmocka_unit_test(fatal_reason_is_null_for_other_reply_kinds),
	        cmocka_unit_test(parser_reads_empty),
	        cmocka_unit_test(parser_reads_a_whole_conversation_in_order),
	        cmocka_unit_test(sentence_type_and_reply_type_name_agree),
	        cmocka_unit_test(parser_skips_empty_sentences),
	        cmocka_unit_test(parser_consumes_lone_empty_sentences_and_takes_nothing),
	        cmocka_unit_test(parser_rejects_an_unknown_reply_word),
	        cmocka_unit_test(parser_rejects_a_sentence_without_a_reply_word),
	        cmocka_unit_test(parser_rejects_an_empty_first_word_followed_by_words),
	        cmocka_unit_test(parser_rejects_every_control_byte_as_a_word_prefix),
	        cmocka_unit_test(parser_error_is_non_empty_after_an_error),
	        cmocka_unit_test(attribute_splits_at_the_second_equals_sign),
	        cmocka_unit_test(attribute_with_an_empty_key_keeps_its_value),
	        cmocka_unit_test(empty_value_is_present_and_distinct_from_missing),
	        cmocka_unit_test(duplicate_keys_get_returns_the_first_and_attr_at_sees_both),
	        cmocka_unit_test(values_keep_non_utf8_and_nul_bytes_exactly),
	        cmocka_unit_test(words_are_followed_by_a_nul_byte),
	        cmocka_unit_test(tag_is_recognised_at_any_position_and_is_not_an_attribute),
	        cmocka_unit_test(tag_is_read_on_every_reply_kind),
	        cmocka_unit_test(tag_value_may_contain_equals),
	        cmocka_unit_test(feeding_one_byte_at_a_time_gives_the_same_result),
	        cmocka_unit_test(feeding_random_chunks_gives_the_same_result),
	        cmocka_unit_test(feeding_in_two_parts_split_anywhere_gives_the_same_result),
	        cmocka_unit_test(a_length_prefix_split_across_feeds_is_reassembled),
	        cmocka_unit_test(feed_stops_after_a_complete_sentence),
	        cmocka_unit_test(take_returns_null_until_the_terminating_zero_arrives),
	        cmocka_unit_test(freeing_a_parser_with_a_partial_sentence_does_not_leak),
	        cmocka_unit_test(free_functions_accept_null),
	        cmocka_unit_test(max_word_rejects_a_huge_prefix_before_the_word_arrives),
	        cmocka_unit_test(max_word_rejects_0xffffffff_with_the_default_cap),
	        cmocka_unit_test(max_word_accepts_a_word_of_exactly_the_cap),
	        cmocka_unit_test(max_word_zero_means_the_one_mebibyte_default),
	        cmocka_unit_test(max_sentence_is_enforced),
	        cmocka_unit_test(parser_treats_f0_as_a_length_not_a_control_byte),
	        cmocka_unit_test(long_words_round_trip),
	        cmocka_unit_test(status_name_is_distinct_and_non_empty_for_every_status),
	        cmocka_unit_test(status_name_is_never_null_for_unknown_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
