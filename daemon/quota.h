/*
 * quota.h — billing-cycle quotas and the alert command.
 *
 * A router's quota applies to each of its interfaces: the interface's
 * rx + tx in the current billing cycle (from cycle_start_day at local
 * midnight) is compared with it after each reading. When usage crosses
 * 80 %, 90 % or 100 %, alert_command runs once (through /bin/sh -c, in the
 * background) with TIKSTAT_ROUTER, TIKSTAT_INTERFACE, TIKSTAT_PERCENT,
 * TIKSTAT_USED, TIKSTAT_QUOTA, TIKSTAT_CYCLE_START and TIKSTAT_CYCLE_END
 * in its environment. Each threshold is recorded in the database when it
 * fires, so it does not fire again in the same cycle, even after a
 * restart. The command starts with default signal dispositions and no
 * blocked signals, whatever the daemon ignores or blocks. When several
 * thresholds are crossed at once (a first start in mid-cycle), the
 * command runs once, for the highest.
 */
#ifndef TIKSTAT_QUOTA_H
#define TIKSTAT_QUOTA_H

#include <stdint.h>

#include "cfg.h"
#include "recorder.h"
#include "store.h"

/* The thresholds, in percent. */
extern const int quota_thresholds[3];

/* Usage of the cycle containing now: used bytes, the linear estimate at
 * the cycle's end, and the cycle bounds. Returns 0 or -1 (store error). */
struct quota_usage {
	int64_t start, end;
	uint64_t rx, tx, used;
	uint64_t estimate;
};
int quota_usage(store *s, int64_t iface, int cycle_start_day, int64_t now,
		struct quota_usage *u);

/* Checks interface h (recorder handle) of router r against r->quota and
 * runs the alert command when a threshold is newly crossed. Usage counts
 * the committed traffic and what the recorder holds pending: readings of
 * many interfaces may cross a threshold within one commit_interval. */
void quota_check(const struct cfg *cfg, const struct cfg_router *r, const struct recorder *rec,
		 int h, const char *iface_name, int64_t now);

/* Collects finished alert commands (call from the event loop). */
void quota_reap(void);

#endif
