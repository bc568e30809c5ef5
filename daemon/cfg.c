/*
 * cfg.c — see cfg.h.
 *
 * Our own line reader: it counts lines, removes comments (';' or '#' at
 * the start or after a blank, outside double quotes), tells "[section]"
 * lines from "key = value" lines and hands each key to set_key. Lines may
 * be of any length; a value is never copied anywhere but the cfg.
 *
 * Keys are rows of one typed table (keys[]): name, section, value type,
 * the field it fills (an offset into struct cfg or struct cfg_router) and
 * its range or words. A type parses the value and reports what is wrong;
 * the pure value parsers are in cfgvalue.c. A type used by one key only
 * (timezone, interfaces...) is that key's custom parser.
 *
 * Checks that involve several keys of a section (password or
 * password_file, tls and its fingerprint, mode) run when the section ends,
 * when its keys had no error. A bill's counters name routers that may come
 * later in the file: they are resolved after the last line (finish_bills),
 * skipping routers whose own sections had errors. Every error in the file
 * is reported, one "FILE:LINE: [SECTION] KEY: reason" line each, sorted by
 * line (the checks after the last line fit in), at most CFG_MAX_ERRORS,
 * and a secret value is never part of one. A file with any error gives no
 * cfg.
 *
 * include = (conf.d): the files are checked and read whole when the key
 * is parsed (errors about them name the include line), and parsed after
 * the main file as if appended, each starting outside any section; errors
 * in them name that file and its line, sorted after the main file's.
 * Names of routers and bills are looked up in hash tables while reading
 * and through sorted indexes afterwards: a fleet of 10,000 routers loads
 * in linear time, not in the square of it.
 */
#include "cfg.h"

#include "calendar.h"
#include "log.h"
#include "store.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG_MAX_FILE     (16 << 20)     /* bytes of tikstat.conf, and of each included file */
#define SECRET_MAX       1024           /* bytes of a password or token */
#define TOKEN_MIN        16             /* characters of a push token */
#define ROUTER_NAME_MAX  64             /* and bill names */
#define SECONDS_MAX      86400          /* interval, timeout, commit_interval */
#define SECRET_GROUP     "tikstat"      /* may read secrets with mode 0640 */
#define TLS_CERT_MAX     (1024 * 1024)  /* bytes of tls_cert_file (a chain) */
#define TLS_KEY_MAX      (64 * 1024)    /* bytes of tls_key_file */
#define LIVE_VIEWERS_MAX 4096           /* the HTTP server's connections per address */
#define MAX_DEVICES_MAX  100000         /* max_devices */
#define DEVICE_IDLE_MAX  (3650 * 86400) /* device_idle: ten years */

#define DEFAULT_DATABASE    "/var/lib/tikstat/tikstat.db"
#define DEFAULT_LISTEN      "127.0.0.1:8085"
#define DEFAULT_USER        "tikstat"
#define DEFAULT_MAX_DEVICES 500
#define DEFAULT_DEVICE_IDLE (30 * 86400)

/* What fail_foreign_owner says of a password, token or key file. */
#define SECRET_FILE "a file holding a secret"

#define QUOTA_HINT "bytes, e.g. 500G, 1.5T or 800Gi"
#define RATE_HINT  "bits/s, e.g. 100M, 1G or 2.5G"
/* Why a pushing router takes no queues or devices. */
#define NO_SESSION_QUEUES  "a pushing router has no API session to read queues over"
#define NO_SESSION_DEVICES "a pushing router has no API session to read devices over"

/* SEC_SKIP: after a bad section header, whose keys are not checked. */
enum section { SEC_NONE, SEC_TIKSTAT, SEC_HTTP, SEC_ROUTER, SEC_BILL, SEC_SKIP };

/* Every key, one row each: its K_ name (for the checks across a section's
 * keys), then its fields (struct key_row). A new key is a row here, its
 * field in cfg.h, its default in cfg_new or add_router when it has one,
 * and its entry in tikstat.conf(5). The rows are expanded below, where the
 * value types they name are defined. */
#define KEYS(X)                                                                                    \
	X(K_DATABASE, ROW("database", SEC_TIKSTAT, type_database), CFG(database))                  \
	X(K_TIMEZONE, ROW("timezone", SEC_TIKSTAT, type_timezone), CFG(timezone))                  \
	X(K_CYCLE_START_DAY, ROW("cycle_start_day", SEC_TIKSTAT, type_int), CFG(cycle_start_day),  \
	  RANGE(1, 28))                                                                            \
	X(K_MAX_RATE, ROW("max_rate", SEC_TIKSTAT, type_size), CFG(max_rate), .min = 1,            \
	  .what = "rate", .hint = RATE_HINT)                                                       \
	X(K_COMMIT_INTERVAL, ROW("commit_interval", SEC_TIKSTAT, type_seconds),                    \
	  CFG(commit_interval), RANGE(1, SECONDS_MAX))                                             \
	X(K_LOG_LEVEL, ROW("log_level", SEC_TIKSTAT, type_word), CFG(log_level),                   \
	  .names = log_levels)                                                                     \
	X(K_RETENTION_5MIN, ROW("retention_5min", SEC_TIKSTAT, type_retention),                    \
	  CFG(retention[STEP_5MIN]))                                                               \
	X(K_RETENTION_HOUR, ROW("retention_hour", SEC_TIKSTAT, type_retention),                    \
	  CFG(retention[STEP_HOUR]))                                                               \
	X(K_RETENTION_DAY, ROW("retention_day", SEC_TIKSTAT, type_retention),                      \
	  CFG(retention[STEP_DAY]))                                                                \
	X(K_RETENTION_MONTH, ROW("retention_month", SEC_TIKSTAT, type_retention),                  \
	  CFG(retention[STEP_MONTH]))                                                              \
	X(K_RETENTION_YEAR, ROW("retention_year", SEC_TIKSTAT, type_retention),                    \
	  CFG(retention[STEP_YEAR]))                                                               \
	X(K_DEVICE_RETENTION_5MIN, ROW("device_retention_5min", SEC_TIKSTAT, type_retention),      \
	  CFG(device_retention[STEP_5MIN]))                                                        \
	X(K_DEVICE_RETENTION_HOUR, ROW("device_retention_hour", SEC_TIKSTAT, type_retention),      \
	  CFG(device_retention[STEP_HOUR]))                                                        \
	X(K_INCLUDE, ROW("include", SEC_TIKSTAT, type_include), CFG(include), CFG_AUX(n_include))  \
	X(K_LISTEN, ROW("listen", SEC_HTTP, type_listen), CFG(listen), CFG_AUX(n_listen))          \
	X(K_AUTH_USER, ROW("auth_user", SEC_HTTP, type_auth_user), CFG(auth_user))                 \
	X(K_AUTH_PASSWORD_FILE, ROW("auth_password_file", SEC_HTTP, type_secret_file),             \
	  CFG(auth_password_file), CFG_AUX(auth_password))                                         \
	X(K_HTTPS_LISTEN, ROW("https_listen", SEC_HTTP, type_listen), CFG(https_listen),           \
	  CFG_AUX(n_https_listen))                                                                 \
	X(K_TLS_CERT_FILE, ROW("tls_cert_file", SEC_HTTP, type_cert_file), CFG(tls_cert_file),     \
	  CFG_AUX(tls_cert))                                                                       \
	X(K_TLS_KEY_FILE, ROW("tls_key_file", SEC_HTTP, type_key_file), CFG(tls_key_file),         \
	  CFG_AUX(tls_key))                                                                        \
	X(K_LIVE_VIEWERS, ROW("live_viewers", SEC_HTTP, type_int), CFG(live_viewers),              \
	  RANGE(0, LIVE_VIEWERS_MAX))                                                              \
	X(K_MODE, ROW("mode", SEC_ROUTER, type_enum), RTR(mode), .names = modes)                   \
	X(K_HOST, ROW("host", SEC_ROUTER, type_host), RTR(host), .poll_only = true)                \
	X(K_PORT, ROW("port", SEC_ROUTER, type_port), RTR(port), RANGE(1, 65535),                  \
	  .poll_only = true)                                                                       \
	X(K_TLS, ROW("tls", SEC_ROUTER, type_enum), RTR(tls), .names = tls_modes,                  \
	  .poll_only = true)                                                                       \
	X(K_TLS_CA_FILE, ROW("tls_ca_file", SEC_ROUTER, type_readable), RTR(tls_ca_file),          \
	  .poll_only = true)                                                                       \
	X(K_TLS_FINGERPRINT, ROW("tls_fingerprint", SEC_ROUTER, type_fingerprint),                 \
	  RTR(tls_fingerprint), .poll_only = true)                                                 \
	X(K_USER, ROW("user", SEC_ROUTER, type_string), RTR(user), .poll_only = true)              \
	X(K_PASSWORD, ROW("password", SEC_ROUTER, type_password), RTR(password),                   \
	  .excludes = K_PASSWORD_FILE, .poll_only = true)                                          \
	X(K_PASSWORD_FILE, ROW("password_file", SEC_ROUTER, type_secret_file), RTR(password_file), \
	  RTR_AUX(password), .excludes = K_PASSWORD, .poll_only = true)                            \
	X(K_INTERFACES, ROW("interfaces", SEC_ROUTER, type_interfaces), RTR(interfaces))           \
	X(K_INTERVAL, ROW("interval", SEC_ROUTER, type_seconds), RTR(interval),                    \
	  RANGE(1, SECONDS_MAX))                                                                   \
	X(K_TIMEOUT, ROW("timeout", SEC_ROUTER, type_seconds), RTR(timeout),                       \
	  RANGE(1, SECONDS_MAX), .poll_only = true)                                                \
	X(K_COMMAND_TIMEOUT, ROW("command_timeout", SEC_ROUTER, type_seconds),                     \
	  RTR(command_timeout), RANGE(1, SECONDS_MAX), .poll_only = true)                          \
	X(K_MAX_REPLY_SIZE, ROW("max_reply_size", SEC_ROUTER, type_size), RTR(max_reply_size),     \
	  .min = 1, .what = "size", .hint = "e.g. 32Mi or 100M", .poll_only = true)                \
	X(K_MAX_REPLY_ITEMS, ROW("max_reply_items", SEC_ROUTER, type_size), RTR(max_reply_items),  \
	  .min = 1, .what = "count", .hint = "e.g. 100000", .poll_only = true)                     \
	X(K_PUSH_TOKEN_FILE, ROW("push_token_file", SEC_ROUTER, type_secret_file),                 \
	  RTR(push_token_file), RTR_AUX(push_token), .min = TOKEN_MIN, .what = "token")            \
	X(K_IP_FILE, ROW("ip_file", SEC_ROUTER, type_path), RTR(ip_file))                          \
	X(K_IP_INTERFACE, ROW("ip_interface", SEC_ROUTER, type_interface), RTR(ip_interface),      \
	  .poll_only = true)                                                                       \
	X(K_QUOTA, ROW("quota", SEC_ROUTER, type_size), RTR(quota), .what = "size",                \
	  .hint = QUOTA_HINT)                                                                      \
	X(K_ALERT_COMMAND, ROW("alert_command", SEC_ROUTER, type_text), RTR(alert_command))        \
	X(K_PUSH_ALLOW_FROM, ROW("push_allow_from", SEC_ROUTER, type_nets), RTR(push_allow))       \
	X(K_QUEUES, ROW("queues", SEC_ROUTER, type_queues), RTR(queues), .poll_only = true,        \
	  .poll_why = NO_SESSION_QUEUES)                                                           \
	X(K_DEVICES, ROW("devices", SEC_ROUTER, type_devices), RTR(devices),                       \
	  .names = device_sources, .poll_only = true, .poll_why = NO_SESSION_DEVICES)              \
	X(K_MAX_DEVICES, ROW("max_devices", SEC_ROUTER, type_int), RTR(max_devices),               \
	  RANGE(1, MAX_DEVICES_MAX), .poll_only = true, .poll_why = NO_SESSION_DEVICES)            \
	X(K_DEVICE_IDLE, ROW("device_idle", SEC_ROUTER, type_seconds), RTR(device_idle),           \
	  RANGE(60, DEVICE_IDLE_MAX), .hint = "1m to 3650d", .poll_only = true,                    \
	  .poll_why = NO_SESSION_DEVICES)                                                          \
	X(K_COUNTERS, ROW("counters", SEC_BILL, type_counters), BIL(counters))                     \
	X(K_DIRECTION, ROW("direction", SEC_BILL, type_enum), BIL(direction), .names = directions) \
	X(K_BILL_CYCLE_START_DAY, ROW("cycle_start_day", SEC_BILL, type_int),                      \
	  BIL(cycle_start_day), RANGE(1, 28))                                                      \
	X(K_BILL_QUOTA, ROW("quota", SEC_BILL, type_size), BIL(quota), .what = "size",             \
	  .hint = QUOTA_HINT)                                                                      \
	X(K_BILL_ALERT_COMMAND, ROW("alert_command", SEC_BILL, type_text), BIL(alert_command))     \
	X(K_PERCENTILE, ROW("percentile", SEC_BILL, type_int), BIL(percentile), RANGE(1, 99))      \
	X(K_COMMITTED_RATE, ROW("committed_rate", SEC_BILL, type_size), BIL(committed_bps),        \
	  .min = 1, .what = "rate", .hint = RATE_HINT)

#define KEY_ENUM(k, ...) k,
/* One per key, to name keys in the checks across a section's keys. */
enum key { K_NONE, KEYS(KEY_ENUM) K_COUNT };

/* A reported error, kept until the end to be written in line order. */
struct kept_error {
	unsigned file; /* 0: the main file, i: the included file i - 1 */
	int line;      /* 0: about the whole file */
	unsigned seq;  /* order of report, for errors of one line */
	char *msg;
};

/* What the checks after the last line need of a [router] or [bill]
 * section (same index as in struct cfg). */
struct seen {
	unsigned file;       /* where the section is (struct kept_error) */
	int line;            /* of the header */
	int counters_line;   /* a bill's counters key, 0 when not given or refused */
	int percentile_line; /* a bill's percentile key, 0 when not given or refused */
	bool bad;            /* the section had errors: checks involving it are skipped */
};

/* A file of include =, read whole when the key is parsed. */
struct included {
	char *path;
	char *text; /* wiped: it may hold passwords */
	size_t len;
	struct stat st;
};

/* Names (of routers or of bills) to their index, while reading: open
 * addressing, at most half full. */
struct name_table {
	const char **names; /* cap slots, NULL when free; the cfg's strings */
	size_t *index;
	size_t cap;
	size_t n;
};

struct parser {
	const char *path;       /* the file being read, for messages */
	const char *main_path;  /* as given */
	unsigned file;          /* the file being read (struct kept_error) */
	char *dir;              /* absolute directory of main_path, for relative file names */
	struct stat st;         /* of the file being read */
	bool skip_secrets;      /* CFG_SKIP_SECRETS: reports need no secrets */
	const struct cfg *prev; /* cfg_reload: the running configuration */
	bool tls_key_kept;      /* the reload kept prev's key: keep its certificate too */

	char *err; /* the caller's: one error a line */
	size_t errsz;
	size_t err_len;                         /* bytes written to err */
	unsigned n_errors;                      /* reported, written or not */
	unsigned n_shown;                       /* written to err */
	struct kept_error kept[CFG_MAX_ERRORS]; /* the first by line, unsorted */
	unsigned n_kept;
	bool err_full; /* no more lines go to err */
	bool fatal;    /* stop reading (out of memory) */

	char *text; /* the whole file; wiped, it may hold passwords */
	size_t len;
	size_t pos;
	int lineno;
	char *line; /* current line without comment; wiped */
	size_t line_cap;
	const char *key; /* into line */
	const char *value;

	enum section sec;
	char label[8 + ROUTER_NAME_MAX + 1]; /* "tikstat", "router home", "bill internet" */
	int sec_line;
	unsigned sec_errors; /* n_errors when the section started */
	int tikstat_line;
	int http_line;
	int key_line[K_COUNT];     /* where a key of this section was given */
	bool key_set[K_COUNT];     /* given with a valid, non-empty value */
	struct seen *routers_seen; /* one per cfg->routers */
	struct seen *bills_seen;   /* one per cfg->bills */
	size_t routers_cap;        /* of cfg->routers and routers_seen */
	size_t bills_cap;          /* of cfg->bills and bills_seen */
	struct name_table router_names;
	struct name_table bill_names;
	struct included *inc; /* n_inc files of include =, in reading order */
	size_t n_inc;
	char show[200]; /* a value made printable for a message */

	struct cfg *cfg;
};

struct key_row;

/* A value type: parse checks the value v of key k and stores it in the
 * field of base (struct cfg or struct cfg_router) that k names, or
 * reports why not and returns -1. release frees that field (NULL: it
 * holds no memory). */
struct value_type {
	int (*parse)(struct parser *p, const struct key_row *k, void *base, const char *v);
	void (*release)(const struct key_row *k, void *base);
};

/* One key of tikstat.conf. */
struct key_row {
	const char *name;
	enum section sec;
	const struct value_type *type;
	size_t off; /* the field in struct cfg ([tikstat], [http]) or struct cfg_router */
	size_t aux; /* its companion: a list's count; what a file key read */
	long min;   /* integers, durations: the range; size: 1 refuses 0; token: length */
	long max;
	const char *what;         /* size: the value's name in messages ("rate") */
	const char *hint;         /* size: examples after "invalid WHAT 'VALUE'" */
	const char *const *names; /* enum, word: the words, in the field's enum order */
	enum key excludes;        /* a key that may not be given with this one */
	bool poll_only;           /* refused with mode = push */
	const char *poll_why;     /* why, when it is not plain */
};

#define FIELD(type, base, off) ((type *)(void *)((char *)(base) + (off)))

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* The file numbered file (struct kept_error), for messages. */
static const char *file_name(const struct parser *p, unsigned file)
{
	return file == 0 ? p->main_path : p->inc[file - 1].path;
}

/* Writes one error line into the caller's text. A line goes in whole while
 * room for the summary ("FILE: N more errors") is left, the first one in
 * any case (cut to fit); after the first that does not, no more do. */
static void add_error(struct parser *p, const char *msg)
{
	size_t len = strlen(msg);
	size_t at = p->err_len + (p->n_shown ? 1 : 0);
	size_t reserve = strlen(p->main_path) + 32;

	if (!p->err || p->errsz == 0 || p->err_full)
		return;
	if (p->n_shown > 0 && (p->n_shown >= CFG_MAX_ERRORS || at + len + reserve >= p->errsz)) {
		p->err_full = true;
		return;
	}
	if (p->n_shown)
		p->err[p->err_len] = '\n';
	snprintf(p->err + at, p->errsz - at, "%s", msg);
	p->err_len = at + len < p->errsz ? at + len : p->errsz - 1;
	p->n_shown++;
}

/* After the last error: how many did not fit. */
static void add_error_summary(struct parser *p)
{
	unsigned more = p->n_errors - p->n_shown;

	if (more == 0 || !p->err || p->err_len + 1 >= p->errsz)
		return;
	snprintf(p->err + p->err_len, p->errsz - p->err_len, "\n%s: %u more error%s", p->main_path,
	         more, more == 1 ? "" : "s");
}

/* True when error a comes before error b in the output: by file (in
 * reading order), line, then order of report. */
static bool error_before(const struct kept_error *a, unsigned file, int line, unsigned seq)
{
	if (a->file != file)
		return a->file < file;
	return a->line != line ? a->line < line : a->seq < seq;
}

/* Keeps an error for the output, which shows the CFG_MAX_ERRORS first by
 * line (a check after the last line may report an early line). Out of
 * memory, the error is only counted. */
static void keep_error(struct parser *p, int line, const char *msg)
{
	unsigned seq = p->n_errors++;
	struct kept_error *slot;
	char *copy;

	if (p->n_kept < CFG_MAX_ERRORS) {
		slot = &p->kept[p->n_kept];
	} else { /* the last kept one gives way to an earlier line */
		slot = &p->kept[0];
		for (unsigned i = 1; i < p->n_kept; i++)
			if (error_before(slot, p->kept[i].file, p->kept[i].line, p->kept[i].seq))
				slot = &p->kept[i];
		if (error_before(slot, p->file, line, seq))
			return;
	}
	if ((copy = strdup(msg)) == NULL)
		return;
	if (p->n_kept < CFG_MAX_ERRORS)
		p->n_kept++;
	else
		free(slot->msg);
	*slot = (struct kept_error){.file = p->file, .line = line, .seq = seq, .msg = copy};
}

static int by_line(const void *a, const void *b)
{
	const struct kept_error *x = a, *y = b;

	return error_before(x, y->file, y->line, y->seq)
	               ? -1
	               : error_before(y, x->file, x->line, x->seq);
}

/* Writes the kept errors in line order, then how many did not fit. */
static void write_errors(struct parser *p)
{
	qsort(p->kept, p->n_kept, sizeof *p->kept, by_line);
	for (unsigned i = 0; i < p->n_kept; i++) {
		add_error(p, p->kept[i].msg);
		free(p->kept[i].msg);
	}
	p->n_kept = 0;
	add_error_summary(p);
}

__attribute__((format(printf, 4, 0))) static void vfail(struct parser *p, int line, const char *key,
                                                        const char *fmt, va_list ap)
{
	char msg[2 * PATH_MAX];
	int n;

	if (line > 0)
		n = snprintf(msg, sizeof msg, "%s:%d: ", p->path, line);
	else
		n = snprintf(msg, sizeof msg, "%s: ", p->path);
	if (key && n >= 0 && (size_t)n < sizeof msg)
		n += snprintf(msg + n, sizeof msg - (size_t)n, "[%s] %s: ", p->label, key);
	if (n >= 0 && (size_t)n < sizeof msg)
		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	keep_error(p, line, msg);
}

/* "FILE:LINE: message" (line 0: "FILE: message"). */
__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, int line, const char *fmt,
                                                       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, line, NULL, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: [SECTION] KEY: message" for the key being parsed. */
__attribute__((format(printf, 2, 3))) static void key_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, p->lineno, p->key, fmt, ap);
	va_end(ap);
}

/* The same for a check at the end of a section, about any key and line. */
__attribute__((format(printf, 4, 5))) static void key_fail_at(struct parser *p, int line,
                                                              const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, line, key, fmt, ap);
	va_end(ap);
}

/* Out of memory ends the reading: nothing after it could be trusted. */
static int nomem(struct parser *p)
{
	fail(p, p->lineno, "out of memory");
	p->fatal = true;
	return -1;
}

/* s made fit for a message: control bytes as \xNN, long text cut. The
 * result lives in p->show until the next call. Never used for secrets. */
static const char *shown(struct parser *p, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	size_t room = sizeof p->show - 4;

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		bool ctl = *c < 0x20 || *c == 0x7f;

		if (o + (ctl ? 4 : 1) > room) {
			memcpy(p->show + o, "...", 3);
			o += 3;
			break;
		}
		if (ctl) {
			p->show[o++] = '\\';
			p->show[o++] = 'x';
			p->show[o++] = hex[*c >> 4];
			p->show[o++] = hex[*c & 15];
		} else {
			p->show[o++] = (char)*c;
		}
	}
	p->show[o] = '\0';
	return p->show;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void free_list(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Replaces *field with a copy of v. */
static int set_string(struct parser *p, char **field, const char *v)
{
	char *copy = strdup(v);

	if (!copy)
		return nomem(p);
	free(*field);
	*field = copy;
	return 0;
}

/* The value of a scalar key: a value enclosed in double quotes is
 * decoded, anything else taken as written. Returns a new string or NULL
 * after reporting the error (without the value: it may be a secret). */
static char *scalar(struct parser *p, const char *v)
{
	size_t size = strlen(v) + 1;
	char *out = malloc(size);
	const char *end;
	const char *why = NULL;

	if (!out) {
		nomem(p);
		return NULL;
	}
	if (v[0] != '"')
		memcpy(out, v, size);
	else if ((why = cfg_dequote(v, out, &end)) == NULL && *end != '\0')
		why = "text after the closing quote";
	if (!why && cfg_has_control(out))
		why = "contains a control character";
	if (why) {
		key_fail(p, "%s", why);
		explicit_bzero(out, size); /* may be unterminated */
		free(out);
		return NULL;
	}
	return out;
}

/* The scalar value of a key that may be left empty (the default stays):
 * NULL with *s NULL for empty, -1 after reporting. */
static int optional_scalar(struct parser *p, const char *v, char **s)
{
	*s = scalar(p, v);
	if (!*s)
		return -1;
	if (!**s) {
		free(*s);
		*s = NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

/* v as an absolute path: relative names are taken from the directory of
 * the configuration file. Returns a new string or NULL (reported). */
static char *resolve_path(struct parser *p, const char *v)
{
	char *out;
	size_t n;

	if (v[0] == '/')
		out = strdup(v);
	else if ((out = malloc((n = strlen(p->dir) + strlen(v) + 2))) != NULL)
		snprintf(out, n, "%s/%s", p->dir, v);
	if (!out)
		nomem(p);
	return out;
}

/* The group that may read secrets (mode 0640), or (gid_t)-1. */
static gid_t secret_gid(void)
{
	struct group *g = getgrnam(SECRET_GROUP);

	return g ? g->gr_gid : (gid_t)-1;
}

/* NULL when only the owner can access the file, or the owner and, for
 * reading, the group tikstat; else how others can ("readable"...). */
static const char *secret_exposure(const struct stat *st)
{
	mode_t m = st->st_mode & 077;

	if (m == 0)
		return NULL;
	if (m == 040 && st->st_gid == secret_gid())
		return NULL;
	if (m & 044)
		return "readable";
	if (m & 022)
		return "writable";
	return "accessible";
}

/* Besides root, the owner a file holding a secret may have
 * (cfg_secret_owner); (uid_t)-1 means geteuid(). */
static uid_t secret_owner_uid = (uid_t)-1;

void cfg_secret_owner(uid_t uid)
{
	secret_owner_uid = uid;
}

static uid_t secret_owner(void)
{
	return secret_owner_uid == (uid_t)-1 ? geteuid() : secret_owner_uid;
}

/* Another user owning a secret file could read it and, worse, put a
 * password of their choice there: only root and the daemon's user may.
 * The same holds for an included configuration file and its directory
 * (what names the kind of file in the message). Returns true after
 * reporting when st's owner is anyone else. */
static bool fail_foreign_owner(struct parser *p, const char *file, const struct stat *st,
                               const char *what)
{
	uid_t self = secret_owner();
	char owner[64], user[128];
	struct passwd *pw;

	if (st->st_uid == 0 || st->st_uid == self)
		return false;
	pw = getpwuid(st->st_uid);
	snprintf(owner, sizeof owner, "%s", pw ? pw->pw_name : "?");
	pw = self == 0 ? NULL : getpwuid(self);
	if (self == 0) /* root without -u: only --check-config and tools */
		snprintf(user, sizeof user, "the user tikstatd runs as (-u USER)");
	else if (pw)
		snprintf(user, sizeof user, "%s, the user tikstatd runs as", pw->pw_name);
	else
		snprintf(user, sizeof user, "uid %ld, the user tikstatd runs as", (long)self);
	key_fail(p, "%s is owned by %s (uid %ld): %s must belong to root or to %s: chown root %s",
	         file, owner, (long)st->st_uid, what, user, file);
	return true;
}

/* True after reporting when a file holding a secret is open to group or
 * others, or belongs to a stranger. */
static bool fail_unsafe_secret(struct parser *p, const char *file, const struct stat *st)
{
	const char *how = secret_exposure(st);

	if (!how)
		return fail_foreign_owner(p, file, st, SECRET_FILE);
	key_fail(p,
	         "%s is %s by group or others (mode %04o): chmod 600 %s, or chmod 640 with "
	         "group " SECRET_GROUP,
	         file, how, (unsigned)(st->st_mode & 07777), file);
	return true;
}

/* What a file key reads from its file. */
struct file_rule {
	bool secret;        /* owner and mode checked; kept on a reload that cannot read it */
	size_t max;         /* a PEM file: bytes at most; 0: the first line (password, token) */
	const char *marker; /* a PEM file: the block it must hold */
	bool pair;          /* the TLS key: keeping it keeps its certificate */
};

/* Reads from fd into buf until cap bytes, the end of the file or, with
 * line, a newline. Returns the bytes read, or -1 after reporting. */
static ssize_t read_upto(struct parser *p, int fd, const char *path, char *buf, size_t cap,
                         bool line)
{
	size_t n = 0;

	while (n < cap && !(line && memchr(buf, '\n', n))) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			key_fail(p, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* The first line of the secret file open as fd, read into a new string,
 * "\r\n" removed. NULL after reporting. */
static char *read_first_line(struct parser *p, int fd, const char *path)
{
	char buf[SECRET_MAX + 2];
	char *secret = NULL;
	ssize_t got = read_upto(p, fd, path, buf, sizeof buf - 1, true);
	const char *nl;
	size_t len;

	if (got < 0)
		goto out;
	nl = memchr(buf, '\n', (size_t)got);
	len = nl ? (size_t)(nl - buf) : (size_t)got;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > SECRET_MAX)
		key_fail(p, "the first line of %s is longer than %d bytes", path, SECRET_MAX);
	else if (memchr(buf, '\0', len))
		key_fail(p, "the first line of %s contains a NUL byte", path);
	else if (len == 0)
		key_fail(p, "the first line of %s is empty", path);
	else if ((secret = strndup(buf, len)) == NULL)
		nomem(p);
out:
	explicit_bzero(buf, sizeof buf);
	return secret;
}

/* The whole of the regular file open as fd (at most max bytes, no NUL
 * byte) into a new string; it must hold marker (PEM). NULL after
 * reporting. */
static char *read_pem(struct parser *p, int fd, const char *path, size_t max, const char *marker)
{
	char *buf = malloc(max + 1);
	ssize_t got;
	size_t n;

	if (!buf) {
		nomem(p);
		return NULL;
	}
	if ((got = read_upto(p, fd, path, buf, max + 1, false)) < 0)
		goto fail;
	n = (size_t)got;
	buf[n > max ? max : n] = '\0';
	if (n > max)
		key_fail(p, "%s is larger than %zu bytes", path, max);
	else if (memchr(buf, '\0', n))
		key_fail(p, "%s contains a NUL byte: not a PEM file", path);
	else if (!strstr(buf, marker))
		key_fail(p, "%s holds no '%s' block: a PEM file is needed (openssl req ... -out)",
		         path, marker);
	else
		return buf;
fail:
	explicit_bzero(buf, max + 1);
	free(buf);
	return NULL;
}

/* On a reload, for a secret file this user may no longer open: a daemon
 * that gave up root cannot re-read what it read as root at start. The
 * secret already loaded from the same path (old) stays; the file's checks
 * still apply where it can be seen. Returns a copy, or NULL (reported). */
static char *keep_secret(struct parser *p, const struct file_rule *r, const char *path,
                         const char *old)
{
	struct stat st;
	char *copy;

	if (stat(path, &st) == 0 && fail_unsafe_secret(p, path, &st))
		return NULL;
	if ((copy = strdup(old)) == NULL) {
		nomem(p);
		return NULL;
	}
	log_warnx("%s:%d: [%s] %s: cannot read %s as this user (%s): keeping the secret%s "
	          "loaded before; to let a reload re-read it: chown root:" SECRET_GROUP
	          " %s; chmod 640 %s",
	          p->path, p->lineno, p->label, p->key, path, strerror(EACCES),
	          r->pair ? " and its certificate" : "", path, path);
	if (r->pair)
		p->tls_key_kept = true;
	return copy;
}

/* Reads what rule r says from the file at path: refused when it is not a
 * regular file, or, for a secret, group or others can access it or a
 * stranger owns it. old: on a reload, what the running configuration read
 * from the same path for the same key. NULL after reporting. */
static char *read_value_file(struct parser *p, const struct file_rule *r, const char *path,
                             const char *old)
{
	char *value = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		int e = errno;

		if (old && r->secret && (e == EACCES || e == EPERM))
			return keep_secret(p, r, path, old);
		key_fail(p, "cannot open %s: %s", path, strerror(e));
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		key_fail(p, "cannot stat %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		key_fail(p, "%s is not a regular file", path);
	else if (!r->secret || !fail_unsafe_secret(p, path, &st))
		value = r->max == 0 ? read_first_line(p, fd, path)
		                    : read_pem(p, fd, path, r->max, r->marker);
	close(fd);
	return value;
}

/* Reads the file open as fd whole into a new string of *len bytes (a NUL
 * added), at most CFG_MAX_FILE bytes: a bound per file against a runaway
 * file, not on the fleet (include = spreads it over files). Returns 0, or
 * -1 with errno set (EFBIG: too large, ENOMEM). */
static int read_whole(int fd, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int e;

	*text = NULL;
	*len = 0;
	if (!buf)
		return -1;
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n - 1);

		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		n += (size_t)r;
		if (n > CFG_MAX_FILE) {
			errno = EFBIG;
			goto fail;
		}
		if (n + 1 == cap) { /* doubling: linear in the file's size */
			char *grown = malloc(cap * 2);

			if (!grown)
				goto fail;
			memcpy(grown, buf, n);
			explicit_bzero(buf, cap);
			free(buf);
			buf = grown;
			cap *= 2;
		}
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
fail:
	e = errno;
	explicit_bzero(buf, cap);
	free(buf);
	errno = e;
	return -1;
}

/* The rule for included files: tikstatd usually starts as root and
 * trusts what an included file says as much as the main file (a router
 * to log in to with a password, an alert_command to run), so only root
 * and the daemon's user may change one. The file and the directory
 * holding it must belong to one of them (fail_foreign_owner, as a secret
 * file) and not be writable by group or others (any of those could add
 * or replace a file). True after reporting when st breaks the rule. */
static bool fail_unsafe_include(struct parser *p, const char *file, const struct stat *st,
                                const char *what)
{
	if (st->st_mode & 022) {
		key_fail(p,
		         "%s is writable by group or others (mode %04o): %s must not be: chmod "
		         "go-w %s",
		         file, (unsigned)(st->st_mode & 07777), what, file);
		return true;
	}
	return fail_foreign_owner(p, file, st, what);
}

/* Opens the included file path (absolute) for reading after checking it
 * and its directory (fail_unsafe_include). The file is opened with
 * O_NOFOLLOW: a symbolic link is refused, since its target may lie in a
 * directory others can write, where it could be swapped after any check
 * of ours; the checks of the file are made on the open descriptor, so the
 * file read is the file checked. Returns the descriptor (*st filled), or
 * -1 after reporting. */
static int open_included(struct parser *p, const char *path, struct stat *st)
{
	const char *slash = strrchr(path, '/');
	char *dir = strndup(path, slash > path ? (size_t)(slash - path) : 1);
	struct stat dst;
	int fd = -1;

	if (!dir)
		return nomem(p);
	if (stat(dir, &dst) < 0)
		key_fail(p, "cannot stat %s: %s", dir, strerror(errno));
	else if (!fail_unsafe_include(p, dir, &dst, "the directory of an included file") &&
	         (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)) < 0) {
		if (errno == ELOOP)
			key_fail(p, "%s is a symbolic link: include the file itself", path);
		else
			key_fail(p, "cannot open %s: %s", path, strerror(errno));
	}
	free(dir);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0)
		key_fail(p, "cannot stat %s: %s", path, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		key_fail(p, "%s is not a regular file", path);
	else if (!fail_unsafe_include(p, path, st, "an included file"))
		return fd;
	close(fd);
	return -1;
}

/* Checks and reads the included file path whole into p->inc. Returns 0,
 * or -1 after reporting. */
static int include_file(struct parser *p, const char *path)
{
	struct included *grown, *f;
	struct stat st;
	int fd = open_included(p, path, &st);
	int rc = 0;

	if (fd < 0)
		return -1;
	if ((grown = realloc(p->inc, (p->n_inc + 1) * sizeof *grown)) == NULL) {
		close(fd);
		return nomem(p);
	}
	p->inc = grown;
	f = &grown[p->n_inc];
	*f = (struct included){.st = st, .path = strdup(path)};
	if (!f->path) {
		rc = nomem(p);
	} else if (read_whole(fd, &f->text, &f->len) < 0) {
		if (errno == ENOMEM)
			rc = nomem(p);
		else if (errno == EFBIG)
			key_fail(p, "%s is larger than %d bytes", path, CFG_MAX_FILE);
		else
			key_fail(p, "cannot read %s: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	if (rc < 0)
		free(f->path);
	else
		p->n_inc++;
	return rc;
}

/* What glob(3) could not read (cfg_load runs on one thread). */
static int glob_errno;

/* glob(3) stops at a directory it cannot read (an unreadable conf.d must
 * not silently drop its routers), but not at one that does not exist:
 * that matches nothing, like an empty one. */
static int glob_error(const char *path, int e)
{
	(void)path;
	if (e == ENOENT || e == ENOTDIR)
		return 0;
	glob_errno = e;
	return 1;
}

/* One pattern of include =, absolute. Without a wildcard ('*', '?', '[')
 * it names one file, which must exist; a pattern that matches nothing
 * adds nothing (an empty conf.d). Matches are taken in glob(3)'s sorted
 * order. Returns 0, or -1 after reporting. */
static int include_pattern(struct parser *p, const char *pattern)
{
	glob_t g;
	int r, rc = 0;

	if (!strpbrk(pattern, "*?["))
		return include_file(p, pattern);
	glob_errno = 0;
	r = glob(pattern, 0, glob_error, &g);
	if (r == GLOB_NOSPACE) {
		rc = nomem(p);
	} else if (r == GLOB_ABORTED) {
		key_fail(p, "cannot read a directory of %s: %s", pattern, strerror(glob_errno));
		rc = -1;
	}
	for (size_t i = 0; r == 0 && i < g.gl_pathc && !p->fatal; i++)
		if (include_file(p, g.gl_pathv[i]) < 0)
			rc = -1;
	globfree(&g);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The current section                                                 */
/* ------------------------------------------------------------------ */

static struct cfg_router *router(struct parser *p)
{
	return &p->cfg->routers[p->cfg->n_routers - 1];
}

/* What the keys of a section fill in c: c, its last router or its last
 * bill. */
static void *section_base(struct cfg *c, enum section sec)
{
	if (sec == SEC_ROUTER)
		return &c->routers[c->n_routers - 1];
	if (sec == SEC_BILL)
		return &c->bills[c->n_bills - 1];
	return c;
}

/* On a reload: the same section in the running configuration, or NULL
 * (a bill reads no files). */
static const void *prev_base(struct parser *p)
{
	if (!p->prev || p->sec == SEC_BILL)
		return NULL;
	if (p->sec != SEC_ROUTER)
		return p->prev;
	return cfg_router(p->prev, router(p)->name);
}

/* ------------------------------------------------------------------ */
/* Value types                                                         */
/* ------------------------------------------------------------------ */

static int read_names(struct parser *p, const char *v, bool star, char ***list, size_t *n,
                      size_t **sorted);

static void release_string(const struct key_row *k, void *base)
{
	free(*FIELD(char *, base, k->off));
}

static void release_list(const struct key_row *k, void *base)
{
	free_list(*FIELD(char **, base, k->off), *FIELD(size_t, base, k->aux));
}

/* A string, quoted or not; empty keeps the default. */
static int parse_string(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char **field = FIELD(char *, base, k->off);
	char *s;

	if (optional_scalar(p, v, &s) < 0)
		return -1;
	if (s) {
		free(*field);
		*field = s;
	}
	return 0;
}

/* Taken as written (alert_command: the shell that runs it reads its
 * quotes), but without control characters. */
static int parse_text(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	if (cfg_has_control(v)) {
		key_fail(p, "contains a control character");
		return -1;
	}
	return set_string(p, FIELD(char *, base, k->off), v);
}

/* The file name v resolved against the configuration's directory into
 * a new string, or NULL when v is empty. -1 after reporting. */
static int path_value(struct parser *p, const char *v, char **path)
{
	char *s;

	*path = NULL;
	if (optional_scalar(p, v, &s) < 0)
		return -1;
	if (!s)
		return 0;
	*path = resolve_path(p, s);
	free(s);
	return *path ? 0 : -1;
}

/* A file name; empty keeps the default. */
static int parse_path(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char **field = FIELD(char *, base, k->off);
	char *path;

	if (path_value(p, v, &path) < 0)
		return -1;
	if (path) {
		free(*field);
		*field = path;
	}
	return 0;
}

/* The longest PostgreSQL URI taken for database (libpq takes any). */
#define DATABASE_URI_MAX 4096

/* database: an SQLite file (a path, as parse_path), or a PostgreSQL URI
 * (store_path_is_url) kept as written, at most DATABASE_URI_MAX bytes of
 * no control characters. The value is never repeated in a message: it
 * may hold a password. */
static int parse_database(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char **field = FIELD(char *, base, k->off);
	char *s;

	if (optional_scalar(p, v, &s) < 0)
		return -1;
	if (!s || !store_path_is_url(s)) {
		free(s);
		return parse_path(p, k, base, v);
	}
	size_t n = strlen(s);
	bool bad = n > DATABASE_URI_MAX;
	for (size_t i = 0; i < n && !bad; i++)
		bad = (unsigned char)s[i] < 0x20 || s[i] == 0x7f;
	if (bad) {
		free(s);
		key_fail(p, "a PostgreSQL URI must be at most %d bytes, without control characters",
		         DATABASE_URI_MAX);
		return -1;
	}
	free(*field);
	*field = s;
	return 0;
}

/* A file that must be readable now (tls_ca_file: the poller may run
 * unprivileged later). */
static int parse_readable(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char **field = FIELD(char *, base, k->off);
	int fd;

	if (parse_path(p, k, base, v) < 0)
		return -1;
	if (!*field)
		return 0;
	fd = open(*field, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		key_fail(p, "cannot read %s: %s", *field, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* A decimal integer from k->min to k->max. */
static int integer(struct parser *p, const struct key_row *k, const char *v, long *out)
{
	if (cfg_parse_int(v, k->min, k->max, out) < 0) {
		key_fail(p, "must be %ld to %ld, got %s", k->min, k->max, shown(p, v));
		return -1;
	}
	return 0;
}

static int parse_int(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	long n;

	if (integer(p, k, v, &n) < 0)
		return -1;
	*FIELD(int, base, k->off) = (int)n;
	return 0;
}

static int parse_port(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	long n;

	if (integer(p, k, v, &n) < 0)
		return -1;
	*FIELD(uint16_t, base, k->off) = (uint16_t)n;
	return 0;
}

/* A duration of k->min to k->max seconds into an int; k->hint, when
 * given, says the range in larger units ("1m to 3650d"). */
static int parse_seconds(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	int64_t s = 0;

	if (cfg_parse_duration(v, &s) < 0 && errno == EINVAL) {
		key_fail(p, "invalid duration '%s' (seconds, or e.g. 30s, 5m, 2h)", shown(p, v));
		return -1;
	}
	if (s < k->min || s > k->max) { /* ERANGE leaves s at 0 */
		if (k->hint)
			key_fail(p, "must be %s, got %s", k->hint, shown(p, v));
		else
			key_fail(p, "must be %ld to %ld seconds, got %s", k->min, k->max,
			         shown(p, v));
		return -1;
	}
	*FIELD(int, base, k->off) = (int)s;
	return 0;
}

/* "forever" (stored as 0) or a duration of 1 second or more. */
static int parse_retention(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	int64_t s = 0;

	if (strcmp(v, "forever") == 0) {
		*FIELD(int64_t, base, k->off) = 0;
		return 0;
	}
	if (cfg_parse_duration(v, &s) < 0)
		key_fail(p,
		         errno == ERANGE ? "duration '%s' is too large (use forever)"
		                         : "invalid duration '%s' (e.g. 7d, 90d or forever)",
		         shown(p, v));
	else if (s < 1)
		key_fail(p, "must be 1 second or more, or forever");
	else
		*FIELD(int64_t, base, k->off) = s;
	return s < 1 ? -1 : 0;
}

/* A size, rate or count ("500G", "100M"): k->what names it, k->hint gives
 * examples; k->min 1 refuses 0. */
static int parse_size(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	uint64_t n = 0;

	if (cfg_parse_size(v, &n) < 0) {
		if (errno == ERANGE)
			key_fail(p, "%s '%s' is too large", k->what, shown(p, v));
		else
			key_fail(p, "invalid %s '%s' (%s)", k->what, shown(p, v), k->hint);
		return -1;
	}
	if (n < (uint64_t)k->min) {
		key_fail(p, "must be more than 0");
		return -1;
	}
	*FIELD(uint64_t, base, k->off) = n;
	return 0;
}

/* One of k->names, or NULL after reporting "must be a, b or c". */
static const char *word(struct parser *p, const struct key_row *k, const char *v, int *index)
{
	char list[128];
	size_t n = 0;

	if ((*index = cfg_parse_choice(v, k->names)) >= 0)
		return k->names[*index];
	for (int i = 0; k->names[i] && n < sizeof list; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
		                      i == 0            ? ""
		                      : k->names[i + 1] ? ", "
		                                        : " or ",
		                      k->names[i]);
	key_fail(p, "must be %s, got '%s'", list, shown(p, v));
	return NULL;
}

/* A word of k->names, stored as its index (an enum field). */
static int parse_enum(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	int i;

	if (!word(p, k, v, &i))
		return -1;
	*FIELD(int, base, k->off) = i;
	return 0;
}

/* A word of k->names, stored as a string. */
static int parse_word(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	int i;
	const char *w = word(p, k, v, &i);

	return w ? set_string(p, FIELD(char *, base, k->off), w) : -1;
}

/* A host name, IPv4 address, or IPv6 address without brackets. */
static int parse_host(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char *s;

	if (optional_scalar(p, v, &s) < 0)
		return -1;
	if (!s)
		return 0;
	if (!cfg_is_host(s)) {
		key_fail(p, "invalid host '%s' (a name or an address, without brackets or port)",
		         shown(p, s));
		free(s);
		return -1;
	}
	free(*FIELD(char *, base, k->off));
	*FIELD(char *, base, k->off) = s;
	return 0;
}

static int parse_fingerprint(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char fp[CFG_FINGERPRINT_LEN];

	if (cfg_parse_fingerprint(v, fp) < 0) {
		key_fail(p,
		         "expected 'sha256:' and 64 hex digits (colons and case ignored), got '%s'",
		         shown(p, v));
		return -1;
	}
	return set_string(p, FIELD(char *, base, k->off), fp);
}

/* The i-th name of an array of names (stride sizeof(char *)) or of
 * structures holding a name (stride their size), base pointing at the
 * first name pointer. */
static const char *name_at(const void *base, size_t stride, size_t i)
{
	return *(char *const *)(const void *)((const char *)base + i * stride);
}

/* Orders indexes into an array (sort_base, sort_stride: name_at) by
 * name, equal names by position. */
static const void *sort_base;
static size_t sort_stride;

static int by_name(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(name_at(sort_base, sort_stride, i), name_at(sort_base, sort_stride, j));

	return c ? c : (i > j) - (i < j);
}

/* The indexes 0..n-1 of the names at base (name_at) in name order: a new
 * array, or NULL out of memory. (cfg_load runs on one thread: sort_base.) */
static size_t *sorted_index(const void *base, size_t stride, size_t n)
{
	size_t *idx = malloc((n ? n : 1) * sizeof *idx);

	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_base = base;
	sort_stride = stride;
	qsort(idx, n, sizeof *idx, by_name);
	sort_base = NULL;
	return idx;
}

/* Rejects a name listed twice, naming the one whose repetition comes
 * first in the list. Sorting makes this O(n log n): a router may list
 * thousands of interfaces.
 * With sorted, the indexes in name order are left there (a new array
 * of n entries, the caller's). */
static int check_unique(struct parser *p, char *const *v, size_t n, size_t **sorted)
{
	size_t *idx;
	size_t dup = SIZE_MAX;

	if (sorted)
		*sorted = NULL;
	if (n < 2 && !sorted)
		return 0;
	if ((idx = sorted_index(v, sizeof *v, n)) == NULL)
		return nomem(p);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[idx[i - 1]], v[idx[i]]) == 0 && idx[i] < dup)
			dup = idx[i];
	if (dup == SIZE_MAX && sorted) {
		*sorted = idx;
		return 0;
	}
	free(idx);
	if (dup == SIZE_MAX)
		return 0;
	key_fail(p, "'%s' is listed twice", shown(p, v[dup]));
	return -1;
}

/* Appends a copy of the n bytes at s to *v. The array doubles when its
 * count reaches a power of two, so a list of thousands of names is built
 * in linear time. */
static int list_add(struct parser *p, char ***v, size_t *count, const char *s, size_t n)
{
	char **grown;
	char *copy;

	if (*count == 0 || (*count & (*count - 1)) == 0) {
		size_t cap = *count ? *count * 2 : 1;

		if (cap > SIZE_MAX / sizeof **v || (grown = realloc(*v, cap * sizeof **v)) == NULL)
			return nomem(p);
		*v = grown;
	}
	if ((copy = strndup(s, n)) == NULL)
		return nomem(p);
	(*v)[(*count)++] = copy;
	return 0;
}

/* A comma list of listen addresses: the list at k->off, its count at
 * k->aux. */
static int parse_listen(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char *entry = malloc(strlen(v) + 1);
	char **list = NULL;
	size_t n = 0;
	int rc = -1;

	if (!entry)
		return nomem(p);
	for (const char *s = v; cfg_next_item(&s, entry);) {
		char host[256];
		uint16_t port;
		const char *why;

		if (!*entry) {
			key_fail(p, "empty entry in the list");
			goto out;
		}
		if ((why = cfg_listen_error(entry, host, sizeof host, &port)) != NULL) {
			key_fail(p, "'%s': %s", shown(p, entry), why);
			goto out;
		}
		if (list_add(p, &list, &n, entry, strlen(entry)) < 0)
			goto out;
	}
	if (check_unique(p, list, n, NULL) < 0)
		goto out;
	if (n > CFG_MAX_LISTEN) {
		key_fail(p, "%zu entries: at most %d addresses can be listened on", n,
		         CFG_MAX_LISTEN);
		goto out;
	}
	release_list(k, base);
	*FIELD(char **, base, k->off) = list;
	*FIELD(size_t, base, k->aux) = n;
	list = NULL;
	rc = 0;
out:
	free_list(list, n);
	free(entry);
	return rc;
}

/* The file a file key names: path at k->off, what was read at k->aux. */
static void release_file(const struct key_row *k, void *base)
{
	free(*FIELD(char *, base, k->off));
	wipe_free(*FIELD(char *, base, k->aux));
}

/* The string field at off of a section of the running configuration. */
static const char *prev_field(const void *prev, size_t off)
{
	return *(char *const *)(const void *)((const char *)prev + off);
}

/* A file read now, as rule says: its path at k->off, what it holds at
 * k->aux. Without secrets (CFG_SKIP_SECRETS) a password or token file
 * gives its path as a stand-in, which keeps the checks that compare
 * secrets (one token per router) meaningful; a PEM file is not read.
 * k->min: the fewest characters the value must have (k->what names it). */
static int parse_file(struct parser *p, const struct key_row *k, void *base, const char *v,
                      const struct file_rule *rule)
{
	const void *prev = prev_base(p);
	const char *old = NULL;
	char *path;
	char *value = NULL;
	char **aux = FIELD(char *, base, k->aux);

	if (path_value(p, v, &path) < 0)
		return -1;
	if (!path)
		return 0;
	if (prev && prev_field(prev, k->off) && strcmp(prev_field(prev, k->off), path) == 0)
		old = prev_field(prev, k->aux);
	if (!p->skip_secrets)
		value = read_value_file(p, rule, path, old);
	else if (rule->max == 0 && (value = strdup(path)) == NULL)
		nomem(p);
	if (!value && (!p->skip_secrets || rule->max == 0)) {
		free(path);
		return -1;
	}
	free(*FIELD(char *, base, k->off));
	*FIELD(char *, base, k->off) = path;
	if (value) {
		wipe_free(*aux);
		*aux = value;
	}
	if (value && strlen(value) < (size_t)k->min) {
		key_fail(p, "the %s is shorter than %ld characters", k->what, k->min);
		return -1;
	}
	return 0;
}

/* A password or token file: its first line. */
static int parse_secret_file(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	static const struct file_rule rule = {.secret = true};

	return parse_file(p, k, base, v, &rule);
}

/* The certificate (chain) is public: any readable regular file. */
static int parse_cert_file(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	static const struct file_rule rule = {.max = TLS_CERT_MAX,
	                                      .marker = "-----BEGIN CERTIFICATE-----"};

	return parse_file(p, k, base, v, &rule);
}

/* The private key is a secret file; a reload that keeps the running key
 * keeps its certificate too (finish_https): they are a pair. */
static int parse_key_file(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	static const struct file_rule rule = {
	        .secret = true, .max = TLS_KEY_MAX, .marker = "PRIVATE KEY-----", .pair = true};

	return parse_file(p, k, base, v, &rule);
}

/* ------------------------------------------------------------------ */
/* Custom parsers: types of one key each                               */
/* ------------------------------------------------------------------ */

/* An IANA name: no absolute path, no "..", only the characters of zone
 * names; and a TZif file of that name under the zoneinfo directory. */
static int parse_timezone(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX];
	char magic[4];
	bool ok = false;
	char *name;

	if (optional_scalar(p, v, &name) < 0)
		return -1;
	if (!name)
		return 0;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/_+-.", *c))
			goto bad_name;
	if (name[0] == '/' || name[0] == '.' || strstr(name, "..") || strstr(name, "//"))
		goto bad_name;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		struct stat st;

		if (fd >= 0) {
			ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			     read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
			close(fd);
		}
	}
	if (!ok) {
		key_fail(p, "unknown time zone '%s' (no such zone file under %s)", shown(p, name),
		         dir);
		free(name);
		return -1;
	}
	free(*FIELD(char *, base, k->off));
	*FIELD(char *, base, k->off) = name;
	return 0;
bad_name:
	key_fail(p, "invalid time zone name '%s' (use an IANA name such as Europe/Berlin)",
	         shown(p, name));
	free(name);
	return -1;
}

/* A user name for HTTP basic authentication: no ':'. */
static int parse_auth_user(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char *s;

	if (optional_scalar(p, v, &s) < 0)
		return -1;
	if (s && strchr(s, ':')) {
		key_fail(p, "must not contain ':' (HTTP basic authentication)");
		free(s);
		return -1;
	}
	if (s) {
		free(*FIELD(char *, base, k->off));
		*FIELD(char *, base, k->off) = s;
	}
	return 0;
}

/* password = in the file: then the file itself holds a secret and must be
 * as private as a password file. "" is an empty password. */
static int parse_password(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char **field = FIELD(char *, base, k->off);
	const char *how = p->skip_secrets ? NULL : secret_exposure(&p->st);
	char *s = scalar(p, v);

	if (!s)
		return -1;
	if (*s && how) {
		key_fail(p,
		         "%s holds this password but is %s by group or others (mode %04o): "
		         "chmod 600 %s, or chmod 640 with group " SECRET_GROUP
		         ", or use password_file",
		         p->path, how, (unsigned)(p->st.st_mode & 07777), p->path);
		wipe_free(s);
		return -1;
	}
	if (*s && !p->skip_secrets && fail_foreign_owner(p, p->path, &p->st, SECRET_FILE)) {
		wipe_free(s);
		return -1;
	}
	wipe_free(*field);
	*field = s;
	return 0;
}

/* A name list of a router (its names, their count, their indexes in name
 * order) freed, then set to list, n and sorted. */
static void set_names(char ***names, size_t *count, size_t **by_name, char **list, size_t n,
                      size_t *sorted)
{
	free_list(*names, *count);
	free(*by_name);
	*names = list;
	*count = n;
	*by_name = sorted;
}

/* include = GLOB, ...: names, plain or quoted, relative to the main
 * file's directory; every file they name is checked and read now
 * (include_pattern) and parsed after the main file (parse). Only the
 * main file has a [tikstat] section, so includes do not nest. */
static int parse_include(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char **list, *path;
	size_t n, *sorted;
	int rc = 0;

	if (read_names(p, v, false, &list, &n, &sorted) < 0)
		return -1;
	free(sorted);
	for (size_t i = 0; i < n && !p->fatal; i++) {
		if ((path = resolve_path(p, list[i])) == NULL || include_pattern(p, path) < 0)
			rc = -1;
		free(path);
	}
	release_list(k, base);
	*FIELD(char **, base, k->off) = list;
	*FIELD(size_t, base, k->aux) = n;
	return rc;
}

static void release_interfaces(const struct key_row *k, void *base)
{
	struct cfg_router *r = base;

	(void)k;
	set_names(&r->interfaces, &r->n_interfaces, &r->interfaces_by_name, NULL, 0, NULL);
}

/* A comma list of names, plain or quoted, each once, into *list (*n
 * names) with an index of them in name order in *sorted. With star, a
 * plain '*' entry is refused (it stands for every queue, alone). Returns
 * 0, or -1 after reporting with nothing allocated. */
static int read_names(struct parser *p, const char *v, bool star, char ***list, size_t *n,
                      size_t **sorted)
{
	char *name = malloc(strlen(v) + 1);
	bool more = true;

	*list = NULL;
	*n = 0;
	if (!name)
		return nomem(p);
	for (const char *s = v; more;) {
		bool quoted;
		const char *why;

		while (cfg_is_blank(*s))
			s++;
		quoted = *s == '"';
		if ((why = cfg_list_entry(&s, name, &more)) != NULL) {
			key_fail(p, "entry %zu: %s", *n + 1, why);
			goto fail;
		}
		if (star && !quoted && strcmp(name, "*") == 0) {
			key_fail(p, "entry %zu: '*' (every queue) stands alone: queues = *",
			         *n + 1);
			goto fail;
		}
		if (list_add(p, list, n, name, strlen(name)) < 0)
			goto fail;
	}
	if (check_unique(p, *list, *n, sorted) < 0)
		goto fail;
	free(name);
	return 0;
fail:
	free_list(*list, *n);
	*list = NULL;
	*n = 0;
	free(name);
	return -1;
}

/* The router's interfaces: names, plain or quoted, with an index of them
 * in name order (cfg_interface_index). */
static int parse_interfaces(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	struct cfg_router *r = base;
	char **list;
	size_t n, *sorted;

	if (read_names(p, v, false, &list, &n, &sorted) < 0)
		return -1;
	(void)k;
	set_names(&r->interfaces, &r->n_interfaces, &r->interfaces_by_name, list, n, sorted);
	return 0;
}

static void release_queues(const struct key_row *k, void *base)
{
	struct cfg_router *r = base;

	(void)k;
	set_names(&r->queues, &r->n_queues, &r->queues_by_name, NULL, 0, NULL);
}

/* The router's simple queues: "*" for every one (also those created
 * later), or names as in interfaces ("*" quoted is a queue of that
 * name), with an index of them in name order (cfg_queue_index). */
static int parse_queues(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	struct cfg_router *r = base;
	char **list = NULL;
	size_t n = 0, *sorted = NULL;
	bool all = strcmp(v, "*") == 0;

	if (!all && read_names(p, v, true, &list, &n, &sorted) < 0)
		return -1;
	(void)k;
	r->queues_all = all;
	set_names(&r->queues, &r->n_queues, &r->queues_by_name, list, n, sorted);
	return 0;
}

/* One of k->names, stored as its index + 1: 0 is "none". */
static int parse_devices(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	int i;

	if (!word(p, k, v, &i))
		return -1;
	*FIELD(int, base, k->off) = i + 1;
	return 0;
}

static void release_counters(const struct key_row *k, void *base)
{
	struct cfg_bill *b = base;

	(void)k;
	for (size_t i = 0; i < b->n_counters; i++)
		free(b->counters[i].name);
	free(b->counters);
}

/* A bill's counters, "ROUTER/COUNTER + ...", each once (a MAC address in
 * any case is one device). Until finish_bills resolves them, each name is
 * the whole "ROUTER/COUNTER" (a MAC address in upper case) and its router
 * SIZE_MAX: the router may come later in the file. */
static int parse_counters(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	struct cfg_bill *b = base;
	size_t size = strlen(v) + 1;
	char *rt = malloc(size), *name = malloc(size), *text = malloc(2 * size);
	struct cfg_bill_counter *list = NULL;
	char **texts = NULL;
	size_t n = 0;
	bool more = true;
	int rc = -1;

	if (!rt || !name || !text) {
		nomem(p);
		goto out;
	}
	for (const char *s = v; more;) {
		const char *why = cfg_counter_entry(&s, rt, name, &more);

		if (why) {
			key_fail(p, "entry %zu: %s", n + 1, why);
			goto out;
		}
		cfg_parse_mac(name, name); /* upper case, when it is one */
		int len = snprintf(text, 2 * size, "%s/%s", rt, name);
		if (list_add(p, &texts, &n, text, (size_t)len) < 0)
			goto out;
	}
	if (check_unique(p, texts, n, NULL) < 0)
		goto out;
	if ((list = calloc(n, sizeof *list)) == NULL) {
		nomem(p);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		list[i] = (struct cfg_bill_counter){.router = SIZE_MAX, .name = texts[i]};
	free(texts);
	texts = NULL;
	release_counters(k, base);
	b->counters = list;
	b->n_counters = n;
	rc = 0;
out:
	free_list(texts, n);
	free(rt);
	free(name);
	free(text);
	return rc;
}

/* One interface name, plain or quoted as in interfaces (any interface of
 * the router: the WAN need not be accounted). */
static int parse_interface(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	char *name = malloc(strlen(v) + 1);
	bool more = false;
	const char *why;
	int rc = -1;

	if (!name)
		return nomem(p);
	if ((why = cfg_list_entry(&v, name, &more)) != NULL)
		key_fail(p, "%s", why);
	else if (more)
		key_fail(p, "one interface name only");
	else
		rc = set_string(p, FIELD(char *, base, k->off), name);
	free(name);
	return rc;
}

static void release_nets(const struct key_row *k, void *base)
{
	(void)k;
	free(((struct cfg_router *)base)->push_allow);
}

/* A comma list of ADDR[/PREFIX] (blanks around entries allowed). */
static int parse_nets(struct parser *p, const struct key_row *k, void *base, const char *v)
{
	struct cfg_router *r = base;
	char *entry = malloc(strlen(v) + 1);
	struct cfg_net *nets = NULL;
	size_t n = 0;
	int rc = -1;

	if (!entry)
		return nomem(p);
	for (const char *s = v; cfg_next_item(&s, entry);) {
		struct cfg_net net;
		const char *why;
		struct cfg_net *grown;

		if (!*entry) {
			key_fail(p, "empty entry in the list");
			goto out;
		}
		if ((why = cfg_parse_net(entry, &net)) != NULL) {
			key_fail(p, "'%s': %s", shown(p, entry), why);
			goto out;
		}
		if ((grown = realloc(nets, (n + 1) * sizeof *nets)) == NULL) {
			nomem(p);
			goto out;
		}
		nets = grown;
		nets[n++] = net;
	}
	release_nets(k, base);
	r->push_allow = nets;
	r->n_push_allow = n;
	nets = NULL;
	rc = 0;
out:
	free(nets);
	free(entry);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The keys                                                            */
/* ------------------------------------------------------------------ */

static const struct value_type type_string = {parse_string, release_string};
static const struct value_type type_text = {parse_text, release_string};
static const struct value_type type_path = {parse_path, release_string};
static const struct value_type type_database = {parse_database, release_string};
static const struct value_type type_readable = {parse_readable, release_string};
static const struct value_type type_int = {parse_int, NULL};
static const struct value_type type_port = {parse_port, NULL};
static const struct value_type type_seconds = {parse_seconds, NULL};
static const struct value_type type_retention = {parse_retention, NULL};
static const struct value_type type_size = {parse_size, NULL};
static const struct value_type type_enum = {parse_enum, NULL};
static const struct value_type type_word = {parse_word, release_string};
static const struct value_type type_host = {parse_host, release_string};
static const struct value_type type_fingerprint = {parse_fingerprint, release_string};
static const struct value_type type_listen = {parse_listen, release_list};
static const struct value_type type_include = {parse_include, release_list};
static const struct value_type type_secret_file = {parse_secret_file, release_file};
static const struct value_type type_cert_file = {parse_cert_file, release_file};
static const struct value_type type_key_file = {parse_key_file, release_file};
static const struct value_type type_timezone = {parse_timezone, release_string};
static const struct value_type type_auth_user = {parse_auth_user, release_string};
/* password shares its field with password_file, whose row frees it */
static const struct value_type type_password = {parse_password, NULL};
static const struct value_type type_interfaces = {parse_interfaces, release_interfaces};
static const struct value_type type_interface = {parse_interface, release_string};
static const struct value_type type_nets = {parse_nets, release_nets};
static const struct value_type type_queues = {parse_queues, release_queues};
/* devices: enum cfg_devices */
static const struct value_type type_devices = {parse_devices, NULL};
static const struct value_type type_counters = {parse_counters, release_counters};

static const char *const log_levels[] = {"error", "warning", "info", "debug", NULL};
static const char *const modes[] = {"poll", "push", NULL}; /* enum router_mode */
static const char *const tls_modes[] = {"off", "verify", "fingerprint", "anonymous", NULL};
static const char *const device_sources[] = {"kid-control", NULL};  /* enum cfg_devices - 1 */
static const char *const directions[] = {"both", "rx", "tx", NULL}; /* enum cfg_direction */
_Static_assert(MODE_PUSH == 1 && sizeof(enum router_mode) == sizeof(int), "modes[]");
_Static_assert(ROS_TLS_ANONYMOUS == 3 && sizeof(enum ros_tls_mode) == sizeof(int), "tls_modes[]");
_Static_assert(CFG_DEVICES_KID_CONTROL == 1 && sizeof(enum cfg_devices) == sizeof(int),
               "device_sources[]");
_Static_assert(CFG_DIR_TX == 2 && sizeof(enum cfg_direction) == sizeof(int), "directions[]");

#define ROW(n, s, t)  .name = (n), .sec = (s), .type = &(t)
#define CFG(f)        .off = offsetof(struct cfg, f)
#define RTR(f)        .off = offsetof(struct cfg_router, f)
#define BIL(f)        .off = offsetof(struct cfg_bill, f)
#define CFG_AUX(f)    .aux = offsetof(struct cfg, f)
#define RTR_AUX(f)    .aux = offsetof(struct cfg_router, f)
#define RANGE(lo, hi) .min = (lo), .max = (hi)

#define KEY_ROW(k, ...) [k] = {__VA_ARGS__},
static const struct key_row keys[K_COUNT] = {KEYS(KEY_ROW)};

/* The row of key name in section sec, or K_NONE. */
static enum key find_key(enum section sec, const char *name)
{
	for (int k = K_NONE + 1; k < K_COUNT; k++)
		if (keys[k].sec == sec && strcmp(keys[k].name, name) == 0)
			return (enum key)k;
	return K_NONE;
}

/* Frees the fields the keys of section sec fill in base. */
static void release_keys(enum section sec, void *base)
{
	for (int k = K_NONE + 1; k < K_COUNT; k++)
		if (keys[k].sec == sec && keys[k].type->release)
			keys[k].type->release(&keys[k], base);
}

/* ------------------------------------------------------------------ */
/* Section checks                                                      */
/* ------------------------------------------------------------------ */

/* Line of key k in the section, or the section's header line. */
static int line_of(const struct parser *p, enum key k)
{
	return p->key_line[k] ? p->key_line[k] : p->sec_line;
}

/* https_listen, tls_cert_file and tls_key_file go together, and no
 * address is both plain and TLS. */
static void finish_https(struct parser *p)
{
	struct cfg *c = p->cfg;
	unsigned before = p->n_errors;

	if (c->n_https_listen && !c->tls_cert_file)
		key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "tls_cert_file",
		            "required with https_listen");
	else if (c->n_https_listen && !c->tls_key_file)
		key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "tls_key_file",
		            "required with https_listen");
	else if (!c->n_https_listen && (c->tls_cert_file || c->tls_key_file))
		key_fail_at(p, line_of(p, c->tls_cert_file ? K_TLS_CERT_FILE : K_TLS_KEY_FILE),
		            "https_listen", "required with tls_cert_file and tls_key_file");
	for (size_t i = 0; i < c->n_https_listen && p->n_errors == before; i++)
		for (size_t j = 0; j < c->n_listen; j++)
			if (strcmp(c->https_listen[i], c->listen[j]) == 0) {
				key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "https_listen",
				            "'%s' is also in listen: an address serves either "
				            "plain HTTP or HTTPS",
				            shown(p, c->https_listen[i]));
				break;
			}
	if (p->n_errors == before && c->n_listen + c->n_https_listen > CFG_MAX_LISTEN)
		key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "https_listen",
		            "%zu entries with listen: at most %d addresses can be listened on",
		            c->n_listen + c->n_https_listen, CFG_MAX_LISTEN);
	/* the kept key needs the certificate it was loaded with */
	if (p->n_errors == before && p->tls_key_kept && p->prev && p->prev->tls_cert) {
		char *cert = strdup(p->prev->tls_cert);

		if (!cert) {
			nomem(p);
			return;
		}
		free(c->tls_cert);
		c->tls_cert = cert;
	}
}

static void finish_http(struct parser *p)
{
	const struct cfg *c = p->cfg;

	if (c->auth_user && !c->auth_password)
		key_fail_at(p, line_of(p, K_AUTH_USER), "auth_password_file",
		            "required with auth_user");
	else if (c->auth_password && !c->auth_user)
		key_fail_at(p, line_of(p, K_AUTH_PASSWORD_FILE), "auth_user",
		            "required with auth_password_file");
	else
		finish_https(p);
}

static void finish_poll_router(struct parser *p, struct cfg_router *r)
{
	if (!r->host)
		key_fail_at(p, p->sec_line, "host", "required with mode = poll");
	else if (!r->password)
		key_fail_at(p, p->sec_line, "password",
		            "password or password_file is required with mode = poll");
	else if (r->tls == ROS_TLS_FINGERPRINT && !r->tls_fingerprint)
		key_fail_at(p, line_of(p, K_TLS), "tls_fingerprint",
		            "required with tls = fingerprint");
	else if (r->tls != ROS_TLS_FINGERPRINT && r->tls_fingerprint)
		key_fail_at(p, line_of(p, K_TLS_FINGERPRINT), "tls_fingerprint",
		            "only used with tls = fingerprint");
	else if (r->tls != ROS_TLS_VERIFY && r->tls_ca_file)
		key_fail_at(p, line_of(p, K_TLS_CA_FILE), "tls_ca_file",
		            "only used with tls = verify");
	else if (r->push_token)
		key_fail_at(p, line_of(p, K_PUSH_TOKEN_FILE), "push_token_file",
		            "only used with mode = push");
	else if (r->ip_interface && !r->ip_file)
		key_fail_at(p, line_of(p, K_IP_INTERFACE), "ip_interface",
		            "only used with ip_file");
	else if (r->n_push_allow)
		key_fail_at(p, line_of(p, K_PUSH_ALLOW_FROM), "push_allow_from",
		            "only used with mode = push");
	else if (!r->devices && (p->key_set[K_MAX_DEVICES] || p->key_set[K_DEVICE_IDLE]))
		key_fail_at(p,
		            line_of(p, p->key_set[K_MAX_DEVICES] ? K_MAX_DEVICES : K_DEVICE_IDLE),
		            p->key_set[K_MAX_DEVICES] ? "max_devices" : "device_idle",
		            "only used with devices = kid-control");
}

/* A token-less legacy push must name exactly one router: no address may
 * be allowed for two. Reports the first overlap with an earlier router. */
static void check_allow_overlap(struct parser *p, const struct cfg_router *r)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	for (size_t i = 0; i + 1 < p->cfg->n_routers; i++) {
		const struct cfg_router *o = &p->cfg->routers[i];

		for (size_t j = 0; j < r->n_push_allow; j++)
			for (size_t k = 0; k < o->n_push_allow; k++) {
				const struct cfg_net *x = &r->push_allow[j], *y = &o->push_allow[k];

				if (!cfg_net_overlap(x, y))
					continue;
				inet_ntop(x->family, x->addr, a, sizeof a);
				inet_ntop(y->family, y->addr, b, sizeof b);
				key_fail_at(p, line_of(p, K_PUSH_ALLOW_FROM), "push_allow_from",
				            "%s/%u overlaps %s/%u of router '%s': a push without a "
				            "token must come from the addresses of one router only",
				            a, x->prefix, b, y->prefix, o->name);
				return;
			}
	}
}

static void finish_push_router(struct parser *p, struct cfg_router *r)
{
	enum key first = K_NONE;

	for (int k = K_NONE + 1; k < K_COUNT; k++)
		if (keys[k].poll_only && p->key_set[k] &&
		    (first == K_NONE || p->key_line[k] < p->key_line[first]))
			first = (enum key)k;
	if (first != K_NONE) {
		key_fail_at(p, p->key_line[first], keys[first].name,
		            "only used with mode = poll%s%s", keys[first].poll_why ? ": " : "",
		            keys[first].poll_why ? keys[first].poll_why : "");
		return;
	}
	if (!r->push_token) {
		key_fail_at(p, line_of(p, K_MODE), "push_token_file", "required with mode = push");
		return;
	}
	for (size_t i = 0; i + 1 < p->cfg->n_routers; i++) {
		const char *other = p->cfg->routers[i].push_token;

		if (other && strcmp(other, r->push_token) == 0) {
			key_fail_at(p, line_of(p, K_PUSH_TOKEN_FILE), "push_token_file",
			            "the same token as router '%s': each router needs its own",
			            p->cfg->routers[i].name);
			return;
		}
	}
	check_allow_overlap(p, r);
}

static void finish_router(struct parser *p)
{
	struct cfg_router *r = router(p);

	if (r->n_interfaces == 0) {
		key_fail_at(p, p->sec_line, "interfaces", "required");
		return;
	}
	if (r->mode == MODE_POLL)
		finish_poll_router(p, r);
	else
		finish_push_router(p, r);
	if (r->port == 0)
		r->port = r->tls == ROS_TLS_OFF ? 8728 : 8729;
}

static void finish_bill(struct parser *p)
{
	const struct cfg_bill *b = &p->cfg->bills[p->cfg->n_bills - 1];

	if (b->n_counters == 0)
		key_fail_at(p, p->sec_line, "counters",
		            "required (e.g. counters = home/ether1 + home/lte1)");
	else if (b->committed_bps && !b->percentile)
		key_fail_at(p, line_of(p, K_COMMITTED_RATE), "committed_rate",
		            "only used with percentile");
	else if (b->alert_command && !b->quota)
		key_fail_at(p, line_of(p, K_BILL_ALERT_COMMAND), "alert_command",
		            "only used with quota");
}

/* Checks across the keys of the section that ends here; none when one of
 * its keys was refused (that error says enough). A router or bill keeps
 * whether it had errors for the checks after the last line. */
static void finish_section(struct parser *p)
{
	struct seen *seen = NULL;

	if (p->fatal)
		return;
	if (p->n_errors == p->sec_errors) {
		if (p->sec == SEC_HTTP)
			finish_http(p);
		else if (p->sec == SEC_ROUTER)
			finish_router(p);
		else if (p->sec == SEC_BILL)
			finish_bill(p);
	}
	if (p->sec == SEC_ROUTER)
		seen = &p->routers_seen[p->cfg->n_routers - 1];
	else if (p->sec == SEC_BILL)
		seen = &p->bills_seen[p->cfg->n_bills - 1];
	if (!seen)
		return;
	seen->bad = p->n_errors != p->sec_errors;
	if (p->key_set[K_COUNTERS])
		seen->counters_line = p->key_line[K_COUNTERS];
	if (p->key_set[K_PERCENTILE])
		seen->percentile_line = p->key_line[K_PERCENTILE];
}

/* A device's MAC address, a name of the router's interfaces, or one of
 * its queues: the kind of a bill's counter name on router r, or NULL with
 * why not. */
static const char *counter_kind(const struct cfg_router *r, const char *name,
                                enum cfg_counter_kind *kind)
{
	char mac[CFG_MAC_LEN];
	bool interface = cfg_interface_index(r, name) >= 0;
	bool listed = cfg_queue_index(r, name) >= 0;

	if (cfg_parse_mac(name, mac) == 0) {
		*kind = CFG_COUNTER_DEVICE;
		return r->devices ? NULL
		                  : "a device (MAC address), but the router has no devices = "
		                    "kid-control";
	}
	if (interface && listed)
		return "both an interface and a queue of the router";
	*kind = interface ? CFG_COUNTER_INTERFACE : CFG_COUNTER_QUEUE;
	if (interface || listed || r->queues_all)
		return NULL;
	return r->n_queues ? "not one of the router's interfaces or queues"
	                   : "not one of the router's interfaces (a queue needs queues = on the "
	                     "router)";
}

/* Resolves a bill's counter, "ROUTER/COUNTER" from parse_counters, to its
 * router and kind, or reports why not at line. A router whose section had
 * errors is not judged again here. */
static void resolve_counter(struct parser *p, int line, struct cfg_bill_counter *bc)
{
	char *slash = strchr(bc->name, '/');
	const struct cfg_router *r;
	enum cfg_counter_kind kind;
	const char *why;
	size_t ri;

	*slash = '\0';
	r = cfg_router(p->cfg, bc->name);
	*slash = '/';
	if (!r) {
		key_fail_at(p, line, "counters", "'%s': no [router %.*s] in %s", shown(p, bc->name),
		            (int)(slash - bc->name), bc->name,
		            p->n_inc ? "the main file or an included one" : "this file");
		return;
	}
	ri = (size_t)(r - p->cfg->routers);
	if (p->routers_seen[ri].bad)
		return;
	if ((why = counter_kind(r, slash + 1, &kind)) != NULL) {
		key_fail_at(p, line, "counters", "'%s': %s", shown(p, bc->name), why);
		return;
	}
	memmove(bc->name, slash + 1, strlen(slash + 1) + 1);
	bc->router = ri;
	bc->kind = kind;
}

/* The least retention_5min a bill with a percentile needs: its samples
 * are the 5-minute buckets of the whole cycle (up to 31 days and an hour
 * of DST), and buckets older than the retention are deleted. */
#define PERCENTILE_RETENTION (32 * 86400)

/* Whether a retention keeps the 5-minute buckets of a whole cycle. */
static bool keeps_a_cycle(int64_t retention)
{
	return retention <= 0 || retention >= PERCENTILE_RETENTION;
}

/* A percentile bill needs the 5-minute buckets of its counters for a
 * whole cycle: retention_5min, and device_retention_5min when it sums a
 * device. */
static void check_percentile_retention(struct parser *p, const struct cfg_bill *b, int line)
{
	const struct cfg *c = p->cfg;
	bool device = false;
	for (size_t j = 0; j < b->n_counters; j++)
		device |= b->counters[j].kind == CFG_COUNTER_DEVICE;
	if (!keeps_a_cycle(c->retention[STEP_5MIN]))
		key_fail_at(p, line, "percentile",
		            "needs the 5-minute buckets of a whole cycle: set retention_5min = "
		            "32d or more (or forever) in [tikstat]");
	else if (device && !keeps_a_cycle(c->device_retention[STEP_5MIN]))
		key_fail_at(p, line, "percentile",
		            "needs the 5-minute buckets of a whole cycle, and the bill counts a "
		            "device: set device_retention_5min = 32d or more (or forever) in "
		            "[tikstat]");
}

/* After the last line: each bill's counters resolved, its cycle start
 * day defaulted to the [tikstat] one, and a percentile refused when the
 * 5-minute buckets are not kept for a whole cycle (a percentile computed
 * over what is left would be silently wrong). */
static void finish_bills(struct parser *p)
{
	struct cfg *c = p->cfg;

	for (size_t i = 0; i < c->n_bills && !p->fatal; i++) {
		struct cfg_bill *b = &c->bills[i];

		if (!b->cycle_start_day)
			b->cycle_start_day = c->cycle_start_day;
		if (p->bills_seen[i].bad)
			continue;
		p->file = p->bills_seen[i].file;
		p->path = file_name(p, p->file);
		snprintf(p->label, sizeof p->label, "bill %s", b->name);
		for (size_t j = 0; j < b->n_counters; j++)
			resolve_counter(p, p->bills_seen[i].counters_line, &b->counters[j]);
		if (b->percentile)
			check_percentile_retention(p, b, p->bills_seen[i].percentile_line);
	}
	p->file = 0;
	p->path = p->main_path;
}

/* ------------------------------------------------------------------ */
/* Section headers                                                     */
/* ------------------------------------------------------------------ */

/* FNV-1a. */
static size_t name_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return (size_t)h;
}

/* The index given with name to t, or -1. */
static long name_find(const struct name_table *t, const char *name)
{
	for (size_t i = t->cap ? name_hash(name) & (t->cap - 1) : 0; t->cap && t->names[i];
	     i = (i + 1) & (t->cap - 1))
		if (strcmp(t->names[i], name) == 0)
			return (long)t->index[i];
	return -1;
}

/* Puts name in a free slot of t, which has one. */
static void name_put(struct name_table *t, const char *name, size_t index)
{
	size_t i = name_hash(name) & (t->cap - 1);

	while (t->names[i])
		i = (i + 1) & (t->cap - 1);
	t->names[i] = name;
	t->index[i] = index;
	t->n++;
}

/* Adds name (a string of the cfg, which outlives t) with index; the
 * table doubles when half full. 0, or -1 after reporting. */
static int name_add(struct parser *p, struct name_table *t, const char *name, size_t index)
{
	if (2 * (t->n + 1) > t->cap) {
		struct name_table old = *t;
		size_t cap = old.cap ? 2 * old.cap : 64;

		t->names = calloc(cap, sizeof *t->names);
		t->index = malloc(cap * sizeof *t->index);
		if (!t->names || !t->index) {
			free(t->names);
			free(t->index);
			*t = old;
			return nomem(p);
		}
		t->cap = cap;
		t->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.names[i])
				name_put(t, old.names[i], old.index[i]);
		free(old.names);
		free(old.index);
	}
	name_put(t, name, index);
	return 0;
}

static void name_table_free(struct name_table *t)
{
	free(t->names);
	free(t->index);
}

/* The name of a [router NAME] or [bill NAME] section (kind): up to
 * ROUTER_NAME_MAX letters, digits, '-', '_' and '.'; dup: the section of
 * that kind and name already seen, or NULL. */
static int check_section_name(struct parser *p, const char *kind, const char *name,
                              const struct seen *dup)
{
	if (!*name) {
		fail(p, p->lineno, "[%s] needs a name, e.g. [%s %s]", kind, kind,
		     strcmp(kind, "bill") == 0 ? "internet" : "home");
		return -1;
	}
	if (strlen(name) > ROUTER_NAME_MAX) {
		fail(p, p->lineno, "%s name '%s' is longer than %d characters", kind,
		     shown(p, name), ROUTER_NAME_MAX);
		return -1;
	}
	for (const char *c = name; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c)) {
			fail(p, p->lineno,
			     "invalid %s name '%s': use letters, digits, '-', '_' and '.'", kind,
			     shown(p, name));
			return -1;
		}
	}
	if (dup && dup->file == p->file) {
		fail(p, p->lineno, "duplicate %s '%s' (first defined on line %d)", kind, name,
		     dup->line);
		return -1;
	}
	if (dup) {
		fail(p, p->lineno, "duplicate %s '%s' (first defined at %s:%d)", kind, name,
		     file_name(p, dup->file), dup->line);
		return -1;
	}
	return 0;
}

/* v (n items of size bytes) with room for one more; NULL after
 * reporting. The room doubles when n reaches a power of two (the array
 * is full then), so thousands of routers are added in linear time. */
static void *grow_one(struct parser *p, void *v, size_t n, size_t size)
{
	void *grown;

	if (n & (n - 1))
		return v;
	if (n > SIZE_MAX / 2 / size || (grown = realloc(v, (n ? 2 * n : 1) * size)) == NULL) {
		nomem(p);
		return NULL;
	}
	return grown;
}

/* A [router NAME] or [bill NAME] section (kind) begins: its name
 * checked, its struct seen added to *seen (n before), the label set. */
static int begin_named(struct parser *p, const char *kind, const char *name, const struct seen *dup,
                       struct seen **seen, size_t n)
{
	struct seen *grown;

	if (check_section_name(p, kind, name, dup) < 0)
		return -1;
	if ((grown = grow_one(p, *seen, n, sizeof *grown)) == NULL)
		return -1;
	*seen = grown;
	grown[n] = (struct seen){.file = p->file, .line = p->lineno};
	snprintf(p->label, sizeof p->label, "%s %s", kind, name);
	return 0;
}

static int add_router(struct parser *p, const char *name)
{
	struct cfg *c = p->cfg;
	long dup = name_find(&p->router_names, name);
	struct cfg_router *grown;

	if (begin_named(p, "router", name, dup >= 0 ? &p->routers_seen[dup] : NULL,
	                &p->routers_seen, c->n_routers) < 0)
		return -1;
	if ((grown = grow_one(p, c->routers, c->n_routers, sizeof *grown)) == NULL)
		return -1;
	c->routers = grown;
	struct cfg_router *r = &grown[c->n_routers];
	*r = (struct cfg_router){.mode = MODE_POLL,
	                         .tls = ROS_TLS_OFF,
	                         .interval = 10,
	                         .timeout = 5,
	                         .max_reply_size = ROS_DEFAULT_MAX_REPLY_BYTES,
	                         .max_reply_items = ROS_DEFAULT_MAX_REPLY_SENTENCES,
	                         .max_devices = DEFAULT_MAX_DEVICES,
	                         .device_idle = DEFAULT_DEVICE_IDLE};
	c->n_routers++;
	if (!(r->name = strdup(name)) || !(r->user = strdup(DEFAULT_USER)))
		return nomem(p);
	return name_add(p, &p->router_names, r->name, c->n_routers - 1);
}

/* A bill's cycle_start_day stays 0 until finish_bills: the [tikstat]
 * section may come later. */
static int add_bill(struct parser *p, const char *name)
{
	struct cfg *c = p->cfg;
	long dup = name_find(&p->bill_names, name);
	struct cfg_bill *grown;

	if (begin_named(p, "bill", name, dup >= 0 ? &p->bills_seen[dup] : NULL, &p->bills_seen,
	                c->n_bills) < 0)
		return -1;
	if ((grown = grow_one(p, c->bills, c->n_bills, sizeof *grown)) == NULL)
		return -1;
	c->bills = grown;
	grown[c->n_bills] = (struct cfg_bill){.direction = CFG_DIR_BOTH};
	if (!(grown[c->n_bills++].name = strdup(name)))
		return nomem(p);
	return name_add(p, &p->bill_names, grown[c->n_bills - 1].name, c->n_bills - 1);
}

/* [tikstat] and [http] may each appear once. */
static int single_section(struct parser *p, int *first, const char *name)
{
	if (*first) {
		fail(p, p->lineno, "duplicate section [%s] (first on line %d)", name, *first);
		return -1;
	}
	*first = p->lineno;
	snprintf(p->label, sizeof p->label, "%s", name);
	return 0;
}

/* The section a "[...]" line names, or SEC_SKIP after reporting why it
 * cannot start. */
static enum section open_section(struct parser *p, char *line)
{
	char *close = strchr(line, ']');
	char *name;

	if (!close) {
		fail(p, p->lineno, "syntax error: missing ']'");
		return SEC_SKIP;
	}
	if (close[1]) {
		fail(p, p->lineno, "syntax error: text after ']'");
		return SEC_SKIP;
	}
	*close = '\0';
	name = cfg_trim(line + 1);
	if (p->file > 0 && (strcmp(name, "tikstat") == 0 || strcmp(name, "http") == 0)) {
		fail(p, p->lineno,
		     "[%s] may only be in the main file %s: an included file holds [router NAME] "
		     "and [bill NAME] sections",
		     name, p->main_path);
		return SEC_SKIP;
	}
	if (strcmp(name, "tikstat") == 0)
		return single_section(p, &p->tikstat_line, name) < 0 ? SEC_SKIP : SEC_TIKSTAT;
	if (strcmp(name, "http") == 0)
		return single_section(p, &p->http_line, name) < 0 ? SEC_SKIP : SEC_HTTP;
	if (strncmp(name, "router", 6) == 0 && (!name[6] || cfg_is_blank(name[6])))
		return add_router(p, cfg_trim(name + 6)) < 0 ? SEC_SKIP : SEC_ROUTER;
	if (strncmp(name, "bill", 4) == 0 && (!name[4] || cfg_is_blank(name[4])))
		return add_bill(p, cfg_trim(name + 4)) < 0 ? SEC_SKIP : SEC_BILL;
	fail(p, p->lineno, "unknown section [%s]", shown(p, name));
	return SEC_SKIP;
}

/* A "[...]" line: ends the previous section, starts the named one. The
 * keys of a section that cannot start are skipped unchecked: its header's
 * error is the one to fix. */
static void start_section(struct parser *p, char *line)
{
	finish_section(p);
	memset(p->key_line, 0, sizeof p->key_line);
	memset(p->key_set, 0, sizeof p->key_set);
	p->sec_line = p->lineno;
	p->sec = open_section(p, line);
	p->sec_errors = p->n_errors;
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

/* One "key = value" line in the current section. */
static void set_key(struct parser *p)
{
	enum key k;

	if (p->sec == SEC_SKIP)
		return;
	if (p->sec == SEC_NONE) {
		fail(p, p->lineno,
		     "key '%s' outside of a section (start with [tikstat], [http] or "
		     "[router NAME])",
		     shown(p, p->key));
		return;
	}
	if ((k = find_key(p->sec, p->key)) == K_NONE) {
		fail(p, p->lineno, "unknown key '%s' in [%s]", shown(p, p->key), p->label);
		return;
	}
	if (p->key_line[k]) {
		key_fail(p, "duplicate key (first set on line %d)", p->key_line[k]);
		return;
	}
	p->key_line[k] = p->lineno;
	if (!*p->value)
		return;
	if (keys[k].excludes && p->key_set[keys[k].excludes]) {
		key_fail(p, "%s and %s are mutually exclusive",
		         keys[k < keys[k].excludes ? k : keys[k].excludes].name,
		         keys[k < keys[k].excludes ? keys[k].excludes : k].name);
		return;
	}
	if (keys[k].type->parse(p, &keys[k], section_base(p->cfg, p->sec), p->value) == 0)
		p->key_set[k] = true;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

/* Cuts a comment: ';' or '#' at the start or after a blank, outside
 * double quotes (where a backslash escapes the next character). */
static void strip_comment(char *s)
{
	bool quoted = false;

	for (char *c = s; *c; c++) {
		if (quoted && *c == '\\' && c[1]) {
			c++;
		} else if (*c == '"') {
			quoted = !quoted;
		} else if (!quoted && (*c == ';' || *c == '#') && (c == s || cfg_is_blank(c[-1]))) {
			*c = '\0';
			return;
		}
	}
}

/* Copies the next raw line into p->line, without "\r\n" and BOM. */
static int next_line(struct parser *p)
{
	const char *start = p->text + p->pos;
	const char *nl = memchr(start, '\n', p->len - p->pos);
	size_t n = nl ? (size_t)(nl - start) : p->len - p->pos;

	p->pos += n + (nl ? 1 : 0);
	p->lineno++;
	if (memchr(start, '\0', n)) {
		fail(p, p->lineno, "syntax error: NUL byte");
		return -1;
	}
	if (n + 1 > p->line_cap) {
		char *grown = malloc(n + 1);

		if (!grown)
			return nomem(p);
		if (p->line)
			explicit_bzero(p->line, p->line_cap);
		free(p->line);
		p->line = grown;
		p->line_cap = n + 1;
	}
	memcpy(p->line, start, n);
	p->line[n] = '\0';
	if (p->lineno == 1 && n >= 3 && memcmp(p->line, "\xEF\xBB\xBF", 3) == 0)
		memmove(p->line, p->line + 3, n - 2);
	return 0;
}

/* Splits "key = value" (or "key: value") in p->line. */
static int split_key(struct parser *p, char *line)
{
	char *sep = line + strcspn(line, "=:");
	char c = *sep;

	if (!c) {
		fail(p, p->lineno, "syntax error: expected 'key = value' or '[section]'");
		return -1;
	}
	*sep = '\0';
	p->key = cfg_trim(line);
	p->value = cfg_trim(sep + 1);
	if (!*p->key) {
		fail(p, p->lineno, "syntax error: missing key name before '%c'", c);
		return -1;
	}
	return 0;
}

/* Reads and handles the next line. */
static void read_line(struct parser *p)
{
	char *line;

	if (next_line(p) < 0)
		return;
	line = cfg_trim(p->line);
	strip_comment(line);
	line = cfg_trim(line);
	if (*line == '[')
		start_section(p, line);
	else if (*line && split_key(p, line) == 0)
		set_key(p);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

/* Reads the whole main file into p->text and keeps its stat. */
static int read_file(struct parser *p)
{
	int rc = -1;
	int fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		fail(p, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &p->st) < 0 || !S_ISREG(p->st.st_mode))
		fail(p, 0, "not a regular file");
	else if ((rc = read_whole(fd, &p->text, &p->len)) < 0 && errno == ENOMEM)
		nomem(p);
	else if (rc < 0 && errno == EFBIG)
		fail(p, 0, "larger than %d bytes", CFG_MAX_FILE);
	else if (rc < 0)
		fail(p, 0, "cannot read: %s", strerror(errno));
	close(fd);
	return rc;
}

/* The absolute directory of p->path, for relative file names. */
static int config_dir(struct parser *p)
{
	const char *slash = strrchr(p->path, '/');
	char cwd[PATH_MAX];
	size_t n;

	if (slash == p->path) {
		p->dir = strdup("/");
	} else if (p->path[0] == '/') {
		p->dir = strndup(p->path, (size_t)(slash - p->path));
	} else {
		if (!getcwd(cwd, sizeof cwd)) {
			fail(p, 0, "cannot get the current directory: %s", strerror(errno));
			return -1;
		}
		n = slash ? (size_t)(slash - p->path) : 0;
		if ((p->dir = malloc(strlen(cwd) + n + 2)) != NULL)
			snprintf(p->dir, strlen(cwd) + n + 2, "%s%s%.*s", cwd, n ? "/" : "", (int)n,
			         p->path);
	}
	return p->dir ? 0 : nomem(p);
}

/* A cfg holding every default. */
static struct cfg *cfg_new(const char *path)
{
	struct cfg *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->cycle_start_day = 1;
	c->max_rate = UINT64_C(100000000000);
	c->commit_interval = 60;
	c->live_viewers = 100;
	c->retention[STEP_5MIN] = 7 * 86400;
	c->retention[STEP_HOUR] = 90 * 86400;
	/* Devices come and go by the hundred: their fine buckets live shorter. */
	c->device_retention[STEP_5MIN] = 2 * 86400;
	c->device_retention[STEP_HOUR] = 35 * 86400;
	c->path = strdup(path);
	c->database = strdup(DEFAULT_DATABASE);
	c->log_level = strdup("info");
	c->listen = calloc(1, sizeof *c->listen);
	if (c->listen && (c->listen[0] = strdup(DEFAULT_LISTEN)) != NULL)
		c->n_listen = 1;
	if (!c->path || !c->database || !c->log_level || c->n_listen != 1) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

/* Wipes and frees the main file's text. */
static void drop_text(struct parser *p)
{
	if (p->text)
		explicit_bzero(p->text, p->len);
	free(p->text);
	p->text = NULL;
	p->len = 0;
}

static void parser_release(struct parser *p)
{
	drop_text(p);
	for (size_t i = 0; i < p->n_inc; i++) {
		explicit_bzero(p->inc[i].text, p->inc[i].len);
		free(p->inc[i].text);
		free(p->inc[i].path);
	}
	free(p->inc);
	name_table_free(&p->router_names);
	name_table_free(&p->bill_names);
	if (p->line)
		explicit_bzero(p->line, p->line_cap);
	free(p->line);
	free(p->dir);
	free(p->routers_seen);
	free(p->bills_seen);
	for (unsigned i = 0; i < p->n_kept; i++)
		free(p->kept[i].msg);
}

/* Reads every line of the text at p->text, then ends its last section:
 * a section does not go on in the next file. */
static void read_lines(struct parser *p)
{
	while (!p->fatal && p->pos < p->len)
		read_line(p);
	finish_section(p);
	p->sec = SEC_NONE;
}

/* The included files, after the main one, each as if appended. The
 * main text is done with: wiped now. */
static void read_included(struct parser *p)
{
	drop_text(p);
	for (size_t i = 0; i < p->n_inc && !p->fatal; i++) {
		struct included *f = &p->inc[i];

		p->file = (unsigned)(i + 1);
		p->path = f->path;
		p->st = f->st;
		p->text = f->text;
		p->len = f->len;
		p->pos = 0;
		p->lineno = 0;
		read_lines(p);
	}
	p->text = NULL; /* owned by p->inc */
	p->len = 0;
	p->file = 0;
	p->path = p->main_path;
	p->lineno = 0;
}

/* The indexes of routers and bills in name order (cfg_router, cfg_bill),
 * once every section is read. */
static void index_names(struct parser *p)
{
	struct cfg *c = p->cfg;

	if (c->n_routers && !(c->routers_by_name = sorted_index(&c->routers[0].name,
	                                                        sizeof *c->routers, c->n_routers)))
		nomem(p);
	if (c->n_bills &&
	    !(c->bills_by_name = sorted_index(&c->bills[0].name, sizeof *c->bills, c->n_bills)))
		nomem(p);
}

/* Reads every line of every file, then the checks of the whole. */
static void parse(struct parser *p)
{
	read_lines(p);
	read_included(p);
	p->cfg->n_files = 1 + p->n_inc;
	if (!p->fatal)
		index_names(p);
	if (!p->fatal)
		finish_bills(p);
	/* A daemon with nothing to do is a mistake (an empty or wrong file),
	 * and a reload to it would silently stop all accounting. */
	if (p->n_errors == 0 && p->cfg->n_routers == 0)
		fail(p, 0, "no [router NAME] section: nothing to poll or receive");
}

static struct cfg *load(const char *path, int flags, const struct cfg *prev, char *err,
                        size_t errsz)
{
	struct parser p = {.path = path ? path : "(null)",
	                   .main_path = path ? path : "(null)",
	                   .err = err,
	                   .errsz = errsz,
	                   .skip_secrets = (flags & CFG_SKIP_SECRETS) != 0,
	                   .prev = prev};

	if (err && errsz)
		err[0] = '\0';
	if (!path) {
		fail(&p, 0, "no configuration file given");
		write_errors(&p);
		return NULL;
	}
	if (config_dir(&p) == 0 && read_file(&p) == 0) {
		if ((p.cfg = cfg_new(path)) == NULL)
			nomem(&p);
		else
			parse(&p);
	}
	write_errors(&p);
	if (p.n_errors) {
		cfg_free(p.cfg);
		p.cfg = NULL;
	}
	parser_release(&p);
	return p.cfg;
}

struct cfg *cfg_load(const char *path, char *err, size_t errsz)
{
	return load(path, 0, NULL, err, errsz);
}

struct cfg *cfg_load_flags(const char *path, int flags, char *err, size_t errsz)
{
	return load(path, flags, NULL, err, errsz);
}

struct cfg *cfg_reload(const char *path, const struct cfg *prev, char *err, size_t errsz)
{
	return load(path, 0, prev, err, errsz);
}

/* The index of name among the n names at base (name_at: stride bytes
 * apart; sorted: their indexes in name order, or NULL to scan), or -1. */
static long name_index(const void *base, size_t stride, const size_t *sorted, size_t n,
                       const char *name)
{
	size_t lo = 0, hi = n;

	if (!name || n == 0)
		return -1;
	if (!sorted) { /* not made by cfg_load (tests, demo) */
		for (size_t k = 0; k < n; k++)
			if (strcmp(name_at(base, stride, k), name) == 0)
				return (long)k;
		return -1;
	}
	while (lo < hi) { /* the first name >= name */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(name_at(base, stride, sorted[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && strcmp(name_at(base, stride, sorted[lo]), name) == 0)
		return (long)sorted[lo];
	return -1;
}

long cfg_interface_index(const struct cfg_router *r, const char *name)
{
	return name_index(r->interfaces, sizeof *r->interfaces, r->interfaces_by_name,
	                  r->n_interfaces, name);
}

long cfg_queue_index(const struct cfg_router *r, const char *name)
{
	return name_index(r->queues, sizeof *r->queues, r->queues_by_name, r->n_queues, name);
}

/* The fields the keys fill are freed by their rows (release_keys). */
void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_routers; i++) {
		release_keys(SEC_ROUTER, &c->routers[i]);
		free(c->routers[i].name);
	}
	free(c->routers);
	for (size_t i = 0; i < c->n_bills; i++) {
		release_keys(SEC_BILL, &c->bills[i]);
		free(c->bills[i].name);
	}
	free(c->bills);
	free(c->routers_by_name);
	free(c->bills_by_name);
	release_keys(SEC_TIKSTAT, c);
	release_keys(SEC_HTTP, c);
	free(c->path);
	free(c);
}

const struct cfg_router *cfg_router(const struct cfg *c, const char *name)
{
	long i;

	if (!c || !c->n_routers)
		return NULL;
	i = name_index(&c->routers[0].name, sizeof *c->routers, c->routers_by_name, c->n_routers,
	               name);
	return i < 0 ? NULL : &c->routers[i];
}

const struct cfg_bill *cfg_bill(const struct cfg *c, const char *name)
{
	long i;

	if (!c || !c->n_bills)
		return NULL;
	i = name_index(&c->bills[0].name, sizeof *c->bills, c->bills_by_name, c->n_bills, name);
	return i < 0 ? NULL : &c->bills[i];
}

void cfg_device_retention(const struct cfg *c, int64_t out[5])
{
	memcpy(out, c->retention, sizeof c->retention);
	out[STEP_5MIN] = c->device_retention[STEP_5MIN];
	out[STEP_HOUR] = c->device_retention[STEP_HOUR];
}
