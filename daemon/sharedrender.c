/* sharedrender.c — see sharedrender.h. */
#include "sharedrender.h"

#include <string.h>

int shared_render_init(struct shared_render *s)
{
	memset(s, 0, sizeof *s);
	if (pthread_mutex_init(&s->mutex, NULL) != 0)
		return -1;
	if (pthread_cond_init(&s->done, NULL) != 0) {
		pthread_mutex_destroy(&s->mutex);
		return -1;
	}
	return 0;
}

void shared_render_destroy(struct shared_render *s)
{
	pthread_cond_destroy(&s->done);
	pthread_mutex_destroy(&s->mutex);
	text_buf_free(&s->body);
}

/* Waits (mutex held) for the running rendering to end. Returns true when
 * it left a body to copy; false when it failed and this request is to
 * render itself (busy is then set for it). */
static bool wait_for_running(struct shared_render *s)
{
	uint64_t seen = s->generation;
	s->waiting++;
	while (s->busy && s->generation == seen)
		pthread_cond_wait(&s->done, &s->mutex);
	s->waiting--;
	if (s->generation != seen && s->have)
		return true;
	/* It failed, or another request took over meanwhile: render, or wait
	 * for that one in turn. */
	if (s->busy)
		return wait_for_running(s);
	s->busy = true;
	return false;
}

/* Ends this request's rendering (mutex held): keeps its body for the
 * requests waiting, or nothing when none waits or it failed. */
static void finish(struct shared_render *s, int rc, const struct text_buf *out)
{
	text_buf_reset(&s->body);
	s->have = rc == 0 && s->waiting > 0 &&
	          text_buf_append(&s->body, out->data ? out->data : "", out->len) == 0;
	if (!s->have)
		text_buf_free(&s->body);
	s->generation++;
	s->busy = false;
	pthread_cond_broadcast(&s->done);
}

int shared_render_run(struct shared_render *s, shared_render_fn render, void *ctx,
                      struct text_buf *out)
{
	pthread_mutex_lock(&s->mutex);
	if (s->busy && wait_for_running(s)) {
		int rc = text_buf_append(out, s->body.data ? s->body.data : "", s->body.len);
		if (s->waiting == 0) { /* the last copy: a body of megabytes is not kept idle */
			text_buf_free(&s->body);
			s->have = false;
		}
		pthread_mutex_unlock(&s->mutex);
		if (rc < 0)
			text_buf_free(out);
		return rc;
	}
	s->busy = true;
	pthread_mutex_unlock(&s->mutex);
	int rc = render(ctx, out);
	pthread_mutex_lock(&s->mutex);
	finish(s, rc, out);
	pthread_mutex_unlock(&s->mutex);
	return rc;
}

size_t shared_render_waiting(struct shared_render *s)
{
	pthread_mutex_lock(&s->mutex);
	size_t n = s->waiting;
	pthread_mutex_unlock(&s->mutex);
	return n;
}
