#include "clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const model_queue_props[] = {
        ".id",
        "name",
        "target",
        "parent",
        "packet-marks",
        "priority",
        "queue",
        "limit-at",
        "max-limit",
        "burst-limit",
        "burst-threshold",
        "burst-time",
        "bucket-size",
        "comment",
        "bytes",
        "total-bytes",
        "packets",
        "total-packets",
        "dropped",
        "total-dropped",
        "rate",
        "total-rate",
        "packet-rate",
        "total-packet-rate",
        "queued-packets",
        "total-queued-packets",
        "queued-bytes",
        "total-queued-bytes",
        "invalid",
        "dynamic",
        "disabled",
        NULL,
};

const char *const model_device_props[] = {
        ".id",      "name",      "user",    "mac-address", "ip-address", "bytes-down",
        "bytes-up", "rate-down", "rate-up", "idle-time",   "blocked",    "limited",
        "inactive", "disabled",  "dynamic", NULL,
};

const char *const model_lease_props[] = {
        ".id",
        "address",
        "mac-address",
        "address-lists",
        "server",
        "dhcp-option",
        "status",
        "expires-after",
        "last-seen",
        "active-address",
        "active-mac-address",
        "active-server",
        "host-name",
        "radius",
        "dynamic",
        "blocked",
        "disabled",
        "comment",
        NULL,
};

/* move_to_end copies one element through a stack buffer of 256 bytes. */
_Static_assert(sizeof(struct model_queue) <= 256, "a queue fits move_to_end's buffer");

/* Start-up clients live in 192.168.88.0/22: host 10 + i for the i-th. */
#define FIRST_HOST 10

/* Replaces *slot by a copy of s (NULL allowed); -1 on out of memory. */
static int replace_str(char **slot, const char *s)
{
	char *c = NULL;
	if (s && !(c = strdup(s)))
		return -1;
	free(*slot);
	*slot = c;
	return 0;
}

/* Makes room for one more element in *arr (n used, *cap allocated). */
static int grow(void **arr, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return 0;
	if (n >= CLIENTS_MAX)
		return -1;
	size_t want = *cap ? *cap * 2 : 16;
	if (want > CLIENTS_MAX)
		want = CLIENTS_MAX;
	void *p = realloc(*arr, want * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

/* Moves element k of arr (n elements) to the end, as RouterOS lists an
 * item added again after the others. Returns the element's new place. */
static void *move_to_end(void *arr, size_t n, size_t k, size_t elem)
{
	unsigned char tmp[256], *a = arr;
	if (elem > sizeof(tmp) || k + 1 >= n)
		return a + k * elem;
	memcpy(tmp, a + k * elem, elem);
	memmove(a + k * elem, a + (k + 1) * elem, (n - k - 1) * elem);
	memcpy(a + (n - 1) * elem, tmp, elem);
	return a + (n - 1) * elem;
}

/* ---- start-up population ---------------------------------------------- */

/* Weight of the i-th start-up client in the share-out: 1..13, varied. */
static uint64_t weight(size_t i)
{
	return 1 + (uint64_t)(i * 7 % 13);
}

static uint64_t total_weight(size_t n)
{
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += weight(i);
	return w;
}

/* v * w / (2 * total): the client's part of half of the LAN's v. */
static uint64_t share(uint64_t v, uint64_t w, uint64_t total)
{
	return (uint64_t)((unsigned __int128)v * w / (2 * (unsigned __int128)total));
}

/* The i-th start-up address, "192.168.88.10" onwards in a /22. */
static void host_ip(size_t i, char out[16])
{
	size_t h = FIRST_HOST + i;
	snprintf(out, 16, "192.168.%zu.%zu", 88 + h / 256 % 4, h % 256);
}

/* Starts both counters of a client at its share of lan's values and rates. */
static void share_counters(struct model_counter *up, struct model_counter *down,
                           const struct model_iface *lan, uint64_t w, uint64_t total,
                           int64_t now_ms)
{
	model_counter_init(up, share(model_counter_value(&lan->rx, now_ms), w, total),
	                   share(lan->rx.rate, w, total), now_ms);
	model_counter_init(down, share(model_counter_value(&lan->tx, now_ms), w, total),
	                   share(lan->tx.rate, w, total), now_ms);
}

/* queueN targets the N-th start-up address; every other one has a comment. */
static int populate_queue(struct model_router *r, size_t i, const struct model_iface *lan,
                          uint64_t total, int64_t now_ms)
{
	char name[32], target[24], comment[32];
	host_ip(i, target);
	strcat(target, "/32");
	snprintf(name, sizeof(name), "queue%zu", i + 1);
	struct model_queue *q = model_queue_add(r, name, strlen(name), target, 0, 0, now_ms);
	if (!q)
		return -1;
	share_counters(&q->up, &q->down, lan, weight(i), total, now_ms);
	snprintf(comment, sizeof(comment), "customer %zu", i + 1);
	return i % 2 == 0 ? replace_str(&q->comment, comment) : 0;
}

/* Every 4th device is named in kid-control; leases: host-name for i % 3
 * == 0, a comment (static lease) for i % 3 == 1, none for i % 3 == 2. */
static int populate_device(struct model_router *r, size_t i, const struct model_iface *lan,
                           uint64_t total, int64_t now_ms)
{
	char mac[18], ip[16], text[32];
	snprintf(mac, sizeof(mac), "02:00:00:00:%02zX:%02zX", (i + 1) >> 8 & 255, (i + 1) & 255);
	host_ip(i, ip);
	struct model_device *d = model_device_add(r, mac, ip, 0, 0, now_ms);
	if (!d)
		return -1;
	share_counters(&d->up, &d->down, lan, weight(i), total, now_ms);
	snprintf(text, sizeof(text), "kid phone %zu", i + 1);
	if (i % 4 == 0 && model_device_set_name(d, text) < 0)
		return -1;
	if (i % 3 == 2)
		return 0;
	if (i % 3 == 0) {
		snprintf(text, sizeof(text), "host-%zu", i + 1);
		return model_device_set_lease(r, d, 1, text, NULL);
	}
	snprintf(text, sizeof(text), "lease %zu", i + 1);
	return model_device_set_lease(r, d, 1, NULL, text);
}

int clients_populate(struct model_router *r, const struct model_iface *lan, size_t nq, size_t nd,
                     int64_t now_ms)
{
	uint64_t tq = total_weight(nq), td = total_weight(nd);
	r->next_queue_id = r->next_device_id = r->next_lease_id = 1;
	for (size_t i = 0; i < nq; i++)
		if (populate_queue(r, i, lan, tq, now_ms) < 0)
			return -1;
	for (size_t i = 0; i < nd; i++)
		if (populate_device(r, i, lan, td, now_ms) < 0)
			return -1;
	return 0;
}

void clients_free(struct model_router *r)
{
	for (size_t k = 0; k < r->nqueues; k++) {
		free(r->queues[k].name);
		free(r->queues[k].target);
		free(r->queues[k].comment);
	}
	for (size_t k = 0; k < r->ndevices; k++) {
		free(r->devices[k].name);
		free(r->devices[k].user);
		free(r->devices[k].host_name);
		free(r->devices[k].lease_comment);
	}
	free(r->queues);
	free(r->devices);
	r->queues = NULL;
	r->devices = NULL;
	r->nqueues = r->ndevices = 0;
}

/* Zeroes a counter at now_ms and holds its growth until up_ms. */
static void counter_reboot(struct model_counter *c, int64_t now_ms, int64_t up_ms)
{
	model_counter_reset(c, now_ms);
	c->t0_ms = up_ms;
}

void clients_reboot(struct model_router *r, int64_t now_ms, int64_t up_ms)
{
	for (size_t k = 0; k < r->nqueues; k++) {
		counter_reboot(&r->queues[k].up, now_ms, up_ms);
		counter_reboot(&r->queues[k].down, now_ms, up_ms);
	}
	for (size_t k = 0; k < r->ndevices; k++) {
		struct model_device *d = &r->devices[k];
		counter_reboot(&d->up, now_ms, up_ms);
		counter_reboot(&d->down, now_ms, up_ms);
		d->idle_since_ms = up_ms;
		if (d->present && d->user[0] == '\0')
			d->id = r->next_device_id++;
	}
}

/* ---- simple queues ---------------------------------------------------- */

struct model_queue *model_queue_by_name(struct model_router *r, const char *name, size_t n)
{
	for (size_t k = 0; k < r->nqueues; k++)
		if (model_name_is(r->queues[k].name, name, n))
			return &r->queues[k];
	return NULL;
}

/* Starts (or restarts) queue q: present, the next .id, counters at 0. */
static void queue_start(struct model_router *r, struct model_queue *q, uint64_t up_bps,
                        uint64_t down_bps, int64_t now_ms)
{
	q->present = 1;
	q->id = r->next_queue_id++;
	model_counter_reset(&q->up, now_ms);
	model_counter_reset(&q->down, now_ms);
	model_counter_set_rate(&q->up, up_bps, now_ms);
	model_counter_set_rate(&q->down, down_bps, now_ms);
}

struct model_queue *model_queue_add(struct model_router *r, const char *name, size_t n,
                                    const char *target, uint64_t up_bps, uint64_t down_bps,
                                    int64_t now_ms)
{
	struct model_queue *q = model_queue_by_name(r, name, n);
	if (q && q->present)
		return NULL;
	if (q) {
		if (replace_str(&q->target, target) < 0)
			return NULL;
		q = move_to_end(r->queues, r->nqueues, (size_t)(q - r->queues), sizeof(*q));
	} else {
		if (grow((void **)&r->queues, r->nqueues, &r->queues_cap, sizeof(*q)) < 0)
			return NULL;
		q = &r->queues[r->nqueues];
		memset(q, 0, sizeof(*q));
		q->name = strndup(name, n);
		q->target = strdup(target);
		if (!q->name || !q->target) {
			free(q->name);
			free(q->target);
			return NULL;
		}
		model_counter_init(&q->up, 0, 0, now_ms);
		model_counter_init(&q->down, 0, 0, now_ms);
		r->nqueues++;
	}
	queue_start(r, q, up_bps, down_bps, now_ms);
	return q;
}

void model_queue_remove(struct model_queue *q, int64_t now_ms)
{
	q->present = 0;
	model_counter_set_rate(&q->up, 0, now_ms);
	model_counter_set_rate(&q->down, 0, now_ms);
}

struct model_queue *model_queue_recreate(struct model_router *r, struct model_queue *q,
                                         int64_t now_ms)
{
	q = move_to_end(r->queues, r->nqueues, (size_t)(q - r->queues), sizeof(*q));
	queue_start(r, q, q->up.rate, q->down.rate, now_ms);
	return q;
}

int model_queue_edit(struct model_queue *q, const char *target, int keep_comment,
                     const char *comment, int64_t now_ms)
{
	char *t = NULL;
	if (target && !(t = strdup(target)))
		return -1;
	if (!keep_comment && replace_str(&q->comment, comment) < 0) {
		free(t);
		return -1;
	}
	if (t) {
		free(q->target);
		q->target = t;
	}
	model_counter_reset(&q->up, now_ms);
	model_counter_reset(&q->down, now_ms);
	return 0;
}

/* ---- devices and leases ----------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

int model_parse_mac(const char *text, size_t n, char out[18])
{
	static const char hex[] = "0123456789ABCDEF";
	if (n != 17)
		return -1;
	for (size_t k = 0; k < 17; k++) {
		if (k % 3 == 2) {
			if (text[k] != ':')
				return -1;
			out[k] = ':';
			continue;
		}
		int v = hexval(text[k]);
		if (v < 0)
			return -1;
		out[k] = hex[v];
	}
	out[17] = '\0';
	return 0;
}

int model_parse_ipv4(const char *text, size_t n, char out[16])
{
	char withprefix[24], cidr[20];
	if (n > 15 || memchr(text, '/', n))
		return -1;
	memcpy(withprefix, text, n);
	memcpy(withprefix + n, "/32", 4);
	if (model_format_cidr(withprefix, n + 3, cidr) < 0)
		return -1;
	*strchr(cidr, '/') = '\0';
	memcpy(out, cidr, strlen(cidr) + 1);
	return 0;
}

struct model_device *model_device_by_mac(struct model_router *r, const char *mac)
{
	for (size_t k = 0; k < r->ndevices; k++)
		if (strcmp(r->devices[k].mac, mac) == 0)
			return &r->devices[k];
	return NULL;
}

/* A new, gone device with that MAC; NULL on out of memory or too many. */
static struct model_device *device_new(struct model_router *r, const char *mac, int64_t now_ms)
{
	if (grow((void **)&r->devices, r->ndevices, &r->devices_cap, sizeof(struct model_device)) <
	    0)
		return NULL;
	struct model_device *d = &r->devices[r->ndevices];
	memset(d, 0, sizeof(*d));
	d->name = strdup("");
	d->user = strdup("");
	if (!d->name || !d->user) {
		free(d->name);
		free(d->user);
		return NULL;
	}
	snprintf(d->mac, sizeof(d->mac), "%s", mac);
	model_counter_init(&d->up, 0, 0, now_ms);
	model_counter_init(&d->down, 0, 0, now_ms);
	r->ndevices++;
	return d;
}

struct model_device *model_device_add(struct model_router *r, const char *mac, const char *ip,
                                      uint64_t up_bps, uint64_t down_bps, int64_t now_ms)
{
	struct model_device *d = model_device_by_mac(r, mac);
	if (d && d->present)
		return NULL;
	if (!d && !(d = device_new(r, mac, now_ms)))
		return NULL;
	d->present = 1;
	d->id = r->next_device_id++;
	snprintf(d->ip, sizeof(d->ip), "%s", ip);
	model_counter_reset(&d->up, now_ms);
	model_counter_reset(&d->down, now_ms);
	d->idle_since_ms = now_ms;
	model_device_set_rate(d, up_bps, down_bps, now_ms);
	return d;
}

void model_device_remove(struct model_device *d, int64_t now_ms)
{
	model_device_set_rate(d, 0, 0, now_ms);
	d->present = 0;
}

void model_device_set_rate(struct model_device *d, uint64_t up_bps, uint64_t down_bps,
                           int64_t now_ms)
{
	int was_idle = d->up.rate == 0 && d->down.rate == 0;
	model_counter_set_rate(&d->up, up_bps, now_ms);
	model_counter_set_rate(&d->down, down_bps, now_ms);
	if (!was_idle && up_bps == 0 && down_bps == 0)
		d->idle_since_ms = now_ms;
}

int model_device_set_name(struct model_device *d, const char *name)
{
	char *n = strdup(name ? name : "");
	char *u = strdup(name ? "kids" : "");
	if (!n || !u) {
		free(n);
		free(u);
		return -1;
	}
	free(d->name);
	free(d->user);
	d->name = n;
	d->user = u;
	return 0;
}

int model_device_set_lease(struct model_router *r, struct model_device *d, int on,
                           const char *host_name, const char *comment)
{
	char *h = NULL, *c = NULL;
	if ((host_name && !(h = strdup(host_name))) || (comment && !(c = strdup(comment)))) {
		free(h);
		free(c);
		return -1;
	}
	free(d->host_name);
	free(d->lease_comment);
	d->host_name = h;
	d->lease_comment = c;
	if (!on) {
		free(h);
		free(c);
		d->host_name = d->lease_comment = NULL;
	}
	if (on && !d->lease)
		d->lease_id = r->next_lease_id++;
	d->lease = on;
	return 0;
}

/* ---- properties --------------------------------------------------------- */

static int name_is(const char *name, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(name, lit, n) == 0;
}

static void set_str(const char *s, const char **val, size_t *vlen)
{
	*val = s;
	*vlen = strlen(s);
}

/* The value is buf, as snprintf left it. */
static void set_buf(char *buf, int n, const char **val, size_t *vlen)
{
	*val = buf;
	*vlen = n < 0 ? 0 : (size_t)n;
}

static void set_num(char *buf, uint64_t v, const char **val, size_t *vlen)
{
	set_buf(buf, snprintf(buf, 64, "%llu", (unsigned long long)v), val, vlen);
}

/* "UP/DOWN", as RouterOS prints a queue's two directions. */
static void set_pair(char *buf, uint64_t up, uint64_t down, const char **val, size_t *vlen)
{
	set_buf(buf,
	        snprintf(buf, 64, "%llu/%llu", (unsigned long long)up, (unsigned long long)down),
	        val, vlen);
}

static void set_id(char *buf, unsigned id, const char **val, size_t *vlen)
{
	set_buf(buf, snprintf(buf, 64, "*%X", id), val, vlen);
}

/* Fixed values of a queue without limits, children or a total queue. */
static const char *queue_constant(const char *name, size_t n)
{
	static const char *const fixed[][2] = {
	        {"parent", "none"},        {"packet-marks", ""},
	        {"priority", "8/8"},       {"queue", "default-small/default-small"},
	        {"limit-at", "0/0"},       {"max-limit", "0/0"},
	        {"burst-limit", "0/0"},    {"burst-threshold", "0/0"},
	        {"burst-time", "0s/0s"},   {"bucket-size", "0.1/0.1"},
	        {"total-bytes", "0"},      {"total-packets", "0"},
	        {"dropped", "0/0"},        {"total-dropped", "0"},
	        {"total-rate", "0"},       {"total-packet-rate", "0"},
	        {"queued-packets", "0/0"}, {"total-queued-packets", "0"},
	        {"queued-bytes", "0/0"},   {"total-queued-bytes", "0"},
	        {"invalid", "false"},      {"dynamic", "false"},
	        {"disabled", "false"},
	};
	for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		if (name_is(name, n, fixed[k][0]))
			return fixed[k][1];
	return NULL;
}

int model_queue_prop(const struct model_queue *q, const char *name, size_t n, int64_t now_ms,
                     char *buf, const char **val, size_t *vlen)
{
	uint64_t up = model_counter_value(&q->up, now_ms),
	         down = model_counter_value(&q->down, now_ms);
	const char *fixed = queue_constant(name, n);
	if (fixed)
		set_str(fixed, val, vlen);
	else if (name_is(name, n, ".id"))
		set_id(buf, q->id, val, vlen);
	else if (name_is(name, n, "name"))
		set_str(q->name, val, vlen);
	else if (name_is(name, n, "target"))
		set_str(q->target, val, vlen);
	else if (name_is(name, n, "comment") && q->comment)
		set_str(q->comment, val, vlen);
	else if (name_is(name, n, "bytes"))
		set_pair(buf, up, down, val, vlen);
	else if (name_is(name, n, "packets"))
		set_pair(buf, up / 1000, down / 1000, val, vlen);
	else if (name_is(name, n, "rate")) /* bits per second */
		set_pair(buf, q->up.rate * 8, q->down.rate * 8, val, vlen);
	else if (name_is(name, n, "packet-rate"))
		set_pair(buf, q->up.rate / 1000, q->down.rate / 1000, val, vlen);
	else
		return 0;
	return 1;
}

/* Seconds since the device's traffic stopped ("0s" while it flows). */
static void device_idle(const struct model_device *d, int64_t now_ms, char *buf)
{
	uint64_t s = 0;
	if (d->up.rate == 0 && d->down.rate == 0 && now_ms > d->idle_since_ms)
		s = (uint64_t)(now_ms - d->idle_since_ms) / 1000;
	model_format_uptime(s, FR_V7, buf, 64);
}

int model_device_prop(const struct model_device *d, const char *name, size_t n, int64_t now_ms,
                      char *buf, const char **val, size_t *vlen)
{
	if (name_is(name, n, ".id"))
		set_id(buf, d->id, val, vlen);
	else if (name_is(name, n, "name"))
		set_str(d->name, val, vlen);
	else if (name_is(name, n, "user"))
		set_str(d->user, val, vlen);
	else if (name_is(name, n, "mac-address"))
		set_str(d->mac, val, vlen);
	else if (name_is(name, n, "ip-address"))
		set_str(d->ip, val, vlen);
	else if (name_is(name, n, "bytes-down"))
		set_num(buf, model_counter_value(&d->down, now_ms), val, vlen);
	else if (name_is(name, n, "bytes-up"))
		set_num(buf, model_counter_value(&d->up, now_ms), val, vlen);
	else if (name_is(name, n, "rate-down")) /* bits per second */
		set_num(buf, d->down.rate * 8, val, vlen);
	else if (name_is(name, n, "rate-up"))
		set_num(buf, d->up.rate * 8, val, vlen);
	else if (name_is(name, n, "idle-time")) {
		device_idle(d, now_ms, buf);
		set_str(buf, val, vlen);
	} else if (name_is(name, n, "dynamic"))
		set_str(d->user[0] ? "false" : "true", val, vlen);
	else if (name_is(name, n, "blocked") || name_is(name, n, "limited") ||
	         name_is(name, n, "inactive") || name_is(name, n, "disabled"))
		set_str("false", val, vlen);
	else
		return 0;
	return 1;
}

/* The properties only a bound lease (its device present) has. */
static int lease_active_prop(const struct model_device *d, const char *name, size_t n,
                             const char **val, size_t *vlen)
{
	if (!d->present)
		return 0;
	if (name_is(name, n, "active-address"))
		set_str(d->ip, val, vlen);
	else if (name_is(name, n, "active-mac-address"))
		set_str(d->mac, val, vlen);
	else if (name_is(name, n, "active-server"))
		set_str("defconf", val, vlen);
	else if (name_is(name, n, "expires-after") && !d->lease_comment)
		set_str("7m42s", val, vlen);
	else
		return 0;
	return 1;
}

int model_lease_prop(const struct model_device *d, const char *name, size_t n, int64_t now_ms,
                     char *buf, const char **val, size_t *vlen)
{
	(void)now_ms;
	if (!d->lease)
		return 0;
	if (name_is(name, n, ".id"))
		set_id(buf, d->lease_id, val, vlen);
	else if (name_is(name, n, "address"))
		set_str(d->ip, val, vlen);
	else if (name_is(name, n, "mac-address"))
		set_str(d->mac, val, vlen);
	else if (name_is(name, n, "address-lists") || name_is(name, n, "dhcp-option"))
		set_str("", val, vlen);
	else if (name_is(name, n, "server"))
		set_str("defconf", val, vlen);
	else if (name_is(name, n, "status"))
		set_str(d->present ? "bound" : "waiting", val, vlen);
	else if (name_is(name, n, "last-seen"))
		set_str(d->present ? "18s" : "never", val, vlen);
	else if (name_is(name, n, "host-name") && d->host_name)
		set_str(d->host_name, val, vlen);
	else if (name_is(name, n, "comment") && d->lease_comment)
		set_str(d->lease_comment, val, vlen);
	else if (name_is(name, n, "dynamic"))
		set_str(d->lease_comment ? "false" : "true", val, vlen);
	else if (name_is(name, n, "radius") || name_is(name, n, "blocked") ||
	         name_is(name, n, "disabled"))
		set_str("false", val, vlen);
	else
		return lease_active_prop(d, name, n, val, vlen);
	return 1;
}
