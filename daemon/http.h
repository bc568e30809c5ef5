/*
 * http.h — the embedded HTTP server (libmicrohttpd; the only module that
 * includes microhttpd.h): the dashboard, the JSON/CSV API (api.h),
 * /metrics (metrics.h) and the push receiver (push.h).
 *
 * One MHD daemon per address of every [http] listen and https_listen
 * entry ("*:PORT" is one dual-stack socket), each with its own small
 * thread pool; https_listen daemons speak TLS (GnuTLS through
 * libmicrohttpd, HTTP_TLS_PRIORITIES) with cfg's tls_cert and tls_key,
 * and serve the same routes with the same auth and limits. Limits:
 * connections per listening socket (HTTP_MAX_CONNECTIONS, fewer when the
 * open files limit is too low for them: fdbudget.h) and per client address (HTTP_MAX_PER_IP), an idle
 * timeout (HTTP_TIMEOUT), deadlines for a request to arrive whole however
 * steadily it trickles in (slowloris: HTTP_HEADER_DEADLINE for the request
 * line and headers, HTTP_REQUEST_DEADLINE with the body; a late request's
 * socket is shut down), memory per connection, the request target (more
 * than HTTP_MAX_TARGET bytes or HTTP_MAX_PARAMS parameters: 414, a NUL
 * byte: 400) and POST bodies (more than 4 KiB: 413). Whatever
 * libmicrohttpd does with a request, its state is tied to the connection
 * and freed when the connection closes. GET and HEAD everywhere, POST only
 * on the push endpoints (/api/v1/push, and the legacy receiver: any
 * path whose last segment is traffic-receiver.php), other
 * methods 405 with Allow. Request targets with invalid percent-encoding,
 * a ".." segment or "//" are refused (400) before routing. Responses over
 * 1 KiB are gzip-compressed for clients that accept it. With [http]
 * auth_user everything but the push endpoints needs HTTP basic auth
 * (compared in constant time, never logged).
 *
 * Routes are the rows of one table in http.c (path or fallback test,
 * methods, auth, handler), tried in order after the target check; a new
 * endpoint is one row plus its handler. The Allow header of a 405 is built
 * from the row's methods; without a row the answer is 404 (after the
 * credentials check, when auth_user is set).
 *
 * Each request reads through a read-only store handle of its own (a small
 * pool, one handle per concurrent request, never shared) inside one
 * snapshot transaction.
 */
#ifndef TIKSTAT_HTTP_H
#define TIKSTAT_HTTP_H

#include <stddef.h>

#include "cfg.h"
#include "livehub.h"
#include "pushq.h"
#include "status.h"

#define HTTP_TIMEOUT 10 /* seconds a connection may stay idle */
/* Seconds from the first byte of a request (or the end of the previous one
 * on a kept-alive connection) to the end of its headers, and to its end
 * with the body. */
#define HTTP_HEADER_DEADLINE  10
#define HTTP_REQUEST_DEADLINE 30
/* Connections per listening socket, and per client address: a reverse
 * proxy (one address for all its clients) gets a quarter of them. */
#define HTTP_MAX_CONNECTIONS 4096
#define HTTP_MAX_PER_IP      1024
#define HTTP_MAX_TARGET      8192 /* bytes of the request target */
#define HTTP_MAX_PARAMS      256  /* '&'-separated query parameters */
/* GnuTLS priorities of https_listen: GnuTLS's NORMAL set (TLS 1.3 and
 * 1.2, forward-secret key exchange first), plus what RouterOS 6's /tool
 * fetch needs and a hardened system policy might drop: TLS 1.2 with
 * ECDHE-RSA or ECDHE-ECDSA and AES-128/256-GCM or AES-128/256-CBC with
 * SHA-1/SHA-256 HMAC. No SSL 3.0, TLS 1.0/1.1, RC4 or 3DES. */
#define HTTP_TLS_PRIORITIES                                                                        \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+ECDHE-RSA:+ECDHE-ECDSA:+AES-256-GCM:"         \
	"+AES-128-GCM:+AES-256-CBC:+AES-128-CBC:+AEAD:+SHA256:+SHA1"

struct http;

/* Starts serving cfg's [http] listen addresses (cfg, st, q and live
 * borrowed; they must outlive the server; live NULL: /api/v1/live answers
 * 503), each accepting up to max_connections at once (fdbudget.h). NULL
 * when an address cannot be bound (logged). */
struct http *http_start(const struct cfg *cfg, struct status *st, struct pushq *q,
                        struct livehub *live, unsigned max_connections);

/* The worker threads of each listening socket: one per CPU, 2 to 8. */
unsigned http_pool_threads(void);

/* Stops every daemon (waiting for running requests) and frees. NULL-safe. */
void http_stop(struct http *h);

/* The request-target check the server applies before routing (pure, for
 * the fuzz target tests/fuzz/fuzz_http.c): target is the raw, NUL-terminated
 * target "PATH[?QUERY]". Decodes PATH into path (pathsz bytes) and returns
 * 0, or -1 when PATH is empty, not absolute, too long for path, holds bad
 * percent-encoding, %00, a control byte, "//", a "." or ".." segment, or
 * QUERY holds bad percent-encoding. */
int http_check_target(const char *target, char *path, size_t pathsz);

/* Decodes an Authorization header value "Basic BASE64(user:password)"
 * (header may be NULL) into out (outsz bytes, NUL-terminated). Returns the
 * decoded length n with *ulen the user's length (out[*ulen] is the first
 * ':'; the password is out[*ulen + 1 .. n)), or -1 when the header is
 * absent, not Basic, not base64, too long for out or without a ':'. The
 * caller wipes out after use: it holds the password. */
long http_basic_credentials(const char *header, char *out, size_t outsz, size_t *ulen);

#endif
