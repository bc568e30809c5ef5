/*
 * legacy.c — reading the old PHP setup's database and importing it; see
 * legacy.h. Includes sqlite3.h to read that foreign file (read-only); the
 * tikstat database is only ever touched through store.h.
 */
#include "legacy.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "recorder.h"

/* Free pages given back per transaction after an import (as tikstatd's
 * recorder: tens of milliseconds of write lock each). */
#define LEGACY_RECLAIM_STEP 2048

/* ------------------------------------------------------------------ */
/* reading                                                             */
/* ------------------------------------------------------------------ */

/* Parses unsigned decimal digits (blanks around allowed). 0 or -1. */
static int parse_digits(const char *s, uint64_t *out)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s)
		return -1;
	*out = v;
	return 0;
}

/* A counter column: an integer, integral real or decimal text, >= 0. */
static int value_u64(const struct legacy_value *v, uint64_t *out)
{
	switch (v->type) {
	case LEGACY_INTEGER:
		if (v->i < 0)
			return -1;
		*out = (uint64_t)v->i;
		return 0;
	case LEGACY_FLOAT: {
		/* Counters above 2^63 written as numbers become REAL in SQLite. */
		double d = v->d;
		if (!(d >= 0) || d >= 18446744073709551616.0 || (double)(uint64_t)d != d)
			return -1; /* negative, NaN, too big, or a fraction */
		*out = (uint64_t)d;
		return 0;
	}
	case LEGACY_TEXT: return parse_digits(v->text, out);
	default: return -1;
	}
}

/* A timestamp column: Unix seconds (integer, real or digits) or a local
 * (UTC with text_utc) date and time as text. */
static int value_time(const struct legacy_value *v, bool text_utc, int64_t *out)
{
	if (v->type == LEGACY_INTEGER) {
		*out = v->i;
		return 0;
	}
	if (v->type == LEGACY_FLOAT) {
		double d = v->d;
		if (!(d > -9.2e18 && d < 9.2e18))
			return -1;
		/* Whole seconds, rounded down (the cast truncates toward zero). */
		*out = (int64_t)d - ((double)(int64_t)d > d);
		return 0;
	}
	if (v->type != LEGACY_TEXT)
		return -1;
	const char *text = v->text;
	uint64_t secs;
	if (parse_digits(text, &secs) == 0) {
		if (secs > INT64_MAX)
			return -1;
		*out = (int64_t)secs;
		return 0;
	}
	char buf[64];
	while (*text == ' ')
		text++;
	size_t n = strlen(text);
	while (n && text[n - 1] == ' ')
		n--;
	if (n >= sizeof buf - 2)
		return -1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	/* "2026-03-01 12:00:00.123": fractions of a second do not matter. */
	char *dot = n > 19 ? strchr(buf + 19, '.') : NULL;
	if (dot) {
		char *end = dot + 1;
		while (*end >= '0' && *end <= '9')
			end++;
		memmove(dot, end, strlen(end) + 1);
	}
	if (text_utc) {
		char utc[sizeof buf + 1];
		memcpy(utc, buf, strlen(buf) + 1);
		strcat(utc, "Z");
		if (calendar_parse(utc, out) == 0)
			return 0;
	}
	return calendar_parse(buf, out);
}

void legacy_row_convert(const struct legacy_value v[5], bool text_utc, struct legacy_row *row)
{
	uint64_t dtx, drx;
	memset(row, 0, sizeof *row);
	if (value_time(&v[0], text_utc, &row->time))
		row->problem = "unreadable timestamp";
	else if (value_u64(&v[1], &row->tx) || value_u64(&v[2], &row->rx))
		row->problem = "unreadable tx or rx counter";
	if (!row->problem && value_u64(&v[3], &dtx) == 0 && value_u64(&v[4], &drx) == 0) {
		row->has_deltas = true;
		row->dtx = dtx;
		row->drx = drx;
	}
}

/* Column col of st's current row as a legacy_value (text borrowed from st
 * until the next step). */
static struct legacy_value column_value(sqlite3_stmt *st, int col)
{
	struct legacy_value v = {.type = LEGACY_OTHER};
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		v.type = LEGACY_INTEGER;
		v.i = sqlite3_column_int64(st, col);
		break;
	case SQLITE_FLOAT:
		v.type = LEGACY_FLOAT;
		v.d = sqlite3_column_double(st, col);
		break;
	case SQLITE_TEXT:
		v.type = LEGACY_TEXT;
		v.text = (const char *)sqlite3_column_text(st, col);
		if (!v.text)
			v.type = LEGACY_OTHER; /* out of memory */
		break;
	default: break;
	}
	return v;
}

/* The queries tried in turn: with the deltas or without, with rowid (ties
 * in insertion order) or without (a table without rowid). */
static const char *const queries[] = {
        "SELECT timestamp, tx, rx, dtx, drx FROM traffic ORDER BY timestamp, rowid",
        "SELECT timestamp, tx, rx, dtx, drx FROM traffic ORDER BY timestamp",
        "SELECT timestamp, tx, rx, NULL, NULL FROM traffic ORDER BY timestamp, rowid",
        "SELECT timestamp, tx, rx, NULL, NULL FROM traffic ORDER BY timestamp",
};

int legacy_read(const char *path, bool text_utc, legacy_row_fn fn, void *ctx, char *err,
                size_t errsz)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		snprintf(err, errsz, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "cannot open %s: not a regular file", path);
		return -1;
	}
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ret = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot open %s: %s", path,
		         db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* The old setup may still be writing it. */
	sqlite3_busy_timeout(db, 5000);
	char first_error[256] = "";
	for (size_t i = 0; i < sizeof queries / sizeof queries[0] && !st; i++) {
		if (sqlite3_prepare_v2(db, queries[i], -1, &st, NULL) != SQLITE_OK) {
			if (!first_error[0])
				snprintf(first_error, sizeof first_error, "%s", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			st = NULL;
		}
	}
	if (!st) {
		snprintf(err, errsz,
		         "%s: not a database of the old setup (a table traffic(timestamp, tx, rx, "
		         "dtx, drx) was expected): %s",
		         path, first_error);
		goto out;
	}
	int rc;
	ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct legacy_row row;
		struct legacy_value v[5];
		for (int c = 0; c < 5; c++)
			v[c] = column_value(st, c);
		legacy_row_convert(v, text_utc, &row);
		if ((ret = fn(ctx, &row)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		snprintf(err, errsz, "cannot read %s: %s", path, sqlite3_errmsg(db));
		ret = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/* Stops at the first row: legacy_check only needs the table to be read. */
static int stop_at_first_row(void *ctx, const struct legacy_row *row)
{
	(void)ctx;
	(void)row;
	return 1;
}

int legacy_check(const char *path, char *err, size_t errsz)
{
	return legacy_read(path, false, stop_at_first_row, NULL, err, errsz) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* importing                                                           */
/* ------------------------------------------------------------------ */

struct import_ctx {
	struct recorder *rec;
	int h;
	store *scratch;
	int64_t mark, cutoff;
	int64_t latest; /* rows after this are in the future */
	struct legacy_summary *sum;
	struct legacy_row candidate; /* the last row at or before the mark */
	bool have_candidate, started;
	struct acct_reading last; /* the last row accounted */
	bool have_last;
	char *err;
	size_t errsz;
};

static struct acct_reading reading_of(const struct legacy_row *row)
{
	struct acct_reading r;
	memset(&r, 0, sizeof r);
	r.time = row->time;
	r.source = ACCT_SRC_LEGACY; /* the old script's counters: a baseline for the next source */
	r.rx = row->rx;
	r.tx = row->tx;
	return r;
}

/* Accounts one row in the scratch database; counted: it is new. */
static int feed(struct import_ctx *c, const struct legacy_row *row, bool counted)
{
	struct acct_reading r = reading_of(row);
	struct acct_delta d;
	if (recorder_add(c->rec, c->h, &r, row->time, &d)) {
		snprintf(c->err, c->errsz, "scratch database: %s", store_errmsg(c->scratch));
		return -1;
	}
	if (d.kind == ACCT_STALE) {
		if (counted)
			c->sum->stale++;
		return 0;
	}
	c->last = r;
	c->have_last = true;
	if (!counted)
		return 0;
	struct legacy_summary *s = c->sum;
	if (s->imported++ == 0)
		s->first = row->time;
	s->last = row->time;
	if (d.kind == ACCT_RESET)
		s->resets++;
	else if (d.kind == ACCT_REJECTED)
		s->rejected++;
	if (d.kind == ACCT_NORMAL || d.kind == ACCT_RESET) {
		s->rx += d.rx;
		s->tx += d.tx;
		if (row->has_deltas && (row->drx != d.rx || row->dtx != d.tx))
			s->mismatches++;
	}
	return 0;
}

static int import_row(void *vctx, const struct legacy_row *row)
{
	struct import_ctx *c = vctx;
	c->sum->rows++;
	if (row->problem) {
		c->sum->malformed++;
		return 0;
	}
	if (row->time < LEGACY_TIME_MIN || row->time > c->latest) {
		if (c->sum->out_of_range++ == 0) {
			c->sum->first_out_of_range_row = c->sum->rows;
			c->sum->first_out_of_range_time = row->time;
		}
		return 0;
	}
	if (row->time <= c->mark) {
		c->sum->already++;
		c->candidate = *row;
		c->have_candidate = true;
		return 0;
	}
	if (row->time >= c->cutoff) {
		c->sum->overlap++;
		return 0;
	}
	if (!c->started) {
		c->started = true;
		/* Resuming: the last row imported before is the baseline again. */
		if (c->have_candidate && feed(c, &c->candidate, false))
			return -1;
	}
	return feed(c, row, true);
}

static int first_start(void *ctx, const struct store_point *p)
{
	*(int64_t *)ctx = p->start;
	return 1;
}

/* Start of the interface's recorded traffic, as precisely as the kept
 * buckets tell: the first year bucket, refined through month, day, hour
 * and 5 minutes while the finer table still reaches back into it (older
 * fine buckets may have been pruned). 0 with *found, or -1. */
static int traffic_start(store *s, int64_t id, int64_t *start, bool *found)
{
	*found = false;
	int64_t best = 0;
	enum step best_step = STEP_YEAR;
	for (int step = STEP_YEAR; step >= STEP_5MIN; step--) {
		int64_t first;
		int rc = store_series(s, id, (enum step)step, INT64_MIN, INT64_MAX, first_start,
		                      &first);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		if (*found && calendar_bucket_start(best_step, first) != best)
			break;
		best = first;
		best_step = (enum step)step;
		*found = true;
	}
	*start = best;
	return 0;
}

struct copy_ctx {
	store *target;
	int64_t id;
	enum step step;
	bool failed; /* the target failed */
};

static int copy_point(void *vctx, const struct store_point *p)
{
	struct copy_ctx *c = vctx;
	if (store_add_traffic(c->target, c->id, c->step, p->start, p->rx, p->tx)) {
		c->failed = true;
		return 1;
	}
	return 0;
}

static bool same_reading(const struct acct_reading *a, const struct acct_reading *b)
{
	return a->time == b->time && a->rx == b->rx && a->tx == b->tx &&
	       a->has_uptime == b->has_uptime && a->uptime == b->uptime &&
	       strcmp(a->id, b->id) == 0;
}

/* Writes the scratch interface's buckets, the mark and the last reading
 * into the target in one transaction. */
static int merge(store *target, struct import_ctx *c, const struct legacy_import_options *opt,
                 const struct acct_reading *before, bool had_before, char *err, size_t errsz)
{
	struct legacy_summary *sum = c->sum;
	int64_t id, mark;
	struct acct_reading now_reading;
	bool have_now;
	if (store_begin(target))
		goto fail;
	if (store_interface_id(target, opt->router, opt->iface, &id) ||
	    store_import_mark(target, id, sum->source, &mark) ||
	    store_load_reading(target, id, &now_reading, &have_now))
		goto fail;
	/* What the decisions were based on must still hold under the lock. */
	if (mark != c->mark || have_now != had_before ||
	    (have_now && !same_reading(&now_reading, before))) {
		store_rollback(target);
		snprintf(err, errsz,
		         "%s/%s changed during the import (tikstatd started reading it, or another "
		         "import ran): nothing was imported; run import-legacy again",
		         opt->router, opt->iface);
		return -1;
	}
	int64_t sid = recorder_iface_id(c->rec, c->h);
	for (int step = 0; step < STEP_COUNT; step++) {
		struct copy_ctx cc = {target, id, (enum step)step, false};
		if (store_series(c->scratch, sid, (enum step)step, INT64_MIN, INT64_MAX, copy_point,
		                 &cc)) {
			snprintf(err, errsz, "cannot import: %s",
			         store_errmsg(cc.failed ? target : c->scratch));
			store_rollback(target);
			return -1;
		}
	}
	if (store_set_import_mark(target, id, sum->source, sum->last))
		goto fail;
	if (!sum->live) {
		if (store_save_reading(target, id, &c->last))
			goto fail;
		sum->continued = true;
	}
	if (store_commit(target))
		goto fail;
	return 0;
fail:
	snprintf(err, errsz, "cannot import: %s", store_errmsg(target));
	store_rollback(target);
	return -1;
}

/* A scratch database file in dir; its path goes into path. */
static store *scratch_open(const char *dir, char *path, size_t pathsz, char *err, size_t errsz)
{
	if (!dir) {
		dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
	}
	if ((size_t)snprintf(path, pathsz, "%s/tikstat-import-XXXXXX", dir) >= pathsz) {
		snprintf(err, errsz, "scratch directory name too long: %s", dir);
		return NULL;
	}
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errsz, "cannot create a scratch database in %s: %s", dir,
		         strerror(errno));
		path[0] = '\0';
		return NULL;
	}
	close(fd);
	store *s = store_open(path, false, err, errsz);
	return s;
}

static void scratch_remove(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[PATH_MAX + 16];
	if (!path[0])
		return;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

/* Gives the target's free pages back to the filesystem, in steps that
 * each hold the write lock briefly (tikstatd commits in between). A
 * failure leaves them free inside the file, where tikstatd's next prune
 * finds them: the import itself is done, so it is not reported. */
static void give_back(store *target)
{
	int freed;
	while (store_reclaim(target, LEGACY_RECLAIM_STEP, &freed) == 0 &&
	       freed == LEGACY_RECLAIM_STEP)
		;
}

int legacy_import(store *target, const char *path, const struct legacy_import_options *opt,
                  struct legacy_summary *sum, char *err, size_t errsz)
{
	memset(sum, 0, sizeof *sum);
	if (opt->source) {
		snprintf(sum->source, sizeof sum->source, "%s", opt->source);
	} else {
		const char *base = strrchr(path, '/');
		snprintf(sum->source, sizeof sum->source, "legacy:%s", base ? base + 1 : path);
	}

	/* Where the target stands: progress mark, last reading, live or not. */
	int64_t id = 0, mark = INT64_MIN, cutoff = INT64_MAX;
	struct acct_reading last;
	bool have_last = false;
	memset(&last, 0, sizeof last);
	int rc = store_find_interface(target, opt->router, opt->iface, &id);
	if (rc < 0 || (rc == 0 && (store_import_mark(target, id, sum->source, &mark) ||
	                           store_load_reading(target, id, &last, &have_last)))) {
		snprintf(err, errsz, "%s", store_errmsg(target));
		return -1;
	}
	/* The import's own reading is the one written with the mark. */
	bool own = have_last && last.time == mark && !last.has_uptime && last.id[0] == '\0';
	sum->live = have_last && !own;
	if (sum->live) {
		int64_t start;
		bool found;
		if (traffic_start(target, id, &start, &found)) {
			snprintf(err, errsz, "%s", store_errmsg(target));
			return -1;
		}
		cutoff = found && start < last.time ? start : last.time;
	}

	char scratch_path[PATH_MAX];
	scratch_path[0] = '\0';
	struct recorder *rec = NULL;
	store *scratch =
	        scratch_open(opt->scratch_dir, scratch_path, sizeof scratch_path, err, errsz);
	int ret = -1;
	if (!scratch)
		goto out;
	struct recorder_options ro;
	memset(&ro, 0, sizeof ro);
	ro.max_rate = opt->max_rate;
	ro.commit_interval = INT_MAX; /* one commit at the end (and at resets) */
	rec = recorder_new(scratch, &ro);
	if (!rec) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	struct import_ctx c;
	memset(&c, 0, sizeof c);
	c.rec = rec;
	c.scratch = scratch;
	c.mark = mark;
	c.cutoff = cutoff;
	c.latest = (int64_t)time(NULL) + LEGACY_FUTURE_SLACK;
	c.sum = sum;
	c.err = err;
	c.errsz = errsz;
	if ((c.h = recorder_interface(rec, opt->router, opt->iface)) < 0) {
		snprintf(err, errsz, "scratch database: %s", store_errmsg(scratch));
		goto out;
	}
	if (legacy_read(path, opt->text_utc, import_row, &c, err, errsz))
		goto out;
	if (sum->imported == 0) {
		ret = 0; /* nothing new */
		goto out;
	}
	if (recorder_flush(rec, sum->last)) {
		snprintf(err, errsz, "scratch database: %s", store_errmsg(scratch));
		goto out;
	}
	ret = merge(target, &c, opt, &last, have_last, err, errsz);
	if (ret)
		sum->continued = false;
out:
	recorder_free(rec, sum->last);
	store_close(scratch);
	scratch_remove(scratch_path);
	if (ret == 0)
		give_back(target);
	return ret;
}
