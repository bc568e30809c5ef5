/*
 * blocking.c — the blocking API: a poll() loop around ros_step, bounded by
 * the connection's deadlines.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>

/* Polls the socket as ros_events asks, at most until the connection's
 * deadline and max_ms (< 0: no cap). Returns poll's result (-1 with errno
 * EINTR after a signal). */
static int wait_io(ros_conn *c, int max_ms)
{
	int64_t now = ros_now_ms();
	int64_t deadline = ros_deadline(c);
	int64_t left = deadline > now ? deadline - now : 0;
	int wait = deadline < 0 ? -1 : left > INT_MAX ? INT_MAX : (int)left;
	if (max_ms >= 0 && (wait < 0 || wait > max_ms))
		wait = max_ms;
	if (ros_input_pending(c))
		wait = 0; /* input buffered where poll cannot see it */
	int ev = ros_events(c);
	struct pollfd pfd = {.fd = ros_fd(c)};
	pfd.events =
	        (short)((ev & ROS_WANT_READ ? POLLIN : 0) | (ev & ROS_WANT_WRITE ? POLLOUT : 0));
	return poll(&pfd, 1, wait);
}

/* Runs the pending operation to completion, error or timeout. */
static int run(ros_conn *c, int rc)
{
	while (rc == ROS_AGAIN) {
		if (wait_io(c, -1) < 0 && errno != EINTR) {
			ros_close(c);
			return ROS_ERR_IO;
		}
		rc = ros_step(c, ros_now_ms());
	}
	return rc;
}

int ros_wait(ros_conn *c, int timeout_ms)
{
	if (ros_fd(c) < 0 || ros_events(c) == 0)
		return ROS_ERR_STATE;
	if (wait_io(c, timeout_ms) < 0 && errno != EINTR) {
		ros_close(c);
		return ROS_ERR_IO;
	}
	int rc = ros_step(c, ros_now_ms());
	return rc == ROS_AGAIN || rc == ROS_CANCELLED || rc == ROS_ERR_TRAP ? ROS_OK : rc;
}

int ros_connect(ros_conn *c)
{
	return run(c, ros_start_connect(c, ros_now_ms()));
}

int ros_command(ros_conn *c, const char *const *words, size_t n, ros_reply **reply)
{
	if (reply)
		*reply = NULL;
	int rc = run(c, ros_start_command(c, words, n, ros_now_ms()));
	ros_reply *r = ros_take_reply(c);
	if (reply && (rc == ROS_OK || rc == ROS_ERR_TRAP || rc == ROS_ERR_FATAL))
		*reply = r;
	else
		ros_reply_free(r);
	return rc;
}
