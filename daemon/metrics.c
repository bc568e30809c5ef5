/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "cycle.h"
#include "jsonw.h"

int metrics_label_value(struct text_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		if (c == '\\') {
			text_buf_puts(out, "\\\\");
			i++;
		} else if (c == '"') {
			text_buf_puts(out, "\\\"");
			i++;
		} else if (c == '\n') {
			text_buf_puts(out, "\\n");
			i++;
		} else if (c < 0x80) {
			/* The whole run of plain ASCII in one append. */
			size_t j = i + 1;
			while (j < len && p[j] < 0x80 && p[j] != '\\' && p[j] != '"' &&
			       p[j] != '\n')
				j++;
			text_buf_append(out, p + i, j - i);
			i = j;
		} else {
			size_t n = text_utf8_len(p + i, len - i);
			if (n) {
				text_buf_append(out, p + i, n);
				i += n;
			} else {
				/* Not UTF-8: the byte as Latin-1, i.e. U+0080..U+00FF. */
				unsigned char u[2] = {(unsigned char)(0xC0 | (c >> 6)),
				                      (unsigned char)(0x80 | (c & 0x3F))};
				text_buf_append(out, u, 2);
				i++;
			}
		}
	}
	return out->failed ? -1 : 0;
}

/* This billing cycle's bytes of one interface, NULL store aside. */
struct cycle_bytes {
	bool known; /* the store has the interface */
	uint64_t rx, tx;
};

/* Everything one scrape renders from. */
struct scrape {
	const struct cfg *cfg;
	const struct status_snapshot *snap;
	size_t nr; /* routers both cfg and the snapshot have */
	int64_t now;
	struct cycle_bytes *cycle;   /* per interface (struct at's slot); NULL without a store */
	struct billing_state *bills; /* per cfg bill; NULL without a store */
	bool *bill_known;            /* per cfg bill: its state could be read */
};

/* Where one sample is: router and interface (by their cfg positions), the
 * interface's position among all interfaces of the scrape (slot), and
 * the index of the family's extra label value. */
struct at {
	size_t router, iface, slot;
	size_t bill; /* SCOPE_BILL: the bill's index in cfg */
	int label;
};

/* The values of a family's extra label. */
struct label_set {
	const char *name;
	int count;
	const char *(*value)(int i);
};

/* Which labels a family's samples have besides its extra label. */
enum scope {
	SCOPE_GLOBAL,    /* none: one sample (or one per extra label value) */
	SCOPE_ROUTER,    /* router, per router */
	SCOPE_INTERFACE, /* router and interface, per interface */
	SCOPE_BILL,      /* bill, per [bill] section */
};

/* One metric family: a row of families[] below. */
struct family {
	const char *name, *type, *help;
	enum scope scope;
	const struct label_set *label; /* an extra label, or NULL */
	bool needs_store;              /* left out of a scrape without a store */
	/* Whether there is a sample at a (NULL: everywhere in scope). */
	bool (*only)(const struct scrape *s, const struct at *a);
	/* Appends the sample's value (without the newline). */
	void (*value)(const struct scrape *s, const struct at *a, struct text_buf *out);
	/* Or, for a histogram: appends all its samples. */
	void (*render)(const struct scrape *s, const struct family *f, struct text_buf *out);
};

/* ---- positions and values ---- */

static const struct cfg_router *router_at(const struct scrape *s, const struct at *a)
{
	return &s->cfg->routers[a->router];
}

static const struct status_router *status_at(const struct scrape *s, const struct at *a)
{
	return &s->snap->routers[a->router];
}

static const struct status_iface *iface_at(const struct scrape *s, const struct at *a)
{
	return &s->snap->routers[a->router].ifaces[a->iface];
}

/* The interfaces of router i that both cfg and the snapshot have (the
 * status table is built from cfg: all of them). */
static size_t n_ifaces(const struct scrape *s, size_t i)
{
	size_t n = s->snap->routers[i].n_ifaces, c = s->cfg->routers[i].n_interfaces;
	return n < c ? n : c;
}

/* Numbers without printf: a scrape of 10,000 interfaces writes some
 * 100,000 of them. */
static void put_u64(struct text_buf *out, uint64_t v)
{
	jsonw_put_u64(out, v);
}

static void put_i64(struct text_buf *out, int64_t v)
{
	jsonw_put_i64(out, v);
}

/* Milliseconds as seconds with three decimals. */
static void put_ms_as_seconds(struct text_buf *out, int64_t ms)
{
	text_buf_printf(out, "%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
}

/* ---- which samples ---- */

static bool polled(const struct scrape *s, const struct at *a)
{
	return router_at(s, a)->mode == MODE_POLL;
}

static bool pushed(const struct scrape *s, const struct at *a)
{
	return router_at(s, a)->mode == MODE_PUSH;
}

static bool has_quota(const struct scrape *s, const struct at *a)
{
	return router_at(s, a)->quota != 0;
}

static bool in_store(const struct scrape *s, const struct at *a)
{
	return s->cycle[a->slot].known;
}

/* ---- extra labels ---- */

static const char *reason_name(int i)
{
	return status_reason_name((enum status_reason)i);
}

static const char *push_reject_name(int i)
{
	return status_push_reject_name((enum status_push_reject)i);
}

/* The database problems of tikstat_database_problem, in this order. */
enum db_problem {
	DB_COMMIT,
	DB_PRUNE,
	DB_INTEGRITY,
	DB_FILE_DELETED,
	DB_FILE_REPLACED,
	DB_PROBLEM_COUNT
};

static const char *db_problem_name(int i)
{
	static const char *const names[DB_PROBLEM_COUNT] = {
	        "commit", "prune", "integrity", "file_deleted", "file_replaced",
	};
	return names[i];
}

static bool db_problem_on(const struct store_health *h, enum db_problem p)
{
	switch (p) {
	case DB_COMMIT: return h->commit_failing;
	case DB_PRUNE: return h->prune_failing;
	case DB_INTEGRITY: return h->integrity_bad;
	case DB_FILE_DELETED: return h->file == STORE_FILE_DELETED;
	case DB_FILE_REPLACED: return h->file == STORE_FILE_REPLACED;
	default: return false;
	}
}

static const struct label_set poll_reasons = {"reason", REASON_COUNT, reason_name};
static const struct label_set push_rejects = {"reason", PUSH_REJECT_COUNT, push_reject_name};
static const struct label_set db_problems = {"problem", DB_PROBLEM_COUNT, db_problem_name};

/* ---- values ---- */

static void rx_total(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, iface_at(s, a)->rx_total);
}

static void tx_total(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, iface_at(s, a)->tx_total);
}

static void cycle_rx(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, s->cycle[a->slot].rx);
}

static void cycle_tx(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, s->cycle[a->slot].tx);
}

static void quota(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, router_at(s, a)->quota);
}

static void up(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, status_at(s, a)->up ? 1 : 0);
}

static void polls(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, status_at(s, a)->polls_ok + status_at(s, a)->polls_failed);
}

static void poll_failures(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, status_at(s, a)->failures[a->label]);
}

static void poll_duration(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_ms_as_seconds(out, status_at(s, a)->last_duration_ms);
}

static void last_success(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_i64(out, status_at(s, a)->last_success);
}

static void routers_overdue(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	(void)a;
	put_u64(out, s->snap->overdue);
}

static void pushes(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, status_at(s, a)->pushes);
}

static void push_rejected(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, s->snap->push_rejected[a->label]);
}

/* Whether the interface counts as up: read in the router's last
 * successful poll (so present on the router then: a missing one is 0),
 * or for a router in push mode, pushed within three of its intervals. */
static void interface_up(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	const struct cfg_router *cr = router_at(s, a);
	const struct status_router *sr = status_at(s, a);
	const struct status_iface *f = iface_at(s, a);
	bool on;
	if (!f->has_reading)
		on = false;
	else if (cr->mode == MODE_PUSH)
		on = s->now - f->last_time <= 3 * (int64_t)cr->interval;
	else
		on = sr->up && !f->missing && f->read_in_poll == sr->polls_ok;
	put_u64(out, on ? 1 : 0);
}

static void db_ok(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	(void)a;
	put_u64(out, store_health_ok(&s->snap->database) ? 1 : 0);
}

static void db_problem(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, db_problem_on(&s->snap->database, (enum db_problem)a->label) ? 1 : 0);
}

static void db_last_commit(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	(void)a;
	put_i64(out, s->snap->database.last_commit);
}

static void db_commit_failures(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	(void)a;
	put_u64(out, s->snap->database.commit_failures);
}

static void db_read_errors(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	(void)s;
	(void)a;
	put_u64(out, store_read_errors());
}

/* ---- bills ---- */

static const struct cfg_bill *bill_at(const struct scrape *s, const struct at *a)
{
	return &s->cfg->bills[a->bill];
}

static bool bill_known(const struct scrape *s, const struct at *a)
{
	return s->bill_known[a->bill];
}

static bool bill_has_quota(const struct scrape *s, const struct at *a)
{
	return bill_at(s, a)->quota != 0;
}

static bool bill_has_percentile(const struct scrape *s, const struct at *a)
{
	return s->bill_known[a->bill] && s->bills[a->bill].has_percentile;
}

static const char *direction_name(int i)
{
	return i == 0 ? "rx" : "tx";
}

static const struct label_set directions = {"direction", 2, direction_name};

static void bill_used_bytes(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, s->bills[a->bill].usage.used);
}

static void bill_quota(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, bill_at(s, a)->quota);
}

static void bill_percentile_bps(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	const struct bill_percentile *p = &s->bills[a->bill].pct;
	put_u64(out, a->label == 0 ? p->rx_bps : p->tx_bps);
}

/* Every family, in the order of the exposition (metrics.h lists them).
 * A new metric is one row here and its value function above. */
/* The poll lateness histogram: NAME_bucket{le="..."} (cumulative),
 * NAME_sum, NAME_count. */
static void render_lateness(const struct scrape *s, const struct family *f, struct text_buf *out)
{
	const struct status_lateness *l = &s->snap->lateness;
	uint64_t cum = 0;
	for (size_t b = 0; b <= STATUS_LATE_BUCKETS; b++) {
		cum += l->buckets[b];
		text_buf_printf(out, "%s_bucket{le=\"", f->name);
		if (b < STATUS_LATE_BUCKETS)
			put_ms_as_seconds(out, status_late_bounds_ms[b]);
		else
			text_buf_puts(out, "+Inf");
		text_buf_printf(out, "\"} %" PRIu64 "\n", cum);
	}
	text_buf_printf(out, "%s_sum ", f->name);
	put_ms_as_seconds(out, l->sum_ms);
	text_buf_printf(out, "\n%s_count %" PRIu64 "\n", f->name, l->count);
}

static void label(struct text_buf *out, const char **sep, const char *name, const char *value);

/* ---- queues and devices (at most max_devices of each per router) ---- */

/* What a sample of a queue or device family shows. */
enum counter_field { FIELD_RX, FIELD_TX, FIELD_INFO };

/* Every tracked counter of kind: name{router,LABEL} value, LABEL being
 * "queue" (its name) or "mac"; FIELD_INFO adds name and address and
 * shows 1 (the names change; the info pattern keeps series stable). */
static void render_counters(const struct scrape *s, const struct family *f, enum store_kind kind,
                            enum counter_field field, struct text_buf *out)
{
	for (size_t i = 0; i < s->nr; i++) {
		const struct status_router *sr = &s->snap->routers[i];
		for (size_t k = 0; k < sr->n_counters; k++) {
			const struct status_counter *c = &sr->counters[k];
			if (c->kind != kind)
				continue;
			const char *sep = "{";
			text_buf_puts(out, f->name);
			label(out, &sep, "router", s->cfg->routers[i].name);
			label(out, &sep, kind == STORE_QUEUE ? "queue" : "mac", c->name);
			if (field == FIELD_INFO) {
				label(out, &sep, "name", c->display);
				label(out, &sep, "address", c->address);
			}
			text_buf_puts(out, "} ");
			if (field == FIELD_INFO)
				text_buf_puts(out, "1");
			else
				put_u64(out, field == FIELD_RX ? c->rx_total : c->tx_total);
			text_buf_puts(out, "\n");
		}
	}
}

static void queue_rx(const struct scrape *s, const struct family *f, struct text_buf *out)
{
	render_counters(s, f, STORE_QUEUE, FIELD_RX, out);
}

static void queue_tx(const struct scrape *s, const struct family *f, struct text_buf *out)
{
	render_counters(s, f, STORE_QUEUE, FIELD_TX, out);
}

static void device_rx(const struct scrape *s, const struct family *f, struct text_buf *out)
{
	render_counters(s, f, STORE_DEVICE, FIELD_RX, out);
}

static void device_tx(const struct scrape *s, const struct family *f, struct text_buf *out)
{
	render_counters(s, f, STORE_DEVICE, FIELD_TX, out);
}

static void device_info(const struct scrape *s, const struct family *f, struct text_buf *out)
{
	render_counters(s, f, STORE_DEVICE, FIELD_INFO, out);
}

/* The kinds a router may track at runtime, as label values. */
static const char *dynamic_kind_name(int i)
{
	return store_kind_name(i == 0 ? STORE_QUEUE : STORE_DEVICE);
}
static const struct label_set dynamic_kinds = {"kind", 2, dynamic_kind_name};

static const struct status_tracked *tracked_at(const struct scrape *s, const struct at *a)
{
	return &status_at(s, a)->tracked[a->label == 0 ? STORE_QUEUE : STORE_DEVICE];
}

/* Routers that read queues (label 0) or devices (label 1). */
static bool tracks_kind(const struct scrape *s, const struct at *a)
{
	const struct cfg_router *c = router_at(s, a);
	return a->label == 0 ? c->queues_all || c->n_queues : c->devices != CFG_DEVICES_NONE;
}

static void counters_tracked(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, tracked_at(s, a)->n);
}

static void counters_cap(const struct scrape *s, const struct at *a, struct text_buf *out)
{
	put_u64(out, tracked_at(s, a)->cap_reached);
}

static const struct family families[] = {
        {.name = "tikstat_interface_rx_bytes_total",
         .type = "counter",
         .help = "Bytes received by the interface since tikstat began counting it.",
         .scope = SCOPE_INTERFACE,
         .value = rx_total},
        {.name = "tikstat_interface_tx_bytes_total",
         .type = "counter",
         .help = "Bytes sent by the interface since tikstat began counting it.",
         .scope = SCOPE_INTERFACE,
         .value = tx_total},
        {.name = "tikstat_cycle_rx_bytes",
         .type = "gauge",
         .help = "Bytes received in the current billing cycle.",
         .scope = SCOPE_INTERFACE,
         .needs_store = true,
         .only = in_store,
         .value = cycle_rx},
        {.name = "tikstat_cycle_tx_bytes",
         .type = "gauge",
         .help = "Bytes sent in the current billing cycle.",
         .scope = SCOPE_INTERFACE,
         .needs_store = true,
         .only = in_store,
         .value = cycle_tx},
        {.name = "tikstat_quota_bytes",
         .type = "gauge",
         .help = "Quota per billing cycle (rx + tx) of each interface of the router.",
         .scope = SCOPE_ROUTER,
         .only = has_quota,
         .value = quota},
        {.name = "tikstat_up",
         .type = "gauge",
         .help = "1 when the last poll of the router succeeded.",
         .scope = SCOPE_ROUTER,
         .only = polled,
         .value = up},
        {.name = "tikstat_polls_total",
         .type = "counter",
         .help = "Polls of the router tried (connection attempts included).",
         .scope = SCOPE_ROUTER,
         .only = polled,
         .value = polls},
        {.name = "tikstat_poll_failures_total",
         .type = "counter",
         .help = "Failed polls by reason.",
         .scope = SCOPE_ROUTER,
         .label = &poll_reasons,
         .only = polled,
         .value = poll_failures},
        {.name = "tikstat_poll_duration_seconds",
         .type = "gauge",
         .help = "Duration of the last successful poll.",
         .scope = SCOPE_ROUTER,
         .only = polled,
         .value = poll_duration},
        {.name = "tikstat_poll_lateness_seconds",
         .type = "histogram",
         .help = "How late polls started against their schedule (all routers).",
         .scope = SCOPE_GLOBAL,
         .render = render_lateness},
        {.name = "tikstat_routers_overdue",
         .type = "gauge",
         .help = "Routers more than a second past their poll's time (the daemon is short of "
                 "CPU when this stays above 0).",
         .scope = SCOPE_GLOBAL,
         .value = routers_overdue},
        {.name = "tikstat_last_success_timestamp_seconds",
         .type = "gauge",
         .help = "Unix time of the last successful poll, 0 = never.",
         .scope = SCOPE_ROUTER,
         .only = polled,
         .value = last_success},
        {.name = "tikstat_pushes_total",
         .type = "counter",
         .help = "Pushed readings accepted.",
         .scope = SCOPE_ROUTER,
         .only = pushed,
         .value = pushes},
        {.name = "tikstat_push_rejected_total",
         .type = "counter",
         .help = "Pushes refused, by reason.",
         .scope = SCOPE_GLOBAL,
         .label = &push_rejects,
         .value = push_rejected},
        {.name = "tikstat_interface_up",
         .type = "gauge",
         .help = "1 when the interface was read in the router's last successful poll (push: "
                 "pushed within 3 intervals), else 0.",
         .scope = SCOPE_INTERFACE,
         .value = interface_up},
        {.name = "tikstat_database_ok",
         .type = "gauge",
         .help = "1 when the database commits, prunes, is sound and is the file at its path.",
         .scope = SCOPE_GLOBAL,
         .value = db_ok},
        {.name = "tikstat_database_problem",
         .type = "gauge",
         .help = "1 for each database problem present now (see tikstatd(8)).",
         .scope = SCOPE_GLOBAL,
         .label = &db_problems,
         .value = db_problem},
        {.name = "tikstat_database_last_commit_timestamp_seconds",
         .type = "gauge",
         .help = "Unix time of the last successful commit, 0 = none since the start.",
         .scope = SCOPE_GLOBAL,
         .value = db_last_commit},
        {.name = "tikstat_database_commit_failures_total",
         .type = "counter",
         .help = "Commits that failed (their readings stayed pending and were retried).",
         .scope = SCOPE_GLOBAL,
         .value = db_commit_failures},
        {.name = "tikstat_database_read_errors_total",
         .type = "counter",
         .help = "Reads that failed on a damaged or unreadable database file.",
         .scope = SCOPE_GLOBAL,
         .value = db_read_errors},
        {.name = "tikstat_queue_rx_bytes_total",
         .type = "counter",
         .help = "Bytes a simple queue's target downloaded (bytes= second value) since tikstat "
                 "began counting it.",
         .render = queue_rx},
        {.name = "tikstat_queue_tx_bytes_total",
         .type = "counter",
         .help = "Bytes a simple queue's target uploaded (bytes= first value) since tikstat "
                 "began counting it.",
         .render = queue_tx},
        {.name = "tikstat_device_rx_bytes_total",
         .type = "counter",
         .help = "Bytes a kid-control device downloaded (bytes-down) since tikstat began "
                 "counting it.",
         .render = device_rx},
        {.name = "tikstat_device_tx_bytes_total",
         .type = "counter",
         .help = "Bytes a kid-control device uploaded (bytes-up) since tikstat began counting "
                 "it.",
         .render = device_tx},
        {.name = "tikstat_device_info",
         .type = "gauge",
         .help = "A tracked device's name and address as the router gives them (always 1).",
         .render = device_info},
        {.name = "tikstat_counters_tracked",
         .type = "gauge",
         .help = "Queues or devices the router's counters are tracked for (at most max_devices).",
         .scope = SCOPE_ROUTER,
         .label = &dynamic_kinds,
         .only = tracks_kind,
         .value = counters_tracked},
        {.name = "tikstat_counters_cap_reached",
         .type = "gauge",
         .help = "1 when max_devices turned a queue or device away at the last poll.",
         .scope = SCOPE_ROUTER,
         .label = &dynamic_kinds,
         .only = tracks_kind,
         .value = counters_cap},
        {.name = "tikstat_bill_used_bytes",
         .type = "gauge",
         .help = "Bytes the bill counts in its current cycle (its direction, all its counters).",
         .scope = SCOPE_BILL,
         .needs_store = true,
         .only = bill_known,
         .value = bill_used_bytes},
        {.name = "tikstat_bill_quota_bytes",
         .type = "gauge",
         .help = "The bill's quota per cycle.",
         .scope = SCOPE_BILL,
         .only = bill_has_quota,
         .value = bill_quota},
        {.name = "tikstat_bill_percentile_bps",
         .type = "gauge",
         .help = "The bill's percentile rate of the cycle's 5-minute samples, in bits/s "
                 "(computed at most once a minute).",
         .scope = SCOPE_BILL,
         .label = &directions,
         .needs_store = true,
         .only = bill_has_percentile,
         .value = bill_percentile_bps},
};

/* ---- rendering ---- */

/* Appends one label: sep, name="value" (escaped); sep becomes ",". */
static void label(struct text_buf *out, const char **sep, const char *name, const char *value)
{
	text_buf_puts(out, *sep);
	text_buf_puts(out, name);
	text_buf_puts(out, "=\"");
	metrics_label_value(out, value);
	text_buf_puts(out, "\"");
	*sep = ",";
}

/* name{router="R",interface="I",LABEL="X"} value, with the labels the
 * family's scope and extra label give it (none: "name value"). */
static void sample(const struct family *f, const struct scrape *s, const struct at *a,
                   struct text_buf *out)
{
	if (f->only && !f->only(s, a))
		return;
	const char *sep = "{";
	bool labelled = f->scope != SCOPE_GLOBAL || f->label;
	text_buf_puts(out, f->name);
	if (f->scope == SCOPE_ROUTER || f->scope == SCOPE_INTERFACE)
		label(out, &sep, "router", router_at(s, a)->name);
	if (f->scope == SCOPE_BILL)
		label(out, &sep, "bill", bill_at(s, a)->name);
	if (f->scope == SCOPE_INTERFACE)
		label(out, &sep, "interface", router_at(s, a)->interfaces[a->iface]);
	if (f->label)
		label(out, &sep, f->label->name, f->label->value(a->label));
	text_buf_puts(out, labelled ? "} " : " ");
	f->value(s, a, out);
	text_buf_puts(out, "\n");
}

/* The samples at a's position, one per value of the family's extra label. */
static void samples(const struct family *f, const struct scrape *s, struct at *a,
                    struct text_buf *out)
{
	int n = f->label ? f->label->count : 1;
	for (a->label = 0; a->label < n; a->label++)
		sample(f, s, a, out);
}

/* # HELP, # TYPE and every sample of one family. */
static void render_family(const struct family *f, const struct scrape *s, struct text_buf *out)
{
	struct at a = {0};
	text_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
	if (f->render) {
		f->render(s, f, out);
		return;
	}
	if (f->scope == SCOPE_GLOBAL) {
		samples(f, s, &a, out);
		return;
	}
	if (f->scope == SCOPE_BILL) {
		for (a.bill = 0; a.bill < s->cfg->n_bills; a.bill++)
			samples(f, s, &a, out);
		return;
	}
	for (a.router = 0; a.router < s->nr; a.router++) {
		if (f->scope == SCOPE_ROUTER) {
			samples(f, s, &a, out);
			continue;
		}
		for (a.iface = 0; a.iface < n_ifaces(s, a.router); a.iface++, a.slot++)
			samples(f, s, &a, out);
	}
}

/* The bytes of interface k of cr in the cycle [start, end) into *out
 * (cycle_bytes, as cycle_usage sums them). out->known stays false when the store does not
 * have the interface or cannot be read. */
static void cycle_of(store *db, const struct cfg_router *cr, size_t k, int64_t start, int64_t end,
                     struct cycle_bytes *out)
{
	int64_t id;
	if (store_find_interface(db, cr->name, cr->interfaces[k], &id) != 0 ||
	    cycle_bytes(db, id, start, end, &out->rx, &out->tx) != 0)
		return;
	out->known = true;
}

/* Reads the cycle bytes of every interface (slot order) into s->cycle:
 * one pass over the store for both cycle families. Every interface shares
 * the cycle (cycle_start_day), so its bounds are computed once, not once
 * an interface: that took a fifth of a scrape of 10,000. 0, or -1 when
 * out of memory. */
static int read_cycles(struct scrape *s, store *db)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nr; i++)
		n += n_ifaces(s, i);
	s->cycle = calloc(n ? n : 1, sizeof *s->cycle);
	if (!s->cycle)
		return -1;
	int64_t start, end;
	calendar_cycle(s->now, s->cfg->cycle_start_day, &start, &end);
	size_t slot = 0;
	for (size_t i = 0; i < s->nr; i++)
		for (size_t k = 0; k < n_ifaces(s, i); k++, slot++)
			cycle_of(db, &s->cfg->routers[i], k, start, end, &s->cycle[slot]);
	return 0;
}

/* Reads every bill's state into s->bills (percentiles through cache,
 * when there is one). 0, or -1 when out of memory; a bill the store
 * cannot give stays unknown (no samples). */
static int read_bills(struct scrape *s, store *db, struct billing_cache *cache)
{
	size_t n = s->cfg->n_bills ? s->cfg->n_bills : 1;
	s->bills = calloc(n, sizeof *s->bills);
	s->bill_known = calloc(n, sizeof *s->bill_known);
	if (!s->bills || !s->bill_known)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (size_t i = 0; i < s->cfg->n_bills; i++) {
		const struct cfg_bill *b = &s->cfg->bills[i];
		int rc = cache ? billing_cache_load(cache, db, b, s->now, ts.tv_sec, &s->bills[i])
		               : billing_load(db, s->cfg, b, s->now, true, &s->bills[i]);
		s->bill_known[i] = rc == 0;
	}
	return 0;
}

int metrics_render_cached(const struct cfg *cfg, const struct status_snapshot *snap, store *db,
                          struct billing_cache *bills, int64_t now, struct text_buf *out)
{
	struct scrape s = {.cfg = cfg,
	                   .snap = snap,
	                   .now = now,
	                   .nr = cfg->n_routers < snap->n ? cfg->n_routers : snap->n};
	if (db && (read_cycles(&s, db) < 0 || read_bills(&s, db, bills) < 0))
		out->failed = true;
	for (size_t i = 0; i < sizeof families / sizeof families[0] && !out->failed; i++) {
		/* A configuration without bills has no bill families at all. */
		if (families[i].scope == SCOPE_BILL && !cfg->n_bills)
			continue;
		if (!families[i].needs_store || s.cycle)
			render_family(&families[i], &s, out);
	}
	free(s.cycle);
	free(s.bills);
	free(s.bill_known);
	return out->failed ? -1 : 0;
}

int metrics_render(const struct cfg *cfg, const struct status_snapshot *snap, store *db,
                   int64_t now, struct text_buf *out)
{
	return metrics_render_cached(cfg, snap, db, NULL, now, out);
}
