/*
 * cfg.h — /etc/tikstat/tikstat.conf: parsing, defaults and validation.
 *
 * INI syntax, read by cfg.c itself. Every error names the file, the line
 * and the key ("tikstat.conf:12: [router home] interval: must be 1 to
 * 86400 seconds, got 0"), and every error in the file is reported (one a
 * line) before the load fails. Unknown sections and keys are errors.
 * Secrets come from password= / password_file= (first line, newline
 * stripped); a file holding a secret that group or others can read, or
 * that belongs to anyone but root or the daemon's user, is refused with a
 * hint. A file without any [router NAME] section is an error.
 * [bill NAME] sections sum counters of the routers (any section order);
 * each counter is resolved to its router and kind at load.
 * [tikstat] include = GLOB, ... names more files (conf.d) read after the
 * main one, in sorted order, as if appended: [router] and [bill] sections
 * only. Each is refused when it is a symbolic link, or it or its
 * directory is writable by group or others or belongs to anyone but root
 * or the daemon's user; errors name the included file and its line.
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

#include "cfgvalue.h"
#include "routeros.h"

/* The most [http] listen addresses: cfg_load refuses more listen entries,
 * --check-config more resolved addresses, and the HTTP server binds no
 * more (one MHD daemon each). */
#define CFG_MAX_LISTEN 16

enum router_mode { MODE_POLL, MODE_PUSH };

/* Where a router's devices come from: devices = kid-control. */
enum cfg_devices { CFG_DEVICES_NONE, CFG_DEVICES_KID_CONTROL };

struct cfg_router {
	char *name; /* from [router NAME] */
	enum router_mode mode;
	char *host;
	uint16_t port; /* resolved default: 8728, or 8729 when tls != off */
	enum ros_tls_mode tls;
	char *tls_ca_file;
	char *tls_fingerprint;
	char *user;        /* default "tikstat" */
	char *password;    /* secret: wiped by cfg_free */
	char **interfaces; /* n_interfaces names, raw bytes */
	size_t n_interfaces;
	int interval;             /* seconds, default 10 */
	int timeout;              /* seconds, default 5 */
	int command_timeout;      /* seconds a whole reply may take, 0 = max(4 x timeout, 30) */
	uint64_t max_reply_size;  /* bytes one reply may hold, default 32 MiB */
	uint64_t max_reply_items; /* sentences one reply may hold, default 100000 */
	char *push_token;         /* secret, mode = push */
	char *ip_file;
	char *ip_interface; /* mode = poll: whose address goes to ip_file; NULL = interfaces[0] */
	uint64_t quota;     /* bytes per billing cycle, 0 = none */
	char *alert_command;
	char *password_file;        /* the file password came from, or NULL */
	char *push_token_file;      /* the file push_token came from, or NULL */
	size_t *interfaces_by_name; /* indexes into interfaces, in strcmp order */
	struct cfg_net *push_allow; /* mode = push: push_allow_from, n_push_allow entries */
	size_t n_push_allow;
	/* queues = (mode = poll): every simple queue, or the listed ones */
	bool queues_all; /* queues = *: also queues created later; n_queues is 0 */
	char **queues;   /* n_queues names, raw bytes, in file order */
	size_t n_queues;
	size_t *queues_by_name; /* indexes into queues, in strcmp order */
	enum cfg_devices devices;
	int max_devices; /* devices tracked at most, 1..100000, default 500 */
	int device_idle; /* seconds unseen before a device stops being polled, default 30d */
};

/* What a bill's counter is on its router. */
enum cfg_counter_kind { CFG_COUNTER_INTERFACE, CFG_COUNTER_QUEUE, CFG_COUNTER_DEVICE };

/* One counter of a bill: ROUTER/COUNTER of counters =. */
struct cfg_bill_counter {
	size_t router; /* index into cfg->routers */
	enum cfg_counter_kind kind;
	/* the interface (one of the router's interfaces), the queue (one of
	 * its queues, or any name with queues = *) or the device's MAC
	 * address ("AA:BB:CC:DD:EE:FF", upper case) */
	char *name;
};

/* Which directions a bill sums: rx is what the counter received (a WAN
 * interface's download; a queue's or a device's download), tx what it
 * sent. */
enum cfg_direction { CFG_DIR_BOTH, CFG_DIR_RX, CFG_DIR_TX };

/* A [bill NAME] section. */
struct cfg_bill {
	char *name;                        /* from [bill NAME]: unique, as router names */
	struct cfg_bill_counter *counters; /* n_counters >= 1, each once */
	size_t n_counters;
	enum cfg_direction direction; /* default both */
	int cycle_start_day;          /* 1..28, default the [tikstat] one */
	uint64_t quota;               /* bytes per billing cycle, 0 = none */
	char *alert_command;          /* only with a quota; NULL = none */
	int percentile;               /* 1..99, 0 = none */
	uint64_t committed_bps;       /* bits/s, only with percentile; 0 = none */
};

struct cfg {
	char *path;     /* the file this came from */
	size_t n_files; /* files read: path and the included ones */
	/* [tikstat] */
	char *database;       /* default /var/lib/tikstat/tikstat.db */
	char *timezone;       /* NULL = system local time */
	int cycle_start_day;  /* 1..28, default 1 */
	uint64_t max_rate;    /* bits/s, default 100G */
	int commit_interval;  /* seconds, default 60 */
	char *log_level;      /* error|warning|info|debug, default info */
	int64_t retention[5]; /* seconds per step (calendar.h order), <= 0 forever */
	/* the 5-minute and hour buckets of devices (kid-control); their day,
	 * month and year buckets follow retention (device_retention_5min,
	 * device_retention_hour; default 2d and 35d) */
	int64_t device_retention[2];
	char **include; /* n_include patterns of include =, as written */
	size_t n_include;
	/* [http] */
	char **listen; /* n_listen "host:port" entries, default 127.0.0.1:8085 */
	size_t n_listen;
	char *auth_user;
	char *auth_password;      /* secret read from auth_password_file */
	char *auth_password_file; /* its path, or NULL */
	char **https_listen;      /* n_https_listen entries served over TLS, default none */
	size_t n_https_listen;
	char *tls_cert_file; /* PEM certificate (chain) for https_listen */
	char *tls_key_file;  /* PEM private key: a secret file */
	char *tls_cert;      /* the certificate file's contents (NULL with CFG_SKIP_SECRETS) */
	char *tls_key;       /* the key file's contents: secret, wiped by cfg_free */
	int live_viewers;    /* concurrent /api/v1/live streams, default 100, 0 = off */
	/* [router NAME] sections in file order (the main file, then the
	 * included ones) */
	struct cfg_router *routers;
	size_t n_routers;
	/* [bill NAME] sections in file order */
	struct cfg_bill *bills;
	size_t n_bills;
	/* indexes into routers and bills in name order (cfg_router, cfg_bill):
	 * set by cfg_load, NULL in a cfg built by hand */
	size_t *routers_by_name;
	size_t *bills_by_name;
};

/* The most errors cfg_load reports one by one; the rest are counted in a
 * last line "FILE: N more errors". */
#define CFG_MAX_ERRORS 50
/* An error buffer that holds CFG_MAX_ERRORS errors of a usual length. */
#define CFG_ERR_SIZE 16384

/* Parses path into a freshly allocated cfg. On error returns NULL and
 * writes every error into err, one a line (separated by '\n', none at
 * the end), each "FILE:LINE: [SECTION] KEY: message", "FILE:LINE:
 * message" or "FILE: message"; as many whole lines as fit in errsz
 * (CFG_ERR_SIZE holds all of them), then "FILE: N more errors" for the
 * rest. A file with any error gives no cfg. */
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

/* The retention of devices' buckets per step (calendar.h order), for
 * the recorder: device_retention for 5-minute and hour buckets,
 * retention for the others. */
void cfg_device_retention(const struct cfg *c, int64_t out[5]);

/* The index of the queue named name in r->queues, or -1 (also with
 * queues = *, which lists none): a binary search as above. */
long cfg_queue_index(const struct cfg_router *r, const char *name);

/* The router named name, or NULL: a binary search (O(log n): a fleet has
 * thousands of routers), a scan in a cfg built by hand. */
const struct cfg_router *cfg_router(const struct cfg *c, const char *name);

/* The bill named name, or NULL: as cfg_router. */
const struct cfg_bill *cfg_bill(const struct cfg *c, const char *name);

/* The value parsers (cfg_parse_size, cfg_parse_listen, cfg_parse_net...)
 * are in cfgvalue.h. */

#endif
