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
	struct acct_reading reading;
};

struct pushq;

/* A queue holding at most capacity items. NULL on failure (errno set). */
struct pushq *pushq_new(size_t capacity);
/* Frees the queue and whatever it still holds. NULL-safe. */
void pushq_free(struct pushq *q);

/* The eventfd to watch for EPOLLIN. */
int pushq_fd(const struct pushq *q);

/* Appends a copy of *item, stamping item->reading.time and .time_sub_ms
 * (wall clock, ms) and .mono_ms (CLOCK_BOOTTIME) with the current time
 * under the queue's lock, so readings leave in time order; .latency_ms is
 * 0. .source stays as the caller set it (ACCT_SRC_LEGACY: the old PHP
 * setup's script, whose counters import-legacy imported), and is
 * ACCT_SRC_PUSH when unset. Returns 0, or -1 when the queue is full
 * (nothing queued). */
int pushq_put(struct pushq *q, const struct pushq_item *item);

/* Moves up to max items, oldest first, into out; returns how many. The
 * eventfd is reset once the queue is empty. */
size_t pushq_take(struct pushq *q, struct pushq_item *out, size_t max);

#endif
