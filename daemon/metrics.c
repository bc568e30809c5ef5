/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <inttypes.h>
#include <string.h>

#include "cycle.h"

int metrics_label_value(struct jbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		if (c == '\\') {
			jbuf_puts(out, "\\\\");
			i++;
		} else if (c == '"') {
			jbuf_puts(out, "\\\"");
			i++;
		} else if (c == '\n') {
			jbuf_puts(out, "\\n");
			i++;
		} else if (c < 0x80) {
			jbuf_append(out, &c, 1);
			i++;
		} else {
			size_t n = jsonw_utf8_len(p + i, len - i);
			if (n) {
				jbuf_append(out, p + i, n);
				i += n;
			} else {
				/* Not UTF-8: the byte as Latin-1, i.e. U+0080..U+00FF. */
				unsigned char u[2] = {(unsigned char)(0xC0 | (c >> 6)),
						      (unsigned char)(0x80 | (c & 0x3F))};
				jbuf_append(out, u, 2);
				i++;
			}
		}
	}
	return out->failed ? -1 : 0;
}

static void family(struct jbuf *out, const char *name, const char *type, const char *help)
{
	jbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{router="R"[,interface="I"][,reason="X"]} */
static void series(struct jbuf *out, const char *name, const char *router, const char *iface,
		   const char *reason)
{
	jbuf_puts(out, name);
	jbuf_puts(out, "{");
	if (router) {
		jbuf_puts(out, "router=\"");
		metrics_label_value(out, router);
		jbuf_puts(out, "\"");
	}
	if (iface) {
		jbuf_puts(out, router ? ",interface=\"" : "interface=\"");
		metrics_label_value(out, iface);
		jbuf_puts(out, "\"");
	}
	if (reason) {
		jbuf_puts(out, router || iface ? ",reason=\"" : "reason=\"");
		metrics_label_value(out, reason);
		jbuf_puts(out, "\"");
	}
	jbuf_puts(out, "} ");
}

static void value_u64(struct jbuf *out, uint64_t v)
{
	jbuf_printf(out, "%" PRIu64 "\n", v);
}

/* Whether interface k of router i counts as up: read in the router's last
 * successful poll (so present on the router then: a missing one is 0), or for a router in
 * push mode, pushed within three of its intervals. */
static bool interface_up(const struct cfg_router *cr, const struct status_router *sr, size_t k,
			 int64_t now)
{
	const struct status_iface *f = &sr->ifaces[k];
	if (!f->has_reading)
		return false;
	if (cr->mode == MODE_PUSH)
		return now - f->last_time <= 3 * (int64_t)cr->interval;
	return sr->up && !f->missing && f->read_in_poll == sr->polls_ok;
}

static void render_interface_up(const struct cfg *cfg, const struct status_snapshot *snap,
				int64_t now, struct jbuf *out)
{
	size_t nr = cfg->n_routers < snap->n ? cfg->n_routers : snap->n;
	family(out, "tikstat_interface_up", "gauge",
	       "1 when the interface was read in the router's last successful poll (push: "
	       "pushed within 3 intervals), else 0.");
	for (size_t i = 0; i < nr; i++) {
		const struct status_router *sr = &snap->routers[i];
		for (size_t k = 0; k < sr->n_ifaces && k < cfg->routers[i].n_interfaces; k++) {
			series(out, "tikstat_interface_up", cfg->routers[i].name,
			       cfg->routers[i].interfaces[k], NULL);
			value_u64(out, interface_up(&cfg->routers[i], sr, k, now) ? 1 : 0);
		}
	}
}

/* The database families (store.h struct store_health). */
static void render_database(const struct store_health *h, struct jbuf *out)
{
	family(out, "tikstat_database_ok", "gauge",
	       "1 when the database commits, prunes, is sound and is the file at its path.");
	jbuf_printf(out, "tikstat_database_ok %d\n", store_health_ok(h) ? 1 : 0);
	family(out, "tikstat_database_problem", "gauge",
	       "1 for each database problem present now (see tikstatd(8)).");
	const struct {
		const char *name;
		bool on;
	} problems[] = {
		{"commit", h->commit_failing},
		{"prune", h->prune_failing},
		{"integrity", h->integrity_bad},
		{"file_deleted", h->file == STORE_FILE_DELETED},
		{"file_replaced", h->file == STORE_FILE_REPLACED},
	};
	for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
		jbuf_printf(out, "tikstat_database_problem{problem=\"%s\"} %d\n", problems[i].name,
			    problems[i].on ? 1 : 0);
	family(out, "tikstat_database_last_commit_timestamp_seconds", "gauge",
	       "Unix time of the last successful commit, 0 = none since the start.");
	jbuf_printf(out, "tikstat_database_last_commit_timestamp_seconds %" PRId64 "\n",
		    h->last_commit);
	family(out, "tikstat_database_commit_failures_total", "counter",
	       "Commits that failed (their readings stayed pending and were retried).");
	jbuf_printf(out, "tikstat_database_commit_failures_total %" PRIu64 "\n",
		    h->commit_failures);
	family(out, "tikstat_database_read_errors_total", "counter",
	       "Reads that failed on a damaged or unreadable database file.");
	jbuf_printf(out, "tikstat_database_read_errors_total %" PRIu64 "\n", store_read_errors());
}

int metrics_render(const struct cfg *cfg, const struct status_snapshot *snap, store *db,
		   int64_t now, struct jbuf *out)
{
	size_t nr = cfg->n_routers < snap->n ? cfg->n_routers : snap->n;

	family(out, "tikstat_interface_rx_bytes_total", "counter",
	       "Bytes received by the interface since tikstat began counting it.");
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < snap->routers[i].n_ifaces; k++) {
			series(out, "tikstat_interface_rx_bytes_total", cfg->routers[i].name,
			       cfg->routers[i].interfaces[k], NULL);
			value_u64(out, snap->routers[i].ifaces[k].rx_total);
		}
	family(out, "tikstat_interface_tx_bytes_total", "counter",
	       "Bytes sent by the interface since tikstat began counting it.");
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < snap->routers[i].n_ifaces; k++) {
			series(out, "tikstat_interface_tx_bytes_total", cfg->routers[i].name,
			       cfg->routers[i].interfaces[k], NULL);
			value_u64(out, snap->routers[i].ifaces[k].tx_total);
		}

	if (db) {
		/* One pass over the store, two families written from it. */
		struct jbuf rx = JBUF_INIT, tx = JBUF_INIT;
		for (size_t i = 0; i < nr; i++) {
			const struct cfg_router *cr = &cfg->routers[i];
			for (size_t k = 0; k < cr->n_interfaces; k++) {
				int64_t id;
				struct cycle_usage u;
				if (store_find_interface(db, cr->name, cr->interfaces[k], &id) != 0 ||
				    cycle_usage(db, id, cfg->cycle_start_day, now, &u) != 0)
					continue;
				series(&rx, "tikstat_cycle_rx_bytes", cr->name, cr->interfaces[k],
				       NULL);
				value_u64(&rx, u.rx);
				series(&tx, "tikstat_cycle_tx_bytes", cr->name, cr->interfaces[k],
				       NULL);
				value_u64(&tx, u.tx);
			}
		}
		family(out, "tikstat_cycle_rx_bytes", "gauge",
		       "Bytes received in the current billing cycle.");
		jbuf_append(out, jbuf_str(&rx), rx.len);
		family(out, "tikstat_cycle_tx_bytes", "gauge",
		       "Bytes sent in the current billing cycle.");
		jbuf_append(out, jbuf_str(&tx), tx.len);
		if (rx.failed || tx.failed)
			out->failed = true;
		jbuf_free(&rx);
		jbuf_free(&tx);
	}

	family(out, "tikstat_quota_bytes", "gauge",
	       "Quota per billing cycle (rx + tx) of each interface of the router.");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].quota) {
			series(out, "tikstat_quota_bytes", cfg->routers[i].name, NULL, NULL);
			value_u64(out, cfg->routers[i].quota);
		}

	family(out, "tikstat_up", "gauge", "1 when the last poll of the router succeeded.");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].mode == MODE_POLL) {
			series(out, "tikstat_up", cfg->routers[i].name, NULL, NULL);
			value_u64(out, snap->routers[i].up ? 1 : 0);
		}
	family(out, "tikstat_polls_total", "counter",
	       "Polls of the router tried (connection attempts included).");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].mode == MODE_POLL) {
			series(out, "tikstat_polls_total", cfg->routers[i].name, NULL, NULL);
			value_u64(out, snap->routers[i].polls_ok + snap->routers[i].polls_failed);
		}
	family(out, "tikstat_poll_failures_total", "counter", "Failed polls by reason.");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].mode == MODE_POLL)
			for (int r = 0; r < REASON_COUNT; r++) {
				series(out, "tikstat_poll_failures_total", cfg->routers[i].name,
				       NULL, status_reason_name((enum status_reason)r));
				value_u64(out, snap->routers[i].failures[r]);
			}
	family(out, "tikstat_poll_duration_seconds", "gauge",
	       "Duration of the last successful poll.");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].mode == MODE_POLL) {
			int64_t ms = snap->routers[i].last_duration_ms;
			series(out, "tikstat_poll_duration_seconds", cfg->routers[i].name, NULL,
			       NULL);
			jbuf_printf(out, "%" PRId64 ".%03d\n", ms / 1000, (int)(ms % 1000));
		}
	family(out, "tikstat_last_success_timestamp_seconds", "gauge",
	       "Unix time of the last successful poll, 0 = never.");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].mode == MODE_POLL) {
			series(out, "tikstat_last_success_timestamp_seconds", cfg->routers[i].name,
			       NULL, NULL);
			jbuf_printf(out, "%" PRId64 "\n", snap->routers[i].last_success);
		}
	family(out, "tikstat_pushes_total", "counter", "Pushed readings accepted.");
	for (size_t i = 0; i < nr; i++)
		if (cfg->routers[i].mode == MODE_PUSH) {
			series(out, "tikstat_pushes_total", cfg->routers[i].name, NULL, NULL);
			value_u64(out, snap->routers[i].pushes);
		}
	family(out, "tikstat_push_rejected_total", "counter", "Pushes refused, by reason.");
	for (int r = 0; r < PUSH_REJECT_COUNT; r++) {
		series(out, "tikstat_push_rejected_total", NULL, NULL,
		       status_push_reject_name((enum status_push_reject)r));
		value_u64(out, snap->push_rejected[r]);
	}
	render_interface_up(cfg, snap, now, out);
	render_database(&snap->database, out);
	return out->failed ? -1 : 0;
}
