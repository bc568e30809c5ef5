/*
 * livefeed.h — the poller's side of the live rates: one tagged
 * /interface/monitor-traffic per watched interface, on the router's
 * polling session (no second login: routers limit API sessions), its
 * samples published to the hub (livehub.h).
 *
 * A stream starts when its channel gets its first viewer (or when the
 * router's session is up again) and is cancelled LIVEFEED_LINGER_MS after
 * the last viewer left, so that a reloaded page does not restart it. A
 * stream the router refuses (a trap: no such interface, no permission)
 * is retried every LIVEFEED_RETRY_MS while watched; its viewers are told
 * why. When the session fails, every stream of the router ends and its
 * viewers are told the reason; they resume when the session is back.
 *
 * The poller drives it from its thread: livefeed_session_up/down on
 * state changes, livefeed_collect after every step of a session, and
 * livefeed_pass once per pass of its loop. A router's streams never hold
 * up its polls: they are tagged commands beside the untagged poll.
 */
#ifndef TIKSTAT_LIVEFEED_H
#define TIKSTAT_LIVEFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "livehub.h"
#include "routeros.h"

#define LIVEFEED_LINGER_MS 3000
#define LIVEFEED_RETRY_MS  10000

struct livefeed;

/* The poller's answers about router r (index in cfg->routers). */
struct livefeed_sessions {
	/* The router's logged-in, usable session, or NULL (down, connecting,
	 * or not polled). */
	ros_conn *(*session)(void *ctx, size_t r);
	/* Why the router has no session now ("connecting" when it is just
	 * not up yet). */
	const char *(*why_down)(void *ctx, size_t r);
	/* A command was started or cancelled on r's session: its I/O
	 * interest and deadline changed. */
	void (*touched)(void *ctx, size_t r);
	void *ctx;
};

/* A feed for cfg's routers publishing to hub (both borrowed). NULL when
 * out of memory. */
struct livefeed *livefeed_new(const struct cfg *cfg, struct livehub *hub,
                              const struct livefeed_sessions *sessions);

/* Frees; the sessions' commands die with the sessions. NULL-safe. */
void livefeed_free(struct livefeed *f);

/* Router r's session is logged in: starts the streams its viewers wait
 * for. */
void livefeed_session_up(struct livefeed *f, size_t r, int64_t now_ms);

/* Router r's session c failed for reason (it is closed): gives back its
 * commands and tells their viewers why. */
void livefeed_session_down(struct livefeed *f, size_t r, ros_conn *c, const char *reason);

/* After a step of router r's session c: publishes the samples its
 * streams received and handles the streams that ended. */
void livefeed_collect(struct livefeed *f, size_t r, ros_conn *c);

/* After each pass of the poller's loop, news true when livehub_fd was
 * readable: takes the hub's viewer changes at once; about once a second
 * the streams to cancel (nobody watched them for LIVEFEED_LINGER_MS) or
 * to retry, and the viewers' keep-alives. */
void livefeed_pass(struct livefeed *f, int64_t now_ms, bool news);

/* Parses a monitor-traffic row into s (time left as it is): false when it
 * lacks the bits-per-second values or they are malformed. */
bool livefeed_parse_row(const ros_sentence *row, struct livehub_sample *s);

#endif
