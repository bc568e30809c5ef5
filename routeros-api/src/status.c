/* status.c — names of status codes. */
#include "internal.h"

const char *ros_status_name(int status)
{
	switch (status) {
	case ROS_OK: return "ok";
	case ROS_AGAIN: return "in progress";
	case ROS_CANCELLED: return "cancelled";
	case ROS_ERR_NOMEM: return "out of memory";
	case ROS_ERR_ARG: return "invalid argument";
	case ROS_ERR_STATE: return "invalid state";
	case ROS_ERR_RESOLVE: return "name resolution failed";
	case ROS_ERR_REFUSED: return "connection refused";
	case ROS_ERR_TIMEOUT: return "timeout";
	case ROS_ERR_IO: return "i/o error";
	case ROS_ERR_CLOSED: return "connection closed";
	case ROS_ERR_TLS: return "tls handshake failed";
	case ROS_ERR_TLS_VERIFY: return "tls certificate verification failed";
	case ROS_ERR_TLS_FINGERPRINT: return "tls fingerprint mismatch";
	case ROS_ERR_AUTH: return "authentication failed";
	case ROS_ERR_POLICY: return "api policy missing";
	case ROS_ERR_PROTOCOL: return "protocol error";
	case ROS_ERR_FATAL: return "fatal";
	case ROS_ERR_TRAP: return "trap";
	case ROS_ERR_TOO_BIG: return "word too big";
	case ROS_ERR_REPLY_TOO_LARGE: return "reply too large";
	case ROS_ERR_PORT_TLS: return "the port speaks tls";
	case ROS_ERR_PORT_PLAIN: return "the port speaks the plain api";
	}
	return "unknown status";
}
