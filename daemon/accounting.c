/* accounting.c — see accounting.h for the rules. */
#include "accounting.h"

#include "calendar.h"

#include <string.h>

const char *acct_kind_name(enum acct_kind k)
{
	static const char *const names[] = {"baseline",  "normal",   "reboot", "reset",
	                                    "recreated", "rejected", "stale"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *acct_source_name(enum acct_source s)
{
	switch (s) {
	case ACCT_SRC_POLL: return "poll";
	case ACCT_SRC_PUSH: return "push";
	case ACCT_SRC_LEGACY: return "legacy";
	default: return NULL;
	}
}

enum acct_source acct_source_parse(const char *name)
{
	for (int s = ACCT_SRC_POLL; s <= ACCT_SRC_LEGACY; s++)
		if (name && strcmp(name, acct_source_name((enum acct_source)s)) == 0)
			return (enum acct_source)s;
	return ACCT_SRC_UNKNOWN;
}

const char *acct_source_text(enum acct_source s)
{
	switch (s) {
	case ACCT_SRC_POLL: return "polling";
	case ACCT_SRC_PUSH: return "pushes";
	case ACCT_SRC_LEGACY: return "legacy import";
	default: return "unknown";
	}
}

int64_t acct_default_tolerance(int64_t elapsed)
{
	return 5 + (elapsed > 0 ? elapsed / 200 : 0);
}

static bool time_ok(int64_t t)
{
	return t >= ACCT_TIME_MIN && t <= ACCT_TIME_MAX;
}

/* True when the uptime went down or grew by less than elapsed_ms minus
 * tol_ms. 128-bit: any uptime is safe. */
static bool rebooted(const struct acct_reading *prev, const struct acct_reading *cur,
                     int64_t elapsed_ms, __int128 tol_ms)
{
	if (!prev->has_uptime || !cur->has_uptime)
		return false;
	if (cur->uptime < prev->uptime)
		return true;
	__int128 grew_ms = (__int128)(cur->uptime - prev->uptime) * 1000;
	return grew_ms + tol_ms < elapsed_ms;
}

/* bits/s implied by bytes over ms milliseconds exceeds max (128-bit: no
 * overflow). Less than a second counts as a second, as the readings'
 * own resolution is a second. */
static bool too_fast(uint64_t bytes, int64_t ms, uint64_t max)
{
	if (max == 0)
		return false;
	if (ms < 1000)
		ms = 1000;
	return (unsigned __int128)bytes * 8000 > (unsigned __int128)max * (uint64_t)ms;
}

/* The wall time of a reading in ms (its time is in range: no overflow);
 * a sub-second part out of 0..999 counts as 0. */
static int64_t wall_ms_of(const struct acct_reading *r)
{
	int64_t sub = r->time_sub_ms >= 0 && r->time_sub_ms <= 999 ? r->time_sub_ms : 0;
	return r->time * 1000 + sub;
}

/* Two known, different sources: the counters are not comparable. */
static bool source_changed(const struct acct_reading *prev, const struct acct_reading *cur)
{
	return prev->source != ACCT_SRC_UNKNOWN && cur->source != ACCT_SRC_UNKNOWN &&
	       prev->source != cur->source;
}

/* Both readings carry monotonic times: they were taken in the same run. */
static bool have_mono(const struct acct_reading *prev, const struct acct_reading *cur)
{
	return prev->mono_ms > 0 && cur->mono_ms > 0;
}

/* The kind of change between prev and cur, elapsed_ms apart. */
static enum acct_kind classify(const struct acct_reading *prev, const struct acct_reading *cur,
                               int64_t elapsed_ms, const struct acct_limits *lim)
{
	int64_t tol = lim->uptime_tolerance >= 0 ? lim->uptime_tolerance
	                                         : acct_default_tolerance(elapsed_ms / 1000);
	__int128 tol_ms = (__int128)tol * 1000 + (prev->latency_ms > 0 ? prev->latency_ms : 0);
	if (rebooted(prev, cur, elapsed_ms, tol_ms))
		return ACCT_REBOOT;
	if (prev->id[0] && cur->id[0] && strcmp(prev->id, cur->id) != 0)
		return ACCT_RECREATED;
	if (cur->rx < prev->rx || cur->tx < prev->tx)
		return ACCT_RESET;
	return ACCT_NORMAL;
}

struct acct_delta acct_compute(const struct acct_reading *prev, const struct acct_reading *cur,
                               const struct acct_limits *lim)
{
	struct acct_delta d = {ACCT_BASELINE, cur->time, cur->time, 0, 0, ACCT_SRC_UNKNOWN};
	if (!time_ok(cur->time)) {
		d.kind = ACCT_STALE;
		return d;
	}
	if (!prev || !time_ok(prev->time))
		return d;
	if (source_changed(prev, cur)) {
		d.was = prev->source;
		return d;
	}
	int64_t elapsed_ms; /* both times are in range: no overflow */
	if (have_mono(prev, cur))
		elapsed_ms = cur->mono_ms - prev->mono_ms;
	else
		elapsed_ms = wall_ms_of(cur) - wall_ms_of(prev);
	/* The same instant again: a reading of this run was answered 2xx and
	 * must count (a burst of pushes); a row without monotonic time (an
	 * imported one repeating a time) is a duplicate. */
	if (elapsed_ms < 0 || (elapsed_ms == 0 && cur->mono_ms <= 0)) {
		d.kind = ACCT_STALE;
		return d;
	}
	/* Where the interval starts on the wall clock: the previous reading's
	 * time unless the wall clock stepped in between; then the new clock,
	 * counted back by the monotonic time that really passed. */
	int64_t wall_ms = wall_ms_of(cur) - wall_ms_of(prev);
	int64_t back = elapsed_ms / 1000 + (elapsed_ms % 1000 >= 500);
	if (back > cur->time - ACCT_TIME_MIN)
		back = cur->time - ACCT_TIME_MIN;
	bool stepped = wall_ms < 0 || wall_ms - elapsed_ms > ACCT_STEP_MS ||
	               elapsed_ms - wall_ms > ACCT_STEP_MS;
	d.t0 = stepped ? cur->time - back : prev->time;
	d.kind = classify(prev, cur, elapsed_ms, lim);
	int64_t span_ms = elapsed_ms;
	if (d.kind == ACCT_REBOOT) {
		/* The traffic since boot happened after the boot, not before
		 * (and never before the interval: t0 stays in range). */
		if ((__int128)cur->uptime * 1000 < elapsed_ms &&
		    cur->uptime < (uint64_t)(d.t1 - d.t0)) {
			d.t0 = cur->time - (int64_t)cur->uptime;
			span_ms = (int64_t)cur->uptime * 1000;
		}
		d.rx = cur->rx;
		d.tx = cur->tx;
	} else if (d.kind == ACCT_RECREATED) {
		d.rx = cur->rx;
		d.tx = cur->tx;
	} else {
		/* Each direction on its own: a counter that went down (reset,
		 * wrap) counts its current value, the other its growth. */
		d.rx = cur->rx < prev->rx ? cur->rx : cur->rx - prev->rx;
		d.tx = cur->tx < prev->tx ? cur->tx : cur->tx - prev->tx;
	}
	if (too_fast(d.rx, span_ms, lim->max_rate) || too_fast(d.tx, span_ms, lim->max_rate)) {
		d.kind = ACCT_REJECTED;
		d.rx = d.tx = 0;
	}
	return d;
}

int64_t acct_clock_step(int64_t wall0_ms, int64_t mono0_ms, int64_t wall1_ms, int64_t mono1_ms)
{
	__int128 step = ((__int128)wall1_ms - mono1_ms) - ((__int128)wall0_ms - mono0_ms);
	if (step >= -ACCT_STEP_MS && step <= ACCT_STEP_MS)
		return 0;
	return step > INT64_MAX ? INT64_MAX : step < INT64_MIN ? INT64_MIN : (int64_t)step;
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
