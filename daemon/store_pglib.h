/*
 * store_pglib.h — libpq, loaded when the first PostgreSQL database is
 * opened (internal to store_pg.c).
 *
 * Linking libpq would load it and its 16 libraries (Kerberos, LDAP, SASL,
 * GnuTLS...) into every run of tikstat and tikstatd, PostgreSQL or not:
 * 3 ms more for each `tikstat -m` (5.1 ms instead of 1.7; vnstat -m takes
 * 2.1) and about 1 MiB more resident in the daemon. So the programs do not
 * link it: store_pglib_load() opens libpq.so.5 with dlopen the first time
 * a postgresql:// database is opened, and the PQ* names used in
 * store_pg.c stand for the pointers it resolved. SQLite users never load
 * it, and do not need it installed.
 */
#ifndef TIKSTAT_STORE_PGLIB_H
#define TIKSTAT_STORE_PGLIB_H

#include <libpq-fe.h>
#include <stddef.h>

/* Every libpq function store_pg.c calls. */
#define STORE_PGLIB_FUNCTIONS(X)                                                                   \
	X(PQclear)                                                                                 \
	X(PQcmdTuples)                                                                             \
	X(PQconnectdbParams)                                                                       \
	X(PQdb)                                                                                    \
	X(PQdescribePrepared)                                                                      \
	X(PQenterPipelineMode)                                                                     \
	X(PQerrorMessage)                                                                          \
	X(PQexec)                                                                                  \
	X(PQexecPrepared)                                                                          \
	X(PQexitPipelineMode)                                                                      \
	X(PQfinish)                                                                                \
	X(PQfreemem)                                                                               \
	X(PQgetResult)                                                                             \
	X(PQgetisnull)                                                                             \
	X(PQgetvalue)                                                                              \
	X(PQhost)                                                                                  \
	X(PQnparams)                                                                               \
	X(PQntuples)                                                                               \
	X(PQparameterStatus)                                                                       \
	X(PQpipelineStatus)                                                                        \
	X(PQpipelineSync)                                                                          \
	X(PQport)                                                                                  \
	X(PQprepare)                                                                               \
	X(PQreset)                                                                                 \
	X(PQresultErrorField)                                                                      \
	X(PQresultStatus)                                                                          \
	X(PQsendPrepare)                                                                           \
	X(PQsendQueryPrepared)                                                                     \
	X(PQsetNoticeProcessor)                                                                    \
	X(PQstatus)                                                                                \
	X(PQtransactionStatus)                                                                     \
	X(PQunescapeBytea)

/* The resolved functions (NULL until store_pglib_load succeeded). */
#define STORE_PGLIB_DECLARE(name) extern __typeof__(name) *store_pglib_##name;
STORE_PGLIB_FUNCTIONS(STORE_PGLIB_DECLARE)
#undef STORE_PGLIB_DECLARE

/* Loads libpq and resolves every function, once per process (thread
 * safe). 0, or -1 with the reason in err (libpq missing or too old). */
int store_pglib_load(char *err, size_t errsz);

#ifndef STORE_PGLIB_IMPLEMENTATION
#define PQclear              store_pglib_PQclear
#define PQcmdTuples          store_pglib_PQcmdTuples
#define PQconnectdbParams    store_pglib_PQconnectdbParams
#define PQdb                 store_pglib_PQdb
#define PQdescribePrepared   store_pglib_PQdescribePrepared
#define PQenterPipelineMode  store_pglib_PQenterPipelineMode
#define PQerrorMessage       store_pglib_PQerrorMessage
#define PQexec               store_pglib_PQexec
#define PQexecPrepared       store_pglib_PQexecPrepared
#define PQexitPipelineMode   store_pglib_PQexitPipelineMode
#define PQfinish             store_pglib_PQfinish
#define PQfreemem            store_pglib_PQfreemem
#define PQgetResult          store_pglib_PQgetResult
#define PQgetisnull          store_pglib_PQgetisnull
#define PQgetvalue           store_pglib_PQgetvalue
#define PQhost               store_pglib_PQhost
#define PQnparams            store_pglib_PQnparams
#define PQntuples            store_pglib_PQntuples
#define PQparameterStatus    store_pglib_PQparameterStatus
#define PQpipelineStatus     store_pglib_PQpipelineStatus
#define PQpipelineSync       store_pglib_PQpipelineSync
#define PQport               store_pglib_PQport
#define PQprepare            store_pglib_PQprepare
#define PQreset              store_pglib_PQreset
#define PQresultErrorField   store_pglib_PQresultErrorField
#define PQresultStatus       store_pglib_PQresultStatus
#define PQsendPrepare        store_pglib_PQsendPrepare
#define PQsendQueryPrepared  store_pglib_PQsendQueryPrepared
#define PQsetNoticeProcessor store_pglib_PQsetNoticeProcessor
#define PQstatus             store_pglib_PQstatus
#define PQtransactionStatus  store_pglib_PQtransactionStatus
#define PQunescapeBytea      store_pglib_PQunescapeBytea
#endif

#endif
