/* buf.c — the growable buffer and array growth; see text.h. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes a first allocation holds (rounded down to whole elements). */
#define FIRST_BYTES 256

void *text_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	if (need == 0 || elem == 0 || need > TEXT_MAX_BYTES / elem)
		return NULL;
	if (need <= *cap)
		return arr;
	size_t max = TEXT_MAX_BYTES / elem;
	size_t ncap = *cap ? *cap : FIRST_BYTES / elem;
	if (ncap == 0)
		ncap = 1;
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	void *p = realloc(arr, ncap * elem);
	if (!p)
		return NULL;
	*cap = ncap;
	return p;
}

size_t text_lower_bound(const void *key, const void *base, size_t n, size_t elem,
                        int (*cmp)(const void *key, const void *element), bool *found)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(key, (const char *)base + mid * elem) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n && cmp(key, (const char *)base + lo * elem) == 0;
	return lo;
}

void text_buf_free(struct text_buf *b)
{
	if (!b)
		return;
	free(b->data);
	*b = (struct text_buf)TEXT_BUF_INIT;
}

void text_buf_reset(struct text_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

const char *text_buf_str(const struct text_buf *b)
{
	return b->data ? b->data : "";
}

/* Makes room for extra more bytes and the NUL; sets failed when it can't. */
static int reserve(struct text_buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	char *p = NULL;
	if (extra < TEXT_MAX_BYTES - b->len)
		p = text_grow(b->data, &b->cap, b->len + extra + 1, 1);
	if (!p) {
		b->failed = true;
		return -1;
	}
	b->data = p;
	return 0;
}

int text_buf_append(struct text_buf *b, const void *data, size_t len)
{
	/* Most appends are a few bytes into room already there (a /metrics
	 * scrape of 10,000 interfaces makes 1.5 million): only the others
	 * go through reserve. cap > len always holds once data exists. */
	bool room = b->data && !b->failed && len < b->cap - b->len;
	if (!room && reserve(b, len))
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int text_buf_puts(struct text_buf *b, const char *s)
{
	return text_buf_append(b, s, strlen(s));
}

int text_buf_printf(struct text_buf *b, const char *fmt, ...)
{
	if (b->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return -1;
	}
	if ((size_t)n < sizeof small)
		return text_buf_append(b, small, (size_t)n);
	if (reserve(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int text_buf_fill(struct text_buf *b, char c, size_t n)
{
	if (reserve(b, n))
		return -1;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}
