/*
 * ingest.h — the one place where a reading arrives, polled or pushed.
 *
 * The table holds one reference per configured counter (every interface
 * of every router, poll and push mode alike), built once for a
 * configuration: the router, the interface, its recorder handle, its id
 * in the store and its row in the status table. ingest_reading takes a
 * reading of one counter through every step: the recorder (accounting,
 * storage), the log line when something is unusual, the status table, the
 * quota alerts. It is the only caller of recorder_add, of status_reading
 * and of alerts_check, so a new counter source adds a reference, not a
 * copy of the steps.
 *
 * References are numbered 0 .. ingest_count - 1 in configuration order
 * (router by router, interface by interface); they never change while
 * the table lives, so ingest_find and ingest_ref may be called from any
 * thread. ingest_reading (the recorder, the store) only from the thread
 * that owns the recorder.
 */
#ifndef TIKSTAT_INGEST_H
#define TIKSTAT_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "accounting.h"
#include "alerts.h"
#include "cfg.h"
#include "recorder.h"
#include "status.h"

/* One counter: a configured interface, or a queue or device found by
 * the poller (ingest_counter). */
struct ingest_ref {
	const struct cfg_router *cfg;
	size_t router;        /* index in cfg->routers: the status table's row */
	size_t iface;         /* index in cfg->interfaces, SIZE_MAX for a queue or device */
	enum store_kind kind; /* STORE_IFACE, STORE_QUEUE, STORE_DEVICE */
	const char *name;     /* the interface's or queue's name, the device's MAC */
	int handle;           /* recorder handle */
	int64_t store_id;     /* the counter's id in the store */
};

struct ingest;

/* Registers every configured counter with rec (routers in poll mode
 * first, then those in push mode, so the store's ids stay as they were)
 * and publishes each one's last stored reading to st. cfg, rec, st and
 * al are borrowed and must outlive the table; st and al may be NULL (no
 * status, no alerts). NULL on failure (logged). */
struct ingest *ingest_new(const struct cfg *cfg, struct recorder *rec, struct status *st,
                          struct alerts *al);
void ingest_free(struct ingest *in);

/* The number of references. */
size_t ingest_count(const struct ingest *in);

/* Reference id, or NULL when id >= ingest_count. */
const struct ingest_ref *ingest_ref(const struct ingest *in, size_t id);

/* The id of interface iface of router router (cfg indices), or -1 when
 * there is none. O(1); thread-safe. */
long ingest_find(const struct ingest *in, size_t router, size_t iface);

/* The same with ctx an ingest table: the push queue's resolver (pushq.h). */
long ingest_resolve(const void *ctx, size_t router, size_t iface);

/* Accounts rd, a reading of ref's counter, at wall time now (Unix
 * seconds: the recorder's commit schedule), logs what is unusual about it
 * (the words depend on rd->source), publishes the counter's totals and
 * checks its quota. out (may be NULL) receives what was counted. Returns
 * recorder_add's result: 0, or -1 when the store failed (the reading stays
 * pending; logged by the recorder). */
int ingest_reading(struct ingest *in, const struct ingest_ref *ref, const struct acct_reading *rd,
                   int64_t now, struct acct_delta *out);

/* --- queues and devices: counters that come and go ---
 *
 * The poller reads a router's simple queues and kid-control devices in
 * each poll; each one seen gets a reference on first sight, kept in a
 * table per router sorted by kind and name (O(log n) a look-up) and
 * published to the status table. At most max_devices of each kind are
 * tracked per router; one not seen for device_idle is released (its
 * history stays in the store; seen again, it is counted from a reading
 * that the stored last reading makes exact, as after a restart). Used
 * by the poller thread only; a reference stays valid until released. */

/* The reference of router's counter (kind, name) (kind STORE_QUEUE or
 * STORE_DEVICE), registered on first sight. NULL when the router already
 * tracks max_devices counters of that kind (status_cap_reached), when
 * the name is longer than STATUS_NAME_SIZE - 1 bytes, or on a store error
 * (logged). */
const struct ingest_ref *ingest_counter(struct ingest *in, size_t router, enum store_kind kind,
                                        const char *name);

/* What the router says of ref now: its name for people and its address
 * (a device's IP, a queue's target; NULL: unknown); marks it seen in the
 * poll of round (a number that grows with every poll of the router) at
 * wall time now (Unix seconds) and monotonic time mono_ms (the reading's
 * mono_ms: device_idle is measured on it). */
void ingest_counter_seen(struct ingest *in, const struct ingest_ref *ref, const char *display,
                         const char *address, uint64_t round, int64_t now, int64_t mono_ms);

/* After round's poll of router's counters of kind: the ones not seen in
 * it are marked absent; those unseen for device_idle seconds at monotonic
 * time mono_ms are released. cap_reached: whether ingest_counter turned one
 * away in this round. Returns how many of kind the router tracks now. */
size_t ingest_counters_sweep(struct ingest *in, size_t router, enum store_kind kind, uint64_t round,
                             bool cap_reached, int64_t now, int64_t mono_ms);

#endif
