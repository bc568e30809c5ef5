/* report.c — report data and renderings; see report.h for the formats. */
#include "report.h"

#include "cfgvalue.h"
#include "cycle.h"
#include "text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- units --- */

void report_iec(uint64_t bytes, char out[16])
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	if (bytes < 1024) {
		snprintf(out, 16, "%" PRIu64 " B", bytes);
		return;
	}
	/* Hundredths of the unit, rounded half up, in 128 bits: exact. */
	unsigned u = 0;
	unsigned __int128 div = 1024;
	while (u + 1 < sizeof units / sizeof units[0] && bytes >= div * 1024)
		div *= 1024, u++;
	unsigned __int128 h = ((unsigned __int128)bytes * 200 + div) / (div * 2);
	if (h >= 102400 && u + 1 < sizeof units / sizeof units[0]) {
		/* 1023.995 and up rounds to 1024.00: show the next unit. */
		div *= 1024, u++;
		h = ((unsigned __int128)bytes * 200 + div) / (div * 2);
	}
	/* h / 100 is at most 1024 here; the modulo only tells the compiler. */
	snprintf(out, 16, "%u.%02u %s", (unsigned)(h / 100 % 10000), (unsigned)(h % 100), units[u]);
}

void report_rate(uint64_t bytes, int64_t seconds, char out[16])
{
	static const char *const units[] = {"kbit/s", "Mbit/s", "Gbit/s",
	                                    "Tbit/s", "Pbit/s", "Ebit/s"};
	if (seconds < 1)
		seconds = 1;
	/* bytes * 8 fits in 67 bits: 128-bit arithmetic is exact. */
	unsigned __int128 bits = (unsigned __int128)bytes * 8, secs = (unsigned __int128)seconds;
	unsigned __int128 whole = (bits * 2 + secs) / (secs * 2); /* rounded half up */
	if (whole < 1000) {
		snprintf(out, 16, "%u bit/s", (unsigned)whole);
		return;
	}
	/* Hundredths of the unit, rounded half up; 999.995 and up shows as
	 * 1.00 of the next unit, as report_iec does. */
	unsigned u = 0;
	unsigned __int128 div = 1000;
	while (u + 1 < sizeof units / sizeof units[0] && bits / secs >= div * 1000)
		div *= 1000, u++;
	unsigned __int128 h = (bits * 200 + div * secs) / (div * secs * 2);
	if (h >= 100000 && u + 1 < sizeof units / sizeof units[0]) {
		div *= 1000, u++;
		h = (bits * 200 + div * secs) / (div * secs * 2);
	}
	snprintf(out, 16, "%u.%02u %s", (unsigned)(h / 100 % 10000), (unsigned)(h % 100), units[u]);
}

/* --- selection --- */

struct select_ctx {
	const char *router, *iface;
	bool is_mac; /* iface is a MAC address, mac its stored form */
	char mac[CFG_MAC_LEN];
	struct report_selection *sel;
	size_t cap;
	int last_rank; /* match_rank of sel->v[sel->n - 1] */
	bool router_seen;
	bool failed;
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* How counter i answers to the selection: without a name asked, 0 for an
 * interface; with one, 0 for an interface of that name, 1 for a queue of
 * that name, 2 for a device of that MAC (the resolution order); -1 not. */
static int match_rank(const struct select_ctx *c, const struct store_iface *i)
{
	if (!c->iface)
		return i->kind == STORE_IFACE ? 0 : -1;
	switch (i->kind) {
	case STORE_IFACE: return strcmp(c->iface, i->name) == 0 ? 0 : -1;
	case STORE_QUEUE: return strcmp(c->iface, i->name) == 0 ? 1 : -1;
	case STORE_DEVICE: return c->is_mac && strcmp(c->mac, i->name) == 0 ? 2 : -1;
	default: return -1;
	}
}

static void iface_clear(struct report_iface *r)
{
	free(r->router);
	free(r->name);
	free(r->display);
	memset(r, 0, sizeof *r);
}

/* Copies the store's description of a counter into *r: 0, or -1 (out of
 * memory, r left empty). */
static int iface_fill(struct report_iface *r, const struct store_iface *i)
{
	memset(r, 0, sizeof *r);
	r->id = i->id;
	r->kind = i->kind;
	r->router = dup_str(i->router);
	r->name = dup_str(i->name);
	r->display = i->info.display ? dup_str(i->info.display) : NULL;
	if (!r->router || !r->name || (i->info.display && !r->display)) {
		iface_clear(r);
		return -1;
	}
	return 0;
}

static int select_one(void *vctx, const struct store_iface *i)
{
	struct select_ctx *c = vctx;
	if (c->router && strcmp(c->router, i->router) != 0)
		return 0;
	c->router_seen = true;
	int rank = match_rank(c, i);
	if (rank < 0)
		return 0;
	struct report_selection *sel = c->sel;
	/* The list is ordered by router: a router's matches are adjacent, and
	 * the best of them stays. */
	if (c->iface && sel->n && strcmp(sel->v[sel->n - 1].router, i->router) == 0) {
		if (rank >= c->last_rank)
			return 0;
		iface_clear(&sel->v[--sel->n]);
	}
	struct report_iface *v = text_grow(sel->v, &c->cap, sel->n + 1, sizeof *v);
	if (!v || iface_fill(&v[sel->n], i)) {
		if (v)
			sel->v = v;
		c->failed = true;
		return 1;
	}
	sel->v = v;
	sel->n++;
	c->last_rank = rank;
	return 0;
}

/* Only notes whether the router has any counter (of any kind). */
static int see_router(void *vctx, const struct store_iface *i)
{
	struct select_ctx *c = vctx;
	c->router_seen = c->router_seen || strcmp(c->router, i->router) == 0;
	return 0;
}

/* Writes "what NAME" into err with NAME escaped for a terminal. */
static void name_error(char *err, size_t errsz, const char *what, const char *a, const char *b,
                       const char *tail)
{
	struct text_buf t = TEXT_BUF_INIT;
	text_buf_puts(&t, what);
	text_buf_puts(&t, " \"");
	plain_text(&t, a, strlen(a));
	if (b) {
		text_buf_puts(&t, "/");
		plain_text(&t, b, strlen(b));
	}
	text_buf_puts(&t, "\"");
	if (tail)
		text_buf_puts(&t, tail);
	snprintf(err, errsz, "%s", t.failed ? what : text_buf_str(&t));
	text_buf_free(&t);
}

/* Fills sel through the store's lists: interfaces only without a name
 * (and a router with only queues or devices is still a known router),
 * every counter with one. 0, or -1 (c->failed: out of memory). */
static int select_list(store *s, struct select_ctx *c)
{
	int rc = c->iface ? store_list_counters(s, select_one, c)
	                  : store_list_interfaces(s, select_one, c);
	if (rc == 0 && !c->failed && c->router && !c->router_seen && !c->iface)
		rc = store_list_counters(s, see_router, c);
	return rc < 0 || c->failed ? -1 : 0;
}

/* With router and iface both named and an interface of that name on the
 * router (it wins over a queue or device of the name): that one counter
 * by one lookup, not by a pass over every counter with its totals, which
 * made each query cost grow with the interfaces of the database (92 % of
 * a month's series with 100 of them). 1 selected, 0 not so (the list
 * decides: a queue, a device, an unknown name), -1 error. */
static int select_direct(store *s, struct select_ctx *c)
{
	int64_t id;
	if (!c->router || !c->iface)
		return 0;
	int rc = store_find_counter(s, c->router, STORE_IFACE, c->iface, &id);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* An interface has no display name (report.h): the list's row for
	 * it carries nothing more than this. */
	struct store_iface i = {
	        .id = id, .router = c->router, .kind = STORE_IFACE, .name = c->iface};
	select_one(c, &i);
	return c->failed ? -1 : 1;
}

enum report_select_status report_select(store *s, const char *router, const char *iface,
                                        struct report_selection *sel, char *err, size_t errsz)
{
	memset(sel, 0, sizeof *sel);
	sel->single = iface != NULL;
	struct select_ctx c = {.router = router, .iface = iface, .sel = sel};
	c.is_mac = iface && cfg_parse_mac_typed(iface, c.mac) == 0;
	int direct = select_direct(s, &c);
	if (direct < 0 || (direct == 0 && select_list(s, &c))) {
		snprintf(err, errsz, "%s", c.failed ? "out of memory" : store_errmsg(s));
		report_selection_free(sel);
		return REPORT_SELECT_STORE_ERROR;
	}
	enum report_select_status st = REPORT_SELECT_OK;
	if (router && !c.router_seen) {
		name_error(err, errsz, "unknown router", router, NULL, NULL);
		st = REPORT_SELECT_UNKNOWN_ROUTER;
	} else if (iface && sel->n == 0) {
		if (router)
			name_error(err, errsz, "unknown interface", router, iface, NULL);
		else
			name_error(err, errsz, "unknown interface", iface, NULL, NULL);
		st = REPORT_SELECT_UNKNOWN_IFACE;
	} else if (iface && sel->n > 1) {
		name_error(err, errsz, "interface", iface, NULL,
		           " exists on several routers: name the router with -r");
		st = REPORT_SELECT_AMBIGUOUS;
	}
	if (st != REPORT_SELECT_OK)
		report_selection_free(sel);
	return st;
}

void report_selection_free(struct report_selection *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		iface_clear(&sel->v[i]);
	free(sel->v);
	sel->v = NULL;
	sel->n = 0;
}

/* --- time window --- */

/* How many buckets the default window shows; 0 = all. */
static int default_buckets(enum step step)
{
	switch (step) {
	case STEP_5MIN: return 72; /* 6 hours */
	case STEP_HOUR: return 48;
	case STEP_DAY: return 30;
	case STEP_MONTH: return 12;
	default: return 0;
	}
}

static bool is_date_only(const char *text)
{
	return strlen(text) == 10;
}

enum report_range_status report_range(enum step step, int64_t now, const char *begin,
                                      const char *end, int64_t *from, int64_t *to)
{
	return report_range_count(step, now, begin, end, -1, from, to);
}

enum report_range_status report_range_count(enum step step, int64_t now, const char *begin,
                                            const char *end, int count, int64_t *from, int64_t *to)
{
	int buckets = count < 0 ? default_buckets(step) : count;
	int64_t t;
	if (end) {
		if (calendar_parse(end, &t))
			return REPORT_RANGE_BAD_END;
		*to = is_date_only(end) ? calendar_bucket_next(STEP_DAY, t) : t;
	} else {
		*to = calendar_bucket_next(step, calendar_bucket_start(step, now));
	}
	if (begin) {
		if (calendar_parse(begin, &t))
			return REPORT_RANGE_BAD_BEGIN;
		*from = calendar_bucket_start(step, t);
	} else if (buckets == 0) {
		*from = INT64_MIN;
	} else {
		int64_t b = calendar_bucket_start(step, *to - 1);
		for (int i = 1; i < buckets && b > INT64_MIN / 2; i++)
			b = calendar_bucket_start(step, b - 1);
		*from = b;
	}
	return *from < *to ? REPORT_RANGE_OK : REPORT_RANGE_EMPTY;
}

uint64_t report_window_buckets(enum step step, int64_t from, int64_t to)
{
	static const uint64_t seconds[STEP_COUNT] = {
	        [STEP_5MIN] = 300,      [STEP_HOUR] = 3600,
	        [STEP_DAY] = 86400,     [STEP_MONTH] = 2629746, /* 365.2425 days / 12 */
	        [STEP_YEAR] = 31556952,
	};
	if (from == INT64_MIN)
		return UINT64_MAX;
	if (to <= from || (unsigned)step >= STEP_COUNT)
		return 0;
	/* to - from in unsigned arithmetic: exact for any from < to */
	uint64_t span = (uint64_t)to - (uint64_t)from;
	return span / seconds[step] + (span % seconds[step] != 0);
}

/* --- series --- */

struct series_ctx {
	struct report_series *out;
	size_t cap;
	bool failed;
};

static int collect_point(void *vctx, const struct store_point *p)
{
	struct series_ctx *c = vctx;
	struct report_series *s = c->out;
	struct store_point *v = text_grow(s->points, &c->cap, s->n + 1, sizeof *v);
	if (!v) {
		c->failed = true;
		return 1;
	}
	s->points = v;
	s->points[s->n++] = *p;
	return 0;
}

int report_series_load(store *s, const struct report_iface *ifc, enum step step, int64_t from,
                       int64_t to, int64_t now, struct report_series *out)
{
	memset(out, 0, sizeof *out);
	out->router = ifc->router;
	out->iface = ifc->name;
	out->kind = ifc->kind;
	out->display = ifc->display;
	out->step = step;
	out->from = from;
	out->to = to;
	out->now = now;
	struct series_ctx c = {out, 0, false};
	int rc = store_series(s, ifc->id, step, from, to, collect_point, &c);
	if (rc < 0 || c.failed) {
		report_series_free(out);
		return -1;
	}
	return 0;
}

void report_series_free(struct report_series *series)
{
	if (!series)
		return;
	free(series->points);
	series->points = NULL;
	series->n = 0;
}

/* Writes one traffic object through a writer. */
static int report_series_json_object(const struct report_series *series, struct jsonw *w)
{
	char iso[32];
	jsonw_object_begin(w);
	jsonw_key(w, "router");
	jsonw_string(w, series->router);
	jsonw_key(w, "interface");
	jsonw_string(w, series->iface);
	jsonw_key(w, "step");
	jsonw_string(w, step_name(series->step));
	jsonw_key(w, "timezone");
	jsonw_string(w, calendar_zone());
	jsonw_key(w, "points");
	jsonw_array_begin(w);
	for (size_t i = 0; i < series->n; i++) {
		const struct store_point *p = &series->points[i];
		calendar_format(p->start, iso);
		jsonw_object_begin(w);
		jsonw_key(w, "start");
		jsonw_string(w, iso);
		jsonw_key(w, "rx");
		jsonw_uint(w, p->rx);
		jsonw_key(w, "tx");
		jsonw_uint(w, p->tx);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	return jsonw_object_end(w);
}

int report_series_json(const struct report_series *v, size_t n, bool as_array, struct text_buf *out)
{
	struct jsonw w;
	jsonw_init(&w, out);
	if (as_array)
		jsonw_array_begin(&w);
	for (size_t i = 0; i < n && (as_array || i == 0); i++)
		report_series_json_object(&v[i], &w);
	if (as_array)
		jsonw_array_end(&w);
	if (jsonw_finish(&w))
		return -1;
	return text_buf_puts(out, "\n");
}

int report_series_csv(const struct report_series *series, struct text_buf *out)
{
	char iso[32];
	text_buf_puts(out, "start,rx,tx\n");
	for (size_t i = 0; i < series->n; i++) {
		const struct store_point *p = &series->points[i];
		calendar_format(p->start, iso);
		text_buf_printf(out, "%s,%" PRIu64 ",%" PRIu64 "\n", iso, p->rx, p->tx);
	}
	return out->failed ? -1 : 0;
}

/* --- tables --- */

#define SIZE_WIDTH 11 /* "1023.99 KiB" */
#define RATE_WIDTH 13 /* "999.99 Mbit/s" */

struct table_row {
	char label[48];
	uint64_t rx, tx, total;
	bool separator; /* a rule line instead of numbers */
	bool blank;     /* the label only */
	char rate[16];  /* the avg. rate column; "" = empty */
};

struct table {
	struct table_row *rows;
	size_t n, cap;
	bool failed;
	bool rates; /* the table has an avg. rate column */
};

static struct table_row *table_add(struct table *t, const char *label)
{
	struct table_row *v = text_grow(t->rows, &t->cap, t->n + 1, sizeof *v);
	if (!v) {
		t->failed = true;
		return NULL;
	}
	t->rows = v;
	struct table_row *r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->label, sizeof r->label, "%s", label);
	return r;
}

static void table_numbers(struct table *t, const char *label, uint64_t rx, uint64_t tx,
                          uint64_t total)
{
	struct table_row *r = table_add(t, label);
	if (r) {
		r->rx = rx;
		r->tx = tx;
		r->total = total;
	}
}

static void table_separator(struct table *t)
{
	struct table_row *r = table_add(t, "");
	if (r)
		r->separator = true;
}

/* Appends the column header, then every row, labels padded to the widest. */
static int table_render(const struct table *t, const char *label_head, struct text_buf *out)
{
	/* At least "estimated" wide, so the tables of several interfaces line up. */
	size_t lw = strlen(label_head) > 9 ? strlen(label_head) : 9;
	for (size_t i = 0; i < t->n; i++)
		if (!t->rows[i].blank && strlen(t->rows[i].label) > lw)
			lw = strlen(t->rows[i].label);
	text_buf_printf(out, " %-*s  %*s  %*s  %*s", (int)lw, label_head, SIZE_WIDTH, "rx",
	                SIZE_WIDTH, "tx", SIZE_WIDTH, "total");
	if (t->rates)
		text_buf_printf(out, "  %*s", RATE_WIDTH, "avg. rate");
	text_buf_puts(out, "\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct table_row *r = &t->rows[i];
		if (r->separator) {
			text_buf_puts(out, " ");
			text_buf_fill(out, '-', lw);
			for (int k = 0; k < 3; k++) {
				text_buf_puts(out, "  ");
				text_buf_fill(out, '-', SIZE_WIDTH);
			}
			if (t->rates) {
				text_buf_puts(out, "  ");
				text_buf_fill(out, '-', RATE_WIDTH);
			}
			text_buf_puts(out, "\n");
			continue;
		}
		if (r->blank) {
			text_buf_printf(out, " %s\n", r->label);
			continue;
		}
		char rx[16], tx[16], total[16];
		report_iec(r->rx, rx);
		report_iec(r->tx, tx);
		report_iec(r->total, total);
		text_buf_printf(out, " %-*s  %*s  %*s  %*s", (int)lw, r->label, SIZE_WIDTH, rx,
		                SIZE_WIDTH, tx, SIZE_WIDTH, total);
		if (t->rates && r->rate[0])
			text_buf_printf(out, "  %*s", RATE_WIDTH, r->rate);
		text_buf_puts(out, "\n");
	}
	return out->failed ? -1 : 0;
}

/* "router / name" escaped for a terminal: an interface by its name, a
 * queue or device with its kind before and its display name after
 * ("home / device AA:BB:CC:DD:EE:FF (laptop)"). */
static void counter_label(struct text_buf *out, const char *router, enum store_kind kind,
                          const char *name, const char *display)
{
	plain_text(out, router, strlen(router));
	text_buf_puts(out, " / ");
	if (kind != STORE_IFACE)
		text_buf_printf(out, "%s ", store_kind_name(kind));
	plain_text(out, name, strlen(name));
	if (kind != STORE_IFACE && display && strcmp(display, name) != 0) {
		text_buf_puts(out, " (");
		plain_text(out, display, strlen(display));
		text_buf_puts(out, ")");
	}
}

/* " router / name  (what, zone)" and a blank line. */
static void table_title(struct text_buf *out, const char *router, enum store_kind kind,
                        const char *name, const char *display, const char *what)
{
	text_buf_puts(out, " ");
	counter_label(out, router, kind, name, display);
	text_buf_printf(out, "  (%s, %s)\n\n", what, calendar_zone());
}

static const char *step_title(enum step s)
{
	static const char *const t[STEP_COUNT] = {"5 minutes", "hourly", "daily", "monthly",
	                                          "yearly"};
	return s < STEP_COUNT ? t[s] : "?";
}

static const char *step_head(enum step s)
{
	static const char *const t[STEP_COUNT] = {"time", "hour", "day", "month", "year"};
	return s < STEP_COUNT ? t[s] : "?";
}

/* "2026-03-29 14:00" from the ISO form of t. */
static void clock_label(int64_t t, char out[17])
{
	char iso[32];
	calendar_format(t, iso);
	memcpy(out, iso, 10);
	out[10] = ' ';
	memcpy(out + 11, iso + 11, 5);
	out[16] = '\0';
}

/* The label of the bucket of step starting at t, in local time. */
static void bucket_label(enum step step, int64_t t, char out[48])
{
	char iso[32];
	calendar_format(t, iso);
	switch (step) {
	case STEP_YEAR: snprintf(out, 48, "%.4s", iso); return;
	case STEP_MONTH: snprintf(out, 48, "%.7s", iso); return;
	case STEP_DAY: snprintf(out, 48, "%.10s", iso); return;
	default: break;
	}
	char here[17], before[17], after[17];
	clock_label(t, here);
	clock_label(t - 3600, before);
	clock_label(t + 3600, after);
	/* The hour repeated when DST ends: the offset tells the two apart. */
	if (strcmp(here, before) == 0 || strcmp(here, after) == 0)
		snprintf(out, 48, "%s %s", here, iso + 19);
	else
		snprintf(out, 48, "%s", here);
}

/* Seconds a bucket or period [start, end) has run at time now: its length
 * once over (or not begun), else the time since its start (at least 1). */
static int64_t period_seconds(int64_t start, int64_t end, int64_t now)
{
	if (now < start || now >= end)
		return end - start;
	return now - start > 0 ? now - start : 1;
}

/* Sets the avg. rate of the table's last row: bucket p of step. */
static void bucket_rate(struct table *t, enum step step, const struct store_point *p, int64_t now)
{
	if (t->failed || t->n == 0)
		return;
	int64_t end = calendar_bucket_next(step, p->start);
	report_rate(acct_sat_add(p->rx, p->tx), period_seconds(p->start, end, now),
	            t->rows[t->n - 1].rate);
}

static int series_table(const struct report_series *s, struct text_buf *out)
{
	table_title(out, s->router, s->kind, s->iface, s->display, step_title(s->step));
	if (s->n == 0)
		return text_buf_puts(out, " no traffic recorded in this period\n");
	struct table t = {0};
	t.rates = true;
	bool estimates = s->step == STEP_DAY || s->step == STEP_MONTH || s->step == STEP_YEAR;
	int64_t current = calendar_bucket_start(s->step, s->now);
	uint64_t sum_rx = 0, sum_tx = 0;
	table_separator(&t);
	for (size_t i = 0; i < s->n; i++) {
		const struct store_point *p = &s->points[i];
		char label[48];
		bucket_label(s->step, p->start, label);
		table_numbers(&t, label, p->rx, p->tx, acct_sat_add(p->rx, p->tx));
		bucket_rate(&t, s->step, p, s->now);
		sum_rx = acct_sat_add(sum_rx, p->rx);
		sum_tx = acct_sat_add(sum_tx, p->tx);
		if (estimates && p->start == current) {
			int64_t end = calendar_bucket_next(s->step, current);
			uint64_t erx = cycle_project(p->rx, current, end, s->now);
			uint64_t etx = cycle_project(p->tx, current, end, s->now);
			table_numbers(
			        &t, "estimated", erx, etx,
			        cycle_project(acct_sat_add(p->rx, p->tx), current, end, s->now));
		}
	}
	table_separator(&t);
	table_numbers(&t, "sum", sum_rx, sum_tx, acct_sat_add(sum_rx, sum_tx));
	int rc = t.failed ? -1 : table_render(&t, step_head(s->step), out);
	free(t.rows);
	return rc;
}

int report_series_table(const struct report_series *v, size_t n, struct text_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			text_buf_puts(out, "\n");
		if (series_table(&v[i], out))
			return -1;
	}
	return out->failed ? -1 : 0;
}

/* --- billing cycle --- */

int report_cycle_load(store *s, const struct report_iface *ifc, int start_day, uint64_t quota,
                      int64_t now, struct report_cycle *out)
{
	memset(out, 0, sizeof *out);
	out->router = ifc->router;
	out->iface = ifc->name;
	out->kind = ifc->kind;
	out->display = ifc->display;
	out->now = now;
	out->quota = quota;
	/* The daemon's own figures: what the quota alerts are based on. */
	struct cycle_usage u;
	if (cycle_usage(s, ifc->id, start_day, now, &u))
		return -1;
	out->start = u.start;
	out->end = u.end;
	out->rx = u.rx;
	out->tx = u.tx;
	out->total = acct_sat_add(u.rx, u.tx);
	out->estimate = u.estimate;
	return 0;
}

uint64_t report_cycle_used_hundredths(const struct report_cycle *c)
{
	if (c->quota == 0)
		return 0;
	unsigned __int128 h = ((unsigned __int128)c->total * 20000 + c->quota) /
	                      (c->quota * (unsigned __int128)2);
	return h > UINT64_MAX ? UINT64_MAX : (uint64_t)h;
}

static int report_cycle_json_object(const struct report_cycle *c, struct jsonw *w)
{
	char iso[32];
	jsonw_object_begin(w);
	jsonw_key(w, "router");
	jsonw_string(w, c->router);
	jsonw_key(w, "interface");
	jsonw_string(w, c->iface);
	jsonw_key(w, "start");
	calendar_format(c->start, iso);
	jsonw_string(w, iso);
	jsonw_key(w, "end");
	calendar_format(c->end, iso);
	jsonw_string(w, iso);
	jsonw_key(w, "rx");
	jsonw_uint(w, c->rx);
	jsonw_key(w, "tx");
	jsonw_uint(w, c->tx);
	jsonw_key(w, "total");
	jsonw_uint(w, c->total);
	jsonw_key(w, "estimate");
	jsonw_uint(w, c->estimate);
	jsonw_key(w, "quota");
	if (c->quota)
		jsonw_uint(w, c->quota);
	else
		jsonw_null(w);
	jsonw_key(w, "used_percent");
	if (c->quota)
		jsonw_decimal(w, report_cycle_used_hundredths(c), 2);
	else
		jsonw_null(w);
	return jsonw_object_end(w);
}

int report_cycle_json(const struct report_cycle *v, size_t n, bool as_array, struct text_buf *out)
{
	struct jsonw w;
	jsonw_init(&w, out);
	if (as_array)
		jsonw_array_begin(&w);
	for (size_t i = 0; i < n && (as_array || i == 0); i++)
		report_cycle_json_object(&v[i], &w);
	if (as_array)
		jsonw_array_end(&w);
	if (jsonw_finish(&w))
		return -1;
	return text_buf_puts(out, "\n");
}

int report_cycle_csv(const struct report_cycle *c, struct text_buf *out)
{
	char start[32], end[32];
	calendar_format(c->start, start);
	calendar_format(c->end, end);
	text_buf_puts(out, "start,end,rx,tx,total,estimate,quota,used_percent\n");
	text_buf_printf(out, "%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", start, end,
	                c->rx, c->tx, c->total, c->estimate);
	if (c->quota) {
		uint64_t h = report_cycle_used_hundredths(c);
		text_buf_printf(out, "%" PRIu64 ",%" PRIu64 ".%02" PRIu64 "\n", c->quota, h / 100,
		                h % 100);
	} else {
		text_buf_puts(out, ",\n");
	}
	return out->failed ? -1 : 0;
}

static int cycle_table(const struct report_cycle *c, struct text_buf *out)
{
	char first[32], last[32], what[96];
	calendar_format(c->start, first);
	calendar_format(c->end - 1, last);
	snprintf(what, sizeof what, "billing cycle %.10s .. %.10s", first, last);
	table_title(out, c->router, c->kind, c->iface, c->display, what);
	struct table t = {0};
	table_separator(&t);
	table_numbers(&t, "so far", c->rx, c->tx, c->total);
	table_numbers(&t, "estimated", cycle_project(c->rx, c->start, c->end, c->now),
	              cycle_project(c->tx, c->start, c->end, c->now), c->estimate);
	table_separator(&t);
	int rc = t.failed ? -1 : table_render(&t, "", out);
	free(t.rows);
	if (rc == 0 && c->quota) {
		char q[16];
		report_iec(c->quota, q);
		uint64_t used = report_cycle_used_hundredths(c);
		/* Same column as the totals: label width 9 ("estimated"). */
		text_buf_printf(out, " %-9s  %*s  %" PRIu64 ".%02" PRIu64 " %% used", "quota",
		                2 * SIZE_WIDTH + 2 + 2 + SIZE_WIDTH, q, used / 100, used % 100);
		if (c->estimate > c->quota) {
			struct report_cycle e = *c;
			e.total = c->estimate;
			uint64_t est = report_cycle_used_hundredths(&e);
			text_buf_printf(out, ", estimated %" PRIu64 ".%02" PRIu64 " %%", est / 100,
			                est % 100);
		}
		text_buf_puts(out, "\n");
	}
	return rc || out->failed ? -1 : 0;
}

int report_cycle_table(const struct report_cycle *v, size_t n, struct text_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			text_buf_puts(out, "\n");
		if (cycle_table(&v[i], out))
			return -1;
	}
	return out->failed ? -1 : 0;
}

/* --- top days --- */

/* Orders by total, largest first; equal totals by day, earliest first. */
static int by_total_desc(const void *va, const void *vb)
{
	const struct store_point *a = va, *b = vb;
	uint64_t ta = acct_sat_add(a->rx, a->tx), tb = acct_sat_add(b->rx, b->tx);
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

int report_top_load(store *s, const struct report_iface *ifc, int64_t from, int64_t to,
                    size_t limit, int64_t now, struct report_series *out)
{
	if (report_series_load(s, ifc, STEP_DAY, from, to, now, out))
		return -1;
	if (out->n > 1)
		qsort(out->points, out->n, sizeof out->points[0], by_total_desc);
	if (limit && out->n > limit)
		out->n = limit;
	return 0;
}

static int top_table(const struct report_series *s, struct text_buf *out)
{
	char what[64];
	snprintf(what, sizeof what, "top %zu day%s by total", s->n, s->n == 1 ? "" : "s");
	table_title(out, s->router, s->kind, s->iface, s->display, what);
	if (s->n == 0)
		return text_buf_puts(out, " no traffic recorded in this period\n");
	struct table t = {0};
	t.rates = true;
	table_separator(&t);
	for (size_t i = 0; i < s->n; i++) {
		const struct store_point *p = &s->points[i];
		char day[48], label[48];
		bucket_label(STEP_DAY, p->start, day);
		snprintf(label, sizeof label, "%2zu  %.10s", i + 1, day);
		table_numbers(&t, label, p->rx, p->tx, acct_sat_add(p->rx, p->tx));
		bucket_rate(&t, STEP_DAY, p, s->now);
	}
	table_separator(&t);
	int rc = t.failed ? -1 : table_render(&t, " #  day", out);
	free(t.rows);
	return rc;
}

int report_top_table(const struct report_series *v, size_t n, struct text_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			text_buf_puts(out, "\n");
		if (top_table(&v[i], out))
			return -1;
	}
	return out->failed ? -1 : 0;
}

/* --- the "Who" ranking --- */

static const char *const rank_periods[REPORT_RANK_PERIOD_COUNT] = {
        [REPORT_RANK_CYCLE] = "cycle",
        [REPORT_RANK_LAST_CYCLE] = "last_cycle",
        [REPORT_RANK_TODAY] = "today",
};

const char *report_rank_period_name(enum report_rank_period p)
{
	return (unsigned)p < REPORT_RANK_PERIOD_COUNT ? rank_periods[p] : NULL;
}

int report_rank_period_parse(const char *text, enum report_rank_period *p)
{
	for (int i = 0; i < REPORT_RANK_PERIOD_COUNT; i++) {
		if (strcmp(text, rank_periods[i]) == 0) {
			*p = (enum report_rank_period)i;
			return 0;
		}
	}
	return -1;
}

/* The bounds [*from, *to) of period at now: the calendar day, the billing
 * cycle (as report_cycle_load and the quota alerts have it), or the cycle
 * before (the one containing the eve of this one's start, as the
 * summary's last cycle). All start at local midnight. */
static void period_bounds(enum report_rank_period period, int start_day, int64_t now, int64_t *from,
                          int64_t *to)
{
	if (period == REPORT_RANK_TODAY) {
		*from = calendar_bucket_start(STEP_DAY, now);
		*to = calendar_bucket_next(STEP_DAY, *from);
		return;
	}
	calendar_cycle(now, start_day, from, to);
	if (period == REPORT_RANK_LAST_CYCLE)
		calendar_cycle(*from - 1, start_day, from, to);
}

struct rank_ctx {
	struct report_rank *out;
	size_t cap;
	bool failed;
};

static char *dup_or_null(const char *s, bool *failed)
{
	char *p = s ? dup_str(s) : NULL;
	if (s && !p)
		*failed = true;
	return p;
}

static int collect_ranked(void *vctx, const struct store_ranked *c)
{
	struct rank_ctx *k = vctx;
	struct report_rank *r = k->out;
	struct report_ranked *v = text_grow(r->items, &k->cap, r->n + 1, sizeof *v);
	if (!v) {
		k->failed = true;
		return 1;
	}
	r->items = v;
	struct report_ranked *it = &r->items[r->n++];
	it->name = dup_or_null(c->name, &k->failed);
	it->display = dup_or_null(c->info.display, &k->failed);
	it->address = dup_or_null(c->info.address, &k->failed);
	it->rx = c->rx;
	it->tx = c->tx;
	return k->failed ? 1 : 0;
}

int report_rank_load(store *s, const char *router, enum store_kind kind,
                     enum report_rank_period period, int start_day, size_t limit, int64_t now,
                     struct report_rank *out)
{
	memset(out, 0, sizeof *out);
	out->kind = kind;
	out->period = period;
	out->now = now;
	period_bounds(period, start_day, now, &out->start, &out->end);
	struct store_rank_query q = {
	        .router = router,
	        .kind = kind,
	        .step = STEP_DAY,
	        .from = out->start,
	        .to = out->end,
	        .limit = limit < REPORT_RANK_MAX ? limit : REPORT_RANK_MAX,
	};
	struct rank_ctx k = {out, 0, false};
	struct store_rank_total total;
	out->router = dup_str(router);
	int rc = out->router ? store_rank(s, &q, collect_ranked, &k, &total) : -1;
	if (rc != 0 || k.failed) {
		report_rank_free(out);
		return -1;
	}
	out->rx = total.rx;
	out->tx = total.tx;
	out->counters = total.counters;
	return 0;
}

void report_rank_free(struct report_rank *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].name);
		free(r->items[i].display);
		free(r->items[i].address);
	}
	free(r->items);
	free(r->router);
	r->items = NULL;
	r->router = NULL;
	r->n = 0;
}

/* What the ranking shows as an item's name: its display name, else its
 * own (the MAC of a device the router gave no name). */
static const char *ranked_name(const struct report_ranked *it)
{
	return it->display ? it->display : it->name;
}

int report_rank_json(const struct report_rank *r, struct text_buf *out)
{
	char iso[32];
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_key(&w, "router");
	jsonw_string(&w, r->router);
	jsonw_key(&w, "kind");
	jsonw_string(&w, store_kind_name(r->kind));
	jsonw_key(&w, "period");
	jsonw_string(&w, report_rank_period_name(r->period));
	jsonw_key(&w, "start");
	calendar_format(r->start, iso);
	jsonw_string(&w, iso);
	jsonw_key(&w, "end");
	calendar_format(r->end, iso);
	jsonw_string(&w, iso);
	jsonw_key(&w, "total");
	jsonw_object_begin(&w);
	jsonw_key(&w, "rx");
	jsonw_uint(&w, r->rx);
	jsonw_key(&w, "tx");
	jsonw_uint(&w, r->tx);
	jsonw_object_end(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_ranked *it = &r->items[i];
		jsonw_object_begin(&w);
		jsonw_key(&w, "interface");
		jsonw_string(&w, it->name);
		jsonw_key(&w, "name");
		jsonw_string(&w, ranked_name(it));
		jsonw_key(&w, "address");
		jsonw_string(&w, it->address);
		jsonw_key(&w, "rx");
		jsonw_uint(&w, it->rx);
		jsonw_key(&w, "tx");
		jsonw_uint(&w, it->tx);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	if (jsonw_finish(&w))
		return -1;
	return text_buf_puts(out, "\n");
}

/* One CSV field: escaped for a terminal, then quoted (RFC 4180) when it
 * holds a separator or a quote; the escape leaves no line break. */
static void csv_field(struct text_buf *out, const char *v)
{
	struct text_buf t = TEXT_BUF_INIT;
	if (v)
		plain_text(&t, v, strlen(v));
	const char *e = text_buf_str(&t);
	if (t.failed) {
		out->failed = true;
	} else if (strpbrk(e, ",\"") == NULL) {
		text_buf_puts(out, e);
	} else {
		text_buf_puts(out, "\"");
		for (; *e; e++) {
			if (*e == '"')
				text_buf_puts(out, "\"\"");
			else
				text_buf_append(out, e, 1);
		}
		text_buf_puts(out, "\"");
	}
	text_buf_free(&t);
}

int report_rank_csv(const struct report_rank *r, struct text_buf *out)
{
	text_buf_puts(out, "interface,name,address,rx,tx\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct report_ranked *it = &r->items[i];
		csv_field(out, it->name);
		text_buf_puts(out, ",");
		csv_field(out, ranked_name(it));
		text_buf_puts(out, ",");
		csv_field(out, it->address);
		text_buf_printf(out, ",%" PRIu64 ",%" PRIu64 "\n", it->rx, it->tx);
	}
	return out->failed ? -1 : 0;
}

/* The width on a terminal of text escaped for one (ASCII and valid
 * UTF-8): its code points. */
static size_t term_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* Appends s and blanks up to width. */
static void pad_right(struct text_buf *out, const char *s, size_t width)
{
	size_t w = term_width(s);
	text_buf_puts(out, s);
	text_buf_fill(out, ' ', width > w ? width - w : 0);
}

/* share of part in whole in tenths of a percent, rounded half up; whole
 * and part are sums of two 64-bit values. */
static unsigned share_tenths(unsigned __int128 part, unsigned __int128 whole)
{
	if (whole == 0)
		return 0;
	return (unsigned)((part * 2000 + whole) / (whole * 2));
}

/* The escaped name and address cells of a ranking's rows. */
struct rank_cells {
	struct text_buf *name, *address;
	size_t name_w, address_w, rank_w;
};

static void rank_cells_free(struct rank_cells *c, size_t n)
{
	for (size_t i = 0; c->name && i < n; i++)
		text_buf_free(&c->name[i]);
	for (size_t i = 0; c->address && i < n; i++)
		text_buf_free(&c->address[i]);
	free(c->name);
	free(c->address);
}

/* Escapes every name and address and measures the columns (at least as
 * wide as their heads, and together as wide as the total row's label);
 * 0 or -1. */
static int rank_cells_make(const struct report_rank *r, const char *label, struct rank_cells *c)
{
	memset(c, 0, sizeof *c);
	c->name = calloc(r->n ? r->n : 1, sizeof *c->name);
	c->address = calloc(r->n ? r->n : 1, sizeof *c->address);
	if (!c->name || !c->address)
		return -1;
	c->name_w = strlen("name");
	c->address_w = strlen("address");
	bool failed = false;
	for (size_t i = 0; i < r->n; i++) {
		const char *name = ranked_name(&r->items[i]), *addr = r->items[i].address;
		plain_text(&c->name[i], name, strlen(name));
		plain_text(&c->address[i], addr ? addr : "-", strlen(addr ? addr : "-"));
		failed = failed || c->name[i].failed || c->address[i].failed;
		size_t nw = term_width(text_buf_str(&c->name[i]));
		size_t aw = term_width(text_buf_str(&c->address[i]));
		c->name_w = nw > c->name_w ? nw : c->name_w;
		c->address_w = aw > c->address_w ? aw : c->address_w;
	}
	if (c->name_w + 2 + c->address_w < strlen(label))
		c->address_w = strlen(label) - 2 - c->name_w;
	char digits[24];
	c->rank_w = (size_t)snprintf(digits, sizeof digits, "%zu", r->n);
	return failed ? -1 : 0;
}

/* " #  name  address  rx  tx  total  share" rows: the rank (or blank),
 * the name and address cells (or label across both), the sizes, the
 * share. */
static void rank_row(struct text_buf *out, const struct rank_cells *c, const char *rank,
                     const char *name, const char *address, uint64_t rx, uint64_t tx,
                     unsigned share)
{
	char srx[16], stx[16], stotal[16], sshare[16];
	unsigned __int128 sum = (unsigned __int128)rx + tx;
	report_iec(rx, srx);
	report_iec(tx, stx);
	report_iec(sum > UINT64_MAX ? UINT64_MAX : (uint64_t)sum, stotal);
	snprintf(sshare, sizeof sshare, "%u.%u %%", share / 10, share % 10);
	text_buf_printf(out, " %*s  ", (int)c->rank_w, rank);
	if (address) {
		pad_right(out, name, c->name_w);
		text_buf_puts(out, "  ");
		pad_right(out, address, c->address_w);
	} else {
		pad_right(out, name, c->name_w + 2 + c->address_w);
	}
	text_buf_printf(out, "  %*s  %*s  %*s  %7s\n", SIZE_WIDTH, srx, SIZE_WIDTH, stx, SIZE_WIDTH,
	                stotal, sshare);
}

static void rank_rule(struct text_buf *out, const struct rank_cells *c)
{
	text_buf_puts(out, " ");
	text_buf_fill(out, '-', c->rank_w);
	size_t widths[] = {c->name_w, c->address_w, SIZE_WIDTH, SIZE_WIDTH, SIZE_WIDTH, 7};
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		text_buf_puts(out, "  ");
		text_buf_fill(out, '-', widths[i]);
	}
	text_buf_puts(out, "\n");
}

/* "this cycle 2026-03-15 .. 2026-04-14", "today 2026-03-29". */
static void rank_period_text(const struct report_rank *r, char *out, size_t outsz)
{
	char first[32], last[32];
	calendar_format(r->start, first);
	calendar_format(r->end - 1, last);
	if (r->period == REPORT_RANK_TODAY)
		snprintf(out, outsz, "today %.10s", first);
	else
		snprintf(out, outsz, "%s %.10s .. %.10s",
		         r->period == REPORT_RANK_CYCLE ? "this cycle" : "last cycle", first, last);
}

int report_rank_table(const struct report_rank *r, struct text_buf *out)
{
	const char *kinds = r->kind == STORE_QUEUE ? "queues" : "devices";
	char what[96], label[64];
	rank_period_text(r, what, sizeof what);
	table_title(out, r->router, STORE_IFACE, kinds, NULL, what);
	if (r->counters == 0)
		return text_buf_puts(out, " no traffic recorded in this period\n");
	snprintf(label, sizeof label, "all %zu %.*s", r->counters,
	         (int)strlen(kinds) - (r->counters == 1), kinds);
	struct rank_cells c;
	int rc = rank_cells_make(r, label, &c);
	unsigned __int128 all = (unsigned __int128)r->rx + r->tx;
	if (rc == 0) {
		text_buf_printf(out, " %*s  ", (int)c.rank_w, "#");
		pad_right(out, "name", c.name_w);
		text_buf_puts(out, "  ");
		pad_right(out, "address", c.address_w);
		text_buf_printf(out, "  %*s  %*s  %*s  %7s\n", SIZE_WIDTH, "rx", SIZE_WIDTH, "tx",
		                SIZE_WIDTH, "total", "share");
		rank_rule(out, &c);
		for (size_t i = 0; i < r->n; i++) {
			const struct report_ranked *it = &r->items[i];
			char rank[24];
			snprintf(rank, sizeof rank, "%zu", i + 1);
			rank_row(out, &c, rank, text_buf_str(&c.name[i]),
			         text_buf_str(&c.address[i]), it->rx, it->tx,
			         share_tenths((unsigned __int128)it->rx + it->tx, all));
		}
		rank_rule(out, &c);
		rank_row(out, &c, "", label, NULL, r->rx, r->tx, all ? 1000 : 0);
	}
	rank_cells_free(&c, r->n);
	return rc || out->failed ? -1 : 0;
}

/* --- summary and one line --- */

/* Sums the day buckets of [from, to) into *p (p->start = from). */
static int period_sum(store *s, int64_t id, int64_t from, int64_t to, struct report_period *p)
{
	p->start = from;
	p->end = to;
	return store_sum(s, id, STEP_DAY, from, to, &p->rx, &p->tx);
}

static void period_of_cycle(const struct report_cycle *c, struct report_period *p)
{
	p->start = c->start;
	p->end = c->end;
	p->rx = c->rx;
	p->tx = c->tx;
}

int report_summary_load(store *s, const struct report_iface *ifc, int start_day, uint64_t quota,
                        int64_t now, struct report_summary *out)
{
	memset(out, 0, sizeof *out);
	out->router = ifc->router;
	out->iface = ifc->name;
	out->kind = ifc->kind;
	out->display = ifc->display;
	out->now = now;
	int64_t today, tomorrow;
	period_bounds(REPORT_RANK_TODAY, start_day, now, &today, &tomorrow);
	int64_t yesterday = calendar_bucket_start(STEP_DAY, today - 1);
	int64_t month = calendar_bucket_start(STEP_MONTH, now);
	if (period_sum(s, ifc->id, today, tomorrow, &out->today) ||
	    period_sum(s, ifc->id, yesterday, today, &out->yesterday) ||
	    period_sum(s, ifc->id, month, calendar_bucket_next(STEP_MONTH, month), &out->month) ||
	    report_cycle_load(s, ifc, start_day, quota, now, &out->cycle) ||
	    store_totals(s, ifc->id, &out->all_rx, &out->all_tx))
		return -1;
	/* The cycle before: the one containing the last second of this one's
	 * eve; its estimate is its total, since it is over. */
	struct report_cycle last;
	if (report_cycle_load(s, ifc, start_day, quota, out->cycle.start - 1, &last))
		return -1;
	period_of_cycle(&last, &out->last_cycle);
	return 0;
}

/* Appends one summary row: label, rx, tx, total, avg. rate and, when
 * estimate is non-NULL, the estimate. */
static void summary_row(struct text_buf *out, const char *label, const struct report_period *p,
                        int64_t now, const uint64_t *estimate)
{
	char rx[16], tx[16], total[16], rate[16], est[16] = "";
	uint64_t sum = acct_sat_add(p->rx, p->tx);
	report_iec(p->rx, rx);
	report_iec(p->tx, tx);
	report_iec(sum, total);
	report_rate(sum, period_seconds(p->start, p->end, now), rate);
	if (estimate)
		report_iec(*estimate, est);
	text_buf_printf(out, " %10s  %*s  %*s  %*s  %*s", label, SIZE_WIDTH, rx, SIZE_WIDTH, tx,
	                SIZE_WIDTH, total, RATE_WIDTH, rate);
	if (estimate)
		text_buf_printf(out, "  %*s", SIZE_WIDTH, est);
	text_buf_puts(out, "\n");
}

static void summary_one(const struct report_summary *v, bool short_form, struct text_buf *out)
{
	const struct report_cycle *c = &v->cycle;
	text_buf_puts(out, " ");
	counter_label(out, v->router, v->kind, v->iface, v->display);
	if (c->quota) {
		char q[16];
		uint64_t used = report_cycle_used_hundredths(c);
		report_iec(c->quota, q);
		text_buf_printf(out, "  (quota %s: %" PRIu64 ".%02" PRIu64 " %% used)", q,
		                used / 100, used % 100);
	}
	text_buf_puts(out, "\n");
	struct report_period cycle;
	period_of_cycle(c, &cycle);
	uint64_t today_est = cycle_project(acct_sat_add(v->today.rx, v->today.tx), v->today.start,
	                                   v->today.end, v->now);
	if (!short_form)
		summary_row(out, "yesterday", &v->yesterday, v->now, NULL);
	summary_row(out, "today", &v->today, v->now, &today_est);
	if (!short_form)
		summary_row(out, "last cycle", &v->last_cycle, v->now, NULL);
	summary_row(out, "this cycle", &cycle, v->now, &c->estimate);
}

int report_summary_table(const struct report_summary *v, size_t n, bool short_form,
                         struct text_buf *out)
{
	text_buf_printf(out, " %10s  %*s  %*s  %*s  %*s  %*s\n", "", SIZE_WIDTH, "rx", SIZE_WIDTH,
	                "tx", SIZE_WIDTH, "total", RATE_WIDTH, "avg. rate", SIZE_WIDTH,
	                "estimated");
	for (size_t i = 0; i < n; i++)
		summary_one(&v[i], short_form, out);
	return out->failed ? -1 : 0;
}

/* A name as a field of a line: escaped for a terminal (plain_text), and
 * the field separator written as \x3B. */
static void oneline_name(struct text_buf *out, const char *name)
{
	for (;;) {
		const char *semi = strchr(name, ';');
		size_t len = semi ? (size_t)(semi - name) : strlen(name);
		plain_text(out, name, len);
		if (!semi)
			return;
		text_buf_puts(out, "\\x3B");
		name = semi + 1;
	}
}

/* ";rx;tx;total" as units or bytes. */
static void oneline_sizes(struct text_buf *out, uint64_t rx, uint64_t tx, bool bytes)
{
	uint64_t v[3] = {rx, tx, acct_sat_add(rx, tx)};
	for (int i = 0; i < 3; i++) {
		char text[16];
		if (bytes)
			snprintf(text, sizeof text, "%" PRIu64, v[i]);
		else
			report_iec(v[i], text);
		text_buf_printf(out, ";%s", text);
	}
}

/* ";rx;tx;total;rate" of a period at now. */
static void oneline_period(struct text_buf *out, const struct report_period *p, int64_t now,
                           bool bytes)
{
	oneline_sizes(out, p->rx, p->tx, bytes);
	uint64_t sum = acct_sat_add(p->rx, p->tx);
	int64_t secs = period_seconds(p->start, p->end, now);
	char rate[16];
	if (bytes)
		snprintf(rate, sizeof rate, "%" PRIu64, sum / (uint64_t)secs);
	else
		report_rate(sum, secs, rate);
	text_buf_printf(out, ";%s", rate);
}

int report_oneline(const struct report_summary *v, size_t n, bool bytes, struct text_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		char day[32], month[32];
		calendar_format(v[i].today.start, day);
		calendar_format(v[i].month.start, month);
		text_buf_printf(out, "%d;", REPORT_ONELINE_VERSION);
		oneline_name(out, v[i].router);
		text_buf_puts(out, ";");
		oneline_name(out, v[i].iface);
		text_buf_printf(out, ";%.10s", day);
		oneline_period(out, &v[i].today, v[i].now, bytes);
		text_buf_printf(out, ";%.7s", month);
		oneline_period(out, &v[i].month, v[i].now, bytes);
		oneline_sizes(out, v[i].all_rx, v[i].all_tx, bytes);
		text_buf_puts(out, "\n");
	}
	return out->failed ? -1 : 0;
}
