/*
 * sentence.c — a reply sentence: classification and accessors.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *word;
	enum ros_reply_type type;
} reply_words[] = {
        {"!re", ROS_REPLY_RE},       {"!done", ROS_REPLY_DONE},   {"!trap", ROS_REPLY_TRAP},
        {"!fatal", ROS_REPLY_FATAL}, {"!empty", ROS_REPLY_EMPTY},
};

const char *ros_reply_type_name(enum ros_reply_type t)
{
	for (size_t i = 0; i < sizeof reply_words / sizeof reply_words[0]; i++)
		if (reply_words[i].type == t)
			return reply_words[i].word + 1;
	return "unknown";
}

/* Finds the reply type of the first word; 0 when it is not a reply word. */
static enum ros_reply_type classify(const struct ros_word *w)
{
	for (size_t i = 0; i < sizeof reply_words / sizeof reply_words[0]; i++) {
		size_t l = strlen(reply_words[i].word);
		if (w->len == l && memcmp(w->data, reply_words[i].word, l) == 0)
			return reply_words[i].type;
	}
	return 0;
}

static bool is_attr(const struct ros_word *w)
{
	return w->len >= 1 && w->data[0] == '=';
}

static bool is_tag(const struct ros_word *w)
{
	return w->len >= 5 && memcmp(w->data, ".tag=", 5) == 0;
}

/* Splits "=key=value" at the second '='. A word without a second '=' is a
 * key with an empty value (RouterOS writes "=once=", but be lenient). */
static void split_attr(const struct ros_word *w, struct ros_attr *a)
{
	const char *key = w->data + 1;
	size_t rest = w->len - 1;
	const char *eq = memchr(key, '=', rest);
	a->key.data = key;
	if (eq) {
		a->key.len = (size_t)(eq - key);
		a->value.data = eq + 1;
		a->value.len = rest - a->key.len - 1;
	} else {
		a->key.len = rest;
		a->value.data = key + rest; /* the word's terminating NUL: "" */
		a->value.len = 0;
	}
}

int sentence_build(const unsigned char *data, const size_t *offsets, size_t nwords, size_t total,
                   ros_sentence **out, char *err, size_t errsz)
{
	struct ros_word first = {(const char *)data + offsets[0],
	                         (nwords > 1 ? offsets[1] : total) - offsets[0] - 1};
	enum ros_reply_type type = classify(&first);
	if (!type) {
		char shown[64];
		escape_bytes(shown, sizeof shown, first.data, first.len, 24);
		snprintf(err, errsz, "unexpected reply word '%s'", shown);
		return ROS_ERR_PROTOCOL;
	}
	size_t nattrs = 0;
	for (size_t i = 1; i < nwords; i++)
		if (data[offsets[i]] == '=')
			nattrs++;

	size_t head = sizeof(ros_sentence) + nwords * sizeof(struct ros_word) +
	              nattrs * sizeof(struct ros_attr);
	ros_sentence *s = malloc(head + total);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return ROS_ERR_NOMEM;
	}
	char *bytes = (char *)s + head;
	memcpy(bytes, data, total);
	s->type = type;
	s->nwords = nwords;
	s->nattrs = 0;
	s->tag_index = SIZE_MAX;
	s->size = head + total;
	s->words = (struct ros_word *)(s + 1);
	s->attrs = (struct ros_attr *)(s->words + nwords);
	for (size_t i = 0; i < nwords; i++) {
		size_t end = i + 1 < nwords ? offsets[i + 1] : total;
		s->words[i].data = bytes + offsets[i];
		s->words[i].len = end - offsets[i] - 1;
		if (i == 0)
			continue;
		if (is_attr(&s->words[i]))
			split_attr(&s->words[i], &s->attrs[s->nattrs++]);
		else if (is_tag(&s->words[i]) && s->tag_index == SIZE_MAX)
			s->tag_index = i;
	}
	*out = s;
	return ROS_OK;
}

void sentence_drop_tag(ros_sentence *s)
{
	size_t i = s->tag_index;
	if (i == SIZE_MAX)
		return;
	/* The word array only: the bytes stay where they are. */
	memmove(&s->words[i], &s->words[i + 1], (s->nwords - i - 1) * sizeof s->words[0]);
	s->nwords--;
	s->tag_index = SIZE_MAX;
}

void ros_sentence_free(ros_sentence *s)
{
	free(s);
}

enum ros_reply_type ros_sentence_type(const ros_sentence *s)
{
	return s->type;
}

size_t ros_sentence_word_count(const ros_sentence *s)
{
	return s->nwords;
}

struct ros_word ros_sentence_word(const ros_sentence *s, size_t i)
{
	struct ros_word none = {"", 0};
	return i < s->nwords ? s->words[i] : none;
}

const char *ros_sentence_tag(const ros_sentence *s, size_t *len)
{
	if (s->tag_index == SIZE_MAX) {
		if (len)
			*len = 0;
		return NULL;
	}
	const struct ros_word *w = &s->words[s->tag_index];
	if (len)
		*len = w->len - 5;
	return w->data + 5;
}

size_t ros_sentence_attr_count(const ros_sentence *s)
{
	return s->nattrs;
}

void ros_sentence_attr_at(const ros_sentence *s, size_t i, struct ros_word *key,
                          struct ros_word *value)
{
	static const struct ros_attr none = {{"", 0}, {"", 0}};
	const struct ros_attr *a = i < s->nattrs ? &s->attrs[i] : &none;
	if (key)
		*key = a->key;
	if (value)
		*value = a->value;
}

const char *ros_sentence_get(const ros_sentence *s, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < s->nattrs; i++) {
		const struct ros_attr *a = &s->attrs[i];
		if (a->key.len == kl && memcmp(a->key.data, key, kl) == 0) {
			if (len)
				*len = a->value.len;
			return a->value.data;
		}
	}
	if (len)
		*len = 0;
	return NULL;
}

const char *ros_sentence_fatal_reason(const ros_sentence *s, size_t *len)
{
	if (s->type != ROS_REPLY_FATAL) {
		if (len)
			*len = 0;
		return NULL;
	}
	for (size_t i = 1; i < s->nwords; i++) {
		const struct ros_word *w = &s->words[i];
		if (!is_attr(w) && !is_tag(w)) {
			if (len)
				*len = w->len;
			return w->data;
		}
	}
	if (len)
		*len = 0;
	return "";
}
