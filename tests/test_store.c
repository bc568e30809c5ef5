/*
 * test_store.c — unit tests for the store (daemon/store.c) on real
 * database files in a temporary directory, removed at the end.
 *
 * With TIKSTAT_TEST_PG_URL set (a PostgreSQL server's URL, ctest's
 * test_store_pg from the `postgresql` fixture) every engine-neutral case
 * runs on PostgreSQL instead, each on a fresh database (db_path), and the
 * cases about SQLite's file (space, a replaced file, quick_check, plans,
 * migrations of SQLite's schemas) are skipped (SQLITE_ONLY); cases of
 * PostgreSQL's own come last.
 *
 * SQLite (or libpq) is used directly only to prepare fixtures the store
 * must refuse (a newer schema, a foreign database) and to look at what was
 * written (pragmas, column types, row counts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
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
/* TIKSTAT_TEST_PG_URL: the cases run on PostgreSQL (NULL: on SQLite). */
static const char *pg_url;

/* The case is about SQLite's file: skipped on PostgreSQL. */
#define SQLITE_ONLY()                                                                              \
	do {                                                                                       \
		if (pg_url)                                                                        \
			skip();                                                                    \
	} while (0)

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

/* Runs sql on the PostgreSQL database url; its result (the caller
 * clears it). */
static PGresult *pg_exec(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", url, PQerrorMessage(c));
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQfinish(c);
	return res;
}

/* url with its database name (after the last '/') replaced by name. */
static void pg_url_of(char *out, size_t outsz, const char *url, const char *name)
{
	const char *slash = strrchr(url, '/');
	snprintf(out, outsz, "%.*s/%s", (int)(slash - url), url, name);
}

/* A fresh database: a file path in the test directory, or on PostgreSQL
 * the URL of a new, empty database (out holds 512 bytes). */
static const char *db_path(char *out, const char *name)
{
	if (!pg_url) {
		snprintf(out, 512, "%s/%s", tmpdir, name);
		return out;
	}
	static unsigned serial;
	char db[64], sql[128];
	snprintf(db, sizeof db, "ts_%ld_%u", (long)getpid(), serial++);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
	PQclear(pg_exec(pg_url, sql));
	pg_url_of(out, 512, pg_url, db);
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
	if (pg_url) {
		PGresult *res = pg_exec(path, sql);
		sqlite3_int64 n = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -999;
		PQclear(res);
		return n;
	}
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
	SQLITE_ONLY();
	db_path(p, "new.db");
	assert_false(file_exists(p));
	store *s = open_rw(p);
	assert_int_equal(store_schema_version(), 3);
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
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(p, "PRAGMA application_id"), 0x74696b73);
	char mode[32];
	raw_text(p, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), 7);
}

static void reopening_keeps_the_data_and_does_not_migrate_twice(void **state)
{
	char p[512];
	(void)state;
	SQLITE_ONLY();
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
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
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
	SQLITE_ONLY();
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
	SQLITE_ONLY();
	db_path(p, "newer.db");
	store_close(open_rw(p));
	raw_exec(p, "PRAGMA user_version = 4");

	snprintf(
	        want, sizeof want,
	        "cannot open %s: database schema 4 is newer than this tikstat (3): upgrade tikstat",
	        p);
	assert_null(store_open(p, false, err, sizeof err));
	assert_string_equal(err, want);
	assert_null(store_open(p, true, err, sizeof err));
	assert_string_equal(err, want);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 4);
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
	SQLITE_ONLY();
	db_path(p, "v1.db");
	raw_exec(p, SCHEMA_1_FIXTURE);
	store *s = open_rw(p);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
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
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM last_reading WHERE source = 'legacy'"),
	                 1);
}

/* The upgrade of schema 1 to 2 as it was released: with SCHEMA_1_FIXTURE
 * it makes a database as tikstat of schema 2 left it. */
static const char SCHEMA_2_UPGRADE_FIXTURE[] =
        "ALTER TABLE last_reading ADD COLUMN"
        " time_ms INTEGER NOT NULL DEFAULT 0 CHECK (time_ms BETWEEN 0 AND 999);"
        "ALTER TABLE last_reading ADD COLUMN"
        " source TEXT CHECK (source IN ('poll', 'push', 'legacy'));"
        "UPDATE last_reading SET source = 'legacy'"
        " WHERE uptime IS NULL AND ros_id = '' AND EXISTS (SELECT 1 FROM imports AS m"
        "  WHERE m.interface_id = last_reading.interface_id AND m.last_time = last_reading.time);"
        "PRAGMA user_version = 2;"
        /* More history of schema 2: a second router, an id with a gap. */
        "INSERT INTO routers VALUES (2, 'office');"
        "INSERT INTO interfaces VALUES (7, 2, CAST('ether1' AS BLOB));"
        "INSERT INTO last_reading VALUES (7, 1790000180, 11, 12, 13, '*7', 250, 'poll');"
        "INSERT INTO traffic VALUES (1, 2, 1789948800, 100, 200), (1, 4, 1767225600, 100, 200),"
        " (2, 2, 1789948800, 300, 400), (7, 0, 1790000100, 9223372036854775807, 5),"
        " (7, 2, 1789948800, -1, 6);" /* 2^64-1 bytes as SQLite holds it */
        "INSERT INTO alerts VALUES (1, 1788220800, 80), (7, 1788220800, 90);"
        "INSERT INTO imports VALUES (7, 'legacy:office.db', 1780000000);";

/* The rows of query on path, one integer per row, joined with ','. */
static void raw_ints(const char *path, const char *sql, char *out, size_t outsz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%s%lld", n ? "," : "",
		                      (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void schema_2_with_data_migrates_to_3_with_its_ids_and_references(void **state)
{
	char p[512], text[512];
	uint64_t rx = 0, tx = 0;
	bool sent = false;
	(void)state;
	SQLITE_ONLY();
	db_path(p, "v2.db");
	raw_exec(p, SCHEMA_1_FIXTURE);
	raw_exec(p, SCHEMA_2_UPGRADE_FIXTURE);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 2);

	store *s = open_rw(p);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
	/* The same ids, every one an interface, nothing else. */
	raw_ints(p, "SELECT id FROM interfaces ORDER BY id", text, sizeof text);
	assert_string_equal(text, "1,2,3,7");
	raw_ints(p,
	         "SELECT count(*) FROM interfaces WHERE kind = 0 AND display IS NULL"
	         " AND address IS NULL AND last_seen IS NULL",
	         text, sizeof text);
	assert_string_equal(text, "4");
	const char *const names[] = {"ether1", "ether2", "ether3"};
	for (int64_t i = 0; i < 3; i++) {
		int64_t id = -1;
		assert_int_equal(store_find_interface(s, "home", names[i], &id), 0);
		assert_int_equal(id, i + 1);
		assert_int_equal(iface_id(s, "home", names[i]), i + 1);
	}
	assert_int_equal(iface_id(s, "office", "ether1"), 7);
	/* Its history, readings, alerts and import marks still belong to it. */
	assert_int_equal(store_sum(s, 7, STEP_DAY, 0, INT64_MAX, &rx, &tx), 0);
	assert_true(rx == UINT64_MAX && tx == 6);
	assert_int_equal(store_sum(s, 7, STEP_5MIN, 0, INT64_MAX, &rx, &tx), 0);
	assert_true(rx == TWO63 - 1 && tx == 5);
	assert_int_equal(store_totals(s, 1, &rx, &tx), 0);
	assert_true(rx == 100 && tx == 200);
	struct acct_reading r;
	bool have = false;
	assert_int_equal(store_load_reading(s, 7, &r, &have), 0);
	assert_true(have && r.time == 1790000180 && r.time_sub_ms == 250 && r.rx == 11);
	assert_int_equal(r.source, ACCT_SRC_POLL);
	assert_int_equal(store_alert_sent(s, 7, 1788220800, 90, &sent), 0);
	assert_true(sent);
	int64_t mark = 0;
	assert_int_equal(store_import_mark(s, 7, "legacy:office.db", &mark), 0);
	assert_int_equal(mark, 1780000000);

	/* Every reference still finds its row, the foreign keys of the other
	 * tables name the new table, and the writer enforces them again. */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	raw_ints(p,
	         "SELECT count(*) FROM sqlite_schema AS t, pragma_foreign_key_list(t.name) AS f"
	         " WHERE f.\"table\" = 'interfaces' GROUP BY t.name ORDER BY t.name",
	         text, sizeof text);
	assert_string_equal(text, "1,1,1"); /* alerts, imports, last_reading */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%v3%'"),
	                 0);
	raw_text(p, "SELECT sql FROM sqlite_schema WHERE name = 'interfaces'", text, sizeof text);
	assert_non_null(strstr(text, "UNIQUE(router_id, kind, name)"));
	assert_non_null(strstr(text, "CHECK (kind IN (0, 1, 2))"));
	struct acct_reading w = {.time = 1, .rx = 2, .tx = 3, .id = "*1"};
	assert_int_equal(store_save_reading(s, 12345, &w), -1);
	/* SQLite's words, or PostgreSQL's. */
	assert_true(strstr(store_errmsg(s), "FOREIGN KEY") ||
	            strstr(store_errmsg(s), "foreign key"));

	/* A queue may now be named like an interface. */
	int64_t q = -1;
	assert_int_equal(store_counter_id(s, "home", STORE_QUEUE, "ether1", &q), 0);
	assert_true(q > 7);
	char check[128];
	assert_int_equal(store_quick_check(s, 60000, check, sizeof check), 0);
	store_close(s);
	assert_int_equal(store_bill_alert_sent(s = open_ro(p), "home", 0, 80, &sent), 0);
	assert_false(sent);
	store_close(s);
}

/* The rebuild is checked before it commits: a reference that would point
 * nowhere (here a last reading whose interface was removed by hand with
 * foreign keys off) stops the migration, and the file stays at schema 2
 * as it was. */
static void a_migration_that_would_break_references_changes_nothing(void **state)
{
	char p[512], err[512], text[512];
	(void)state;
	SQLITE_ONLY();
	db_path(p, "v2orphan.db");
	raw_exec(p, SCHEMA_1_FIXTURE);
	raw_exec(p, SCHEMA_2_UPGRADE_FIXTURE);
	raw_exec(p, "INSERT INTO last_reading(interface_id, time, rx, tx) VALUES (77, 1, 2, 3)");
	assert_null(store_open(p, false, err, sizeof err));
	assert_non_null(strstr(err,
	                       "the schema migration would break references: row 77 of "
	                       "last_reading refers to a missing row of interfaces (1 in all)"));
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 2);
	raw_text(p, "SELECT sql FROM sqlite_schema WHERE name = 'interfaces'", text, sizeof text);
	assert_non_null(strstr(text, "UNIQUE(router_id, name)"));
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%v3%'"
	                            " OR name = 'bill_alerts'"),
	                 0);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM interfaces"), 4);
	/* Once the row is gone, the upgrade goes through. */
	raw_exec(p, "DELETE FROM last_reading WHERE interface_id = 77");
	store_close(open_rw(p));
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 3);
}

static void a_foreign_database_is_refused_and_not_switched_to_wal(void **state)
{
	char p[512], err[512], mode[32];
	(void)state;
	SQLITE_ONLY();
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
	SQLITE_ONLY();
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
	SQLITE_ONLY();
	db_path(p, "empty.db");
	write_file(p, "", 0);
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "no tikstat schema"));
}

static void read_write_open_of_a_missing_directory_fails_clearly(void **state)
{
	char p[512], err[512], want[700];
	(void)state;
	SQLITE_ONLY();
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
	SQLITE_ONLY();
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
	/* SQLite's words, or PostgreSQL's. */
	assert_true(strstr(store_errmsg(s), "FOREIGN KEY") ||
	            strstr(store_errmsg(s), "foreign key"));
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
	if (!pg_url)
		assert_int_equal(raw_int(p, "SELECT count(*) FROM traffic WHERE typeof(rx) !="
		                            " 'integer' OR typeof(tx) != 'integer'"),
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

	if (pg_url) {
		/* On PostgreSQL the writes of a transaction are pipelined: the
		 * overflow fails the commit, and nothing of it is written. */
		assert_int_equal(store_begin(s), 0);
		add(s, id, STEP_HOUR, 0, 5, 5);
		(void)store_add_traffic(s, id, STEP_DAY, 0, UINT64_MAX, 0);
		assert_int_equal(store_commit(s), -1);
		assert_non_null(strstr(store_errmsg(s), "exceed 2^64-1"));
		assert_int_equal(store_rollback(s), 0);
		assert_int_equal(store_begin(s), 0);
		add(s, id, STEP_HOUR, 0, 1, 1);
		add(s, id, STEP_DAY, 0, 10, 0); /* exactly 2^64-1 */
		assert_int_equal(store_commit(s), 0);
	} else {
		/* Inside one: the transaction survives and commits the rest. */
		assert_int_equal(store_begin(s), 0);
		add(s, id, STEP_HOUR, 0, 1, 1);
		assert_int_equal(store_add_traffic(s, id, STEP_DAY, 0, UINT64_MAX, 0), -1);
		add(s, id, STEP_DAY, 0, 10, 0); /* exactly 2^64-1 */
		assert_int_equal(store_commit(s), 0);
	}

	assert_int_equal(store_sum(s, id, STEP_DAY, 0, 1, &rx, &tx), 0);
	assert_true(rx == UINT64_MAX);
	assert_true(tx == 100);
	assert_int_equal(store_sum(s, id, STEP_HOUR, 0, 1, &rx, &tx), 0);
	assert_true(rx == 1 && tx == 1);
	store_close(s);
	if (!pg_url)
		assert_int_equal(
		        raw_int(p, "SELECT count(*) FROM traffic WHERE typeof(rx) != 'integer'"),
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
/* counters of three kinds                                             */
/* ------------------------------------------------------------------ */

static int64_t counter_id(store *s, const char *router, enum store_kind kind, const char *name)
{
	int64_t id = -1;
	if (store_counter_id(s, router, kind, name, &id) != 0)
		fail_msg("store_counter_id: %s", store_errmsg(s));
	return id;
}

static void a_name_is_unique_per_router_and_kind(void **state)
{
	char p[512], err[512];
	int64_t id = -1;
	(void)state;
	db_path(p, "kinds.db");
	store *s = open_rw(p);
	int64_t iface = iface_id(s, "home", "ether1");
	int64_t queue = counter_id(s, "home", STORE_QUEUE, "ether1");
	int64_t dev = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:01");
	int64_t dev2 = counter_id(s, "office", STORE_DEVICE, "AA:BB:CC:DD:EE:01");
	assert_true(iface != queue && queue != dev && dev != dev2 && iface != dev2);
	assert_int_equal(counter_id(s, "home", STORE_IFACE, "ether1"), iface);
	assert_int_equal(counter_id(s, "home", STORE_QUEUE, "ether1"), queue);
	assert_int_equal(counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:01"), dev);
	assert_int_equal(store_find_counter(s, "home", STORE_QUEUE, "ether1", &id), 0);
	assert_int_equal(id, queue);
	assert_int_equal(store_find_counter(s, "office", STORE_DEVICE, "AA:BB:CC:DD:EE:01", &id),
	                 0);
	assert_int_equal(id, dev2);
	assert_int_equal(store_find_counter(s, "home", STORE_QUEUE, "AA:BB:CC:DD:EE:01", &id), 1);
	assert_int_equal(store_find_counter(s, "office", STORE_IFACE, "ether1", &id), 1);
	assert_int_equal(store_find_interface(s, "home", "ether1", &id), 0);
	assert_int_equal(id, iface);
	/* No other kinds. */
	assert_int_equal(store_counter_id(s, "home", STORE_KIND_COUNT, "x", &id), -1);
	assert_non_null(strstr(store_errmsg(s), "no such kind of counter 3"));
	assert_int_equal(store_find_counter(s, "home", (enum store_kind) - 1, "x", &id), -1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM interfaces"), 4);
	store_close(s);

	/* The schema holds the same rules (SQLite's, looked at directly). */
	if (!pg_url) {
		sqlite3 *db = NULL;
		assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
		assert_int_equal(
		        sqlite3_exec(db,
		                     "INSERT INTO interfaces(router_id, kind, name)"
		                     " SELECT router_id, kind, name FROM interfaces LIMIT 1",
		                     NULL, NULL, NULL),
		        SQLITE_CONSTRAINT);
		snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
		assert_non_null(strstr(err, "UNIQUE constraint failed: interfaces.router_id, "
		                            "interfaces.kind, interfaces.name"));
		assert_int_equal(sqlite3_exec(db,
		                              "INSERT INTO interfaces(router_id, kind, name)"
		                              " VALUES (1, 3, CAST('x' AS BLOB))",
		                              NULL, NULL, NULL),
		                 SQLITE_CONSTRAINT);
		sqlite3_close(db);
	}

	assert_string_equal(store_kind_name(STORE_IFACE), "interface");
	assert_string_equal(store_kind_name(STORE_QUEUE), "queue");
	assert_string_equal(store_kind_name(STORE_DEVICE), "device");
	assert_null(store_kind_name(STORE_KIND_COUNT));
	assert_null(store_kind_name((enum store_kind) - 1));
}

/* Collects the counter list with copies of its strings. */
struct counters {
	struct store_iface i[8];
	char name[8][32], display[8][32], address[8][32];
	int n;
};

static int collect_counter(void *ctx, const struct store_iface *i)
{
	struct counters *l = ctx;
	if (l->n < 8) {
		l->i[l->n] = *i;
		snprintf(l->name[l->n], 32, "%s", i->name);
		snprintf(l->display[l->n], 32, "%s", i->info.display ? i->info.display : "(null)");
		snprintf(l->address[l->n], 32, "%s", i->info.address ? i->info.address : "(null)");
		l->i[l->n].router = NULL;
		l->i[l->n].name = l->name[l->n];
		l->i[l->n].info.display = l->display[l->n];
		l->i[l->n].info.address = l->address[l->n];
	}
	l->n++;
	return 0;
}

static void counter_info_is_kept_where_an_argument_is_null(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "info.db");
	store *s = open_rw(p);
	int64_t dev = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:01");
	int64_t seen = 1790000000;
	assert_int_equal(store_set_counter_info(s, dev, "laptop", "192.168.88.10", &seen), 0);
	seen += 60;
	/* A new address and time, the name as it was. */
	assert_int_equal(store_set_counter_info(s, dev, NULL, "192.168.88.11", &seen), 0);
	/* Nothing new: nothing changes. */
	assert_int_equal(store_set_counter_info(s, dev, NULL, NULL, NULL), 0);
	/* Names from a router are bytes, not checked UTF-8. */
	int64_t q = counter_id(s, "home", STORE_QUEUE, "guest");
	assert_int_equal(store_set_counter_info(s, q, "G\xe4ste \xff", "", NULL), 0);
	assert_int_equal(store_set_counter_info(s, 999, "x", NULL, NULL), -1);
	assert_non_null(strstr(store_errmsg(s), "no counter 999"));
	store_close(s);

	struct counters l = {0};
	s = open_ro(p);
	assert_int_equal(store_set_counter_info(s, dev, "x", NULL, NULL), -1);
	assert_non_null(strstr(store_errmsg(s), "read-only"));
	assert_int_equal(store_list_counters(s, collect_counter, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.i[0].kind, STORE_QUEUE);
	assert_string_equal(l.display[0], "G\xe4ste \xff");
	assert_string_equal(l.address[0], "");
	assert_false(l.i[0].info.has_last_seen);
	assert_int_equal(l.i[1].kind, STORE_DEVICE);
	assert_string_equal(l.name[1], "AA:BB:CC:DD:EE:01");
	assert_string_equal(l.display[1], "laptop");
	assert_string_equal(l.address[1], "192.168.88.11");
	assert_true(l.i[1].info.has_last_seen);
	assert_int_equal(l.i[1].info.last_seen, 1790000060);
	store_close(s);
}

static void counters_list_by_router_kind_and_name_and_interfaces_list_alone(void **state)
{
	char p[512];
	struct counters all = {0}, ifaces = {0};
	(void)state;
	db_path(p, "listkinds.db");
	store *s = open_rw(p);
	int64_t d = counter_id(s, "alpha", STORE_DEVICE, "AA:BB:CC:DD:EE:01");
	int64_t q2 = counter_id(s, "alpha", STORE_QUEUE, "zz");
	int64_t q1 = counter_id(s, "alpha", STORE_QUEUE, "ether1");
	int64_t e = iface_id(s, "alpha", "ether1");
	int64_t z = counter_id(s, "zeta", STORE_QUEUE, "a");
	add(s, q1, STEP_YEAR, 0, 7, 8);
	store_close(s);

	s = open_ro(p);
	assert_int_equal(store_list_counters(s, collect_counter, &all), 0);
	assert_int_equal(all.n, 5);
	const int64_t order[] = {e, q1, q2, d, z};
	const enum store_kind kinds[] = {STORE_IFACE, STORE_QUEUE, STORE_QUEUE, STORE_DEVICE,
	                                 STORE_QUEUE};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(all.i[i].id, order[i]);
		assert_int_equal(all.i[i].kind, kinds[i]);
		assert_string_equal(all.display[i], "(null)");
	}
	assert_true(all.i[1].rx_total == 7 && all.i[1].tx_total == 8);
	assert_int_equal(store_list_interfaces(s, collect_counter, &ifaces), 0);
	assert_int_equal(ifaces.n, 1);
	assert_int_equal(ifaces.i[0].id, e);
	assert_int_equal(ifaces.i[0].kind, STORE_IFACE);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* the ranking                                                         */
/* ------------------------------------------------------------------ */

/* Collects a ranking. */
struct ranking {
	char name[16][32];
	char display[16][32];
	struct store_ranked c[16];
	int n;
	int stop_after; /* 0: never */
	store *nested;  /* when set: calls store_rank from the callback */
	int nested_rc;
};

static int collect_ranked(void *ctx, const struct store_ranked *c)
{
	struct ranking *r = ctx;
	if (r->n < 16) {
		r->c[r->n] = *c;
		snprintf(r->name[r->n], 32, "%s", c->name);
		snprintf(r->display[r->n], 32, "%s", c->info.display ? c->info.display : "(null)");
	}
	r->n++;
	if (r->nested) {
		struct store_rank_query q = {"home", STORE_DEVICE, STEP_DAY, 0, 1, 1};
		struct store_rank_total t;
		struct ranking inner = {0};
		r->nested_rc = store_rank(r->nested, &q, collect_ranked, &inner, &t);
	}
	return r->stop_after && r->n == r->stop_after ? 42 : 0;
}

#define DAY0 1790000000 /* the range [DAY0, DAY0 + 3 days) */

/* Ranks router's counters of kind by their day buckets in the range. */
static int rank(store *s, const char *router, enum store_kind kind, size_t limit, struct ranking *r,
                struct store_rank_total *t)
{
	struct store_rank_query q = {router, kind, STEP_DAY, DAY0, DAY0 + 3 * 86400, limit};
	return store_rank(s, &q, collect_ranked, r, t);
}

static void ranking_orders_by_the_sum_then_name_and_limits_but_totals_all(void **state)
{
	char p[512];
	(void)state;
	db_path(p, "rank.db");
	store *s = open_rw(p);
	/* Devices of home, by MAC; their sums over the range:
	 * :01 30+0 (two days), :02 10+20, :03 5+5, :04 40+1, :05 none in range. */
	int64_t d1 = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:01");
	int64_t d2 = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:02");
	int64_t d3 = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:03");
	int64_t d4 = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:04");
	int64_t d5 = counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:05");
	add(s, d1, STEP_DAY, DAY0, 10, 0);
	add(s, d1, STEP_DAY, DAY0 + 2 * 86400, 20, 0);
	add(s, d2, STEP_DAY, DAY0 + 86400, 10, 20);
	add(s, d3, STEP_DAY, DAY0, 5, 5);
	add(s, d4, STEP_DAY, DAY0, 40, 1);
	/* Not in the ranking: outside the range (both edges), another step,
	 * another kind with the same name, another router. */
	add(s, d5, STEP_DAY, DAY0 - 86400, 1000, 1000);
	add(s, d5, STEP_DAY, DAY0 + 3 * 86400, 1000, 1000);
	add(s, d1, STEP_HOUR, DAY0, 1000, 1000);
	add(s, d1, STEP_MONTH, DAY0, 1000, 1000);
	int64_t q = counter_id(s, "home", STORE_QUEUE, "AA:BB:CC:DD:EE:03");
	add(s, q, STEP_DAY, DAY0, 1000, 1000);
	int64_t e = iface_id(s, "home", "ether1");
	add(s, e, STEP_DAY, DAY0, 1000, 1000);
	int64_t o = counter_id(s, "office", STORE_DEVICE, "AA:BB:CC:DD:EE:03");
	add(s, o, STEP_DAY, DAY0, 1000, 1000);
	int64_t seen = DAY0 + 100;
	assert_int_equal(store_set_counter_info(s, d4, "tv", "192.168.88.4", &seen), 0);
	store_close(s);

	s = open_ro(p);
	struct ranking r = {0};
	struct store_rank_total t;
	assert_int_equal(rank(s, "home", STORE_DEVICE, 100, &r, &t), 0);
	assert_int_equal(r.n, 4);
	/* :04 41, then :01 and :02 with 30 each, by name, then :03 10. */
	assert_string_equal(r.name[0], "AA:BB:CC:DD:EE:04");
	assert_string_equal(r.name[1], "AA:BB:CC:DD:EE:01");
	assert_string_equal(r.name[2], "AA:BB:CC:DD:EE:02");
	assert_string_equal(r.name[3], "AA:BB:CC:DD:EE:03");
	assert_int_equal(r.c[0].id, d4);
	assert_true(r.c[0].rx == 40 && r.c[0].tx == 1);
	assert_string_equal(r.display[0], "tv");
	assert_true(r.c[0].info.has_last_seen && r.c[0].info.last_seen == DAY0 + 100);
	assert_true(r.c[1].rx == 30 && r.c[1].tx == 0);
	assert_true(r.c[2].rx == 10 && r.c[2].tx == 20);
	assert_string_equal(r.display[3], "(null)");
	assert_false(r.c[3].info.has_last_seen);
	assert_true(t.rx == 85 && t.tx == 26 && t.counters == 4);

	/* The limit cuts the calls, not the totals. */
	memset(&r, 0, sizeof r);
	assert_int_equal(rank(s, "home", STORE_DEVICE, 2, &r, &t), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.name[1], "AA:BB:CC:DD:EE:01");
	assert_true(t.rx == 85 && t.tx == 26 && t.counters == 4);
	memset(&r, 0, sizeof r);
	assert_int_equal(rank(s, "home", STORE_DEVICE, 0, &r, &t), 0);
	assert_int_equal(r.n, 0);
	assert_true(t.rx == 85 && t.counters == 4);

	/* The other kinds and routers on their own. */
	memset(&r, 0, sizeof r);
	assert_int_equal(rank(s, "home", STORE_QUEUE, 10, &r, &t), 0);
	assert_true(r.n == 1 && r.c[0].id == q && t.rx == 1000 && t.counters == 1);
	memset(&r, 0, sizeof r);
	assert_int_equal(rank(s, "nowhere", STORE_DEVICE, 10, &r, &t), 0);
	assert_true(r.n == 0 && t.rx == 0 && t.tx == 0 && t.counters == 0);

	/* The callback stops it. */
	memset(&r, 0, sizeof r);
	r.stop_after = 1;
	assert_int_equal(rank(s, "home", STORE_DEVICE, 10, &r, &t), 42);
	assert_int_equal(r.n, 1);
	/* Called from its own callback: an error, not a crash; it works after. */
	memset(&r, 0, sizeof r);
	r.nested = s;
	assert_int_equal(rank(s, "home", STORE_DEVICE, 1, &r, &t), 0);
	assert_int_equal(r.nested_rc, -1);
	r.nested = NULL;
	assert_int_equal(rank(s, "home", STORE_DEVICE, 1, &r, &t), 0);
	/* No such kind or step. */
	struct store_rank_query bad = {"home", STORE_KIND_COUNT, STEP_DAY, 0, 1, 1};
	assert_int_equal(store_rank(s, &bad, collect_ranked, &r, &t), -1);
	bad.kind = STORE_DEVICE;
	bad.step = STEP_COUNT;
	assert_int_equal(store_rank(s, &bad, collect_ranked, &r, &t), -1);
	assert_non_null(strstr(store_errmsg(s), "no such step"));
	store_close(s);
}

static void ranking_compares_sums_beyond_2_63_and_2_64_exactly(void **state)
{
	char p[512];
	struct ranking r = {0};
	struct store_rank_total t;
	(void)state;
	db_path(p, "rankbig.db");
	store *s = open_rw(p);
	/* Sums: a 2^64, b 2^64-3, c 2^63-1. As signed 64-bit sums a would
	 * wrap to 0 and b be negative: c would come first, b last. */
	int64_t a = counter_id(s, "home", STORE_QUEUE, "a");
	int64_t b = counter_id(s, "home", STORE_QUEUE, "b");
	int64_t c = counter_id(s, "home", STORE_QUEUE, "c");
	add(s, a, STEP_DAY, DAY0, TWO63 / 2, 0);
	add(s, a, STEP_DAY, DAY0 + 86400, TWO63 / 2, TWO63); /* rx 2^63 over two days */
	add(s, b, STEP_DAY, DAY0, TWO63 - 2, TWO63 - 3);
	add(s, b, STEP_DAY, DAY0 + 86400, 1, 1);
	add(s, c, STEP_DAY, DAY0, 0, TWO63 - 1);
	store_close(s);
	s = open_ro(p);
	assert_int_equal(rank(s, "home", STORE_QUEUE, 10, &r, &t), -1);
	/* The totals would exceed 2^64 - 1: an error, not a wrapped number. */
	assert_non_null(strstr(store_errmsg(s), "the traffic sum of the queues exceeds 2^64-1"));
	store_close(s);

	s = open_rw(p);
	assert_int_equal(store_remove_history(s, c), 0);
	store_close(s);
	s = open_ro(p);
	memset(&r, 0, sizeof r);
	assert_int_equal(rank(s, "home", STORE_QUEUE, 10, &r, &t), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.name[0], "a");
	assert_true(r.c[0].rx == TWO63 && r.c[0].tx == TWO63);
	assert_string_equal(r.name[1], "b");
	assert_true(r.c[1].rx == TWO63 - 1 && r.c[1].tx == TWO63 - 2);
	assert_true(t.rx == UINT64_MAX && t.tx == UINT64_MAX - 1);
	store_close(s);

	/* One counter's own sum beyond 2^64 - 1: an error. */
	s = open_rw(p);
	add(s, b, STEP_DAY, DAY0 + 2 * 86400, TWO63 + 1, 0);
	memset(&r, 0, sizeof r);
	assert_int_equal(rank(s, "home", STORE_QUEUE, 10, &r, &t), -1);
	assert_non_null(strstr(store_errmsg(s), "exceeds 2^64-1 bytes"));
	assert_int_equal(r.n, 0);
	store_close(s);
}

/* "Who used it" on a router of 500 devices over a month of days: every
 * device appears with its exact sums, in order. (The query plan check is
 * in queries_search_the_primary_key_and_never_scan_traffic.) */
static void ranking_500_devices_over_a_month_of_days(void **state)
{
	char p[512], mac[32];
	(void)state;
	db_path(p, "rank500.db");
	store *s = open_rw(p);
	assert_int_equal(store_begin(s), 0);
	for (int d = 0; d < 500; d++) {
		snprintf(mac, sizeof mac, "02:00:00:00:%02X:%02X", d / 256, d % 256);
		int64_t id = counter_id(s, "home", STORE_DEVICE, mac);
		/* 40 days from 5 days before the range: device d uses d + 1 bytes
		 * down and 1 up a day; 5-minute buckets too, not ranked. */
		for (int day = -5; day < 35; day++)
			add(s, id, STEP_DAY, DAY0 + day * 86400, (uint64_t)d + 1, 1);
		add(s, id, STEP_5MIN, DAY0, 1000000, 0);
	}
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	s = open_ro(p);
	struct ranking r = {0};
	struct store_rank_total t;
	struct store_rank_query q = {"home", STORE_DEVICE, STEP_DAY, DAY0, DAY0 + 30 * 86400, 10};
	assert_int_equal(store_rank(s, &q, collect_ranked, &r, &t), 0);
	assert_int_equal(r.n, 10);
	for (int i = 0; i < 10; i++) {
		int d = 499 - i;
		snprintf(mac, sizeof mac, "02:00:00:00:%02X:%02X", d / 256, d % 256);
		assert_string_equal(r.name[i], mac);
		assert_true(r.c[i].rx == (uint64_t)(d + 1) * 30 && r.c[i].tx == 30);
	}
	assert_int_equal(t.counters, 500);
	assert_true(t.rx == 30 * (500 * 501 / 2) && t.tx == 500 * 30);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* retention per kind, alerts of bills                                 */
/* ------------------------------------------------------------------ */

static void prune_kind_deletes_old_buckets_of_that_kind_only(void **state)
{
	char p[512];
	uint64_t rx, tx;
	(void)state;
	db_path(p, "prunekind.db");
	store *s = open_rw(p);
	int64_t ids[STORE_KIND_COUNT] = {
	        iface_id(s, "home", "ether1"),
	        counter_id(s, "home", STORE_QUEUE, "ether1"),
	        counter_id(s, "home", STORE_DEVICE, "AA:BB:CC:DD:EE:01"),
	};
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		for (int st = 0; st < STEP_COUNT; st++)
			for (int64_t t = 0; t < 10; t++)
				add(s, ids[k], (enum step)st, t * 100, 1, 1);
	/* Devices keep 5-minute buckets of start >= 700, hours forever. */
	const int64_t keep[STEP_COUNT] = {300, 0, 0, 0, 0};
	assert_int_equal(store_prune_kind(s, STORE_DEVICE, 1000, keep), 0);
	for (int k = 0; k < STORE_KIND_COUNT; k++) {
		for (int st = 0; st < STEP_COUNT; st++) {
			assert_int_equal(
			        store_sum(s, ids[k], (enum step)st, INT64_MIN, INT64_MAX, &rx, &tx),
			        0);
			assert_int_equal(rx, k == STORE_DEVICE && st == STEP_5MIN ? 3 : 10);
		}
	}
	/* Queues: hours of start >= 500. */
	const int64_t keep_q[STEP_COUNT] = {0, 500, 0, 0, 0};
	assert_int_equal(store_prune_kind(s, STORE_QUEUE, 1000, keep_q), 0);
	assert_int_equal(store_sum(s, ids[STORE_QUEUE], STEP_HOUR, INT64_MIN, INT64_MAX, &rx, &tx),
	                 0);
	assert_int_equal(rx, 5);
	assert_int_equal(store_sum(s, ids[STORE_IFACE], STEP_HOUR, INT64_MIN, INT64_MAX, &rx, &tx),
	                 0);
	assert_int_equal(rx, 10);
	assert_int_equal(store_prune_kind(s, STORE_KIND_COUNT, 1000, keep), -1);
	assert_non_null(strstr(store_errmsg(s), "no such kind"));
	store_close(s);
	s = open_ro(p);
	assert_int_equal(store_prune_kind(s, STORE_IFACE, 1000, keep), -1);
	assert_non_null(strstr(store_errmsg(s), "read-only"));
	store_close(s);
}

/* Appends "kind iface key time percent;" per mark (store_list_marks). */
static int print_mark(void *ctx, const struct store_mark *m)
{
	char *out = ctx;
	size_t len = strlen(out);
	snprintf(out + len, 1024 - len, "%d %lld %s %lld %d;", (int)m->kind, (long long)m->iface,
	         m->key ? m->key : "-", (long long)m->time, m->percent);
	return 0;
}

static int stop_at_first_mark(void *ctx, const struct store_mark *m)
{
	(void)m;
	(*(int *)ctx)++;
	return 7;
}

static void every_mark_lists_in_order_for_copying(void **state)
{
	char p[512], out[1024] = "", want[1024];
	(void)state;
	db_path(p, "marks.db");
	store *s = open_rw(p);
	assert_int_equal(store_list_marks(s, print_mark, out), 0);
	assert_string_equal(out, ""); /* a new database: none */
	int64_t a = iface_id(s, "home", "ether1"), b = iface_id(s, "home", "ether2");
	assert_int_equal(store_mark_alert(s, b, 2000, 80), 0);
	assert_int_equal(store_mark_alert(s, a, 2000, 90), 0);
	assert_int_equal(store_mark_alert(s, a, 2000, 80), 0);
	assert_int_equal(store_mark_alert(s, a, 1000, 100), 0);
	assert_int_equal(store_mark_bill_alert(s, "office", 1000, 80), 0);
	assert_int_equal(store_mark_bill_alert(s, "home", 3000, 90), 0);
	assert_int_equal(store_set_import_mark(s, b, "legacy:b.db", -5), 0);
	assert_int_equal(store_set_import_mark(s, a, "legacy:z.db", 77), 0);
	assert_int_equal(store_set_import_mark(s, a, "legacy:a.db", 66), 0);
	store_close(s);
	s = open_ro(p);
	assert_int_equal(store_list_marks(s, print_mark, out), 0);
	snprintf(want, sizeof want,
	         "0 %lld - 1000 100;0 %lld - 2000 80;0 %lld - 2000 90;0 %lld - 2000 80;"
	         "1 0 home 3000 90;1 0 office 1000 80;"
	         "2 %lld legacy:a.db 66 0;2 %lld legacy:z.db 77 0;2 %lld legacy:b.db -5 0;",
	         (long long)a, (long long)a, (long long)a, (long long)b, (long long)a, (long long)a,
	         (long long)b);
	assert_string_equal(out, want);
	int calls = 0;
	assert_int_equal(store_list_marks(s, stop_at_first_mark, &calls), 7);
	assert_int_equal(calls, 1);
	store_close(s);
}

static void bill_alerts_are_recorded_once_per_bill_cycle_and_percent(void **state)
{
	char p[512];
	bool sent = true;
	(void)state;
	db_path(p, "billalerts.db");
	store *s = open_rw(p);
	int64_t id = iface_id(s, "home", "ether1");
	assert_int_equal(store_bill_alert_sent(s, "home", 1000, 80, &sent), 0);
	assert_false(sent);
	assert_int_equal(store_mark_bill_alert(s, "home", 1000, 80), 0);
	assert_int_equal(store_mark_bill_alert(s, "home", 1000, 80), 0); /* again: no error */
	assert_int_equal(store_bill_alert_sent(s, "home", 1000, 80, &sent), 0);
	assert_true(sent);
	/* Another percent, cycle or bill; an interface's alerts are apart. */
	assert_int_equal(store_bill_alert_sent(s, "home", 1000, 90, &sent), 0);
	assert_false(sent);
	assert_int_equal(store_bill_alert_sent(s, "home", 2000, 80, &sent), 0);
	assert_false(sent);
	assert_int_equal(store_bill_alert_sent(s, "lte", 1000, 80, &sent), 0);
	assert_false(sent);
	assert_int_equal(store_alert_sent(s, id, 1000, 80, &sent), 0);
	assert_false(sent);
	store_close(s);
	s = open_ro(p);
	assert_int_equal(store_bill_alert_sent(s, "home", 1000, 80, &sent), 0);
	assert_true(sent);
	assert_int_equal(store_mark_bill_alert(s, "home", 1000, 90), -1);
	assert_non_null(strstr(store_errmsg(s), "read-only"));
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
	bool series_pk, sum_pk, totals_pk, list_ok, prune_pk, prune_kind_pk, rank_pk, rank_index;
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
	if (strcmp(stmt, "prune_kind") == 0 && pk && strstr(detail, "start<?"))
		pl->prune_kind_pk = true;
	/* The ranking: the counters of the router and kind by the index, each
	 * one's range of buckets by the primary key, grouped in that order:
	 * only the groups are sorted (ORDER BY), never the buckets. */
	if (strcmp(stmt, "rank") == 0 && pk && strstr(detail, "start>? AND start<?"))
		pl->rank_pk = true;
	if (strcmp(stmt, "rank") == 0 && strstr(detail, "SEARCH i USING INDEX") == detail &&
	    strstr(detail, "(router_id=? AND kind=?)"))
		pl->rank_index = true;
	if (strcmp(stmt, "rank") == 0 &&
	    (strstr(detail, "GROUP BY") || strncmp(detail, "SCAN", 4) == 0))
		snprintf(pl->bad + strlen(pl->bad), sizeof pl->bad - strlen(pl->bad), "%s: %s; ",
		         stmt, detail);
}

static void queries_search_the_primary_key_and_never_scan_traffic(void **state)
{
	char p[512];
	(void)state;
	SQLITE_ONLY();
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
		assert_true(pl.prune_kind_pk);
		assert_true(pl.rank_pk);
		assert_true(pl.rank_index);
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
	SQLITE_ONLY();
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
	SQLITE_ONLY();
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
	SQLITE_ONLY();
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
	SQLITE_ONLY();
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
	SQLITE_ONLY();
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

/* ------------------------------------------------------------------ */
/* space: free pages back to the filesystem                            */
/* ------------------------------------------------------------------ */

/* n 5-minute buckets of iface from start on, in one transaction. */
static void fill(store *s, int64_t id, int64_t start, int n)
{
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < n; i++)
		add(s, id, STEP_5MIN, start + (int64_t)i * 300, 1000 + (uint64_t)i, 2000);
	assert_int_equal(store_commit(s), 0);
}

/* Deletes every 5-minute bucket before cutoff (the other steps stay). */
static void prune_5min(store *s, int64_t cutoff)
{
	int64_t keep[STEP_COUNT] = {0};
	keep[STEP_5MIN] = 1;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_prune(s, cutoff + 1, keep), 0);
	assert_int_equal(store_commit(s), 0);
}

static int64_t size_of(const char *path)
{
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	return (int64_t)sb.st_size;
}

/* The file passes SQLite's full integrity check. */
static void assert_sound(const char *path)
{
	char out[256];
	raw_text(path, "PRAGMA integrity_check", out, sizeof out);
	assert_string_equal(out, "ok");
}

static void space(store *s, struct store_space *sp)
{
	if (store_space(s, sp))
		fail_msg("store_space: %s", store_errmsg(s));
}

static void a_new_database_gives_pruned_pages_back_in_bounded_steps(void **state)
{
	char p[512];
	(void)state;
	SQLITE_ONLY();
	db_path(p, "reclaim.db");
	store *s = open_rw(p);
	assert_int_equal(raw_int(p, "PRAGMA auto_vacuum"), 2); /* INCREMENTAL */
	int64_t id = iface_id(s, "home", "ether1");
	fill(s, id, 0, 100000);
	add(s, id, STEP_YEAR, 0, 7, 8);
	prune_5min(s, 99000 * 300);
	/* Closing checkpoints: the file then holds every page, free or not. */
	store_close(s);
	int64_t file_before = size_of(p);
	s = open_rw(p);
	struct store_space before, after;
	space(s, &before);
	assert_true(before.incremental);
	assert_true(before.free_pages > 200);
	assert_int_equal(file_before, before.pages * before.page_size);

	/* One bounded step frees exactly its bound. */
	int freed = -1;
	assert_int_equal(store_reclaim(s, 50, &freed), 0);
	assert_int_equal(freed, 50);
	space(s, &after);
	assert_int_equal(after.free_pages, before.free_pages - 50);
	assert_true(after.pages <= before.pages - 50);

	/* Then steps until one frees less than its bound: nothing is left. */
	int steps = 1;
	int64_t total = 50;
	do {
		assert_int_equal(store_reclaim(s, 100, &freed), 0);
		total += freed;
		steps++;
	} while (freed == 100);
	assert_true(steps > 2);
	assert_int_equal(total, before.free_pages);
	space(s, &after);
	assert_int_equal(after.free_pages, 0);
	assert_int_equal(store_reclaim(s, 100, &freed), 0);
	assert_int_equal(freed, 0);
	/* The file itself shrank (the passive checkpoint copied the WAL). */
	assert_int_equal(size_of(p), after.pages * after.page_size);
	assert_true(size_of(p) < file_before - 200 * after.page_size);

	/* What was kept is intact. */
	uint64_t rx = 0, tx = 0;
	assert_int_equal(store_sum(s, id, STEP_5MIN, 0, INT64_MAX, &rx, &tx), 0);
	uint64_t want = 0;
	for (int i = 99000; i < 100000; i++)
		want += 1000 + (uint64_t)i;
	assert_true(rx == want && tx == 2000 * 1000);
	assert_int_equal(store_totals(s, id, &rx, &tx), 0);
	assert_true(rx == 7 && tx == 8);
	store_close(s);
	assert_sound(p);
}

/* An old file (auto_vacuum NONE, as schema 1 and 2 made them) keeps
 * working: reclaiming frees nothing; store_compact converts it in place
 * while another writer (tikstatd) has it open and goes on writing. */
static void an_old_database_works_and_compact_converts_it_in_place(void **state)
{
	char p[512];
	(void)state;
	SQLITE_ONLY();
	db_path(p, "old.db");
	raw_exec(p, SCHEMA_1_FIXTURE);
	assert_int_equal(raw_int(p, "PRAGMA auto_vacuum"), 0);
	store *daemon = open_rw(p);
	assert_int_equal(raw_int(p, "PRAGMA auto_vacuum"), 0); /* migrating keeps it */
	int64_t id = iface_id(daemon, "home", "ether1");
	fill(daemon, id, 0, 60000);
	prune_5min(daemon, 59000 * 300);
	struct store_space sp;
	space(daemon, &sp);
	assert_false(sp.incremental);
	int64_t free_before = sp.free_pages, pages_before = sp.pages;
	assert_true(free_before > 100);
	int freed = -1;
	assert_int_equal(store_reclaim(daemon, 1000, &freed), 0);
	assert_int_equal(freed, 0);
	space(daemon, &sp);
	assert_int_equal(sp.free_pages, free_before);
	uint64_t rx0 = 0, tx0 = 0, rx = 0, tx = 0;
	assert_int_equal(store_sum(daemon, id, STEP_5MIN, 0, INT64_MAX, &rx0, &tx0), 0);

	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	ino_t ino = sb.st_ino;
	store *cli = open_rw(p);
	assert_int_equal(store_compact(cli), 0);
	space(cli, &sp);
	assert_true(sp.incremental);
	assert_int_equal(sp.free_pages, 0);
	assert_true(sp.pages <= pages_before - free_before + 2);
	assert_int_equal(size_of(p), sp.pages * sp.page_size);
	store_close(cli);
	assert_int_equal(raw_int(p, "PRAGMA auto_vacuum"), 2);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_ino == ino);

	/* The daemon's connection sees the same file and the same data, and
	 * goes on writing; from now on its prunes give pages back. */
	assert_int_equal(store_file_check(daemon), STORE_FILE_OK);
	assert_int_equal(store_sum(daemon, id, STEP_5MIN, 0, INT64_MAX, &rx, &tx), 0);
	assert_true(rx == rx0 && tx == tx0);
	fill(daemon, id, 60000 * 300, 40000);
	prune_5min(daemon, 99000 * 300);
	space(daemon, &sp);
	assert_true(sp.free_pages > 100);
	free_before = sp.free_pages;
	int64_t total = 0;
	do {
		assert_int_equal(store_reclaim(daemon, 2048, &freed), 0);
		total += freed;
	} while (freed == 2048);
	assert_int_equal(total, free_before);
	store_close(daemon);
	assert_sound(p);
}

static void reclaim_and_compact_need_a_writer_outside_a_transaction(void **state)
{
	char p[512];
	(void)state;
	SQLITE_ONLY();
	db_path(p, "reclaim_ro.db");
	store_close(open_rw(p));
	store *ro = open_ro(p);
	int freed = -1;
	assert_int_equal(store_reclaim(ro, 10, &freed), -1);
	assert_int_equal(freed, 0);
	assert_non_null(strstr(store_errmsg(ro), "read-only"));
	assert_int_equal(store_compact(ro), -1);
	store_close(ro);
	store *s = open_rw(p);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_reclaim(s, 10, &freed), -1);
	assert_int_equal(store_compact(s), -1);
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(store_reclaim(s, 0, &freed), 0);
	assert_int_equal(freed, 0);
	store_close(s);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL                                                          */
/* ------------------------------------------------------------------ */

/* The case needs the PostgreSQL server: skipped on SQLite. */
#define PG_ONLY()                                                                                  \
	do {                                                                                       \
		if (!pg_url)                                                                       \
			skip();                                                                    \
	} while (0)

static void a_postgresql_password_never_shows_in_messages(void **state)
{
	char err[512];
	(void)state;
	/* Nothing listens on port 1: the connection fails at once. */
	const char *url = "postgresql://u:s3cr%2Ft@127.0.0.1:1/db?connect_timeout=2&password=also";
	assert_null(store_open(url, true, err, sizeof err));
	assert_null(strstr(err, "s3cr"));
	assert_null(strstr(err, "also"));
	assert_non_null(strstr(err, "cannot open postgresql://u:***@127.0.0.1:1/db?"));
	assert_non_null(strstr(err, "password=***"));
	assert_true(store_path_is_url(url));
	assert_true(store_path_is_url("postgres://h/db"));
	assert_false(store_path_is_url("/var/lib/tikstat/postgresql://x"));
}

static void pg_a_reader_needs_the_schema_and_a_newer_one_is_refused(void **state)
{
	char p[512], err[512];
	(void)state;
	PG_ONLY();
	db_path(p, "empty");
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "no tikstat schema in it yet"));
	store *s = open_rw(p);
	assert_string_equal(store_engine_name(s), "PostgreSQL");
	assert_false(store_is_file(s));
	char line[256];
	assert_int_equal(store_describe(s, line, sizeof line), 0);
	assert_non_null(strstr(line, "schema version 1"));
	store_close(s);
	PQclear(pg_exec(p, "UPDATE tikstat_meta SET value = 2 WHERE key = 'schema_version'"));
	assert_null(store_open(p, false, err, sizeof err));
	assert_non_null(strstr(err, "database schema 2 is newer than this tikstat (1): upgrade"));
	assert_null(store_open(p, true, err, sizeof err));
	assert_non_null(strstr(err, "is newer than this tikstat"));
}

/* Appends "router/name|" of every counter listed to a text. */
struct text_out {
	char *out;
	size_t n, sz;
};

static int print_counter(void *ctx, const struct store_iface *i)
{
	struct text_out *o = ctx;
	if (o->n < o->sz)
		o->n += (size_t)snprintf(o->out + o->n, o->sz - o->n, "%s/%s|", i->router, i->name);
	return 0;
}

/* The list and the rankings of names of odd bytes, as text. */
static void odd_names_listed(const char *path, char *out, size_t outsz)
{
	static const char *const names[] = {"b",        "\x01", "\xff",  "a\xff", "a",
	                                    "\xc3\x28", "B",    "a\x01", "\x7f"};
	store *s = open_rw(path);
	assert_int_equal(store_begin(s), 0);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int64_t id = counter_id(s, names[i % 3], STORE_DEVICE, names[i]);
		add(s, id, STEP_DAY, 0, i % 4 == 0 ? 5 : 7, i == 0 ? TWO63 : i);
	}
	assert_int_equal(store_commit(s), 0);
	struct text_out o = {out, 0, outsz};
	assert_int_equal(store_list_counters(s, print_counter, &o), 0);
	size_t n = o.n;
	for (size_t r = 0; r < 3 && n < outsz; r++) {
		struct ranking k = {0};
		struct store_rank_query q = {names[r], STORE_DEVICE, STEP_DAY, 0, 1, 16};
		struct store_rank_total total;
		assert_int_equal(store_rank(s, &q, collect_ranked, &k, &total), 0);
		for (int i = 0; i < k.n && n < outsz; i++)
			n += (size_t)snprintf(out + n, outsz - n, "%s=%" PRIu64 ",", k.name[i],
			                      k.c[i].rx);
	}
	store_close(s);
}

static void pg_names_of_any_bytes_list_and_rank_in_sqlites_order(void **state)
{
	char p[512], file[512], want[2048], got[2048];
	(void)state;
	PG_ONLY();
	snprintf(file, sizeof file, "%s/odd.db", tmpdir);
	odd_names_listed(file, want, sizeof want);
	odd_names_listed(db_path(p, "odd"), got, sizeof got);
	assert_string_equal(got, want);
}

static void pg_a_commit_of_many_readings_is_pipelined_whole(void **state)
{
	char p[512];
	uint64_t rx, tx;
	(void)state;
	PG_ONLY();
	store *s = open_rw(db_path(p, "many"));
	enum { N = 700 };
	int64_t ids[N];
	for (int i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof name, "if%d", i);
		ids[i] = iface_id(s, "r", name);
	}
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < N; i++) {
		struct acct_reading r = {.time = 1000 + i, .rx = TWO63 + (uint64_t)i, .tx = 1};
		assert_int_equal(store_save_reading(s, ids[i], &r), 0);
		add(s, ids[i], STEP_YEAR, 0, TWO63, (uint64_t)i);
		add(s, ids[i], STEP_YEAR, 0, TWO63 - 1, 1);
	}
	assert_int_equal(store_commit(s), 0);
	for (int i = 0; i < N; i += 99) {
		struct acct_reading r;
		bool have = false;
		assert_int_equal(store_load_reading(s, ids[i], &r, &have), 0);
		assert_true(have && r.time == 1000 + i && r.rx == TWO63 + (uint64_t)i);
		assert_int_equal(store_totals(s, ids[i], &rx, &tx), 0);
		assert_true(rx == UINT64_MAX && tx == (uint64_t)i + 1);
	}
	store_close(s);
}

static void pg_a_failed_pipelined_write_fails_the_commit_and_writes_nothing(void **state)
{
	char p[512];
	uint64_t rx, tx;
	(void)state;
	PG_ONLY();
	store *s = open_rw(db_path(p, "fails"));
	int64_t id = iface_id(s, "r", "ether1");
	assert_int_equal(store_begin(s), 0);
	add(s, id, STEP_DAY, 0, 1, 1);
	(void)store_set_counter_info(s, id + 1000, "x", NULL, NULL);
	assert_int_equal(store_commit(s), -1);
	assert_non_null(strstr(store_errmsg(s), "no counter"));
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(store_totals(s, id, &rx, &tx), 0);
	assert_int_equal(store_sum(s, id, STEP_DAY, 0, 1, &rx, &tx), 0);
	assert_true(rx == 0 && tx == 0);
	/* The handle goes on. */
	assert_int_equal(store_begin(s), 0);
	add(s, id, STEP_DAY, 0, 2, 3);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_sum(s, id, STEP_DAY, 0, 1, &rx, &tx), 0);
	assert_true(rx == 2 && tx == 3);
	store_close(s);
}

struct racer {
	const char *url;
	pthread_barrier_t *go;
	int64_t ids[20];
	int rc;
};

/* One writer registering the same counters as the other, at once. */
static void *race_counters(void *arg)
{
	struct racer *r = arg;
	char err[512];
	store *s = store_open(r->url, false, err, sizeof err);
	pthread_barrier_wait(r->go);
	r->rc = s ? store_begin(s) : -1;
	for (int i = 0; i < 20 && r->rc == 0; i++) {
		char name[16];
		snprintf(name, sizeof name, "if%d", i);
		r->rc = store_counter_id(s, i % 2 ? "shared" : "other", STORE_IFACE, name,
		                         &r->ids[i]);
	}
	if (r->rc == 0)
		r->rc = store_commit(s);
	store_close(s);
	return NULL;
}

static void pg_two_writers_create_the_same_router_at_once(void **state)
{
	char p[512];
	(void)state;
	PG_ONLY();
	db_path(p, "race");
	store_close(open_rw(p)); /* the schema first */
	for (int round = 0; round < 5; round++) {
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		struct racer a = {.url = p, .go = &go}, b = {.url = p, .go = &go};
		pthread_t ta, tb;
		assert_int_equal(pthread_create(&ta, NULL, race_counters, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, race_counters, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		assert_int_equal(a.rc, 0);
		assert_int_equal(b.rc, 0);
		assert_memory_equal(a.ids, b.ids, sizeof a.ids);
	}
	assert_int_equal(raw_int(p, "SELECT count(*) FROM routers"), 2);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM interfaces"), 20);
}

/* What the plans of the reading statements say about traffic. */
struct pg_plans {
	int pkey[4];   /* series, sum, totals, rank: lines using traffic_pkey */
	int seq_scans; /* lines of any statement scanning traffic whole */
};

static void note_pg_plan(void *ctx, const char *stmt, const char *detail)
{
	static const char *const names[4] = {"series", "sum", "totals", "rank"};
	struct pg_plans *p = ctx;
	for (int i = 0; i < 4; i++)
		if (strcmp(stmt, names[i]) == 0 && strstr(detail, "traffic_pkey"))
			p->pkey[i]++;
	if (strstr(detail, "Seq Scan on traffic"))
		p->seq_scans++;
}

static void pg_reading_statements_search_the_traffic_primary_key(void **state)
{
	char p[512];
	struct pg_plans plans = {{0}, 0};
	(void)state;
	PG_ONLY();
	store *s = open_rw(db_path(p, "plans"));
	assert_int_equal(store_explain(s, note_pg_plan, &plans), 0);
	for (int i = 0; i < 4; i++)
		assert_true(plans.pkey[i] > 0);
	assert_int_equal(plans.seq_scans, 0);
	/* The handle works after: its statements are prepared again. */
	int64_t id = iface_id(s, "r", "e");
	add(s, id, STEP_DAY, 0, 1, 2);
	store_close(s);
}

/* Runs "pgserver.py VERB DIR" (TIKSTAT_TEST_PGSERVER); its first line of
 * output into out (outsz > 0). */
static void pgserver(const char *verb, const char *dir, char *out, size_t outsz)
{
	const char *tool = getenv("TIKSTAT_TEST_PGSERVER");
	char cmd[1024];
	assert_non_null(tool);
	snprintf(cmd, sizeof cmd, "python3 '%s' %s '%s'", tool, verb, dir);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	out[0] = '\0';
	if (!fgets(out, (int)outsz, f))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(pclose(f), 0);
}

static void pg_a_server_restart_fails_one_commit_and_loses_nothing(void **state)
{
	char dir[512], admin[512], p[512], none[8];
	uint64_t rx, tx;
	(void)state;
	PG_ONLY();
	/* A server of its own: a restart of the shared one would cut the
	 * connections of tests running beside this one. */
	snprintf(dir, sizeof dir, "%s/pgrestart", tmpdir);
	pgserver("start", dir, admin, sizeof admin);
	PQclear(pg_exec(admin, "CREATE DATABASE restart"));
	pg_url_of(p, sizeof p, admin, "restart");
	store *w = open_rw(p);
	store *r = open_ro(p);
	int64_t id = iface_id(w, "r", "ether1");
	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_YEAR, 0, 1, 1);
	assert_int_equal(store_commit(w), 0);

	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_YEAR, 0, 10, 10);
	pgserver("restart", dir, none, sizeof none);
	assert_int_equal(store_commit(w), -1);
	assert_int_equal(store_rollback(w), 0);
	/* The recorder writes the same readings again: they all arrive. */
	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_YEAR, 0, 10, 10);
	assert_int_equal(store_commit(w), 0);
	/* An idle connection cut by the restart: the next begin reconnects. */
	pgserver("restart", dir, none, sizeof none);
	assert_int_equal(store_begin(w), 0);
	add(w, id, STEP_YEAR, 0, 100, 100);
	assert_int_equal(store_commit(w), 0);
	assert_int_equal(store_begin(r), 0);
	assert_int_equal(store_totals(r, id, &rx, &tx), 0);
	assert_int_equal(store_commit(r), 0);
	assert_true(rx == 111 && tx == 111);
	store_close(r);
	store_close(w);
	pgserver("stop", dir, none, sizeof none);
}

int main(void)
{
	pg_url = getenv("TIKSTAT_TEST_PG_URL");
	if (pg_url && !*pg_url)
		pg_url = NULL;
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
	        cmocka_unit_test(schema_2_with_data_migrates_to_3_with_its_ids_and_references),
	        cmocka_unit_test(a_migration_that_would_break_references_changes_nothing),
	        cmocka_unit_test(a_name_is_unique_per_router_and_kind),
	        cmocka_unit_test(counter_info_is_kept_where_an_argument_is_null),
	        cmocka_unit_test(counters_list_by_router_kind_and_name_and_interfaces_list_alone),
	        cmocka_unit_test(ranking_orders_by_the_sum_then_name_and_limits_but_totals_all),
	        cmocka_unit_test(ranking_compares_sums_beyond_2_63_and_2_64_exactly),
	        cmocka_unit_test(ranking_500_devices_over_a_month_of_days),
	        cmocka_unit_test(prune_kind_deletes_old_buckets_of_that_kind_only),
	        cmocka_unit_test(bill_alerts_are_recorded_once_per_bill_cycle_and_percent),
	        cmocka_unit_test(every_mark_lists_in_order_for_copying),
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
	        cmocka_unit_test(a_new_database_gives_pruned_pages_back_in_bounded_steps),
	        cmocka_unit_test(an_old_database_works_and_compact_converts_it_in_place),
	        cmocka_unit_test(reclaim_and_compact_need_a_writer_outside_a_transaction),
	        cmocka_unit_test(a_postgresql_password_never_shows_in_messages),
	        cmocka_unit_test(pg_a_reader_needs_the_schema_and_a_newer_one_is_refused),
	        cmocka_unit_test(pg_names_of_any_bytes_list_and_rank_in_sqlites_order),
	        cmocka_unit_test(pg_a_commit_of_many_readings_is_pipelined_whole),
	        cmocka_unit_test(pg_a_failed_pipelined_write_fails_the_commit_and_writes_nothing),
	        cmocka_unit_test(pg_two_writers_create_the_same_router_at_once),
	        cmocka_unit_test(pg_a_server_restart_fails_one_commit_and_loses_nothing),
	        cmocka_unit_test(pg_reading_statements_search_the_traffic_primary_key),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
