/* jsonw.c — the JSON writer; see jsonw.h for the rules. */
#include "jsonw.h"

#include <string.h>

int plain_text(struct text_buf *b, const void *s, size_t len)
{
	return text_escape_terminal(b, s, len, TEXT_HEX_UPPER);
}

/* --- numbers --- */

int jsonw_put_u64(struct text_buf *b, uint64_t v)
{
	char digits[20]; /* UINT64_MAX has 20 */
	size_t i = sizeof digits;
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return text_buf_append(b, digits + i, sizeof digits - i);
}

int jsonw_put_i64(struct text_buf *b, int64_t v)
{
	if (v >= 0)
		return jsonw_put_u64(b, (uint64_t)v);
	/* The magnitude in unsigned arithmetic: -INT64_MIN overflows int64_t. */
	if (text_buf_append(b, "-", 1))
		return -1;
	return jsonw_put_u64(b, 0 - (uint64_t)v);
}

/* --- the writer --- */

/* A short string that needs no escaping (text.h's JSON rule: printable
 * ASCII but '"' and '\\'), quoted, with an optional ',' before and ':'
 * after, in one append instead of four: keys and dates are written by the
 * thousand in a long series. False (nothing written) for any other
 * string: the caller escapes it. */
static bool append_plain(struct text_buf *b, bool comma, const void *s, size_t len, bool colon)
{
	char tmp[64];
	if (len > sizeof tmp - 4)
		return false;
	const unsigned char *p = s;
	size_t n = 0;
	if (comma)
		tmp[n++] = ',';
	tmp[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7F || p[i] == '"' || p[i] == '\\')
			return false;
		tmp[n++] = (char)p[i];
	}
	tmp[n++] = '"';
	if (colon)
		tmp[n++] = ':';
	text_buf_append(b, tmp, n);
	return true;
}

void jsonw_init(struct jsonw *w, struct text_buf *out)
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
	if (!w->first[w->depth] && text_buf_append(w->out, ",", 1))
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
	text_buf_append(w->out, &c, 1);
	return done(w);
}

static int close_container(struct jsonw *w, char c, bool object)
{
	if (w->failed || w->depth == 0 || w->after_key || w->in_object[w->depth] != object) {
		w->failed = true;
		return -1;
	}
	w->depth--;
	text_buf_append(w->out, &c, 1);
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
	bool comma = !w->first[w->depth];
	w->first[w->depth] = false;
	size_t len = strlen(key);
	if (!append_plain(w->out, comma, key, len, true)) {
		if (comma)
			text_buf_append(w->out, ",", 1);
		text_escape_json(w->out, key, len);
		text_buf_append(w->out, ":", 1);
	}
	w->after_key = true;
	return done(w);
}

int jsonw_string_len(struct jsonw *w, const void *s, size_t len)
{
	if (before_value(w))
		return -1;
	if (!append_plain(w->out, false, s, len, false))
		text_escape_json(w->out, s, len);
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
	jsonw_put_u64(w->out, v);
	return done(w);
}

int jsonw_int(struct jsonw *w, int64_t v)
{
	if (before_value(w))
		return -1;
	jsonw_put_i64(w->out, v);
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
	jsonw_put_u64(w->out, v / scale);
	if (decimals > 0) {
		/* The fraction with its leading zeros: scale + fraction has
		 * decimals + 1 digits, the first of them a 1 to drop. */
		char digits[11];
		uint64_t f = scale + v % scale;
		for (unsigned i = decimals + 1; i-- > 0; f /= 10)
			digits[i] = (char)('0' + f % 10);
		digits[0] = '.';
		text_buf_append(w->out, digits, decimals + 1);
	}
	return done(w);
}

int jsonw_null(struct jsonw *w)
{
	if (before_value(w))
		return -1;
	text_buf_puts(w->out, "null");
	return done(w);
}

int jsonw_bool(struct jsonw *w, bool v)
{
	if (before_value(w))
		return -1;
	text_buf_puts(w->out, v ? "true" : "false");
	return done(w);
}
