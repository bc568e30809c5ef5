/*
 * test_store.c — unit tests for the store (daemon/store.c) on real
 * database files in a temporary directory, removed at the end.
 *
 * SQLite is used directly only to prepare fixtures the store must refuse
 * (a newer schema, a foreign database) and to look at what was written
 * (pragmas, column types).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbcorrupt.h"
#include "store.h"
#include "tmpdir.h"

static char tmpdir[256];

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static int make_tmpdir(void **state)
{
	(void)state;
	return tmpdir_make(tmpdir, sizeof tmpdir, "test_store");
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return tmpdir_remove(tmpdir);
}

/* A fresh database path in the test directory (out holds 512 bytes). */
static const char *db_path(char *out, const char *name)
{
	snprintf(out, 512, "%s/%s", tmpdir, name);
	return out;
}

static store *open_rw(const char *path)
{
	char err[512] = "";
	store *s = store_open(path, false, err, sizeof err);
	if (!s)
		fail_msg("store_open(%s): %s", path, err);
	return s;
}

static store *open_ro(const char *path)
{
	char err[512] = "";
	store *s = store_open(path, true, err, sizeof err);
	if (!s)
		fail_msg("store_open(%s, readonly): %s", path, err);
	return s;
}

static int64_t iface_id(store *s, const char *router, const char *iface)
{
	int64_t id = -1;
	if (store_interface_id(s, router, iface, &id) != 0)
		fail_msg("store_interface_id: %s", store_errmsg(s));
	return id;
}

static void add(store *s, int64_t iface, enum step step, int64_t start, uint64_t rx, uint64_t tx)
{
	if (store_add_traffic(s, iface, step, start, rx, tx) != 0)
		fail_msg("store_add_traffic: %s", store_errmsg(s));
}

/* One integer from a query run with SQLite directly on path. */
static sqlite3_int64 raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3_int64 v = -999;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Runs sql with SQLite directly on path (creating it). */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static void raw_text(const char *path, const char *sql, char *out, size_t outsz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Collects a series. */
struct points {
	struct store_point p[64];
	int n;
	int stop_after; /* 0: never */
};

static int collect(void *ctx, const struct store_point *p)
{
	struct points *pts = ctx;
	if (pts->n < 64)
		pts->p[pts->n] = *p;
	pts->n++;
	return pts->stop_after && pts->n == pts->stop_after ? 42 : 0;
}

/* Collects the interface list. */
struct listed {
	char router[8][32];
	char name[8][32];
	struct store_iface i[8];
	int n;
};

static int collect_iface(void *ctx, const struct store_iface *i)
{
	struct listed *l = ctx;
	if (l->n < 8) {
		l->i[l->n] = *i;
		snprintf(l->router[l->n], 32, "%s", i->router);
		snprintf(l->name[l->n], 32, "%s", i->name);
		l->i[l->n].router = l->router[l->n];
		l->i[l->n].name = l->name[l->n];
	}
	l->n++;
	return 0;
}

#define TWO63 (UINT64_C(1) << 63)

/* ------------------------------------------------------------------ */
/* opening and migrations                                              */
/* ------------------------------------------------------------------ */

static void opening_a_new_file_creates_the_schema_in_wal_mode(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "new.db");
	assert_false(file_exists(p));
	store *s = open_rw(p);
	assert_int_equal(store_schema_version(), 2);
	store_close(s);
	/* The writer leaves an empty -wal and the -shm behind, so that readers
	 * without write access to the directory can still open the file. */
	char side[600];
	struct stat sb;
	snprintf(side, sizeof side, "%s-wal", p);
	assert_int_equal(stat(side, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	snprintf(side, sizeof side, "%s-shm", p);
	assert_true(file_exists(side));
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(p, "PRAGMA application_id"), 0x74696b73);
	char mode[32];
	raw_text(p, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), 6);
}

static void reopening_keeps_the_data_and_does_not_migrate_twice(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "reopen.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	add(s, id, STEP_YEAR, 1000, 5, 6);
	store_close(s);
	sqlite3_int64 tables = raw_int(p, "SELECT count(*) FROM sqlite_schema");

	for (int i = 0; i < 3; i++) {
		s = open_rw(p);
		uint64_t rx = 0, tx = 0;
		assert_int_equal(store_totals(s, id, &rx, &tx), 0);
		assert_true(rx == 5 && tx == 6);
		store_close(s);
	}
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_schema"), tables);
}

/* A write through a connection SQLite opened read-only (the file is not
 * writable by this user): 0 when it fails with a message that says so. */
static int write_says_not_writable(const char *p, int64_t id)
{
	char err[512] = "";
	store *s = store_open(p, false, err, sizeof err);
	if (!s)
		return 1;
	int rc = store_begin(s);
	if (rc == 0)
		rc = store_add_traffic(s, id, STEP_YEAR, 1000, 5, 6);
	if (rc == 0)
		rc = store_commit(s);
	int bad = rc != -1 || !strstr(store_errmsg(s), "attempt to write a readonly database") ||
	          !strstr(store_errmsg(s), "not writable by this user");
	if (bad)
		fprintf(stderr, "rc %d: %s\n", rc, store_errmsg(s));
	store_rollback(s);
	store_close(s);
	return bad ? 2 : 0;
}

/* "attempt to write a readonly database" alone does not tell an
 * administrator what to fix: SQLite opens a file its user cannot write
 * read-only without a word, and the first commit fails. (As root, the
 * check runs in a child that became nobody: root writes every file.) */
static void a_file_this_user_cannot_write_is_named_as_such(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "notmine.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	store_close(s);
	assert_int_equal(chmod(p, 0444), 0);
	if (geteuid() != 0) {
		assert_int_equal(write_says_not_writable(p, id), 0);
		return;
	}
	assert_int_equal(chmod(tmpdir, 0777), 0); /* nobody may create -wal and -shm */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		_exit(write_says_not_writable(p, id));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void a_newer_schema_is_refused_with_the_exact_message_and_left_alone(void **state)
{
	char p[512], err[512], want[700];
	(void)state;
	db_path(p, "newer.db");
	store_close(open_rw(p));
	raw_exec(p, "PRAGMA user_version = 3");

	snprintf(
	        want, sizeof want,
	        "cannot open %s: database schema 3 is newer than this tikstat (2): upgrade tikstat",
	        p);
	assert_null(store_open(p, false, err, sizeof err));
	assert_string_equal(err, want);
	assert_null(store_open(p, true, err, sizeof err));
	assert_string_equal(err, want);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
}

/* A database as tikstat of schema 1 wrote it (the fixture is that
 * schema's text, kept here as it was released). */
static const char SCHEMA_1_FIXTURE[] =
        "CREATE TABLE routers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;"
        "CREATE TABLE interfaces(id INTEGER PRIMARY KEY,"
        " router_id INTEGER NOT NULL REFERENCES routers(id), name BLOB NOT NULL,"
        " UNIQUE(router_id, name)) STRICT;"
        "CREATE TABLE last_reading(interface_id INTEGER PRIMARY KEY REFERENCES interfaces(id),"
        " time INTEGER NOT NULL, rx INTEGER NOT NULL, tx INTEGER NOT NULL, uptime INTEGER,"
        " ros_id TEXT NOT NULL DEFAULT '') STRICT;"
        "CREATE TABLE traffic(interface_id INTEGER NOT NULL, step INTEGER NOT NULL,"
        " start INTEGER NOT NULL, rx INTEGER NOT NULL, tx INTEGER NOT NULL,"
        " PRIMARY KEY(interface_id, step, start)) WITHOUT ROWID, STRICT;"
        "CREATE TABLE alerts(interface_id INTEGER NOT NULL REFERENCES interfaces(id),"
        " cycle_start INTEGER NOT NULL, percent INTEGER NOT NULL,"
        " PRIMARY KEY(interface_id, cycle_start, percent)) WITHOUT ROWID, STRICT;"
        "CREATE TABLE imports(interface_id INTEGER NOT NULL REFERENCES interfaces(id),"
        " source TEXT NOT NULL, last_time INTEGER NOT NULL,"
        " PRIMARY KEY(interface_id, source)) STRICT;"
        "PRAGMA application_id = 1953065843;"
        "PRAGMA user_version = 1;"
        "INSERT INTO routers VALUES (1, 'home');"
        "INSERT INTO interfaces VALUES (1, 1, CAST('ether1' AS BLOB)),"
        " (2, 1, CAST('ether2' AS BLOB)), (3, 1, CAST('ether3' AS BLOB));"
        /* ether1: import-legacy's own reading (time of the mark, no uptime, no .id) */
        "INSERT INTO imports VALUES (1, 'legacy:old.db', 1790000000);"
        "INSERT INTO last_reading VALUES (1, 1790000000, 5000, 6000, NULL, '');"
        /* ether2: polled after an import: the poller's reading */
        "INSERT INTO imports VALUES (2, 'legacy:old.db', 1780000000);"
        "INSERT INTO last_reading VALUES (2, 1790000060, 7000, 8000, 4000, '*2');"
        /* ether3: pushed, never imported */
        "INSERT INTO last_reading VALUES (3, 1790000120, 9000, 9500, NULL, '');";

static void schema_1_migrates_and_an_imported_last_reading_becomes_legacy(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "v1.db");
	raw_exec(p, SCHEMA_1_FIXTURE);
	store *s = open_rw(p);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 2);
	struct acct_reading r;
	bool have = false;
	const enum acct_source want[] = {ACCT_SRC_LEGACY, ACCT_SRC_UNKNOWN, ACCT_SRC_UNKNOWN};
	const int64_t times[] = {1790000000, 1790000060, 1790000120};
	for (int64_t id = 1; id <= 3; id++) {
		assert_int_equal(store_load_reading(s, id, &r, &have), 0);
		assert_true(have);
		assert_int_equal(r.time, times[id - 1]);
		assert_int_equal(r.time_sub_ms, 0);
		assert_int_equal(r.source, want[id - 1]);
	}
	/* The first poll after the upgrade is a baseline, not a reset that
	 * counts the whole (other) counter again. */
	assert_int_equal(store_load_reading(s, 1, &r, &have), 0);
	struct acct_reading poll = {.time = 1790000300,
	                            .source = ACCT_SRC_POLL,
	                            .rx = 10,
	                            .tx = 10,
	                            .uptime = 100,
	                            .has_uptime = true,
	                            .id = "*1"};
	struct acct_limits lim = {0, -1};
	assert_int_equal(acct_compute(&r, &poll, &lim).kind, ACCT_BASELINE);
	store_close(s);
	/* Opening again migrates nothing more. */
	store_close(open_rw(p));
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM last_reading WHERE source = 'legacy'"),
	                 1);
}

static void a_foreign_database_is_refused_and_not_switched_to_wal(void **state)
{
	char p[512], err[512], mode[32];
	(void)state;
	/* The old PHP setup's database, configured as tikstat's by mistake. */
	db_path(p, "legacy.db");
	raw_exec(p, "CREATE TABLE traffic(timestamp INTEGER, tx INTEGER, rx INTEGER, dtx INTEGER,"
	            " drx INTEGER); INSERT INTO traffic VALUES (1, 2, 3, 4, 5)");
	assert_null(store_open(p, false, err, sizeof err));
	assert_non_null(strstr(err, p));
	assert_non_null(strstr(err, "not a tikstat database"));
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "not a tikstat database"));
	raw_text(p, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "delete");
	assert_int_equal(raw_int(p, "SELECT count(*) FROM traffic"), 1);
}

static void read_only_open_of_a_missing_file_fails_without_creating_it(void **state)
{
	char p[512], err[512], want[700];
	(void)state;
	db_path(p, "missing.db");
	assert_null(store_open(p, true, err, sizeof err));
	snprintf(want, sizeof want, "cannot open %s: unable to open database file", p);
	assert_string_equal(err, want);
	assert_false(file_exists(p));
}

static void read_only_open_of_a_file_without_schema_fails(void **state)
{
	char p[512], err[512];
	(void)state;
	db_path(p, "empty.db");
	write_file(p, "", 0);
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "no tikstat schema"));
}

static void read_write_open_of_a_missing_directory_fails_clearly(void **state)
{
	char p[512], err[512], want[700];
	(void)state;
	db_path(p, "no/such/dir.db");
	assert_null(store_open(p, false, err, sizeof err));
	snprintf(want, sizeof want, "cannot open %s: unable to open database file", p);
	assert_string_equal(err, want);
}

static void a_file_of_random_bytes_gives_a_clean_error(void **state)
{
	char p[512], err[512];
	unsigned char junk[65536];
	uint64_t x = 0x9e3779b97f4a7c15u;
	(void)state;
	for (size_t i = 0; i < sizeof junk; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		junk[i] = (unsigned char)x;
	}
	db_path(p, "random.db");
	write_file(p, junk, sizeof junk);
	assert_null(store_open(p, false, err, sizeof err));
	assert_non_null(strstr(err, "file is not a database"));
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "file is not a database"));

	/* A valid header over garbage pages. */
	memcpy(junk, "SQLite format 3", 16);
	junk[16] = 0x10; /* page size 4096 */
	junk[17] = 0x00;
	db_path(p, "garbage.db");
	write_file(p, junk, sizeof junk);
	assert_null(store_open(p, false, err, sizeof err));
	assert_non_null(strstr(err, "cannot open"));
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "cannot open"));
}

/* ------------------------------------------------------------------ */
/* routers, interfaces, readings                                       */
/* ------------------------------------------------------------------ */

static void interface_ids_are_stable_across_reopen_and_names_are_exact_bytes(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "ids.db");
	const char *names[] = {"ether1", "Ether1", "ether1 ", "\xff\xfe\x80wan", "pppoe-out1"};
	int64_t ids[5];
	store *s = open_rw(p);
	for (int i = 0; i < 5; i++)
		ids[i] = iface_id(s, "home", names[i]);
	int64_t other = iface_id(s, "office", "ether1");
	for (int i = 0; i < 5; i++) {
		assert_true(ids[i] > 0);
		assert_true(ids[i] != other);
		for (int j = 0; j < i; j++)
			assert_true(ids[i] != ids[j]);
		assert_int_equal(iface_id(s, "home", names[i]), ids[i]);
	}
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM routers"), 2);

	s = open_rw(p);
	for (int i = 4; i >= 0; i--)
		assert_int_equal(iface_id(s, "home", names[i]), ids[i]);
	store_close(s);

	s = open_ro(p);
	int64_t id = -1;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(store_find_interface(s, "home", names[i], &id), 0);
		assert_int_equal(id, ids[i]);
	}
	assert_int_equal(store_find_interface(s, "office", "ether1", &id), 0);
	assert_int_equal(id, other);
	assert_int_equal(store_find_interface(s, "home", "ether2", &id), 1);
	assert_int_equal(store_find_interface(s, "nowhere", "ether1", &id), 1);
	assert_int_equal(store_find_interface(s, "office", "\xff\xfe\x80wan", &id), 1);
	store_close(s);
}

static void the_last_reading_round_trips_exactly(void **state)
{
	char p[512];
	struct acct_reading r;
	bool have = true;
	(void)state;
	db_path(p, "reading.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	assert_int_equal(store_load_reading(s, id, &r, &have), 0);
	assert_false(have);

	struct acct_reading w = {.time = 1700000000,
	                         .time_sub_ms = 999,
	                         .source = ACCT_SRC_POLL,
	                         .rx = UINT64_MAX,
	                         .tx = UINT64_MAX - 1,
	                         .uptime = TWO63,
	                         .has_uptime = true,
	                         .id = "*1A"};
	assert_int_equal(store_save_reading(s, id, &w), 0);
	store_close(s);

	s = open_ro(p);
	memset(&r, 0x55, sizeof r);
	assert_int_equal(store_load_reading(s, id, &r, &have), 0);
	assert_true(have);
	assert_int_equal(r.time, 1700000000);
	assert_int_equal(r.time_sub_ms, 999);
	assert_int_equal(r.source, ACCT_SRC_POLL);
	assert_int_equal(r.mono_ms, 0);
	assert_true(r.rx == UINT64_MAX);
	assert_true(r.tx == UINT64_MAX - 1);
	assert_true(r.has_uptime);
	assert_true(r.uptime == TWO63);
	assert_string_equal(r.id, "*1A");
	store_close(s);

	/* Replaced, with no uptime and no .id (a push reading). */
	s = open_rw(p);
	struct acct_reading w2 = {.time = 1700000010,
	                          .time_sub_ms = 7,
	                          .source = ACCT_SRC_PUSH,
	                          .rx = TWO63 - 1,
	                          .tx = 0,
	                          .uptime = 0,
	                          .has_uptime = false,
	                          .id = ""};
	assert_int_equal(store_save_reading(s, id, &w2), 0);
	assert_int_equal(store_load_reading(s, id, &r, &have), 0);
	assert_true(have);
	assert_int_equal(r.time, 1700000010);
	assert_int_equal(r.time_sub_ms, 7);
	assert_int_equal(r.source, ACCT_SRC_PUSH);
	assert_true(r.rx == TWO63 - 1);
	assert_true(r.tx == 0);
	assert_false(r.has_uptime);
	assert_string_equal(r.id, "");
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM last_reading WHERE uptime IS NULL"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM last_reading"), 1);
}

static void a_reading_needs_an_existing_interface(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "fk.db");
	store *s = open_rw(p);
	struct acct_reading w = {
	        .time = 1, .rx = 2, .tx = 3, .uptime = 4, .has_uptime = true, .id = "*1"};
	assert_int_equal(store_save_reading(s, 12345, &w), -1);
	assert_non_null(strstr(store_errmsg(s), "FOREIGN KEY"));
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* traffic                                                             */
/* ------------------------------------------------------------------ */

static void traffic_upserts_sum_into_one_bucket_per_step(void **state)
{
	char p[512];
	uint64_t rx = 0, tx = 0;
	(void)state;
	db_path(p, "upsert.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	add(s, id, STEP_5MIN, 300, 1, 10);
	add(s, id, STEP_5MIN, 300, 2, 20);
	add(s, id, STEP_5MIN, 600, 4, 40);
	add(s, id, STEP_HOUR, 0, 7, 70);
	/* Crossing 2^63 is fine: the sum is a uint64. */
	add(s, id, STEP_YEAR, 0, TWO63 - 1, 5);
	add(s, id, STEP_YEAR, 0, 1, UINT64_MAX - 5);
	assert_int_equal(store_sum(s, id, STEP_5MIN, 300, 301, &rx, &tx), 0);
	assert_true(rx == 3 && tx == 30);
	assert_int_equal(store_sum(s, id, STEP_5MIN, 0, 1000, &rx, &tx), 0);
	assert_true(rx == 7 && tx == 70);
	assert_int_equal(store_totals(s, id, &rx, &tx), 0);
	assert_true(rx == TWO63 && tx == UINT64_MAX);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM traffic"), 4);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM traffic WHERE typeof(rx) != 'integer'"
	                            " OR typeof(tx) != 'integer'"),
	                 0);
}

static void a_bucket_sum_beyond_64_bits_is_refused_and_nothing_changes(void **state)
{
	char p[512];
	uint64_t rx = 0, tx = 0;
	(void)state;
	db_path(p, "overflow.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	add(s, id, STEP_DAY, 0, UINT64_MAX - 10, 100);

	/* Outside a transaction. */
	assert_int_equal(store_add_traffic(s, id, STEP_DAY, 0, 11, 1), -1);
	assert_non_null(strstr(store_errmsg(s), "exceed 2^64-1"));
	assert_non_null(strstr(store_errmsg(s), "day bucket"));
	/* Only tx overflowing: rx is not added either. */
	assert_int_equal(store_add_traffic(s, id, STEP_DAY, 0, 1, UINT64_MAX), -1);

	/* Inside one: the transaction survives and commits the rest. */
	assert_int_equal(store_begin(s), 0);
	add(s, id, STEP_HOUR, 0, 1, 1);
	assert_int_equal(store_add_traffic(s, id, STEP_DAY, 0, UINT64_MAX, 0), -1);
	add(s, id, STEP_DAY, 0, 10, 0); /* exactly 2^64-1 */
	assert_int_equal(store_commit(s), 0);

	assert_int_equal(store_sum(s, id, STEP_DAY, 0, 1, &rx, &tx), 0);
	assert_true(rx == UINT64_MAX);
	assert_true(tx == 100);
	assert_int_equal(store_sum(s, id, STEP_HOUR, 0, 1, &rx, &tx), 0);
	assert_true(rx == 1 && tx == 1);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM traffic WHERE typeof(rx) != 'integer'"),
	                 0);
}

static void series_are_in_start_order_from_inclusive_to_exclusive(void **state)
{
	char p[512];
	struct points pts = {0};
	(void)state;
	db_path(p, "series.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	int64_t other = iface_id(s, "home", "ether2");
	const int64_t starts[] = {1500, 300, 900, -300, 600, 1200, 0};
	for (int i = 0; i < 7; i++)
		add(s, id, STEP_5MIN, starts[i], (uint64_t)(starts[i] + 1000), UINT64_MAX - i);
	add(s, id, STEP_HOUR, 600, 99, 99);
	add(s, other, STEP_5MIN, 600, 77, 77);

	assert_int_equal(store_series(s, id, STEP_5MIN, 300, 1500, collect, &pts), 0);
	assert_int_equal(pts.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pts.p[i].start, 300 + 300 * i);
		assert_true(pts.p[i].rx == (uint64_t)(1300 + 300 * i));
	}
	assert_true(pts.p[0].tx == UINT64_MAX - 1);

	memset(&pts, 0, sizeof pts);
	assert_int_equal(store_series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, collect, &pts), 0);
	assert_int_equal(pts.n, 7);
	assert_int_equal(pts.p[0].start, -300);
	assert_int_equal(pts.p[6].start, 1500);

	memset(&pts, 0, sizeof pts);
	assert_int_equal(store_series(s, id, STEP_5MIN, 600, 600, collect, &pts), 0);
	assert_int_equal(pts.n, 0);
	assert_int_equal(store_series(s, id, STEP_DAY, INT64_MIN, INT64_MAX, collect, &pts), 0);
	assert_int_equal(pts.n, 0);

	/* The callback's non-zero value stops the walk and is returned. */
	pts.stop_after = 2;
	assert_int_equal(store_series(s, id, STEP_5MIN, INT64_MIN, INT64_MAX, collect, &pts), 42);
	assert_int_equal(pts.n, 2);
	/* The statement was reset: the next call starts over. */
	memset(&pts, 0, sizeof pts);
	assert_int_equal(store_series(s, id, STEP_HOUR, 0, 3600, collect, &pts), 0);
	assert_int_equal(pts.n, 1);
	assert_true(pts.p[0].rx == 99);
	store_close(s);
}

static store *reentry_store;

static int reenter(void *ctx, const struct store_point *p)
{
	(void)p;
	struct points pts = {0};
	int *rc = ctx;
	*rc = store_series(reentry_store, 1, STEP_5MIN, 0, 10, collect, &pts);
	return 0;
}

static void series_called_from_its_own_callback_is_an_error_not_a_crash(void **state)
{
	char p[512];
	int inner = 0;
	(void)state;
	db_path(p, "reenter.db");
	store *s = reentry_store = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	add(s, id, STEP_5MIN, 0, 1, 1);
	assert_int_equal(store_series(s, id, STEP_5MIN, 0, 10, reenter, &inner), 0);
	assert_int_equal(inner, -1);
	store_close(s);
}

static void sum_and_totals_add_up_in_64_bits_exactly(void **state)
{
	char p[512];
	uint64_t rx = 0, tx = 0;
	(void)state;
	db_path(p, "sum.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	add(s, id, STEP_DAY, 0, TWO63, 1);
	add(s, id, STEP_DAY, 86400, TWO63 / 2, 2);
	add(s, id, STEP_DAY, 2 * 86400, TWO63 / 4, 3);
	add(s, id, STEP_YEAR, 0, TWO63, 10);
	add(s, id, STEP_YEAR, 31536000, TWO63 - 1, 20);

	assert_int_equal(store_sum(s, id, STEP_DAY, 0, 3 * 86400, &rx, &tx), 0);
	assert_true(rx == TWO63 + TWO63 / 2 + TWO63 / 4);
	assert_true(tx == 6);
	assert_int_equal(store_sum(s, id, STEP_DAY, 86400, 2 * 86400, &rx, &tx), 0);
	assert_true(rx == TWO63 / 2 && tx == 2);
	assert_int_equal(store_sum(s, id, STEP_HOUR, 0, 3 * 86400, &rx, &tx), 0);
	assert_true(rx == 0 && tx == 0);
	assert_int_equal(store_totals(s, id, &rx, &tx), 0);
	assert_true(rx == UINT64_MAX && tx == 30);
	assert_int_equal(store_totals(s, 999, &rx, &tx), 0);
	assert_true(rx == 0 && tx == 0);

	/* A sum over buckets that does not fit in 64 bits is an error. */
	add(s, id, STEP_YEAR, 2 * 31536000, 1, 0);
	rx = tx = 7;
	assert_int_equal(store_totals(s, id, &rx, &tx), -1);
	assert_non_null(strstr(store_errmsg(s), "exceeds 2^64-1"));
	assert_true(rx == 7 && tx == 7);
	store_close(s);
}

static void an_unknown_step_is_an_error(void **state)
{
	char p[512];
	uint64_t rx, tx;
	struct points pts = {0};
	(void)state;
	db_path(p, "step.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	assert_int_equal(store_add_traffic(s, id, STEP_COUNT, 0, 1, 1), -1);
	assert_non_null(strstr(store_errmsg(s), "no such step"));
	assert_int_equal(store_sum(s, id, (enum step) - 1, 0, 1, &rx, &tx), -1);
	assert_int_equal(store_series(s, id, STEP_COUNT, 0, 1, collect, &pts), -1);
	store_close(s);
}

static void prune_deletes_old_buckets_per_step_and_keep_zero_means_forever(void **state)
{
	char p[512];
	uint64_t rx, tx;
	(void)state;
	db_path(p, "prune.db");
	store *s = open_rw(p);
	int64_t a = iface_id(s, "home", "ether1");
	int64_t b = iface_id(s, "office", "ether1");
	for (int st = 0; st < STEP_COUNT; st++) {
		for (int64_t t = 0; t < 10; t++) {
			add(s, a, (enum step)st, t * 100, 1, 1);
			add(s, b, (enum step)st, t * 100, 2, 2);
		}
	}
	/* now = 1000: 5min keeps start >= 700, hour keeps >= 100, day and
	 * month forever (0 and negative), year keeps >= 999 (none). */
	const int64_t keep[STEP_COUNT] = {300, 900, 0, -5, 1};
	assert_int_equal(store_prune(s, 1000, keep), 0);
	const int want[STEP_COUNT] = {3, 9, 10, 10, 0};
	for (int st = 0; st < STEP_COUNT; st++) {
		assert_int_equal(store_sum(s, a, (enum step)st, INT64_MIN, INT64_MAX, &rx, &tx), 0);
		assert_int_equal(rx, want[st]);
		assert_int_equal(store_sum(s, b, (enum step)st, INT64_MIN, INT64_MAX, &rx, &tx), 0);
		assert_int_equal(rx, 2 * want[st]);
	}
	/* The edge: a bucket starting exactly at now - keep stays. */
	assert_int_equal(store_sum(s, a, STEP_5MIN, 700, 701, &rx, &tx), 0);
	assert_int_equal(rx, 1);
	/* Huge keeps do not overflow the cutoff. */
	const int64_t huge[STEP_COUNT] = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
	assert_int_equal(store_prune(s, -10, huge), 0);
	assert_int_equal(store_prune(s, INT64_MAX, huge), 0);
	assert_int_equal(store_sum(s, a, STEP_DAY, INT64_MIN, INT64_MAX, &rx, &tx), 0);
	assert_int_equal(rx, 10);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* alerts, import marks                                                */
/* ------------------------------------------------------------------ */

static void alerts_are_recorded_once_per_cycle_and_percent(void **state)
{
	char p[512];
	bool sent = true;
	(void)state;
	db_path(p, "alerts.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	assert_int_equal(store_alert_sent(s, id, 1000, 80, &sent), 0);
	assert_false(sent);
	assert_int_equal(store_mark_alert(s, id, 1000, 80), 0);
	assert_int_equal(store_mark_alert(s, id, 1000, 80), 0); /* again: no error */
	assert_int_equal(store_alert_sent(s, id, 1000, 80, &sent), 0);
	assert_true(sent);
	assert_int_equal(store_alert_sent(s, id, 1000, 90, &sent), 0);
	assert_false(sent);
	assert_int_equal(store_alert_sent(s, id, 2000, 80, &sent), 0);
	assert_false(sent);
	store_close(s);
	s = open_ro(p);
	assert_int_equal(store_alert_sent(s, id, 1000, 80, &sent), 0);
	assert_true(sent);
	store_close(s);
}

static void import_marks_are_kept_per_interface_and_source(void **state)
{
	char p[512];
	int64_t t = 0;
	(void)state;
	db_path(p, "imports.db");
	store *s = open_rw(p);
	int64_t a = iface_id(s, "home", "ether1");
	int64_t b = iface_id(s, "home", "ether2");
	assert_int_equal(store_import_mark(s, a, "/old/traffic.db", &t), 0);
	assert_true(t == INT64_MIN);
	assert_int_equal(store_set_import_mark(s, a, "/old/traffic.db", 1600000000), 0);
	assert_int_equal(store_set_import_mark(s, a, "/old/other.db", 5), 0);
	assert_int_equal(store_set_import_mark(s, a, "/old/traffic.db", 1600000300), 0);
	assert_int_equal(store_import_mark(s, a, "/old/traffic.db", &t), 0);
	assert_int_equal(t, 1600000300);
	assert_int_equal(store_import_mark(s, a, "/old/other.db", &t), 0);
	assert_int_equal(t, 5);
	assert_int_equal(store_import_mark(s, b, "/old/traffic.db", &t), 0);
	assert_true(t == INT64_MIN);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* transactions and concurrent readers                                 */
/* ------------------------------------------------------------------ */

static void rollback_leaves_nothing(void **state)
{
	char p[512];
	uint64_t rx, tx;
	bool have, sent;
	struct acct_reading r;
	(void)state;
	db_path(p, "rollback.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	add(s, id, STEP_5MIN, 0, 1, 1);

	assert_int_equal(store_begin(s), 0);
	int64_t id2 = iface_id(s, "home", "ether2");
	add(s, id, STEP_5MIN, 0, 5, 5);
	add(s, id, STEP_YEAR, 0, 5, 5);
	struct acct_reading w = {
	        .time = 10, .rx = 20, .tx = 30, .uptime = 40, .has_uptime = true, .id = "*1"};
	assert_int_equal(store_save_reading(s, id, &w), 0);
	assert_int_equal(store_mark_alert(s, id, 0, 80), 0);
	assert_int_equal(store_rollback(s), 0);

	assert_int_equal(store_sum(s, id, STEP_5MIN, 0, 1, &rx, &tx), 0);
	assert_true(rx == 1 && tx == 1);
	assert_int_equal(store_totals(s, id, &rx, &tx), 0);
	assert_true(rx == 0 && tx == 0);
	assert_int_equal(store_load_reading(s, id, &r, &have), 0);
	assert_false(have);
	assert_int_equal(store_alert_sent(s, id, 0, 80, &sent), 0);
	assert_false(sent);
	int64_t found;
	assert_int_equal(store_find_interface(s, "home", "ether2", &found), 1);
	(void)id2;

	/* Rolling back with no transaction open is harmless; COMMIT is not. */
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(store_commit(s), -1);
	assert_non_null(strstr(store_errmsg(s), "cannot commit"));

	/* Closing with a transaction open rolls it back. */
	assert_int_equal(store_begin(s), 0);
	add(s, id, STEP_5MIN, 0, 100, 100);
	store_close(s);
	s = open_ro(p);
	assert_int_equal(store_sum(s, id, STEP_5MIN, 0, 1, &rx, &tx), 0);
	assert_true(rx == 1 && tx == 1);
	store_close(s);
}

static void a_reader_sees_committed_data_while_the_writer_holds_a_transaction(void **state)
{
	char p[512];
	uint64_t rx = 0, tx = 0;
	struct listed l = {0};
	(void)state;
	db_path(p, "wal.db");
	store *w = open_rw(p);
	int64_t id = iface_id(w, "home", "ether1");
	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_HOUR, 3600, 10, 20);
	add(w, id, STEP_YEAR, 0, 10, 20);
	assert_int_equal(store_commit(w), 0);

	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_HOUR, 3600, 1, 1);
	add(w, id, STEP_YEAR, 0, 1, 1);
	int64_t id2 = iface_id(w, "home", "ether2");

	/* Opened while the writer holds the write lock. */
	store *r = open_ro(p);
	assert_int_equal(store_sum(r, id, STEP_HOUR, 0, 7200, &rx, &tx), 0);
	assert_true(rx == 10 && tx == 20);
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_true(rx == 10 && tx == 20);
	int64_t found;
	assert_int_equal(store_find_interface(r, "home", "ether2", &found), 1);
	assert_int_equal(store_list_interfaces(r, collect_iface, &l), 0);
	assert_int_equal(l.n, 1);

	/* A reader's transaction pins the snapshot of its first read across
	 * the writer's commit. */
	assert_int_equal(store_begin(r), 0);
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_int_equal(store_commit(w), 0);
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_true(rx == 10 && tx == 20);
	assert_int_equal(store_commit(r), 0);

	/* Outside a transaction every call sees the latest commit. */
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_true(rx == 11 && tx == 21);
	assert_int_equal(store_find_interface(r, "home", "ether2", &found), 0);
	assert_int_equal(found, id2);

	/* The writer can commit while the reader has a snapshot open. */
	assert_int_equal(store_begin(r), 0);
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_YEAR, 0, 1, 1);
	assert_int_equal(store_commit(w), 0);
	assert_int_equal(store_rollback(r), 0);
	store_close(w);
	/* The last writer closed (WAL checkpointed): reading still works. */
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_true(rx == 12 && tx == 22);
	store_close(r);
	r = open_ro(p);
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_true(rx == 12 && tx == 22);
	store_close(r);
}

static void write_functions_fail_on_a_read_only_handle(void **state)
{
	char p[512];
	int64_t id;
	(void)state;
	db_path(p, "ro.db");
	store *s = open_rw(p);
	int64_t a = iface_id(s, "home", "ether1");
	store_close(s);
	s = open_ro(p);
	assert_int_equal(store_interface_id(s, "home", "ether9", &id), -1);
	assert_non_null(strstr(store_errmsg(s), "read-only"));
	assert_int_equal(store_add_traffic(s, a, STEP_5MIN, 0, 1, 1), -1);
	struct acct_reading w = {
	        .time = 1, .rx = 2, .tx = 3, .uptime = 4, .has_uptime = true, .id = ""};
	assert_int_equal(store_save_reading(s, a, &w), -1);
	const int64_t keep[STEP_COUNT] = {1, 1, 1, 1, 1};
	assert_int_equal(store_prune(s, 100, keep), -1);
	assert_int_equal(store_mark_alert(s, a, 0, 80), -1);
	assert_int_equal(store_set_import_mark(s, a, "x", 1), -1);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM interfaces"), 1);
}

/* ------------------------------------------------------------------ */
/* listing and query plans                                             */
/* ------------------------------------------------------------------ */

static int stop_at_first(void *ctx, const struct store_iface *i)
{
	(void)i;
	++*(int *)ctx;
	return 7;
}

static void list_interfaces_gives_router_then_name_order_with_totals(void **state)
{
	char p[512];
	struct listed l = {0};
	(void)state;
	db_path(p, "list.db");
	store *s = open_rw(p);
	int64_t z = iface_id(s, "zeta", "ether1");
	int64_t b2 = iface_id(s, "alpha", "wlan1");
	int64_t b1 = iface_id(s, "alpha", "ether2");
	int64_t b0 = iface_id(s, "alpha", "\xc3\xa9th"); /* sorts after ASCII: bytes */
	add(s, b1, STEP_YEAR, 0, 100, 200);
	add(s, b1, STEP_YEAR, 31536000, UINT64_MAX - 100, 1);
	add(s, b1, STEP_MONTH, 0, 5, 5); /* not a year row: not in the totals */
	struct acct_reading w = {
	        .time = 1700000000, .rx = 1, .tx = 2, .uptime = 3, .has_uptime = true, .id = "*2"};
	assert_int_equal(store_save_reading(s, b1, &w), 0);
	store_close(s);

	s = open_ro(p);
	assert_int_equal(store_list_interfaces(s, collect_iface, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.router[0], "alpha");
	assert_string_equal(l.name[0], "ether2");
	assert_int_equal(l.i[0].id, b1);
	assert_true(l.i[0].has_reading);
	assert_int_equal(l.i[0].last_time, 1700000000);
	assert_true(l.i[0].rx_total == UINT64_MAX);
	assert_true(l.i[0].tx_total == 201);
	assert_string_equal(l.name[1], "wlan1");
	assert_int_equal(l.i[1].id, b2);
	assert_false(l.i[1].has_reading);
	assert_true(l.i[1].rx_total == 0 && l.i[1].tx_total == 0);
	assert_string_equal(l.name[2], "\xc3\xa9th");
	assert_int_equal(l.i[2].id, b0);
	assert_string_equal(l.router[3], "zeta");
	assert_int_equal(l.i[3].id, z);

	int calls = 0;
	assert_int_equal(store_list_interfaces(s, stop_at_first, &calls), 7);
	assert_int_equal(calls, 1);
	store_close(s);
}

struct plans {
	int lines;
	int traffic_lines;
	char bad[1024];
	bool series_pk, sum_pk, totals_pk, list_ok, prune_pk;
};

static void check_plan(void *ctx, const char *stmt, const char *detail)
{
	struct plans *pl = ctx;
	pl->lines++;
	bool on_traffic = strstr(detail, "traffic") != NULL;
	if (on_traffic)
		pl->traffic_lines++;
	/* Any read of traffic must be a SEARCH on its primary key. */
	if (on_traffic && strncmp(detail, "SEARCH traffic USING PRIMARY KEY", 32) != 0)
		snprintf(pl->bad + strlen(pl->bad), sizeof pl->bad - strlen(pl->bad), "%s: %s; ",
		         stmt, detail);
	/* Series come out in key order, no sorting. */
	if (strcmp(stmt, "series") == 0 && strstr(detail, "TEMP B-TREE"))
		snprintf(pl->bad + strlen(pl->bad), sizeof pl->bad - strlen(pl->bad), "%s: %s; ",
		         stmt, detail);
	bool pk = strstr(detail, "SEARCH traffic USING PRIMARY KEY (interface_id=? AND step=?") ==
	          detail;
	if (strcmp(stmt, "series") == 0 && pk && strstr(detail, "start>? AND start<?"))
		pl->series_pk = true;
	if (strcmp(stmt, "sum") == 0 && pk && strstr(detail, "start>? AND start<?"))
		pl->sum_pk = true;
	if (strcmp(stmt, "totals") == 0 && pk)
		pl->totals_pk = true;
	if (strcmp(stmt, "prune") == 0 && pk && strstr(detail, "start<?"))
		pl->prune_pk = true;
	if (strcmp(stmt, "list") == 0 && strstr(detail, "TEMP B-TREE"))
		snprintf(pl->bad + strlen(pl->bad), sizeof pl->bad - strlen(pl->bad), "%s: %s; ",
		         stmt, detail);
	/* Listing walks the routers' name index once and seeks the rest. */
	if (strcmp(stmt, "list") == 0 && strncmp(detail, "SEARCH", 6) != 0 &&
	    strncmp(detail, "SCAN r USING COVERING INDEX", 27) != 0)
		snprintf(pl->bad + strlen(pl->bad), sizeof pl->bad - strlen(pl->bad), "%s: %s; ",
		         stmt, detail);
	if (strcmp(stmt, "list") == 0 && strncmp(detail, "SEARCH i USING", 14) == 0)
		pl->list_ok = true;
}

static void queries_search_the_primary_key_and_never_scan_traffic(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "plans.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	for (int64_t t = 0; t < 2000; t++)
		add(s, id, STEP_5MIN, t * 300, 1, 1);
	store_close(s);

	for (int ro = 0; ro < 2; ro++) {
		struct plans pl = {0};
		s = ro ? open_ro(p) : open_rw(p);
		assert_int_equal(store_explain(s, check_plan, &pl), 0);
		store_close(s);
		if (pl.bad[0])
			fail_msg("bad query plans: %s", pl.bad);
		assert_true(pl.lines > 10);
		assert_true(pl.traffic_lines >= 4);
		assert_true(pl.series_pk);
		assert_true(pl.sum_pk);
		assert_true(pl.totals_pk);
		assert_true(pl.prune_pk);
		assert_true(pl.list_ok);
	}
}

static void errmsg_is_null_safe_and_close_is_null_safe(void **state)
{
	(void)state;
	assert_string_equal(store_errmsg(NULL), "no database handle");
	store_close(NULL);
}

/* ------------------------------------------------------------------ */
/* database faults: damaged pages, deleted and replaced files          */
/* ------------------------------------------------------------------ */

#define OLD0  1000000000 /* 2001: the first of the old 5-minute buckets */
#define OLD_N 5000
#define NEW0  2000000000 /* 2033: new traffic */

static void remove_side_files(const char *path)
{
	char p[600];
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* OLD_N old 5-minute buckets of home/ether1 (rx 1000 + i, tx 1), closed
 * and checkpointed. Returns the interface id. */
static int64_t fill_old(const char *path)
{
	store *s = open_rw(path);
	int64_t id = iface_id(s, "home", "ether1");
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < OLD_N; i++)
		add(s, id, STEP_5MIN, OLD0 + (int64_t)i * 300, 1000 + (uint64_t)i, 1);
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	remove_side_files(path);
	return id;
}

/* Garbage over the page holding old bucket 100 (far from the newest). */
static void damage_old_page(const char *path)
{
	unsigned char needle[4];
	dbcorrupt_be32(needle, OLD0 + 100 * 300);
	assert_true(dbcorrupt_page_with(path, needle, sizeof needle) > 1);
}

static void a_damaged_old_page_is_found_and_new_buckets_still_commit(void **state)
{
	(void)state;
	char p[512];
	db_path(p, "damaged.db");
	int64_t id = fill_old(p);
	damage_old_page(p);

	store *s = open_rw(p); /* opening is never refused for a bad page */
	char why[256];
	assert_int_equal(store_quick_check(s, 60000, why, sizeof why), 1);
	assert_string_not_equal(why, "ok");

	assert_int_equal(store_begin(s), 0);
	add(s, id, STEP_5MIN, NEW0, 5, 6);
	add(s, id, STEP_YEAR, NEW0, 5, 6);
	assert_int_equal(store_commit(s), 0);

	/* the prune reads the damaged page: it fails, and can be rolled back */
	int64_t keep[STEP_COUNT] = {86400, 0, 0, 0, 0};
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_prune(s, NEW0, keep), -1);
	assert_non_null(strstr(store_errmsg(s), "malformed"));
	assert_int_equal(store_rollback(s), 0);

	store *ro = open_ro(p);
	uint64_t rx = 0, tx = 0;
	assert_int_equal(store_sum(ro, id, STEP_5MIN, NEW0, NEW0 + 300, &rx, &tx), 0);
	assert_int_equal(rx, 5);
	assert_int_equal(tx, 6);
	/* reads of the damaged page fail and are counted */
	uint64_t before = store_read_errors();
	assert_int_equal(store_sum(ro, id, STEP_5MIN, OLD0, OLD0 + 300 * OLD_N, &rx, &tx), -1);
	assert_non_null(strstr(store_errmsg(ro), "malformed"));
	assert_true(store_read_errors() > before);
	store_close(ro);
	store_close(s);
}

static void quick_check_reports_its_findings_on_one_line(void **state)
{
	(void)state;
	char p[512];
	db_path(p, "freeblock.db");
	fill_old(p);
	unsigned char needle[4];
	dbcorrupt_be32(needle, OLD0 + 100 * 300);
	assert_true(dbcorrupt_freeblock_of_page_with(p, needle, sizeof needle) > 1);
	store *s = open_rw(p);
	char why[256];
	assert_int_equal(store_quick_check(s, 60000, why, sizeof why), 1);
	assert_non_null(strstr(why, "free space corruption"));
	assert_null(strchr(why, '\n')); /* it goes into the log and STATUS= */
	store_close(s);
}

static void quick_check_says_ok_on_a_sound_file_and_zero_budget_skips(void **state)
{
	(void)state;
	char p[512];
	db_path(p, "sound.db");
	fill_old(p);
	store *s = open_rw(p);
	char why[256];
	assert_int_equal(store_quick_check(s, 60000, why, sizeof why), 0);
	assert_string_equal(why, "ok");
	assert_int_equal(store_quick_check(s, 0, why, sizeof why), 2);
	assert_non_null(strstr(why, "not finished"));
	store_close(s);
}

static void file_check_tells_a_deleted_from_a_replaced_file(void **state)
{
	(void)state;
	char p[512], moved[600];
	db_path(p, "check.db");
	snprintf(moved, sizeof moved, "%s.moved", p);
	store *s = open_rw(p);
	assert_string_equal(store_path(s), p);
	assert_int_equal(store_file_check(s), STORE_FILE_OK);
	assert_int_equal(rename(p, moved), 0);
	assert_int_equal(store_file_check(s), STORE_FILE_DELETED);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(store_file_check(s), STORE_FILE_REPLACED);
	/* never written back over another file */
	assert_int_equal(store_restore_file(s), -1);
	assert_int_equal(rename(moved, p), 0);
	assert_int_equal(store_file_check(s), STORE_FILE_OK);
	store_close(s);
}

static uint64_t year_rx(store *s, int64_t id)
{
	uint64_t rx = 0, tx = 0;
	if (store_totals(s, id, &rx, &tx) != 0)
		fail_msg("store_totals: %s", store_errmsg(s));
	return rx;
}

static void commit_year(store *s, int64_t id, int64_t start, uint64_t rx)
{
	assert_int_equal(store_begin(s), 0);
	add(s, id, STEP_YEAR, start, rx, 0);
	assert_int_equal(store_commit(s), 0);
}

static void a_deleted_file_is_written_back_with_its_history_and_readers_follow(void **state)
{
	(void)state;
	char p[512];
	db_path(p, "deleted.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	commit_year(s, id, NEW0, 100);
	store *ro = open_ro(p);
	assert_int_equal(year_rx(ro, id), 100);

	assert_int_equal(unlink(p), 0);
	assert_int_equal(store_file_check(s), STORE_FILE_DELETED);
	commit_year(s, id, NEW0, 20); /* into the deleted file: not lost */
	assert_int_equal(store_restore_file(s), 0);
	assert_int_equal(store_file_check(s), STORE_FILE_OK);
	assert_int_equal(access(p, F_OK), 0);
	commit_year(s, id, NEW0, 3); /* into the restored file */

	/* the reader opened before the deletion moves to the restored file */
	assert_int_equal(store_begin(ro), 0);
	assert_int_equal(year_rx(ro, id), 123);
	assert_int_equal(store_rollback(ro), 0);
	store_close(ro);
	store_close(s);

	s = open_rw(p); /* a restart finds the whole history */
	assert_int_equal(year_rx(s, id), 123);
	char why[256];
	assert_int_equal(store_quick_check(s, 60000, why, sizeof why), 0);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(opening_a_new_file_creates_the_schema_in_wal_mode),
	        cmocka_unit_test(reopening_keeps_the_data_and_does_not_migrate_twice),
	        cmocka_unit_test(a_newer_schema_is_refused_with_the_exact_message_and_left_alone),
	        cmocka_unit_test(a_foreign_database_is_refused_and_not_switched_to_wal),
	        cmocka_unit_test(read_only_open_of_a_missing_file_fails_without_creating_it),
	        cmocka_unit_test(read_only_open_of_a_file_without_schema_fails),
	        cmocka_unit_test(read_write_open_of_a_missing_directory_fails_clearly),
	        cmocka_unit_test(a_file_of_random_bytes_gives_a_clean_error),
	        cmocka_unit_test(interface_ids_are_stable_across_reopen_and_names_are_exact_bytes),
	        cmocka_unit_test(the_last_reading_round_trips_exactly),
	        cmocka_unit_test(schema_1_migrates_and_an_imported_last_reading_becomes_legacy),
	        cmocka_unit_test(a_reading_needs_an_existing_interface),
	        cmocka_unit_test(traffic_upserts_sum_into_one_bucket_per_step),
	        cmocka_unit_test(a_bucket_sum_beyond_64_bits_is_refused_and_nothing_changes),
	        cmocka_unit_test(series_are_in_start_order_from_inclusive_to_exclusive),
	        cmocka_unit_test(series_called_from_its_own_callback_is_an_error_not_a_crash),
	        cmocka_unit_test(sum_and_totals_add_up_in_64_bits_exactly),
	        cmocka_unit_test(an_unknown_step_is_an_error),
	        cmocka_unit_test(prune_deletes_old_buckets_per_step_and_keep_zero_means_forever),
	        cmocka_unit_test(alerts_are_recorded_once_per_cycle_and_percent),
	        cmocka_unit_test(import_marks_are_kept_per_interface_and_source),
	        cmocka_unit_test(rollback_leaves_nothing),
	        cmocka_unit_test(a_reader_sees_committed_data_while_the_writer_holds_a_transaction),
	        cmocka_unit_test(write_functions_fail_on_a_read_only_handle),
	        cmocka_unit_test(list_interfaces_gives_router_then_name_order_with_totals),
	        cmocka_unit_test(queries_search_the_primary_key_and_never_scan_traffic),
	        cmocka_unit_test(errmsg_is_null_safe_and_close_is_null_safe),
	        cmocka_unit_test(a_damaged_old_page_is_found_and_new_buckets_still_commit),
	        cmocka_unit_test(quick_check_reports_its_findings_on_one_line),
	        cmocka_unit_test(quick_check_says_ok_on_a_sound_file_and_zero_budget_skips),
	        cmocka_unit_test(file_check_tells_a_deleted_from_a_replaced_file),
	        cmocka_unit_test(
	                a_deleted_file_is_written_back_with_its_history_and_readers_follow),
	        cmocka_unit_test(a_file_this_user_cannot_write_is_named_as_such),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
