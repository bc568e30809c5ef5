/*
 * transport.c — non-blocking TCP connect (every resolved address in turn)
 * and byte I/O, plain or through the TLS session.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void transport_init(struct transport *t)
{
	memset(t, 0, sizeof *t);
	t->fd = -1;
}

static int classify_errno(int e)
{
	switch (e) {
	case ECONNREFUSED:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case ENETDOWN:
	case EHOSTDOWN: return ROS_ERR_REFUSED;
	case ETIMEDOUT: return ROS_ERR_TIMEOUT;
	default: return ROS_ERR_IO;
	}
}

/* Starts a connect to t->next, skipping addresses whose socket fails. */
static int try_next(struct transport *t, int *last_errno)
{
	for (; t->next; t->next = t->next->ai_next) {
		struct addrinfo *ai = t->next;
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		                ai->ai_protocol);
		if (fd < 0) {
			*last_errno = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
			t->fd = fd;
			t->next = ai->ai_next;
			t->want = ROS_WANT_WRITE;
			return ROS_AGAIN;
		}
		*last_errno = errno;
		close(fd);
	}
	return classify_errno(*last_errno);
}

int transport_connect_start(struct transport *t, const char *host, uint16_t port, char *err,
                            size_t errsz)
{
	struct addrinfo hints = {0};
	char service[8];
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(service, sizeof service, "%u", (unsigned)port);
	int rc = getaddrinfo(host, service, &hints, &t->addrs);
	if (rc != 0) {
		snprintf(err, errsz, "cannot resolve host: %s", gai_strerror(rc));
		t->addrs = NULL;
		return ROS_ERR_RESOLVE;
	}
	t->next = t->addrs;
	int last = ECONNREFUSED;
	rc = try_next(t, &last);
	if (rc != ROS_AGAIN)
		snprintf(err, errsz, "connect: %s", strerror(last));
	return rc;
}

int transport_connect_step(struct transport *t, char *err, size_t errsz)
{
	struct pollfd pfd = {.fd = t->fd, .events = POLLOUT};
	if (poll(&pfd, 1, 0) == 0)
		return ROS_AGAIN;
	int soerr = 0;
	socklen_t len = sizeof soerr;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr == 0) {
		freeaddrinfo(t->addrs);
		t->addrs = t->next = NULL;
		t->want = 0;
		return ROS_OK;
	}
	close(t->fd);
	t->fd = -1;
	int rc = try_next(t, &soerr);
	if (rc != ROS_AGAIN)
		snprintf(err, errsz, "connect: %s", strerror(soerr));
	return rc;
}

int transport_tls_start(struct transport *t, const struct tls_config *cfg, char *err, size_t errsz)
{
	t->tls = tls_session_new(cfg, t->fd, err, errsz);
	return t->tls ? ROS_OK : ROS_ERR_TLS;
}

/* Turns the TLS layer's want codes into 'again' + t->want. */
static long tls_again(struct transport *t, long rc, long again)
{
	if (rc == TLS_IO_WANT_READ || rc == TLS_IO_WANT_WRITE) {
		t->want = rc == TLS_IO_WANT_READ ? ROS_WANT_READ : ROS_WANT_WRITE;
		return again;
	}
	return rc;
}

int transport_handshake(struct transport *t, char *err, size_t errsz)
{
	return (int)tls_again(t, tls_handshake(t->tls, err, errsz), ROS_AGAIN);
}

long transport_read(struct transport *t, void *buf, size_t len, char *err, size_t errsz)
{
	if (t->tls)
		return tls_again(t, tls_read(t->tls, buf, len, err, errsz), TRANSPORT_AGAIN);
	for (;;) {
		ssize_t n = recv(t->fd, buf, len, 0);
		if (n > 0)
			return n;
		if (n == 0) {
			snprintf(err, errsz, "the router closed the connection");
			return ROS_ERR_CLOSED;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			t->want = ROS_WANT_READ;
			return TRANSPORT_AGAIN;
		}
		snprintf(err, errsz, "read: %s", strerror(errno));
		return errno == ECONNRESET ? ROS_ERR_CLOSED : ROS_ERR_IO;
	}
}

long transport_write(struct transport *t, const void *buf, size_t len, char *err, size_t errsz)
{
	if (t->tls)
		return tls_again(t, tls_write(t->tls, buf, len, err, errsz), TRANSPORT_AGAIN);
	for (;;) {
		/* MSG_NOSIGNAL: a closed peer is an error to report, not a SIGPIPE. */
		ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			t->want = ROS_WANT_WRITE;
			return TRANSPORT_AGAIN;
		}
		snprintf(err, errsz, "write: %s", strerror(errno));
		return errno == EPIPE || errno == ECONNRESET ? ROS_ERR_CLOSED : ROS_ERR_IO;
	}
}

int transport_pending(struct transport *t)
{
	return t->tls ? tls_pending(t->tls) : 0;
}

void transport_close(struct transport *t, bool graceful)
{
	if (t->tls) {
		if (graceful)
			tls_shutdown(t->tls);
		tls_session_free(t->tls);
		t->tls = NULL;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->addrs)
		freeaddrinfo(t->addrs);
	t->addrs = t->next = NULL;
	t->want = 0;
}
