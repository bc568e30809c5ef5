/*
 * model: the simulated state of each router (users, interfaces, counters,
 * uptime) as a pure function of the monotonic time passed in. No I/O, no
 * clock of its own: every function that depends on time takes now_ms.
 *
 * Counters: counter(t) = base + floor(rate * (t - t0) / 1000), computed in
 * 128 bits. Anything that changes a counter other than time (a rate change,
 * reset, add, reboot) first "rebases" it at now, so values are continuous
 * and deterministic. Next to each counter runs a ground truth: the total
 * counted since fakerouter started, which grows exactly like the counter
 * but is never reset.
 */
#ifndef FR_MODEL_H
#define FR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fr_flavour { FR_V6OLD, FR_V6, FR_V7 };
enum fr_transport { FR_PLAIN, FR_TLS, FR_ADH };

struct model_counter {
	uint64_t value_base; /* counter value at t0 */
	uint64_t truth_base; /* ground truth at t0 */
	uint64_t rate;       /* bytes per second from t0 on */
	int64_t t0_ms;       /* growth starts here (may lie ahead while down) */
};

struct model_iface {
	unsigned id; /* printed as "*%X" */
	char *name;  /* owned, raw bytes, no NUL inside */
	const char *type;
	int disabled, running;
	unsigned mtu;
	char *comment; /* owned; NULL = the item has no comment property */
	struct model_counter rx, tx;
	char address[20]; /* its IPv4 address "A.B.C.D/NN" (/ip/address); "" = none */
};

/* A simple queue (/queue/simple): "up" counts bytes from its target
 * (upload), "down" bytes to it (download), as RouterOS prints bytes=UP/DOWN. */
struct model_queue {
	unsigned id;   /* printed as "*%X" */
	char *name;    /* owned, raw bytes */
	char *target;  /* owned, "A.B.C.D/NN" */
	char *comment; /* owned; NULL = no comment property */
	int present;   /* 0 once removed: not printed, no growth, truth kept */
	struct model_counter up, down;
};

/* A /ip/kid-control/device entry (RouterOS 7) and its DHCP lease. */
struct model_device {
	unsigned id;           /* printed as "*%X" */
	char mac[18];          /* "02:00:00:00:00:01", uppercase */
	char ip[16];           /* "192.168.88.10" */
	char *name;            /* owned; "" for a dynamic device */
	char *user;            /* owned; kid-control profile, "" for a dynamic device */
	int present;           /* 0 once gone: not printed, no growth, truth kept */
	int lease;             /* has a /ip/dhcp-server/lease item */
	unsigned lease_id;     /* that item's .id */
	char *host_name;       /* owned; the lease's host-name, NULL = none */
	char *lease_comment;   /* owned; NULL = none (then the lease is dynamic) */
	int64_t idle_since_ms; /* last time its traffic stopped */
	struct model_counter up, down;
};

struct model_defaults {
	uint64_t rx_base, tx_base; /* first interface's start values */
	uint64_t uptime_s;         /* simulated uptime at start-up */
	const char *password;      /* admin's password */
	const char *noapi_user;    /* NULL = none */
	const char *noapi_pass;
	size_t queues, devices; /* simple queues and kid-control devices at start */
};

struct model_router {
	char *name;
	enum fr_flavour flavour; /* for sessions opened from now on */
	char *password;          /* admin's */
	char *noapi_user, *noapi_pass;
	struct model_iface *ifaces;
	size_t nifaces;
	unsigned next_id;
	struct model_queue *queues; /* removed ones stay, not present */
	size_t nqueues, queues_cap;
	unsigned next_queue_id;
	struct model_device *devices; /* gone ones stay, not present */
	size_t ndevices, devices_cap;
	unsigned next_device_id, next_lease_id;
	int64_t boot_ms; /* uptime counts from here (ahead while down) */
	uint64_t uptime_base_s;
	/* statistics, kept by the server and the API code */
	uint64_t logins, failed_logins, commands, accepted;
	size_t monitors; /* streaming monitor-traffic commands open now, all sessions */
};

/* Creates a router named name with the default interface set, counters at
 * d's bases, started at now_ms. Strings are copied. NULL on out of memory. */
struct model_router *model_router_new(const char *name, enum fr_flavour fl,
                                      const struct model_defaults *d, int64_t now_ms);

/* Frees the router and everything it owns. NULL-safe. */
void model_router_free(struct model_router *r);

/* Replaces admin's password (copied). 0 or -1 on out of memory. */
int model_router_set_password(struct model_router *r, const char *pw);

/* 1 when the NUL-terminated have is exactly the n bytes of name. */
int model_name_is(const char *have, const char *name, size_t n);

/* Finds an interface by exact name (n bytes); NULL if none. */
struct model_iface *model_iface_by_name(struct model_router *r, const char *name, size_t n);

/* Finds an interface by id word "*1A" (n bytes, hex, any case); NULL if none. */
struct model_iface *model_iface_by_id(struct model_router *r, const char *id, size_t n);

/* Counter value and ground truth at now_ms. */
uint64_t model_counter_value(const struct model_counter *c, int64_t now_ms);
uint64_t model_counter_truth(const struct model_counter *c, int64_t now_ms);

/* Starts a counter at base, growing by rate bytes/s from now_ms; its
 * ground truth starts at 0. */
void model_counter_init(struct model_counter *c, uint64_t base, uint64_t rate, int64_t now_ms);

/* Zeroes the counter (not the ground truth) at now_ms. */
void model_counter_reset(struct model_counter *c, int64_t now_ms);

/* Adds bytes to the counter and the ground truth at once. */
void model_counter_add(struct model_counter *c, uint64_t bytes, int64_t now_ms);

/* Sets the growth rate (bytes/s) from now on; the value stays continuous. */
void model_counter_set_rate(struct model_counter *c, uint64_t rate, int64_t now_ms);

/* Zeroes rx/tx counters (not the ground truth) of one interface. */
void model_iface_reset(struct model_iface *i, int64_t now_ms);

/* Zeroes one direction's counter (rx when rx, else tx), not the ground
 * truth: a counter wrap or a one-sided reset. */
void model_iface_reset_dir(struct model_iface *i, bool rx, int64_t now_ms);

/* Gives the interface the next free id and zeroes its counters, like a
 * PPPoE interface re-created on reconnect. */
void model_iface_recreate(struct model_router *r, struct model_iface *i, int64_t now_ms);

/* Adds bytes to counters and ground truth at once. */
void model_iface_add(struct model_iface *i, uint64_t rx, uint64_t tx, int64_t now_ms);

/* Sets growth rates (bytes/s) from now on; values stay continuous. */
void model_iface_set_rate(struct model_iface *i, uint64_t rx_bps, uint64_t tx_bps, int64_t now_ms);

/* Reboot: counters zeroed, growth and uptime restart at now + down_ms. */
void model_router_reboot(struct model_router *r, int64_t now_ms, int64_t down_ms);

/* Seconds of (simulated) uptime at now_ms; 0 while the router is down. */
uint64_t model_uptime_s(const struct model_router *r, int64_t now_ms);

/* Formats seconds the way the flavour prints uptime: "1w4d1h16m55s" (v6,
 * v7) or "6w6d18:33:07" / "01:22:53" (v6old). Returns buf. */
char *model_format_uptime(uint64_t s, enum fr_flavour fl, char *buf, size_t size);

/* The version string a flavour reports, e.g. "7.18.2 (stable)". */
const char *model_version(enum fr_flavour fl);

/* Name <-> enum for flavours and transports; parse returns -1 if unknown. */
const char *model_flavour_name(enum fr_flavour fl);
int model_flavour_parse(const char *s);
const char *model_transport_name(enum fr_transport t);
int model_transport_parse(const char *s);

/* Writes the value of interface property name (n bytes) into val and vlen
 * (using buf, at least 32 bytes, for numbers). Returns 1, or 0 when the
 * interface has no such property. Properties: .id name type mtu running
 * disabled comment rx-byte tx-byte rx-packet tx-packet. */
int model_iface_prop(const struct model_iface *i, const char *name, size_t n, int64_t now_ms,
                     char *buf, const char **val, size_t *vlen);

/* All interface property names in print order, NULL-terminated. */
extern const char *const model_iface_props[];

/* Normalizes "A.B.C.D/NN" (n bytes) the way RouterOS prints it (no
 * leading zeros) into out. 0, or -1 when text is not one. */
int model_format_cidr(const char *text, size_t n, char out[20]);

/* Sets the interface's IPv4 address from text "A.B.C.D/NN" (n bytes), or
 * removes it when text is "none". 0, or -1 when text is neither. */
int model_iface_set_address(struct model_iface *i, const char *text, size_t n);

/* As model_iface_prop, for the interface's /ip/address item (only when it
 * has an address). Properties: .id address network interface
 * actual-interface invalid dynamic disabled. */
int model_address_prop(const struct model_iface *i, const char *name, size_t n, char *buf,
                       const char **val, size_t *vlen);

/* All /ip/address property names in print order, NULL-terminated. */
extern const char *const model_address_props[];

#endif
