#include "wire.h"

#include <stdlib.h>
#include <string.h>

/* Buffers above this size are released when they empty, so an idle
 * connection costs little memory after a burst. */
#define WBUF_KEEP 16384

void wbuf_init(struct wbuf *b)
{
	b->data = NULL;
	b->off = b->len = b->cap = 0;
}

void wbuf_free(struct wbuf *b)
{
	if (!b)
		return;
	free(b->data);
	wbuf_init(b);
}

size_t wbuf_size(const struct wbuf *b)
{
	return b->len - b->off;
}

static int wbuf_reserve(struct wbuf *b, size_t n)
{
	if (b->off > 0 && b->len + n > b->cap) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->len + n <= b->cap)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		return -1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	unsigned char *d = realloc(b->data, cap);
	if (!d)
		return -1;
	b->data = d;
	b->cap = cap;
	return 0;
}

int wbuf_append(struct wbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (wbuf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void wbuf_consume(struct wbuf *b, size_t n)
{
	b->off += n;
	if (b->off < b->len)
		return;
	b->off = b->len = 0;
	if (b->cap > WBUF_KEEP)
		wbuf_free(b);
}

size_t wire_len_encode(uint32_t len, unsigned char out[5])
{
	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	if (len < 0x4000) {
		uint32_t v = len | 0x8000;
		out[0] = (unsigned char)(v >> 8);
		out[1] = (unsigned char)v;
		return 2;
	}
	if (len < 0x200000) {
		uint32_t v = len | 0xC00000;
		out[0] = (unsigned char)(v >> 16);
		out[1] = (unsigned char)(v >> 8);
		out[2] = (unsigned char)v;
		return 3;
	}
	if (len < 0x10000000) {
		uint32_t v = len | 0xE0000000u;
		out[0] = (unsigned char)(v >> 24);
		out[1] = (unsigned char)(v >> 16);
		out[2] = (unsigned char)(v >> 8);
		out[3] = (unsigned char)v;
		return 4;
	}
	out[0] = 0xF0;
	out[1] = (unsigned char)(len >> 24);
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	return 5;
}

size_t wire_len_size(unsigned char first)
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

uint32_t wire_len_decode(const unsigned char *p, size_t n)
{
	static const uint32_t mask[6] = {0, 0x7F, 0x3FFF, 0x1FFFFF, 0xFFFFFFF, 0};
	if (n == 5)
		return (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v & mask[n];
}

int wire_put_word(struct wbuf *b, const void *w, size_t n)
{
	unsigned char pfx[5];
	if (n > UINT32_MAX)
		return -1;
	size_t k = wire_len_encode((uint32_t)n, pfx);
	if (wbuf_reserve(b, k + n) < 0)
		return -1;
	wbuf_append(b, pfx, k);
	wbuf_append(b, w, n);
	return 0;
}

int wire_put_str(struct wbuf *b, const char *s)
{
	return wire_put_word(b, s, strlen(s));
}

int wire_put_attr(struct wbuf *b, const char *key, const void *val, size_t vlen)
{
	size_t klen = strlen(key);
	size_t n = klen + vlen + 2;
	unsigned char pfx[5];
	size_t k = wire_len_encode((uint32_t)n, pfx);
	if (wbuf_reserve(b, k + n) < 0)
		return -1;
	wbuf_append(b, pfx, k);
	wbuf_append(b, "=", 1);
	wbuf_append(b, key, klen);
	wbuf_append(b, "=", 1);
	wbuf_append(b, val, vlen);
	return 0;
}

int wire_put_attr_str(struct wbuf *b, const char *key, const char *val)
{
	return wire_put_attr(b, key, val, strlen(val));
}

int wire_put_end(struct wbuf *b)
{
	return wbuf_append(b, "", 1);
}

void wire_parser_init(struct wire_parser *p, size_t max_word, size_t max_sentence, size_t max_words)
{
	memset(p, 0, sizeof(*p));
	p->max_word = max_word;
	p->max_sentence = max_sentence;
	p->max_words = max_words;
}

void wire_parser_free(struct wire_parser *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p->ends);
	p->buf = NULL;
	p->ends = NULL;
	p->len = p->cap = p->nwords = p->capwords = 0;
}

static int grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*ptr, c * elem);
	if (!q)
		return -1;
	*ptr = q;
	*cap = c;
	return 0;
}

/* Starts the sentence after a returned one; drops a large buffer so one big
 * command does not pin memory for the rest of the session. */
static void start_sentence(struct wire_parser *p)
{
	p->ready = 0;
	p->len = 0;
	p->nwords = 0;
	if (p->cap > 65536) {
		free(p->buf);
		p->buf = NULL;
		p->cap = 0;
	}
}

/* A complete prefix announced a word of wlen bytes. */
static int begin_word(struct wire_parser *p, uint32_t wlen)
{
	if (wlen > p->max_word)
		return WIRE_E_WORD_TOO_BIG;
	if (p->nwords >= p->max_words || wlen + 1 > p->max_sentence - p->len)
		return WIRE_E_SENTENCE_TOO_BIG;
	if (grow((void **)&p->ends, &p->capwords, p->nwords + 1, sizeof(size_t)) < 0)
		return WIRE_E_NOMEM;
	p->in_body = 1;
	p->body_left = wlen;
	return WIRE_MORE;
}

static int end_word(struct wire_parser *p)
{
	if (grow((void **)&p->buf, &p->cap, p->len + 1, 1) < 0)
		return WIRE_E_NOMEM;
	p->buf[p->len++] = '\0';
	p->ends[p->nwords++] = p->len;
	p->in_body = 0;
	return WIRE_MORE;
}

static int take_body(struct wire_parser *p, const unsigned char *buf, size_t n, size_t *i)
{
	size_t take = n - *i < p->body_left ? n - *i : p->body_left;
	if (grow((void **)&p->buf, &p->cap, p->len + take, 1) < 0)
		return WIRE_E_NOMEM;
	memcpy(p->buf + p->len, buf + *i, take);
	p->len += take;
	p->body_left -= take;
	*i += take;
	return p->body_left == 0 ? end_word(p) : WIRE_MORE;
}

/* Consumes one prefix byte; returns WIRE_SENTENCE at a sentence end. */
static int take_prefix_byte(struct wire_parser *p, unsigned char c)
{
	if (p->pfx_have == 0) {
		p->pfx_need = wire_len_size(c);
		if (p->pfx_need == 0)
			return WIRE_E_CONTROL;
	}
	p->pfx[p->pfx_have++] = c;
	if (p->pfx_have < p->pfx_need)
		return WIRE_MORE;
	uint32_t wlen = wire_len_decode(p->pfx, p->pfx_need);
	p->pfx_have = 0;
	if (wlen > 0)
		return begin_word(p, wlen);
	if (p->nwords == 0)
		return WIRE_MORE; /* empty sentence: ignored */
	p->ready = 1;
	return WIRE_SENTENCE;
}

int wire_parser_feed(struct wire_parser *p, const unsigned char *buf, size_t n, size_t *used)
{
	size_t i = 0;
	if (p->ready)
		start_sentence(p);
	while (i < n) {
		int rc;
		if (p->in_body) {
			rc = take_body(p, buf, n, &i);
		} else {
			rc = take_prefix_byte(p, buf[i]);
			i++;
		}
		if (rc != WIRE_MORE) {
			*used = i;
			return rc;
		}
	}
	*used = n;
	return WIRE_MORE;
}

size_t wire_parser_nwords(const struct wire_parser *p)
{
	return p->nwords;
}

struct wire_word wire_parser_word(const struct wire_parser *p, size_t i)
{
	size_t start = i == 0 ? 0 : p->ends[i - 1];
	struct wire_word w = {p->buf + start, p->ends[i] - start - 1};
	return w;
}

const char *wire_strerror(int status)
{
	switch (status) {
	case WIRE_E_CONTROL: return "reserved control byte in length prefix";
	case WIRE_E_WORD_TOO_BIG: return "word too long";
	case WIRE_E_SENTENCE_TOO_BIG: return "sentence too long";
	case WIRE_E_NOMEM: return "out of memory";
	default: return "no error";
	}
}
