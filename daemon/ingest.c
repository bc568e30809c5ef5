/* ingest.c — see ingest.h. */
#include "ingest.h"

#include "log.h"

#include <stdlib.h>

struct ingest {
	const struct cfg *cfg;
	struct recorder *rec;
	struct status *status;
	struct alerts *alerts;
	struct ingest_ref *refs; /* n, configuration order */
	size_t n;
	size_t *first; /* per router: the id of its first interface */
};

/* Publishes ref's last reading time and totals (status.h). */
static void publish(struct ingest *in, const struct ingest_ref *ref)
{
	const struct acct_reading *last = recorder_last(in->rec, ref->handle);
	uint64_t rx, tx;
	if (!in->status || !last)
		return;
	recorder_totals(in->rec, ref->handle, &rx, &tx);
	status_reading(in->status, ref->router, ref->iface, last->time, rx, tx);
}

/* Registers the counters of the routers in mode with the recorder. */
static int register_mode(struct ingest *in, enum router_mode mode)
{
	for (size_t id = 0; id < in->n; id++) {
		struct ingest_ref *ref = &in->refs[id];
		if (ref->cfg->mode != mode)
			continue;
		ref->handle = recorder_interface(in->rec, ref->cfg->name, ref->name);
		if (ref->handle < 0) {
			log_warnx("database: %s", store_errmsg(recorder_store(in->rec)));
			return -1;
		}
		ref->store_id = recorder_iface_id(in->rec, ref->handle);
		publish(in, ref);
	}
	return 0;
}

struct ingest *ingest_new(const struct cfg *cfg, struct recorder *rec, struct status *st,
                          struct alerts *al)
{
	struct ingest *in = calloc(1, sizeof *in);
	if (!in)
		return NULL;
	*in = (struct ingest){.cfg = cfg, .rec = rec, .status = st, .alerts = al};
	size_t total = 0;
	for (size_t i = 0; i < cfg->n_routers; i++)
		total += cfg->routers[i].n_interfaces;
	in->refs = calloc(total ? total : 1, sizeof *in->refs);
	in->first = calloc(cfg->n_routers ? cfg->n_routers : 1, sizeof *in->first);
	if (!in->refs || !in->first) {
		log_warnx("ingest: out of memory");
		ingest_free(in);
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_routers; i++) {
		const struct cfg_router *c = &cfg->routers[i];
		in->first[i] = in->n;
		for (size_t k = 0; k < c->n_interfaces; k++)
			in->refs[in->n++] = (struct ingest_ref){.cfg = c,
			                                        .router = i,
			                                        .iface = k,
			                                        .name = c->interfaces[k],
			                                        .handle = -1};
	}
	if (register_mode(in, MODE_POLL) < 0 || register_mode(in, MODE_PUSH) < 0) {
		ingest_free(in);
		return NULL;
	}
	return in;
}

void ingest_free(struct ingest *in)
{
	if (!in)
		return;
	free(in->refs);
	free(in->first);
	free(in);
}

size_t ingest_count(const struct ingest *in)
{
	return in->n;
}

const struct ingest_ref *ingest_ref(const struct ingest *in, size_t id)
{
	return id < in->n ? &in->refs[id] : NULL;
}

long ingest_find(const struct ingest *in, size_t router, size_t iface)
{
	if (router >= in->cfg->n_routers || iface >= in->cfg->routers[router].n_interfaces)
		return -1;
	return (long)(in->first[router] + iface);
}

long ingest_resolve(const void *ctx, size_t router, size_t iface)
{
	return ingest_find(ctx, router, iface);
}

/* What a reading's kind means, as words for a log line. */
static const char *kind_words(enum acct_kind k)
{
	switch (k) {
	case ACCT_BASELINE: return "first reading";
	case ACCT_REBOOT: return "router rebooted";
	case ACCT_RESET: return "counter reset";
	case ACCT_RECREATED: return "interface re-created";
	default: return acct_kind_name(k);
	}
}

/* Logs a polled reading's unusual kind. */
static void log_polled(const char *router, const char *iface, const struct acct_delta *d)
{
	switch (d->kind) {
	case ACCT_BASELINE:
		log_info("router %s: %s: first reading, counting from now", router, iface);
		break;
	case ACCT_REBOOT:
	case ACCT_RESET:
	case ACCT_RECREATED:
		log_info("router %s: %s: %s, counting %llu rx + %llu tx bytes since", router, iface,
		         kind_words(d->kind), (unsigned long long)d->rx, (unsigned long long)d->tx);
		break;
	case ACCT_REJECTED:
		log_warnx("router %s: %s: reading dropped: it implies more than max_rate", router,
		          iface);
		break;
	default: break;
	}
}

/* Logs a pushed reading's unusual kind. */
static void log_pushed(const char *router, const char *iface, const struct acct_delta *d)
{
	if (d->kind == ACCT_REJECTED)
		log_warnx("router %s: %s: pushed reading dropped: it implies more than max_rate",
		          router, iface);
	else if (d->kind != ACCT_NORMAL && d->kind != ACCT_STALE)
		log_info("router %s: %s: pushed reading: %s", router, iface,
		         acct_kind_name(d->kind));
}

/* Logs what is unusual about a reading of source src (the normal case
 * stays quiet): a baseline because the source changed, in the same words
 * for every source; otherwise in the words of polls or of pushes. */
static void log_delta(const struct ingest_ref *ref, enum acct_source src,
                      const struct acct_delta *d)
{
	if (d->kind == ACCT_BASELINE && d->was != ACCT_SRC_UNKNOWN)
		log_info("%s/%s: readings now come from %s (before: %s): new baseline",
		         ref->cfg->name, ref->name, acct_source_text(src),
		         acct_source_text(d->was));
	else if (src == ACCT_SRC_POLL)
		log_polled(ref->cfg->name, ref->name, d);
	else
		log_pushed(ref->cfg->name, ref->name, d);
}

int ingest_reading(struct ingest *in, const struct ingest_ref *ref, const struct acct_reading *rd,
                   int64_t now, struct acct_delta *out)
{
	struct acct_delta d;
	/* A store failure keeps the reading pending; the recorder logs it. */
	int rc = recorder_add(in->rec, ref->handle, rd, now, &d);
	log_delta(ref, rd->source, &d);
	publish(in, ref);
	if (ref->cfg->quota && in->alerts)
		alerts_check(in->alerts, in->cfg, ref->cfg, in->rec, ref->handle, ref->name,
		             rd->time);
	if (out)
		*out = d;
	return rc;
}
