/*
 * demo.c — `tikstatd --demo` (demo.h).
 *
 * The history is made of simulated readings every 5 minutes for 410 days:
 * cumulative counters growing with a diurnal and weekly pattern (home: an
 * evening peak and busier weekends; office: working hours on weekdays),
 * day-to-day variation and a slow growth over the year, with a router
 * reboot, a counter reset and an 8-hour outage of the daemon along the way.
 * They go through recorder_add, exactly like polled readings, with the
 * simulated time as "now" (one commit per simulated day). Both routers
 * were last rebooted 41 days ago; the fake router starts with that uptime
 * and with its counters raised (control command `add`) to the history's
 * last values, so the first live reading continues the history.
 */
#include "demo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "cfg.h"
#include "recorder.h"
#include "store.h"

#define STEP             300 /* seconds between simulated readings */
#define DAY_STEPS        (86400 / STEP)
#define HISTORY_DAYS     410
#define LAST_REBOOT_DAYS 41 /* both routers' current uptime */
#define PASSWORD         "demo"

struct demo_iface {
	const char *router, *name, *pct; /* pct: percent-encoded for the control channel */
	int router_idx;                  /* 0 home, 1 office */
	const char *id;                  /* the fake router's .id */
	double avg_rx, avg_tx;           /* bytes/s on average */
};

/* home's simple queues and kid-control devices (the fake's --queues and
 * --devices; 24 is below 255: their MACs end in 00:01 .. 00:18). */
#define DEMO_QUEUES    8
#define DEMO_QUEUES_S  "8"
#define DEMO_DEVICES   24
#define DEMO_DEVICES_S "24"

static const struct demo_iface IFACES[] = {
        {"home", "ether1", "ether1", 0, "*1", 80e3, 14e3},
        {"home", "ether2 lan", "ether2%20lan", 0, "*2", 16e3, 85e3},
        {"home", "pppoe-out1", "pppoe-out1", 0, "*3", 4e3, 3e3},
        {"office", "ether1", "ether1", 1, "*1", 260e3, 70e3},
        {"office", "ether2 lan", "ether2%20lan", 1, "*2", 75e3, 250e3},
};
#define N_IFACES (sizeof IFACES / sizeof IFACES[0])

struct demo {
	char dir[512];
	char config[600];
	char database[600];
	char url[300];
	pid_t fake;
	FILE *to, *from; /* the fake router's control channel */
	int port[2];     /* home, office */
	char fingerprint[160];
	uint64_t rx[N_IFACES], tx[N_IFACES]; /* the history's last counters */
	long readings;
	double seconds;
};

static void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void errmsg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tikstatd --demo: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- the fake router ---------------------------------------------------- */

static const char *fakerouter_path(const char *opt)
{
	if (opt)
		return opt;
	const char *env = getenv("TIKSTAT_FAKEROUTER");
	if (env && *env)
		return env;
#ifdef TIKSTAT_FAKEROUTER_INSTALLED
	if (access(TIKSTAT_FAKEROUTER_INSTALLED, X_OK) == 0)
		return TIKSTAT_FAKEROUTER_INSTALLED;
#endif
#ifdef TIKSTAT_FAKEROUTER_BUILD
	if (access(TIKSTAT_FAKEROUTER_BUILD, X_OK) == 0)
		return TIKSTAT_FAKEROUTER_BUILD;
#endif
	return NULL;
}

static int fake_spawn(struct demo *d, const char *path, uint64_t uptime)
{
	int in[2], out[2];
	if (pipe(in) < 0)
		return -1;
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(in[i], F_SETFD, FD_CLOEXEC);
		fcntl(out[i], F_SETFD, FD_CLOEXEC);
	}
	char up[32];
	snprintf(up, sizeof up, "%llu", (unsigned long long)uptime);
	char *argv[] = {(char *)path,
	                "--password",
	                PASSWORD,
	                "--spec",
	                "home:v7:plain",
	                "--spec",
	                "office:v6old:tls",
	                "--rx-base",
	                "0",
	                "--tx-base",
	                "0",
	                "--uptime",
	                up,
	                "--queues",
	                "8",
	                "--devices",
	                "24",
	                NULL};
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0) {
		/* Its own process group: Ctrl-C reaches only tikstatd, which
		 * stops it in order (end of file on its stdin). */
		setpgid(0, 0);
		dup2(in[0], 0);
		dup2(out[1], 1);
		execv(path, argv);
		fprintf(stderr, "tikstatd --demo: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	d->fake = pid;
	d->to = fdopen(in[1], "w");
	d->from = fdopen(out[0], "r");
	if (!d->to || !d->from) {
		if (!d->to)
			close(in[1]);
		if (!d->from)
			close(out[0]);
		return -1;
	}
	return 0;
}

/* Stops the fake router: end of file on its stdin, then wait (SIGKILL
 * after 5 s). */
static void fake_stop(struct demo *d)
{
	if (d->to)
		fclose(d->to);
	if (d->from)
		fclose(d->from);
	d->to = d->from = NULL;
	if (d->fake <= 0)
		return;
	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(d->fake, NULL, WNOHANG);
		if (r == d->fake || (r < 0 && errno != EINTR)) {
			d->fake = 0;
			return;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(d->fake, SIGKILL);
	while (waitpid(d->fake, NULL, 0) < 0 && errno == EINTR)
		;
	d->fake = 0;
}

/* Reads one line from the fake router into a malloc'ed buffer (*line). */
static int fake_line(struct demo *d, char **line, size_t *cap)
{
	ssize_t n;
	for (;;) {
		errno = 0;
		n = getline(line, cap, d->from);
		if (n >= 0 || errno != EINTR)
			break;
		clearerr(d->from); /* a signal: read on */
	}
	if (n < 0)
		return -1;
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	return 0;
}

/* Sends one control command; returns its "ok" reply (malloc'ed) or NULL. */
static char *fake_cmd(struct demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *fake_cmd(struct demo *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(d->to, fmt, ap);
	va_end(ap);
	fputc('\n', d->to);
	if (fflush(d->to) != 0) {
		errmsg("the fake router stopped");
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	if (fake_line(d, &line, &cap) < 0) {
		free(line);
		errmsg("the fake router stopped");
		return NULL;
	}
	if (strncmp(line, "ok", 2) != 0) {
		errmsg("fake router: %s", line);
		free(line);
		return NULL;
	}
	return line;
}

/* Reads the start-up lines up to "ready". */
static int fake_ready(struct demo *d)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;
	while (fake_line(d, &line, &cap) == 0) {
		if (strncmp(line, "ready", 5) == 0) {
			rc = d->port[0] > 0 && d->port[1] > 0 && d->fingerprint[0] ? 0 : -1;
			break;
		}
		int idx = strstr(line, "name=home ") ? 0 : strstr(line, "name=office ") ? 1 : -1;
		const char *p = strstr(line, " port=");
		if (idx >= 0 && p)
			d->port[idx] = atoi(p + 6);
		const char *f = strstr(line, " fingerprint=");
		if (idx == 1 && f)
			snprintf(d->fingerprint, sizeof d->fingerprint, "%.*s",
			         (int)strcspn(f + 13, " "), f + 13);
	}
	free(line);
	if (rc < 0)
		errmsg("the fake router did not start");
	return rc;
}

/* ---- files -------------------------------------------------------------- */

static void remove_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	if (dp) {
		struct dirent *e;
		char path[1024];
		while ((e = readdir(dp))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(dp);
	}
	rmdir(dir);
}

/* Splits "host:port" / "[v6]:port" / "*:port". */
static int split_listen(const char *text, char *host, size_t hostsz, int *port)
{
	const char *colon = strrchr(text, ':');
	if (!colon || colon == text)
		return -1;
	const char *h = text;
	size_t hl = (size_t)(colon - text);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl == 0 || hl >= hostsz)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

/* Listens on host:port (0: any free port) for a moment, as the HTTP server
 * will (SO_REUSEADDR: bind alone succeeds next to a listener); returns the
 * port or -1. */
static int try_port(const char *host, int port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *ai;
	char ps[8];
	snprintf(ps, sizeof ps, "%d", port);
	if (getaddrinfo(strcmp(host, "*") ? host : NULL, ps, &hints, &ai) != 0)
		return -1;
	int got = -1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0 &&
		    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			got = ntohs(ss.ss_family == AF_INET6
			                    ? ((struct sockaddr_in6 *)&ss)->sin6_port
			                    : ((struct sockaddr_in *)&ss)->sin_port);
		close(fd);
	}
	freeaddrinfo(ai);
	return got;
}

/* Chooses the listen address; fills listen ("host:port") and the URL. */
static int choose_listen(struct demo *d, const char *opt, char *listen, size_t sz)
{
	char host[256];
	int port;
	if (split_listen(opt ? opt : "127.0.0.1:8085", host, sizeof host, &port) < 0) {
		errmsg("--listen %s: expected HOST:PORT", opt);
		return -1;
	}
	int got = port;
	if (port == 0 || !opt) {
		got = port ? try_port(host, port) : -1;
		if (got < 0)
			got = try_port(host, 0);
		if (got < 0) {
			errmsg("no free port on %s", host);
			return -1;
		}
		if (!opt && got != port)
			printf("tikstat demo: %s:%d is taken: using port %d\n", host, port, got);
	}
	bool v6 = strchr(host, ':') != NULL;
	snprintf(listen, sz, v6 ? "[%s]:%d" : "%s:%d", host, got);
	bool any = !strcmp(host, "*") || !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
	if (!any)
		snprintf(d->url, sizeof d->url, v6 ? "http://[%s]:%d/" : "http://%s:%d/", host,
		         got);
	else
		snprintf(d->url, sizeof d->url, "http://127.0.0.1:%d/", got);
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

static int write_config(struct demo *d, const char *listen)
{
	char pw[600], text[4096];
	snprintf(pw, sizeof pw, "%s/password", d->dir);
	if (write_file(pw, PASSWORD "\n") < 0)
		return -1;
	snprintf(text, sizeof text,
	         "# tikstatd --demo: two simulated routers on loopback\n"
	         "[tikstat]\n"
	         "database = %s\n"
	         "commit_interval = 10\n"
	         "\n[http]\n"
	         "listen = %s\n"
	         "\n[router home]\n"
	         "host = 127.0.0.1\nport = %d\nuser = admin\npassword_file = %s\n"
	         "interval = 5\nquota = 400GiB\n"
	         "queues = *\ndevices = kid-control\n"
	         "interfaces = ether1, \"ether2 lan\", pppoe-out1\n"
	         "\n[router office]\n"
	         "host = 127.0.0.1\nport = %d\ntls = fingerprint\ntls_fingerprint = %s\n"
	         "user = admin\npassword_file = %s\ninterval = 5\n"
	         "interfaces = ether1, \"ether2 lan\"\n"
	         "\n# both internet links of the two sites, billed together\n"
	         "[bill internet]\n"
	         "counters = home/ether1 + home/pppoe-out1 + office/ether1\n"
	         "quota = 1TiB\n",
	         d->database, listen, d->port[0], pw, d->port[1], d->fingerprint, pw);
	return write_file(d->config, text);
}

/* ---- the traffic model -------------------------------------------------- */

static double unit_hash(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (double)(x >> 11) / 9007199254740992.0;
}

/* Relative load (mean about 1) of a router at local time tm. */
static double shape(int router_idx, const struct tm *tm)
{
	const double pi = 3.14159265358979323846;
	double h = tm->tm_hour + tm->tm_min / 60.0;
	bool weekend = tm->tm_wday == 0 || tm->tm_wday == 6;
	if (router_idx == 0) { /* home: evening peak, busier weekends */
		double c = (1 + cos(2 * pi * (h - 20.5) / 24)) / 2;
		return (0.25 + 0.75 * c * c) / 0.53125 * (weekend ? 1.2 : 0.92);
	}
	double s = 0.1; /* office: working hours on weekdays */
	if (!weekend && h > 7.5 && h < 18.5)
		s += 0.9 * sin(pi * (h - 7.5) / 11);
	return s / 0.288;
}

/* Bytes/s of interface j, rx (dir 0) or tx (dir 1), at step k of n. */
static double rate_at(size_t j, int dir, const struct tm *tm, long k, long n)
{
	const struct demo_iface *f = &IFACES[j];
	double avg = dir ? f->avg_tx : f->avg_rx;
	double growth = 0.8 + 0.3 * (double)k / (double)n;
	double day =
	        0.7 + 0.6 * unit_hash(((uint64_t)(k / DAY_STEPS) << 8) ^ (j * 2 + (size_t)dir));
	return avg * shape(f->router_idx, tm) * growth * day;
}

/* ---- the history -------------------------------------------------------- */

static int prefill(struct demo *d, int64_t end, volatile sig_atomic_t *stop)
{
	char err[CFG_ERR_SIZE];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct cfg *cfg = cfg_load(d->config, err, sizeof err);
	if (!cfg) { /* one line per error */
		char *save = NULL;
		for (char *e = strtok_r(err, "\n", &save); e; e = strtok_r(NULL, "\n", &save))
			errmsg("%s", e);
		return -1;
	}
	int rc = -1;
	store *db = NULL;
	struct recorder *rec = NULL;
	if (calendar_set_zone(cfg->timezone) < 0)
		goto out;
	db = store_open(cfg->database, false, err, sizeof err);
	if (!db) {
		errmsg("database: %s", err);
		goto out;
	}
	struct recorder_options ro = {.max_rate = cfg->max_rate, .commit_interval = 86400};
	memcpy(ro.retention, cfg->retention, sizeof ro.retention);
	cfg_device_retention(cfg, ro.device_retention);
	rec = recorder_new(db, &ro);
	if (!rec)
		goto out;
	int h[N_IFACES];
	for (size_t j = 0; j < N_IFACES; j++)
		if ((h[j] = recorder_interface(rec, IFACES[j].router, IFACES[j].name)) < 0)
			goto out;

	const long n = (long)HISTORY_DAYS * DAY_STEPS;
	const int64_t start = end - (int64_t)n * STEP;
	const long reboot_home = n - 250L * DAY_STEPS;                  /* a firmware upgrade */
	const long reboot_all = n - (long)LAST_REBOOT_DAYS * DAY_STEPS; /* a power cut */
	const long reset_ether1 = n - 120L * DAY_STEPS; /* /interface/reset-counters */
	const long outage = n - 300L * DAY_STEPS;       /* the daemon was down 8 hours */
	int64_t up_since[2] = {start - 30 * 86400, start - 90 * 86400};
	uint64_t rx[N_IFACES] = {0}, tx[N_IFACES] = {0};
	for (size_t j = 0; j < N_IFACES; j++) { /* values since the routers' start */
		rx[j] = (uint64_t)(IFACES[j].avg_rx * 86400 * (j < 3 ? 30 : 90));
		tx[j] = (uint64_t)(IFACES[j].avg_tx * 86400 * (j < 3 ? 30 : 90));
	}
	for (long k = 0; k <= n; k++) {
		int64_t t = start + (int64_t)k * STEP;
		if (k % DAY_STEPS == 0 && *stop)
			goto out;
		if (k == reboot_home || k == reboot_all) {
			for (size_t j = 0; j < N_IFACES; j++)
				if (k == reboot_all || IFACES[j].router_idx == 0)
					rx[j] = tx[j] = 0;
			up_since[0] = t;
			if (k == reboot_all)
				up_since[1] = t;
		}
		if (k == reset_ether1)
			rx[0] = tx[0] = 0;
		if (k > 0) { /* the traffic of [t - STEP, t) */
			time_t mid = (time_t)(t - STEP / 2);
			struct tm tm;
			localtime_r(&mid, &tm);
			for (size_t j = 0; j < N_IFACES; j++) {
				double noise = 0.85 + 0.3 * unit_hash((uint64_t)k * 16 + j);
				rx[j] += (uint64_t)(rate_at(j, 0, &tm, k, n) * noise * STEP);
				tx[j] += (uint64_t)(rate_at(j, 1, &tm, k, n) * noise * STEP);
			}
		}
		if (k > outage && k <= outage + 8 * 3600 / STEP)
			continue;
		for (size_t j = 0; j < N_IFACES; j++) {
			struct acct_reading r = {
			        .time = t, .rx = rx[j], .tx = tx[j], .has_uptime = true};
			r.uptime = (uint64_t)(t - up_since[IFACES[j].router_idx]);
			snprintf(r.id, sizeof r.id, "%s", IFACES[j].id);
			if (recorder_add(rec, h[j], &r, t, NULL) < 0)
				goto out;
			d->readings++;
		}
	}
	if (recorder_flush(rec, end) < 0)
		goto out;
	memcpy(d->rx, rx, sizeof rx);
	memcpy(d->tx, tx, sizeof tx);
	rc = 0;
out:
	recorder_free(rec, end);
	store_close(db);
	cfg_free(cfg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

/* Live rates of home's queues and devices (they have no history): a few
 * heavy users and a long tail, download well above upload. */
static int client_rates(struct demo *d)
{
	for (int i = 1; i <= DEMO_DEVICES + DEMO_QUEUES; i++) {
		bool device = i <= DEMO_DEVICES;
		int k = device ? i : i - DEMO_DEVICES;
		double down = 300000.0 / k * (0.5 + unit_hash((uint64_t)i * 7919));
		char *ok = device ? fake_cmd(d, "device home rate 02:00:00:00:00:%02X %.0f %.0f", k,
		                             down / 8, down)
		                  : fake_cmd(d, "queue home rate queue%d %.0f %.0f", k, down / 6,
		                             down);
		if (!ok)
			return -1;
		free(ok);
	}
	return 0;
}

/* Raises the fake router's counters (growth stopped) to the history's last
 * values, then sets the live rates of the current hour. */
static int continue_live(struct demo *d, int64_t end)
{
	static const char *routers[2] = {"home", "office"};
	for (int r = 0; r < 2; r++) {
		char *line = fake_cmd(d, "counters %s", routers[r]);
		if (!line)
			return -1;
		char *save = NULL, *name = NULL;
		uint64_t cur_rx = 0;
		for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			if (!strncmp(w, "name=", 5)) {
				name = w + 5;
			} else if (!strncmp(w, "rx=", 3)) {
				cur_rx = strtoull(w + 3, NULL, 10);
			} else if (!strncmp(w, "tx=", 3) && name) {
				uint64_t cur_tx = strtoull(w + 3, NULL, 10);
				for (size_t j = 0; j < N_IFACES; j++) {
					if (IFACES[j].router_idx != r ||
					    strcmp(IFACES[j].pct, name))
						continue;
					uint64_t arx = d->rx[j] > cur_rx ? d->rx[j] - cur_rx : 0;
					uint64_t atx = d->tx[j] > cur_tx ? d->tx[j] - cur_tx : 0;
					char *ok = fake_cmd(d, "add %s %s %llu %llu", routers[r],
					                    name, (unsigned long long)arx,
					                    (unsigned long long)atx);
					if (!ok) {
						free(line);
						return -1;
					}
					free(ok);
				}
				name = NULL;
			}
		}
		free(line);
	}
	time_t now = (time_t)end;
	struct tm tm;
	localtime_r(&now, &tm);
	const long n = (long)HISTORY_DAYS * DAY_STEPS;
	for (size_t j = 0; j < N_IFACES; j++) {
		char *ok = fake_cmd(d, "rate %s %s %.0f %.0f", IFACES[j].router, IFACES[j].pct,
		                    rate_at(j, 0, &tm, n, n), rate_at(j, 1, &tm, n, n));
		if (!ok)
			return -1;
		free(ok);
	}
	return client_rates(d);
}

/* ---- the public part ---------------------------------------------------- */

static struct demo *running;

static void finish_at_exit(void)
{
	demo_finish(running);
}

struct demo *demo_start(const struct demo_options *o, volatile sig_atomic_t *stop)
{
	struct demo *d = calloc(1, sizeof *d);
	if (!d) {
		errmsg("out of memory");
		return NULL;
	}
	const char *fake = fakerouter_path(o->fakerouter);
	if (!fake) {
		errmsg("the fake router is not installed; pass --fakerouter PATH "
		       "(build tree: simulator/fakerouter)");
		free(d);
		return NULL;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(d->dir, sizeof d->dir, "%s/tikstat-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->dir)) {
		errmsg("mkdtemp %s: %s", d->dir, strerror(errno));
		free(d);
		return NULL;
	}
	snprintf(d->config, sizeof d->config, "%s/tikstat.conf", d->dir);
	snprintf(d->database, sizeof d->database, "%s/tikstat.db", d->dir);

	char listen[300];
	int64_t end = (int64_t)time(NULL);
	if (choose_listen(d, o->listen, listen, sizeof listen) < 0)
		goto fail;
	if (fake_spawn(d, fake, (uint64_t)LAST_REBOOT_DAYS * 86400) < 0) {
		errmsg("cannot start %s: %s", fake, strerror(errno));
		goto fail;
	}
	if (fake_ready(d) < 0)
		goto fail;
	for (size_t j = 0; j < N_IFACES; j++) { /* no growth until the history is in */
		char *ok = fake_cmd(d, "rate %s %s 0 0", IFACES[j].router, IFACES[j].pct);
		if (!ok)
			goto fail;
		free(ok);
	}
	if (write_config(d, listen) < 0) {
		errmsg("cannot write %s: %s", d->config, strerror(errno));
		goto fail;
	}
	if (prefill(d, end, stop) < 0 || *stop)
		goto fail;
	printf("tikstat demo: %ld readings (%d days of history, every %d minutes) accounted in "
	       "%.1f s\n",
	       d->readings, HISTORY_DAYS, STEP / 60, d->seconds);
	fflush(stdout);
	if (continue_live(d, end) < 0)
		goto fail;
	running = d;
	static bool registered;
	if (!registered && atexit(finish_at_exit) == 0)
		registered = true;
	return d;
fail:
	demo_finish(d);
	return NULL;
}

const char *demo_config(const struct demo *d)
{
	return d->config;
}

void demo_announce(FILE *out)
{
	const struct demo *d = running;
	if (!d)
		return;
	fprintf(out,
	        "tikstat demo: routers \"home\" (RouterOS 7, API on 127.0.0.1:%d) and \"office\" "
	        "(RouterOS 6.40, api-ssl on 127.0.0.1:%d)\n"
	        "tikstat demo: database %s\n"
	        "tikstat demo: dashboard at %s (Ctrl-C to stop)\n"
	        "tikstat demo: try the CLI meanwhile: tikstat -c %s -m\n",
	        d->port[0], d->port[1], d->database, d->url, d->config);
	fflush(out);
}

void demo_finish(struct demo *d)
{
	if (!d)
		return;
	if (d == running)
		running = NULL;
	fake_stop(d);
	if (d->dir[0])
		remove_dir(d->dir);
	free(d);
}
