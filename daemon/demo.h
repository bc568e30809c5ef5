/*
 * demo.h — `tikstatd --demo`: the daemon against a simulated router.
 *
 * demo_start makes a private temporary directory, starts the fake router
 * (simulator) as a child with two routers ("home", RouterOS 7 over
 * the plain API; "office", RouterOS 6.40 over api-ssl with a pinned
 * fingerprint), writes a configuration there and fills its database with
 * 13+ months of history through the real accounting path (recorder.h),
 * ending where the fake router's live counters continue. main() then runs
 * the normal daemon on demo_config(); demo_finish stops the fake router and
 * removes the directory with everything in it.
 */
#ifndef TIKSTAT_DEMO_H
#define TIKSTAT_DEMO_H

#include <signal.h>
#include <stdio.h>

struct demo_options {
	const char *fakerouter; /* NULL: $TIKSTAT_FAKEROUTER, installed, build tree */
	const char *listen;     /* NULL: 127.0.0.1:8085, else a free port; port 0: free port */
};

struct demo;

/* Sets everything up; *stop (set by a signal handler) aborts. Returns NULL
 * after an error (reported on stderr) or an abort, having cleaned up.
 * Once started, the demo is finished at exit (atexit: also after fatal()),
 * so no process or file is left behind on any path. */
struct demo *demo_start(const struct demo_options *o, volatile sig_atomic_t *stop);

/* The configuration file to run the daemon with. */
const char *demo_config(const struct demo *d);

/* Prints the running demo's dashboard URL and database path. */
void demo_announce(FILE *out);

/* Stops the fake router, removes the directory, frees. NULL-safe. */
void demo_finish(struct demo *d);

#endif
