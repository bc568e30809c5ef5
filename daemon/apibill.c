/* apibill.c — see apibill.h. */
#include "apibill.h"

#include <stdlib.h>

#include "billing.h"

/* The optional parameters name[0..n) into v[0..n) (NULL when absent); a
 * duplicate is a 400. 0 or -1. */
static int optional(const struct api_params *p, const char *const *name, const char **v, size_t n,
                    struct api_response *r)
{
	for (size_t i = 0; i < n; i++) {
		v[i] = NULL;
		if (api_param_get(p, name[i], &v[i]) < 0)
			return api_error(r, 400, "invalid parameter '%s': given more than once",
			                 name[i]);
	}
	return 0;
}

/* Loads the states of the n bills listed in which (indexes into the
 * configuration's bills) and writes their JSON (an array unless one was
 * asked for by name). */
static int answer(const struct api_ctx *c, const size_t *which, size_t n, bool as_array,
                  struct api_response *r)
{
	struct billing_state *v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return api_error(r, 500, "out of memory");
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = billing_load(c->db, c->cfg, &c->cfg->bills[which[i]], c->now, true, &v[i]);
	if (rc < 0) {
		api_error(r, 500, "database error: %s", store_errmsg(c->db));
	} else if (billing_json(v, n, as_array, &r->body) < 0 || r->body.failed) {
		rc = api_error(r, 500, "out of memory");
	} else {
		r->status = 200;
		r->content_type = API_JSON;
	}
	free(v);
	return rc;
}

int api_bills(const struct api_ctx *c, const struct api_params *p, struct api_response *r)
{
	static const char *const names[] = {"router", "interface"};
	const char *v[2];
	if (optional(p, names, v, 2, r) < 0)
		return -1;
	if (v[0] && api_known_router(c, v[0], r) < 0)
		return -1;
	size_t *which = calloc(c->cfg->n_bills ? c->cfg->n_bills : 1, sizeof *which), n = 0;
	if (!which)
		return api_error(r, 500, "out of memory");
	for (size_t i = 0; i < c->cfg->n_bills; i++)
		if ((!v[0] && !v[1]) || billing_includes(c->cfg, &c->cfg->bills[i], v[0], v[1]))
			which[n++] = i;
	int rc = answer(c, which, n, true, r);
	free(which);
	return rc;
}

int api_bill(const struct api_ctx *c, const struct api_params *p, struct api_response *r)
{
	static const char *const names[] = {"name"};
	const char *name;
	if (optional(p, names, &name, 1, r) < 0)
		return -1;
	if (!name)
		return api_error(r, 400, "missing parameter 'name': which bill?");
	const struct cfg_bill *b = cfg_bill(c->cfg, name);
	if (!b)
		return api_error(r, 404, "unknown bill '%s'", name);
	size_t which = (size_t)(b - c->cfg->bills);
	return answer(c, &which, 1, false, r);
}
