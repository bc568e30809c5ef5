/* cycle.c — see cycle.h. */
#include "cycle.h"

#include "calendar.h"

uint64_t cycle_project(uint64_t bytes, int64_t start, int64_t end, int64_t now)
{
	int64_t length = end - start, elapsed = now - start;
	if (elapsed < CYCLE_MIN_ELAPSED)
		elapsed = CYCLE_MIN_ELAPSED;
	if (elapsed > length)
		elapsed = length;
	if (elapsed <= 0)
		return bytes; /* not a cycle: nothing to project */
	/* bytes * length needs up to 64 + 63 bits; the quotient may still
	 * exceed 64 bits early in a cycle, hence the cap. */
	unsigned __int128 v = (unsigned __int128)bytes * (uint64_t)length / (uint64_t)elapsed;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* used and estimate from rx and tx. */
static void settle(struct cycle_usage *u, int64_t now)
{
	u->used = acct_sat_add(u->rx, u->tx);
	u->estimate = cycle_project(u->used, u->start, u->end, now);
}

int cycle_bytes(store *s, int64_t iface, int64_t start, int64_t end, uint64_t *rx, uint64_t *tx)
{
	return store_sum(s, iface, STEP_DAY, start, end, rx, tx);
}

int cycle_usage(store *s, int64_t iface, int cycle_start_day, int64_t now, struct cycle_usage *u)
{
	calendar_cycle(now, cycle_start_day, &u->start, &u->end);
	if (cycle_bytes(s, iface, u->start, u->end, &u->rx, &u->tx))
		return -1;
	settle(u, now);
	return 0;
}

void cycle_usage_add(struct cycle_usage *u, uint64_t rx, uint64_t tx, int64_t now)
{
	u->rx = acct_sat_add(u->rx, rx);
	u->tx = acct_sat_add(u->tx, tx);
	settle(u, now);
}
