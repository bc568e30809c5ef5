/*
 * server: the network side of the fake. One listening socket per router on
 * 127.0.0.1, non-blocking connections driven by the event loop, optional
 * TLS, and the per-router faults the control channel switches on. A fault
 * on one router never touches another router's sockets or timers.
 */
#ifndef FR_SERVER_H
#define FR_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "evloop.h"
#include "model.h"
#include "tlsutil.h"
#include "wire.h"

struct conn;
struct server;

struct server_config {
	int64_t monitor_interval_ms; /* period of streaming monitor rows */
	int monitor_align;           /* rows on multiples of the period of the wall clock */
	int64_t monitor_align_ms;    /* ... plus this much (below the period) */
	struct tls_ctx *tls_ctx;     /* for "tls" routers (borrowed) */
	struct tls_ctx *adh_ctx;     /* for "adh" routers (borrowed) */
	size_t max_word;             /* longest command word accepted */
	size_t max_sentence;         /* most bytes in one command sentence */
	size_t max_words;            /* most words in one command sentence */
	size_t out_cap;              /* queued output above this kills the session */
};

/* One simulated router: its model plus its sockets and fault switches.
 * Fields are read by the control channel; change them only through the
 * server_* functions below. */
struct srv_router {
	struct server *srv;
	struct model_router *m; /* owned */
	enum fr_transport tr;
	uint16_t port;
	struct ev_io lio;             /* listener; lio.fd < 0 while closed */
	struct ev_timer boot_timer;   /* end of a reboot's down time */
	struct ev_timer listen_timer; /* retry a failed bind / paused accept */
	int refuse, stall, dribble, down;
	struct conn *conns; /* open sessions, doubly linked */
	size_t nconns;
	int arm_garbage, arm_cutword, arm_fatal; /* for the next session if none is open */
	char *fatal_reason;
	int flood;                  /* commands after login get endless !re */
	struct wbuf flood_sentence; /* the encoded !re repeated while flooding */
};

/* Creates a server on loop l; cfg is copied. NULL on out of memory. */
struct server *server_new(struct evloop *l, const struct server_config *cfg);

/* Closes every socket and frees every router and session. NULL-safe. */
void server_free(struct server *s);

/* Adds a router serving model m (ownership passes to the server, also on
 * failure) with transport tr on port (0 = ephemeral) and starts listening.
 * Returns the router, or NULL with a message in err. */
struct srv_router *server_add_router(struct server *s, struct model_router *m, enum fr_transport tr,
                                     uint16_t port, char *err, size_t errlen);

/* Number of routers and the i-th one, in creation order. */
size_t server_count(const struct server *s);
struct srv_router *server_router(const struct server *s, size_t i);

/* The router named name, or NULL. */
struct srv_router *server_find(const struct server *s, const char *name);

/* Reboot: drops every session at once (TCP reset), zeroes the counters,
 * refuses connections for down_ms, then listens again with uptime 0. */
void server_reboot(struct srv_router *r, int64_t down_ms);

/* refuse on: closes the listener (ECONNREFUSED) and every session; off:
 * listens again on the same port. */
void server_set_refuse(struct srv_router *r, int on);

/* stall on: sessions are accepted and kept, but nothing is read, answered
 * or handshaken until stall goes off again. */
void server_set_stall(struct srv_router *r, int on);

/* dribble on: replies leave one byte per write, about 1 ms apart. */
void server_set_dribble(struct srv_router *r, int on);

/* The next reply sentence of each session becomes invalid bytes starting
 * with control byte F8 (the next session's, when none is open). */
void server_arm_garbage(struct srv_router *r);

/* The next reply of each session is cut inside its first word, then the
 * connection is closed. */
void server_arm_cutword(struct srv_router *r);

/* The next command of each session is answered with !fatal + reason
 * (copied) and the connection is closed. 0 or -1 on out of memory. */
int server_arm_fatal(struct srv_router *r, const char *reason);

/* Most bytes of the attribute of one flood sentence. */
#define SERVER_FLOOD_MAX_BYTES (4u << 20)

/* flood on (bytes = attribute size, 1..SERVER_FLOOD_MAX_BYTES): from now
 * on, the next command of every logged-in session, and the first command
 * after login of new sessions, is answered with endless "!re =data=x..."
 * sentences, generated only as fast as the client reads. off: floods in
 * progress end with !done. 0, or -1 on out of memory or a bad size. */
int server_set_flood(struct srv_router *r, int on, size_t bytes);

/* Frees sessions that died during the last loop iteration. Call after each
 * evloop_run_once, never from inside a callback. */
void server_reap(struct server *s);

#endif
