/*
 * test_conn.c — the library against the fake router over real loopback
 * sockets: every transport (plain, TLS with CA verification, TLS with a
 * pinned fingerprint, anonymous DH) and every login flavour, the blocking
 * and the non-blocking API, and the faults real networks produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeproc.h"
#include "routeros.h"

#define PASSWORD "s3cret-Pw!"

static struct fakeproc fp;

static int group_setup(void **state)
{
	static const char *const args[] = {"--password",
	                                   PASSWORD,
	                                   "--noapi-user",
	                                   "reader:readpw",
	                                   "--monitor-interval-ms",
	                                   "50",
	                                   "--spec",
	                                   "p7:v7:plain",
	                                   "--spec",
	                                   "p6:v6:plain",
	                                   "--spec",
	                                   "pold:v6old:plain",
	                                   "--spec",
	                                   "t7:v7:tls",
	                                   "--spec",
	                                   "told:v6old:tls",
	                                   "--spec",
	                                   "a7:v7:adh",
	                                   "--spec",
	                                   "aold:v6old:adh",
	                                   "--spec",
	                                   "stall:v7:plain",
	                                   "--spec",
	                                   "stallt:v7:tls",
	                                   "--spec",
	                                   "drib:v7:plain",
	                                   "--spec",
	                                   "dribt:v7:tls",
	                                   "--spec",
	                                   "garb:v7:plain",
	                                   "--spec",
	                                   "cut:v7:plain",
	                                   "--spec",
	                                   "fat:v7:plain",
	                                   "--spec",
	                                   "boot:v7:plain",
	                                   "--spec",
	                                   "refuse:v7:plain",
	                                   "--spec",
	                                   "pw:v7:plain",
	                                   "--spec",
	                                   "flood:v7:plain",
	                                   "--spec",
	                                   "floodt:v7:tls",
	                                   "--spec",
	                                   "floodl:v7:plain",
	                                   "--spec",
	                                   "floodd:v7:plain",
	                                   NULL};
	(void)state;
	return fakeproc_start(&fp, FAKEROUTER_PATH, args);
}

static int group_teardown(void **state)
{
	(void)state;
	fakeproc_stop(&fp);
	return 0;
}

static int port_of(const char *router)
{
	const struct fake_router_info *r = fakeproc_router(&fp, router);
	if (!r)
		fail_msg("fake router %s missing", router);
	return r->port;
}

/* Options for router with tls mode; host defaults to 127.0.0.1. */
static struct ros_options opts(const char *router, enum ros_tls_mode tls)
{
	struct ros_options o = {0};
	o.host = "127.0.0.1";
	o.port = (uint16_t)port_of(router);
	o.tls = tls;
	o.user = "admin";
	o.password = PASSWORD;
	o.timeout_ms = 3000;
	if (tls == ROS_TLS_VERIFY)
		o.ca_file = fp.cert_path;
	if (tls == ROS_TLS_FINGERPRINT)
		o.fingerprint = fakeproc_router(&fp, router)->fingerprint;
	return o;
}

/* Connects with o; asserts the expected status; returns the handle. */
static ros_conn *connect_expect(const struct ros_options *o, int expect)
{
	int st;
	ros_conn *c = ros_conn_new(o, &st);
	assert_non_null(c);
	int rc = ros_connect(c);
	if (rc != expect)
		fail_msg("connect to port %u: got %s (%s), expected %s", o->port,
		         ros_status_name(rc), ros_errstr(c), ros_status_name(expect));
	return c;
}

/* Reads one value of "counters ROUTER" for the interface with this id. */
static uint64_t fake_counter(const char *router, const char *id, const char *field)
{
	char line[8192], key[64], val[64];
	assert_int_equal(fakeproc_cmd(&fp, line, sizeof line, "counters %s", router), 0);
	/* The answer lists "id=*1 name=... rx=... tx=... truth_rx=..." per interface. */
	char needle[32];
	snprintf(needle, sizeof needle, "id=%s ", id);
	const char *p = strstr(line, needle);
	assert_non_null(p);
	snprintf(key, sizeof key, "%s", field);
	assert_int_equal(fakeproc_field(p, key, val, sizeof val), 0);
	return strtoull(val, NULL, 10);
}

static const char *const three_names[] = {"ether1", "ether2 lan", "wlan-caf\xe9"};

/* Reads three interfaces and checks them against the fake's own view. */
static void check_counters(ros_conn *c, const char *router)
{
	struct ros_iface_counters *v = NULL;
	size_t n = 0;
	uint64_t before = fake_counter(router, "*1", "rx");
	int rc = ros_read_counters(c, three_names, 3, &v, &n);
	if (rc)
		fail_msg("read counters: %s", ros_errstr(c));
	uint64_t after = fake_counter(router, "*1", "rx");
	assert_int_equal(n, 3);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 3; k++)
			if (strcmp(v[i].name, three_names[k]) == 0)
				seen |= 1 << k;
		if (strcmp(v[i].name, "ether1") == 0) {
			assert_string_equal(v[i].id, "*1");
			assert_true(v[i].rx_bytes >= before && v[i].rx_bytes <= after);
			assert_true(v[i].rx_bytes > UINT32_MAX); /* 64-bit counters */
			assert_int_equal(v[i].running, 1);
			assert_int_equal(v[i].disabled, 0);
			assert_true(v[i].rx_packets > 0);
		}
	}
	assert_int_equal(seen, 7);
	ros_counters_free(v, n);
}

static void check_uptime(ros_conn *c, const char *router)
{
	char line[256];
	uint64_t up = 0;
	assert_int_equal(fakeproc_cmd(&fp, line, sizeof line, "uptime %s", router), 0);
	uint64_t fake_before = strtoull(line + 3, NULL, 10);
	int rc = ros_read_uptime(c, &up);
	if (rc)
		fail_msg("uptime: %s", ros_errstr(c));
	assert_int_equal(fakeproc_cmd(&fp, line, sizeof line, "uptime %s", router), 0);
	uint64_t fake_after = strtoull(line + 3, NULL, 10);
	assert_true(up >= fake_before && up <= fake_after);
}

static void session_works(const char *router, enum ros_tls_mode tls)
{
	struct ros_options o = opts(router, tls);
	ros_conn *c = connect_expect(&o, ROS_OK);
	check_counters(c, router);
	check_uptime(c, router);
	if (tls != ROS_TLS_OFF) {
		assert_non_null(ros_tls_cipher(c));
		if (tls == ROS_TLS_ANONYMOUS)
			assert_non_null(strstr(ros_tls_cipher(c), "ADH"));
		else
			assert_string_equal(ros_peer_fingerprint(c),
			                    fakeproc_router(&fp, router)->fingerprint);
	}
	ros_conn_free(c);
}

static void plain_login_counters_uptime_v7(void **s)
{
	(void)s;
	session_works("p7", ROS_TLS_OFF);
}

static void plain_login_counters_uptime_v6(void **s)
{
	(void)s;
	session_works("p6", ROS_TLS_OFF);
}

static void plain_challenge_login_counters_old_uptime_format_v6old(void **s)
{
	(void)s;
	session_works("pold", ROS_TLS_OFF);
}

static void tls_verify_with_ca_file_works_for_both_flavours(void **s)
{
	(void)s;
	session_works("t7", ROS_TLS_VERIFY);
	session_works("told", ROS_TLS_VERIFY);
}

static void tls_verify_checks_host_name_localhost(void **s)
{
	(void)s;
	struct ros_options o = opts("t7", ROS_TLS_VERIFY);
	o.host = "localhost";
	ros_conn *c = connect_expect(&o, ROS_OK);
	ros_conn_free(c);
}

static void tls_verify_without_the_ca_rejects_self_signed(void **s)
{
	(void)s;
	struct ros_options o = opts("t7", ROS_TLS_VERIFY);
	o.ca_file = NULL; /* system store: does not know the fake's certificate */
	ros_conn *c = connect_expect(&o, ROS_ERR_TLS_VERIFY);
	assert_non_null(strstr(ros_errstr(c), "verif"));
	ros_conn_free(c);
}

static void tls_fingerprint_pin_works_for_both_flavours(void **s)
{
	(void)s;
	session_works("t7", ROS_TLS_FINGERPRINT);
	session_works("told", ROS_TLS_FINGERPRINT);
}

static void tls_fingerprint_accepts_lowercase_without_colons(void **s)
{
	(void)s;
	char fpr[128];
	size_t k = 0;
	for (const char *p = fakeproc_router(&fp, "t7")->fingerprint + 7; *p; p++)
		if (*p != ':')
			fpr[k++] = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	fpr[k] = '\0';
	struct ros_options o = opts("t7", ROS_TLS_FINGERPRINT);
	o.fingerprint = fpr;
	ros_conn *c = connect_expect(&o, ROS_OK);
	ros_conn_free(c);
}

static void wrong_fingerprint_is_rejected_before_login(void **s)
{
	(void)s;
	char before[256], after[256], logins_b[32], logins_a[32];
	struct ros_options o = opts("t7", ROS_TLS_FINGERPRINT);
	o.fingerprint = "sha256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	                "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	assert_int_equal(fakeproc_cmd(&fp, before, sizeof before, "stats t7"), 0);
	ros_conn *c = connect_expect(&o, ROS_ERR_TLS_FINGERPRINT);
	/* The error names what the router presented, so users can pin it. */
	assert_non_null(strstr(ros_errstr(c), fakeproc_router(&fp, "t7")->fingerprint));
	assert_string_equal(ros_peer_fingerprint(c), fakeproc_router(&fp, "t7")->fingerprint);
	ros_conn_free(c);
	assert_int_equal(fakeproc_cmd(&fp, after, sizeof after, "stats t7"), 0);
	fakeproc_field(before, "logins", logins_b, sizeof logins_b);
	fakeproc_field(after, "logins", logins_a, sizeof logins_a);
	assert_string_equal(logins_b, logins_a); /* the password was never sent */
}

static void malformed_fingerprint_option_is_rejected(void **s)
{
	(void)s;
	struct ros_options o = opts("t7", ROS_TLS_FINGERPRINT);
	int st = 0;
	o.fingerprint = "sha256:AB:CD";
	assert_null(ros_conn_new(&o, &st));
	assert_int_equal(st, ROS_ERR_ARG);
	o.fingerprint = "sha256:zz";
	assert_null(ros_conn_new(&o, &st));
}

static void anonymous_dh_works_only_when_asked(void **s)
{
	(void)s;
	session_works("a7", ROS_TLS_ANONYMOUS);
	session_works("aold", ROS_TLS_ANONYMOUS);
	/* Asking for authentication never falls back to anonymous DH. */
	struct ros_options o = opts("a7", ROS_TLS_VERIFY);
	ros_conn *c = connect_expect(&o, ROS_ERR_TLS);
	assert_non_null(strstr(ros_errstr(c), "TLS handshake failed"));
	ros_conn_free(c);
	o = opts("a7", ROS_TLS_FINGERPRINT);
	o.fingerprint = fakeproc_router(&fp, "t7")->fingerprint;
	c = connect_expect(&o, ROS_ERR_TLS);
	ros_conn_free(c);
}

static void anonymous_dh_against_a_certificate_router_fails(void **s)
{
	(void)s;
	struct ros_options o = opts("t7", ROS_TLS_ANONYMOUS);
	ros_conn *c = connect_expect(&o, ROS_ERR_TLS);
	ros_conn_free(c);
}

static void plain_client_against_tls_port_says_the_port_may_speak_tls(void **s)
{
	(void)s;
	struct ros_options o = opts("t7", ROS_TLS_OFF);
	o.timeout_ms = 3000;
	int st;
	ros_conn *c = ros_conn_new(&o, &st);
	int rc = ros_connect(c);
	/* OpenSSL drops a client that does not speak TLS without an alert. */
	assert_true(rc == ROS_ERR_CLOSED || rc == ROS_ERR_IO || rc == ROS_ERR_PORT_TLS);
	assert_non_null(strstr(ros_errstr(c), "api-ssl (TLS)"));
	ros_conn_free(c);
}

static void tls_client_against_plain_port_says_the_port_speaks_the_plain_api(void **s)
{
	(void)s;
	/* The router answers once the ClientHello's bytes happen to end a
	 * sentence (a zero byte where a word length is read), else it waits:
	 * then the timeout says what may be wrong. Tries until it answers. */
	int answered = 0;
	for (int i = 0; i < 20 && !answered; i++) {
		struct ros_options o = opts("p7", i % 2 ? ROS_TLS_VERIFY : ROS_TLS_FINGERPRINT);
		if (o.tls == ROS_TLS_FINGERPRINT)
			o.fingerprint = fakeproc_router(&fp, "t7")->fingerprint;
		o.timeout_ms = 1000;
		int st;
		ros_conn *c = ros_conn_new(&o, &st);
		int rc = ros_connect(c);
		if (rc == ROS_ERR_PORT_PLAIN) {
			assert_non_null(
			        strstr(ros_errstr(c), "this port speaks the plain API, not TLS"));
			assert_null(strstr(ros_errstr(c), "certificate"));
			answered = 1;
		} else {
			assert_int_equal(rc, ROS_ERR_TIMEOUT);
			assert_non_null(
			        strstr(ros_errstr(c), "a plain API port may also stay silent"));
		}
		ros_conn_free(c);
	}
	assert_true(answered);
}

static void certificate_subject_and_validity_are_shown_even_on_a_mismatch(void **s)
{
	(void)s;
	struct ros_options o = opts("t7", ROS_TLS_FINGERPRINT);
	o.fingerprint = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	ros_conn *c = connect_expect(&o, ROS_ERR_TLS_FINGERPRINT);
	assert_non_null(ros_peer_certificate(c));
	assert_non_null(strstr(ros_peer_certificate(c), "subject /CN="));
	assert_non_null(strstr(ros_peer_certificate(c), ", valid from "));
	assert_non_null(strstr(ros_peer_certificate(c), " until "));
	ros_conn_free(c);
}

static void wrong_password_fails_without_leaking_it(const char *router, enum ros_tls_mode tls)
{
	struct ros_options o = opts(router, tls);
	o.password = "Wr0ng-Secret-Value";
	ros_conn *c = connect_expect(&o, ROS_ERR_AUTH);
	assert_null(strstr(ros_errstr(c), "Wr0ng-Secret-Value"));
	assert_null(strstr(ros_errstr(c), PASSWORD));
	assert_non_null(strstr(ros_errstr(c), "login failed"));
	assert_int_equal(ros_is_ready(c), 0);
	ros_conn_free(c);
}

static void wrong_password_is_an_auth_error_in_every_flavour(void **s)
{
	(void)s;
	wrong_password_fails_without_leaking_it("p7", ROS_TLS_OFF);
	wrong_password_fails_without_leaking_it("p6", ROS_TLS_OFF);
	wrong_password_fails_without_leaking_it("pold", ROS_TLS_OFF);
	wrong_password_fails_without_leaking_it("told", ROS_TLS_FINGERPRINT);
	wrong_password_fails_without_leaking_it("a7", ROS_TLS_ANONYMOUS);
}

static void modern_router_message_is_reported(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	o.password = "nope";
	ros_conn *c = connect_expect(&o, ROS_ERR_AUTH);
	assert_non_null(strstr(ros_errstr(c), "invalid user name or password"));
	ros_conn_free(c);
}

static void user_without_api_policy_is_a_policy_error(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	o.user = "reader";
	o.password = "readpw";
	ros_conn *c = connect_expect(&o, ROS_ERR_POLICY);
	assert_non_null(strstr(ros_errstr(c), "api"));
	ros_conn_free(c);
}

static void refused_port_is_refused(void **s)
{
	(void)s;
	struct ros_options o = opts("refuse", ROS_TLS_OFF);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "refuse refuse on"), 0);
	ros_conn *c = connect_expect(&o, ROS_ERR_REFUSED);
	assert_non_null(strstr(ros_errstr(c), "refused"));
	ros_conn_free(c);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "refuse refuse off"), 0);
	c = connect_expect(&o, ROS_OK);
	ros_conn_free(c);
}

static void unresolvable_host_is_a_resolve_error(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	o.host = "no-such-host.invalid";
	ros_conn *c = connect_expect(&o, ROS_ERR_RESOLVE);
	ros_conn_free(c);
}

/* A stalled router: connect/TLS/login and commands time out on time. */
static void expect_timeout_within_deadline(ros_conn *c, int rc, int64_t started, int timeout)
{
	int64_t took = ros_now_ms() - started;
	assert_int_equal(rc, ROS_ERR_TIMEOUT);
	assert_true(took >= timeout - 50);
	/* Generous margin: machines are shared; the point is that it ends. */
	assert_true(took < timeout + 2000);
	assert_non_null(strstr(ros_errstr(c), "timeout"));
}

static void stalled_router_times_out_during_login_and_tls(void **s)
{
	(void)s;
	const char *routers[] = {"stall", "stallt"};
	enum ros_tls_mode modes[] = {ROS_TLS_OFF, ROS_TLS_FINGERPRINT};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "stall %s on", routers[i]), 0);
		struct ros_options o = opts(routers[i], modes[i]);
		o.timeout_ms = 400;
		int st;
		ros_conn *c = ros_conn_new(&o, &st);
		int64_t t0 = ros_now_ms();
		expect_timeout_within_deadline(c, ros_connect(c), t0, 400);
		ros_conn_free(c);
		assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "stall %s off", routers[i]), 0);
	}
}

static void stall_mid_session_times_out_the_command(void **s)
{
	(void)s;
	struct ros_options o = opts("stall", ROS_TLS_OFF);
	o.timeout_ms = 400;
	ros_conn *c = connect_expect(&o, ROS_OK);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "stall stall on"), 0);
	uint64_t up;
	int64_t t0 = ros_now_ms();
	expect_timeout_within_deadline(c, ros_read_uptime(c, &up), t0, 400);
	assert_int_equal(ros_fd(c), -1); /* closed after a timeout */
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "stall stall off"), 0);
	/* The same handle reconnects. */
	assert_int_equal(ros_connect(c), ROS_OK);
	assert_int_equal(ros_read_uptime(c, &up), ROS_OK);
	ros_conn_free(c);
}

static void dribbled_replies_one_byte_at_a_time_parse(void **s)
{
	(void)s;
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "dribble drib on"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "dribble dribt on"), 0);
	session_works("drib", ROS_TLS_OFF);
	session_works("dribt", ROS_TLS_FINGERPRINT);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "dribble drib off"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "dribble dribt off"), 0);
}

static void garbage_is_a_protocol_error(void **s)
{
	(void)s;
	struct ros_options o = opts("garb", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "garbage garb"), 0);
	uint64_t up;
	assert_int_equal(ros_read_uptime(c, &up), ROS_ERR_PROTOCOL);
	assert_non_null(strstr(ros_errstr(c), "protocol error"));
	assert_int_equal(ros_fd(c), -1);
	ros_conn_free(c);
}

static void peer_close_mid_word_is_reported(void **s)
{
	(void)s;
	struct ros_options o = opts("cut", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "cutword cut"), 0);
	struct ros_iface_counters *v = NULL;
	size_t n = 0;
	assert_int_equal(ros_read_counters(c, three_names, 3, &v, &n), ROS_ERR_CLOSED);
	assert_null(v);
	assert_non_null(strstr(ros_errstr(c), "middle"));
	ros_conn_free(c);
}

static void fatal_is_reported_with_its_reason(void **s)
{
	(void)s;
	struct ros_options o = opts("fat", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "fatal fat out of sessions"), 0);
	ros_reply *r = NULL;
	static const char *const cmd[] = {"/system/identity/print"};
	assert_int_equal(ros_command(c, cmd, 1, &r), ROS_ERR_FATAL);
	assert_non_null(strstr(ros_errstr(c), "out of sessions"));
	assert_non_null(r);
	assert_int_equal(ros_sentence_type(ros_reply_sentence(r, ros_reply_count(r) - 1)),
	                 ROS_REPLY_FATAL);
	ros_reply_free(r);
	assert_int_equal(ros_is_ready(c), 0);
	ros_conn_free(c);
}

static void trap_keeps_the_session_usable(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	static const char *const bad[] = {"/no/such/command"};
	ros_reply *r = NULL;
	assert_int_equal(ros_command(c, bad, 1, &r), ROS_ERR_TRAP);
	assert_non_null(r);
	assert_non_null(ros_reply_trap(r));
	assert_non_null(strstr(ros_errstr(c), "router error"));
	ros_reply_free(r);
	assert_int_equal(ros_is_ready(c), 1);
	check_uptime(c, "p7");
	ros_conn_free(c);
}

static void missing_interface_gives_no_rows_v7_empty_and_v6(void **s)
{
	(void)s;
	static const char *const missing[] = {"no-such-iface"};
	const char *routers[] = {"p7", "p6"};
	for (int i = 0; i < 2; i++) {
		struct ros_options o = opts(routers[i], ROS_TLS_OFF);
		ros_conn *c = connect_expect(&o, ROS_OK);
		struct ros_iface_counters *v = NULL;
		size_t n = 99;
		assert_int_equal(ros_read_counters(c, missing, 1, &v, &n), ROS_OK);
		assert_int_equal(n, 0);
		ros_counters_free(v, n);
		/* The raw reply: !empty then !done on 7.18+, only !done on v6. */
		const char *words[8];
		char *store = NULL;
		int nw = ros_counters_words(missing, 1, words, &store);
		ros_reply *r = NULL;
		assert_int_equal(ros_command(c, words, (size_t)nw, &r), ROS_OK);
		assert_int_equal(ros_reply_count(r), i == 0 ? 2 : 1);
		if (i == 0)
			assert_int_equal(ros_sentence_type(ros_reply_sentence(r, 0)),
			                 ROS_REPLY_EMPTY);
		ros_reply_free(r);
		free(store);
		ros_conn_free(c);
	}
}

static void tagged_command_replies_carry_the_tag(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	static const char *const cmd[] = {"/interface/print", "=.proplist=name,comment",
	                                  "?name=ether1", ".tag=42"};
	ros_reply *r = NULL;
	assert_int_equal(ros_command(c, cmd, 4, &r), ROS_OK);
	assert_int_equal(ros_reply_rows(r), 1);
	for (size_t i = 0; i < ros_reply_count(r); i++) {
		size_t len;
		const char *tag = ros_sentence_tag(ros_reply_sentence(r, i), &len);
		assert_non_null(tag);
		assert_int_equal(len, 2);
		assert_memory_equal(tag, "42", 2);
	}
	ros_reply_free(r);
	ros_conn_free(c);
}

static void one_login_serves_many_polls(void **s)
{
	(void)s;
	char before[256], after[256], lb[32], la[32];
	assert_int_equal(fakeproc_cmd(&fp, before, sizeof before, "stats p6"), 0);
	struct ros_options o = opts("p6", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	for (int i = 0; i < 20; i++)
		check_counters(c, "p6");
	ros_conn_free(c);
	assert_int_equal(fakeproc_cmd(&fp, after, sizeof after, "stats p6"), 0);
	fakeproc_field(before, "logins", lb, sizeof lb);
	fakeproc_field(after, "logins", la, sizeof la);
	assert_int_equal(atoi(la), atoi(lb) + 1);
}

static void reboot_closes_the_session_and_counters_restart(void **s)
{
	(void)s;
	struct ros_options o = opts("boot", ROS_TLS_OFF);
	o.timeout_ms = 1000;
	ros_conn *c = connect_expect(&o, ROS_OK);
	uint64_t up1, up2;
	assert_int_equal(ros_read_uptime(c, &up1), ROS_OK);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "reboot boot"), 0);
	int rc = ros_read_uptime(c, &up2);
	if (rc != ROS_ERR_CLOSED && rc != ROS_ERR_IO)
		fail_msg("after reboot: %s (%s)", ros_status_name(rc), ros_errstr(c));
	/* The router takes a moment to listen again, as a real one does. */
	for (int tries = 0; (rc = ros_connect(c)) == ROS_ERR_REFUSED && tries < 50; tries++)
		poll(NULL, 0, 100);
	if (rc != ROS_OK)
		fail_msg("reconnect after reboot: %s (%s)", ros_status_name(rc), ros_errstr(c));
	struct ros_iface_counters *v = NULL;
	size_t n = 0;
	static const char *const e1[] = {"ether1"};
	assert_int_equal(ros_read_counters(c, e1, 1, &v, &n), ROS_OK);
	assert_int_equal(n, 1);
	assert_true(v[0].rx_bytes < 468259100207ULL); /* back near zero */
	ros_counters_free(v, n);
	ros_conn_free(c);
}

static void quit_is_sent_on_close(void **s)
{
	(void)s;
	char line[256], sess[32];
	struct ros_options o = opts("pw", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	assert_int_equal(fakeproc_cmd(&fp, line, sizeof line, "stats pw"), 0);
	fakeproc_field(line, "sessions", sess, sizeof sess);
	assert_int_equal(atoi(sess), 1);
	ros_conn_free(c);
	/* The router ends the session on /quit; poll the stats briefly. */
	for (int i = 0; i < 100; i++) {
		fakeproc_cmd(&fp, line, sizeof line, "stats pw");
		fakeproc_field(line, "sessions", sess, sizeof sess);
		if (atoi(sess) == 0)
			break;
		poll(NULL, 0, 10);
	}
	assert_int_equal(atoi(sess), 0);
}

/* Drives n connections at once from one poll loop, like the daemon. */
static void nonblocking_mode_drives_many_sessions_from_one_loop(void **s)
{
	(void)s;
	enum { N = 24 };
	const char *routers[] = {"p7", "pold", "t7", "a7", "told", "aold"};
	enum ros_tls_mode modes[] = {ROS_TLS_OFF,       ROS_TLS_OFF,    ROS_TLS_FINGERPRINT,
	                             ROS_TLS_ANONYMOUS, ROS_TLS_VERIFY, ROS_TLS_ANONYMOUS};
	ros_conn *c[N];
	int state[N]; /* 0 connecting, 1 reading, 2 done */
	int64_t now = ros_now_ms();
	for (int i = 0; i < N; i++) {
		struct ros_options o = opts(routers[i % 6], modes[i % 6]);
		int st;
		c[i] = ros_conn_new(&o, &st);
		assert_non_null(c[i]);
		assert_int_equal(ros_start_connect(c[i], now), ROS_AGAIN);
		state[i] = 0;
	}
	int done = 0;
	while (done < N) {
		struct pollfd pfd[N];
		int idx[N], k = 0;
		for (int i = 0; i < N; i++) {
			if (state[i] == 2)
				continue;
			int ev = ros_events(c[i]);
			pfd[k].fd = ros_fd(c[i]);
			pfd[k].events = (short)((ev & ROS_WANT_READ ? POLLIN : 0) |
			                        (ev & ROS_WANT_WRITE ? POLLOUT : 0));
			pfd[k].revents = 0;
			idx[k++] = i;
		}
		assert_true(poll(pfd, (nfds_t)k, 5000) > 0);
		now = ros_now_ms();
		for (int j = 0; j < k; j++) {
			int i = idx[j];
			if (!pfd[j].revents)
				continue;
			int rc = ros_step(c[i], now);
			if (rc == ROS_AGAIN)
				continue;
			if (rc != ROS_OK)
				fail_msg("session %d: %s", i, ros_errstr(c[i]));
			if (state[i] == 0) {
				assert_int_equal(ros_is_ready(c[i]), 1);
				assert_int_equal(ros_start_command(c[i], ros_uptime_words, 2, now),
				                 ROS_AGAIN);
				state[i] = 1;
			} else {
				ros_reply *r = ros_take_reply(c[i]);
				uint64_t up = 0;
				assert_int_equal(ros_uptime_parse(r, &up), ROS_OK);
				ros_reply_free(r);
				state[i] = 2;
				done++;
			}
		}
	}
	for (int i = 0; i < N; i++)
		ros_conn_free(c[i]);
}

static void streaming_monitor_rows_arrive_before_done(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	static const char *const mon[] = {"/interface/monitor-traffic", "=interface=ether1"};
	assert_int_equal(ros_start_command(c, mon, 2, ros_now_ms()), ROS_AGAIN);
	size_t rows = 0;
	int64_t end = ros_now_ms() + 5000;
	while (rows < 3 && ros_now_ms() < end) {
		struct pollfd pfd = {.fd = ros_fd(c), .events = POLLIN};
		poll(&pfd, 1, 200);
		assert_int_equal(ros_step(c, ros_now_ms()), ROS_AGAIN);
		const ros_reply *r = ros_pending_reply(c);
		rows = r ? ros_reply_rows(r) : 0;
	}
	assert_true(rows >= 3);
	const ros_sentence *row = ros_reply_sentence(ros_pending_reply(c), 0);
	size_t len;
	assert_non_null(ros_sentence_get(row, "rx-bits-per-second", &len));
	ros_conn_free(c); /* closing mid-stream must not leak or hang */
}

/* ---- a hostile router: endless replies (issue 8, defect 3) ---- */

/* Resident set size of this process in bytes. */
static uint64_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Before the fix one ros_step never returned during a flood: make such a
 * hang a failure instead of waiting for CTest's timeout. */
static void watchdog(unsigned seconds)
{
	signal(SIGALRM, SIG_DFL);
	alarm(seconds);
}

/* Drives the pending command of c like an event loop: polls only when the
 * library holds no unread input (TLS may), and asserts that resident
 * memory stays below rss_cap and that it ends within deadline_ms. */
static int drive_bounded(ros_conn *c, int64_t deadline_ms, uint64_t rss_cap, size_t *max_step,
                         bool *saw_pending)
{
	int64_t end = ros_now_ms() + deadline_ms;
	int rc = ROS_AGAIN;
	while (rc == ROS_AGAIN) {
		if (saw_pending && ros_input_pending(c))
			*saw_pending = true;
		if (!ros_input_pending(c)) {
			struct pollfd pfd = {.fd = ros_fd(c), .events = POLLIN};
			poll(&pfd, 1, 200);
		}
		const ros_reply *before = ros_pending_reply(c);
		size_t n0 = before ? ros_reply_count(before) : 0;
		rc = ros_step(c, ros_now_ms());
		const ros_reply *after = ros_pending_reply(c);
		size_t n1 = rc == ROS_AGAIN && after ? ros_reply_count(after) : n0;
		if (max_step && n1 - n0 > *max_step)
			*max_step = n1 - n0;
		if (rss_bytes() > rss_cap)
			fail_msg("resident memory %llu MB beyond the bound",
			         (unsigned long long)(rss_bytes() >> 20));
		if (ros_now_ms() > end)
			fail_msg("the endless reply did not end within %lld ms",
			         (long long)deadline_ms);
	}
	return rc;
}

static void flood_expect_too_large(const char *router, enum ros_tls_mode mode, const char *limit)
{
	struct ros_options o = opts(router, mode);
	ros_conn *c = connect_expect(&o, ROS_OK);
	uint64_t rss0 = rss_bytes();
	static const char *const print[] = {"/interface/print"};
	assert_int_equal(ros_start_command(c, print, 1, ros_now_ms()), ROS_AGAIN);
	/* Generous (ASan redzones and quarantine): without the limits this
	 * grew by gigabytes. */
	int rc = drive_bounded(c, 60000, rss0 + (256u << 20), NULL, NULL);
	if (rc != ROS_ERR_REPLY_TOO_LARGE)
		fail_msg("%s: got %s (%s)", router, ros_status_name(rc), ros_errstr(c));
	assert_non_null(strstr(ros_errstr(c), "reply too large"));
	assert_non_null(strstr(ros_errstr(c), limit));
	assert_int_equal(ros_fd(c), -1); /* a reply cannot be resynchronised */
	assert_null(ros_pending_reply(c));
	assert_null(ros_take_reply(c));
	assert_string_equal(ros_status_name(rc), "reply too large");
	ros_conn_free(c);
}

static void endless_reply_is_too_large_plain_tls_and_large_sentences(void **s)
{
	(void)s;
	watchdog(240);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood flood"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood floodt 100"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood floodl 300000"), 0);
	flood_expect_too_large("flood", ROS_TLS_OFF, "more than 100000 sentences");
	flood_expect_too_large("floodt", ROS_TLS_FINGERPRINT, "more than 100000 sentences");
	flood_expect_too_large("floodl", ROS_TLS_OFF, "more than 33554432 bytes");
	/* The limits are settable per connection. */
	struct ros_options o = opts("flood", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	ros_set_reply_limits(c, 500, 0);
	ros_reply *r = NULL;
	static const char *const print[] = {"/interface/print"};
	assert_int_equal(ros_command(c, print, 1, &r), ROS_ERR_REPLY_TOO_LARGE);
	assert_null(r);
	assert_non_null(strstr(ros_errstr(c), "more than 500 sentences"));
	/* flood off: the same handle reconnects and reads normally. */
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood flood off"), 0);
	assert_int_equal(ros_connect(c), ROS_OK);
	check_counters(c, "flood");
	ros_conn_free(c);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood floodt off"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood floodl off"), 0);
	alarm(0);
}

static void one_step_reads_a_bounded_amount(void **s)
{
	(void)s;
	watchdog(240);
	const char *routers[] = {"flood", "floodt"};
	enum ros_tls_mode modes[] = {ROS_TLS_OFF, ROS_TLS_FINGERPRINT};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood %s", routers[i]), 0);
		struct ros_options o = opts(routers[i], modes[i]);
		ros_conn *c = connect_expect(&o, ROS_OK);
		static const char *const print[] = {"/interface/print"};
		assert_int_equal(ros_start_command(c, print, 1, ros_now_ms()), ROS_AGAIN);
		size_t max_step = 0;
		bool saw_pending = false;
		int rc = drive_bounded(c, 60000, rss_bytes() + (256u << 20), &max_step,
		                       &saw_pending);
		assert_int_equal(rc, ROS_ERR_REPLY_TOO_LARGE);
		/* The budget ran out with input left: the caller was told to go on. */
		assert_true(saw_pending);
		assert_int_equal(ros_input_pending(c), 0); /* closed now */
		/* A flood sentence is 28 bytes on the wire ("!re", "=data=" + 16). */
		if (max_step > ROS_STEP_READ_BUDGET / 28 + 1)
			fail_msg("%s: one step took %zu sentences", routers[i], max_step);
		assert_true(max_step > 0);
		ros_conn_free(c);
		assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood %s off", routers[i]), 0);
	}
	alarm(0);
}

static void dribbled_endless_reply_ends_at_the_overall_deadline(void **s)
{
	(void)s;
	watchdog(240);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood floodd"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "dribble floodd on"), 0);
	struct ros_options o = opts("floodd", ROS_TLS_OFF);
	o.timeout_ms = 1000; /* a byte every millisecond: silence never lasts that long */
	ros_conn *c = connect_expect(&o, ROS_OK);
	ros_set_command_deadline(c, 2000);
	uint64_t up;
	int64_t t0 = ros_now_ms();
	int rc = ros_read_uptime(c, &up);
	int64_t took = ros_now_ms() - t0;
	assert_int_equal(rc, ROS_ERR_TIMEOUT);
	assert_non_null(strstr(ros_errstr(c), "reply not complete after 2 s"));
	assert_true(took >= 1950);
	assert_true(took < 2000 + 20000); /* generous: the point is that it ends */
	assert_int_equal(ros_fd(c), -1);
	ros_conn_free(c);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood floodd off"), 0);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "dribble floodd off"), 0);
	alarm(0);
}

static void command_deadline_is_settable_and_shows_in_ros_deadline(void **s)
{
	(void)s;
	int timeouts[] = {3000, 10000};
	for (int i = 0; i < 2; i++) {
		struct ros_options o = opts("p7", ROS_TLS_OFF);
		o.timeout_ms = timeouts[i];
		ros_conn *c = connect_expect(&o, ROS_OK);
		int64_t now = ros_now_ms();
		assert_int_equal(ros_start_command(c, ros_uptime_words, 2, now), ROS_AGAIN);
		/* The silence timeout comes first; the overall one is behind it. */
		assert_int_equal(ros_deadline(c), now + timeouts[i]);
		ros_close(c);
		/* With the silence timeout beyond it, the overall deadline shows. */
		ros_set_command_deadline(c, timeouts[i] / 2);
		assert_int_equal(ros_connect(c), ROS_OK);
		now = ros_now_ms();
		assert_int_equal(ros_start_command(c, ros_uptime_words, 2, now), ROS_AGAIN);
		assert_int_equal(ros_deadline(c), now + timeouts[i] / 2);
		ros_close(c);
		ros_set_command_deadline(c, 0);
		assert_int_equal(ros_connect(c), ROS_OK);
		ros_conn_free(c);
	}
}

static void discarding_a_stream_keeps_it_within_the_limits(void **s)
{
	(void)s;
	watchdog(240);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood flood"), 0);
	struct ros_options o = opts("flood", ROS_TLS_OFF);
	ros_conn *c = connect_expect(&o, ROS_OK);
	ros_set_reply_limits(c, 5000, 0);
	ros_set_command_deadline(c, -1);
	static const char *const print[] = {"/interface/print"};
	assert_int_equal(ros_start_command(c, print, 1, ros_now_ms()), ROS_AGAIN);
	size_t seen = 0;
	int64_t end = ros_now_ms() + 60000;
	while (seen < 50000) {
		if (!ros_input_pending(c)) {
			struct pollfd pfd = {.fd = ros_fd(c), .events = POLLIN};
			poll(&pfd, 1, 200);
		}
		int rc = ros_step(c, ros_now_ms());
		if (rc != ROS_AGAIN)
			fail_msg("after %zu rows: %s", seen, ros_errstr(c));
		seen += ros_reply_count(ros_pending_reply(c));
		ros_pending_discard(c);
		assert_int_equal(ros_reply_count(ros_pending_reply(c)), 0);
		assert_true(ros_now_ms() < end);
	}
	ros_conn_free(c);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "flood flood off"), 0);
	alarm(0);
}

static void api_misuse_returns_state_and_arg_errors(void **s)
{
	(void)s;
	struct ros_options o = opts("p7", ROS_TLS_OFF);
	int st;
	ros_conn *c = ros_conn_new(&o, &st);
	assert_int_equal(ros_start_command(c, ros_uptime_words, 2, 0), ROS_ERR_STATE);
	assert_int_equal(ros_step(c, 0), ROS_ERR_STATE);
	assert_int_equal(ros_connect(c), ROS_OK);
	static const char *const notcmd[] = {"interface/print"};
	assert_int_equal(ros_start_command(c, notcmd, 1, 0), ROS_ERR_ARG);
	assert_int_equal(ros_start_connect(c, 0), ROS_ERR_STATE);
	ros_conn_free(c);
	o.host = NULL;
	assert_null(ros_conn_new(&o, &st));
	assert_int_equal(st, ROS_ERR_ARG);
	ros_conn_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(plain_login_counters_uptime_v7),
	        cmocka_unit_test(plain_login_counters_uptime_v6),
	        cmocka_unit_test(plain_challenge_login_counters_old_uptime_format_v6old),
	        cmocka_unit_test(tls_verify_with_ca_file_works_for_both_flavours),
	        cmocka_unit_test(tls_verify_checks_host_name_localhost),
	        cmocka_unit_test(tls_verify_without_the_ca_rejects_self_signed),
	        cmocka_unit_test(tls_fingerprint_pin_works_for_both_flavours),
	        cmocka_unit_test(tls_fingerprint_accepts_lowercase_without_colons),
	        cmocka_unit_test(wrong_fingerprint_is_rejected_before_login),
	        cmocka_unit_test(malformed_fingerprint_option_is_rejected),
	        cmocka_unit_test(anonymous_dh_works_only_when_asked),
	        cmocka_unit_test(anonymous_dh_against_a_certificate_router_fails),
	        cmocka_unit_test(plain_client_against_tls_port_says_the_port_may_speak_tls),
	        cmocka_unit_test(tls_client_against_plain_port_says_the_port_speaks_the_plain_api),
	        cmocka_unit_test(certificate_subject_and_validity_are_shown_even_on_a_mismatch),
	        cmocka_unit_test(wrong_password_is_an_auth_error_in_every_flavour),
	        cmocka_unit_test(modern_router_message_is_reported),
	        cmocka_unit_test(user_without_api_policy_is_a_policy_error),
	        cmocka_unit_test(refused_port_is_refused),
	        cmocka_unit_test(unresolvable_host_is_a_resolve_error),
	        cmocka_unit_test(stalled_router_times_out_during_login_and_tls),
	        cmocka_unit_test(stall_mid_session_times_out_the_command),
	        cmocka_unit_test(dribbled_replies_one_byte_at_a_time_parse),
	        cmocka_unit_test(garbage_is_a_protocol_error),
	        cmocka_unit_test(peer_close_mid_word_is_reported),
	        cmocka_unit_test(fatal_is_reported_with_its_reason),
	        cmocka_unit_test(trap_keeps_the_session_usable),
	        cmocka_unit_test(missing_interface_gives_no_rows_v7_empty_and_v6),
	        cmocka_unit_test(tagged_command_replies_carry_the_tag),
	        cmocka_unit_test(one_login_serves_many_polls),
	        cmocka_unit_test(reboot_closes_the_session_and_counters_restart),
	        cmocka_unit_test(quit_is_sent_on_close),
	        cmocka_unit_test(nonblocking_mode_drives_many_sessions_from_one_loop),
	        cmocka_unit_test(streaming_monitor_rows_arrive_before_done),
	        cmocka_unit_test(api_misuse_returns_state_and_arg_errors),
	        cmocka_unit_test(endless_reply_is_too_large_plain_tls_and_large_sentences),
	        cmocka_unit_test(one_step_reads_a_bounded_amount),
	        cmocka_unit_test(dribbled_endless_reply_ends_at_the_overall_deadline),
	        cmocka_unit_test(command_deadline_is_settable_and_shows_in_ros_deadline),
	        cmocka_unit_test(discarding_a_stream_keeps_it_within_the_limits),
	};
	/* TEST_FILTER=glob runs some tests only (e.g. to see one fail). */
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
