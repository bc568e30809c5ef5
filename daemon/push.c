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

/* push_write_file and push_write_file_exact: text, and a newline when
 * newline is set. */
static int write_file(const char *path, const char *text, bool newline)
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
	    (newline && write(fd, "\n", 1) != 1) || fsync(fd) < 0)
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

int push_write_file(const char *path, const char *text)
{
	return write_file(path, text, true);
}

int push_write_file_exact(const char *path, const char *text)
{
	return write_file(path, text, false);
}

int push_strip_blanks(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	for (; *in; in++) {
		if (*in == ' ')
			continue;
		if (o + 1 >= outsz)
			return -1;
		out[o++] = *in;
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

long push_allowed_router(const struct cfg *cfg, const struct sockaddr *peer, size_t *matches)
{
	unsigned char addr[16];
	int family;
	long found = -1;
	*matches = 0;
	if (!peer)
		return -1;
	if (peer->sa_family == AF_INET) {
		family = AF_INET;
		memcpy(addr, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, 4);
	} else if (peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)peer;
		const struct in6_addr *a6 = &s6->sin6_addr;
		/* a dual-stack socket sees IPv4 clients as ::ffff:A.B.C.D */
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			memcpy(addr, a6->s6_addr + 12, 4);
		} else {
			family = AF_INET6;
			memcpy(addr, a6->s6_addr, 16);
		}
	} else {
		return -1;
	}
	for (size_t i = 0; i < cfg->n_routers; i++) {
		const struct cfg_router *r = &cfg->routers[i];
		if (r->mode != MODE_PUSH)
			continue;
		for (size_t k = 0; k < r->n_push_allow; k++) {
			if (cfg_net_contains(&r->push_allow[k], family, addr)) {
				found = (long)i;
				(*matches)++;
				break;
			}
		}
	}
	return found;
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

/* The counter named name (rx or tx) from text; the legacy receiver first
 * removes blanks, as the old PHP receiver did ("12 345"). 0 or -1. */
static int parse_counter(const char *text, bool legacy, uint64_t *out)
{
	char digits[64];
	if (legacy) {
		if (push_strip_blanks(text, digits, sizeof digits) < 0)
			return -1;
		text = digits;
	}
	return ros_parse_u64(text, strlen(text), out);
}

/* The push router the request names: by its token, or (legacy receiver
 * without a token) by its source address in push_allow_from. -1 after
 * setting out's refusal. */
static long identify(const struct cfg *cfg, const char *token, bool legacy,
                     const struct sockaddr *peer, struct push_parsed *out)
{
	bool given = token && *token;
	size_t matches = 0;
	long ri = given    ? find_router(cfg, token)
	          : legacy ? push_allowed_router(cfg, peer, &matches)
	                   : -1;
	if (ri >= 0 && matches <= 1)
		return ri;
	out->token_missing = !given;
	if (matches > 1)
		return fail(out, PUSH_REJECT_TOKEN, 403,
		            "missing parameter 'token': this address is in the push_allow_from "
		            "of %zu routers",
		            matches);
	return fail(out, PUSH_REJECT_TOKEN, 403, "%s",
	            given    ? "unknown token"
	            : legacy ? "missing parameter 'token' (and this address is in no router's "
	                       "push_allow_from)"
	                     : "missing parameter 'token'");
}

int push_parse(const struct cfg *cfg, const struct api_params *p, bool legacy,
               const struct sockaddr *peer, struct push_parsed *out)
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
	long ri = identify(cfg, token, legacy, peer, out);
	if (ri < 0)
		return -1;
	const struct cfg_router *cr = &cfg->routers[ri];
	struct pushq_item *it = &out->item;
	it->router = (size_t)ri;
	it->reading.source = ACCT_SRC_PUSH; /* the legacy receiver too: it is a push */
	if (legacy) {
		it->iface = 0;
	} else if (!iface) {
		return fail(out, PUSH_REJECT_PARAMETER, 400, "missing parameter '%s'", "interface");
	} else {
		long k = cfg_interface_index(
		        cr, iface); /* O(log n): a round of N pushes is not O(N^2) */
		if (k < 0)
			return fail(out, PUSH_REJECT_INTERFACE, 400,
			            "invalid parameter 'interface': router '%s' does not push '%s'",
			            cr->name, iface);
		it->iface = (size_t)k;
	}
	if (!rx_s || !tx_s)
		return fail(out, PUSH_REJECT_PARAMETER, 400, "missing parameter '%s'",
		            !rx_s ? "rx" : "tx");
	if (parse_counter(rx_s, legacy, &it->reading.rx) != 0)
		return fail(out, PUSH_REJECT_PARAMETER, 400, "invalid parameter '%s': %s", "rx",
		            "must be decimal digits, at most 18446744073709551615");
	if (parse_counter(tx_s, legacy, &it->reading.tx) != 0)
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
                 const struct api_params *p, bool legacy, const struct sockaddr *peer_addr,
                 const char *peer, struct api_response *r)
{
	struct push_parsed pp;
	if (push_parse(cfg, p, legacy, peer_addr, &pp) < 0) {
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
	/* The old receiver wrote the ip parameter as it came, without a
	 * newline (PHP file_put_contents): its readers expect exactly that. */
	if (ip && cr->ip_file &&
	    (legacy ? push_write_file_exact(cr->ip_file, ip) : push_write_file(cr->ip_file, ip)) <
	            0)
		log_warn("router %s: cannot write ip_file %s", cr->name, cr->ip_file);
	text_buf_reset(&r->body);
	if (legacy) {
		text_buf_puts(&r->body, "OK\n");
		r->status = 200;
		r->content_type = API_TEXT;
	} else {
		r->status = 204;
		r->content_type = NULL;
	}
}
