/* recorder.c — see recorder.h. */
#include "recorder.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "text.h"

#define REMIND_DEFAULT_S     300
#define FILE_CHECK_DEFAULT_S 5
#define RETRY_MAX_S          5     /* a failing commit is retried at least this often */
#define PRUNE_EVERY_S        86400 /* retention: once a day is plenty for 5-minute buckets */
#define PRUNE_RETRY_S        3600
#define INFO_SEEN_EVERY_S    3600 /* a counter's last_seen is written at most hourly */
/* Free pages given back per store_reclaim: one call took at most 33 ms
 * (checkpoint included) on a pruned 10-year import of 6,037 free pages
 * (512: 16 ms, 8,192: 68 ms; the prune before it: 250 ms); more calls
 * follow on the next passes of the loop. */
#define RECLAIM_STEP_PAGES 2048
/* Less free space than this stays for new buckets to reuse: giving a few
 * pages back after every daily prune would cost a checkpoint for nothing. */
#define RECLAIM_MIN_BYTES  (1024 * 1024)
#define COMPACT_HINT_BYTES (1024 * 1024) /* free space worth a hint to compact */

/* Traffic of one 5-minute bucket not yet committed. */
struct piece {
	int64_t start;
	uint64_t rx, tx;
};

struct rec_iface {
	int64_t id; /* interfaces.id in the store */
	bool have;  /* last is valid */
	bool dirty; /* last changed since the last commit */
	struct acct_reading last;
	uint64_t total_rx, total_tx; /* committed + pending */
	struct piece *pieces;        /* pending, in time order */
	size_t npieces, cap;
	bool released; /* recorder_release: the slot may be given again */
	/* what the router says of a queue or device (store_set_counter_info),
	 * written with the next commit when info_dirty */
	bool info_dirty;
	char *display, *address; /* owned, NULL unknown */
	int64_t last_seen;       /* 0 unknown */
};

struct recorder {
	store *s;
	struct recorder_options opt;
	struct rec_iface *ifs;
	size_t n, cap;
	int *dirty; /* handles with dirty set, so a commit visits only them */
	size_t ndirty, capdirty;
	int64_t last_commit;
	int64_t last_prune;
	bool must_commit;  /* an event that commits at once happened */
	bool reclaiming;   /* a prune freed pages: give them back, a step a tick */
	int64_t reclaimed; /* pages given back since that prune */
	bool compact_hint; /* the hint to run tikstat --compact was logged */
	struct store_health health;
	int64_t retry_at;           /* failing: no new attempt before (wall s) */
	int64_t fail_mono;          /* failing: monotonic s of the first failure */
	uint64_t failures_now;      /* failed commits of the current failure */
	int64_t commit_remind_mono; /* monotonic s of the last commit failure line */
	int64_t prune_remind_mono;
	int64_t file_check_mono; /* last file check, -1 none */
	int64_t file_remind_mono;
	char commit_error[256];
	char prune_error[256];
	char integrity_error[256];
};

/* Seconds on the monotonic clock: durations that a clock step must not bend. */
static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* While commits fail, attempts wait for retry_at (a wall clock stepped
 * back never postpones them: then at once). */
static bool retry_wait(const struct recorder *r, int64_t now)
{
	return r->health.commit_failing && now < r->retry_at && r->retry_at - now <= RETRY_MAX_S;
}

struct recorder *recorder_new(store *s, const struct recorder_options *opt)
{
	struct recorder *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->s = s;
	r->opt = *opt;
	if (r->opt.commit_interval < 1)
		r->opt.commit_interval = 1;
	if (r->opt.remind_interval <= 0)
		r->opt.remind_interval = REMIND_DEFAULT_S;
	if (r->opt.file_check_interval <= 0)
		r->opt.file_check_interval = FILE_CHECK_DEFAULT_S;
	r->last_commit = -1;
	r->last_prune = -1;
	r->file_check_mono = -1;
	return r;
}

/* Frees what slot f owns. */
static void clear_slot(struct rec_iface *f)
{
	free(f->pieces);
	free(f->display);
	free(f->address);
	memset(f, 0, sizeof *f);
}

void recorder_free(struct recorder *r, int64_t now)
{
	if (!r)
		return;
	recorder_flush(r, now);
	for (size_t i = 0; i < r->n; i++)
		clear_slot(&r->ifs[i]);
	free(r->ifs);
	free(r->dirty);
	free(r);
}

static int mark_dirty(struct recorder *r, int h);

/* A free slot: a released one, else a new one at the end (-1 when out
 * of memory). Devices come and go: their slots are used again. */
static int free_slot(struct recorder *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->ifs[i].released)
			return (int)i;
	struct rec_iface *n = text_grow(r->ifs, &r->cap, r->n + 1, sizeof *n);
	if (!n)
		return -1;
	r->ifs = n;
	memset(&r->ifs[r->n], 0, sizeof r->ifs[r->n]);
	r->ifs[r->n].released = true;
	return (int)r->n++;
}

int recorder_counter(struct recorder *r, const char *router, enum store_kind kind, const char *name)
{
	int h = free_slot(r);
	if (h < 0)
		return -1;
	struct rec_iface *f = &r->ifs[h];
	struct rec_iface fresh = {0};
	if (store_counter_id(r->s, router, kind, name, &fresh.id) ||
	    store_load_reading(r->s, fresh.id, &fresh.last, &fresh.have) ||
	    store_totals(r->s, fresh.id, &fresh.total_rx, &fresh.total_tx))
		return -1; /* the slot stays released */
	*f = fresh;
	return h;
}

int recorder_interface(struct recorder *r, const char *router, const char *iface)
{
	return recorder_counter(r, router, STORE_IFACE, iface);
}

int recorder_release(struct recorder *r, int h, int64_t now)
{
	if (r->ifs[h].dirty && recorder_flush(r, now))
		return -1;
	clear_slot(&r->ifs[h]);
	r->ifs[h].released = true;
	return 0;
}

/* Replaces *slot with a copy of value (NULL keeps it); whether it changed. */
static bool set_text(char **slot, const char *value)
{
	if (!value || (*slot && strcmp(*slot, value) == 0))
		return false;
	char *copy = strdup(value);
	if (!copy)
		return false; /* kept as it was: written with a later change */
	free(*slot);
	*slot = copy;
	return true;
}

int recorder_set_info(struct recorder *r, int h, const char *display, const char *address,
                      int64_t seen)
{
	struct rec_iface *f = &r->ifs[h];
	bool changed = set_text(&f->display, display);
	changed |= set_text(&f->address, address);
	/* last_seen only needs the precision of device_idle (days): written
	 * hourly, not with every poll of hundreds of devices. */
	if (seen - f->last_seen >= INFO_SEEN_EVERY_S || seen < f->last_seen) {
		f->last_seen = seen;
		changed = true;
	}
	if (!changed || f->info_dirty)
		return 0;
	if (!f->dirty) {
		if (mark_dirty(r, h))
			return -1;
		f->dirty = true;
	}
	f->info_dirty = true;
	return 0;
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
	struct piece *n = text_grow(f->pieces, &f->cap, f->npieces + 1, sizeof *n);
	if (!n)
		return -1;
	f->pieces = n;
	f->pieces[f->npieces++] = (struct piece){start, rx, tx};
	return 0;
}

/* Remembers that h has something to commit. */
static int mark_dirty(struct recorder *r, int h)
{
	int *n = text_grow(r->dirty, &r->capdirty, r->ndirty + 1, sizeof *n);
	if (!n)
		return -1;
	r->dirty = n;
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
			goto oom;
		f->dirty = true;
	}
	if (acct_split(&d, add_piece, f))
		goto oom;
	f->last = *reading;
	f->have = true;
	f->total_rx += d.rx;
	f->total_tx += d.tx;
	if (d.kind != ACCT_NORMAL)
		r->must_commit = true;
	if (r->last_commit < 0)
		r->last_commit = now;
	if (retry_wait(r, now))
		return 0; /* pending; the failure was reported */
	/* now < last_commit: the wall clock stepped back; commit rather than
	 * hold readings in memory until it catches up. */
	if (r->must_commit || now < r->last_commit ||
	    now - r->last_commit >= r->opt.commit_interval)
		return recorder_flush(r, now);
	return 0;
oom:
	log_warnx("out of memory: a reading is lost (the next one counts its traffic)");
	return -1;
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

static int write_all(struct recorder *r)
{
	for (size_t k = 0; k < r->ndirty; k++) {
		struct rec_iface *f = &r->ifs[r->dirty[k]];
		if (write_pieces(r, f) || (f->have && store_save_reading(r->s, f->id, &f->last)))
			return -1;
		if (f->info_dirty &&
		    store_set_counter_info(r->s, f->id, f->display, f->address, &f->last_seen))
			return -1;
	}
	return 0;
}

/* ---- health ---- */

/* Recomputes the one-line problem and tells the listener. */
static void publish(struct recorder *r)
{
	struct store_health *h = &r->health;
	char *p = h->problem;
	size_t n = sizeof h->problem;
	if (h->commit_failing) {
		char when[32];
		time_t t = (time_t)h->failing_since;
		struct tm tm;
		if (!localtime_r(&t, &tm) || !strftime(when, sizeof when, "%H:%M:%S", &tm))
			snprintf(when, sizeof when, "%" PRId64, h->failing_since);
		snprintf(p, n, "failing since %s: %s", when, r->commit_error);
	} else if (h->file == STORE_FILE_DELETED) {
		snprintf(p, n, "file deleted: %s (being written back)", store_path(r->s));
	} else if (h->file == STORE_FILE_REPLACED) {
		snprintf(p, n, "file replaced: another file is at %s", store_path(r->s));
	} else if (h->integrity_bad) {
		snprintf(p, n, "damaged: %s", r->integrity_error);
	} else if (h->prune_failing) {
		snprintf(p, n, "cannot prune old data: %s", r->prune_error);
	} else {
		p[0] = '\0';
	}
	if (r->opt.on_health)
		r->opt.on_health(r->opt.health_ctx, h);
}

/* A commit failed: logged when the failure starts and every
 * remind_interval while it lasts; the next attempt is scheduled. */
static void commit_failed(struct recorder *r, int64_t now)
{
	struct store_health *h = &r->health;
	int64_t m = mono_s();
	snprintf(r->commit_error, sizeof r->commit_error, "%s", store_errmsg(r->s));
	h->commit_failures++;
	r->failures_now++;
	if (!h->commit_failing) {
		h->commit_failing = true;
		h->failing_since = now;
		r->fail_mono = m;
		r->commit_remind_mono = m;
		log_warnx("database: cannot commit: %s; the readings stay in memory and are "
		          "retried (one line every %d s while this lasts)",
		          r->commit_error, r->opt.remind_interval);
	} else if (m - r->commit_remind_mono >= r->opt.remind_interval) {
		r->commit_remind_mono = m;
		log_warnx("database: still cannot commit, for %" PRId64 " s, %" PRIu64
		          " commits failed since: %s",
		          m - r->fail_mono, r->failures_now, r->commit_error);
	}
	int wait = r->opt.commit_interval < RETRY_MAX_S ? r->opt.commit_interval : RETRY_MAX_S;
	r->retry_at = now + wait;
	publish(r);
}

static void commit_ok(struct recorder *r, int64_t now)
{
	struct store_health *h = &r->health;
	h->last_commit = now;
	if (h->commit_failing) {
		h->commit_failing = false;
		log_info("database: writable again after %" PRId64 " s, %" PRIu64
		         " commits failed, nothing lost while the router kept counting",
		         mono_s() - r->fail_mono, r->failures_now);
		r->failures_now = 0;
		r->commit_error[0] = '\0';
	}
	publish(r);
}

/* Deletes buckets past their retention, in a transaction of its own:
 * daily, hourly while it fails. A failure is logged when it starts and at
 * most every remind_interval, and never affects the readings' commits. */
static void prune(struct recorder *r, int64_t now)
{
	int64_t every = r->health.prune_failing ? PRUNE_RETRY_S : PRUNE_EVERY_S;
	if (r->last_prune >= 0 && now >= r->last_prune && now - r->last_prune < every)
		return;
	r->last_prune = now;
	if (store_begin(r->s) == 0 &&
	    store_prune_kind(r->s, STORE_IFACE, now, r->opt.retention) == 0 &&
	    store_prune_kind(r->s, STORE_QUEUE, now, r->opt.retention) == 0 &&
	    store_prune_kind(r->s, STORE_DEVICE, now, r->opt.device_retention) == 0 &&
	    store_commit(r->s) == 0) {
		r->reclaiming = true;
		r->reclaimed = 0;
		if (r->health.prune_failing) {
			r->health.prune_failing = false;
			log_info("database: old buckets deleted again (retention)");
			publish(r);
		}
		return;
	}
	snprintf(r->prune_error, sizeof r->prune_error, "%s", store_errmsg(r->s));
	store_rollback(r->s);
	int64_t m = mono_s();
	if (!r->health.prune_failing || m - r->prune_remind_mono >= r->opt.remind_interval) {
		log_warnx("database: cannot delete old buckets (retention): %s; new readings are "
		          "still committed; retrying hourly (a damaged page? see tikstatd(8), "
		          "\"Database faults\")",
		          r->prune_error);
		r->prune_remind_mono = m;
	}
	if (!r->health.prune_failing) {
		r->health.prune_failing = true;
		publish(r);
	}
}

/* The end of giving pages back: one line when some were, or (once) the
 * hint for a file that cannot shrink by itself. */
static void reclaim_done(struct recorder *r)
{
	struct store_space sp;
	r->reclaiming = false;
	if (store_space(r->s, &sp))
		return;
	if (r->reclaimed > 0)
		log_info("database: %" PRId64 " pages (%.1f MiB) returned to the filesystem",
		         r->reclaimed, (double)r->reclaimed * (double)sp.page_size / 1048576.0);
	/* Older files hold their free pages until tikstat --compact: said once
	 * a run, when it is worth it (a MiB or more). */
	if (!sp.incremental && !r->compact_hint && sp.page_size > 0 &&
	    sp.free_pages >= COMPACT_HINT_BYTES / sp.page_size) {
		r->compact_hint = true;
		log_info("database: %.1f MiB free inside %s stay in the file (made before tikstat "
		         "returned free space): run tikstat --compact once to let it shrink after "
		         "pruning (tikstatd(8), \"Database maintenance\")",
		         (double)sp.free_pages * (double)sp.page_size / 1048576.0,
		         store_path(r->s));
	}
}

/* After a prune: gives the freed pages back in bounded steps, one per
 * call, so that no call holds the write lock long, when there are at
 * least RECLAIM_MIN_BYTES of them. A failure ends it until the next prune
 * (the pages stay free inside the file: no harm). */
static void reclaim(struct recorder *r)
{
	struct store_space sp;
	if (r->reclaimed == 0 && (store_space(r->s, &sp) || !sp.incremental || sp.page_size <= 0 ||
	                          sp.free_pages < RECLAIM_MIN_BYTES / sp.page_size)) {
		reclaim_done(r);
		return;
	}
	int freed = 0;
	if (store_reclaim(r->s, RECLAIM_STEP_PAGES, &freed)) {
		log_warnx("database: cannot return free pages to the filesystem: %s (trying "
		          "again after the next prune)",
		          store_errmsg(r->s));
		r->reclaiming = false;
		return;
	}
	r->reclaimed += freed;
	if (freed < RECLAIM_STEP_PAGES)
		reclaim_done(r);
}

/* Whether a problem that lasts should be logged again now. */
static bool remind(struct recorder *r, int64_t *last, int64_t m)
{
	if (m - *last < r->opt.remind_interval)
		return false;
	*last = m;
	return true;
}

/* A deleted file: written back from the open connection at once. */
static enum store_file file_deleted(struct recorder *r, enum store_file was, int64_t m)
{
	const char *path = store_path(r->s);
	if (was != STORE_FILE_DELETED) {
		log_errorx("database: %s was deleted while tikstatd has it open; writing the "
		           "history back from the open file",
		           path);
		r->health.file = STORE_FILE_DELETED;
		publish(r);
	}
	if (store_restore_file(r->s) == 0) {
		log_warnx("database: %s restored: history kept, tikstatd goes on writing it", path);
		return STORE_FILE_OK;
	}
	if (was != STORE_FILE_DELETED || remind(r, &r->file_remind_mono, m)) {
		r->file_remind_mono = m;
		log_errorx("database: cannot restore %s: %s (retrying)", path, store_errmsg(r->s));
	}
	return STORE_FILE_DELETED;
}

/* A replaced file: reported (once, then every remind_interval) and left
 * alone; tikstatd goes on writing the file it has open. */
static void file_replaced(struct recorder *r, enum store_file was, int64_t m)
{
	const char *path = store_path(r->s);
	if (was != STORE_FILE_REPLACED && store_detach_side_files(r->s) < 0)
		log_errorx("database: %s", store_errmsg(r->s));
	if (was == STORE_FILE_REPLACED && !remind(r, &r->file_remind_mono, m))
		return;
	r->file_remind_mono = m;
	log_errorx("database: %s is another file now, not the one tikstatd has open; "
	           "tikstatd goes on writing the file it has open (wherever it was moved to; "
	           "its -wal and -shm are renamed *.detached so that they cannot mix with the "
	           "new file) and never writes the new one. To keep tikstatd's history, move "
	           "the new file away: tikstatd then writes its history back to %s. To use "
	           "the new file instead, restart tikstatd (or send SIGHUP): the routers' "
	           "counters carry the traffic since the new file's last reading into it",
	           path, path);
}

/* Checks the file at the path every file_check_interval. */
static void check_file(struct recorder *r)
{
	int64_t m = mono_s();
	if (r->file_check_mono >= 0 && m - r->file_check_mono < r->opt.file_check_interval)
		return;
	r->file_check_mono = m;
	enum store_file was = r->health.file;
	if (store_reconnect(r->s) < 0)
		return; /* a restore could not reopen: reported, tried again next time */
	enum store_file now = store_file_check(r->s);
	if (now == STORE_FILE_DELETED)
		now = file_deleted(r, was, m);
	else if (now == STORE_FILE_REPLACED)
		file_replaced(r, was, m);
	else if (was == STORE_FILE_REPLACED && store_attach_side_files(r->s) == 0)
		log_info("database: %s is the open file again", store_path(r->s));
	else if (was == STORE_FILE_REPLACED)
		log_errorx("database: %s", store_errmsg(r->s));
	if (now != r->health.file) {
		r->health.file = now;
		publish(r);
	}
}

const struct store_health *recorder_health(const struct recorder *r)
{
	return &r->health;
}

void recorder_set_integrity(struct recorder *r, const char *problem)
{
	r->health.integrity_bad = problem != NULL;
	snprintf(r->integrity_error, sizeof r->integrity_error, "%s", problem ? problem : "");
	publish(r);
}

int recorder_flush(struct recorder *r, int64_t now)
{
	if (r->ndirty == 0) {
		r->last_commit = now;
		r->must_commit = false;
		return 0;
	}
	if (store_begin(r->s) || write_all(r) || store_commit(r->s)) {
		/* Nothing was written: the pending state stays for the next try. */
		store_rollback(r->s);
		commit_failed(r, now);
		return -1;
	}
	for (size_t k = 0; k < r->ndirty; k++) {
		r->ifs[r->dirty[k]].dirty = false;
		r->ifs[r->dirty[k]].info_dirty = false;
		r->ifs[r->dirty[k]].npieces = 0;
	}
	r->ndirty = 0;
	r->last_commit = now;
	r->must_commit = false;
	commit_ok(r, now);
	prune(r, now);
	return 0;
}

int recorder_tick(struct recorder *r, int64_t now)
{
	check_file(r);
	if (r->reclaiming && !r->health.commit_failing)
		reclaim(r);
	if (r->ndirty == 0 || retry_wait(r, now) ||
	    (!r->must_commit && now >= r->last_commit &&
	     now - r->last_commit < r->opt.commit_interval))
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
			*rx = acct_sat_add(*rx, f->pieces[i].rx);
			*tx = acct_sat_add(*tx, f->pieces[i].tx);
		}
}
