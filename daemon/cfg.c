/*
 * cfg.c — see cfg.h.
 *
 * inih drives the parse: it tells section lines from key lines and calls
 * on_key once per key. It reads through read_line, our reader, because
 * Debian's inih (r55) lacks what a strict config needs: its handler gets
 * no line number; its inline comments know only ';' and cut through
 * double quotes; its line buffer holds 200 bytes; an indented line
 * continues the previous value. So read_line counts lines, removes
 * comments itself (quote-aware), keeps each whole line in our buffer and
 * hands inih only the line's structure: "[section]" or "key=". Values are
 * taken from our buffer; a password is never copied into inih's stack.
 *
 * Checks that involve several keys of a section (password or
 * password_file, tls and its fingerprint, mode) run when the section ends.
 * Errors are "FILE:LINE: [SECTION] KEY: reason", first error wins, and a
 * secret value is never part of one.
 */
#include "cfg.h"

#include "calendar.h"
#include "log.h"

#include <ini.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG_MAX_FILE    (1024 * 1024) /* bytes of tikstat.conf */
#define SECRET_MAX      1024          /* bytes of a password or token */
#define TOKEN_MIN       16            /* characters of a push token */
#define ROUTER_NAME_MAX 64
#define SECONDS_MAX     86400        /* interval, timeout, commit_interval */
#define SECRET_GROUP    "tikstat"    /* may read secrets with mode 0640 */
#define FINGERPRINT_LEN (7 + 32 * 3) /* "sha256:" + "AB:" * 32 - 1, + NUL */
#define TLS_CERT_MAX    (1024 * 1024) /* bytes of tls_cert_file (a chain) */
#define TLS_KEY_MAX     (64 * 1024)   /* bytes of tls_key_file */

#define DEFAULT_DATABASE "/var/lib/tikstat/tikstat.db"
#define DEFAULT_LISTEN   "127.0.0.1:8085"
#define DEFAULT_USER     "tikstat"

enum section { SEC_NONE, SEC_TIKSTAT, SEC_HTTP, SEC_ROUTER };

enum key {
	K_DATABASE,
	K_TIMEZONE,
	K_CYCLE_START_DAY,
	K_MAX_RATE,
	K_COMMIT_INTERVAL,
	K_LOG_LEVEL,
	K_RETENTION_5MIN,
	K_RETENTION_HOUR,
	K_RETENTION_DAY,
	K_RETENTION_MONTH,
	K_RETENTION_YEAR,
	K_LISTEN,
	K_AUTH_USER,
	K_AUTH_PASSWORD_FILE,
	K_HTTPS_LISTEN,
	K_TLS_CERT_FILE,
	K_TLS_KEY_FILE,
	K_MODE,
	K_HOST,
	K_PORT,
	K_TLS,
	K_TLS_CA_FILE,
	K_TLS_FINGERPRINT,
	K_USER,
	K_PASSWORD,
	K_PASSWORD_FILE,
	K_INTERFACES,
	K_INTERVAL,
	K_TIMEOUT,
	K_COMMAND_TIMEOUT,
	K_MAX_REPLY_SIZE,
	K_MAX_REPLY_ITEMS,
	K_PUSH_TOKEN_FILE,
	K_IP_FILE,
	K_IP_INTERFACE,
	K_QUOTA,
	K_ALERT_COMMAND,
	K_PUSH_ALLOW_FROM,
	K_COUNT
};

struct parser {
	const char *path; /* as given, for messages */
	char *dir;        /* absolute directory of path, for relative file names */
	struct stat st;   /* of the config file */
	char *err;
	size_t errsz;
	bool failed;
	bool skip_secrets; /* CFG_SKIP_SECRETS: reports need no secrets */
	const struct cfg *prev; /* cfg_reload: the running configuration */
	bool tls_key_kept;      /* the reload kept prev's key: keep its certificate too */

	char *text; /* the whole file; wiped, it may hold passwords */
	size_t len;
	size_t pos;
	int lineno;
	char *line; /* current line without comment; wiped */
	size_t line_cap;
	const char *key; /* into line */
	const char *value;

	enum section sec;
	char label[8 + ROUTER_NAME_MAX + 1]; /* "tikstat", "router home" */
	int sec_line;
	int tikstat_line;
	int http_line;
	int key_line[K_COUNT]; /* where a key of this section was given */
	bool key_set[K_COUNT]; /* given with a non-empty value */
	int *router_lines;     /* header line of each router */
	char show[200];        /* a value made printable for a message */

	struct cfg *cfg;
};

typedef int (*setter)(struct parser *p, const char *value);

struct key_def {
	const char *name;
	enum section sec;
	setter set;
};

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

__attribute__((format(printf, 4, 0))) static void vfail(struct parser *p, int line, const char *key,
                                                        const char *fmt, va_list ap)
{
	int n;

	if (p->failed)
		return;
	p->failed = true;
	if (!p->err || p->errsz == 0)
		return;
	if (line > 0)
		n = snprintf(p->err, p->errsz, "%s:%d: ", p->path, line);
	else
		n = snprintf(p->err, p->errsz, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errsz)
		return;
	if (key) {
		int m = snprintf(p->err + n, p->errsz - (size_t)n, "[%s] %s: ", p->label, key);
		if (m < 0 || (size_t)(n + m) >= p->errsz)
			return;
		n += m;
	}
	vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
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

static int nomem(struct parser *p)
{
	fail(p, p->lineno, "out of memory");
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

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			if (*s != '\t')
				return true;
	return false;
}

/* Removes blanks at both ends, in place; returns the new start. */
static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
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

/* Decodes the double-quoted string at s (s[0] == '"') into out, which
 * holds strlen(s) bytes; *end receives the position after the closing
 * quote. Returns NULL or the reason it is malformed (never quoting it). */
static const char *dequote(const char *s, char *out, const char **end)
{
	size_t o = 0;

	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\') {
			if (s[1] != '"' && s[1] != '\\')
				return "unknown escape inside quotes (only \\\" and \\\\ are "
				       "allowed)";
			s++;
		}
		out[o++] = *s;
	}
	if (*s != '"')
		return "unterminated quote";
	out[o] = '\0';
	*end = s + 1;
	return NULL;
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
	else if ((why = dequote(v, out, &end)) == NULL && *end != '\0')
		why = "text after the closing quote";
	if (!why && has_control(out))
		why = "contains a control character";
	if (why) {
		key_fail(p, "%s", why);
		explicit_bzero(out, size); /* may be unterminated */
		free(out);
		return NULL;
	}
	return out;
}

/* Parses a decimal integer from min to max, digits only. */
static int parse_int(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (!*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sizes and durations                                                 */
/* ------------------------------------------------------------------ */

/* "DIGITS" or "DIGITS.DIGITS" at the start of a text. */
struct decimal {
	const char *ip; /* integer digits */
	size_t n_ip;
	const char *fp; /* fraction digits */
	size_t n_fp;
};

/* Reads a decimal number; returns the text after it or NULL. */
static const char *read_decimal(const char *s, struct decimal *d)
{
	d->ip = s;
	while (*s >= '0' && *s <= '9')
		s++;
	d->n_ip = (size_t)(s - d->ip);
	d->fp = s;
	d->n_fp = 0;
	if (d->n_ip == 0)
		return NULL;
	if (*s == '.') {
		d->fp = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		d->n_fp = (size_t)(s - d->fp);
		if (d->n_fp == 0)
			return NULL;
	}
	return s;
}

/* d * mult rounded down, exactly: the fraction is folded in from its last
 * digit, floor((digit * mult + carry) / 10), which never exceeds mult.
 * mult <= 2^50. Returns 0, or -1 on overflow. */
static int scale_decimal(const struct decimal *d, uint64_t mult, uint64_t *out)
{
	uint64_t v = 0;
	uint64_t frac = 0;

	for (size_t i = 0; i < d->n_ip; i++) {
		uint64_t digit = (uint64_t)(d->ip[i] - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	if (mult != 0 && v > UINT64_MAX / mult)
		return -1;
	v *= mult;
	for (size_t i = d->n_fp; i-- > 0;)
		frac = ((uint64_t)(d->fp[i] - '0') * mult + frac) / 10;
	if (v > UINT64_MAX - frac)
		return -1;
	*out = v + frac;
	return 0;
}

/* The unit after a number: blanks may come before it, but only before
 * it. NULL when blanks end the text. */
static const char *skip_to_unit(const char *s)
{
	const char *u = s;

	while (*u == ' ' || *u == '\t')
		u++;
	return u != s && !*u ? NULL : u;
}

/* The multiplier of a size unit ("", "K", "Mi", "GB", "kib"...), or 0. */
static uint64_t size_unit(const char *u)
{
	static const char prefixes[] = "kmgtp";
	uint64_t mult = 1;
	const char *at;

	if (*u && *u != 'B' && *u != 'b') {
		at = strchr(prefixes, tolower((unsigned char)*u));
		if (!at)
			return 0;
		bool binary = u[1] == 'i';
		for (long i = 0; i <= at - prefixes; i++)
			mult *= binary ? 1024 : 1000;
		u += binary ? 2 : 1;
	}
	if (*u == 'B' || *u == 'b')
		u++;
	return *u ? 0 : mult;
}

/* cfg_parse_size with distinct failures: -1 malformed, -2 too large. */
static int parse_size(const char *text, uint64_t *out)
{
	struct decimal d;
	const char *s = read_decimal(text, &d);
	uint64_t mult;

	if (!s || (s = skip_to_unit(s)) == NULL)
		return -1;
	mult = size_unit(s);
	if (mult == 0)
		return -1;
	return scale_decimal(&d, mult, out) < 0 ? -2 : 0;
}

int cfg_parse_size(const char *text, uint64_t *out)
{
	uint64_t v;
	int rc = text ? parse_size(text, &v) : -1;

	if (rc < 0) {
		errno = rc == -2 ? ERANGE : EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

/* cfg_parse_duration with distinct failures: -1 malformed, -2 too large. */
static int parse_duration(const char *text, int64_t *seconds)
{
	struct decimal d;
	const char *s = read_decimal(text, &d);
	uint64_t mult;
	uint64_t v;

	if (!s || (s = skip_to_unit(s)) == NULL)
		return -1;
	switch (*s) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (*s && s[1])
		return -1;
	if (scale_decimal(&d, mult, &v) < 0 || v > (uint64_t)INT64_MAX)
		return -2;
	*seconds = (int64_t)v;
	return 0;
}

int cfg_parse_duration(const char *text, int64_t *seconds)
{
	int64_t v;
	int rc = text ? parse_duration(text, &v) : -1;

	if (rc < 0) {
		errno = rc == -2 ? ERANGE : EINVAL;
		return -1;
	}
	*seconds = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Listen addresses                                                    */
/* ------------------------------------------------------------------ */

/* An IPv6 address, optionally with a %zone. */
static bool is_ipv6(const char *s, size_t n)
{
	char buf[64];
	struct in6_addr a;
	const char *zone = memchr(s, '%', n);

	if (zone) {
		if (zone + 1 == s + n)
			return false;
		n = (size_t)(zone - s);
	}
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/* A host name or IPv4 address: letters, digits, '-', '_', '.'. */
static bool is_host_name(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

/* cfg_parse_listen's work; returns NULL or the reason. */
static const char *listen_error(const char *text, char *host, size_t hostsz, uint16_t *port)
{
	const char *h = text;
	const char *colon;
	size_t n;
	long v;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return "missing ']' after the IPv6 address";
		if (close[1] != ':')
			return "missing ':PORT' after ']'";
		h = text + 1;
		n = (size_t)(close - h);
		colon = close + 1;
		if (!is_ipv6(h, n))
			return "invalid IPv6 address";
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return "missing ':PORT'";
		n = (size_t)(colon - text);
		if (memchr(text, ':', n))
			return "an IPv6 address needs brackets, e.g. [::1]:8085";
		if (n == 0)
			return "missing host (use * for every address)";
		if (!(n == 1 && text[0] == '*') && !is_host_name(text, n))
			return "invalid host name";
	}
	if (parse_int(colon + 1, 1, 65535, &v) < 0)
		return "the port must be 1 to 65535";
	if (n >= hostsz)
		return "host name too long";
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (uint16_t)v;
	return NULL;
}

int cfg_parse_listen(const char *text, char *host, size_t hostsz, uint16_t *port)
{
	char buf[256];
	uint16_t v;

	if (!text || listen_error(text, buf, sizeof buf, &v) != NULL || strlen(buf) >= hostsz) {
		errno = EINVAL;
		return -1;
	}
	strcpy(host, buf);
	*port = v;
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
 * Returns true after reporting when st's owner is anyone else. */
static bool fail_foreign_owner(struct parser *p, const char *file, const struct stat *st)
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
	key_fail(p,
	         "%s is owned by %s (uid %ld): a file holding a secret must belong to root or "
	         "to %s: chown root %s",
	         file, owner, (long)st->st_uid, user, file);
	return true;
}

/* Reports that a file holding a secret is open to group or others. */
static void fail_exposed(struct parser *p, const char *file, const struct stat *st, const char *how)
{
	key_fail(p,
	         "%s is %s by group or others (mode %04o): chmod 600 %s, or chmod 640 with "
	         "group " SECRET_GROUP,
	         file, how, (unsigned)(st->st_mode & 07777), file);
}

/* The first line of the secret file open as fd, read into a new string,
 * "\r\n" removed. NULL after reporting. */
static char *read_first_line(struct parser *p, int fd, const char *path)
{
	char buf[SECRET_MAX + 2];
	char *secret = NULL;
	const char *nl;
	size_t n = 0;
	size_t len;
	ssize_t r;

	while (n < sizeof buf - 1 && !memchr(buf, '\n', n)) {
		r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			key_fail(p, "cannot read %s: %s", path, strerror(errno));
			return NULL;
		}
		n += (size_t)r;
	}
	nl = memchr(buf, '\n', n);
	len = nl ? (size_t)(nl - buf) : n;
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
	explicit_bzero(buf, sizeof buf);
	return secret;
}

/* Reads the first line of a secret file (password, token): refused when
 * it is not a regular file or group or others can access it. */
static char *read_secret(struct parser *p, const char *path)
{
	char *secret = NULL;
	struct stat st;
	const char *how;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		key_fail(p, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		key_fail(p, "cannot stat %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		key_fail(p, "%s is not a regular file", path);
	else if ((how = secret_exposure(&st)) != NULL)
		fail_exposed(p, path, &st, how);
	else if (!fail_foreign_owner(p, path, &st))
		secret = read_first_line(p, fd, path);
	close(fd);
	return secret;
}

/* On a reload: the secret the running configuration read from path for
 * the key being parsed, or NULL. */
static const char *prev_secret(struct parser *p, const char *path)
{
	const struct cfg *o = p->prev;
	const struct cfg_router *r;

	if (!o)
		return NULL;
	if (p->sec == SEC_HTTP)
		return o->auth_password_file && strcmp(o->auth_password_file, path) == 0
		               ? o->auth_password
		               : NULL;
	if (p->sec != SEC_ROUTER ||
	    (r = cfg_router(o, p->cfg->routers[p->cfg->n_routers - 1].name)) == NULL)
		return NULL;
	if (strcmp(p->key, "password_file") == 0 && r->password_file &&
	    strcmp(r->password_file, path) == 0)
		return r->password;
	if (strcmp(p->key, "push_token_file") == 0 && r->push_token_file &&
	    strcmp(r->push_token_file, path) == 0)
		return r->push_token;
	return NULL;
}

/* read_secret on a reload: a daemon that gave up root may no longer open
 * a secret file it read as root at start; when the path is unchanged the
 * secret already loaded stays (the file's checks still apply where it
 * can be seen). Returns the secret, or NULL after reporting. */
static char *reread_secret(struct parser *p, const char *path)
{
	const char *old = prev_secret(p, path);
	struct stat st;
	const char *how;
	char *copy;
	int fd;

	if (!old)
		return read_secret(p, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		close(fd);
		return read_secret(p, path);
	}
	if (errno != EACCES && errno != EPERM)
		return read_secret(p, path);
	if (stat(path, &st) == 0) {
		if ((how = secret_exposure(&st)) != NULL) {
			fail_exposed(p, path, &st, how);
			return NULL;
		}
		if (fail_foreign_owner(p, path, &st))
			return NULL;
	}
	if ((copy = strdup(old)) == NULL) {
		nomem(p);
		return NULL;
	}
	log_warnx("%s:%d: [%s] %s: cannot read %s as this user (%s): keeping the secret "
	          "loaded before; to let a reload re-read it: chown root:" SECRET_GROUP
	          " %s; chmod 640 %s",
	          p->path, p->lineno, p->label, p->key, path, strerror(EACCES), path, path);
	return copy;
}

/* ------------------------------------------------------------------ */
/* The current section                                                 */
/* ------------------------------------------------------------------ */

static struct cfg_router *router(struct parser *p)
{
	return &p->cfg->routers[p->cfg->n_routers - 1];
}

/* ------------------------------------------------------------------ */
/* [tikstat]                                                           */
/* ------------------------------------------------------------------ */

/* A path key: scalar, resolved; empty keeps the default. */
static int set_path(struct parser *p, const char *v, char **field)
{
	char *s = scalar(p, v);
	char *path;

	if (!s)
		return -1;
	if (!*s) {
		free(s);
		return 0;
	}
	path = resolve_path(p, s);
	free(s);
	if (!path)
		return -1;
	free(*field);
	*field = path;
	return 0;
}

static int set_database(struct parser *p, const char *v)
{
	return set_path(p, v, &p->cfg->database);
}

/* An IANA name: no absolute path, no "..", only the characters of zone
 * names; and a TZif file of that name under the zoneinfo directory. */
static int set_timezone(struct parser *p, const char *v)
{
	const char *dir = getenv("TZDIR");
	char *name = scalar(p, v);
	char path[PATH_MAX];
	char magic[4];
	bool ok = false;

	if (!name)
		return -1;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	if (!*name) {
		free(name);
		return 0;
	}
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
	free(p->cfg->timezone);
	p->cfg->timezone = name;
	return 0;
bad_name:
	key_fail(p, "invalid time zone name '%s' (use an IANA name such as Europe/Berlin)",
	         shown(p, name));
	free(name);
	return -1;
}

static int set_cycle_start_day(struct parser *p, const char *v)
{
	long day;

	if (parse_int(v, 1, 28, &day) < 0) {
		key_fail(p, "must be 1 to 28, got %s", shown(p, v));
		return -1;
	}
	p->cfg->cycle_start_day = (int)day;
	return 0;
}

static int set_max_rate(struct parser *p, const char *v)
{
	uint64_t rate = 0;
	int rc = parse_size(v, &rate);

	if (rc == -1)
		key_fail(p, "invalid rate '%s' (bits/s, e.g. 100M, 1G or 2.5G)", shown(p, v));
	else if (rc == -2)
		key_fail(p, "rate '%s' is too large", shown(p, v));
	else if (rate == 0)
		key_fail(p, "must be more than 0");
	else
		p->cfg->max_rate = rate;
	return rc < 0 || rate == 0 ? -1 : 0;
}

/* A duration of 1 to SECONDS_MAX seconds into an int. */
static int set_seconds(struct parser *p, const char *v, int *field)
{
	int64_t s;
	int rc = parse_duration(v, &s);

	if (rc == -1) {
		key_fail(p, "invalid duration '%s' (seconds, or e.g. 30s, 5m, 2h)", shown(p, v));
		return -1;
	}
	if (rc == -2 || s < 1 || s > SECONDS_MAX) {
		key_fail(p, "must be 1 to %d seconds, got %s", SECONDS_MAX, shown(p, v));
		return -1;
	}
	*field = (int)s;
	return 0;
}

static int set_commit_interval(struct parser *p, const char *v)
{
	return set_seconds(p, v, &p->cfg->commit_interval);
}

static int set_log_level(struct parser *p, const char *v)
{
	if (log_level_parse(v) < 0) {
		key_fail(p, "must be error, warning, info or debug, got '%s'", shown(p, v));
		return -1;
	}
	return set_string(p, &p->cfg->log_level, v);
}

/* "forever" (stored as 0) or a duration of 1 second or more. */
static int set_retention(struct parser *p, const char *v, enum step step)
{
	int64_t s = 0;
	int rc;

	if (strcmp(v, "forever") == 0) {
		p->cfg->retention[step] = 0;
		return 0;
	}
	rc = parse_duration(v, &s);
	if (rc == -1)
		key_fail(p, "invalid duration '%s' (e.g. 7d, 90d or forever)", shown(p, v));
	else if (rc == -2)
		key_fail(p, "duration '%s' is too large (use forever)", shown(p, v));
	else if (s < 1)
		key_fail(p, "must be 1 second or more, or forever");
	else
		p->cfg->retention[step] = s;
	return rc < 0 || s < 1 ? -1 : 0;
}

static int set_retention_5min(struct parser *p, const char *v)
{
	return set_retention(p, v, STEP_5MIN);
}

static int set_retention_hour(struct parser *p, const char *v)
{
	return set_retention(p, v, STEP_HOUR);
}

static int set_retention_day(struct parser *p, const char *v)
{
	return set_retention(p, v, STEP_DAY);
}

static int set_retention_month(struct parser *p, const char *v)
{
	return set_retention(p, v, STEP_MONTH);
}

static int set_retention_year(struct parser *p, const char *v)
{
	return set_retention(p, v, STEP_YEAR);
}

/* ------------------------------------------------------------------ */
/* [http]                                                              */
/* ------------------------------------------------------------------ */

static void free_list(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
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

/* Orders indexes into a list by name, equal names by position. */
static const char *const *sort_names;

static int by_name(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_names[i], sort_names[j]);

	return c ? c : (i > j) - (i < j);
}

/* Rejects a name listed twice, naming the one whose repetition comes
 * first in the list. Sorting makes this O(n log n): a router may list
 * thousands of interfaces. (cfg_load runs on one thread: sort_names.)
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
	if ((idx = malloc((n ? n : 1) * sizeof *idx)) == NULL)
		return nomem(p);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_names = (const char *const *)v;
	qsort(idx, n, sizeof *idx, by_name);
	sort_names = NULL;
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

/* A comma list of listen entries into *field (*count entries). */
static int set_listen_list(struct parser *p, const char *v, char ***field, size_t *count)
{
	char *tok = malloc(strlen(v) + 1);
	char **list = NULL;
	size_t n = 0;
	int rc = -1;

	if (!tok)
		return nomem(p);
	for (const char *s = v; s;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char host[256];
		uint16_t port;
		const char *why;
		char *entry;

		memcpy(tok, s, len);
		tok[len] = '\0';
		s = comma ? comma + 1 : NULL;
		entry = trim(tok);
		if (!*entry) {
			key_fail(p, "empty entry in the list");
			goto out;
		}
		if ((why = listen_error(entry, host, sizeof host, &port)) != NULL) {
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
	free_list(*field, *count);
	*field = list;
	*count = n;
	list = NULL;
	rc = 0;
out:
	free_list(list, n);
	free(tok);
	return rc;
}

static int set_listen(struct parser *p, const char *v)
{
	return set_listen_list(p, v, &p->cfg->listen, &p->cfg->n_listen);
}

static int set_https_listen(struct parser *p, const char *v)
{
	return set_listen_list(p, v, &p->cfg->https_listen, &p->cfg->n_https_listen);
}

static int set_auth_user(struct parser *p, const char *v)
{
	char *s = scalar(p, v);

	if (!s)
		return -1;
	if (!*s) {
		free(s);
		return 0;
	}
	if (strchr(s, ':')) {
		key_fail(p, "must not contain ':' (HTTP basic authentication)");
		free(s);
		return -1;
	}
	free(p->cfg->auth_user);
	p->cfg->auth_user = s;
	return 0;
}

/* A secret file key: the path is resolved and the file read now; the
 * path is kept in *path_field. */
static int set_secret_file(struct parser *p, const char *v, char **field, char **path_field)
{
	char *path = NULL;
	char *secret;

	if (set_path(p, v, &path) < 0)
		return -1;
	if (!path)
		return 0;
	/* Without secrets, a distinct placeholder keeps the checks that
	 * compare secrets (one token per router) meaningful. */
	secret = p->skip_secrets ? strdup(path) : reread_secret(p, path);
	if (p->skip_secrets && !secret)
		nomem(p);
	if (!secret) {
		free(path);
		return -1;
	}
	wipe_free(*field);
	*field = secret;
	free(*path_field);
	*path_field = path;
	return 0;
}

static int set_auth_password_file(struct parser *p, const char *v)
{
	return set_secret_file(p, v, &p->cfg->auth_password, &p->cfg->auth_password_file);
}

/* The whole of the regular file open as fd (at most max bytes, no NUL
 * byte) into a new string; it must hold marker (PEM). NULL after
 * reporting. */
static char *read_pem(struct parser *p, int fd, const char *path, size_t max, const char *marker)
{
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;

	if (!buf) {
		nomem(p);
		return NULL;
	}
	while (n <= max) {
		r = read(fd, buf + n, max + 1 - n);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			key_fail(p, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		n += (size_t)r;
	}
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

/* Opens path for a TLS key: a regular file. -1 after reporting; errno is
 * kept for the caller (EACCES on a reload). */
static int open_regular(struct parser *p, const char *path, struct stat *st, bool report)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int e;

	if (fd < 0) {
		e = errno;
		if (report)
			key_fail(p, "cannot open %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		key_fail(p, "%s is not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* The certificate (chain) is public: any readable regular file. */
static int set_tls_cert_file(struct parser *p, const char *v)
{
	struct stat st;
	char *pem;
	int fd;

	if (set_path(p, v, &p->cfg->tls_cert_file) < 0)
		return -1;
	if (!p->cfg->tls_cert_file || p->skip_secrets)
		return 0;
	if ((fd = open_regular(p, p->cfg->tls_cert_file, &st, true)) < 0)
		return -1;
	pem = read_pem(p, fd, p->cfg->tls_cert_file, TLS_CERT_MAX, "-----BEGIN CERTIFICATE-----");
	close(fd);
	if (!pem)
		return -1;
	free(p->cfg->tls_cert);
	p->cfg->tls_cert = pem;
	return 0;
}

/* The private key is a secret file (owner and mode as password_file). A
 * reload by a daemon that gave up root and may not open it keeps the
 * running key, and finish_http the running certificate with it (a pair). */
static int set_tls_key_file(struct parser *p, const char *v)
{
	const struct cfg *o = p->prev;
	struct stat st;
	const char *how;
	char *pem = NULL;
	char *path;
	int fd;

	if (set_path(p, v, &p->cfg->tls_key_file) < 0)
		return -1;
	path = p->cfg->tls_key_file;
	if (!path || p->skip_secrets)
		return 0;
	bool same = o && o->tls_key && o->tls_key_file && strcmp(o->tls_key_file, path) == 0;
	fd = open_regular(p, path, &st, !same);
	if (fd < 0 && same && (errno == EACCES || errno == EPERM)) {
		if ((pem = strdup(o->tls_key)) == NULL)
			return nomem(p);
		log_warnx("%s:%d: [http] tls_key_file: cannot read %s as this user: keeping the "
		          "key and certificate loaded before (a restart loads new ones; or: chown "
		          "root:" SECRET_GROUP " %s; chmod 640 %s)",
		          p->path, p->lineno, path, path, path);
		p->tls_key_kept = true;
	} else if (fd < 0) {
		if (same)
			key_fail(p, "cannot open %s: %s", path, strerror(errno));
		return -1;
	} else if ((how = secret_exposure(&st)) != NULL) {
		fail_exposed(p, path, &st, how);
	} else if (!fail_foreign_owner(p, path, &st)) {
		pem = read_pem(p, fd, path, TLS_KEY_MAX, "PRIVATE KEY-----");
	}
	if (fd >= 0)
		close(fd);
	if (!pem)
		return -1;
	wipe_free(p->cfg->tls_key);
	p->cfg->tls_key = pem;
	return 0;
}

/* ------------------------------------------------------------------ */
/* [router NAME]                                                       */
/* ------------------------------------------------------------------ */

static int set_mode(struct parser *p, const char *v)
{
	if (strcmp(v, "poll") == 0)
		router(p)->mode = MODE_POLL;
	else if (strcmp(v, "push") == 0)
		router(p)->mode = MODE_PUSH;
	else {
		key_fail(p, "must be poll or push, got '%s'", shown(p, v));
		return -1;
	}
	return 0;
}

/* A host name, IPv4 address, or IPv6 address without brackets. */
static int set_host(struct parser *p, const char *v)
{
	char *s = scalar(p, v);
	size_t n;

	if (!s)
		return -1;
	n = strlen(s);
	if (n > 0 && !(strchr(s, ':') ? is_ipv6(s, n) : is_host_name(s, n))) {
		key_fail(p, "invalid host '%s' (a name or an address, without brackets or port)",
		         shown(p, s));
		free(s);
		return -1;
	}
	if (n == 0) {
		free(s);
		return 0;
	}
	free(router(p)->host);
	router(p)->host = s;
	return 0;
}

static int set_port(struct parser *p, const char *v)
{
	long port;

	if (parse_int(v, 1, 65535, &port) < 0) {
		key_fail(p, "must be 1 to 65535, got %s", shown(p, v));
		return -1;
	}
	router(p)->port = (uint16_t)port;
	return 0;
}

static int set_tls(struct parser *p, const char *v)
{
	static const struct {
		const char *name;
		enum ros_tls_mode mode;
	} modes[] = {{"off", ROS_TLS_OFF},
	             {"verify", ROS_TLS_VERIFY},
	             {"fingerprint", ROS_TLS_FINGERPRINT},
	             {"anonymous", ROS_TLS_ANONYMOUS}};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (strcmp(v, modes[i].name) == 0) {
			router(p)->tls = modes[i].mode;
			return 0;
		}
	}
	key_fail(p, "must be off, verify, fingerprint or anonymous, got '%s'", shown(p, v));
	return -1;
}

/* The CA file must be readable now: the poller may run unprivileged. */
static int set_tls_ca_file(struct parser *p, const char *v)
{
	char **field = &router(p)->tls_ca_file;
	int fd;

	if (set_path(p, v, field) < 0)
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

/* "sha256:" (any case) and 64 hex digits, colons anywhere, into
 * "sha256:AB:CD:..." (FINGERPRINT_LEN bytes). 0 or -1. */
static int normalise_fingerprint(const char *v, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t digits = 0;
	size_t o = 7;

	if (strncasecmp(v, "sha256:", 7) != 0)
		return -1;
	memcpy(out, "sha256:", 7);
	for (const char *c = v + 7; *c; c++) {
		if (*c == ':')
			continue;
		if (!isxdigit((unsigned char)*c) || ++digits > 64)
			return -1;
		if (digits > 1 && digits % 2 == 1)
			out[o++] = ':';
		out[o++] = *strchr(hex, toupper((unsigned char)*c));
	}
	out[o] = '\0';
	return digits == 64 ? 0 : -1;
}

static int set_tls_fingerprint(struct parser *p, const char *v)
{
	char fp[FINGERPRINT_LEN];

	if (normalise_fingerprint(v, fp) < 0) {
		key_fail(p,
		         "expected 'sha256:' and 64 hex digits (colons and case ignored), got '%s'",
		         shown(p, v));
		return -1;
	}
	return set_string(p, &router(p)->tls_fingerprint, fp);
}

static int set_user(struct parser *p, const char *v)
{
	char *s = scalar(p, v);

	if (!s)
		return -1;
	if (!*s) {
		free(s);
		return 0;
	}
	free(router(p)->user);
	router(p)->user = s;
	return 0;
}

static int exclusive_passwords(struct parser *p)
{
	if (p->key_set[K_PASSWORD] || p->key_set[K_PASSWORD_FILE]) {
		key_fail(p, "password and password_file are mutually exclusive");
		return -1;
	}
	return 0;
}

/* password = in the file: then the file itself holds a secret and must be
 * as private as a password file. "" is an empty password. */
static int set_password(struct parser *p, const char *v)
{
	const char *how;
	char *s;

	if (exclusive_passwords(p) < 0 || (s = scalar(p, v)) == NULL)
		return -1;
	if (*s && !p->skip_secrets && (how = secret_exposure(&p->st)) != NULL) {
		key_fail(p,
		         "%s holds this password but is %s by group or others (mode %04o): "
		         "chmod 600 %s, or chmod 640 with group " SECRET_GROUP
		         ", or use password_file",
		         p->path, how, (unsigned)(p->st.st_mode & 07777), p->path);
		wipe_free(s);
		return -1;
	}
	if (*s && !p->skip_secrets && fail_foreign_owner(p, p->path, &p->st)) {
		wipe_free(s);
		return -1;
	}
	wipe_free(router(p)->password);
	router(p)->password = s;
	return 0;
}

static int set_password_file(struct parser *p, const char *v)
{
	if (exclusive_passwords(p) < 0)
		return -1;
	return set_secret_file(p, v, &router(p)->password, &router(p)->password_file);
}

/* Reads one entry of an interfaces list at *s: blanks, a quoted or plain
 * name, blanks, then a comma (*more = true) or the end. Stores the name in
 * out (strlen(*s) + 1 bytes) and moves *s past it. NULL or the reason. */
static const char *list_entry(const char **s, char *out, bool *more)
{
	const char *c = *s;
	const char *end;
	const char *why;

	while (is_blank(*c))
		c++;
	if (*c == '"') {
		if ((why = dequote(c, out, &end)) != NULL)
			return why;
		c = end;
		while (is_blank(*c))
			c++;
		if (*c && *c != ',')
			return "text after the closing quote";
	} else {
		size_t n = strcspn(c, ",");

		end = c + n;
		while (n > 0 && is_blank(c[n - 1]))
			n--;
		if (memchr(c, '"', n))
			return "'\"' inside a name (quote the whole name and write \\\" inside)";
		memcpy(out, c, n);
		out[n] = '\0';
		c = end;
	}
	if (!*out)
		return "empty name";
	if (has_control(out))
		return "control character in the name";
	*more = *c == ',';
	*s = *more ? c + 1 : c;
	return NULL;
}

static int set_interfaces(struct parser *p, const char *v)
{
	struct cfg_router *r = router(p);
	char *name = malloc(strlen(v) + 1);
	char **list = NULL;
	size_t *sorted = NULL;
	size_t n = 0;
	bool more = true;
	int rc = -1;

	if (!name)
		return nomem(p);
	for (const char *s = v; more;) {
		const char *why = list_entry(&s, name, &more);

		if (why) {
			key_fail(p, "entry %zu: %s", n + 1, why);
			goto out;
		}
		if (list_add(p, &list, &n, name, strlen(name)) < 0)
			goto out;
	}
	if (check_unique(p, list, n, &sorted) < 0)
		goto out;
	free_list(r->interfaces, r->n_interfaces);
	free(r->interfaces_by_name);
	r->interfaces = list;
	r->n_interfaces = n;
	r->interfaces_by_name = sorted;
	list = NULL;
	rc = 0;
out:
	free_list(list, n);
	free(name);
	return rc;
}

static int set_interval(struct parser *p, const char *v)
{
	return set_seconds(p, v, &router(p)->interval);
}

static int set_timeout(struct parser *p, const char *v)
{
	return set_seconds(p, v, &router(p)->timeout);
}

static int set_command_timeout(struct parser *p, const char *v)
{
	return set_seconds(p, v, &router(p)->command_timeout);
}

/* A bound of one reply (max_reply_size, max_reply_items): 1 or more. */
static int set_reply_bound(struct parser *p, const char *v, uint64_t *field, const char *unit,
                           const char *example)
{
	uint64_t n = 0;
	int rc = parse_size(v, &n);

	if (rc == -1)
		key_fail(p, "invalid %s '%s' (e.g. %s)", unit, shown(p, v), example);
	else if (rc == -2)
		key_fail(p, "%s '%s' is too large", unit, shown(p, v));
	else if (n == 0)
		key_fail(p, "must be more than 0");
	else
		*field = n;
	return rc < 0 || n == 0 ? -1 : 0;
}

static int set_max_reply_size(struct parser *p, const char *v)
{
	return set_reply_bound(p, v, &router(p)->max_reply_size, "size", "32Mi or 100M");
}

static int set_max_reply_items(struct parser *p, const char *v)
{
	return set_reply_bound(p, v, &router(p)->max_reply_items, "count", "100000");
}

static int set_push_token_file(struct parser *p, const char *v)
{
	char **field = &router(p)->push_token;

	if (set_secret_file(p, v, field, &router(p)->push_token_file) < 0)
		return -1;
	if (*field && strlen(*field) < TOKEN_MIN) {
		key_fail(p, "the token is shorter than %d characters", TOKEN_MIN);
		return -1;
	}
	return 0;
}

static int set_ip_file(struct parser *p, const char *v)
{
	return set_path(p, v, &router(p)->ip_file);
}

/* One interface name, plain or quoted as in interfaces (any interface of
 * the router: the WAN need not be accounted). */
static int set_ip_interface(struct parser *p, const char *v)
{
	char *name = malloc(strlen(v) + 1);
	bool more = false;
	int rc = -1;

	if (!name)
		return nomem(p);
	const char *s = v;
	const char *why = list_entry(&s, name, &more);

	if (why)
		key_fail(p, "%s", why);
	else if (more)
		key_fail(p, "one interface name only");
	else
		rc = set_string(p, &router(p)->ip_interface, name);
	free(name);
	return rc;
}

const char *cfg_parse_net(const char *text, struct cfg_net *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	struct cfg_net n = {0};
	unsigned max;
	long prefix;

	if (alen == 0 || alen >= sizeof addr)
		return "not an IPv4 or IPv6 address";
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, n.addr) == 1) {
		n.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, n.addr) == 1) {
		n.family = AF_INET6;
		max = 128;
	} else {
		return "not an IPv4 or IPv6 address";
	}
	n.prefix = max;
	if (slash) {
		if (parse_int(slash + 1, 0, (long)max, &prefix) < 0)
			return max == 32 ? "the prefix must be 0 to 32" : "the prefix must be 0 to 128";
		n.prefix = (unsigned)prefix;
	}
	for (unsigned bit = n.prefix; bit < max; bit++)
		if (n.addr[bit / 8] & (0x80u >> (bit % 8)))
			return "host bits set after the prefix (write the network, e.g. "
			       "192.0.2.0/24, or the address alone)";
	*out = n;
	return NULL;
}

/* True when the first bits bits of a and b are equal. */
static bool same_bits(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xFFu << (8 - rest)) & 0xFFu) == 0;
}

bool cfg_net_contains(const struct cfg_net *n, int family, const unsigned char *addr)
{
	return n->family == family && same_bits(n->addr, addr, n->prefix);
}

bool cfg_net_overlap(const struct cfg_net *a, const struct cfg_net *b)
{
	return a->family == b->family &&
	       same_bits(a->addr, b->addr, a->prefix < b->prefix ? a->prefix : b->prefix);
}

/* A comma list of ADDR[/PREFIX] (blanks around entries allowed). */
static int set_push_allow_from(struct parser *p, const char *v)
{
	struct cfg_router *r = router(p);
	char *tok = malloc(strlen(v) + 1);
	struct cfg_net *nets = NULL;
	size_t n = 0;
	int rc = -1;

	if (!tok)
		return nomem(p);
	for (const char *s = v; s;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		struct cfg_net net;
		const char *why;
		char *entry;
		struct cfg_net *grown;

		memcpy(tok, s, len);
		tok[len] = '\0';
		s = comma ? comma + 1 : NULL;
		entry = trim(tok);
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
	free(r->push_allow);
	r->push_allow = nets;
	r->n_push_allow = n;
	nets = NULL;
	rc = 0;
out:
	free(nets);
	free(tok);
	return rc;
}

static int set_quota(struct parser *p, const char *v)
{
	int rc = parse_size(v, &router(p)->quota);

	if (rc == -1)
		key_fail(p, "invalid size '%s' (bytes, e.g. 500G, 1.5T or 800Gi)", shown(p, v));
	else if (rc == -2)
		key_fail(p, "size '%s' is too large", shown(p, v));
	return rc < 0 ? -1 : 0;
}

/* Taken as written: the shell that runs it reads its quotes. */
static int set_alert_command(struct parser *p, const char *v)
{
	if (has_control(v)) {
		key_fail(p, "contains a control character");
		return -1;
	}
	return set_string(p, &router(p)->alert_command, v);
}

static const struct key_def keys[K_COUNT] = {
        [K_DATABASE] = {"database", SEC_TIKSTAT, set_database},
        [K_TIMEZONE] = {"timezone", SEC_TIKSTAT, set_timezone},
        [K_CYCLE_START_DAY] = {"cycle_start_day", SEC_TIKSTAT, set_cycle_start_day},
        [K_MAX_RATE] = {"max_rate", SEC_TIKSTAT, set_max_rate},
        [K_COMMIT_INTERVAL] = {"commit_interval", SEC_TIKSTAT, set_commit_interval},
        [K_LOG_LEVEL] = {"log_level", SEC_TIKSTAT, set_log_level},
        [K_RETENTION_5MIN] = {"retention_5min", SEC_TIKSTAT, set_retention_5min},
        [K_RETENTION_HOUR] = {"retention_hour", SEC_TIKSTAT, set_retention_hour},
        [K_RETENTION_DAY] = {"retention_day", SEC_TIKSTAT, set_retention_day},
        [K_RETENTION_MONTH] = {"retention_month", SEC_TIKSTAT, set_retention_month},
        [K_RETENTION_YEAR] = {"retention_year", SEC_TIKSTAT, set_retention_year},
        [K_LISTEN] = {"listen", SEC_HTTP, set_listen},
        [K_AUTH_USER] = {"auth_user", SEC_HTTP, set_auth_user},
        [K_AUTH_PASSWORD_FILE] = {"auth_password_file", SEC_HTTP, set_auth_password_file},
        [K_HTTPS_LISTEN] = {"https_listen", SEC_HTTP, set_https_listen},
        [K_TLS_CERT_FILE] = {"tls_cert_file", SEC_HTTP, set_tls_cert_file},
        [K_TLS_KEY_FILE] = {"tls_key_file", SEC_HTTP, set_tls_key_file},
        [K_MODE] = {"mode", SEC_ROUTER, set_mode},
        [K_HOST] = {"host", SEC_ROUTER, set_host},
        [K_PORT] = {"port", SEC_ROUTER, set_port},
        [K_TLS] = {"tls", SEC_ROUTER, set_tls},
        [K_TLS_CA_FILE] = {"tls_ca_file", SEC_ROUTER, set_tls_ca_file},
        [K_TLS_FINGERPRINT] = {"tls_fingerprint", SEC_ROUTER, set_tls_fingerprint},
        [K_USER] = {"user", SEC_ROUTER, set_user},
        [K_PASSWORD] = {"password", SEC_ROUTER, set_password},
        [K_PASSWORD_FILE] = {"password_file", SEC_ROUTER, set_password_file},
        [K_INTERFACES] = {"interfaces", SEC_ROUTER, set_interfaces},
        [K_INTERVAL] = {"interval", SEC_ROUTER, set_interval},
        [K_TIMEOUT] = {"timeout", SEC_ROUTER, set_timeout},
        [K_COMMAND_TIMEOUT] = {"command_timeout", SEC_ROUTER, set_command_timeout},
        [K_MAX_REPLY_SIZE] = {"max_reply_size", SEC_ROUTER, set_max_reply_size},
        [K_MAX_REPLY_ITEMS] = {"max_reply_items", SEC_ROUTER, set_max_reply_items},
        [K_PUSH_TOKEN_FILE] = {"push_token_file", SEC_ROUTER, set_push_token_file},
        [K_IP_FILE] = {"ip_file", SEC_ROUTER, set_ip_file},
        [K_IP_INTERFACE] = {"ip_interface", SEC_ROUTER, set_ip_interface},
        [K_QUOTA] = {"quota", SEC_ROUTER, set_quota},
        [K_ALERT_COMMAND] = {"alert_command", SEC_ROUTER, set_alert_command},
        [K_PUSH_ALLOW_FROM] = {"push_allow_from", SEC_ROUTER, set_push_allow_from},
};

/* Keys that mean nothing for a router pushing its counters. */
static const enum key poll_only[] = {
        K_HOST, K_PORT,     K_TLS,           K_TLS_CA_FILE, K_TLS_FINGERPRINT,
        K_USER, K_PASSWORD, K_PASSWORD_FILE, K_TIMEOUT, K_COMMAND_TIMEOUT, K_MAX_REPLY_SIZE,
        K_MAX_REPLY_ITEMS, K_IP_INTERFACE};

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

	if (c->n_https_listen && !c->tls_cert_file)
		key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "tls_cert_file",
		            "required with https_listen");
	else if (c->n_https_listen && !c->tls_key_file)
		key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "tls_key_file",
		            "required with https_listen");
	else if (!c->n_https_listen && (c->tls_cert_file || c->tls_key_file))
		key_fail_at(p, line_of(p, c->tls_cert_file ? K_TLS_CERT_FILE : K_TLS_KEY_FILE),
		            "https_listen", "required with tls_cert_file and tls_key_file");
	for (size_t i = 0; i < c->n_https_listen && !p->failed; i++)
		for (size_t j = 0; j < c->n_listen; j++)
			if (strcmp(c->https_listen[i], c->listen[j]) == 0) {
				key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "https_listen",
				            "'%s' is also in listen: an address serves either "
				            "plain HTTP or HTTPS",
				            shown(p, c->https_listen[i]));
				break;
			}
	if (!p->failed && c->n_listen + c->n_https_listen > CFG_MAX_LISTEN)
		key_fail_at(p, line_of(p, K_HTTPS_LISTEN), "https_listen",
		            "%zu entries with listen: at most %d addresses can be listened on",
		            c->n_listen + c->n_https_listen, CFG_MAX_LISTEN);
	/* the kept key needs the certificate it was loaded with */
	if (!p->failed && p->tls_key_kept && p->prev && p->prev->tls_cert) {
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
	enum key first = K_COUNT;

	for (size_t i = 0; i < sizeof poll_only / sizeof poll_only[0]; i++)
		if (p->key_set[poll_only[i]] &&
		    (first == K_COUNT || p->key_line[poll_only[i]] < p->key_line[first]))
			first = poll_only[i];
	if (first != K_COUNT) {
		key_fail_at(p, p->key_line[first], keys[first].name, "only used with mode = poll");
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

/* Checks across the keys of the section that ends here. */
static void finish_section(struct parser *p)
{
	if (p->failed)
		return;
	if (p->sec == SEC_HTTP)
		finish_http(p);
	else if (p->sec == SEC_ROUTER)
		finish_router(p);
}

/* ------------------------------------------------------------------ */
/* Section headers                                                     */
/* ------------------------------------------------------------------ */

static int check_router_name(struct parser *p, const char *name)
{
	if (!*name) {
		fail(p, p->lineno, "[router] needs a name, e.g. [router home]");
		return -1;
	}
	if (strlen(name) > ROUTER_NAME_MAX) {
		fail(p, p->lineno, "router name '%s' is longer than %d characters", shown(p, name),
		     ROUTER_NAME_MAX);
		return -1;
	}
	for (const char *c = name; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c)) {
			fail(p, p->lineno,
			     "invalid router name '%s': use letters, digits, '-', '_' and '.'",
			     shown(p, name));
			return -1;
		}
	}
	for (size_t i = 0; i < p->cfg->n_routers; i++) {
		if (strcmp(p->cfg->routers[i].name, name) == 0) {
			fail(p, p->lineno, "duplicate router '%s' (first defined on line %d)", name,
			     p->router_lines[i]);
			return -1;
		}
	}
	return 0;
}

static int add_router(struct parser *p, const char *name)
{
	struct cfg *c = p->cfg;
	struct cfg_router *grown;
	int *lines;

	if (check_router_name(p, name) < 0)
		return -1;
	grown = realloc(c->routers, (c->n_routers + 1) * sizeof *grown);
	if (!grown)
		return nomem(p);
	c->routers = grown;
	lines = realloc(p->router_lines, (c->n_routers + 1) * sizeof *lines);
	if (!lines)
		return nomem(p);
	p->router_lines = lines;
	lines[c->n_routers] = p->lineno;
	struct cfg_router *r = &grown[c->n_routers];
	*r = (struct cfg_router){
	        .mode = MODE_POLL, .tls = ROS_TLS_OFF, .interval = 10, .timeout = 5,
	        .max_reply_size = ROS_DEFAULT_MAX_REPLY_BYTES,
	        .max_reply_items = ROS_DEFAULT_MAX_REPLY_SENTENCES};
	c->n_routers++;
	if (!(r->name = strdup(name)) || !(r->user = strdup(DEFAULT_USER)))
		return nomem(p);
	snprintf(p->label, sizeof p->label, "router %s", name);
	return 0;
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

/* A "[...]" line: ends the previous section, starts the named one. */
static int start_section(struct parser *p, char *line)
{
	char *close = strchr(line, ']');
	char *name;

	if (!close) {
		fail(p, p->lineno, "syntax error: missing ']'");
		return -1;
	}
	if (close[1]) {
		fail(p, p->lineno, "syntax error: text after ']'");
		return -1;
	}
	*close = '\0';
	name = trim(line + 1);
	finish_section(p);
	if (p->failed)
		return -1;
	memset(p->key_line, 0, sizeof p->key_line);
	memset(p->key_set, 0, sizeof p->key_set);
	p->sec_line = p->lineno;
	if (strcmp(name, "tikstat") == 0) {
		p->sec = SEC_TIKSTAT;
		return single_section(p, &p->tikstat_line, name);
	}
	if (strcmp(name, "http") == 0) {
		p->sec = SEC_HTTP;
		return single_section(p, &p->http_line, name);
	}
	if (strncmp(name, "router", 6) == 0 && (!name[6] || is_blank(name[6]))) {
		p->sec = SEC_ROUTER;
		return add_router(p, trim(name + 6));
	}
	fail(p, p->lineno, "unknown section [%s]", shown(p, name));
	return -1;
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

/* One "key = value" line in the current section. */
static int set_key(struct parser *p)
{
	size_t k;

	if (p->sec == SEC_NONE) {
		fail(p, p->lineno,
		     "key '%s' outside of a section (start with [tikstat], [http] or "
		     "[router NAME])",
		     shown(p, p->key));
		return -1;
	}
	for (k = 0; k < K_COUNT; k++)
		if (keys[k].sec == p->sec && strcmp(keys[k].name, p->key) == 0)
			break;
	if (k == K_COUNT) {
		fail(p, p->lineno, "unknown key '%s' in [%s]", shown(p, p->key), p->label);
		return -1;
	}
	if (p->key_line[k]) {
		key_fail(p, "duplicate key (first set on line %d)", p->key_line[k]);
		return -1;
	}
	p->key_line[k] = p->lineno;
	if (!*p->value)
		return 0;
	if (keys[k].set(p, p->value) < 0)
		return -1;
	p->key_set[k] = true;
	return 0;
}

/* The inih handler: the key and value come from our line (read_line). */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;

	(void)section;
	(void)name;
	(void)value;
	return set_key(p) == 0;
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
		} else if (!quoted && (*c == ';' || *c == '#') && (c == s || is_blank(c[-1]))) {
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

/* Puts text into inih's buffer, or "alt" when it does not fit. */
static char *feed(char *str, int num, const char *text, const char *alt)
{
	snprintf(str, (size_t)num, "%s", strlen(text) < (size_t)num ? text : alt);
	return str;
}

/* Splits "key = value" (or "key: value", as inih does) in p->line. */
static int split_key(struct parser *p, char *line)
{
	char *sep = line + strcspn(line, "=:");
	char c = *sep;

	if (!c) {
		fail(p, p->lineno, "syntax error: expected 'key = value' or '[section]'");
		return -1;
	}
	*sep = '\0';
	p->key = trim(line);
	p->value = trim(sep + 1);
	if (!*p->key) {
		fail(p, p->lineno, "syntax error: missing key name before '%c'", c);
		return -1;
	}
	return 0;
}

/* The inih reader: one line per call, see the comment at the top. */
static char *read_line(char *str, int num, void *stream)
{
	struct parser *p = stream;
	char *line;
	char buf[8 + ROUTER_NAME_MAX + 8];

	if (p->failed || p->pos >= p->len || num < 4)
		return NULL;
	if (next_line(p) < 0)
		return NULL;
	line = trim(p->line);
	strip_comment(line);
	line = trim(line);
	if (!*line)
		return feed(str, num, "", "");
	if (*line == '[') {
		if (start_section(p, line) < 0)
			return NULL;
		snprintf(buf, sizeof buf, "[%s]", p->label);
		return feed(str, num, buf, "[]");
	}
	if (split_key(p, line) < 0)
		return NULL;
	snprintf(buf, sizeof buf, "%.40s=", p->key);
	return feed(str, num, buf, "k=");
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

/* Reads the whole file into p->text and keeps its stat. */
static int read_file(struct parser *p)
{
	size_t cap = 4096;
	ssize_t r;
	int fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		fail(p, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &p->st) < 0 || !S_ISREG(p->st.st_mode)) {
		fail(p, 0, "not a regular file");
		goto err;
	}
	if ((p->text = malloc(cap)) == NULL)
		goto oom;
	while ((r = read(fd, p->text + p->len, cap - p->len - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(p, 0, "cannot read: %s", strerror(errno));
			goto err;
		}
		p->len += (size_t)r;
		if (p->len > CFG_MAX_FILE) {
			fail(p, 0, "larger than %d bytes", CFG_MAX_FILE);
			goto err;
		}
		if (p->len + 1 == cap) {
			char *grown = malloc(cap * 2);

			if (!grown)
				goto oom;
			memcpy(grown, p->text, p->len);
			explicit_bzero(p->text, cap);
			free(p->text);
			p->text = grown;
			cap *= 2;
		}
	}
	p->text[p->len] = '\0';
	close(fd);
	return 0;
oom:
	nomem(p);
err:
	close(fd);
	return -1;
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
	c->retention[STEP_5MIN] = 7 * 86400;
	c->retention[STEP_HOUR] = 90 * 86400;
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

static void parser_release(struct parser *p)
{
	if (p->text)
		explicit_bzero(p->text, p->len);
	if (p->line)
		explicit_bzero(p->line, p->line_cap);
	free(p->text);
	free(p->line);
	free(p->dir);
	free(p->router_lines);
}

struct cfg *cfg_load(const char *path, char *err, size_t errsz)
{
	return cfg_load_flags(path, 0, err, errsz);
}

static struct cfg *load(const char *path, int flags, const struct cfg *prev, char *err,
                        size_t errsz);

struct cfg *cfg_load_flags(const char *path, int flags, char *err, size_t errsz)
{
	return load(path, flags, NULL, err, errsz);
}

struct cfg *cfg_reload(const char *path, const struct cfg *prev, char *err, size_t errsz)
{
	return load(path, 0, prev, err, errsz);
}

static struct cfg *load(const char *path, int flags, const struct cfg *prev, char *err,
                        size_t errsz)
{
	struct parser p = {.path = path ? path : "(null)",
	                   .err = err,
	                   .errsz = errsz,
	                   .skip_secrets = (flags & CFG_SKIP_SECRETS) != 0,
	                   .prev = prev};
	int rc;

	if (err && errsz)
		err[0] = '\0';
	if (!path) {
		fail(&p, 0, "no configuration file given");
		return NULL;
	}
	if (config_dir(&p) < 0 || read_file(&p) < 0)
		goto err;
	if ((p.cfg = cfg_new(path)) == NULL) {
		nomem(&p);
		goto err;
	}
	rc = ini_parse_stream(read_line, &p, on_key, &p);
	if (!p.failed && rc != 0)
		fail(&p, rc > 0 ? rc : 0, rc == -2 ? "out of memory" : "syntax error");
	finish_section(&p);
	/* A daemon with nothing to do is a mistake (an empty or wrong file),
	 * and a reload to it would silently stop all accounting. */
	if (!p.failed && p.cfg->n_routers == 0)
		fail(&p, 0, "no [router NAME] section: nothing to poll or receive");
	if (p.failed)
		goto err;
	parser_release(&p);
	return p.cfg;
err:
	cfg_free(p.cfg);
	parser_release(&p);
	return NULL;
}

static void router_free(struct cfg_router *r)
{
	free(r->name);
	free(r->host);
	free(r->tls_ca_file);
	free(r->tls_fingerprint);
	free(r->user);
	wipe_free(r->password);
	free_list(r->interfaces, r->n_interfaces);
	wipe_free(r->push_token);
	free(r->ip_file);
	free(r->ip_interface);
	free(r->alert_command);
	free(r->password_file);
	free(r->push_token_file);
	free(r->interfaces_by_name);
	free(r->push_allow);
}

long cfg_interface_index(const struct cfg_router *r, const char *name)
{
	size_t lo = 0, hi = r->n_interfaces;

	if (!name)
		return -1;
	if (!r->interfaces_by_name) { /* a router not made by cfg_load (tests, demo) */
		for (size_t k = 0; k < r->n_interfaces; k++)
			if (strcmp(r->interfaces[k], name) == 0)
				return (long)k;
		return -1;
	}
	while (lo < hi) { /* the first name >= name */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->interfaces[r->interfaces_by_name[mid]], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n_interfaces && strcmp(r->interfaces[r->interfaces_by_name[lo]], name) == 0)
		return (long)r->interfaces_by_name[lo];
	return -1;
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_routers; i++)
		router_free(&c->routers[i]);
	free(c->routers);
	free(c->path);
	free(c->database);
	free(c->timezone);
	free(c->log_level);
	free_list(c->listen, c->n_listen);
	free(c->auth_user);
	wipe_free(c->auth_password);
	free(c->auth_password_file);
	free_list(c->https_listen, c->n_https_listen);
	free(c->tls_cert_file);
	free(c->tls_key_file);
	free(c->tls_cert);
	wipe_free(c->tls_key);
	free(c);
}

const struct cfg_router *cfg_router(const struct cfg *c, const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_routers; i++)
		if (strcmp(c->routers[i].name, name) == 0)
			return &c->routers[i];
	return NULL;
}
