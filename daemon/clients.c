/* clients.c — see clients.h. */
#include "clients.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "log.h"

/* While devices lack a name of their own, the leases are read again this
 * often: a new device waits at most this long for its host name. */
#define LEASES_EVERY_MS (60 * 1000)

struct clients {
	struct ingest *in;
	size_t router;
	const struct cfg_router *cfg;
	uint64_t round;
	/* /queue/simple/print, built once */
	const char **queue_words;
	size_t n_queue_words;
	char *queue_storage;
	/* the DHCP leases last read, for devices' names */
	struct ros_lease *leases;
	size_t n_leases;
	const struct ros_lease **lease_index;
	int64_t leases_read_ms; /* monotonic, 0 = never */
	bool need_leases;       /* a device of this round has no name of its own */
	/* each problem logged once until it goes away */
	bool queues_refused, devices_refused, devices_empty, leases_refused;
	bool cap_logged[STORE_KIND_COUNT];
	size_t known[STORE_KIND_COUNT]; /* counters tracked after the last round */
	bool *queue_absent;             /* per configured queue name: said missing */
};

struct clients *clients_new(struct ingest *in, size_t router, const struct cfg_router *c)
{
	struct clients *cl = calloc(1, sizeof *cl);
	if (!cl)
		return NULL;
	*cl = (struct clients){.in = in, .router = router, .cfg = c};
	if (c->queues_all || c->n_queues) {
		size_t need = ros_queues_words_needed(c->n_queues);
		cl->queue_words = calloc(need, sizeof *cl->queue_words);
		int n = cl->queue_words
		                ? ros_queues_words((const char *const *)c->queues, c->n_queues,
		                                   cl->queue_words, &cl->queue_storage)
		                : ROS_ERR_NOMEM;
		if (n < 0) {
			clients_free(cl);
			return NULL;
		}
		cl->n_queue_words = (size_t)n;
		cl->queue_absent = calloc(c->n_queues ? c->n_queues : 1, sizeof *cl->queue_absent);
		if (!cl->queue_absent) {
			clients_free(cl);
			return NULL;
		}
	}
	return cl;
}

static void drop_leases(struct clients *cl)
{
	free(cl->lease_index);
	ros_leases_free(cl->leases, cl->n_leases);
	cl->lease_index = NULL;
	cl->leases = NULL;
	cl->n_leases = 0;
}

void clients_free(struct clients *cl)
{
	if (!cl)
		return;
	drop_leases(cl);
	free(cl->queue_words);
	free(cl->queue_storage);
	free(cl->queue_absent);
	free(cl);
}

void clients_round(struct clients *cl)
{
	cl->round++;
	cl->need_leases = false;
}

/* Whether the leases should be read in this round. */
static bool leases_due(const struct clients *cl)
{
	if (!cl->need_leases)
		return false;
	return !cl->leases_read_ms ||
	       calendar_reading_mono_ms() - cl->leases_read_ms >= LEASES_EVERY_MS;
}

enum clients_step clients_next(struct clients *cl, enum clients_step from,
                               const char *const **words, size_t *n)
{
	if (from <= CLIENTS_QUEUES && cl->n_queue_words) {
		*words = cl->queue_words;
		*n = cl->n_queue_words;
		return CLIENTS_QUEUES;
	}
	if (from <= CLIENTS_DEVICES && cl->cfg->devices == CFG_DEVICES_KID_CONTROL) {
		*words = ros_devices_words;
		*n = 2;
		return CLIENTS_DEVICES;
	}
	if (from <= CLIENTS_LEASES && cl->cfg->devices == CFG_DEVICES_KID_CONTROL &&
	    leases_due(cl)) {
		*words = ros_leases_words;
		*n = 2;
		return CLIENTS_LEASES;
	}
	return CLIENTS_DONE;
}

/* Logs once that the router refused a menu or sent rows we cannot read;
 * *flag remembers it until the menu works again. */
static void refused(struct clients *cl, bool *flag, const char *what, const char *why,
                    const char *hint)
{
	if (*flag)
		return;
	*flag = true;
	log_warnx("router %s: cannot read %s: %s%s%s", cl->cfg->name, what, why, hint ? "; " : "",
	          hint ? hint : "");
}

/* After a round's rows of kind: one line when counters were added. */
static void log_tracked(struct clients *cl, enum store_kind kind, size_t before)
{
	size_t now = cl->known[kind];
	if (now > before)
		log_info("router %s: counting %zu new %s%s (%zu tracked)", cl->cfg->name,
		         now - before, store_kind_name(kind), now - before == 1 ? "" : "s", now);
}

/* Accounts one row's counters as a reading of ref. */
static void account(struct clients *cl, const struct ingest_ref *ref,
                    const struct acct_reading *base, const char *id, uint64_t rx, uint64_t tx,
                    int64_t now)
{
	struct acct_reading rd = *base;
	rd.rx = rx;
	rd.tx = tx;
	snprintf(rd.id, sizeof rd.id, "%s", id);
	ingest_reading(cl->in, ref, &rd, now, NULL);
}

/* The counter of (kind, name), or NULL past max_devices (logged once per
 * time the cap is reached). */
static const struct ingest_ref *counter(struct clients *cl, enum store_kind kind, const char *name,
                                        bool *cap)
{
	const struct ingest_ref *ref = ingest_counter(cl->in, cl->router, kind, name);
	if (!ref && strlen(name) < STATUS_NAME_SIZE) {
		*cap = true;
		if (!cl->cap_logged[kind])
			log_warnx(
			        "router %s: %d %ss tracked (max_devices): %s %s and any other new "
			        "one are not counted until one is idle for device_idle",
			        cl->cfg->name, cl->cfg->max_devices, store_kind_name(kind),
			        store_kind_name(kind), name);
		cl->cap_logged[kind] = true;
	}
	return ref;
}

/* With queues = a list: says once when a listed queue is not on the
 * router (a typo, or removed), and when it is back. */
static void check_listed(struct clients *cl, const struct ros_queue_counters *v, size_t n)
{
	const struct ros_queue_counters **index = ros_queues_index(v, n);
	if (!index && n)
		return; /* out of memory: checked next round */
	for (size_t k = 0; k < cl->cfg->n_queues; k++) {
		const char *name = cl->cfg->queues[k];
		bool absent = !ros_queues_find(index, n, name);
		if (absent && !cl->queue_absent[k])
			log_warnx("router %s: simple queue %s: not on the router (queues lists it)",
			          cl->cfg->name, name);
		else if (!absent && cl->queue_absent[k])
			log_info("router %s: simple queue %s found again", cl->cfg->name, name);
		cl->queue_absent[k] = absent;
	}
	free(index);
}

static void queues_reply(struct clients *cl, const ros_reply *reply,
                         const struct acct_reading *base, int64_t now)
{
	struct ros_queue_counters *v = NULL;
	size_t n = 0;
	char err[ROS_ROW_ERR_SIZE] = "";
	if (ros_queues_parse(reply, &v, &n, err, sizeof err) != ROS_OK) {
		refused(cl, &cl->queues_refused, "simple queues", err[0] ? err : "out of memory",
		        NULL);
		return;
	}
	cl->queues_refused = false;
	check_listed(cl, v, n);
	bool cap = false;
	for (size_t k = 0; k < n; k++) {
		const struct ingest_ref *ref = counter(cl, STORE_QUEUE, v[k].name, &cap);
		if (!ref)
			continue;
		ingest_counter_seen(cl->in, ref, v[k].comment[0] ? v[k].comment : v[k].name,
		                    v[k].target, cl->round, now, base->mono_ms);
		/* bytes=UP/DOWN, seen from the target: download is rx. */
		account(cl, ref, base, v[k].id, v[k].down_bytes, v[k].up_bytes, now);
	}
	if (!cap)
		cl->cap_logged[STORE_QUEUE] = false;
	size_t before = cl->known[STORE_QUEUE];
	cl->known[STORE_QUEUE] = ingest_counters_sweep(cl->in, cl->router, STORE_QUEUE, cl->round,
	                                               cap, now, base->mono_ms);
	log_tracked(cl, STORE_QUEUE, before);
	ros_queues_free(v, n);
}

/* The name to show for device d (its own, a lease's, its MAC); notes
 * that the leases are wanted when it has none of its own. */
static const char *device_display(struct clients *cl, const struct ros_device_counters *d)
{
	if (!d->name[0])
		cl->need_leases = true;
	return ros_device_display_name(d, cl->lease_index, cl->lease_index ? cl->n_leases : 0);
}

static void devices_reply(struct clients *cl, const ros_reply *reply,
                          const struct acct_reading *base, int64_t now)
{
	struct ros_device_counters *v = NULL;
	size_t n = 0;
	char err[ROS_ROW_ERR_SIZE] = "";
	if (ros_devices_parse(reply, &v, &n, err, sizeof err) != ROS_OK) {
		/* RouterOS 6 lists devices without byte counters. */
		refused(cl, &cl->devices_refused, "kid-control devices",
		        err[0] ? err : "out of memory",
		        strstr(err, "bytes") ? "per-device counters need RouterOS 7" : NULL);
		return;
	}
	cl->devices_refused = false;
	if (n == 0 && !cl->devices_empty)
		log_warnx("router %s: the kid-control device table is empty: RouterOS 7 counts "
		          "bytes per device once kid control is on; to turn it on without "
		          "restricting anyone: %s",
		          cl->cfg->name, CLIENTS_KID_CONTROL_ENABLE);
	cl->devices_empty = n == 0;
	bool cap = false;
	for (size_t k = 0; k < n; k++) {
		const struct ingest_ref *ref = counter(cl, STORE_DEVICE, v[k].mac, &cap);
		if (!ref)
			continue;
		ingest_counter_seen(cl->in, ref, device_display(cl, &v[k]), v[k].ip, cl->round, now,
		                    base->mono_ms);
		account(cl, ref, base, v[k].id, v[k].down_bytes, v[k].up_bytes, now);
	}
	if (!cap)
		cl->cap_logged[STORE_DEVICE] = false;
	size_t before = cl->known[STORE_DEVICE];
	cl->known[STORE_DEVICE] = ingest_counters_sweep(cl->in, cl->router, STORE_DEVICE, cl->round,
	                                                cap, now, base->mono_ms);
	log_tracked(cl, STORE_DEVICE, before);
	ros_devices_free(v, n);
}

static void leases_reply(struct clients *cl, const ros_reply *reply)
{
	struct ros_lease *v = NULL;
	size_t n = 0;
	char err[ROS_ROW_ERR_SIZE] = "";
	cl->leases_read_ms = calendar_reading_mono_ms();
	if (ros_leases_parse(reply, &v, &n, err, sizeof err) != ROS_OK) {
		refused(cl, &cl->leases_refused, "DHCP leases (devices' names)",
		        err[0] ? err : "out of memory", NULL);
		return;
	}
	cl->leases_refused = false;
	const struct ros_lease **index = ros_leases_index(v, n);
	if (!index && n) {
		ros_leases_free(v, n);
		return; /* out of memory: the names wait for the next read */
	}
	drop_leases(cl);
	cl->leases = v;
	cl->n_leases = n;
	cl->lease_index = index;
}

void clients_reply(struct clients *cl, enum clients_step step, int rc, const ros_reply *reply,
                   const char *errstr, const struct acct_reading *base, int64_t now)
{
	if (rc != ROS_OK) {
		static const char *const what[] = {"simple queues", "kid-control devices",
		                                   "DHCP leases (devices' names)"};
		bool *flag = step == CLIENTS_QUEUES    ? &cl->queues_refused
		             : step == CLIENTS_DEVICES ? &cl->devices_refused
		                                       : &cl->leases_refused;
		if (step == CLIENTS_LEASES)
			cl->leases_read_ms = calendar_reading_mono_ms();
		refused(cl, flag, what[step], errstr,
		        step == CLIENTS_DEVICES ? "per-device counters need RouterOS 7 and a user "
		                                  "with the read policy"
		                                : NULL);
		return;
	}
	switch (step) {
	case CLIENTS_QUEUES: queues_reply(cl, reply, base, now); break;
	case CLIENTS_DEVICES: devices_reply(cl, reply, base, now); break;
	case CLIENTS_LEASES: leases_reply(cl, reply); break;
	default: break;
	}
}
