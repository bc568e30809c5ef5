/* http.c — see http.h. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>

#include "api.h"
#include "apibill.h"
#include "assets.h"
#include "billing.h"
#include "log.h"
#include "metrics.h"
#include "livehub.h"
#include "push.h"
#include "sharedrender.h"
#include "store.h"
#include "urlcode.h"

#define HTTP_MAX_DAEMONS  CFG_MAX_LISTEN /* one per listen address (cfg.h) */
#define HTTP_POOL_MAX     8
#define HTTP_MEMORY_LIMIT (64 * 1024)
#define HTTP_MAX_BODY     4096
#define HTTP_GZIP_MIN     1024
/* After an early answer written by on_uri, the client gets this long to
 * read it before the socket is shut down completely (a reset too early
 * could destroy the answer in the client's receive queue). */
#define HTTP_EARLY_LINGER_MS 2000
/* How often the deadline reaper looks at the connections. */
#define HTTP_REAP_INTERVAL_MS 500
/* The send buffer of a live viewer's socket: a minute of events. A client
 * that stops reading fills it (and its own receive buffer) within
 * seconds, and the idle timeout then drops it. */
#define HTTP_LIVE_SNDBUF 4096
#define HTTP_LIVE_BLOCK  4096 /* bytes asked of the hub per read */
/* A live viewer is dropped when more than HTTP_LIVE_BACKLOG bytes of what
 * it was sent sat unacknowledged in its socket for HTTP_LIVE_BACKLOG_MS: a
 * dozen events, never a healthy client's backlog at one event a second
 * (the replay of the last minute may be, for a moment). So a client that
 * stopped reading goes seconds after its receive window closed, not
 * minutes later when every buffer is full and the idle timeout drops it. */
#define HTTP_LIVE_BACKLOG    1024
#define HTTP_LIVE_BACKLOG_MS 5000

/* Per request, from the URI callback until the request completes; lives
 * inside its connection (struct conn), so whatever libmicrohttpd does with
 * a request it gives up on, the connection's end frees it. */
struct req {
	char *target;         /* the raw request target (owned) */
	uintptr_t target_end; /* where it ended in MHD's request line */
	bool dead;            /* answered early by on_uri: never serve it */
	bool started;
	const struct route *route; /* found when the headers arrived */
	bool post, head;
	bool body_too_big;
	struct text_buf body;
};

/* Per connection, from MHD_CONNECTION_NOTIFY_STARTED to _CLOSED (always
 * called), linked into the server's list for the deadline reaper. */
struct conn {
	struct conn *prev, *next;
	int fd;
	int64_t since_ms;            /* monotonic: when this request began to arrive */
	_Atomic int64_t deadline_ms; /* monotonic; 0 = none (being answered) */
	struct req req;
};

struct http {
	const struct cfg *cfg;
	struct status *status;
	struct pushq *q;
	struct livehub *live;
	struct billing_cache *bills;  /* /metrics' percentiles; NULL: computed per scrape */
	struct shared_render metrics; /* one /metrics rendering for concurrent scrapes */
	bool metrics_ready;           /* metrics was initialised */
	struct MHD_Daemon *d[HTTP_MAX_DAEMONS];
	size_t nd;
	pthread_mutex_t pool_lock;
	store **pool; /* idle read-only handles */
	size_t npool, cappool;
	unsigned max_connections; /* per daemon (fdbudget.h) */
	/* the deadline reaper */
	pthread_mutex_t conn_lock; /* guards conns and reaper_stop */
	pthread_cond_t reaper_wake;
	pthread_t reaper;
	bool reaper_running, reaper_stop;
	struct conn *conns;
};

/* The methods a route answers: bits of struct route's methods. */
enum {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
};
#define METHODS_READ (METHOD_GET | METHOD_HEAD)
#define METHODS_PUSH (METHOD_GET | METHOD_HEAD | METHOD_POST)

/* Who may call a route. */
enum route_auth {
	AUTH_USER, /* [http] auth_user and auth_password, when they are set */
	AUTH_PUSH, /* anyone here: push_handle checks the push token or address */
};

/* One complete request (body included), as a route's handler sees it. */
struct call {
	struct http *h;
	struct MHD_Connection *c;
	const struct route *route;
	const char *path;                /* decoded */
	const struct api_params *params; /* query and POST body; NULL with raw_query */
	bool head;                       /* a HEAD request */
};

/* A reading endpoint's handler, in api.h's form. */
typedef int (*route_read)(const struct api_ctx *ctx, const struct api_params *p,
                          struct api_response *r);

/* One row of the route table (routes[] below). */
struct route {
	const char *path;                /* the exact path, or NULL: match decides */
	bool (*match)(const char *path); /* the fallback rows' test */
	unsigned methods;                /* METHOD_* bits; others get 405 and Allow */
	enum route_auth auth;
	bool raw_query; /* the query is not parsed into parameters (files ignore it) */
	enum MHD_Result (*serve)(const struct call *k);
	route_read read; /* serve_read's handler */
};

/* ---- store handles ---- */

/* One worker thread per CPU (2 to HTTP_POOL_MAX): more threads than cores
 * only add context switches to the tail latency (measured: p99 of the
 * traffic endpoint 5-7 ms with 4 threads on 2 cores, 2-4 ms with 2). */
unsigned http_pool_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 2 : n > HTTP_POOL_MAX ? HTTP_POOL_MAX : (unsigned)n;
}

static store *pool_get(struct http *h, char *err, size_t errsz)
{
	store *s = NULL;
	pthread_mutex_lock(&h->pool_lock);
	if (h->npool)
		s = h->pool[--h->npool];
	pthread_mutex_unlock(&h->pool_lock);
	return s ? s : store_open(h->cfg->database, true, err, errsz);
}

static void pool_put(struct http *h, store *s)
{
	pthread_mutex_lock(&h->pool_lock);
	if (h->npool == h->cappool) {
		size_t cap = h->cappool ? h->cappool * 2 : 8;
		store **v = realloc(h->pool, cap * sizeof *v);
		if (v) {
			h->pool = v;
			h->cappool = cap;
		}
	}
	if (h->npool < h->cappool) {
		h->pool[h->npool++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&h->pool_lock);
	store_close(s);
}

/* ---- connections and their deadlines ---- */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Frees what the current request holds; the connection stays usable. */
static void req_reset(struct req *rq)
{
	free(rq->target);
	text_buf_free(&rq->body);
	memset(rq, 0, sizeof *rq);
}

/* A request begins to arrive now: its headers must be complete within
 * HTTP_HEADER_DEADLINE seconds (the whole request within
 * HTTP_REQUEST_DEADLINE, see headers_arrived). */
static void deadline_start(struct conn *k)
{
	k->since_ms = mono_ms();
	k->deadline_ms = k->since_ms + HTTP_HEADER_DEADLINE * 1000;
}

static void headers_arrived(struct conn *k)
{
	k->deadline_ms = k->since_ms + HTTP_REQUEST_DEADLINE * 1000;
}

/* The request is being answered: sending the answer is bound by the idle
 * timeout only (a large CSV to a slow reader is no attack). */
static void answering(struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	if (k)
		k->deadline_ms = 0;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct http *h = cls;
	struct conn *k = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k = calloc(1, sizeof *k);
		if (!k || !ci) {
			/* no state: on_uri finds none and the request is refused */
			free(k);
			*socket_context = NULL;
			return;
		}
		k->fd = ci->connect_fd;
		deadline_start(k);
		pthread_mutex_lock(&h->conn_lock);
		k->next = h->conns;
		if (h->conns)
			h->conns->prev = k;
		h->conns = k;
		pthread_mutex_unlock(&h->conn_lock);
		*socket_context = k;
		return;
	}
	if (!k)
		return;
	/* CLOSED: MHD closes the socket only after this returns, so the
	 * reaper never shuts down a reused descriptor. */
	pthread_mutex_lock(&h->conn_lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		h->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&h->conn_lock);
	req_reset(&k->req);
	free(k);
	*socket_context = NULL;
}

/* Shuts down every connection past its deadline; MHD then sees the end of
 * the stream and closes it cleanly (NOTIFY_CLOSED frees its state). */
static void reap(struct http *h)
{
	int64_t now = mono_ms();
	unsigned cut = 0;
	pthread_mutex_lock(&h->conn_lock);
	for (struct conn *k = h->conns; k; k = k->next) {
		int64_t dl = k->deadline_ms;
		if (dl == 0 || now < dl)
			continue;
		shutdown(k->fd, SHUT_RDWR);
		k->deadline_ms = 0;
		cut++;
	}
	pthread_mutex_unlock(&h->conn_lock);
	if (cut)
		log_debug("http: closed %u connection(s) whose request did not arrive in time "
		          "(headers %d s, request %d s)",
		          cut, HTTP_HEADER_DEADLINE, HTTP_REQUEST_DEADLINE);
}

static void *reaper_main(void *arg)
{
	struct http *h = arg;
	pthread_mutex_lock(&h->conn_lock);
	while (!h->reaper_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += HTTP_REAP_INTERVAL_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&h->reaper_wake, &h->conn_lock, &ts);
		if (h->reaper_stop)
			break;
		pthread_mutex_unlock(&h->conn_lock);
		reap(h);
		pthread_mutex_lock(&h->conn_lock);
	}
	pthread_mutex_unlock(&h->conn_lock);
	return NULL;
}

/* Writes a complete JSON error answer straight to the socket and ends the
 * stream: for requests libmicrohttpd cannot be trusted to finish (its
 * argument parser drops requests that overflow the connection's memory
 * pool without answering or completing them). The socket is fully shut
 * down HTTP_EARLY_LINGER_MS later by the reaper unless the client closes
 * first. Over TLS (nothing can be written past the TLS layer) the stream
 * just ends. */
static void answer_early(struct MHD_Connection *c, struct conn *k, int status, const char *reason,
                         const char *msg)
{
	bool tls = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION) != NULL;
	char body[256], all[768];
	int blen = snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", msg);
	int len = snprintf(all, sizeof all,
	                   "HTTP/1.1 %d %s\r\nConnection: close\r\n"
	                   "Content-Type: " API_JSON "\r\nContent-Length: %d\r\n"
	                   "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n%s",
	                   status, reason, blen, body);
	/* one write (no Nagle delay between parts); a fresh socket's send
	 * buffer takes these few hundred bytes */
	if (!tls && blen > 0 && (size_t)blen < sizeof body && len > 0 && (size_t)len < sizeof all)
		(void)!send(k->fd, all, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(k->fd, SHUT_WR);
	k->req.dead = true;
	k->deadline_ms = mono_ms() + HTTP_EARLY_LINGER_MS;
}

/* ---- request target checks ---- */

/* True when every % in s[0..len) starts a valid %XX. */
static bool percent_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '%' && url_percent_byte(s, len, i) < 0)
			return false;
	return true;
}

/* Decodes the path s[0..len) into out (outsz bytes); -1 when malformed
 * (bad %XX, %00, control bytes), too long, or holding "//" or a "." or
 * ".." segment. */
static int decode_path(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;
	if (len == 0 || s[0] != '/')
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int byte = url_percent_byte(s, len, i);
			if (byte < 0)
				return -1;
			c = (unsigned char)byte;
			i += 2;
		} else if (c <= 0x20 || c == 0x7F) {
			return -1;
		}
		if (o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (strstr(out, "//"))
		return -1;
	for (const char *seg = out; seg; seg = strchr(seg + 1, '/')) {
		const char *p = seg + 1;
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -1;
	}
	return 0;
}

int http_check_target(const char *target, char *path, size_t pathsz)
{
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);
	if (decode_path(target, plen, path, pathsz) < 0 || (q && !percent_ok(q, strlen(q))))
		return -1;
	return 0;
}

static const struct tikstat_asset *find_asset(const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < tikstat_assets_count; i++)
		if (strcmp(tikstat_assets[i].path, path) == 0)
			return &tikstat_assets[i];
	return NULL;
}

/* ---- responses ---- */

/* True when the client accepts gzip (a "gzip" coding not at q=0). */
static bool accepts_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
	while (ae && *ae) {
		ae += strspn(ae, " \t,");
		size_t n = strcspn(ae, ",");
		size_t name = strcspn(ae, ";, \t");
		if ((name == 4 && strncasecmp(ae, "gzip", 4) == 0) || (name == 1 && ae[0] == '*')) {
			const char *q = memchr(ae, ';', n);
			bool zero = false;
			if (q) {
				q++;
				q += strspn(q, " \t");
				if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
					double v = strtod(q + 2, NULL);
					zero = v <= 0.0;
				}
			}
			return !zero;
		}
		ae += n;
	}
	return false;
}

/* gzip-compresses data into *out (malloc'd); 0 or -1. */
static int gzip_buf(const void *data, size_t len, unsigned char **out, size_t *outlen)
{
	z_stream z = {0};
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len);
	unsigned char *buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static void common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

/* Sends a dynamic answer (API, metrics, errors): Cache-Control: no-store,
 * gzip when it pays. extra_name/extra_value: one more header or NULL. */
static enum MHD_Result send_dynamic(struct MHD_Connection *c, int status, const char *type,
                                    const struct text_buf *body, const char *extra_name,
                                    const char *extra_value)
{
	unsigned char *gz = NULL;
	size_t gzlen = 0;
	const void *data = body->data ? body->data : "";
	answering(c);
	size_t len = body->len;
	bool compressible = type && len > HTTP_GZIP_MIN;
	if (compressible && accepts_gzip(c) && gzip_buf(data, len, &gz, &gzlen) == 0) {
		data = gz;
		len = gzlen;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	                                                            MHD_RESPMEM_MUST_COPY);
	free(gz);
	if (!resp)
		return MHD_NO;
	common_headers(resp);
	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (compressible)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (extra_name)
		MHD_add_response_header(resp, extra_name, extra_value);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_response(struct MHD_Connection *c, const struct api_response *r)
{
	return send_dynamic(c, r->status, r->content_type, &r->body, NULL, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *hname,
                                  const char *hvalue, const char *msg)
{
	struct api_response r = {0};
	api_error(&r, status, "%s", msg);
	enum MHD_Result rc = send_dynamic(c, status, r.content_type, &r.body, hname, hvalue);
	text_buf_free(&r.body);
	return rc;
}

/* True when the If-None-Match header lists etag (or is "*"). */
static bool etag_matches(struct MHD_Connection *c, const char *etag)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	size_t elen = strlen(etag);
	while (h && *h) {
		h += strspn(h, " \t,");
		size_t n = strcspn(h, ",");
		const char *t = h;
		size_t tn = n;
		while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
			tn--;
		if (tn >= 2 && t[0] == 'W' && t[1] == '/') {
			t += 2;
			tn -= 2;
		}
		if ((tn == 1 && t[0] == '*') || (tn == elen && memcmp(t, etag, elen) == 0))
			return true;
		h += n;
	}
	return false;
}

static enum MHD_Result send_asset(struct MHD_Connection *c, const struct tikstat_asset *a)
{
	bool immutable = strncmp(a->path, "/assets/", 8) == 0;
	const char *cache = immutable ? "public, max-age=31536000, immutable" : "no-cache";
	bool not_modified = a->etag && etag_matches(c, a->etag);
	answering(c);
	bool gz = !not_modified && a->gz && a->gz_len && accepts_gzip(c);
	const void *data = a->data;
	if (not_modified)
		data = "";
	else if (gz)
		data = a->gz;
	size_t len = not_modified ? 0 : gz ? a->gz_len : a->len;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	                                                            MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	common_headers(resp);
	if (!not_modified)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	if (a->etag)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag);
	if (a->gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	enum MHD_Result rc =
	        MHD_queue_response(c, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* ---- basic auth ---- */

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes base64 s into out (at most outsz - 1 bytes, NUL-terminated);
 * returns the length or -1. */
static long b64decode(const char *s, char *out, size_t outsz)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *s && *s != '='; s++) {
		int v = b64val((unsigned char)*s);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= outsz)
				return -1;
			out[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	while (*s == '=')
		s++;
	if (*s)
		return -1;
	out[o] = '\0';
	return (long)o;
}

long http_basic_credentials(const char *header, char *out, size_t outsz, size_t *ulen)
{
	if (!header || strncasecmp(header, "Basic ", 6) != 0)
		return -1;
	header += 6;
	header += strspn(header, " ");
	long n = b64decode(header, out, outsz);
	char *colon = n > 0 ? memchr(out, ':', (size_t)n) : NULL;
	if (!colon)
		return -1;
	*ulen = (size_t)(colon - out);
	return n;
}

/* True when the request carries the configured user and password. */
static bool authorized(const struct http *h, struct MHD_Connection *c)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	char buf[1024];
	size_t ulen = 0;
	long n = http_basic_credentials(a, buf, sizeof buf, &ulen);
	bool ok = false;
	if (n >= 0) {
		bool u = push_secret_equal(buf, ulen, h->cfg->auth_user);
		bool p = push_secret_equal(buf + ulen + 1, (size_t)n - ulen - 1,
		                           h->cfg->auth_password);
		ok = u & p;
	}
	explicit_bzero(buf, sizeof buf);
	return ok;
}

/* ---- handlers ---- */

static const struct sockaddr *peer_addr(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci ? ci->client_addr : NULL;
}

static void peer_name(struct MHD_Connection *c, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, outsz, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)outsz);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, (socklen_t)outsz);
}

/* Runs a reading endpoint on a store handle of this request's own. */
static enum MHD_Result serve_read(const struct call *k)
{
	char err[512];
	struct api_response r = {0};
	store *db = pool_get(k->h, err, sizeof err);
	if (!db) {
		log_warnx("http: database: %s", err);
		return send_error(k->c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, NULL,
		                  "database unavailable");
	}
	if (store_begin(db) < 0) {
		api_error(&r, 503, "database busy: %s", store_errmsg(db));
	} else {
		struct api_ctx ctx = {k->h->cfg, k->h->status, db, (int64_t)time(NULL),
		                      k->h->bills};
		k->route->read(&ctx, k->params, &r);
		store_rollback(db); /* read only: nothing to keep */
	}
	pool_put(k->h, db);
	enum MHD_Result rc = send_response(k->c, &r);
	text_buf_free(&r.body);
	return rc;
}

static int read_traffic_json(const struct api_ctx *ctx, const struct api_params *p,
                             struct api_response *r)
{
	return api_traffic(ctx, p, false, r);
}

static int read_traffic_csv(const struct api_ctx *ctx, const struct api_params *p,
                            struct api_response *r)
{
	return api_traffic(ctx, p, true, r);
}

/* One rendering of /metrics for shared_render_run: on failure, the
 * status and message of the answer. */
struct metrics_job {
	struct http *h;
	int status;
	char err[512];
};

/* The status families and, from the store, the cycle families. */
static int render_from(struct http *h, store *db, struct text_buf *out)
{
	struct status_snapshot snap;
	int rc = -1;
	if (status_snapshot(h->status, &snap) == 0) {
		rc = metrics_render_cached(h->cfg, &snap, db, h->bills, (int64_t)time(NULL), out);
		status_snapshot_free(&snap);
	}
	return rc;
}

/* /metrics: the status table as it is now, the cycle families from the
 * store (metrics.h), in a read transaction of a pooled handle. Without a
 * database (PostgreSQL unreachable, a busy or broken file) the scrape
 * still answers, without the cycle families: the database's health
 * families are what says why, and a scraper that got nothing would see
 * the instance down instead. */
static int render_metrics(void *vjob, struct text_buf *out)
{
	struct metrics_job *job = vjob;
	struct http *h = job->h;
	store *db = pool_get(h, job->err, sizeof job->err);
	bool began = db && store_begin(db) == 0;
	if (!db)
		log_warnx("http: /metrics without the database: %s", job->err);
	else if (!began)
		log_warnx("http: /metrics without the database: %s", store_errmsg(db));
	int rc = render_from(h, began ? db : NULL, out);
	if (began)
		store_rollback(db); /* read only: nothing to keep */
	if (db)
		pool_put(h, db);
	if (rc < 0) {
		snprintf(job->err, sizeof job->err, "out of memory");
		text_buf_free(out);
	}
	return rc;
}

/* /metrics. Scrapes that arrive while one is being rendered share its
 * rendering (sharedrender.h): 32 scrapers of 10,000 interfaces cost one
 * rendering, not 32 in a row. */
static enum MHD_Result serve_metrics(const struct call *k)
{
	struct metrics_job job = {.h = k->h, .status = MHD_HTTP_INTERNAL_SERVER_ERROR};
	struct api_response r = {0};
	int rc = k->h->metrics_ready
	                 ? shared_render_run(&k->h->metrics, render_metrics, &job, &r.body)
	                 : render_metrics(&job, &r.body);
	if (rc == 0) {
		r.status = 200;
		r.content_type = METRICS_CONTENT_TYPE;
	} else {
		api_error(&r, job.status, "%s", job.err[0] ? job.err : "out of memory");
	}
	enum MHD_Result ret = send_response(k->c, &r);
	text_buf_free(&r.body);
	return ret;
}

/* A push, to /api/v1/push or (legacy) the old setup's receiver. */
static enum MHD_Result answer_push(const struct call *k, bool legacy)
{
	char peer[INET6_ADDRSTRLEN + 1];
	struct api_response r = {0};
	peer_name(k->c, peer, sizeof peer);
	push_handle(k->h->cfg, k->h->status, k->h->q, k->params, legacy, peer_addr(k->c), peer, &r);
	enum MHD_Result rc = send_response(k->c, &r);
	text_buf_free(&r.body);
	return rc;
}

static enum MHD_Result serve_push(const struct call *k)
{
	return answer_push(k, false);
}

static enum MHD_Result serve_legacy_push(const struct call *k)
{
	return answer_push(k, true);
}

/* ---- /api/v1/live: the event stream of one interface (livehub.h) ---- */

static void live_sleep(void *conn)
{
	MHD_suspend_connection(conn);
}

static void live_wake(void *conn)
{
	MHD_resume_connection(conn);
}

static const struct livehub_viewer_ops live_ops = {live_sleep, live_wake};

/* One viewer's stream: the hub's viewer and the client's socket. */
struct live_client {
	struct livehub_viewer *v;
	int fd;
	int64_t backlog_since; /* monotonic ms; 0: no backlog */
};

/* Whether the client stopped reading: its socket held more than
 * HTTP_LIVE_BACKLOG bytes it was sent for HTTP_LIVE_BACKLOG_MS. */
static bool live_stopped_reading(struct live_client *lc)
{
	int queued = 0;
	if (lc->fd < 0 || ioctl(lc->fd, SIOCOUTQ, &queued) != 0 || queued <= HTTP_LIVE_BACKLOG) {
		lc->backlog_since = 0;
		return false;
	}
	int64_t now = mono_ms();
	if (!lc->backlog_since)
		lc->backlog_since = now;
	return now - lc->backlog_since >= HTTP_LIVE_BACKLOG_MS;
}

static ssize_t live_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct live_client *lc = cls;
	(void)pos;
	if (live_stopped_reading(lc)) {
		log_debug("http: live: dropping a client that stopped reading");
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	long n = livehub_read(lc->v, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void live_free(void *cls)
{
	struct live_client *lc = cls;
	livehub_leave(lc->v);
	free(lc);
}

/* The router and interface a live request names; a parameter left out is
 * the configuration's only router, or the router's only interface. NULL
 * *iface after an error answer was prepared in r. */
static void live_target(const struct cfg *cfg, const struct api_params *p, const char **router,
                        const char **iface, struct api_response *r)
{
	*router = NULL;
	*iface = NULL;
	const char *rt = NULL, *ifc = NULL;
	if (api_param_get(p, "router", &rt) < 0 || api_param_get(p, "interface", &ifc) < 0) {
		api_error(r, 400, "router and interface may be given once each");
		return;
	}
	if (!rt && cfg->n_routers == 1)
		rt = cfg->routers[0].name;
	const struct cfg_router *cr = rt ? cfg_router(cfg, rt) : NULL;
	if (!ifc && cr && cr->n_interfaces == 1)
		ifc = cr->interfaces[0];
	if (!rt || !ifc) {
		api_error(r, 400, "which interface? add router= and interface=");
		return;
	}
	*router = rt;
	*iface = ifc;
}

/* A refusal of livehub_join as an error answer in r. */
static void live_refusal(int why, const char *router, const char *iface, unsigned cap,
                         struct api_response *r)
{
	switch (why) {
	case LIVEHUB_UNKNOWN_ROUTER: api_error(r, 404, "unknown router '%s'", router); break;
	case LIVEHUB_UNKNOWN_INTERFACE:
		api_error(r, 404, "router '%s' has no interface '%s' in the configuration", router,
		          iface);
		break;
	case LIVEHUB_PUSH_MODE:
		api_error(
		        r, 409,
		        "router '%s' is in push mode: live rates need an API session (mode = poll)",
		        router);
		break;
	case LIVEHUB_FULL:
		if (cap == 0)
			api_error(r, 503, "the live view is off ([http] live_viewers = 0)");
		else
			api_error(r, 503,
			          "%u live viewers already ([http] live_viewers); try later", cap);
		break;
	case LIVEHUB_CLOSED: api_error(r, 503, "tikstatd is stopping"); break;
	default: api_error(r, 500, "out of memory"); break;
	}
}

/* Answers with viewer v's event stream (v NULL: HEAD, headers only). */
static enum MHD_Result live_stream(struct MHD_Connection *c, struct livehub_viewer *v)
{
	answering(c);
	struct conn *kc = conn_of(c);
	struct live_client *lc = v ? malloc(sizeof *lc) : NULL;
	struct MHD_Response *resp = NULL;
	if (lc) {
		*lc = (struct live_client){v, kc ? kc->fd : -1, 0};
		if (kc)
			setsockopt(kc->fd, SOL_SOCKET, SO_SNDBUF, &(int){HTTP_LIVE_SNDBUF},
			           sizeof(int));
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_LIVE_BLOCK,
		                                         live_read, lc, live_free);
	} else if (!v) {
		resp = MHD_create_response_from_buffer(0, (void *)(uintptr_t) "",
		                                       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp) {
		free(lc);
		livehub_leave(v);
		return MHD_NO;
	}
	common_headers(resp);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: pass events at once */
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* GET /api/v1/live: text/event-stream until the client leaves. HEAD
 * checks the target without becoming a viewer. */
static enum MHD_Result serve_live(const struct call *k)
{
	struct api_response r = {0};
	const char *router, *iface;
	struct livehub_viewer *v = NULL;
	int why = LIVEHUB_OK;
	live_target(k->h->cfg, k->params, &router, &iface, &r);
	if (iface) {
		why = !k->h->live ? LIVEHUB_FULL /* without a hub: off */
		      : k->head   ? livehub_check(k->h->live, router, iface)
		                  : livehub_join(k->h->live, router, iface, &live_ops, k->c, &v);
		if (why == LIVEHUB_OK)
			return live_stream(k->c, v);
		live_refusal(why, router, iface, k->h->cfg->live_viewers, &r);
	}
	/* Retry-After only where waiting helps: the cap */
	enum MHD_Result rc =
	        send_dynamic(k->c, r.status, r.content_type, &r.body,
	                     why == LIVEHUB_FULL ? MHD_HTTP_HEADER_RETRY_AFTER : NULL, "5");
	text_buf_free(&r.body);
	return rc;
}

static enum MHD_Result serve_asset(const struct call *k)
{
	return send_asset(k->c, find_asset(k->path));
}

/* The old setup's receiver under any directory: its URL is in the
 * routers' scripts, with whatever path the web server had. */
static bool is_legacy_receiver(const char *path)
{
	static const char legacy[] = "/traffic-receiver.php";
	size_t n = strlen(path), ln = sizeof legacy - 1;
	return n >= ln && strcmp(path + n - ln, legacy) == 0;
}

static bool is_asset(const char *path)
{
	return find_asset(path) != NULL;
}

/* Every route, tried in this order: the exact paths, then the fallback
 * rows (a path no row takes is a 404). A new endpoint is one row here
 * plus its handler (a route_read for a reading endpoint). */
static const struct route routes[] = {
        {.path = "/api/v1/interfaces",
         .methods = METHODS_READ,
         .serve = serve_read,
         .read = api_interfaces},
        {.path = "/api/v1/traffic",
         .methods = METHODS_READ,
         .serve = serve_read,
         .read = read_traffic_json},
        {.path = "/api/v1/traffic.csv",
         .methods = METHODS_READ,
         .serve = serve_read,
         .read = read_traffic_csv},
        {.path = "/api/v1/cycle", .methods = METHODS_READ, .serve = serve_read, .read = api_cycle},
        {.path = "/api/v1/bills", .methods = METHODS_READ, .serve = serve_read, .read = api_bills},
        {.path = "/api/v1/bill", .methods = METHODS_READ, .serve = serve_read, .read = api_bill},
        {.path = "/api/v1/top", .methods = METHODS_READ, .serve = serve_read, .read = api_top},
        {.path = "/api/v1/live", .methods = METHODS_READ, .serve = serve_live},
        {.path = "/metrics", .methods = METHODS_READ, .serve = serve_metrics},
        {.path = "/api/v1/push", .methods = METHODS_PUSH, .auth = AUTH_PUSH, .serve = serve_push},
        /* fallbacks */
        {.match = is_legacy_receiver,
         .methods = METHODS_PUSH,
         .auth = AUTH_PUSH,
         .serve = serve_legacy_push},
        {.match = is_asset, .methods = METHODS_READ, .raw_query = true, .serve = serve_asset},
};

/* The row that takes path, or NULL. */
static const struct route *route_find(const char *path)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *rt = &routes[i];
		if (rt->path ? strcmp(rt->path, path) == 0 : rt->match(path))
			return rt;
	}
	return NULL;
}

static const struct {
	unsigned bit;
	const char *name;
} method_names[] = {
        {METHOD_GET, MHD_HTTP_METHOD_GET},
        {METHOD_HEAD, MHD_HTTP_METHOD_HEAD},
        {METHOD_POST, MHD_HTTP_METHOD_POST},
};

/* The METHOD_* bit of method, 0 for a method no route answers. */
static unsigned method_bit(const char *method)
{
	for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
		if (strcmp(method, method_names[i].name) == 0)
			return method_names[i].bit;
	return 0;
}

/* The Allow header of a 405 from a route's methods: "GET, HEAD[, POST]". */
static void allow_header(unsigned methods, char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
		if (!(methods & method_names[i].bit))
			continue;
		int n = snprintf(out + o, outsz - o, "%s%s", o ? ", " : "", method_names[i].name);
		if (n < 0 || (size_t)n >= outsz - o)
			return;
		o += (size_t)n;
	}
}

/* The request is complete (body included): answer it through its route. */
static enum MHD_Result dispatch(struct http *h, struct MHD_Connection *c, struct req *rq,
                                const char *path, const char *query)
{
	struct call k = {h, c, rq->route, path, NULL, rq->head};
	if (rq->route->raw_query)
		return rq->route->serve(&k);
	struct api_params params = {0};
	if (api_params_parse(&params, query, strlen(query)) < 0 ||
	    (rq->post && api_params_parse(&params, text_buf_str(&rq->body), rq->body.len) < 0)) {
		api_params_free(&params);
		return send_error(c, MHD_HTTP_BAD_REQUEST, NULL, NULL,
		                  "malformed query: invalid percent-encoding or control byte");
	}
	k.params = &params;
	enum MHD_Result rc = rq->route->serve(&k);
	api_params_free(&params);
	return rc;
}

/* The request's body (POST) arrives piece by piece; the last call, with
 * nothing left, answers it. */
static enum MHD_Result on_body(struct http *h, struct MHD_Connection *c, struct req *rq,
                               const char *upload_data, size_t *upload_size)
{
	if (*upload_size) {
		if (rq->body.len + *upload_size > HTTP_MAX_BODY)
			rq->body_too_big = true;
		else
			text_buf_append(&rq->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->body_too_big)
		return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, NULL,
		                  "request body larger than 4096 bytes");
	if (rq->body.failed)
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, NULL, "out of memory");
	if (!rq->route)
		return MHD_NO; /* refused when its headers arrived: answered already */
	const char *q = strchr(rq->target, '?');
	char path[512];
	size_t plen = q ? (size_t)(q - rq->target) : strlen(rq->target);
	decode_path(rq->target, plen, path, sizeof path);
	return dispatch(h, c, rq, path, q ? q + 1 : "");
}

/* True when the request target held a NUL byte. libmicrohttpd hands the
 * target to on_uri as a C string (so cut at the NUL) and the version to
 * on_request, both pointing into its copy of the request line, where the
 * target ends one byte (the separating blank) before the version. */
static bool target_has_nul(const struct req *rq, const char *version)
{
	uintptr_t v = (uintptr_t)version;
	return version && *version && v > rq->target_end + 1 &&
	       v - rq->target_end <= HTTP_MAX_TARGET + 2;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct req *rq = *con_cls;
	(void)url;
	if (!rq || rq->dead || !rq->target)
		return MHD_NO;
	if (rq->started)
		return on_body(h, c, rq, upload_data, upload_size);
	rq->started = true;
	struct conn *k = conn_of(c);
	if (k)
		headers_arrived(k);
	if (target_has_nul(rq, version))
		return send_error(c, MHD_HTTP_BAD_REQUEST, NULL, NULL,
		                  "malformed request target: NUL byte");
	const char *target = rq->target;
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);
	char path[512];
	if (decode_path(target, plen, path, sizeof path) < 0 || (q && !percent_ok(q, strlen(q))))
		return send_error(c, MHD_HTTP_BAD_REQUEST, NULL, NULL,
		                  "malformed request target: invalid percent-encoding, '..' or "
		                  "'//'");
	const struct route *rt = route_find(path);
	/* no route: the credentials first too, so that a client without them
	 * learns nothing of which paths exist */
	if ((!rt || rt->auth == AUTH_USER) && h->cfg->auth_user && !authorized(h, c))
		return send_error(c, MHD_HTTP_UNAUTHORIZED, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                  "Basic realm=\"tikstat\", charset=\"UTF-8\"",
		                  "authentication required");
	if (!rt)
		return send_error(c, MHD_HTTP_NOT_FOUND, NULL, NULL, "not found");
	unsigned m = method_bit(method);
	if (!(rt->methods & m)) {
		char allow[64];
		allow_header(rt->methods, allow, sizeof allow);
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW, allow,
		                  "method not allowed");
	}
	rq->route = rt;
	rq->post = m == METHOD_POST;
	rq->head = m == METHOD_HEAD;
	if (rq->post) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > HTTP_MAX_BODY)
			return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, NULL,
			                  "request body larger than 4096 bytes");
		const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
		if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
			return send_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL, NULL,
			                  "the body must be application/x-www-form-urlencoded");
	}
	/* Answer in the next call: a response queued in the first one makes
	 * libmicrohttpd close the connection instead of keeping it alive. */
	return MHD_YES;
}

/* The number of '&'-separated pieces of the query in target. */
static size_t query_pieces(const char *target)
{
	const char *q = strchr(target, '?');
	size_t n = q ? 1 : 0;
	for (; q && *q; q++)
		n += *q == '&';
	return n;
}

/* MHD hands over the raw request target here, before it parses it. The
 * request's state lives in the connection (nothing allocated here
 * survives the connection). Targets libmicrohttpd's argument parser could
 * not hold in the connection's memory are answered right here (see
 * answer_early): longer than HTTP_MAX_TARGET bytes or with more than
 * HTTP_MAX_PARAMS parameters. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	struct conn *k = conn_of(c);
	if (!k)
		return NULL;
	if (k->req.dead)
		return &k->req; /* answered early: the stream is over */
	/* a request MHD abandoned without completing it leaves its state */
	req_reset(&k->req);
	size_t len = strlen(uri);
	if (len > HTTP_MAX_TARGET) {
		answer_early(c, k, MHD_HTTP_URI_TOO_LONG, "URI Too Long",
		             "request target longer than 8192 bytes");
		return &k->req;
	}
	if (query_pieces(uri) > HTTP_MAX_PARAMS) {
		answer_early(c, k, MHD_HTTP_URI_TOO_LONG, "URI Too Long",
		             "more than 256 query parameters");
		return &k->req;
	}
	k->req.target = strdup(uri);
	k->req.target_end = (uintptr_t)uri + len;
	return &k->req;
}

/* The request is over (answered or abandoned): free its state, and the
 * next request on this connection starts its own deadline. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	struct req *rq = *con_cls;
	if (rq) {
		bool dead = rq->dead;
		req_reset(rq);
		rq->dead = dead;
		*con_cls = NULL;
	}
	struct conn *k = conn_of(c);
	if (k && !k->req.dead)
		deadline_start(k);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* libmicrohttpd's own messages, at debug level (they are about clients). */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}
#pragma GCC diagnostic pop

/* ---- start and stop ---- */

static int start_one(struct http *h, const struct sockaddr *sa, bool dual, bool tls,
                     const char *shown)
{
	if (h->nd == HTTP_MAX_DAEMONS) {
		log_errorx("http: more than %d listen addresses", HTTP_MAX_DAEMONS);
		return -1;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME; /* the live viewers park */
	/* MHD copies nothing of the key and certificate: they live in cfg,
	 * which outlives the daemon. */
	struct MHD_OptionItem tls_opts[] = {
	        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->cfg->tls_key},
	        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->cfg->tls_cert},
	        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)(uintptr_t)HTTP_TLS_PRIORITIES},
	        {MHD_OPTION_END, 0, NULL},
	};
	if (tls)
		flags |= MHD_USE_TLS;
	else
		tls_opts[0].option = MHD_OPTION_END;
	if (sa->sa_family == AF_INET6)
		flags |= dual ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	uint16_t port = sa->sa_family == AF_INET6
	                        ? ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port)
	                        : ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	struct MHD_Daemon *d = MHD_start_daemon(
	        flags, port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
	        (void *)h, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE,
	        http_pool_threads(), MHD_OPTION_CONNECTION_LIMIT, h->max_connections,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
	        MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)h, MHD_OPTION_NOTIFY_COMPLETED,
	        on_completed, (void *)h, MHD_OPTION_NOTIFY_CONNECTION, on_connection, (void *)h,
	        MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	if (!d) {
		log_errorx("http: cannot listen on %s%s", shown,
		           tls ? " with TLS (address in use, or not local? or tls_cert_file and "
		                 "tls_key_file do not make a pair?)"
		               : " (address in use, or not local?)");
		return -1;
	}
	h->d[h->nd++] = d;
	log_info("http: listening on %s%s", shown, tls ? " (HTTPS)" : "");
	return 0;
}

/* Starts a daemon for every address of one listen entry (tls: an
 * https_listen entry). */
static int start_entry(struct http *h, const char *entry, bool tls)
{
	char host[256];
	uint16_t port;
	if (cfg_parse_listen(entry, host, sizeof host, &port) < 0) {
		log_errorx("http: bad listen entry %s", entry);
		return -1;
	}
	if (strcmp(host, "*") == 0) {
		struct sockaddr_in6 any = {.sin6_family = AF_INET6,
		                           .sin6_port = htons(port),
		                           .sin6_addr = IN6ADDR_ANY_INIT};
		return start_one(h, (const struct sockaddr *)&any, true, tls, entry);
	}
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	                         .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char service[8];
	snprintf(service, sizeof service, "%u", (unsigned)port);
	int gai = getaddrinfo(host, service, &hints, &res);
	if (gai != 0) {
		log_errorx("http: listen %s: %s", entry, gai_strerror(gai));
		return -1;
	}
	int rc = 0;
	for (struct addrinfo *ai = res; ai && rc == 0; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		char shown[INET6_ADDRSTRLEN + 16], addr[INET6_ADDRSTRLEN];
		const void *bin =
		        ai->ai_family == AF_INET
		                ? (const void *)&((struct sockaddr_in *)(void *)ai->ai_addr)
		                          ->sin_addr
		                : (const void *)&((struct sockaddr_in6 *)(void *)ai->ai_addr)
		                          ->sin6_addr;
		inet_ntop(ai->ai_family, bin, addr, sizeof addr);
		snprintf(shown, sizeof shown, ai->ai_family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		         (unsigned)port);
		rc = start_one(h, ai->ai_addr, false, tls, shown);
	}
	freeaddrinfo(res);
	return rc;
}

struct http *http_start(const struct cfg *cfg, struct status *st, struct pushq *q,
                        struct livehub *live, unsigned max_connections)
{
	struct http *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->cfg = cfg;
	h->status = st;
	h->q = q;
	h->live = live;
	h->bills = billing_cache_new(cfg); /* out of memory: no cache, still correct */
	h->metrics_ready = shared_render_init(&h->metrics) == 0; /* else: one rendering each */
	pthread_mutex_init(&h->pool_lock, NULL);
	pthread_mutex_init(&h->conn_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->reaper_wake, &ca);
	pthread_condattr_destroy(&ca);
	h->max_connections = max_connections;
	if (cfg->n_https_listen && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		log_errorx("http: https_listen: this libmicrohttpd was built without TLS support "
		           "(GnuTLS); install one with it, or serve plain HTTP behind a TLS proxy");
		http_stop(h);
		return NULL;
	}
	if (cfg->n_https_listen && (!cfg->tls_cert || !cfg->tls_key)) {
		log_errorx("http: https_listen: the certificate or key was not loaded");
		http_stop(h);
		return NULL;
	}
	int e = pthread_create(&h->reaper, NULL, reaper_main, h);
	if (e != 0) {
		log_errorx("http: cannot start the deadline thread: %s", strerror(e));
		http_stop(h);
		return NULL;
	}
	h->reaper_running = true;
	for (size_t i = 0; i < cfg->n_listen; i++) {
		if (start_entry(h, cfg->listen[i], false) < 0) {
			http_stop(h);
			return NULL;
		}
	}
	for (size_t i = 0; i < cfg->n_https_listen; i++) {
		if (start_entry(h, cfg->https_listen[i], true) < 0) {
			http_stop(h);
			return NULL;
		}
	}
	return h;
}

void http_stop(struct http *h)
{
	if (!h)
		return;
	/* Parked viewers are woken to end their streams: libmicrohttpd
	 * must not be stopped with suspended connections. */
	if (h->live)
		livehub_close(h->live);
	for (size_t i = 0; i < h->nd; i++)
		MHD_stop_daemon(h->d[i]);
	if (h->reaper_running) {
		pthread_mutex_lock(&h->conn_lock);
		h->reaper_stop = true;
		pthread_cond_signal(&h->reaper_wake);
		pthread_mutex_unlock(&h->conn_lock);
		pthread_join(h->reaper, NULL);
	}
	pthread_cond_destroy(&h->reaper_wake);
	pthread_mutex_destroy(&h->conn_lock);
	for (size_t i = 0; i < h->npool; i++)
		store_close(h->pool[i]);
	free(h->pool);
	pthread_mutex_destroy(&h->pool_lock);
	billing_cache_free(h->bills);
	if (h->metrics_ready)
		shared_render_destroy(&h->metrics);
	free(h);
}
