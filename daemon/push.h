/*
 * push.h — the push fallback: routers that the daemon cannot reach send
 * their counters (RouterOS /tool fetch) to /api/v1/push, or to the old
 * PHP setup's receiver (the legacy receiver: any path whose last segment
 * is traffic-receiver.php, e.g. /mikrotik-traffic-status/traffic-receiver.php).
 *
 * Parameters (query string, or form body for POST):
 *   token      identifies the router (mode = push, push_token_file)
 *   interface  one of the router's configured interfaces (the legacy URL
 *              takes the router's first one and ignores this)
 *   rx, tx     cumulative byte counters: decimal digits only, <= 2^64-1
 *   uptime     optional: seconds, or a RouterOS duration (1w2d03:04:05,
 *              3d4h5m6s)
 *   ip         optional: IPv4 or IPv6 address, optionally with /prefix
 * The legacy receiver only: without a token, the router is the one push
 * router whose push_allow_from holds the client's address (IPv4-mapped
 * IPv6 peers as IPv4); rx and tx may hold blanks, removed first ("12 345",
 * as the old receiver did); the ip is written to ip_file byte for byte as
 * given, without a newline (as the old receiver's file_put_contents).
 * Order of checks: a duplicated parameter is a 400 naming it; a missing or
 * unknown token (legacy: and no allowed address) a 403 (logged at most once per 10 s per source address,
 * never with the token); then every other parameter (400 naming the first
 * bad one). Nothing is stored unless everything is valid. An accepted
 * reading {time = now, rx, tx, uptime if given, id ""} goes to the push
 * queue (pushq.h) and through the same accounting as a polled one; a
 * given ip is kept as the router's address and written to its ip_file
 * (a temporary file in the same directory renamed over it). Answers: 204
 * (legacy: 200 "OK\n"), 400, 403, or 503 when the queue is full.
 *
 * Thread-safe: called from any HTTP thread.
 */
#ifndef TIKSTAT_PUSH_H
#define TIKSTAT_PUSH_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/socket.h>

#include "api.h"
#include "cfg.h"
#include "pushq.h"
#include "status.h"

/* The checked parameters of one push, or why they were refused. */
struct push_parsed {
	struct pushq_item item; /* router, iface and reading (time 0: pushq_put stamps it) */
	const char *ip;         /* the ip parameter (borrowed from the params) or NULL */
	int status;             /* on refusal: 400 or 403 */
	enum status_push_reject why;
	bool token_missing; /* a 403 because no token was given at all */
	char error[512];    /* on refusal: the message, naming the parameter */
};

/* Checks a push's parameters in the order described above, without side
 * effects (no log, no counters, no queue): pure but for reading cfg, for
 * push_handle and the fuzz target tests/fuzz/fuzz_push.c. peer: the
 * client's address (NULL: unknown, no push_allow_from match). Returns 0 with
 * out->item and out->ip set, or -1 with out->status, why, token_missing
 * and error set. */
int push_parse(const struct cfg *cfg, const struct api_params *p, bool legacy,
               const struct sockaddr *peer, struct push_parsed *out);

/* Handles one push; peer_addr is the client's address (or NULL), peer the
 * same as text (for the log). */
void push_handle(const struct cfg *cfg, struct status *st, struct pushq *q,
                 const struct api_params *p, bool legacy, const struct sockaddr *peer_addr,
                 const char *peer, struct api_response *r);

/* The push router whose push_allow_from holds peer (AF_INET, or AF_INET6
 * with ::ffff:A.B.C.D taken as IPv4), or -1; *matches is the number of
 * push routers that hold it (cfg_load refuses overlaps, so 0 or 1). */
long push_allowed_router(const struct cfg *cfg, const struct sockaddr *peer, size_t *matches);

/* Copies in to out (outsz bytes) without its ' ' characters: the legacy
 * receiver's counters. 0, or -1 when the result does not fit. */
int push_strip_blanks(const char *in, char *out, size_t outsz);

/* True when given[0..len) equals the NUL-terminated secret. The time taken
 * depends only on len, never on the secret's contents or length. */
bool push_secret_equal(const void *given, size_t len, const char *secret);

/* Validates an address as RouterOS prints it: IPv4 or IPv6, optionally
 * followed by /prefix (0-32 or 0-128). 0 or -1. */
int push_check_ip(const char *text);

/* Replaces path's contents with text and a newline, atomically: a
 * temporary file in the same directory, fsync'ed, renamed over path.
 * 0, or -1 with errno. */
int push_write_file(const char *path, const char *text);

/* The same with text exactly, no newline added (the legacy receiver). */
int push_write_file_exact(const char *path, const char *text);

#endif
