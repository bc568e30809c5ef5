/*
 * rows.c — reading the rows of a print reply: properties copied and
 * checked, a malformed row named in one message, the words of a print
 * filtered by names, and the sorted indexes the look-ups use. Shared by
 * the interface counters (helpers.c), simple queues (queues.c) and
 * kid-control devices and DHCP leases (devices.c).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *row_dup(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

void row_quote(char *out, size_t outsz, const char *v, size_t len)
{
	escape_bytes(out, outsz, v, len, ROW_QUOTE_MAX);
}

/* " (.id X, name "Y")" for a row that has them, escaped; "" without. */
static void row_who(const ros_sentence *s, char *out, size_t outsz)
{
	size_t idl = 0, nl = 0;
	const char *id = ros_sentence_get(s, ".id", &idl);
	const char *name = ros_sentence_get(s, "name", &nl);
	char qid[ROW_QUOTE_SIZE] = "", qname[ROW_QUOTE_SIZE] = "";
	if (id)
		row_quote(qid, sizeof qid, id, idl);
	if (name)
		row_quote(qname, sizeof qname, name, nl);
	snprintf(out, outsz, "%s%s%s%s%s%s%s", id || name ? " (" : "", id ? ".id " : "", qid,
	         id && name ? ", " : "", name ? "name \"" : "", qname,
	         id || name ? (name ? "\")" : ")") : "");
}

int row_fail(const struct row_ctx *ctx, const char *fmt, ...)
{
	if (!ctx->err || ctx->errsz == 0)
		return ROS_ERR_PROTOCOL;
	char who[2 * ROW_QUOTE_SIZE + 32];
	row_who(ctx->s, who, sizeof who);
	int k = snprintf(ctx->err, ctx->errsz, "%s %zu%s: ", ctx->kind, ctx->number, who);
	if (k >= 0 && (size_t)k < ctx->errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ctx->err + k, ctx->errsz - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return ROS_ERR_PROTOCOL;
}

int row_string(const struct row_ctx *ctx, const char *key, bool required, char **out)
{
	size_t len = 0;
	const char *v = ros_sentence_get(ctx->s, key, &len);
	if (!v && required)
		return row_fail(ctx, "no %s", key);
	if (!v)
		v = "";
	/* Rows become C strings: a NUL inside would cut them silently. */
	if (memchr(v, '\0', len))
		return row_fail(ctx, "%s holds a NUL byte", key);
	*out = row_dup(v, len);
	return *out ? ROS_OK : ROS_ERR_NOMEM;
}

int row_u64(const struct row_ctx *ctx, const char *key, bool required, uint64_t *out)
{
	size_t len = 0;
	const char *v = ros_sentence_get(ctx->s, key, &len);
	*out = 0;
	if (!v)
		return required ? row_fail(ctx, "no %s", key) : ROS_OK;
	if (ros_parse_u64(v, len, out) == ROS_OK)
		return ROS_OK;
	char q[ROW_QUOTE_SIZE];
	row_quote(q, sizeof q, v, len);
	return row_fail(ctx, "%s \"%s\" is not a decimal counter", key, q);
}

int row_flag(const ros_sentence *s, const char *key)
{
	size_t len;
	const char *v = ros_sentence_get(s, key, &len);
	if (!v)
		return -1;
	return (len == 4 && !memcmp(v, "true", 4)) || (len == 3 && !memcmp(v, "yes", 3));
}

int rows_parse(const ros_reply *r, const struct row_kind *kind, void **out, size_t *n, char *err,
               size_t errsz)
{
	size_t rows = ros_reply_rows(r), k = 0;
	char *v = calloc(rows ? rows : 1, kind->size);
	struct row_ctx ctx = {.kind = kind->name, .err = err, .errsz = errsz};
	if (!v)
		return ROS_ERR_NOMEM;
	if (err && errsz)
		err[0] = '\0';
	for (size_t i = 0; i < ros_reply_count(r); i++) {
		ctx.s = ros_reply_sentence(r, i);
		if (ros_sentence_type(ctx.s) != ROS_REPLY_RE)
			continue;
		ctx.number++;
		int rc = kind->parse(&ctx, v + k * kind->size);
		if (rc == ROW_SKIP)
			continue;
		/* A row that failed half-way holds what it copied: free it too. */
		k++;
		if (rc) {
			kind->free_rows(v, k);
			return rc;
		}
	}
	*out = v;
	*n = k;
	return ROS_OK;
}

int rows_read(ros_conn *c, const char *command, const char *proplist, const char *const *names,
              size_t nn, const struct row_kind *kind, void **out, size_t *n)
{
	const char **words = malloc(print_words_needed(nn) * sizeof *words);
	char *storage = NULL;
	ros_reply *r = NULL;
	if (!words)
		return ROS_ERR_NOMEM;
	int rc = print_words(command, proplist, names, nn, words, &storage);
	if (rc >= 0)
		rc = ros_command(c, words, (size_t)rc, &r);
	if (rc == ROS_OK) {
		char err[ROS_ROW_ERR_SIZE];
		rc = rows_parse(r, kind, out, n, err, sizeof err);
		if (rc == ROS_ERR_PROTOCOL)
			conn_set_error(c, err);
	}
	ros_reply_free(r);
	free(storage);
	free(words);
	return rc;
}

size_t print_words_needed(size_t n)
{
	return 2 + n + (n > 1 ? n - 1 : 0);
}

int print_words(const char *command, const char *proplist, const char *const *names, size_t n,
                const char **words, char **storage)
{
	static const char query[] = "?name=";
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		/* The same long name given many times could wrap the sum. */
		if (l > SIZE_MAX - sizeof query - bytes)
			return ROS_ERR_NOMEM;
		bytes += l + sizeof query;
	}
	char *store = malloc(bytes ? bytes : 1);
	if (!store)
		return ROS_ERR_NOMEM;
	size_t w = 0;
	char *p = store;
	words[w++] = command;
	words[w++] = proplist;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		memcpy(p, query, sizeof query - 1);
		memcpy(p + sizeof query - 1, names[i], l + 1);
		words[w++] = p;
		p += sizeof query + l;
		/* RouterOS ANDs query words: fold each further name in with OR. */
		if (i > 0)
			words[w++] = "?#|";
	}
	*storage = store;
	return (int)w;
}

/* The string member at offset key of row i. */
static const char *key_of(const char *v, size_t size, size_t key, size_t i)
{
	char *const *member = (const void *)(v + i * size + key);
	return *member;
}

/* Merges the sorted runs a[lo..mid) and a[mid..hi) into out[lo..hi),
 * taking from the left run on ties: the sort stays stable. */
static void merge(const size_t *a, size_t *out, size_t lo, size_t mid, size_t hi, const char *v,
                  size_t size, size_t key)
{
	size_t i = lo, j = mid, k = lo;
	while (i < mid && j < hi) {
		if (strcmp(key_of(v, size, key, a[j]), key_of(v, size, key, a[i])) < 0)
			out[k++] = a[j++];
		else
			out[k++] = a[i++];
	}
	while (i < mid)
		out[k++] = a[i++];
	while (j < hi)
		out[k++] = a[j++];
}

size_t *rows_order(const void *v, size_t n, size_t size, size_t key)
{
	size_t *a = calloc(n ? n : 1, sizeof *a);
	size_t *tmp = calloc(n ? n : 1, sizeof *tmp);
	if (!a || !tmp) {
		free(a);
		free(tmp);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = i;
	/* Bottom-up merge sort: stable, so equal keys keep reply order. */
	for (size_t width = 1; width<n; width = width> n / 2 ? n : 2 * width) {
		for (size_t lo = 0; lo<n; lo = n - lo> 2 * width ? lo + 2 * width : n) {
			size_t mid = n - lo > width ? lo + width : n;
			size_t hi = n - mid > width ? mid + width : n;
			merge(a, tmp, lo, mid, hi, v, size, key);
		}
		size_t *swap = a;
		a = tmp;
		tmp = swap;
	}
	free(tmp);
	return a;
}

size_t rows_find(const void *index, size_t n, index_key_fn key, const char *want)
{
	size_t lo = 0, hi = n;
	/* The lower bound: the first of equal keys, i.e. the first in reply order. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(key(index, mid), want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(key(index, lo), want) == 0 ? lo : n;
}
