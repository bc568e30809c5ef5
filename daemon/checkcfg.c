/* checkcfg.c — see checkcfg.h. */
#include "checkcfg.h"

#include "clients.h"
#include "fdbudget.h"
#include "session.h"
#include "store.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ifnames.h"

/* Prints a name quoted and escaped as ifnames_quote does. */
static void print_name(FILE *out, const char *name)
{
	char q[300];
	if (ifnames_quote(name, q, sizeof q) >= sizeof q)
		fputs("(a name too long to show)", out);
	else
		fputs(q, out);
}

/* Prints, for each configured interface the router does not have, what it
 * has (v, n; listed false when that could not be read) and the likely
 * meant name. */
static void print_missing(const struct cfg_router *r, const struct ros_iface_counters *v, size_t n,
                          bool listed, FILE *out)
{
	const char **names = calloc(n ? n : 1, sizeof *names);
	const struct ros_iface_counters **sorted = ros_counters_index(v, n);
	for (size_t i = 0; names && i < n; i++)
		names[i] = v[i].name;
	for (size_t k = 0; k < r->n_interfaces; k++) {
		if (sorted && ros_counters_find(sorted, n, r->interfaces[k]))
			continue;
		char msg[2048] = "NOT FOUND on the router (names are case-sensitive)";
		if (names && listed)
			ifnames_missing_message(r->interfaces[k], names, n, msg, sizeof msg);
		fprintf(out, "  interface ");
		print_name(out, r->interfaces[k]);
		fprintf(out, ": %s\n", msg);
	}
	free(sorted);
	free(names);
}

static int fail(FILE *out, const struct cfg_router *r, ros_conn *c, const char *what, int rc)
{
	fprintf(out, "  FAILED %s: %s\n", what, ros_errstr(c));
	/* A mismatch names the fingerprint already; a failed verify does not. */
	if (ros_peer_fingerprint(c) && rc == ROS_ERR_TLS_VERIFY)
		fprintf(out, "  the router presented %s\n", ros_peer_fingerprint(c));
	fprintf(out, "  hint: %s\n", session_hint(rc, r->tls));
	return 1;
}

/* Reads the configured interfaces once; lists the router's others when
 * one is missing (names are case-sensitive). */
static int check_interfaces(const struct cfg_router *r, ros_conn *c, FILE *out)
{
	struct ros_iface_counters *v = NULL;
	size_t n = 0;
	size_t nq = r->n_interfaces > SESSION_QUERY_NAMES_MAX ? 0 : r->n_interfaces;
	int rc = ros_read_counters(c, (const char *const *)r->interfaces, nq, &v, &n);
	if (rc)
		return fail(out, r, c, "reading interface counters", rc);
	/* Sorted once, searched per name: thousands of interfaces stay cheap. */
	const struct ros_iface_counters **sorted = ros_counters_index(v, n);
	if (!sorted) {
		ros_counters_free(v, n);
		fprintf(out, "  FAILED: out of memory\n");
		return 1;
	}
	int bad = 0;
	for (size_t k = 0; k < r->n_interfaces; k++) {
		const struct ros_iface_counters *row =
		        ros_counters_find(sorted, n, r->interfaces[k]);
		if (!row) {
			bad = 1; /* shown below, with what the router has */
			continue;
		}
		fprintf(out, "  interface ");
		print_name(out, r->interfaces[k]);
		fprintf(out, ": id %s, rx %" PRIu64 " bytes, tx %" PRIu64 " bytes%s%s\n", row->id,
		        row->rx_bytes, row->tx_bytes, row->running == 0 ? ", not running" : "",
		        row->disabled == 1 ? ", disabled" : "");
	}
	free(sorted);
	ros_counters_free(v, n);
	if (bad) {
		/* Names are compared exactly: list all, to show what was meant. */
		rc = ros_read_counters(c, NULL, 0, &v, &n);
		print_missing(r, rc == ROS_OK ? v : NULL, rc == ROS_OK ? n : 0, rc == ROS_OK, out);
		if (rc == ROS_OK)
			ros_counters_free(v, n);
	}
	return bad;
}

/* Reads the router's simple queues once: how many, and each listed one
 * not on the router (a failure, as for interfaces). */
static int check_queues(const struct cfg_router *r, ros_conn *c, FILE *out)
{
	struct ros_queue_counters *v = NULL;
	size_t n = 0;
	int rc = ros_read_queues(c, (const char *const *)r->queues, r->n_queues, &v, &n);
	if (rc)
		return fail(out, r, c, "reading simple queues", rc);
	fprintf(out, "  simple queues: %zu read%s\n", n, r->queues_all ? " (queues = *)" : "");
	const struct ros_queue_counters **index = ros_queues_index(v, n);
	int bad = 0;
	for (size_t k = 0; index && k < r->n_queues; k++) {
		if (ros_queues_find(index, n, r->queues[k]))
			continue;
		fprintf(out, "  simple queue ");
		print_name(out, r->queues[k]);
		fprintf(out, ": NOT FOUND on the router (names are case-sensitive)\n");
		bad = 1;
	}
	free(index);
	ros_queues_free(v, n);
	return bad;
}

/* Reads the kid-control devices once. A router without them (RouterOS 6,
 * or kid control off) is a warning: the daemon counts the interfaces. */
static void check_devices(ros_conn *c, FILE *out)
{
	struct ros_device_counters *v = NULL;
	size_t n = 0;
	int rc = ros_read_devices(c, &v, &n);
	if (rc) {
		fprintf(out,
		        "  warning: cannot read kid-control devices: %s (per-device counters "
		        "need RouterOS 7)\n",
		        ros_errstr(c));
		return;
	}
	if (n == 0)
		fprintf(out,
		        "  warning: the kid-control device table is empty; to turn kid control on "
		        "without restricting anyone: %s\n",
		        CLIENTS_KID_CONTROL_ENABLE);
	else
		fprintf(out, "  kid-control devices: %zu read\n", n);
	ros_devices_free(v, n);
}

static int check_router(const struct cfg_router *r, FILE *out)
{
	fprintf(out, "router %s: %s:%u, tls %s, user %s\n", r->name, r->host, (unsigned)r->port,
	        r->tls == ROS_TLS_OFF           ? "off"
	        : r->tls == ROS_TLS_VERIFY      ? "verify"
	        : r->tls == ROS_TLS_FINGERPRINT ? "fingerprint"
	                                        : "anonymous",
	        r->user);
	int st;
	ros_conn *c = session_open(r, &st);
	if (!c) {
		fprintf(out, "  FAILED: invalid options (%s)\n", ros_status_name(st));
		return 1;
	}
	int bad;
	int rc = ros_connect(c);
	if (rc) {
		bad = fail(out, r, c, "connecting and logging in", rc);
	} else {
		uint64_t up = 0;
		fprintf(out, "  logged in%s%s\n", ros_tls_cipher(c) ? " over TLS, cipher " : "",
		        ros_tls_cipher(c) ? ros_tls_cipher(c) : "");
		if (r->tls == ROS_TLS_ANONYMOUS)
			fprintf(out, "  warning: anonymous TLS does not authenticate the router\n");
		if (r->tls == ROS_TLS_OFF)
			fprintf(out, "  warning: the plain API sends the password in clear text; "
			             "prefer api-ssl (tls = fingerprint)\n");
		rc = ros_read_uptime(c, &up);
		if (rc)
			bad = fail(out, r, c, "reading the uptime", rc);
		else {
			fprintf(out, "  uptime %" PRIu64 " s\n", up);
			bad = check_interfaces(r, c, out);
			if (r->queues_all || r->n_queues)
				bad |= check_queues(r, c, out);
			if (r->devices == CFG_DEVICES_KID_CONTROL)
				check_devices(c, out);
		}
	}
	ros_conn_free(c);
	return bad;
}

/* The daemon binds at most CFG_MAX_LISTEN addresses; host names may
 * resolve to several. 0 when they fit, else 1 after saying so. */
static int check_listen(const struct cfg *cfg, FILE *out)
{
	size_t n = fdbudget_listeners(cfg);
	if (n <= CFG_MAX_LISTEN)
		return 0;
	fprintf(out,
	        "%s: [http] listen, https_listen: %zu addresses once host names are resolved: at "
	        "most %d addresses can be listened on\n",
	        cfg->path, n, CFG_MAX_LISTEN);
	return 1;
}

/* A PostgreSQL database is connected to (its schema created if it has
 * none yet, as tikstatd's start would) and described, or its error said:
 * 0 or 1. An SQLite file is tikstatd's to create and is not opened. */
static int check_database(const struct cfg *cfg, FILE *out)
{
	if (!store_path_is_url(cfg->database))
		return 0;
	char err[1024], line[512];
	store *s = store_open(cfg->database, false, err, sizeof err);
	if (!s) {
		fprintf(out, "database: %s\n", err);
		return 1;
	}
	int bad = store_describe(s, line, sizeof line) < 0;
	fprintf(out, "database: %s\n", bad ? store_errmsg(s) : line);
	store_close(s);
	return bad;
}

int checkcfg_run(const struct cfg *cfg, FILE *out)
{
	if (check_listen(cfg, out))
		return 1;
	int bad = 0;
	fprintf(out, "%s: configuration is valid (", cfg->path);
	if (cfg->n_files > 1) /* with include =: how many files were read */
		fprintf(out, "%zu files, ", cfg->n_files);
	fprintf(out, "%zu router%s", cfg->n_routers, cfg->n_routers == 1 ? "" : "s");
	if (cfg->n_bills) /* a file without bills reads as before */
		fprintf(out, ", %zu bill%s", cfg->n_bills, cfg->n_bills == 1 ? "" : "s");
	fprintf(out, ")\n");
	struct fdbudget fb;
	fdbudget_of_cfg(cfg, &fb);
	if (fdbudget_short(&fb)) {
		char msg[512];
		fdbudget_message(&fb, msg, sizeof msg);
		fprintf(out,
		        "warning: %zu of %zu polled routers would get no session under the "
		        "current open files limit (%s)\n",
		        fb.routers - fb.sessions, fb.routers, msg);
	}
	bad |= check_database(cfg, out);
	for (size_t i = 0; i < cfg->n_routers; i++) {
		const struct cfg_router *r = &cfg->routers[i];
		if (r->mode == MODE_PUSH) {
			fprintf(out, "router %s: push mode: waits for the router's push script\n",
			        r->name);
			continue;
		}
		bad |= check_router(r, out);
	}
	fprintf(out, bad ? "some checks FAILED\n" : "all routers OK\n");
	return bad;
}
