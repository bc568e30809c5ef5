/*
 * clients: what a router counts per LAN client, beside its interfaces:
 * simple queues (/queue/simple), kid-control devices
 * (/ip/kid-control/device, RouterOS 7) and the DHCP leases of those
 * devices (/ip/dhcp-server/lease). Pure, like model: time is passed in.
 *
 * Removed queues and gone devices stay in their arrays with present = 0:
 * they are not printed and do not grow, but keep their ground truth, so
 * that a queue re-added under the same name, or a device coming back with
 * the same MAC address, continues it (a client tracks them by name / MAC).
 */
#ifndef FR_CLIENTS_H
#define FR_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Most --queues / --devices at start-up (their addresses fit a /22). */
#define CLIENTS_MAX_START 1000

/* Most queues, and most devices, per router, removed ones included. */
#define CLIENTS_MAX 4096

/* Creates nq queues and nd devices (see README.md for their names,
 * addresses and leases) whose counters and rates share out half of the LAN
 * interface's (upload = lan's rx, download = lan's tx), so that their sums
 * stay below it. 0, or -1 on out of memory (what was made is freed by
 * clients_free). */
int clients_populate(struct model_router *r, const struct model_iface *lan, size_t nq, size_t nd,
                     int64_t now_ms);

/* Frees every queue and device of r. */
void clients_free(struct model_router *r);

/* Reboot at now_ms, up again at up_ms: every queue and device counter is
 * zeroed and grows from up_ms; dynamic devices are discovered again, with
 * new .ids (in table order). */
void clients_reboot(struct model_router *r, int64_t now_ms, int64_t up_ms);

/* ---- simple queues ---------------------------------------------------- */

/* The queue named name (n bytes), removed or not; NULL if none. */
struct model_queue *model_queue_by_name(struct model_router *r, const char *name, size_t n);

/* Adds queue name (n bytes, copied) with target (normalized "A.B.C.D/NN",
 * copied) and rates in bytes/s, counters at 0, the next .id. A removed
 * queue of that name comes back (its truth continues). NULL on out of
 * memory, too many queues, or when a present queue has that name. An added
 * queue comes last in the table. Pointers to other queues may move. */
struct model_queue *model_queue_add(struct model_router *r, const char *name, size_t n,
                                    const char *target, uint64_t up_bps, uint64_t down_bps,
                                    int64_t now_ms);

/* Removes the queue: no longer printed, no growth, truth kept. */
void model_queue_remove(struct model_queue *q, int64_t now_ms);

/* Re-creates the queue: the next .id, counters zeroed, same settings, now
 * last in the table. Returns its new place (q is no longer valid). */
struct model_queue *model_queue_recreate(struct model_router *r, struct model_queue *q,
                                         int64_t now_ms);

/* Edits the queue like /queue/simple/set, which resets its counters:
 * target (normalized) unless NULL; comment (copied) unless keep_comment,
 * NULL removing it. 0, or -1 on out of memory (nothing changed). */
int model_queue_edit(struct model_queue *q, const char *target, int keep_comment,
                     const char *comment, int64_t now_ms);

/* ---- kid-control devices and DHCP leases ------------------------------ */

/* Parses a MAC address "AA:BB:CC:DD:EE:FF" (n bytes, any case) into out,
 * uppercase. 0, or -1 when text is not one. */
int model_parse_mac(const char *text, size_t n, char out[18]);

/* Parses an IPv4 address "A.B.C.D" (n bytes) into out without leading
 * zeros. 0, or -1 when text is not one. */
int model_parse_ipv4(const char *text, size_t n, char out[16]);

/* The device with that (parsed) MAC address, gone or not; NULL if none. */
struct model_device *model_device_by_mac(struct model_router *r, const char *mac);

/* A device appears: mac and ip parsed, rates in bytes/s, counters at 0,
 * the next .id, dynamic (no name, no user). A gone device with that MAC
 * comes back (its truth, name and lease are kept). NULL on out of memory,
 * too many devices, or when a present device has that MAC. A device that
 * comes back keeps its place in the table (and so does its lease). */
struct model_device *model_device_add(struct model_router *r, const char *mac, const char *ip,
                                      uint64_t up_bps, uint64_t down_bps, int64_t now_ms);

/* The device disappears: no longer printed, no growth, truth kept; its
 * lease stays (status waiting). */
void model_device_remove(struct model_device *d, int64_t now_ms);

/* Sets both growth rates (bytes/s) from now on; keeps idle-time. */
void model_device_set_rate(struct model_device *d, uint64_t up_bps, uint64_t down_bps,
                           int64_t now_ms);

/* Sets the kid-control name (copied): a named device is a static one with
 * user "kids"; NULL makes it dynamic again (no name, no user). 0 or -1 on
 * out of memory. */
int model_device_set_name(struct model_device *d, const char *name);

/* Gives the device a DHCP lease with host-name and comment (copied; NULL =
 * no such property; a lease with a comment is static, else dynamic), or
 * removes its lease when on is 0. 0 or -1 on out of memory. */
int model_device_set_lease(struct model_router *r, struct model_device *d, int on,
                           const char *host_name, const char *comment);

/* ---- properties, as model_iface_prop (buf: at least 64 bytes) --------- */

int model_queue_prop(const struct model_queue *q, const char *name, size_t n, int64_t now_ms,
                     char *buf, const char **val, size_t *vlen);
int model_device_prop(const struct model_device *d, const char *name, size_t n, int64_t now_ms,
                      char *buf, const char **val, size_t *vlen);
int model_lease_prop(const struct model_device *d, const char *name, size_t n, int64_t now_ms,
                     char *buf, const char **val, size_t *vlen);

/* Property names in print order, NULL-terminated. */
extern const char *const model_queue_props[];
extern const char *const model_device_props[];
extern const char *const model_lease_props[];

#endif
