/* status.c — see status.h. */
#include "status.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routeros.h"
#include "text.h"

struct status {
	pthread_mutex_t lock;
	struct status_snapshot t; /* the live table, under lock */
};

const char *status_reason_name(enum status_reason r)
{
	static const char *const names[REASON_COUNT] = {
	        "timeout",  "refused", "resolve",   "auth",        "tls",
	        "protocol", "closed",  "too_large", "descriptors", "other"};
	return (unsigned)r < REASON_COUNT ? names[r] : "other";
}

const char *status_push_reject_name(enum status_push_reject r)
{
	static const char *const names[PUSH_REJECT_COUNT] = {"token", "parameter", "interface",
	                                                     "busy"};
	return (unsigned)r < PUSH_REJECT_COUNT ? names[r] : "parameter";
}

/* Maps a negative enum ros_status to its reason. */
static enum status_reason status_reason_of(int st)
{
	switch (st) {
	case ROS_ERR_TIMEOUT: return REASON_TIMEOUT;
	case ROS_ERR_REFUSED: return REASON_REFUSED;
	case ROS_ERR_RESOLVE: return REASON_RESOLVE;
	case ROS_ERR_AUTH:
	case ROS_ERR_POLICY: return REASON_AUTH;
	case ROS_ERR_TLS:
	case ROS_ERR_TLS_VERIFY:
	case ROS_ERR_TLS_FINGERPRINT:
	case ROS_ERR_PORT_TLS:
	case ROS_ERR_PORT_PLAIN: return REASON_TLS;
	case ROS_ERR_PROTOCOL:
	case ROS_ERR_TOO_BIG:
	case ROS_ERR_TRAP: return REASON_PROTOCOL;
	case ROS_ERR_CLOSED:
	case ROS_ERR_IO:
	case ROS_ERR_FATAL: return REASON_CLOSED;
	case ROS_ERR_REPLY_TOO_LARGE: return REASON_TOO_LARGE;
	default: return REASON_OTHER;
	}
}

static void free_routers(struct status_router *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].ifaces);
		free(v[i].counters);
	}
	free(v);
}

struct status *status_new(const struct cfg *cfg)
{
	struct status *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->t.n = cfg->n_routers;
	s->t.routers = calloc(cfg->n_routers ? cfg->n_routers : 1, sizeof *s->t.routers);
	if (!s->t.routers)
		goto fail;
	for (size_t i = 0; i < cfg->n_routers; i++) {
		size_t n = cfg->routers[i].n_interfaces;
		s->t.routers[i].n_ifaces = n;
		s->t.routers[i].ifaces = calloc(n ? n : 1, sizeof *s->t.routers[i].ifaces);
		if (!s->t.routers[i].ifaces)
			goto fail;
	}
	return s;
fail:
	status_free(s);
	return NULL;
}

void status_free(struct status *s)
{
	if (!s)
		return;
	free_routers(s->t.routers, s->t.n);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void status_poll_ok(struct status *s, size_t router, int64_t when, int64_t duration_ms)
{
	if (!s || router >= s->t.n)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_router *r = &s->t.routers[router];
	r->known = true;
	r->up = true;
	r->error[0] = '\0';
	r->polls_ok++;
	r->last_success = when;
	r->last_duration_ms = duration_ms;
	pthread_mutex_unlock(&s->lock);
}

void status_poll_failed(struct status *s, size_t router, int ros_status, const char *error)
{
	status_poll_failed_why(s, router, status_reason_of(ros_status),
	                       error ? error : ros_status_name(ros_status));
}

void status_poll_failed_why(struct status *s, size_t router, enum status_reason reason,
                            const char *error)
{
	if (!s || router >= s->t.n || (unsigned)reason >= REASON_COUNT)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_router *r = &s->t.routers[router];
	r->known = true;
	r->up = false;
	snprintf(r->error, sizeof r->error, "%s", error ? error : "");
	r->polls_failed++;
	r->failures[reason]++;
	pthread_mutex_unlock(&s->lock);
}

void status_reading(struct status *s, size_t router, size_t iface, int64_t time, uint64_t rx_total,
                    uint64_t tx_total)
{
	if (!s || router >= s->t.n || iface >= s->t.routers[router].n_ifaces)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_iface *f = &s->t.routers[router].ifaces[iface];
	f->has_reading = true;
	f->last_time = time;
	f->rx_total = rx_total;
	f->tx_total = tx_total;
	/* Readings of a poll are published before its status_poll_ok. */
	f->read_in_poll = s->t.routers[router].polls_ok + 1;
	pthread_mutex_unlock(&s->lock);
}

void status_database(struct status *s, const struct store_health *h)
{
	if (!s || !h)
		return;
	pthread_mutex_lock(&s->lock);
	s->t.database = *h;
	pthread_mutex_unlock(&s->lock);
}

void status_iface_missing(struct status *s, size_t router, size_t iface, const char *error)
{
	if (!s || router >= s->t.n || iface >= s->t.routers[router].n_ifaces)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_iface *f = &s->t.routers[router].ifaces[iface];
	f->missing = error != NULL;
	snprintf(f->error, sizeof f->error, "%s", error ? error : "");
	pthread_mutex_unlock(&s->lock);
}

void status_push_accepted(struct status *s, size_t router, const char *addr)
{
	if (!s || router >= s->t.n)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_router *r = &s->t.routers[router];
	r->pushes++;
	if (addr && *addr)
		snprintf(r->address, sizeof r->address, "%s", addr);
	pthread_mutex_unlock(&s->lock);
}

const int64_t status_late_bounds_ms[STATUS_LATE_BUCKETS] = {5, 10, 50, 100, 500, 1000, 5000, 30000};

void status_overdue(struct status *s, size_t n)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->t.overdue = n;
	pthread_mutex_unlock(&s->lock);
}

void status_poll_late(struct status *s, int64_t late_ms)
{
	if (!s)
		return;
	if (late_ms < 0)
		late_ms = 0;
	size_t b = 0;
	while (b < STATUS_LATE_BUCKETS && late_ms > status_late_bounds_ms[b])
		b++;
	pthread_mutex_lock(&s->lock);
	struct status_lateness *l = &s->t.lateness;
	l->buckets[b]++;
	l->count++;
	l->sum_ms = l->sum_ms <= INT64_MAX - late_ms ? l->sum_ms + late_ms : INT64_MAX;
	pthread_mutex_unlock(&s->lock);
}

void status_push_rejected(struct status *s, enum status_push_reject why)
{
	if (!s || (unsigned)why >= PUSH_REJECT_COUNT)
		return;
	pthread_mutex_lock(&s->lock);
	s->t.push_rejected[why]++;
	pthread_mutex_unlock(&s->lock);
}

int status_snapshot(struct status *s, struct status_snapshot *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&s->lock);
	size_t n = s->t.n;
	struct status_router *v = calloc(n ? n : 1, sizeof *v);
	int rc = v ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct status_router *src = &s->t.routers[i];
		v[i] = *src;
		v[i].ifaces = malloc((src->n_ifaces ? src->n_ifaces : 1) * sizeof *v[i].ifaces);
		v[i].counters =
		        malloc((src->n_counters ? src->n_counters : 1) * sizeof *v[i].counters);
		v[i].cap_counters = src->n_counters;
		if (!v[i].ifaces || !v[i].counters) {
			rc = -1;
			n = i + 1; /* free_routers frees the copies made so far */
			break;
		}
		memcpy(v[i].ifaces, src->ifaces, src->n_ifaces * sizeof *v[i].ifaces);
		if (src->n_counters)
			memcpy(v[i].counters, src->counters,
			       src->n_counters * sizeof *v[i].counters);
	}
	memcpy(out->push_rejected, s->t.push_rejected, sizeof out->push_rejected);
	out->lateness = s->t.lateness;
	out->overdue = s->t.overdue;
	out->database = s->t.database;
	pthread_mutex_unlock(&s->lock);
	if (rc < 0) {
		free_routers(v, n);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->routers = v;
	out->n = n;
	return 0;
}

/* What the rows are searched by. */
struct counter_key {
	enum store_kind kind;
	const char *name;
};

/* Orders a key before, at or after a row: by kind, then name (bytes). */
static int counter_cmp(const void *key, const void *row)
{
	const struct counter_key *k = key;
	const struct status_counter *c = row;
	if (k->kind != c->kind)
		return k->kind < c->kind ? -1 : 1;
	return strcmp(k->name, c->name);
}

/* The position of (kind, name) in r's rows, or where it would go;
 * *found tells which. */
static size_t counter_pos(const struct status_router *r, enum store_kind kind, const char *name,
                          bool *found)
{
	struct counter_key key = {kind, name};
	return text_lower_bound(&key, r->counters, r->n_counters, sizeof *r->counters, counter_cmp,
	                        found);
}

void status_counter_update(struct status *s, size_t router, const struct status_counter *c)
{
	if (!s || router >= s->t.n)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_router *r = &s->t.routers[router];
	bool found;
	size_t at = counter_pos(r, c->kind, c->name, &found);
	if (!found) {
		struct status_counter *v =
		        text_grow(r->counters, &r->cap_counters, r->n_counters + 1, sizeof *v);
		if (!v) {
			pthread_mutex_unlock(&s->lock);
			return; /* out of memory: the row appears with a later update */
		}
		r->counters = v;
		memmove(&v[at + 1], &v[at], (r->n_counters - at) * sizeof *v);
		r->n_counters++;
		if ((unsigned)c->kind < STORE_KIND_COUNT)
			r->tracked[c->kind].n++;
	}
	r->counters[at] = *c;
	pthread_mutex_unlock(&s->lock);
}

void status_counter_remove(struct status *s, size_t router, enum store_kind kind, const char *name)
{
	if (!s || router >= s->t.n)
		return;
	pthread_mutex_lock(&s->lock);
	struct status_router *r = &s->t.routers[router];
	bool found;
	size_t at = counter_pos(r, kind, name, &found);
	if (found) {
		memmove(&r->counters[at], &r->counters[at + 1],
		        (r->n_counters - at - 1) * sizeof *r->counters);
		r->n_counters--;
		if ((unsigned)kind < STORE_KIND_COUNT && r->tracked[kind].n)
			r->tracked[kind].n--;
	}
	pthread_mutex_unlock(&s->lock);
}

void status_cap_reached(struct status *s, size_t router, enum store_kind kind, bool reached)
{
	if (!s || router >= s->t.n || (unsigned)kind >= STORE_KIND_COUNT)
		return;
	pthread_mutex_lock(&s->lock);
	s->t.routers[router].tracked[kind].cap_reached = reached;
	pthread_mutex_unlock(&s->lock);
}

void status_snapshot_free(struct status_snapshot *snap)
{
	if (!snap)
		return;
	free_routers(snap->routers, snap->n);
	memset(snap, 0, sizeof *snap);
}
