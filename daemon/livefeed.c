/* livefeed.c — see livefeed.h. */
#include "livefeed.h"

#include "calendar.h"
#include "log.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHANGED_BATCH 64

/* The feed's state of one channel. */
struct stream {
	ros_cmd *cmd;       /* the monitor-traffic command, NULL when none */
	int64_t idle_since; /* monotonic ms since nobody watches (0: watched) */
	int64_t retry_at;   /* after a refusal: when to try again (0: now) */
	bool active;        /* in f->active: watched or holding a command */
};

struct livefeed {
	const struct cfg *cfg;
	struct livehub *hub;
	struct livefeed_sessions s;
	struct stream *st;   /* per channel */
	size_t *chan_router; /* per channel: its router's index in cfg */
	size_t *chan_iface;  /* per channel: the interface's index in its router */
	size_t *open;        /* per router: commands held */
	size_t *active;      /* the channels with active set */
	size_t nactive, capactive;
	int64_t last_pass; /* monotonic ms of the last full pass */
};

struct livefeed *livefeed_new(const struct cfg *cfg, struct livehub *hub,
                              const struct livefeed_sessions *sessions)
{
	struct livefeed *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->cfg = cfg;
	f->hub = hub;
	f->s = *sessions;
	size_t nch = 0;
	for (size_t r = 0; r < cfg->n_routers; r++)
		nch += cfg->routers[r].n_interfaces;
	f->st = calloc(nch ? nch : 1, sizeof *f->st);
	f->chan_router = calloc(nch ? nch : 1, sizeof *f->chan_router);
	f->chan_iface = calloc(nch ? nch : 1, sizeof *f->chan_iface);
	f->open = calloc(cfg->n_routers ? cfg->n_routers : 1, sizeof *f->open);
	if (!f->st || !f->chan_router || !f->chan_iface || !f->open) {
		livefeed_free(f);
		return NULL;
	}
	for (size_t r = 0; r < cfg->n_routers; r++)
		for (size_t i = 0; i < cfg->routers[r].n_interfaces; i++) {
			size_t ch = livehub_channel(hub, r, i);
			f->chan_router[ch] = r;
			f->chan_iface[ch] = i;
		}
	return f;
}

void livefeed_free(struct livefeed *f)
{
	if (!f)
		return;
	free(f->st);
	free(f->chan_router);
	free(f->chan_iface);
	free(f->open);
	free(f->active);
	free(f);
}

/* ---- the active list: the channels a pass looks at ---- */

static void activate(struct livefeed *f, size_t ch)
{
	if (f->st[ch].active)
		return;
	size_t *a = text_grow(f->active, &f->capactive, f->nactive + 1, sizeof *a);
	if (!a) {
		log_warnx("live: out of memory");
		return;
	}
	f->active = a;
	f->active[f->nactive++] = ch;
	f->st[ch].active = true;
}

/* Drops the channels neither watched nor holding a command. */
static void prune_active(struct livefeed *f)
{
	size_t k = 0;
	for (size_t j = 0; j < f->nactive; j++) {
		size_t ch = f->active[j];
		struct stream *s = &f->st[ch];
		if (s->cmd || s->idle_since == 0)
			f->active[k++] = ch;
		else
			s->active = false;
	}
	f->nactive = k;
}

/* ---- commands ---- */

/* Starts channel ch's stream on session c. */
static void start_stream(struct livefeed *f, size_t ch, ros_conn *c, int64_t now)
{
	struct stream *s = &f->st[ch];
	size_t r = f->chan_router[ch];
	const char *iface = f->cfg->routers[r].interfaces[f->chan_iface[ch]];
	char *word = malloc(strlen(iface) + sizeof "=interface=");
	if (!word)
		return;
	sprintf(word, "=interface=%s", iface);
	const char *words[2] = {"/interface/monitor-traffic", word};
	int rc = ros_cmd_start(c, words, 2, NULL, now, &s->cmd);
	free(word);
	if (rc != ROS_AGAIN) {
		s->cmd = NULL;
		s->retry_at = now + LIVEFEED_RETRY_MS;
		livehub_down(f->hub, ch, ros_status_name(rc));
		return;
	}
	f->open[r]++;
	log_debug("router %s: live: monitor-traffic of %s started (tag %s)",
	          f->cfg->routers[r].name, iface, ros_cmd_tag(s->cmd));
	f->s.touched(f->s.ctx, r);
}

/* Gives channel ch's command back to session c (cancelling it on the
 * router when it is still open). */
static void drop_stream(struct livefeed *f, size_t ch, ros_conn *c)
{
	struct stream *s = &f->st[ch];
	size_t r = f->chan_router[ch];
	ros_cmd_release(c, s->cmd);
	s->cmd = NULL;
	f->open[r]--;
	f->s.touched(f->s.ctx, r);
}

/* Starts channel ch's stream if it is watched, has none, may retry and
 * its router's session is up; tells its viewers why not otherwise. */
static void want_stream(struct livefeed *f, size_t ch, int64_t now)
{
	struct stream *s = &f->st[ch];
	if (s->cmd || s->idle_since != 0 || (s->retry_at && now < s->retry_at))
		return;
	size_t r = f->chan_router[ch];
	ros_conn *c = f->s.session(f->s.ctx, r);
	if (!c) {
		livehub_down(f->hub, ch, f->s.why_down(f->s.ctx, r));
		return;
	}
	s->retry_at = 0;
	start_stream(f, ch, c, now);
}

void livefeed_session_up(struct livefeed *f, size_t r, int64_t now)
{
	for (size_t j = 0; j < f->nactive; j++)
		if (f->chan_router[f->active[j]] == r) {
			f->st[f->active[j]].retry_at = 0;
			want_stream(f, f->active[j], now);
		}
}

void livefeed_session_down(struct livefeed *f, size_t r, ros_conn *c, const char *reason)
{
	for (size_t j = 0; j < f->nactive; j++) {
		size_t ch = f->active[j];
		if (f->chan_router[ch] != r)
			continue;
		if (f->st[ch].cmd)
			drop_stream(f, ch, c);
		if (f->st[ch].idle_since == 0)
			livehub_down(f->hub, ch, reason);
	}
}

bool livefeed_parse_row(const ros_sentence *row, struct livehub_sample *s)
{
	size_t rn, tn;
	const char *rx = ros_sentence_get(row, "rx-bits-per-second", &rn);
	const char *tx = ros_sentence_get(row, "tx-bits-per-second", &tn);
	return ros_sentence_type(row) == ROS_REPLY_RE && rx && tx &&
	       ros_parse_u64(rx, rn, &s->rx_bps) == 0 && ros_parse_u64(tx, tn, &s->tx_bps) == 0;
}

/* Publishes what channel ch's command received; handles its end. */
static void collect_stream(struct livefeed *f, size_t ch, ros_conn *c)
{
	struct stream *s = &f->st[ch];
	ros_sentence *row;
	const char *trap = NULL;
	char why[300] = "";
	while ((row = ros_cmd_take(s->cmd)) != NULL) {
		struct livehub_sample smp = {.time = calendar_now_s()};
		if (livefeed_parse_row(row, &smp)) {
			livehub_publish(f->hub, ch, &smp);
		} else if (ros_sentence_type(row) == ROS_REPLY_TRAP) {
			size_t n;
			trap = ros_sentence_get(row, "message", &n);
			snprintf(why, sizeof why, "the router refused monitor-traffic: %.*s",
			         trap ? (int)(n < 200 ? n : 200) : 0, trap ? trap : "");
		}
		ros_sentence_free(row);
	}
	int st = ros_cmd_status(s->cmd);
	if (st == ROS_AGAIN)
		return;
	size_t r = f->chan_router[ch];
	if (st != ROS_CANCELLED && s->idle_since == 0) {
		/* Ended while watched: refused, or the router ended it. */
		if (!why[0])
			snprintf(why, sizeof why, "the router ended monitor-traffic (%s)",
			         ros_status_name(st));
		log_warnx("router %s: live: %s: %s", f->cfg->routers[r].name,
		          f->cfg->routers[r].interfaces[f->chan_iface[ch]], why);
		livehub_down(f->hub, ch, why);
		s->retry_at = ros_now_ms() + LIVEFEED_RETRY_MS;
	}
	drop_stream(f, ch, c);
}

void livefeed_collect(struct livefeed *f, size_t r, ros_conn *c)
{
	if (!f->open[r])
		return;
	for (size_t j = 0; j < f->nactive; j++) {
		size_t ch = f->active[j];
		if (f->chan_router[ch] == r && f->st[ch].cmd)
			collect_stream(f, ch, c);
	}
}

/* Takes the hub's news: channels that gained their first viewer or lost
 * their last. */
static void take_changes(struct livefeed *f, int64_t now)
{
	size_t ids[CHANGED_BATCH], n;
	while ((n = livehub_changed(f->hub, ids, CHANGED_BATCH)) > 0) {
		for (size_t k = 0; k < n; k++) {
			struct stream *s = &f->st[ids[k]];
			bool watched = livehub_watched(f->hub, ids[k]);
			s->idle_since = watched ? 0 : now;
			if (watched)
				activate(f, ids[k]);
		}
		if (n < CHANGED_BATCH)
			break;
	}
}

void livefeed_pass(struct livefeed *f, int64_t now, bool news)
{
	if (news)
		take_changes(f, now);
	else if (now - f->last_pass < 1000)
		return; /* a busy loop passes often: the rest is once a second */
	f->last_pass = now;
	for (size_t j = 0; j < f->nactive; j++) {
		size_t ch = f->active[j];
		struct stream *s = &f->st[ch];
		if (s->idle_since == 0) {
			want_stream(f, ch, now);
		} else if (s->cmd && now - s->idle_since >= LIVEFEED_LINGER_MS) {
			size_t r = f->chan_router[ch];
			ros_conn *c = f->s.session(f->s.ctx, r);
			log_debug("router %s: live: nobody watches %s: cancelling",
			          f->cfg->routers[r].name,
			          f->cfg->routers[r].interfaces[f->chan_iface[ch]]);
			if (c)
				drop_stream(f, ch, c);
		}
	}
	prune_active(f);
	livehub_tick(f->hub, now);
}
