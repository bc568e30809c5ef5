/*
 * api.h — the JSON/CSV endpoints of the HTTP API, independent of the HTTP
 * library: query parameters in, status + content type + body out.
 *
 *   /api/v1/interfaces            every configured interface and its state,
 *                                 then every counter of the routers only the
 *                                 database holds ("configured": false)
 *   /api/v1/traffic               report_series_json (the CLI's --json)
 *   /api/v1/traffic.csv           report_series_csv (the CLI's --csv)
 *   /api/v1/cycle                 report_cycle_json (the CLI's --cycle --json)
 *   /api/v1/top                   report_rank_json (the CLI's --top devices|queues
 *                                 --json): router, kind (device, queue), period
 *                                 (cycle, last_cycle, today; default cycle),
 *                                 limit (1..1000, default 1000)
 *
 * Parameters follow the CLI: router (-r), interface (-i: an interface, a
 * simple queue or a device's MAC address, report_select), step (5min, hour,
 * day, month, year; default month), from (--begin), to (--end). Without
 * router and interface the answer is an array over every interface, as
 * `tikstat --json` prints it. A malformed, duplicated or (for CSV)
 * missing parameter is a 400 naming it; an unknown router or interface a
 * 404. Errors are {"error":"..."} documents ending in a newline.
 *
 * The handlers run in any HTTP thread, on that thread's read-only store
 * handle with a snapshot transaction open; they never write.
 */
#ifndef TIKSTAT_API_H
#define TIKSTAT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "jsonw.h"
#include "status.h"
#include "store.h"

#define API_JSON "application/json; charset=utf-8"
#define API_CSV  "text/csv; charset=utf-8"
#define API_TEXT "text/plain; charset=utf-8"

/* One decoded name=value pair. */
struct api_param {
	char *name;  /* NUL-terminated, decoded */
	char *value; /* NUL-terminated, decoded */
};

struct api_params {
	struct api_param *v;
	size_t n, cap;
};

/* Parses text[0..len) as application/x-www-form-urlencoded pairs
 * ("a=1&b=x%20y"), appending them to *p (zero-initialised before the first
 * call). '+' is a blank; %XX a byte (%00 is refused); an empty piece
 * ("a=1&&b=2") is skipped; a name without '=' has the value "". Literal
 * blanks are accepted as blanks (RouterOS 6's /tool fetch sends them
 * unencoded); other control bytes are refused. Returns 0, or -1 when
 * malformed (errno EINVAL) or out of memory (ENOMEM). */
int api_params_parse(struct api_params *p, const char *text, size_t len);
void api_params_free(struct api_params *p);

/* Looks name up: 0 absent, 1 found (*value borrowed until p is freed),
 * -1 given more than once. */
int api_param_get(const struct api_params *p, const char *name, const char **value);

struct api_response {
	int status;               /* HTTP status code */
	const char *content_type; /* a static string; NULL for no body */
	struct text_buf body;
};

/* Empties r->body and sets status and {"error": message}. Returns -1 so
 * that handlers can `return api_error(...)`. */
int api_error(struct api_response *r, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

struct billing_cache;

struct api_ctx {
	const struct cfg *cfg;
	struct status *status;
	store *db;                   /* this thread's read-only handle, in a transaction */
	int64_t now;                 /* the time of the request */
	struct billing_cache *bills; /* /metrics' percentile cache (billing.h), or NULL */
};

/* Whether router is one this instance polls (configured) or one the
 * database holds (another instance of a fleet polls it, or it left the
 * configuration with its history kept): 0, or -1 with a 404 (neither) or
 * a 500 (database error) in r. */
int api_known_router(const struct api_ctx *c, const char *router, struct api_response *r);

/* The handlers fill *r (status 200 and a body, or an error) and return 0
 * on success, -1 when they set an error. */
int api_interfaces(const struct api_ctx *c, const struct api_params *p, struct api_response *r);
int api_traffic(const struct api_ctx *c, const struct api_params *p, bool csv,
                struct api_response *r);
int api_cycle(const struct api_ctx *c, const struct api_params *p, struct api_response *r);
/* /api/v1/top: 404 for a router neither the configuration nor the
 * database knows; a router without counters of the kind has an empty
 * list. */
int api_top(const struct api_ctx *c, const struct api_params *p, struct api_response *r);

#endif
