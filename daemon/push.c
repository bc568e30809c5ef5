/* push.c — see push.h. */
#include "push.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "routeros.h"

#define BAD_TOKEN_LOG_SECONDS 10
#define BAD_TOKEN_SLOTS       64

bool push_secret_equal(const void *given, size_t len, const char *secret)
{
	const unsigned char *g = given, *s = (const unsigned char *)secret;
	size_t slen = strlen(secret);
	/* Loop over the caller's length only; index the secret modulo its
	 * length so no branch depends on where the two differ. */
	unsigned diff = (unsigned)((len ^ slen) != 0);
	for (size_t i = 0; i < len; i++)
		diff |= (unsigned)(g[i] ^ (slen ? s[i % slen] : 0));
	return diff == 0 && slen > 0;
}

int push_check_ip(const char *text)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof addr)
		return -1;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	unsigned char buf[16];
	int max;
	if (inet_pton(AF_INET, addr, buf) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, addr, buf) == 1)
		max = 128;
	else
		return -1;
	if (!slash)
		return 0;
	const char *d = slash + 1;
	size_t dl = strlen(d);
	uint64_t prefix;
	if (dl == 0 || dl > 3 || ros_parse_u64(d, dl, &prefix) != 0 || prefix > (uint64_t)max)
		return -1;
	return 0;
}

int push_write_file(const char *path, const char *text)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp)
		return -1;
	/* The temporary file sits next to path, so rename() is atomic. */
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	size_t tlen = strlen(text);
	int rc = 0;
	if (fchmod(fd, 0644) < 0 || write(fd, text, tlen) != (ssize_t)tlen ||
	    write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		rc = -1;
	int e = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -1;
		e = errno;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	errno = e;
	return rc;
}

/* At most one "bad token" line per source address per 10 s, and at most
 * BAD_TOKEN_LOG_PER_MINUTE such lines in total per minute (the per-address
 * table forgets addresses beyond its 64 slots, so many addresses would
 * otherwise flood the log); refusals beyond that are counted and reported
 * in one line when the next minute begins. Never logs the token. */
#define BAD_TOKEN_LOG_PER_MINUTE 20
static pthread_mutex_t bad_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char peer[64];
	int64_t at;
} bad_seen[BAD_TOKEN_SLOTS];
static struct {
	int64_t window_start; /* monotonic seconds */
	unsigned logged;
	unsigned long suppressed;
} bad_total;

static void log_bad_token(const char *peer, bool missing)
{
	int64_t now = (int64_t)time(NULL);
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	bool log_it = true;
	unsigned long report = 0;
	size_t oldest = 0;
	pthread_mutex_lock(&bad_lock);
	for (size_t i = 0; i < BAD_TOKEN_SLOTS; i++) {
		if (strcmp(bad_seen[i].peer, peer) == 0) {
			oldest = i;
			log_it = now - bad_seen[i].at >= BAD_TOKEN_LOG_SECONDS;
			break;
		}
		if (bad_seen[i].at < bad_seen[oldest].at)
			oldest = i;
	}
	if (bad_total.logged == 0 || mono.tv_sec - bad_total.window_start >= 60) {
		report = bad_total.suppressed;
		bad_total.window_start = mono.tv_sec;
		bad_total.logged = 0;
		bad_total.suppressed = 0;
	}
	if (log_it && bad_total.logged >= BAD_TOKEN_LOG_PER_MINUTE) {
		log_it = false;
		bad_total.suppressed++;
	}
	if (log_it) {
		snprintf(bad_seen[oldest].peer, sizeof bad_seen[oldest].peer, "%s", peer);
		bad_seen[oldest].at = now;
		bad_total.logged++;
	}
	pthread_mutex_unlock(&bad_lock);
	if (report)
		log_warnx("push: %lu more refusals for a bad token were not logged (at most %d "
			  "lines a minute)",
			  report, BAD_TOKEN_LOG_PER_MINUTE);
	if (log_it)
		log_warnx("push from %s refused: %s token (further refusals from there are "
			  "not logged for %d s)",
			  peer, missing ? "no" : "unknown", BAD_TOKEN_LOG_SECONDS);
}

/* The router in push mode whose token is given, or -1. Compares with every
 * token, so the time does not tell which one (nearly) matched. */
static long find_router(const struct cfg *cfg, const char *token)
{
	long found = -1;
	size_t len = strlen(token);
	for (size_t i = 0; i < cfg->n_routers; i++) {
		const struct cfg_router *r = &cfg->routers[i];
		if (r->mode != MODE_PUSH || !r->push_token)
			continue;
		if (push_secret_equal(token, len, r->push_token))
			found = (long)i;
	}
	return found;
}

static const char *const push_params[] = {"token", "interface", "rx", "tx", "uptime", "ip"};

/* Sets out's error and returns -1, so push_parse can `return fail(...)`. */
static int fail(struct push_parsed *out, enum status_push_reject why, int code, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
static int fail(struct push_parsed *out, enum status_push_reject why, int code, const char *fmt,
		...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof out->error, fmt, ap);
	va_end(ap);
	out->why = why;
	out->status = code;
	return -1;
}

int push_parse(const struct cfg *cfg, const struct api_params *p, bool legacy,
	       struct push_parsed *out)
{
	memset(out, 0, sizeof *out);
	const char *v[6] = {0};
	for (size_t i = 0; i < 6; i++) {
		if (legacy && i == 1)
			continue;
		if (api_param_get(p, push_params[i], &v[i]) < 0)
			return fail(out, PUSH_REJECT_PARAMETER, 400,
				    "invalid parameter '%s': given more than once", push_params[i]);
	}
	const char *token = v[0], *iface = v[1], *rx_s = v[2], *tx_s = v[3], *up_s = v[4],
		   *ip = v[5];
	long ri = token && *token ? find_router(cfg, token) : -1;
	if (ri < 0) {
		out->token_missing = !token || !*token;
		return fail(out, PUSH_REJECT_TOKEN, 403, "%s",
			    token && *token ? "unknown token" : "missing parameter 'token'");
	}
	const struct cfg_router *cr = &cfg->routers[ri];
	struct pushq_item *it = &out->item;
	it->router = (size_t)ri;
	it->reading.source = ACCT_SRC_PUSH; /* the legacy receiver too: it is a push */
	if (legacy) {
		it->iface = 0;
	} else if (!iface) {
		return fail(out, PUSH_REJECT_PARAMETER, 400, "missing parameter '%s'", "interface");
	} else {
		long k = cfg_interface_index(cr, iface); /* O(log n): a round of N pushes is not O(N^2) */
		if (k < 0)
			return fail(out, PUSH_REJECT_INTERFACE, 400,
				    "invalid parameter 'interface': router '%s' does not push '%s'",
				    cr->name, iface);
		it->iface = (size_t)k;
	}
	if (!rx_s || !tx_s)
		return fail(out, PUSH_REJECT_PARAMETER, 400, "missing parameter '%s'",
			    !rx_s ? "rx" : "tx");
	if (ros_parse_u64(rx_s, strlen(rx_s), &it->reading.rx) != 0)
		return fail(out, PUSH_REJECT_PARAMETER, 400, "invalid parameter '%s': %s", "rx",
			    "must be decimal digits, at most 18446744073709551615");
	if (ros_parse_u64(tx_s, strlen(tx_s), &it->reading.tx) != 0)
		return fail(out, PUSH_REJECT_PARAMETER, 400, "invalid parameter '%s': %s", "tx",
			    "must be decimal digits, at most 18446744073709551615");
	if (up_s) {
		size_t ul = strlen(up_s), digits = strspn(up_s, "0123456789");
		int rc = ul && digits == ul ? ros_parse_u64(up_s, ul, &it->reading.uptime)
					    : ros_parse_uptime(up_s, ul, &it->reading.uptime);
		/* At most 100 years: a bigger uptime is nonsense, and bounded
		 * values keep the accounting arithmetic simple. */
		if (ul == 0 || rc != 0 || it->reading.uptime > ROS_UPTIME_MAX)
			return fail(out, PUSH_REJECT_PARAMETER, 400, "invalid parameter '%s': %s",
				    "uptime",
				    "must be seconds or a RouterOS duration such as 1w2d03:04:05, "
				    "at most 100 years");
		it->reading.has_uptime = true;
	}
	if (ip && push_check_ip(ip) < 0)
		return fail(out, PUSH_REJECT_PARAMETER, 400, "invalid parameter '%s': %s", "ip",
			    "must be an IPv4 or IPv6 address, optionally with /prefix");
	out->ip = ip;
	return 0;
}

void push_handle(const struct cfg *cfg, struct status *st, struct pushq *q,
		 const struct api_params *p, bool legacy, const char *peer,
		 struct api_response *r)
{
	struct push_parsed pp;
	if (push_parse(cfg, p, legacy, &pp) < 0) {
		if (pp.why == PUSH_REJECT_TOKEN)
			log_bad_token(peer, pp.token_missing);
		status_push_rejected(st, pp.why);
		api_error(r, pp.status, "%s", pp.error);
		return;
	}
	const struct cfg_router *cr = &cfg->routers[pp.item.router];
	const char *ip = pp.ip;
	if (pushq_put(q, &pp.item) < 0) {
		status_push_rejected(st, PUSH_REJECT_BUSY);
		api_error(r, 503, "%s", "busy: too many pushes, try again");
		return;
	}
	status_push_accepted(st, pp.item.router, ip);
	if (ip && cr->ip_file && push_write_file(cr->ip_file, ip) < 0)
		log_warn("router %s: cannot write ip_file %s", cr->name, cr->ip_file);
	jbuf_reset(&r->body);
	if (legacy) {
		jbuf_puts(&r->body, "OK\n");
		r->status = 200;
		r->content_type = API_TEXT;
	} else {
		r->status = 204;
		r->content_type = NULL;
	}
}
