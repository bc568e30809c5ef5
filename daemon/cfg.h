/*
 * cfg.h — /etc/tikstat/tikstat.conf: parsing, defaults and validation.
 *
 * INI syntax through inih (Debian libinih). Every error names the file,
 * the line and the key ("tikstat.conf:12: [router home] interval: must be
 * 1 to 86400 seconds, got 0"). Unknown sections and keys are errors.
 * Secrets come from password= / password_file= (first line, newline
 * stripped); a file holding a secret that group or others can read, or
 * that belongs to anyone but root or the daemon's user, is refused with a
 * hint. A file without any [router NAME] section is an error.
 * The syntax and every key are documented in tikstat.conf(5).
 *
 * cfg_load is not thread-safe (getgrnam, getenv): call it from one thread.
 * A loaded cfg is read-only and may be shared by threads until cfg_free.
 */
#ifndef TIKSTAT_CFG_H
#define TIKSTAT_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "routeros.h"

/* The most [http] listen addresses: cfg_load refuses more listen entries,
 * --check-config more resolved addresses, and the HTTP server binds no
 * more (one MHD daemon each). */
#define CFG_MAX_LISTEN 16

enum router_mode { MODE_POLL, MODE_PUSH };

/* One ADDR[/PREFIX] of push_allow_from: an IPv4 (4 bytes) or IPv6 (16
 * bytes) network, host bits zero. */
struct cfg_net {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order, the first 4 for AF_INET */
	unsigned prefix;        /* 0..32 or 0..128; a bare address is /32 or /128 */
};

struct cfg_router {
	char *name;           /* from [router NAME] */
	enum router_mode mode;
	char *host;
	uint16_t port;        /* resolved default: 8728, or 8729 when tls != off */
	enum ros_tls_mode tls;
	char *tls_ca_file;
	char *tls_fingerprint;
	char *user;           /* default "tikstat" */
	char *password;       /* secret: wiped by cfg_free */
	char **interfaces;    /* n_interfaces names, raw bytes */
	size_t n_interfaces;
	int interval;         /* seconds, default 10 */
	int timeout;          /* seconds, default 5 */
	int command_timeout;  /* seconds a whole reply may take, 0 = max(4 x timeout, 30) */
	uint64_t max_reply_size;  /* bytes one reply may hold, default 32 MiB */
	uint64_t max_reply_items; /* sentences one reply may hold, default 100000 */
	char *push_token;     /* secret, mode = push */
	char *ip_file;
	char *ip_interface;   /* mode = poll: whose address goes to ip_file; NULL = interfaces[0] */
	uint64_t quota;       /* bytes per billing cycle, 0 = none */
	char *alert_command;
	char *password_file;   /* the file password came from, or NULL */
	char *push_token_file; /* the file push_token came from, or NULL */
	size_t *interfaces_by_name; /* indexes into interfaces, in strcmp order */
	struct cfg_net *push_allow; /* mode = push: push_allow_from, n_push_allow entries */
	size_t n_push_allow;
};

struct cfg {
	char *path;             /* the file this came from */
	/* [tikstat] */
	char *database;         /* default /var/lib/tikstat/tikstat.db */
	char *timezone;         /* NULL = system local time */
	int cycle_start_day;    /* 1..28, default 1 */
	uint64_t max_rate;      /* bits/s, default 100G */
	int commit_interval;    /* seconds, default 60 */
	char *log_level;        /* error|warning|info|debug, default info */
	int64_t retention[5];   /* seconds per step (calendar.h order), <= 0 forever */
	/* [http] */
	char **listen;          /* n_listen "host:port" entries, default 127.0.0.1:8085 */
	size_t n_listen;
	char *auth_user;
	char *auth_password;    /* secret read from auth_password_file */
	char *auth_password_file; /* its path, or NULL */
	char **https_listen;    /* n_https_listen entries served over TLS, default none */
	size_t n_https_listen;
	char *tls_cert_file;    /* PEM certificate (chain) for https_listen */
	char *tls_key_file;     /* PEM private key: a secret file */
	char *tls_cert;         /* the certificate file's contents (NULL with CFG_SKIP_SECRETS) */
	char *tls_key;          /* the key file's contents: secret, wiped by cfg_free */
	/* [router NAME] sections in file order */
	struct cfg_router *routers;
	size_t n_routers;
};

/* Parses path into a freshly allocated cfg. On error returns NULL and
 * writes "FILE:LINE: message" (or "FILE: message") into err. */
struct cfg *cfg_load(const char *path, char *err, size_t errsz);
/* cfg_load with flags. CFG_SKIP_SECRETS: do not read password and token
 * files (their fields then hold the file's path, not the secret) and do
 * not check the permissions of files holding secrets: for tools that only
 * read the database, run by users who may not read the secrets. */
#define CFG_SKIP_SECRETS 1
struct cfg *cfg_load_flags(const char *path, int flags, char *err, size_t errsz);

/* cfg_load for a reload (SIGHUP) of the running configuration prev: a
 * secret file that can no longer be opened for lack of permission (the
 * daemon gave up root) while prev read the same key of the same section
 * from the same path keeps prev's secret, with a warning logged. Every
 * other error is as with cfg_load. */
struct cfg *cfg_reload(const char *path, const struct cfg *prev, char *err, size_t errsz);

/* Files holding secrets must belong to root or to uid: the user tikstatd
 * runs as (with -u USER, USER). Until this is called, uid is geteuid() at
 * load time. Process-wide; call it before cfg_load. */
void cfg_secret_owner(uid_t uid);

/* Frees everything, wiping secrets. NULL-safe. */
void cfg_free(struct cfg *c);

/* The index of the interface named name in r->interfaces, or -1: a
 * binary search over the names sorted at load (O(log n): a push or a poll
 * of thousands of interfaces must not scan the list once per name); a
 * router built by hand without that index is scanned. */
long cfg_interface_index(const struct cfg_router *r, const char *name);

/* The router named name, or NULL. */
const struct cfg_router *cfg_router(const struct cfg *c, const char *name);

/* Value parsers shared with the CLI and HTTP code (0 or -1):
 * sizes "500G", "1.5T", "100M", "1024" (bytes; K M G T P = powers of 1000,
 * Ki Mi Gi Ti Pi = powers of 1024; an optional trailing B/b is accepted);
 * rates the same in bits/s ("100M" = 10^8 bit/s); durations "10", "10s",
 * "5m", "2h", "7d". */
int cfg_parse_size(const char *text, uint64_t *out);
int cfg_parse_duration(const char *text, int64_t *seconds);
/* Details of the two above: a decimal fraction is allowed and the result
 * rounded down ("1.5K" = 1500, "1.5m" = 90 s); blanks may separate the
 * number and its unit ("500 GB"); no sign, no leading or trailing blanks.
 * On -1, errno is EINVAL (malformed) or ERANGE (above UINT64_MAX bytes or
 * INT64_MAX seconds); *out is left alone. */

/* Splits one listen entry, "host:port", "[v6addr]:port" or "*:port",
 * into host (without brackets; "*" for every address) and port (1..65535).
 * Returns 0, or -1 with errno EINVAL when malformed or host does not fit
 * in hostsz bytes. cfg_load has checked every cfg->listen entry with it. */
int cfg_parse_listen(const char *text, char *host, size_t hostsz, uint16_t *port);

/* Parses one push_allow_from entry, "ADDR" or "ADDR/PREFIX" (IPv4 or
 * IPv6, no blanks). Returns NULL with *out set, or the reason it is
 * refused (a static string; host bits set under the prefix are refused:
 * "192.0.2.7/24" is ambiguous). */
const char *cfg_parse_net(const char *text, struct cfg_net *out);

/* True when the address addr (4 bytes for AF_INET, 16 for AF_INET6) of
 * family lies in n. Families must be equal: the caller maps an
 * IPv4-mapped IPv6 peer (::ffff:A.B.C.D) to AF_INET first. */
bool cfg_net_contains(const struct cfg_net *n, int family, const unsigned char *addr);

/* True when a and b share an address (same family, and the shorter
 * prefix's network holds the other's). */
bool cfg_net_overlap(const struct cfg_net *a, const struct cfg_net *b);

#endif
