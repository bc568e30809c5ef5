/*
 * store.c — the front of the store (see store.h): store_open picks the
 * engine by the database's name (a postgresql:// or postgres:// URI:
 * PostgreSQL, store_pg.c; anything else: an SQLite file,
 * store_sqlite.c), and every other function calls the engine the handle
 * was opened with (store_engine.h). Callers never see which it is, except
 * through store_engine_name and store_is_file.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_engine.h"

struct store {
	const struct store_engine *e;
	store_conn *c;
};

bool store_path_is_url(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

store *store_open(const char *path, bool readonly, char *err, size_t errsz)
{
	const struct store_engine *e =
	        store_path_is_url(path) ? &store_pg_engine : &store_sqlite_engine;
	store *s = malloc(sizeof *s);
	if (!s) {
		if (err && errsz)
			snprintf(err, errsz, "cannot open the database: out of memory");
		return NULL;
	}
	s->e = e;
	s->c = e->open(path, readonly, err, errsz);
	if (!s->c) {
		free(s);
		return NULL;
	}
	return s;
}

void store_close(store *s)
{
	if (!s)
		return;
	s->e->close(s->c);
	free(s);
}

const char *store_errmsg(const store *s)
{
	return s ? s->e->errmsg(s->c) : "no database handle";
}

const char *store_engine_name(const store *s)
{
	return s->e->name;
}

bool store_is_file(const store *s)
{
	return s->e == &store_sqlite_engine;
}

int store_describe(store *s, char *out, size_t outsz)
{
	return s->e->describe(s->c, out, outsz);
}

int store_schema_version(void)
{
	return store_sqlite_engine.schema_version();
}

uint64_t store_read_errors(void)
{
	return store_sqlite_engine.read_errors() + store_pg_engine.read_errors();
}

const char *store_kind_name(enum store_kind kind)
{
	static const char *const names[STORE_KIND_COUNT] = {
	        [STORE_IFACE] = "interface", [STORE_QUEUE] = "queue", [STORE_DEVICE] = "device"};
	return (unsigned)kind < STORE_KIND_COUNT ? names[kind] : NULL;
}

bool store_health_ok(const struct store_health *h)
{
	return !h->commit_failing && !h->prune_failing && !h->integrity_bad &&
	       h->file == STORE_FILE_OK;
}

void store_set_busy_timeout(store *s, int ms)
{
	s->e->set_busy_timeout(s->c, ms);
}

int store_explain(store *s, store_plan_fn fn, void *ctx)
{
	return s->e->explain(s->c, fn, ctx);
}

int store_begin(store *s)
{
	return s->e->begin(s->c);
}

int store_commit(store *s)
{
	return s->e->commit(s->c);
}

int store_rollback(store *s)
{
	return s->e->rollback(s->c);
}

int store_counter_id(store *s, const char *router, enum store_kind kind, const char *name,
                     int64_t *id)
{
	return s->e->counter_id(s->c, router, kind, name, id);
}

int store_find_counter(store *s, const char *router, enum store_kind kind, const char *name,
                       int64_t *id)
{
	return s->e->find_counter(s->c, router, kind, name, id);
}

int store_interface_id(store *s, const char *router, const char *iface, int64_t *id)
{
	return store_counter_id(s, router, STORE_IFACE, iface, id);
}

int store_find_interface(store *s, const char *router, const char *iface, int64_t *id)
{
	return store_find_counter(s, router, STORE_IFACE, iface, id);
}

int store_set_counter_info(store *s, int64_t id, const char *display, const char *address,
                           const int64_t *last_seen)
{
	return s->e->set_counter_info(s->c, id, display, address, last_seen);
}

int store_load_reading(store *s, int64_t iface, struct acct_reading *r, bool *have)
{
	return s->e->load_reading(s->c, iface, r, have);
}

int store_save_reading(store *s, int64_t iface, const struct acct_reading *r)
{
	return s->e->save_reading(s->c, iface, r);
}

int store_add_traffic(store *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
                      uint64_t tx)
{
	return s->e->add_traffic(s->c, iface, step, start, rx, tx);
}

int store_prune(store *s, int64_t now, const int64_t keep[STEP_COUNT])
{
	return s->e->prune(s->c, -1, now, keep);
}

int store_prune_kind(store *s, enum store_kind kind, int64_t now, const int64_t keep[STEP_COUNT])
{
	return s->e->prune(s->c, (int)kind, now, keep);
}

int store_alert_sent(store *s, int64_t iface, int64_t cycle_start, int percent, bool *sent)
{
	return s->e->alert_sent(s->c, iface, cycle_start, percent, sent);
}

int store_mark_alert(store *s, int64_t iface, int64_t cycle_start, int percent)
{
	return s->e->mark_alert(s->c, iface, cycle_start, percent);
}

int store_bill_alert_sent(store *s, const char *bill, int64_t cycle_start, int percent, bool *sent)
{
	return s->e->bill_alert_sent(s->c, bill, cycle_start, percent, sent);
}

int store_mark_bill_alert(store *s, const char *bill, int64_t cycle_start, int percent)
{
	return s->e->mark_bill_alert(s->c, bill, cycle_start, percent);
}

int store_import_mark(store *s, int64_t iface, const char *source, int64_t *last_time)
{
	return s->e->import_mark(s->c, iface, source, last_time);
}

int store_set_import_mark(store *s, int64_t iface, const char *source, int64_t last_time)
{
	return s->e->set_import_mark(s->c, iface, source, last_time);
}

int store_list_marks(store *s, store_mark_fn fn, void *ctx)
{
	return s->e->list_marks(s->c, fn, ctx);
}

int store_series(store *s, int64_t iface, enum step step, int64_t from, int64_t to,
                 store_point_fn fn, void *ctx)
{
	return s->e->series(s->c, iface, step, from, to, fn, ctx);
}

int store_sum(store *s, int64_t iface, enum step step, int64_t from, int64_t to, uint64_t *rx,
              uint64_t *tx)
{
	return s->e->sum(s->c, iface, step, from, to, rx, tx);
}

int store_totals(store *s, int64_t iface, uint64_t *rx, uint64_t *tx)
{
	return s->e->totals(s->c, iface, rx, tx);
}

int store_list_interfaces(store *s, store_iface_fn fn, void *ctx)
{
	return s->e->list_interfaces(s->c, fn, ctx);
}

int store_list_counters(store *s, store_iface_fn fn, void *ctx)
{
	return s->e->list_counters(s->c, fn, ctx);
}

int store_rank(store *s, const struct store_rank_query *q, store_rank_fn fn, void *ctx,
               struct store_rank_total *total)
{
	return s->e->rank(s->c, q, fn, ctx, total);
}

int store_history_days(store *s, int64_t iface, int64_t *days)
{
	return s->e->history_days(s->c, iface, days);
}

int store_remove_history(store *s, int64_t iface)
{
	return s->e->remove_history(s->c, iface);
}

int store_space(store *s, struct store_space *out)
{
	return s->e->space(s->c, out);
}

int store_reclaim(store *s, int max_pages, int *freed)
{
	return s->e->reclaim(s->c, max_pages, freed);
}

int store_compact(store *s)
{
	return s->e->compact(s->c);
}

int store_quick_check(store *s, int budget_ms, char *out, size_t outsz)
{
	return s->e->quick_check(s->c, budget_ms, out, outsz);
}

enum store_file store_file_check(const store *s)
{
	return s->e->file_check(s->c);
}

const char *store_path(const store *s)
{
	return s->e->path(s->c);
}

int store_restore_file(store *s)
{
	return s->e->restore_file(s->c);
}

int store_detach_side_files(store *s)
{
	return s->e->detach_side_files(s->c);
}

int store_attach_side_files(store *s)
{
	return s->e->attach_side_files(s->c);
}

int store_reconnect(store *s)
{
	return s->e->reconnect(s->c);
}
