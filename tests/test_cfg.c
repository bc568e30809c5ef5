/*
 * test_cfg.c — unit tests for daemon/cfg.c (tikstat.conf) and daemon/log.c.
 *
 * The fixtures in tests/cfg/ are copied into a temporary directory before
 * they are loaded: "@DIR@" in them becomes that directory, where the test
 * creates the secret files with the modes it needs (git keeps no file
 * modes but +x). Each broken fixture is checked for its exact message, and
 * no message may contain a secret: every secret here contains
 * "never-logged". TZDIR points at a small zoneinfo tree made here, so the
 * time zone checks do not depend on the host's tzdata.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calendar.h"
#include "cfg.h"
#include "log.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name tests/cfg"
#endif

#define NEVER         "never-logged" /* part of every secret below */
#define HOME_PASSWORD "Pa55w0rd-" NEVER
#define CRLF_PASSWORD "crlf-Pa55w0rd-" NEVER
#define HTTP_PASSWORD "http-Pa55w0rd-" NEVER
#define HOME_TOKEN    "t0ken-" NEVER "-0123456789"

static char tmpdir[PATH_MAX];
static char *created[256];
static size_t n_created;

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static char *path_in(const char *name)
{
	size_t n = strlen(tmpdir) + strlen(name) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", tmpdir, name);
	return p;
}

/* Remembers a path to remove at the end, once. */
static void created_add(char *path)
{
	for (size_t i = 0; i < n_created; i++) {
		if (strcmp(created[i], path) == 0) {
			free(path);
			return;
		}
	}
	assert_true(n_created < sizeof created / sizeof created[0]);
	created[n_created++] = path;
}

/* Writes tmpdir/name with exactly this mode (umask aside). */
static void write_file(const char *name, const char *content, size_t len, mode_t mode)
{
	char *path = path_in(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	created_add(path);
}

static void write_text(const char *name, const char *content, mode_t mode)
{
	write_file(name, content, strlen(content), mode);
}

static void make_dir(const char *name)
{
	char *path = path_in(name);

	assert_int_equal(mkdir(path, 0700), 0);
	created_add(path);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* text with every "from" replaced by "to"; frees text. */
static char *subst(char *text, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), count = 0;
	char *out, *o;

	for (const char *s = strstr(text, from); s; s = strstr(s + nf, from))
		count++;
	out = malloc(strlen(text) + count * nt + 1);
	assert_non_null(out);
	o = out;
	for (const char *s = text, *hit; *s; s = hit + nf) {
		hit = strstr(s, from);
		if (!hit) {
			strcpy(o, s);
			o += strlen(s);
			break;
		}
		memcpy(o, s, (size_t)(hit - s));
		o += hit - s;
		memcpy(o, to, nt);
		o += nt;
	}
	*o = '\0';
	free(text);
	return out;
}

/* Copies fixture name into tmpdir with @DIR@ filled in and loads it. */
static struct cfg *load_fixture(const char *name, mode_t mode, char *err, size_t errsz)
{
	char *src = malloc(strlen(FIXTURES_DIR) + strlen(name) + 2);
	char *text;
	char *path;
	struct cfg *c;

	assert_non_null(src);
	sprintf(src, "%s/%s", FIXTURES_DIR, name);
	text = subst(read_all(src), "@DIR@", tmpdir);
	write_text(name, text, mode);
	path = path_in(name);
	c = cfg_load(path, err, errsz);
	free(path);
	free(text);
	free(src);
	return c;
}

/* Loads a config written from text as tmpdir/name (mode 600). */
static struct cfg *load_text(const char *name, const char *text, char *err, size_t errsz)
{
	char *path = path_in(name);
	struct cfg *c;

	write_text(name, text, 0600);
	c = cfg_load(path, err, errsz);
	free(path);
	return c;
}

/* Expands @CONF@ (the loaded copy of name) and @DIR@ in a message. */
static char *expected_message(const char *name, const char *expected)
{
	char *conf = path_in(name);
	char *msg = strdup(expected);

	assert_non_null(msg);
	msg = subst(msg, "@CONF@", conf);
	msg = subst(msg, "@DIR@", tmpdir);
	free(conf);
	return msg;
}

static void assert_no_secret(const char *err)
{
	if (strstr(err, NEVER))
		fail_msg("a secret leaked into the message: %s", err);
}

/* ------------------------------------------------------------------ */
/* Fixture setup                                                       */
/* ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	umask(022);
	snprintf(tmpdir, sizeof tmpdir, "%s/test_cfg.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	write_text("home.password", HOME_PASSWORD "\n", 0600);
	write_text("crlf.password", CRLF_PASSWORD "\r\nsecond line\n", 0600);
	write_text("auth.password", HTTP_PASSWORD, 0600);
	write_text("world.password", HOME_PASSWORD "\n", 0644);
	write_text("empty.password", "\n" HOME_PASSWORD "\n", 0600);
	write_text("home.token", HOME_TOKEN "\n", 0600);
	write_text("short.token", "short\n", 0600);
	write_text("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	make_dir("zoneinfo");
	make_dir("zoneinfo/Europe");
	write_file("zoneinfo/Europe/Berlin", "TZif2\0\0\0", 8, 0644);
	write_text("zoneinfo/zone.tab", "# not a zone file\n", 0644);
	char *tz = path_in("zoneinfo");
	setenv("TZDIR", tz, 1);
	free(tz);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	while (n_created > 0) {
		char *path = created[--n_created];
		struct stat st;

		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rmdir(path);
		else
			unlink(path);
		free(path);
	}
	return rmdir(tmpdir);
}

/* ------------------------------------------------------------------ */
/* Good configurations                                                 */
/* ------------------------------------------------------------------ */

static void assert_interfaces(const struct cfg_router *r, const char *const *names, size_t n)
{
	assert_int_equal(r->n_interfaces, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(r->interfaces[i], names[i]);
}

static void assert_global_defaults(const struct cfg *c)
{
	assert_string_equal(c->database, "/var/lib/tikstat/tikstat.db");
	assert_null(c->timezone);
	assert_int_equal(c->cycle_start_day, 1);
	assert_true(c->max_rate == UINT64_C(100000000000));
	assert_int_equal(c->commit_interval, 60);
	assert_string_equal(c->log_level, "info");
	assert_int_equal(c->retention[STEP_5MIN], 7 * 86400);
	assert_int_equal(c->retention[STEP_HOUR], 90 * 86400);
	assert_int_equal(c->retention[STEP_DAY], 0);
	assert_int_equal(c->retention[STEP_MONTH], 0);
	assert_int_equal(c->retention[STEP_YEAR], 0);
	assert_int_equal(c->n_listen, 1);
	assert_string_equal(c->listen[0], "127.0.0.1:8085");
	assert_null(c->auth_user);
	assert_null(c->auth_password);
}

static void minimal_config_takes_every_default(void **state)
{
	char err[512] = "";
	struct cfg *c = load_fixture("good-minimal.conf", 0644, err, sizeof err);
	char *path = path_in("good-minimal.conf");

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_string_equal(c->path, path);
	assert_global_defaults(c);
	assert_int_equal(c->n_routers, 1);
	const struct cfg_router *r = &c->routers[0];
	assert_string_equal(r->name, "home");
	assert_int_equal(r->mode, MODE_POLL);
	assert_string_equal(r->host, "192.168.88.1");
	assert_int_equal(r->port, 8728);
	assert_int_equal(r->tls, ROS_TLS_OFF);
	assert_null(r->tls_ca_file);
	assert_null(r->tls_fingerprint);
	assert_string_equal(r->user, "tikstat");
	assert_string_equal(r->password, HOME_PASSWORD);
	assert_interfaces(r, (const char *const[]){"ether1"}, 1);
	assert_int_equal(r->interval, 10);
	assert_int_equal(r->timeout, 5);
	assert_null(r->push_token);
	assert_null(r->ip_file);
	assert_true(r->quota == 0);
	assert_null(r->alert_command);
	assert_false(r->queues_all);
	assert_int_equal(r->n_queues, 0);
	assert_int_equal(r->devices, CFG_DEVICES_NONE);
	assert_int_equal(r->max_devices, 500);
	assert_int_equal(r->device_idle, 30 * 86400);
	assert_ptr_equal(cfg_router(c, "home"), r);
	assert_null(cfg_router(c, "office"));
	assert_int_equal(c->n_bills, 0);
	assert_null(cfg_bill(c, "home"));
	free(path);
	cfg_free(c);
}

/* The smallest router section, for files about other sections. */
#define ROUTER_A "[router a]\nhost = h\npassword = \"x\"\ninterfaces = e\n"

static void a_postgresql_database_is_kept_as_written_and_bounded(void **state)
{
	char err[1024] = "";
	(void)state;
	static const char *const uris[] = {
	        "postgresql://tikstat@db.example.net:5432/tikstat?passfile=/etc/tikstat/pgpass",
	        "postgres://localhost/tikstat", "postgresql:///tikstat?host=/run/postgresql"};
	for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "[tikstat]\ndatabase = %s\n" ROUTER_A, uris[i]);
		struct cfg *c = load_text("pg.conf", text, err, sizeof err);
		if (!c)
			fail_msg("%s: %s", uris[i], err);
		assert_string_equal(c->database, uris[i]); /* not made a path */
		cfg_free(c);
	}
	/* Too long, or a control character: refused without repeating it. */
	size_t n = 4200;
	char *text = malloc(n + 64);
	assert_non_null(text);
	int k = snprintf(text, n + 64, "[tikstat]\ndatabase = postgresql://u:" NEVER "@h/");
	memset(text + k, 'd', n - (size_t)k);
	snprintf(text + n, 64, "\n" ROUTER_A);
	assert_null(load_text("pglong.conf", text, err, sizeof err));
	assert_non_null(strstr(err, "at most 4096 bytes"));
	assert_no_secret(err);
	free(text);
	assert_null(load_text("pgctl.conf",
	                      "[tikstat]\ndatabase = postgresql://u:" NEVER "@h/d\x01\n" ROUTER_A,
	                      err, sizeof err));
	assert_non_null(strstr(err, "control character"));
	assert_no_secret(err);
}

static void full_config_sets_every_global_key(void **state)
{
	char err[512] = "";
	struct cfg *c = load_fixture("good-full.conf", 0600, err, sizeof err);
	char *db = path_in("tikstat.db");

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->database, db);
	assert_string_equal(c->timezone, "Europe/Berlin");
	assert_int_equal(c->cycle_start_day, 15);
	assert_true(c->max_rate == UINT64_C(2500000000));
	assert_int_equal(c->commit_interval, 300);
	assert_string_equal(c->log_level, "debug");
	assert_int_equal(c->retention[STEP_5MIN], 35 * 86400);
	assert_int_equal(c->retention[STEP_HOUR], 365 * 86400);
	assert_int_equal(c->retention[STEP_DAY], 3650 * 86400);
	assert_int_equal(c->retention[STEP_MONTH], INT64_C(36500) * 86400);
	assert_int_equal(c->retention[STEP_YEAR], 0);
	assert_int_equal(c->n_listen, 3);
	assert_string_equal(c->listen[0], "127.0.0.1:8085");
	assert_string_equal(c->listen[1], "[::1]:9100");
	assert_string_equal(c->listen[2], "*:8086");
	assert_string_equal(c->auth_user, "admin");
	assert_string_equal(c->auth_password, HTTP_PASSWORD);
	assert_int_equal(c->n_routers, 4);
	free(db);
	cfg_free(c);
}

static void full_config_sets_every_key_of_a_polled_router(void **state)
{
	char err[512] = "";
	struct cfg *c = load_fixture("good-full.conf", 0600, err, sizeof err);
	char *ip_file = path_in("home.ip");
	static const char *const names[] = {
	        "ether1",      "my, wan",    "pppoe-out1", "say \"hi\"",
	        "back\\slash", "  padded  ", "ether#2",
	};

	(void)state;
	if (!c)
		fail_msg("%s", err);
	const struct cfg_router *r = cfg_router(c, "home");
	assert_ptr_equal(r, &c->routers[0]);
	assert_int_equal(r->mode, MODE_POLL);
	assert_string_equal(r->host, "192.168.88.1");
	assert_int_equal(r->port, 18729);
	assert_int_equal(r->tls, ROS_TLS_FINGERPRINT);
	assert_null(r->tls_ca_file);
	assert_string_equal(r->tls_fingerprint,
	                    "sha256:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	                    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
	assert_string_equal(r->user, "api reader");
	assert_string_equal(r->password, CRLF_PASSWORD);
	assert_interfaces(r, names, sizeof names / sizeof names[0]);
	assert_int_equal(r->interval, 30);
	assert_int_equal(r->timeout, 60);
	assert_null(r->push_token);
	assert_string_equal(r->ip_file, ip_file);
	assert_true(r->quota == UINT64_C(1500000000000));
	assert_string_equal(r->alert_command, "/usr/local/bin/notify \"cap ; reached\" --to=admin");
	assert_false(r->queues_all);
	assert_int_equal(r->n_queues, 3);
	assert_string_equal(r->queues[0], "guest net");
	assert_string_equal(r->queues[2], "*"); /* quoted: a queue of that name */
	assert_int_equal(cfg_queue_index(r, "office"), 1);
	assert_int_equal(cfg_queue_index(r, "*"), 2);
	assert_int_equal(cfg_queue_index(r, "ether1"), -1);
	assert_int_equal(r->devices, CFG_DEVICES_KID_CONTROL);
	assert_int_equal(r->max_devices, 2000);
	assert_int_equal(r->device_idle, 7 * 86400);
	free(ip_file);
	cfg_free(c);
}

/* ip_interface: one name (any interface of the router), poll with ip_file. */
static void ip_interface_names_one_interface_for_ip_file(void **state)
{
	static const struct {
		const char *body, *message; /* message NULL: loads */
	} cases[] = {
	        {"ip_file = /run/home.ip\nip_interface = \"pppoe out\"\n", NULL},
	        {"ip_file = /run/home.ip\n", NULL},
	        {"ip_interface = pppoe-out1\n",
	         ":5: [router home] ip_interface: only used with ip_file"},
	        {"ip_file = /run/home.ip\nip_interface = ether1, ether2\n",
	         ":6: [router home] ip_interface: one interface name only"},
	        {"mode = push\npush_token_file = ipif.token\nip_file = /run/home.ip\n"
	         "ip_interface = ether1\n",
	         ":6: [router home] ip_interface: only used with mode = poll"},
	};
	char text[512], err[1024], *conf = path_in("ipif.conf");

	(void)state;
	write_text("ipif.token", "ipif-token-0123456789abcdef\n", 0600);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool push = strstr(cases[i].body, "mode = push") != NULL;
		snprintf(text, sizeof text, "[router home]\n%sinterfaces = ether1\n%s",
		         push ? "" : "host = 192.168.88.1\npassword = pw\n", cases[i].body);
		err[0] = '\0';
		struct cfg *c = load_text("ipif.conf", text, err, sizeof err);
		if (!cases[i].message) {
			if (!c)
				fail_msg("case %zu: %s", i, err);
			const struct cfg_router *r = cfg_router(c, "home");
			if (i == 0)
				assert_string_equal(r->ip_interface, "pppoe out");
			else
				assert_null(r->ip_interface);
			cfg_free(c);
			continue;
		}
		char want[1200];
		snprintf(want, sizeof want, "%s%s", conf, cases[i].message);
		if (c)
			fail_msg("case %zu loaded, expected: %s", i, want);
		assert_string_equal(err, want);
	}
	free(conf);
}

static void full_config_resolves_tls_ports_and_inline_passwords(void **state)
{
	char err[512] = "";
	struct cfg *c = load_fixture("good-full.conf", 0600, err, sizeof err);
	char *ca = path_in("ca.pem");

	(void)state;
	if (!c)
		fail_msg("%s", err);
	const struct cfg_router *r = cfg_router(c, "office");
	assert_non_null(r);
	assert_string_equal(r->host, "office.example.net");
	assert_int_equal(r->tls, ROS_TLS_VERIFY);
	assert_int_equal(r->port, 8729);
	assert_string_equal(r->tls_ca_file, ca);
	assert_string_equal(r->password, "Pa55w0rd ;#" NEVER);
	assert_interfaces(r, (const char *const[]){"sfp1"}, 1);
	assert_int_equal(r->timeout, 7);
	assert_string_equal(r->user, "tikstat");
	assert_true(r->queues_all);
	assert_int_equal(r->n_queues, 0);
	assert_int_equal(cfg_queue_index(r, "any queue"), -1);

	r = cfg_router(c, "anon.v6");
	assert_non_null(r);
	assert_string_equal(r->host, "2001:db8::1");
	assert_int_equal(r->tls, ROS_TLS_ANONYMOUS);
	assert_int_equal(r->port, 8729);
	assert_non_null(r->password);
	assert_string_equal(r->password, "");
	free(ca);
	cfg_free(c);
}

static void full_config_sets_every_key_of_a_pushing_router(void **state)
{
	char err[512] = "";
	struct cfg *c = load_fixture("good-full.conf", 0600, err, sizeof err);

	(void)state;
	if (!c)
		fail_msg("%s", err);
	const struct cfg_router *r = cfg_router(c, "phone_1");
	assert_ptr_equal(r, &c->routers[3]);
	assert_int_equal(r->mode, MODE_PUSH);
	assert_null(r->host);
	assert_null(r->password);
	assert_string_equal(r->push_token, HOME_TOKEN);
	assert_interfaces(r, (const char *const[]){"lte1"}, 1);
	assert_int_equal(r->interval, 60);
	assert_int_equal(r->timeout, 5);
	assert_string_equal(r->ip_file, "/run/tikstat/phone.ip");
	assert_true(r->quota == UINT64_C(10) * 1024 * 1024 * 1024);
	assert_null(r->alert_command);
	cfg_free(c);
}

static void assert_counter(const struct cfg_bill_counter *bc, size_t router,
                           enum cfg_counter_kind kind, const char *name)
{
	assert_int_equal(bc->router, router);
	assert_int_equal(bc->kind, kind);
	assert_string_equal(bc->name, name);
}

/* Bills resolve each counter to its router and kind, wherever the
 * routers are in the file; a bill's keys left out take their defaults. */
static void full_config_sets_every_key_of_a_bill(void **state)
{
	char err[512] = "";
	struct cfg *c = load_fixture("good-full.conf", 0600, err, sizeof err);
	const struct cfg_bill *b;

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_bills, 2);
	b = cfg_bill(c, "internet");
	assert_ptr_equal(b, &c->bills[1]);
	assert_int_equal(b->n_counters, 3);
	assert_counter(&b->counters[0], 0, CFG_COUNTER_INTERFACE, "ether1");
	assert_counter(&b->counters[1], 0, CFG_COUNTER_INTERFACE, "my, wan");
	assert_counter(&b->counters[2], 1, CFG_COUNTER_INTERFACE, "sfp1");
	assert_int_equal(b->direction, CFG_DIR_RX);
	assert_int_equal(b->cycle_start_day, 3);
	assert_true(b->quota == UINT64_C(2000000000000));
	assert_string_equal(b->alert_command, "/usr/local/bin/notify bill \"internet\"");
	assert_int_equal(b->percentile, 95);
	assert_true(b->committed_bps == UINT64_C(100000000));

	b = cfg_bill(c, "kids");
	assert_ptr_equal(b, &c->bills[0]);
	assert_int_equal(b->n_counters, 4);
	assert_counter(&b->counters[0], 0, CFG_COUNTER_DEVICE, "AA:BB:CC:DD:EE:0F");
	assert_counter(&b->counters[1], 0, CFG_COUNTER_QUEUE, "guest net");
	assert_counter(&b->counters[2], 1, CFG_COUNTER_QUEUE, "any queue"); /* queues = * */
	assert_counter(&b->counters[3], 3, CFG_COUNTER_INTERFACE, "lte1");  /* a pushing router */
	assert_int_equal(b->direction, CFG_DIR_BOTH);
	assert_int_equal(b->cycle_start_day, 15); /* [tikstat] */
	assert_true(b->quota == 0);
	assert_null(b->alert_command);
	assert_int_equal(b->percentile, 0);
	assert_true(b->committed_bps == 0);
	assert_null(cfg_bill(c, "home"));
	assert_null(cfg_bill(NULL, "kids"));
	cfg_free(c);
}

/* A daemon without routers does nothing: an empty or wrong file is an
 * error at start, with --check-config and on a reload. */
static void config_without_routers_is_an_error(void **state)
{
	char err[512];
	char *want;

	(void)state;
	assert_null(load_text("empty.conf", "", err, sizeof err));
	want = expected_message("empty.conf",
	                        "@CONF@: no [router NAME] section: nothing to poll or receive");
	assert_string_equal(err, want);
	free(want);

	assert_null(load_text("comments.conf", "; only\n# comments\n\n   \n[tikstat]\n[http]\n",
	                      err, sizeof err));
	want = expected_message("comments.conf",
	                        "@CONF@: no [router NAME] section: nothing to poll or receive");
	assert_string_equal(err, want);
	free(want);
}

/* Appends "[router big]" with n interfaces e0..e(n-1) (e[dup] again at
 * the end when dup < n) to a new string. */
static char *big_router_text(size_t n, size_t dup)
{
	size_t cap = 64 + n * 16;
	char *t = malloc(cap);
	size_t len;

	assert_non_null(t);
	len = (size_t)snprintf(t, cap, "[router big]\nhost = h\npassword = \"x\"\ninterfaces = ");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "%se%zu", i ? ", " : "", i);
	if (dup < n)
		len += (size_t)snprintf(t + len, cap - len, ", e%zu", dup);
	snprintf(t + len, cap - len, "\n");
	return t;
}

/* The duplicate check sorts (it was a scan per name: quadratic), and
 * still names the name whose repetition comes first. */
static void thousands_of_interfaces_load_and_duplicates_are_found(void **state)
{
	char err[512];
	char *text = big_router_text(5000, SIZE_MAX);
	struct cfg *c;
	char *want;

	(void)state;
	c = load_text("big.conf", text, err, sizeof err);
	free(text);
	assert_non_null(c);
	assert_int_equal(c->routers[0].n_interfaces, 5000);
	assert_string_equal(c->routers[0].interfaces[0], "e0");
	assert_string_equal(c->routers[0].interfaces[4999], "e4999");
	for (long i = 0; i < 5000; i += 7) {
		char name[16];

		snprintf(name, sizeof name, "e%ld", i);
		assert_int_equal(cfg_interface_index(&c->routers[0], name), i);
	}
	assert_int_equal(cfg_interface_index(&c->routers[0], "e4999"), 4999);
	assert_int_equal(cfg_interface_index(&c->routers[0], "e"), -1);
	assert_int_equal(cfg_interface_index(&c->routers[0], "e5000"), -1);
	assert_int_equal(cfg_interface_index(&c->routers[0], "zzz"), -1);
	cfg_free(c);

	c = load_text("one.conf", "[router a]\nhost = h\npassword = \"x\"\ninterfaces = e\n", err,
	              sizeof err);
	assert_non_null(c);
	assert_int_equal(cfg_interface_index(&c->routers[0], "e"), 0);
	assert_int_equal(cfg_interface_index(&c->routers[0], "f"), -1);
	cfg_free(c);

	text = big_router_text(5000, 1234);
	assert_null(load_text("big-dup.conf", text, err, sizeof err));
	free(text);
	want = expected_message("big-dup.conf",
	                        "@CONF@:4: [router big] interfaces: 'e1234' is listed twice");
	assert_string_equal(err, want);
	free(want);

	/* Two names repeated: the one repeated first is named. */
	assert_null(load_text("two-dups.conf",
	                      "[router a]\nhost = h\npassword = \"x\"\n"
	                      "interfaces = z, y, x, y, z\n",
	                      err, sizeof err));
	want = expected_message("two-dups.conf",
	                        "@CONF@:4: [router a] interfaces: 'y' is listed twice");
	assert_string_equal(err, want);
	free(want);
}

/* The daemon binds at most CFG_MAX_LISTEN addresses: more entries are
 * refused by the config check itself, naming the key and the limit. */
static void listen_entries_beyond_the_limit_are_refused(void **state)
{
	char text[2048], err[512];
	size_t len;
	struct cfg *c;
	char *want;

	(void)state;
	len = (size_t)snprintf(text, sizeof text, "[http]\nlisten = ");
	for (int i = 0; i < CFG_MAX_LISTEN; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%s127.0.0.1:%d",
		                        i ? ", " : "", 20000 + i);
	snprintf(text + len, sizeof text - len,
	         "\n[router a]\nhost = h\npassword = \"x\"\ninterfaces = e\n");
	c = load_text("listen-max.conf", text, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->n_listen, CFG_MAX_LISTEN);
	cfg_free(c);

	len = (size_t)snprintf(text, sizeof text, "[http]\nlisten = ");
	for (int i = 0; i <= CFG_MAX_LISTEN; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%s127.0.0.1:%d",
		                        i ? ", " : "", 20000 + i);
	snprintf(text + len, sizeof text - len,
	         "\n[router a]\nhost = h\npassword = \"x\"\ninterfaces = e\n");
	assert_null(load_text("listen-too-many.conf", text, err, sizeof err));
	want = expected_message("listen-too-many.conf",
	                        "@CONF@:2: [http] listen: 17 entries: at most 16 addresses can be "
	                        "listened on");
	assert_string_equal(err, want);
	free(want);
}

/* A secret file of another user: that user could read it or plant a
 * password. Only root and the daemon's user (cfg_secret_owner) may own
 * it. Needs root to give files away. */
static void secret_file_of_another_user_is_refused(void **state)
{
	static const char conf[] = "[router a]\nhost = h\npassword_file = other.password\n"
	                           "interfaces = e\n";
	struct passwd *pw = getpwnam("nobody");
	char *secret = path_in("other.password");
	char *confpath = path_in("other.conf");
	char err[1024], want[2048];
	uid_t nobody;
	struct cfg *c;

	(void)state;
	write_text("other.password", HOME_PASSWORD "\n", 0600);
	if (geteuid() != 0 || !pw || chown(secret, pw->pw_uid, pw->pw_gid) != 0) {
		free(secret);
		free(confpath);
		skip(); /* needs root and the user nobody */
	}
	nobody = pw->pw_uid;
	assert_null(load_text("other.conf", conf, err, sizeof err));
	snprintf(want, sizeof want,
	         "%s:3: [router a] password_file: %s is owned by nobody (uid %ld): a file holding "
	         "a secret must belong to root or to the user tikstatd runs as (-u USER): "
	         "chown root %s",
	         confpath, secret, (long)nobody, secret);
	assert_string_equal(err, want);
	assert_no_secret(err);

	/* tikstatd -u nobody: nobody's file is accepted, root's still. */
	cfg_secret_owner(nobody);
	c = load_text("other.conf", conf, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(c->routers[0].password, HOME_PASSWORD);
	assert_string_equal(c->routers[0].password_file, secret);
	cfg_free(c);
	assert_int_equal(chown(secret, 0, 0), 0);
	c = load_text("other.conf", conf, err, sizeof err);
	assert_non_null(c);
	cfg_free(c);

	/* An inline password in a config file of another user: the same. */
	cfg_secret_owner(0);
	c = load_text("other-inline.conf",
	              "[router a]\nhost = h\npassword = \"x\"\ninterfaces = e\n", err, sizeof err);
	assert_non_null(c);
	cfg_free(c);
	free(confpath);
	confpath = path_in("other-inline.conf");
	assert_int_equal(chown(confpath, nobody, (gid_t)-1), 0);
	assert_null(cfg_load(confpath, err, sizeof err));
	assert_non_null(strstr(err, "is owned by nobody"));
	cfg_secret_owner((uid_t)-1);
	free(secret);
	free(confpath);
}

/* A reload by a daemon that gave up root: a secret file it may not open
 * any more keeps the secret already loaded when its path is unchanged; a
 * new path must be readable. Unreadable for the owner only without root
 * (chmod 000); as root the daemon test (tests/e2e) covers it. */
static void reload_keeps_a_secret_it_cannot_read_again(void **state)
{
	static const char conf[] = "[router a]\nhost = h\npassword_file = kept.password\n"
	                           "interfaces = e\n";
	char *secret = path_in("kept.password");
	char *confpath = path_in("kept.conf");
	char err[1024];
	struct cfg *first, *next;

	(void)state;
	write_text("kept.password", HOME_PASSWORD "\n", 0600);
	first = load_text("kept.conf", conf, err, sizeof err);
	assert_non_null(first);
	if (geteuid() == 0) {
		cfg_free(first);
		free(secret);
		free(confpath);
		skip();
	}
	assert_int_equal(chmod(secret, 0), 0);
	assert_null(cfg_load(confpath, err, sizeof err)); /* a fresh load cannot */
	assert_non_null(strstr(err, "Permission denied"));
	next = cfg_reload(confpath, first, err, sizeof err);
	assert_non_null(next);
	assert_string_equal(next->routers[0].password, HOME_PASSWORD);
	cfg_free(next);
	write_text("kept-other.conf",
	           "[router b]\nhost = h\npassword_file = kept.password\ninterfaces = e\n", 0600);
	free(confpath);
	confpath = path_in("kept-other.conf");
	assert_null(cfg_reload(confpath, first, err, sizeof err)); /* another router's key */
	assert_int_equal(chmod(secret, 0600), 0);
	cfg_free(first);
	free(secret);
	free(confpath);
}

static void crlf_lines_and_a_byte_order_mark_are_accepted(void **state)
{
	char err[256];
	struct cfg *c = load_text("crlf.conf",
	                          "\xEF\xBB\xBF[router home]\r\nhost = 10.0.0.1\r\n"
	                          "password = \"x\"\r\ninterfaces = ether1 \r\n",
	                          err, sizeof err);

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->routers[0].host, "10.0.0.1");
	assert_string_equal(c->routers[0].password, "x");
	assert_interfaces(&c->routers[0], (const char *const[]){"ether1"}, 1);
	cfg_free(c);
}

static void lines_of_any_length_are_read_whole(void **state)
{
	char text[4096];
	char err[256];
	size_t n = (size_t)snprintf(text, sizeof text,
	                            "[router home]\nhost = 10.0.0.1\npassword = x\ninterfaces = ");
	struct cfg *c;

	(void)state;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s\"vlan %03d\"", i ? ", " : "",
		                      i);
	snprintf(text + n, sizeof text - n, " ; %d names\ninterval = 7\n", 100);
	c = load_text("long.conf", text, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->routers[0].n_interfaces, 100);
	assert_string_equal(c->routers[0].interfaces[0], "vlan 000");
	assert_string_equal(c->routers[0].interfaces[99], "vlan 099");
	assert_int_equal(c->routers[0].interval, 7);
	cfg_free(c);
}

static void interfaces_are_trimmed_unquoted_and_unescaped(void **state)
{
	char err[256];
	struct cfg *c =
	        load_text("quotes.conf",
	                  "[router home]\nhost = h\npassword = x\n"
	                  "interfaces = ether1, \"my, wan\" , \"pppoe-out1\",\t\"a;b\" ;c\n",
	                  err, sizeof err);

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_interfaces(&c->routers[0],
	                  (const char *const[]){"ether1", "my, wan", "pppoe-out1", "a;b"}, 4);
	cfg_free(c);
}

static void inline_comments_need_a_blank_and_stop_at_quotes(void **state)
{
	char err[256];
	struct cfg *c = load_text("comments2.conf",
	                          "[router home] ; the main one\n"
	                          "host = h # a ';' or '#' after a blank starts a comment\n"
	                          "user = a;b#c\t;tab\n"
	                          "password = \"p ; #q\" ; quoted: kept\n"
	                          "interfaces = ether1 ;\n",
	                          err, sizeof err);

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->routers[0].host, "h");
	assert_string_equal(c->routers[0].user, "a;b#c");
	assert_string_equal(c->routers[0].password, "p ; #q");
	cfg_free(c);
}

static void indented_lines_and_colon_separators_are_keys(void **state)
{
	char err[256];
	struct cfg *c = load_text(
	        "indent.conf", "  [router home]\n\thost = h\n    password: x\n  interfaces =e1\n",
	        err, sizeof err);

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->routers[0].host, "h");
	assert_string_equal(c->routers[0].password, "x");
	assert_interfaces(&c->routers[0], (const char *const[]){"e1"}, 1);
	cfg_free(c);
}

static void relative_file_names_are_taken_from_the_config_directory(void **state)
{
	char err[256];
	struct cfg *c = load_text("relative.conf",
	                          "[tikstat]\ndatabase = db/t.db\n[router home]\nhost = h\n"
	                          "password_file = home.password\ninterfaces = e1\n",
	                          err, sizeof err);
	char *db = path_in("db/t.db");

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->database, db);
	assert_string_equal(c->routers[0].password, HOME_PASSWORD);
	free(db);
	cfg_free(c);
}

static void empty_values_keep_the_default(void **state)
{
	char err[256];
	struct cfg *c = load_text("empty-values.conf",
	                          "[tikstat]\ndatabase =\ntimezone =\nmax_rate =\n"
	                          "[http]\nlisten =\nauth_user =\nauth_password_file =\n"
	                          "[router home]\nhost = h\npassword = x\ninterfaces = e1\n"
	                          "tls_ca_file =\ntls_fingerprint =\nuser =\nquota =\n",
	                          err, sizeof err);

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_global_defaults(c);
	assert_string_equal(c->routers[0].user, "tikstat");
	assert_null(c->routers[0].tls_ca_file);
	cfg_free(c);
}

static void the_example_config_loads(void **state)
{
	char err[512] = "";
	char *text = read_all(FIXTURES_DIR "/../../etc/tikstat.conf");
	char *dir = path_in("");
	struct cfg *c;

	(void)state;
	/* the example's secrets live in /etc/tikstat/; here in tmpdir */
	text = subst(text, "/etc/tikstat/", dir);
	c = load_text("example.conf", text, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_global_defaults(c);
	assert_true(c->n_routers >= 1);
	const struct cfg_router *r = &c->routers[0];
	assert_int_equal(r->mode, MODE_POLL);
	assert_int_equal(r->tls, ROS_TLS_FINGERPRINT);
	assert_int_equal(r->port, 8729);
	assert_non_null(r->tls_fingerprint);
	assert_string_equal(r->password, HOME_PASSWORD);
	assert_true(r->n_interfaces >= 1);
	free(dir);
	free(text);
	cfg_free(c);
}

/* The example's commented queue and device keys and its bill are valid
 * once uncommented. */
static void the_example_bill_loads_when_uncommented(void **state)
{
	char err[512] = "";
	char *text = read_all(FIXTURES_DIR "/../../etc/tikstat.conf");
	char *dir = path_in("");
	char *bill = strstr(text, "\n;[bill internet]");
	struct cfg *c;

	(void)state;
	assert_non_null(bill);
	*bill = '\0'; /* the text before the bill, then the bill uncommented */
	char *tail = subst(strdup(bill + 1), "\n;", "\n");
	tail = subst(tail, ";[bill", "[bill");
	text = subst(text, "\n;queues ", "\nqueues ");
	text = subst(text, "\n;devices ", "\ndevices ");
	text = subst(text, "\n;max_devices ", "\nmax_devices ");
	text = subst(text, "\n;device_idle ", "\ndevice_idle ");
	text = subst(text, "\n;retention_5min  = 7d", "\nretention_5min  = 32d");
	text = subst(text, "/etc/tikstat/", dir);
	char *whole = malloc(strlen(text) + strlen(tail) + 2);
	assert_non_null(whole);
	sprintf(whole, "%s\n%s", text, tail);
	c = load_text("example-bill.conf", whole, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_true(c->routers[0].queues_all);
	assert_int_equal(c->routers[0].devices, CFG_DEVICES_KID_CONTROL);
	assert_int_equal(c->n_bills, 1);
	const struct cfg_bill *b = &c->bills[0];
	assert_string_equal(b->name, "internet");
	assert_int_equal(b->n_counters, 2);
	assert_counter(&b->counters[0], 0, CFG_COUNTER_INTERFACE, "ether1");
	assert_counter(&b->counters[1], 0, CFG_COUNTER_INTERFACE, "pppoe-out1");
	assert_int_equal(b->percentile, 95);
	assert_non_null(b->alert_command);
	cfg_free(c);
	free(whole);
	free(tail);
	free(dir);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Broken configurations                                               */
/* ------------------------------------------------------------------ */

struct bad_case {
	const char *fixture;
	mode_t mode;
	const char *message; /* @CONF@: the loaded file; @DIR@: tmpdir */
};

static void check_bad_cases(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char err[1024] = "";
		struct cfg *c = load_fixture(cases[i].fixture, cases[i].mode ? cases[i].mode : 0600,
		                             err, sizeof err);
		char *want = expected_message(cases[i].fixture, cases[i].message);

		if (c)
			fail_msg("%s loaded, expected: %s", cases[i].fixture, want);
		assert_string_equal(err, want);
		assert_no_secret(err);
		free(want);
	}
}

#define CHECK_BAD(cases) check_bad_cases(cases, sizeof cases / sizeof cases[0])

static void structure_errors_name_file_line_and_problem(void **state)
{
	static const struct bad_case cases[] = {
	        {"bad-unknown-key.conf", 0, "@CONF@:4: unknown key 'foo' in [tikstat]"},
	        {"bad-unknown-router-key.conf", 0,
	         "@CONF@:4: unknown key 'intervall' in [router home]"},
	        {"bad-unknown-section.conf", 0, "@CONF@:2: unknown section [tikstats]"},
	        {"bad-duplicate-section.conf", 0,
	         "@CONF@:5: duplicate section [tikstat] (first on line 2)"},
	        {"bad-duplicate-router.conf", 0,
	         "@CONF@:7: duplicate router 'home' (first defined on line 2)"},
	        {"bad-duplicate-key.conf", 0,
	         "@CONF@:5: [tikstat] cycle_start_day: duplicate key (first set on line 3)"},
	        {"bad-router-name.conf", 0,
	         "@CONF@:2: invalid router name 'my home': use letters, digits, '-', '_' and '.'"},
	        {"bad-router-name-empty.conf", 0,
	         "@CONF@:2: [router] needs a name, e.g. [router home]"},
	        {"bad-key-outside-section.conf", 0,
	         "@CONF@:2: key 'database' outside of a section (start with [tikstat], [http] or "
	         "[router NAME])"},
	        {"bad-syntax.conf", 0,
	         "@CONF@:3: syntax error: expected 'key = value' or '[section]'"},
	        {"bad-section-syntax.conf", 0, "@CONF@:2: syntax error: missing ']'"},
	};

	(void)state;
	CHECK_BAD(cases);
}

static void tikstat_section_errors_give_the_reason(void **state)
{
	static const struct bad_case cases[] = {
	        {"bad-cycle-start-day.conf", 0,
	         "@CONF@:3: [tikstat] cycle_start_day: must be 1 to 28, got 31"},
	        {"bad-rate.conf", 0,
	         "@CONF@:3: [tikstat] max_rate: invalid rate 'fast' (bits/s, e.g. 100M, 1G or "
	         "2.5G)"},
	        {"bad-commit-interval.conf", 0,
	         "@CONF@:3: [tikstat] commit_interval: must be 1 to 86400 seconds, got 2d"},
	        {"bad-retention.conf", 0,
	         "@CONF@:3: [tikstat] retention_hour: invalid duration 'never' (e.g. 7d, 90d or "
	         "forever)"},
	        {"bad-log-level.conf", 0,
	         "@CONF@:3: [tikstat] log_level: must be error, warning, info or debug, got "
	         "'verbose'"},
	        {"bad-timezone.conf", 0,
	         "@CONF@:3: [tikstat] timezone: unknown time zone 'Mars/Olympus_Mons' (no such "
	         "zone file under @DIR@/zoneinfo)"},
	        {"bad-timezone-path.conf", 0,
	         "@CONF@:3: [tikstat] timezone: invalid time zone name '../../etc/passwd' (use an "
	         "IANA name such as Europe/Berlin)"},
	};

	(void)state;
	CHECK_BAD(cases);
}

static void http_section_errors_give_the_reason(void **state)
{
	static const struct bad_case cases[] = {
	        {"bad-listen.conf", 0,
	         "@CONF@:3: [http] listen: '127.0.0.1:70000': the port must be 1 to 65535"},
	        {"bad-listen-v6.conf", 0,
	         "@CONF@:3: [http] listen: '::1:8085': an IPv6 address needs brackets, e.g. "
	         "[::1]:8085"},
	        {"bad-auth-user-alone.conf", 0,
	         "@CONF@:3: [http] auth_password_file: required with auth_user"},
	        {"bad-auth-password-file-alone.conf", 0,
	         "@CONF@:3: [http] auth_user: required with auth_password_file"},
	};

	(void)state;
	CHECK_BAD(cases);
}

static void router_section_errors_give_the_reason(void **state)
{
	static const struct bad_case cases[] = {
	        {"bad-mode.conf", 0,
	         "@CONF@:3: [router home] mode: must be poll or push, got 'pull'"},
	        {"bad-host.conf", 0,
	         "@CONF@:3: [router home] host: invalid host '192.168.88.1:8728' (a name or an "
	         "address, without brackets or port)"},
	        {"bad-host-missing.conf", 0,
	         "@CONF@:2: [router home] host: required with mode = poll"},
	        {"bad-port.conf", 0, "@CONF@:3: [router home] port: must be 1 to 65535, got 0"},
	        {"bad-tls.conf", 0,
	         "@CONF@:4: [router home] tls: must be off, verify, fingerprint or anonymous, got "
	         "'on'"},
	        {"bad-fingerprint.conf", 0,
	         "@CONF@:5: [router home] tls_fingerprint: expected 'sha256:' and 64 hex digits "
	         "(colons and case ignored), got 'sha256:AB:CD'"},
	        {"bad-fingerprint-missing.conf", 0,
	         "@CONF@:6: [router home] tls_fingerprint: required with tls = fingerprint"},
	        {"bad-fingerprint-unused.conf", 0,
	         "@CONF@:7: [router home] tls_fingerprint: only used with tls = fingerprint"},
	        {"bad-ca-file-unused.conf", 0,
	         "@CONF@:6: [router home] tls_ca_file: only used with tls = verify"},
	        {"bad-ca-file-missing.conf", 0,
	         "@CONF@:5: [router home] tls_ca_file: cannot read @DIR@/missing.pem: No such file "
	         "or directory"},
	        {"bad-interfaces-missing.conf", 0, "@CONF@:2: [router home] interfaces: required"},
	        {"bad-interfaces-duplicate.conf", 0,
	         "@CONF@:3: [router home] interfaces: 'ether1' is listed twice"},
	        {"bad-interfaces-quote.conf", 0,
	         "@CONF@:3: [router home] interfaces: entry 2: unterminated quote"},
	        {"bad-interfaces-empty-entry.conf", 0,
	         "@CONF@:3: [router home] interfaces: entry 2: empty name"},
	        {"bad-size.conf", 0,
	         "@CONF@:3: [router home] quota: invalid size '500X' (bytes, e.g. 500G, 1.5T or "
	         "800Gi)"},
	        {"bad-size-overflow.conf", 0,
	         "@CONF@:3: [router home] quota: size '20000P' is too large"},
	        {"bad-duration.conf", 0,
	         "@CONF@:3: [router home] interval: invalid duration '10x' (seconds, or e.g. 30s, "
	         "5m, 2h)"},
	        {"bad-interval-zero.conf", 0,
	         "@CONF@:3: [router home] interval: must be 1 to 86400 seconds, got 0"},
	        {"bad-push-without-token.conf", 0,
	         "@CONF@:3: [router phone] push_token_file: required with mode = push"},
	        {"bad-push-token-short.conf", 0,
	         "@CONF@:4: [router phone] push_token_file: the token is shorter than 16 "
	         "characters"},
	        {"bad-push-token-shared.conf", 0,
	         "@CONF@:9: [router car] push_token_file: the same token as router 'phone': each "
	         "router needs its own"},
	        {"bad-push-with-host.conf", 0,
	         "@CONF@:6: [router phone] host: only used with mode = poll"},
	        {"bad-poll-with-token.conf", 0,
	         "@CONF@:6: [router home] push_token_file: only used with mode = push"},
	};

	(void)state;
	CHECK_BAD(cases);
}

static void password_errors_give_the_reason_and_never_the_secret(void **state)
{
	static const struct bad_case cases[] = {
	        {"bad-password-both.conf", 0,
	         "@CONF@:5: [router home] password: password and password_file are mutually "
	         "exclusive"},
	        {"bad-password-missing.conf", 0,
	         "@CONF@:2: [router home] password: password or password_file is required with "
	         "mode = poll"},
	        {"bad-password-file-mode.conf", 0,
	         "@CONF@:4: [router home] password_file: @DIR@/world.password is readable by group "
	         "or others (mode 0644): chmod 600 @DIR@/world.password, or chmod 640 with group "
	         "tikstat"},
	        {"bad-password-file-missing.conf", 0,
	         "@CONF@:4: [router home] password_file: cannot open @DIR@/missing.password: No "
	         "such file or directory"},
	        {"bad-password-file-empty.conf", 0,
	         "@CONF@:4: [router home] password_file: the first line of @DIR@/empty.password is "
	         "empty"},
	        {"bad-password-inline-readable.conf", 0644,
	         "@CONF@:4: [router home] password: @CONF@ holds this password but is readable by "
	         "group or others (mode 0644): chmod 600 @CONF@, or chmod 640 with group tikstat, "
	         "or use password_file"},
	        {"bad-password-quote.conf", 0,
	         "@CONF@:4: [router home] password: unterminated quote"},
	};

	(void)state;
	CHECK_BAD(cases);
}

static void malformed_secret_values_are_not_echoed(void **state)
{
	static const char *const texts[] = {
	        "[router a]\npassword = \"" NEVER "\\q\"\n",
	        "[router a]\npassword = \"" NEVER "\" trailing\n",
	        "[router a]\npassword = " NEVER "\x01\n",
	};
	static const char *const reasons[] = {
	        "unknown escape inside quotes (only \\\" and \\\\ are allowed)",
	        "text after the closing quote",
	        "contains a control character",
	};

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char err[512];
		char want[600];
		char *path = path_in("secret-echo.conf");

		assert_null(load_text("secret-echo.conf", texts[i], err, sizeof err));
		snprintf(want, sizeof want, "%s:2: [router a] password: %s", path, reasons[i]);
		assert_string_equal(err, want);
		assert_no_secret(err);
		free(path);
	}
}

static const char group_conf[] =
        "[router a]\nhost = h\npassword_file = group.password\ninterfaces = e\n";

static void group_readable_secret_of_another_group_is_refused(void **state)
{
	char err[512];
	char want[1024];
	char *secret = path_in("group.password");
	char *conf = path_in("group.conf");
	struct group *g = getgrnam("tikstat");

	(void)state;
	write_text("group.password", HOME_PASSWORD "\n", 0640);
	if (g && getegid() == g->gr_gid)
		skip(); /* our files get group tikstat: nothing to refuse */
	assert_null(load_text("group.conf", group_conf, err, sizeof err));
	snprintf(want, sizeof want,
	         "%s:3: [router a] password_file: %s is readable by group or others (mode 0640): "
	         "chmod 600 %s, or chmod 640 with group tikstat",
	         conf, secret, secret);
	assert_string_equal(err, want);
	assert_no_secret(err);
	free(secret);
	free(conf);
}

static void group_readable_secret_of_group_tikstat_is_accepted(void **state)
{
	char err[512];
	char *secret = path_in("tikstat-group.password");
	struct group *g = getgrnam("tikstat");
	bool chgrp_ok;
	struct cfg *c;

	(void)state;
	write_text("tikstat-group.password", HOME_PASSWORD "\n", 0640);
	chgrp_ok = g && chown(secret, (uid_t)-1, g->gr_gid) == 0;
	free(secret);
	if (!chgrp_ok)
		skip(); /* needs the group tikstat and the right to chgrp to it */
	c = load_text("tikstat-group.conf",
	              "[router a]\nhost = h\npassword_file = tikstat-group.password\n"
	              "interfaces = e\n",
	              err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_string_equal(c->routers[0].password, HOME_PASSWORD);
	cfg_free(c);
}

static void file_level_errors_name_the_file(void **state)
{
	char err[PATH_MAX + 100];
	char want[PATH_MAX + 100];
	char *missing = path_in("missing.conf");

	(void)state;
	assert_null(cfg_load(missing, err, sizeof err));
	snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
	assert_string_equal(err, want);

	assert_null(cfg_load(tmpdir, err, sizeof err));
	snprintf(want, sizeof want, "%s: not a regular file", tmpdir);
	assert_string_equal(err, want);

	assert_null(cfg_load(NULL, err, sizeof err));
	assert_string_equal(err, "(null): no configuration file given");

	/* a directory and a file that is not TZif are no zones */
	assert_null(load_text("zone.conf", "[tikstat]\ntimezone = Europe\n", err, sizeof err));
	assert_non_null(strstr(err, "unknown time zone 'Europe'"));
	assert_null(load_text("zone.conf", "[tikstat]\ntimezone = zone.tab\n", err, sizeof err));
	assert_non_null(strstr(err, "unknown time zone 'zone.tab'"));
	free(missing);
}

static void errors_fit_any_buffer(void **state)
{
	char err[16];
	char *path = path_in("bad-unknown-key.conf");

	(void)state;
	assert_null(load_fixture("bad-unknown-key.conf", 0600, err, sizeof err));
	assert_int_equal(strlen(err), sizeof err - 1);
	assert_memory_equal(err, path, sizeof err - 1);
	assert_null(load_fixture("bad-unknown-key.conf", 0600, NULL, 0));
	assert_null(load_fixture("bad-unknown-key.conf", 0600, err, 0));
	cfg_free(NULL);
	free(path);
}

/* Every error of a file is reported, in file order, one a line; a section
 * whose keys had errors is not checked across its keys (router b lacks
 * host, password and interfaces: its interval error is enough). */
static void every_error_in_the_file_is_reported_in_order(void **state)
{
	char err[CFG_ERR_SIZE];
	char *want;

	(void)state;
	assert_null(load_text("three.conf",
	                      "[tikstat]\ncycle_start_day = 0\n"
	                      "[router a]\nhost = h\nport = 0\npassword = \"x\"\ninterfaces = e\n"
	                      "[router b]\ninterval = 0\n",
	                      err, sizeof err));
	want = expected_message("three.conf",
	                        "@CONF@:2: [tikstat] cycle_start_day: must be 1 to 28, got 0\n"
	                        "@CONF@:5: [router a] port: must be 1 to 65535, got 0\n"
	                        "@CONF@:9: [router b] interval: must be 1 to 86400 seconds, got 0");
	assert_string_equal(err, want);
	free(want);

	/* structure errors and checks at a section's end mix in line order */
	assert_null(load_text("mixed.conf",
	                      "nothing here\n[http]\nauth_user = u\n[router a]\nhost = h\n"
	                      "password = \"x\"\nfoo = 1\ninterfaces = e\n[router c]\n",
	                      err, sizeof err));
	want = expected_message("mixed.conf",
	                        "@CONF@:1: syntax error: expected 'key = value' or '[section]'\n"
	                        "@CONF@:3: [http] auth_password_file: required with auth_user\n"
	                        "@CONF@:7: unknown key 'foo' in [router a]\n"
	                        "@CONF@:9: [router c] interfaces: required");
	assert_string_equal(err, want);
	free(want);
}

/* A bad section header is one error: the keys under it are not each
 * reported as unknown; the next good header starts checking again. */
static void a_bad_section_header_is_one_error(void **state)
{
	char err[CFG_ERR_SIZE];
	char *want;

	(void)state;
	assert_null(load_text("header.conf",
	                      "[tikstats]\nfoo = 1\nbar = 2\n[router a\nx = 1\n[router bad/name]\n"
	                      "port = 0\n[router a]\nhost = h\npassword = \"x\"\ninterfaces = e\n"
	                      "[router a]\ny = 1\n[http]\nlisten = nowhere\n",
	                      err, sizeof err));
	want = expected_message(
	        "header.conf",
	        "@CONF@:1: unknown section [tikstats]\n"
	        "@CONF@:4: syntax error: missing ']'\n"
	        "@CONF@:6: invalid router name 'bad/name': use letters, digits, '-', '_' and '.'\n"
	        "@CONF@:12: duplicate router 'a' (first defined on line 8)\n"
	        "@CONF@:15: [http] listen: 'nowhere': missing ':PORT'");
	assert_string_equal(err, want);
	free(want);
}

/* At most CFG_MAX_ERRORS lines, then how many more there were; a small
 * buffer takes the whole lines that fit and counts the rest. */
static void errors_beyond_the_cap_are_counted(void **state)
{
	char text[2048], err[CFG_ERR_SIZE], small[300];
	size_t len = (size_t)snprintf(text, sizeof text, "[tikstat]\n");
	char *conf = path_in("many.conf");
	char want[PATH_MAX + 100];
	const char *last;
	size_t lines = 1;

	(void)state;
	for (int i = 0; i < CFG_MAX_ERRORS + 10; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "k%d = 1\n", i);
	assert_null(load_text("many.conf", text, err, sizeof err));
	for (const char *c = err; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, CFG_MAX_ERRORS + 1);
	last = strrchr(err, '\n') + 1;
	snprintf(want, sizeof want, "%s: 10 more errors", conf);
	assert_string_equal(last, want);
	snprintf(want, sizeof want, "%s:%d: unknown key 'k%d' in [tikstat]\n", conf,
	         CFG_MAX_ERRORS + 1, CFG_MAX_ERRORS - 1);
	assert_non_null(strstr(err, want)); /* the 50th, the last shown */

	assert_null(load_text("many.conf", text, small, sizeof small));
	assert_true(strlen(small) < sizeof small);
	last = strrchr(small, '\n') + 1;
	assert_non_null(strstr(last, " more errors"));
	assert_true(strncmp(last, conf, strlen(conf)) == 0);
	snprintf(want, sizeof want, "%s:2: unknown key 'k0' in [tikstat]\n", conf);
	assert_true(strncmp(small, want, strlen(want)) == 0);
	free(conf);
}

/* ------------------------------------------------------------------ */
/* Queues, devices and bills                                           */
/* ------------------------------------------------------------------ */

/* A configuration text and what loading it says: NULL (it loads), or its
 * errors with @CONF@ for the file. */
struct text_case {
	const char *text;
	const char *message;
};

/* Loads each case's text, then suffix, as name; checks the errors. */
static void check_text_cases(const char *name, const char *suffix, const struct text_case *cases,
                             size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char text[2048], err[CFG_ERR_SIZE] = "";
		struct cfg *c;
		char *want;

		snprintf(text, sizeof text, "%s%s", cases[i].text, suffix);
		c = load_text(name, text, err, sizeof err);
		if (!cases[i].message) {
			if (!c)
				fail_msg("case %zu: %s", i, err);
			cfg_free(c);
			continue;
		}
		want = expected_message(name, cases[i].message);
		if (c)
			fail_msg("case %zu loaded, expected: %s", i, want);
		if (strcmp(err, want) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, err, want);
		free(want);
	}
}

#define CHECK_TEXTS(name, suffix, cases)                                                           \
	check_text_cases(name, suffix, cases, sizeof cases / sizeof cases[0])

#define POLLED "[router r]\nhost = h\npassword = pw\ninterfaces = e\n"
#define PUSHED "[router r]\nmode = push\npush_token_file = q.token\ninterfaces = e\n"

static void queue_and_device_keys_load(void **state)
{
	char err[512] = "";
	struct cfg *c;
	const struct cfg_router *r;

	(void)state;
	c = load_text("qd.conf",
	              POLLED "queues = *\ndevices = kid-control\nmax_devices = 100000\n"
	                     "device_idle = 1m\n",
	              err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	r = &c->routers[0];
	assert_true(r->queues_all);
	assert_int_equal(r->n_queues, 0);
	assert_null(r->queues);
	assert_int_equal(r->devices, CFG_DEVICES_KID_CONTROL);
	assert_int_equal(r->max_devices, 100000);
	assert_int_equal(r->device_idle, 60);
	cfg_free(c);

	c = load_text("qd.conf",
	              POLLED "queues = \"*\"\ndevices = kid-control\ndevice_idle = 3650d\n", err,
	              sizeof err);
	if (!c)
		fail_msg("%s", err);
	r = &c->routers[0];
	assert_false(r->queues_all);
	assert_int_equal(r->n_queues, 1);
	assert_string_equal(r->queues[0], "*");
	assert_int_equal(r->device_idle, 3650 * 86400);
	cfg_free(c);

	c = load_text("qd.conf", POLLED "queues =\ndevices =\n", err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_false(c->routers[0].queues_all);
	assert_int_equal(c->routers[0].n_queues, 0);
	assert_int_equal(c->routers[0].devices, CFG_DEVICES_NONE);
	cfg_free(c);
}

static void queue_and_device_errors_give_the_reason(void **state)
{
	static const struct text_case polled[] = {
	        {POLLED "queues = a, *\n", "@CONF@:5: [router r] queues: entry 2: '*' (every "
	                                   "queue) stands alone: queues = *"},
	        {POLLED "queues = a, b, a\n", "@CONF@:5: [router r] queues: 'a' is listed twice"},
	        {POLLED "queues = a,\n", "@CONF@:5: [router r] queues: entry 2: empty name"},
	        {POLLED "devices = kid_control\n",
	         "@CONF@:5: [router r] devices: must be kid-control, got 'kid_control'"},
	        {POLLED "devices = kid-control\nmax_devices = 0\n",
	         "@CONF@:6: [router r] max_devices: must be 1 to 100000, got 0"},
	        {POLLED "devices = kid-control\nmax_devices = 100001\n",
	         "@CONF@:6: [router r] max_devices: must be 1 to 100000, got 100001"},
	        {POLLED "devices = kid-control\ndevice_idle = 30s\n",
	         "@CONF@:6: [router r] device_idle: must be 1m to 3650d, got 30s"},
	        {POLLED "devices = kid-control\ndevice_idle = 3651d\n",
	         "@CONF@:6: [router r] device_idle: must be 1m to 3650d, got 3651d"},
	        {POLLED "devices = kid-control\ndevice_idle = soon\n",
	         "@CONF@:6: [router r] device_idle: invalid duration 'soon' (seconds, or e.g. 30s, "
	         "5m, 2h)"},
	        {POLLED "max_devices = 10\n",
	         "@CONF@:5: [router r] max_devices: only used with devices = kid-control"},
	        {POLLED "device_idle = 1d\n",
	         "@CONF@:5: [router r] device_idle: only used with devices = kid-control"},
	};
	static const struct text_case pushed[] = {
	        {PUSHED "queues = *\n",
	         "@CONF@:5: [router r] queues: only used with mode = poll: a pushing router has no "
	         "API session to read queues over"},
	        {PUSHED "devices = kid-control\n", "@CONF@:5: [router r] devices: only used with "
	                                           "mode = poll: a pushing router has no "
	                                           "API session to read devices over"},
	        {PUSHED "max_devices = 5\n", "@CONF@:5: [router r] max_devices: only used with "
	                                     "mode = poll: a pushing router has "
	                                     "no API session to read devices over"},
	        {PUSHED "device_idle = 5d\n", "@CONF@:5: [router r] device_idle: only used with "
	                                      "mode = poll: a pushing router has "
	                                      "no API session to read devices over"},
	};

	(void)state;
	write_text("q.token", "queue-token-0123456789abcdef\n", 0600);
	CHECK_TEXTS("qd.conf", "", polled);
	CHECK_TEXTS("qd.conf", "", pushed);
}

/* Routers every bill case may name (after the bill: names may come
 * later): shop has neither queues nor devices, home a queue named as one
 * of its interfaces. */
#define BILL_ROUTERS                                                                               \
	"[router home]\nhost = 192.168.88.1\npassword = pw\ninterfaces = ether1, lte1, office\n"   \
	"queues = \"guest net\", office\ndevices = kid-control\n"                                  \
	"[router shop]\nhost = 10.0.0.1\npassword = pw\ninterfaces = ether1\n"                     \
	"[router all]\nhost = 10.0.0.2\npassword = pw\ninterfaces = ether1\nqueues = *\n"

static void bills_resolve_counters_and_take_defaults(void **state)
{
	char err[1024] = "";
	char *path = path_in("bills.conf");
	struct cfg *c, *again;
	const struct cfg_bill *b;

	(void)state;
	c = load_text(
	        "bills.conf",
	        "[bill a]\ncounters = all/ether1 + all/\"any + thing\" + home/lte1+home/ether1"
	        "+ home/\"guest net\" + home/00:1a:2B:3c:4D:5e\n" BILL_ROUTERS
	        "[tikstat]\ncycle_start_day = 9\n"
	        "[bill b]\ncounters = shop/ether1\ndirection = tx\n",
	        err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_bills, 2);
	b = &c->bills[0];
	assert_string_equal(b->name, "a");
	assert_int_equal(b->n_counters, 6);
	assert_counter(&b->counters[0], 2, CFG_COUNTER_INTERFACE, "ether1");
	assert_counter(&b->counters[1], 2, CFG_COUNTER_QUEUE, "any + thing");
	assert_counter(&b->counters[2], 0, CFG_COUNTER_INTERFACE, "lte1");
	assert_counter(&b->counters[3], 0, CFG_COUNTER_INTERFACE, "ether1");
	assert_counter(&b->counters[4], 0, CFG_COUNTER_QUEUE, "guest net");
	assert_counter(&b->counters[5], 0, CFG_COUNTER_DEVICE, "00:1A:2B:3C:4D:5E");
	assert_int_equal(b->cycle_start_day, 9); /* [tikstat] came later */
	assert_int_equal(b->direction, CFG_DIR_BOTH);
	b = cfg_bill(c, "b");
	assert_non_null(b);
	assert_int_equal(b->direction, CFG_DIR_TX);
	assert_counter(&b->counters[0], 1, CFG_COUNTER_INTERFACE, "ether1");

	/* a reload reads the same bills */
	again = cfg_reload(path, c, err, sizeof err);
	if (!again)
		fail_msg("%s", err);
	assert_int_equal(again->n_bills, 2);
	assert_counter(&again->bills[0].counters[5], 0, CFG_COUNTER_DEVICE, "00:1A:2B:3C:4D:5E");
	cfg_free(again);
	cfg_free(c);
	free(path);
}

static void bill_errors_give_the_reason(void **state)
{
	static const struct text_case cases[] = {
	        {"[bill b]\ncounters = home/ether1\n", NULL},
	        {"[bill b]\n",
	         "@CONF@:1: [bill b] counters: required (e.g. counters = home/ether1 + home/lte1)"},
	        {"[bill b]\ncounters = ether1\n", "@CONF@:2: [bill b] counters: entry 1: expected "
	                                          "ROUTER/COUNTER (e.g. home/ether1)"},
	        {"[bill b]\ncounters = home/ether1 +\n",
	         "@CONF@:2: [bill b] counters: entry 2: empty entry"},
	        {"[bill b]\ncounters = home/\"ether1\n",
	         "@CONF@:2: [bill b] counters: entry 1: unterminated quote"},
	        {"[bill b]\ncounters = home/ether1 + home/\"ether1\"\n",
	         "@CONF@:2: [bill b] counters: 'home/ether1' is listed twice"},
	        {"[bill b]\ncounters = home/aa:bb:cc:dd:ee:ff + home/AA:BB:CC:DD:EE:FF\n",
	         "@CONF@:2: [bill b] counters: 'home/AA:BB:CC:DD:EE:FF' is listed twice"},
	        {"[bill b]\ncounters = office/ether1\n",
	         "@CONF@:2: [bill b] counters: 'office/ether1': no [router office] in this file"},
	        {"[bill b]\ncounters = shop/ether9\n",
	         "@CONF@:2: [bill b] counters: 'shop/ether9': not one of the router's interfaces "
	         "(a "
	         "queue needs queues = on the router)"},
	        {"[bill b]\ncounters = home/q9\n",
	         "@CONF@:2: [bill b] counters: 'home/q9': not one of the router's interfaces or "
	         "queues"},
	        {"[bill b]\ncounters = shop/AA:BB:CC:DD:EE:FF\n",
	         "@CONF@:2: [bill b] counters: 'shop/AA:BB:CC:DD:EE:FF': a device (MAC address), "
	         "but "
	         "the router has no devices = kid-control"},
	        {"[bill b]\ncounters = home/office\n",
	         "@CONF@:2: [bill b] counters: 'home/office': both an interface and a queue of the "
	         "router"},
	        {"[bill b]\ncounters = x/e + home/ether1 + shop/q\n",
	         "@CONF@:2: [bill b] counters: 'x/e': no [router x] in this file\n"
	         "@CONF@:2: [bill b] counters: 'shop/q': not one of the router's interfaces (a "
	         "queue "
	         "needs queues = on the router)"},
	        {"[bill b]\ncounters = home/ether1\ndirection = down\n",
	         "@CONF@:3: [bill b] direction: must be both, rx or tx, got 'down'"},
	        {"[bill b]\ncounters = home/ether1\ncycle_start_day = 29\n",
	         "@CONF@:3: [bill b] cycle_start_day: must be 1 to 28, got 29"},
	        {"[bill b]\ncounters = home/ether1\nquota = lots\n",
	         "@CONF@:3: [bill b] quota: invalid size 'lots' (bytes, e.g. 500G, 1.5T or 800Gi)"},
	        /* the default retention_5min (7d) would delete most of a cycle's samples */
	        {"[bill b]\ncounters = home/ether1\npercentile = 95\n",
	         "@CONF@:3: [bill b] percentile: needs the 5-minute buckets of a whole cycle: set "
	         "retention_5min = 32d or more (or forever) in [tikstat]"},
	        /* a device keeps its 5-minute buckets 2 days unless told otherwise */
	        {"[bill b]\ncounters = home/AA:BB:CC:DD:EE:FF\npercentile = 95\n[tikstat]\n"
	         "retention_5min = 40d\n",
	         "@CONF@:3: [bill b] percentile: needs the 5-minute buckets of a whole cycle, and "
	         "the bill counts a device: set device_retention_5min = 32d or more (or forever) "
	         "in "
	         "[tikstat]"},
	        {"[bill b]\ncounters = home/AA:BB:CC:DD:EE:FF\npercentile = 95\n[tikstat]\n"
	         "retention_5min = 40d\ndevice_retention_5min = forever\n",
	         NULL},
	        {"[bill b]\ncounters = home/ether1\npercentile = 100\n",
	         "@CONF@:3: [bill b] percentile: must be 1 to 99, got 100"},
	        {"[bill b]\ncounters = home/ether1\npercentile = 0\n",
	         "@CONF@:3: [bill b] percentile: must be 1 to 99, got 0"},
	        {"[bill b]\ncounters = home/ether1\ncommitted_rate = 1G\n",
	         "@CONF@:3: [bill b] committed_rate: only used with percentile"},
	        {"[bill b]\ncounters = home/ether1\npercentile = 95\ncommitted_rate = 0\n",
	         "@CONF@:4: [bill b] committed_rate: must be more than 0"},
	        {"[bill b]\ncounters = home/ether1\npercentile = 95\ncommitted_rate = fast\n",
	         "@CONF@:4: [bill b] committed_rate: invalid rate 'fast' (bits/s, e.g. 100M, 1G or "
	         "2.5G)"},
	        {"[bill b]\ncounters = home/ether1\nalert_command = notify\n",
	         "@CONF@:3: [bill b] alert_command: only used with quota"},
	        {"[bill b]\ncounters = home/ether1\nquota = 0\nalert_command = notify\n",
	         "@CONF@:4: [bill b] alert_command: only used with quota"},
	        {"[bill b]\ncounters = home/ether1\nrouter = home\n",
	         "@CONF@:3: unknown key 'router' in [bill b]"},
	        {"[bill b]\ncounters = home/ether1\ncounters = home/lte1\n",
	         "@CONF@:3: [bill b] counters: duplicate key (first set on line 2)"},
	        {"[bill]\n", "@CONF@:1: [bill] needs a name, e.g. [bill internet]"},
	        {"[bill my bill]\n",
	         "@CONF@:1: invalid bill name 'my bill': use letters, digits, '-', '_' and '.'"},
	        {"[bill bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb]\n",
	         "@CONF@:1: bill name "
	         "'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' is longer "
	         "than "
	         "64 characters"},
	        {"[bill b]\ncounters = home/ether1\n[bill b]\ncounters = home/lte1\n",
	         "@CONF@:3: duplicate bill 'b' (first defined on line 1)"},
	        {"[billing]\n", "@CONF@:1: unknown section [billing]"},
	        /* a bill with a bad key is not checked against the routers */
	        {"[bill b]\ncounters = home/ether9\nquota = lots\n",
	         "@CONF@:3: [bill b] quota: invalid size 'lots' (bytes, e.g. 500G, 1.5T or 800Gi)"},
	        /* nor a router with errors: its own error says enough */
	        {"[bill b]\ncounters = bad/ether9\n[router bad]\nhost = h\npassword = pw\n"
	         "interfaces = e\nport = 0\n",
	         "@CONF@:7: [router bad] port: must be 1 to 65535, got 0"},
	        {"[bill b]\ncounters = bad/ether9\n[router bad]\nhost = h\ninterfaces = e\n",
	         "@CONF@:3: [router bad] password: password or password_file is required with mode "
	         "= "
	         "poll"},
	        /* checked after the last line, reported in line order */
	        {"[bill b]\ncounters = nowhere/e\n[tikstat]\ncycle_start_day = 0\n",
	         "@CONF@:2: [bill b] counters: 'nowhere/e': no [router nowhere] in this file\n"
	         "@CONF@:4: [tikstat] cycle_start_day: must be 1 to 28, got 0"},
	};

	(void)state;
	CHECK_TEXTS("bill.conf", BILL_ROUTERS, cases);
}

/* An error found after the last line about an early line is among the
 * CFG_MAX_ERRORS shown, and a later one is counted instead. */
static void late_errors_about_early_lines_are_shown_first(void **state)
{
	char text[4096], err[CFG_ERR_SIZE];
	size_t len =
	        (size_t)snprintf(text, sizeof text, "[bill b]\ncounters = nowhere/e\n[tikstat]\n");
	char *want;

	(void)state;
	for (int i = 0; i < CFG_MAX_ERRORS; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "k%d = 1\n", i);
	snprintf(text + len, sizeof text - len, "%s", BILL_ROUTERS);
	assert_null(load_text("late.conf", text, err, sizeof err));
	want = expected_message("late.conf", "@CONF@:2: [bill b] counters: 'nowhere/e': no [router "
	                                     "nowhere] in this file\n@CONF@:4: unknown key 'k0' in "
	                                     "[tikstat]\n");
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got: %s", err);
	free(want);
	want = expected_message("late.conf", "\n@CONF@:52: unknown key 'k48' in [tikstat]\n"
	                                     "@CONF@: 1 more error");
	if (strlen(err) < strlen(want) || strcmp(err + strlen(err) - strlen(want), want) != 0)
		fail_msg("got: %s", err);
	free(want);
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */
/* ------------------------------------------------------------------ */

static void free_wipes_and_releases_everything(void **state)
{
	char err[512];

	(void)state;
	/* Freed memory cannot be read back; under ASan this checks that every
	 * allocation, secrets included, is released exactly once. */
	for (int i = 0; i < 3; i++) {
		struct cfg *c = load_fixture("good-full.conf", 0600, err, sizeof err);

		assert_non_null(c);
		cfg_free(c);
	}
}

/* ------------------------------------------------------------------ */
/* log.c                                                               */
/* ------------------------------------------------------------------ */

/* What was logged to f since it was opened, as one string. */
static char *logged(FILE *f)
{
	long n = ftell(f);
	char *text = malloc((size_t)n + 1);

	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	return text;
}

static void log_level_names_parse_exactly(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("error"), LOG_LEVEL_ERROR);
	assert_int_equal(log_level_parse("warning"), LOG_LEVEL_WARNING);
	assert_int_equal(log_level_parse("info"), LOG_LEVEL_INFO);
	assert_int_equal(log_level_parse("debug"), LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("warn"), -1);
	assert_int_equal(log_level_parse("INFO"), -1);
	assert_int_equal(log_level_parse(""), -1);
	assert_int_equal(log_level_parse(NULL), -1);
	assert_string_equal(log_level_name(LOG_LEVEL_WARNING), "warning");
	assert_string_equal(log_level_name(7), "unknown");
}

static void log_writes_one_line_per_message_at_or_below_the_level(void **state)
{
	FILE *f = tmpfile();
	char *text;

	(void)state;
	assert_non_null(f);
	log_init("tikstatd", LOG_LEVEL_INFO, false);
	log_set_output(f);
	log_debug("hidden %d", 1);
	log_info("router %s: up", "home");
	log_warnx("quota at %d %%", 80);
	errno = ENOENT;
	log_warn("open %s", "/x");
	assert_int_equal(errno, ENOENT);
	log_errorx("database: %s", "locked");
	log_set_level(LOG_LEVEL_ERROR);
	assert_int_equal(log_get_level(), LOG_LEVEL_ERROR);
	log_info("hidden too");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("shown");
	log_info("a\nb\tc");
	text = logged(f);
	assert_string_equal(text, "tikstatd: info: router home: up\n"
	                          "tikstatd: warning: quota at 80 %\n"
	                          "tikstatd: warning: open /x: No such file or directory\n"
	                          "tikstatd: error: database: locked\n"
	                          "tikstatd: debug: shown\n"
	                          "tikstatd: info: a\\x0ab\\x09c\n");
	free(text);
	log_set_output(NULL);
	fclose(f);
}

static void log_cuts_long_messages_on_one_line(void **state)
{
	FILE *f = tmpfile();
	char big[3 * LOG_MAX_MESSAGE];
	char *text;

	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_init("t", LOG_LEVEL_INFO, false);
	log_set_output(f);
	log_info("%s", big);
	text = logged(f);
	assert_true(strlen(text) < LOG_MAX_MESSAGE + 32);
	assert_non_null(strstr(text, "xxx...\n"));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	free(text);
	log_set_output(NULL);
	fclose(f);
}

static void fatal_logs_and_exits_with_status_1(void **state)
{
	FILE *f = tmpfile();
	pid_t pid;
	int status;
	char *text;

	(void)state;
	assert_non_null(f);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log_init("tikstatd", LOG_LEVEL_ERROR, false);
		log_set_output(f);
		errno = EACCES;
		fatal("cannot open %s", "/etc/tikstat/tikstat.conf");
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	fseek(f, 0, SEEK_END);
	text = logged(f);
	assert_string_equal(text, "tikstatd: fatal: cannot open /etc/tikstat/tikstat.conf: "
	                          "Permission denied\n");
	free(text);
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* push_allow_from and HTTPS (issue 9: the old setup's routers)        */
/* ------------------------------------------------------------------ */

#define ALLOW_PUSH                                                                                 \
	"[router cabin]\nmode = push\npush_token_file = allow.token\n"                             \
	"interfaces = ether1\n"

/* Loads ALLOW_PUSH with extra lines appended; err holds the message. */
static struct cfg *load_allow(const char *extra, char *err, size_t errsz)
{
	char text[1024];

	write_text("allow.token", HOME_TOKEN "\n", 0600);
	snprintf(text, sizeof text, "%s%s", ALLOW_PUSH, extra);
	return load_text("allow.conf", text, err, errsz);
}

static void assert_allow_error(const char *extra, const char *expected)
{
	char err[512] = "";
	char *want = expected_message("allow.conf", expected);

	assert_null(load_allow(extra, err, sizeof err));
	assert_string_equal(err, want);
	free(want);
}

static void push_allow_from_parses_ipv4_and_ipv6_networks(void **state)
{
	char err[512] = "";
	struct cfg *c = load_allow("push_allow_from = 192.0.2.7, 2001:db8::/64 ,10.0.0.0/8,::1\n",
	                           err, sizeof err);
	const struct cfg_router *r;
	static const unsigned char v4[4] = {192, 0, 2, 7}, in8[4] = {10, 200, 3, 4},
	                           out8[4] = {11, 0, 0, 0};
	unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, 0xff};

	(void)state;
	if (!c)
		fail_msg("%s", err);
	r = &c->routers[0];
	assert_int_equal(r->n_push_allow, 4);
	assert_int_equal(r->push_allow[0].family, AF_INET);
	assert_int_equal(r->push_allow[0].prefix, 32);
	assert_memory_equal(r->push_allow[0].addr, v4, 4);
	assert_int_equal(r->push_allow[1].family, AF_INET6);
	assert_int_equal(r->push_allow[1].prefix, 64);
	assert_int_equal(r->push_allow[2].prefix, 8);
	assert_int_equal(r->push_allow[3].prefix, 128);
	assert_true(cfg_net_contains(&r->push_allow[0], AF_INET, v4));
	assert_false(cfg_net_contains(&r->push_allow[0], AF_INET, in8));
	assert_true(cfg_net_contains(&r->push_allow[2], AF_INET, in8));
	assert_false(cfg_net_contains(&r->push_allow[2], AF_INET, out8));
	assert_true(cfg_net_contains(&r->push_allow[1], AF_INET6, v6));
	v6[7] = 1; /* another /64 */
	assert_false(cfg_net_contains(&r->push_allow[1], AF_INET6, v6));
	assert_false(cfg_net_contains(&r->push_allow[0], AF_INET6, v6)); /* families differ */
	cfg_free(c);
}

static void push_allow_from_errors_give_the_reason(void **state)
{
	(void)state;
	assert_allow_error(
	        "push_allow_from = 192.0.2.7/24\n",
	        "@CONF@:5: [router cabin] push_allow_from: '192.0.2.7/24': host bits set "
	        "after the prefix (write the network, e.g. 192.0.2.0/24, or the address "
	        "alone)");
	assert_allow_error("push_allow_from = 192.0.2.7,\n",
	                   "@CONF@:5: [router cabin] push_allow_from: empty entry in the list");
	assert_allow_error(
	        "push_allow_from = router.example\n",
	        "@CONF@:5: [router cabin] push_allow_from: 'router.example': not an IPv4 "
	        "or IPv6 address");
	assert_allow_error("push_allow_from = 2001:db8::/129\n",
	                   "@CONF@:5: [router cabin] push_allow_from: '2001:db8::/129': the prefix "
	                   "must be 0 to 128");
	/* one address, two routers: which one pushed would be a guess */
	write_text("allow2.token", "another-token-" NEVER "\n", 0600);
	assert_allow_error("push_allow_from = 192.0.2.0/24\n[router b]\nmode = push\n"
	                   "push_token_file = allow2.token\ninterfaces = e\n"
	                   "push_allow_from = 198.51.100.1, 192.0.2.7\n",
	                   "@CONF@:10: [router b] push_allow_from: 192.0.2.7/32 overlaps "
	                   "192.0.2.0/24 of router 'cabin': a push without a token must come from "
	                   "the addresses of one router only");
	char err[512];
	write_text("allow-poll.conf",
	           "[router p]\nhost = h\npassword = x\ninterfaces = e\npush_allow_from = ::1\n",
	           0600);
	char *path = path_in("allow-poll.conf");
	assert_null(cfg_load(path, err, sizeof err));
	free(path);
	char *want =
	        expected_message("allow-poll.conf", "@CONF@:5: [router p] push_allow_from: only "
	                                            "used with mode = push");
	assert_string_equal(err, want);
	free(want);
}

#define TEST_CERT "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
#define TEST_KEY  "-----BEGIN PRIVATE KEY-----\n" NEVER "\n-----END PRIVATE KEY-----\n"

static void https_keys_load_the_certificate_and_the_secret_key(void **state)
{
	char err[512] = "";
	struct cfg *c;

	(void)state;
	write_text("tls.crt", TEST_CERT, 0644);
	write_text("tls.key", TEST_KEY, 0600);
	c = load_allow("[http]\nlisten = 127.0.0.1:8085\nhttps_listen = *:8443, 127.0.0.1:9443\n"
	               "tls_cert_file = tls.crt\ntls_key_file = tls.key\n",
	               err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_https_listen, 2);
	assert_string_equal(c->https_listen[0], "*:8443");
	assert_string_equal(c->https_listen[1], "127.0.0.1:9443");
	assert_string_equal(c->tls_cert, TEST_CERT);
	assert_string_equal(c->tls_key, TEST_KEY);
	assert_non_null(strstr(c->tls_key_file, "/tls.key"));
	cfg_free(c);

	/* tools that read no secrets read no key either */
	char *path = path_in("allow.conf");
	c = cfg_load_flags(path, CFG_SKIP_SECRETS, err, sizeof err);
	free(path);
	assert_non_null(c);
	assert_null(c->tls_key);
	cfg_free(c);
}

/* A daemon that gave up root reloads: a key it may no longer read stays,
 * and with it the certificate it was loaded with (a pair), even when the
 * certificate file was renewed. */
static void reload_keeps_a_tls_key_it_cannot_read_and_its_certificate(void **state)
{
	static const char conf[] = "[http]\nhttps_listen = *:8443\ntls_cert_file = k.crt\n"
	                           "tls_key_file = k.key\n" ALLOW_PUSH;
	char err[1024];
	struct cfg *first, *next;

	(void)state;
	if (geteuid() == 0)
		skip(); /* root reads any file */
	write_text("allow.token", HOME_TOKEN "\n", 0600);
	write_text("k.crt", TEST_CERT, 0644);
	write_text("k.key", TEST_KEY, 0600);
	first = load_text("tlsreload.conf", conf, err, sizeof err);
	if (!first)
		fail_msg("%s", err);
	char *key = path_in("k.key"), *confpath = path_in("tlsreload.conf");
	write_text("k.crt", TEST_CERT "renewed\n", 0644);
	assert_int_equal(chmod(key, 0), 0);
	next = cfg_reload(confpath, first, err, sizeof err);
	assert_non_null(next);
	assert_string_equal(next->tls_key, TEST_KEY);
	assert_string_equal(next->tls_cert, TEST_CERT); /* the pair, not the renewed file */
	cfg_free(next);
	assert_null(cfg_load(confpath, err, sizeof err)); /* a fresh start cannot */
	assert_int_equal(chmod(key, 0600), 0);
	next = cfg_reload(confpath, first, err, sizeof err); /* readable: both new */
	assert_non_null(next);
	assert_string_equal(next->tls_cert, TEST_CERT "renewed\n");
	cfg_free(next);
	cfg_free(first);
	free(key);
	free(confpath);
}

static void https_errors_give_the_reason_and_never_the_key(void **state)
{
	(void)state;
	write_text("tls.crt", TEST_CERT, 0644);
	write_text("tls.key", TEST_KEY, 0600);
	write_text("open.key", TEST_KEY, 0644);
	write_text("nokey.key", "just text " NEVER "\n", 0600);
	assert_allow_error("[http]\nhttps_listen = *:8443\ntls_key_file = tls.key\n",
	                   "@CONF@:6: [http] tls_cert_file: required with https_listen");
	assert_allow_error("[http]\nhttps_listen = *:8443\ntls_cert_file = tls.crt\n",
	                   "@CONF@:6: [http] tls_key_file: required with https_listen");
	assert_allow_error("[http]\ntls_cert_file = tls.crt\ntls_key_file = tls.key\n",
	                   "@CONF@:6: [http] https_listen: required with tls_cert_file and "
	                   "tls_key_file");
	assert_allow_error("[http]\nhttps_listen = 127.0.0.1:8085\ntls_cert_file = tls.crt\n"
	                   "tls_key_file = tls.key\n",
	                   "@CONF@:6: [http] https_listen: '127.0.0.1:8085' is also in listen: an "
	                   "address serves either plain HTTP or HTTPS");
	assert_allow_error("[http]\nhttps_listen = 443\n",
	                   "@CONF@:6: [http] https_listen: '443': missing ':PORT'");
	assert_allow_error("[http]\ntls_key_file = open.key\n",
	                   "@CONF@:6: [http] tls_key_file: @DIR@/open.key is readable by group or "
	                   "others (mode 0644): chmod 600 @DIR@/open.key, or chmod 640 with group "
	                   "tikstat");
	assert_allow_error("[http]\ntls_key_file = nokey.key\n",
	                   "@CONF@:6: [http] tls_key_file: @DIR@/nokey.key holds no 'PRIVATE "
	                   "KEY-----' block: a PEM file is needed (openssl req ... -out)");
	assert_allow_error("[http]\ntls_cert_file = tls.key\n",
	                   "@CONF@:6: [http] tls_cert_file: @DIR@/tls.key holds no '-----BEGIN "
	                   "CERTIFICATE-----' block: a PEM file is needed (openssl req ... -out)");
	assert_allow_error("[http]\ntls_cert_file = missing.crt\n",
	                   "@CONF@:6: [http] tls_cert_file: cannot open @DIR@/missing.crt: No such "
	                   "file or directory");
}

/* ------------------------------------------------------------------ */
/* include = (conf.d)                                                  */
/* ------------------------------------------------------------------ */

#define INC_ROUTER(name) "[router " name "]\nhost = h\npassword = \"x\"\ninterfaces = e\n"

/* Loads tmpdir/name, an existing file. */
static struct cfg *load_path(const char *name, char *err, size_t errsz)
{
	char *path = path_in(name);
	struct cfg *c = cfg_load(path, err, errsz);

	free(path);
	return c;
}

/* Asserts err is expected with @DIR@ as tmpdir and @CONF@ as name's path. */
static void assert_error(const char *err, const char *name, const char *expected)
{
	char *want = expected_message(name, expected);

	assert_string_equal(err, want);
	free(want);
}

/* Included files come after the main file in sorted order, a relative
 * pattern is taken from the main file's directory, an absolute literal
 * path names one file, and a pattern matching nothing adds nothing. */
static void included_files_follow_the_main_file_in_sorted_order(void **state)
{
	char err[1024], text[PATH_MAX + 512];
	struct cfg *c;

	(void)state;
	make_dir("inc");
	make_dir("inc/conf.d");
	make_dir("inc/empty.d");
	write_text("inc/conf.d/b.conf", INC_ROUTER("b1"), 0600);
	write_text("inc/conf.d/a.conf",
	           INC_ROUTER("a1") "[bill both]\ncounters = m/e + b1/e\n" INC_ROUTER("a2"), 0600);
	write_text("inc/conf.d/c.txt", INC_ROUTER("not-read"), 0644);
	write_text("inc/extra.conf", INC_ROUTER("x1"), 0600);
	snprintf(text, sizeof text,
	         "[tikstat]\ninclude = conf.d/*.conf, empty.d/*.conf, nowhere.d/*.conf, "
	         "%s/inc/extra.conf\n" INC_ROUTER("m"),
	         tmpdir);
	write_text("inc/main.conf", text, 0600);
	c = load_path("inc/main.conf", err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_files, 4);
	assert_int_equal(c->n_include, 4);
	assert_string_equal(c->include[0], "conf.d/*.conf");
	assert_int_equal(c->n_routers, 5);
	assert_string_equal(c->routers[0].name, "m");
	assert_string_equal(c->routers[1].name, "a1");
	assert_string_equal(c->routers[2].name, "a2");
	assert_string_equal(c->routers[3].name, "b1");
	assert_string_equal(c->routers[4].name, "x1");
	assert_ptr_equal(cfg_router(c, "x1"), &c->routers[4]);
	assert_null(cfg_router(c, "not-read"));
	/* a bill's counter names a router of a later file */
	assert_int_equal(c->n_bills, 1);
	assert_int_equal(c->bills[0].counters[1].router, 3);
	assert_ptr_equal(cfg_bill(c, "both"), &c->bills[0]);
	cfg_free(c);

	/* a pattern without wildcards is one file, which must exist */
	write_text("inc/missing.conf", "[tikstat]\ninclude = nothere.conf\n" INC_ROUTER("m"), 0600);
	assert_null(load_path("inc/missing.conf", err, sizeof err));
	assert_error(
	        err, "inc/missing.conf",
	        "@CONF@:2: [tikstat] include: cannot open @DIR@/inc/nothere.conf: No such file "
	        "or directory");
}

/* An error in an included file names that file and its line, after the
 * main file's errors; so does a duplicate router across files. */
static void errors_in_included_files_name_the_file_and_line(void **state)
{
	char err[2048];

	(void)state;
	make_dir("incerr");
	make_dir("incerr/d");
	write_text("incerr/d/1.conf", INC_ROUTER("a") "bogus = 1\n", 0600);
	write_text("incerr/d/2.conf", "\n" INC_ROUTER("m") "[bill b]\ncounters = nowhere/e\n",
	           0600);
	write_text("incerr/main.conf",
	           "[tikstat]\ninclude = d/*.conf\n" INC_ROUTER("m") "bogus2 = 1\n", 0600);
	assert_null(load_path("incerr/main.conf", err, sizeof err));
	assert_error(err, "incerr/main.conf",
	             "@CONF@:7: unknown key 'bogus2' in [router m]\n"
	             "@DIR@/incerr/d/1.conf:5: unknown key 'bogus' in [router a]\n"
	             "@DIR@/incerr/d/2.conf:2: duplicate router 'm' (first defined at @CONF@:3)\n"
	             "@DIR@/incerr/d/2.conf:7: [bill b] counters: 'nowhere/e': no [router nowhere] "
	             "in the main file or an included one");
}

/* [tikstat] and [http] belong to the main file: an included file is
 * refused them, which also keeps includes from nesting. */
static void included_files_hold_only_routers_and_bills(void **state)
{
	char err[1024];

	(void)state;
	make_dir("incsec");
	write_text("incsec/a.conf", "[tikstat]\ninclude = b.conf\n[http]\nlisten = 127.0.0.1:1\n",
	           0644);
	write_text("incsec/main.conf", "[tikstat]\ninclude = a.conf\n" INC_ROUTER("m"), 0600);
	assert_null(load_path("incsec/main.conf", err, sizeof err));
	assert_error(err, "incsec/main.conf",
	             "@DIR@/incsec/a.conf:1: [tikstat] may only be in the main file @CONF@: an "
	             "included file holds [router NAME] and [bill NAME] sections\n"
	             "@DIR@/incsec/a.conf:3: [http] may only be in the main file @CONF@: an "
	             "included file holds [router NAME] and [bill NAME] sections");
}

/* Writes tmpdir/name including pattern (and a router of its own), loads
 * it and asserts the refusal: expected, with @CONF@ and @DIR@ filled in. */
static void assert_include_refused(const char *name, const char *pattern, const char *expected)
{
	char text[512], err[1024];

	snprintf(text, sizeof text, "[tikstat]\ninclude = %s\n" INC_ROUTER("m"), pattern);
	write_text(name, text, 0600);
	assert_null(load_path(name, err, sizeof err));
	assert_error(err, name, expected);
}

/* Only root and the daemon's user may change what tikstatd reads: an
 * included file or its directory writable by group or others is refused,
 * and so is a symbolic link (its target could be anywhere). */
static void unsafe_included_files_are_refused(void **state)
{
	char *target, *link, want[512];
	struct passwd *pw = getpwnam("nobody");
	bool chowned;

	(void)state;
	make_dir("incperm");
	make_dir("incperm/open.d");
	write_text("incperm/world.conf", INC_ROUTER("w"), 0666);
	assert_include_refused(
	        "incperm/main.conf", "world.conf",
	        "@CONF@:2: [tikstat] include: @DIR@/incperm/world.conf is writable by "
	        "group or others (mode 0666): an included file must not be: chmod "
	        "go-w @DIR@/incperm/world.conf");

	write_text("incperm/open.d/a.conf", INC_ROUTER("o"), 0644);
	target = path_in("incperm/open.d");
	assert_int_equal(chmod(target, 0777), 0);
	assert_include_refused(
	        "incperm/dir.conf", "open.d/*.conf",
	        "@CONF@:2: [tikstat] include: @DIR@/incperm/open.d is writable by "
	        "group or others (mode 0777): the directory of an included file must "
	        "not be: chmod go-w @DIR@/incperm/open.d");
	assert_int_equal(chmod(target, 0700), 0);
	free(target);

	write_text("incperm/real.conf", INC_ROUTER("r"), 0644);
	target = path_in("incperm/real.conf");
	link = path_in("incperm/link.conf");
	assert_int_equal(symlink(target, link), 0);
	free(target);
	created_add(link);
	assert_include_refused("incperm/sym.conf", "link.conf",
	                       "@CONF@:2: [tikstat] include: @DIR@/incperm/link.conf is a symbolic "
	                       "link: include the file itself");

	/* another user's file (as root: chown to nobody) */
	write_text("incperm/nobody.conf", INC_ROUTER("n"), 0600);
	target = path_in("incperm/nobody.conf");
	chowned = geteuid() == 0 && pw && chown(target, pw->pw_uid, pw->pw_gid) == 0;
	free(target);
	if (!chowned)
		return; /* needs root and the user nobody */
	snprintf(want, sizeof want,
	         "@CONF@:2: [tikstat] include: @DIR@/incperm/nobody.conf is owned by nobody (uid "
	         "%ld): an included file must belong to root or to the user tikstatd runs as (-u "
	         "USER): chown root @DIR@/incperm/nobody.conf",
	         (long)pw->pw_uid);
	assert_include_refused("incperm/owner.conf", "nobody.conf", want);
}

/* Writes tmpdir/name holding routers r<first>..r<first + n - 1>. */
static void write_routers(const char *name, size_t first, size_t n)
{
	size_t cap = n * 96 + 1, len = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	t[0] = '\0';
	for (size_t i = first; i < first + n; i++)
		len += (size_t)snprintf(t + len, cap - len,
		                        "[router r%05zu]\nhost = 10.0.0.1\npassword = \"x\"\n"
		                        "interfaces = ether1, ether2\n\n",
		                        i);
	write_text(name, t, 0600);
	free(t);
}

/* A fleet of 10,000 routers over several files loads whole (past the old
 * 1 MiB ceiling of one file), every router found by name; a duplicate
 * among them is still found. */
static void ten_thousand_routers_load_across_files(void **state)
{
	char err[1024];
	struct cfg *c;

	(void)state;
	make_dir("fleet");
	make_dir("fleet/conf.d");
	for (size_t f = 0; f < 4; f++) {
		char name[64];

		snprintf(name, sizeof name, "fleet/conf.d/%zu.conf", f);
		write_routers(name, 1 + f * 2500, 2500);
	}
	write_text("fleet/main.conf",
	           "[tikstat]\ninclude = conf.d/*.conf\n[bill all]\ncounters = r00001/ether1 + "
	           "r10000/ether2\n",
	           0600);
	c = load_path("fleet/main.conf", err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_files, 5);
	assert_int_equal(c->n_routers, 10000);
	for (size_t i = 0; i < 10000; i++) {
		char name[16];

		snprintf(name, sizeof name, "r%05zu", i + 1);
		assert_string_equal(c->routers[i].name, name);
		assert_ptr_equal(cfg_router(c, name), &c->routers[i]);
	}
	assert_null(cfg_router(c, "r00000"));
	assert_null(cfg_router(c, "r10001"));
	assert_int_equal(c->bills[0].counters[1].router, 9999);
	cfg_free(c);

	write_routers("fleet/conf.d/9-dup.conf", 4321, 1);
	assert_null(load_path("fleet/main.conf", err, sizeof err));
	assert_error(err, "fleet/main.conf",
	             "@DIR@/fleet/conf.d/9-dup.conf:1: duplicate router 'r04321' (first defined at "
	             "@DIR@/fleet/conf.d/1.conf:9101)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(minimal_config_takes_every_default),
	        cmocka_unit_test(full_config_sets_every_global_key),
	        cmocka_unit_test(a_postgresql_database_is_kept_as_written_and_bounded),
	        cmocka_unit_test(full_config_sets_every_key_of_a_polled_router),
	        cmocka_unit_test(full_config_resolves_tls_ports_and_inline_passwords),
	        cmocka_unit_test(ip_interface_names_one_interface_for_ip_file),
	        cmocka_unit_test(full_config_sets_every_key_of_a_pushing_router),
	        cmocka_unit_test(full_config_sets_every_key_of_a_bill),
	        cmocka_unit_test(config_without_routers_is_an_error),
	        cmocka_unit_test(thousands_of_interfaces_load_and_duplicates_are_found),
	        cmocka_unit_test(included_files_follow_the_main_file_in_sorted_order),
	        cmocka_unit_test(errors_in_included_files_name_the_file_and_line),
	        cmocka_unit_test(included_files_hold_only_routers_and_bills),
	        cmocka_unit_test(unsafe_included_files_are_refused),
	        cmocka_unit_test(ten_thousand_routers_load_across_files),
	        cmocka_unit_test(listen_entries_beyond_the_limit_are_refused),
	        cmocka_unit_test(secret_file_of_another_user_is_refused),
	        cmocka_unit_test(reload_keeps_a_secret_it_cannot_read_again),
	        cmocka_unit_test(crlf_lines_and_a_byte_order_mark_are_accepted),
	        cmocka_unit_test(lines_of_any_length_are_read_whole),
	        cmocka_unit_test(interfaces_are_trimmed_unquoted_and_unescaped),
	        cmocka_unit_test(inline_comments_need_a_blank_and_stop_at_quotes),
	        cmocka_unit_test(indented_lines_and_colon_separators_are_keys),
	        cmocka_unit_test(relative_file_names_are_taken_from_the_config_directory),
	        cmocka_unit_test(empty_values_keep_the_default),
	        cmocka_unit_test(the_example_config_loads),
	        cmocka_unit_test(the_example_bill_loads_when_uncommented),
	        cmocka_unit_test(structure_errors_name_file_line_and_problem),
	        cmocka_unit_test(tikstat_section_errors_give_the_reason),
	        cmocka_unit_test(http_section_errors_give_the_reason),
	        cmocka_unit_test(router_section_errors_give_the_reason),
	        cmocka_unit_test(password_errors_give_the_reason_and_never_the_secret),
	        cmocka_unit_test(malformed_secret_values_are_not_echoed),
	        cmocka_unit_test(group_readable_secret_of_another_group_is_refused),
	        cmocka_unit_test(group_readable_secret_of_group_tikstat_is_accepted),
	        cmocka_unit_test(file_level_errors_name_the_file),
	        cmocka_unit_test(errors_fit_any_buffer),
	        cmocka_unit_test(every_error_in_the_file_is_reported_in_order),
	        cmocka_unit_test(a_bad_section_header_is_one_error),
	        cmocka_unit_test(errors_beyond_the_cap_are_counted),
	        cmocka_unit_test(queue_and_device_keys_load),
	        cmocka_unit_test(queue_and_device_errors_give_the_reason),
	        cmocka_unit_test(bills_resolve_counters_and_take_defaults),
	        cmocka_unit_test(bill_errors_give_the_reason),
	        cmocka_unit_test(late_errors_about_early_lines_are_shown_first),
	        cmocka_unit_test(free_wipes_and_releases_everything),
	        cmocka_unit_test(log_level_names_parse_exactly),
	        cmocka_unit_test(push_allow_from_parses_ipv4_and_ipv6_networks),
	        cmocka_unit_test(push_allow_from_errors_give_the_reason),
	        cmocka_unit_test(https_keys_load_the_certificate_and_the_secret_key),
	        cmocka_unit_test(https_errors_give_the_reason_and_never_the_key),
	        cmocka_unit_test(reload_keeps_a_tls_key_it_cannot_read_and_its_certificate),
	        cmocka_unit_test(log_writes_one_line_per_message_at_or_below_the_level),
	        cmocka_unit_test(log_cuts_long_messages_on_one_line),
	        cmocka_unit_test(fatal_logs_and_exits_with_status_1),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
