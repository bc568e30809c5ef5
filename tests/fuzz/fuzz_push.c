/*
 * fuzz_push.c — libFuzzer target for the push receiver's parameter checks
 * (push_parse, the pure part of push_handle): the input is a query string
 * or form body as a router (or anyone) sends to /api/v1/push.
 *
 * Input layout: byte 0 bit 0 selects the legacy receiver
 * (.../traffic-receiver.php), bits 1-2 the client's address (none,
 * 192.0.2.7, ::ffff:192.0.2.7, 2001:db8::5); the rest is the query.
 * Properties: an accepted push names a push-mode router by its exact
 * token, or (legacy, no token) by the client's address in its
 * push_allow_from, and one of its interfaces, with counters that
 * ros_parse_u64 gives (legacy: after removing blanks); a refusal is a 400
 * or 403 with a message that never holds a configured token.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"
#include "push.h"

static char *ifaces_a[] = {"ether1", "wlan 1"};
static char *ifaces_b[] = {"pppoe-out1"};
static char *ifaces_c[] = {"ether2"};
/* home allows 192.0.2.0/24, office 2001:db8::/64, the polled router
 * 192.0.2.7 (ignored: not a push router). */
static struct cfg_net home_nets[] = {{.family = AF_INET, .addr = {192, 0, 2, 0}, .prefix = 24}};
static struct cfg_net office_nets[] = {
        {.family = AF_INET6, .addr = {0x20, 0x01, 0x0d, 0xb8}, .prefix = 64}};
static struct cfg_net poll_nets[] = {{.family = AF_INET, .addr = {192, 0, 2, 7}, .prefix = 32}};
static struct cfg_router routers[] = {
        {.name = "home",
         .mode = MODE_PUSH,
         .push_token = "s3cret-token-A",
         .interfaces = ifaces_a,
         .n_interfaces = 2,
         .push_allow = home_nets,
         .n_push_allow = 1},
        {.name = "poll",
         .mode = MODE_POLL,
         .host = "192.0.2.1",
         .port = 8728,
         .interfaces = ifaces_c,
         .n_interfaces = 1,
         .push_allow = poll_nets,
         .n_push_allow = 1},
        {.name = "office",
         .mode = MODE_PUSH,
         .push_token = "tokB",
         .interfaces = ifaces_b,
         .n_interfaces = 1,
         .push_allow = office_nets,
         .n_push_allow = 1},
};
static const struct cfg config = {.routers = routers, .n_routers = 3};

/* The counter parameter name as the receiver reads it (legacy: blanks
 * removed); *x its value. */
static bool counter(const struct api_params *p, const char *name, bool legacy, uint64_t *x)
{
	const char *v = NULL;
	char digits[64];

	if (api_param_get(p, name, &v) != 1)
		return false;
	if (legacy) {
		if (push_strip_blanks(v, digits, sizeof digits) < 0)
			return false;
		v = digits;
	}
	return ros_parse_u64(v, strlen(v), x) == 0;
}

/* The client addresses byte 0 selects. */
static const struct sockaddr *peer_of(unsigned which)
{
	static struct sockaddr_in v4 = {.sin_family = AF_INET};
	static struct sockaddr_in6 mapped = {.sin6_family = AF_INET6},
	                           v6 = {.sin6_family = AF_INET6};

	inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr);
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &mapped.sin6_addr);
	inet_pton(AF_INET6, "2001:db8::5", &v6.sin6_addr);
	switch (which & 3) {
	case 1: return (const struct sockaddr *)&v4;
	case 2: return (const struct sockaddr *)&mapped;
	case 3: return (const struct sockaddr *)&v6;
	default: return NULL;
	}
}

static void check_accepted(const struct api_params *p, bool legacy, unsigned peer,
                           const struct push_parsed *pp)
{
	const struct cfg_router *r;
	const char *v = NULL;
	uint64_t x = 0;

	CHECK(pp->item.router < config.n_routers);
	r = &routers[pp->item.router];
	CHECK(r->mode == MODE_PUSH);
	if (api_param_get(p, "token", &v) == 1 && *v)
		CHECK(strcmp(v, r->push_token) == 0);
	else /* only the legacy receiver, only from that router's addresses */
		CHECK(legacy && ((peer == 1 || peer == 2) ? pp->item.router == 0
		                 : peer == 3              ? pp->item.router == 2
		                                          : false));
	CHECK(pp->item.iface < r->n_interfaces);
	if (legacy)
		CHECK(pp->item.iface == 0);
	else
		CHECK(api_param_get(p, "interface", &v) == 1 &&
		      strcmp(v, r->interfaces[pp->item.iface]) == 0);
	CHECK(counter(p, "rx", legacy, &x) && x == pp->item.reading.rx);
	CHECK(counter(p, "tx", legacy, &x) && x == pp->item.reading.tx);
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
	unsigned peer = (data[0] >> 1) & 3;
	if (api_params_parse(&p, (const char *)data + 1, size - 1) == 0) {
		if (push_parse(&config, &p, legacy, peer_of(peer), &pp) == 0)
			check_accepted(&p, legacy, peer, &pp);
		else
			check_refused(&p, &pp);
	}
	api_params_free(&p);
	return 0;
}
