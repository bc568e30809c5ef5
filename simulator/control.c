#include "control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clients.h"

#define LINE_MAX_BYTES 65536

struct control {
	struct server *srv;
	struct evloop *loop;
	struct ev_io io;
	FILE *out;
	int watched, finished, skipping;
	char line[LINE_MAX_BYTES];
	size_t len;
};

/* A command line split into whitespace-separated tokens. */
struct args {
	const char *tok[8];
	size_t len[8];
	size_t n;
	const char *rest[8]; /* rest of the line from token i on */
	size_t restlen[8];
};

static void split(const char *s, size_t n, struct args *a)
{
	size_t i = 0;
	a->n = 0;
	while (a->n < 8) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		a->tok[a->n] = a->rest[a->n] = s + i;
		a->restlen[a->n] = n - i;
		size_t start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		a->len[a->n++] = i - start;
	}
}

static int tok_is(const struct args *a, size_t i, const char *lit)
{
	return i < a->n && a->len[i] == strlen(lit) && memcmp(a->tok[i], lit, a->len[i]) == 0;
}

static void reply_fmt(struct wbuf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reply_fmt(struct wbuf *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		wbuf_append(r, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

long control_pct_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		unsigned v = 0;
		if (i + 2 >= n)
			return -1;
		for (int k = 1; k <= 2; k++) {
			char c = s[i + (size_t)k];
			int d = c >= '0' && c <= '9'   ? c - '0'
			        : c >= 'a' && c <= 'f' ? c - 'a' + 10
			        : c >= 'A' && c <= 'F' ? c - 'A' + 10
			                               : -1;
			if (d < 0)
				return -1;
			v = v * 16 + (unsigned)d;
		}
		if (v == 0)
			return -1;
		out[o++] = (char)v;
		i += 2;
	}
	out[o] = '\0';
	return (long)o;
}

int control_pct_encode(struct wbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		            (*p >= '0' && *p <= '9') || strchr("._~*-", *p);
		char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if (wbuf_append(b, plain ? (const char *)p : esc, plain ? 1 : 3) < 0)
			return -1;
	}
	return 0;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Seconds with up to three decimals ("2", "0.5") as milliseconds. */
static int parse_seconds_ms(const char *s, size_t n, int64_t *ms)
{
	const char *dot = memchr(s, '.', n);
	size_t ilen = dot ? (size_t)(dot - s) : n;
	uint64_t whole = 0, frac = 0;
	if (ilen > 0 && parse_u64(s, ilen, &whole) < 0)
		return -1;
	if (dot) {
		size_t flen = n - ilen - 1;
		if (flen == 0 || flen > 3 || parse_u64(dot + 1, flen, &frac) < 0)
			return -1;
		for (size_t k = flen; k < 3; k++)
			frac *= 10;
	} else if (ilen == 0) {
		return -1;
	}
	if (whole > 1000000000ULL)
		return -1;
	*ms = (int64_t)(whole * 1000 + frac);
	return 0;
}

/* Resolves token 1 to a router, or writes an error reply. */
static struct srv_router *arg_router(struct server *srv, const struct args *a, struct wbuf *r)
{
	char name[256];
	if (a->n < 2 || a->len[1] >= sizeof(name)) {
		reply_fmt(r, "error missing router name");
		return NULL;
	}
	memcpy(name, a->tok[1], a->len[1]);
	name[a->len[1]] = '\0';
	struct srv_router *rt = server_find(srv, name);
	if (!rt)
		reply_fmt(r, "error unknown router %s", name);
	return rt;
}

/* Resolves percent-encoded token i to an interface of rt. */
static struct model_iface *arg_iface(struct srv_router *rt, const struct args *a, size_t i,
                                     struct wbuf *r)
{
	char name[1024];
	long n;
	if (i >= a->n || a->len[i] >= sizeof(name) ||
	    (n = control_pct_decode(a->tok[i], a->len[i], name)) < 0) {
		reply_fmt(r, "error missing or malformed interface name");
		return NULL;
	}
	struct model_iface *it = model_iface_by_name(rt->m, name, (size_t)n);
	if (!it)
		reply_fmt(r, "error unknown interface");
	return it;
}

/* Parses token i as on/off into *on. */
static int arg_onoff(const struct args *a, size_t i, int *on, struct wbuf *r)
{
	if (tok_is(a, i, "on") || tok_is(a, i, "off")) {
		*on = tok_is(a, i, "on");
		return 0;
	}
	reply_fmt(r, "error expected on or off");
	return -1;
}

typedef void (*router_cmd_fn)(struct srv_router *rt, const struct args *a, struct wbuf *r);

static void cmd_counters(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	int64_t now = ev_now_ms();
	(void)a;
	reply_fmt(r, "ok");
	for (size_t k = 0; k < rt->m->nifaces; k++) {
		const struct model_iface *i = &rt->m->ifaces[k];
		reply_fmt(r, " id=*%X name=", i->id);
		control_pct_encode(r, i->name);
		reply_fmt(r, " rx=%llu tx=%llu truth_rx=%llu truth_tx=%llu",
		          (unsigned long long)model_counter_value(&i->rx, now),
		          (unsigned long long)model_counter_value(&i->tx, now),
		          (unsigned long long)model_counter_truth(&i->rx, now),
		          (unsigned long long)model_counter_truth(&i->tx, now));
	}
}

static void cmd_ports(struct server *srv, struct wbuf *r)
{
	reply_fmt(r, "ok");
	for (size_t i = 0; i < server_count(srv); i++) {
		const struct srv_router *rt = server_router(srv, i);
		reply_fmt(r, " %s=%u", rt->m->name, (unsigned)rt->port);
	}
}

static void cmd_uptime(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	(void)a;
	reply_fmt(r, "ok %llu", (unsigned long long)model_uptime_s(rt->m, ev_now_ms()));
}

static void cmd_stats(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	const struct model_router *m = rt->m;
	(void)a;
	reply_fmt(r, "ok sessions=%zu logins=%llu failed_logins=%llu commands=%llu accepted=%llu",
	          rt->nconns, (unsigned long long)m->logins, (unsigned long long)m->failed_logins,
	          (unsigned long long)m->commands, (unsigned long long)m->accepted);
}

static void cmd_monitors(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	(void)a;
	reply_fmt(r, "ok %zu", rt->m->monitors);
}

static void cmd_reboot(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	int64_t ms = 0;
	if (a->n > 2 && parse_seconds_ms(a->tok[2], a->len[2], &ms) < 0) {
		reply_fmt(r, "error bad DOWN_SECONDS");
		return;
	}
	server_reboot(rt, ms);
	reply_fmt(r, "ok");
}

static void cmd_reset(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	struct model_iface *it = arg_iface(rt, a, 2, r);
	if (!it)
		return;
	model_iface_reset(it, ev_now_ms());
	reply_fmt(r, "ok");
}

/* resetdir ROUTER IFACE rx|tx */
static void cmd_resetdir(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	struct model_iface *it = arg_iface(rt, a, 2, r);
	if (!it)
		return;
	bool rx = a->n == 4 && a->len[3] == 2 && memcmp(a->tok[3], "rx", 2) == 0;
	bool tx = a->n == 4 && a->len[3] == 2 && memcmp(a->tok[3], "tx", 2) == 0;
	if (!rx && !tx) {
		reply_fmt(r, "error expected rx or tx");
		return;
	}
	model_iface_reset_dir(it, rx, ev_now_ms());
	reply_fmt(r, "ok");
}

static void cmd_recreate(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	struct model_iface *it = arg_iface(rt, a, 2, r);
	if (!it)
		return;
	model_iface_recreate(rt->m, it, ev_now_ms());
	reply_fmt(r, "ok id=*%X", it->id);
}

/* Parses "IFACE RX TX" (tokens 2..4). */
static struct model_iface *arg_iface_rx_tx(struct srv_router *rt, const struct args *a,
                                           uint64_t *rx, uint64_t *tx, struct wbuf *r)
{
	struct model_iface *it = arg_iface(rt, a, 2, r);
	if (!it)
		return NULL;
	if (a->n < 5 || parse_u64(a->tok[3], a->len[3], rx) < 0 ||
	    parse_u64(a->tok[4], a->len[4], tx) < 0) {
		reply_fmt(r, "error expected two decimal numbers RX TX");
		return NULL;
	}
	return it;
}

static void cmd_add(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	uint64_t rx, tx;
	struct model_iface *it = arg_iface_rx_tx(rt, a, &rx, &tx, r);
	if (!it)
		return;
	model_iface_add(it, rx, tx, ev_now_ms());
	reply_fmt(r, "ok");
}

static void cmd_rate(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	uint64_t rx, tx;
	struct model_iface *it = arg_iface_rx_tx(rt, a, &rx, &tx, r);
	if (!it)
		return;
	model_iface_set_rate(it, rx, tx, ev_now_ms());
	reply_fmt(r, "ok");
}

static void cmd_switch(struct srv_router *rt, const struct args *a, struct wbuf *r,
                       void (*set)(struct srv_router *rt, int on))
{
	int on;
	if (arg_onoff(a, 2, &on, r) < 0)
		return;
	set(rt, on);
	reply_fmt(r, "ok");
}

static void cmd_refuse(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	cmd_switch(rt, a, r, server_set_refuse);
}

static void cmd_stall(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	cmd_switch(rt, a, r, server_set_stall);
}

static void cmd_dribble(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	cmd_switch(rt, a, r, server_set_dribble);
}

static void cmd_garbage(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	(void)a;
	server_arm_garbage(rt);
	reply_fmt(r, "ok");
}

static void cmd_cutword(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	(void)a;
	server_arm_cutword(rt);
	reply_fmt(r, "ok");
}

static void cmd_fatal(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	char reason[1024] = "";
	if (a->n > 2) {
		size_t n = a->restlen[2] < sizeof(reason) - 1 ? a->restlen[2] : sizeof(reason) - 1;
		memcpy(reason, a->rest[2], n);
		reason[n] = '\0';
	}
	if (server_arm_fatal(rt, reason) < 0)
		reply_fmt(r, "error out of memory");
	else
		reply_fmt(r, "ok");
}

/* flood ROUTER [BYTES|off]: BYTES is the attribute size (default 16). */
static void cmd_flood(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	uint64_t bytes = 16;
	int on = !tok_is(a, 2, "off");
	if (on && a->n > 2 &&
	    (parse_u64(a->tok[2], a->len[2], &bytes) < 0 || bytes < 1 ||
	     bytes > SERVER_FLOOD_MAX_BYTES)) {
		reply_fmt(r, "error expected off or BYTES 1..%u", SERVER_FLOOD_MAX_BYTES);
		return;
	}
	if (server_set_flood(rt, on, (size_t)bytes) < 0)
		reply_fmt(r, "error out of memory");
	else
		reply_fmt(r, "ok");
}

static void cmd_password(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	char pw[1024] = "";
	if (a->n > 2 &&
	    (a->len[2] >= sizeof(pw) || control_pct_decode(a->tok[2], a->len[2], pw) < 0)) {
		reply_fmt(r, "error malformed password");
		return;
	}
	if (model_router_set_password(rt->m, pw) < 0)
		reply_fmt(r, "error out of memory");
	else
		reply_fmt(r, "ok");
}

static void cmd_flavour(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	char fl[16];
	int v = -1;
	if (a->n >= 3 && a->len[2] < sizeof(fl)) {
		memcpy(fl, a->tok[2], a->len[2]);
		fl[a->len[2]] = '\0';
		v = model_flavour_parse(fl);
	}
	if (v < 0) {
		reply_fmt(r, "error expected v6old, v6 or v7");
		return;
	}
	rt->m->flavour = (enum fr_flavour)v;
	reply_fmt(r, "ok");
}

/* address ROUTER IFACE A.B.C.D/NN|none */
static void cmd_address(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	struct model_iface *it = arg_iface(rt, a, 2, r);
	if (!it)
		return;
	if (a->n != 4 || model_iface_set_address(it, a->tok[3], a->len[3]) < 0)
		reply_fmt(r, "error expected A.B.C.D/NN or none");
	else
		reply_fmt(r, "ok");
}

/* ---- simple queues and kid-control devices ------------------------------- */

/* Percent-decodes token i into out (size bytes); -1 with an error reply. */
static long arg_text(const struct args *a, size_t i, char *out, size_t size, const char *what,
                     struct wbuf *r)
{
	long n = -1;
	if (i < a->n && a->len[i] < size)
		n = control_pct_decode(a->tok[i], a->len[i], out);
	if (n < 0)
		reply_fmt(r, "error missing or malformed %s", what);
	return n;
}

/* Parses tokens i and i+1 as two decimal numbers (UP DOWN). */
static int arg_up_down(const struct args *a, size_t i, uint64_t *up, uint64_t *down, struct wbuf *r)
{
	if (a->n < i + 2 || parse_u64(a->tok[i], a->len[i], up) < 0 ||
	    parse_u64(a->tok[i + 1], a->len[i + 1], down) < 0) {
		reply_fmt(r, "error expected two decimal numbers UP DOWN");
		return -1;
	}
	return 0;
}

/* The value of token i when it is "key=VALUE" (percent-decoded into out,
 * size bytes): 1; 0 when token i is not that key; -1 with an error reply. */
static int arg_keyed(const struct args *a, size_t i, const char *key, char *out, size_t size,
                     struct wbuf *r)
{
	size_t k = strlen(key);
	if (i >= a->n || a->len[i] <= k || memcmp(a->tok[i], key, k) != 0 || a->tok[i][k] != '=')
		return 0;
	long n = -1;
	if (a->len[i] - k - 1 < size)
		n = control_pct_decode(a->tok[i] + k + 1, a->len[i] - k - 1, out);
	if (n < 0) {
		reply_fmt(r, "error malformed %s", key);
		return -1;
	}
	return 1;
}

/* Appends " up=… down=… truth_up=… truth_down=…" of a client's counters. */
static void reply_up_down(struct wbuf *r, const struct model_counter *up,
                          const struct model_counter *down, int64_t now)
{
	reply_fmt(r, " up=%llu down=%llu truth_up=%llu truth_down=%llu",
	          (unsigned long long)model_counter_value(up, now),
	          (unsigned long long)model_counter_value(down, now),
	          (unsigned long long)model_counter_truth(up, now),
	          (unsigned long long)model_counter_truth(down, now));
}

/* " id=*N", or " id=-" for an item that is not (or no longer) there. */
static void reply_id(struct wbuf *r, int present, unsigned id)
{
	if (present)
		reply_fmt(r, " id=*%X", id);
	else
		reply_fmt(r, " id=-");
}

static void cmd_queues(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	int64_t now = ev_now_ms();
	(void)a;
	reply_fmt(r, "ok");
	for (size_t k = 0; k < rt->m->nqueues; k++) {
		const struct model_queue *q = &rt->m->queues[k];
		reply_id(r, q->present, q->id);
		reply_fmt(r, " name=");
		control_pct_encode(r, q->name);
		reply_fmt(r, " target=%s", q->target);
		reply_up_down(r, &q->up, &q->down, now);
	}
}

static void cmd_devices(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	int64_t now = ev_now_ms();
	(void)a;
	reply_fmt(r, "ok");
	for (size_t k = 0; k < rt->m->ndevices; k++) {
		const struct model_device *d = &rt->m->devices[k];
		reply_id(r, d->present, d->id);
		reply_fmt(r, " mac=%s ip=%s name=", d->mac, d->ip);
		control_pct_encode(r, d->name);
		reply_up_down(r, &d->up, &d->down, now);
	}
}

/* queue ROUTER add NAME A.B.C.D/NN [UP_BPS DOWN_BPS] */
static void queue_add(struct srv_router *rt, const struct args *a, const char *name, size_t n,
                      struct wbuf *r)
{
	char target[20];
	uint64_t up = 0, down = 0;
	if (a->n < 5 || model_format_cidr(a->tok[4], a->len[4], target) < 0) {
		reply_fmt(r, "error expected A.B.C.D/NN");
		return;
	}
	if (a->n > 5 && arg_up_down(a, 5, &up, &down, r) < 0)
		return;
	const struct model_queue *q = model_queue_by_name(rt->m, name, n);
	if (q && q->present) {
		reply_fmt(r, "error queue exists");
		return;
	}
	q = model_queue_add(rt->m, name, n, target, up, down, ev_now_ms());
	if (q)
		reply_fmt(r, "ok id=*%X", q->id);
	else
		reply_fmt(r, "error too many queues");
}

/* queue ROUTER edit NAME [target=A.B.C.D/NN] [comment=TEXT|none]: like
 * /queue/simple/set, it resets the counters. */
static void queue_edit(struct model_queue *q, const struct args *a, struct wbuf *r)
{
	char target[20], text[1024], comment[1024];
	const char *t = NULL, *c = NULL;
	int keep_comment = 1, rc;
	for (size_t i = 4; i < a->n; i++) {
		if (tok_is(a, i, "comment=none")) {
			keep_comment = 0;
			c = NULL;
		} else if ((rc = arg_keyed(a, i, "comment", comment, sizeof(comment), r)) != 0) {
			if (rc < 0)
				return;
			keep_comment = 0;
			c = comment;
		} else if ((rc = arg_keyed(a, i, "target", text, sizeof(text), r)) != 0) {
			if (rc < 0)
				return;
			if (model_format_cidr(text, strlen(text), target) < 0) {
				reply_fmt(r, "error expected A.B.C.D/NN");
				return;
			}
			t = target;
		} else {
			reply_fmt(r, "error expected target= or comment=");
			return;
		}
	}
	if (model_queue_edit(q, t, keep_comment, c, ev_now_ms()) < 0)
		reply_fmt(r, "error out of memory");
	else
		reply_fmt(r, "ok");
}

/* rate or bytes (per the verb at token 2) UP DOWN at token 4 on a client's
 * two counters. */
static void client_traffic(const struct args *a, struct model_counter *up,
                           struct model_counter *down, struct wbuf *r)
{
	uint64_t u, d;
	int64_t now = ev_now_ms();
	if (arg_up_down(a, 4, &u, &d, r) < 0)
		return;
	if (tok_is(a, 2, "rate")) {
		model_counter_set_rate(up, u, now);
		model_counter_set_rate(down, d, now);
	} else {
		model_counter_add(up, u, now);
		model_counter_add(down, d, now);
	}
	reply_fmt(r, "ok");
}

/* queue ROUTER add|remove|recreate|edit|rate|bytes NAME ... */
static void cmd_queue(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	char name[1024];
	long n = arg_text(a, 3, name, sizeof(name), "queue name", r);
	if (n < 0)
		return;
	if (tok_is(a, 2, "add")) {
		queue_add(rt, a, name, (size_t)n, r);
		return;
	}
	struct model_queue *q = model_queue_by_name(rt->m, name, (size_t)n);
	if (!q || !q->present) {
		reply_fmt(r, "error unknown queue");
	} else if (tok_is(a, 2, "remove")) {
		model_queue_remove(q, ev_now_ms());
		reply_fmt(r, "ok");
	} else if (tok_is(a, 2, "recreate")) {
		q = model_queue_recreate(rt->m, q, ev_now_ms());
		reply_fmt(r, "ok id=*%X", q->id);
	} else if (tok_is(a, 2, "edit")) {
		queue_edit(q, a, r);
	} else if (tok_is(a, 2, "rate") || tok_is(a, 2, "bytes")) {
		client_traffic(a, &q->up, &q->down, r);
	} else {
		reply_fmt(r, "error expected add, remove, recreate, edit, rate or bytes");
	}
}

/* Parses token i as an IPv4 address into ip. */
static int arg_ipv4(const struct args *a, size_t i, char ip[16], struct wbuf *r)
{
	if (i < a->n && model_parse_ipv4(a->tok[i], a->len[i], ip) == 0)
		return 0;
	reply_fmt(r, "error expected A.B.C.D");
	return -1;
}

/* device ROUTER add MAC A.B.C.D [UP_BPS DOWN_BPS] */
static void device_add(struct srv_router *rt, const struct args *a, const char *mac, struct wbuf *r)
{
	char ip[16];
	uint64_t up = 0, down = 0;
	if (arg_ipv4(a, 4, ip, r) < 0 || (a->n > 5 && arg_up_down(a, 5, &up, &down, r) < 0))
		return;
	const struct model_device *d = model_device_by_mac(rt->m, mac);
	if (d && d->present) {
		reply_fmt(r, "error device present");
		return;
	}
	d = model_device_add(rt->m, mac, ip, up, down, ev_now_ms());
	if (d)
		reply_fmt(r, "ok id=*%X", d->id);
	else
		reply_fmt(r, "error too many devices");
}

/* device ROUTER name MAC NAME|none (percent-encoded) */
static void device_name(struct model_device *d, const struct args *a, struct wbuf *r)
{
	char name[1024];
	int none = tok_is(a, 4, "none");
	if (!none && arg_text(a, 4, name, sizeof(name), "device name", r) < 0)
		return;
	if (model_device_set_name(d, none ? NULL : name) < 0)
		reply_fmt(r, "error out of memory");
	else
		reply_fmt(r, "ok");
}

/* device ROUTER lease MAC none | [host=NAME] [comment=TEXT] */
static void device_lease(struct srv_router *rt, struct model_device *d, const struct args *a,
                         struct wbuf *r)
{
	char host[1024], comment[1024];
	const char *h = NULL, *c = NULL;
	int on = !tok_is(a, 4, "none"), rc;
	for (size_t i = 4; on && i < a->n; i++) {
		if ((rc = arg_keyed(a, i, "host", host, sizeof(host), r)) != 0)
			h = host;
		else if ((rc = arg_keyed(a, i, "comment", comment, sizeof(comment), r)) != 0)
			c = comment;
		else
			reply_fmt(r, "error expected none, host= or comment=");
		if (rc <= 0)
			return;
	}
	if (model_device_set_lease(rt->m, d, on, h, c) < 0)
		reply_fmt(r, "error out of memory");
	else
		reply_fmt(r, "ok");
}

/* device ROUTER add|remove|ip|rate|bytes|reset|name|lease MAC ... */
static void cmd_device(struct srv_router *rt, const struct args *a, struct wbuf *r)
{
	char mac[18], ip[16];
	if (a->n < 4 || model_parse_mac(a->tok[3], a->len[3], mac) < 0) {
		reply_fmt(r, "error expected MAC AA:BB:CC:DD:EE:FF");
		return;
	}
	if (tok_is(a, 2, "add")) {
		device_add(rt, a, mac, r);
		return;
	}
	struct model_device *d = model_device_by_mac(rt->m, mac);
	if (!d || !d->present) {
		reply_fmt(r, "error unknown device");
	} else if (tok_is(a, 2, "remove")) {
		model_device_remove(d, ev_now_ms());
		reply_fmt(r, "ok");
	} else if (tok_is(a, 2, "ip")) {
		if (arg_ipv4(a, 4, ip, r) == 0) {
			memcpy(d->ip, ip, sizeof(ip));
			reply_fmt(r, "ok");
		}
	} else if (tok_is(a, 2, "rate") || tok_is(a, 2, "bytes")) {
		client_traffic(a, &d->up, &d->down, r);
	} else if (tok_is(a, 2, "reset")) {
		model_counter_reset(&d->up, ev_now_ms());
		model_counter_reset(&d->down, ev_now_ms());
		reply_fmt(r, "ok");
	} else if (tok_is(a, 2, "name")) {
		device_name(d, a, r);
	} else if (tok_is(a, 2, "lease")) {
		device_lease(rt, d, a, r);
	} else {
		reply_fmt(r, "error expected add, remove, ip, rate, bytes, reset, name or lease");
	}
}

/* Commands of the form "<verb> ROUTER ...". */
static const struct router_cmd {
	const char *verb;
	router_cmd_fn fn;
} router_cmds[] = {
        {"counters", cmd_counters}, {"uptime", cmd_uptime},     {"reboot", cmd_reboot},
        {"reset", cmd_reset},       {"recreate", cmd_recreate}, {"add", cmd_add},
        {"rate", cmd_rate},         {"refuse", cmd_refuse},     {"stall", cmd_stall},
        {"dribble", cmd_dribble},   {"garbage", cmd_garbage},   {"cutword", cmd_cutword},
        {"fatal", cmd_fatal},       {"password", cmd_password}, {"flavour", cmd_flavour},
        {"stats", cmd_stats},       {"flood", cmd_flood},       {"resetdir", cmd_resetdir},
        {"address", cmd_address},   {"monitors", cmd_monitors}, {"queues", cmd_queues},
        {"queue", cmd_queue},       {"devices", cmd_devices},   {"device", cmd_device},
};

/* Runs a router command; 0 if the verb is not one. */
static int exec_router_cmd(struct server *srv, const struct args *a, struct wbuf *r)
{
	for (size_t k = 0; k < sizeof(router_cmds) / sizeof(router_cmds[0]); k++) {
		if (!tok_is(a, 0, router_cmds[k].verb))
			continue;
		struct srv_router *rt = arg_router(srv, a, r);
		if (rt)
			router_cmds[k].fn(rt, a, r);
		return 1;
	}
	return 0;
}

int control_exec(struct server *srv, const char *line, size_t n, struct wbuf *reply)
{
	struct args a;
	int quit = 0;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
		n--;
	split(line, n, &a);
	if (a.n == 0)
		reply_fmt(reply, "error empty command");
	else if (tok_is(&a, 0, "ports"))
		cmd_ports(srv, reply);
	else if (tok_is(&a, 0, "quit"))
		quit = 1, reply_fmt(reply, "ok");
	else if (!exec_router_cmd(srv, &a, reply))
		reply_fmt(reply, "error unknown command %.*s", (int)(a.len[0] < 64 ? a.len[0] : 64),
		          a.tok[0]);
	wbuf_append(reply, "\n", 1);
	return quit;
}

/* ---- stdin plumbing ------------------------------------------------------ */

static void run_line(struct control *c, const char *line, size_t n)
{
	struct wbuf reply;
	wbuf_init(&reply);
	if (control_exec(c->srv, line, n, &reply))
		c->finished = 1;
	if (fwrite(reply.data + reply.off, 1, wbuf_size(&reply), c->out) != wbuf_size(&reply) ||
	    fflush(c->out) != 0)
		c->finished = 1; /* nobody listens any more */
	wbuf_free(&reply);
}

/* Splits freshly read bytes into lines; an overlong line is answered with
 * one error and skipped up to its newline. */
static void take_bytes(struct control *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !c->finished; i++) {
		if (p[i] == '\n') {
			if (c->skipping)
				c->skipping = 0;
			else
				run_line(c, c->line, c->len);
			c->len = 0;
		} else if (!c->skipping && c->len < sizeof(c->line)) {
			c->line[c->len++] = p[i];
		} else if (!c->skipping) {
			static const char msg[] = "error line too long";
			c->skipping = 1;
			c->len = 0;
			fprintf(c->out, "%s\n", msg);
			fflush(c->out);
		}
	}
}

/* One read per readiness event: stdin stays blocking (it may be shared
 * with a terminal), and a ready fd never blocks on the first read. */
static int read_some(struct control *c)
{
	char buf[4096];
	ssize_t k = read(c->io.fd, buf, sizeof(buf));
	if (k > 0) {
		take_bytes(c, buf, (size_t)k);
		return 1;
	}
	if (k < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (c->len > 0 && !c->skipping) /* a last line without newline */
		run_line(c, c->line, c->len);
	c->len = 0;
	c->finished = 1;
	return 0;
}

static void control_io_cb(struct ev_io *io, uint32_t events)
{
	struct control *c = FR_CONTAINER_OF(io, struct control, io);
	(void)events;
	if (!c->finished)
		read_some(c);
	if (c->finished && c->watched) {
		evloop_io_del(c->loop, &c->io);
		c->watched = 0;
	}
}

struct control *control_new(struct server *srv, struct evloop *l, int fd, FILE *out)
{
	struct control *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->srv = srv;
	c->loop = l;
	c->out = out;
	c->io.fd = fd;
	c->io.cb = control_io_cb;
	c->watched = evloop_io_add(l, &c->io, EPOLLIN) == 0;
	return c;
}

void control_free(struct control *c)
{
	if (!c)
		return;
	if (c->watched)
		evloop_io_del(c->loop, &c->io);
	free(c);
}

void control_poll_sync(struct control *c)
{
	while (c && !c->watched && !c->finished && read_some(c))
		;
}

int control_finished(const struct control *c)
{
	return c->finished;
}
