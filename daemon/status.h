/*
 * status.h — what the daemon knows about its routers right now, shared
 * between the poller thread (which publishes) and the HTTP threads (which
 * read: /api/v1/interfaces, /metrics).
 *
 * One row per configured router (cfg order, poll and push mode alike) and
 * one per configured interface. A mutex guards the table; readers take a
 * consistent copy with status_snapshot and never hold the lock while they
 * render. Totals are the accounting totals (recorder_totals: committed
 * plus pending), so they only grow, across router reboots and resets.
 *
 * Every function is thread-safe. Router and interface indices are the
 * positions in cfg->routers and cfg_router->interfaces; out-of-range
 * indices are ignored.
 */
#ifndef TIKSTAT_STATUS_H
#define TIKSTAT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "store.h"

/* Why a poll failed, coarser than enum ros_status: the label values of
 * tikstat_poll_failures_total. */
enum status_reason {
	REASON_TIMEOUT,
	REASON_REFUSED,
	REASON_RESOLVE,
	REASON_AUTH,
	REASON_TLS,
	REASON_PROTOCOL,
	REASON_CLOSED,
	REASON_TOO_LARGE,   /* a reply beyond max_reply_size / max_reply_items */
	REASON_DESCRIPTORS, /* no file descriptor for the session (fdbudget.h) */
	REASON_OTHER,
	REASON_COUNT
};

/* Why a push was refused: the label values of tikstat_push_rejected_total. */
enum status_push_reject {
	PUSH_REJECT_TOKEN,     /* missing or unknown token (403) */
	PUSH_REJECT_PARAMETER, /* a malformed or missing parameter (400) */
	PUSH_REJECT_INTERFACE, /* an interface the router does not push (400) */
	PUSH_REJECT_BUSY,      /* the queue to the poller was full (503) */
	PUSH_REJECT_COUNT
};

/* The slug of a reason ("timeout", "refused", "resolve", "auth", "tls",
 * "protocol", "closed", "too_large", "descriptors", "other") and of a push rejection ("token",
 * "parameter", "interface", "busy"). */
const char *status_reason_name(enum status_reason r);
const char *status_push_reject_name(enum status_push_reject r);

struct status_iface {
	bool has_reading;
	int64_t last_time; /* Unix seconds of the last reading */
	uint64_t rx_total, tx_total;
	uint64_t read_in_poll; /* the router's polls_ok once the poll that
				     * read it last succeeds: equal to polls_ok
				     * when the last successful poll read it */
	bool missing;          /* poll mode: not on the router at the last poll */
	char error[512];       /* while missing: what the router has (ifnames.h) */
};

/* The longest queue name (bytes) the daemon tracks; a MAC is 17. */
#define STATUS_NAME_SIZE 256

/* A simple queue or kid-control device of a polled router, tracked since
 * the poller first saw it (ingest.h). */
struct status_counter {
	enum store_kind kind;           /* STORE_QUEUE or STORE_DEVICE */
	char name[STATUS_NAME_SIZE];    /* the queue's name, the device's MAC */
	char display[STATUS_NAME_SIZE]; /* the router's name for it ("" none; may be cut) */
	char address[64];               /* a device's IP, a queue's target ("" none; may be cut) */
	bool present;                   /* in the router's table at the last poll */
	bool has_reading;
	int64_t last_time; /* Unix seconds of the last reading */
	uint64_t rx_total, tx_total;
};

/* How many counters of a kind a router tracks, and whether max_devices
 * turned one away (tikstat_counters, tikstat_counters_cap_reached). */
struct status_tracked {
	size_t n;
	bool cap_reached;
};

struct status_router {
	bool known; /* poll mode: a poll ended (up or down) */
	bool up;
	char error[512]; /* the last failure while down, "" while up */
	uint64_t polls_ok, polls_failed;
	uint64_t failures[REASON_COUNT];
	int64_t last_success;        /* Unix seconds, 0 = never */
	int64_t last_duration_ms;    /* of the last successful poll */
	uint64_t pushes;             /* accepted pushes */
	char address[64];            /* last address pushed, "" none */
	struct status_iface *ifaces; /* cfg_router->n_interfaces */
	size_t n_ifaces;
	struct status_counter *counters; /* queues and devices, by kind then name */
	size_t n_counters, cap_counters;
	struct status_tracked tracked[STORE_KIND_COUNT]; /* [STORE_QUEUE], [STORE_DEVICE] */
};

/* The upper bounds (ms) of the poll lateness histogram's buckets; the
 * last bucket (+Inf) is implied. */
#define STATUS_LATE_BUCKETS 8
extern const int64_t status_late_bounds_ms[STATUS_LATE_BUCKETS];

/* How late polls started against their schedule (all routers). */
struct status_lateness {
	uint64_t buckets[STATUS_LATE_BUCKETS + 1]; /* not cumulative; [last] = +Inf */
	uint64_t count;
	int64_t sum_ms;
};

struct status_snapshot {
	struct status_router *routers; /* n, cfg order */
	size_t n;
	struct status_lateness lateness;
	size_t overdue; /* routers more than a second past their poll's time, last counted */
	uint64_t push_rejected[PUSH_REJECT_COUNT];
	struct store_health database; /* as the recorder last published it */
};

struct status;

/* A table for cfg's routers (cfg borrowed, must outlive it), all unknown.
 * NULL when out of memory. */
struct status *status_new(const struct cfg *cfg);
void status_free(struct status *s);

/* Poller side. */
void status_poll_ok(struct status *s, size_t router, int64_t when, int64_t duration_ms);
void status_poll_failed(struct status *s, size_t router, int ros_status, const char *error);
/* A failed poll counted under reason (status_poll_failed maps a
 * ros_status to its reason): error is the router's status text. */
void status_poll_failed_why(struct status *s, size_t router, enum status_reason reason,
                            const char *error);
void status_reading(struct status *s, size_t router, size_t iface, int64_t time, uint64_t rx_total,
                    uint64_t tx_total);
/* A poll started late_ms after its scheduled time. */
void status_poll_late(struct status *s, int64_t late_ms);
/* How many routers are more than a second past their poll's time now. */
void status_overdue(struct status *s, size_t n);

/* The database's health (recorder.h on_health). */
void status_database(struct status *s, const struct store_health *h);
/* Interface iface is missing on the router (error: what it has, copied)
 * or, with error NULL, present again. */
void status_iface_missing(struct status *s, size_t router, size_t iface, const char *error);

/* A queue or device of router: c replaces the row of (c->kind, c->name),
 * or is added (O(log n) + the move of the rows after it). */
void status_counter_update(struct status *s, size_t router, const struct status_counter *c);
/* Removes the row of (kind, name) of router (no longer tracked). */
void status_counter_remove(struct status *s, size_t router, enum store_kind kind, const char *name);
/* Whether max_devices turned a counter of kind away at the last poll. */
void status_cap_reached(struct status *s, size_t router, enum store_kind kind, bool reached);

/* Push side (HTTP threads). addr: a validated address, copied. */
void status_push_accepted(struct status *s, size_t router, const char *addr);
void status_push_rejected(struct status *s, enum status_push_reject why);

/* Copies the whole table into *out (free with status_snapshot_free).
 * 0, or -1 when out of memory. */
int status_snapshot(struct status *s, struct status_snapshot *out);
void status_snapshot_free(struct status_snapshot *snap);

#endif
