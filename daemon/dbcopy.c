/*
 * dbcopy.c — tikstat copy-db (see dbcopy.h). The counters are listed
 * first into memory (their names and info copied), so that no listing is
 * open while the series and readings of each are read and written.
 */
#include "dbcopy.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* One counter of the source and its id in the destination. */
struct copy_counter {
	int64_t src_id, dst_id;
	enum store_kind kind;
	char *router, *name, *display, *address;
	bool has_last_seen;
	int64_t last_seen;
};

struct counter_list {
	struct copy_counter *v;
	size_t n, cap;
	bool oom;
};

static char *dup_or_null(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static void free_counters(struct counter_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].router);
		free(l->v[i].name);
		free(l->v[i].display);
		free(l->v[i].address);
	}
	free(l->v);
}

/* store_iface_fn: appends a copy of the counter. */
static int collect_counter(void *ctx, const struct store_iface *i)
{
	struct counter_list *l = ctx;
	struct copy_counter *v = text_grow(l->v, &l->cap, l->n + 1, sizeof *v);
	if (!v) {
		l->oom = true;
		return 1;
	}
	l->v = v;
	bool oom = false;
	struct copy_counter c = {.src_id = i->id,
	                         .kind = i->kind,
	                         .router = dup_or_null(i->router, &oom),
	                         .name = dup_or_null(i->name, &oom),
	                         .display = dup_or_null(i->info.display, &oom),
	                         .address = dup_or_null(i->info.address, &oom),
	                         .has_last_seen = i->info.has_last_seen,
	                         .last_seen = i->info.last_seen};
	l->v[l->n++] = c; /* owned by the list even when incomplete */
	if (oom) {
		l->oom = true;
		return 1;
	}
	return 0;
}

/* store_iface_fn: counts. */
static int count_counter(void *ctx, const struct store_iface *i)
{
	(void)i;
	(*(size_t *)ctx)++;
	return 0;
}

/* Where one counter's buckets go. */
struct bucket_sink {
	store *dst;
	int64_t id;
	enum step step;
	uint64_t n;
};

/* store_point_fn: adds the bucket to the destination (which is empty:
 * the sum is the bucket itself). */
static int put_bucket(void *ctx, const struct store_point *p)
{
	struct bucket_sink *b = ctx;
	if (store_add_traffic(b->dst, b->id, b->step, p->start, p->rx, p->tx))
		return -1;
	b->n++;
	return 0;
}

/* Copies counter c's row, buckets and last reading in one transaction of
 * dst; counts into st. 0, or -1 with err set. */
static int copy_counter(store *src, store *dst, struct copy_counter *c, struct dbcopy_stats *st,
                        char *err, size_t errsz)
{
	const char *kind = store_kind_name(c->kind);
	if (store_begin(dst))
		goto dst_failed;
	if (store_counter_id(dst, c->router, c->kind, c->name, &c->dst_id) ||
	    store_set_counter_info(dst, c->dst_id, c->display, c->address,
	                           c->has_last_seen ? &c->last_seen : NULL))
		goto dst_failed;
	struct bucket_sink b = {.dst = dst, .id = c->dst_id};
	for (b.step = 0; b.step < STEP_COUNT; b.step++) {
		if (store_series(src, c->src_id, b.step, INT64_MIN, INT64_MAX, put_bucket, &b))
			goto either_failed;
	}
	struct acct_reading r;
	bool have = false;
	if (store_load_reading(src, c->src_id, &r, &have)) {
		snprintf(err, errsz, "cannot read the last reading of %s %s of %s from %s: %s",
		         kind, c->name, c->router, store_path(src), store_errmsg(src));
		store_rollback(dst);
		return -1;
	}
	if (have && store_save_reading(dst, c->dst_id, &r))
		goto dst_failed;
	if (store_commit(dst))
		goto dst_failed;
	st->buckets += b.n;
	st->readings += have;
	return 0;
either_failed:
	/* put_bucket's failure is the destination's; the source's otherwise. */
	snprintf(err, errsz, "cannot copy the traffic of %s %s of %s (%s: %s; %s: %s)", kind,
	         c->name, c->router, store_path(src), store_errmsg(src), store_path(dst),
	         store_errmsg(dst));
	store_rollback(dst);
	return -1;
dst_failed:
	snprintf(err, errsz, "cannot write %s %s of %s into %s: %s", kind, c->name, c->router,
	         store_path(dst), store_errmsg(dst));
	store_rollback(dst);
	return -1;
}

static int by_src_id(const void *a, const void *b)
{
	const struct copy_counter *x = a, *y = b;
	return (x->src_id > y->src_id) - (x->src_id < y->src_id);
}

static int by_router(const void *a, const void *b)
{
	const struct copy_counter *x = a, *y = b;
	return strcmp(x->router, y->router);
}

/* The number of distinct routers of l (sorted by router on return). */
static size_t count_routers(struct counter_list *l)
{
	qsort(l->v, l->n, sizeof *l->v, by_router);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (i == 0 || strcmp(l->v[i - 1].router, l->v[i].router) != 0)
			n++;
	return n;
}

/* Copying the marks: the counters sorted by source id. */
struct mark_sink {
	store *dst;
	const struct counter_list *l;
	size_t n;
	int64_t unknown; /* a mark's counter not in the list, or 0 */
};

/* store_mark_fn: writes the mark into the destination. */
static int put_mark(void *ctx, const struct store_mark *m)
{
	struct mark_sink *k = ctx;
	int64_t dst_id = 0;
	if (m->kind != STORE_MARK_BILL_ALERT) {
		struct copy_counter key = {.src_id = m->iface};
		const struct copy_counter *c =
		        bsearch(&key, k->l->v, k->l->n, sizeof *k->l->v, by_src_id);
		if (!c) {
			k->unknown = m->iface;
			return 1;
		}
		dst_id = c->dst_id;
	}
	int rc;
	if (m->kind == STORE_MARK_ALERT)
		rc = store_mark_alert(k->dst, dst_id, m->time, m->percent);
	else if (m->kind == STORE_MARK_BILL_ALERT)
		rc = store_mark_bill_alert(k->dst, m->key ? m->key : "", m->time, m->percent);
	else
		rc = store_set_import_mark(k->dst, dst_id, m->key ? m->key : "", m->time);
	if (rc)
		return -1;
	k->n++;
	return 0;
}

/* Copies every alert, bill alert and import mark in one transaction. */
static int copy_marks(store *src, store *dst, const struct counter_list *l, struct dbcopy_stats *st,
                      char *err, size_t errsz)
{
	struct mark_sink k = {.dst = dst, .l = l};
	if (store_begin(dst)) {
		snprintf(err, errsz, "cannot write the alerts and import marks into %s: %s",
		         store_path(dst), store_errmsg(dst));
		return -1;
	}
	int rc = store_list_marks(src, put_mark, &k);
	if (rc == 0 && store_commit(dst) == 0) {
		st->marks = k.n;
		return 0;
	}
	if (k.unknown)
		snprintf(err, errsz,
		         "%s holds an alert or import mark of counter %" PRId64
		         " that does not exist",
		         store_path(src), k.unknown);
	else
		snprintf(err, errsz, "cannot copy the alerts and import marks (%s: %s; %s: %s)",
		         store_path(src), store_errmsg(src), store_path(dst), store_errmsg(dst));
	store_rollback(dst);
	return -1;
}

/* Refuses a destination holding counters. */
static int check_empty(store *dst, char *err, size_t errsz)
{
	size_t n = 0;
	if (store_list_counters(dst, count_counter, &n)) {
		snprintf(err, errsz, "cannot read %s: %s", store_path(dst), store_errmsg(dst));
		return -1;
	}
	if (n) {
		snprintf(err, errsz,
		         "%s already holds %zu counter%s; copy-db fills an empty database only",
		         store_path(dst), n, n == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

/* The copy inside the source's read transaction. */
static int copy_all(store *src, store *dst, struct counter_list *l, struct dbcopy_stats *st,
                    char *err, size_t errsz)
{
	if (store_list_counters(src, collect_counter, l) || l->oom) {
		snprintf(err, errsz, "cannot list the counters of %s: %s", store_path(src),
		         l->oom ? "out of memory" : store_errmsg(src));
		return -1;
	}
	st->counters = l->n;
	st->routers = count_routers(l);
	for (size_t i = 0; i < l->n; i++)
		if (copy_counter(src, dst, &l->v[i], st, err, errsz))
			return -1;
	qsort(l->v, l->n, sizeof *l->v, by_src_id);
	return copy_marks(src, dst, l, st, err, errsz);
}

int dbcopy_run(store *src, store *dst, struct dbcopy_stats *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof *out);
	if (check_empty(dst, err, errsz))
		return -1;
	if (store_begin(src)) {
		snprintf(err, errsz, "cannot read %s: %s", store_path(src), store_errmsg(src));
		return -1;
	}
	struct counter_list l = {0};
	int rc = copy_all(src, dst, &l, out, err, errsz);
	free_counters(&l);
	store_rollback(src); /* a read: nothing to keep */
	return rc;
}
