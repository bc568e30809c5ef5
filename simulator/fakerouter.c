/*
 * fakerouter: a fake MikroTik RouterOS API server for tikstat's tests. One
 * process serves many routers (one TCP port each) from a single-threaded
 * event loop, and takes control commands on stdin. See README.md.
 *
 * main() is the start-up sequence: options, limits and signals, TLS
 * identity, routers and listeners, the "ready" lines, then the loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "clients.h"
#include "control.h"
#include "evloop.h"
#include "model.h"
#include "selftest.h"
#include "server.h"
#include "tlsutil.h"

#define MAX_NAME 64

struct spec {
	char name[MAX_NAME + 1];
	enum fr_flavour fl;
	enum fr_transport tr;
	unsigned port;
};

struct options {
	unsigned long routers;
	int routers_given;
	enum fr_flavour fl;
	enum fr_transport tr;
	unsigned base_port;
	const char *password;
	char *noapi_user, *noapi_pass;
	const char *cert_out;
	long monitor_ms;
	int monitor_align;
	long monitor_align_ms; /* rows this long after each whole period */
	uint64_t rx_base, tx_base, uptime_s;
	size_t queues, devices; /* per router at start */
	int ignore_stdin, self_test;
	struct spec *specs;
	size_t nspecs;
};

/* The running process: what main() sets up and tears down. */
struct app {
	struct options opt;
	struct evloop *loop;
	struct server *srv;
	struct control *ctl;
	struct tls_ident *ident;
	struct tls_ctx *tls_ctx, *adh_ctx;
	struct ev_io sig_io;
	int stop;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: fakerouter [--routers N] [--flavour v6old|v6|v7] [--transport "
	           "plain|tls|adh]\n"
	           "                  [--base-port P] [--password PASS] [--noapi-user USER:PASS]\n"
	           "                  [--cert-out FILE] [--monitor-interval-ms MS]\n"
	           "                  [--spec NAME:FLAVOUR:TRANSPORT[:PORT]]... [--rx-base BYTES]\n"
	           "                  [--tx-base BYTES] [--uptime SECONDS] [--ignore-stdin]\n"
	           "                  [--monitor-align[=MS]] [--queues N] [--devices M]\n"
	           "       fakerouter --self-test\n");
}

/* Start-up errors only: print and exit 2. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fakerouter: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static uint64_t num_arg(const char *s, uint64_t max, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die("bad number for %s", what);
	return v;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
		            *s))
			return 0;
	return 1;
}

/* NAME:FLAVOUR:TRANSPORT[:PORT] */
static void parse_spec(struct options *o, const char *arg)
{
	char buf[256];
	char *f[5] = {0};
	int n = 0;
	if (strlen(arg) >= sizeof(buf))
		die("--spec too long: %s", arg);
	strcpy(buf, arg);
	for (char *p = buf, *t; n < 5 && (t = strsep(&p, ":"));)
		f[n++] = t;
	if (n < 3 || n > 4 || !valid_name(f[0]) || model_flavour_parse(f[1]) < 0 ||
	    model_transport_parse(f[2]) < 0)
		die("bad --spec %s (want NAME:v6old|v6|v7:plain|tls|adh[:PORT])", arg);
	struct spec *v = realloc(o->specs, (o->nspecs + 1) * sizeof(*v));
	if (!v)
		die("out of memory");
	o->specs = v;
	struct spec *s = &o->specs[o->nspecs++];
	snprintf(s->name, sizeof(s->name), "%s", f[0]);
	s->fl = (enum fr_flavour)model_flavour_parse(f[1]);
	s->tr = (enum fr_transport)model_transport_parse(f[2]);
	s->port = n == 4 ? (unsigned)num_arg(f[3], 65535, "--spec PORT") : 0;
}

static void parse_noapi(struct options *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	if (!colon || colon == arg)
		die("bad --noapi-user %s (want USER:PASS)", arg);
	free(o->noapi_user);
	free(o->noapi_pass);
	o->noapi_user = strndup(arg, (size_t)(colon - arg));
	o->noapi_pass = strdup(colon + 1);
	if (!o->noapi_user || !o->noapi_pass)
		die("out of memory");
}

enum option_id {
	O_ROUTERS = 256,
	O_FLAVOUR,
	O_TRANSPORT,
	O_BASE,
	O_PASSWORD,
	O_NOAPI,
	O_CERT,
	O_MONITOR,
	O_ALIGN,
	O_SPEC,
	O_RXBASE,
	O_TXBASE,
	O_UPTIME,
	O_QUEUES,
	O_DEVICES,
	O_NOSTDIN,
	O_SELFTEST,
	O_HELP
};

/* Applies one parsed option; exits 2 on a bad value. */
static void apply_option(struct options *o, int c)
{
	switch (c) {
	case O_ROUTERS:
		o->routers = (unsigned long)num_arg(optarg, 60000, "--routers");
		o->routers_given = 1;
		break;
	case O_FLAVOUR:
		if (model_flavour_parse(optarg) < 0)
			die("bad --flavour %s (want v6old, v6 or v7)", optarg);
		o->fl = (enum fr_flavour)model_flavour_parse(optarg);
		break;
	case O_TRANSPORT:
		if (model_transport_parse(optarg) < 0)
			die("bad --transport %s (want plain, tls or adh)", optarg);
		o->tr = (enum fr_transport)model_transport_parse(optarg);
		break;
	case O_BASE: o->base_port = (unsigned)num_arg(optarg, 65535, "--base-port"); break;
	case O_PASSWORD: o->password = optarg; break;
	case O_NOAPI: parse_noapi(o, optarg); break;
	case O_CERT: o->cert_out = optarg; break;
	case O_MONITOR:
		o->monitor_ms = (long)num_arg(optarg, 3600000, "--monitor-interval-ms");
		if (o->monitor_ms == 0)
			die("--monitor-interval-ms must be at least 1");
		break;
	case O_ALIGN:
		o->monitor_align = 1;
		if (optarg)
			o->monitor_align_ms = (long)num_arg(optarg, 3599999, "--monitor-align");
		break;
	case O_SPEC: parse_spec(o, optarg); break;
	case O_RXBASE: o->rx_base = num_arg(optarg, UINT64_MAX / 2, "--rx-base"); break;
	case O_TXBASE: o->tx_base = num_arg(optarg, UINT64_MAX / 2, "--tx-base"); break;
	case O_UPTIME: o->uptime_s = num_arg(optarg, 1000000000, "--uptime"); break;
	case O_QUEUES: o->queues = (size_t)num_arg(optarg, CLIENTS_MAX_START, "--queues"); break;
	case O_DEVICES: o->devices = (size_t)num_arg(optarg, CLIENTS_MAX_START, "--devices"); break;
	case O_NOSTDIN: o->ignore_stdin = 1; break;
	case O_SELFTEST: o->self_test = 1; break;
	case O_HELP: usage(stdout); exit(0);
	default: usage(stderr); exit(2);
	}
}

static void parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"routers", required_argument, 0, O_ROUTERS},
	        {"flavour", required_argument, 0, O_FLAVOUR},
	        {"transport", required_argument, 0, O_TRANSPORT},
	        {"base-port", required_argument, 0, O_BASE},
	        {"password", required_argument, 0, O_PASSWORD},
	        {"noapi-user", required_argument, 0, O_NOAPI},
	        {"cert-out", required_argument, 0, O_CERT},
	        {"monitor-interval-ms", required_argument, 0, O_MONITOR},
	        {"monitor-align", optional_argument, 0, O_ALIGN},
	        {"spec", required_argument, 0, O_SPEC},
	        {"rx-base", required_argument, 0, O_RXBASE},
	        {"tx-base", required_argument, 0, O_TXBASE},
	        {"uptime", required_argument, 0, O_UPTIME},
	        {"queues", required_argument, 0, O_QUEUES},
	        {"devices", required_argument, 0, O_DEVICES},
	        {"ignore-stdin", no_argument, 0, O_NOSTDIN},
	        {"self-test", no_argument, 0, O_SELFTEST},
	        {"help", no_argument, 0, O_HELP},
	        {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		apply_option(o, c);
	if (optind < argc)
		die("unexpected argument %s", argv[optind]);
	if (o->monitor_align_ms >= o->monitor_ms)
		die("--monitor-align=MS must be below --monitor-interval-ms");
	if (!o->routers_given && o->nspecs == 0)
		o->routers = 1;
}

/* Thousands of routers need thousands of descriptors. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void signal_cb(struct ev_io *io, uint32_t events)
{
	struct app *a = FR_CONTAINER_OF(io, struct app, sig_io);
	struct signalfd_siginfo si;
	(void)events;
	if (read(io->fd, &si, sizeof(si)) > 0)
		a->stop = 1;
}

/* SIGTERM/SIGINT arrive through a signalfd, so stopping is an ordinary
 * event and the loop can free everything before exit 0. */
static void setup_signals(struct app *a)
{
	sigset_t set;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	a->sig_io.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	a->sig_io.cb = signal_cb;
	if (a->sig_io.fd < 0 || evloop_io_add(a->loop, &a->sig_io, EPOLLIN) < 0)
		die("cannot watch signals: %s", strerror(errno));
}

static int wants_transport(const struct options *o, enum fr_transport tr)
{
	if (o->routers > 0 && o->tr == tr)
		return 1;
	for (size_t i = 0; i < o->nspecs; i++)
		if (o->specs[i].tr == tr)
			return 1;
	return 0;
}

static void setup_tls(struct app *a)
{
	char err[512];
	if (wants_transport(&a->opt, FR_TLS) || a->opt.cert_out) {
		a->ident = tlsutil_ident_new(err, sizeof(err));
		if (!a->ident)
			die("%s", err);
		a->tls_ctx = tlsutil_ctx_cert(a->ident);
		if (!a->tls_ctx)
			die("cannot create the TLS context");
		if (a->opt.cert_out && tlsutil_ident_write_pem(a->ident, a->opt.cert_out) < 0)
			die("cannot write --cert-out file: %s", strerror(errno));
	}
	if (wants_transport(&a->opt, FR_ADH)) {
		a->adh_ctx = tlsutil_ctx_adh();
		if (!a->adh_ctx)
			die("cannot create the anonymous-DH TLS context");
	}
}

static void add_router(struct app *a, const char *name, enum fr_flavour fl, enum fr_transport tr,
                       unsigned port)
{
	char err[512];
	const struct options *o = &a->opt;
	struct model_defaults d = {o->rx_base,    o->tx_base,    o->uptime_s, o->password,
	                           o->noapi_user, o->noapi_pass, o->queues,   o->devices};
	if (server_find(a->srv, name))
		die("duplicate router name %s", name);
	struct model_router *m = model_router_new(name, fl, &d, ev_now_ms());
	if (!m)
		die("out of memory");
	if (!server_add_router(a->srv, m, tr, (uint16_t)port, err, sizeof(err)))
		die("%s", err);
}

/* Port of the i-th router when it names none: base + i, or ephemeral. */
static unsigned default_port(const struct options *o, size_t i)
{
	if (o->base_port == 0)
		return 0;
	if (o->base_port + i > 65535)
		die("--base-port too high for that many routers");
	return o->base_port + (unsigned)i;
}

static void setup_routers(struct app *a)
{
	struct server_config cfg = {
	        .monitor_interval_ms = a->opt.monitor_ms,
	        .monitor_align = a->opt.monitor_align,
	        .monitor_align_ms = a->opt.monitor_align_ms,
	        .tls_ctx = a->tls_ctx,
	        .adh_ctx = a->adh_ctx,
	        .max_word = 64 * 1024,
	        .max_sentence = 1024 * 1024,
	        .max_words = 4096,
	        .out_cap = 8 * 1024 * 1024,
	};
	char name[32];
	a->srv = server_new(a->loop, &cfg);
	if (!a->srv)
		die("out of memory");
	for (unsigned long i = 0; i < a->opt.routers; i++) {
		snprintf(name, sizeof(name), "r%lu", i);
		add_router(a, name, a->opt.fl, a->opt.tr, default_port(&a->opt, i));
	}
	for (size_t i = 0; i < a->opt.nspecs; i++) {
		const struct spec *s = &a->opt.specs[i];
		unsigned port = s->port ? s->port : default_port(&a->opt, a->opt.routers + i);
		add_router(a, s->name, s->fl, s->tr, port);
	}
}

static void print_ready(const struct app *a)
{
	for (size_t i = 0; i < server_count(a->srv); i++) {
		const struct srv_router *r = server_router(a->srv, i);
		printf("router name=%s port=%u transport=%s flavour=%s", r->m->name,
		       (unsigned)r->port, model_transport_name(r->tr),
		       model_flavour_name(r->m->flavour));
		if (r->tr == FR_TLS)
			printf(" fingerprint=%s", tlsutil_ident_fingerprint(a->ident));
		putchar('\n');
	}
	printf("ready routers=%zu\n", server_count(a->srv));
	fflush(stdout);
}

static void run(struct app *a)
{
	control_poll_sync(a->ctl);
	while (!a->stop && !(a->ctl && control_finished(a->ctl))) {
		if (evloop_run_once(a->loop, -1) < 0)
			die("epoll: %s", strerror(errno));
		server_reap(a->srv);
	}
}

static void teardown(struct app *a)
{
	control_free(a->ctl);
	server_free(a->srv);
	tlsutil_ctx_free(a->tls_ctx);
	tlsutil_ctx_free(a->adh_ctx);
	tlsutil_ident_free(a->ident);
	if (a->sig_io.fd >= 0)
		close(a->sig_io.fd);
	evloop_free(a->loop);
	free(a->opt.specs);
	free(a->opt.noapi_user);
	free(a->opt.noapi_pass);
}

int main(int argc, char **argv)
{
	struct app a = {0};
	a.opt.fl = FR_V7;
	a.opt.tr = FR_PLAIN;
	a.opt.password = "";
	a.opt.monitor_ms = 1000;
	a.opt.rx_base = 468259100207ULL;
	a.opt.tx_base = 98765432101ULL;
	a.opt.uptime_s = 955015; /* 1w4d1h16m55s: every unit of the format */
	a.sig_io.fd = -1;
	parse_options(&a.opt, argc, argv);
	if (a.opt.self_test) {
		int rc = selftest_run();
		teardown(&a);
		return rc;
	}
	raise_fd_limit();
	a.loop = evloop_new();
	if (!a.loop)
		die("cannot create the event loop: %s", strerror(errno));
	setup_signals(&a);
	setup_tls(&a);
	setup_routers(&a);
	print_ready(&a);
	if (!a.opt.ignore_stdin) {
		a.ctl = control_new(a.srv, a.loop, STDIN_FILENO, stdout);
		if (!a.ctl)
			die("out of memory");
	}
	run(&a);
	teardown(&a);
	return 0;
}
