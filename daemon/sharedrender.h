/*
 * sharedrender.h — one rendering shared by the requests that arrive
 * while it runs ("single flight").
 *
 * A /metrics scrape of 10,000 interfaces takes some 20 ms to render.
 * When 32 scrapers ask at once, rendering 32 times over makes the last
 * one wait 32 renderings. Instead the first request renders and the
 * requests that come while it runs wait for it and take a copy of its
 * body: each answer is at most one rendering old (never a cached answer
 * from before the request's own rendering began, plus that rendering's
 * time), and concurrent scrapers cost one rendering, not one each.
 *
 * Thread safe. A render that fails is not shared: the waiters then each
 * render for themselves, one at a time (the next becomes the renderer).
 */
#ifndef TIKSTAT_SHAREDRENDER_H
#define TIKSTAT_SHAREDRENDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "text.h"

struct shared_render {
	pthread_mutex_t mutex;
	pthread_cond_t done;
	bool busy;            /* a rendering is running */
	uint64_t generation;  /* renderings finished (shared or not) */
	size_t waiting;       /* requests waiting for the running rendering */
	bool have;            /* body holds the last finished rendering */
	struct text_buf body; /* it, kept only while someone waits for it */
};

/* Renders into out: returns 0 (out holds the body) or -1 (out is empty). */
typedef int (*shared_render_fn)(void *ctx, struct text_buf *out);

/* 0, or -1 when the mutex or condition cannot be made. */
int shared_render_init(struct shared_render *s);
/* No rendering may run. */
void shared_render_destroy(struct shared_render *s);

/* Fills out (empty on entry) with a rendering: render(ctx, out) when no
 * rendering runs now, else a copy of the running one's body once it ends.
 * Returns what render returned, or 0 for a copy (-1: out of memory while
 * copying, out then empty). */
int shared_render_run(struct shared_render *s, shared_render_fn render, void *ctx,
                      struct text_buf *out);

/* How many requests wait now for the running rendering (tests). */
size_t shared_render_waiting(struct shared_render *s);

#endif
