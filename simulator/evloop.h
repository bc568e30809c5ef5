/*
 * evloop: a small single-threaded event loop (epoll + a timer heap on the
 * monotonic clock). Watchers and timers are embedded in their owners; the
 * loop never allocates per watcher and never owns what it watches.
 */
#ifndef FR_EVLOOP_H
#define FR_EVLOOP_H

#include <stddef.h>
#include <stdint.h>

/* Recover the owner of an embedded member (watchers, timers). */
#define FR_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct evloop;

/* An fd watcher. cb receives the epoll event mask that fired. */
struct ev_io {
	int fd;
	uint32_t events; /* mask currently registered (0 = not registered) */
	void (*cb)(struct ev_io *io, uint32_t events);
};

/* A one-shot timer. cb runs once when the deadline has passed. */
struct ev_timer {
	int64_t when_ms;
	size_t heap_idx; /* SIZE_MAX while not armed */
	void (*cb)(struct ev_timer *t);
};

/* Milliseconds on CLOCK_MONOTONIC (never the wall clock). */
int64_t ev_now_ms(void);

/* Creates a loop; NULL on failure (errno set). Free with evloop_free. */
struct evloop *evloop_new(void);

/* Frees the loop. Watchers and timers still registered are just forgotten. */
void evloop_free(struct evloop *l);

/* Registers io->fd with the given epoll mask; 0 or -1 (errno set). */
int evloop_io_add(struct evloop *l, struct ev_io *io, uint32_t events);

/* Changes the mask of a registered watcher; a no-op when unchanged. */
int evloop_io_mod(struct evloop *l, struct ev_io *io, uint32_t events);

/* Unregisters the watcher (call before closing its fd). NULL-safe. */
void evloop_io_del(struct evloop *l, struct ev_io *io);

/* Prepares a timer; it is not armed. */
void ev_timer_init(struct ev_timer *t, void (*cb)(struct ev_timer *t));

/* Arms (or re-arms) the timer for the absolute monotonic time when_ms.
 * Returns 0, or -1 when out of memory. */
int evloop_timer_at(struct evloop *l, struct ev_timer *t, int64_t when_ms);

/* Disarms the timer; harmless when it is not armed. */
void evloop_timer_stop(struct evloop *l, struct ev_timer *t);

/* 1 if the timer is armed. */
int ev_timer_armed(const struct ev_timer *t);

/* Waits for I/O or the next timer (at most max_wait_ms, -1 = unbounded),
 * then runs the callbacks of ready fds and of expired timers. Returns 0,
 * or -1 on an epoll failure other than EINTR. */
int evloop_run_once(struct evloop *l, int max_wait_ms);

#endif
