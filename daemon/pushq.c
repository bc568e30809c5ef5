/* pushq.c — see pushq.h. */
#include "pushq.h"

#include "calendar.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct pushq {
	pthread_mutex_t lock;
	struct pushq_item *ring;
	size_t cap, head, len;
	int efd;
	pushq_resolve_fn resolve; /* immutable: called without the lock */
	const void *resolve_ctx;
};

struct pushq *pushq_new(size_t capacity, pushq_resolve_fn resolve, const void *ctx)
{
	struct pushq *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->cap = capacity ? capacity : 1;
	q->ring = calloc(q->cap, sizeof *q->ring);
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!q->ring || q->efd < 0) {
		int e = errno;
		free(q->ring);
		if (q->efd >= 0)
			close(q->efd);
		free(q);
		errno = e;
		return NULL;
	}
	pthread_mutex_init(&q->lock, NULL);
	q->resolve = resolve;
	q->resolve_ctx = ctx;
	return q;
}

void pushq_free(struct pushq *q)
{
	if (!q)
		return;
	close(q->efd);
	free(q->ring);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

int pushq_fd(const struct pushq *q)
{
	return q->efd;
}

int pushq_put(struct pushq *q, const struct pushq_item *item)
{
	size_t ref = item->ref;
	if (q->resolve) {
		/* Resolved here, in the pushing thread: the consumer takes the
		 * reference as it is, with no search per item. */
		long id = q->resolve(q->resolve_ctx, item->router, item->iface);
		if (id < 0)
			return -1;
		ref = (size_t)id;
	}
	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	struct pushq_item *slot = &q->ring[(q->head + q->len) % q->cap];
	*slot = *item;
	slot->ref = ref;
	/* Timed on arrival, both clocks: the monotonic one measures the
	 * interval to the next push even if the wall clock steps. */
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	slot->reading.time = (int64_t)wall.tv_sec;
	slot->reading.time_sub_ms = (int32_t)(wall.tv_nsec / 1000000);
	if (slot->reading.source == ACCT_SRC_UNKNOWN)
		slot->reading.source = ACCT_SRC_PUSH;
	slot->reading.mono_ms = calendar_reading_mono_ms();
	slot->reading.latency_ms = 0;
	if (q->len++ == 0) {
		uint64_t one = 1;
		/* Cannot fail short of a counter overflow: it is reset on empty. */
		(void)!write(q->efd, &one, sizeof one);
	}
	pthread_mutex_unlock(&q->lock);
	return 0;
}

size_t pushq_take(struct pushq *q, struct pushq_item *out, size_t max)
{
	size_t n = 0;
	pthread_mutex_lock(&q->lock);
	while (n < max && q->len) {
		out[n++] = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	if (q->len == 0) {
		uint64_t v;
		(void)!read(q->efd, &v, sizeof v);
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}
