/*
 * store_pg.c — the PostgreSQL engine of the store (see store.h; store.c
 * picks it for a postgresql:// or postgres:// database). The only user of
 * libpq (through store_pglib.h, which loads it on the first open) and the
 * only place where PostgreSQL's SQL is written.
 *
 * The same tables, columns and keys as SQLite's (store_sqlite.c), so
 * that every statement is an index lookup as there:
 *   - names (routers, counters, bills, import sources) and what a router
 *     says (display, address, .id) are bytea: raw bytes, compared like
 *     SQLite's BLOBs (memcmp, then length), so ORDER BY gives SQLite's
 *     order, and no byte a router sends can fail an encoding check;
 *   - counters and byte sums are numeric(20,0) in the domain tikstat_u64
 *     (0 .. 2^64-1): the upsert "rx = traffic.rx + excluded.rx" fails
 *     exactly where SQLite's tikstat_u64add refuses to wrap, and sums over
 *     many buckets are exact numerics, parsed in C by a strict decimal
 *     parser that refuses anything above 2^64-1.
 *
 * Every statement is a constant in PG_STATEMENTS below, prepared on a
 * connection at its first use (PQprepare, or PQsendPrepare in a pipeline)
 * and run with PQexecPrepared: no SQL text is ever assembled at run time.
 * Parameters are text, names binary (bytea); results are text, bytea
 * columns in hex, decoded with PQunescapeBytea.
 *
 * The writer pipelines its writes (libpq's pipeline mode): inside a write
 * transaction store_save_reading, store_add_traffic, store_set_counter_info
 * and the marks are sent without waiting for their answers, which are
 * collected at the commit (or before a read, or every PIPE_BATCH
 * statements so that neither side's buffers fill up). A failure anywhere
 * fails the commit, which is rolled back; the recorder keeps its readings
 * and writes them again (as after SQLite's failed commits). A commit of N
 * readings is then one round trip instead of ~6N.
 *
 * Readers (HTTP threads, the CLI) have read-only sessions with a statement
 * timeout; store_begin gives them one snapshot (REPEATABLE READ READ
 * ONLY) per answer, like SQLite's read transaction. A lost connection (the
 * server restarted) is made anew at the next store_begin, or at the next
 * statement outside a transaction, and the statements are prepared again.
 */
#include "store_engine.h"
#include "store_pglib.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 5000
/* How long a reader's statement may run: a stuck query must not hold an
 * HTTP thread for ever. */
#define READER_STATEMENT_TIMEOUT "30000"
/* libpq's connect_timeout unless the URI sets one (seconds). */
#define CONNECT_TIMEOUT "10"
/* Pipelined statements between two syncs: bounds what waits in the
 * socket buffers (a blocking client that sends without reading could
 * otherwise stall against a server whose answers nobody reads). */
#define PIPE_BATCH 256
/* The schema version this build writes (tikstat_meta). */
#define PG_SCHEMA_VERSION 1
/* pg_advisory_xact_lock's key for creating and migrating the schema:
 * "tiks" in ASCII, like SQLite's application_id. */
#define SCHEMA_LOCK_KEY "1953065843"

/* X(id, name, sql): every statement the engine runs after opening. */
#define PG_STATEMENTS(X)                                                                           \
	X(ST_BEGIN_WRITE, "begin_write", "BEGIN")                                                  \
	X(ST_BEGIN_READ, "begin_read", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")          \
	X(ST_COMMIT, "commit", "COMMIT")                                                           \
	X(ST_ROLLBACK, "rollback", "ROLLBACK")                                                     \
	X(ST_LOCK_TIMEOUT, "lock_timeout", "SELECT set_config('lock_timeout', $1::text, false)")   \
	X(ST_ROUTER_FIND, "router_find", "SELECT id FROM routers WHERE name = $1::bytea")          \
	X(ST_ROUTER_ADD, "router_add",                                                             \
	  "INSERT INTO routers(name) VALUES ($1::bytea) ON CONFLICT (name) DO NOTHING RETURNING "  \
	  "id")                                                                                    \
	X(ST_IFACE_FIND_IN, "iface_find_in",                                                       \
	  "SELECT id FROM interfaces"                                                              \
	  " WHERE router_id = $1::bigint AND kind = $2::integer AND name = $3::bytea")             \
	X(ST_IFACE_ADD, "iface_add",                                                               \
	  "INSERT INTO interfaces(router_id, kind, name) VALUES ($1::bigint, $2::integer, "        \
	  "$3::bytea)"                                                                             \
	  " ON CONFLICT (router_id, kind, name) DO NOTHING RETURNING id")                          \
	X(ST_IFACE_FIND, "iface_find",                                                             \
	  "SELECT i.id FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"               \
	  " WHERE r.name = $1::bytea AND i.kind = $2::integer AND i.name = $3::bytea")             \
	X(ST_COUNTER_INFO, "counter_info",                                                         \
	  "UPDATE interfaces SET display = coalesce($2::bytea, display),"                          \
	  " address = coalesce($3::bytea, address), last_seen = coalesce($4::bigint, last_seen)"   \
	  " WHERE id = $1::bigint")                                                                \
	X(ST_READING_LOAD, "reading_load",                                                         \
	  "SELECT \"time\", rx, tx, uptime, ros_id, time_ms, source FROM last_reading"             \
	  " WHERE interface_id = $1::bigint")                                                      \
	X(ST_READING_SAVE, "reading_save",                                                         \
	  "INSERT INTO last_reading(interface_id, \"time\", rx, tx, uptime, ros_id, time_ms, "     \
	  "source)"                                                                                \
	  " VALUES ($1::bigint, $2::bigint, $3::numeric, $4::numeric, $5::numeric, $6::bytea,"     \
	  " $7::integer, $8::text) ON CONFLICT (interface_id) DO UPDATE SET"                       \
	  " \"time\" = excluded.\"time\", rx = excluded.rx, tx = excluded.tx,"                     \
	  " uptime = excluded.uptime, ros_id = excluded.ros_id,"                                   \
	  " time_ms = excluded.time_ms, source = excluded.source")                                 \
	X(ST_TRAFFIC_ADD, "traffic_add",                                                           \
	  "INSERT INTO traffic(interface_id, step, start, rx, tx)"                                 \
	  " VALUES ($1::bigint, $2::integer, $3::bigint, $4::numeric, $5::numeric)"                \
	  " ON CONFLICT (interface_id, step, start) DO UPDATE SET"                                 \
	  " rx = traffic.rx + excluded.rx, tx = traffic.tx + excluded.tx")                         \
	X(ST_PRUNE, "prune",                                                                       \
	  "DELETE FROM traffic WHERE interface_id IN (SELECT id FROM interfaces)"                  \
	  " AND step = $1::integer AND start < $2::bigint")                                        \
	X(ST_PRUNE_KIND, "prune_kind",                                                             \
	  "DELETE FROM traffic WHERE interface_id IN"                                              \
	  " (SELECT id FROM interfaces WHERE kind = $3::integer)"                                  \
	  " AND step = $1::integer AND start < $2::bigint")                                        \
	X(ST_ALERT_SENT, "alert_sent",                                                             \
	  "SELECT 1 FROM alerts"                                                                   \
	  " WHERE interface_id = $1::bigint AND cycle_start = $2::bigint AND percent = "           \
	  "$3::integer")                                                                           \
	X(ST_ALERT_MARK, "alert_mark",                                                             \
	  "INSERT INTO alerts(interface_id, cycle_start, percent)"                                 \
	  " VALUES ($1::bigint, $2::bigint, $3::integer) ON CONFLICT DO NOTHING")                  \
	X(ST_BILL_ALERT_SENT, "bill_alert_sent",                                                   \
	  "SELECT 1 FROM bill_alerts"                                                              \
	  " WHERE bill = $1::bytea AND cycle_start = $2::bigint AND percent = $3::integer")        \
	X(ST_BILL_ALERT_MARK, "bill_alert_mark",                                                   \
	  "INSERT INTO bill_alerts(bill, cycle_start, percent)"                                    \
	  " VALUES ($1::bytea, $2::bigint, $3::integer) ON CONFLICT DO NOTHING")                   \
	X(ST_IMPORT_GET, "import_get",                                                             \
	  "SELECT last_time FROM imports WHERE interface_id = $1::bigint AND source = $2::bytea")  \
	X(ST_IMPORT_SET, "import_set",                                                             \
	  "INSERT INTO imports(interface_id, source, last_time)"                                   \
	  " VALUES ($1::bigint, $2::bytea, $3::bigint)"                                            \
	  " ON CONFLICT (interface_id, source) DO UPDATE SET last_time = excluded.last_time")      \
	X(ST_MARKS_ALERT, "marks_alert",                                                           \
	  "SELECT interface_id, NULL::bytea, cycle_start, percent FROM alerts"                     \
	  " ORDER BY interface_id, cycle_start, percent")                                          \
	X(ST_MARKS_BILL, "marks_bill",                                                             \
	  "SELECT 0, bill, cycle_start, percent FROM bill_alerts ORDER BY bill, cycle_start, "     \
	  "percent")                                                                               \
	X(ST_MARKS_IMPORT, "marks_import",                                                         \
	  "SELECT interface_id, source, last_time, 0 FROM imports ORDER BY interface_id, source")  \
	X(ST_SERIES, "series",                                                                     \
	  "SELECT start, rx, tx FROM traffic WHERE interface_id = $1::bigint"                      \
	  " AND step = $2::integer AND start >= $3::bigint AND start < $4::bigint ORDER BY start") \
	X(ST_SUM, "sum",                                                                           \
	  "SELECT sum(rx), sum(tx) FROM traffic WHERE interface_id = $1::bigint"                   \
	  " AND step = $2::integer AND start >= $3::bigint AND start < $4::bigint")                \
	X(ST_TOTALS, "totals",                                                                     \
	  "SELECT sum(rx), sum(tx) FROM traffic WHERE interface_id = $1::bigint"                   \
	  " AND step = $2::integer")                                                               \
	X(ST_LIST, "list",                                                                         \
	  "SELECT r.name, i.id, i.name, l.\"time\", i.kind, i.display, i.address, i.last_seen,"    \
	  " t.rx, t.tx FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"               \
	  " LEFT JOIN last_reading AS l ON l.interface_id = i.id"                                  \
	  " CROSS JOIN LATERAL (SELECT sum(rx) AS rx, sum(tx) AS tx FROM traffic"                  \
	  "  WHERE traffic.interface_id = i.id AND traffic.step = $2::integer) AS t"               \
	  " WHERE $1::integer < 0 OR i.kind = $1::integer ORDER BY r.name, i.kind, i.name")        \
	X(ST_RANK, "rank",                                                                         \
	  "SELECT i.id, i.name, i.display, i.address, i.last_seen, sum(t.rx), sum(t.tx)"           \
	  " FROM routers AS r JOIN interfaces AS i ON i.router_id = r.id"                          \
	  " JOIN traffic AS t ON t.interface_id = i.id"                                            \
	  " WHERE r.name = $1::bytea AND i.kind = $2::integer AND t.step = $3::integer"            \
	  " AND t.start >= $4::bigint AND t.start < $5::bigint GROUP BY i.id"                      \
	  " ORDER BY sum(t.rx) + sum(t.tx) DESC, i.name")                                          \
	X(ST_HISTORY_DAYS, "history_days",                                                         \
	  "SELECT count(*) FROM traffic WHERE interface_id = $1::bigint AND step = $2::integer")   \
	X(ST_REMOVE_TRAFFIC, "remove_traffic",                                                     \
	  "DELETE FROM traffic WHERE interface_id = $1::bigint")                                   \
	X(ST_REMOVE_READING, "remove_reading",                                                     \
	  "DELETE FROM last_reading WHERE interface_id = $1::bigint")                              \
	X(ST_REMOVE_ALERTS, "remove_alerts", "DELETE FROM alerts WHERE interface_id = $1::bigint") \
	X(ST_REMOVE_IMPORTS, "remove_imports",                                                     \
	  "DELETE FROM imports WHERE interface_id = $1::bigint")                                   \
	X(ST_SPACE, "space", "SELECT pg_database_size(current_database())")

#define X(id, name, sql) id,
enum stmt_id { PG_STATEMENTS(X) ST_COUNT };
#undef X

/* The statement's name on the server is "tikstat_" + name; EXPLAIN has
 * its own prepared statement ("tikstat_explain_" + name). */
static const struct {
	const char *name, *server, *sql, *explain_server, *explain;
} stmt_def[ST_COUNT] = {
#define X(id, name, sql)                                                                           \
	[id] = {name, "tikstat_" name, sql, "tikstat_explain_" name, "EXPLAIN " sql},
        PG_STATEMENTS(X)
#undef X
};

/* Schema version 1: the same tables and keys as SQLite's schema 3. The
 * meta table is made first (under the advisory lock) by create_schema. */
static const char SCHEMA_V1[] =
        "CREATE DOMAIN tikstat_u64 AS numeric(20,0)"
        " CHECK (VALUE >= 0 AND VALUE <= 18446744073709551615);"
        "CREATE TABLE routers("
        " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
        " name bytea NOT NULL UNIQUE);"
        "CREATE TABLE interfaces("
        " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
        " router_id bigint NOT NULL REFERENCES routers(id),"
        " kind integer NOT NULL DEFAULT 0 CHECK (kind IN (0, 1, 2)),"
        " name bytea NOT NULL,"
        " display bytea,"
        " address bytea,"
        " last_seen bigint,"
        " UNIQUE(router_id, kind, name));"
        "CREATE TABLE last_reading("
        " interface_id bigint PRIMARY KEY REFERENCES interfaces(id),"
        " \"time\" bigint NOT NULL,"
        " rx tikstat_u64 NOT NULL,"
        " tx tikstat_u64 NOT NULL,"
        " uptime tikstat_u64,"
        " ros_id bytea NOT NULL DEFAULT '',"
        " time_ms integer NOT NULL DEFAULT 0 CHECK (time_ms BETWEEN 0 AND 999),"
        " source text CHECK (source IN ('poll', 'push', 'legacy')));"
        "CREATE TABLE traffic("
        " interface_id bigint NOT NULL,"
        " step integer NOT NULL,"
        " start bigint NOT NULL,"
        " rx tikstat_u64 NOT NULL,"
        " tx tikstat_u64 NOT NULL,"
        " PRIMARY KEY(interface_id, step, start));"
        "CREATE TABLE alerts("
        " interface_id bigint NOT NULL REFERENCES interfaces(id),"
        " cycle_start bigint NOT NULL,"
        " percent integer NOT NULL,"
        " PRIMARY KEY(interface_id, cycle_start, percent));"
        "CREATE TABLE bill_alerts("
        " bill bytea NOT NULL,"
        " cycle_start bigint NOT NULL,"
        " percent integer NOT NULL,"
        " PRIMARY KEY(bill, cycle_start, percent));"
        "CREATE TABLE imports("
        " interface_id bigint NOT NULL REFERENCES interfaces(id),"
        " source bytea NOT NULL,"
        " last_time bigint NOT NULL,"
        " PRIMARY KEY(interface_id, source));"
        "INSERT INTO tikstat_meta(key, value) VALUES ('schema_version', 1);";

/* migrations[i] brings a database from version i to i + 1 and records
 * the new version. A new schema version adds one script here. */
static const char *const migrations[] = {SCHEMA_V1};

/* A statement sent in the pipeline whose result is still to come: what
 * it was, for the message should it fail. */
struct pending {
	enum stmt_id id;
	bool prepare; /* the statement's PQsendPrepare, not its execution */
	int64_t key[3];
};

struct store_conn {
	PGconn *conn;
	char *path;  /* as given to store_open */
	char *shown; /* the path with any password as "***" (store_path) */
	bool readonly;
	int busy_ms;     /* lock_timeout */
	bool in_tx;      /* between store_begin and its commit or rollback */
	bool piping;     /* in libpq's pipeline mode (writer, inside in_tx) */
	bool pipe_error; /* a pipelined statement failed: the commit must */
	size_t npending;
	struct pending pending[PIPE_BATCH + 2];
	bool in_series, in_list, in_rank; /* a callback of these is running */
	bool prepared[ST_COUNT];
	char err[512];
};

/* ------------------------------------------------------------------ */
/* errors and small helpers                                            */
/* ------------------------------------------------------------------ */

/* Copies msg into dst as one line (libpq's messages end with a newline
 * and may hold several lines). */
static void one_line(char *dst, size_t dstsz, const char *msg)
{
	snprintf(dst, dstsz, "%s", msg);
	size_t n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
	for (char *c = dst; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
}

/* Sets the error message: the formatted context, then detail (libpq's or
 * the server's words) when not NULL. Always returns -1. */
__attribute__((format(printf, 3, 4))) static int fail_with(store_conn *s, const char *detail,
                                                           const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	if (detail && n >= 0 && (size_t)n + 2 < sizeof s->err) {
		memcpy(s->err + n, ": ", 3);
		one_line(s->err + n + 2, sizeof s->err - (size_t)n - 2, detail);
	}
	return -1;
}

/* The connection's own error (libpq's words never hold the password). */
static const char *conn_error(const store_conn *s)
{
	if (!s->conn)
		return "not connected";
	const char *m = PQerrorMessage(s->conn);
	return m && *m ? m : "the connection failed";
}

/* The server's message of a failed result, else the connection's. */
static const char *result_error(const store_conn *s, const PGresult *res)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	return m ? m : conn_error(s);
}

/* Whether res says a statement failed because a check did (SQLSTATE
 * 23514): a byte count beyond 2^64-1. */
static bool check_violation(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return state && strcmp(state, "23514") == 0;
}

static int writable(store_conn *s, const char *what)
{
	if (s->readonly)
		return fail_with(s, NULL, "%s: the database is open read-only", what);
	return 0;
}

static int valid_step(store_conn *s, enum step step, const char *what)
{
	if ((unsigned)step >= STEP_COUNT)
		return fail_with(s, NULL, "%s: no such step %d", what, (int)step);
	return 0;
}

static int valid_kind(store_conn *s, enum store_kind kind, const char *what)
{
	if ((unsigned)kind >= STORE_KIND_COUNT)
		return fail_with(s, NULL, "%s: no such kind of counter %d", what, (int)kind);
	return 0;
}

/* Parses a whole decimal uint64 (a numeric(20,0) or a sum of them): no
 * sign, no point, no blank, nothing above 2^64-1. 0 or -1. */
static int parse_u64(const char *text, uint64_t *out)
{
	uint64_t v = 0;
	if (!text || !*text)
		return -1;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		unsigned d = (unsigned)(*c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Parses a whole decimal int64 (a bigint column). 0 or -1. */
static int parse_i64(const char *text, int64_t *out)
{
	if (!text || !*text)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Statement parameters: text, except names (binary bytea). The values
 * are copied by libpq when the statement is sent. */
#define MAX_PARAMS 8
struct params {
	int n;
	const char *v[MAX_PARAMS];
	int len[MAX_PARAMS];
	int fmt[MAX_PARAMS];
	char buf[MAX_PARAMS][24];
};

static void p_i64(struct params *p, int64_t v)
{
	snprintf(p->buf[p->n], sizeof p->buf[p->n], "%" PRId64, v);
	p->v[p->n] = p->buf[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_u64(struct params *p, uint64_t v)
{
	snprintf(p->buf[p->n], sizeof p->buf[p->n], "%" PRIu64, v);
	p->v[p->n] = p->buf[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_text(struct params *p, const char *text)
{
	p->v[p->n] = text; /* NULL: SQL NULL */
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

/* A bytea of the n bytes at b (NULL: SQL NULL). */
static void p_bytes(struct params *p, const char *b, size_t n)
{
	p->v[p->n] = b;
	p->len[p->n] = (int)n;
	p->fmt[p->n++] = 1;
}

static void p_name(struct params *p, const char *name)
{
	p_bytes(p, name, name ? strlen(name) : 0);
}

/* ------------------------------------------------------------------ */
/* the URI shown in messages                                           */
/* ------------------------------------------------------------------ */

/* Replaces the n bytes at *at in the string *str with "***"; returns the
 * position after the stars. */
static size_t mask_at(char **str, size_t at, size_t n)
{
	size_t len = strlen(*str);
	char *out = malloc(len - n + 4);
	if (!out)
		return len;
	memcpy(out, *str, at);
	memcpy(out + at, "***", 3);
	memcpy(out + at + 3, *str + at + n, len - at - n + 1);
	free(*str);
	*str = out;
	return at + 3;
}

/* The URI with the password of its user part (user:password@) and the
 * value of any password= parameter replaced by "***". NULL when out of
 * memory. */
static char *mask_password(const char *uri)
{
	char *s = strdup(uri);
	if (!s)
		return NULL;
	const char *scheme = strstr(s, "://");
	size_t auth = scheme ? (size_t)(scheme - s) + 3 : 0;
	size_t auth_end = auth + strcspn(s + auth, "/?#");
	/* userinfo: up to the last '@' of the authority. */
	size_t at = auth_end;
	for (size_t i = auth; i < auth_end; i++)
		if (s[i] == '@')
			at = i;
	if (at < auth_end) {
		const char *colon = memchr(s + auth, ':', at - auth);
		if (colon) {
			size_t from = (size_t)(colon - s) + 1;
			mask_at(&s, from, at - from);
		}
	}
	for (size_t i = 0; s[i];) {
		const char *q = strstr(s + i, "password=");
		if (!q)
			break;
		size_t from = (size_t)(q - s) + 9;
		bool param = q == s || q[-1] == '?' || q[-1] == '&';
		i = param ? mask_at(&s, from, strcspn(s + from, "&#")) : from;
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* the pipeline                                                        */
/* ------------------------------------------------------------------ */

/* The message of a failed write p (res: its result). */
static void write_failed(store_conn *s, const struct pending *p, const PGresult *res)
{
	const char *why = result_error(s, res);
	if (p->prepare)
		fail_with(s, why, "cannot prepare statement %s", stmt_def[p->id].name);
	else if (p->id == ST_TRAFFIC_ADD)
		fail_with(s,
		          check_violation(res) ? "the bucket's byte count would exceed 2^64-1"
		                               : why,
		          "cannot add traffic to interface %" PRId64 ", %s bucket at %" PRId64,
		          p->key[0], step_name((enum step)p->key[1]), p->key[2]);
	else if (p->id == ST_COUNTER_INFO)
		fail_with(s, why ? why : "no such counter",
		          "cannot record what the router says of counter %" PRId64, p->key[0]);
	else
		fail_with(s, why, "cannot write (%s of %" PRId64 ")", stmt_def[p->id].name,
		          p->key[0]);
}

/* Remembers the first failure of a pipelined statement p as the error
 * the commit reports. */
static void pipe_failed(store_conn *s, const struct pending *p, const PGresult *res)
{
	if (s->pipe_error)
		return;
	s->pipe_error = true;
	write_failed(s, p, res);
}

/* The result of one pending statement: checks it (an UPDATE of counter
 * info must have found its row) and consumes the NULL that ends it. */
static void collect_one(store_conn *s, const struct pending *p)
{
	PGresult *res = PQgetResult(s->conn);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_PIPELINE_ABORTED) {
		pipe_failed(s, p, NULL); /* an earlier failure is already recorded */
	} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pipe_failed(s, p, res);
	} else if (!p->prepare && p->id == ST_COUNTER_INFO && strcmp(PQcmdTuples(res), "0") == 0) {
		s->pipe_error = true;
		fail_with(s, NULL,
		          "cannot record what the router says of a counter: no counter %" PRId64,
		          p->key[0]);
	}
	PQclear(res);
	if (res)
		PQclear(PQgetResult(s->conn)); /* the NULL after each statement's result */
}

/* Ends a batch: a sync point, then every pending result. The server
 * skips what follows a failure up to the sync; the explicit transaction
 * stays open (in error: the commit fails). 0 or -1 when the connection
 * broke (the pipeline is then abandoned). */
static int pipe_sync(store_conn *s)
{
	if (PQpipelineSync(s->conn) != 1) {
		s->pipe_error = true;
		return fail_with(s, conn_error(s), "cannot send the writes");
	}
	for (size_t i = 0; i < s->npending; i++) {
		if (PQstatus(s->conn) == CONNECTION_BAD) {
			s->npending = 0;
			s->pipe_error = true;
			return fail_with(s, conn_error(s), "the connection to the database broke");
		}
		collect_one(s, &s->pending[i]);
	}
	s->npending = 0;
	PGresult *res = PQgetResult(s->conn);
	bool synced = res && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
	PQclear(res);
	if (!synced) {
		s->pipe_error = true;
		return fail_with(s, conn_error(s), "the database did not confirm the writes");
	}
	return 0;
}

/* Leaves pipeline mode after collecting everything sent (before a
 * synchronous statement, at the commit). 0, or -1 when the connection
 * broke. */
static int pipe_end(store_conn *s)
{
	if (!s->piping)
		return 0;
	int rc = pipe_sync(s);
	s->piping = false;
	if (PQexitPipelineMode(s->conn) != 1 && rc == 0)
		rc = fail_with(s, conn_error(s), "cannot leave pipeline mode");
	return rc;
}

/* ------------------------------------------------------------------ */
/* connecting                                                          */
/* ------------------------------------------------------------------ */

/* Runs constant SQL (session setup, the schema; never built at run time):
 * 0 or -1 with the message prefixed by what. */
static int exec_const(store_conn *s, const char *sql, const char *what)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
	                 ? 0
	                 : fail_with(s, result_error(s, res), "%s", what);
	PQclear(res);
	return rc;
}

/* A one-value constant query's integer (no row or NULL read as 0). */
static int query_const_i64(store_conn *s, const char *sql, int64_t *out, const char *what)
{
	PGresult *res = PQexec(s->conn, sql);
	int rc = -1;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) > 1)
		fail_with(s, result_error(s, res), "%s", what);
	else if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		*out = 0, rc = 0;
	else if (parse_i64(PQgetvalue(res, 0, 0), out))
		fail_with(s, NULL, "%s: not a number", what);
	else
		rc = 0;
	PQclear(res);
	return rc;
}

/* The schema's version: 0 when the database has no tikstat schema. */
static int schema_version_of(store_conn *s, int64_t *version)
{
	int64_t present = 0;
	if (query_const_i64(s, "SELECT (to_regclass('tikstat_meta') IS NOT NULL)::integer",
	                    &present, "cannot read the database"))
		return -1;
	*version = 0;
	return present ? query_const_i64(
	                         s, "SELECT value FROM tikstat_meta WHERE key = 'schema_version'",
	                         version, "cannot read the schema version")
	               : 0;
}

/* Creates or migrates the schema in one transaction, under an advisory
 * lock so that instances starting together do it once. */
static int create_schema(store_conn *s)
{
	if (exec_const(s,
	               "BEGIN; SELECT pg_advisory_xact_lock(" SCHEMA_LOCK_KEY ");"
	               " CREATE TABLE IF NOT EXISTS tikstat_meta("
	               "key text PRIMARY KEY, value bigint NOT NULL)",
	               "cannot create the schema"))
		goto err;
	int64_t version = 0;
	if (schema_version_of(s, &version))
		goto err;
	if (version > PG_SCHEMA_VERSION) {
		fail_with(s, NULL,
		          "database schema %" PRId64
		          " is newer than this tikstat (%d): upgrade tikstat",
		          version, PG_SCHEMA_VERSION);
		goto err;
	}
	for (int64_t v = version; v < PG_SCHEMA_VERSION; v++)
		if (exec_const(s, migrations[v], "cannot create or migrate the schema"))
			goto err;
	if (exec_const(s, "COMMIT", "cannot commit the schema"))
		goto err;
	return 0;
err:
	PQclear(PQexec(s->conn, "ROLLBACK"));
	return -1;
}

/* Runs a statement synchronously (below). */
static PGresult *exec_stmt(store_conn *s, enum stmt_id id, const struct params *p);

/* The session's settings, after every (re)connection. */
static int setup_session(store_conn *s)
{
	memset(s->prepared, 0, sizeof s->prepared);
	s->in_tx = s->piping = s->pipe_error = false;
	s->npending = 0;
	if (s->readonly && exec_const(s,
	                              "SET default_transaction_read_only = on;"
	                              " SET statement_timeout = " READER_STATEMENT_TIMEOUT,
	                              "cannot set up the session"))
		return -1;
	struct params p = {0};
	p_i64(&p, s->busy_ms);
	PGresult *res = exec_stmt(s, ST_LOCK_TIMEOUT, &p);
	int rc = res ? 0 : -1;
	PQclear(res);
	return rc;
}

/* The server's notices ("relation already exists, skipping") are not
 * for tikstat's users: dropped rather than printed on stderr. */
static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A new connection to s->path in s->conn (the old one closed): 0, or -1
 * with s->conn holding libpq's reason (NULL only when out of memory). */
static int dial(store_conn *s)
{
	/* Keywords after dbname override the URI's: only what it may leave
	 * unset comes before. */
	const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
	const char *const values[] = {CONNECT_TIMEOUT, "tikstat", s->path, NULL};
	if (s->conn)
		PQfinish(s->conn);
	s->conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return -1;
	PQsetNoticeProcessor(s->conn, drop_notice, NULL);
	return 0;
}

/* Connects to s->path (libpq's URI; its environment and password file
 * apply), checks or creates the schema and sets the session up. */
static int connect_db(store_conn *s)
{
	if (dial(s))
		return fail_with(s, conn_error(s), "cannot connect");
	int64_t version = 0;
	if (!s->readonly && create_schema(s))
		return -1;
	if (schema_version_of(s, &version))
		return -1;
	if (version == 0)
		return fail_with(s, NULL, "no tikstat schema in it yet (tikstatd creates it)");
	if (version > PG_SCHEMA_VERSION)
		return fail_with(s, NULL,
		                 "database schema %" PRId64
		                 " is newer than this tikstat (%d): upgrade tikstat",
		                 version, PG_SCHEMA_VERSION);
	return setup_session(s);
}

static void pg_close(store_conn *s)
{
	if (!s)
		return;
	if (s->conn)
		PQfinish(s->conn); /* the server rolls back an open transaction */
	free(s->path);
	free(s->shown);
	free(s);
}

static store_conn *pg_open(const char *path, bool readonly, char *err, size_t errsz)
{
	char why[300];
	if (store_pglib_load(why, sizeof why) < 0) {
		if (err && errsz)
			snprintf(err, errsz, "cannot open the database: %s", why);
		return NULL;
	}
	store_conn *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path)) || !(s->shown = mask_password(path))) {
		if (err && errsz)
			snprintf(err, errsz, "cannot open the database: out of memory");
		pg_close(s);
		return NULL;
	}
	s->readonly = readonly;
	s->busy_ms = BUSY_TIMEOUT_MS;
	if (connect_db(s) < 0) {
		if (err && errsz)
			snprintf(err, errsz, "cannot open %s: %s", s->shown, s->err);
		pg_close(s);
		return NULL;
	}
	return s;
}

/* A broken connection (the server restarted, the network failed) is
 * made anew, outside a transaction only: one that was open is lost, and
 * its commit must fail. 0 when connected. */
static int ensure_connected(store_conn *s)
{
	/* Still in pipeline mode when not piping: it broke while leaving it. */
	if (PQstatus(s->conn) == CONNECTION_OK &&
	    (s->piping || PQpipelineStatus(s->conn) == PQ_PIPELINE_OFF))
		return 0;
	if (s->in_tx)
		return fail_with(s, conn_error(s), "the connection to the database broke");
	/* A new connection rather than PQreset: one that broke in pipeline
	 * mode, with results pending, starts again from a clean state. */
	if (dial(s))
		return fail_with(s, conn_error(s), "cannot connect again");
	return setup_session(s);
}

/* Prepares statement id on this connection if it is not yet. 0 or -1. */
static int prepare(store_conn *s, enum stmt_id id)
{
	if (s->prepared[id])
		return 0;
	PGresult *res = PQprepare(s->conn, stmt_def[id].server, stmt_def[id].sql, 0, NULL);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK
	                 ? 0
	                 : fail_with(s, result_error(s, res), "cannot prepare statement %s",
	                             stmt_def[id].name);
	PQclear(res);
	s->prepared[id] = rc == 0;
	return rc;
}

static bool result_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs statement id synchronously, after collecting what the pipeline
 * holds: its result, failed or not (the caller clears it), or NULL with
 * the error set when it could not be sent. */
static PGresult *exec_raw(store_conn *s, enum stmt_id id, const struct params *p)
{
	if (pipe_end(s) || ensure_connected(s) || prepare(s, id))
		return NULL;
	PGresult *res = PQexecPrepared(s->conn, stmt_def[id].server, p->n, p->v, p->len, p->fmt, 0);
	if (!res)
		fail_with(s, conn_error(s), "cannot run statement %s", stmt_def[id].name);
	return res;
}

/* exec_raw's result when it succeeded (rows or a command), else NULL
 * with the error set. */
static PGresult *exec_stmt(store_conn *s, enum stmt_id id, const struct params *p)
{
	PGresult *res = exec_raw(s, id, p);
	if (!res || result_ok(res))
		return res;
	fail_with(s, result_error(s, res), "cannot run statement %s", stmt_def[id].name);
	PQclear(res);
	return NULL;
}

/* A write: pipelined inside the writer's transaction (its failure fails
 * the commit), else run at once. key: what the failure message names. */
static int write_stmt(store_conn *s, enum stmt_id id, const struct params *p, int64_t k0,
                      int64_t k1, int64_t k2)
{
	struct pending w = {.id = id, .key = {k0, k1, k2}};
	if (!s->in_tx || s->readonly) {
		PGresult *res = exec_raw(s, id, p);
		if (!res)
			return -1;
		bool ok = result_ok(res);
		if (!ok) {
			write_failed(s, &w, res);
		} else if (id == ST_COUNTER_INFO && strcmp(PQcmdTuples(res), "0") == 0) {
			ok = false;
			fail_with(s, NULL,
			          "cannot record what the router says of a counter: no counter "
			          "%" PRId64,
			          k0);
		}
		PQclear(res);
		return ok ? 0 : -1;
	}
	if (s->pipe_error)
		return -1; /* the transaction is lost: the commit says why */
	if (!s->piping) {
		if (PQenterPipelineMode(s->conn) != 1)
			return fail_with(s, conn_error(s), "cannot enter pipeline mode");
		s->piping = true;
	}
	if (!s->prepared[id]) {
		if (PQsendPrepare(s->conn, stmt_def[id].server, stmt_def[id].sql, 0, NULL) != 1)
			goto broken;
		s->prepared[id] = true;
		s->pending[s->npending++] = (struct pending){.id = id, .prepare = true};
	}
	if (PQsendQueryPrepared(s->conn, stmt_def[id].server, p->n, p->v, p->len, p->fmt, 0) != 1)
		goto broken;
	s->pending[s->npending++] = w;
	return s->npending >= PIPE_BATCH ? pipe_sync(s) : 0;
broken:
	s->pipe_error = true;
	return fail_with(s, conn_error(s), "cannot send statement %s", stmt_def[id].name);
}

static void pg_set_busy_timeout(store_conn *s, int ms)
{
	s->busy_ms = ms;
	struct params p = {0};
	p_i64(&p, ms);
	PQclear(exec_stmt(s, ST_LOCK_TIMEOUT, &p));
}

static const char *pg_errmsg(const store_conn *s)
{
	return s->err[0] ? s->err : "no error";
}

/* ------------------------------------------------------------------ */
/* transactions                                                        */
/* ------------------------------------------------------------------ */

/* Begins: a reader's snapshot, or the writer's transaction (READ
 * COMMITTED: two writers of disjoint routers never wait for each other).
 * A connection found broken is made again first; a BEGIN that fails
 * because it just broke is tried once more on a new connection. */
static int pg_begin(store_conn *s)
{
	enum stmt_id id = s->readonly ? ST_BEGIN_READ : ST_BEGIN_WRITE;
	struct params p = {0};
	s->in_tx = false;
	PGresult *res = exec_stmt(s, id, &p);
	if (!res && PQstatus(s->conn) == CONNECTION_BAD)
		res = exec_stmt(s, id, &p);
	if (!res)
		return -1;
	PQclear(res);
	s->in_tx = true;
	s->pipe_error = false;
	return 0;
}

/* Rolls back whatever is open, ignoring the outcome (after a failure). */
static void abandon(store_conn *s)
{
	if (s->piping) {
		if (PQstatus(s->conn) == CONNECTION_OK)
			pipe_sync(s);
		s->piping = false;
		PQexitPipelineMode(s->conn);
	}
	s->npending = 0;
	s->in_tx = false;
	if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
}

static int pg_commit(store_conn *s)
{
	if (!s->in_tx)
		return fail_with(s, NULL, "cannot commit: no transaction");
	if (pipe_end(s) || s->pipe_error) {
		char why[sizeof s->err];
		snprintf(why, sizeof why, "%s", s->err);
		abandon(s);
		return fail_with(s, why, "cannot commit");
	}
	struct params p = {0};
	PGresult *res = exec_stmt(s, ST_COMMIT, &p);
	s->in_tx = false;
	if (!res) {
		abandon(s);
		return -1;
	}
	PQclear(res);
	return 0;
}

static int pg_rollback(store_conn *s)
{
	if (!s->in_tx && (!s->conn || PQtransactionStatus(s->conn) == PQTRANS_IDLE))
		return 0; /* nothing to undo (also after a failed commit) */
	abandon(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* results                                                             */
/* ------------------------------------------------------------------ */

static bool col_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) == 1;
}

/* An int64 column (NULL as 0); -1 when it is not one. */
static int col_i64(const PGresult *res, int row, int col, int64_t *out)
{
	*out = 0;
	return col_null(res, row, col) ? 0 : parse_i64(PQgetvalue(res, row, col), out);
}

/* A uint64 column or sum (NULL, an empty sum, as 0); -1 beyond 2^64-1. */
static int col_u64(const PGresult *res, int row, int col, uint64_t *out)
{
	*out = 0;
	return col_null(res, row, col) ? 0 : parse_u64(PQgetvalue(res, row, col), out);
}

/* A bytea column as a NUL-terminated string of its bytes (the caller
 * frees it), NULL for SQL NULL; *bad on a decoding failure. A name
 * holding a NUL byte ends there, as SQLite's column text does. */
static char *col_bytes(const PGresult *res, int row, int col, bool *bad)
{
	if (col_null(res, row, col))
		return NULL;
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &n);
	char *str = raw ? malloc(n + 1) : NULL;
	if (!str) {
		*bad = true;
		PQfreemem(raw);
		return NULL;
	}
	memcpy(str, raw, n);
	str[n] = '\0';
	PQfreemem(raw);
	return str;
}

/* ------------------------------------------------------------------ */
/* routers and counters                                                */
/* ------------------------------------------------------------------ */

/* Runs a one-id lookup: 0 found, 1 none, -1 error. */
static int lookup_id(store_conn *s, enum stmt_id id, const struct params *p, int64_t *out)
{
	PGresult *res = exec_stmt(s, id, p);
	if (!res)
		return -1;
	int rc = PQntuples(res) == 0 ? 1 : 0;
	if (rc == 0 && col_i64(res, 0, 0, out))
		rc = fail_with(s, NULL, "statement %s: not an id", stmt_def[id].name);
	PQclear(res);
	return rc;
}

/* Finds or creates the row find/add look up (same parameters): race-free
 * between writers: the insert does nothing when another writer's row is
 * there (waiting for its commit), and the lookup after it then sees it. */
static int find_or_add(store_conn *s, enum stmt_id find, enum stmt_id add, const struct params *p,
                       int64_t *id)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = lookup_id(s, find, p, id);
		if (rc != 1)
			return rc;
		if ((rc = lookup_id(s, add, p, id)) != 1)
			return rc;
	}
	return fail_with(s, NULL, "statement %s: the row vanished", stmt_def[find].name);
}

static int pg_counter_id(store_conn *s, const char *router, enum store_kind kind, const char *name,
                         int64_t *id)
{
	const char *what = "cannot register counter";
	if (writable(s, what) || valid_kind(s, kind, what))
		return -1;
	struct params p = {0};
	p_name(&p, router);
	int64_t rid = 0;
	if (find_or_add(s, ST_ROUTER_FIND, ST_ROUTER_ADD, &p, &rid))
		return -1;
	struct params q = {0};
	p_i64(&q, rid);
	p_i64(&q, kind);
	p_name(&q, name);
	return find_or_add(s, ST_IFACE_FIND_IN, ST_IFACE_ADD, &q, id);
}

static int pg_find_counter(store_conn *s, const char *router, enum store_kind kind,
                           const char *name, int64_t *id)
{
	if (valid_kind(s, kind, "cannot look up counter"))
		return -1;
	struct params p = {0};
	p_name(&p, router);
	p_i64(&p, kind);
	p_name(&p, name);
	return lookup_id(s, ST_IFACE_FIND, &p, id);
}

static int pg_set_counter_info(store_conn *s, int64_t id, const char *display, const char *address,
                               const int64_t *last_seen)
{
	if (writable(s, "cannot record what the router says of a counter"))
		return -1;
	struct params p = {0};
	p_i64(&p, id);
	p_name(&p, display);
	p_name(&p, address);
	if (last_seen)
		p_i64(&p, *last_seen);
	else
		p_text(&p, NULL);
	return write_stmt(s, ST_COUNTER_INFO, &p, id, 0, 0);
}

/* ------------------------------------------------------------------ */
/* last readings                                                       */
/* ------------------------------------------------------------------ */

/* Row 0 of ST_READING_LOAD into r. 0 or -1. */
static int reading_row(const PGresult *res, struct acct_reading *r)
{
	memset(r, 0, sizeof *r);
	int64_t ms = 0;
	bool bad = false;
	r->has_uptime = !col_null(res, 0, 3);
	if (col_i64(res, 0, 0, &r->time) || col_u64(res, 0, 1, &r->rx) ||
	    col_u64(res, 0, 2, &r->tx) || col_u64(res, 0, 3, &r->uptime) || col_i64(res, 0, 5, &ms))
		return -1;
	char *rid = col_bytes(res, 0, 4, &bad);
	if (bad)
		return -1;
	if (rid)
		snprintf(r->id, sizeof r->id, "%s", rid);
	free(rid);
	r->time_sub_ms = (int32_t)ms;
	r->source = acct_source_parse(col_null(res, 0, 6) ? NULL : PQgetvalue(res, 0, 6));
	return 0;
}

static int pg_load_reading(store_conn *s, int64_t iface, struct acct_reading *r, bool *have)
{
	struct params p = {0};
	p_i64(&p, iface);
	*have = false;
	PGresult *res = exec_stmt(s, ST_READING_LOAD, &p);
	if (!res)
		return -1;
	int rc = 0;
	if (PQntuples(res) == 1) {
		if (reading_row(res, r))
			rc = fail_with(s, NULL,
			               "cannot load the last reading of interface %" PRId64
			               ": a value out of range",
			               iface);
		else
			*have = true;
	}
	PQclear(res);
	return rc;
}

static int pg_save_reading(store_conn *s, int64_t iface, const struct acct_reading *r)
{
	if (writable(s, "cannot save reading"))
		return -1;
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, r->time);
	p_u64(&p, r->rx);
	p_u64(&p, r->tx);
	if (r->has_uptime)
		p_u64(&p, r->uptime);
	else
		p_text(&p, NULL);
	p_bytes(&p, r->id, strnlen(r->id, sizeof r->id));
	p_i64(&p, r->time_sub_ms >= 0 && r->time_sub_ms <= 999 ? r->time_sub_ms : 0);
	p_text(&p, acct_source_name(r->source));
	return write_stmt(s, ST_READING_SAVE, &p, iface, 0, 0);
}

/* ------------------------------------------------------------------ */
/* traffic                                                             */
/* ------------------------------------------------------------------ */

static int pg_add_traffic(store_conn *s, int64_t iface, enum step step, int64_t start, uint64_t rx,
                          uint64_t tx)
{
	const char *what = "cannot add traffic";
	if (writable(s, what) || valid_step(s, step, what))
		return -1;
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, step);
	p_i64(&p, start);
	p_u64(&p, rx);
	p_u64(&p, tx);
	return write_stmt(s, ST_TRAFFIC_ADD, &p, iface, step, start);
}

/* Deletes the buckets of the counters of kind (-1: every kind) older
 * than keep[step] for every step with a finite keep (store_prune,
 * store_prune_kind). */
static int pg_prune(store_conn *s, int kind, int64_t now, const int64_t keep[STEP_COUNT])
{
	if (writable(s, "cannot prune") ||
	    (kind >= 0 && valid_kind(s, (enum store_kind)kind, "cannot prune")))
		return -1;
	enum stmt_id id = kind < 0 ? ST_PRUNE : ST_PRUNE_KIND;
	for (int i = 0; i < STEP_COUNT; i++) {
		/* keep <= 0: forever; a cutoff below INT64_MIN: nothing is that old. */
		if (keep[i] <= 0 || now < INT64_MIN + keep[i])
			continue;
		struct params p = {0};
		p_i64(&p, i);
		p_i64(&p, now - keep[i]);
		if (id == ST_PRUNE_KIND)
			p_i64(&p, kind);
		if (write_stmt(s, id, &p, i, 0, 0))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* alerts and import marks                                             */
/* ------------------------------------------------------------------ */

/* Whether the alert row of p (key, cycle_start, percent) exists. */
static int row_exists(store_conn *s, enum stmt_id id, const struct params *p, bool *sent)
{
	int64_t one = 0;
	int rc = lookup_id(s, id, p, &one);
	if (rc < 0)
		return -1;
	*sent = rc == 0;
	return 0;
}

static int pg_alert_sent(store_conn *s, int64_t iface, int64_t cycle_start, int percent, bool *sent)
{
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, cycle_start);
	p_i64(&p, percent);
	return row_exists(s, ST_ALERT_SENT, &p, sent);
}

static int pg_mark_alert(store_conn *s, int64_t iface, int64_t cycle_start, int percent)
{
	if (writable(s, "cannot record a quota alert"))
		return -1;
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, cycle_start);
	p_i64(&p, percent);
	return write_stmt(s, ST_ALERT_MARK, &p, iface, 0, 0);
}

static int pg_bill_alert_sent(store_conn *s, const char *bill, int64_t cycle_start, int percent,
                              bool *sent)
{
	struct params p = {0};
	p_name(&p, bill);
	p_i64(&p, cycle_start);
	p_i64(&p, percent);
	return row_exists(s, ST_BILL_ALERT_SENT, &p, sent);
}

static int pg_mark_bill_alert(store_conn *s, const char *bill, int64_t cycle_start, int percent)
{
	if (writable(s, "cannot record a quota alert"))
		return -1;
	struct params p = {0};
	p_name(&p, bill);
	p_i64(&p, cycle_start);
	p_i64(&p, percent);
	return write_stmt(s, ST_BILL_ALERT_MARK, &p, cycle_start, 0, 0);
}

static int pg_import_mark(store_conn *s, int64_t iface, const char *source, int64_t *last_time)
{
	struct params p = {0};
	p_i64(&p, iface);
	p_name(&p, source);
	int rc = lookup_id(s, ST_IMPORT_GET, &p, last_time);
	if (rc == 1)
		*last_time = INT64_MIN;
	return rc < 0 ? -1 : 0;
}

static int pg_set_import_mark(store_conn *s, int64_t iface, const char *source, int64_t last_time)
{
	if (writable(s, "cannot record the import progress"))
		return -1;
	struct params p = {0};
	p_i64(&p, iface);
	p_name(&p, source);
	p_i64(&p, last_time);
	return write_stmt(s, ST_IMPORT_SET, &p, iface, 0, 0);
}

/* One row (iface, key, time, percent) of a marks statement to fn. */
static int mark_row(store_conn *s, const PGresult *res, int row, enum store_mark_kind kind,
                    store_mark_fn fn, void *ctx)
{
	bool bad = false;
	char *key = col_bytes(res, row, 1, &bad);
	int64_t percent = 0;
	struct store_mark m = {.kind = kind, .key = key};
	int ret;
	if (bad || col_i64(res, row, 0, &m.iface) || col_i64(res, row, 2, &m.time) ||
	    col_i64(res, row, 3, &percent) || percent < INT_MIN || percent > INT_MAX)
		ret = fail_with(s, NULL,
		                "cannot list the alerts and import marks: a value out of range");
	else {
		m.percent = (int)percent;
		ret = fn(ctx, &m);
	}
	free(key);
	return ret;
}

static int pg_list_marks(store_conn *s, store_mark_fn fn, void *ctx)
{
	_Static_assert(ST_MARKS_BILL == ST_MARKS_ALERT + STORE_MARK_BILL_ALERT &&
	                       ST_MARKS_IMPORT == ST_MARKS_ALERT + STORE_MARK_IMPORT,
	               "the marks statements in the kinds' order");
	/* ST_MARKS_ALERT, _BILL, _IMPORT follow each other as the kinds do;
	 * each statement's rows come whole, then go to fn. */
	struct params none = {0};
	int ret = 0;
	for (int k = STORE_MARK_ALERT; k <= STORE_MARK_IMPORT && ret == 0; k++) {
		PGresult *res = exec_stmt(s, (enum stmt_id)(ST_MARKS_ALERT + k), &none);
		if (!res)
			return -1;
		for (int row = 0, n = PQntuples(res); row < n && ret == 0; row++)
			ret = mark_row(s, res, row, (enum store_mark_kind)k, fn, ctx);
		PQclear(res);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* reading traffic                                                     */
/* ------------------------------------------------------------------ */

static int pg_series(store_conn *s, int64_t iface, enum step step, int64_t from, int64_t to,
                     store_point_fn fn, void *ctx)
{
	if (valid_step(s, step, "cannot read traffic"))
		return -1;
	/* As SQLite's engine: one series at a time on a handle. */
	if (s->in_series)
		return fail_with(s, NULL,
		                 "cannot read traffic: store_series called from its own callback");
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, step);
	p_i64(&p, from);
	p_i64(&p, to);
	PGresult *res = exec_stmt(s, ST_SERIES, &p);
	if (!res)
		return -1;
	int ret = 0;
	s->in_series = true;
	for (int row = 0, n = PQntuples(res); row < n && ret == 0; row++) {
		struct store_point pt;
		if (col_i64(res, row, 0, &pt.start) || col_u64(res, row, 1, &pt.rx) ||
		    col_u64(res, row, 2, &pt.tx))
			ret = fail_with(s, NULL,
			                "cannot read traffic of interface %" PRId64
			                ": a value out of range",
			                iface);
		else
			ret = fn(ctx, &pt);
	}
	s->in_series = false;
	PQclear(res);
	return ret;
}

/* The one row of sums of ST_SUM or ST_TOTALS: exact, -1 beyond 2^64-1. */
static int sum_row(store_conn *s, enum stmt_id id, const struct params *p, int64_t iface,
                   uint64_t *rx, uint64_t *tx)
{
	PGresult *res = exec_stmt(s, id, p);
	if (!res)
		return -1;
	uint64_t srx = 0, stx = 0;
	int rc = 0;
	if (PQntuples(res) != 1 || col_u64(res, 0, 0, &srx) || col_u64(res, 0, 1, &stx))
		rc = fail_with(s, NULL,
		               "the traffic sum of interface %" PRId64 " exceeds 2^64-1 bytes",
		               iface);
	PQclear(res);
	if (rc == 0) {
		*rx = srx;
		*tx = stx;
	}
	return rc;
}

static int pg_sum(store_conn *s, int64_t iface, enum step step, int64_t from, int64_t to,
                  uint64_t *rx, uint64_t *tx)
{
	if (valid_step(s, step, "cannot sum traffic"))
		return -1;
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, step);
	p_i64(&p, from);
	p_i64(&p, to);
	return sum_row(s, ST_SUM, &p, iface, rx, tx);
}

static int pg_totals(store_conn *s, int64_t iface, uint64_t *rx, uint64_t *tx)
{
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, STEP_YEAR);
	return sum_row(s, ST_TOTALS, &p, iface, rx, tx);
}

/* The display, address and last_seen columns from col on; the strings
 * are the caller's to free. -1 on a bad value. */
static int column_info(const PGresult *res, int row, int col, struct store_counter_info *info)
{
	bool bad = false;
	memset(info, 0, sizeof *info);
	info->display = col_bytes(res, row, col, &bad);
	info->address = col_bytes(res, row, col + 1, &bad);
	info->has_last_seen = !col_null(res, row, col + 2);
	if (col_i64(res, row, col + 2, &info->last_seen))
		bad = true;
	return bad ? -1 : 0;
}

static void free_info(struct store_counter_info *info)
{
	free((char *)info->display);
	free((char *)info->address);
}

/* One row of ST_LIST to fn. */
static int list_row(store_conn *s, const PGresult *res, int row, store_iface_fn fn, void *ctx)
{
	struct store_iface i = {0};
	bool bad = false;
	char *router = col_bytes(res, row, 0, &bad);
	char *name = col_bytes(res, row, 2, &bad);
	int64_t kind = 0;
	i.router = router;
	i.name = name;
	i.has_reading = !col_null(res, row, 3);
	int ret;
	if (bad || !router || !name || col_i64(res, row, 1, &i.id) ||
	    col_i64(res, row, 3, &i.last_time) || col_i64(res, row, 4, &kind) ||
	    column_info(res, row, 5, &i.info))
		ret = fail_with(s, NULL, "cannot list interfaces: a value out of range");
	else if (col_u64(res, row, 8, &i.rx_total) || col_u64(res, row, 9, &i.tx_total))
		ret = fail_with(s, NULL,
		                "the traffic sum of interface %" PRId64 " exceeds 2^64-1 bytes",
		                i.id);
	else {
		i.kind = (enum store_kind)kind;
		ret = fn(ctx, &i);
	}
	free_info(&i.info);
	free(router);
	free(name);
	return ret;
}

/* The counters of kind (-1: every kind), in ST_LIST's order. */
static int list_counters(store_conn *s, int kind, store_iface_fn fn, void *ctx)
{
	if (s->in_list)
		return fail_with(s, NULL, "store_list_interfaces called from its own callback");
	struct params p = {0};
	p_i64(&p, kind);
	p_i64(&p, STEP_YEAR);
	PGresult *res = exec_stmt(s, ST_LIST, &p);
	if (!res)
		return -1;
	int ret = 0;
	s->in_list = true;
	for (int row = 0, n = PQntuples(res); row < n && ret == 0; row++)
		ret = list_row(s, res, row, fn, ctx);
	s->in_list = false;
	PQclear(res);
	return ret;
}

static int pg_list_interfaces(store_conn *s, store_iface_fn fn, void *ctx)
{
	return list_counters(s, STORE_IFACE, fn, ctx);
}

static int pg_list_counters(store_conn *s, store_iface_fn fn, void *ctx)
{
	return list_counters(s, -1, fn, ctx);
}

/* One row of ST_RANK: added to the totals, to fn within the limit. */
static int rank_row(store_conn *s, const PGresult *res, int row, const struct store_rank_query *q,
                    store_rank_fn fn, void *ctx, struct store_rank_total *total)
{
	struct store_ranked c = {0};
	bool bad = false;
	char *name = col_bytes(res, row, 1, &bad);
	c.name = name;
	int ret = 0;
	if (bad || !name || col_i64(res, row, 0, &c.id) || column_info(res, row, 2, &c.info))
		ret = fail_with(s, NULL, "cannot rank counters: a value out of range");
	else if (col_u64(res, row, 5, &c.rx) || col_u64(res, row, 6, &c.tx) ||
	         total->rx > UINT64_MAX - c.rx || total->tx > UINT64_MAX - c.tx)
		ret = fail_with(s, NULL, "the traffic sum of the %ss exceeds 2^64-1 bytes",
		                store_kind_name(q->kind));
	else {
		total->rx += c.rx;
		total->tx += c.tx;
		if (total->counters++ < q->limit)
			ret = fn(ctx, &c);
	}
	free_info(&c.info);
	free(name);
	return ret;
}

static int pg_rank(store_conn *s, const struct store_rank_query *q, store_rank_fn fn, void *ctx,
                   struct store_rank_total *total)
{
	const char *what = "cannot rank counters";
	memset(total, 0, sizeof *total);
	if (valid_kind(s, q->kind, what) || valid_step(s, q->step, what))
		return -1;
	if (s->in_rank)
		return fail_with(s, NULL, "%s: store_rank called from its own callback", what);
	struct params p = {0};
	p_name(&p, q->router);
	p_i64(&p, q->kind);
	p_i64(&p, q->step);
	p_i64(&p, q->from);
	p_i64(&p, q->to);
	PGresult *res = exec_stmt(s, ST_RANK, &p);
	if (!res)
		return -1;
	int ret = 0;
	s->in_rank = true;
	for (int row = 0, n = PQntuples(res); row < n && ret == 0; row++)
		ret = rank_row(s, res, row, q, fn, ctx, total);
	s->in_rank = false;
	PQclear(res);
	return ret;
}

/* ------------------------------------------------------------------ */
/* removing history                                                    */
/* ------------------------------------------------------------------ */

static int pg_history_days(store_conn *s, int64_t iface, int64_t *days)
{
	struct params p = {0};
	p_i64(&p, iface);
	p_i64(&p, STEP_DAY);
	int rc = lookup_id(s, ST_HISTORY_DAYS, &p, days);
	return rc == 0 ? 0 : fail_with(s, NULL, "cannot count the days of history");
}

static int pg_remove_history(store_conn *s, int64_t iface)
{
	static const enum stmt_id removals[] = {ST_REMOVE_TRAFFIC, ST_REMOVE_READING,
	                                        ST_REMOVE_ALERTS, ST_REMOVE_IMPORTS};
	if (writable(s, "cannot remove history") || pg_begin(s))
		return -1;
	for (size_t i = 0; i < sizeof removals / sizeof removals[0]; i++) {
		struct params p = {0};
		p_i64(&p, iface);
		if (write_stmt(s, removals[i], &p, iface, 0, 0))
			goto err;
	}
	if (pg_commit(s))
		goto err;
	return 0;
err:
	pg_rollback(s);
	return -1;
}

/* ------------------------------------------------------------------ */
/* space and health: the server manages them                           */
/* ------------------------------------------------------------------ */

/* The database's size in 8 KiB pages; nothing free to give back by
 * tikstat (autovacuum reuses the space of pruned rows). */
static int pg_space(store_conn *s, struct store_space *out)
{
	struct params p = {0};
	int64_t bytes = 0;
	if (lookup_id(s, ST_SPACE, &p, &bytes) != 0)
		return fail_with(s, NULL, "cannot read the database's size");
	out->page_size = 8192;
	out->pages = bytes / out->page_size;
	out->free_pages = 0;
	out->incremental = false;
	return 0;
}

static int pg_reclaim(store_conn *s, int max_pages, int *freed)
{
	*freed = 0;
	return writable(s, "cannot reclaim free pages");
}

static int pg_compact(store_conn *s)
{
	return fail_with(s, NULL,
	                 "--compact is for SQLite files; PostgreSQL's autovacuum reclaims space");
}

static int pg_quick_check(store_conn *s, int budget_ms, char *out, size_t outsz)
{
	snprintf(out, outsz, "ok");
	return 0;
}

static enum store_file pg_file_check(const store_conn *s)
{
	return STORE_FILE_OK;
}

static const char *pg_path(const store_conn *s)
{
	return s->shown;
}

/* No file to restore, detach or attach: nothing to do. */
static int pg_nothing(store_conn *s)
{
	return 0;
}

static int pg_reconnect(store_conn *s)
{
	return s->in_tx ? 0 : ensure_connected(s);
}

static int pg_describe(store_conn *s, char *out, size_t outsz)
{
	int64_t version = 0;
	if (ensure_connected(s) || schema_version_of(s, &version))
		return -1;
	const char *host = PQhost(s->conn), *port = PQport(s->conn), *db = PQdb(s->conn);
	const char *server = PQparameterStatus(s->conn, "server_version");
	snprintf(out, outsz, "PostgreSQL %s at %s%s%s/%s, schema version %" PRId64,
	         server ? server : "?", host ? host : "?", port && *port ? ":" : "",
	         port ? port : "", db ? db : "?", version);
	return 0;
}

/* EXPLAIN of every statement that has a plan, with its parameters as
 * zeros and empty names: one call of fn per line of the plan. */
static int pg_explain(store_conn *s, store_plan_fn fn, void *ctx)
{
	if (pipe_end(s) || ensure_connected(s))
		return -1;
	for (int i = 0; i < ST_COUNT; i++) {
		const char *sql = stmt_def[i].sql;
		if (strncmp(sql, "SELECT", 6) && strncmp(sql, "INSERT", 6) &&
		    strncmp(sql, "UPDATE", 6) && strncmp(sql, "DELETE", 6))
			continue;
		PGresult *res = PQprepare(s->conn, stmt_def[i].explain_server, stmt_def[i].explain,
		                          0, NULL);
		int nparams = 0;
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			res = PQdescribePrepared(s->conn, stmt_def[i].explain_server);
			nparams = PQnparams(res);
		}
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fail_with(s, result_error(s, res), "cannot explain statement %s",
			          stmt_def[i].name);
			PQclear(res);
			return -1;
		}
		PQclear(res);
		struct params p = {0};
		for (int k = 0; k < nparams && k < MAX_PARAMS; k++)
			p_i64(&p, 0);
		res = PQexecPrepared(s->conn, stmt_def[i].explain_server, p.n, p.v, p.len, p.fmt,
		                     0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			fail_with(s, result_error(s, res), "cannot explain statement %s",
			          stmt_def[i].name);
			PQclear(res);
			return -1;
		}
		for (int row = 0, n = PQntuples(res); row < n; row++)
			fn(ctx, stmt_def[i].name, PQgetvalue(res, row, 0));
		PQclear(res);
		PQclear(PQexec(s->conn, "DEALLOCATE ALL"));
		memset(s->prepared, 0, sizeof s->prepared);
	}
	return 0;
}

/* Not a file: nothing is read from damaged pages. */
static uint64_t pg_read_errors(void)
{
	return 0;
}

static int pg_schema_version(void)
{
	return PG_SCHEMA_VERSION;
}

const struct store_engine store_pg_engine = {
        .name = "PostgreSQL",
        .open = pg_open,
        .set_busy_timeout = pg_set_busy_timeout,
        .close = pg_close,
        .errmsg = pg_errmsg,
        .explain = pg_explain,
        .begin = pg_begin,
        .commit = pg_commit,
        .rollback = pg_rollback,
        .counter_id = pg_counter_id,
        .find_counter = pg_find_counter,
        .set_counter_info = pg_set_counter_info,
        .load_reading = pg_load_reading,
        .save_reading = pg_save_reading,
        .add_traffic = pg_add_traffic,
        .prune = pg_prune,
        .alert_sent = pg_alert_sent,
        .mark_alert = pg_mark_alert,
        .bill_alert_sent = pg_bill_alert_sent,
        .mark_bill_alert = pg_mark_bill_alert,
        .import_mark = pg_import_mark,
        .set_import_mark = pg_set_import_mark,
        .list_marks = pg_list_marks,
        .series = pg_series,
        .sum = pg_sum,
        .totals = pg_totals,
        .list_interfaces = pg_list_interfaces,
        .list_counters = pg_list_counters,
        .rank = pg_rank,
        .history_days = pg_history_days,
        .remove_history = pg_remove_history,
        .space = pg_space,
        .reclaim = pg_reclaim,
        .compact = pg_compact,
        .quick_check = pg_quick_check,
        .file_check = pg_file_check,
        .path = pg_path,
        .restore_file = pg_nothing,
        .reconnect = pg_reconnect,
        .detach_side_files = pg_nothing,
        .attach_side_files = pg_nothing,
        .describe = pg_describe,
        .read_errors = pg_read_errors,
        .schema_version = pg_schema_version,
};
