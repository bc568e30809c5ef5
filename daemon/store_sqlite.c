/*
 * store_sqlite.c — the SQLite engine of the store (see store.h; store.c
 * picks the engine and dispatches through store_sqlite_engine). The only
 * file that includes sqlite3.h and the only place where SQLite's SQL is
 * written.
 *
 * Every statement is a constant in the STORE_STATEMENTS table below,
 * prepared on first use (SQLITE_PREPARE_PERSISTENT), reset and cleared
 * after every use so that no read snapshot stays open between calls, and
 * finalized by store_close. No SQL text is ever assembled at run time.
 *
 * uint64 counters and sums are stored as the same 64 bits in an SQLite
 * INTEGER (values of 2^63 and more appear negative to SQL, read back
 * exactly). Arithmetic on them is therefore never done with SQL's signed
 * operators: bucket sums go through tikstat_u64add(), an SQL function
 * registered here that refuses to wrap, and sums over many buckets are
 * added up in C, or by tikstat_u64sum(), an aggregate that refuses to wrap
 * either (the ranking). The tables are STRICT, so a REAL can never be
 * stored where a byte count belongs.
 */
#include "store_engine.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000
/* PRAGMA application_id of a tikstat database: "tiks" in ASCII. The
 * value is repeated as a literal in SCHEMA_V1 (SQL cannot bind it). */
#define APPLICATION_ID 0x74696b73

/* X(id, name, sql): removing an interface's history (store_remove_history):
 * its rows in every table but interfaces itself (a running tikstatd keeps
 * the interface's id and writes under it again). */
#define STORE_REMOVE_STATEMENTS(X)                                                                 \
	X(ST_HISTORY_DAYS, "history_days",                                                         \
	  "SELECT count(*) FROM traffic WHERE interface_id = ?1 AND step = ?2")                    \
	X(ST_REMOVE_TRAFFIC, "remove_traffic", "DELETE FROM traffic WHERE interface_id = ?1")      \
	X(ST_REMOVE_READING, "remove_reading", "DELETE FROM last_reading WHERE interface_id = ?1") \
	X(ST_REMOVE_ALERTS, "remove_alerts", "DELETE FROM alerts WHERE interface_id = ?1")         \
	X(ST_REMOVE_IMPORTS, "remove_imports", "DELETE FROM imports WHERE interface_id = ?1")

/* X(id, name, sql): the space inside the file (store_space) and giving
 * free pages back to the filesystem (store_reclaim). The incremental
 * vacuum returns one result row per page it frees: stepping it n times
 * frees n pages, so the bound needs no SQL built at run time. */
#define STORE_SPACE_STATEMENTS(X)                                                                  \
	X(ST_SPACE, "space",                                                                       \
	  "SELECT p.page_count, f.freelist_count, z.page_size, a.auto_vacuum"                      \
	  " FROM pragma_page_count AS p, pragma_freelist_count AS f, pragma_page_size AS z,"       \
	  " pragma_auto_vacuum AS a")                                                              \
	X(ST_RECLAIM, "reclaim", "PRAGMA incremental_vacuum")

/* X(id, name, sql): every statement the store runs after opening. */
#define STORE_STATEMENTS(X)                                                                        \
	X(ST_BEGIN_WRITE, "begin_write", "BEGIN IMMEDIATE")                                        \
	X(ST_BEGIN_READ, "begin_read", "BEGIN")                                                    \
	X(ST_COMMIT, "commit", "COMMIT")                                                           \
	X(ST_ROLLBACK, "rollback", "ROLLBACK")                                                     \
	X(ST_ROUTER_FIND, "router_find", "SELECT id FROM routers WHERE name = ?1")                 \
	X(ST_ROUTER_ADD, "router_add", "INSERT INTO routers(name) VALUES (?1)")                    \
	X(ST_IFACE_FIND_IN, "iface_find_in",                                                       \
	  "SELECT id FROM interfaces WHERE router_id = ?1 AND kind = ?2 AND name = ?3")            \
	X(ST_IFACE_ADD, "iface_add",                                                               \
	  "INSERT INTO interfaces(router_id, kind, name) VALUES (?1, ?2, ?3)")                     \
	X(ST_IFACE_FIND, "iface_find",                                                             \
	  "SELECT i.id FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"               \
	  " WHERE r.name = ?1 AND i.kind = ?2 AND i.name = ?3")                                    \
	X(ST_COUNTER_INFO, "counter_info",                                                         \
	  "UPDATE interfaces SET display = coalesce(?2, display),"                                 \
	  " address = coalesce(?3, address), last_seen = coalesce(?4, last_seen) WHERE id = ?1")   \
	X(ST_READING_LOAD, "reading_load",                                                         \
	  "SELECT time, rx, tx, uptime, ros_id, time_ms, source FROM last_reading"                 \
	  " WHERE interface_id = ?1")                                                              \
	X(ST_READING_SAVE, "reading_save",                                                         \
	  "INSERT INTO last_reading(interface_id, time, rx, tx, uptime, ros_id, time_ms, source)"  \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(interface_id) DO UPDATE SET"       \
	  " time = excluded.time, rx = excluded.rx, tx = excluded.tx,"                             \
	  " uptime = excluded.uptime, ros_id = excluded.ros_id,"                                   \
	  " time_ms = excluded.time_ms, source = excluded.source")                                 \
	X(ST_TRAFFIC_ADD, "traffic_add",                                                           \
	  "INSERT INTO traffic(interface_id, step, start, rx, tx) VALUES (?1, ?2, ?3, ?4, ?5)"     \
	  " ON CONFLICT(interface_id, step, start) DO UPDATE SET"                                  \
	  " rx = tikstat_u64add(rx, excluded.rx), tx = tikstat_u64add(tx, excluded.tx)")           \
	X(ST_PRUNE, "prune",                                                                       \
	  "DELETE FROM traffic WHERE interface_id IN (SELECT id FROM interfaces)"                  \
	  " AND step = ?1 AND start < ?2")                                                         \
	X(ST_PRUNE_KIND, "prune_kind",                                                             \
	  "DELETE FROM traffic WHERE interface_id IN (SELECT id FROM interfaces WHERE kind = ?3)"  \
	  " AND step = ?1 AND start < ?2")                                                         \
	X(ST_ALERT_SENT, "alert_sent",                                                             \
	  "SELECT 1 FROM alerts WHERE interface_id = ?1 AND cycle_start = ?2 AND percent = ?3")    \
	X(ST_ALERT_MARK, "alert_mark",                                                             \
	  "INSERT INTO alerts(interface_id, cycle_start, percent) VALUES (?1, ?2, ?3)"             \
	  " ON CONFLICT DO NOTHING")                                                               \
	X(ST_BILL_ALERT_SENT, "bill_alert_sent",                                                   \
	  "SELECT 1 FROM bill_alerts WHERE bill = ?1 AND cycle_start = ?2 AND percent = ?3")       \
	X(ST_BILL_ALERT_MARK, "bill_alert_mark",                                                   \
	  "INSERT INTO bill_alerts(bill, cycle_start, percent) VALUES (?1, ?2, ?3)"                \
	  " ON CONFLICT DO NOTHING")                                                               \
	X(ST_IMPORT_GET, "import_get",                                                             \
	  "SELECT last_time FROM imports WHERE interface_id = ?1 AND source = ?2")                 \
	X(ST_IMPORT_SET, "import_set",                                                             \
	  "INSERT INTO imports(interface_id, source, last_time) VALUES (?1, ?2, ?3)"               \
	  " ON CONFLICT(interface_id, source) DO UPDATE SET last_time = excluded.last_time")       \
	X(ST_MARKS_ALERT, "marks_alert",                                                           \
	  "SELECT interface_id, NULL, cycle_start, percent FROM alerts"                            \
	  " ORDER BY interface_id, cycle_start, percent")                                          \
	X(ST_MARKS_BILL, "marks_bill",                                                             \
	  "SELECT 0, bill, cycle_start, percent FROM bill_alerts ORDER BY bill, cycle_start, "     \
	  "percent")                                                                               \
	X(ST_MARKS_IMPORT, "marks_import",                                                         \
	  "SELECT interface_id, source, last_time, 0 FROM imports ORDER BY interface_id, source")  \
	X(ST_SERIES, "series",                                                                     \
	  "SELECT start, rx, tx FROM traffic"                                                      \
	  " WHERE interface_id = ?1 AND step = ?2 AND start >= ?3 AND start < ?4"                  \
	  " ORDER BY start")                                                                       \
	X(ST_SUM, "sum",                                                                           \
	  "SELECT rx, tx FROM traffic"                                                             \
	  " WHERE interface_id = ?1 AND step = ?2 AND start >= ?3 AND start < ?4")                 \
	X(ST_TOTALS, "totals", "SELECT rx, tx FROM traffic WHERE interface_id = ?1 AND step = ?2") \
	X(ST_LIST, "list",                                                                         \
	  "SELECT r.name, i.id, i.name, l.time, i.kind, i.display, i.address, i.last_seen"         \
	  " FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"                          \
	  " LEFT JOIN last_reading AS l ON l.interface_id = i.id"                                  \
	  " WHERE ?1 < 0 OR i.kind = ?1 ORDER BY r.name, i.kind, i.name")                          \
	X(ST_RANK, "rank",                                                                         \
	  "SELECT i.id, i.name, i.display, i.address, i.last_seen,"                                \
	  " tikstat_u64sum(traffic.rx), tikstat_u64sum(traffic.tx)"                                \
	  " FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"                          \
	  " JOIN traffic ON traffic.interface_id = i.id"                                           \
	  " WHERE r.name = ?1 AND i.kind = ?2 AND traffic.step = ?3"                               \
	  " AND traffic.start >= ?4 AND traffic.start < ?5 GROUP BY i.name"                        \
	  " ORDER BY tikstat_u64key(tikstat_u64sum(traffic.rx), tikstat_u64sum(traffic.tx)) DESC," \
	  " i.name")                                                                               \
	STORE_REMOVE_STATEMENTS(X)                                                                 \
	STORE_SPACE_STATEMENTS(X)

#define X(id, name, sql) id,
enum stmt_id { STORE_STATEMENTS(X) ST_COUNT };
#undef X

static const struct {
	const char *name, *sql, *plan;
} stmt_def[ST_COUNT] = {
#define X(id, name, sql) [id] = {name, sql, "EXPLAIN QUERY PLAN " sql},
        STORE_STATEMENTS(X)
#undef X
};

/* Schema version 1. Names of interfaces are BLOBs: RouterOS names are raw
 * bytes, compared exactly, never transcoded. */
static const char SCHEMA_V1[] =
        "CREATE TABLE routers("
        " id INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL UNIQUE) STRICT;"
        "CREATE TABLE interfaces("
        " id INTEGER PRIMARY KEY,"
        " router_id INTEGER NOT NULL REFERENCES routers(id),"
        " name BLOB NOT NULL,"
        " UNIQUE(router_id, name)) STRICT;"
        "CREATE TABLE last_reading("
        " interface_id INTEGER PRIMARY KEY REFERENCES interfaces(id),"
        " time INTEGER NOT NULL,"
        " rx INTEGER NOT NULL,"
        " tx INTEGER NOT NULL,"
        " uptime INTEGER," /* NULL: the reading had no uptime */
        " ros_id TEXT NOT NULL DEFAULT '') STRICT;"
        "CREATE TABLE traffic("
        " interface_id INTEGER NOT NULL,"
        " step INTEGER NOT NULL,"
        " start INTEGER NOT NULL,"
        " rx INTEGER NOT NULL,"
        " tx INTEGER NOT NULL,"
        " PRIMARY KEY(interface_id, step, start)) WITHOUT ROWID, STRICT;"
        "CREATE TABLE alerts("
        " interface_id INTEGER NOT NULL REFERENCES interfaces(id),"
        " cycle_start INTEGER NOT NULL,"
        " percent INTEGER NOT NULL,"
        " PRIMARY KEY(interface_id, cycle_start, percent)) WITHOUT ROWID, STRICT;"
        "CREATE TABLE imports("
        " interface_id INTEGER NOT NULL REFERENCES interfaces(id),"
        " source TEXT NOT NULL,"
        " last_time INTEGER NOT NULL,"
        " PRIMARY KEY(interface_id, source)) STRICT;"
        "PRAGMA application_id = 1953065843;"
        "PRAGMA user_version = 1;";

/* Schema version 2: the last reading's sub-second time and its source
 * (accounting.h). A last reading of version 1 that import-legacy wrote (the
 * time of the interface's import mark, no uptime, no .id) is a legacy
 * reading: the first poll or push after the upgrade is then a new
 * baseline, not a reset that counts the whole counter again. Any other old
 * reading keeps an unknown source, which continues like any source. */
static const char SCHEMA_V2[] =
        "ALTER TABLE last_reading ADD COLUMN"
        " time_ms INTEGER NOT NULL DEFAULT 0 CHECK (time_ms BETWEEN 0 AND 999);"
        "ALTER TABLE last_reading ADD COLUMN"
        " source TEXT CHECK (source IN ('poll', 'push', 'legacy'));"
        "UPDATE last_reading SET source = 'legacy'"
        " WHERE uptime IS NULL AND ros_id = '' AND EXISTS (SELECT 1 FROM imports AS m"
        "  WHERE m.interface_id = last_reading.interface_id AND m.last_time = last_reading.time);"
        "PRAGMA user_version = 2;";

/* Schema version 3: counters of three kinds (enum store_kind) in the
 * interfaces table, a name unique per router and kind (a queue may be
 * named like an interface), what the router says of queues and devices,
 * and the quota alerts of [bill] sections. SQLite cannot change a
 * table's constraints in place: the table is rebuilt the way SQLite
 * documents ("Making Other Kinds Of Table Schema Changes"): a new table,
 * the rows copied with their ids, the old one dropped, the new one
 * renamed, with foreign keys off during the migration (migrate), so that
 * the references of last_reading, alerts and imports (by table name)
 * point at the new table, and checked afterwards. Never rename the old
 * table first: that would rewrite those references to its new name. */
static const char SCHEMA_V3[] = "CREATE TABLE interfaces_v3("
                                " id INTEGER PRIMARY KEY,"
                                " router_id INTEGER NOT NULL REFERENCES routers(id),"
                                " kind INTEGER NOT NULL DEFAULT 0 CHECK (kind IN (0, 1, 2)),"
                                " name BLOB NOT NULL,"
                                " display TEXT,"
                                " address TEXT,"
                                " last_seen INTEGER,"
                                " UNIQUE(router_id, kind, name)) STRICT;"
                                "INSERT INTO interfaces_v3(id, router_id, kind, name)"
                                " SELECT id, router_id, 0, name FROM interfaces;"
                                "DROP TABLE interfaces;"
                                "ALTER TABLE interfaces_v3 RENAME TO interfaces;"
                                "CREATE TABLE bill_alerts("
                                " bill TEXT NOT NULL,"
                                " cycle_start INTEGER NOT NULL,"
                                " percent INTEGER NOT NULL,"
                                " PRIMARY KEY(bill, cycle_start, percent)) WITHOUT ROWID, STRICT;"
                                "PRAGMA user_version = 3;";

struct store_conn {
	sqlite3 *db; /* NULL only after a failed reconnect */
	char *path;  /* as given to store_open */
	dev_t dev;   /* the file the connection opened */
	ino_t ino;
	unsigned generation; /* restore_generation when connected */
	ino_t side_ino[2];   /* the writer's -wal and -shm (SIDE_SUFFIX) */
	bool detached;       /* they are at their .detached names */
	bool readonly;
	int busy_ms;                      /* how long a statement waits for a lock */
	bool in_series, in_list, in_rank; /* a callback of these is running */
	sqlite3_stmt *st[ST_COUNT];
	char err[512];
};

/* ------------------------------------------------------------------ */
/* errors and small helpers                                            */
/* ------------------------------------------------------------------ */

/* Failed reads of a damaged or unreadable file, all read-only handles of
 * the process together (store_read_errors). */
static atomic_uint_fast64_t read_errors;
/* Incremented by every store_restore_file of this process: read-only
 * handles then reconnect to the restored file at their next transaction. */
static atomic_uint restore_generation;

/* Whether an SQLite result code says the file itself is bad (as opposed
 * to a busy lock, a constraint or a bug in the caller). */
static bool damaged(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
	case SQLITE_FORMAT: return true;
	default: return false;
	}
}

static uint64_t sqlite_read_errors(void)
{
	return atomic_load_explicit(&read_errors, memory_order_relaxed);
}

/* Why a writer got "attempt to write a readonly database": SQLite says
 * the same words for causes an administrator fixes differently. "" when
 * the error is not one of those. */
static const char *readonly_why(store_conn *s)
{
	switch (sqlite3_extended_errcode(s->db)) {
	case SQLITE_READONLY_DBMOVED:
		return " (the database file was moved or replaced since tikstatd opened it)";
	case SQLITE_READONLY_CANTINIT:
	case SQLITE_READONLY_CANTLOCK:
	case SQLITE_READONLY_RECOVERY:
	case SQLITE_READONLY_DIRECTORY:
		return " (the -wal or -shm file beside it, or its directory, is not writable by "
		       "this user)";
	case SQLITE_READONLY:
		if (!s->readonly && sqlite3_db_readonly(s->db, "main") == 1)
			return " (the file is not writable by this user: it was opened read-only)";
		return "";
	default: return "";
	}
}

/* Sets the error message: the formatted context, then SQLite's message
 * when with_db. Always returns -1. */
__attribute__((format(printf, 3, 4))) static int fail(store_conn *s, bool with_db, const char *fmt,
                                                      ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	if (with_db && n >= 0 && (size_t)n < sizeof s->err)
		snprintf(s->err + n, sizeof s->err - (size_t)n, ": %s%s",
		         s->db ? sqlite3_errmsg(s->db) : "the database is not open",
		         s->db ? readonly_why(s) : "");
	if (with_db && s->readonly && s->db && damaged(sqlite3_errcode(s->db)))
		atomic_fetch_add_explicit(&read_errors, 1, memory_order_relaxed);
	return -1;
}

/* The int64 holding the bits of v (memcpy: the conversion of values above
 * INT64_MAX by cast is implementation-defined). */
static sqlite3_int64 u64_bits(uint64_t v)
{
	sqlite3_int64 i;
	memcpy(&i, &v, sizeof i);
	return i;
}

static uint64_t col_u64(sqlite3_stmt *st, int col)
{
	return (uint64_t)sqlite3_column_int64(st, col);
}

/* The prepared statement id, prepared on first use. NULL on error. */
static sqlite3_stmt *stmt(store_conn *s, enum stmt_id id)
{
	if (!s->db) {
		fail(s, false, "the database is not open (a reopen failed)");
		return NULL;
	}
	if (!s->st[id] && sqlite3_prepare_v3(s->db, stmt_def[id].sql, -1, SQLITE_PREPARE_PERSISTENT,
	                                     &s->st[id], NULL) != SQLITE_OK) {
		fail(s, true, "cannot prepare statement %s", stmt_def[id].name);
		s->st[id] = NULL;
	}
	return s->st[id];
}

/* Makes a statement ready for its next use. */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Steps a statement that returns no rows (or whose rows are ignored) to
 * the end and resets it. 0 or -1. */
static int run(store_conn *s, sqlite3_stmt *st, const char *what)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	int ret = rc == SQLITE_DONE ? 0 : fail(s, true, "%s", what);
	done(st);
	return ret;
}

static int writable(store_conn *s, const char *what)
{
	if (s->readonly)
		return fail(s, false, "%s: the database is open read-only", what);
	return 0;
}

static int valid_step(store_conn *s, enum step step, const char *what)
{
	if ((unsigned)step >= STEP_COUNT)
		return fail(s, false, "%s: no such step %d", what, (int)step);
	return 0;
}

/* Whether the argc arguments of an SQL function are all integers (the
 * uint64 bit patterns of this file); else sets the function's error. */
static bool u64_args(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	for (int i = 0; i < argc; i++) {
		if (sqlite3_value_type(argv[i]) != SQLITE_INTEGER) {
			sqlite3_result_error(ctx, "tikstat: integer arguments expected", -1);
			return false;
		}
	}
	return true;
}

/* tikstat_u64add(a, b): a + b on the uint64 bit patterns, or an SQL error
 * when the sum does not fit in 64 bits. */
static void sql_u64add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (!u64_args(ctx, argc, argv))
		return;
	uint64_t a = (uint64_t)sqlite3_value_int64(argv[0]);
	uint64_t b = (uint64_t)sqlite3_value_int64(argv[1]);
	if (a > UINT64_MAX - b) {
		sqlite3_result_error(ctx, "the bucket's byte count would exceed 2^64-1", -1);
		return;
	}
	sqlite3_result_int64(ctx, u64_bits(a + b));
}

/* Adds v to *acc; -1 when the sum does not fit in 64 bits. */
static int add_u64(uint64_t *acc, uint64_t v)
{
	if (*acc > UINT64_MAX - v)
		return -1;
	*acc += v;
	return 0;
}

/* tikstat_u64sum(x): the sum of the uint64 bit patterns of a group, or an
 * SQL error when it does not fit in 64 bits (sum() would fail at 2^63 and
 * misread the patterns above it). 0 for an empty group. */
struct u64sum {
	uint64_t sum;
};

static void sql_u64sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct u64sum *a = sqlite3_aggregate_context(ctx, (int)sizeof *a);
	if (!a) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (!u64_args(ctx, argc, argv))
		return;
	if (add_u64(&a->sum, (uint64_t)sqlite3_value_int64(argv[0])))
		sqlite3_result_error(ctx, "the traffic sum exceeds 2^64-1 bytes", -1);
}

static void sql_u64sum_final(sqlite3_context *ctx)
{
	const struct u64sum *a = sqlite3_aggregate_context(ctx, 0);
	sqlite3_result_int64(ctx, u64_bits(a ? a->sum : 0));
}

/* tikstat_u64key(a, b): a BLOB that sorts like the exact sum a + b of two
 * uint64 bit patterns (65 bits, big-endian: a carry byte then 8 bytes).
 * SQL compares BLOBs with memcmp; an INTEGER sum would wrap at 2^63. */
static void sql_u64key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (!u64_args(ctx, argc, argv))
		return;
	uint64_t a = (uint64_t)sqlite3_value_int64(argv[0]);
	uint64_t sum = a + (uint64_t)sqlite3_value_int64(argv[1]);
	unsigned char key[9];
	key[0] = sum < a; /* the carry: unsigned addition wraps, defined */
	for (int i = 0; i < 8; i++)
		key[1 + i] = (unsigned char)(sum >> (56 - 8 * i));
	sqlite3_result_blob(ctx, key, (int)sizeof key, SQLITE_TRANSIENT);
}

/* Registers the SQL functions above on the connection. 0 or -1. */
static int register_functions(store_conn *s)
{
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
	if (sqlite3_create_function_v2(s->db, "tikstat_u64add", 2, flags, NULL, sql_u64add, NULL,
	                               NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "tikstat_u64sum", 1, flags, NULL, NULL,
	                               sql_u64sum_step, sql_u64sum_final, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "tikstat_u64key", 2, flags, NULL, sql_u64key, NULL,
	                               NULL, NULL) != SQLITE_OK)
		return fail(s, true, "cannot register SQL functions");
	return 0;
}

/* ------------------------------------------------------------------ */
/* opening, schema and migrations                                      */
/* ------------------------------------------------------------------ */

/* Runs constant SQL (setup pragmas, migration scripts; never built at run
 * time). 0 or -1 with the message prefixed by what. */
static int exec_const(store_conn *s, const char *sql, const char *what)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail(s, false, "%s: %s", what, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The integer result of a one-row constant query (a pragma). */
static int query_int(store_conn *s, const char *sql, sqlite3_int64 *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		fail(s, true, "cannot read the database");
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

static int migrate_v1(store_conn *s)
{
	return exec_const(s, SCHEMA_V1, "cannot create schema version 1");
}

static int migrate_v2(store_conn *s)
{
	return exec_const(s, SCHEMA_V2, "cannot migrate to schema version 2");
}

static int migrate_v3(store_conn *s)
{
	return exec_const(s, SCHEMA_V3, "cannot migrate to schema version 3");
}

/* migrations[i] brings a database from user_version i to i + 1 and sets
 * user_version itself. A new schema version adds one function here. */
static int (*const migrations[])(store_conn *s) = {migrate_v1, migrate_v2, migrate_v3};

static int sqlite_schema_version(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}

/* What kind of database the file is: its user_version, or -1 after an
 * error (not a database, not tikstat's, too new). */
static sqlite3_int64 check_database(store_conn *s)
{
	sqlite3_int64 version = 0, app_id = 0, objects = 0;
	if (query_int(s, "PRAGMA user_version", &version) ||
	    query_int(s, "PRAGMA application_id", &app_id) ||
	    query_int(s, "SELECT count(*) FROM sqlite_schema", &objects))
		return -1;
	if (version == 0 && app_id == 0 && objects == 0)
		return 0; /* new or empty file */
	if (app_id != APPLICATION_ID || version <= 0) {
		fail(s, false,
		     "not a tikstat database (application_id %lld, user_version %lld, %lld schema "
		     "objects)",
		     (long long)app_id, (long long)version, (long long)objects);
		return -1;
	}
	if (version > sqlite_schema_version()) {
		fail(s, false,
		     "database schema %lld is newer than this tikstat (%d): upgrade tikstat",
		     (long long)version, sqlite_schema_version());
		return -1;
	}
	return version;
}

/* After a migration: 0 when every reference between the tables still
 * finds its row (PRAGMA foreign_key_check), else -1 naming the first that
 * does not and how many do not. */
static int check_references(store_conn *s)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return fail(s, true, "cannot check the references between tables");
	}
	char first[200] = "";
	long bad = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (bad++ == 0) {
			const char *table = (const char *)sqlite3_column_text(st, 0);
			const char *parent = (const char *)sqlite3_column_text(st, 2);
			snprintf(first, sizeof first,
			         "row %lld of %s refers to a missing row of %s",
			         (long long)sqlite3_column_int64(st, 1), table ? table : "?",
			         parent ? parent : "?");
		}
	}
	int ret = 0;
	if (rc != SQLITE_DONE)
		ret = fail(s, true, "cannot check the references between tables");
	else if (bad > 0)
		ret = fail(s, false, "the schema migration would break references: %s (%ld in all)",
		           first, bad);
	sqlite3_finalize(st);
	return ret;
}

/* Brings the schema to the current version in one transaction. Foreign
 * keys are off meanwhile (they can only be switched outside a
 * transaction): a migration may rebuild a table others refer to
 * (SCHEMA_V3); check_references verifies the result before the commit. */
static int migrate(store_conn *s)
{
	if (exec_const(s, "PRAGMA foreign_keys = OFF", "cannot start the schema migration") ||
	    exec_const(s, "BEGIN IMMEDIATE", "cannot start the schema migration"))
		return -1;
	/* Read again inside the write lock: another process may have migrated. */
	sqlite3_int64 version = check_database(s);
	for (sqlite3_int64 v = version; v >= 0 && v < sqlite_schema_version(); v++) {
		if (migrations[v](s)) {
			version = -1;
			break;
		}
	}
	if (version < 0 || check_references(s) ||
	    exec_const(s, "COMMIT", "cannot commit the schema migration")) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec_const(s, "PRAGMA foreign_keys = ON", "cannot configure the database");
}

/* Journal and durability settings of the writer.
 *
 * WAL lets the read-only connections of the HTTP threads and the CLI read
 * while the poller writes, and makes a commit one append to the -wal file.
 * With synchronous=NORMAL the WAL is synced only at checkpoints, not at
 * every commit: a power cut can lose the last commits, but the database is
 * never corrupted. Those lost commits are recovered by the accounting
 * design: the routers' counters are cumulative, so the next reading after
 * a restart counts the traffic since the last reading that did reach the
 * disk (README, "Accounting").
 *
 * A new file (fresh) is made with auto_vacuum = INCREMENTAL, so that the
 * pages pruning frees can go back to the filesystem (store_reclaim). It
 * must be set before anything writes the header: the switch to WAL does,
 * and afterwards only a VACUUM changes it (store_compact). */
static int setup_writer(store_conn *s, bool fresh)
{
	if (fresh &&
	    exec_const(s, "PRAGMA auto_vacuum = INCREMENTAL", "cannot set up space reclaiming"))
		return -1;
	sqlite3_stmt *st = NULL;
	int ok = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) ==
	                 SQLITE_OK &&
	         sqlite3_step(st) == SQLITE_ROW;
	if (!ok) {
		fail(s, true, "cannot set the journal mode");
	} else {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!mode || strcmp(mode, "wal") != 0) {
			fail(s, false,
			     "cannot use WAL journal mode (the database stays in %s mode)",
			     mode ? mode : "an unknown");
			ok = 0;
		}
	}
	sqlite3_finalize(st);
	if (!ok)
		return -1;
	/* Keep the -wal and -shm files when the writer closes: a read-only
	 * reader (the CLI run by another user) can read a WAL database without
	 * write access to its directory only while those files exist. The
	 * size limit truncates the kept -wal file at close and after
	 * checkpoints, so it does not keep the size of the largest batch. */
	int persist = 1;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist) != SQLITE_OK)
		return fail(s, true, "cannot keep the WAL file");
	return exec_const(s,
	                  "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
	                  " PRAGMA journal_size_limit = 4194304",
	                  "cannot configure the database");
}

static void report(char *err, size_t errsz, const char *path, const char *msg)
{
	if (err && errsz)
		snprintf(err, errsz, "cannot open %s: %s", path, msg);
}

/* The writer's files next to the database: SQLite opens them by name
 * once (WAL mode, PERSIST_WAL) and keeps them open. */
static const char *const SIDE_SUFFIX[2] = {"-wal", "-shm"};
#define DETACHED_SUFFIX ".detached"

/* path + a + b in a new string, NULL when out of memory. */
static char *path_with2(const char *path, const char *a, const char *b)
{
	size_t n = strlen(path), m = strlen(a), k = strlen(b);
	char *p = malloc(n + m + k + 1);
	if (p) {
		memcpy(p, path, n);
		memcpy(p + n, a, m);
		memcpy(p + n + m, b, k + 1);
	}
	return p;
}

static char *path_with(const char *path, const char *suffix)
{
	return path_with2(path, suffix, "");
}

/* Records which -wal and -shm files the writer's connection has open. */
static void remember_side_files(store_conn *s)
{
	for (int i = 0; i < 2; i++) {
		char *p = path_with(s->path, SIDE_SUFFIX[i]);
		struct stat st;
		s->side_ino[i] = p && stat(p, &st) == 0 ? st.st_ino : 0;
		free(p);
	}
}

/* Closes the connection (statements included); a transaction still open
 * is rolled back. */
static void disconnect(store_conn *s)
{
	if (!s->db)
		return;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
}

/* Opens s->path (s->readonly says how), checks and sets it up, and
 * remembers which file it is (device and inode). 0, or -1 with the reason
 * in s->err and no connection. */
static int connect_db(store_conn *s)
{
	int flags =
	        SQLITE_OPEN_NOMUTEX |
	        (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		fail(s, false, "%s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto err;
	}
	sqlite3_busy_timeout(s->db, s->busy_ms);
	if (register_functions(s))
		goto err;
	/* Look before writing anything: a foreign or newer file is left as it is. */
	sqlite3_int64 version = check_database(s);
	if (version < 0)
		goto err;
	if (s->readonly) {
		if (version == 0) {
			fail(s, false, "no tikstat schema in it yet (tikstatd creates it)");
			goto err;
		}
		if (version < sqlite_schema_version()) {
			fail(s, false,
			     "database schema %lld is older than this tikstat (%d): start tikstatd "
			     "once to upgrade it",
			     (long long)version, sqlite_schema_version());
			goto err;
		}
	} else if (setup_writer(s, version == 0) ||
	           (version < sqlite_schema_version() && migrate(s))) {
		goto err;
	}
	/* SQLite keeps the file open from here on: the file at the path now is
	 * the one the connection reads (store_file_check compares later). */
	struct stat st;
	if (stat(s->path, &st) < 0) {
		fail(s, false, "%s", strerror(errno));
		goto err;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->generation = atomic_load(&restore_generation);
	s->detached = false;
	if (!s->readonly)
		remember_side_files(s);
	return 0;
err:
	disconnect(s);
	return -1;
}

static store_conn *sqlite_open(const char *path, bool readonly, char *err, size_t errsz)
{
	store_conn *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		report(err, errsz, path, "out of memory");
		free(s);
		return NULL;
	}
	s->readonly = readonly;
	s->busy_ms = BUSY_TIMEOUT_MS;
	if (connect_db(s) < 0) {
		report(err, errsz, path, s->err);
		free(s->path);
		free(s);
		return NULL;
	}
	return s;
}

static void sqlite_set_busy_timeout(store_conn *s, int ms)
{
	s->busy_ms = ms;
	if (s->db)
		sqlite3_busy_timeout(s->db, ms);
}

/* Removes the writer's *.detached side files (after its connection closed). */
static void drop_detached(store_conn *s)
{
	for (int i = 0; s->detached && i < 2; i++) {
		char *p = path_with2(s->path, SIDE_SUFFIX[i], DETACHED_SUFFIX);
		if (p)
			unlink(p);
		free(p);
	}
	s->detached = false;
}

static void sqlite_close(store_conn *s)
{
	if (!s)
		return;
	/* Another file is at the path: SQLite then skips the checkpoint at
	 * close (the file "has moved"), so do it here, or the open file
	 * (wherever it was moved) would lack what only the WAL holds. */
	if (s->detached && s->db && sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	disconnect(s);
	drop_detached(s);
	free(s->path);
	free(s);
}

static const char *sqlite_errmsg(const store_conn *s)
{
	if (!s)
		return "no database handle";
	return s->err[0] ? s->err : "no error";
}

static int sqlite_explain(store_conn *s, store_plan_fn fn, void *ctx)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, stmt_def[i].plan, -1, &st, NULL) != SQLITE_OK) {
			fail(s, true, "cannot explain statement %s", stmt_def[i].name);
			sqlite3_finalize(st);
			return -1;
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			fn(ctx, stmt_def[i].name, detail ? detail : "");
		}
		if (rc != SQLITE_DONE)
			fail(s, true, "cannot explain statement %s", stmt_def[i].name);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* transactions                                                        */
/* ------------------------------------------------------------------ */

/* A reader whose file was restored by the writer (store_restore_file)
 * moves to the restored file: same content, and the one written from now
 * on. A reader never follows a file that merely replaced the open one. */
static void follow_restore(store_conn *s)
{
	if (!s->readonly || (s->db && s->generation == atomic_load(&restore_generation)))
		return;
	store_conn next = {.path = s->path, .readonly = true};
	if (connect_db(&next) < 0)
		return; /* keep reading the old file */
	disconnect(s);
	s->db = next.db;
	s->dev = next.dev;
	s->ino = next.ino;
	s->generation = next.generation;
}

static int sqlite_begin(store_conn *s)
{
	follow_restore(s);
	/* The writer takes the write lock at once, so a commit can never fail
	 * with SQLITE_BUSY half-way; a reader's (deferred) BEGIN makes the
	 * queries up to its COMMIT see the snapshot of the first of them. */
	sqlite3_stmt *st = stmt(s, s->readonly ? ST_BEGIN_READ : ST_BEGIN_WRITE);
	return st ? run(s, st, "cannot begin a transaction") : -1;
}

static int sqlite_commit(store_conn *s)
{
	sqlite3_stmt *st = stmt(s, ST_COMMIT);
	return st ? run(s, st, "cannot commit") : -1;
}

static int sqlite_rollback(store_conn *s)
{
	/* Nothing to undo (also after a failed COMMIT that SQLite already
	 * rolled back): success. */
	if (!s->db || sqlite3_get_autocommit(s->db))
		return 0;
	sqlite3_stmt *st = stmt(s, ST_ROLLBACK);
	return st ? run(s, st, "cannot roll back") : -1;
}

/* ------------------------------------------------------------------ */
/* routers and interfaces                                              */
/* ------------------------------------------------------------------ */

/* Looks up one id with st (bindings done): 0 found, 1 none, -1 error. */
static int lookup_id(store_conn *s, sqlite3_stmt *st, int64_t *id, const char *what)
{
	int rc = sqlite3_step(st);
	int ret;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
	} else {
		ret = fail(s, true, "%s", what);
	}
	done(st);
	return ret;
}

static int bind_text(sqlite3_stmt *st, int i, const char *text)
{
	return sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

static int bind_name(sqlite3_stmt *st, int i, const char *name)
{
	return sqlite3_bind_blob(st, i, name, (int)strlen(name), SQLITE_STATIC);
}

/* Binds (router id, kind, name): the key of a counter in its router. */
static void bind_counter(sqlite3_stmt *st, int64_t router_id, enum store_kind kind,
                         const char *name)
{
	sqlite3_bind_int64(st, 1, router_id);
	sqlite3_bind_int(st, 2, (int)kind);
	bind_name(st, 3, name);
}

static int valid_kind(store_conn *s, enum store_kind kind, const char *what)
{
	if ((unsigned)kind >= STORE_KIND_COUNT)
		return fail(s, false, "%s: no such kind of counter %d", what, (int)kind);
	return 0;
}

static int sqlite_counter_id(store_conn *s, const char *router, enum store_kind kind,
                             const char *name, int64_t *id)
{
	const char *what = "cannot register counter";
	if (writable(s, what) || valid_kind(s, kind, what))
		return -1;
	if (strlen(router) > INT32_MAX || strlen(name) > INT32_MAX)
		return fail(s, false, "%s: name too long", what);
	sqlite3_stmt *st = stmt(s, ST_ROUTER_FIND);
	if (!st)
		return -1;
	int64_t rid = 0;
	bind_text(st, 1, router);
	int rc = lookup_id(s, st, &rid, what);
	if (rc == 1) {
		if (!(st = stmt(s, ST_ROUTER_ADD)))
			return -1;
		bind_text(st, 1, router);
		if (run(s, st, what))
			return -1;
		rid = sqlite3_last_insert_rowid(s->db);
	} else if (rc < 0) {
		return -1;
	}
	if (!(st = stmt(s, ST_IFACE_FIND_IN)))
		return -1;
	bind_counter(st, rid, kind, name);
	rc = lookup_id(s, st, id, what);
	if (rc != 1)
		return rc;
	if (!(st = stmt(s, ST_IFACE_ADD)))
		return -1;
	bind_counter(st, rid, kind, name);
	if (run(s, st, what))
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int sqlite_find_counter(store_conn *s, const char *router, enum store_kind kind,
                               const char *name, int64_t *id)
{
	if (valid_kind(s, kind, "cannot look up counter"))
		return -1;
	if (strlen(router) > INT32_MAX || strlen(name) > INT32_MAX)
		return 1;
	sqlite3_stmt *st = stmt(s, ST_IFACE_FIND);
	if (!st)
		return -1;
	bind_text(st, 1, router);
	sqlite3_bind_int(st, 2, (int)kind);
	bind_name(st, 3, name);
	return lookup_id(s, st, id, "cannot look up counter");
}

/* Binds an optional string (NULL: SQL NULL) as text of its exact bytes:
 * what a router says is not checked UTF-8 (escaped where it is shown). */
static void bind_opt_text(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, (int)strnlen(text, INT32_MAX), SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int sqlite_set_counter_info(store_conn *s, int64_t id, const char *display,
                                   const char *address, const int64_t *last_seen)
{
	const char *what = "cannot record what the router says of a counter";
	if (writable(s, what))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_COUNTER_INFO);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_opt_text(st, 2, display);
	bind_opt_text(st, 3, address);
	if (last_seen)
		sqlite3_bind_int64(st, 4, *last_seen);
	if (run(s, st, what))
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return fail(s, false, "%s: no counter %lld", what, (long long)id);
	return 0;
}

/* ------------------------------------------------------------------ */
/* last readings                                                       */
/* ------------------------------------------------------------------ */

static int sqlite_load_reading(store_conn *s, int64_t iface, struct acct_reading *r, bool *have)
{
	sqlite3_stmt *st = stmt(s, ST_READING_LOAD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	int rc = sqlite3_step(st);
	*have = false;
	if (rc == SQLITE_ROW) {
		memset(r, 0, sizeof *r);
		r->time = sqlite3_column_int64(st, 0);
		r->rx = col_u64(st, 1);
		r->tx = col_u64(st, 2);
		r->has_uptime = sqlite3_column_type(st, 3) != SQLITE_NULL;
		r->uptime = r->has_uptime ? col_u64(st, 3) : 0;
		const unsigned char *rid = sqlite3_column_text(st, 4);
		int n = sqlite3_column_bytes(st, 4);
		if (rid && n > 0) {
			size_t len = (size_t)n < sizeof r->id ? (size_t)n : sizeof r->id - 1;
			memcpy(r->id, rid, len);
			r->id[len] = '\0';
		}
		r->time_sub_ms = (int32_t)sqlite3_column_int64(st, 5);
		r->source = acct_source_parse((const char *)sqlite3_column_text(st, 6));
		*have = true;
	}
	int ret = rc == SQLITE_ROW || rc == SQLITE_DONE
	                  ? 0
	                  : fail(s, true, "cannot load the last reading of interface %lld",
	                         (long long)iface);
	done(st);
	return ret;
}

static int sqlite_save_reading(store_conn *s, int64_t iface, const struct acct_reading *r)
{
	if (writable(s, "cannot save reading"))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_READING_SAVE);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	sqlite3_bind_int64(st, 2, r->time);
	sqlite3_bind_int64(st, 3, u64_bits(r->rx));
	sqlite3_bind_int64(st, 4, u64_bits(r->tx));
	if (r->has_uptime)
		sqlite3_bind_int64(st, 5, u64_bits(r->uptime));
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, r->id, (int)strnlen(r->id, sizeof r->id), SQLITE_STATIC);
	sqlite3_bind_int64(st, 7,
	                   r->time_sub_ms >= 0 && r->time_sub_ms <= 999 ? r->time_sub_ms : 0);
	const char *source = acct_source_name(r->source);
	if (source)
		sqlite3_bind_text(st, 8, source, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	if (sqlite3_step(st) != SQLITE_DONE) {
		fail(s, true, "cannot save the last reading of interface %lld", (long long)iface);
		done(st);
		return -1;
	}
	done(st);
	return 0;
}

/* ------------------------------------------------------------------ */
/* traffic                                                             */
/* ------------------------------------------------------------------ */

/* One upsert; the sum itself is checked by tikstat_u64add, so an overflow
 * fails the statement before the row is written: nothing changes, and an
 * enclosing transaction stays usable. (Measured: ~0.8 us a call within a
 * transaction, the same as an unchecked upsert; a read-modify-write in C,
 * SELECT then UPDATE or INSERT, took ~1.5x as long.) */
static int sqlite_add_traffic(store_conn *s, int64_t iface, enum step step, int64_t start,
                              uint64_t rx, uint64_t tx)
{
	const char *what = "cannot add traffic";
	if (writable(s, what) || valid_step(s, step, what))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_TRAFFIC_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	sqlite3_bind_int(st, 2, (int)step);
	sqlite3_bind_int64(st, 3, start);
	sqlite3_bind_int64(st, 4, u64_bits(rx));
	sqlite3_bind_int64(st, 5, u64_bits(tx));
	if (sqlite3_step(st) != SQLITE_DONE) {
		fail(s, true, "cannot add traffic to interface %lld, %s bucket at %lld",
		     (long long)iface, step_name(step), (long long)start);
		done(st);
		return -1;
	}
	done(st);
	return 0;
}

/* Deletes the buckets of the counters of kind (-1: every kind) older
 * than keep[step] for every step with a finite keep (store_prune,
 * store_prune_kind). */
static int sqlite_prune(store_conn *s, int kind, int64_t now, const int64_t keep[STEP_COUNT])
{
	if (writable(s, "cannot prune") ||
	    (kind >= 0 && valid_kind(s, (enum store_kind)kind, "cannot prune")))
		return -1;
	enum stmt_id id = kind < 0 ? ST_PRUNE : ST_PRUNE_KIND;
	for (int i = 0; i < STEP_COUNT; i++) {
		/* keep <= 0: forever; a cutoff below INT64_MIN: nothing is that old. */
		if (keep[i] <= 0 || now < INT64_MIN + keep[i])
			continue;
		sqlite3_stmt *st = stmt(s, id);
		if (!st)
			return -1;
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int64(st, 2, now - keep[i]);
		if (id == ST_PRUNE_KIND)
			sqlite3_bind_int(st, 3, (int)kind);
		if (run(s, st, "cannot prune old buckets"))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* alerts and import marks                                             */
/* ------------------------------------------------------------------ */

/* Whether the row (first key, cycle_start, percent) is in the alerts
 * table that st (ST_ALERT_SENT or ST_BILL_ALERT_SENT, key 1 bound) reads. */
static int alert_row_sent(store_conn *s, sqlite3_stmt *st, int64_t cycle_start, int percent,
                          bool *sent)
{
	sqlite3_bind_int64(st, 2, cycle_start);
	sqlite3_bind_int(st, 3, percent);
	int64_t one;
	int rc = lookup_id(s, st, &one, "cannot read quota alerts");
	if (rc < 0)
		return -1;
	*sent = rc == 0;
	return 0;
}

/* Records the row (first key, cycle_start, percent) with st
 * (ST_ALERT_MARK or ST_BILL_ALERT_MARK, key 1 bound); a row already
 * there is no error. */
static int alert_row_mark(store_conn *s, sqlite3_stmt *st, int64_t cycle_start, int percent)
{
	sqlite3_bind_int64(st, 2, cycle_start);
	sqlite3_bind_int(st, 3, percent);
	return run(s, st, "cannot record a quota alert");
}

static int sqlite_alert_sent(store_conn *s, int64_t iface, int64_t cycle_start, int percent,
                             bool *sent)
{
	sqlite3_stmt *st = stmt(s, ST_ALERT_SENT);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	return alert_row_sent(s, st, cycle_start, percent, sent);
}

static int sqlite_mark_alert(store_conn *s, int64_t iface, int64_t cycle_start, int percent)
{
	const char *what = "cannot record a quota alert";
	if (writable(s, what))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_ALERT_MARK);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	return alert_row_mark(s, st, cycle_start, percent);
}

static int sqlite_bill_alert_sent(store_conn *s, const char *bill, int64_t cycle_start, int percent,
                                  bool *sent)
{
	sqlite3_stmt *st = stmt(s, ST_BILL_ALERT_SENT);
	if (!st)
		return -1;
	bind_text(st, 1, bill);
	return alert_row_sent(s, st, cycle_start, percent, sent);
}

static int sqlite_mark_bill_alert(store_conn *s, const char *bill, int64_t cycle_start, int percent)
{
	const char *what = "cannot record a quota alert";
	if (writable(s, what))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_BILL_ALERT_MARK);
	if (!st)
		return -1;
	bind_text(st, 1, bill);
	return alert_row_mark(s, st, cycle_start, percent);
}

/* No mark yet: 0 with *last_time = INT64_MIN (nothing imported). */
static int sqlite_import_mark(store_conn *s, int64_t iface, const char *source, int64_t *last_time)
{
	sqlite3_stmt *st = stmt(s, ST_IMPORT_GET);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	bind_text(st, 2, source);
	int rc = lookup_id(s, st, last_time, "cannot read the import progress");
	if (rc < 0)
		return -1;
	if (rc == 1)
		*last_time = INT64_MIN;
	return 0;
}

static int sqlite_set_import_mark(store_conn *s, int64_t iface, const char *source,
                                  int64_t last_time)
{
	const char *what = "cannot record the import progress";
	if (writable(s, what))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_IMPORT_SET);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	bind_text(st, 2, source);
	sqlite3_bind_int64(st, 3, last_time);
	return run(s, st, what);
}

/* The rows (iface, key, time, percent) of st as marks of kind to fn. */
static int mark_rows(store_conn *s, sqlite3_stmt *st, enum store_mark_kind kind, store_mark_fn fn,
                     void *ctx)
{
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_mark m = {kind, sqlite3_column_int64(st, 0),
		                       (const char *)sqlite3_column_text(st, 1),
		                       sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3)};
		if ((ret = fn(ctx, &m)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail(s, true, "cannot list the alerts and import marks");
	done(st);
	return ret;
}

static int sqlite_list_marks(store_conn *s, store_mark_fn fn, void *ctx)
{
	_Static_assert(ST_MARKS_BILL == ST_MARKS_ALERT + STORE_MARK_BILL_ALERT &&
	                       ST_MARKS_IMPORT == ST_MARKS_ALERT + STORE_MARK_IMPORT,
	               "the marks statements in the kinds' order");
	/* ST_MARKS_ALERT, _BILL, _IMPORT follow each other as the kinds do. */
	int ret = 0;
	for (int k = STORE_MARK_ALERT; k <= STORE_MARK_IMPORT && ret == 0; k++) {
		sqlite3_stmt *st = stmt(s, (enum stmt_id)(ST_MARKS_ALERT + k));
		ret = st ? mark_rows(s, st, (enum store_mark_kind)k, fn, ctx) : -1;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* reading traffic                                                     */
/* ------------------------------------------------------------------ */

static int sqlite_series(store_conn *s, int64_t iface, enum step step, int64_t from, int64_t to,
                         store_point_fn fn, void *ctx)
{
	const char *what = "cannot read traffic";
	if (valid_step(s, step, what))
		return -1;
	/* The statement stays stepped during the callbacks. */
	if (s->in_series)
		return fail(s, false, "%s: store_series called from its own callback", what);
	sqlite3_stmt *st = stmt(s, ST_SERIES);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	sqlite3_bind_int(st, 2, (int)step);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	s->in_series = true;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_point p = {sqlite3_column_int64(st, 0), col_u64(st, 1),
		                        col_u64(st, 2)};
		if ((ret = fn(ctx, &p)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail(s, true, "%s of interface %lld", what, (long long)iface);
	s->in_series = false;
	done(st);
	return ret;
}

/* Adds up the (rx, tx) rows of st (bindings done) in C, exactly. */
static int sum_rows(store_conn *s, sqlite3_stmt *st, int64_t iface, uint64_t *rx, uint64_t *tx)
{
	uint64_t srx = 0, stx = 0;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (add_u64(&srx, col_u64(st, 0)) || add_u64(&stx, col_u64(st, 1))) {
			ret = fail(s, false,
			           "the traffic sum of interface %lld exceeds 2^64-1 bytes",
			           (long long)iface);
			break;
		}
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail(s, true, "cannot sum the traffic of interface %lld", (long long)iface);
	done(st);
	if (ret == 0) {
		*rx = srx;
		*tx = stx;
	}
	return ret;
}

static int sqlite_sum(store_conn *s, int64_t iface, enum step step, int64_t from, int64_t to,
                      uint64_t *rx, uint64_t *tx)
{
	if (valid_step(s, step, "cannot sum traffic"))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_SUM);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	sqlite3_bind_int(st, 2, (int)step);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	return sum_rows(s, st, iface, rx, tx);
}

static int sqlite_totals(store_conn *s, int64_t iface, uint64_t *rx, uint64_t *tx)
{
	sqlite3_stmt *st = stmt(s, ST_TOTALS);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	sqlite3_bind_int(st, 2, STEP_YEAR);
	return sum_rows(s, st, iface, rx, tx);
}

/* The display, address and last_seen columns of st from col on. */
static struct store_counter_info column_info(sqlite3_stmt *st, int col)
{
	struct store_counter_info info = {0};
	info.display = (const char *)sqlite3_column_text(st, col);
	info.address = (const char *)sqlite3_column_text(st, col + 1);
	info.has_last_seen = sqlite3_column_type(st, col + 2) != SQLITE_NULL;
	info.last_seen = info.has_last_seen ? sqlite3_column_int64(st, col + 2) : 0;
	return info;
}

/* The counters of kind (-1: every kind), in ST_LIST's order. */
static int list_counters(store_conn *s, int kind, store_iface_fn fn, void *ctx)
{
	if (s->in_list)
		return fail(s, false, "store_list_interfaces called from its own callback");
	sqlite3_stmt *st = stmt(s, ST_LIST);
	if (!st || !stmt(s, ST_TOTALS))
		return -1;
	sqlite3_bind_int(st, 1, kind);
	s->in_list = true;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_iface i = {0};
		/* column_text also NUL-terminates the BLOB name, byte for byte. */
		i.router = (const char *)sqlite3_column_text(st, 0);
		i.id = sqlite3_column_int64(st, 1);
		i.name = (const char *)sqlite3_column_text(st, 2);
		i.has_reading = sqlite3_column_type(st, 3) != SQLITE_NULL;
		i.last_time = i.has_reading ? sqlite3_column_int64(st, 3) : 0;
		i.kind = (enum store_kind)sqlite3_column_int(st, 4);
		i.info = column_info(st, 5);
		if (!i.router || !i.name) {
			ret = fail(s, true, "cannot list interfaces");
			break;
		}
		if ((ret = sqlite_totals(s, i.id, &i.rx_total, &i.tx_total)) != 0)
			break;
		if ((ret = fn(ctx, &i)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail(s, true, "cannot list interfaces");
	s->in_list = false;
	done(st);
	return ret;
}

static int sqlite_list_interfaces(store_conn *s, store_iface_fn fn, void *ctx)
{
	return list_counters(s, STORE_IFACE, fn, ctx);
}

static int sqlite_list_counters(store_conn *s, store_iface_fn fn, void *ctx)
{
	return list_counters(s, -1, fn, ctx);
}

/* The ranking's rows: ST_RANK gives one row per counter with traffic in
 * the range, already in rank order (the sort runs on those rows only);
 * the limit is applied here, so that the totals still see every row. */
static int rank_rows(store_conn *s, sqlite3_stmt *st, const struct store_rank_query *q,
                     store_rank_fn fn, void *ctx, struct store_rank_total *total)
{
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ranked c = {.id = sqlite3_column_int64(st, 0),
		                         .name = (const char *)sqlite3_column_text(st, 1),
		                         .info = column_info(st, 2),
		                         .rx = col_u64(st, 5),
		                         .tx = col_u64(st, 6)};
		if (!c.name)
			return fail(s, true, "cannot rank counters");
		if (add_u64(&total->rx, c.rx) || add_u64(&total->tx, c.tx))
			return fail(s, false, "the traffic sum of the %ss exceeds 2^64-1 bytes",
			            store_kind_name(q->kind));
		if (total->counters++ < q->limit && (ret = fn(ctx, &c)) != 0)
			return ret;
	}
	return rc == SQLITE_DONE ? 0 : fail(s, true, "cannot rank counters");
}

static int sqlite_rank(store_conn *s, const struct store_rank_query *q, store_rank_fn fn, void *ctx,
                       struct store_rank_total *total)
{
	const char *what = "cannot rank counters";
	memset(total, 0, sizeof *total);
	if (valid_kind(s, q->kind, what) || valid_step(s, q->step, what))
		return -1;
	/* The statement stays stepped during the callbacks. */
	if (s->in_rank)
		return fail(s, false, "%s: store_rank called from its own callback", what);
	if (strlen(q->router) > INT32_MAX)
		return 0; /* no such router */
	sqlite3_stmt *st = stmt(s, ST_RANK);
	if (!st)
		return -1;
	bind_text(st, 1, q->router);
	sqlite3_bind_int(st, 2, (int)q->kind);
	sqlite3_bind_int(st, 3, (int)q->step);
	sqlite3_bind_int64(st, 4, q->from);
	sqlite3_bind_int64(st, 5, q->to);
	s->in_rank = true;
	int ret = rank_rows(s, st, q, fn, ctx, total);
	s->in_rank = false;
	done(st);
	return ret;
}

/* ------------------------------------------------------------------ */
/* removing history                                                    */
/* ------------------------------------------------------------------ */

static int sqlite_history_days(store_conn *s, int64_t iface, int64_t *days)
{
	sqlite3_stmt *st = stmt(s, ST_HISTORY_DAYS);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iface);
	sqlite3_bind_int(st, 2, STEP_DAY);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*days = sqlite3_column_int64(st, 0);
	done(st);
	return rc == SQLITE_ROW ? 0 : fail(s, true, "cannot count the days of history");
}

static int sqlite_remove_history(store_conn *s, int64_t iface)
{
	static const enum stmt_id removals[] = {ST_REMOVE_TRAFFIC, ST_REMOVE_READING,
	                                        ST_REMOVE_ALERTS, ST_REMOVE_IMPORTS};
	if (writable(s, "cannot remove history"))
		return -1;
	/* BEGIN IMMEDIATE waits (busy timeout) for tikstatd's commit to end,
	 * then holds the write lock: every table loses the rows, or none. */
	if (sqlite_begin(s))
		return -1;
	for (size_t i = 0; i < sizeof removals / sizeof removals[0]; i++) {
		sqlite3_stmt *st = stmt(s, removals[i]);
		if (!st)
			goto err;
		sqlite3_bind_int64(st, 1, iface);
		if (run(s, st, "cannot remove history"))
			goto err;
	}
	if (sqlite_commit(s))
		goto err;
	return 0;
err:
	sqlite_rollback(s);
	return -1;
}

/* ------------------------------------------------------------------ */
/* space: free pages back to the filesystem                            */
/* ------------------------------------------------------------------ */

static int sqlite_space(store_conn *s, struct store_space *out)
{
	sqlite3_stmt *st = stmt(s, ST_SPACE);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->pages = sqlite3_column_int64(st, 0);
		out->free_pages = sqlite3_column_int64(st, 1);
		out->page_size = sqlite3_column_int64(st, 2);
		out->incremental = sqlite3_column_int(st, 3) == 2; /* 2: INCREMENTAL */
	}
	done(st);
	return rc == SQLITE_ROW ? 0 : fail(s, true, "cannot read the database's size");
}

/* Copies the WAL into the file without waiting for anyone: pages a
 * vacuum cut off the end leave the file only at a checkpoint. A busy
 * checkpoint (a reader on an older snapshot) is no error: the next one,
 * SQLite's own after 1000 pages of WAL or the one at close, does it. */
static int checkpoint(store_conn *s, int mode)
{
	int rc = sqlite3_wal_checkpoint_v2(s->db, "main", mode, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return fail(s, true, "cannot checkpoint the database");
	return 0;
}

static int sqlite_reclaim(store_conn *s, int max_pages, int *freed)
{
	*freed = 0;
	if (writable(s, "cannot reclaim free pages"))
		return -1;
	if (max_pages <= 0)
		return 0;
	if (sqlite_begin(s))
		return -1;
	sqlite3_stmt *st = stmt(s, ST_RECLAIM);
	int rc = st ? SQLITE_DONE : SQLITE_ERROR;
	while (st && *freed < max_pages && (rc = sqlite3_step(st)) == SQLITE_ROW)
		(*freed)++;
	bool ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
	if (st && !ok)
		fail(s, true, "cannot reclaim free pages");
	/* A reset before the end keeps the pages freed so far freed. */
	if (st)
		done(st);
	if (!ok || sqlite_commit(s)) {
		sqlite_rollback(s);
		*freed = 0;
		return -1;
	}
	return *freed > 0 ? checkpoint(s, SQLITE_CHECKPOINT_PASSIVE) : 0;
}

static int sqlite_compact(store_conn *s)
{
	if (writable(s, "cannot compact"))
		return -1;
	/* VACUUM copies the database into a temporary one and back through the
	 * WAL: the file at the path stays the same file (same inode; tikstatd's
	 * file check is content), and readers keep their snapshots meanwhile.
	 * It waits (busy timeout) for tikstatd's commit, then holds the write
	 * lock for the copy: tikstatd's commits wait or are retried. */
	if (exec_const(s, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM", "cannot compact"))
		return -1;
	return checkpoint(s, SQLITE_CHECKPOINT_TRUNCATE);
}

/* ------------------------------------------------------------------ */
/* health: integrity, the file at the path, restoring a deleted file   */
/* ------------------------------------------------------------------ */

/* Interrupts a connection when a budget runs out, from a thread of its own:
 * SQLite's progress handler is not called inside the b-tree walk of an
 * integrity check (measured: first call after 0.7 s of 3.5 s), while
 * sqlite3_interrupt stops it there too. */
struct budget_timer {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	sqlite3 *db;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	bool done, fired;
};

static void *budget_timer_main(void *arg)
{
	struct budget_timer *t = arg;
	pthread_mutex_lock(&t->lock);
	int rc = 0;
	while (!t->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&t->cond, &t->lock, &t->deadline);
	if (!t->done) {
		sqlite3_interrupt(t->db);
		t->fired = true;
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

/* Starts the timer; -1 when no thread could be made (then no budget). */
static int budget_start(struct budget_timer *t, pthread_t *th, sqlite3 *db, int budget_ms)
{
	memset(t, 0, sizeof *t);
	t->db = db;
	clock_gettime(CLOCK_MONOTONIC, &t->deadline);
	t->deadline.tv_sec += budget_ms / 1000;
	t->deadline.tv_nsec += (long)(budget_ms % 1000) * 1000000L;
	if (t->deadline.tv_nsec >= 1000000000L) {
		t->deadline.tv_sec++;
		t->deadline.tv_nsec -= 1000000000L;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(th, NULL, budget_timer_main, t) != 0) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
		return -1;
	}
	return 0;
}

/* Stops the timer; true when it interrupted the connection. */
static bool budget_stop(struct budget_timer *t, pthread_t th)
{
	pthread_mutex_lock(&t->lock);
	t->done = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(th, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	return t->fired;
}

static int sqlite_quick_check(store_conn *s, int budget_ms, char *out, size_t outsz)
{
	if (!s->db)
		return fail(s, false, "the database is not open");
	if (budget_ms <= 0) {
		snprintf(out, outsz, "not finished within %d ms (skipped)", budget_ms);
		return 2;
	}
	sqlite3_stmt *st = NULL;
	snprintf(out, outsz, "ok");
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(10)", -1, &st, NULL) != SQLITE_OK) {
		/* A damaged schema already fails here. */
		snprintf(out, outsz, "%s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return 1;
	}
	struct budget_timer timer;
	pthread_t th;
	bool timed = budget_start(&timer, &th, s->db, budget_ms) == 0;
	int rc, rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (rows++ == 0)
			snprintf(out, outsz, "%s", line ? line : "?");
	}
	bool fired = timed && budget_stop(&timer, th);
	int ret;
	if (rc == SQLITE_INTERRUPT || (fired && rc != SQLITE_DONE)) {
		snprintf(out, outsz, "not finished within %d ms", budget_ms);
		ret = 2;
	} else if (rc != SQLITE_DONE) {
		snprintf(out, outsz, "%s", sqlite3_errmsg(s->db));
		ret = 1;
	} else if (rows == 1 && strcmp(out, "ok") == 0) {
		ret = 0;
	} else {
		if (rows > 1) {
			size_t n = strlen(out);
			if (n < outsz)
				snprintf(out + n, outsz - n, " (and %d more problem%s)", rows - 1,
				         rows > 2 ? "s" : "");
		}
		ret = 1;
	}
	sqlite3_finalize(st);
	/* One line: SQLite's messages may hold newlines, and the text goes
	 * into the log and into sd_notify's STATUS= (newline-separated). */
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	return ret;
}

static enum store_file sqlite_file_check(const store_conn *s)
{
	struct stat st;
	if (stat(s->path, &st) < 0)
		return errno == ENOENT ? STORE_FILE_DELETED : STORE_FILE_OK;
	if (st.st_dev != s->dev || st.st_ino != s->ino)
		return STORE_FILE_REPLACED;
	return STORE_FILE_OK;
}

static const char *sqlite_path(const store_conn *s)
{
	return s->path;
}

/* Copies the open database (all of it, pending WAL content included:
 * the backup reads through the connection) into a new file at tmp. */
static int backup_to(store_conn *s, const char *tmp)
{
	sqlite3 *dst = NULL;
	unlink(tmp);
	int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
		if (b) {
			rc = sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? sqlite3_errcode(dst) : rc;
		} else {
			rc = sqlite3_errcode(dst);
		}
	}
	if (rc != SQLITE_OK)
		fail(s, false, "cannot copy the open database to %s: %s", tmp,
		     dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	if (sqlite3_close(dst) != SQLITE_OK && rc == SQLITE_OK)
		rc = fail(s, false, "cannot close the copy %s", tmp);
	if (rc != SQLITE_OK) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Removes the -wal and -shm files at the path: they belong to the open
 * (deleted) file, and a new file at the path must not take them over. The
 * open connections keep their own descriptors of them. */
static int drop_side_files(store_conn *s)
{
	for (int i = 0; i < 2; i++) {
		char *p = path_with(s->path, SIDE_SUFFIX[i]);
		if (!p)
			return fail(s, false, "out of memory");
		int rc = unlink(p) < 0 && errno != ENOENT ? -1 : 0;
		if (rc < 0)
			fail(s, false, "cannot remove %s: %s", p, strerror(errno));
		free(p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int sqlite_restore_file(store_conn *s)
{
	if (s->readonly || !s->db || !sqlite3_get_autocommit(s->db))
		return fail(s, false, "cannot restore the database file: not the idle writer");
	if (sqlite_file_check(s) != STORE_FILE_DELETED)
		return fail(s, false, "cannot restore the database file: %s exists", s->path);
	char *tmp = path_with(s->path, ".restoring");
	if (!tmp)
		return fail(s, false, "out of memory");
	/* Everything into the open file first, so the WAL left behind is empty. */
	sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	int rc = backup_to(s, tmp);
	if (rc == 0)
		rc = drop_side_files(s);
	/* link, not rename: never overwrite a file that appeared meanwhile. */
	if (rc == 0 && link(tmp, s->path) < 0)
		rc = fail(s, false, "cannot put the copy back at %s: %s", s->path, strerror(errno));
	unlink(tmp);
	free(tmp);
	if (rc < 0)
		return -1;
	/* The old connection must not checkpoint into the deleted file while
	 * closing: nothing of it is needed any more. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	disconnect(s);
	drop_detached(s);
	atomic_fetch_add(&restore_generation, 1);
	if (connect_db(s) < 0) {
		char why[sizeof s->err];
		snprintf(why, sizeof why, "%s", s->err);
		return fail(s, false, "the copy is back at %s, but cannot be opened: %s", s->path,
		            why);
	}
	return 0;
}

static int sqlite_reconnect(store_conn *s)
{
	if (s->db)
		return 0;
	return connect_db(s);
}

/* Renames the writer's side file i from one suffix to the other when the
 * file at from is still the one it has open. */
static int move_side_file(store_conn *s, int i, bool away)
{
	char *name = path_with(s->path, SIDE_SUFFIX[i]);
	char *parked = path_with2(s->path, SIDE_SUFFIX[i], DETACHED_SUFFIX);
	const char *from = away ? name : parked, *to = away ? parked : name;
	struct stat st;
	int rc = 0;
	if (!name || !parked)
		rc = fail(s, false, "out of memory");
	else if (stat(from, &st) == 0 && st.st_ino == s->side_ino[i] && rename(from, to) < 0)
		rc = fail(s, false, "cannot rename %s: %s", from, strerror(errno));
	free(name);
	free(parked);
	return rc;
}

static int sqlite_detach_side_files(store_conn *s)
{
	if (s->readonly || !s->db || s->detached)
		return 0;
	/* Empty the WAL first: a reader of the other file that opened the
	 * WAL before the rename then finds no page of this database in it. */
	sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	for (int i = 0; i < 2; i++)
		if (move_side_file(s, i, true) < 0)
			return -1;
	s->detached = true;
	return 0;
}

static int sqlite_attach_side_files(store_conn *s)
{
	if (!s->detached)
		return 0;
	for (int i = 0; i < 2; i++)
		if (move_side_file(s, i, false) < 0)
			return -1;
	s->detached = false;
	return 0;
}

/* What --check-config says of the database: the engine and the schema. */
static int sqlite_describe(store_conn *s, char *out, size_t outsz)
{
	sqlite3_int64 version = 0;
	if (!s->db)
		return fail(s, false, "the database is not open");
	if (query_int(s, "PRAGMA user_version", &version))
		return -1;
	snprintf(out, outsz, "SQLite %s file %s, schema version %lld", sqlite3_libversion(),
	         s->path, (long long)version);
	return 0;
}

const struct store_engine store_sqlite_engine = {
        .name = "SQLite",
        .open = sqlite_open,
        .set_busy_timeout = sqlite_set_busy_timeout,
        .close = sqlite_close,
        .errmsg = sqlite_errmsg,
        .explain = sqlite_explain,
        .begin = sqlite_begin,
        .commit = sqlite_commit,
        .rollback = sqlite_rollback,
        .counter_id = sqlite_counter_id,
        .find_counter = sqlite_find_counter,
        .set_counter_info = sqlite_set_counter_info,
        .load_reading = sqlite_load_reading,
        .save_reading = sqlite_save_reading,
        .add_traffic = sqlite_add_traffic,
        .prune = sqlite_prune,
        .alert_sent = sqlite_alert_sent,
        .mark_alert = sqlite_mark_alert,
        .bill_alert_sent = sqlite_bill_alert_sent,
        .mark_bill_alert = sqlite_mark_bill_alert,
        .import_mark = sqlite_import_mark,
        .set_import_mark = sqlite_set_import_mark,
        .list_marks = sqlite_list_marks,
        .series = sqlite_series,
        .sum = sqlite_sum,
        .totals = sqlite_totals,
        .list_interfaces = sqlite_list_interfaces,
        .list_counters = sqlite_list_counters,
        .rank = sqlite_rank,
        .history_days = sqlite_history_days,
        .remove_history = sqlite_remove_history,
        .space = sqlite_space,
        .reclaim = sqlite_reclaim,
        .compact = sqlite_compact,
        .quick_check = sqlite_quick_check,
        .file_check = sqlite_file_check,
        .path = sqlite_path,
        .restore_file = sqlite_restore_file,
        .reconnect = sqlite_reconnect,
        .detach_side_files = sqlite_detach_side_files,
        .attach_side_files = sqlite_attach_side_files,
        .describe = sqlite_describe,
        .read_errors = sqlite_read_errors,
        .schema_version = sqlite_schema_version,
};
