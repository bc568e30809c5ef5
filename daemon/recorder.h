/*
 * recorder.h — turns readings into stored traffic: accounting, batching,
 * and the single writer's transactions.
 *
 * Readings of many interfaces are accounted at once (accounting.h) and
 * their 5-minute pieces summed in memory; every commit_interval seconds
 * the sums go to the store in one transaction together with each
 * interface's last reading, so the database is always consistent and a
 * crash loses nothing the router still counts (the next reading recovers
 * it from the cumulative counters). A baseline, a reset, a reboot or a
 * re-created interface commits at once. Used by one thread.
 *
 * Database faults never stop the accounting and are never silent: the
 * recorder keeps the health (store.h struct store_health) and logs each
 * change once: a failing commit (then a reminder every remind_interval
 * while it lasts, and one line on recovery); readings stay pending in
 * memory and are retried at most every min(commit_interval, 5) seconds.
 * The retention prune runs in a transaction of its own after a commit, so
 * a prune that fails (a damaged page in old data) never holds back new
 * readings; it is retried hourly. The pages a prune frees go back to the
 * filesystem afterwards when they are 1 MiB or more, a bounded
 * store_reclaim per recorder_tick (one
 * info line with the total; on a file made before that, a hint once to
 * run tikstat --compact). recorder_tick also checks the file at
 * the path: a deleted file is written back from the open one
 * (store_restore_file); a replaced one is reported and left alone.
 */
#ifndef TIKSTAT_RECORDER_H
#define TIKSTAT_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "accounting.h"
#include "calendar.h"
#include "store.h"

/* Called with the database's health whenever it changes (and after
 * every successful commit: last_commit moves). h is borrowed for the call. */
typedef void (*recorder_health_fn)(void *ctx, const struct store_health *h);

struct recorder_options {
	uint64_t max_rate;                    /* bits/s, 0 = no limit */
	int commit_interval;                  /* seconds; 1 = commit every reading */
	int64_t retention[STEP_COUNT];        /* seconds per step, <= 0 forever */
	int64_t device_retention[STEP_COUNT]; /* the same for devices (STORE_DEVICE) */
	recorder_health_fn on_health;         /* NULL: nobody listens */
	void *health_ctx;
	int remind_interval;     /* seconds between "still failing" lines, 0 = 300 */
	int file_check_interval; /* seconds between checks of the file, 0 = 5 */
};

struct recorder;

/* Creates a recorder writing to s (borrowed; must outlive it). NULL on OOM. */
struct recorder *recorder_new(store *s, const struct recorder_options *opt);
/* Commits what is pending (as recorder_flush) and frees. NULL-safe. */
void recorder_free(struct recorder *r, int64_t now);

/* Registers the counter (router, kind, name), creating it in the store,
 * and loads its last stored reading. Returns a handle >= 0, or -1 (store
 * error, logged). A released handle (recorder_release) may be given to a
 * later counter. */
int recorder_counter(struct recorder *r, const char *router, enum store_kind kind,
                     const char *name);
/* recorder_counter of an interface. */
int recorder_interface(struct recorder *r, const char *router, const char *iface);
/* Records what the router says of counter h now (a queue's target, a
 * device's name and address; NULL keeps what is known) and that it was
 * seen at seen (Unix seconds); written to the store (store_set_counter_info)
 * with the next commit when something changed (last_seen: hourly). 0, or
 * -1 when out of memory. */
int recorder_set_info(struct recorder *r, int h, const char *display, const char *address,
                      int64_t seen);
/* Stops tracking handle h (a device idle for device_idle): what it has
 * pending is committed first (its history stays); h must not be used
 * again. 0, or -1 when that commit failed (h is then kept, retry later). */
int recorder_release(struct recorder *r, int h, int64_t now);

/* Accounts one reading of interface h taken at reading->time. Fills *out
 * (may be NULL) with what was counted. Commits when the interval is due
 * or the reading was a baseline, reset, reboot or re-creation. Returns 0,
 * or -1 when the store failed (the reading is then not lost: the pending
 * state is kept and retried at the next commit). */
int recorder_add(struct recorder *r, int h, const struct acct_reading *reading, int64_t now,
                 struct acct_delta *out);

/* Commits what is pending when commit_interval has passed since the last
 * commit (call it from the event loop: readings may stop coming); checks
 * the database file every file_check_interval (see above). */
int recorder_tick(struct recorder *r, int64_t now);

/* Commits everything pending now (also prunes old buckets once a day). */
int recorder_flush(struct recorder *r, int64_t now);

/* The last reading accounted for interface h (committed or not), or NULL. */
const struct acct_reading *recorder_last(const struct recorder *r, int h);

/* The store written to, and interface h's id in it. */
store *recorder_store(const struct recorder *r);
int64_t recorder_iface_id(const struct recorder *r, int h);

/* The database's health now (borrowed until the next call on r). */
const struct store_health *recorder_health(const struct recorder *r);
/* Records the start-up integrity check (store_quick_check): problem is
 * NULL when the file is sound, else what is wrong (logged by the caller). */
void recorder_set_integrity(struct recorder *r, const char *problem);

/* Totals since the start of the database, committed plus pending. */
void recorder_totals(const struct recorder *r, int h, uint64_t *rx, uint64_t *tx);

/* Traffic of interface h not yet committed, in 5-minute buckets starting
 * in [from, to): what the store's sums lack until the next commit. */
void recorder_pending(const struct recorder *r, int h, int64_t from, int64_t to, uint64_t *rx,
                      uint64_t *tx);

#endif
