/*
 * poller.h — the event loop that polls every router over the RouterOS API.
 *
 * One thread drives all routers with the non-blocking mode of
 * routeros-api: one persistent session per router; each poll reads the
 * configured interfaces' counters and the router's uptime and hands the
 * readings to the ingest point (ingest.h), as it does with the readings
 * pushed over HTTP. A slow or dead router never delays another: every
 * session has its own deadlines, and failures back off exponentially with
 * jitter. State changes (up, down
 * with the reason, an interface missing) are logged once, not per poll.
 */
#ifndef TIKSTAT_POLLER_H
#define TIKSTAT_POLLER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "ingest.h"
#include "livehub.h"
#include "pushq.h"
#include "status.h"

struct poller;

/* A callback of the loop: ctx as registered, p the poller. */
typedef void (*poller_hook_fn)(void *ctx, const struct poller *p);

/* Creates a poller for cfg's routers in poll mode (cfg borrowed; it must
 * outlive the poller). Every reading, polled or pushed, goes to in (its
 * references: ingest.h); the readings of routers in push mode arrive
 * through q (may be NULL: no push), whose eventfd the loop watches, and
 * are accounted in this thread like polled ones. st (may be NULL)
 * receives every poll result and every missing interface (status.h). in,
 * st and q are borrowed and must outlive the poller. NULL on failure
 * (logged). */
struct poller *poller_new(const struct cfg *cfg, struct ingest *in, struct status *st,
                          struct pushq *q);

/* Opens at most max router sessions at once (fdbudget.h; SIZE_MAX, the
 * default: no limit). A router whose turn to connect comes with none
 * left is down with message (copied; NULL: the default text, also used
 * when socket() fails with EMFILE or ENFILE), counted under the reason
 * "descriptors", logged once, and tried again an interval later. */
void poller_set_sessions(struct poller *p, size_t max, const char *message);

/* Sets the callback run after each pass of the loop, before it waits
 * again or returns (NULL: none): the housekeeping that no event brings
 * (reaping alert commands, the systemd watchdog, the recorder's commit
 * schedule). The loop passes at least once a second. */
void poller_set_before_sleep(struct poller *p, poller_hook_fn fn, void *ctx);

/* Feeds the live view: the interfaces hub's viewers watch get a
 * monitor-traffic stream on their router's session (livefeed.h). hub is
 * borrowed and must outlive the poller. 0, or -1 (logged). */
int poller_set_live(struct poller *p, struct livehub *hub);

/* Runs until *stop or *reload becomes non-zero (set from signal
 * handlers); then returns, leaving sessions open. Returns 0, or -1 on a
 * fatal error of the loop itself. */
int poller_run(struct poller *p, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);

/* Drains the push queue into the ingest point, sends /quit on every
 * session, closes them and frees. NULL-safe. */
void poller_free(struct poller *p);

/* The number of routers polled, and how many of them are up now. */
size_t poller_count(const struct poller *p);
size_t poller_up(const struct poller *p);

/* The offset (ms) of the first poll of the i-th of n routers polled every
 * interval_s seconds: i / n of the interval, so the polls of a fleet
 * spread evenly over it instead of landing in one burst. Pure. */
int64_t poll_phase_ms(size_t i, size_t n, int interval_s);

/* The time of the next poll after one scheduled at slot, on the router's
 * grid: slot + interval_ms, so a late start does not shift the following
 * polls (the phases stay spread); slots already past at now (the machine
 * was starved, a poll took longer than the interval) are skipped, not
 * caught up in a burst. Always > now. Pure. */
int64_t poll_next_slot(int64_t slot, int64_t interval_ms, int64_t now);

#endif
