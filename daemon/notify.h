/*
 * notify.h — the daemon's side of the systemd service protocol
 * (sd_notify(3)): READY=1, RELOADING=1, STOPPING=1, STATUS= and the
 * watchdog. The only module that includes <systemd/sd-daemon.h>.
 *
 * Every function is a no-op when the daemon was not started by systemd
 * with Type=notify (NOTIFY_SOCKET unset). Call them from the main thread.
 */
#ifndef TIKSTAT_NOTIFY_H
#define TIKSTAT_NOTIFY_H

#include <stddef.h>

/* Reads NOTIFY_SOCKET and the watchdog interval (WATCHDOG_USEC): call it
 * once, after daemonizing (the watchdog is tied to the daemon's pid). */
void notify_init(void);

/* READY=1 with STATUS=, once the database is open, the poller set up and
 * the HTTP server listening (also after a reload). */
void notify_ready(size_t up, size_t total);
/* RELOADING=1 on SIGHUP, before the new configuration is applied. */
void notify_reloading(void);
/* STOPPING=1 on SIGTERM/SIGINT. */
void notify_stopping(void);

/* The database's problem for STATUS= ("failing since 12:00:03: disk
 * full"; "" or NULL when all is well): STATUS= becomes "N of M routers
 * up; database PROBLEM" at the next notify_loop. Copied. */
void notify_database(const char *problem);

/* From the poller's loop, at every turn: WATCHDOG=1 every half watchdog
 * interval, and STATUS="N of M routers up" when N or M or the database's
 * problem changed. Cheap when there is nothing to send (a clock read and
 * three compares). */
void notify_loop(size_t up, size_t total);

#endif
