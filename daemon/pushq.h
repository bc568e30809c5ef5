/*
 * pushq.h — readings pushed over HTTP, on their way to the poller thread.
 *
 * HTTP threads put accepted push readings into a bounded queue; the poller
 * thread, the only database writer, takes them out and accounts them with
 * the recorder, so the recorder stays single-threaded. An eventfd becomes
 * readable while the queue holds something: the poller watches it in its
 * epoll loop. Every function is thread-safe.
 */
#ifndef TIKSTAT_PUSHQ_H
#define TIKSTAT_PUSHQ_H

#include <stddef.h>

#include "accounting.h"

struct pushq_item {
	size_t router; /* index in cfg->routers */
	size_t iface;  /* index in that router's interfaces */
	size_t ref;    /* the counter's reference (ingest.h), set by pushq_put */
	struct acct_reading reading;
};

/* Finds the counter reference of interface iface of router router (cfg
 * indices), or -1; called by pushq_put in the pushing thread, so it must be
 * thread-safe (ingest_resolve: a table fixed while the queue lives). */
typedef long (*pushq_resolve_fn)(const void *ctx, size_t router, size_t iface);

struct pushq;

/* A queue holding at most capacity items whose references resolve finds
 * (with ctx; both borrowed, they must outlive the queue). With resolve
 * NULL, items keep the ref their caller set. NULL on failure (errno set). */
struct pushq *pushq_new(size_t capacity, pushq_resolve_fn resolve, const void *ctx);
/* Frees the queue and whatever it still holds. NULL-safe. */
void pushq_free(struct pushq *q);

/* The eventfd to watch for EPOLLIN. */
int pushq_fd(const struct pushq *q);

/* Appends a copy of *item with its ref resolved (see pushq_new), stamping item->reading.time and .time_sub_ms
 * (wall clock, ms) and .mono_ms (CLOCK_BOOTTIME) with the current time
 * under the queue's lock, so readings leave in time order; .latency_ms is
 * 0. .source stays as the caller set it (ACCT_SRC_LEGACY: the old PHP
 * setup's script, whose counters import-legacy imported), and is
 * ACCT_SRC_PUSH when unset. Returns 0, or -1 when the queue is full or
 * the item names no counter (nothing queued). */
int pushq_put(struct pushq *q, const struct pushq_item *item);

/* Moves up to max items, oldest first, into out; returns how many. The
 * eventfd is reset once the queue is empty. */
size_t pushq_take(struct pushq *q, struct pushq_item *out, size_t max);

#endif
