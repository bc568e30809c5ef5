/* api.c — see api.h. */
#include "api.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "report.h"
#include "text.h"
#include "urlcode.h"

/* Decodes s[0..len) into a fresh string; NULL with errno on failure. */
static char *decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int byte = url_percent_byte(s, len, i);
			if (byte < 0)
				goto bad;
			*o++ = (char)byte;
			i += 2;
		} else if (c == '+') {
			*o++ = ' ';
		} else if (c < 0x20 || c == 0x7F) {
			goto bad;
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	errno = EINVAL;
	return NULL;
}

int api_params_parse(struct api_params *p, const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *piece = text + i;
		const char *amp = memchr(piece, '&', len - i);
		size_t plen = amp ? (size_t)(amp - piece) : len - i;
		i += plen + (amp ? 1 : 0);
		if (plen == 0)
			continue;
		const char *eq = memchr(piece, '=', plen);
		size_t nlen = eq ? (size_t)(eq - piece) : plen;
		struct api_param *v = text_grow(p->v, &p->cap, p->n + 1, sizeof *v);
		if (!v) {
			errno = ENOMEM;
			return -1;
		}
		p->v = v;
		char *name = decode(piece, nlen);
		if (!name)
			return -1;
		char *value = eq ? decode(eq + 1, plen - nlen - 1) : strdup("");
		if (!value) {
			if (!eq)
				errno = ENOMEM;
			free(name);
			return -1;
		}
		p->v[p->n++] = (struct api_param){name, value};
	}
	return 0;
}

void api_params_free(struct api_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

int api_param_get(const struct api_params *p, const char *name, const char **value)
{
	int found = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].name, name) != 0)
			continue;
		if (found)
			return -1;
		found = 1;
		*value = p->v[i].value;
	}
	return found;
}

int api_error(struct api_response *r, int status, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	text_buf_reset(&r->body);
	struct jsonw w;
	jsonw_init(&w, &r->body);
	jsonw_object_begin(&w);
	jsonw_key(&w, "error");
	jsonw_string(&w, msg);
	jsonw_object_end(&w);
	text_buf_puts(&r->body, "\n");
	r->status = status;
	r->content_type = API_JSON;
	return -1;
}

/* Reads optional parameter name into *v (NULL when absent); a duplicate
 * is a 400. */
static int param(const struct api_params *p, const char *name, const char **v,
                 struct api_response *r)
{
	*v = NULL;
	if (api_param_get(p, name, v) < 0)
		return api_error(r, 400, "invalid parameter '%s': given more than once", name);
	return 0;
}

static int ok(struct api_response *r, const char *type, int rc)
{
	if (rc < 0 || r->body.failed)
		return api_error(r, 500, "out of memory");
	r->status = 200;
	r->content_type = type;
	return 0;
}

/* The fields every entry of /api/v1/interfaces begins with. */
static void entry_begin(struct jsonw *w, const char *router, const char *iface,
                        enum store_kind kind, const char *name, const char *mode,
                        const char *status)
{
	jsonw_object_begin(w);
	jsonw_key(w, "router");
	jsonw_string(w, router);
	jsonw_key(w, "interface");
	jsonw_string(w, iface);
	jsonw_key(w, "kind");
	jsonw_string(w, store_kind_name(kind));
	jsonw_key(w, "name");
	jsonw_string(w, name);
	jsonw_key(w, "mode");
	jsonw_string(w, mode);
	jsonw_key(w, "status");
	jsonw_string(w, status);
}

/* Its reading fields, address, error and whether this instance polls it
 * (configured), and its end. */
static void entry_end(struct jsonw *w, bool has_reading, int64_t last_time, uint64_t rx,
                      uint64_t tx, const char *address, const char *error, bool configured)
{
	jsonw_key(w, "last_reading");
	if (has_reading) {
		char iso[32];
		calendar_format(last_time, iso);
		jsonw_string(w, iso);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "rx_total");
	jsonw_uint(w, rx);
	jsonw_key(w, "tx_total");
	jsonw_uint(w, tx);
	jsonw_key(w, "address");
	jsonw_string(w, address);
	jsonw_key(w, "error");
	jsonw_string(w, error);
	jsonw_key(w, "configured");
	jsonw_bool(w, configured);
	jsonw_object_end(w);
}

/* The configured interfaces of router i. */
static void list_ifaces(struct jsonw *w, const struct cfg_router *cr,
                        const struct status_router *sr)
{
	bool push = cr->mode == MODE_PUSH;
	const char *state = push ? "push" : !sr->known ? "unknown" : sr->up ? "up" : "down";
	for (size_t k = 0; k < cr->n_interfaces && k < sr->n_ifaces; k++) {
		const struct status_iface *f = &sr->ifaces[k];
		bool missing = !push && sr->known && sr->up && f->missing;
		entry_begin(w, cr->name, cr->interfaces[k], STORE_IFACE, cr->interfaces[k],
		            push ? "push" : "poll", missing ? "missing" : state);
		entry_end(w, f->has_reading, f->last_time, f->rx_total, f->tx_total,
		          push ? (sr->address[0] ? sr->address : NULL) : cr->host,
		          missing                         ? f->error
		          : !push && sr->known && !sr->up ? sr->error
		                                          : NULL,
		          true);
	}
}

/* The queues and devices router i tracks (kind < 0: both). A counter the
 * last poll did not see is "missing" (a queue removed, a device gone). */
static void list_counters(struct jsonw *w, const struct cfg_router *cr,
                          const struct status_router *sr, int kind)
{
	const char *state = !sr->known ? "unknown" : sr->up ? "up" : "down";
	for (size_t k = 0; k < sr->n_counters; k++) {
		const struct status_counter *c = &sr->counters[k];
		if (kind >= 0 && (int)c->kind != kind)
			continue;
		bool missing = sr->up && !c->present;
		entry_begin(w, cr->name, c->name, c->kind, c->display[0] ? c->display : c->name,
		            "poll", missing ? "missing" : state);
		entry_end(w, c->has_reading, c->last_time, c->rx_total, c->tx_total,
		          c->address[0] ? c->address : NULL,
		          missing                ? "not on the router at the last poll"
		          : !sr->up && sr->known ? sr->error
		                                 : NULL,
		          true);
	}
}

/* kind=interface|queue|device: *kind its value, -1 when absent. */
static int kind_param(const struct api_params *p, int *kind, struct api_response *r)
{
	const char *v;
	*kind = -1;
	if (param(p, "kind", &v, r) < 0)
		return -1;
	for (int k = 0; v && k < STORE_KIND_COUNT; k++)
		if (strcmp(v, store_kind_name((enum store_kind)k)) == 0)
			*kind = k;
	if (v && *kind < 0)
		return api_error(r, 400,
		                 "invalid parameter 'kind': expected interface, queue or device");
	return 0;
}

/* The walk over the database's counters for list_unconfigured. */
struct unconfigured_ctx {
	struct jsonw *w;
	const struct cfg *cfg;
	const char *only; /* router=, or NULL for all */
	int kind;         /* kind=, or -1 for all */
	bool seen;        /* a counter of only was in the database */
};

/* One counter of a router this instance does not poll: what the database
 * has of it (committed by whichever instance polls it). */
static int unconfigured_entry(void *vctx, const struct store_iface *i)
{
	struct unconfigured_ctx *u = vctx;
	if (u->only ? strcmp(u->only, i->router) != 0 : cfg_router(u->cfg, i->router) != NULL)
		return 0;
	u->seen = true;
	if (u->kind >= 0 && (int)i->kind != u->kind)
		return 0;
	const char *display = i->info.display && i->info.display[0] ? i->info.display : i->name;
	/* Neither its mode nor its state is known here: another instance (or
	 * none, since it left this configuration) reads it. */
	entry_begin(u->w, i->router, i->name, i->kind, display, NULL, "unknown");
	entry_end(u->w, i->has_reading, i->last_time, i->rx_total, i->tx_total, i->info.address,
	          NULL, false);
	return 0;
}

/* The counters of the routers the database holds and the configuration
 * does not (the store lists them by router name, kind, then name), or of
 * router only when it is one of those: *seen says whether it was. */
static int list_unconfigured(const struct api_ctx *c, struct jsonw *w, const char *only, int kind,
                             bool *seen)
{
	struct unconfigured_ctx u = {.w = w, .cfg = c->cfg, .only = only, .kind = kind};
	int rc = store_list_counters(c->db, unconfigured_entry, &u);
	*seen = u.seen;
	return rc;
}

int api_interfaces(const struct api_ctx *c, const struct api_params *p, struct api_response *r)
{
	const char *only;
	int kind;
	if (param(p, "router", &only, r) < 0 || kind_param(p, &kind, r) < 0)
		return -1;
	bool configured = !only || cfg_router(c->cfg, only);
	struct status_snapshot snap;
	if (status_snapshot(c->status, &snap) < 0)
		return api_error(r, 500, "out of memory");
	struct jsonw w;
	jsonw_init(&w, &r->body);
	jsonw_array_begin(&w);
	for (size_t i = 0; i < c->cfg->n_routers && i < snap.n; i++) {
		const struct cfg_router *cr = &c->cfg->routers[i];
		if (only && strcmp(only, cr->name) != 0)
			continue;
		if (kind < 0 || kind == STORE_IFACE)
			list_ifaces(&w, cr, &snap.routers[i]);
		if (kind != STORE_IFACE)
			list_counters(&w, cr, &snap.routers[i], kind);
	}
	status_snapshot_free(&snap);
	bool seen = false;
	if ((!only || !configured) && list_unconfigured(c, &w, only, kind, &seen) < 0)
		return api_error(r, 500, "database error: %s", store_errmsg(c->db));
	if (!configured && !seen)
		return api_error(r, 404, "unknown router '%s'", only);
	jsonw_array_end(&w);
	int rc = jsonw_finish(&w);
	if (rc == 0)
		rc = text_buf_puts(&r->body, "\n");
	return ok(r, API_JSON, rc);
}

/* Selects the interfaces named by router and interface; 404 when unknown. */
static int select_ifaces(const struct api_ctx *c, const char *router, const char *iface,
                         struct report_selection *sel, struct api_response *r)
{
	char err[512];
	switch (report_select(c->db, router, iface, sel, err, sizeof err)) {
	case REPORT_SELECT_OK: return 0;
	case REPORT_SELECT_UNKNOWN_ROUTER:
	case REPORT_SELECT_UNKNOWN_IFACE: return api_error(r, 404, "%s", err);
	case REPORT_SELECT_AMBIGUOUS:
		return api_error(r, 400, "invalid parameter 'interface': %s; add router=", err);
	default: return api_error(r, 500, "database error: %s", store_errmsg(c->db));
	}
}

int api_known_router(const struct api_ctx *c, const char *router, struct api_response *r)
{
	if (cfg_router(c->cfg, router))
		return 0;
	char err[512];
	struct report_selection sel;
	switch (report_select(c->db, router, NULL, &sel, err, sizeof err)) {
	case REPORT_SELECT_OK: report_selection_free(&sel); return 0;
	case REPORT_SELECT_STORE_ERROR: return api_error(r, 500, "database error: %s", err);
	default: return api_error(r, 404, "unknown router '%s'", router);
	}
}

/* 400: the window holds more than REPORT_MAX_POINTS buckets. */
static int too_many_points(struct api_response *r, uint64_t asked, enum step step)
{
	return api_error(r, 400, "too many points: %llu %s buckets, at most %d; narrow from/to",
	                 (unsigned long long)asked, step_name(step), REPORT_MAX_POINTS);
}

int api_traffic(const struct api_ctx *c, const struct api_params *p, bool csv,
                struct api_response *r)
{
	const char *router, *iface, *step_s, *from_s, *to_s;
	if (param(p, "router", &router, r) || param(p, "interface", &iface, r) ||
	    param(p, "step", &step_s, r) || param(p, "from", &from_s, r) ||
	    param(p, "to", &to_s, r))
		return -1;
	enum step step = STEP_MONTH;
	if (step_s && step_parse(step_s, &step) < 0)
		return api_error(
		        r, 400, "invalid parameter 'step': must be 5min, hour, day, month or year");
	int64_t from = 0, to = 0;
	switch (report_range(step, c->now, from_s, to_s, &from, &to)) {
	case REPORT_RANGE_OK: break;
	case REPORT_RANGE_BAD_BEGIN:
		return api_error(r, 400, "invalid parameter 'from': not a date or ISO time");
	case REPORT_RANGE_BAD_END:
		return api_error(r, 400, "invalid parameter 'to': not a date or ISO time");
	case REPORT_RANGE_EMPTY:
		return api_error(r, 400, "invalid parameter 'from': must be before 'to'");
	}
	uint64_t asked = report_window_buckets(step, from, to);
	if (asked != UINT64_MAX && asked > REPORT_MAX_POINTS)
		return too_many_points(r, asked, step);
	if (csv && !router)
		return api_error(r, 400, "missing parameter 'router': CSV holds one interface");
	if (csv && !iface)
		return api_error(r, 400, "missing parameter 'interface': CSV holds one interface");
	struct report_selection sel = {0};
	if (select_ifaces(c, router, iface, &sel, r) < 0)
		return -1;
	struct report_series *se = calloc(sel.n ? sel.n : 1, sizeof *se);
	int rc = se ? 0 : -1;
	size_t loaded = 0;
	for (; rc == 0 && loaded < sel.n; loaded++)
		rc = report_series_load(c->db, &sel.v[loaded], step, from, to, c->now, &se[loaded]);
	size_t most = 0;
	for (size_t i = 0; rc == 0 && i < sel.n; i++)
		most = se[i].n > most ? se[i].n : most;
	if (rc < 0) {
		api_error(r, 500, "database error: %s", store_errmsg(c->db));
	} else if (most > REPORT_MAX_POINTS) {
		rc = too_many_points(r, most, step);
	} else {
		if (csv)
			rc = report_series_csv(&se[0], &r->body);
		else
			rc = report_series_json(se, sel.n, !sel.single, &r->body);
		rc = ok(r, csv ? API_CSV : API_JSON, rc);
	}
	for (size_t i = 0; i < loaded; i++)
		report_series_free(&se[i]);
	free(se);
	report_selection_free(&sel);
	return rc;
}

int api_cycle(const struct api_ctx *c, const struct api_params *p, struct api_response *r)
{
	const char *router, *iface;
	if (param(p, "router", &router, r) || param(p, "interface", &iface, r))
		return -1;
	struct report_selection sel = {0};
	if (select_ifaces(c, router, iface, &sel, r) < 0)
		return -1;
	struct report_cycle *cy = calloc(sel.n ? sel.n : 1, sizeof *cy);
	int rc = cy ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < sel.n; i++) {
		const struct cfg_router *cr = cfg_router(c->cfg, sel.v[i].router);
		/* A router's quota is a bill per interface (DESIGN.md): a queue or
		 * device has none of its own. */
		uint64_t quota = cr && sel.v[i].kind == STORE_IFACE ? cr->quota : 0;
		rc = report_cycle_load(c->db, &sel.v[i], c->cfg->cycle_start_day, quota, c->now,
		                       &cy[i]);
	}
	if (rc < 0) {
		api_error(r, 500, "database error: %s", store_errmsg(c->db));
	} else {
		rc = report_cycle_json(cy, sel.n, !sel.single, &r->body);
		rc = ok(r, API_JSON, rc);
	}
	free(cy);
	report_selection_free(&sel);
	return rc;
}

/* kind=device|queue (the store's words for the two). */
static int top_kind(const char *text, enum store_kind *kind)
{
	static const enum store_kind kinds[] = {STORE_DEVICE, STORE_QUEUE};
	for (size_t i = 0; text && i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(text, store_kind_name(kinds[i])) == 0) {
			*kind = kinds[i];
			return 0;
		}
	}
	return -1;
}

/* limit=N, 1..REPORT_RANK_MAX, digits only. */
static int top_limit(const char *text, size_t *limit)
{
	size_t n = strlen(text);
	if (n == 0 || n > 4 || strspn(text, "0123456789") != n)
		return -1;
	*limit = (size_t)atoi(text);
	return *limit >= 1 && *limit <= REPORT_RANK_MAX ? 0 : -1;
}

int api_top(const struct api_ctx *c, const struct api_params *p, struct api_response *r)
{
	const char *router, *kind_s, *period_s, *limit_s;
	if (param(p, "router", &router, r) || param(p, "kind", &kind_s, r) ||
	    param(p, "period", &period_s, r) || param(p, "limit", &limit_s, r))
		return -1;
	enum store_kind kind;
	enum report_rank_period period = REPORT_RANK_CYCLE;
	size_t limit = REPORT_RANK_MAX;
	if (!router)
		return api_error(r, 400, "missing parameter 'router'");
	if (top_kind(kind_s, &kind) < 0)
		return api_error(r, 400, "invalid parameter 'kind': must be device or queue");
	if (period_s && report_rank_period_parse(period_s, &period) < 0)
		return api_error(r, 400,
		                 "invalid parameter 'period': must be cycle, last_cycle or today");
	if (limit_s && top_limit(limit_s, &limit) < 0)
		return api_error(r, 400, "invalid parameter 'limit': must be 1 to %d",
		                 REPORT_RANK_MAX);
	if (api_known_router(c, router, r) < 0)
		return -1;
	struct report_rank rank;
	if (report_rank_load(c->db, router, kind, period, c->cfg->cycle_start_day, limit, c->now,
	                     &rank) < 0)
		return api_error(r, 500, "database error: %s", store_errmsg(c->db));
	int rc = ok(r, API_JSON, report_rank_json(&rank, &r->body));
	report_rank_free(&rank);
	return rc;
}
