/*
 * store.h — the database: an SQLite file (the default, store_sqlite.c) or
 * a PostgreSQL database (a postgresql:// URI, store_pg.c); store.c picks
 * the engine. Callers see the same answers from both. Below: SQLite's
 * schema; PostgreSQL has the same tables and columns (store_pg.c).
 *
 * Schema (versioned with PRAGMA user_version, migrated forward on open):
 *   routers(id, name)                      one row per configured router
 *   interfaces(id, router_id, kind, name, display, address, last_seen)
 *       one row per accounted counter (the table keeps its first name):
 *       kind (enum store_kind) since schema 3, name unique per router and
 *       kind; display, address, last_seen: what the router last said of
 *       a queue or device (NULL unknown)
 *   last_reading(interface_id, time, rx, tx, uptime, ros_id, time_ms, source)
 *       time_ms: ms past time; source: 'poll', 'push', 'legacy' or NULL
 *       (unknown: a reading of schema 1); both since schema 2
 *   traffic(interface_id, step, start, rx, tx)   rollups: step 0..4 =
 *       5min, hour, day, month, year (calendar.h); start = bucket start
 *   alerts(interface_id, cycle_start, percent)   quota alerts already run
 *   bill_alerts(bill, cycle_start, percent)      the same per [bill] (schema 3)
 *   imports(interface_id, source, last_time)     import-legacy progress
 * Counters and byte sums are stored as SQLite integers holding the bits of
 * a uint64 (values above 2^63 read back exactly).
 *
 * One writer (the poller thread) opens read-write; readers (HTTP threads,
 * the CLI) open read-only connections of their own. WAL mode, so readers
 * never block the writer. All SQL goes through prepared statements.
 *
 * Errors: functions return 0 on success and -1 on failure, with the
 * message in store_errmsg(). A handle is used by one thread at a time.
 */
#ifndef TIKSTAT_STORE_H
#define TIKSTAT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accounting.h"
#include "calendar.h"

typedef struct store store;

/* Whether path names a PostgreSQL database (postgresql:// or postgres://
 * URI, libpq's syntax) rather than an SQLite file. */
bool store_path_is_url(const char *path);

/* Opens (read-write: creates and migrates) the database at path.
 * Read-only handles fail when the file does not exist. On failure returns
 * NULL and writes the reason into err. */
store *store_open(const char *path, bool readonly, char *err, size_t errsz);
/* How long a statement waits for another connection's lock before it
 * fails with "database is locked" (default 5000 ms; kept across
 * reconnects). Tests that hold a lock on purpose shorten it. */
void store_set_busy_timeout(store *s, int ms);
/* Closes; a transaction still open is rolled back. NULL-safe. */
void store_close(store *s);
const char *store_errmsg(const store *s);
/* The schema version this build writes (PRAGMA user_version). */
int store_schema_version(void);

/* Transactions (the writer batches many readings into one). */
int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);

/* What a counter counts. Its name is unique per router and kind: an
 * interface's name, a simple queue's name, a kid-control device's MAC
 * address ("AA:BB:CC:DD:EE:FF"). The values are stored: never renumber. */
enum store_kind {
	STORE_IFACE,  /* an interface's rx/tx bytes */
	STORE_QUEUE,  /* a simple queue's bytes (rx download, tx upload) */
	STORE_DEVICE, /* a kid-control device's bytes-down/bytes-up */
	STORE_KIND_COUNT
};
/* "interface", "queue", "device" (the API's words); NULL when out of range. */
const char *store_kind_name(enum store_kind kind);

/* The id of the counter (router, kind, name), created with the router
 * when missing (read-write only). 0 or -1. */
int store_counter_id(store *s, const char *router, enum store_kind kind, const char *name,
                     int64_t *id);
/* Looks up an existing counter: 0 found, 1 unknown, -1 error. */
int store_find_counter(store *s, const char *router, enum store_kind kind, const char *name,
                       int64_t *id);
/* store_counter_id and store_find_counter of an interface (STORE_IFACE). */
int store_interface_id(store *s, const char *router, const char *iface, int64_t *id);
int store_find_interface(store *s, const char *router, const char *iface, int64_t *id);
/* Records what the router says of counter id now: its display name, its
 * address, when it was last seen (Unix seconds). A NULL argument keeps
 * what is stored. Read-write only; an unknown id is an error. 0 or -1. */
int store_set_counter_info(store *s, int64_t id, const char *display, const char *address,
                           const int64_t *last_seen);

/* The last stored reading of an interface: 0 with *have set. */
int store_load_reading(store *s, int64_t iface, struct acct_reading *r, bool *have);
/* Replaces the last reading (same transaction as the traffic it produced). */
int store_save_reading(store *s, int64_t iface, const struct acct_reading *r);

/* Adds bytes to one bucket (insert or sum). */
int store_add_traffic(store *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
                      uint64_t tx);

/* Deletes buckets of each step that started before now - keep[step]
 * seconds (keep[step] <= 0: keep forever), of every counter. */
int store_prune(store *s, int64_t now, const int64_t keep[STEP_COUNT]);
/* The same for the counters of one kind only (devices may keep less
 * 5-minute history than interfaces). */
int store_prune_kind(store *s, enum store_kind kind, int64_t now, const int64_t keep[STEP_COUNT]);

/* Quota alerts: whether percent was already signalled for the cycle
 * starting at cycle_start, and recording that it was. */
int store_alert_sent(store *s, int64_t iface, int64_t cycle_start, int percent, bool *sent);
int store_mark_alert(store *s, int64_t iface, int64_t cycle_start, int percent);
/* The same for a [bill] section, by its name. */
int store_bill_alert_sent(store *s, const char *bill, int64_t cycle_start, int percent, bool *sent);
int store_mark_bill_alert(store *s, const char *bill, int64_t cycle_start, int percent);

/* import-legacy progress per interface and source file. */
int store_import_mark(store *s, int64_t iface, const char *source, int64_t *last_time);
int store_set_import_mark(store *s, int64_t iface, const char *source, int64_t last_time);

/* Every mark of the three tables above, for copying a database (tikstat
 * copy-db): quota alerts ordered by (iface, cycle_start, percent), then
 * bill alerts by (bill, cycle_start, percent), then import marks by
 * (iface, source). */
enum store_mark_kind { STORE_MARK_ALERT, STORE_MARK_BILL_ALERT, STORE_MARK_IMPORT };
struct store_mark {
	enum store_mark_kind kind;
	int64_t iface;   /* ALERT, IMPORT: the counter's id; BILL_ALERT: 0 */
	const char *key; /* BILL_ALERT: the bill; IMPORT: the source; ALERT: NULL
	                    (borrowed for the duration of the callback) */
	int64_t time;    /* ALERT, BILL_ALERT: cycle_start; IMPORT: last_time */
	int percent;     /* ALERT, BILL_ALERT */
};
typedef int (*store_mark_fn)(void *ctx, const struct store_mark *m);
/* Calls fn for every mark. Returns -1 on error, or fn's non-zero value
 * when it stops early. */
int store_list_marks(store *s, store_mark_fn fn, void *ctx);

/* --- reading --- */

struct store_point {
	int64_t start;
	uint64_t rx, tx;
};
/* Calls fn for every bucket of step with from <= start < to, in order.
 * Returns -1 on error, or fn's non-zero value when it stops early. */
typedef int (*store_point_fn)(void *ctx, const struct store_point *p);
int store_series(store *s, int64_t iface, enum step step, int64_t from, int64_t to,
                 store_point_fn fn, void *ctx);

/* Sum of the buckets of step with from <= start < to. */
int store_sum(store *s, int64_t iface, enum step step, int64_t from, int64_t to, uint64_t *rx,
              uint64_t *tx);

/* All time totals (the sum of the year buckets). */
int store_totals(store *s, int64_t iface, uint64_t *rx, uint64_t *tx);

/* What the router last said of a counter (store_set_counter_info); the
 * strings are borrowed for the duration of a callback, NULL unknown. */
struct store_counter_info {
	const char *display; /* a device's or queue's name for people */
	const char *address; /* a device's IP address, a queue's target */
	bool has_last_seen;
	int64_t last_seen; /* Unix seconds, if has_last_seen */
};

struct store_iface {
	int64_t id;
	const char *router; /* borrowed for the duration of the callback */
	enum store_kind kind;
	const char *name;
	struct store_counter_info info;
	bool has_reading;
	int64_t last_time; /* time of the last reading, if has_reading */
	uint64_t rx_total, tx_total;
};
typedef int (*store_iface_fn)(void *ctx, const struct store_iface *i);
/* Every interface (STORE_IFACE), ordered by router then interface name. */
int store_list_interfaces(store *s, store_iface_fn fn, void *ctx);
/* Every counter of every kind, ordered by router, kind, then name. */
int store_list_counters(store *s, store_iface_fn fn, void *ctx);

/* The "Who" ranking: the counters of one router and kind by their
 * traffic in the buckets of step with from <= start < to. */
struct store_rank_query {
	const char *router;
	enum store_kind kind;
	enum step step;
	int64_t from, to;
	size_t limit; /* at most this many calls of fn (0: only the totals) */
};
struct store_ranked {
	int64_t id;
	const char *name; /* borrowed for the duration of the callback */
	struct store_counter_info info;
	uint64_t rx, tx; /* the sums over the range */
};
struct store_rank_total {
	uint64_t rx, tx; /* over every counter with traffic in the range */
	size_t counters; /* how many those are (limit or not) */
};
typedef int (*store_rank_fn)(void *ctx, const struct store_ranked *c);
/* Calls fn for the counters of q->router and q->kind that have traffic
 * in the range, rx + tx descending (exact, beyond 2^64 too), equal sums
 * by name, at most q->limit of them; counters without traffic in the
 * range are left out. *total gets the sums of all of them. One pass over
 * the buckets of the range (the traffic primary key): 500 devices x a
 * month of days is a few milliseconds. An unknown router has no
 * counters. Returns -1 on error (a sum beyond 2^64-1 bytes included), or
 * fn's non-zero value when it stops early (*total is then incomplete). */
int store_rank(store *s, const struct store_rank_query *q, store_rank_fn fn, void *ctx,
               struct store_rank_total *total);

/* --- removing history (tikstat --remove) --- */

/* The number of day buckets interface iface holds (what "N days of
 * history" counts). */
int store_history_days(store *s, int64_t iface, int64_t *days);
/* Deletes every row of interface iface's history in one transaction
 * (read-write handle, no transaction open): its buckets of every step,
 * last reading, quota alerts and import marks. The interface's row stays:
 * a running tikstatd keeps its id and its last reading in memory and
 * goes on counting new traffic from that reading; after a restart its
 * next reading is a new baseline. Safe while tikstatd runs (WAL, busy
 * timeout). 0 or -1. */
int store_remove_history(store *s, int64_t iface);
/* --- space (pruning frees pages inside the file) --- */

struct store_space {
	int64_t pages;      /* the file's size in pages */
	int64_t free_pages; /* of those, how many hold nothing */
	int64_t page_size;  /* bytes */
	bool incremental;   /* auto_vacuum = INCREMENTAL: store_reclaim works */
};
/* How big the database is and how much of it is free. 0 or -1. */
int store_space(store *s, struct store_space *out);
/* Gives at most max_pages free pages back to the filesystem (the file
 * shrinks) in one short write transaction of its own, then copies the WAL
 * into the file without waiting for readers (a passive checkpoint: the
 * file shrinks once no reader holds an older snapshot). Bounded so that a
 * call holds the write lock briefly (2,048 pages: about 30 ms with the
 * checkpoint, measured on a pruned 10-year import; the prune took 250):
 * call it again while *freed == max_pages. Databases created since
 * tikstat reclaims space are INCREMENTAL (store_space); on older ones
 * nothing is freed (*freed 0) until store_compact. Read-write handle, no
 * transaction open. 0 or -1 (*freed 0, nothing changed). */
int store_reclaim(store *s, int max_pages, int *freed);
/* Rewrites the whole database compactly (VACUUM) and makes it
 * INCREMENTAL, so that an older file first gets its free pages back and
 * then shrinks after each prune (tikstat --compact). The file stays the
 * same inode (the rewrite goes through the WAL), so it is safe while
 * tikstatd runs: it waits for tikstatd's commit (busy timeout), then holds
 * the write lock for the rewrite (about a second per 30 MB), while
 * tikstatd's commits wait and are retried. Needs free disk space for a
 * temporary copy and the WAL (up to twice the data). Read-write handle,
 * no transaction open. 0 or -1. */
int store_compact(store *s);

/* --- health --- */

/* PRAGMA quick_check, interrupted after budget_ms (it reads every page:
 * seconds on a database of gigabytes). Returns 0 when the file is sound,
 * 1 when problems were found (out: the first, and how many more), 2 when
 * the budget ran out first (out says so; budget_ms <= 0 skips the check),
 * -1 on error. Leaves out "ok" on 0. */
int store_quick_check(store *s, int budget_ms, char *out, size_t outsz);

/* What is at the path now compared with the file the connection has open
 * (device and inode at open). */
enum store_file {
	STORE_FILE_OK,       /* the same file */
	STORE_FILE_DELETED,  /* nothing at the path: the open file was removed */
	STORE_FILE_REPLACED, /* another file at the path */
};
enum store_file store_file_check(const store *s);
/* The path given to store_open (borrowed, lives as long as s); for a
 * PostgreSQL URI with any password replaced by "***" (it goes into logs
 * and messages). */
const char *store_path(const store *s);
/* "SQLite" or "PostgreSQL". */
const char *store_engine_name(const store *s);
/* Whether the database is a file (SQLite): the file-only steps (stat,
 * size, --compact, restoring a deleted file) apply. */
bool store_is_file(const store *s);
/* One line for people (tikstatd --check-config): the engine, its version,
 * where the database is (no password) and its schema version. 0 or -1. */
int store_describe(store *s, char *out, size_t outsz);

/* The open database file was deleted (STORE_FILE_DELETED): writes its
 * whole content (the connection still holds the deleted inode) back to the
 * path with SQLite's online backup, through a temporary PATH.restoring
 * linked into place (never over a file that appeared meanwhile), removes
 * the deleted file's -wal/-shm at the path, and continues on the restored
 * file. Read-only handles of this process follow at their next
 * store_begin. Writer only, outside a transaction. 0 or -1 (store_errmsg;
 * after a failed reopen every call fails until store_reconnect works). */
int store_restore_file(store *s);
/* Another file was put at the path (STORE_FILE_REPLACED) while the writer
 * goes on writing the open one: its -wal and -shm files still carry the
 * path's name, so another process opening the path would read (or, if it
 * writes, checkpoint) this database's pages into the other file. This
 * empties the WAL and renames both to PATH-wal.detached and
 * PATH-shm.detached (SQLite keeps using them through its descriptors);
 * store_attach_side_files puts them back when the open file is at the
 * path again. Writer only. 0 or -1 (store_errmsg). */
int store_detach_side_files(store *s);
int store_attach_side_files(store *s);

/* Opens the path again after store_restore_file failed to; 0 when open. */
int store_reconnect(store *s);

/* The writer's view of the database's health (kept by the recorder,
 * published through status.h to /metrics and sd_notify STATUS=). Plain
 * data. Times are Unix seconds. */
struct store_health {
	bool commit_failing;      /* the last commit failed */
	int64_t failing_since;    /* first failed commit of this failure */
	int64_t last_commit;      /* last successful commit, 0 = none yet */
	uint64_t commit_failures; /* failed commits since the start */
	bool prune_failing;       /* the last retention prune failed */
	bool integrity_bad;       /* the quick check at start found problems */
	enum store_file file;     /* at the last check */
	char problem[400];        /* the most important problem, "" when none */
};
/* True when nothing is wrong (tikstat_database_ok). */
bool store_health_ok(const struct store_health *h);

/* Reads that failed because the file is damaged or unreadable (corrupt
 * page, I/O error), over every read-only handle of the process. */
uint64_t store_read_errors(void);

/* Diagnostics (tests, debugging): calls fn once per line of SQLite's
 * EXPLAIN QUERY PLAN for every statement the store runs, with the
 * statement's name ("series", "sum", "totals", "list", ...) and the plan
 * line ("SEARCH traffic USING PRIMARY KEY (...)"); both strings are
 * borrowed for the duration of the call. 0 or -1. */
typedef void (*store_plan_fn)(void *ctx, const char *stmt, const char *detail);
int store_explain(store *s, store_plan_fn fn, void *ctx);

#endif
