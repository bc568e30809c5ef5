/*
 * test_tagged.c — tagged concurrent commands, streams and cancel in the
 * library, against the fake router over real loopback sockets, plus a
 * tiny in-process hostile peer for replies the fake never sends (tags
 * nobody issued, untagged strays).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fakeproc.h"
#include "routeros.h"

#define PASSWORD "tag-Pw"
/* Generous: the machine is shared; nothing here asserts on speed. */
#define WAIT_MS 30000

static struct fakeproc fp;

static int group_setup(void **state)
{
	static const char *const args[] = {"--password",
	                                   PASSWORD,
	                                   "--monitor-interval-ms",
	                                   "50",
	                                   "--spec",
	                                   "r1:v7:plain",
	                                   "--spec",
	                                   "lost:v7:plain",
	                                   "--spec",
	                                   "quiet:v7:plain",
	                                   "--spec",
	                                   "t1:v7:tls",
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

static ros_conn *login(const char *router, enum ros_tls_mode tls)
{
	const struct fake_router_info *r = fakeproc_router(&fp, router);
	assert_non_null(r);
	struct ros_options o = {0};
	o.host = "127.0.0.1";
	o.port = (uint16_t)r->port;
	o.tls = tls;
	o.user = "admin";
	o.password = PASSWORD;
	o.timeout_ms = 5000;
	if (tls == ROS_TLS_FINGERPRINT)
		o.fingerprint = r->fingerprint;
	int st;
	ros_conn *c = ros_conn_new(&o, &st);
	assert_non_null(c);
	int rc = ros_connect(c);
	if (rc != ROS_OK)
		fail_msg("connect %s: %s (%s)", router, ros_status_name(rc), ros_errstr(c));
	return c;
}

static unsigned monitors(const char *router)
{
	char line[256];
	assert_int_equal(fakeproc_cmd(&fp, line, sizeof line, "monitors %s", router), 0);
	return (unsigned)strtoul(line + 3, NULL, 10);
}

/* Waits (bounded) until the fake counts want monitors on router. */
static void expect_monitors(const char *router, unsigned want)
{
	int64_t end = ros_now_ms() + WAIT_MS;
	unsigned n;
	while ((n = monitors(router)) != want && ros_now_ms() < end)
		usleep(20000);
	assert_int_equal(n, want);
}

/* Drives c (its other commands' sentences are left queued) until the
 * fake counts want monitors on router: a /cancel only goes out when the
 * connection is driven. */
static void drive_until_monitors(ros_conn *c, const char *router, unsigned want)
{
	int64_t end = ros_now_ms() + WAIT_MS;
	unsigned n;
	while ((n = monitors(router)) != want && ros_now_ms() < end)
		assert_int_equal(ros_wait(c, 50), ROS_OK);
	assert_int_equal(n, want);
}

static const char *const monitor_e1[] = {"/interface/monitor-traffic", "=interface=ether1"};

static ros_cmd *start(ros_conn *c, const char *const *w, size_t n, const struct ros_cmd_options *o)
{
	ros_cmd *cmd = NULL;
	int rc = ros_cmd_start(c, w, n, o, ros_now_ms(), &cmd);
	if (rc != ROS_AGAIN)
		fail_msg("ros_cmd_start: %s", ros_status_name(rc));
	assert_non_null(cmd);
	return cmd;
}

/* Drives c until cmd has a sentence or has ended; returns the sentence
 * (caller frees) or NULL when it ended with nothing left. */
static ros_sentence *next_of(ros_conn *c, ros_cmd *cmd)
{
	int64_t end = ros_now_ms() + WAIT_MS;
	for (;;) {
		ros_sentence *s = ros_cmd_take(cmd);
		if (s || ros_cmd_status(cmd) != ROS_AGAIN)
			return s;
		if (ros_now_ms() > end)
			fail_msg("no sentence for command %s in %d ms", ros_cmd_tag(cmd), WAIT_MS);
		int rc = ros_wait(c, 1000);
		if (rc != ROS_OK)
			fail_msg("ros_wait: %s (%s)", ros_status_name(rc), ros_errstr(c));
	}
}

/* Drives c until the connection fails (bounded); returns the error. */
static int wait_for_failure(ros_conn *c)
{
	int64_t end = ros_now_ms() + WAIT_MS;
	int rc = ROS_OK;
	while (rc == ROS_OK && ros_now_ms() < end)
		rc = ros_wait(c, 1000);
	return rc;
}

/* The value of attribute key of s, as a string, or "". */
static const char *attr(const ros_sentence *s, const char *key)
{
	const char *v = ros_sentence_get(s, key, NULL);
	return v ? v : "";
}

/* Drives c until cmd ends; frees what it delivers meanwhile. Returns the
 * number of !re and checks the last sentence was of type last (0: none);
 * a !trap fails the test unless last is ROS_REPLY_TRAP. */
static size_t finish(ros_conn *c, ros_cmd *cmd, enum ros_reply_type last)
{
	bool traps_ok = last == ROS_REPLY_TRAP;
	if (traps_ok)
		last = ROS_REPLY_DONE;
	size_t rows = 0;
	enum ros_reply_type seen = 0;
	ros_sentence *s;
	while ((s = next_of(c, cmd)) != NULL) {
		seen = ros_sentence_type(s);
		rows += seen == ROS_REPLY_RE;
		if (seen == ROS_REPLY_TRAP && !traps_ok)
			fail_msg("unexpected !trap: %s", attr(s, "message"));
		ros_sentence_free(s);
	}
	if (last)
		assert_int_equal(seen, last);
	return rows;
}

/* Two tagged commands and an untagged one on one session: each gets only
 * its own sentences, and none shows the library's tag. */
static void interleaved_commands_get_their_own_sentences(void **state)
{
	(void)state;
	ros_conn *c = login("r1", ROS_TLS_OFF);
	ros_cmd *mon = start(c, monitor_e1, 2, NULL);
	static const char *const mon2_w[] = {"/interface/monitor-traffic", "=interface=ether2 lan"};
	ros_cmd *mon2 = start(c, mon2_w, 2, NULL);
	static const char *const print_w[] = {"/interface/print", "?name=ether1",
	                                      "=.proplist=name,rx-byte"};
	ros_cmd *print = start(c, print_w, 3, NULL);
	assert_int_equal(ros_open_commands(c), 3);
	assert_string_not_equal(ros_cmd_tag(mon), ros_cmd_tag(print));

	/* The blocking API meanwhile: the poll of counters shares the session. */
	ros_reply *r = NULL;
	assert_int_equal(ros_command(c, print_w, 3, &r), ROS_OK);
	assert_int_equal(ros_reply_rows(r), 1);
	ros_reply_free(r);

	assert_int_equal(finish(c, print, ROS_REPLY_DONE), 1);
	assert_int_equal(ros_cmd_status(print), ROS_OK);
	for (int k = 0; k < 4; k++) {
		ros_sentence *s = next_of(c, mon);
		assert_non_null(s);
		assert_int_equal(ros_sentence_type(s), ROS_REPLY_RE);
		assert_string_equal(attr(s, "name"), "ether1");
		assert_null(ros_sentence_tag(s, NULL)); /* stripped */
		assert_string_equal(attr(s, "rx-bits-per-second"), "10000000");
		ros_sentence_free(s);
		s = next_of(c, mon2);
		assert_non_null(s);
		assert_string_equal(attr(s, "name"), "ether2 lan");
		ros_sentence_free(s);
	}
	expect_monitors("r1", 2);
	ros_cmd_release(c, print);
	ros_cmd_release(c, mon2); /* open: cancelled by the library */
	drive_until_monitors(c, "r1", 1);
	ros_conn_free(c);
	expect_monitors("r1", 0);
}

/* A stream delivers rows until cancelled; the end is ROS_CANCELLED, no
 * !trap reaches the caller, and the session keeps working. */
static void stream_cancel_then_print(enum ros_tls_mode tls, const char *router)
{
	ros_conn *c = login(router, tls);
	ros_cmd *mon = start(c, monitor_e1, 2, NULL);
	for (int k = 0; k < 5; k++) {
		ros_sentence *s = next_of(c, mon);
		assert_non_null(s);
		assert_int_equal(ros_sentence_type(s), ROS_REPLY_RE);
		ros_sentence_free(s);
	}
	expect_monitors(router, 1);
	assert_int_equal(ros_cancel(c, mon, ros_now_ms()), ROS_OK);
	assert_int_equal(ros_cancel(c, mon, ros_now_ms()), ROS_OK); /* idempotent */
	finish(c, mon, ROS_REPLY_DONE);
	assert_int_equal(ros_cmd_status(mon), ROS_CANCELLED);
	expect_monitors(router, 0);
	ros_cmd_release(c, mon);
	ros_reply *r = NULL;
	static const char *const id_w[] = {"/system/identity/print"};
	assert_int_equal(ros_command(c, id_w, 1, &r), ROS_OK);
	assert_string_equal(attr(ros_reply_sentence(r, 0), "name"), router);
	ros_reply_free(r);
	assert_int_equal(ros_open_commands(c), 0);
	ros_conn_free(c);
}

static void stream_then_cancel_plain(void **state)
{
	(void)state;
	stream_cancel_then_print(ROS_TLS_OFF, "r1");
}

static void stream_then_cancel_tls(void **state)
{
	(void)state;
	stream_cancel_then_print(ROS_TLS_FINGERPRINT, "t1");
}

/* The untagged command of the old API can be cancelled too. */
static void untagged_stream_cancelled(void **state)
{
	(void)state;
	ros_conn *c = login("r1", ROS_TLS_OFF);
	int rc = ros_start_command(c, monitor_e1, 2, ros_now_ms());
	int64_t end = ros_now_ms() + WAIT_MS;
	while (rc == ROS_AGAIN && ros_reply_rows(ros_pending_reply(c)) < 3 && ros_now_ms() < end)
		rc = ros_wait(c, 1000) == ROS_OK ? ROS_AGAIN : -1;
	assert_int_equal(rc, ROS_AGAIN);
	assert_int_equal(ros_cancel_pending(c, ros_now_ms()), ROS_OK);
	while (rc == ROS_AGAIN && ros_now_ms() < end) {
		struct pollfd p = {ros_fd(c), POLLIN, 0};
		poll(&p, 1, 1000);
		rc = ros_step(c, ros_now_ms());
	}
	assert_int_equal(rc, ROS_CANCELLED);
	ros_reply *r = ros_take_reply(c);
	assert_non_null(r);
	assert_null(ros_reply_trap(r));
	assert_true(ros_reply_rows(r) >= 3);
	ros_reply_free(r);
	static const char *const id_w[] = {"/system/identity/print"};
	assert_int_equal(ros_command(c, id_w, 1, &r), ROS_OK);
	ros_reply_free(r);
	ros_conn_free(c);
	expect_monitors("r1", 0);
}

/* The connection goes away mid-stream: every open command ends with the
 * connection's error; what arrived before can still be taken. */
static void connection_lost_ends_every_command(void **state)
{
	(void)state;
	ros_conn *c = login("lost", ROS_TLS_OFF);
	ros_cmd *a = start(c, monitor_e1, 2, NULL);
	static const char *const w2[] = {"/interface/monitor-traffic", "=interface=bridge"};
	ros_cmd *b = start(c, w2, 2, NULL);
	ros_sentence *s = next_of(c, a);
	ros_sentence_free(s);
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "reboot lost"), 0);
	int rc = wait_for_failure(c);
	assert_true(rc < 0);
	assert_int_equal(ros_cmd_status(a), rc);
	assert_int_equal(ros_cmd_status(b), rc);
	assert_int_equal(ros_fd(c), -1);
	assert_int_equal(ros_open_commands(c), 0);
	while ((s = ros_cmd_take(a)) != NULL)
		ros_sentence_free(s);
	ros_cmd_release(c, a);
	ros_cmd_release(c, b);
	ros_conn_free(c);
}

/* A stream whose router falls silent fails after the silence timeout;
 * one started with silence_ms < 0 would not (it has no timeout). */
static void silent_stream_detects_a_dead_router(void **state)
{
	(void)state;
	ros_conn *c = login("quiet", ROS_TLS_OFF);
	struct ros_cmd_options o = {.silence_ms = 300};
	ros_cmd *a = start(c, monitor_e1, 2, &o);
	ros_sentence_free(next_of(c, a));
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "stall quiet on"), 0);
	int rc = wait_for_failure(c);
	assert_int_equal(rc, ROS_ERR_TIMEOUT);
	assert_int_equal(ros_cmd_status(a), ROS_ERR_TIMEOUT);
	assert_non_null(strstr(ros_errstr(c), "no answer within 300 ms"));
	assert_int_equal(fakeproc_cmd(&fp, NULL, 0, "stall quiet off"), 0);
	ros_conn_free(c);
}

/* The reply limits bound what waits to be taken, not a stream's total. */
static void limits_apply_to_the_queue_not_the_stream(void **state)
{
	(void)state;
	ros_conn *c = login("r1", ROS_TLS_OFF);
	ros_set_reply_limits(c, 3, 0);
	ros_cmd *a = start(c, monitor_e1, 2, NULL);
	for (int k = 0; k < 12; k++) /* 4 times the limit, taken as they come */
		ros_sentence_free(next_of(c, a));
	/* Not taken: the fourth waiting sentence is one too many. */
	int rc = wait_for_failure(c);
	assert_int_equal(rc, ROS_ERR_REPLY_TOO_LARGE);
	assert_int_equal(ros_cmd_status(a), ROS_ERR_REPLY_TOO_LARGE);
	ros_conn_free(c);
	expect_monitors("r1", 0);
}

/* Arguments and bounds of the API. */
static void bounds_and_arguments(void **state)
{
	(void)state;
	ros_conn *c = login("r1", ROS_TLS_OFF);
	ros_cmd *cmd = NULL;
	static const char *const tagged[] = {"/system/identity/print", ".tag=x"};
	assert_int_equal(ros_cmd_start(c, tagged, 2, NULL, ros_now_ms(), &cmd), ROS_ERR_ARG);
	assert_int_equal(ros_cancel_pending(c, ros_now_ms()), ROS_ERR_STATE);
	static const char *const id_w[] = {"/system/identity/print"};
	ros_cmd *all[ROS_MAX_COMMANDS];
	for (size_t i = 0; i < ROS_MAX_COMMANDS; i++)
		all[i] = start(c, id_w, 1, NULL);
	assert_int_equal(ros_cmd_start(c, id_w, 1, NULL, ros_now_ms(), &cmd), ROS_ERR_ARG);
	for (size_t i = 0; i < ROS_MAX_COMMANDS; i++) {
		assert_int_equal(finish(c, all[i], ROS_REPLY_DONE), 1);
		assert_int_equal(ros_cmd_status(all[i]), ROS_OK);
		ros_cmd_release(c, all[i]);
	}
	assert_int_equal(ros_wait(c, 0), ROS_ERR_STATE); /* nothing open */
	static const char *const bad[] = {"/nope"};
	cmd = start(c, bad, 1, NULL);
	finish(c, cmd, ROS_REPLY_TRAP);
	assert_int_equal(ros_cmd_status(cmd), ROS_ERR_TRAP);
	ros_conn_free(c); /* frees the unreleased handle too */
}

/* --- a hostile peer in this process --- */

struct peer {
	int listen_fd, fd;
	ros_conn *c;
};

static void put_word(int fd, const char *w)
{
	size_t n = strlen(w);
	unsigned char pre[5];
	size_t pl = ros_length_encode((uint32_t)n, pre);
	assert_int_equal(write(fd, pre, pl), (ssize_t)pl);
	assert_int_equal(write(fd, w, n), (ssize_t)n);
}

/* Sends a sentence of words separated by '|'. */
static void say(int fd, const char *words)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", words);
	for (char *w = strtok(buf, "|"); w; w = strtok(NULL, "|"))
		put_word(fd, w);
	assert_int_equal(write(fd, "", 1), 1);
}

/* Drives p->c until rc is no longer ROS_AGAIN (bounded). The peer
 * accepts the connection and answers the first bytes it reads (the
 * login) with !done. */
static int drive(struct peer *p, int rc)
{
	int64_t end = ros_now_ms() + WAIT_MS;
	bool answered = false, accepted = p->fd >= 0;
	while (rc == ROS_AGAIN && ros_now_ms() < end) {
		struct pollfd pf = {ros_fd(p->c),
		                    (short)(ros_events(p->c) & ROS_WANT_WRITE ? POLLOUT : POLLIN),
		                    0};
		poll(&pf, 1, 100);
		if (p->fd < 0)
			p->fd = accept(p->listen_fd, NULL, NULL);
		if (p->fd >= 0 && !accepted) {
			fcntl(p->fd, F_SETFL, O_NONBLOCK);
			accepted = true;
		}
		char junk[512];
		if (p->fd >= 0 && !answered && read(p->fd, junk, sizeof junk) > 0) {
			say(p->fd, "!done");
			answered = true;
		}
		rc = ros_step(p->c, ros_now_ms());
	}
	return rc;
}

/* Logs in to a peer that accepts any login. */
static void peer_open(struct peer *p)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	p->fd = -1;
	assert_true(p->listen_fd >= 0);
	assert_int_equal(bind(p->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(p->listen_fd, 1), 0);
	assert_int_equal(getsockname(p->listen_fd, (struct sockaddr *)&a, &al), 0);
	struct ros_options o = {.host = "127.0.0.1", .port = ntohs(a.sin_port), .user = "admin"};
	p->c = ros_conn_new(&o, NULL);
	assert_non_null(p->c);
	assert_int_equal(drive(p, ros_start_connect(p->c, ros_now_ms())), ROS_OK);
	assert_true(ros_is_ready(p->c));
}

static void peer_close(struct peer *p)
{
	ros_conn_free(p->c);
	if (p->fd >= 0)
		close(p->fd);
	close(p->listen_fd);
}

/* Sends reply, then drives the connection with a stream open: expects a
 * protocol error naming what, and the open command ended with it. */
static void hostile_reply(const char *reply, const char *what)
{
	struct peer p;
	peer_open(&p);
	ros_cmd *a = NULL;
	assert_int_equal(ros_cmd_start(p.c, monitor_e1, 2, NULL, ros_now_ms(), &a), ROS_AGAIN);
	assert_string_equal(ros_cmd_tag(a), "1");
	say(p.fd, "!re|=name=ether1|.tag=1"); /* a good one first */
	say(p.fd, reply);
	int rc = wait_for_failure(p.c);
	assert_int_equal(rc, ROS_ERR_PROTOCOL);
	assert_int_equal(ros_cmd_status(a), ROS_ERR_PROTOCOL);
	if (!strstr(ros_errstr(p.c), what))
		fail_msg("error '%s' lacks '%s'", ros_errstr(p.c), what);
	ros_sentence *s = ros_cmd_take(a); /* the good one stays */
	assert_non_null(s);
	assert_string_equal(attr(s, "name"), "ether1");
	ros_sentence_free(s);
	peer_close(&p);
}

static void unknown_tag_is_a_protocol_error(void **state)
{
	(void)state;
	hostile_reply("!re|=name=x|.tag=99", "tagged '99'");
}

static void finished_tag_is_a_protocol_error(void **state)
{
	(void)state;
	/* The command ends, then the peer sends one more row with its tag. */
	struct peer p;
	peer_open(&p);
	static const char *const id_w[] = {"/system/identity/print"};
	ros_cmd *a = NULL;
	assert_int_equal(ros_cmd_start(p.c, id_w, 1, NULL, ros_now_ms(), &a), ROS_AGAIN);
	ros_cmd *b = NULL;
	assert_int_equal(ros_cmd_start(p.c, monitor_e1, 2, NULL, ros_now_ms(), &b), ROS_AGAIN);
	say(p.fd, "!done|.tag=1");
	say(p.fd, "!re|=name=late|.tag=1");
	int rc = wait_for_failure(p.c);
	assert_int_equal(rc, ROS_ERR_PROTOCOL);
	assert_int_equal(ros_cmd_status(a), ROS_OK); /* it had ended well */
	assert_int_equal(ros_cmd_status(b), ROS_ERR_PROTOCOL);
	peer_close(&p);
}

static void stray_untagged_reply_is_a_protocol_error(void **state)
{
	(void)state;
	hostile_reply("!re|=name=x", "untagged !re while no untagged command");
}

/* The blocking API on a session with a stream open: the untagged reply is
 * told apart from the tagged rows around it. */
static void untagged_command_between_stream_rows(void **state)
{
	(void)state;
	struct peer p;
	peer_open(&p);
	ros_cmd *a = NULL;
	assert_int_equal(ros_cmd_start(p.c, monitor_e1, 2, NULL, ros_now_ms(), &a), ROS_AGAIN);
	static const char *const id_w[] = {"/system/identity/print"};
	int rc = ros_start_command(p.c, id_w, 1, ros_now_ms());
	say(p.fd, "!re|=name=ether1|.tag=1");
	say(p.fd, "!re|=name=router");
	say(p.fd, "!re|.tag=1|=name=ether1");
	say(p.fd, "!done");
	say(p.fd, "!re|=name=ether1|.tag=1");
	rc = drive(&p, rc);
	assert_int_equal(rc, ROS_OK);
	ros_reply *r = ros_take_reply(p.c);
	assert_int_equal(ros_reply_count(r), 2);
	assert_string_equal(attr(ros_reply_sentence(r, 0), "name"), "router");
	ros_reply_free(r);
	int64_t end = ros_now_ms() + WAIT_MS;
	size_t rows = 0;
	ros_sentence *s;
	while (rows < 3 && ros_now_ms() < end) {
		while ((s = ros_cmd_take(a)) != NULL) {
			assert_string_equal(attr(s, "name"), "ether1");
			ros_sentence_free(s);
			rows++;
		}
		if (rows < 3)
			assert_int_equal(ros_wait(p.c, 1000), ROS_OK);
	}
	assert_int_equal(rows, 3);
	assert_int_equal(ros_cmd_status(a), ROS_AGAIN);
	peer_close(&p);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(interleaved_commands_get_their_own_sentences),
	        cmocka_unit_test(stream_then_cancel_plain),
	        cmocka_unit_test(stream_then_cancel_tls),
	        cmocka_unit_test(untagged_stream_cancelled),
	        cmocka_unit_test(connection_lost_ends_every_command),
	        cmocka_unit_test(silent_stream_detects_a_dead_router),
	        cmocka_unit_test(limits_apply_to_the_queue_not_the_stream),
	        cmocka_unit_test(bounds_and_arguments),
	        cmocka_unit_test(unknown_tag_is_a_protocol_error),
	        cmocka_unit_test(finished_tag_is_a_protocol_error),
	        cmocka_unit_test(stray_untagged_reply_is_a_protocol_error),
	        cmocka_unit_test(untagged_command_between_stream_rows),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
