/*
 * session.h — a session with a configured router, as the daemon opens it.
 *
 * The poller and --check-config (checkcfg.c) talk to routers the same
 * way: the same options, reply limits and command deadline, the same
 * query size, and the same hint when it fails.
 */
#ifndef TIKSTAT_SESSION_H
#define TIKSTAT_SESSION_H

#include "cfg.h"

/* Up to this many configured interfaces are read with one ?name= query
 * each (2 words per name); a router with more is asked for its whole
 * interface list, and the poll picks the configured ones from it (sorted
 * once, searched per name): a command of 10,000 words is refused by
 * routers and simulators alike. --check-config does the same. */
#define SESSION_QUERY_NAMES_MAX 256

/* A session with router c: address, TLS, credentials, timeout, reply
 * limits and command deadline from c. NULL with *status (enum
 * ros_status) when the options are refused. */
ros_conn *session_open(const struct cfg_router *c, int *status);

/* The usual cause of a failure with status (a negative enum ros_status)
 * in tls mode, in words a router admin acts on (a static string). */
const char *session_hint(int status, enum ros_tls_mode tls);

#endif
