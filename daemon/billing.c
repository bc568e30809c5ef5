/* billing.c — see billing.h. */
#include "billing.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "report.h"

struct bill_terms billing_terms(const struct cfg_bill *b)
{
	enum bill_direction d = b->direction == CFG_DIR_RX   ? BILL_RX
	                        : b->direction == CFG_DIR_TX ? BILL_TX
	                                                     : BILL_BOTH;
	return (struct bill_terms){.direction = d,
	                           .quota = b->quota,
	                           .percentile = b->percentile,
	                           .committed_bps = b->committed_bps};
}

static enum store_kind store_kind_of(enum cfg_counter_kind k)
{
	switch (k) {
	case CFG_COUNTER_QUEUE: return STORE_QUEUE;
	case CFG_COUNTER_DEVICE: return STORE_DEVICE;
	case CFG_COUNTER_INTERFACE: break;
	}
	return STORE_IFACE;
}

/* The store id of counter bc into *id: 0 found, 1 not in the store yet
 * (no traffic counted), -1 error. */
static int counter_id(store *s, const struct cfg *c, const struct cfg_bill_counter *bc, int64_t *id)
{
	return store_find_counter(s, c->routers[bc->router].name, store_kind_of(bc->kind), bc->name,
	                          id);
}

/* Adds the cycle's day buckets of every counter of the bill to out->usage. */
static int load_usage(store *s, const struct cfg *c, const struct cfg_bill *b,
                      struct billing_state *out)
{
	struct bill_usage *u = &out->usage;
	for (size_t i = 0; i < b->n_counters; i++) {
		int64_t id;
		uint64_t rx, tx;
		int found = counter_id(s, c, &b->counters[i], &id);
		if (found < 0)
			return -1;
		if (found > 0)
			continue;
		if (store_sum(s, id, STEP_DAY, u->start, u->end, &rx, &tx))
			return -1;
		bill_usage_add(u, rx, tx);
	}
	return 0;
}

/* The percentile of the cycle's 5-minute buckets, all counters summed per
 * slot, into out->pct. */
static int load_percentile(store *s, const struct cfg *c, const struct cfg_bill *b, int64_t now,
                           struct billing_state *out)
{
	struct bill_terms t = billing_terms(b);
	struct bill_samples *smp = bill_samples_new(out->usage.start, out->usage.end, now);
	int rc = smp ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < b->n_counters; i++) {
		int64_t id;
		int found = counter_id(s, c, &b->counters[i], &id);
		if (found == 0)
			rc = store_series(s, id, STEP_5MIN, out->usage.start, out->usage.end,
			                  bill_samples_point, smp);
		else if (found < 0)
			rc = -1;
	}
	if (rc == 0)
		rc = bill_percentile(smp, &t, &out->pct);
	out->has_percentile = rc == 0;
	bill_samples_free(smp);
	return rc;
}

int billing_load(store *s, const struct cfg *c, const struct cfg_bill *b, int64_t now,
                 bool with_percentile, struct billing_state *out)
{
	memset(out, 0, sizeof *out);
	out->cfg = c;
	out->bill = b;
	int day = b->cycle_start_day ? b->cycle_start_day : c->cycle_start_day;
	calendar_cycle(now, day, &out->usage.start, &out->usage.end);
	if (load_usage(s, c, b, out))
		return -1;
	struct bill_terms t = billing_terms(b);
	bill_usage_settle(&out->usage, &t, now);
	if (with_percentile && b->percentile)
		return load_percentile(s, c, b, now, out);
	return 0;
}

bool billing_includes(const struct cfg *c, const struct cfg_bill *b, const char *router,
                      const char *counter)
{
	char mac[CFG_MAC_LEN];
	bool is_mac = counter && cfg_parse_mac_typed(counter, mac) == 0;
	for (size_t i = 0; i < b->n_counters; i++) {
		const struct cfg_bill_counter *bc = &b->counters[i];
		if (router && strcmp(c->routers[bc->router].name, router) != 0)
			continue;
		if (!counter || strcmp(bc->name, counter) == 0)
			return true;
		/* cfg keeps a device's MAC in upper case; it may be asked in any. */
		if (is_mac && bc->kind == CFG_COUNTER_DEVICE && strcmp(bc->name, mac) == 0)
			return true;
	}
	return false;
}

static const char *direction_name(enum cfg_direction d)
{
	return d == CFG_DIR_RX ? "rx" : d == CFG_DIR_TX ? "tx" : "both";
}

/* "ROUTER/COUNTER" of counter i of v's bill into *out (a scratch buffer). */
static const char *counter_text(const struct billing_state *v, size_t i, struct text_buf *out)
{
	const struct cfg_bill_counter *bc = &v->bill->counters[i];
	text_buf_reset(out);
	text_buf_printf(out, "%s/%s", v->cfg->routers[bc->router].name, bc->name);
	return text_buf_str(out);
}

static void json_time(struct jsonw *w, const char *key, int64_t t)
{
	char iso[32];
	calendar_format(t, iso);
	jsonw_key(w, key);
	jsonw_string(w, iso);
}

/* A member holding v, or null when v is 0 (none). */
static void json_uint_or_null(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	if (v)
		jsonw_uint(w, v);
	else
		jsonw_null(w);
}

static void json_percentile(struct jsonw *w, const struct billing_state *v)
{
	jsonw_key(w, "percentile");
	jsonw_int(w, v->bill->percentile);
	jsonw_key(w, "percentile_bps");
	jsonw_object_begin(w);
	jsonw_key(w, "rx");
	jsonw_uint(w, v->pct.rx_bps);
	jsonw_key(w, "tx");
	jsonw_uint(w, v->pct.tx_bps);
	jsonw_object_end(w);
	jsonw_key(w, "billed_bps");
	jsonw_uint(w, v->pct.billed_bps);
	json_uint_or_null(w, "committed_bps", v->bill->committed_bps);
	jsonw_key(w, "rate_overage_bps");
	jsonw_uint(w, v->pct.overage_bps);
}

static void json_object(struct jsonw *w, const struct billing_state *v, struct text_buf *scratch)
{
	const struct bill_usage *u = &v->usage;
	jsonw_object_begin(w);
	jsonw_key(w, "name");
	jsonw_string(w, v->bill->name);
	jsonw_key(w, "counters");
	jsonw_array_begin(w);
	for (size_t i = 0; i < v->bill->n_counters; i++)
		jsonw_string(w, counter_text(v, i, scratch));
	jsonw_array_end(w);
	jsonw_key(w, "direction");
	jsonw_string(w, direction_name(v->bill->direction));
	json_time(w, "start", u->start);
	json_time(w, "end", u->end);
	jsonw_key(w, "rx");
	jsonw_uint(w, u->rx);
	jsonw_key(w, "tx");
	jsonw_uint(w, u->tx);
	jsonw_key(w, "used");
	jsonw_uint(w, u->used);
	jsonw_key(w, "estimate");
	jsonw_uint(w, u->estimate);
	json_uint_or_null(w, "quota", u->quota);
	jsonw_key(w, "used_percent");
	if (u->quota)
		jsonw_decimal(w, u->used_hundredths, 2);
	else
		jsonw_null(w);
	jsonw_key(w, "overage");
	jsonw_uint(w, u->overage);
	if (v->has_percentile)
		json_percentile(w, v);
	jsonw_object_end(w);
}

int billing_json(const struct billing_state *v, size_t n, bool as_array, struct text_buf *out)
{
	struct text_buf scratch = TEXT_BUF_INIT;
	struct jsonw w;
	jsonw_init(&w, out);
	if (as_array)
		jsonw_array_begin(&w);
	for (size_t i = 0; i < n; i++)
		json_object(&w, &v[i], &scratch);
	if (as_array)
		jsonw_array_end(&w);
	int rc = scratch.failed ? -1 : jsonw_finish(&w);
	text_buf_free(&scratch);
	if (rc == 0)
		rc = text_buf_puts(out, "\n");
	return rc < 0 || out->failed ? -1 : 0;
}

/* --- terminal --- */

/* "1st", "2nd", "3rd", "95th" ... of p (1..99). */
static void ordinal(int p, char out[8])
{
	const char *suffix = "th";
	if (p % 100 < 11 || p % 100 > 13)
		suffix = p % 10 == 1 ? "st" : p % 10 == 2 ? "nd" : p % 10 == 3 ? "rd" : "th";
	snprintf(out, 8, "%d%s", p, suffix);
}

/* A rate in bits/s with decimal units (report_rate of bps bytes over 8 s
 * is bps bits/s, exactly). */
static void rate_text(uint64_t bps, char out[16])
{
	report_rate(bps, 8, out);
}

/* "4.21 GiB", or "4.21 GiB of 5.00 GiB (84.21 %)" with a quota. */
static void used_text(const struct bill_usage *u, struct text_buf *out)
{
	char used[16], quota[16];
	report_iec(u->used, used);
	text_buf_puts(out, used);
	if (!u->quota)
		return;
	report_iec(u->quota, quota);
	text_buf_printf(out, " of %s (%" PRIu64 ".%02" PRIu64 " %%)", quota,
	                u->used_hundredths / 100, u->used_hundredths % 100);
}

/* The cycle's first and last day, "2026-12-01 .. 2026-12-31". */
static void cycle_text(const struct bill_usage *u, struct text_buf *out)
{
	char first[32], last[32];
	calendar_format(u->start, first);
	calendar_format(u->end - 1, last); /* end is the next cycle's first second */
	text_buf_printf(out, "%.10s .. %.10s", first, last);
}

static void table_percentile(const struct billing_state *v, struct text_buf *out)
{
	char nth[8], rx[16], tx[16], billed[16], committed[16], over[16];
	ordinal(v->bill->percentile, nth);
	rate_text(v->pct.rx_bps, rx);
	rate_text(v->pct.tx_bps, tx);
	rate_text(v->pct.billed_bps, billed);
	text_buf_printf(out, "   %-12s rx %s, tx %s (%zu samples)\n", nth, rx, tx, v->pct.samples);
	text_buf_printf(out, "   %-12s %s", "billed rate", billed);
	if (v->bill->committed_bps) {
		rate_text(v->bill->committed_bps, committed);
		rate_text(v->pct.overage_bps, over);
		text_buf_printf(out, " (committed %s, %s over)", committed, over);
	}
	text_buf_puts(out, "\n");
}

static void table_one(const struct billing_state *v, struct text_buf *out, struct text_buf *scratch)
{
	const struct bill_usage *u = &v->usage;
	char est[16], over[16];
	text_buf_puts(out, " bill ");
	plain_text(out, v->bill->name, strlen(v->bill->name));
	text_buf_puts(out, ": ");
	for (size_t i = 0; i < v->bill->n_counters; i++) {
		const char *c = counter_text(v, i, scratch);
		text_buf_puts(out, i ? " + " : "");
		plain_text(out, c, strlen(c));
	}
	text_buf_printf(out, " (%s)\n   %-12s ", direction_name(v->bill->direction), "cycle");
	cycle_text(u, out);
	text_buf_printf(out, "\n   %-12s ", "used");
	used_text(u, out);
	report_iec(u->estimate, est);
	text_buf_printf(out, "\n   %-12s %s\n", "estimate", est);
	if (u->quota) {
		report_iec(u->overage, over);
		text_buf_printf(out, "   %-12s %s\n", "over quota", over);
	}
	if (v->has_percentile)
		table_percentile(v, out);
}

int billing_table(const struct billing_state *v, size_t n, struct text_buf *out)
{
	struct text_buf scratch = TEXT_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			text_buf_puts(out, "\n");
		table_one(&v[i], out, &scratch);
	}
	int rc = scratch.failed || out->failed ? -1 : 0;
	text_buf_free(&scratch);
	return rc;
}

int billing_lines(const struct billing_state *v, size_t n, struct text_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		char est[16], nth[8], billed[16];
		plain_text(out, v[i].bill->name, strlen(v[i].bill->name));
		text_buf_puts(out, ": ");
		used_text(&v[i].usage, out);
		report_iec(v[i].usage.estimate, est);
		text_buf_printf(out, ", estimate %s", est);
		if (v[i].has_percentile) {
			ordinal(v[i].bill->percentile, nth);
			rate_text(v[i].pct.billed_bps, billed);
			text_buf_printf(out, ", %s percentile %s", nth, billed);
		}
		text_buf_puts(out, "\n");
	}
	return out->failed ? -1 : 0;
}

/* --- the cache --- */

struct cached {
	bool valid;
	int64_t start; /* the cycle it is of */
	int64_t mono;  /* when it was computed */
	struct bill_percentile pct;
};

struct billing_cache {
	const struct cfg *cfg;
	pthread_mutex_t lock; /* guards v */
	struct cached *v;     /* one per cfg->bills */
};

struct billing_cache *billing_cache_new(const struct cfg *c)
{
	struct billing_cache *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->v = calloc(c->n_bills ? c->n_bills : 1, sizeof *k->v);
	if (!k->v || pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k->v);
		free(k);
		return NULL;
	}
	k->cfg = c;
	return k;
}

void billing_cache_free(struct billing_cache *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k->v);
	free(k);
}

int billing_cache_load(struct billing_cache *k, store *s, const struct cfg_bill *b, int64_t now,
                       int64_t mono, struct billing_state *out)
{
	if (billing_load(s, k->cfg, b, now, false, out))
		return -1;
	if (!b->percentile)
		return 0;
	struct cached *e = &k->v[b - k->cfg->bills];
	int rc = 0;
	/* Under the lock: two scrapes at once compute the percentile once. */
	pthread_mutex_lock(&k->lock);
	bool fresh = e->valid && e->start == out->usage.start && mono >= e->mono &&
	             mono - e->mono < BILLING_CACHE_SECONDS;
	if (fresh) {
		out->pct = e->pct;
		out->has_percentile = true;
	} else if ((rc = load_percentile(s, k->cfg, b, now, out)) == 0) {
		*e = (struct cached){
		        .valid = true, .start = out->usage.start, .mono = mono, .pct = out->pct};
	}
	pthread_mutex_unlock(&k->lock);
	return rc;
}
