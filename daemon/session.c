/* session.c — see session.h. */
#include "session.h"

#include <stdint.h>
#include <stddef.h>

/* A configured bound as the library takes it (size_t may be 32 bits). */
static size_t clamp_size(uint64_t v)
{
	return v < (uint64_t)SIZE_MAX ? (size_t)v : SIZE_MAX;
}

ros_conn *session_open(const struct cfg_router *c, int *status)
{
	struct ros_options o = {.host = c->host,
	                        .port = c->port,
	                        .tls = c->tls,
	                        .ca_file = c->tls_ca_file,
	                        .fingerprint = c->tls_fingerprint,
	                        .user = c->user,
	                        .password = c->password,
	                        .timeout_ms = c->timeout * 1000};
	ros_conn *conn = ros_conn_new(&o, status);
	if (conn) {
		ros_set_reply_limits(conn, clamp_size(c->max_reply_items),
		                     clamp_size(c->max_reply_size));
		ros_set_command_deadline(conn, c->command_timeout * 1000);
	}
	return conn;
}

const char *session_hint(int status, enum ros_tls_mode tls)
{
	if (status == ROS_ERR_TLS && tls == ROS_TLS_ANONYMOUS)
		return "the router's api-ssl service has a certificate: pin it with "
		       "tls = fingerprint (rosapi --show-fingerprint HOST shows it)";
	if ((status == ROS_ERR_CLOSED || status == ROS_ERR_IO) && tls == ROS_TLS_OFF)
		return "if this is the api-ssl port (8729), set tls = fingerprint (or verify); "
		       "else check the API service's available-from";
	if (status == ROS_ERR_TIMEOUT && tls != ROS_TLS_OFF)
		return "no answer: check the address and that the router's firewall accepts "
		       "tcp/8729 from this host; a plain API port (8728) also stays silent to "
		       "TLS: then set tls = off or use the api-ssl port 8729";
	switch (status) {
	case ROS_ERR_PORT_TLS:
		return "this port speaks TLS: set tls = fingerprint (or verify) and port = 8729";
	case ROS_ERR_PORT_PLAIN:
		return "this port speaks the plain API, not TLS: set tls = off or use the "
		       "api-ssl port 8729";
	case ROS_ERR_RESOLVE: return "check the host name";
	case ROS_ERR_REFUSED:
		return "is the API service enabled on the router (/ip service enable api, or "
		       "api-ssl for TLS)? check host, port and the service's available-from";
	case ROS_ERR_TIMEOUT:
		return "no answer: check the address and that the router's firewall accepts "
		       "tcp/8728 (or 8729) from this host";
	case ROS_ERR_TLS:
		return "if the router's api-ssl service has no certificate, add one (see "
		       "routeros/setup-api-user.rsc) or use tls = anonymous (not authenticated)";
	case ROS_ERR_TLS_VERIFY:
		return "the certificate is not trusted: set tls_ca_file, or pin it with "
		       "tls = fingerprint";
	case ROS_ERR_TLS_FINGERPRINT:
		return "the router's certificate changed or the fingerprint is wrong: if you "
		       "trust what the router presented, set tls_fingerprint to it";
	case ROS_ERR_AUTH:
		return "check user and password; the user's group needs the 'api' and 'read' "
		       "policies";
	case ROS_ERR_POLICY:
		return "add the 'api' policy to the user's group (/user group set GROUP "
		       "policy=api,read)";
	default: return "see the message above";
	}
}
