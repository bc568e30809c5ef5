/*
 * bench_poll.c — what one counter poll costs the client.
 *
 *   1. CPU per poll on a persistent session, without I/O: encode the
 *      /interface/print request for one interface, parse a realistic reply
 *      (one !re and !done) fed from bytes, extract the counters.
 *   2. Round trips per second against the fake router on loopback, one
 *      blocking session.
 *   3. Many sessions from one thread with the non-blocking API (as the
 *      daemon will): polls per second and client CPU per poll.
 *
 * Prints figures; it is not a timed test. Usage:
 *   bench_poll [FAKEROUTER] [ROUTERS] [SECONDS]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fakeproc.h"
#include "routeros.h"

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
	return (double)ros_now_ms() / 1000.0;
}

/* A reply as RouterOS sends it for one interface. */
static void build_reply(struct ros_buf *b)
{
	static const char *const re[] = {"!re",
	                                 "=.id=*1",
	                                 "=name=ether1",
	                                 "=type=ether",
	                                 "=running=true",
	                                 "=disabled=false",
	                                 "=rx-byte=468259100207",
	                                 "=tx-byte=98765432101",
	                                 "=rx-packet=468259100",
	                                 "=tx-packet=98765432"};
	static const char *const done[] = {"!done"};
	ros_buf_add_sentence(b, re, sizeof re / sizeof re[0]);
	ros_buf_add_sentence(b, done, 1);
}

static int one_poll_offline(const struct ros_buf *reply, struct ros_buf *out)
{
	static const char *const names[] = {"ether1"};
	const char *words[4];
	char *store = NULL;
	int n = ros_counters_words(names, 1, words, &store);
	out->len = 0;
	ros_buf_add_sentence(out, words, (size_t)n);
	free(store);

	ros_parser *p = ros_parser_new(0, 0);
	ros_reply *r = ros_reply_new();
	size_t off = 0;
	while (off < reply->len) {
		long used = ros_parser_feed(p, reply->data + off, reply->len - off);
		if (used < 0)
			return -1;
		off += (size_t)used;
		ros_sentence *s = ros_parser_take(p);
		if (s)
			ros_reply_add(r, s);
	}
	struct ros_iface_counters *v = NULL;
	size_t nv = 0;
	int rc = ros_counters_parse(r, &v, &nv);
	int ok = rc == 0 && nv == 1 && v[0].rx_bytes == 468259100207ULL;
	ros_counters_free(v, nv);
	ros_reply_free(r);
	ros_parser_free(p);
	return ok ? 0 : -1;
}

static void bench_offline(void)
{
	struct ros_buf reply = {0}, out = {0};
	build_reply(&reply);
	const int N = 1000000;
	double t0 = cpu_seconds();
	for (int i = 0; i < N; i++)
		if (one_poll_offline(&reply, &out)) {
			fprintf(stderr, "offline poll failed\n");
			exit(1);
		}
	double t = cpu_seconds() - t0;
	printf("client CPU per poll (encode request + parse 1-interface reply): %.3f us "
	       "(%d polls, %.2f s CPU)\n",
	       t / N * 1e6, N, t);
	printf("  => one core could poll %.0f routers every 10 s (codec only)\n", 10.0 / (t / N));
	ros_buf_free(&reply);
	ros_buf_free(&out);
}

static const char *const names1[] = {"ether1"};

static void bench_roundtrip(const struct fakeproc *fp, double seconds)
{
	struct ros_options o = {.host = "127.0.0.1",
	                        .port = (uint16_t)fp->routers[0].port,
	                        .user = "admin",
	                        .password = ""};
	ros_conn *c = ros_conn_new(&o, NULL);
	if (!c || ros_connect(c)) {
		fprintf(stderr, "connect: %s\n", c ? ros_errstr(c) : "?");
		exit(1);
	}
	long n = 0;
	double w0 = wall_seconds(), c0 = cpu_seconds();
	while (wall_seconds() - w0 < seconds) {
		struct ros_iface_counters *v = NULL;
		size_t nv = 0;
		if (ros_read_counters(c, names1, 1, &v, &nv)) {
			fprintf(stderr, "poll: %s\n", ros_errstr(c));
			exit(1);
		}
		ros_counters_free(v, nv);
		n++;
	}
	double w = wall_seconds() - w0, cpu = cpu_seconds() - c0;
	printf("one blocking session, loopback: %.0f round trips/s, client CPU %.2f us/poll "
	       "(incl. syscalls)\n",
	       n / w, cpu / n * 1e6);
	ros_conn_free(c);
}

/* Many routers, one thread: each session polls as soon as its last reply is in. */
static void bench_many(const struct fakeproc *fp, size_t routers, double seconds)
{
	ros_conn **c = calloc(routers, sizeof *c);
	struct pollfd *pfd = calloc(routers, sizeof *pfd);
	const char *words[4];
	char *store = NULL;
	int nw = ros_counters_words(names1, 1, words, &store);
	int64_t now = ros_now_ms();
	for (size_t i = 0; i < routers; i++) {
		struct ros_options o = {.host = "127.0.0.1",
		                        .port = (uint16_t)fp->routers[i].port,
		                        .user = "admin",
		                        .password = "",
		                        .timeout_ms = 20000};
		c[i] = ros_conn_new(&o, NULL);
		ros_start_connect(c[i], now);
	}
	long polls = 0, logins = 0, errors = 0;
	double w0 = wall_seconds(), c0 = 0, wstart = 0;
	int measuring = 0;
	while (wall_seconds() - w0 < seconds + 30) {
		if (!measuring && logins == (long)routers) {
			measuring = 1;
			c0 = cpu_seconds();
			wstart = wall_seconds();
			polls = 0;
		}
		if (measuring && wall_seconds() - wstart >= seconds)
			break;
		for (size_t i = 0; i < routers; i++) {
			int ev = ros_events(c[i]);
			pfd[i].fd = ros_fd(c[i]);
			pfd[i].events = (short)((ev & ROS_WANT_READ ? POLLIN : 0) |
			                        (ev & ROS_WANT_WRITE ? POLLOUT : 0));
			pfd[i].revents = 0;
		}
		poll(pfd, routers, 1000);
		now = ros_now_ms();
		for (size_t i = 0; i < routers; i++) {
			if (!pfd[i].revents)
				continue;
			int rc = ros_step(c[i], now);
			if (rc == ROS_AGAIN)
				continue;
			if (rc != ROS_OK) {
				errors++;
				continue;
			}
			ros_reply *r = ros_take_reply(c[i]);
			if (r)
				polls++;
			else
				logins++;
			ros_reply_free(r);
			ros_start_command(c[i], words, (size_t)nw, now);
		}
	}
	double w = wall_seconds() - wstart, cpu = cpu_seconds() - c0;
	printf("%zu sessions from one thread (non-blocking): %.0f polls/s, client CPU %.2f us/poll "
	       "(incl. poll() over all fds and syscalls), %ld errors\n",
	       routers, polls / w, cpu / (double)polls * 1e6, errors);
	printf("  => at 10 s per router, one core of this client keeps up with %.0f routers\n",
	       10.0 / (cpu / (double)polls));
	for (size_t i = 0; i < routers; i++)
		ros_conn_free(c[i]);
	free(c);
	free(pfd);
	free(store);
}

int main(int argc, char **argv)
{
	const char *fake = argc > 1 ? argv[1] : FAKEROUTER_PATH;
	size_t routers = argc > 2 ? (size_t)atoi(argv[2]) : 200;
	double seconds = argc > 3 ? atof(argv[3]) : 5;
	bench_offline();

	char count[16];
	snprintf(count, sizeof count, "%zu", routers);
	const char *const args[] = {"--routers", count, NULL};
	struct fakeproc fp;
	if (fakeproc_start(&fp, fake, args))
		return 1;
	bench_roundtrip(&fp, seconds);
	bench_many(&fp, fp.count < routers ? fp.count : routers, seconds);
	fakeproc_stop(&fp);
	return 0;
}
