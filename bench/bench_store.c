/*
 * bench_store.c — what accounting and the store cost the single writer.
 *
 *   1. Many interfaces, realistic batching: N interfaces (4 per router)
 *      each read every 10 s of simulated time, fed through recorder_add
 *      with commit_interval 60 s for a few simulated minutes. Readings per
 *      second committed (the time includes the final flush), commits,
 *      microseconds per reading; registration and the baseline round (one
 *      commit per new interface) are timed apart. 1b: the same with
 *      commit_interval 1 (a commit per simulated second of readings).
 *   2. One interface, one simulated year of 10-second readings (3,153,600)
 *      with the default retention and commit_interval 60: readings per
 *      second, the database size (main file and -wal while open, and after
 *      closing, which checkpoints) and the rows kept per step.
 *   3. The same year with commit_interval 1 (every reading committed), the
 *      worst case; stopped after a time cap and extrapolated.
 *
 * Simulated time: a fake clock that advances monotonically, counters that
 * grow by random amounts (about 10 Mbit/s each way). Time zone
 * Europe/Berlin. Everything happens in a temporary directory under /tmp
 * that is removed at the end.
 *
 * On Linux the store calls the recorder makes are counted (and COMMIT and
 * prune timed) through the linker's --wrap (see bench/CMakeLists.txt), and
 * the bytes written are read from /proc/self/io (wear of an SD card).
 *
 * Prints figures; it is not a timed test. Usage:
 *   bench_store [INTERFACES] [MINUTES] [CAP_SECONDS]
 * (defaults 10000 interfaces, 10 simulated minutes, 20 s cap for part 3).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounting.h"
#include "calendar.h"
#include "recorder.h"
#include "store.h"

#define YEAR_READINGS     3153600L /* 365 days of 10-second readings */
#define IFACES_PER_ROUTER 4
#define TARGET_RATE       100000.0        /* readings/s committed */
#define TARGET_BYTES      (5.0 * 1000000) /* per interface-year */

/* ------------------------------------------------------------------ */
/* clocks, random numbers, files                                       */
/* ------------------------------------------------------------------ */

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double cpu_seconds(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* xorshift64: deterministic, good enough for traffic amounts. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Bytes in 10 s at about 10 Mbit/s on average (0 .. 25 MB). */
static uint64_t rnd_bytes(void)
{
	return rnd() % 25000000u;
}

static char tmpdir[64];

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, msg);
	exit(1);
}

/* Size of a file in bytes, 0 when it does not exist. */
static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

struct db_size {
	long long main, wal, shm;
};

static struct db_size db_size(const char *path)
{
	char p[256];
	struct db_size z;
	z.main = file_size(path);
	snprintf(p, sizeof p, "%s-wal", path);
	z.wal = file_size(p);
	snprintf(p, sizeof p, "%s-shm", path);
	z.shm = file_size(p);
	return z;
}

static void print_size(const char *when, struct db_size z)
{
	printf("  database %s: main %lld B + wal %lld B = %lld B (%.3f MB)  [shm %lld B]\n", when,
	       z.main, z.wal, z.main + z.wal, (double)(z.main + z.wal) / 1e6, z.shm);
}

/* Bytes and calls this process handed to write()/pwrite() (Linux
 * /proc/self/io; zeros elsewhere): what SQLite writes to the -wal and the
 * main file, before the page cache. */
struct io_count {
	long long wchar, syscw;
};

static struct io_count io_now(void)
{
	struct io_count c = {0, 0};
	FILE *f = fopen("/proc/self/io", "r");
	if (!f)
		return c;
	char line[128];
	while (fgets(line, sizeof line, f)) {
		long long v;
		if (sscanf(line, "wchar: %lld", &v) == 1)
			c.wchar = v;
		else if (sscanf(line, "syscw: %lld", &v) == 1)
			c.syscw = v;
	}
	fclose(f);
	return c;
}

static struct io_count io_since(struct io_count start)
{
	struct io_count c = io_now();
	c.wchar -= start.wchar;
	c.syscw -= start.syscw;
	return c;
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	closedir(d);
	if (rmdir(tmpdir))
		fprintf(stderr, "bench_store: cannot remove %s: %s\n", tmpdir, strerror(errno));
}

static store *open_db(const char *name, char *path, size_t pathsz)
{
	char err[512];
	snprintf(path, pathsz, "%s/%s", tmpdir, name);
	store *s = store_open(path, false, err, sizeof err);
	if (!s)
		die("store_open", err);
	return s;
}

/* The daemon's defaults (cfg.c): 5-minute buckets 7 days, hours 90 days,
 * days, months and years forever; max_rate 100 Gbit/s. */
static struct recorder_options default_options(int commit_interval)
{
	struct recorder_options o = {.max_rate = 100000000000ULL,
	                             .commit_interval = commit_interval};
	o.retention[STEP_5MIN] = 7 * 86400;
	o.retention[STEP_HOUR] = 90 * 86400;
	return o;
}

/* ------------------------------------------------------------------ */
/* counting the store calls of the recorder (linker --wrap)            */
/* ------------------------------------------------------------------ */

static struct {
	long commits, upserts, saves, prunes;
	double commit_s, prune_s;
} calls;

#ifdef BENCH_STORE_WRAP
int __real_store_commit(store *s);
int __wrap_store_commit(store *s);
int __real_store_add_traffic(store *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
                             uint64_t tx);
int __wrap_store_add_traffic(store *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
                             uint64_t tx);
int __real_store_save_reading(store *s, int64_t iface, const struct acct_reading *r);
int __wrap_store_save_reading(store *s, int64_t iface, const struct acct_reading *r);
int __real_store_prune(store *s, int64_t now, const int64_t keep[STEP_COUNT]);
int __wrap_store_prune(store *s, int64_t now, const int64_t keep[STEP_COUNT]);

int __wrap_store_commit(store *s)
{
	double t0 = wall_seconds();
	int rc = __real_store_commit(s);
	calls.commit_s += wall_seconds() - t0;
	calls.commits++;
	return rc;
}

int __wrap_store_add_traffic(store *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
                             uint64_t tx)
{
	calls.upserts++;
	return __real_store_add_traffic(s, iface, step, start, rx, tx);
}

int __wrap_store_save_reading(store *s, int64_t iface, const struct acct_reading *r)
{
	calls.saves++;
	return __real_store_save_reading(s, iface, r);
}

int __wrap_store_prune(store *s, int64_t now, const int64_t keep[STEP_COUNT])
{
	double t0 = wall_seconds();
	int rc = __real_store_prune(s, now, keep);
	calls.prune_s += wall_seconds() - t0;
	calls.prunes++;
	return rc;
}
#define HAVE_CALLS 1
#else
#define HAVE_CALLS 0
#endif

static void reset_calls(void)
{
	memset(&calls, 0, sizeof calls);
}

/* Lines on the store calls since reset_calls and the bytes written, for
 * readings readings over wall seconds. */
static void print_calls(long readings, double wall, struct io_count io)
{
	if (io.wchar > 0)
		printf("  written (write/pwrite, mostly -wal frames): %.1f MB in %lld calls, "
		       "%.0f B per reading%s\n",
		       (double)io.wchar / 1e6, io.syscw, (double)io.wchar / (double)readings,
		       HAVE_CALLS ? "" : " (commits not counted)");
	if (!HAVE_CALLS) {
		printf("  (store calls not counted: needs the linker's --wrap)\n");
		return;
	}
	if (io.wchar > 0 && calls.commits)
		printf("  per commit: %.1f KB written (%.1f pages of 4 KB), %.1f write calls\n",
		       (double)io.wchar / (double)calls.commits / 1024,
		       (double)io.wchar / (double)calls.commits / 4120,
		       (double)io.syscw / (double)calls.commits);
	printf("  commits %ld (%.1f readings each), in COMMIT %.3f s (%.1f %% of wall, %.1f us "
	       "each)\n",
	       calls.commits, calls.commits ? (double)readings / (double)calls.commits : 0.0,
	       calls.commit_s, wall > 0 ? calls.commit_s / wall * 100 : 0.0,
	       calls.commits ? calls.commit_s / (double)calls.commits * 1e6 : 0.0);
	printf("  bucket upserts %ld (%.2f per reading), last-reading saves %ld, prunes %ld "
	       "(%.3f s)\n",
	       calls.upserts, readings ? (double)calls.upserts / (double)readings : 0.0,
	       calls.saves, calls.prunes, calls.prune_s);
}

static void print_target(double rate, const char *note)
{
	printf("  target >= %.0f readings/s committed: %s%s\n", TARGET_RATE,
	       rate >= TARGET_RATE ? "met" : "NOT met", note);
}

/* ------------------------------------------------------------------ */
/* 1. many interfaces                                                  */
/* ------------------------------------------------------------------ */

struct sim_iface {
	int h;
	uint64_t rx, tx;
};

static struct acct_reading make_reading(int64_t t, uint64_t rx, uint64_t tx, uint64_t uptime,
                                        const char *id)
{
	struct acct_reading rd = {
	        .time = t, .rx = rx, .tx = tx, .uptime = uptime, .has_uptime = true};
	snprintf(rd.id, sizeof rd.id, "%s", id);
	return rd;
}

static void bench_many(const char *label, size_t n, int minutes, int commit_interval)
{
	printf("%s. %zu interfaces (%d per router), one reading each every 10 s, "
	       "commit_interval %d s, %d simulated minutes\n",
	       label, n, IFACES_PER_ROUTER, commit_interval, minutes);
	char path[256], name[32];
	snprintf(name, sizeof name, "many%d.db", commit_interval);
	store *s = open_db(name, path, sizeof path);
	struct recorder_options o = default_options(commit_interval);
	struct recorder *r = recorder_new(s, &o);
	struct sim_iface *f = calloc(n, sizeof *f);
	if (!r || !f)
		die("bench_many", "out of memory");

	/* Registration: what the daemon does at start (autocommit statements). */
	double w0 = wall_seconds(), c0 = cpu_seconds();
	for (size_t i = 0; i < n; i++) {
		char router[32], iface[32];
		snprintf(router, sizeof router, "router%05zu", i / IFACES_PER_ROUTER);
		snprintf(iface, sizeof iface, "ether%zu", i % IFACES_PER_ROUTER + 1);
		if ((f[i].h = recorder_interface(r, router, iface)) < 0)
			die("recorder_interface", store_errmsg(s));
	}
	double w = wall_seconds() - w0, c = cpu_seconds() - c0;
	printf("  registration: %zu interfaces in %.3f s wall, %.3f s CPU (%.1f us each)\n", n, w,
	       c, w / (double)n * 1e6);

	/* Routers are polled staggered over the 10 s; all interfaces of one
	 * router are read at the same time. Router uptime = simulated seconds
	 * since a boot long ago. */
	const int64_t t0 = calendar_local_midnight(2025, 3, 1);
	const uint64_t boot = 1000000;
	char id[8];

	/* Baseline round: every first reading commits at once. */
	reset_calls();
	w0 = wall_seconds();
	c0 = cpu_seconds();
	for (int sec = 0; sec < 10; sec++)
		for (size_t i = 0; i < n; i++) {
			if ((int)(i / IFACES_PER_ROUTER % 10) != sec)
				continue;
			f[i].rx = rnd() >> 24;
			f[i].tx = rnd() >> 24;
			snprintf(id, sizeof id, "*%zX", i % IFACES_PER_ROUTER + 1);
			struct acct_reading rd =
			        make_reading(t0 + sec, f[i].rx, f[i].tx, boot + (uint64_t)sec, id);
			if (recorder_add(r, f[i].h, &rd, rd.time, NULL))
				die("recorder_add (baseline)", store_errmsg(s));
		}
	w = wall_seconds() - w0;
	c = cpu_seconds() - c0;
	printf("  baseline round: %zu first readings in %.3f s wall, %.3f s CPU "
	       "(each commits at once: %.1f us per reading)\n",
	       n, w, c, w / (double)n * 1e6);
	if (HAVE_CALLS)
		printf("    commits %ld, in COMMIT %.3f s, prunes %ld (%.3f s)\n", calls.commits,
		       calls.commit_s, calls.prunes, calls.prune_s);

	/* Steady state. */
	reset_calls();
	struct io_count io0 = io_now();
	long readings = 0;
	int64_t end = t0 + 10 + (int64_t)minutes * 60;
	w0 = wall_seconds();
	c0 = cpu_seconds();
	for (int64_t t = t0 + 10; t < end; t++) {
		int sec = (int)((t - t0) % 10);
		for (size_t i = 0; i < n; i++) {
			if ((int)(i / IFACES_PER_ROUTER % 10) != sec)
				continue;
			f[i].rx += rnd_bytes();
			f[i].tx += rnd_bytes() / 4;
			snprintf(id, sizeof id, "*%zX", i % IFACES_PER_ROUTER + 1);
			struct acct_reading rd =
			        make_reading(t, f[i].rx, f[i].tx, boot + (uint64_t)(t - t0), id);
			if (recorder_add(r, f[i].h, &rd, t, NULL))
				die("recorder_add", store_errmsg(s));
			readings++;
		}
	}
	if (recorder_flush(r, end))
		die("recorder_flush", store_errmsg(s));
	w = wall_seconds() - w0;
	c = cpu_seconds() - c0;
	double rate = (double)readings / w;
	struct io_count io = io_since(io0);
	printf("  steady state: %ld readings committed in %.3f s wall, %.3f s CPU\n", readings, w,
	       c);
	printf("  => %.0f readings/s committed, %.2f us wall (%.2f us CPU) per reading\n", rate,
	       w / (double)readings * 1e6, c / (double)readings * 1e6);
	print_calls(readings, w, io);
	if (io.wchar > 0)
		printf("  => at this batching about %.1f MB written per interface-year\n",
		       (double)io.wchar / (double)readings * (double)YEAR_READINGS / 1e6);
	print_target(rate, "");
	print_size("while open", db_size(path));
	recorder_free(r, end);
	store_close(s);
	print_size("after close", db_size(path));
	free(f);
}

/* ------------------------------------------------------------------ */
/* 2 and 3. one interface, one year                                    */
/* ------------------------------------------------------------------ */

static int count_row(void *ctx, const struct store_point *p)
{
	(void)p;
	(*(long *)ctx)++;
	return 0;
}

/* Accounting alone (acct_compute + acct_split, no store) over the year,
 * to tell its share of the cost. */
static int count_piece(void *ctx, int64_t start, uint64_t rx, uint64_t tx)
{
	(void)start;
	(void)rx;
	(void)tx;
	(*(long *)ctx)++;
	return 0;
}

static void bench_accounting_only(int64_t t0)
{
	uint64_t saved = rng;
	struct acct_limits lim = {100000000000ULL, -1};
	struct acct_reading prev = make_reading(t0, 0, 0, 1000000, "*1"), cur;
	long pieces = 0;
	double w0 = wall_seconds();
	for (long k = 1; k < YEAR_READINGS; k++) {
		cur = make_reading(t0 + 10 * k, prev.rx + rnd_bytes(), prev.tx + rnd_bytes() / 4,
		                   prev.uptime + 10, "*1");
		struct acct_delta d = acct_compute(&prev, &cur, &lim);
		acct_split(&d, count_piece, &pieces);
		prev = cur;
	}
	double w = wall_seconds() - w0;
	rng = saved;
	printf("0. accounting alone (acct_compute + acct_split, no store), one year of one "
	       "interface: %.3f s, %.3f us per reading, %.2f pieces per reading\n",
	       w, w / (double)YEAR_READINGS * 1e6, (double)pieces / (double)YEAR_READINGS);
}

/* Feeds up to one year of readings; stops early once cap seconds of wall
 * time have passed (cap <= 0: no cap). Returns the readings fed. */
static long feed_year(struct recorder *r, store *s, int h, int64_t t0, double cap, double *wall,
                      double *cpu, uint64_t *expect_rx, uint64_t *expect_tx)
{
	uint64_t rx = 1234567, tx = 7654321;
	*expect_rx = *expect_tx = 0;
	double w0 = wall_seconds(), c0 = cpu_seconds();
	long k;
	for (k = 0; k < YEAR_READINGS; k++) {
		if (cap > 0 && (k & 4095) == 0 && wall_seconds() - w0 >= cap)
			break;
		if (k > 0) {
			uint64_t drx = rnd_bytes(), dtx = rnd_bytes() / 4;
			rx += drx;
			tx += dtx;
			*expect_rx += drx;
			*expect_tx += dtx;
		}
		int64_t t = t0 + 10 * k;
		struct acct_reading rd = make_reading(t, rx, tx, 1000000 + 10 * (uint64_t)k, "*1");
		if (recorder_add(r, h, &rd, t, NULL))
			die("recorder_add", store_errmsg(s));
	}
	if (recorder_flush(r, t0 + 10 * k))
		die("recorder_flush", store_errmsg(s));
	*wall = wall_seconds() - w0;
	*cpu = cpu_seconds() - c0;
	return k;
}

static void bench_year(void)
{
	const int64_t t0 = calendar_local_midnight(2025, 1, 1);
	printf("2. one interface, one simulated year (%ld readings, 10 s apart, from "
	       "2025-01-01 local), default retention, commit_interval 60 s\n",
	       YEAR_READINGS);
	char path[256];
	store *s = open_db("year.db", path, sizeof path);
	struct recorder_options o = default_options(60);
	struct recorder *r = recorder_new(s, &o);
	if (!r)
		die("recorder_new", "out of memory");
	int h = recorder_interface(r, "router", "ether1");
	if (h < 0)
		die("recorder_interface", store_errmsg(s));
	reset_calls();
	struct io_count io0 = io_now();
	double w, c;
	uint64_t erx, etx;
	long n = feed_year(r, s, h, t0, 0, &w, &c, &erx, &etx);
	struct io_count io = io_since(io0);
	double rate = (double)n / w;
	printf("  %ld readings committed in %.3f s wall, %.3f s CPU\n", n, w, c);
	printf("  => %.0f readings/s committed, %.2f us wall (%.2f us CPU) per reading\n", rate,
	       w / (double)n * 1e6, c / (double)n * 1e6);
	print_calls(n, w, io);
	if (io.wchar > 0)
		printf("  => %.1f MB written for this interface-year\n", (double)io.wchar / 1e6);
	print_target(rate, "");

	int64_t id = recorder_iface_id(r, h);
	uint64_t trx = 0, ttx = 0;
	if (store_totals(s, id, &trx, &ttx))
		die("store_totals", store_errmsg(s));
	printf("  check: stored totals %s the bytes fed (rx %llu, tx %llu)\n",
	       trx == erx && ttx == etx ? "equal" : "DIFFER FROM", (unsigned long long)erx,
	       (unsigned long long)etx);
	long total_rows = 0;
	printf("  rows per step:");
	for (int step = 0; step < STEP_COUNT; step++) {
		long rows = 0;
		if (store_series(s, id, (enum step)step, INT64_MIN, INT64_MAX, count_row, &rows))
			die("store_series", store_errmsg(s));
		printf(" %s %ld%s", step_name((enum step)step), rows,
		       step + 1 < STEP_COUNT ? "," : "");
		total_rows += rows;
	}
	printf(" (total %ld)\n", total_rows);
	struct db_size open_sz = db_size(path);
	print_size("while open", open_sz);
	recorder_free(r, t0 + 10 * n);
	store_close(s);
	struct db_size closed = db_size(path);
	print_size("after close (checkpointed)", closed);
	printf("  => %.1f bytes per kept row; target <= %.0f MB per interface-year: %s\n",
	       total_rows ? (double)(closed.main + closed.wal) / (double)total_rows : 0.0,
	       TARGET_BYTES / 1e6,
	       (double)(closed.main + closed.wal) <= TARGET_BYTES ? "met" : "NOT met");
}

static void bench_year_worst(double cap)
{
	const int64_t t0 = calendar_local_midnight(2025, 1, 1);
	printf("3. the same year with commit_interval 1 (every reading committed), "
	       "capped at %.0f s wall\n",
	       cap);
	char path[256];
	store *s = open_db("year1.db", path, sizeof path);
	struct recorder_options o = default_options(1);
	struct recorder *r = recorder_new(s, &o);
	if (!r)
		die("recorder_new", "out of memory");
	int h = recorder_interface(r, "router", "ether1");
	if (h < 0)
		die("recorder_interface", store_errmsg(s));
	reset_calls();
	struct io_count io0 = io_now();
	double w, c;
	uint64_t erx, etx;
	long n = feed_year(r, s, h, t0, cap, &w, &c, &erx, &etx);
	struct io_count io = io_since(io0);
	double rate = (double)n / w;
	printf("  %ld readings committed in %.3f s wall, %.3f s CPU (%.1f simulated days)\n", n, w,
	       c, (double)n * 10 / 86400);
	printf("  => %.0f readings/s committed, %.2f us wall (%.2f us CPU) per reading\n", rate,
	       w / (double)n * 1e6, c / (double)n * 1e6);
	if (n < YEAR_READINGS)
		printf("  the whole year would take about %.1f s (EXTRAPOLATED from %.1f %% of "
		       "it)\n",
		       w * (double)YEAR_READINGS / (double)n, (double)n * 100 / YEAR_READINGS);
	else
		printf("  the whole year took %.1f s (measured, not extrapolated)\n", w);
	print_calls(n, w, io);
	if (io.wchar > 0 && n < YEAR_READINGS)
		printf("  => about %.1f MB written for the interface-year (EXTRAPOLATED)\n",
		       (double)io.wchar * (double)YEAR_READINGS / (double)n / 1e6);
	else if (io.wchar > 0)
		printf("  => %.1f MB written for this interface-year\n", (double)io.wchar / 1e6);
	print_target(rate, " (the target is for the chosen batching; this is the worst case)");
	print_size("while open", db_size(path));
	recorder_free(r, t0 + 10 * n);
	store_close(s);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	int minutes = argc > 2 ? atoi(argv[2]) : 10;
	double cap = argc > 3 ? atof(argv[3]) : 20;
	if (n < 1 || minutes < 1 || cap <= 0) {
		fprintf(stderr, "usage: bench_store [INTERFACES] [MINUTES] [CAP_SECONDS]\n");
		return 2;
	}
	if (calendar_set_zone("Europe/Berlin"))
		die("calendar_set_zone", "Europe/Berlin not found in tzdata");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/bench_store.XXXXXX");
	if (!mkdtemp(tmpdir))
		die("mkdtemp", strerror(errno));
	printf("bench_store: SQLite files in %s (removed at the end), zone %s\n", tmpdir,
	       calendar_zone());
	double w0 = wall_seconds();
	bench_accounting_only(calendar_local_midnight(2025, 1, 1));
	bench_many("1", (size_t)n, minutes, 60);
	bench_many("1b", (size_t)n, minutes, 1);
	bench_year();
	bench_year_worst(cap);
	remove_tmpdir();
	printf("total run time %.1f s\n", wall_seconds() - w0);
	return 0;
}
