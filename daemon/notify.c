/*
 * notify.c — sd_notify(3) for tikstatd; see notify.h.
 */
#include "notify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

static bool enabled;
static uint64_t watchdog_half_us; /* 0: no watchdog */
static uint64_t watchdog_last_us;
static size_t last_up = (size_t)-1, last_total = (size_t)-1;
static char db_problem[400]; /* notify_database; "" when all is well */
static bool db_changed;      /* not yet in a STATUS= */

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void notify_init(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	enabled = s && *s;
	watchdog_half_us = 0;
	uint64_t usec = 0;
	if (enabled && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		watchdog_half_us = usec / 2;
		log_debug("systemd watchdog: every %llu ms", (unsigned long long)(usec / 1000));
	}
	watchdog_last_us = now_us();
}

static void send_status(size_t up, size_t total, const char *prefix)
{
	last_up = up;
	last_total = total;
	db_changed = false;
	if (sd_notifyf(0, "%sSTATUS=%zu of %zu router%s up%s%s", prefix, up, total,
	               total == 1 ? "" : "s", db_problem[0] ? "; database " : "", db_problem) < 0)
		log_debug("sd_notify failed");
}

void notify_database(const char *problem)
{
	if (!problem)
		problem = "";
	if (strcmp(problem, db_problem) == 0)
		return;
	snprintf(db_problem, sizeof db_problem, "%s", problem);
	db_changed = true;
}

void notify_ready(size_t up, size_t total)
{
	if (!enabled)
		return;
	send_status(up, total, "READY=1\n");
	watchdog_last_us = now_us();
	if (watchdog_half_us)
		sd_notify(0, "WATCHDOG=1");
}

void notify_reloading(void)
{
	if (!enabled)
		return;
	/* MONOTONIC_USEC= lets newer systemd (Type=notify-reload) match it. */
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=%llu",
	           (unsigned long long)now_us());
}

void notify_stopping(void)
{
	if (!enabled)
		return;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void notify_loop(size_t up, size_t total)
{
	if (!enabled)
		return;
	if (watchdog_half_us) {
		uint64_t now = now_us();
		if (now - watchdog_last_us >= watchdog_half_us) {
			watchdog_last_us = now;
			sd_notify(0, "WATCHDOG=1");
		}
	}
	if (up != last_up || total != last_total || db_changed)
		send_status(up, total, "");
}
