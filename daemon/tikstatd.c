/*
 * tikstatd — polls MikroTik routers over the RouterOS API and accounts
 * their interfaces' traffic in SQLite.
 *
 * main() is the start-up sequence: options, configuration, logging, time
 * zone, database, status table, ingest table and push queue, the poller, the HTTP
 * server (its own threads), then the poller's event loop until
 * SIGTERM/SIGINT (stop HTTP, finish, /quit every session, commit, exit 0)
 * or SIGHUP (re-read the configuration and restart poller and HTTP server
 * with it; on error keep the running one).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "calendar.h"
#include "cfg.h"
#include "checkcfg.h"
#include "demo.h"
#include "fdbudget.h"
#include "http.h"
#include "ingest.h"
#include "livehub.h"
#include "log.h"
#include "notify.h"
#include "poller.h"
#include "privdrop.h"
#include "pushq.h"
#include "recorder.h"
#include "status.h"
#include "store.h"

#ifndef TIKSTAT_VERSION
#define TIKSTAT_VERSION "0.1.0"
#endif
#define DEFAULT_CONFIG "/etc/tikstat/tikstat.conf"
#define PUSHQ_CAPACITY 4096
/* The start-up integrity check reads every page; past this budget it is
 * left unfinished (figures: check_database below). */
#define QUICK_CHECK_BUDGET_MS 10000

static volatile sig_atomic_t stop_flag, reload_flag;

/* Started as root with -u: the user the database is opened as, until
 * root is given up (then NULL: the process is that user anyway). */
static const struct privdrop_user *open_db_as;

/* The alert commands' runner: it lives as long as the process, so that a
 * command started before a reload is still reaped after it. */
static struct alerts *alert_runner;

/* Signal handlers only set flags; the loop acts on them. */
static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_reload(int sig)
{
	(void)sig;
	reload_flag = 1;
}

static void install_signals(void)
{
	struct sigaction sa = {0};
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

struct options {
	const char *config;
	bool foreground;
	bool check;
	const char *user; /* -u: the user to drop to when started as root */
	bool demo;        /* --demo [--fakerouter PATH] [--listen HOST:PORT] */
	struct demo_options demo_opt;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: tikstatd [-c FILE] [-f] [-u USER] [--check-config] [--version]\n"
	        "  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
	        "  -f, --foreground    stay in the foreground and log to stderr\n"
	        "  -u, --user USER     started as root: run as USER once the database and\n"
	        "                      the HTTP sockets are open\n"
	        "      --check-config  check the configuration and every router, then exit\n"
	        "      --demo          poll a simulated router with a year of history (temporary\n"
	        "                      files; --fakerouter PATH, --listen HOST:PORT)\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
	                                         {"foreground", no_argument, NULL, 'f'},
	                                         {"check-config", no_argument, NULL, 'C'},
	                                         {"version", no_argument, NULL, 'V'},
	                                         {"help", no_argument, NULL, 'H'},
	                                         {"user", required_argument, NULL, 'u'},
	                                         {"demo", no_argument, NULL, 'D'},
	                                         {"fakerouter", required_argument, NULL, 'R'},
	                                         {"listen", required_argument, NULL, 'L'},
	                                         {NULL, 0, NULL, 0}};
	int ch;
	o->config = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:fu:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = true; break;
		case 'u': o->user = optarg; break;
		case 'C': o->check = true; break;
		case 'D': o->demo = true; break;
		case 'R': o->demo_opt.fakerouter = optarg; break;
		case 'L': o->demo_opt.listen = optarg; break;
		case 'V': printf("tikstatd %s\n", TIKSTAT_VERSION); exit(0);
		case 'H': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	return 0;
}

/* Detaches from the terminal when not in the foreground. */
static void daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		fatal("chdir /");
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* The parts that live as long as one configuration (cfg is borrowed). */
struct instance {
	const struct cfg *cfg;
	store *db;
	struct recorder *rec;
	struct status *status;
	struct ingest *ingest;
	struct pushq *pushq;
	struct poller *poller;
	struct livehub *live;
	struct http *http;
};

static void instance_stop(struct instance *in)
{
	int64_t now = (int64_t)time(NULL);
	http_stop(in->http);         /* no more pushes: the poller drains the rest */
	poller_free(in->poller);     /* /quit on every session */
	livehub_free(in->live);      /* its viewers left with the HTTP server */
	recorder_free(in->rec, now); /* the final commit */
	pushq_free(in->pushq);
	ingest_free(in->ingest);
	status_free(in->status);
	store_close(in->db);
	memset(in, 0, sizeof *in);
}

/* The recorder's health goes to /metrics (status) and STATUS= (notify). */
static void on_db_health(void *ctx, const struct store_health *h)
{
	status_database(ctx, h);
	notify_database(h->problem);
}

/* Before each wait of the poller's loop: the work that no event brings. */
static void housekeeping(void *ctx, const struct poller *p)
{
	struct instance *in = ctx;
	alerts_reap(alert_runner);
	notify_loop(poller_up(p), poller_count(p)); /* WATCHDOG=1: the loop turns; STATUS= */
	/* Readings may stop (routers down): commit what waits anyway. */
	recorder_tick(in->rec, (int64_t)time(NULL)); /* failures: logged there */
	alerts_bills(alert_runner, in->cfg, in->rec, (int64_t)time(NULL)); /* after a commit */
}

/* PRAGMA quick_check at start, bounded: a damaged file is reported (log,
 * metrics, STATUS=) and used anyway, so that new readings keep being
 * counted while old pages are bad. Measured on a 592 MB tikstat database
 * (20 million buckets, 2 shared cores under load): 4.8 s with the file in
 * the page cache (the bare table, without its STRICT checks: 2.0 s cached,
 * 10 s cold); a 10-year bench_http_seed database (221 KB with the default
 * retention): 10 ms. Past QUICK_CHECK_BUDGET_MS it is left unfinished and
 * says so (a 500 ms budget stopped it at 0.50 s). */
static void check_database(struct instance *in)
{
	char why[512];
	switch (store_quick_check(in->db, QUICK_CHECK_BUDGET_MS, why, sizeof why)) {
	case 0: recorder_set_integrity(in->rec, NULL); break;
	case 1:
		log_errorx("database: %s is damaged: %s; tikstatd goes on counting into it (see "
		           "tikstatd(8), \"Database faults\")",
		           store_path(in->db), why);
		recorder_set_integrity(in->rec, why);
		break;
	case 2: log_warnx("database: integrity check skipped: %s", why); break;
	default: log_warnx("database: integrity check: %s", store_errmsg(in->db)); break;
	}
}

/* Raises the soft limit of open files to the hard limit: the HTTP server
 * sizes its connection limit (thousands, to keep room for real clients
 * while slow ones wait out their deadline) from it. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		/* "unlimited" is refused for open files: take a generous number */
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 65536 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("cannot raise the open files limit");
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	log_info("open files limit: %llu (each polled router holds one)",
	         (unsigned long long)rl.rlim_cur);
}

/* Shares the open files between the database, HTTP and the router
 * sessions (fdbudget.h) and tells the poller its share; the HTTP
 * connection limit per listening socket is returned. */
static unsigned share_descriptors(const struct cfg *cfg, struct poller *p)
{
	struct fdbudget b;
	char msg[512];
	fdbudget_of_cfg(cfg, &b);
	fdbudget_message(&b, msg, sizeof msg);
	poller_set_sessions(p, b.sessions, msg);
	if (fdbudget_short(&b))
		log_warnx("open files limit %llu: %zu of %zu polled routers fit (reserve %llu, "
		          "HTTP %u connections per listening socket); raise LimitNOFILE "
		          "(tikstatd.service) or ulimit -n",
		          (unsigned long long)b.limit, b.sessions, b.routers,
		          (unsigned long long)b.reserve, b.http_per_ls);
	else
		log_debug("open files: %zu router sessions, %u HTTP connections per listening "
		          "socket, %llu in reserve",
		          b.sessions, b.http_per_ls, (unsigned long long)b.reserve);
	return b.http_per_ls;
}

/* Applies cfg: time zone, database, recorder, status, poller, HTTP. */
static int instance_start(struct instance *in, const struct cfg *cfg)
{
	char err[512];
	in->cfg = cfg;
	if (calendar_set_zone(cfg->timezone) < 0) {
		log_errorx("unknown time zone %s", cfg->timezone);
		goto fail;
	}
	/* As the -u user: a link that user planted by the database leads
	 * nowhere that user could not go anyway. */
	if (open_db_as && privdrop_become(open_db_as, err, sizeof err) < 0) {
		log_errorx("database: -u %s: %s", open_db_as->name, err);
		goto fail;
	}
	in->db = store_open(cfg->database, false, err, sizeof err);
	if (open_db_as)
		privdrop_restore();
	if (!in->db) {
		log_errorx("database: %s", err);
		goto fail;
	}
	in->status = status_new(cfg);
	if (!in->status) {
		log_error("status table");
		goto fail;
	}
	struct recorder_options ro = {.max_rate = cfg->max_rate,
	                              .commit_interval = cfg->commit_interval,
	                              .on_health = on_db_health,
	                              .health_ctx = in->status};
	memcpy(ro.retention, cfg->retention, sizeof ro.retention);
	cfg_device_retention(cfg, ro.device_retention);
	in->rec = recorder_new(in->db, &ro);
	if (!in->rec)
		goto fail;
	check_database(in);
	in->ingest = ingest_new(cfg, in->rec, in->status, alert_runner);
	if (!in->ingest)
		goto fail;
	/* Pushed items get their counter's reference in the HTTP thread. */
	in->pushq = pushq_new(PUSHQ_CAPACITY, ingest_resolve, in->ingest);
	if (!in->pushq) {
		log_error("push queue");
		goto fail;
	}
	in->poller = poller_new(cfg, in->ingest, in->status, in->pushq);
	if (!in->poller)
		goto fail;
	poller_set_before_sleep(in->poller, housekeeping, in);
	in->live = livehub_new(cfg, (unsigned)cfg->live_viewers);
	if (!in->live || poller_set_live(in->poller, in->live) < 0) {
		log_error("live view");
		goto fail;
	}
	in->http = http_start(cfg, in->status, in->pushq, in->live,
	                      share_descriptors(cfg, in->poller));
	if (!in->http)
		goto fail;
	log_info("tikstatd %s: %zu router%s (%zu polled), database %s, time zone %s",
	         TIKSTAT_VERSION, cfg->n_routers, cfg->n_routers == 1 ? "" : "s",
	         poller_count(in->poller), store_path(in->db), calendar_zone());
	return 0;
fail:
	instance_stop(in);
	return -1;
}

/* Warns about path (what it holds: what) when u cannot read it: after
 * root is given up, a reload (SIGHUP) reads the files as u. */
static void warn_unreadable_file(const struct privdrop_user *u, const char *path, const char *what,
                                 const char *consequence)
{
	char why[256];
	if (!path || privdrop_can_read(u, path, why, sizeof why) == 0)
		return;
	log_warnx("-u %s: %s cannot read %s (%s: %s): %s; fix: chown root:tikstat %s; "
	          "chmod 640 %s",
	          u->name, u->name, what, path, why, consequence, path, path);
}

/* Started as root with -u: the configuration and secret files were read
 * as root; name each that u, reloading on SIGHUP, could not read. */
static void warn_unreadable(const struct cfg *cfg, const struct privdrop_user *u)
{
	static const char keep[] =
	        "a reload (SIGHUP) cannot re-read it and keeps the secret loaded now, "
	        "so a changed secret needs a restart";
	warn_unreadable_file(u, cfg->path, "the configuration",
	                     "a reload (SIGHUP) would fail and keep the running configuration");
	warn_unreadable_file(u, cfg->auth_password_file, "the [http] auth_password_file", keep);
	warn_unreadable_file(u, cfg->tls_key_file, "the [http] tls_key_file",
	                     "a reload (SIGHUP) keeps the key and certificate loaded now, so a "
	                     "renewed certificate needs a restart");
	for (size_t i = 0; i < cfg->n_routers; i++) {
		warn_unreadable_file(u, cfg->routers[i].password_file, "a password_file", keep);
		warn_unreadable_file(u, cfg->routers[i].push_token_file, "a push_token_file", keep);
	}
}

/* SIGHUP: a valid new configuration replaces the running one; an invalid
 * one is reported and the running one goes on. Returns the config in use. */
static struct cfg *reload(struct instance *in, struct cfg *running, const char *path)
{
	char err[CFG_ERR_SIZE];
	struct cfg *next = cfg_reload(path, running, err, sizeof err);
	if (!next) { /* one log line per error */
		char *save = NULL;
		for (char *e = strtok_r(err, "\n", &save); e; e = strtok_r(NULL, "\n", &save))
			log_errorx("reload: %s (keeping the running configuration)", e);
		return running;
	}
	log_info("reloading %s", path);
	notify_reloading();
	instance_stop(in);
	if (instance_start(in, next) == 0) {
		cfg_free(running);
		return next;
	}
	log_errorx("reload: the new configuration cannot start; going on with the old one");
	cfg_free(next);
	if (instance_start(in, running) < 0)
		fatalx("cannot restart with the old configuration either");
	return running;
}

int main(int argc, char **argv)
{
	struct options opt = {0};
	char err[1024];
	parse_options(argc, argv, &opt);
	if (opt.demo) { /* the fake router, a temporary config with history */
		if (opt.user || opt.check) {
			fprintf(stderr, "tikstatd: --demo runs as the invoking user, without -u "
			                "or --check-config\n");
			return 2;
		}
		install_signals();
		struct demo *demo = demo_start(&opt.demo_opt, &stop_flag);
		if (!demo)
			return stop_flag ? 0 : 1;
		opt.config = demo_config(demo); /* removed at exit (demo.h) */
		opt.foreground = true;
	} else if (opt.demo_opt.fakerouter || opt.demo_opt.listen) {
		fprintf(stderr, "tikstatd: --fakerouter and --listen go with --demo\n");
		return 2;
	}

	/* The -u user first: it may own the secret files the config names. */
	struct privdrop_user user = {0};
	bool drop = false;
	if (opt.user) {
		if (privdrop_lookup(opt.user, &user, err, sizeof err) < 0) {
			fprintf(stderr, "tikstatd: -u: %s\n", err);
			return 1;
		}
		drop = geteuid() == 0;
		if (!drop && geteuid() != user.uid) {
			fprintf(stderr, "tikstatd: -u %s: only root can change to another user\n",
			        opt.user);
			return 1;
		}
		cfg_secret_owner(user.uid);
	}
	char cfg_err[CFG_ERR_SIZE];
	struct cfg *cfg = cfg_load(opt.config, cfg_err, sizeof cfg_err);
	if (!cfg) { /* every error, one a line */
		char *save = NULL;
		for (char *e = strtok_r(cfg_err, "\n", &save); e; e = strtok_r(NULL, "\n", &save))
			fprintf(stderr, "tikstatd: %s\n", e);
		return 1;
	}
	if (opt.check) {
		int rc = checkcfg_run(cfg, stdout);
		cfg_free(cfg);
		return rc;
	}
	/* Root only with -u: the daemon talks to the network. */
	if (geteuid() == 0 && !opt.user && !opt.demo) { /* the demo only talks to loopback */
		fprintf(stderr, "%s\n", PRIVDROP_ROOT_MESSAGE);
		cfg_free(cfg);
		return 1;
	}
	log_init("tikstatd", log_level_parse(cfg->log_level), !opt.foreground);
	/* Before daemonize: its chdir("/") would change a relative config
	 * path, and a refusal is best seen where tikstatd was started. */
	if (drop) {
		/* A PostgreSQL database has no directory here to prepare. */
		if (!store_path_is_url(cfg->database) &&
		    privdrop_prepare_database(cfg->database, &user, err, sizeof err) < 0)
			fatalx("-u %s: %s", user.name, err);
		warn_unreadable(cfg, &user);
		open_db_as = &user;
	}
	if (!opt.foreground)
		daemonize();
	install_signals();
	notify_init();
	raise_nofile();

	alert_runner = alerts_new();
	if (!alert_runner)
		fatalx("out of memory");
	struct instance in = {0};
	if (instance_start(&in, cfg) < 0) {
		alerts_free(alert_runner);
		cfg_free(cfg);
		return 1;
	}
	/* The database is open and the HTTP sockets are bound: give up root
	 * before the poller's first connection to a router. */
	if (drop) {
		open_db_as = NULL;
		if (privdrop_drop(&user, err, sizeof err) < 0) {
			log_errorx("-u %s: %s", user.name, err);
			instance_stop(&in);
			alerts_free(alert_runner);
			cfg_free(cfg);
			return 1;
		}
		log_info("running as user %s (uid %ld, gid %ld)", user.name, (long)user.uid,
		         (long)user.gid);
	}
	notify_ready(0, poller_count(in.poller));
	if (opt.demo)
		demo_announce(stdout);
	int rc = 0;
	for (;;) {
		if (poller_run(in.poller, &stop_flag, &reload_flag) < 0) {
			rc = 1;
			break;
		}
		if (stop_flag)
			break;
		reload_flag = 0;
		cfg = reload(&in, cfg, opt.config);
		notify_ready(0, poller_count(in.poller));
	}
	log_info("stopping");
	notify_stopping();
	instance_stop(&in);
	alerts_free(alert_runner);
	cfg_free(cfg);
	return rc;
}
