/* recorder.c — see recorder.h. */
#include "recorder.h"

#include <stdlib.h>
#include <string.h>

/* Traffic of one 5-minute bucket not yet committed. */
struct piece {
	int64_t start;
	uint64_t rx, tx;
};

struct rec_iface {
	int64_t id;            /* interfaces.id in the store */
	bool have;             /* last is valid */
	bool dirty;            /* last changed since the last commit */
	struct acct_reading last;
	uint64_t total_rx, total_tx; /* committed + pending */
	struct piece *pieces;  /* pending, in time order */
	size_t npieces, cap;
};

struct recorder {
	store *s;
	struct recorder_options opt;
	struct rec_iface *ifs;
	size_t n, cap;
	int *dirty;        /* handles with dirty set, so a commit visits only them */
	size_t ndirty, capdirty;
	int64_t last_commit;
	int64_t last_prune;
	bool must_commit; /* an event that commits at once happened */
};

struct recorder *recorder_new(store *s, const struct recorder_options *opt)
{
	struct recorder *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->s = s;
	r->opt = *opt;
	if (r->opt.commit_interval < 1)
		r->opt.commit_interval = 1;
	r->last_commit = -1;
	r->last_prune = -1;
	return r;
}

void recorder_free(struct recorder *r, int64_t now)
{
	if (!r)
		return;
	recorder_flush(r, now);
	for (size_t i = 0; i < r->n; i++)
		free(r->ifs[i].pieces);
	free(r->ifs);
	free(r->dirty);
	free(r);
}

int recorder_interface(struct recorder *r, const char *router, const char *iface)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct rec_iface *n = realloc(r->ifs, cap * sizeof *n);
		if (!n)
			return -1;
		r->ifs = n;
		r->cap = cap;
	}
	struct rec_iface *f = &r->ifs[r->n];
	memset(f, 0, sizeof *f);
	if (store_interface_id(r->s, router, iface, &f->id) ||
	    store_load_reading(r->s, f->id, &f->last, &f->have) ||
	    store_totals(r->s, f->id, &f->total_rx, &f->total_tx))
		return -1;
	return (int)r->n++;
}

/* Adds one piece to the interface's pending list, merging equal buckets. */
static int add_piece(void *ctx, int64_t start, uint64_t rx, uint64_t tx)
{
	struct rec_iface *f = ctx;
	if (f->npieces && f->pieces[f->npieces - 1].start == start) {
		f->pieces[f->npieces - 1].rx += rx;
		f->pieces[f->npieces - 1].tx += tx;
		return 0;
	}
	if (f->npieces == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;
		struct piece *n = realloc(f->pieces, cap * sizeof *n);
		if (!n)
			return -1;
		f->pieces = n;
		f->cap = cap;
	}
	f->pieces[f->npieces++] = (struct piece){start, rx, tx};
	return 0;
}

/* Remembers that h has something to commit. */
static int mark_dirty(struct recorder *r, int h)
{
	if (r->ndirty == r->capdirty) {
		size_t cap = r->capdirty ? r->capdirty * 2 : 64;
		int *n = realloc(r->dirty, cap * sizeof *n);
		if (!n)
			return -1;
		r->dirty = n;
		r->capdirty = cap;
	}
	r->dirty[r->ndirty++] = h;
	return 0;
}

int recorder_add(struct recorder *r, int h, const struct acct_reading *reading, int64_t now,
		 struct acct_delta *out)
{
	struct rec_iface *f = &r->ifs[h];
	struct acct_limits lim = {r->opt.max_rate, -1};
	struct acct_delta d = acct_compute(f->have ? &f->last : NULL, reading, &lim);
	if (out)
		*out = d;
	if (d.kind == ACCT_STALE)
		return 0;
	if (!f->dirty) {
		if (mark_dirty(r, h))
			return -1;
		f->dirty = true;
	}
	if (acct_split(&d, add_piece, f))
		return -1;
	f->last = *reading;
	f->have = true;
	f->total_rx += d.rx;
	f->total_tx += d.tx;
	if (d.kind != ACCT_NORMAL)
		r->must_commit = true;
	if (r->last_commit < 0)
		r->last_commit = now;
	if (r->must_commit || now - r->last_commit >= r->opt.commit_interval)
		return recorder_flush(r, now);
	return 0;
}

/* Writes the interface's pending pieces into every step's buckets,
 * summing neighbours that fall into the same bucket first. */
static int write_pieces(struct recorder *r, const struct rec_iface *f)
{
	for (int step = 0; step < STEP_COUNT; step++) {
		int64_t cur = 0;
		uint64_t rx = 0, tx = 0;
		for (size_t i = 0; i < f->npieces; i++) {
			int64_t b = step == STEP_5MIN ? f->pieces[i].start
						      : calendar_bucket_start((enum step)step,
									      f->pieces[i].start);
			if (i > 0 && b != cur) {
				if (store_add_traffic(r->s, f->id, (enum step)step, cur, rx, tx))
					return -1;
				rx = tx = 0;
			}
			cur = b;
			rx += f->pieces[i].rx;
			tx += f->pieces[i].tx;
		}
		if (f->npieces && store_add_traffic(r->s, f->id, (enum step)step, cur, rx, tx))
			return -1;
	}
	return 0;
}

static int write_all(struct recorder *r, int64_t now)
{
	for (size_t k = 0; k < r->ndirty; k++) {
		struct rec_iface *f = &r->ifs[r->dirty[k]];
		if (write_pieces(r, f) || store_save_reading(r->s, f->id, &f->last))
			return -1;
	}
	/* Retention: once a day is plenty for buckets of 5 minutes and more. */
	if (r->last_prune < 0 || now - r->last_prune >= 86400) {
		if (store_prune(r->s, now, r->opt.retention))
			return -1;
		r->last_prune = now;
	}
	return 0;
}

int recorder_flush(struct recorder *r, int64_t now)
{
	if (r->ndirty == 0) {
		r->last_commit = now;
		r->must_commit = false;
		return 0;
	}
	if (store_begin(r->s))
		return -1;
	if (write_all(r, now) || store_commit(r->s)) {
		/* Nothing was written: the pending state stays for the next try. */
		store_rollback(r->s);
		return -1;
	}
	for (size_t k = 0; k < r->ndirty; k++) {
		r->ifs[r->dirty[k]].dirty = false;
		r->ifs[r->dirty[k]].npieces = 0;
	}
	r->ndirty = 0;
	r->last_commit = now;
	r->must_commit = false;
	return 0;
}

int recorder_tick(struct recorder *r, int64_t now)
{
	if (r->ndirty == 0 || (!r->must_commit && now - r->last_commit < r->opt.commit_interval))
		return 0;
	return recorder_flush(r, now);
}

const struct acct_reading *recorder_last(const struct recorder *r, int h)
{
	return r->ifs[h].have ? &r->ifs[h].last : NULL;
}

void recorder_totals(const struct recorder *r, int h, uint64_t *rx, uint64_t *tx)
{
	*rx = r->ifs[h].total_rx;
	*tx = r->ifs[h].total_tx;
}

store *recorder_store(const struct recorder *r)
{
	return r->s;
}

int64_t recorder_iface_id(const struct recorder *r, int h)
{
	return r->ifs[h].id;
}

void recorder_pending(const struct recorder *r, int h, int64_t from, int64_t to, uint64_t *rx,
		      uint64_t *tx)
{
	const struct rec_iface *f = &r->ifs[h];
	*rx = *tx = 0;
	for (size_t i = 0; i < f->npieces; i++)
		if (f->pieces[i].start >= from && f->pieces[i].start < to) {
			/* Saturating: a sum of byte counts never nears 2^64 in
			 * practice, but must not wrap to a small number. */
			*rx = f->pieces[i].rx > UINT64_MAX - *rx ? UINT64_MAX : *rx + f->pieces[i].rx;
			*tx = f->pieces[i].tx > UINT64_MAX - *tx ? UINT64_MAX : *tx + f->pieces[i].tx;
		}
}
