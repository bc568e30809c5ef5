/*
 * test_sharedrender.c — concurrent requests share one rendering
 * (sharedrender.h): while the first renders, the others wait and get a
 * copy of its body; a failed rendering is not shared (the next renders
 * itself); requests one after another each render.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sharedrender.h"

#define REQUESTS 8

struct world {
	struct shared_render s;
	pthread_mutex_t lock;
	int renders;    /* calls of render */
	int fail_first; /* the first rendering fails */
};

/* Sleeps 1 ms (waits below are conditions with a deadline, never a
 * fixed time that assumes speed). */
static void nap(void)
{
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
}

/* The rendering: numbered, and held until every other request waits for
 * it (at most 30 s), so that they all arrive while it runs. */
static int render(void *ctx, struct text_buf *out)
{
	struct world *w = ctx;
	pthread_mutex_lock(&w->lock);
	int n = ++w->renders;
	pthread_mutex_unlock(&w->lock);
	if (n == 1)
		for (int i = 0; i < 30000 && shared_render_waiting(&w->s) < REQUESTS - 1; i++)
			nap();
	if (n == 1 && w->fail_first)
		return -1;
	return text_buf_printf(out, "rendering %d\n", n);
}

struct request {
	pthread_t t;
	struct world *w;
	int rc;
	char body[64];
};

static void *ask(void *arg)
{
	struct request *r = arg;
	struct text_buf out = TEXT_BUF_INIT;
	r->rc = shared_render_run(&r->w->s, render, r->w, &out);
	snprintf(r->body, sizeof r->body, "%s", out.data ? out.data : "");
	text_buf_free(&out);
	return NULL;
}

static int renders_of(struct world *w)
{
	pthread_mutex_lock(&w->lock);
	int n = w->renders;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Starts REQUESTS requests, the first alone until it renders. */
static void run_all(struct world *w, struct request *req)
{
	for (int i = 0; i < REQUESTS; i++) {
		req[i] = (struct request){.w = w};
		assert_int_equal(pthread_create(&req[i].t, NULL, ask, &req[i]), 0);
		if (i == 0)
			for (int k = 0; k < 30000 && !renders_of(w); k++)
				nap(); /* the others then find it running */
	}
	for (int i = 0; i < REQUESTS; i++)
		pthread_join(req[i].t, NULL);
}

static void concurrent_requests_share_one_rendering(void **state)
{
	(void)state;
	struct world w = {.renders = 0};
	pthread_mutex_init(&w.lock, NULL);
	assert_int_equal(shared_render_init(&w.s), 0);
	struct request req[REQUESTS];
	run_all(&w, req);
	assert_int_equal(w.renders, 1);
	for (int i = 0; i < REQUESTS; i++) {
		assert_int_equal(req[i].rc, 0);
		assert_string_equal(req[i].body, "rendering 1\n");
	}
	assert_int_equal(shared_render_waiting(&w.s), 0);
	assert_null(w.s.body.data); /* nothing kept once every copy was taken */
	/* Later requests render anew: never an old answer. */
	struct text_buf out = TEXT_BUF_INIT;
	assert_int_equal(shared_render_run(&w.s, render, &w, &out), 0);
	assert_string_equal(out.data, "rendering 2\n");
	text_buf_free(&out);
	shared_render_destroy(&w.s);
	pthread_mutex_destroy(&w.lock);
}

static void a_failed_rendering_is_not_shared(void **state)
{
	(void)state;
	struct world w = {.fail_first = 1};
	pthread_mutex_init(&w.lock, NULL);
	assert_int_equal(shared_render_init(&w.s), 0);
	struct request req[REQUESTS];
	run_all(&w, req);
	int failed = 0;
	for (int i = 0; i < REQUESTS; i++) {
		if (req[i].rc < 0) {
			failed++;
			assert_string_equal(req[i].body, "");
		} else {
			assert_int_not_equal(strcmp(req[i].body, "rendering 1\n"), 0);
		}
	}
	assert_int_equal(failed, 1); /* only the failing rendering's own request */
	assert_true(w.renders >= 2 && w.renders <= REQUESTS);
	shared_render_destroy(&w.s);
	pthread_mutex_destroy(&w.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(concurrent_requests_share_one_rendering),
	        cmocka_unit_test(a_failed_rendering_is_not_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
