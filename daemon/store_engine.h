/*
 * store_engine.h — the engines behind store.h (internal to the store
 * layer): store.c picks one by the database's name and calls it through
 * this table. An engine's functions have store.h's contracts, on its own
 * connection type.
 *
 * struct store_conn is defined by each engine in its own file
 * (store_sqlite.c, store_pg.c) and is incomplete everywhere else: store.c
 * only hands back the pointer the engine's open returned to the same
 * engine's functions.
 */
#ifndef TIKSTAT_STORE_ENGINE_H
#define TIKSTAT_STORE_ENGINE_H

#include "store.h"

typedef struct store_conn store_conn;

struct store_engine {
	const char *name; /* "SQLite", "PostgreSQL" */
	store_conn *(*open)(const char *path, bool readonly, char *err, size_t errsz);
	void (*set_busy_timeout)(store_conn *s, int ms);
	void (*close)(store_conn *s);
	const char *(*errmsg)(const store_conn *s);
	int (*explain)(store_conn *s, store_plan_fn fn, void *ctx);
	int (*begin)(store_conn *s);
	int (*commit)(store_conn *s);
	int (*rollback)(store_conn *s);
	int (*counter_id)(store_conn *s, const char *router, enum store_kind kind, const char *name,
	                  int64_t *id);
	int (*find_counter)(store_conn *s, const char *router, enum store_kind kind,
	                    const char *name, int64_t *id);
	int (*set_counter_info)(store_conn *s, int64_t id, const char *display, const char *address,
	                        const int64_t *last_seen);
	int (*load_reading)(store_conn *s, int64_t iface, struct acct_reading *r, bool *have);
	int (*save_reading)(store_conn *s, int64_t iface, const struct acct_reading *r);
	int (*add_traffic)(store_conn *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
	                   uint64_t tx);
	/* store_prune (kind -1) and store_prune_kind in one. */
	int (*prune)(store_conn *s, int kind, int64_t now, const int64_t keep[STEP_COUNT]);
	int (*alert_sent)(store_conn *s, int64_t iface, int64_t cycle_start, int percent,
	                  bool *sent);
	int (*mark_alert)(store_conn *s, int64_t iface, int64_t cycle_start, int percent);
	int (*bill_alert_sent)(store_conn *s, const char *bill, int64_t cycle_start, int percent,
	                       bool *sent);
	int (*mark_bill_alert)(store_conn *s, const char *bill, int64_t cycle_start, int percent);
	int (*import_mark)(store_conn *s, int64_t iface, const char *source, int64_t *last_time);
	int (*set_import_mark)(store_conn *s, int64_t iface, const char *source, int64_t last_time);
	int (*list_marks)(store_conn *s, store_mark_fn fn, void *ctx);
	int (*series)(store_conn *s, int64_t iface, enum step step, int64_t from, int64_t to,
	              store_point_fn fn, void *ctx);
	int (*sum)(store_conn *s, int64_t iface, enum step step, int64_t from, int64_t to,
	           uint64_t *rx, uint64_t *tx);
	int (*totals)(store_conn *s, int64_t iface, uint64_t *rx, uint64_t *tx);
	int (*list_interfaces)(store_conn *s, store_iface_fn fn, void *ctx);
	int (*list_counters)(store_conn *s, store_iface_fn fn, void *ctx);
	int (*rank)(store_conn *s, const struct store_rank_query *q, store_rank_fn fn, void *ctx,
	            struct store_rank_total *total);
	int (*history_days)(store_conn *s, int64_t iface, int64_t *days);
	int (*remove_history)(store_conn *s, int64_t iface);
	int (*space)(store_conn *s, struct store_space *out);
	int (*reclaim)(store_conn *s, int max_pages, int *freed);
	int (*compact)(store_conn *s);
	int (*quick_check)(store_conn *s, int budget_ms, char *out, size_t outsz);
	enum store_file (*file_check)(const store_conn *s);
	const char *(*path)(const store_conn *s);
	int (*restore_file)(store_conn *s);
	int (*reconnect)(store_conn *s);
	int (*detach_side_files)(store_conn *s);
	int (*attach_side_files)(store_conn *s);
	int (*describe)(store_conn *s, char *out, size_t outsz);
	uint64_t (*read_errors)(void);
	int (*schema_version)(void);
};

extern const struct store_engine store_sqlite_engine;
extern const struct store_engine store_pg_engine;

#endif
