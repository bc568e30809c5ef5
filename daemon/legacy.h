/*
 * legacy.h — the database of the old PHP setup, and importing it.
 *
 * The old setup had the router push its cumulative counters to a PHP page
 * that appended them to an SQLite table
 *     traffic(timestamp, tx, rx, dtx, drx)
 * with timestamp in Unix seconds or as text "YYYY-MM-DD HH:MM:SS", tx/rx
 * the counters, and dtx/drx the deltas the page computed. legacy.c is the
 * second file allowed to include sqlite3.h (after store.c): it reads a
 * foreign database, read-only, and writes nothing but through the store.
 *
 * Import (legacy_import) feeds the rows, oldest first, as readings without
 * uptime or .id through a recorder (recorder.h): the first row is a
 * baseline (not counted), a counter that went down is a reset (the new
 * value counts) — what the old setup did. Guarantees:
 *
 *  - Idempotent: the time of the last imported row is kept per interface
 *    and source (store_import_mark; source "legacy:" + the file's base
 *    name, so a copy of the file elsewhere is the same source); rows at or
 *    before it are skipped, so running twice adds nothing, and running
 *    again after the old file grew adds only the new rows.
 *  - Atomic: the rows are accounted into a scratch database first; the
 *    traffic, the import mark and (see below) the last reading reach the
 *    target in one transaction, or nothing does. Safe while tikstatd runs.
 *  - Never double counted, live state untouched: when the interface
 *    already has a last reading that is not the import's own (tikstatd
 *    accounts it), that reading is never changed, and rows from the start
 *    of the interface's recorded traffic on (or from that reading's time,
 *    if earlier) are skipped: tikstatd counted that time already.
 *    Otherwise (tikstatd has not read the interface yet) the last imported
 *    row becomes the interface's last reading, so tikstatd's first reading
 *    continues from it: the traffic between the old setup's last push and
 *    tikstatd's first poll is counted (unless the counter went down: then
 *    the reset rule applies), as after any outage.
 *    Consequence: legacy files for one interface that tikstatd already
 *    accounts must be imported newest first (an older file's rows lie
 *    before the recorded traffic; a newer file's rows after an older
 *    one's start would be taken for overlap and skipped).
 */
#ifndef TIKSTAT_LEGACY_H
#define TIKSTAT_LEGACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One row of the legacy table. */
struct legacy_row {
	int64_t time;    /* Unix seconds */
	uint64_t rx, tx; /* cumulative counters */
	bool has_deltas; /* drx and dtx were both present and numeric */
	uint64_t drx, dtx;
	const char *problem; /* non-NULL: the row is malformed (why), fields unset */
};

/* One column value of a legacy row as SQLite typed it (legacy.h does not
 * include sqlite3.h). */
enum legacy_type { LEGACY_INTEGER, LEGACY_FLOAT, LEGACY_TEXT, LEGACY_OTHER };
struct legacy_value {
	enum legacy_type type;
	int64_t i;        /* LEGACY_INTEGER */
	double d;         /* LEGACY_FLOAT */
	const char *text; /* LEGACY_TEXT: NUL-terminated */
};

/* Converts the columns timestamp, tx, rx, dtx, drx of one row (v[0..4])
 * into *row, as legacy_read does for every row: a malformed timestamp or
 * counter sets row->problem; deltas count only when both are valid. Pure
 * but for the process time zone (calendar.h), for legacy_read and the
 * fuzz target tests/fuzz/fuzz_legacy.c. */
void legacy_row_convert(const struct legacy_value v[5], bool text_utc, struct legacy_row *row);

/* Receives the rows; a non-zero return stops the iteration. */
typedef int (*legacy_row_fn)(void *ctx, const struct legacy_row *row);

/* Opens path read-only and calls fn for every row of its traffic table,
 * ordered by timestamp. Text timestamps are local time of the process
 * zone (calendar.h), or UTC when text_utc (SQLite's CURRENT_TIMESTAMP
 * writes UTC); fractions of seconds are ignored. Returns 0, fn's non-zero
 * value, or -1 with the reason in err (no such file, not SQLite, no
 * traffic table of the expected shape). */
int legacy_read(const char *path, bool text_utc, legacy_row_fn fn, void *ctx, char *err,
                size_t errsz);

/* Checks, before anything is created or written, that path is a
 * database of the old setup: opens it read-only and reads its traffic
 * table up to the first row. Returns 0, or -1 with the reason in err
 * (the messages of legacy_read). Writes nothing. */
int legacy_check(const char *path, char *err, size_t errsz);
/* Rows are imported only when dated from 2000-01-01 UTC up to a day after
 * the importing computer's clock: a row from 1970 (a clock without RTC) or
 * from year 9999 is a broken clock, and spreading traffic over decades
 * would take minutes and put it where it never was. Others are skipped and
 * counted (struct legacy_summary.out_of_range). */
#define LEGACY_TIME_MIN     INT64_C(946684800)
#define LEGACY_FUTURE_SLACK INT64_C(86400)

struct legacy_import_options {
	const char *router, *iface; /* target interface (created when missing) */
	const char *source;         /* progress key; NULL: "legacy:" + base name of path */
	bool text_utc;              /* text timestamps are UTC */
	uint64_t max_rate;          /* bits/s, 0 = no limit (accounting.h) */
	const char *scratch_dir;    /* for the scratch database; NULL: $TMPDIR or /tmp */
};

struct legacy_summary {
	uint64_t rows;         /* rows in the file */
	uint64_t imported;     /* newly accounted, the first baseline included */
	uint64_t already;      /* at or before the import mark: imported before */
	uint64_t overlap;      /* in the time tikstatd accounts: skipped */
	uint64_t malformed;    /* unreadable time or counters: skipped */
	uint64_t out_of_range; /* dated before LEGACY_TIME_MIN or in the future: skipped */
	uint64_t first_out_of_range_row; /* 1-based row number of the first, if any */
	int64_t first_out_of_range_time; /* and its time */
	uint64_t stale;      /* not newer than the row before (duplicate time): skipped */
	uint64_t resets;     /* counters that went down */
	uint64_t rejected;   /* deltas above max_rate: not counted */
	uint64_t mismatches; /* dtx/drx differ from the delta counted */
	uint64_t rx, tx;     /* bytes added */
	int64_t first, last; /* time range of the imported rows, if imported > 0 */
	bool live;           /* the interface had a live last reading: left as it was */
	bool continued;      /* the last imported row became the last reading */
	char source[256];    /* the progress key used */
};

/* Imports the legacy database at path into interface opt->router /
 * opt->iface of target (opened read-write). Fills *sum. Returns 0, or -1
 * with the reason in err (nothing was changed then). After a successful
 * run the target's free pages go back to the filesystem (store_reclaim,
 * in bounded steps). */
int legacy_import(store *target, const char *path, const struct legacy_import_options *opt,
                  struct legacy_summary *sum, char *err, size_t errsz);

#endif
