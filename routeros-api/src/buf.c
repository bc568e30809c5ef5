/* buf.c — the growable byte buffer and small byte utilities. */
#include "internal.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ros_buf_free(struct ros_buf *b)
{
	if (!b)
		return;
	buf_wipe(b);
	free(b->data);
	b->data = NULL;
	b->cap = 0;
}

/* Makes room for extra more bytes, growing geometrically. */
int buf_reserve(struct ros_buf *b, size_t extra)
{
	if (extra == 0)
		return ROS_OK;
	unsigned char *p = NULL;
	if (extra <= SIZE_MAX - b->len)
		p = text_grow(b->data, &b->cap, b->len + extra, 1);
	if (!p)
		return ROS_ERR_NOMEM;
	b->data = p;
	return ROS_OK;
}

int buf_append(struct ros_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return ROS_OK;
	int rc = buf_reserve(b, len);
	if (rc)
		return rc;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return ROS_OK;
}

void buf_wipe(struct ros_buf *b)
{
	if (b->data && b->len)
		explicit_bzero(b->data, b->len);
	b->len = 0;
}

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

void escape_bytes(char *out, size_t outsz, const void *data, size_t len, size_t max)
{
	const unsigned char *p = data;
	size_t o = 0;
	if (outsz == 0)
		return;
	for (size_t i = 0; i < len && i < max; i++) {
		char tmp[5];
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			snprintf(tmp, sizeof tmp, "%c", p[i]);
		else
			snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
		size_t tl = strlen(tmp);
		if (o + tl + 4 >= outsz)
			break;
		memcpy(out + o, tmp, tl);
		o += tl;
	}
	if (len > max && o + 3 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}
