/* ingest.c — see ingest.h. */
#include "ingest.h"

#include "log.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* A queue or device being tracked. */
struct dyn {
	struct ingest_ref ref;    /* first: a reference converts back (dyn_of) */
	struct status_counter st; /* what is published; ref.name is st.name */
	uint64_t round;           /* the last round that saw it */
	int64_t seen_mono_ms;     /* when (monotonic) */
};

/* A router's queues and devices, by kind then name. */
struct dyn_table {
	struct dyn **v;
	size_t n, cap;
};

struct ingest {
	const struct cfg *cfg;
	struct recorder *rec;
	struct status *status;
	struct alerts *alerts;
	struct ingest_ref *refs; /* n, configuration order */
	size_t n;
	size_t *first;         /* per router: the id of its first interface */
	struct dyn_table *dyn; /* per router */
};

static struct dyn *dyn_of(const struct ingest_ref *ref)
{
	return (struct dyn *)(uintptr_t)ref; /* ref is a dyn's first member */
}

/* Publishes ref's last reading time and totals (status.h). */
static void publish(struct ingest *in, const struct ingest_ref *ref)
{
	const struct acct_reading *last = recorder_last(in->rec, ref->handle);
	uint64_t rx, tx;
	if (!in->status || !last)
		return;
	recorder_totals(in->rec, ref->handle, &rx, &tx);
	if (ref->kind == STORE_IFACE) {
		status_reading(in->status, ref->router, ref->iface, last->time, rx, tx);
		return;
	}
	struct dyn *d = dyn_of(ref);
	d->st.has_reading = true;
	d->st.last_time = last->time;
	d->st.rx_total = rx;
	d->st.tx_total = tx;
	status_counter_update(in->status, ref->router, &d->st);
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
	in->dyn = calloc(cfg->n_routers ? cfg->n_routers : 1, sizeof *in->dyn);
	if (!in->refs || !in->first || !in->dyn) {
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
	for (size_t i = 0; in->dyn && i < in->cfg->n_routers; i++) {
		for (size_t k = 0; k < in->dyn[i].n; k++)
			free(in->dyn[i].v[k]);
		free(in->dyn[i].v);
	}
	free(in->dyn);
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
	case ACCT_RECREATED: return "re-created";
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
	/* Hundreds of devices start (and restart with the router) at once:
	 * the poller says how many in one line (clients.c). */
	if (ref->kind != STORE_IFACE && (d->kind == ACCT_BASELINE || d->kind == ACCT_REBOOT)) {
		log_debug("router %s: %s %s: %s", ref->cfg->name, store_kind_name(ref->kind),
		          ref->name, kind_words(d->kind));
		return;
	}
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
	/* A router's quota is a bill per interface (DESIGN "Bills"). */
	if (ref->kind == STORE_IFACE && ref->cfg->quota && in->alerts)
		alerts_check(in->alerts, in->cfg, ref->cfg, in->rec, ref->handle, ref->name,
		             rd->time);
	if (out)
		*out = d;
	return rc;
}

/* ---- queues and devices ---- */

/* What a table is searched by. */
struct dyn_key {
	enum store_kind kind;
	const char *name;
};

/* Orders a key before, at or after a tracked counter: by kind, then name. */
static int dyn_cmp(const void *key, const void *elem)
{
	const struct dyn_key *k = key;
	const struct dyn *d = *(struct dyn *const *)elem;
	if (k->kind != d->ref.kind)
		return k->kind < d->ref.kind ? -1 : 1;
	return strcmp(k->name, d->st.name);
}

/* The position of (kind, name) in t, or where it would go. */
static size_t dyn_pos(const struct dyn_table *t, enum store_kind kind, const char *name,
                      bool *found)
{
	struct dyn_key key = {kind, name};
	return text_lower_bound(&key, t->v, t->n, sizeof *t->v, dyn_cmp, found);
}

/* How many counters of kind t holds. */
static size_t dyn_count(const struct dyn_table *t, enum store_kind kind)
{
	size_t n = 0;
	for (size_t k = 0; k < t->n; k++)
		n += t->v[k]->ref.kind == kind;
	return n;
}

/* A new tracked counter registered with the recorder, or NULL (logged). */
static struct dyn *dyn_new(struct ingest *in, size_t router, enum store_kind kind, const char *name)
{
	const struct cfg_router *c = &in->cfg->routers[router];
	struct dyn *d = calloc(1, sizeof *d);
	if (!d) {
		log_warnx("router %s: out of memory: %s %s not counted", c->name,
		          store_kind_name(kind), name);
		return NULL;
	}
	snprintf(d->st.name, sizeof d->st.name, "%s", name);
	d->st.kind = kind;
	d->ref = (struct ingest_ref){
	        .cfg = c, .router = router, .iface = SIZE_MAX, .kind = kind, .name = d->st.name};
	d->ref.handle = recorder_counter(in->rec, c->name, kind, name);
	if (d->ref.handle < 0) {
		log_warnx("database: %s", store_errmsg(recorder_store(in->rec)));
		free(d);
		return NULL;
	}
	d->ref.store_id = recorder_iface_id(in->rec, d->ref.handle);
	return d;
}

const struct ingest_ref *ingest_counter(struct ingest *in, size_t router, enum store_kind kind,
                                        const char *name)
{
	if (router >= in->cfg->n_routers || strlen(name) >= STATUS_NAME_SIZE)
		return NULL;
	struct dyn_table *t = &in->dyn[router];
	bool found;
	size_t at = dyn_pos(t, kind, name, &found);
	if (found)
		return &t->v[at]->ref;
	const struct cfg_router *c = &in->cfg->routers[router];
	/* Registration is rare (a new device), so counting here is cheap. */
	if (dyn_count(t, kind) >= (size_t)c->max_devices)
		return NULL;
	struct dyn **v = text_grow(t->v, &t->cap, t->n + 1, sizeof *v);
	if (!v)
		return NULL;
	t->v = v;
	struct dyn *d = dyn_new(in, router, kind, name);
	if (!d)
		return NULL;
	memmove(&v[at + 1], &v[at], (t->n - at) * sizeof *v);
	v[at] = d;
	t->n++;
	publish(in, &d->ref);
	return &d->ref;
}

void ingest_counter_seen(struct ingest *in, const struct ingest_ref *ref, const char *display,
                         const char *address, uint64_t round, int64_t now, int64_t mono_ms)
{
	struct dyn *d = dyn_of(ref);
	d->round = round;
	d->seen_mono_ms = mono_ms;
	bool changed = !d->st.present;
	d->st.present = true;
	if (display && strncmp(d->st.display, display, sizeof d->st.display - 1) != 0) {
		snprintf(d->st.display, sizeof d->st.display, "%s", display);
		changed = true;
	}
	if (address && strncmp(d->st.address, address, sizeof d->st.address - 1) != 0) {
		snprintf(d->st.address, sizeof d->st.address, "%s", address);
		changed = true;
	}
	if (recorder_set_info(in->rec, ref->handle, display, address, now) < 0)
		log_warnx("router %s: out of memory: the name of %s is not stored", ref->cfg->name,
		          ref->name);
	if (changed && in->status)
		status_counter_update(in->status, ref->router, &d->st);
}

/* Stops tracking t->v[at] (idle); 0, or -1 when its last traffic could
 * not be committed (it stays, retried at the next sweep). */
static int dyn_release(struct ingest *in, struct dyn_table *t, size_t at, int64_t now)
{
	struct dyn *d = t->v[at];
	if (recorder_release(in->rec, d->ref.handle, now) < 0)
		return -1;
	log_info("router %s: %s %s not seen for %s: no longer polled (its history stays)",
	         d->ref.cfg->name, store_kind_name(d->ref.kind), d->st.name, "device_idle");
	status_counter_remove(in->status, d->ref.router, d->ref.kind, d->st.name);
	memmove(&t->v[at], &t->v[at + 1], (t->n - at - 1) * sizeof *t->v);
	t->n--;
	free(d);
	return 0;
}

size_t ingest_counters_sweep(struct ingest *in, size_t router, enum store_kind kind, uint64_t round,
                             bool cap_reached, int64_t now, int64_t mono_ms)
{
	if (router >= in->cfg->n_routers)
		return 0;
	struct dyn_table *t = &in->dyn[router];
	int64_t idle_ms = (int64_t)in->cfg->routers[router].device_idle * 1000;
	for (size_t k = 0; k < t->n;) {
		struct dyn *d = t->v[k];
		if (d->ref.kind != kind || d->round == round) {
			k++;
			continue;
		}
		if (mono_ms - d->seen_mono_ms >= idle_ms && dyn_release(in, t, k, now) == 0)
			continue; /* the next one moved to k */
		if (d->st.present) {
			d->st.present = false;
			status_counter_update(in->status, router, &d->st);
		}
		k++;
	}
	status_cap_reached(in->status, router, kind, cap_reached);
	return dyn_count(t, kind);
}
