/* reply.c — the sentences answering one command. */
#include "internal.h"
#include "text.h"

#include <stdlib.h>

ros_reply *ros_reply_new(void)
{
	return calloc(1, sizeof(ros_reply));
}

int ros_reply_add(ros_reply *r, ros_sentence *s)
{
	ros_sentence **items = text_grow(r->items, &r->cap, r->count + 1, sizeof *items);
	if (!items) {
		ros_sentence_free(s);
		return ROS_ERR_NOMEM;
	}
	r->items = items;
	r->items[r->count++] = s;
	return ROS_OK;
}

void reply_clear(ros_reply *r)
{
	for (size_t i = 0; i < r->count; i++)
		ros_sentence_free(r->items[i]);
	free(r->items);
	r->items = NULL;
	r->count = 0;
	r->cap = 0;
}

void ros_reply_free(ros_reply *r)
{
	if (!r)
		return;
	reply_clear(r);
	free(r);
}

size_t ros_reply_count(const ros_reply *r)
{
	return r->count;
}

const ros_sentence *ros_reply_sentence(const ros_reply *r, size_t i)
{
	return i < r->count ? r->items[i] : NULL;
}

const ros_sentence *ros_reply_trap(const ros_reply *r)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i]->type == ROS_REPLY_TRAP)
			return r->items[i];
	return NULL;
}

size_t ros_reply_rows(const ros_reply *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += r->items[i]->type == ROS_REPLY_RE;
	return n;
}
