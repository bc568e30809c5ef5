/*
 * clients.h — a polled router's simple queues and kid-control devices:
 * the commands of a poll round that read them, and their replies turned
 * into readings (ingest.h).
 *
 * After the interfaces and the uptime, a round reads, over the same
 * session: /queue/simple/print (queues = *: every queue; a list: ?name=
 * queries), then /ip/kid-control/device/print (devices = kid-control),
 * then, when a device has no name of its own and the router's DHCP
 * leases were not read for a while, /ip/dhcp-server/lease/print (the
 * names shown for devices: name > host-name > comment > MAC). Each
 * reading has the time its command was sent and the round's uptime, so
 * the accounting rules (reboots, resets, re-creation by .id) apply as to
 * interfaces.
 *
 * Directions (DESIGN "Bills"): rx is download, tx upload, seen from the
 * queue's target or the device: a queue's bytes=UP/DOWN gives tx = UP,
 * rx = DOWN; a device's bytes-down is rx, bytes-up tx.
 *
 * A router that refuses a menu (!trap: RouterOS 6 has no kid-control
 * device counters, a user without the read policy) is not down: the
 * round goes on, and what to do is logged once. Used by the poller thread.
 */
#ifndef TIKSTAT_CLIENTS_H
#define TIKSTAT_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accounting.h"
#include "cfg.h"
#include "ingest.h"
#include "routeros.h"

/* What RouterOS 7 needs before it counts bytes per device: one kid whose
 * schedule allows every hour of every day (it restricts nobody). */
#define CLIENTS_KID_CONTROL_ENABLE                                                                 \
	"/ip kid-control add name=tikstat mon=0s-1d tue=0s-1d wed=0s-1d thu=0s-1d fri=0s-1d "      \
	"sat=0s-1d sun=0s-1d"

/* The commands of a round, in order. */
enum clients_step {
	CLIENTS_QUEUES,
	CLIENTS_DEVICES,
	CLIENTS_LEASES,
	CLIENTS_DONE,
};

struct clients;

/* The state of router (cfg index) with configuration c (borrowed, as is
 * in). NULL when out of memory. */
struct clients *clients_new(struct ingest *in, size_t router, const struct cfg_router *c);
void clients_free(struct clients *cl);

/* Starts a round (round numbers grow by one per round). */
void clients_round(struct clients *cl);

/* The first step at or after from that this round has to take, with its
 * words (borrowed from cl); CLIENTS_DONE when none is left. */
enum clients_step clients_next(struct clients *cl, enum clients_step from,
                               const char *const **words, size_t *n);

/* The reply of step's command: rc ROS_OK or ROS_ERR_TRAP (errstr: the
 * router's message). base: the reading's time, latency and uptime (its
 * counters are filled per row). now: wall seconds (commit schedule). */
void clients_reply(struct clients *cl, enum clients_step step, int rc, const ros_reply *reply,
                   const char *errstr, const struct acct_reading *base, int64_t now);

#endif
