/*
 * json_out.c — JSON and plain-text rendering of reply sentences for rosapi.
 * See json_out.h for the escaping rules; this file is pure (no I/O).
 */
#include "json_out.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

void json_out_buf_free(struct json_out_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Makes room for extra more bytes plus the terminating NUL. */
static int reserve(struct json_out_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > SIZE_MAX - 1 - b->len)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	p = realloc(b->data, ncap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int json_out_append(struct json_out_buf *b, const void *data, size_t len)
{
	if (reserve(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* Drops what was appended since len was start; returns -1 for the caller. */
static int rollback(struct json_out_buf *b, size_t start)
{
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return -1;
}

static int append_str(struct json_out_buf *b, const char *s)
{
	return json_out_append(b, s, strlen(s));
}

size_t json_out_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* below: overlong */
		else if (c == 0xED)
			hi = 0x9F; /* above: UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* below: overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above: beyond U+10FFFF */
	} else {
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/* Appends the JSON escape \uXXXX of the BMP code point cp. */
static int append_u(struct json_out_buf *b, unsigned cp)
{
	char e[6] = "\\u";
	int i;

	for (i = 0; i < 4; i++)
		e[2 + i] = hexdig[(cp >> (12 - 4 * i)) & 15];
	return json_out_append(b, e, sizeof e);
}

static int append_x(struct json_out_buf *b, unsigned char c)
{
	char e[4] = {'\\', 'x', hexdig[c >> 4], hexdig[c & 15]};
	return json_out_append(b, e, sizeof e);
}

/* Is the valid n-byte sequence at p a C1 control (U+0080..U+009F)? */
static int is_c1(const unsigned char *p, size_t n)
{
	return n == 2 && p[0] == 0xC2 && p[1] <= 0x9F;
}

int json_out_string(struct json_out_buf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0, run = 0, n;
	size_t start = b->len;
	int rc = 0;

	if (json_out_append(b, "\"", 1) < 0)
		return -1;
	while (i < len && rc == 0) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (run) {
			rc = json_out_append(b, p + i - run, run);
			run = 0;
			if (rc)
				break;
		}
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			rc = json_out_append(b, e, 2);
			i++;
		} else if (c < 0x80) {
			rc = append_u(b, c); /* C0 control or DEL */
			i++;
		} else if ((n = json_out_utf8_len(p + i, len - i)) == 0) {
			rc = append_u(b, c); /* invalid byte: read as Latin-1 */
			i++;
		} else if (is_c1(p + i, n)) {
			rc = append_u(b, p[i + 1]);
			i += n;
		} else if (n == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 &&
		           (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
			rc = append_u(b, 0x2000u | (p[i + 2] - 0x80u));
			i += n;
		} else {
			rc = json_out_append(b, p + i, n);
			i += n;
		}
	}
	if (rc == 0 && run)
		rc = json_out_append(b, p + i - run, run);
	if (rc == 0)
		rc = json_out_append(b, "\"", 1);
	if (rc)
		return rollback(b, start);
	return 0;
}

int json_out_text(struct json_out_buf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t start = b->len, i = 0, n;
	int rc = 0;

	while (i < len && rc == 0) {
		unsigned char c = p[i];

		if (c == '\\') {
			rc = json_out_append(b, "\\\\", 2);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			rc = append_x(b, c);
			i++;
		} else if (c < 0x80) {
			size_t run = 1;

			while (i + run < len && p[i + run] >= 0x20 && p[i + run] < 0x7F &&
			       p[i + run] != '\\')
				run++;
			rc = json_out_append(b, p + i, run);
			i += run;
		} else if ((n = json_out_utf8_len(p + i, len - i)) == 0) {
			rc = append_x(b, c);
			i++;
		} else if (is_c1(p + i, n)) {
			rc = append_x(b, p[i]);
			if (rc == 0)
				rc = append_x(b, p[i + 1]);
			i += n;
		} else {
			rc = json_out_append(b, p + i, n);
			i += n;
		}
	}
	if (rc)
		return rollback(b, start);
	return 0;
}

/* Orders attribute indices by key bytes, then by position. */
struct key_ref {
	struct ros_word key;
	size_t index;
};

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int c = n ? memcmp(x->key.data, y->key.data, n) : 0;

	if (c)
		return c;
	if (x->key.len != y->key.len)
		return x->key.len < y->key.len ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int same_key(struct ros_word a, struct ros_word b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* Appends the "attrs" object. Repeated keys are grouped by sorting (not by
 * pairwise comparison) so a hostile sentence with millions of attributes
 * costs n log n, not n^2. */
static int append_attrs(struct json_out_buf *b, const ros_sentence *s)
{
	size_t n = ros_sentence_attr_count(s), i, j;
	struct key_ref *refs = NULL;
	size_t *next = NULL;         /* next attribute with the same key, or SIZE_MAX */
	unsigned char *later = NULL; /* 1: a repeat, printed with its first */
	int rc = -1;

	if (n == 0)
		return append_str(b, "{}");
	refs = malloc(n * sizeof *refs);
	next = malloc(n * sizeof *next);
	later = calloc(n, 1);
	if (!refs || !next || !later)
		goto out;
	for (i = 0; i < n; i++) {
		struct ros_word v;

		ros_sentence_attr_at(s, i, &refs[i].key, &v);
		refs[i].index = i;
		next[i] = SIZE_MAX;
	}
	qsort(refs, n, sizeof *refs, key_ref_cmp);
	for (i = 1; i < n; i++) {
		if (same_key(refs[i - 1].key, refs[i].key)) {
			next[refs[i - 1].index] = refs[i].index;
			later[refs[i].index] = 1;
		}
	}
	if (append_str(b, "{") < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct ros_word k, v;

		if (later[i])
			continue;
		ros_sentence_attr_at(s, i, &k, &v);
		if ((i && append_str(b, ",") < 0) || json_out_string(b, k.data, k.len) < 0 ||
		    append_str(b, ":") < 0)
			goto out;
		if (next[i] == SIZE_MAX) {
			if (json_out_string(b, v.data, v.len) < 0)
				goto out;
			continue;
		}
		if (append_str(b, "[") < 0)
			goto out;
		for (j = i; j != SIZE_MAX; j = next[j]) {
			ros_sentence_attr_at(s, j, &k, &v);
			if ((j != i && append_str(b, ",") < 0) ||
			    json_out_string(b, v.data, v.len) < 0)
				goto out;
		}
		if (append_str(b, "]") < 0)
			goto out;
	}
	rc = append_str(b, "}");
out:
	free(refs);
	free(next);
	free(later);
	return rc;
}

int json_out_sentence(struct json_out_buf *b, const ros_sentence *s)
{
	size_t start = b->len, len;
	const char *v;

	if (append_str(b, "{\"type\":") < 0)
		goto fail;
	if (json_out_string(b, ros_reply_type_name(ros_sentence_type(s)),
	                    strlen(ros_reply_type_name(ros_sentence_type(s)))) < 0)
		goto fail;
	if ((v = ros_sentence_tag(s, &len)) != NULL) {
		if (append_str(b, ",\"tag\":") < 0 || json_out_string(b, v, len) < 0)
			goto fail;
	}
	if ((v = ros_sentence_fatal_reason(s, &len)) != NULL) {
		if (append_str(b, ",\"reason\":") < 0 || json_out_string(b, v, len) < 0)
			goto fail;
	}
	if (append_str(b, ",\"attrs\":") < 0 || append_attrs(b, s) < 0 || append_str(b, "}") < 0)
		goto fail;
	return 0;
fail:
	return rollback(b, start);
}

int json_out_reply(struct json_out_buf *b, const ros_reply *r)
{
	size_t n = r ? ros_reply_count(r) : 0, i, start = b->len;

	if (n == 0)
		return append_str(b, "[]\n");
	if (append_str(b, "[\n") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (append_str(b, "  ") < 0 || json_out_sentence(b, ros_reply_sentence(r, i)) < 0 ||
		    append_str(b, i + 1 < n ? ",\n" : "\n") < 0)
			return rollback(b, start);
	}
	if (append_str(b, "]\n") < 0)
		return rollback(b, start);
	return 0;
}

int json_out_text_sentence(struct json_out_buf *b, const ros_sentence *s)
{
	size_t n = ros_sentence_word_count(s), i, start = b->len;

	for (i = 0; i < n; i++) {
		struct ros_word w = ros_sentence_word(s, i);

		if ((i && append_str(b, "  ") < 0) || json_out_text(b, w.data, w.len) < 0 ||
		    append_str(b, "\n") < 0)
			return rollback(b, start);
	}
	return 0;
}
