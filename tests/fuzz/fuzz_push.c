/*
 * fuzz_push.c — libFuzzer target for the push receiver's parameter checks
 * (push_parse, the pure part of push_handle): the input is a query string
 * or form body as a router (or anyone) sends to /api/v1/push.
 *
 * Input layout: byte 0 bit 0 selects the legacy receiver
 * (/traffic-receiver.php); the rest is the query. Properties: an accepted
 * push names a push-mode router by its exact token and one of its
 * interfaces, with counters that ros_parse_u64 gives; a refusal is a 400
 * or 403 with a message that never holds a configured token.
 */
#include <string.h>

#include "fuzz.h"
#include "push.h"

static char *ifaces_a[] = {"ether1", "wlan 1"};
static char *ifaces_b[] = {"pppoe-out1"};
static char *ifaces_c[] = {"ether2"};
static struct cfg_router routers[] = {
        {.name = "home",
         .mode = MODE_PUSH,
         .push_token = "s3cret-token-A",
         .interfaces = ifaces_a,
         .n_interfaces = 2},
        {.name = "poll",
         .mode = MODE_POLL,
         .host = "192.0.2.1",
         .port = 8728,
         .interfaces = ifaces_c,
         .n_interfaces = 1},
        {.name = "office",
         .mode = MODE_PUSH,
         .push_token = "tokB",
         .interfaces = ifaces_b,
         .n_interfaces = 1},
};
static const struct cfg config = {.routers = routers, .n_routers = 3};

static void check_accepted(const struct api_params *p, bool legacy, const struct push_parsed *pp)
{
	const struct cfg_router *r;
	const char *v = NULL;
	uint64_t x = 0;

	CHECK(pp->item.router < config.n_routers);
	r = &routers[pp->item.router];
	CHECK(r->mode == MODE_PUSH);
	CHECK(api_param_get(p, "token", &v) == 1 && strcmp(v, r->push_token) == 0);
	CHECK(pp->item.iface < r->n_interfaces);
	if (legacy)
		CHECK(pp->item.iface == 0);
	else
		CHECK(api_param_get(p, "interface", &v) == 1 &&
		      strcmp(v, r->interfaces[pp->item.iface]) == 0);
	CHECK(api_param_get(p, "rx", &v) == 1 && ros_parse_u64(v, strlen(v), &x) == 0 &&
	      x == pp->item.reading.rx);
	CHECK(api_param_get(p, "tx", &v) == 1 && ros_parse_u64(v, strlen(v), &x) == 0 &&
	      x == pp->item.reading.tx);
	CHECK(pp->item.reading.has_uptime == (api_param_get(p, "uptime", &v) == 1));
	CHECK((pp->ip != NULL) == (api_param_get(p, "ip", &v) == 1));
	if (pp->ip)
		CHECK(push_check_ip(pp->ip) == 0);
}

/* True when the request itself holds text (then an answer may echo it). */
static bool given(const struct api_params *p, const char *text)
{
	for (size_t i = 0; i < p->n; i++)
		if (strstr(p->v[i].name, text) || strstr(p->v[i].value, text))
			return true;
	return false;
}

static void check_refused(const struct api_params *p, const struct push_parsed *pp)
{
	CHECK(pp->status == 400 || pp->status == 403);
	CHECK((pp->status == 403) == (pp->why == PUSH_REJECT_TOKEN));
	CHECK(pp->error[0] != '\0');
	/* A configured token never appears in an answer, unless the request
	 * echoed back (an interface name, say) holds it. */
	for (size_t i = 0; i < config.n_routers; i++) {
		const char *t = routers[i].push_token;

		if (t && !given(p, t))
			CHECK(strstr(pp->error, t) == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_params p = {0};
	struct push_parsed pp;
	bool legacy;

	if (size < 1)
		return 0;
	legacy = data[0] & 1;
	if (api_params_parse(&p, (const char *)data + 1, size - 1) == 0) {
		if (push_parse(&config, &p, legacy, NULL, &pp) == 0)
			check_accepted(&p, legacy, &pp);
		else
			check_refused(&p, &pp);
	}
	api_params_free(&p);
	return 0;
}
