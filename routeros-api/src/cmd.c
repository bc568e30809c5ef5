/*
 * cmd.c — one tagged command: its tag, its state and the FIFO of reply
 * sentences delivered to it and not yet taken by the caller. Routing
 * sentences to commands and the reply limits live in conn.c.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ros_cmd *cmd_new(uint64_t tag, const struct ros_cmd_options *opt, int timeout_ms, int64_t now)
{
	ros_cmd *cmd = calloc(1, sizeof *cmd);
	if (!cmd)
		return NULL;
	int n = snprintf(cmd->tag, sizeof cmd->tag, "%" PRIu64, tag);
	cmd->taglen = (size_t)n;
	cmd->status = ROS_AGAIN;
	cmd->started = now;
	cmd->silence_ms = timeout_ms;
	cmd->deadline = -1;
	if (opt && opt->silence_ms != 0)
		cmd->silence_ms = opt->silence_ms < 0 ? -1 : opt->silence_ms;
	if (opt && opt->deadline_ms > 0) {
		cmd->deadline_ms = opt->deadline_ms;
		cmd->deadline = now + opt->deadline_ms; /* int on int64: no overflow */
	}
	return cmd;
}

void cmd_drop_queue(ros_cmd *cmd)
{
	for (size_t i = 0; i < cmd->count; i++)
		ros_sentence_free(cmd->q[cmd->head + i]);
	cmd->head = 0;
	cmd->count = 0;
	cmd->held_bytes = 0;
}

void cmd_free(ros_cmd *cmd)
{
	if (!cmd)
		return;
	cmd_drop_queue(cmd);
	free(cmd->q);
	free(cmd);
}

size_t cmd_sentence_cost(const ros_sentence *s)
{
	return s->size + sizeof(ros_sentence *); /* and its slot in the queue */
}

/* Makes room for one more sentence at the end of the queue: first by
 * moving the live part to the front, else by growing the array. */
static int make_room(ros_cmd *cmd)
{
	if (cmd->head + cmd->count < cmd->cap)
		return ROS_OK;
	if (cmd->head > 0) {
		memmove(cmd->q, cmd->q + cmd->head, cmd->count * sizeof cmd->q[0]);
		cmd->head = 0;
		return ROS_OK;
	}
	size_t cap = cmd->cap ? cmd->cap * 2 : 8;
	if (cap > SIZE_MAX / sizeof cmd->q[0])
		return ROS_ERR_NOMEM;
	ros_sentence **q = realloc(cmd->q, cap * sizeof q[0]);
	if (!q)
		return ROS_ERR_NOMEM;
	cmd->q = q;
	cmd->cap = cap;
	return ROS_OK;
}

int cmd_push(ros_cmd *cmd, ros_sentence *s)
{
	if (make_room(cmd) != ROS_OK) {
		ros_sentence_free(s);
		return ROS_ERR_NOMEM;
	}
	cmd->q[cmd->head + cmd->count++] = s;
	cmd->held_bytes += cmd_sentence_cost(s);
	return ROS_OK;
}

ros_sentence *ros_cmd_take(ros_cmd *cmd)
{
	if (!cmd || cmd->count == 0)
		return NULL;
	ros_sentence *s = cmd->q[cmd->head++];
	cmd->count--;
	cmd->held_bytes -= cmd_sentence_cost(s);
	if (cmd->count == 0)
		cmd->head = 0;
	return s;
}

int ros_cmd_status(const ros_cmd *cmd)
{
	return cmd->status;
}

const char *ros_cmd_tag(const ros_cmd *cmd)
{
	return cmd->tag;
}
