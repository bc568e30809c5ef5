/*
 * http.h — the embedded HTTP server (libmicrohttpd; the only module that
 * includes microhttpd.h): the dashboard, the JSON/CSV API (api.h),
 * /metrics (metrics.h) and the push receiver (push.h).
 *
 * One MHD daemon per address of every [http] listen entry ("*:PORT" is
 * one dual-stack socket), each with its own small thread pool. Limits:
 * connections in total and per client address, an idle timeout (a slow
 * client is cut after HTTP_TIMEOUT seconds), memory per connection, the
 * request target (more than 8 KiB: 414) and POST bodies (more than 4 KiB:
 * 413). GET and HEAD everywhere, POST only on the push endpoints, other
 * methods 405 with Allow. Request targets with invalid percent-encoding,
 * a ".." segment or "//" are refused (400) before routing. Responses over
 * 1 KiB are gzip-compressed for clients that accept it. With [http]
 * auth_user everything but the push endpoints needs HTTP basic auth
 * (compared in constant time, never logged).
 *
 * Each request reads through a read-only store handle of its own (a small
 * pool, one handle per concurrent request, never shared) inside one
 * snapshot transaction.
 */
#ifndef TIKSTAT_HTTP_H
#define TIKSTAT_HTTP_H

#include "cfg.h"
#include "pushq.h"
#include "status.h"

#define HTTP_TIMEOUT 10 /* seconds a connection may stay idle */

struct http;

/* Starts serving cfg's [http] listen addresses (cfg, st and q borrowed;
 * they must outlive the server). NULL when an address cannot be bound
 * (logged). */
struct http *http_start(const struct cfg *cfg, struct status *st, struct pushq *q);

/* Stops every daemon (waiting for running requests) and frees. NULL-safe. */
void http_stop(struct http *h);

#endif
