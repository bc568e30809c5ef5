/* livehub.c — see livehub.h. */
#include "livehub.h"

#include "calendar.h"
#include "routeros.h" /* ros_now_ms: the poller's clock, given to livehub_tick */
#include "text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* The longest reason kept for a "down" event (before JSON escaping). */
#define REASON_MAX 400

struct livehub_viewer {
	struct livehub *hub;
	size_t ch;
	struct livehub_viewer *prev, *next;         /* in the channel's list */
	struct livehub_viewer *all_prev, *all_next; /* in the hub's list */
	const struct livehub_viewer_ops *ops;
	void *conn;
	uint64_t cursor;     /* sequence number of the next sample to send */
	uint64_t status_seq; /* the channel's status_seq when last told */
	bool told_down;      /* the last status event it got said "down" */
	bool asleep;
	bool started; /* the retry line went out */
	int64_t last_sent_ms;
	char ev[LIVEHUB_EVENT_MAX]; /* the event being sent */
	size_t ev_len, ev_off;
};

struct channel {
	const char *router, *iface; /* borrowed from cfg */
	bool push;                  /* the router is in push mode */
	struct livehub_sample ring[LIVEHUB_RING];
	uint64_t seq;        /* samples published so far; ring[(seq - 1) % RING] is the last */
	uint64_t status_seq; /* bumped when down or up */
	bool down;
	char down_event[LIVEHUB_EVENT_MAX]; /* the "down" status event, framed */
	struct livehub_viewer *viewers;
	size_t nviewers;
	bool changed; /* in the changed list */
};

struct livehub {
	pthread_mutex_t lock;
	int efd;
	unsigned max_viewers;
	size_t nviewers;
	struct livehub_viewer *all; /* every viewer */
	bool closing;
	struct channel *ch;
	size_t nch;
	size_t *first; /* per cfg router, its first channel */
	const struct cfg *cfg;
	size_t *changed; /* ids, nchanged of them; each channel once */
	size_t nchanged;
};

struct livehub *livehub_new(const struct cfg *cfg, unsigned max_viewers)
{
	struct livehub *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->efd = -1;
	h->cfg = cfg;
	h->max_viewers = max_viewers;
	for (size_t r = 0; r < cfg->n_routers; r++)
		h->nch += cfg->routers[r].n_interfaces;
	h->ch = calloc(h->nch ? h->nch : 1, sizeof *h->ch);
	h->changed = calloc(h->nch ? h->nch : 1, sizeof *h->changed);
	h->first = calloc(cfg->n_routers ? cfg->n_routers : 1, sizeof *h->first);
	h->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!h->ch || !h->changed || !h->first || h->efd < 0 ||
	    pthread_mutex_init(&h->lock, NULL) != 0) {
		if (h->efd >= 0)
			close(h->efd);
		free(h->ch);
		free(h->changed);
		free(h->first);
		free(h);
		return NULL;
	}
	size_t k = 0;
	for (size_t r = 0; r < cfg->n_routers; r++) {
		const struct cfg_router *cr = &cfg->routers[r];
		h->first[r] = k;
		for (size_t i = 0; i < cr->n_interfaces; i++, k++) {
			h->ch[k].router = cr->name;
			h->ch[k].iface = cr->interfaces[i];
			h->ch[k].push = cr->mode != MODE_POLL;
		}
	}
	return h;
}

void livehub_free(struct livehub *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	close(h->efd);
	free(h->ch);
	free(h->changed);
	free(h->first);
	free(h);
}

/* ---- formatting ---- */

/* "2026-12-06T18:00:01Z" into out (21 bytes). */
static void iso_time(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

size_t livehub_format_sample(const struct livehub_sample *s, char *out, size_t outsz)
{
	char when[21];
	iso_time(s->time, when);
	int n = snprintf(out, outsz, "data: {\"time\":\"%s\",\"rx_bps\":%llu,\"tx_bps\":%llu}\n\n",
	                 when, (unsigned long long)s->rx_bps, (unsigned long long)s->tx_bps);
	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

/* The "down" status event of reason into out (LIVEHUB_EVENT_MAX bytes): a
 * long reason is cut until its escaped form fits. */
static void format_down(const char *reason, char *out)
{
	size_t len = strnlen(reason, REASON_MAX);
	for (;;) {
		struct text_buf b = {0};
		text_buf_puts(&b, "event: status\ndata: {\"state\":\"down\",\"reason\":");
		text_escape_json(&b, reason, len);
		text_buf_puts(&b, "}\n\n");
		bool fits = !b.failed && b.len < LIVEHUB_EVENT_MAX;
		if (fits)
			memcpy(out, b.data, b.len + 1);
		text_buf_free(&b);
		if (fits)
			return;
		if (len == 0) {
			snprintf(out, LIVEHUB_EVENT_MAX,
			         "event: status\ndata: {\"state\":\"down\",\"reason\":\"\"}\n\n");
			return;
		}
		len /= 2;
	}
}

/* ---- the viewers' side ---- */

/* The channel named router/iface, or a refusal. Called with the lock. */
static long find_channel(const struct livehub *h, const char *router, const char *iface)
{
	for (size_t r = 0; r < h->cfg->n_routers; r++) {
		const struct cfg_router *cr = &h->cfg->routers[r];
		if (strcmp(cr->name, router) != 0)
			continue;
		for (size_t i = 0; i < cr->n_interfaces; i++)
			if (strcmp(cr->interfaces[i], iface) == 0)
				return (long)(h->first[r] + i);
		return LIVEHUB_UNKNOWN_INTERFACE;
	}
	return LIVEHUB_UNKNOWN_ROUTER;
}

/* The first sample a new viewer gets: of the last LIVEHUB_REPLAY, those
 * of the last minute (now: wall-clock seconds), so that samples from
 * before an outage are not shown as the recent past. */
static uint64_t first_replayed(const struct channel *c, int64_t now)
{
	uint64_t first = c->seq > LIVEHUB_REPLAY ? c->seq - LIVEHUB_REPLAY : 0;
	while (first < c->seq && c->ring[first % LIVEHUB_RING].time < now - LIVEHUB_REPLAY)
		first++;
	return first;
}

/* Channel ch's viewers went from none to some or back: tell the poller. */
static void mark_changed(struct livehub *h, size_t ch)
{
	if (h->ch[ch].changed)
		return;
	h->ch[ch].changed = true;
	h->changed[h->nchanged++] = ch;
	uint64_t one = 1;
	(void)!write(h->efd, &one, sizeof one);
}

int livehub_check(struct livehub *h, const char *router, const char *iface)
{
	pthread_mutex_lock(&h->lock);
	long id = find_channel(h, router, iface);
	int rc = id < 0 ? (int)id : h->ch[id].push ? LIVEHUB_PUSH_MODE : LIVEHUB_OK;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int livehub_join(struct livehub *h, const char *router, const char *iface,
                 const struct livehub_viewer_ops *ops, void *conn, struct livehub_viewer **out)
{
	pthread_mutex_lock(&h->lock);
	long id = find_channel(h, router, iface);
	int rc = id < 0                          ? (int)id
	         : h->ch[id].push                ? LIVEHUB_PUSH_MODE
	         : h->closing                    ? LIVEHUB_CLOSED
	         : h->nviewers >= h->max_viewers ? LIVEHUB_FULL
	                                         : LIVEHUB_OK;
	struct livehub_viewer *v = rc == LIVEHUB_OK ? calloc(1, sizeof *v) : NULL;
	if (rc == LIVEHUB_OK && !v)
		rc = LIVEHUB_NOMEM;
	if (rc != LIVEHUB_OK) {
		pthread_mutex_unlock(&h->lock);
		return rc;
	}
	struct channel *c = &h->ch[id];
	v->hub = h;
	v->ch = (size_t)id;
	v->ops = ops;
	v->conn = conn;
	v->cursor = first_replayed(c, calendar_now_s());
	v->last_sent_ms = ros_now_ms();
	v->next = c->viewers;
	if (c->viewers)
		c->viewers->prev = v;
	c->viewers = v;
	if (c->nviewers++ == 0)
		mark_changed(h, v->ch);
	v->all_next = h->all;
	if (h->all)
		h->all->all_prev = v;
	h->all = v;
	h->nviewers++;
	pthread_mutex_unlock(&h->lock);
	*out = v;
	return LIVEHUB_OK;
}

/* Prepares viewer v's next event in v->ev; false when there is none.
 * Order: the retry line, a status change, the samples, a keep-alive. */
static bool next_event(struct livehub_viewer *v, const struct channel *c, int64_t now)
{
	v->ev_off = 0;
	v->ev_len = 0;
	if (!v->started) {
		v->started = true;
		v->ev_len =
		        (size_t)snprintf(v->ev, sizeof v->ev, "retry: %d\n\n", LIVEHUB_RETRY_MS);
	} else if (v->status_seq != c->status_seq) {
		v->status_seq = c->status_seq;
		if (c->down) { /* also a new reason */
			v->told_down = true;
			v->ev_len = strlen(c->down_event);
			memcpy(v->ev, c->down_event, v->ev_len);
		} else if (!c->down && v->told_down) {
			v->told_down = false;
			v->ev_len = (size_t)snprintf(v->ev, sizeof v->ev,
			                             "event: status\ndata: {\"state\":\"up\"}\n\n");
		}
	}
	if (!v->ev_len && v->cursor < c->seq) {
		/* A viewer that lagged behind the ring skips what is gone. */
		if (c->seq - v->cursor > LIVEHUB_RING)
			v->cursor = c->seq - LIVEHUB_RING;
		v->ev_len = livehub_format_sample(&c->ring[v->cursor % LIVEHUB_RING], v->ev,
		                                  sizeof v->ev);
		v->cursor++;
	}
	if (!v->ev_len && now - v->last_sent_ms >= LIVEHUB_KEEPALIVE_MS)
		v->ev_len = (size_t)snprintf(v->ev, sizeof v->ev, ": keep-alive\n\n");
	if (v->ev_len)
		v->last_sent_ms = now;
	return v->ev_len > 0;
}

long livehub_read(struct livehub_viewer *v, char *buf, size_t max)
{
	struct livehub *h = v->hub;
	size_t n = 0;
	int64_t now = ros_now_ms();
	pthread_mutex_lock(&h->lock);
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		return -1;
	}
	const struct channel *c = &h->ch[v->ch];
	while (n < max) {
		if (v->ev_off == v->ev_len && !next_event(v, c, now))
			break;
		size_t part = v->ev_len - v->ev_off;
		/* Whole events while they fit; a part only when none fits. */
		if (part > max - n && n > 0)
			break;
		if (part > max - n)
			part = max - n;
		memcpy(buf + n, v->ev + v->ev_off, part);
		v->ev_off += part;
		n += part;
	}
	if (n == 0) {
		v->asleep = true;
		v->ops->sleep(v->conn);
	}
	pthread_mutex_unlock(&h->lock);
	return (long)n;
}

/* Wakes viewer v if it is parked. Called with the lock. */
static void wake(struct livehub_viewer *v)
{
	if (v->asleep) {
		v->asleep = false;
		v->ops->wake(v->conn);
	}
}

void livehub_leave(struct livehub_viewer *v)
{
	if (!v)
		return;
	struct livehub *h = v->hub;
	pthread_mutex_lock(&h->lock);
	struct channel *c = &h->ch[v->ch];
	if (v->prev)
		v->prev->next = v->next;
	else
		c->viewers = v->next;
	if (v->next)
		v->next->prev = v->prev;
	if (--c->nviewers == 0)
		mark_changed(h, v->ch);
	if (v->all_prev)
		v->all_prev->all_next = v->all_next;
	else
		h->all = v->all_next;
	if (v->all_next)
		v->all_next->all_prev = v->all_prev;
	h->nviewers--;
	pthread_mutex_unlock(&h->lock);
	free(v);
}

void livehub_close(struct livehub *h)
{
	pthread_mutex_lock(&h->lock);
	h->closing = true;
	for (struct livehub_viewer *v = h->all; v; v = v->all_next)
		wake(v);
	pthread_mutex_unlock(&h->lock);
}

size_t livehub_viewers(struct livehub *h)
{
	pthread_mutex_lock(&h->lock);
	size_t n = h->nviewers;
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* ---- the poller's side ---- */

int livehub_fd(const struct livehub *h)
{
	return h->efd;
}

size_t livehub_channel(const struct livehub *h, size_t router, size_t iface)
{
	return h->first[router] + iface;
}

size_t livehub_changed(struct livehub *h, size_t *ids, size_t max)
{
	uint64_t count;
	pthread_mutex_lock(&h->lock);
	(void)!read(h->efd, &count, sizeof count);
	size_t n = h->nchanged < max ? h->nchanged : max;
	for (size_t k = 0; k < n; k++) {
		ids[k] = h->changed[k];
		h->ch[ids[k]].changed = false;
	}
	memmove(h->changed, h->changed + n, (h->nchanged - n) * sizeof *h->changed);
	h->nchanged -= n;
	if (h->nchanged) {
		uint64_t one = 1; /* still pending: stay readable */
		(void)!write(h->efd, &one, sizeof one);
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

bool livehub_watched(struct livehub *h, size_t ch)
{
	pthread_mutex_lock(&h->lock);
	bool w = h->ch[ch].nviewers > 0;
	pthread_mutex_unlock(&h->lock);
	return w;
}

/* Wakes every parked viewer of channel c. Called with the lock. */
static void wake_channel(struct channel *c)
{
	for (struct livehub_viewer *v = c->viewers; v; v = v->next)
		wake(v);
}

void livehub_publish(struct livehub *h, size_t ch, const struct livehub_sample *s)
{
	pthread_mutex_lock(&h->lock);
	struct channel *c = &h->ch[ch];
	c->ring[c->seq % LIVEHUB_RING] = *s;
	c->seq++;
	if (c->down) {
		c->down = false;
		c->status_seq++;
	}
	wake_channel(c);
	pthread_mutex_unlock(&h->lock);
}

void livehub_down(struct livehub *h, size_t ch, const char *reason)
{
	char ev[LIVEHUB_EVENT_MAX];
	format_down(reason, ev); /* outside the lock: it allocates */
	pthread_mutex_lock(&h->lock);
	struct channel *c = &h->ch[ch];
	if (!c->down || strcmp(c->down_event, ev) != 0) {
		memcpy(c->down_event, ev, sizeof ev);
		c->down = true;
		c->status_seq++;
		wake_channel(c);
	}
	pthread_mutex_unlock(&h->lock);
}

void livehub_tick(struct livehub *h, int64_t now)
{
	pthread_mutex_lock(&h->lock);
	for (struct livehub_viewer *v = h->all; v; v = v->all_next)
		if (now - v->last_sent_ms >= LIVEHUB_KEEPALIVE_MS)
			wake(v);
	pthread_mutex_unlock(&h->lock);
}
