#include "model.h"

#include "clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default interface set: one per quirk a client must survive (a space,
 * a Latin-1 byte, '=' in a value, an empty value, a disabled interface). */
static const struct iface_seed {
	const char *name, *type, *comment;
	int disabled, running;
	unsigned mtu;
	uint64_t rx_rate, tx_rate;
} seeds[] = {
        {"ether1", "ether", NULL, 0, 1, 1500, 1250000, 250000},
        {"ether2 lan", "ether", "a=b=c", 0, 1, 1500, 125000, 62500},
        {"pppoe-out1", "pppoe-out", "", 0, 1, 1480, 50000, 10000},
        {"wlan-caf\xe9", "wlan", NULL, 0, 1, 1500, 12500, 2500},
        {"bridge", "bridge", NULL, 1, 0, 1500, 0, 0},
};

#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* Interface i starts at base + i * IFACE_BASE_STEP so that swapped
 * interfaces show up as wrong values in tests. */
#define IFACE_BASE_STEP 1000000000ULL

const char *const model_iface_props[] = {
        ".id",     "name",    "type",    "mtu",       "running",   "disabled",
        "comment", "rx-byte", "tx-byte", "rx-packet", "tx-packet", NULL,
};

const char *const model_address_props[] = {
        ".id",     "address", "network",  "interface", "actual-interface",
        "invalid", "dynamic", "disabled", NULL,
};

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Bytes grown since t0, floor(rate * elapsed / 1000) in 128-bit math. */
static uint64_t counter_growth(const struct model_counter *c, int64_t now_ms)
{
	if (now_ms <= c->t0_ms || c->rate == 0)
		return 0;
	unsigned __int128 g = (unsigned __int128)c->rate * (uint64_t)(now_ms - c->t0_ms) / 1000;
	return (uint64_t)g; /* a 64-bit counter wraps, like the router's */
}

uint64_t model_counter_value(const struct model_counter *c, int64_t now_ms)
{
	return c->value_base + counter_growth(c, now_ms);
}

uint64_t model_counter_truth(const struct model_counter *c, int64_t now_ms)
{
	return c->truth_base + counter_growth(c, now_ms);
}

/* Folds the growth so far into the bases; growth restarts at now (or later
 * if the router is still down). */
static void counter_rebase(struct model_counter *c, int64_t now_ms)
{
	uint64_t g = counter_growth(c, now_ms);
	c->value_base += g;
	c->truth_base += g;
	if (now_ms > c->t0_ms)
		c->t0_ms = now_ms;
}

void model_counter_init(struct model_counter *c, uint64_t base, uint64_t rate, int64_t now_ms)
{
	c->value_base = base;
	c->truth_base = 0;
	c->rate = rate;
	c->t0_ms = now_ms;
}

void model_counter_reset(struct model_counter *c, int64_t now_ms)
{
	counter_rebase(c, now_ms);
	c->value_base = 0;
}

void model_counter_add(struct model_counter *c, uint64_t bytes, int64_t now_ms)
{
	counter_rebase(c, now_ms);
	c->value_base += bytes;
	c->truth_base += bytes;
}

void model_counter_set_rate(struct model_counter *c, uint64_t rate, int64_t now_ms)
{
	counter_rebase(c, now_ms);
	c->rate = rate;
}

static int iface_init(struct model_iface *i, const struct iface_seed *s, unsigned id,
                      uint64_t rx_base, uint64_t tx_base, int64_t now)
{
	memset(i, 0, sizeof(*i));
	i->id = id;
	i->name = dupstr(s->name);
	i->comment = s->comment ? dupstr(s->comment) : NULL;
	if (!i->name || (s->comment && !i->comment))
		return -1;
	i->type = s->type;
	i->disabled = s->disabled;
	i->running = s->running;
	i->mtu = s->mtu;
	model_counter_init(&i->rx, rx_base, s->rx_rate, now);
	model_counter_init(&i->tx, tx_base, s->tx_rate, now);
	return 0;
}

static int router_set_users(struct model_router *r, const struct model_defaults *d)
{
	r->password = dupstr(d->password ? d->password : "");
	if (!r->password)
		return -1;
	if (!d->noapi_user)
		return 0;
	r->noapi_user = dupstr(d->noapi_user);
	r->noapi_pass = dupstr(d->noapi_pass ? d->noapi_pass : "");
	return r->noapi_user && r->noapi_pass ? 0 : -1;
}

struct model_router *model_router_new(const char *name, enum fr_flavour fl,
                                      const struct model_defaults *d, int64_t now_ms)
{
	struct model_router *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->flavour = fl;
	r->boot_ms = now_ms;
	r->uptime_base_s = d->uptime_s;
	r->name = dupstr(name);
	r->ifaces = calloc(NSEEDS, sizeof(*r->ifaces));
	if (!r->name || !r->ifaces || router_set_users(r, d) < 0)
		goto err;
	for (size_t k = 0; k < NSEEDS; k++) {
		uint64_t step = (uint64_t)k * IFACE_BASE_STEP;
		r->nifaces++;
		if (iface_init(&r->ifaces[k], &seeds[k], (unsigned)k + 1, d->rx_base + step,
		               d->tx_base + step, now_ms) < 0)
			goto err;
	}
	r->next_id = (unsigned)NSEEDS + 1;
	/* The clients hang off the LAN interface, "ether2 lan". */
	if (clients_populate(r, &r->ifaces[1], d->queues, d->devices, now_ms) < 0)
		goto err;
	return r;
err:
	model_router_free(r);
	return NULL;
}

void model_router_free(struct model_router *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->nifaces; k++) {
		free(r->ifaces[k].name);
		free(r->ifaces[k].comment);
	}
	free(r->ifaces);
	clients_free(r);
	free(r->name);
	free(r->password);
	free(r->noapi_user);
	free(r->noapi_pass);
	free(r);
}

int model_router_set_password(struct model_router *r, const char *pw)
{
	char *p = dupstr(pw);
	if (!p)
		return -1;
	free(r->password);
	r->password = p;
	return 0;
}

int model_name_is(const char *have, const char *name, size_t n)
{
	return strlen(have) == n && memcmp(have, name, n) == 0;
}

struct model_iface *model_iface_by_name(struct model_router *r, const char *name, size_t n)
{
	for (size_t k = 0; k < r->nifaces; k++)
		if (model_name_is(r->ifaces[k].name, name, n))
			return &r->ifaces[k];
	return NULL;
}

struct model_iface *model_iface_by_id(struct model_router *r, const char *id, size_t n)
{
	if (n < 2 || n > 9 || id[0] != '*')
		return NULL;
	unsigned v = 0;
	for (size_t k = 1; k < n; k++) {
		char c = id[k];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return NULL;
		v = v * 16 + (unsigned)d;
	}
	for (size_t k = 0; k < r->nifaces; k++)
		if (r->ifaces[k].id == v)
			return &r->ifaces[k];
	return NULL;
}

void model_iface_reset(struct model_iface *i, int64_t now_ms)
{
	model_counter_reset(&i->rx, now_ms);
	model_counter_reset(&i->tx, now_ms);
}

void model_iface_reset_dir(struct model_iface *i, bool rx, int64_t now_ms)
{
	model_counter_reset(rx ? &i->rx : &i->tx, now_ms);
}

void model_iface_recreate(struct model_router *r, struct model_iface *i, int64_t now_ms)
{
	model_iface_reset(i, now_ms);
	i->id = r->next_id++;
}

void model_iface_add(struct model_iface *i, uint64_t rx, uint64_t tx, int64_t now_ms)
{
	model_counter_add(&i->rx, rx, now_ms);
	model_counter_add(&i->tx, tx, now_ms);
}

void model_iface_set_rate(struct model_iface *i, uint64_t rx_bps, uint64_t tx_bps, int64_t now_ms)
{
	model_counter_set_rate(&i->rx, rx_bps, now_ms);
	model_counter_set_rate(&i->tx, tx_bps, now_ms);
}

void model_router_reboot(struct model_router *r, int64_t now_ms, int64_t down_ms)
{
	int64_t up = now_ms + (down_ms > 0 ? down_ms : 0);
	for (size_t k = 0; k < r->nifaces; k++) {
		model_iface_reset(&r->ifaces[k], now_ms);
		r->ifaces[k].rx.t0_ms = up; /* no traffic while the router is off */
		r->ifaces[k].tx.t0_ms = up;
	}
	clients_reboot(r, now_ms, up);
	r->boot_ms = up;
	r->uptime_base_s = 0;
}

uint64_t model_uptime_s(const struct model_router *r, int64_t now_ms)
{
	if (now_ms < r->boot_ms)
		return 0;
	return r->uptime_base_s + (uint64_t)(now_ms - r->boot_ms) / 1000;
}

/* Appends "<v><unit>" when v is non-zero. */
static size_t put_unit(char *buf, size_t size, size_t off, uint64_t v, char unit)
{
	if (v == 0 || off >= size)
		return off;
	int n = snprintf(buf + off, size - off, "%llu%c", (unsigned long long)v, unit);
	return n < 0 ? off : off + (size_t)n;
}

char *model_format_uptime(uint64_t s, enum fr_flavour fl, char *buf, size_t size)
{
	uint64_t w = s / 604800, d = s / 86400 % 7, h = s / 3600 % 24, m = s / 60 % 60,
	         sec = s % 60;
	size_t off = put_unit(buf, size, 0, w, 'w');
	off = put_unit(buf, size, off, d, 'd');
	if (off >= size)
		return buf;
	if (fl == FR_V6OLD) {
		snprintf(buf + off, size - off, "%02llu:%02llu:%02llu", (unsigned long long)h,
		         (unsigned long long)m, (unsigned long long)sec);
		return buf;
	}
	off = put_unit(buf, size, off, h, 'h');
	off = put_unit(buf, size, off, m, 'm');
	if ((sec > 0 || off == 0) && off < size)
		snprintf(buf + off, size - off, "%llus", (unsigned long long)sec);
	else if (off < size)
		buf[off] = '\0';
	return buf;
}

const char *model_version(enum fr_flavour fl)
{
	switch (fl) {
	case FR_V6OLD: return "6.40.9 (bugfix)";
	case FR_V6: return "6.49.10 (long-term)";
	default: return "7.18.2 (stable)";
	}
}

static const char *const flavour_names[] = {"v6old", "v6", "v7"};
static const char *const transport_names[] = {"plain", "tls", "adh"};

const char *model_flavour_name(enum fr_flavour fl)
{
	return flavour_names[fl];
}

int model_flavour_parse(const char *s)
{
	for (int k = 0; k < 3; k++)
		if (strcmp(s, flavour_names[k]) == 0)
			return k;
	return -1;
}

const char *model_transport_name(enum fr_transport t)
{
	return transport_names[t];
}

int model_transport_parse(const char *s)
{
	for (int k = 0; k < 3; k++)
		if (strcmp(s, transport_names[k]) == 0)
			return k;
	return -1;
}

static int name_is(const char *name, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(name, lit, n) == 0;
}

static void set_num(char *buf, uint64_t v, const char **val, size_t *vlen)
{
	*vlen = (size_t)snprintf(buf, 32, "%llu", (unsigned long long)v);
	*val = buf;
}

static void set_str(const char *s, const char **val, size_t *vlen)
{
	*val = s;
	*vlen = strlen(s);
}

/* The counter-valued properties; 0 if name is not one of them. */
static int counter_prop(const struct model_iface *i, const char *name, size_t n, int64_t now_ms,
                        char *buf, const char **val, size_t *vlen)
{
	const struct model_counter *c;
	int packets = 0;
	if (name_is(name, n, "rx-byte") || (packets = name_is(name, n, "rx-packet")))
		c = &i->rx;
	else if (name_is(name, n, "tx-byte") || (packets = name_is(name, n, "tx-packet")))
		c = &i->tx;
	else
		return 0;
	uint64_t v = model_counter_value(c, now_ms);
	set_num(buf, packets ? v / 1000 : v, val, vlen);
	return 1;
}

int model_iface_prop(const struct model_iface *i, const char *name, size_t n, int64_t now_ms,
                     char *buf, const char **val, size_t *vlen)
{
	if (name_is(name, n, ".id")) {
		*vlen = (size_t)snprintf(buf, 32, "*%X", i->id);
		*val = buf;
	} else if (name_is(name, n, "name")) {
		set_str(i->name, val, vlen);
	} else if (name_is(name, n, "type")) {
		set_str(i->type, val, vlen);
	} else if (name_is(name, n, "mtu")) {
		set_num(buf, i->mtu, val, vlen);
	} else if (name_is(name, n, "running")) {
		set_str(i->running ? "true" : "false", val, vlen);
	} else if (name_is(name, n, "disabled")) {
		set_str(i->disabled ? "true" : "false", val, vlen);
	} else if (name_is(name, n, "comment")) {
		if (!i->comment)
			return 0;
		set_str(i->comment, val, vlen);
	} else {
		return counter_prop(i, name, n, now_ms, buf, val, vlen);
	}
	return 1;
}

/* Parses "A.B.C.D/NN" (n bytes) into its four octets and prefix length. */
static int parse_cidr(const char *t, size_t n, unsigned oct[4], unsigned *prefix)
{
	char buf[24];
	char tail;
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	for (size_t k = 0; k < n; k++)
		if (!(buf[k] >= '0' && buf[k] <= '9') && buf[k] != '.' && buf[k] != '/')
			return -1;
	if (sscanf(buf, "%3u.%3u.%3u.%3u/%2u%c", &oct[0], &oct[1], &oct[2], &oct[3], prefix,
	           &tail) != 5)
		return -1;
	for (int k = 0; k < 4; k++)
		if (oct[k] > 255)
			return -1;
	return *prefix <= 32 ? 0 : -1;
}

int model_format_cidr(const char *text, size_t n, char out[20])
{
	unsigned oct[4], prefix;
	if (parse_cidr(text, n, oct, &prefix) < 0)
		return -1;
	snprintf(out, 20, "%u.%u.%u.%u/%u", oct[0], oct[1], oct[2], oct[3], prefix);
	return 0;
}

int model_iface_set_address(struct model_iface *i, const char *text, size_t n)
{
	if (n == 4 && memcmp(text, "none", 4) == 0) {
		i->address[0] = '\0';
		return 0;
	}
	/* Stored as RouterOS prints it: no leading zeros. */
	return model_format_cidr(text, n, i->address);
}

/* The network address of the interface's address ("A.B.C.D"). */
static void address_network(const struct model_iface *i, char *buf, size_t size)
{
	unsigned oct[4], prefix;
	if (parse_cidr(i->address, strlen(i->address), oct, &prefix) < 0) {
		snprintf(buf, size, "0.0.0.0");
		return;
	}
	uint32_t a = (uint32_t)oct[0] << 24 | oct[1] << 16 | oct[2] << 8 | oct[3];
	uint32_t mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
	a &= mask;
	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

int model_address_prop(const struct model_iface *i, const char *name, size_t n, char *buf,
                       const char **val, size_t *vlen)
{
	if (!i->address[0])
		return 0;
	if (name_is(name, n, ".id")) {
		*vlen = (size_t)snprintf(buf, 32, "*%X", i->id);
		*val = buf;
	} else if (name_is(name, n, "address")) {
		set_str(i->address, val, vlen);
	} else if (name_is(name, n, "network")) {
		address_network(i, buf, 32);
		set_str(buf, val, vlen);
	} else if (name_is(name, n, "interface") || name_is(name, n, "actual-interface")) {
		set_str(i->name, val, vlen);
	} else if (name_is(name, n, "invalid") || name_is(name, n, "dynamic") ||
	           name_is(name, n, "disabled")) {
		set_str("false", val, vlen);
	} else {
		return 0;
	}
	return 1;
}
