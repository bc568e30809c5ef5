/* bill.c — see bill.h. */
#include "bill.h"

#include <stdlib.h>

#include "accounting.h"
#include "cycle.h"
#include "report.h"

struct bill_samples {
	int64_t start; /* the cycle's start: slot k starts at start + 300 k */
	size_t n;      /* the slots counted */
	uint64_t *rx, *tx;
	uint64_t *scratch; /* n: a copy to sort, so that rx and tx keep their order */
};

uint64_t bill_used(enum bill_direction d, uint64_t rx, uint64_t tx)
{
	switch (d) {
	case BILL_RX: return rx;
	case BILL_TX: return tx;
	case BILL_BOTH: break;
	}
	return acct_sat_add(rx, tx);
}

uint64_t bill_over(uint64_t value, uint64_t limit)
{
	return limit && value > limit ? value - limit : 0;
}

void bill_usage_add(struct bill_usage *u, uint64_t rx, uint64_t tx)
{
	u->rx = acct_sat_add(u->rx, rx);
	u->tx = acct_sat_add(u->tx, tx);
}

void bill_usage_settle(struct bill_usage *u, const struct bill_terms *t, int64_t now)
{
	u->used = bill_used(t->direction, u->rx, u->tx);
	u->estimate = cycle_project(u->used, u->start, u->end, now);
	u->quota = t->quota;
	/* The rounding of /api/v1/cycle, so that a bill over one interface
	 * shows the percentage its cycle shows. */
	u->used_hundredths = report_cycle_used_hundredths(
	        &(struct report_cycle){.total = u->used, .quota = u->quota});
	u->overage = bill_over(u->used, u->quota);
	u->estimate_overage = bill_over(u->estimate, u->quota);
}

uint64_t bill_rate_bps(uint64_t bytes)
{
	/* bytes * 8 needs 67 bits; the quotient fits in 64. */
	return (uint64_t)((unsigned __int128)bytes * 8 / BILL_SLOT);
}

size_t bill_rank(size_t n, int p)
{
	/* n = 100 a + b: ceil(p n / 100) = p a + ceil(p b / 100), without
	 * the product p n that could overflow. */
	size_t a = n / 100, b = n % 100;
	return a * (size_t)p + (b * (size_t)p + 99) / 100;
}

struct bill_samples *bill_samples_new(int64_t start, int64_t end, int64_t now)
{
	if (end <= start || (uint64_t)end - (uint64_t)start > BILL_CYCLE_MAX)
		return NULL;
	struct bill_samples *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->start = start;
	int64_t over = now < end ? now : end; /* where the elapsed part ends */
	s->n = over > start ? (size_t)((over - start) / BILL_SLOT) : 0;
	/* One block for rx, tx and scratch; at least one element, so that an
	 * empty cycle is not taken for a failed allocation. */
	s->rx = calloc(3 * s->n + 1, sizeof *s->rx);
	if (!s->rx) {
		free(s);
		return NULL;
	}
	s->tx = s->rx + s->n;
	s->scratch = s->tx + s->n;
	return s;
}

void bill_samples_free(struct bill_samples *s)
{
	if (!s)
		return;
	free(s->rx);
	free(s);
}

size_t bill_samples_count(const struct bill_samples *s)
{
	return s->n;
}

void bill_samples_add(struct bill_samples *s, int64_t t, uint64_t rx, uint64_t tx)
{
	if (t < s->start)
		return;
	/* t >= start: the difference is exact in unsigned arithmetic even
	 * where it would overflow int64_t. */
	uint64_t k = ((uint64_t)t - (uint64_t)s->start) / BILL_SLOT;
	if (k >= s->n)
		return;
	s->rx[k] = acct_sat_add(s->rx[k], rx);
	s->tx[k] = acct_sat_add(s->tx[k], tx);
}

int bill_samples_point(void *ctx, const struct store_point *p)
{
	bill_samples_add(ctx, p->start, p->rx, p->tx);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The rate of rank r (1..n) of the n samples v, sorted in scratch. Rates
 * grow with bytes, so the sample of rank r in bytes has the rate of rank r. */
static uint64_t rate_of_rank(const uint64_t *v, uint64_t *scratch, size_t n, size_t r)
{
	if (r == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		scratch[i] = v[i];
	qsort(scratch, n, sizeof *scratch, cmp_u64);
	return bill_rate_bps(scratch[r - 1]);
}

int bill_percentile(struct bill_samples *s, const struct bill_terms *t, struct bill_percentile *out)
{
	if (t->percentile < 1 || t->percentile > 99)
		return -1;
	out->samples = s->n;
	out->rank = bill_rank(s->n, t->percentile);
	out->rx_bps = rate_of_rank(s->rx, s->scratch, s->n, out->rank);
	out->tx_bps = rate_of_rank(s->tx, s->scratch, s->n, out->rank);
	out->max_bps = out->rx_bps > out->tx_bps ? out->rx_bps : out->tx_bps;
	out->billed_bps = t->direction == BILL_RX   ? out->rx_bps
	                  : t->direction == BILL_TX ? out->tx_bps
	                                            : out->max_bps;
	out->overage_bps = bill_over(out->billed_bps, t->committed_bps);
	return 0;
}
