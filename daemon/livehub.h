/*
 * livehub.h — the live rates between the poller, which reads them from the
 * routers' /interface/monitor-traffic streams (livefeed.h), and the viewers
 * of GET /api/v1/live (http.c), each in its own thread.
 *
 * One channel per configured (router, interface). A channel keeps the last
 * LIVEHUB_RING samples and how many viewers watch it; the poller asks which
 * channels gained their first viewer or lost their last one (livehub_fd
 * becomes readable then) and publishes what the router streams. A viewer
 * reads its channel as text/event-stream bytes: first the last minute of
 * samples (so that a chart is never empty), then each new sample, a status
 * event when the router goes down (with the reason) and when it is back,
 * and a keep-alive comment when nothing else was sent for
 * LIVEHUB_KEEPALIVE_MS. A viewer with nothing to read is put to sleep
 * through its ops (libmicrohttpd suspends the connection) and woken when
 * its channel has something new: no thread waits and nothing polls.
 *
 * Bounds: at most max_viewers viewers in all; each viewer holds one event
 * of its own (LIVEHUB_EVENT_MAX bytes) and a cursor into its channel's
 * ring, never a queue of its own, so a viewer that stops reading costs no
 * memory: when it lags behind the ring it skips to the oldest sample kept.
 * Dropping such a viewer is the transport's job (the connection's idle
 * timeout once its socket accepts nothing).
 *
 * Locking: one mutex for the hub. The ops are called with it held; they
 * must not call back into the hub.
 */
#ifndef TIKSTAT_LIVEHUB_H
#define TIKSTAT_LIVEHUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

#define LIVEHUB_RING         64   /* samples kept per channel */
#define LIVEHUB_REPLAY       60   /* seconds (and samples) a new viewer gets first */
#define LIVEHUB_KEEPALIVE_MS 5000 /* the longest silence towards a viewer */
#define LIVEHUB_RETRY_MS     2000 /* the reconnection delay told to EventSource */
#define LIVEHUB_EVENT_MAX    768  /* bytes of one event, framing included */

/* One per-second sample: the router's rates, the wall-clock second the
 * daemon received it. */
struct livehub_sample {
	int64_t time;
	uint64_t rx_bps, tx_bps;
};

/* How the hub parks and wakes a viewer's transport. */
struct livehub_viewer_ops {
	void (*sleep)(void *conn); /* from inside livehub_read, nothing to send */
	void (*wake)(void *conn);  /* from any thread, once after each sleep */
};

struct livehub;
struct livehub_viewer;

/* A hub with a channel per interface of cfg's routers (cfg borrowed; it
 * must outlive the hub), at most max_viewers viewers (0: the endpoint is
 * off). NULL when out of memory or without an eventfd. */
struct livehub *livehub_new(const struct cfg *cfg, unsigned max_viewers);

/* Frees the hub; every viewer must have left. NULL-safe. */
void livehub_free(struct livehub *h);

/* ---- the viewers' side (HTTP threads) ---- */

enum livehub_refusal {
	LIVEHUB_OK = 0,
	LIVEHUB_UNKNOWN_ROUTER = -1,
	LIVEHUB_UNKNOWN_INTERFACE = -2,
	LIVEHUB_PUSH_MODE = -3, /* no API session: no monitor-traffic */
	LIVEHUB_FULL = -4,      /* max_viewers watch already (or 0) */
	LIVEHUB_CLOSED = -5,    /* the hub is shutting down */
	LIVEHUB_NOMEM = -6,
};

/* Adds a viewer of router's interface iface, parked and woken through ops
 * with conn (borrowed until livehub_leave). Stores it in *out and returns
 * LIVEHUB_OK, or a refusal (nothing stored). */
int livehub_join(struct livehub *h, const char *router, const char *iface,
                 const struct livehub_viewer_ops *ops, void *conn, struct livehub_viewer **out);

/* Whether router's interface iface could be watched now: LIVEHUB_OK or
 * the refusal livehub_join would give (the cap aside). */
int livehub_check(struct livehub *h, const char *router, const char *iface);

/* Writes what viewer v has not been sent yet into buf (at most max bytes;
 * whole events when they fit). Returns the byte count; 0 after parking the
 * viewer (ops->sleep called: it is woken when there is more); -1 when the
 * stream is over (the hub is closing). */
long livehub_read(struct livehub_viewer *v, char *buf, size_t max);

/* Removes and frees viewer v (its transport is gone). NULL-safe. */
void livehub_leave(struct livehub_viewer *v);

/* Ends every stream: wakes every parked viewer, whose next read returns
 * -1, and refuses new viewers. For a clean stop of the HTTP server. */
void livehub_close(struct livehub *h);

/* The number of viewers now. */
size_t livehub_viewers(struct livehub *h);

/* ---- the poller's side ---- */

/* An fd that becomes readable when a channel gained its first viewer or
 * lost its last; livehub_changed resets it. */
int livehub_fd(const struct livehub *h);

/* The channel of interface iface (index in the router's interfaces) of
 * cfg->routers[router]. */
size_t livehub_channel(const struct livehub *h, size_t router, size_t iface);

/* Moves up to max ids of channels whose viewers went from none to some or
 * back since the last call into ids; returns how many. The rest stay
 * pending (call again). */
size_t livehub_changed(struct livehub *h, size_t *ids, size_t max);

/* True while channel ch has viewers. */
bool livehub_watched(struct livehub *h, size_t ch);

/* Appends a sample to channel ch and wakes its parked viewers; a channel
 * that was down is up again ("up" status event). */
void livehub_publish(struct livehub *h, size_t ch, const struct livehub_sample *s);

/* Channel ch has no stream for reason (copied): its viewers get a "down"
 * status event with it (once per change of reason). */
void livehub_down(struct livehub *h, size_t ch, const char *reason);

/* Wakes the viewers that were sent nothing for LIVEHUB_KEEPALIVE_MS (now:
 * monotonic ms), for their keep-alive. Call about once a second. */
void livehub_tick(struct livehub *h, int64_t now_ms);

/* ---- pure parts (tests/test_livehub.c) ---- */

/* Formats one sample event ("data: {...}\n\n") into out; returns its
 * length, or 0 when outsz is too small. */
size_t livehub_format_sample(const struct livehub_sample *s, char *out, size_t outsz);

#endif
