/*
 * queues.c — simple queues (/queue/simple/print): the command words, the
 * rows with their two cumulative counters, and the index by name.
 */
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char command[] = "/queue/simple/print";
static const char proplist_word[] = "=.proplist=.id,name,target,comment,disabled,bytes";

size_t ros_queues_words_needed(size_t n)
{
	return print_words_needed(n);
}

int ros_queues_words(const char *const *names, size_t n, const char **words, char **storage)
{
	return print_words(command, proplist_word, names, n, words, storage);
}

void ros_queues_free(struct ros_queue_counters *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].target);
		free(v[i].comment);
	}
	free(v);
}

/* bytes: "UPLOAD/DOWNLOAD", two decimal counters around exactly one '/'. */
static int parse_bytes(const struct row_ctx *ctx, struct ros_queue_counters *q)
{
	size_t len = 0;
	const char *v = ros_sentence_get(ctx->s, "bytes", &len);
	if (!v)
		return row_fail(ctx, "no bytes");
	const char *slash = memchr(v, '/', len);
	size_t up_len = slash ? (size_t)(slash - v) : 0;
	if (slash && ros_parse_u64(v, up_len, &q->up_bytes) == ROS_OK &&
	    ros_parse_u64(slash + 1, len - up_len - 1, &q->down_bytes) == ROS_OK)
		return ROS_OK;
	char quoted[ROW_QUOTE_SIZE];
	row_quote(quoted, sizeof quoted, v, len);
	return row_fail(ctx, "bytes \"%s\" is not UPLOAD/DOWNLOAD", quoted);
}

static int parse_row(const struct row_ctx *ctx, void *row)
{
	struct ros_queue_counters *q = row;
	int rc = row_string(ctx, ".id", true, &q->id);
	if (!rc)
		rc = row_string(ctx, "name", true, &q->name);
	if (!rc)
		rc = row_string(ctx, "target", false, &q->target);
	if (!rc)
		rc = row_string(ctx, "comment", false, &q->comment);
	if (!rc)
		rc = parse_bytes(ctx, q);
	q->disabled = row_flag(ctx->s, "disabled");
	return rc;
}

static void free_rows(void *v, size_t n)
{
	ros_queues_free(v, n);
}

static const struct row_kind queue_rows = {"simple queue", sizeof(struct ros_queue_counters),
                                           parse_row, free_rows};

int ros_queues_parse(const ros_reply *r, struct ros_queue_counters **out, size_t *n, char *err,
                     size_t errsz)
{
	void *v = NULL;
	int rc = rows_parse(r, &queue_rows, &v, n, err, errsz);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

int ros_read_queues(ros_conn *c, const char *const *names, size_t n,
                    struct ros_queue_counters **out, size_t *nout)
{
	void *v = NULL;
	int rc = rows_read(c, command, proplist_word, names, n, &queue_rows, &v, nout);
	if (rc == ROS_OK)
		*out = v;
	return rc;
}

/* Entry i of an index of queue rows: its name. */
static const char *name_at(const void *index, size_t i)
{
	return ((const struct ros_queue_counters *const *)index)[i]->name;
}

const struct ros_queue_counters **ros_queues_index(const struct ros_queue_counters *v, size_t n)
{
	const struct ros_queue_counters **index = NULL;
	size_t *order = rows_order(v, n, sizeof *v, offsetof(struct ros_queue_counters, name));
	if (order && (index = calloc(n ? n : 1, sizeof *index)))
		for (size_t i = 0; i < n; i++)
			index[i] = &v[order[i]];
	free(order);
	return index;
}

const struct ros_queue_counters *ros_queues_find(const struct ros_queue_counters *const *index,
                                                 size_t n, const char *name)
{
	size_t i = rows_find(index, n, name_at, name);
	return i < n ? index[i] : NULL;
}
