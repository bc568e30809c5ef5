/*
 * poller.h — the event loop that polls every router over the RouterOS API.
 *
 * One thread drives all routers with the non-blocking mode of
 * routeros-api: one persistent session per router; each poll reads the
 * configured interfaces' counters and the router's uptime and hands the
 * readings to the recorder (the only database writer). A slow or dead
 * router never delays another: every session has its own deadlines, and
 * failures back off exponentially with jitter. State changes (up, down
 * with the reason, an interface missing) are logged once, not per poll.
 */
#ifndef TIKSTAT_POLLER_H
#define TIKSTAT_POLLER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "pushq.h"
#include "recorder.h"
#include "status.h"

/* Up to this many configured interfaces are read with one ?name= query
 * each (2 words per name); a router with more is asked for its whole
 * interface list, and the poll picks the configured ones from it (sorted
 * once, searched per name): a command of 10,000 words is refused by
 * routers and simulators alike. --check-config does the same. */
#define POLLER_QUERY_NAMES_MAX 256

struct poller;

/* What the outside (metrics, status) may know of a router. */
struct poller_status {
	const char *name;
	bool up;
	const char *last_error;   /* "" while up */
	uint64_t polls_ok;
	uint64_t polls_failed;
	int64_t last_success;     /* Unix seconds, 0 = never */
	int64_t last_duration_ms; /* of the last successful poll */
};

/* Creates a poller for cfg's routers in poll mode (cfg and rec borrowed;
 * they must outlive the poller). NULL on failure (logged).
 * The interfaces of routers in push mode are registered with the recorder
 * too: their readings arrive through q (may be NULL: no push), whose
 * eventfd the loop watches, and are accounted in this thread like polled
 * ones. st (may be NULL) receives every poll result and every reading's
 * accounting totals (status.h); both are borrowed and must outlive the
 * poller. */
struct poller *poller_new(const struct cfg *cfg, struct recorder *rec, struct status *st,
			  struct pushq *q);

/* Runs until *stop or *reload becomes non-zero (set from signal
 * handlers); then returns, leaving sessions open. Returns 0, or -1 on a
 * fatal error of the loop itself. */
int poller_run(struct poller *p, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);

/* Sends /quit on every session, closes them and frees. NULL-safe. */
void poller_free(struct poller *p);

/* Status of router i (0 <= i < poller_count). */
size_t poller_count(const struct poller *p);
void poller_get_status(const struct poller *p, size_t i, struct poller_status *out);

#endif
