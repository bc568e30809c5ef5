#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "md5.h"
#include "query.h"

/* A streaming /interface/monitor-traffic waiting for its next row. */
struct monitor {
	struct monitor *next;
	char *tagword; /* the ".tag=X" word to echo, NULL if untagged */
	size_t taglen;
	char *ifaces; /* the =interface= value, comma-separated names */
	size_t ifaces_len;
	int64_t next_ms;
};

struct api_session {
	struct model_router *r;
	enum fr_flavour fl;
	int logged_in;
	unsigned char challenge[16];
	int64_t interval_ms;
	int align;           /* monitors send on multiples of interval_ms of the wall clock */
	int64_t wall_off_ms; /* wall clock minus now_ms, for align */
	struct monitor *mons;
	struct wbuf sb; /* the sentence being built */
	int sb_failed;  /* an append failed: drop the sentence */
};

/* A command sentence, split into what the handlers need. */
struct req {
	const struct wire_word *words;
	size_t n;
	const char *tagword; /* ".tag=X" word or NULL */
	size_t taglen;
};

typedef int (*cmd_fn)(struct api_session *s, const struct req *q, int64_t now,
                      const struct api_out *out);

/* ---- sentence building ------------------------------------------------ */

static void sb_begin(struct api_session *s, const char *reply)
{
	s->sb.off = s->sb.len = 0;
	s->sb_failed = wire_put_str(&s->sb, reply) < 0;
}

static void sb_attr(struct api_session *s, const char *key, const char *val, size_t vlen)
{
	if (wire_put_attr(&s->sb, key, val, vlen) < 0)
		s->sb_failed = 1;
}

static void sb_attr_str(struct api_session *s, const char *key, const char *val)
{
	sb_attr(s, key, val, strlen(val));
}

static void sb_attr_num(struct api_session *s, const char *key, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	sb_attr(s, key, buf, (size_t)n);
}

/* Ends the sentence with the tag word last (clients must not assume the
 * tag comes first) and hands it to out. */
static void sb_send(struct api_session *s, const char *tagword, size_t taglen,
                    const struct api_out *out)
{
	if (tagword && wire_put_word(&s->sb, tagword, taglen) < 0)
		s->sb_failed = 1;
	if (wire_put_end(&s->sb) < 0)
		s->sb_failed = 1;
	if (!s->sb_failed)
		out->sentence(out->ctx, s->sb.data + s->sb.off, wbuf_size(&s->sb));
}

static void send_done(struct api_session *s, const struct req *q, const struct api_out *out)
{
	sb_begin(s, "!done");
	sb_send(s, q->tagword, q->taglen, out);
}

/* !trap (optionally with =category=) followed by its !done. */
static void send_trap(struct api_session *s, const struct req *q, const char *category,
                      const char *message, const struct api_out *out)
{
	sb_begin(s, "!trap");
	if (category)
		sb_attr_str(s, "category", category);
	sb_attr_str(s, "message", message);
	sb_send(s, q->tagword, q->taglen, out);
	send_done(s, q, out);
}

/* ---- request access --------------------------------------------------- */

static int word_is(const struct wire_word *w, const char *lit)
{
	return strlen(lit) == w->n && memcmp(w->p, lit, w->n) == 0;
}

/* Finds attribute "=key=value"; the value may contain '=' and be empty. */
static int req_attr(const struct req *q, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	for (size_t i = 1; i < q->n; i++) {
		const struct wire_word *w = &q->words[i];
		if (w->n >= klen + 2 && w->p[0] == '=' && memcmp(w->p + 1, key, klen) == 0 &&
		    w->p[klen + 1] == '=') {
			*val = w->p + klen + 2;
			*vlen = w->n - klen - 2;
			return 1;
		}
	}
	return 0;
}

static void req_parse(struct req *q, const struct wire_word *words, size_t n)
{
	q->words = words;
	q->n = n;
	q->tagword = NULL;
	q->taglen = 0;
	for (size_t i = 1; i < n; i++)
		if (words[i].n >= 5 && memcmp(words[i].p, ".tag=", 5) == 0) {
			q->tagword = words[i].p;
			q->taglen = words[i].n;
		}
}

static int bytes_eq(const char *a, size_t an, const char *b)
{
	return an == strlen(b) && memcmp(a, b, an) == 0;
}

/* Calls fn for each comma-separated token of list (n bytes); stops and
 * returns the first non-zero result. */
static int each_token(const char *list, size_t n, int (*fn)(void *ctx, const char *t, size_t tn),
                      void *ctx)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && list[i] != ',')
			continue;
		int rc = fn(ctx, list + start, i - start);
		if (rc)
			return rc;
		start = i + 1;
	}
	return 0;
}

/* ---- /login ------------------------------------------------------------ */

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void api_login_response(const char *password, const unsigned char *challenge, size_t clen,
                        char out[35])
{
	struct md5_ctx c;
	unsigned char dig[16];
	md5_init(&c);
	md5_update(&c, "", 1); /* the leading 0x00 byte */
	md5_update(&c, password, strlen(password));
	md5_update(&c, challenge, clen);
	md5_final(&c, dig);
	out[0] = out[1] = '0';
	hex_encode(dig, 16, out + 2);
}

static int login_ok(struct api_session *s, const struct req *q, const struct api_out *out)
{
	s->logged_in = 1;
	s->r->logins++;
	send_done(s, q, out);
	return API_CONTINUE;
}

static int login_fail(struct api_session *s, const struct req *q, const char *msg,
                      const struct api_out *out)
{
	s->r->failed_logins++;
	send_trap(s, q, NULL, msg, out);
	return API_CONTINUE;
}

/* Which user the name denotes: 1 admin, 2 the user without api policy. */
static int user_kind(const struct model_router *r, const char *name, size_t n)
{
	if (bytes_eq(name, n, "admin"))
		return 1;
	if (r->noapi_user && bytes_eq(name, n, r->noapi_user))
		return 2;
	return 0;
}

static const char *user_password(const struct model_router *r, int kind)
{
	return kind == 1 ? r->password : r->noapi_pass;
}

/* 6.43+: /login =name=U =password=P. */
static int login_plain(struct api_session *s, const struct req *q, const struct api_out *out)
{
	const char *name, *pw;
	size_t nn, pn;
	static const char bad[] = "invalid user name or password (6)";
	if (!req_attr(q, "name", &name, &nn) || !req_attr(q, "password", &pw, &pn))
		return login_fail(s, q, bad, out);
	int kind = user_kind(s->r, name, nn);
	if (!kind || !bytes_eq(pw, pn, user_password(s->r, kind)))
		return login_fail(s, q, bad, out);
	if (kind == 2)
		return login_fail(s, q, "not allowed (9)", out);
	return login_ok(s, q, out);
}

static int hexeq_nocase(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		char c = a[i] >= 'A' && a[i] <= 'F' ? (char)(a[i] - 'A' + 'a') : a[i];
		if (c != b[i])
			return 0;
	}
	return 1;
}

/* Pre-6.43: a /login without =response= gets the challenge; the second
 * /login must carry =name= and =response=00<md5 hex>. */
static int login_challenge(struct api_session *s, const struct req *q, const struct api_out *out)
{
	const char *name, *resp;
	size_t nn, rn;
	char want[35];
	if (!req_attr(q, "response", &resp, &rn)) {
		char hex[33];
		hex_encode(s->challenge, 16, hex);
		sb_begin(s, "!done");
		sb_attr_str(s, "ret", hex);
		sb_send(s, q->tagword, q->taglen, out);
		return API_CONTINUE;
	}
	int kind = req_attr(q, "name", &name, &nn) ? user_kind(s->r, name, nn) : 0;
	if (!kind)
		return login_fail(s, q, "cannot log in", out);
	api_login_response(user_password(s->r, kind), s->challenge, 16, want);
	if (!hexeq_nocase(resp, rn, want))
		return login_fail(s, q, "cannot log in", out);
	if (kind == 2)
		return login_fail(s, q, "not allowed (9)", out);
	return login_ok(s, q, out);
}

static int cmd_login(struct api_session *s, const struct req *q, int64_t now,
                     const struct api_out *out)
{
	(void)now;
	if (s->fl == FR_V6OLD)
		return login_challenge(s, q, out);
	return login_plain(s, q, out);
}

/* ---- prints: /interface, /ip/address, /queue/simple, kid-control, leases -- */

/* Row k of a menu of router r at now, as query_eval and send_item see it. */
struct row_item {
	const struct model_router *r;
	size_t k;
	int64_t now;
	char buf[64];
};

/* A printable menu: how many rows it may have, which of them exist, and
 * how a row's properties read (props: all of them in print order). */
struct menu {
	size_t (*count)(const struct model_router *r);
	int (*exists)(const struct model_router *r, size_t k);
	query_lookup_fn lookup;
	const char *const *props;
};

static size_t count_ifaces(const struct model_router *r)
{
	return r->nifaces;
}

static size_t count_queues(const struct model_router *r)
{
	return r->nqueues;
}

static size_t count_devices(const struct model_router *r)
{
	return r->ndevices;
}

static size_t count_none(const struct model_router *r)
{
	(void)r;
	return 0;
}

static int always(const struct model_router *r, size_t k)
{
	(void)r;
	(void)k;
	return 1;
}

static int iface_has_address(const struct model_router *r, size_t k)
{
	return r->ifaces[k].address[0] != '\0';
}

static int queue_present(const struct model_router *r, size_t k)
{
	return r->queues[k].present;
}

static int device_present(const struct model_router *r, size_t k)
{
	return r->devices[k].present;
}

static int device_has_lease(const struct model_router *r, size_t k)
{
	return r->devices[k].lease;
}

static int iface_lookup(void *item, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct row_item *it = item;
	return model_iface_prop(&it->r->ifaces[it->k], name, n, it->now, it->buf, val, vlen);
}

/* An interface's address item: one per interface that has an address. */
static int address_lookup(void *item, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct row_item *it = item;
	return model_address_prop(&it->r->ifaces[it->k], name, n, it->buf, val, vlen);
}

static int queue_lookup(void *item, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct row_item *it = item;
	return model_queue_prop(&it->r->queues[it->k], name, n, it->now, it->buf, val, vlen);
}

static int device_lookup(void *item, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct row_item *it = item;
	return model_device_prop(&it->r->devices[it->k], name, n, it->now, it->buf, val, vlen);
}

static int lease_lookup(void *item, const char *name, size_t n, const char **val, size_t *vlen)
{
	struct row_item *it = item;
	return model_lease_prop(&it->r->devices[it->k], name, n, it->now, it->buf, val, vlen);
}

static const struct menu iface_menu = {count_ifaces, always, iface_lookup, model_iface_props};
static const struct menu address_menu = {count_ifaces, iface_has_address, address_lookup,
                                         model_address_props};
static const struct menu queue_menu = {count_queues, queue_present, queue_lookup,
                                       model_queue_props};
static const struct menu device_menu = {count_devices, device_present, device_lookup,
                                        model_device_props};
/* A v6 router has the menu but no device accounting: an empty table. */
static const struct menu device_menu_v6 = {count_none, always, device_lookup, model_device_props};
static const struct menu lease_menu = {count_devices, device_has_lease, lease_lookup,
                                       model_lease_props};

struct prop_emit {
	struct api_session *s;
	query_lookup_fn lookup;
	void *item;
};

static int emit_one_prop(void *ctx, const char *name, size_t n)
{
	struct prop_emit *pe = ctx;
	const char *val;
	size_t vlen;
	char key[64];
	if (n == 0 || n >= sizeof(key) || !pe->lookup(pe->item, name, n, &val, &vlen))
		return 0; /* unknown properties are silently left out */
	memcpy(key, name, n);
	key[n] = '\0';
	sb_attr(pe->s, key, val, vlen);
	return 0;
}

/* Sends one !re row of item: the .proplist properties, else all of props. */
static void send_item(struct api_session *s, const struct req *q, query_lookup_fn lookup,
                      void *item, const char *const *props, const struct api_out *out)
{
	const char *plist;
	size_t pn;
	struct prop_emit pe = {s, lookup, item};
	sb_begin(s, "!re");
	if (req_attr(q, ".proplist", &plist, &pn)) {
		each_token(plist, pn, emit_one_prop, &pe);
	} else {
		for (size_t k = 0; props[k]; k++)
			emit_one_prop(&pe, props[k], strlen(props[k]));
	}
	sb_send(s, q->tagword, q->taglen, out);
}

/* Copies the query words of q into a fresh array (NULL when none). */
static struct wire_word *collect_queries(const struct req *q, size_t *nq)
{
	*nq = 0;
	for (size_t i = 1; i < q->n; i++)
		*nq += q->words[i].n > 0 && q->words[i].p[0] == '?';
	if (*nq == 0)
		return NULL;
	struct wire_word *qs = malloc(*nq * sizeof(*qs));
	if (!qs)
		return NULL;
	size_t k = 0;
	for (size_t i = 1; i < q->n; i++)
		if (q->words[i].n > 0 && q->words[i].p[0] == '?')
			qs[k++] = q->words[i];
	return qs;
}

static void send_print_end(struct api_session *s, const struct req *q, size_t matched,
                           const struct api_out *out)
{
	const char *v;
	size_t vn;
	if (req_attr(q, "count-only", &v, &vn)) {
		sb_begin(s, "!done");
		sb_attr_num(s, "ret", matched);
		sb_send(s, q->tagword, q->taglen, out);
		return;
	}
	if (matched == 0 && s->fl == FR_V7) {
		sb_begin(s, "!empty");
		sb_send(s, q->tagword, q->taglen, out);
	}
	send_done(s, q, out);
}

/* Answers a print of menu m: each row that exists, filtered by the
 * ?queries, sent with the .proplist or all properties, or only counted
 * (=count-only=). */
static int print_rows(struct api_session *s, const struct req *q, int64_t now,
                      const struct api_out *out, const struct menu *m)
{
	size_t nq, matched = 0;
	const char *v;
	size_t vn;
	struct wire_word *qs = collect_queries(q, &nq);
	int count_only = req_attr(q, "count-only", &v, &vn);
	if (nq > 0 && !qs) {
		send_trap(s, q, NULL, "out of memory", out);
		return API_CONTINUE;
	}
	for (size_t k = 0; k < m->count(s->r); k++) {
		struct row_item it = {.r = s->r, .k = k, .now = now};
		if (!m->exists(s->r, k))
			continue;
		int rc = query_eval(qs, nq, m->lookup, &it);
		if (rc == QUERY_E_SYNTAX) {
			free(qs);
			send_trap(s, q, NULL, "invalid query", out);
			return API_CONTINUE;
		}
		if (rc == QUERY_FALSE)
			continue;
		matched++;
		if (!count_only)
			send_item(s, q, m->lookup, &it, m->props, out);
	}
	free(qs);
	send_print_end(s, q, matched, out);
	return API_CONTINUE;
}

static int cmd_iface_print(struct api_session *s, const struct req *q, int64_t now,
                           const struct api_out *out)
{
	return print_rows(s, q, now, out, &iface_menu);
}

static int cmd_address_print(struct api_session *s, const struct req *q, int64_t now,
                             const struct api_out *out)
{
	return print_rows(s, q, now, out, &address_menu);
}

static int cmd_queue_print(struct api_session *s, const struct req *q, int64_t now,
                           const struct api_out *out)
{
	return print_rows(s, q, now, out, &queue_menu);
}

/* Kid control came with 6.41; its per-device accounting with RouterOS 7. */
static int cmd_device_print(struct api_session *s, const struct req *q, int64_t now,
                            const struct api_out *out)
{
	if (s->fl == FR_V6OLD) {
		send_trap(s, q, NULL, "no such command prefix", out);
		return API_CONTINUE;
	}
	return print_rows(s, q, now, out, s->fl == FR_V7 ? &device_menu : &device_menu_v6);
}

static int cmd_lease_print(struct api_session *s, const struct req *q, int64_t now,
                           const struct api_out *out)
{
	return print_rows(s, q, now, out, &lease_menu);
}

/* ---- /interface/reset-counters ---------------------------------------- */

struct resolve {
	struct model_router *r;
	struct model_iface *found[64];
	size_t n;
};

/* Resolves one name or "*id" token; non-zero when it names nothing. */
static int resolve_token(void *ctx, const char *t, size_t n)
{
	struct resolve *rs = ctx;
	struct model_iface *i = n > 0 && t[0] == '*' ? model_iface_by_id(rs->r, t, n)
	                                             : model_iface_by_name(rs->r, t, n);
	if (!i || rs->n >= sizeof(rs->found) / sizeof(rs->found[0]))
		return 1;
	rs->found[rs->n++] = i;
	return 0;
}

static int cmd_iface_reset(struct api_session *s, const struct req *q, int64_t now,
                           const struct api_out *out)
{
	const char *list;
	size_t ln;
	struct resolve rs = {.r = s->r};
	if (!req_attr(q, "numbers", &list, &ln) && !req_attr(q, ".id", &list, &ln)) {
		send_trap(s, q, NULL, "missing value(s) of argument(s) numbers", out);
		return API_CONTINUE;
	}
	if (each_token(list, ln, resolve_token, &rs)) {
		send_trap(s, q, NULL, "no such item", out);
		return API_CONTINUE;
	}
	for (size_t k = 0; k < rs.n; k++)
		model_iface_reset(rs.found[k], now);
	send_done(s, q, out);
	return API_CONTINUE;
}

/* ---- /interface/monitor-traffic ------------------------------------------ */

struct mon_rows {
	struct api_session *s;
	const char *tagword;
	size_t taglen;
	const struct api_out *out;
};

/* Sends the row of one interface; names that vanished are skipped. */
static int send_mon_row(void *ctx, const char *name, size_t n)
{
	struct mon_rows *mr = ctx;
	struct api_session *s = mr->s;
	const struct model_iface *i = model_iface_by_name(s->r, name, n);
	if (!i)
		return 0;
	uint64_t rx = i->disabled ? 0 : i->rx.rate, tx = i->disabled ? 0 : i->tx.rate;
	sb_begin(s, "!re");
	sb_attr(s, "name", i->name, strlen(i->name));
	sb_attr_num(s, "rx-packets-per-second", rx / 1000);
	sb_attr_num(s, "rx-bits-per-second", rx * 8);
	sb_attr_num(s, "tx-packets-per-second", tx / 1000);
	sb_attr_num(s, "tx-bits-per-second", tx * 8);
	sb_send(s, mr->tagword, mr->taglen, mr->out);
	return 0;
}

static struct monitor *monitor_new(const struct req *q, const char *ifs, size_t ifn, int64_t next)
{
	struct monitor *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->ifaces = malloc(ifn + 1);
	m->tagword = q->tagword ? malloc(q->taglen) : NULL;
	if (!m->ifaces || (q->tagword && !m->tagword)) {
		free(m->ifaces);
		free(m->tagword);
		free(m);
		return NULL;
	}
	memcpy(m->ifaces, ifs, ifn);
	m->ifaces_len = ifn;
	if (q->tagword)
		memcpy(m->tagword, q->tagword, q->taglen);
	m->taglen = q->taglen;
	m->next_ms = next;
	return m;
}

static void monitor_free(struct monitor *m)
{
	free(m->ifaces);
	free(m->tagword);
	free(m);
}

/* When a new monitor sends its second row (the first goes out at once). */
static int64_t first_due(const struct api_session *s, int64_t now)
{
	if (s->align)
		return api_aligned_after(now, s->wall_off_ms, s->interval_ms);
	return now + s->interval_ms;
}

/* When monitor m, due at m->next_ms and sending at now, sends next. Aligned:
 * the first boundary at least half a period after the due one, so that a
 * wall-clock offset that moved by a millisecond since (clock_gettime
 * rounding, NTP slewing) never yields a second row right after this one,
 * and a tick later than half a period skips to the boundary after now. */
static int64_t next_due(const struct api_session *s, const struct monitor *m, int64_t now)
{
	if (s->align) {
		int64_t from = m->next_ms + s->interval_ms / 2;
		return api_aligned_after(from > now ? from : now, s->wall_off_ms, s->interval_ms);
	}
	int64_t next = m->next_ms + s->interval_ms;
	if (next <= now) /* fell behind (stall, busy loop): skip */
		next = now + s->interval_ms;
	return next;
}

static int cmd_monitor(struct api_session *s, const struct req *q, int64_t now,
                       const struct api_out *out)
{
	const char *ifs, *v;
	size_t ifn, vn;
	struct resolve rs = {.r = s->r};
	if (!req_attr(q, "interface", &ifs, &ifn)) {
		send_trap(s, q, NULL, "missing value(s) of argument(s) interface", out);
		return API_CONTINUE;
	}
	if (each_token(ifs, ifn, resolve_token, &rs)) {
		send_trap(s, q, NULL, "no such item", out);
		return API_CONTINUE;
	}
	struct mon_rows mr = {s, q->tagword, q->taglen, out};
	each_token(ifs, ifn, send_mon_row, &mr);
	if (req_attr(q, "once", &v, &vn)) {
		send_done(s, q, out);
		return API_CONTINUE;
	}
	struct monitor *m = monitor_new(q, ifs, ifn, first_due(s, now));
	if (!m) {
		send_trap(s, q, NULL, "out of memory", out);
		return API_CONTINUE;
	}
	m->next = s->mons;
	s->mons = m;
	s->r->monitors++;
	return API_CONTINUE;
}

/* ---- /cancel -------------------------------------------------------------- */

/* Ends monitor m the way RouterOS ends an interrupted command. */
static void interrupt_monitor(struct api_session *s, struct monitor *m, const struct api_out *out)
{
	sb_begin(s, "!trap");
	sb_attr_str(s, "category", "2");
	sb_attr_str(s, "message", "interrupted");
	sb_send(s, m->tagword, m->taglen, out);
	sb_begin(s, "!done");
	sb_send(s, m->tagword, m->taglen, out);
}

/* 1 if monitor m was started with tag value tag (n bytes). */
static int monitor_has_tag(const struct monitor *m, const char *tag, size_t n)
{
	return m->tagword && m->taglen == n + 5 && memcmp(m->tagword + 5, tag, n) == 0;
}

static int cmd_cancel(struct api_session *s, const struct req *q, int64_t now,
                      const struct api_out *out)
{
	const char *tag;
	size_t tn;
	int has_tag = req_attr(q, "tag", &tag, &tn);
	size_t cancelled = 0;
	(void)now;
	for (struct monitor **pp = &s->mons; *pp;) {
		struct monitor *m = *pp;
		if (has_tag && !monitor_has_tag(m, tag, tn)) {
			pp = &m->next;
			continue;
		}
		*pp = m->next;
		interrupt_monitor(s, m, out);
		monitor_free(m);
		s->r->monitors--;
		cancelled++;
	}
	if (has_tag && cancelled == 0) {
		send_trap(s, q, NULL, "no such command", out);
		return API_CONTINUE;
	}
	send_done(s, q, out);
	return API_CONTINUE;
}

/* ---- /system/... and /quit ------------------------------------------------ */

static int emit_resource_prop(struct api_session *s, const char *name, size_t n, int64_t now)
{
	char buf[64];
	if (bytes_eq(name, n, "uptime")) {
		model_format_uptime(model_uptime_s(s->r, now), s->fl, buf, sizeof(buf));
		sb_attr_str(s, "uptime", buf);
	} else if (bytes_eq(name, n, "version")) {
		sb_attr_str(s, "version", model_version(s->fl));
	} else if (bytes_eq(name, n, "board-name")) {
		sb_attr_str(s, "board-name", "RB4011iGS+");
	} else if (bytes_eq(name, n, "architecture-name")) {
		sb_attr_str(s, "architecture-name", "arm");
	} else if (bytes_eq(name, n, "platform")) {
		sb_attr_str(s, "platform", "MikroTik");
	} else if (bytes_eq(name, n, "cpu-load")) {
		sb_attr_num(s, "cpu-load", 3 + model_uptime_s(s->r, now) % 5);
	} else if (bytes_eq(name, n, "free-memory")) {
		sb_attr_num(s, "free-memory", 803213312);
	} else if (bytes_eq(name, n, "total-memory")) {
		sb_attr_num(s, "total-memory", 1073741824);
	}
	return 0;
}

struct res_emit {
	struct api_session *s;
	int64_t now;
};

static int emit_resource_token(void *ctx, const char *name, size_t n)
{
	struct res_emit *re = ctx;
	return emit_resource_prop(re->s, name, n, re->now);
}

static int cmd_resource(struct api_session *s, const struct req *q, int64_t now,
                        const struct api_out *out)
{
	static const char all[] = "uptime,version,free-memory,total-memory,cpu-load,architecture-"
	                          "name,board-name,platform";
	const char *plist;
	size_t pn;
	struct res_emit re = {s, now};
	if (!req_attr(q, ".proplist", &plist, &pn)) {
		plist = all;
		pn = sizeof(all) - 1;
	}
	sb_begin(s, "!re");
	each_token(plist, pn, emit_resource_token, &re);
	sb_send(s, q->tagword, q->taglen, out);
	send_done(s, q, out);
	return API_CONTINUE;
}

static int cmd_identity(struct api_session *s, const struct req *q, int64_t now,
                        const struct api_out *out)
{
	(void)now;
	sb_begin(s, "!re");
	sb_attr_str(s, "name", s->r->name);
	sb_send(s, q->tagword, q->taglen, out);
	send_done(s, q, out);
	return API_CONTINUE;
}

static int cmd_quit(struct api_session *s, const struct req *q, int64_t now,
                    const struct api_out *out)
{
	(void)q;
	(void)now;
	sb_begin(s, "!fatal");
	if (wire_put_str(&s->sb, "session terminated on request") < 0)
		s->sb_failed = 1;
	sb_send(s, NULL, 0, out); /* !fatal is never tagged */
	return API_CLOSE;
}

/* ---- dispatch ------------------------------------------------------------- */

static const struct command {
	const char *name;
	cmd_fn fn;
	int needs_login;
} commands[] = {
        {"/login", cmd_login, 0},
        {"/interface/print", cmd_iface_print, 1},
        {"/interface/reset-counters", cmd_iface_reset, 1},
        {"/interface/monitor-traffic", cmd_monitor, 1},
        {"/system/resource/print", cmd_resource, 1},
        {"/system/identity/print", cmd_identity, 1},
        {"/ip/address/print", cmd_address_print, 1},
        {"/queue/simple/print", cmd_queue_print, 1},
        {"/ip/kid-control/device/print", cmd_device_print, 1},
        {"/ip/dhcp-server/lease/print", cmd_lease_print, 1},
        {"/cancel", cmd_cancel, 1},
        {"/quit", cmd_quit, 1},
};

int api_session_handle(struct api_session *s, const struct wire_word *words, size_t n,
                       int64_t now_ms, const struct api_out *out)
{
	struct req q;
	if (n == 0)
		return API_CONTINUE;
	req_parse(&q, words, n);
	s->r->commands++;
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (!word_is(&words[0], commands[k].name))
			continue;
		if (commands[k].needs_login && !s->logged_in)
			break;
		return commands[k].fn(s, &q, now_ms, out);
	}
	/* Before login every command but /login is refused, known or not. */
	send_trap(s, &q, NULL, s->logged_in ? "no such command prefix" : "not logged in", out);
	return API_CONTINUE;
}

/* ---- session lifecycle and monitors ------------------------------------- */

struct api_session *api_session_new(struct model_router *r, const unsigned char challenge[16],
                                    int64_t interval_ms)
{
	struct api_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->r = r;
	s->fl = r->flavour;
	memcpy(s->challenge, challenge, 16);
	s->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	wbuf_init(&s->sb);
	return s;
}

void api_session_free(struct api_session *s)
{
	if (!s)
		return;
	while (s->mons) {
		struct monitor *m = s->mons;
		s->mons = m->next;
		monitor_free(m);
		s->r->monitors--;
	}
	wbuf_free(&s->sb);
	free(s);
}

void api_session_align(struct api_session *s, int64_t wall_minus_now_ms)
{
	s->align = 1;
	s->wall_off_ms = wall_minus_now_ms;
}

int64_t api_aligned_after(int64_t now_ms, int64_t wall_minus_now_ms, int64_t period_ms)
{
	int64_t wall = now_ms + wall_minus_now_ms;
	int64_t rem = wall % period_ms;
	if (rem < 0) /* C rounds toward zero: make it the floor's remainder */
		rem += period_ms;
	return now_ms + (period_ms - rem);
}

int64_t api_session_next_due(const struct api_session *s)
{
	int64_t due = INT64_MAX;
	for (const struct monitor *m = s->mons; m; m = m->next)
		if (m->next_ms < due)
			due = m->next_ms;
	return due;
}

void api_session_tick(struct api_session *s, int64_t now_ms, const struct api_out *out)
{
	for (struct monitor *m = s->mons; m; m = m->next) {
		if (m->next_ms > now_ms)
			continue;
		struct mon_rows mr = {s, m->tagword, m->taglen, out};
		each_token(m->ifaces, m->ifaces_len, send_mon_row, &mr);
		m->next_ms = next_due(s, m, now_ms);
	}
}

int api_session_logged_in(const struct api_session *s)
{
	return s->logged_in;
}
