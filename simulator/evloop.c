#include "evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define EVLOOP_BATCH 256

struct evloop {
	int epfd;
	struct ev_timer **heap; /* binary min-heap ordered by when_ms */
	size_t nheap, capheap;
};

int64_t ev_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct evloop *evloop_new(void)
{
	struct evloop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void evloop_free(struct evloop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->heap);
	free(l);
}

int evloop_io_add(struct evloop *l, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0)
		return -1;
	io->events = events;
	return 0;
}

int evloop_io_mod(struct evloop *l, struct ev_io *io, uint32_t events)
{
	if (io->events == events)
		return 0;
	struct epoll_event ev = {.events = events, .data.ptr = io};
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -1;
	io->events = events;
	return 0;
}

void evloop_io_del(struct evloop *l, struct ev_io *io)
{
	if (!io || io->fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->events = 0;
}

void ev_timer_init(struct ev_timer *t, void (*cb)(struct ev_timer *t))
{
	t->when_ms = 0;
	t->heap_idx = SIZE_MAX;
	t->cb = cb;
}

int ev_timer_armed(const struct ev_timer *t)
{
	return t->heap_idx != SIZE_MAX;
}

static void heap_set(struct evloop *l, size_t i, struct ev_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct evloop *l, size_t i)
{
	struct ev_timer *t = l->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->when_ms <= t->when_ms)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct evloop *l, size_t i)
{
	struct ev_timer *t = l->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when_ms < l->heap[c]->when_ms)
			c++;
		if (t->when_ms <= l->heap[c]->when_ms)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void evloop_timer_stop(struct evloop *l, struct ev_timer *t)
{
	if (!ev_timer_armed(t))
		return;
	size_t i = t->heap_idx;
	t->heap_idx = SIZE_MAX;
	l->nheap--;
	if (i == l->nheap)
		return;
	struct ev_timer *moved = l->heap[l->nheap];
	heap_set(l, i, moved);
	heap_up(l, i);
	heap_down(l, moved->heap_idx);
}

int evloop_timer_at(struct evloop *l, struct ev_timer *t, int64_t when_ms)
{
	if (ev_timer_armed(t)) {
		t->when_ms = when_ms;
		heap_up(l, t->heap_idx);
		heap_down(l, t->heap_idx);
		return 0;
	}
	if (l->nheap == l->capheap) {
		size_t cap = l->capheap ? l->capheap * 2 : 64;
		struct ev_timer **h = realloc(l->heap, cap * sizeof(*h));
		if (!h)
			return -1;
		l->heap = h;
		l->capheap = cap;
	}
	t->when_ms = when_ms;
	heap_set(l, l->nheap++, t);
	heap_up(l, t->heap_idx);
	return 0;
}

static int wait_timeout(struct evloop *l, int max_wait_ms)
{
	if (l->nheap == 0)
		return max_wait_ms;
	int64_t d = l->heap[0]->when_ms - ev_now_ms();
	if (d < 0)
		d = 0;
	if (max_wait_ms >= 0 && d > max_wait_ms)
		d = max_wait_ms;
	return d > 1000000 ? 1000000 : (int)d;
}

static void run_timers(struct evloop *l)
{
	int64_t now = ev_now_ms();
	/* Bounded so a timer that re-arms itself "now" cannot starve I/O. */
	for (size_t budget = l->nheap + 16; budget > 0 && l->nheap > 0; budget--) {
		struct ev_timer *t = l->heap[0];
		if (t->when_ms > now)
			break;
		evloop_timer_stop(l, t);
		t->cb(t);
	}
}

int evloop_run_once(struct evloop *l, int max_wait_ms)
{
	struct epoll_event evs[EVLOOP_BATCH];
	int n = epoll_wait(l->epfd, evs, EVLOOP_BATCH, wait_timeout(l, max_wait_ms));
	if (n < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < n; i++) {
		struct ev_io *io = evs[i].data.ptr;
		io->cb(io, evs[i].events);
	}
	run_timers(l);
	return 0;
}
