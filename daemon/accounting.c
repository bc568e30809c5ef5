/* accounting.c — see accounting.h for the rules. */
#include "accounting.h"

#include "calendar.h"

#include <string.h>

const char *acct_kind_name(enum acct_kind k)
{
	static const char *const names[] = {"baseline", "normal",   "reboot", "reset",
					    "recreated", "rejected", "stale"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

int64_t acct_default_tolerance(int64_t elapsed)
{
	return 5 + elapsed / 200;
}

/* True when the uptime did not grow by at least the elapsed time. */
static bool rebooted(const struct acct_reading *prev, const struct acct_reading *cur,
		     int64_t elapsed, int64_t tolerance)
{
	if (!prev->has_uptime || !cur->has_uptime)
		return false;
	if (cur->uptime < prev->uptime)
		return true;
	uint64_t grew = cur->uptime - prev->uptime;
	return (int64_t)grew + tolerance < elapsed;
}

/* bits/s implied by bytes over seconds exceeds max (128-bit: no overflow). */
static bool too_fast(uint64_t bytes, int64_t seconds, uint64_t max)
{
	if (max == 0)
		return false;
	if (seconds < 1)
		seconds = 1;
	return (unsigned __int128)bytes * 8 > (unsigned __int128)max * (uint64_t)seconds;
}

struct acct_delta acct_compute(const struct acct_reading *prev, const struct acct_reading *cur,
			       const struct acct_limits *lim)
{
	struct acct_delta d = {ACCT_BASELINE, cur->time, cur->time, 0, 0};
	if (!prev)
		return d;
	if (cur->time <= prev->time) {
		d.kind = ACCT_STALE;
		return d;
	}
	int64_t elapsed = cur->time - prev->time;
	int64_t tol = lim->uptime_tolerance >= 0 ? lim->uptime_tolerance
						 : acct_default_tolerance(elapsed);
	d.t0 = prev->time;
	if (rebooted(prev, cur, elapsed, tol)) {
		d.kind = ACCT_REBOOT;
		/* The traffic since boot happened after the boot, not before. */
		if ((int64_t)cur->uptime < elapsed)
			d.t0 = cur->time - (int64_t)cur->uptime;
	} else if (prev->id[0] && cur->id[0] && strcmp(prev->id, cur->id) != 0) {
		d.kind = ACCT_RECREATED;
	} else if (cur->rx < prev->rx || cur->tx < prev->tx) {
		d.kind = ACCT_RESET;
	} else {
		d.kind = ACCT_NORMAL;
	}
	if (d.kind == ACCT_NORMAL) {
		d.rx = cur->rx - prev->rx;
		d.tx = cur->tx - prev->tx;
	} else {
		d.rx = cur->rx;
		d.tx = cur->tx;
	}
	int64_t span = d.t1 - d.t0;
	if (too_fast(d.rx, span, lim->max_rate) || too_fast(d.tx, span, lim->max_rate)) {
		d.kind = ACCT_REJECTED;
		d.rx = d.tx = 0;
	}
	return d;
}

/* floor(total * part / whole) without overflow. */
static uint64_t share(uint64_t total, int64_t part, int64_t whole)
{
	return (uint64_t)((unsigned __int128)total * (uint64_t)part / (uint64_t)whole);
}

int acct_split(const struct acct_delta *d, acct_piece_fn fn, void *ctx)
{
	if (d->rx == 0 && d->tx == 0)
		return 0;
	int64_t whole = d->t1 - d->t0;
	if (whole <= 0)
		return fn(ctx, calendar_bucket_start(STEP_5MIN, d->t1), d->rx, d->tx);
	uint64_t given_rx = 0, given_tx = 0;
	int64_t b = calendar_bucket_start(STEP_5MIN, d->t0);
	while (b < d->t1) {
		int64_t next = calendar_bucket_next(STEP_5MIN, b);
		int64_t upto = next < d->t1 ? next : d->t1;
		/* Cumulative shares: each piece is the difference of two floors,
		 * so the pieces sum to the total exactly. */
		uint64_t rx = share(d->rx, upto - d->t0, whole) - given_rx;
		uint64_t tx = share(d->tx, upto - d->t0, whole) - given_tx;
		given_rx += rx;
		given_tx += tx;
		if (rx || tx) {
			int rc = fn(ctx, b, rx, tx);
			if (rc)
				return rc;
		}
		b = next;
	}
	return 0;
}
