#include "selftest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clients.h"
#include "control.h"
#include "md5.h"
#include "model.h"
#include "query.h"
#include "wire.h"

static int passed, failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (strcmp(g_, w_) == 0) {                                                         \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d:\n  got  [%s]\n  want [%s]\n", __FILE__, __LINE__, g_,  \
			       w_);                                                                \
		}                                                                                  \
	} while (0)

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static size_t from_hex(const char *s, unsigned char *out)
{
	size_t n = strlen(s) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
	return n;
}

static void test_md5(void)
{
	static const char *const vec[][2] = {
	        {"", "d41d8cd98f00b204e9800998ecf8427e"},
	        {"a", "0cc175b9c0f1b6a831c399e269772661"},
	        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
	        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	         "57edf4a22be3c955ac49da2e2107b67a"},
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		struct md5_ctx c;
		unsigned char d[16];
		char hex[33];
		md5_init(&c);
		md5_update(&c, vec[i][0], strlen(vec[i][0]));
		md5_final(&c, d);
		to_hex(d, 16, hex);
		CHECK_STR(hex, vec[i][1]);
	}
}

static void test_login_vectors(void)
{
	static const char *const vec[][3] = {
	        {"", "856780b7411eefd3abadee2058c149a3", "005062f7a5ef124d34675bf3e81f56c556"},
	        {"", "93b438ec9b80057c06dd9fe67d56aa9a", "00e134102a9d330dd7b1849fedfea3cb57"},
	        {"passTest", "abc123", "0021277bff9ac7caf06aa608e46616d47f"},
	};
	for (size_t i = 0; i < 3; i++) {
		unsigned char ch[16];
		char resp[35];
		size_t n = from_hex(vec[i][1], ch);
		api_login_response(vec[i][0], ch, n, resp);
		CHECK_STR(resp, vec[i][2]);
	}
}

static void test_length_prefix(void)
{
	static const struct {
		uint32_t len;
		const char *hex;
	} vec[] = {
	        {0, "00"},
	        {0x7F, "7f"},
	        {0x80, "8080"},
	        {0x3FFF, "bfff"},
	        {0x4000, "c04000"},
	        {0x1FFFFF, "dfffff"},
	        {0x200000, "e0200000"},
	        {0xFFFFFFF, "efffffff"},
	        {0x10000000, "f010000000"},
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		unsigned char out[5];
		char hex[11];
		size_t n = wire_len_encode(vec[i].len, out);
		to_hex(out, n, hex);
		CHECK_STR(hex, vec[i].hex);
		CHECK(wire_len_size(out[0]) == n);
		CHECK(wire_len_decode(out, n) == vec[i].len);
	}
	for (unsigned b = 0xF1; b <= 0xFF; b++)
		CHECK(wire_len_size((unsigned char)b) == 0);
}

static void test_sentence_encoding(void)
{
	struct wbuf b;
	char hex[64];
	wbuf_init(&b);
	wire_put_str(&b, "foo");
	wire_put_str(&b, "bar");
	wire_put_end(&b);
	to_hex(b.data, wbuf_size(&b), hex);
	CHECK_STR(hex, "03666f6f0362617200");
	wbuf_free(&b);
}

/* Feeds bytes one at a time; returns the words of each sentence joined by
 * '|' and sentences by '\n'. */
static void parse_bytewise(const unsigned char *p, size_t n, char *out, size_t outsz, int *err)
{
	struct wire_parser ps;
	size_t o = 0;
	*err = 0;
	out[0] = '\0';
	wire_parser_init(&ps, 1024, 4096, 16);
	for (size_t i = 0; i < n; i++) {
		size_t used;
		int rc = wire_parser_feed(&ps, p + i, 1, &used);
		if (rc < 0) {
			*err = rc;
			break;
		}
		if (rc != WIRE_SENTENCE)
			continue;
		for (size_t w = 0; w < wire_parser_nwords(&ps); w++) {
			struct wire_word wd = wire_parser_word(&ps, w);
			o += (size_t)snprintf(out + o, outsz - o, "%s%.*s", w ? "|" : "", (int)wd.n,
			                      wd.p);
		}
		o += (size_t)snprintf(out + o, outsz - o, "\n");
	}
	wire_parser_free(&ps);
}

static void test_parser(void)
{
	char got[256];
	int err;
	/* an empty sentence, then foo|bar, then a 0x80-byte word (2-byte prefix) */
	unsigned char buf[300] = {0x00, 3, 'f', 'o', 'o', 3, 'b', 'a', 'r', 0x00, 0x80, 0x80};
	memset(buf + 12, 'x', 0x80);
	buf[12 + 0x80] = 0;
	parse_bytewise(buf, 13 + 0x80, got, sizeof(got), &err);
	CHECK(err == 0);
	CHECK(strncmp(got, "foo|bar\nxxxx", 12) == 0);
	CHECK(strlen(got) == 8 + 0x80 + 1);

	static const unsigned char ctl[] = {3, 'f', 'o', 'o', 0xF8, 1, 2};
	parse_bytewise(ctl, sizeof(ctl), got, sizeof(got), &err);
	CHECK(err == WIRE_E_CONTROL);
	static const unsigned char f1[] = {0xF1, 0, 0, 0, 1};
	parse_bytewise(f1, sizeof(f1), got, sizeof(got), &err);
	CHECK(err == WIRE_E_CONTROL);
	static const unsigned char big[] = {0xC0, 0x40, 0x00}; /* 16 KiB > 1024 cap */
	parse_bytewise(big, sizeof(big), got, sizeof(got), &err);
	CHECK(err == WIRE_E_WORD_TOO_BIG);
	static const unsigned char huge[] = {0xF0, 0xFF, 0xFF, 0xFF, 0xFF};
	parse_bytewise(huge, sizeof(huge), got, sizeof(got), &err);
	CHECK(err == WIRE_E_WORD_TOO_BIG);
}

/* Items for query tests: "name=a type=x n=5" style, looked up by name. */
struct qitem {
	const char *props[6][2];
};

static int qlookup(void *item, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct qitem *it = item;
	for (int i = 0; i < 6 && it->props[i][0]; i++)
		if (strlen(it->props[i][0]) == n && memcmp(it->props[i][0], name, n) == 0) {
			*val = it->props[i][1];
			*vlen = strlen(*val);
			return 1;
		}
	return 0;
}

/* Evaluates a space-separated query string against item. */
static int q(const char *query, struct qitem *item)
{
	struct wire_word w[16];
	char copy[256];
	size_t n = 0;
	snprintf(copy, sizeof(copy), "%s", query);
	for (char *t = strtok(copy, " "); t && n < 16; t = strtok(NULL, " "))
		w[n++] = (struct wire_word){t, strlen(t)};
	return query_eval(w, n, qlookup, item);
}

static void test_query(void)
{
	struct qitem a = {{{"name", "ether1"}, {"type", "ether"}, {"rx", "900"}, {"comment", ""}}};
	CHECK(q("", &a) == QUERY_TRUE);
	CHECK(q("?name=ether1", &a) == QUERY_TRUE);
	CHECK(q("?=name=ether1", &a) == QUERY_TRUE);
	CHECK(q("?name=ether2", &a) == QUERY_FALSE);
	CHECK(q("?comment=", &a) == QUERY_TRUE);
	CHECK(q("?comment", &a) == QUERY_TRUE);
	CHECK(q("?-comment", &a) == QUERY_FALSE);
	CHECK(q("?-mtu", &a) == QUERY_TRUE);
	CHECK(q("?<rx=1000", &a) == QUERY_TRUE); /* numeric, not bytewise */
	CHECK(q("?>rx=1000", &a) == QUERY_FALSE);
	CHECK(q("?>rx=0899", &a) == QUERY_TRUE);
	CHECK(q("?name=x ?name=ether1 ?#|", &a) == QUERY_TRUE);
	CHECK(q("?name=x ?name=ether1 ?#&", &a) == QUERY_FALSE);
	CHECK(q("?name=x ?name=ether1", &a) == QUERY_FALSE); /* implicit AND */
	CHECK(q("?type=ether ?type=vlan ?#|!", &a) == QUERY_FALSE);
	CHECK(q("?type=vlan ?#!", &a) == QUERY_TRUE);
	CHECK(q("?name=ether1 ?type=vlan ?#1", &a) == QUERY_TRUE); /* index at end: replace */
	CHECK(q("?name=ether1 ?type=vlan ?#0", &a) == QUERY_FALSE);
	CHECK(q("?type=vlan ?#0.|", &a) == QUERY_FALSE);  /* "0." pushes a copy */
	CHECK(q("?name=ether1 ?#.!", &a) == QUERY_FALSE); /* '.' alone is ignored */
	CHECK(q("?#|", &a) == QUERY_E_SYNTAX);
	CHECK(q("?name=ether1 ?#&", &a) == QUERY_E_SYNTAX);
	CHECK(q("?#5", &a) == QUERY_E_SYNTAX);
	CHECK(q("?#x", &a) == QUERY_E_SYNTAX);
}

static void test_uptime(void)
{
	char b[64];
	CHECK_STR(model_format_uptime(955015, FR_V7, b, sizeof(b)), "1w4d1h16m55s");
	CHECK_STR(model_format_uptime(0, FR_V6, b, sizeof(b)), "0s");
	CHECK_STR(model_format_uptime(2573, FR_V6, b, sizeof(b)), "42m53s");
	CHECK_STR(model_format_uptime(7 * 604800 + 3, FR_V7, b, sizeof(b)), "7w3s");
	CHECK_STR(model_format_uptime(3600, FR_V7, b, sizeof(b)), "1h");
	CHECK_STR(model_format_uptime(4213987, FR_V6OLD, b, sizeof(b)), "6w6d18:33:07");
	CHECK_STR(model_format_uptime(4973, FR_V6OLD, b, sizeof(b)), "01:22:53");
	CHECK_STR(model_format_uptime(0, FR_V6OLD, b, sizeof(b)), "00:00:00");
}

static void test_counters(void)
{
	struct model_defaults d = {468259100207ULL, 98765432101ULL, 0, "pw", NULL, NULL, 0, 0};
	struct model_router *r = model_router_new("t", FR_V7, &d, 1000);
	CHECK(r != NULL);
	if (!r)
		return;
	struct model_iface *e1 = model_iface_by_name(r, "ether1", 6);
	CHECK(e1 && model_iface_by_id(r, "*1", 2) == e1);
	CHECK(model_iface_by_name(r, "ether2 lan", 10) == model_iface_by_id(r, "*2", 2));
	CHECK(model_iface_by_name(r, "wlan-caf\xe9", 9) != NULL);
	CHECK(model_counter_value(&e1->rx, 1000) == 468259100207ULL);
	CHECK(model_counter_value(&e1->rx, 2500) == 468259100207ULL + 1875000);
	CHECK(model_counter_truth(&e1->rx, 2500) == 1875000);
	model_iface_set_rate(e1, 1000, 0, 2500);
	CHECK(model_counter_value(&e1->rx, 3500) == 468259100207ULL + 1876000);
	model_iface_reset(e1, 3500);
	CHECK(model_counter_value(&e1->rx, 3500) == 0);
	CHECK(model_counter_value(&e1->rx, 4500) == 1000);
	CHECK(model_counter_truth(&e1->rx, 4500) == 1877000);
	model_iface_add(e1, 5, 7, 4500);
	/* tx grew 1.5 s at 250000 B/s, then its rate was set to 0 */
	CHECK(model_counter_value(&e1->rx, 4500) == 1005);
	CHECK(model_counter_truth(&e1->tx, 4500) == 375000 + 7);
	model_iface_recreate(r, e1, 4500);
	CHECK(e1->id == 6 && model_counter_value(&e1->tx, 4500) == 0);
	/* 2^40 B/s for 2^30 ms overflows 64-bit intermediates */
	model_iface_set_rate(e1, 1ULL << 40, 0, 4500);
	CHECK(model_counter_value(&e1->rx, 4500 + (1LL << 30)) ==
	      (uint64_t)((unsigned __int128)(1ULL << 40) * (1ULL << 30) / 1000));
	model_router_reboot(r, 5000, 2000);
	CHECK(model_uptime_s(r, 6000) == 0 && model_uptime_s(r, 9999) == 2);
	CHECK(model_counter_value(&e1->rx, 7000) == 0);
	model_router_free(r);
}

/* Captures API output as text: words joined by ' ', one line per sentence. */
struct capture {
	char text[4096];
	size_t len;
};

static void capture_sentence(void *ctx, const unsigned char *p, size_t n)
{
	struct capture *cap = ctx;
	struct wire_parser ps;
	size_t used;
	wire_parser_init(&ps, 65536, 65536, 256);
	if (wire_parser_feed(&ps, p, n, &used) == WIRE_SENTENCE && used == n) {
		for (size_t w = 0; w < wire_parser_nwords(&ps); w++) {
			struct wire_word wd = wire_parser_word(&ps, w);
			cap->len +=
			        (size_t)snprintf(cap->text + cap->len, sizeof(cap->text) - cap->len,
			                         "%s%.*s", w ? " " : "", (int)wd.n, wd.p);
		}
	} else {
		cap->len +=
		        (size_t)snprintf(cap->text + cap->len, sizeof(cap->text) - cap->len, "BAD");
	}
	cap->len += (size_t)snprintf(cap->text + cap->len, sizeof(cap->text) - cap->len, "\n");
	wire_parser_free(&ps);
}

/* Sends a '|'-separated command to the session and returns the replies. */
static const char *say(struct api_session *s, struct capture *cap, const char *cmd, int64_t now)
{
	struct wire_word w[16];
	char copy[512];
	size_t n = 0;
	struct api_out out = {capture_sentence, cap};
	snprintf(copy, sizeof(copy), "%s", cmd);
	for (char *t = strtok(copy, "|"); t && n < 16; t = strtok(NULL, "|"))
		w[n++] = (struct wire_word){t, strlen(t)};
	cap->len = 0;
	cap->text[0] = '\0';
	api_session_handle(s, w, n, now, &out);
	return cap->text;
}

static void test_api_v7(void)
{
	struct model_defaults d = {1000, 2000, 955015, "secret", "mon", "mpw", 0, 0};
	struct model_router *r = model_router_new("r0", FR_V7, &d, 0);
	unsigned char ch[16] = {0};
	struct api_session *s = api_session_new(r, ch, 1000);
	struct capture cap;
	CHECK_STR(say(s, &cap, "/interface/print", 0), "!trap =message=not logged in\n!done\n");
	CHECK_STR(say(s, &cap, "/no/such|.tag=t", 0),
	          "!trap =message=not logged in .tag=t\n!done .tag=t\n");
	CHECK_STR(say(s, &cap, "/login|=name=admin|=password=nope|.tag=1", 0),
	          "!trap =message=invalid user name or password (6) .tag=1\n!done .tag=1\n");
	CHECK_STR(say(s, &cap, "/login|=name=mon|=password=mpw", 0),
	          "!trap =message=not allowed (9)\n!done\n");
	CHECK_STR(say(s, &cap, "/login|=name=admin|=password=secret", 0), "!done\n");
	CHECK_STR(say(s, &cap,
	              "/interface/print|?name=ether2 lan|=.proplist=name,comment,rx-byte,x|.tag=a",
	              2000),
	          "!re =name=ether2 lan =comment=a=b=c =rx-byte=1000251000 .tag=a\n!done .tag=a\n");
	CHECK_STR(say(s, &cap, "/interface/print|?name=nope", 0), "!empty\n!done\n");
	CHECK_STR(say(s, &cap, "/interface/print|?comment|=.proplist=.id", 0),
	          "!re =.id=*2\n!re =.id=*3\n!done\n");
	CHECK_STR(say(s, &cap, "/interface/print|=count-only=", 0), "!done =ret=5\n");
	CHECK_STR(say(s, &cap, "/interface/print|?#!", 0), "!trap =message=invalid query\n!done\n");
	CHECK_STR(say(s, &cap, "/system/resource/print|=.proplist=uptime,version", 1000),
	          "!re =uptime=1w4d1h16m56s =version=7.18.2 (stable)\n!done\n");
	CHECK_STR(say(s, &cap, "/system/identity/print", 0), "!re =name=r0\n!done\n");
	CHECK_STR(say(s, &cap, "/interface/reset-counters|=numbers=*1,ether2 lan", 0), "!done\n");
	CHECK_STR(say(s, &cap, "/interface/reset-counters|=numbers=nope", 0),
	          "!trap =message=no such item\n!done\n");
	CHECK_STR(say(s, &cap, "/interface/monitor-traffic|=interface=ether1|=once=", 0),
	          "!re =name=ether1 =rx-packets-per-second=1250 =rx-bits-per-second=10000000 "
	          "=tx-packets-per-second=250 =tx-bits-per-second=2000000\n!done\n");
	say(s, &cap, "/interface/monitor-traffic|=interface=bridge|.tag=m", 0);
	CHECK_STR(cap.text, "!re =name=bridge =rx-packets-per-second=0 =rx-bits-per-second=0 "
	                    "=tx-packets-per-second=0 =tx-bits-per-second=0 .tag=m\n");
	CHECK(api_session_next_due(s) == 1000);
	CHECK(r->monitors == 1);
	struct api_out out = {capture_sentence, &cap};
	cap.len = 0;
	api_session_tick(s, 1000, &out);
	CHECK(cap.len > 0 && api_session_next_due(s) == 2000);
	CHECK_STR(say(s, &cap, "/cancel|=tag=m|.tag=c", 0),
	          "!trap =category=2 =message=interrupted .tag=m\n!done .tag=m\n!done .tag=c\n");
	CHECK(api_session_next_due(s) == INT64_MAX);
	CHECK(r->monitors == 0);
	/* A monitor of a session that ends is no longer counted. */
	say(s, &cap, "/interface/monitor-traffic|=interface=ether1|.tag=n", 0);
	CHECK(r->monitors == 1);
	CHECK_STR(say(s, &cap, "/ip/route/print", 0),
	          "!trap =message=no such command prefix\n!done\n");
	CHECK_STR(say(s, &cap, "/quit", 0), "!fatal session terminated on request\n");
	CHECK(r->logins == 1 && r->failed_logins == 2);
	/* The rate a monitor reports (bits/s) is what the counters grow by. */
	const struct model_iface *e1 = model_iface_by_name(r, "ether1", 6);
	CHECK(e1 && (model_counter_value(&e1->rx, 9000) - model_counter_value(&e1->rx, 8000)) * 8 ==
	                    10000000);
	api_session_free(s);
	CHECK(r->monitors == 0);
	model_router_free(r);
}

/* --monitor-align: rows after the first on whole periods of the wall clock,
 * never twice in a row when the offset moves by a millisecond. */
static void test_monitor_align(void)
{
	CHECK(api_aligned_after(0, 0, 1000) == 1000);
	CHECK(api_aligned_after(999, 0, 1000) == 1000);
	CHECK(api_aligned_after(1000, 0, 1000) == 2000);
	CHECK(api_aligned_after(1234, 300, 1000) == 1700);
	CHECK(api_aligned_after(5, -1007, 1000) == 7);
	struct model_defaults d = {1000, 2000, 955015, "", NULL, NULL, 0, 0};
	struct model_router *r = model_router_new("r0", FR_V7, &d, 0);
	unsigned char ch[16] = {0};
	struct api_session *s = api_session_new(r, ch, 1000);
	struct capture cap;
	struct api_out out = {capture_sentence, &cap};
	say(s, &cap, "/login|=name=admin|=password=", 0);
	api_session_align(s, 300); /* the wall clock is 300 ms ahead */
	say(s, &cap, "/interface/monitor-traffic|=interface=ether1|.tag=m", 1234);
	CHECK(strncmp(cap.text, "!re =name=ether1", 16) == 0); /* the first row at once */
	CHECK(api_session_next_due(s) == 1700);
	cap.len = 0;
	api_session_tick(s, 1700, &out);
	CHECK(cap.len > 0 && api_session_next_due(s) == 2700);
	api_session_align(s, 299); /* a millisecond less: the boundary is 2701 */
	api_session_tick(s, 2700, &out);
	CHECK(api_session_next_due(s) == 3701);
	api_session_align(s, 300);
	api_session_tick(s, 4400, &out); /* 699 ms late: the next boundary after now */
	CHECK(api_session_next_due(s) == 4700);
	api_session_free(s);
	model_router_free(r);
}

static void test_api_old(void)
{
	struct model_defaults d = {1000, 2000, 4973, "", NULL, NULL, 0, 0};
	struct model_router *r = model_router_new("old", FR_V6OLD, &d, 0);
	unsigned char ch[16];
	char resp[35], cmd[128];
	struct capture cap;
	from_hex("856780b7411eefd3abadee2058c149a3", ch);
	struct api_session *s = api_session_new(r, ch, 1000);
	CHECK_STR(say(s, &cap, "/login|=name=admin|=password=", 0),
	          "!done =ret=856780b7411eefd3abadee2058c149a3\n");
	CHECK_STR(say(s, &cap, "/login|=name=admin|=response=00deadbeef", 0),
	          "!trap =message=cannot log in\n!done\n");
	api_login_response("", ch, 16, resp);
	snprintf(cmd, sizeof(cmd), "/login|=name=admin|=response=%s", resp);
	CHECK_STR(say(s, &cap, cmd, 0), "!done\n");
	CHECK_STR(say(s, &cap, "/interface/print|?name=nope", 0), "!done\n");
	CHECK_STR(say(s, &cap, "/system/resource/print|=.proplist=uptime", 0),
	          "!re =uptime=01:22:53\n!done\n");
	api_session_free(s);
	model_router_free(r);
}

/* Start-up queues and devices share out half of the LAN interface; edits,
 * removals, re-creations and reboots treat counters and truth as RouterOS
 * and the README say. */
static void test_clients_model(void)
{
	struct model_defaults d = {1000000000ULL, 2000000000ULL, 0, "", NULL, NULL, 3, 5};
	struct model_router *r = model_router_new("c", FR_V7, &d, 0);
	CHECK(r && r->nqueues == 3 && r->ndevices == 5);
	if (!r)
		return;
	const struct model_iface *lan = &r->ifaces[1];
	uint64_t up = 0, down = 0, up_rate = 0;
	for (size_t k = 0; k < r->ndevices; k++) {
		up += model_counter_value(&r->devices[k].up, 0);
		down += model_counter_value(&r->devices[k].down, 0);
		up_rate += r->devices[k].up.rate;
	}
	CHECK(up <= model_counter_value(&lan->rx, 0) / 2 &&
	      up > model_counter_value(&lan->rx, 0) / 3);
	CHECK(down <= model_counter_value(&lan->tx, 0) / 2 && up_rate <= lan->rx.rate / 2);
	CHECK_STR(r->queues[1].name, "queue2");
	CHECK_STR(r->queues[1].target, "192.168.88.11/32");
	CHECK(r->queues[0].comment && !r->queues[1].comment);
	CHECK_STR(r->devices[4].mac, "02:00:00:00:00:05");
	CHECK_STR(r->devices[4].name, "kid phone 5");
	CHECK_STR(r->devices[1].name, "");
	CHECK(r->devices[0].host_name && !r->devices[1].host_name && r->devices[1].lease_comment);
	CHECK(!r->devices[2].lease);

	struct model_queue *q = model_queue_by_name(r, "queue1", 6);
	model_counter_set_rate(&q->up, 1000, 0);
	CHECK(model_queue_edit(q, "10.0.0.0/8", 0, NULL, 2000) == 0);
	CHECK(model_counter_value(&q->up, 3000) == 1000 &&
	      model_counter_truth(&q->up, 3000) == 3000);
	CHECK(!q->comment && strcmp(q->target, "10.0.0.0/8") == 0);
	CHECK(model_queue_add(r, "queue1", 6, "10.0.0.1/32", 0, 0, 3000) == NULL);
	model_queue_remove(q, 3000);
	CHECK(model_counter_truth(&q->up, 9000) == 3000); /* no growth while removed */
	q = model_queue_add(r, "queue1", 6, "10.0.0.1/32", 5, 0, 9000);
	CHECK(q == &r->queues[2] && q->id == 4 && r->queues[0].id == 2); /* last, new id */
	CHECK(model_counter_value(&q->up, 10000) == 5 &&
	      model_counter_truth(&q->up, 10000) == 3005);
	q = model_queue_recreate(r, &r->queues[0], 10000);
	CHECK(q == &r->queues[2] && q->id == 5 && strcmp(q->name, "queue2") == 0);
	CHECK(model_counter_value(&q->up, 10000) == 0);

	char mac[18], ip[16];
	CHECK(model_parse_mac("aa:BB:0c:dd:ee:ff", 17, mac) == 0);
	CHECK_STR(mac, "AA:BB:0C:DD:EE:FF");
	CHECK(model_parse_mac("aa-bb-0c-dd-ee-ff", 17, mac) < 0);
	CHECK(model_parse_ipv4("10.0.0.007", 10, ip) == 0);
	CHECK_STR(ip, "10.0.0.7");
	CHECK(model_parse_ipv4("10.0.0.1/24", 11, ip) < 0 && model_parse_ipv4("1.2.3", 5, ip) < 0);
	struct model_device *dv = model_device_add(r, mac, ip, 100, 10, 10000);
	CHECK(dv && dv->id == 6 && model_device_add(r, mac, ip, 0, 0, 10000) == NULL);
	model_device_remove(dv, 11000);
	dv = model_device_add(r, mac, "10.0.0.8", 0, 0, 12000);
	CHECK(dv && dv->id == 7 && model_counter_truth(&dv->up, 20000) == 100);
	model_router_reboot(r, 20000, 1000);
	CHECK(model_counter_value(&r->devices[1].up, 20500) == 0 && r->devices[1].id == 8);
	CHECK(r->devices[0].id == 1); /* a named (static) device keeps its .id */
	CHECK(model_counter_value(&r->queues[0].up, 20999) == 0);
	model_router_free(r);
}

/* The three new menus over the API: exact rows, .proplist, queries,
 * count-only, and what each flavour serves. */
static void test_api_clients(void)
{
	struct model_defaults d = {1000000000ULL, 2000000000ULL, 0, "", NULL, NULL, 2, 3};
	struct model_router *r = model_router_new("c", FR_V7, &d, 0);
	unsigned char ch[16] = {0};
	struct api_session *s = api_session_new(r, ch, 1000);
	struct capture cap;
	char resp[35], cmd[80];
	say(s, &cap, "/login|=name=admin|=password=", 0);
	CHECK_STR(say(s, &cap,
	              "/queue/simple/print|?name=queue2|=.proplist=.id,name,target,comment,bytes,"
	              "packets,rate,max-limit,disabled",
	              0),
	          "!re =.id=*2 =name=queue2 =target=192.168.88.11/32 =bytes=888888888/1333333333 "
	          "=packets=888888/1333333 =rate=444440/222216 =max-limit=0/0 =disabled=false\n"
	          "!done\n");
	CHECK_STR(say(s, &cap, "/queue/simple/print|?comment|=.proplist=name,comment", 0),
	          "!re =name=queue1 =comment=customer 1\n!done\n");
	CHECK_STR(say(s, &cap,
	              "/ip/kid-control/device/print|?mac-address=02:00:00:00:00:01|=.proplist=.id,"
	              "name,user,mac-address,ip-address,bytes-up,bytes-down,dynamic,idle-time",
	              0),
	          "!re =.id=*1 =name=kid phone 1 =user=kids =mac-address=02:00:00:00:00:01 "
	          "=ip-address=192.168.88.10 =bytes-up=90909090 =bytes-down=136363636 "
	          "=dynamic=false =idle-time=0s\n!done\n");
	CHECK_STR(say(s, &cap, "/ip/kid-control/device/print|?dynamic=true|=count-only=", 0),
	          "!done =ret=2\n");
	CHECK_STR(say(s, &cap,
	              "/ip/dhcp-server/lease/print|=.proplist=mac-address,host-name,comment", 0),
	          "!re =mac-address=02:00:00:00:00:01 =host-name=host-1\n"
	          "!re =mac-address=02:00:00:00:00:02 =comment=lease 2\n!done\n");
	CHECK_STR(say(s, &cap, "/ip/kid-control/device/print|?name=nobody", 0), "!empty\n!done\n");
	api_session_free(s);
	r->flavour = FR_V6;
	s = api_session_new(r, ch, 1000);
	say(s, &cap, "/login|=name=admin|=password=", 0);
	CHECK_STR(say(s, &cap, "/ip/kid-control/device/print", 0), "!done\n");
	CHECK(strncmp(say(s, &cap, "/queue/simple/print|=count-only=", 0), "!done =ret=2", 12) ==
	      0);
	api_session_free(s);
	r->flavour = FR_V6OLD; /* before 6.41: no kid control at all */
	s = api_session_new(r, ch, 1000);
	api_login_response("", ch, 16, resp);
	snprintf(cmd, sizeof(cmd), "/login|=name=admin|=response=%s", resp);
	say(s, &cap, cmd, 0);
	CHECK_STR(say(s, &cap, "/ip/kid-control/device/print", 0),
	          "!trap =message=no such command prefix\n!done\n");
	api_session_free(s);
	model_router_free(r);
}

static void test_percent(void)
{
	char out[64];
	struct wbuf b;
	CHECK(control_pct_decode("ether2%20lan", 12, out) == 10 && strcmp(out, "ether2 lan") == 0);
	CHECK(control_pct_decode("wlan-caf%E9", 11, out) == 9 && (unsigned char)out[8] == 0xE9);
	CHECK(control_pct_decode("x%2", 3, out) < 0);
	CHECK(control_pct_decode("x%00", 4, out) < 0);
	wbuf_init(&b);
	control_pct_encode(&b, "wlan-caf\xe9 a=b");
	wbuf_append(&b, "", 1);
	CHECK_STR((const char *)b.data, "wlan-caf%E9%20a%3Db");
	wbuf_free(&b);
}

int selftest_run(void)
{
	test_md5();
	test_login_vectors();
	test_length_prefix();
	test_sentence_encoding();
	test_parser();
	test_query();
	test_uptime();
	test_counters();
	test_api_v7();
	test_monitor_align();
	test_api_old();
	test_percent();
	test_clients_model();
	test_api_clients();
	printf("self-test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
