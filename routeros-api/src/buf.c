/* buf.c — the growable byte buffer and small byte utilities (encoding
 * words and sentences into it is codec.c's job). */
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
