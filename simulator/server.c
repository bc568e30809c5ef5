#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "wire.h"

/* Reading stops above HIGH_WATER bytes of queued output and resumes below
 * LOW_WATER: a client that sends but does not read gets back-pressure. */
#define HIGH_WATER      (1u << 20)
#define LOW_WATER       (256u << 10)
#define CLOSE_GRACE_MS  5000 /* a closing session gets this long to drain */
#define DRIBBLE_GAP_MS  1
#define LISTEN_RETRY_MS 100
#define ACCEPT_BATCH    64
#define READ_ROUNDS     64 /* plain reads per wake-up, for fairness */

struct conn {
	struct ev_io io;
	struct srv_router *r;
	struct conn *prev, *next; /* in r->conns */
	struct conn *reap_next;
	struct tls_conn *tls; /* NULL on plain */
	struct api_session *api;
	struct wire_parser in;
	struct wbuf out;
	struct ev_timer mon_timer, drib_timer, close_timer;
	struct ev_timer read_timer; /* deferred read: resume after stall/back-pressure */
	unsigned handshaking : 1, dead : 1, closing : 1, garbage : 1, cutword : 1, fatal : 1,
	        tls_wants_write : 1, write_blocked : 1, read_paused : 1, no_notify : 1,
	        flooding : 1;
};

struct server {
	struct evloop *loop;
	struct server_config cfg;
	struct srv_router **routers;
	size_t n, cap;
	struct conn *reap;
	struct wire_word *words; /* scratch for the sentence being handled */
	size_t capwords;
};

static void conn_flush(struct conn *c);
static void conn_read(struct conn *c);
static void router_sync_listener(struct srv_router *r);

/* ---- low-level I/O --------------------------------------------------------- */

/* >0 bytes, 0 end of stream, or TLSU_WANT_READ / TLSU_ERR. */
static ssize_t io_read(struct conn *c, void *buf, size_t n)
{
	if (c->tls)
		return tlsutil_read(c->tls, buf, n);
	ssize_t k = read(c->io.fd, buf, n);
	if (k >= 0)
		return k;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? TLSU_WANT_READ
	                                                                 : TLSU_ERR;
}

/* >0 bytes written, or TLSU_WANT_WRITE / TLSU_WANT_READ / TLSU_ERR. */
static ssize_t io_write(struct conn *c, const void *buf, size_t n)
{
	if (c->tls)
		return tlsutil_write(c->tls, buf, n);
	ssize_t k = send(c->io.fd, buf, n, MSG_NOSIGNAL);
	if (k > 0)
		return k;
	return k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
	               ? TLSU_WANT_WRITE
	               : TLSU_ERR;
}

/* ---- session lifecycle ----------------------------------------------------- */

static struct evloop *loop_of(const struct conn *c)
{
	return c->r->srv->loop;
}

static uint32_t conn_interest(const struct conn *c)
{
	if (c->r->stall)
		return EPOLLRDHUP; /* only notice the peer leaving */
	if (c->handshaking)
		return c->tls_wants_write ? EPOLLOUT : EPOLLIN;
	uint32_t ev = 0;
	if (!c->closing && !c->read_paused)
		ev |= EPOLLIN;
	if ((c->write_blocked || c->tls_wants_write) && !c->r->dribble)
		ev |= EPOLLOUT;
	/* A flood is refilled whenever the socket takes more: one batch per
	 * wake-up, so the other routers of the process keep being served. */
	if (c->flooding && !c->closing && !c->r->dribble)
		ev |= EPOLLOUT;
	return ev;
}

static void conn_update_interest(struct conn *c)
{
	if (!c->dead)
		evloop_io_mod(loop_of(c), &c->io, conn_interest(c));
}

/* Closes the socket now; the memory is freed by server_reap, because
 * callbacks for this connection may still be queued in this iteration.
 * rst: send a TCP reset instead of a FIN (reboot). */
static void conn_abort(struct conn *c, int rst)
{
	if (c->dead)
		return;
	struct srv_router *r = c->r;
	struct evloop *l = loop_of(c);
	c->dead = 1;
	evloop_timer_stop(l, &c->mon_timer);
	evloop_timer_stop(l, &c->drib_timer);
	evloop_timer_stop(l, &c->close_timer);
	evloop_timer_stop(l, &c->read_timer);
	evloop_io_del(l, &c->io);
	if (rst) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->io.fd);
	c->io.fd = -1;
	if (c->prev)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	r->nconns--;
	c->reap_next = r->srv->reap;
	r->srv->reap = c;
}

static void conn_free(struct conn *c)
{
	tlsutil_conn_free(c->tls);
	api_session_free(c->api);
	wire_parser_free(&c->in);
	wbuf_free(&c->out);
	free(c);
}

/* Sends close_notify (unless the close is meant to look broken) and closes. */
static void conn_finish_close(struct conn *c)
{
	if (c->tls && !c->no_notify && !c->handshaking)
		tlsutil_shutdown(c->tls);
	conn_abort(c, 0);
}

static void close_timer_cb(struct ev_timer *t)
{
	struct conn *c = FR_CONTAINER_OF(t, struct conn, close_timer);
	conn_abort(c, 0);
}

/* Stops reading and closes once the queued output is sent (bounded by
 * CLOSE_GRACE_MS). The caller flushes. */
static void conn_close_after_flush(struct conn *c)
{
	if (c->dead || c->closing)
		return;
	c->closing = 1;
	evloop_timer_at(loop_of(c), &c->close_timer, ev_now_ms() + CLOSE_GRACE_MS);
}

/* ---- output ---------------------------------------------------------------- */

static void conn_queue(struct conn *c, const void *p, size_t n)
{
	if (wbuf_append(&c->out, p, n) < 0 || wbuf_size(&c->out) > c->r->srv->cfg.out_cap) {
		conn_abort(c, 0); /* a client that never reads: bounded memory */
		return;
	}
	if (wbuf_size(&c->out) > HIGH_WATER)
		c->read_paused = 1;
}

/* Queues the sentence up to the middle of its first word. */
static void queue_cut(struct conn *c, const unsigned char *p, size_t n)
{
	size_t k = wire_len_size(p[0]);
	uint32_t wlen = k && k <= n ? wire_len_decode(p, k) : 0;
	size_t keep = k + (wlen > 1 ? wlen / 2 : 0);
	conn_queue(c, p, keep < n ? keep : n);
}

/* The api_out callback: queues one reply sentence, applying armed faults. */
static void conn_emit(void *ctx, const unsigned char *p, size_t n)
{
	static const unsigned char garbage[] = {0xF8, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
	struct conn *c = ctx;
	if (c->dead || c->closing)
		return;
	if (c->garbage) {
		c->garbage = 0;
		conn_queue(c, garbage, sizeof(garbage));
	} else if (c->cutword) {
		c->cutword = 0;
		queue_cut(c, p, n);
		c->no_notify = 1;
		conn_close_after_flush(c);
	} else {
		conn_queue(c, p, n);
	}
}

static void discard_emit(void *ctx, const unsigned char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
}

/* Queues "!fatal <reason>" (never altered by other faults) and closes. */
static void conn_send_fatal(struct conn *c, const char *reason)
{
	struct wbuf b;
	wbuf_init(&b);
	if (wire_put_str(&b, "!fatal") == 0 && wire_put_str(&b, reason) == 0 &&
	    wire_put_end(&b) == 0)
		conn_queue(c, b.data, wbuf_size(&b));
	wbuf_free(&b);
	conn_close_after_flush(c);
}

static void drib_timer_cb(struct ev_timer *t);

/* Writes one byte and schedules the next one DRIBBLE_GAP_MS later. */
static void dribble_step(struct conn *c)
{
	if (wbuf_size(&c->out) == 0 || ev_timer_armed(&c->drib_timer))
		return;
	ssize_t k = io_write(c, c->out.data + c->out.off, 1);
	if (k == TLSU_ERR) {
		conn_abort(c, 0);
		return;
	}
	if (k > 0)
		wbuf_consume(&c->out, (size_t)k);
	if (wbuf_size(&c->out) > 0)
		evloop_timer_at(loop_of(c), &c->drib_timer, ev_now_ms() + DRIBBLE_GAP_MS);
}

/* Writes as much as the socket takes; 0, or -1 if the session died. */
static int write_all(struct conn *c)
{
	c->write_blocked = 0;
	while (wbuf_size(&c->out) > 0) {
		ssize_t k = io_write(c, c->out.data + c->out.off, wbuf_size(&c->out));
		if (k > 0) {
			wbuf_consume(&c->out, (size_t)k);
			continue;
		}
		if (k == TLSU_ERR) {
			conn_abort(c, 0);
			return -1;
		}
		c->write_blocked = 1;
		break;
	}
	return 0;
}

/* Tops the output of a flooding session up to LOW_WATER bytes with copies
 * of the router's flood sentence: the flood grows only as the client reads
 * (back-pressure on the fake's side too). */
static void flood_fill(struct conn *c)
{
	const struct wbuf *f = &c->r->flood_sentence;
	while (c->flooding && !c->dead && !c->closing && wbuf_size(f) > 0 &&
	       wbuf_size(&c->out) < LOW_WATER)
		conn_queue(c, f->data + f->off, wbuf_size(f));
}

/* Sends queued output (paced when dribbling), finishes a pending close,
 * resumes reading after back-pressure, and updates the epoll mask. */
static void conn_flush(struct conn *c)
{
	if (c->dead || c->handshaking || c->r->stall)
		return;
	flood_fill(c);
	if (c->dead)
		return;
	if (c->r->dribble)
		dribble_step(c);
	else if (write_all(c) < 0)
		return;
	if (c->dead)
		return;
	if (wbuf_size(&c->out) == 0 && c->closing) {
		conn_finish_close(c);
		return;
	}
	if (c->read_paused && wbuf_size(&c->out) < LOW_WATER) {
		c->read_paused = 0;
		if (c->tls) /* TLS may hold decrypted bytes epoll cannot see */
			evloop_timer_at(loop_of(c), &c->read_timer, ev_now_ms());
	}
	conn_update_interest(c);
}

static void drib_timer_cb(struct ev_timer *t)
{
	struct conn *c = FR_CONTAINER_OF(t, struct conn, drib_timer);
	if (!c->dead)
		conn_flush(c);
}

/* ---- input ----------------------------------------------------------------- */

/* CLOCK_REALTIME minus ev_now_ms()'s clock in ms, rounded down, so that a
 * timer for (wall boundary - offset) never fires before the wall clock
 * reached the boundary. */
static int64_t wall_offset_ms(void)
{
	struct timespec rt, mono;
	/* Realtime first: the time between the reads can only make the offset
	 * smaller, never later than the true one. */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int64_t ns = ((int64_t)rt.tv_sec - (int64_t)mono.tv_sec) * 1000000000 +
	             ((int64_t)rt.tv_nsec - (int64_t)mono.tv_nsec);
	int64_t ms = ns / 1000000;
	if (ns % 1000000 < 0) /* C rounds toward zero: round down */
		ms--;
	return ms;
}

/* With --monitor-align[=MS]: hands the session the wall clock's offset
 * now, before it schedules monitors (so a stepped clock is followed); MS
 * later than the wall clock is a clock whose whole periods come MS later. */
static void conn_align(struct conn *c)
{
	const struct server_config *cfg = &c->r->srv->cfg;
	if (cfg->monitor_align)
		api_session_align(c->api, wall_offset_ms() - cfg->monitor_align_ms);
}

static void conn_schedule_monitors(struct conn *c)
{
	int64_t due = api_session_next_due(c->api);
	if (due == INT64_MAX)
		evloop_timer_stop(loop_of(c), &c->mon_timer);
	else
		evloop_timer_at(loop_of(c), &c->mon_timer, due);
}

static void mon_timer_cb(struct ev_timer *t)
{
	struct conn *c = FR_CONTAINER_OF(t, struct conn, mon_timer);
	struct api_out out = {conn_emit, c};
	struct api_out drop = {discard_emit, NULL};
	if (c->dead)
		return;
	conn_align(c);
	api_session_tick(c->api, ev_now_ms(), c->r->stall ? &drop : &out);
	if (c->dead)
		return;
	conn_schedule_monitors(c);
	conn_flush(c);
}

static int gather_words(struct conn *c, size_t *n)
{
	struct server *s = c->r->srv;
	*n = wire_parser_nwords(&c->in);
	if (*n > s->capwords) {
		struct wire_word *w = realloc(s->words, *n * sizeof(*w));
		if (!w)
			return -1;
		s->words = w;
		s->capwords = *n;
	}
	for (size_t i = 0; i < *n; i++)
		s->words[i] = wire_parser_word(&c->in, i);
	return 0;
}

static void conn_on_sentence(struct conn *c)
{
	struct api_out out = {conn_emit, c};
	size_t n;
	if (c->flooding)
		return; /* busy flooding: later commands go unanswered */
	if (c->r->flood && api_session_logged_in(c->api)) {
		c->flooding = 1; /* conn_flush, after this read, starts it */
		return;
	}
	if (c->fatal) {
		c->fatal = 0;
		conn_send_fatal(c, c->r->fatal_reason ? c->r->fatal_reason
		                                      : "too many commands before login");
		return;
	}
	if (gather_words(c, &n) < 0) {
		conn_abort(c, 0);
		return;
	}
	conn_align(c);
	if (api_session_handle(c->api, c->r->srv->words, n, ev_now_ms(), &out) == API_CLOSE)
		conn_close_after_flush(c);
	if (!c->dead)
		conn_schedule_monitors(c);
}

/* Parses n bytes; stops at a protocol error (answered with !fatal). */
static void conn_feed(struct conn *c, const unsigned char *p, size_t n)
{
	while (n > 0 && !c->dead && !c->closing) {
		size_t used = 0;
		int rc = wire_parser_feed(&c->in, p, n, &used);
		p += used;
		n -= used;
		if (rc == WIRE_SENTENCE)
			conn_on_sentence(c);
		else if (rc < 0)
			conn_send_fatal(c, wire_strerror(rc));
	}
}

static void conn_read(struct conn *c)
{
	unsigned char buf[16384];
	for (int round = 0; c->tls || round < READ_ROUNDS; round++) {
		if (c->dead || c->closing || c->read_paused || c->r->stall)
			break;
		ssize_t k = io_read(c, buf, sizeof(buf));
		if (k > 0) {
			conn_feed(c, buf, (size_t)k);
			continue;
		}
		if (k == 0) { /* the client left: answer what it sent, then close */
			conn_close_after_flush(c);
		} else if (k == TLSU_ERR) {
			conn_abort(c, 0);
		} else {
			c->tls_wants_write = k == TLSU_WANT_WRITE;
		}
		break;
	}
	conn_flush(c);
}

static void conn_handshake(struct conn *c)
{
	int rc = tlsutil_handshake(c->tls);
	if (rc == 1) {
		c->handshaking = 0;
		c->tls_wants_write = 0;
		conn_read(c);
		return;
	}
	if (rc == TLSU_ERR) {
		conn_abort(c, 0);
		return;
	}
	c->tls_wants_write = rc == TLSU_WANT_WRITE;
	conn_update_interest(c);
}

static void read_timer_cb(struct ev_timer *t)
{
	struct conn *c = FR_CONTAINER_OF(t, struct conn, read_timer);
	if (c->dead || c->r->stall)
		return;
	if (c->handshaking)
		conn_handshake(c);
	else
		conn_read(c);
}

static void conn_io_cb(struct ev_io *io, uint32_t events)
{
	struct conn *c = FR_CONTAINER_OF(io, struct conn, io);
	if (c->dead)
		return;
	if (events & EPOLLERR) {
		conn_abort(c, 0);
		return;
	}
	if (c->r->stall) {
		if (events & (EPOLLRDHUP | EPOLLHUP))
			conn_abort(c, 0);
		return;
	}
	if ((events & EPOLLHUP) && c->closing) {
		conn_abort(c, 0); /* cannot deliver the rest any more */
		return;
	}
	if (c->handshaking) {
		conn_handshake(c);
		return;
	}
	c->tls_wants_write = 0;
	/* TLS reads may need the socket writable and vice versa: try both. */
	if (c->tls || (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)))
		conn_read(c);
	else
		conn_flush(c);
}

/* ---- accepting ---------------------------------------------------------- */

static void conn_take_armed_faults(struct conn *c, struct srv_router *r)
{
	c->garbage = r->arm_garbage != 0;
	c->cutword = r->arm_cutword != 0;
	c->fatal = r->arm_fatal != 0;
	r->arm_garbage = r->arm_cutword = r->arm_fatal = 0;
}

static struct conn *conn_alloc(struct srv_router *r, int fd)
{
	const struct server_config *cfg = &r->srv->cfg;
	unsigned char challenge[16];
	struct conn *c = calloc(1, sizeof(*c));
	if (!c || tlsutil_random(challenge, sizeof(challenge)) < 0) {
		free(c);
		return NULL;
	}
	c->io.fd = fd;
	c->io.cb = conn_io_cb;
	c->r = r;
	wire_parser_init(&c->in, cfg->max_word, cfg->max_sentence, cfg->max_words);
	wbuf_init(&c->out);
	ev_timer_init(&c->mon_timer, mon_timer_cb);
	ev_timer_init(&c->drib_timer, drib_timer_cb);
	ev_timer_init(&c->close_timer, close_timer_cb);
	ev_timer_init(&c->read_timer, read_timer_cb);
	c->api = api_session_new(r->m, challenge, cfg->monitor_interval_ms);
	if (r->tr != FR_PLAIN) {
		c->tls = tlsutil_conn_new(r->tr == FR_TLS ? cfg->tls_ctx : cfg->adh_ctx, fd);
		c->handshaking = 1;
	}
	if (!c->api || (r->tr != FR_PLAIN && !c->tls)) {
		conn_free(c);
		return NULL;
	}
	return c;
}

static void conn_new(struct srv_router *r, int fd)
{
	int one = 1;
	struct conn *c = conn_alloc(r, fd);
	if (!c) {
		close(fd);
		return;
	}
	/* Replies go out at once; with dribble, one byte really is one segment. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (evloop_io_add(r->srv->loop, &c->io, conn_interest(c)) < 0) {
		close(fd);
		conn_free(c);
		return;
	}
	c->next = r->conns;
	if (r->conns)
		r->conns->prev = c;
	r->conns = c;
	r->nconns++;
	r->m->accepted++;
	conn_take_armed_faults(c, r);
}

/* Out of descriptors: stop accepting for a moment instead of spinning. */
static void listener_pause(struct srv_router *r)
{
	evloop_io_mod(r->srv->loop, &r->lio, 0);
	evloop_timer_at(r->srv->loop, &r->listen_timer, ev_now_ms() + LISTEN_RETRY_MS);
}

static void listener_cb(struct ev_io *io, uint32_t events)
{
	struct srv_router *r = FR_CONTAINER_OF(io, struct srv_router, lio);
	(void)events;
	for (int k = 0; k < ACCEPT_BATCH && r->lio.fd >= 0; k++) {
		int fd = accept4(r->lio.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_new(r, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			fprintf(stderr, "fakerouter: %s: accept: %s\n", r->m->name,
			        strerror(errno));
			listener_pause(r);
		}
		break;
	}
}

/* ---- listening --------------------------------------------------------------- */

static int listener_open(struct srv_router *r, char *err, size_t errlen)
{
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(r->port)};
	socklen_t slen = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* Re-binding the same port after refuse/reboot must not trip over
	 * sessions of ours lingering in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 511) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &slen) < 0)
		goto fail;
	r->port = ntohs(sa.sin_port);
	r->lio.fd = fd;
	if (evloop_io_add(r->srv->loop, &r->lio, EPOLLIN) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot listen on 127.0.0.1:%u: %s", r->m->name,
	         (unsigned)r->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	r->lio.fd = -1;
	return -1;
}

static void listener_close(struct srv_router *r)
{
	if (r->lio.fd < 0)
		return;
	evloop_io_del(r->srv->loop, &r->lio);
	close(r->lio.fd);
	r->lio.fd = -1;
}

/* Listens iff the router is neither down nor refusing; retries failures. */
static void router_sync_listener(struct srv_router *r)
{
	char err[256];
	evloop_timer_stop(r->srv->loop, &r->listen_timer);
	if (r->down || r->refuse) {
		listener_close(r);
		return;
	}
	if (r->lio.fd >= 0) {
		evloop_io_mod(r->srv->loop, &r->lio, EPOLLIN); /* resume after a pause */
		return;
	}
	if (listener_open(r, err, sizeof(err)) < 0) {
		fprintf(stderr, "fakerouter: %s (retrying)\n", err);
		evloop_timer_at(r->srv->loop, &r->listen_timer, ev_now_ms() + LISTEN_RETRY_MS);
	}
}

static void listen_timer_cb(struct ev_timer *t)
{
	router_sync_listener(FR_CONTAINER_OF(t, struct srv_router, listen_timer));
}

static void boot_timer_cb(struct ev_timer *t)
{
	struct srv_router *r = FR_CONTAINER_OF(t, struct srv_router, boot_timer);
	r->down = 0;
	router_sync_listener(r);
}

/* ---- the server ---------------------------------------------------------------- */

struct server *server_new(struct evloop *l, const struct server_config *cfg)
{
	struct server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->loop = l;
	s->cfg = *cfg;
	return s;
}

static void abort_all(struct srv_router *r, int rst)
{
	while (r->conns)
		conn_abort(r->conns, rst);
}

static void router_free(struct srv_router *r)
{
	abort_all(r, 0);
	listener_close(r);
	evloop_timer_stop(r->srv->loop, &r->boot_timer);
	evloop_timer_stop(r->srv->loop, &r->listen_timer);
	model_router_free(r->m);
	free(r->fatal_reason);
	wbuf_free(&r->flood_sentence);
	free(r);
}

void server_free(struct server *s)
{
	if (!s)
		return;
	/* Sessions first: ending one updates its router's model (the
	 * count of open monitors). */
	for (size_t i = 0; i < s->n; i++)
		abort_all(s->routers[i], 0);
	server_reap(s);
	for (size_t i = 0; i < s->n; i++)
		router_free(s->routers[i]);
	server_reap(s);
	free(s->routers);
	free(s->words);
	free(s);
}

static int server_grow(struct server *s)
{
	if (s->n < s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 16;
	struct srv_router **v = realloc(s->routers, cap * sizeof(*v));
	if (!v)
		return -1;
	s->routers = v;
	s->cap = cap;
	return 0;
}

struct srv_router *server_add_router(struct server *s, struct model_router *m, enum fr_transport tr,
                                     uint16_t port, char *err, size_t errlen)
{
	struct srv_router *r = calloc(1, sizeof(*r));
	if (!r || server_grow(s) < 0) {
		snprintf(err, errlen, "out of memory");
		free(r);
		model_router_free(m);
		return NULL;
	}
	r->srv = s;
	r->m = m;
	r->tr = tr;
	r->port = port;
	r->lio.fd = -1;
	r->lio.cb = listener_cb;
	ev_timer_init(&r->boot_timer, boot_timer_cb);
	ev_timer_init(&r->listen_timer, listen_timer_cb);
	if (listener_open(r, err, errlen) < 0) {
		router_free(r);
		return NULL;
	}
	s->routers[s->n++] = r;
	return r;
}

size_t server_count(const struct server *s)
{
	return s->n;
}

struct srv_router *server_router(const struct server *s, size_t i)
{
	return i < s->n ? s->routers[i] : NULL;
}

struct srv_router *server_find(const struct server *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->routers[i]->m->name, name) == 0)
			return s->routers[i];
	return NULL;
}

void server_reap(struct server *s)
{
	while (s->reap) {
		struct conn *c = s->reap;
		s->reap = c->reap_next;
		conn_free(c);
	}
}

/* ---- faults ------------------------------------------------------------------ */

void server_reboot(struct srv_router *r, int64_t down_ms)
{
	int64_t now = ev_now_ms();
	if (down_ms < 0)
		down_ms = 0;
	abort_all(r, 1);
	r->down = 1;
	router_sync_listener(r);
	model_router_reboot(r->m, now, down_ms);
	evloop_timer_at(r->srv->loop, &r->boot_timer, now + down_ms);
}

void server_set_refuse(struct srv_router *r, int on)
{
	r->refuse = on != 0;
	if (on)
		abort_all(r, 0);
	router_sync_listener(r);
}

void server_set_stall(struct srv_router *r, int on)
{
	struct conn *next;
	r->stall = on != 0;
	for (struct conn *c = r->conns; c; c = next) {
		next = c->next;
		conn_update_interest(c);
		if (!on) /* catch up on what arrived while stalled */
			evloop_timer_at(r->srv->loop, &c->read_timer, ev_now_ms());
	}
}

void server_set_dribble(struct srv_router *r, int on)
{
	struct conn *next;
	r->dribble = on != 0;
	for (struct conn *c = r->conns; c; c = next) {
		next = c->next;
		if (!on)
			evloop_timer_stop(r->srv->loop, &c->drib_timer);
		conn_flush(c);
	}
}

void server_arm_garbage(struct srv_router *r)
{
	if (!r->conns)
		r->arm_garbage = 1;
	for (struct conn *c = r->conns; c; c = c->next)
		c->garbage = 1;
}

void server_arm_cutword(struct srv_router *r)
{
	if (!r->conns)
		r->arm_cutword = 1;
	for (struct conn *c = r->conns; c; c = c->next)
		c->cutword = 1;
}

int server_arm_fatal(struct srv_router *r, const char *reason)
{
	char *copy = NULL;
	if (reason && *reason) {
		copy = strdup(reason);
		if (!copy)
			return -1;
	}
	free(r->fatal_reason);
	r->fatal_reason = copy;
	if (!r->conns)
		r->arm_fatal = 1;
	for (struct conn *c = r->conns; c; c = c->next)
		c->fatal = 1;
	return 0;
}

/* Encodes "!re =data=<bytes x 'x'>" into r->flood_sentence. */
static int flood_build(struct srv_router *r, size_t bytes)
{
	static const char key[] = "=data=";
	char *word = malloc(sizeof(key) - 1 + bytes);
	if (!word)
		return -1;
	memcpy(word, key, sizeof(key) - 1);
	memset(word + sizeof(key) - 1, 'x', bytes);
	wbuf_free(&r->flood_sentence);
	struct wbuf *b = &r->flood_sentence;
	int rc = 0;
	if (wire_put_str(b, "!re") < 0 || wire_put_word(b, word, sizeof(key) - 1 + bytes) < 0 ||
	    wire_put_end(b) < 0) {
		wbuf_free(b); /* never a partial sentence */
		rc = -1;
	}
	free(word);
	return rc;
}

int server_set_flood(struct srv_router *r, int on, size_t bytes)
{
	static const unsigned char done[] = {5, '!', 'd', 'o', 'n', 'e', 0};
	struct conn *next;
	if (on && (bytes < 1 || bytes > SERVER_FLOOD_MAX_BYTES || flood_build(r, bytes) < 0))
		return -1;
	r->flood = on != 0;
	for (struct conn *c = r->conns; c; c = next) {
		next = c->next;
		if (on || !c->flooding)
			continue;
		c->flooding = 0;
		conn_queue(c, done, sizeof(done));
		conn_flush(c);
	}
	return 0;
}
