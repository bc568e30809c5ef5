/* fdbudget.c — see fdbudget.h. */
#include "fdbudget.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "http.h"

/* Always open: standard streams, the log, the loop's epoll, the push
 * queue's and live hub's eventfds, the systemd socket, an ip_file being
 * written. */
#define FD_FIXED 16
/* Alert commands being started (posix_spawn) and their reaping. */
#define FD_ALERTS 8
/* One SQLite connection in WAL mode: the database, its WAL and its SHM. */
#define FD_PER_DB 3
/* Per HTTP worker thread: its epoll and wake-up pipe, and its read-only
 * database handle. */
#define FD_PER_HTTP_THREAD (3 + FD_PER_DB)
/* What nobody counted: libraries that open a file now and then (time
 * zone, resolver, TLS). */
#define FD_SLACK 32

/* a + b, saturating. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a * b, saturating. */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

void fdbudget_compute(const struct fdbudget_in *in, struct fdbudget *out)
{
	uint64_t per_ls = add_sat(1, mul_sat(in->http_threads, FD_PER_HTTP_THREAD));
	uint64_t reserve = add_sat(FD_FIXED + FD_ALERTS + FD_SLACK + FD_PER_DB,
	                           mul_sat(in->listeners, per_ls));
	uint64_t avail = in->limit > reserve ? in->limit - reserve : 0;
	uint64_t floor = mul_sat(in->listeners, FDBUDGET_HTTP_FLOOR);
	uint64_t room = avail > floor ? avail - floor : 0;
	out->limit = in->limit;
	out->reserve = reserve;
	out->routers = in->routers;
	out->sessions = room < in->routers ? (size_t)room : in->routers;
	/* HTTP: what the routers leave, never below the floor. */
	uint64_t http = in->listeners ? (avail - out->sessions) / in->listeners : 0;
	if (http < FDBUDGET_HTTP_FLOOR)
		http = FDBUDGET_HTTP_FLOOR;
	if (http > in->http_max_per_ls)
		http = in->http_max_per_ls;
	out->http_per_ls = (unsigned)http;
}

/* The addresses the HTTP server would bind for one listen entry, counted
 * as http.c resolves them ("*" is one dual-stack socket). 0 when the name
 * does not resolve (the daemon then fails with the resolver's message). */
static size_t listen_addresses(const char *entry)
{
	char host[256];
	uint16_t port;
	if (cfg_parse_listen(entry, host, sizeof host, &port) < 0)
		return 0;
	if (strcmp(host, "*") == 0)
		return 1;
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	                         .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char service[8];
	snprintf(service, sizeof service, "%u", (unsigned)port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return 0;
	size_t n = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			n++;
	freeaddrinfo(res);
	return n;
}

size_t fdbudget_listeners(const struct cfg *cfg)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_listen; i++)
		n += listen_addresses(cfg->listen[i]);
	for (size_t i = 0; i < cfg->n_https_listen; i++) /* one server per address, too */
		n += listen_addresses(cfg->https_listen[i]);
	return n;
}

void fdbudget_of_cfg(const struct cfg *cfg, struct fdbudget *out)
{
	struct rlimit rl;
	struct fdbudget_in in = {.limit = UINT64_MAX,
	                         .listeners = fdbudget_listeners(cfg),
	                         .http_threads = http_pool_threads(),
	                         .http_max_per_ls = HTTP_MAX_CONNECTIONS};
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		in.limit = (uint64_t)rl.rlim_cur;
	for (size_t i = 0; i < cfg->n_routers; i++)
		if (cfg->routers[i].mode == MODE_POLL)
			in.routers++;
	fdbudget_compute(&in, out);
}

void fdbudget_message(const struct fdbudget *b, char *buf, size_t sz)
{
	snprintf(buf, sz,
	         "no file descriptor left for this router: %zu routers with a limit of %llu open "
	         "files (%zu sessions fit); raise LimitNOFILE (tikstatd.service) or ulimit -n",
	         b->routers, (unsigned long long)b->limit, b->sessions);
}
