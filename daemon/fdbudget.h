/*
 * fdbudget.h — how the daemon shares its open files (RLIMIT_NOFILE)
 * between the database, HTTP and the router sessions.
 *
 * Computed once per start and reload from the soft limit. A reserve goes
 * to what the daemon always holds (standard streams, the log, epoll and
 * eventfds, the systemd socket, each listening socket with its thread
 * pool's epoll and wake-up descriptors, SQLite's main, WAL and SHM files
 * of the writer and of every HTTP thread's read-only handle, alert
 * commands, ip_file writes) plus some slack; HTTP gets a floor that
 * nothing takes away (FDBUDGET_HTTP_FLOOR connections per listening
 * socket: the API, dashboard, /metrics and push keep answering); router
 * sessions (one socket each) get the rest, and HTTP whatever the routers
 * leave, up to HTTP_MAX_CONNECTIONS per socket. A router beyond the
 * budget is not connected (poller_set_sessions) and --check-config warns.
 */
#ifndef TIKSTAT_FDBUDGET_H
#define TIKSTAT_FDBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

/* HTTP connections per listening socket that router sessions never take. */
#define FDBUDGET_HTTP_FLOOR 64

/* What the budget is computed from. */
struct fdbudget_in {
	uint64_t limit;           /* the soft RLIMIT_NOFILE (UINT64_MAX: none) */
	size_t routers;           /* routers in poll mode: one session each */
	size_t listeners;         /* HTTP listening sockets (one MHD daemon each) */
	unsigned http_threads;    /* worker threads per listening socket */
	unsigned http_max_per_ls; /* the most connections per socket wanted */
};

/* The shares. reserve + http_per_ls * listeners + sessions <= limit
 * whenever the limit holds the reserve and the HTTP floor. */
struct fdbudget {
	uint64_t limit;       /* as given */
	uint64_t reserve;     /* database, logs, eventfds, listeners, slack */
	size_t routers;       /* as given */
	size_t sessions;      /* router sessions allowed (<= routers) */
	unsigned http_per_ls; /* connection limit of each listening socket */
};

/* Splits in->limit (pure arithmetic, overflow-safe) into *out. */
void fdbudget_compute(const struct fdbudget_in *in, struct fdbudget *out);

/* The HTTP listening sockets of cfg: one per address of every listen and
 * https_listen entry, resolved as http.c does ("*" is one dual-stack
 * socket; a name that does not resolve counts none). */
size_t fdbudget_listeners(const struct cfg *cfg);

/* The budget of cfg under the current soft RLIMIT_NOFILE: its poll-mode
 * routers, one listening socket per listen and https_listen entry, this
 * machine's HTTP thread count. */
void fdbudget_of_cfg(const struct cfg *cfg, struct fdbudget *out);

/* True when some configured routers get no session. */
static inline bool fdbudget_short(const struct fdbudget *b)
{
	return b->sessions < b->routers;
}

/* The status text of a router left without a session, saying what to do
 * ("no file descriptor left for this router: ..."), into buf (size sz). */
void fdbudget_message(const struct fdbudget *b, char *buf, size_t sz);

#endif
