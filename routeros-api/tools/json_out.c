/*
 * json_out.c — JSON and plain-text rendering of reply sentences for rosapi.
 * The escaping is text/text.h's; this file is pure (no I/O).
 */
#include "json_out.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void append_attrs(struct text_buf *b, const ros_sentence *s)
{
	size_t n = ros_sentence_attr_count(s), i, j;
	struct key_ref *refs = NULL;
	size_t *next = NULL;         /* next attribute with the same key, or SIZE_MAX */
	unsigned char *later = NULL; /* 1: a repeat, printed with its first */

	if (n == 0) {
		text_buf_puts(b, "{}");
		return;
	}
	refs = malloc(n * sizeof *refs);
	next = malloc(n * sizeof *next);
	later = calloc(n, 1);
	if (!refs || !next || !later) {
		b->failed = true;
		goto out;
	}
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
	text_buf_puts(b, "{");
	for (i = 0; i < n && !b->failed; i++) {
		struct ros_word k, v;

		if (later[i])
			continue;
		ros_sentence_attr_at(s, i, &k, &v);
		if (i)
			text_buf_puts(b, ",");
		text_escape_json(b, k.data, k.len);
		text_buf_puts(b, ":");
		if (next[i] == SIZE_MAX) {
			text_escape_json(b, v.data, v.len);
			continue;
		}
		text_buf_puts(b, "[");
		for (j = i; j != SIZE_MAX; j = next[j]) {
			ros_sentence_attr_at(s, j, &k, &v);
			if (j != i)
				text_buf_puts(b, ",");
			text_escape_json(b, v.data, v.len);
		}
		text_buf_puts(b, "]");
	}
	text_buf_puts(b, "}");
out:
	free(refs);
	free(next);
	free(later);
}

int json_out_sentence(struct text_buf *b, const ros_sentence *s)
{
	return json_out_command_sentence(b, s, 0);
}

int json_out_command_sentence(struct text_buf *b, const ros_sentence *s, unsigned command)
{
	const char *type = ros_reply_type_name(ros_sentence_type(s)), *v;
	size_t len;

	text_buf_puts(b, "{\"type\":");
	text_escape_json(b, type, strlen(type));
	if (command) {
		char num[32];
		snprintf(num, sizeof num, ",\"command\":%u", command);
		text_buf_puts(b, num);
	}
	if ((v = ros_sentence_tag(s, &len)) != NULL) {
		text_buf_puts(b, ",\"tag\":");
		text_escape_json(b, v, len);
	}
	if ((v = ros_sentence_fatal_reason(s, &len)) != NULL) {
		text_buf_puts(b, ",\"reason\":");
		text_escape_json(b, v, len);
	}
	text_buf_puts(b, ",\"attrs\":");
	append_attrs(b, s);
	return text_buf_puts(b, "}");
}

int json_out_reply(struct text_buf *b, const ros_reply *r)
{
	size_t n = r ? ros_reply_count(r) : 0, i;

	if (n == 0)
		return text_buf_puts(b, "[]\n");
	text_buf_puts(b, "[\n");
	for (i = 0; i < n && !b->failed; i++) {
		text_buf_puts(b, "  ");
		json_out_sentence(b, ros_reply_sentence(r, i));
		text_buf_puts(b, i + 1 < n ? ",\n" : "\n");
	}
	return text_buf_puts(b, "]\n");
}

int json_out_text_sentence(struct text_buf *b, const ros_sentence *s)
{
	size_t n = ros_sentence_word_count(s), i;

	for (i = 0; i < n && !b->failed; i++) {
		struct ros_word w = ros_sentence_word(s, i);

		if (i)
			text_buf_puts(b, "  ");
		text_escape_terminal(b, w.data, w.len, 0);
		text_buf_puts(b, "\n");
	}
	return b->failed ? -1 : 0;
}
