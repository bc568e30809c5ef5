/*
 * report.h — traffic reports: what to show (selection, time window), the
 * data (series of buckets, billing cycles) and its renderings: a table for
 * terminals, JSON and CSV.
 *
 * The JSON and CSV renderings are the bodies of the HTTP API
 * (/api/v1/traffic, /api/v1/traffic.csv, /api/v1/cycle) and of the CLI's
 * --json and --csv, byte for byte: the CLI prints exactly what the HTTP
 * server sends. Every document ends with one newline.
 *
 *   traffic  {"router":"home","interface":"ether1","step":"month",
 *             "timezone":"Europe/Berlin","points":[
 *             {"start":"2026-03-01T00:00:00+01:00","rx":123,"tx":456}]}
 *   cycle    {"router":"home","interface":"ether1",
 *             "start":"2026-03-01T00:00:00+01:00",
 *             "end":"2026-04-01T00:00:00+02:00","rx":1,"tx":2,"total":3,
 *             "estimate":9,"quota":500000000000,"used_percent":0.01}
 *   csv      start,rx,tx
 *            2026-03-01T00:00:00+01:00,123,456
 *
 * points holds the buckets that recorded traffic, oldest first; a bucket
 * without a record (no reading covered it) is absent. Sizes are bytes,
 * exact up to 2^64-1. Times are ISO 8601 in the configured zone
 * (calendar.h) with its offset. A cycle's end is where the next cycle
 * starts (exclusive).
 *
 * Estimates are linear projections from the time elapsed, with now the
 * time of the report: for a bucket or cycle [start, end) holding B bytes,
 * estimate = B * (end - start) / elapsed, rounded down, where elapsed is
 * now - start but at least one hour (CYCLE_MIN_ELAPSED: an estimate from
 * minutes of data would be noise) and at most end - start. It is the
 * formula of the quota alerts (cycle_project in cycle.h), which the cycle
 * report calls, so alerts, CLI and API agree. used_percent = total * 100 / quota,
 * rounded half up to two decimals; quota and used_percent are null when
 * the router has no quota.
 *
 * Functions reading the store use the handle they are given (one thread at
 * a time, as store.h says) and return 0, or -1 with store_errmsg() set.
 * Renderings are pure and return 0, or -1 when memory ran out. The zone is
 * the process's, set with calendar_set_zone before any call.
 */
#ifndef TIKSTAT_REPORT_H
#define TIKSTAT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "jsonw.h"
#include "store.h"

/* --- selection --- */

/* A counter to report on: an interface, a simple queue or a device. */
struct report_iface {
	int64_t id;
	char *router; /* owned */
	char *name;   /* owned; raw bytes: the interface's or queue's name, the
	               * device's MAC address ("AA:BB:CC:DD:EE:FF") */
	enum store_kind kind;
	char *display; /* owned; what the router calls a queue or device for
	                * people, NULL when unknown (always for interfaces) */
};

struct report_selection {
	struct report_iface *v;
	size_t n;
	bool single; /* one interface was named (-i): JSON is an object, not an array */
};

enum report_select_status {
	REPORT_SELECT_STORE_ERROR = -1,
	REPORT_SELECT_OK = 0,
	REPORT_SELECT_UNKNOWN_ROUTER,
	REPORT_SELECT_UNKNOWN_IFACE,
	REPORT_SELECT_AMBIGUOUS, /* iface without router, on several routers */
};

/* Selects the counters to report: router and iface (either may be NULL):
 * both: that counter; router alone: its interfaces; iface alone: the
 * counter of that name on whichever router has it (ambiguous when
 * several do); neither: every interface, ordered by router and name.
 * Without iface only interfaces are listed (a router with 500 devices
 * must not give 500 reports). iface names, on one router, in this order:
 * an interface, else a simple queue, else a device by its MAC address in
 * any case with ':' or '-' between the bytes (so an interface wins over a
 * queue of the same name). An interface named with its router costs one
 * lookup; anything else one pass over the counters. Fills *sel (free with report_selection_free) and
 * returns REPORT_SELECT_OK; otherwise writes a one-line reason, names
 * escaped for a terminal, into err. */
enum report_select_status report_select(store *s, const char *router, const char *iface,
                                        struct report_selection *sel, char *err, size_t errsz);
void report_selection_free(struct report_selection *sel);

/* --- time window --- */

enum report_range_status {
	REPORT_RANGE_OK = 0,
	REPORT_RANGE_BAD_BEGIN, /* begin is not a date or an ISO time */
	REPORT_RANGE_BAD_END,
	REPORT_RANGE_EMPTY, /* begin is not before end */
};

/* The window [*from, *to) of bucket starts to show for step at time now.
 * begin and end (NULL: default) are dates ("2026-03-01") or ISO times
 * (calendar_parse). A window always holds whole buckets: begin selects
 * from the bucket that contains it; a date as end includes that whole day,
 * a time as end includes the buckets starting before it. Defaults: up to
 * and including the bucket of now (or of end), going back 6 hours of
 * 5-minute buckets, 48 hours, 30 days, 12 months, and every year. */
enum report_range_status report_range(enum step step, int64_t now, const char *begin,
                                      const char *end, int64_t *from, int64_t *to);

/* As report_range, but the default window goes back count buckets
 * (vnStat's -d [count]): count < 0 the default above, 0 every bucket
 * (from the first one recorded). begin, when given, wins over count. */
enum report_range_status report_range_count(enum step step, int64_t now, const char *begin,
                                            const char *end, int count, int64_t *from, int64_t *to);
/* Buckets one series may hold: 10,000 (34 days of 5-minute buckets, 13
 * months of hours, 27 years of days; the dashboard's longest view is 2
 * years of months). The HTTP API refuses larger windows (report_window_
 * buckets) and series (a year step from the beginning of time is bounded
 * by the data only); the CLI, reading a local file, has no cap. */
#define REPORT_MAX_POINTS 10000

/* About how many buckets of step the window [from, to) holds: exact for
 * 5min and hour, within one for day (DST), from the mean length for month
 * and year; UINT64_MAX when from is INT64_MIN (no lower bound). */
uint64_t report_window_buckets(enum step step, int64_t from, int64_t to);

/* --- series of buckets --- */

struct report_series {
	const char *router; /* borrowed from the report_iface */
	const char *iface;
	enum store_kind kind;
	const char *display; /* borrowed from the report_iface, NULL unknown */
	enum step step;
	int64_t from, to, now;
	struct store_point *points; /* n, oldest first; owned */
	size_t n;
};

/* Loads the buckets of step with from <= start < to of interface ifc
 * (which must outlive out); now is kept for the table's estimate. */
int report_series_load(store *s, const struct report_iface *ifc, enum step step, int64_t from,
                       int64_t to, int64_t now, struct report_series *out);
void report_series_free(struct report_series *series);

/* Appends the traffic JSON document of v[0..n): one object when as_array
 * is false (n must be 1), else an array of n objects; then a newline. */
int report_series_json(const struct report_series *v, size_t n, bool as_array,
                       struct text_buf *out);
/* Appends the CSV document of one series: "start,rx,tx" and a line per
 * bucket. */
int report_series_csv(const struct report_series *series, struct text_buf *out);
/* Appends the table of each series (a blank line between them): a header
 * naming router, interface, step and zone; one row per bucket labelled
 * in local time (2026, 2026-03, 2026-03-29, 2026-03-29 14:00; a repeated
 * hour of a DST change also shows its offset); an estimate row after the
 * bucket of now for days, months and years; a sum row. */
int report_series_table(const struct report_series *v, size_t n, struct text_buf *out);

/* --- top days --- */

/* Loads the day buckets of ifc with from <= start < to, ordered by total
 * (rx + tx), largest first (equal totals: earlier day first), keeping the
 * first limit (0: all). out is a series of step day: its JSON and CSV are
 * report_series_json/csv, with the points in that order. */
int report_top_load(store *s, const struct report_iface *ifc, int64_t from, int64_t to,
                    size_t limit, int64_t now, struct report_series *out);
/* Appends the table of each top list: rank, day, rx, tx, total, avg. rate. */
int report_top_table(const struct report_series *v, size_t n, struct text_buf *out);

/* --- billing cycle --- */

struct report_cycle {
	const char *router; /* borrowed from the report_iface */
	const char *iface;
	enum store_kind kind;
	const char *display; /* borrowed from the report_iface, NULL unknown */
	int64_t start, end, now;
	uint64_t rx, tx, total; /* total = rx + tx, capped at 2^64-1 */
	uint64_t estimate;      /* projected total at end */
	uint64_t quota;         /* bytes per cycle, 0 = none */
};

/* Loads the billing cycle containing now (cycles start on start_day,
 * 1..28, at local midnight) of interface ifc. */
int report_cycle_load(store *s, const struct report_iface *ifc, int start_day, uint64_t quota,
                      int64_t now, struct report_cycle *out);

/* used_percent in hundredths of a percent (1234 = 12.34 %); 0 without a
 * quota. */
uint64_t report_cycle_used_hundredths(const struct report_cycle *c);

/* Appends the cycle JSON document of v[0..n) (object or array as for
 * report_series_json), then a newline. */
int report_cycle_json(const struct report_cycle *v, size_t n, bool as_array, struct text_buf *out);
/* Appends "start,end,rx,tx,total,estimate,quota,used_percent" and one line
 * (quota and used_percent empty without a quota). */
int report_cycle_csv(const struct report_cycle *c, struct text_buf *out);
/* Appends the table of each cycle: dates, used so far, estimate, quota. */
int report_cycle_table(const struct report_cycle *v, size_t n, struct text_buf *out);

/* --- the "Who" ranking (tikstat --top devices|queues, /api/v1/top) --- */

/* The periods a ranking covers: the billing cycle containing now, the one
 * before it, the calendar day of now (all in the configured zone). */
enum report_rank_period {
	REPORT_RANK_CYCLE,
	REPORT_RANK_LAST_CYCLE,
	REPORT_RANK_TODAY,
	REPORT_RANK_PERIOD_COUNT
};
/* "cycle", "last_cycle", "today"; NULL when out of range. */
const char *report_rank_period_name(enum report_rank_period p);
/* The period named text: 0, or -1 when it names none. */
int report_rank_period_parse(const char *text, enum report_rank_period *p);

/* The most items a ranking lists (the API's limit and default). */
#define REPORT_RANK_MAX 1000

struct report_ranked {
	char *name;    /* owned: the counter's name (a queue's, a device's MAC) */
	char *display; /* owned, NULL unknown */
	char *address; /* owned, NULL unknown: a device's IP, a queue's target */
	uint64_t rx, tx;
};

struct report_rank {
	char *router; /* owned */
	enum store_kind kind;
	enum report_rank_period period;
	int64_t start, end, now;     /* the period [start, end) */
	uint64_t rx, tx;             /* every counter of the kind, listed or not */
	size_t counters;             /* how many counters had traffic */
	struct report_ranked *items; /* n, rx + tx descending, equal by name */
	size_t n;
};

/* Ranks the counters of kind on router by their traffic in period at now
 * (cycles start on start_day, 1..28), keeping the first limit (at most
 * REPORT_RANK_MAX); the totals cover every counter. The period's day
 * buckets cover it exactly (periods start at local midnight, and the day
 * bucket of today holds what is committed of it), so this is one pass
 * over the router's day buckets of the period (store_rank). An unknown
 * router has no counters. Free with report_rank_free. */
int report_rank_load(store *s, const char *router, enum store_kind kind,
                     enum report_rank_period period, int start_day, size_t limit, int64_t now,
                     struct report_rank *out);
void report_rank_free(struct report_rank *r);

/* Appends the ranking as the /api/v1/top document, then a newline:
 *   {"router":"home","kind":"device","period":"cycle",
 *    "start":"2026-03-15T00:00:00+01:00","end":"2026-04-15T00:00:00+02:00",
 *    "total":{"rx":3,"tx":4},"items":[{"interface":"AA:BB:CC:DD:EE:FF",
 *    "name":"laptop","address":"192.168.88.10","rx":2,"tx":3}]}
 * name is the display name, else the interface value; address null when
 * unknown. */
int report_rank_json(const struct report_rank *r, struct text_buf *out);
/* Appends "interface,name,address,rx,tx" and a line per item (name and
 * address as in JSON, "" when unknown); names escaped for a terminal,
 * quoted as RFC 4180 says when they hold ',' or '"'. */
int report_rank_csv(const struct report_rank *r, struct text_buf *out);
/* Appends the table: a title naming router, kind, period and zone; rows
 * of rank, name, address, rx, tx, total and share of the total of every
 * counter (one decimal, rounded half up); a row of that total. */
int report_rank_table(const struct report_rank *r, struct text_buf *out);

/* --- summary (plain tikstat, -s) and one line (--oneline) --- */

/* Bytes counted in [start, end). */
struct report_period {
	int64_t start, end;
	uint64_t rx, tx;
};

struct report_summary {
	const char *router; /* borrowed from the report_iface */
	const char *iface;
	enum store_kind kind;
	const char *display; /* borrowed from the report_iface, NULL unknown */
	int64_t now;
	struct report_period today, yesterday, month, last_cycle;
	struct report_cycle cycle; /* the billing cycle containing now */
	uint64_t all_rx, all_tx;   /* every year bucket */
};

/* Loads the summary of ifc at now: today, yesterday, this calendar month,
 * this and the previous billing cycle (start_day, quota as for
 * report_cycle_load) and the all-time totals. */
int report_summary_load(store *s, const struct report_iface *ifc, int start_day, uint64_t quota,
                        int64_t now, struct report_summary *out);

/* Appends the summary of v[0..n): one header line of columns (rx, tx,
 * total, avg. rate, estimated), then per interface a line naming it (and
 * its quota use) and the rows yesterday, today, last cycle, this cycle;
 * short_form (-s) keeps today and this cycle. Estimates (report.h's
 * formula) for today and this cycle; avg. rate is the period's bytes over
 * its length, or over the time elapsed for the period of now. */
int report_summary_table(const struct report_summary *v, size_t n, bool short_form,
                         struct text_buf *out);

/* The version of the --oneline field layout (the first field). */
#define REPORT_ONELINE_VERSION 1

/* Appends one line per summary, fields separated by ';' (vnStat's
 * --oneline, with the router added as field 2):
 *   1 layout version (REPORT_ONELINE_VERSION)  2 router  3 interface
 *   4 today (YYYY-MM-DD)  5 rx  6 tx  7 total  8 avg. rate today
 *   9 this month (YYYY-MM)  10 rx  11 tx  12 total  13 avg. rate this month
 *   14 all-time rx  15 all-time tx  16 all-time total
 * Sizes in IEC units and rates in bit/s units, or, when bytes (--oneline
 * b), sizes in bytes and rates in bytes per second, as plain integers.
 * Names are escaped for a terminal, a ';' in them as \x3B. */
int report_oneline(const struct report_summary *v, size_t n, bool bytes, struct text_buf *out);

/* --- units --- */

/* Formats bytes with IEC units: "512 B", "1.00 KiB", "1.23 GiB",
 * "3.40 TiB" (two decimals, rounded half up; 1023.996 KiB is "1.00 MiB"). */
void report_iec(uint64_t bytes, char out[16]);

/* Formats the average rate of bytes over seconds (< 1 taken as 1) in
 * decimal bit/s units, as vnStat does: "800 bit/s" (whole, rounded half
 * up), "1.23 kbit/s", "45.60 Mbit/s" (two decimals, rounded half up, up
 * to Ebit/s). */
void report_rate(uint64_t bytes, int64_t seconds, char out[16]);

#endif
