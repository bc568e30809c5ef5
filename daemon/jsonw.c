/* jsonw.c — growable buffer and JSON writer; see jsonw.h for the rules. */
#include "jsonw.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jbuf_free(struct jbuf *b)
{
	if (!b)
		return;
	free(b->data);
	*b = (struct jbuf)JBUF_INIT;
}

void jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

const char *jbuf_str(const struct jbuf *b)
{
	return b->data ? b->data : "";
}

/* Makes room for extra more bytes and the NUL; sets failed when it can't. */
static int reserve(struct jbuf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return -1;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int jbuf_append(struct jbuf *b, const void *data, size_t len)
{
	if (reserve(b, len))
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int jbuf_puts(struct jbuf *b, const char *s)
{
	return jbuf_append(b, s, strlen(s));
}

int jbuf_printf(struct jbuf *b, const char *fmt, ...)
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
		return jbuf_append(b, small, (size_t)n);
	if (reserve(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int jbuf_fill(struct jbuf *b, char c, size_t n)
{
	if (reserve(b, n))
		return -1;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

size_t jsonw_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	/* The second byte's range excludes overlong forms (E0, F0),
	 * surrogates (ED) and code points above U+10FFFF (F4). */
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* The character a valid sequence encodes should not reach output raw:
 * C1 controls (U+0080..U+009F) and the JavaScript line separators. */
static bool sequence_unsafe(const unsigned char *p, size_t n, unsigned *cp)
{
	if (n == 2 && p[0] == 0xC2 && p[1] <= 0x9F) {
		*cp = p[1];
		return true;
	}
	if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
		*cp = 0x2000u + (p[2] - 0x80u);
		return true;
	}
	return false;
}

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

static int append_u_escape(struct jbuf *b, unsigned cp)
{
	char e[6] = {'\\',
	             'u',
	             hex_lower[(cp >> 12) & 15],
	             hex_lower[(cp >> 8) & 15],
	             hex_lower[(cp >> 4) & 15],
	             hex_lower[cp & 15]};
	return jbuf_append(b, e, sizeof e);
}

static int append_x_escape(struct jbuf *b, unsigned char c)
{
	char e[4] = {'\\', 'x', hex_upper[c >> 4], hex_upper[c & 15]};
	return jbuf_append(b, e, sizeof e);
}

static bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

int jbuf_json_string(struct jbuf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0;
	jbuf_append(b, "\"", 1);
	while (i < len) {
		size_t run = 0;
		while (i + run < len && plain_ascii(p[i + run]))
			run++;
		if (run) {
			jbuf_append(b, p + i, run);
			i += run;
			continue;
		}
		unsigned char c = p[i];
		size_t n;
		unsigned cp;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			jbuf_append(b, e, 2);
			i++;
		} else if (c < 0x80 || (n = jsonw_utf8_len(p + i, len - i)) == 0) {
			/* A C0 control, DEL, or an invalid byte read as Latin-1. */
			append_u_escape(b, c);
			i++;
		} else if (sequence_unsafe(p + i, n, &cp)) {
			append_u_escape(b, cp);
			i += n;
		} else {
			jbuf_append(b, p + i, n);
			i += n;
		}
	}
	return jbuf_append(b, "\"", 1);
}

int jbuf_text(struct jbuf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		unsigned cp;
		if (c == '\\') {
			jbuf_append(b, "\\\\", 2);
			i++;
		} else if (c >= 0x20 && c < 0x7F) {
			jbuf_append(b, &p[i], 1);
			i++;
		} else if (c < 0x80 || (n = jsonw_utf8_len(p + i, len - i)) == 0) {
			append_x_escape(b, c);
			i++;
		} else if (sequence_unsafe(p + i, n, &cp)) {
			for (size_t k = 0; k < n; k++)
				append_x_escape(b, p[i + k]);
			i += n;
		} else {
			jbuf_append(b, p + i, n);
			i += n;
		}
	}
	return b->failed ? -1 : 0;
}

/* --- the writer --- */

void jsonw_init(struct jsonw *w, struct jbuf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->first[0] = true;
}

int jsonw_finish(const struct jsonw *w)
{
	return w->failed || w->out->failed || w->depth != 0 || w->after_key ? -1 : 0;
}

/* Writes the separator a new value needs at the current position. */
static int before_value(struct jsonw *w)
{
	if (w->failed || w->out->failed) {
		w->failed = true;
		return -1;
	}
	if (w->after_key) {
		w->after_key = false;
		return 0;
	}
	if (w->in_object[w->depth]) {
		w->failed = true; /* a value in an object needs a key first */
		return -1;
	}
	if (!w->first[w->depth] && jbuf_append(w->out, ",", 1))
		return -1;
	w->first[w->depth] = false;
	return 0;
}

static int done(struct jsonw *w)
{
	if (w->out->failed)
		w->failed = true;
	return w->failed ? -1 : 0;
}

static int open_container(struct jsonw *w, char c, bool object)
{
	if (before_value(w))
		return -1;
	if (w->depth >= JSONW_MAX_DEPTH) {
		w->failed = true;
		return -1;
	}
	w->depth++;
	w->first[w->depth] = true;
	w->in_object[w->depth] = object;
	jbuf_append(w->out, &c, 1);
	return done(w);
}

static int close_container(struct jsonw *w, char c, bool object)
{
	if (w->failed || w->depth == 0 || w->after_key || w->in_object[w->depth] != object) {
		w->failed = true;
		return -1;
	}
	w->depth--;
	jbuf_append(w->out, &c, 1);
	return done(w);
}

int jsonw_object_begin(struct jsonw *w)
{
	return open_container(w, '{', true);
}

int jsonw_object_end(struct jsonw *w)
{
	return close_container(w, '}', true);
}

int jsonw_array_begin(struct jsonw *w)
{
	return open_container(w, '[', false);
}

int jsonw_array_end(struct jsonw *w)
{
	return close_container(w, ']', false);
}

int jsonw_key(struct jsonw *w, const char *key)
{
	if (w->failed || w->depth == 0 || !w->in_object[w->depth] || w->after_key) {
		w->failed = true;
		return -1;
	}
	if (!w->first[w->depth])
		jbuf_append(w->out, ",", 1);
	w->first[w->depth] = false;
	jbuf_json_string(w->out, key, strlen(key));
	jbuf_append(w->out, ":", 1);
	w->after_key = true;
	return done(w);
}

int jsonw_string_len(struct jsonw *w, const void *s, size_t len)
{
	if (before_value(w))
		return -1;
	jbuf_json_string(w->out, s, len);
	return done(w);
}

int jsonw_string(struct jsonw *w, const char *s)
{
	return s ? jsonw_string_len(w, s, strlen(s)) : jsonw_null(w);
}

int jsonw_uint(struct jsonw *w, uint64_t v)
{
	if (before_value(w))
		return -1;
	jbuf_printf(w->out, "%" PRIu64, v);
	return done(w);
}

int jsonw_int(struct jsonw *w, int64_t v)
{
	if (before_value(w))
		return -1;
	jbuf_printf(w->out, "%" PRId64, v);
	return done(w);
}

int jsonw_decimal(struct jsonw *w, uint64_t v, unsigned decimals)
{
	if (decimals > 9) {
		w->failed = true;
		return -1;
	}
	if (before_value(w))
		return -1;
	uint64_t scale = 1;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals == 0)
		jbuf_printf(w->out, "%" PRIu64, v);
	else
		jbuf_printf(w->out, "%" PRIu64 ".%0*" PRIu64, v / scale, (int)decimals, v % scale);
	return done(w);
}

int jsonw_null(struct jsonw *w)
{
	if (before_value(w))
		return -1;
	jbuf_puts(w->out, "null");
	return done(w);
}

int jsonw_bool(struct jsonw *w, bool v)
{
	if (before_value(w))
		return -1;
	jbuf_puts(w->out, v ? "true" : "false");
	return done(w);
}
