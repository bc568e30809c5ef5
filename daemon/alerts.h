/*
 * alerts.h — quota alerts: the threshold decision, its mark in the store,
 * and the alert command with its children.
 *
 * A router's quota applies to each of its interfaces: the interface's
 * rx + tx in the current billing cycle (cycle.h) is compared with it after
 * each reading. When usage crosses 80 %, 90 % or 100 %, alert_command runs
 * once (through /bin/sh -c, in the background) with TIKSTAT_ROUTER,
 * TIKSTAT_INTERFACE, TIKSTAT_PERCENT, TIKSTAT_USED, TIKSTAT_QUOTA,
 * TIKSTAT_CYCLE_START and TIKSTAT_CYCLE_END in its environment. Each
 * threshold is recorded in the database when it fires, so it does not fire
 * again in the same cycle, even after a restart. The command starts with
 * default signal dispositions and no blocked signals, whatever the daemon
 * ignores or blocks. When several thresholds are crossed at once (a first
 * start in mid-cycle), the command runs once, for the highest.
 *
 * A [bill NAME] with a quota is checked the same way against the bytes it
 * counts in its own cycle (billing.h), after each commit (the sums of the
 * store are then complete: nothing is pending), with TIKSTAT_BILL,
 * TIKSTAT_PERCENT, TIKSTAT_USED, TIKSTAT_QUOTA, TIKSTAT_CYCLE_START and
 * TIKSTAT_CYCLE_END (no TIKSTAT_ROUTER nor TIKSTAT_INTERFACE) for its
 * alert_command. A router's quota is one bill per interface, checked
 * after each reading as above.
 *
 * The runner reaps only the commands it started (waitpid on each of their
 * pids), never another child of the process. Used by one thread.
 */
#ifndef TIKSTAT_ALERTS_H
#define TIKSTAT_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "recorder.h"

/* The thresholds, in percent, ascending. */
#define ALERTS_N 3
extern const int alerts_thresholds[ALERTS_N];

/* The highest threshold (percent) that used bytes reach of quota, or 0
 * when none (or quota is 0). Pure; exact for every 64-bit value. */
int alerts_crossed(uint64_t used, uint64_t quota);

struct alerts;

/* A runner with no children. NULL when out of memory. */
struct alerts *alerts_new(void);

/* Reaps the commands that finished and frees; commands still running are
 * left to finish on their own. NULL-safe. */
void alerts_free(struct alerts *a);

/* Checks interface h (recorder handle; iface its name) of router r
 * against r->quota at time now, counting the committed traffic and what
 * the recorder holds pending (readings of many interfaces may cross a
 * threshold within one commit_interval); marks each threshold newly
 * crossed in the store and runs r->alert_command once, for the highest
 * (without a command: a warning in the log). */
void alerts_check(struct alerts *a, const struct cfg *cfg, const struct cfg_router *r,
                  const struct recorder *rec, int h, const char *iface, int64_t now);

/* Checks every bill of cfg that has a quota against it at now, when the
 * recorder rec committed since the last call (its health's last_commit
 * moved; else does nothing: call it after each recorder_tick; a second
 * commit within the same second is seen at the next one); marks each
 * threshold newly crossed in the store (by bill name and cycle start) and
 * runs the bill's alert_command once, for the highest (without a command:
 * a warning in the log). */
void alerts_bills(struct alerts *a, const struct cfg *cfg, const struct recorder *rec, int64_t now);

/* Collects the alert commands that finished, without waiting; other
 * children of the process are left alone. Call it from the event loop. */
void alerts_reap(struct alerts *a);

/* How many alert commands were started and not reaped yet. */
size_t alerts_running(const struct alerts *a);

/* Starts argv[0] ... (as posix_spawn, the environment env) as a command
 * of the runner, so that alerts_reap collects it. 0, or an errno value. */
int alerts_spawn(struct alerts *a, char *const argv[], char *const env[]);

#endif
