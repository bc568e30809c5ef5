/*
 * bench_http_seed — fills a database for bench_http.sh and
 * bench_footprint.sh: YEARS years ending now of traffic of router ROUTER,
 * interfaces ether1 … etherN, as tikstatd's accounting leaves it after
 * its default retentions (5-minute buckets for 7 days, hours for 90 days,
 * days, months and years for ever).
 *
 *   bench_http_seed PATH YEARS INTERFACES [ROUTER]
 *
 * The buckets are written directly through store.h, one transaction per
 * interface-year, not as readings through the recorder: ten years of
 * readings of 100 interfaces would take the recorder hours, and the rows
 * are the same (every 5-minute slot carries the same bytes, summed into
 * the hour, day, month and year holding it in the configured zone, as
 * the accounting sums them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "store.h"

#define SLOT 300

/* Retention of each step, the daemon's defaults (0: for ever). */
static const int64_t keep[STEP_COUNT] = {7 * 86400, 90 * 86400, 0, 0, 0};

/* The bucket of one step being summed. */
struct open_bucket {
	int64_t start; /* INT64_MIN: none yet */
	int64_t end;   /* the next bucket's start */
	uint64_t rx, tx;
};

/* Writes b if it holds bytes and lies within its step's retention. */
static int flush(store *s, int64_t iface, enum step step, struct open_bucket *b, int64_t now)
{
	if (b->start == INT64_MIN || (b->rx == 0 && b->tx == 0))
		return 0;
	if (keep[step] > 0 && b->start < now - keep[step])
		return 0;
	return store_add_traffic(s, iface, step, b->start, b->rx, b->tx);
}

/* Adds the 5-minute slots [from, to) of one interface in one transaction;
 * open[] carries the unfinished buckets over to the next call. */
static int seed_span(store *s, int64_t iface, int64_t from, int64_t to, int64_t now,
                     struct open_bucket open[STEP_COUNT], unsigned salt)
{
	if (store_begin(s))
		return -1;
	for (int64_t t = from; t < to; t += SLOT) {
		uint64_t rx = 1000000 + (uint64_t)((t / SLOT + salt) % 1000) * 997;
		uint64_t tx = rx / 8;
		for (int st = 0; st < STEP_COUNT; st++) {
			/* The calendar only when a bucket ends: it is the slow part. */
			if (open[st].start == INT64_MIN || t >= open[st].end) {
				if (flush(s, iface, (enum step)st, &open[st], now)) {
					store_rollback(s);
					return -1;
				}
				int64_t start = calendar_bucket_start((enum step)st, t);
				open[st] = (struct open_bucket){
				        .start = start,
				        .end = calendar_bucket_next((enum step)st, start)};
			}
			open[st].rx += rx;
			open[st].tx += tx;
		}
	}
	return store_commit(s);
}

/* Seeds one interface: its slots from start to now, a year per
 * transaction, then the open buckets. */
static int seed_interface(store *s, const char *router, int n, int64_t start, int64_t now)
{
	char name[32];
	int64_t iface;
	snprintf(name, sizeof name, "ether%d", n);
	if (store_interface_id(s, router, name, &iface))
		return -1;
	struct open_bucket open[STEP_COUNT];
	for (int st = 0; st < STEP_COUNT; st++)
		open[st] = (struct open_bucket){.start = INT64_MIN};
	for (int64_t from = start; from < now; from += 365 * 86400) {
		int64_t to = from + 365 * 86400 < now ? from + 365 * 86400 : now;
		if (seed_span(s, iface, from, to, now, open, (unsigned)n))
			return -1;
	}
	if (store_begin(s))
		return -1;
	for (int st = 0; st < STEP_COUNT; st++)
		if (flush(s, iface, (enum step)st, &open[st], now)) {
			store_rollback(s);
			return -1;
		}
	return store_commit(s);
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: bench_http_seed PATH YEARS INTERFACES [ROUTER]\n");
		return 2;
	}
	int years = atoi(argv[2]), n = atoi(argv[3]);
	const char *router = argc == 5 ? argv[4] : "bench";
	if (years < 1 || years > 100 || n < 1 || n > 100000) {
		fprintf(stderr, "bench_http_seed: YEARS 1..100, INTERFACES 1..100000\n");
		return 2;
	}
	char err[512];
	calendar_set_zone("Europe/Berlin");
	store *s = store_open(argv[1], false, err, sizeof err);
	if (!s) {
		fprintf(stderr, "bench_http_seed: %s\n", err);
		return 1;
	}
	int64_t now = (int64_t)time(NULL) / SLOT * SLOT;
	int64_t start = now - (int64_t)years * 365 * 86400;
	struct timespec c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &c0);
	for (int i = 1; i <= n; i++)
		if (seed_interface(s, router, i, start, now)) {
			fprintf(stderr, "bench_http_seed: %s\n", store_errmsg(s));
			store_close(s);
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &c1);
	store_close(s);
	printf("seeded %d interfaces × %d years of 5-minute slots in %.1f s\n", n, years,
	       (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9);
	return 0;
}
