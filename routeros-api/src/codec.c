/*
 * codec.c — length prefixes, words and sentences encoded into a buffer,
 * and the incremental reply parser.
 *
 * Pure: no I/O, no clock. The parser accepts bytes in chunks of any size
 * (one at a time included), enforces the word and sentence caps from the
 * length prefix before it allocates, and hands out classified sentences.
 */
#include "internal.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ros_length_encode(uint32_t len, unsigned char out[5])
{
	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	if (len < 0x4000) {
		out[0] = (unsigned char)((len >> 8) | 0x80);
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len < 0x200000) {
		out[0] = (unsigned char)((len >> 16) | 0xC0);
		out[1] = (unsigned char)(len >> 8);
		out[2] = (unsigned char)len;
		return 3;
	}
	if (len < 0x10000000) {
		out[0] = (unsigned char)((len >> 24) | 0xE0);
		out[1] = (unsigned char)(len >> 16);
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[0] = 0xF0;
	out[1] = (unsigned char)(len >> 24);
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	return 5;
}

/* Size of a prefix from its first byte, or 0 for a reserved control byte. */
static size_t prefix_size(unsigned char first)
{
	if (first < 0x80)
		return 1;
	if (first < 0xC0)
		return 2;
	if (first < 0xE0)
		return 3;
	if (first < 0xF0)
		return 4;
	if (first == 0xF0)
		return 5;
	return 0;
}

int ros_length_decode(const unsigned char *buf, size_t avail, uint32_t *len)
{
	if (avail == 0)
		return 0;
	size_t n = prefix_size(buf[0]);
	if (n == 0)
		return ROS_ERR_PROTOCOL;
	if (avail < n)
		return 0;
	uint32_t v;
	switch (n) {
	case 1: v = buf[0]; break;
	case 2: v = ((uint32_t)(buf[0] & 0x3F) << 8) | buf[1]; break;
	case 3: v = ((uint32_t)(buf[0] & 0x1F) << 16) | ((uint32_t)buf[1] << 8) | buf[2]; break;
	case 4:
		v = ((uint32_t)(buf[0] & 0x0F) << 24) | ((uint32_t)buf[1] << 16) |
		    ((uint32_t)buf[2] << 8) | buf[3];
		break;
	default:
		v = ((uint32_t)buf[1] << 24) | ((uint32_t)buf[2] << 16) | ((uint32_t)buf[3] << 8) |
		    buf[4];
		break;
	}
	*len = v;
	return (int)n;
}

/* ---- parser ---- */

struct ros_parser {
	size_t max_word;
	size_t max_sentence;
	unsigned char prefix[5];
	size_t prefix_have;
	bool in_word;    /* prefix complete, reading word bytes */
	size_t word_len; /* announced length of the current word */
	size_t word_have;
	struct ros_buf data; /* words of the sentence so far, each NUL-terminated */
	size_t *offsets;     /* start of each word in data */
	size_t nwords;
	size_t offsets_cap;
	ros_sentence *ready; /* completed sentence waiting for ros_parser_take */
	int failed;          /* the status of the error that stopped the parser */
	char error[160];
};

ros_parser *ros_parser_new(size_t max_word, size_t max_sentence)
{
	ros_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->max_word = max_word ? max_word : ROS_DEFAULT_MAX_WORD;
	p->max_sentence = max_sentence ? max_sentence : ROS_DEFAULT_MAX_SENTENCE;
	return p;
}

void ros_parser_free(ros_parser *p)
{
	if (!p)
		return;
	ros_buf_free(&p->data);
	free(p->offsets);
	ros_sentence_free(p->ready);
	free(p);
}

const char *ros_parser_error(const ros_parser *p)
{
	return p->error;
}

ros_sentence *ros_parser_take(ros_parser *p)
{
	ros_sentence *s = p->ready;
	p->ready = NULL;
	return s;
}

static int fail(ros_parser *p, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(ros_parser *p, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
	p->failed = status;
	return status;
}

/* What one word costs besides its bytes: its offset here, and its word
 * and attribute entries in the built sentence. Counted against the
 * sentence cap so that many tiny words cannot multiply memory use. */
#define WORD_OVERHEAD (sizeof(size_t) + sizeof(struct ros_word) + sizeof(struct ros_attr) + 1)

/* Starts a word of len bytes after checking the caps. */
static int begin_word(ros_parser *p, size_t len)
{
	if (len > p->max_word)
		return fail(p, ROS_ERR_TOO_BIG, "word of %zu bytes exceeds the %zu byte limit", len,
		            p->max_word);
	if (len + p->data.len + (p->nwords + 1) * WORD_OVERHEAD > p->max_sentence)
		return fail(p, ROS_ERR_TOO_BIG, "sentence exceeds the %zu byte limit",
		            p->max_sentence);
	size_t *o = text_grow(p->offsets, &p->offsets_cap, p->nwords + 1, sizeof *o);
	if (!o)
		return fail(p, ROS_ERR_NOMEM, "out of memory");
	p->offsets = o;
	if (buf_reserve(&p->data, len + 1))
		return fail(p, ROS_ERR_NOMEM, "out of memory");
	p->offsets[p->nwords++] = p->data.len;
	p->word_len = len;
	p->word_have = 0;
	p->in_word = true;
	return ROS_OK;
}

/* Ends the current word: NUL-terminates it in the data buffer. */
static void end_word(ros_parser *p)
{
	p->data.data[p->data.len++] = '\0';
	p->in_word = false;
}

/* The zero-length word arrived: builds the sentence (unless empty). */
static int end_sentence(ros_parser *p)
{
	int rc = ROS_OK;
	if (p->nwords > 0) {
		ros_sentence *s = NULL;
		rc = sentence_build(p->data.data, p->offsets, p->nwords, p->data.len, &s, p->error,
		                    sizeof p->error);
		if (rc)
			p->failed = rc;
		else
			p->ready = s;
	}
	p->nwords = 0;
	p->data.len = 0;
	return rc;
}

/* Consumes prefix bytes; returns bytes used or a negative status. */
static long feed_prefix(ros_parser *p, const unsigned char *in, size_t len)
{
	size_t used = 0;
	while (used < len) {
		p->prefix[p->prefix_have++] = in[used++];
		uint32_t wlen;
		int n = ros_length_decode(p->prefix, p->prefix_have, &wlen);
		if (n < 0)
			return fail(p, ROS_ERR_PROTOCOL,
			            "reserved control byte 0x%02X in length prefix", p->prefix[0]);
		if (n == 0)
			continue;
		p->prefix_have = 0;
		int rc = wlen == 0 ? end_sentence(p) : begin_word(p, wlen);
		return rc ? rc : (long)used;
	}
	return (long)used;
}

long ros_parser_feed(ros_parser *p, const void *data, size_t len)
{
	const unsigned char *in = data;
	size_t pos = 0;
	if (p->failed)
		return p->failed;
	while (pos < len && !p->ready) {
		if (!p->in_word) {
			long n = feed_prefix(p, in + pos, len - pos);
			if (n < 0)
				return n;
			pos += (size_t)n;
			continue;
		}
		size_t take = p->word_len - p->word_have;
		if (take > len - pos)
			take = len - pos;
		memcpy(p->data.data + p->data.len, in + pos, take);
		p->data.len += take;
		p->word_have += take;
		pos += take;
		if (p->word_have == p->word_len)
			end_word(p);
	}
	return (long)pos;
}

bool parser_idle(const ros_parser *p)
{
	return !p->in_word && p->prefix_have == 0 && p->nwords == 0 && !p->ready;
}

/* --- encoding: a word with its length prefix, a sentence of words --- */

int ros_buf_add_word(struct ros_buf *b, const void *word, size_t len)
{
	unsigned char prefix[5];
	if (len > UINT32_MAX)
		return ROS_ERR_TOO_BIG;
	size_t n = ros_length_encode((uint32_t)len, prefix);
	int rc = buf_reserve(b, n + len);
	if (rc)
		return rc;
	buf_append(b, prefix, n);
	buf_append(b, word, len);
	return ROS_OK;
}

int ros_buf_add_sentence(struct ros_buf *b, const char *const *words, size_t n)
{
	size_t start = b->len;
	for (size_t i = 0; i < n; i++) {
		if (!words[i])
			return ROS_ERR_ARG;
		int rc = ros_buf_add_word(b, words[i], strlen(words[i]));
		if (rc) {
			b->len = start;
			return rc;
		}
	}
	unsigned char end = 0;
	int rc = buf_append(b, &end, 1);
	if (rc)
		b->len = start;
	return rc;
}
