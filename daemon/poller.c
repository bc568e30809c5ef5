/* poller.c — see poller.h. */
#include "poller.h"
#include "clients.h"
#include "livefeed.h"
#include "session.h"

#include "calendar.h"
#include "ifnames.h"
#include "log.h"
#include "push.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 300000

enum rstate {
	R_IDLE,       /* no session; next_at = when to connect */
	R_CONNECTING, /* TCP, TLS and login in progress */
	R_WAIT,       /* logged in; next_at = when to poll */
	R_COUNTERS,   /* /interface/print sent */
	R_UPTIME,     /* /system/resource/print sent */
	R_CLIENTS,    /* a command of clients.h sent (step: cstep) */
	R_NAMES,      /* /interface/print of every name sent: an interface is missing */
	R_ADDRESS,    /* /ip/address/print sent (ip_file) */
};

struct router {
	const struct cfg_router *cfg;
	size_t cfg_index; /* position in cfg->routers (status table) */
	ros_conn *conn;
	enum rstate state;
	int64_t next_at; /* monotonic ms, for R_IDLE and R_WAIT */
	int backoff_ms;
	const struct ingest_ref *refs; /* per configured interface (ingest.h) */
	bool *missing;                 /* interface i was not found at the last poll */
	bool *announced;    /* its absence was logged and published with the router's names */
	bool names_needed;  /* an interface went missing: read the router's names */
	const char **words; /* the counters command, built once */
	size_t nwords;
	char *words_store;
	struct ros_iface_counters *counters; /* from R_COUNTERS until R_UPTIME ends */
	size_t ncounters;
	int64_t poll_started;
	int64_t slot_at;         /* the scheduled time of the poll under way (monotonic ms) */
	uint64_t uptime;         /* the round's, from R_UPTIME on */
	struct clients *clients; /* queues and devices (NULL: none configured) */
	enum clients_step cstep; /* in R_CLIENTS: the command sent */
	bool more;               /* the session has input epoll cannot report (ros_input_pending) */
	int64_t sent_wall, sent_mono; /* when the poll's request was sent: its readings' time */
	int32_t sent_sub_ms;          /* milliseconds past sent_wall */
	/* ip_file: the address of ip_interface, read after every poll */
	const char *addr_words[3]; /* the /ip/address/print command */
	char *addr_query;          /* its "?interface=NAME" word, owned */
	char ip_written[64];       /* what ip_file holds ("": nothing known) */
	bool addr_logged;          /* "no address" / "cannot read" said once */
	bool holds_fd;             /* counted in nsessions: connecting or connected */
	int reg_fd;                /* fd registered with epoll, -1 none */
	uint32_t reg_events;
	unsigned timer_seq; /* invalidates older heap entries */
	int64_t timer_at;   /* time of the valid heap entry, -1 none */
	/* state changes, logged once each */
	bool up, ever_up;
	char last_error[512];
};

struct timer {
	int64_t at;
	size_t router;
	unsigned seq;
};

/* epoll data of the push queue's and the live hub's eventfds (routers
 * use their index). */
#define PUSHQ_EVENT UINT64_MAX
#define LIVE_EVENT  (UINT64_MAX - 1)
#define PUSHQ_BATCH 64

struct poller {
	const struct cfg *cfg;
	struct ingest *ingest;
	struct status *status;
	struct pushq *pushq;
	poller_hook_fn before_sleep;
	void *before_sleep_ctx;
	struct livefeed *live; /* NULL: no live view */
	struct router *routers;
	size_t n;
	size_t *by_cfg; /* per cfg router: its index in routers, SIZE_MAX if not polled */
	int epfd;
	struct timer *heap;
	size_t nheap, capheap;
	unsigned rand_state;
	size_t nmore;          /* routers with more set */
	size_t nup;            /* routers with up set: poller_up without a scan */
	size_t n_planned;      /* routers in poll mode: what the phases divide */
	int64_t overdue_at;    /* when the overdue routers are counted next (monotonic ms) */
	int64_t overdue_since; /* since when some are, -1 none */
	bool overdue_said;     /* logged */
	/* The descriptor budget (fdbudget.h): sessions open or opening, the
	 * most allowed, the status text of a router left without one, and
	 * whether the log said so already. */
	size_t nsessions, max_sessions;
	char fd_message[512];
	bool fd_logged;
	/* The last (wall, monotonic) pair seen, to notice wall-clock steps. */
	int64_t clk_wall_ms, clk_mono_ms;
};

/* ---- timers: a binary min-heap with lazy deletion ---- */

static void heap_swap(struct timer *a, struct timer *b)
{
	struct timer t = *a;
	*a = *b;
	*b = t;
}

static int timer_push(struct poller *p, int64_t at, size_t router)
{
	if (p->nheap == p->capheap) {
		size_t cap = p->capheap ? p->capheap * 2 : 64;
		struct timer *h = realloc(p->heap, cap * sizeof *h);
		if (!h)
			return -1;
		p->heap = h;
		p->capheap = cap;
	}
	struct router *r = &p->routers[router];
	size_t i = p->nheap++;
	p->heap[i] = (struct timer){at, router, ++r->timer_seq};
	while (i > 0 && p->heap[(i - 1) / 2].at > p->heap[i].at) {
		heap_swap(&p->heap[(i - 1) / 2], &p->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

static void timer_pop(struct poller *p)
{
	p->heap[0] = p->heap[--p->nheap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < p->nheap && p->heap[l].at < p->heap[m].at)
			m = l;
		if (l + 1 < p->nheap && p->heap[l + 1].at < p->heap[m].at)
			m = l + 1;
		if (m == i)
			return;
		heap_swap(&p->heap[i], &p->heap[m]);
		i = m;
	}
}

/* Drops heap entries that a later timer_push superseded. */
static void timer_prune(struct poller *p)
{
	while (p->nheap && p->heap[0].seq != p->routers[p->heap[0].router].timer_seq)
		timer_pop(p);
}

/* ---- helpers ---- */

static int64_t wall_now(void)
{
	return (int64_t)time(NULL);
}

/* Reads the wall clock (Unix ms) and the monotonic clock (ms, > 0)
 * together: a reading's time and the monotonic time that measures its
 * intervals. */
static void clock_pair(int64_t *wall_ms, int64_t *mono_ms)
{
	struct timespec ts;
	*mono_ms = calendar_reading_mono_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	*wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Logs a step of the wall clock once, when the first (wall, monotonic) pair
 * after it is seen: pairs are compared in monotonic order only, so a pushed
 * reading stamped before the step cannot report it a second time. */
static void note_clock(struct poller *p, int64_t wall_ms, int64_t mono_ms)
{
	if (p->clk_mono_ms > 0 && mono_ms < p->clk_mono_ms)
		return;
	int64_t step = p->clk_mono_ms > 0
	                       ? acct_clock_step(p->clk_wall_ms, p->clk_mono_ms, wall_ms, mono_ms)
	                       : 0;
	if (step)
		log_warnx("clock stepped %s by %lld s; counting by the monotonic clock",
		          step > 0 ? "forward" : "back",
		          (long long)(((step > 0 ? step : -step) + 500) / 1000));
	p->clk_wall_ms = wall_ms;
	p->clk_mono_ms = mono_ms;
}

static int jitter(struct poller *p, int ms)
{
	/* +-20 %, so routers that failed together do not retry together. */
	int span = ms / 5;
	return span > 0 ? ms - span + (int)(rand_r(&p->rand_state) % (unsigned)(2 * span + 1)) : ms;
}

/* Keeps the epoll registration in line with what the session waits for. */
static int sync_epoll(struct poller *p, size_t i)
{
	struct router *r = &p->routers[i];
	int fd = r->conn ? ros_fd(r->conn) : -1;
	/* An idle session is watched too, to notice when the router closes it
	 * (and for its live streams). */
	int ev = r->conn ? ros_events(r->conn) : 0;
	if (r->state == R_WAIT)
		ev |= ROS_WANT_READ;
	uint32_t want = (ev & ROS_WANT_READ ? EPOLLIN : 0) | (ev & ROS_WANT_WRITE ? EPOLLOUT : 0);
	if (fd != r->reg_fd && r->reg_fd >= 0) {
		/* A closed fd left epoll by itself; a live one must be removed. */
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, r->reg_fd, NULL);
		r->reg_fd = -1;
	}
	if (fd < 0 || !want) {
		if (r->reg_fd >= 0)
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, r->reg_fd, NULL);
		r->reg_fd = -1;
		return 0;
	}
	if (r->reg_fd == fd && r->reg_events == want)
		return 0;
	struct epoll_event e = {.events = want, .data.u64 = i};
	int op = r->reg_fd == fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(p->epfd, op, fd, &e) < 0) {
		log_warn("epoll_ctl");
		return -1;
	}
	r->reg_fd = fd;
	r->reg_events = want;
	return 0;
}

/* True while router r's session carries tagged commands: live streams
 * (livefeed.h), also one cancelled and not yet confirmed by the router. */
static bool live_busy(const struct poller *p, const struct router *r)
{
	return p->live && r->conn && ros_open_commands(r->conn) > 0;
}

/* Schedules the next timer of router i: its next_at when idle or
 * waiting, else the session's deadline. */
static void schedule(struct poller *p, size_t i)
{
	struct router *r = &p->routers[i];
	int64_t at = r->state == R_IDLE || r->state == R_WAIT ? r->next_at : ros_deadline(r->conn);
	bool streams = r->state == R_WAIT && live_busy(p, r);
	if (streams) {
		/* the streams' silence timeouts run while no poll does */
		int64_t dl = ros_deadline(r->conn);
		if (dl >= 0 && dl < at)
			at = dl;
	}
	if (at >= 0 && at != r->timer_at) {
		if (timer_push(p, at, i) < 0)
			log_warnx("out of memory scheduling router %s", r->cfg->name);
		r->timer_at = at;
	}
	/* A step that stopped at its read budget is resumed on the next pass
	 * without waiting: TLS may hold the rest, where epoll cannot see it. */
	bool more =
	        r->state != R_IDLE && (r->state != R_WAIT || streams) && ros_input_pending(r->conn);
	if (more && !r->more)
		p->nmore++;
	else if (!more && r->more)
		p->nmore--;
	r->more = more;
	sync_epoll(p, i);
}

static void on_complete(struct poller *p, size_t i, int rc, int64_t now);

/* Advances router i's session: its poll (the untagged command), and its
 * live streams, whose samples go to the hub. With only streams open, a
 * failure of the session is the router's failure. */
static void step_session(struct poller *p, size_t i, int64_t now)
{
	struct router *r = &p->routers[i];
	/* A completed command usually starts the next one of the round
	 * (counters, uptime, ...): it is written at once, since the socket
	 * nearly always has room, not after an epoll round trip for EPOLLOUT
	 * (an epoll_ctl there and back and an epoll_wait per command). A few
	 * steps at most, like any pass: the other routers wait meanwhile. */
	for (int steps = 0; steps < 4; steps++) {
		bool polling = r->state != R_WAIT;
		int rc = ros_step(r->conn, now);
		if (p->live)
			livefeed_collect(p->live, r->cfg_index, r->conn);
		if (!(polling ? rc != ROS_AGAIN : rc != ROS_AGAIN && rc != ROS_OK))
			return;
		on_complete(p, i, rc, now);
		if (r->state == R_IDLE || r->state == R_WAIT || ros_fd(r->conn) < 0 ||
		    !(ros_events(r->conn) & ROS_WANT_WRITE))
			return;
	}
}

/* Closes router r's session (if any) and gives its descriptor back. */
static void release_session(struct poller *p, struct router *r)
{
	if (r->conn)
		ros_close(r->conn);
	if (r->holds_fd)
		p->nsessions--;
	r->holds_fd = false;
}

/* The session's socket could not be had: the process is at its open
 * files limit (EMFILE), or the system at its own (ENFILE). */
static bool out_of_descriptors(const char *detail)
{
	return strstr(detail, strerror(EMFILE)) || strstr(detail, strerror(ENFILE));
}

/* Router i gets no session: the descriptor budget is spent (or socket()
 * failed with EMFILE/ENFILE). It is down with a status that says what to
 * do, counted under "descriptors", and tried again an interval later (a
 * session of another router may have closed by then). The log says it
 * once per start, not once per router and retry. */
static void router_starved(struct poller *p, size_t i, int64_t now)
{
	struct router *r = &p->routers[i];
	if (!p->fd_logged)
		log_warnx("%s", p->fd_message);
	p->fd_logged = true;
	if (r->up || strcmp(r->last_error, p->fd_message) != 0)
		log_debug("router %s: down: %s", r->cfg->name, p->fd_message);
	snprintf(r->last_error, sizeof r->last_error, "%s", p->fd_message);
	if (r->up)
		p->nup--;
	r->up = false;
	status_poll_failed_why(p->status, r->cfg_index, REASON_DESCRIPTORS, p->fd_message);
	release_session(p, r);
	if (p->live)
		livefeed_session_down(p->live, r->cfg_index, r->conn, p->fd_message);
	r->state = R_IDLE;
	int64_t wait = (int64_t)r->cfg->interval * 1000;
	r->next_at = now + jitter(p, wait < BACKOFF_MIN_MS ? BACKOFF_MIN_MS : (int)wait);
}

/* Marks the router down (logged once per state change) and backs off. */
static void router_failed(struct poller *p, size_t i, int status, int64_t now)
{
	struct router *r = &p->routers[i];
	const char *detail =
	        r->conn && *ros_errstr(r->conn) ? ros_errstr(r->conn) : ros_status_name(status);
	if (r->state == R_CONNECTING && out_of_descriptors(detail)) {
		router_starved(p, i, now);
		return;
	}
	char why[sizeof r->last_error];
	/* Name the key that sets the limit, so the log says what to do. */
	const char *key = NULL;
	if (status == ROS_ERR_REPLY_TOO_LARGE)
		key = strstr(detail, "sentences") ? "max_reply_items" : "max_reply_size";
	else if (status == ROS_ERR_TIMEOUT && strstr(detail, "not complete after"))
		key = "command_timeout";
	snprintf(why, sizeof why, "%s%s%s%s", detail, key ? " (limit: " : "", key ? key : "",
	         key ? ")" : "");
	/* A wrong port or TLS mode: the log says which setting to change. */
	if (status == ROS_ERR_PORT_TLS || status == ROS_ERR_PORT_PLAIN ||
	    ((status == ROS_ERR_CLOSED || status == ROS_ERR_IO) && r->state == R_CONNECTING &&
	     r->cfg->tls == ROS_TLS_OFF)) {
		size_t len = strlen(why);
		snprintf(why + len, sizeof why - len, " (hint: %s)",
		         session_hint(status, r->cfg->tls));
	}
	if (r->up || strcmp(r->last_error, why) != 0)
		log_warnx("router %s: down: %s", r->cfg->name, why);
	snprintf(r->last_error, sizeof r->last_error, "%s", why);
	if (r->up)
		p->nup--;
	r->up = false;
	status_poll_failed(p->status, r->cfg_index, status, why);
	ros_counters_free(r->counters, r->ncounters);
	r->counters = NULL;
	r->ncounters = 0;
	release_session(p, r);
	if (p->live) /* its streams ended with the session */
		livefeed_session_down(p->live, r->cfg_index, r->conn, why);
	r->state = R_IDLE;
	r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (r->backoff_ms > BACKOFF_MAX_MS)
		r->backoff_ms = BACKOFF_MAX_MS;
	r->next_at = now + jitter(p, r->backoff_ms);
}

static void router_up(struct poller *p, struct router *r)
{
	if (!r->up) {
		p->nup++;
		if (r->ever_up || r->last_error[0])
			log_info("router %s: up again", r->cfg->name);
		else
			log_info("router %s: connected (%s)", r->cfg->name,
			         ros_tls_cipher(r->conn) ? ros_tls_cipher(r->conn) : "plain API");
	}
	r->up = true;
	r->ever_up = true;
	r->last_error[0] = '\0';
	r->backoff_ms = 0;
}

/* Finds the reported row of a configured interface: a binary search in
 * index (ros_counters_index), or a scan when that could not be made. */
static const struct ros_iface_counters *
find_row(const struct router *r, const struct ros_iface_counters *const *index, const char *name)
{
	if (!index) {
		for (size_t k = 0; k < r->ncounters; k++)
			if (strcmp(r->counters[k].name, name) == 0)
				return &r->counters[k];
		return NULL;
	}
	return ros_counters_find(index, r->ncounters, name);
}

/* A reading of the command sent last, its counters left to fill: timed
 * when the request was sent (a reply that waited in the socket while the
 * daemon stalled is not younger than it is), with the round's uptime,
 * read up to latency before or after (the reboot test allows it). */
static struct acct_reading reading_base(const struct router *r)
{
	int64_t latency = calendar_reading_mono_ms() - r->sent_mono;
	return (struct acct_reading){.time = r->sent_wall,
	                             .time_sub_ms = r->sent_sub_ms,
	                             .source = ACCT_SRC_POLL,
	                             .mono_ms = r->sent_mono,
	                             .latency_ms = latency > 0 ? latency : 0,
	                             .uptime = r->uptime,
	                             .has_uptime = true};
}

/* Hands the poll's readings to the ingest point. */
static void record_poll(struct poller *p, struct router *r)
{
	struct acct_reading base = reading_base(r);
	int64_t now = wall_now(); /* the recorder's commit schedule runs on the present */
	/* Indexed once, searched per name: routers list thousands. */
	const struct ros_iface_counters **sorted = ros_counters_index(r->counters, r->ncounters);
	for (size_t k = 0; k < r->cfg->n_interfaces; k++) {
		const char *name = r->cfg->interfaces[k];
		const struct ros_iface_counters *row = find_row(r, sorted, name);
		if (!row) {
			if (!r->announced[k])
				r->names_needed = true; /* logged once the names are known */
			r->missing[k] = true;
			continue;
		}
		if (r->missing[k] && r->announced[k]) {
			log_info("router %s: interface %s found again", r->cfg->name, name);
			status_iface_missing(p->status, r->cfg_index, k, NULL);
		}
		r->missing[k] = false;
		r->announced[k] = false;
		struct acct_reading rd = base;
		rd.rx = row->rx_bytes;
		rd.tx = row->tx_bytes;
		snprintf(rd.id, sizeof rd.id, "%s", row->id);
		ingest_reading(p->ingest, &r->refs[k], &rd, now, NULL);
	}
	free(sorted);
}

/* The words that list every interface name of the router. */
static const char *const names_words[2] = {"/interface/print", "=.proplist=name"};

/* Logs (once per interface going missing) and publishes the missing
 * interfaces with the router's names and the likely meant one. */
static void announce_missing(struct poller *p, struct router *r, const ros_reply *reply)
{
	size_t n = ros_reply_count(reply), nn = 0;
	const char **names = calloc(n ? n : 1, sizeof *names);
	char **copies = calloc(n ? n : 1, sizeof *copies);
	for (size_t i = 0; names && copies && i < n; i++) {
		const ros_sentence *s = ros_reply_sentence(reply, i);
		size_t len;
		const char *v = ros_sentence_get(s, "name", &len);
		if (ros_sentence_type(s) != ROS_REPLY_RE || !v)
			continue;
		copies[nn] = strndup(v, len); /* values are not NUL-terminated */
		if (copies[nn])
			names[nn] = copies[nn], nn++;
	}
	for (size_t k = 0; k < r->cfg->n_interfaces; k++) {
		if (!r->missing[k] || r->announced[k])
			continue;
		char msg[512], quoted[300];
		ifnames_missing_message(r->cfg->interfaces[k], names, nn, msg, sizeof msg);
		ifnames_quote(r->cfg->interfaces[k], quoted, sizeof quoted);
		log_warnx("router %s: interface %s: %s", r->cfg->name, quoted, msg);
		status_iface_missing(p->status, r->cfg_index, k, msg);
		r->announced[k] = true;
	}
	for (size_t i = 0; copies && i < nn; i++)
		free(copies[i]);
	free(copies);
	free(names);
}

/* ---- ip_file: the router's address, over the polling session ---- */

/* The interface whose address goes to ip_file. */
static const char *addr_iface(const struct cfg_router *c)
{
	return c->ip_interface ? c->ip_interface : c->interfaces[0];
}

/* Builds the /ip/address/print command of router r (ip_file set): only
 * the properties the choice needs, only the addresses of ip_interface.
 * Reads what ip_file already holds, so that a restart does not rewrite
 * an unchanged file. 0 or -1 (out of memory). */
static int addr_init(struct router *r)
{
	const char *name = addr_iface(r->cfg);
	size_t n = strlen(name);
	r->addr_query = malloc(n + sizeof "?interface=");
	if (!r->addr_query)
		return -1;
	memcpy(r->addr_query, "?interface=", sizeof "?interface=" - 1);
	memcpy(r->addr_query + sizeof "?interface=" - 1, name, n + 1);
	r->addr_words[0] = "/ip/address/print";
	r->addr_words[1] = r->addr_query;
	r->addr_words[2] = "=.proplist=address,interface,disabled,invalid";
	FILE *f = fopen(r->cfg->ip_file, "r");
	if (f) {
		if (!fgets(r->ip_written, sizeof r->ip_written, f))
			r->ip_written[0] = '\0';
		r->ip_written[strcspn(r->ip_written, "\r\n")] = '\0';
		fclose(f);
	}
	return 0;
}

/* A property of an address row is "true" (RouterOS prints booleans as
 * true/false; "yes" is accepted too). */
static bool prop_true(const ros_sentence *s, const char *key)
{
	size_t n;
	const char *v = ros_sentence_get(s, key, &n);
	return v && ((n == 4 && memcmp(v, "true", 4) == 0) || (n == 3 && memcmp(v, "yes", 3) == 0));
}

/* The first enabled, valid address of the reply (the router's order), as
 * RouterOS prints it ("A.B.C.D/NN"), copied into out; false when none. */
static bool addr_pick(const ros_reply *reply, const char *iface, char *out, size_t outsz)
{
	for (size_t i = 0; i < ros_reply_count(reply); i++) {
		const ros_sentence *s = ros_reply_sentence(reply, i);
		size_t n, in;
		const char *a = ros_sentence_get(s, "address", &n);
		const char *name = ros_sentence_get(s, "interface", &in);
		if (ros_sentence_type(s) != ROS_REPLY_RE || !a || n == 0 || n >= outsz ||
		    prop_true(s, "disabled") || prop_true(s, "invalid"))
			continue;
		/* The query already filters; a router that ignored it must not
		 * hand us another interface's address. */
		if (name && (in != strlen(iface) || memcmp(name, iface, in) != 0))
			continue;
		memcpy(out, a, n);
		out[n] = '\0';
		if (push_check_ip(out) == 0)
			return true;
	}
	return false;
}

/* Handles the /ip/address/print reply of router r (rc from the session):
 * writes ip_file when the address changed; a missing address or a
 * refused command is logged once and leaves the file as it is. */
static void addr_done(struct router *r, int rc, const ros_reply *reply)
{
	const char *iface = addr_iface(r->cfg);
	char addr[sizeof r->ip_written];
	if (rc != ROS_OK) {
		if (!r->addr_logged)
			log_warnx("router %s: cannot read the address of %s for ip_file: %s",
			          r->cfg->name, iface, ros_errstr(r->conn));
		r->addr_logged = true;
		return;
	}
	if (!addr_pick(reply, iface, addr, sizeof addr)) {
		if (!r->addr_logged)
			log_warnx("router %s: %s has no enabled, valid IPv4 address: ip_file %s "
			          "left as it is",
			          r->cfg->name, iface, r->cfg->ip_file);
		r->addr_logged = true;
		return;
	}
	r->addr_logged = false;
	if (strcmp(addr, r->ip_written) == 0)
		return;
	if (push_write_file(r->cfg->ip_file, addr) < 0) {
		log_warn("router %s: cannot write ip_file %s", r->cfg->name, r->cfg->ip_file);
		return;
	}
	log_info("router %s: %s has address %s (written to %s)", r->cfg->name, iface, addr,
	         r->cfg->ip_file);
	snprintf(r->ip_written, sizeof r->ip_written, "%s", addr);
}

/* After a successful poll, the round's extra commands, one at a time on
 * the session: the router's names when an interface went missing (unless
 * names_done), then the address for ip_file. ROS_AGAIN when one was
 * started, ROS_OK when none is left (state R_WAIT), else the failure. */
static int start_followup(struct router *r, bool names_done, int64_t now)
{
	if (!names_done && r->names_needed) {
		r->names_needed = false;
		r->state = R_NAMES;
		return ros_start_command(r->conn, names_words, 2, now);
	}
	if (r->addr_query) {
		/* ip_file: the address, over the same session, once a round. */
		r->state = R_ADDRESS;
		return ros_start_command(r->conn, r->addr_words, 3, now);
	}
	r->state = R_WAIT;
	return ROS_OK;
}

/* Notes the time a command is sent: the time of the readings it brings. */
static void mark_sent(struct poller *p, struct router *r)
{
	int64_t wall_ms;
	clock_pair(&wall_ms, &r->sent_mono);
	note_clock(p, wall_ms, r->sent_mono);
	r->sent_wall = wall_ms / 1000;
	r->sent_sub_ms = (int32_t)(wall_ms % 1000);
}

int64_t poll_next_slot(int64_t slot, int64_t interval_ms, int64_t now)
{
	int64_t next = slot + interval_ms;
	if (next <= now)
		next += ((now - next) / interval_ms + 1) * interval_ms;
	return next;
}

/* The poll's reading commands are done: the router is counted as polled,
 * the next poll keeps the cadence, the follow-ups start. ROS_AGAIN or
 * ROS_OK (state R_WAIT), else the failure. */
static int poll_done(struct poller *p, struct router *r, int64_t now)
{
	status_poll_ok(p->status, r->cfg_index, wall_now(), now - r->poll_started);
	r->state = R_WAIT;
	r->next_at = poll_next_slot(r->slot_at, (int64_t)r->cfg->interval * 1000, now);
	return start_followup(r, false, now);
}

/* Starts the round's next command of clients.h at or after step from, or
 * ends the poll when none is left. ROS_AGAIN, ROS_OK, or the failure. */
static int next_clients(struct poller *p, struct router *r, enum clients_step from, int64_t now)
{
	const char *const *words = NULL;
	size_t n = 0;
	if (!r->clients || (r->cstep = clients_next(r->clients, from, &words, &n)) == CLIENTS_DONE)
		return poll_done(p, r, now);
	r->state = R_CLIENTS;
	mark_sent(p, r);
	return ros_start_command(r->conn, words, n, now);
}

/* The pending operation of router i finished with rc. */
static void on_complete(struct poller *p, size_t i, int rc, int64_t now)
{
	struct router *r = &p->routers[i];
	ros_reply *reply = ros_take_reply(r->conn);
	if (r->state == R_ADDRESS && (rc == ROS_OK || rc == ROS_ERR_TRAP)) {
		/* The poll itself is done; a refused address command (a user
		 * without the read policy on /ip) is no failure of the router. */
		addr_done(r, rc, reply);
		ros_reply_free(reply);
		r->state = R_WAIT;
		return;
	}
	if (r->state == R_CLIENTS && (rc == ROS_OK || rc == ROS_ERR_TRAP)) {
		/* A refused menu is no failure of the router (clients.h). */
		struct acct_reading base = reading_base(r);
		clients_reply(r->clients, r->cstep, rc, reply, ros_errstr(r->conn), &base,
		              wall_now());
		ros_reply_free(reply);
		rc = next_clients(p, r, r->cstep + 1, now);
		if (rc != ROS_OK && rc != ROS_AGAIN)
			router_failed(p, i, rc, now);
		return;
	}
	if (rc != ROS_OK) {
		ros_reply_free(reply);
		router_failed(p, i, rc, now);
		return;
	}
	switch (r->state) {
	case R_CONNECTING:
		/* A router that failed is up again only once a poll succeeds: a
		 * router that logs in and then floods must keep its back-off and
		 * not log "up again" / "down" on every retry. */
		if (!r->last_error[0])
			router_up(p, r);
		r->state = R_WAIT;
		if (r->next_at < now)
			r->next_at = now;
		if (p->live)
			livefeed_session_up(p->live, r->cfg_index, now);
		break;
	case R_COUNTERS:
		rc = ros_counters_parse(reply, &r->counters, &r->ncounters);
		if (rc == ROS_OK)
			rc = ros_start_command(r->conn, ros_uptime_words, 2, now);
		if (rc != ROS_AGAIN) {
			ros_reply_free(reply);
			router_failed(p, i, rc, now);
			return;
		}
		r->state = R_UPTIME;
		break;
	case R_UPTIME: {
		uint64_t uptime = 0;
		rc = ros_uptime_parse(reply, &uptime);
		if (rc != ROS_OK) {
			ros_reply_free(reply);
			router_failed(p, i, ROS_ERR_PROTOCOL, now);
			return;
		}
		router_up(p, r);
		r->uptime = uptime;
		record_poll(p, r);
		ros_counters_free(r->counters, r->ncounters);
		r->counters = NULL;
		r->ncounters = 0;
		if (r->clients)
			clients_round(r->clients);
		rc = next_clients(p, r, CLIENTS_QUEUES, now);
		if (rc != ROS_OK && rc != ROS_AGAIN) {
			ros_reply_free(reply);
			router_failed(p, i, rc, now);
			return;
		}
		break;
	}
	case R_NAMES:
		announce_missing(p, r, reply);
		rc = start_followup(r, true, now);
		if (rc != ROS_OK && rc != ROS_AGAIN) {
			ros_reply_free(reply);
			router_failed(p, i, rc, now);
			return;
		}
		break;
	default: break;
	}
	ros_reply_free(reply);
}

/* A timer of router i fired: connect, poll, or a session deadline. */
static void on_timer(struct poller *p, size_t i, int64_t now)
{
	struct router *r = &p->routers[i];
	int rc;
	switch (r->state) {
	case R_IDLE:
		if (!r->holds_fd && p->nsessions >= p->max_sessions) {
			router_starved(p, i, now);
			break;
		}
		if (!r->holds_fd)
			p->nsessions++;
		r->holds_fd = true;
		rc = ros_start_connect(r->conn, now);
		r->state = R_CONNECTING;
		if (rc != ROS_AGAIN)
			router_failed(p, i, rc, now);
		break;
	case R_WAIT: {
		if (now < r->next_at) {
			/* a live stream's deadline, not the poll's turn */
			step_session(p, i, now);
			break;
		}
		status_poll_late(p->status, now - r->next_at);
		r->poll_started = now;
		r->slot_at = r->next_at;
		mark_sent(p, r);
		rc = ros_start_command(r->conn, r->words, r->nwords, now);
		r->state = R_COUNTERS;
		if (rc != ROS_AGAIN)
			router_failed(p, i, rc, now);
		else
			step_session(p, i, now); /* sent now, as above: no wait for EPOLLOUT */
		break;
	}
	default:
		/* The session's deadline: ros_step reports the timeout. */
		step_session(p, i, now);
		break;
	}
	schedule(p, i);
}

static void on_io(struct poller *p, size_t i, int64_t now)
{
	struct router *r = &p->routers[i];
	if (r->state == R_WAIT && live_busy(p, r)) {
		step_session(p, i, now);
		schedule(p, i);
		return;
	}
	if (r->state == R_IDLE || r->state == R_WAIT) {
		/* An idle session became readable: the router (or a NAT box)
		 * closed it. Reconnect quietly when the next poll is due. */
		log_debug("router %s: idle session closed by the peer", r->cfg->name);
		release_session(p, r);
		r->state = R_IDLE;
		schedule(p, i);
		return;
	}
	step_session(p, i, now);
	schedule(p, i);
}

/* A router is overdue when its poll (or its reconnection) should have
 * started more than this long ago: the loop did not get to it. */
#define OVERDUE_MS     1000
#define OVERDUE_LOG_MS 10000 /* said once it lasts this long */

/* Counts the overdue routers (once a second: a scan of the routers,
 * cheap at that rate even for 10,000) for tikstat_routers_overdue, and
 * says once when polls have been late for a while: the daemon still
 * counts exactly (the counters are cumulative), but polls less often than
 * configured. */
static void count_overdue(struct poller *p, int64_t now)
{
	if (now < p->overdue_at)
		return;
	p->overdue_at = now + 1000;
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct router *r = &p->routers[i];
		n += (r->state == R_WAIT || r->state == R_IDLE) && now - r->next_at > OVERDUE_MS;
	}
	status_overdue(p->status, n);
	if (n == 0) {
		if (p->overdue_said)
			log_info("polls on time again");
		p->overdue_since = -1;
		p->overdue_said = false;
		return;
	}
	if (p->overdue_since < 0)
		p->overdue_since = now;
	if (!p->overdue_said && now - p->overdue_since >= OVERDUE_LOG_MS) {
		log_warnx("polls are late: %zu of %zu routers more than %d s past their time for "
		          "%d s "
		          "(is the machine short of CPU? tikstat_poll_lateness_seconds, "
		          "tikstat_routers_overdue); counting stays exact, polls are fewer",
		          n, p->n, OVERDUE_MS / 1000, OVERDUE_LOG_MS / 1000);
		p->overdue_said = true;
	}
}

/* ---- set-up ---- */

/* Accounts the readings waiting in the push queue: each item carries its
 * counter's reference, resolved when the HTTP thread accepted it. */
static void drain_pushq(struct poller *p)
{
	struct pushq_item items[PUSHQ_BATCH];
	size_t n;
	while ((n = pushq_take(p->pushq, items, PUSHQ_BATCH)) > 0) {
		int64_t now = wall_now(); /* the recorder's commit schedule */
		for (size_t k = 0; k < n; k++) {
			const struct pushq_item *it = &items[k];
			const struct ingest_ref *ref = ingest_ref(p->ingest, it->ref);
			if (!ref)
				continue;
			note_clock(p, it->reading.time * 1000 + it->reading.time_sub_ms,
			           it->reading.mono_ms);
			ingest_reading(p->ingest, ref, &it->reading, now, NULL);
		}
		if (n < PUSHQ_BATCH)
			break;
	}
}

/* The offset of the first poll of the i-th of n polled routers: i / n of
 * its interval, so that n routers of one interval poll one after the other
 * at even gaps. 10,000 routers every 10 s: one poll a millisecond. */
int64_t poll_phase_ms(size_t i, size_t n, int interval_s)
{
	if (n == 0 || interval_s <= 0)
		return 0;
	return (int64_t)((double)i / (double)n * interval_s * 1000.0);
}

static int router_init(struct poller *p, size_t i, const struct cfg_router *c)
{
	struct router *r = &p->routers[i];
	r->cfg = c;
	r->cfg_index = (size_t)(c - p->cfg->routers);
	r->reg_fd = -1;
	r->timer_at = -1;
	int st;
	r->conn = session_open(c, &st);
	r->missing = calloc(c->n_interfaces ? c->n_interfaces : 1, sizeof *r->missing);
	r->announced = calloc(c->n_interfaces ? c->n_interfaces : 1, sizeof *r->announced);
	size_t nq = c->n_interfaces > SESSION_QUERY_NAMES_MAX ? 0 : c->n_interfaces;
	r->nwords = ros_counters_words_needed(nq);
	r->words = calloc(r->nwords, sizeof *r->words);
	if (!r->conn || !r->missing || !r->announced || !r->words) {
		log_warnx("router %s: cannot set up: %s", c->name, ros_status_name(st));
		return -1;
	}
	if (ros_counters_words((const char *const *)c->interfaces, nq, r->words, &r->words_store) <
	    0)
		return -1;
	if (c->ip_file && addr_init(r) < 0)
		return -1;
	if (c->queues_all || c->n_queues || c->devices != CFG_DEVICES_NONE) {
		r->clients = clients_new(p->ingest, r->cfg_index, c);
		if (!r->clients)
			return -1;
	}
	/* The references of one router are consecutive (ingest.h). */
	long first = ingest_find(p->ingest, r->cfg_index, 0);
	r->refs = first >= 0 ? ingest_ref(p->ingest, (size_t)first) : NULL;
	if (c->tls == ROS_TLS_ANONYMOUS)
		log_warnx("router %s: tls = anonymous encrypts but does not authenticate the "
		          "router; prefer a certificate and tls = fingerprint",
		          c->name);
	/* The first connection, and so every poll after it, at the router's
	 * phase: the polls spread evenly over the interval, not in a burst. */
	r->next_at = ros_now_ms() + poll_phase_ms(i, p->n_planned, c->interval);
	r->state = R_IDLE;
	return 0;
}

struct poller *poller_new(const struct cfg *cfg, struct ingest *in, struct status *st,
                          struct pushq *q)
{
	struct poller *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cfg = cfg;
	p->ingest = in;
	p->status = st;
	p->pushq = q;
	p->rand_state = (unsigned)time(NULL) ^ (unsigned)getpid();
	p->overdue_since = -1;
	p->max_sessions = SIZE_MAX;
	snprintf(p->fd_message, sizeof p->fd_message,
	         "no file descriptor left for this router: %s; raise LimitNOFILE "
	         "(tikstatd.service) or ulimit -n",
	         strerror(EMFILE));
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	p->routers = calloc(cfg->n_routers ? cfg->n_routers : 1, sizeof *p->routers);
	p->by_cfg = malloc((cfg->n_routers ? cfg->n_routers : 1) * sizeof *p->by_cfg);
	if (p->epfd < 0 || !p->routers || !p->by_cfg) {
		log_warn("poller");
		poller_free(p);
		return NULL;
	}
	for (size_t k = 0; k < cfg->n_routers; k++)
		p->n_planned += cfg->routers[k].mode == MODE_POLL;
	for (size_t k = 0; k < cfg->n_routers; k++) {
		p->by_cfg[k] = SIZE_MAX;
		if (cfg->routers[k].mode != MODE_POLL)
			continue;
		size_t i = p->n++;
		p->by_cfg[k] = i;
		if (router_init(p, i, &cfg->routers[k]) < 0) {
			poller_free(p);
			return NULL;
		}
		schedule(p, i);
	}
	if (q) {
		struct epoll_event e = {.events = EPOLLIN, .data.u64 = PUSHQ_EVENT};
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, pushq_fd(q), &e) < 0) {
			log_warn("epoll_ctl (push queue)");
			poller_free(p);
			return NULL;
		}
	}
	return p;
}

/* ---- the live view's questions about sessions (livefeed.h) ---- */

static ros_conn *live_session(void *ctx, size_t r)
{
	struct poller *p = ctx;
	size_t i = p->by_cfg[r];
	if (i == SIZE_MAX)
		return NULL;
	enum rstate st = p->routers[i].state;
	return st == R_IDLE || st == R_CONNECTING ? NULL : p->routers[i].conn;
}

static const char *live_why_down(void *ctx, size_t r)
{
	struct poller *p = ctx;
	size_t i = p->by_cfg[r];
	if (i == SIZE_MAX)
		return "not polled";
	return p->routers[i].last_error[0] ? p->routers[i].last_error : "connecting to the router";
}

static void live_touched(void *ctx, size_t r)
{
	struct poller *p = ctx;
	if (p->by_cfg[r] != SIZE_MAX)
		schedule(p, p->by_cfg[r]);
}

int poller_set_live(struct poller *p, struct livehub *hub)
{
	struct livefeed_sessions s = {live_session, live_why_down, live_touched, p};
	p->live = livefeed_new(p->cfg, hub, &s);
	if (!p->live) {
		log_warnx("live: out of memory");
		return -1;
	}
	struct epoll_event e = {.events = EPOLLIN, .data.u64 = LIVE_EVENT};
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, livehub_fd(hub), &e) < 0) {
		log_warn("epoll_ctl (live hub)");
		livefeed_free(p->live);
		p->live = NULL;
		return -1;
	}
	return 0;
}

void poller_set_sessions(struct poller *p, size_t max, const char *message)
{
	p->max_sessions = max;
	if (message)
		snprintf(p->fd_message, sizeof p->fd_message, "%s", message);
}

void poller_set_before_sleep(struct poller *p, poller_hook_fn fn, void *ctx)
{
	p->before_sleep = fn;
	p->before_sleep_ctx = ctx;
}

/* One bounded step for each session whose last step left input behind
 * that epoll does not report. Each pass of the loop moves every busy
 * session forward a little, so one flooding router cannot starve the
 * others, and the loop comes back to its signal flags. */
static void step_more(struct poller *p, int64_t now)
{
	for (size_t i = 0; p->nmore && i < p->n; i++)
		if (p->routers[i].more)
			on_io(p, i, now);
}

int poller_run(struct poller *p, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload)
{
	struct epoll_event ev[256];
	while (!*stop && !(reload && *reload)) {
		bool live_news = false;
		timer_prune(p);
		int64_t now = ros_now_ms();
		int wait = 1000; /* wake at least every second to see signal flags */
		if (p->nmore)
			wait = 0; /* sessions with buffered input go on at once */
		else if (p->nheap) {
			int64_t d = p->heap[0].at - now;
			wait = d < 0 ? 0 : d < wait ? (int)d : wait;
		}
		int n = epoll_wait(p->epfd, ev, 256, wait);
		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			return -1;
		}
		now = ros_now_ms();
		count_overdue(p, now); /* before the timers: how late the loop got to them */
		for (int k = 0; k < n; k++) {
			if (ev[k].data.u64 == PUSHQ_EVENT)
				drain_pushq(p);
			else if (ev[k].data.u64 == LIVE_EVENT)
				live_news = true; /* livefeed_pass below takes it */
			else
				on_io(p, (size_t)ev[k].data.u64, now);
		}
		step_more(p, now);
		timer_prune(p);
		while (p->nheap && p->heap[0].at <= now) {
			size_t i = p->heap[0].router;
			timer_pop(p);
			p->routers[i].timer_seq++; /* this entry is spent */
			p->routers[i].timer_at = -1;
			on_timer(p, i, now);
			timer_prune(p);
		}
		if (p->live)
			livefeed_pass(p->live, now, live_news);
		/* After every pass, also the one a signal ended: the watchdog
		 * hears of the loop up to the moment it returns. */
		if (p->before_sleep)
			p->before_sleep(p->before_sleep_ctx, p);
	}
	return 0;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	if (p->pushq)
		drain_pushq(p); /* what the HTTP server accepted before it stopped */
	for (size_t i = 0; i < p->n; i++) {
		struct router *r = &p->routers[i];
		ros_conn_free(r->conn);
		free(r->missing);
		free(r->announced);
		free(r->words);
		free(r->words_store);
		free(r->addr_query);
		ros_counters_free(r->counters, r->ncounters);
		clients_free(r->clients);
	}
	livefeed_free(p->live);
	free(p->by_cfg);
	free(p->routers);
	free(p->heap);
	if (p->epfd >= 0)
		close(p->epfd);
	free(p);
}

size_t poller_count(const struct poller *p)
{
	return p->n;
}

size_t poller_up(const struct poller *p)
{
	return p->nup;
}
