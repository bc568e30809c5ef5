/*
 * seed_db — writes a tikstat database with known traffic for the CLI test
 * (tests/cli/test_tikstat.sh), through the recorder as tikstatd would.
 *
 *   seed_db PATH
 *   seed_db --counters ROUTER PATH
 *
 * The second form writes only the queues and devices below, home's as
 * ROUTER's, all at the time of the run (the HTTP test: tikstatd's
 * periods are the real ones).
 *
 * Zone Europe/Berlin. Readings sit on bucket boundaries, so every bucket's
 * bytes are known exactly:
 *   home/ether1    Jan 2026: 1 GiB rx, 512 MiB tx; Feb: 3738339534438 rx,
 *                  512 tx; Mar 1-29: 1000000/2000000; Mar 29 (spring DST):
 *                  100/10, 200/20, 300/30 in the hours 00:00, 01:00, 03:00;
 *                  Apr 1: 1536 rx
 *   home/w\xE9an   Mar 14: 2048/1024; Mar 15 00:00-12:00: 1000/3000
 *   office/lte1    Mar 10-15: 5e9 rx; Mar 15-20: 1e9 rx, 5e8 tx
 * and, through the store directly (every step's bucket), queues and
 * devices (the tikstat --top devices|queues and -i MAC checks):
 *   home devices   AA:BB:CC:00:00:01 "laptop" 192.168.88.10: Apr 10
 *                  3000000/1000000, Apr 15 09:00 500/100;
 *                  AA:BB:CC:00:00:02 (no name, no address): Apr 12 1000/3000;
 *                  AA:BB:CC:00:00:03 "tv" 192.168.88.12: Apr 14 2000/2000
 *   home queues    guests 192.168.89.0/24: Apr 2 10000/5000;
 *                  ether1 (an interface's name too): Apr 3 1/2
 *   office device  AA:BB:CC:00:00:09 "modem": Apr 1 5/5
 * Exit status 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "recorder.h"
#include "store.h"

/* "wéan" in Latin-1, not UTF-8: byte 0xE9 (octal 351). */
#define WEAN "w\351an"

/* A reading: the interface's counters grown by drx/dtx at when. The first
 * of each interface is its baseline. */
static const struct seed {
	const char *router, *iface, *when;
	uint64_t drx, dtx;
} seeds[] = {
        {"home", "ether1", "2026-01-15T00:00:00+01:00", 5000, 7000},
        {"home", "ether1", "2026-02-01T00:00:00+01:00", 1073741824, 536870912},
        {"home", "ether1", "2026-03-01T00:00:00+01:00", 3738339534438, 512},
        {"home", "ether1", "2026-03-29T00:00:00+01:00", 1000000, 2000000},
        {"home", "ether1", "2026-03-29T01:00:00+01:00", 100, 10},
        {"home", "ether1", "2026-03-29T03:00:00+02:00", 200, 20}, /* an hour later */
        {"home", "ether1", "2026-03-29T04:00:00+02:00", 300, 30},
        {"home", "ether1", "2026-04-01T00:00:00+02:00", 0, 0},
        {"home", "ether1", "2026-04-02T00:00:00+02:00", 1536, 0},
        {"home", WEAN, "2026-03-14T00:00:00+01:00", 0, 0},
        {"home", WEAN, "2026-03-15T00:00:00+01:00", 2048, 1024},
        {"home", WEAN, "2026-03-15T12:00:00+01:00", 1000, 3000},
        {"office", "lte1", "2026-03-10T00:00:00+01:00", 0, 0},
        {"office", "lte1", "2026-03-15T00:00:00+01:00", 5000000000, 0},
        {"office", "lte1", "2026-03-20T00:00:00+01:00", 1000000000, 500000000},
};

/* Traffic of a queue or device at a time: what the recorder would add. */
static const struct counter_seed {
	const char *router;
	enum store_kind kind;
	const char *name, *display, *address, *when;
	uint64_t rx, tx;
} counter_seeds[] = {
        {"home", STORE_DEVICE, "AA:BB:CC:00:00:01", "laptop", "192.168.88.10",
         "2026-04-10T10:00:00+02:00", 3000000, 1000000},
        {"home", STORE_DEVICE, "AA:BB:CC:00:00:01", "laptop", "192.168.88.10",
         "2026-04-15T09:00:00+02:00", 500, 100},
        {"home", STORE_DEVICE, "AA:BB:CC:00:00:02", NULL, NULL, "2026-04-12T00:00:00+02:00", 1000,
         3000},
        {"home", STORE_DEVICE, "AA:BB:CC:00:00:03", "tv", "192.168.88.12",
         "2026-04-14T20:00:00+02:00", 2000, 2000},
        {"home", STORE_QUEUE, "guests", NULL, "192.168.89.0/24", "2026-04-02T00:00:00+02:00", 10000,
         5000},
        {"home", STORE_QUEUE, "ether1", NULL, NULL, "2026-04-03T00:00:00+02:00", 1, 2},
        {"office", STORE_DEVICE, "AA:BB:CC:00:00:09", "modem", NULL, "2026-04-01T00:00:00+02:00", 5,
         5},
};

/* Writes counter_seeds in one transaction, home's as router's and at
 * time now when router is non-NULL; 0 or -1. */
static int feed_counters(store *s, const char *router, int64_t now)
{
	if (store_begin(s))
		return -1;
	for (size_t i = 0; i < sizeof counter_seeds / sizeof counter_seeds[0]; i++) {
		const struct counter_seed *e = &counter_seeds[i];
		const char *owner = router && strcmp(e->router, "home") == 0 ? router : e->router;
		int64_t id, t = now;
		if ((!router && calendar_parse(e->when, &t)) ||
		    store_counter_id(s, owner, e->kind, e->name, &id) ||
		    store_set_counter_info(s, id, e->display, e->address, &t))
			goto err;
		for (int step = 0; step < STEP_COUNT; step++)
			if (store_add_traffic(s, id, (enum step)step,
			                      calendar_bucket_start((enum step)step, t), e->rx,
			                      e->tx))
				goto err;
	}
	return store_commit(s);
err:
	store_rollback(s);
	return -1;
}

/* Feeds every reading; 0 or -1 with a message. */
static int feed(struct recorder *r)
{
	int h = -1;
	uint64_t rx = 0, tx = 0;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		const struct seed *e = &seeds[i];
		if (i == 0 || strcmp(e->router, seeds[i - 1].router) != 0 ||
		    strcmp(e->iface, seeds[i - 1].iface) != 0) {
			if ((h = recorder_interface(r, e->router, e->iface)) < 0)
				return -1;
			rx = tx = 0;
		}
		struct acct_reading rd;
		memset(&rd, 0, sizeof rd);
		if (calendar_parse(e->when, &rd.time)) {
			fprintf(stderr, "seed_db: bad time %s\n", e->when);
			return -1;
		}
		rd.rx = rx += e->drx;
		rd.tx = tx += e->dtx;
		if (recorder_add(r, h, &rd, rd.time, NULL))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool counters = argc == 4 && strcmp(argv[1], "--counters") == 0;
	if (argc != 2 && !counters) {
		fprintf(stderr, "usage: seed_db PATH | seed_db --counters ROUTER PATH\n");
		return 1;
	}
	if (calendar_set_zone("Europe/Berlin")) {
		fprintf(stderr, "seed_db: no zone Europe/Berlin (tzdata missing?)\n");
		return 1;
	}
	char err[512];
	store *s = store_open(argv[argc - 1], false, err, sizeof err);
	if (!s) {
		fprintf(stderr, "seed_db: %s\n", err);
		return 1;
	}
	if (counters) {
		int rc = feed_counters(s, argv[2], (int64_t)time(NULL)) ? 1 : 0;
		if (rc)
			fprintf(stderr, "seed_db: %s\n", store_errmsg(s));
		store_close(s);
		return rc;
	}
	struct recorder_options opt;
	memset(&opt, 0, sizeof opt);
	opt.commit_interval = 1000000;
	struct recorder *r = recorder_new(s, &opt);
	int rc = r && feed(r) == 0 && recorder_flush(r, 1800000000) == 0 &&
	                         feed_counters(s, NULL, 0) == 0
	                 ? 0
	                 : 1;
	if (rc)
		fprintf(stderr, "seed_db: %s\n", r ? store_errmsg(s) : "out of memory");
	recorder_free(r, 1800000000);
	store_close(s);
	return rc;
}
