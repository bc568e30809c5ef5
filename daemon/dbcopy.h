/*
 * dbcopy.h — copying a whole tikstat database into an empty one (tikstat
 * copy-db): SQLite or PostgreSQL on either side, only through store.h.
 *
 * What is copied: every counter (router, kind, name, display, address,
 * last_seen), every traffic bucket of every step, each counter's last
 * reading (a tikstatd started on the copy goes on counting from it: no
 * double count, no gap), the quota alerts and bill alerts already sent,
 * and the import marks. Counter ids may differ in the copy; the marks
 * follow their counters.
 *
 * The source is read in one read transaction (a consistent snapshot, even
 * if a writer runs; stop tikstatd anyway, or what it writes after the
 * snapshot is not copied). The destination must hold no counters at all;
 * it is written in one transaction per counter, then one for the marks:
 * a failure leaves it partly filled, and copying again needs an empty
 * database.
 */
#ifndef TIKSTAT_DBCOPY_H
#define TIKSTAT_DBCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* What a copy moved. */
struct dbcopy_stats {
	size_t counters, routers; /* routers: those with counters */
	uint64_t buckets;         /* traffic rows of every step */
	size_t readings;          /* last readings */
	size_t marks;             /* quota alerts, bill alerts, import marks */
};

/* Copies everything of src (a read-only handle, no transaction open) into
 * dst (read-write, no transaction open, no counters). 0 with *out filled;
 * -1 with a message for people in err (it names what failed; no
 * password: the stores' paths are masked), dst possibly partly filled
 * unless the refusal of a non-empty dst was the reason. */
int dbcopy_run(store *src, store *dst, struct dbcopy_stats *out, char *err, size_t errsz);

#endif
