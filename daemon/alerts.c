/* alerts.c — see alerts.h. */
#include "alerts.h"

#include "text.h"

#include "cycle.h"
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

const int alerts_thresholds[ALERTS_N] = {80, 90, 100};

struct alerts {
	pid_t *pids; /* the commands started and not reaped yet */
	size_t n, cap;
};

int alerts_crossed(uint64_t used, uint64_t quota)
{
	int crossed = 0;
	for (int k = 0; quota && k < ALERTS_N; k++) {
		int pc = alerts_thresholds[k];
		/* 128 bits: used * 100 and quota * pc both fit exactly. */
		if ((unsigned __int128)used * 100 < (unsigned __int128)quota * (uint64_t)pc)
			break;
		crossed = pc;
	}
	return crossed;
}

struct alerts *alerts_new(void)
{
	return calloc(1, sizeof(struct alerts));
}

void alerts_free(struct alerts *a)
{
	if (!a)
		return;
	alerts_reap(a);
	free(a->pids);
	free(a);
}

size_t alerts_running(const struct alerts *a)
{
	return a->n;
}

void alerts_reap(struct alerts *a)
{
	size_t kept = 0;
	for (size_t i = 0; i < a->n; i++) {
		int status;
		pid_t rc = waitpid(a->pids[i], &status, WNOHANG);
		/* Keep a command still running; forget one that ended, or that
		 * is no child any more (ECHILD). */
		if (rc == 0 || (rc < 0 && errno == EINTR))
			a->pids[kept++] = a->pids[i];
	}
	a->n = kept;
}

/* Remembers pid for alerts_reap. -1 when out of memory. */
static int remember(struct alerts *a, pid_t pid)
{
	pid_t *v = text_grow(a->pids, &a->cap, a->n + 1, sizeof *v);
	if (!v)
		return -1;
	a->pids = v;
	a->pids[a->n++] = pid;
	return 0;
}

int alerts_spawn(struct alerts *a, char *const argv[], char *const env[])
{
	/* Every signal at its default disposition and none blocked: the
	 * daemon ignores SIGPIPE, and a command like "yes | head -1" must not
	 * inherit that (nor a blocked mask). */
	posix_spawnattr_t attr;
	sigset_t all, none;
	pid_t pid;
	int rc = posix_spawnattr_init(&attr);
	if (rc)
		return rc;
	sigfillset(&all);
	sigemptyset(&none);
	rc = posix_spawnattr_setsigdefault(&attr, &all);
	if (!rc)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (!rc)
		rc = posix_spawnattr_setflags(&attr,
		                              POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	if (!rc)
		rc = posix_spawn(&pid, argv[0], NULL, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	if (!rc && remember(a, pid) < 0)
		log_warnx("out of memory: alert command %ld will not be reaped", (long)pid);
	return rc;
}

/* Runs the alert command in the background with its environment. */
static void run_alert(struct alerts *a, const struct cfg_router *r, const char *iface, int percent,
                      const struct cycle_usage *u)
{
	char vars[7][512];
	snprintf(vars[0], sizeof vars[0], "TIKSTAT_ROUTER=%s", r->name);
	snprintf(vars[1], sizeof vars[1], "TIKSTAT_INTERFACE=%s", iface);
	snprintf(vars[2], sizeof vars[2], "TIKSTAT_PERCENT=%d", percent);
	snprintf(vars[3], sizeof vars[3], "TIKSTAT_USED=%" PRIu64, u->used);
	snprintf(vars[4], sizeof vars[4], "TIKSTAT_QUOTA=%" PRIu64, r->quota);
	calendar_format(u->start, vars[5] + snprintf(vars[5], 32, "TIKSTAT_CYCLE_START="));
	calendar_format(u->end, vars[6] + snprintf(vars[6], 32, "TIKSTAT_CYCLE_END="));
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 8, sizeof *env);
	if (!env)
		return;
	for (size_t i = 0; i < n; i++)
		env[i] = environ[i];
	for (size_t i = 0; i < 7; i++)
		env[n + i] = vars[i];
	char *argv[] = {"/bin/sh", "-c", r->alert_command, NULL};
	int rc = alerts_spawn(a, argv, env);
	free(env);
	if (rc != 0)
		log_warnx("router %s: %s: cannot run alert_command: %s", r->name, iface,
		          strerror(rc));
	else
		log_info("router %s: %s: %d %% of the quota used, alert_command started", r->name,
		         iface, percent);
}

/* Marks in the store every threshold up to crossed not marked yet in the
 * cycle starting at start; returns the highest newly marked, 0 when none,
 * -1 on a store failure (logged). */
static int mark_new(store *s, int64_t iface, int64_t start, int crossed)
{
	int fire = 0;
	for (int k = 0; k < ALERTS_N && alerts_thresholds[k] <= crossed; k++) {
		int pc = alerts_thresholds[k];
		bool sent = true;
		if (store_alert_sent(s, iface, start, pc, &sent) || sent)
			continue;
		if (store_mark_alert(s, iface, start, pc)) {
			log_warnx("database: %s", store_errmsg(s));
			return -1;
		}
		fire = pc;
	}
	return fire;
}

void alerts_check(struct alerts *a, const struct cfg *cfg, const struct cfg_router *r,
                  const struct recorder *rec, int h, const char *iface, int64_t now)
{
	store *s = recorder_store(rec);
	int64_t id = recorder_iface_id(rec, h);
	struct cycle_usage u;
	uint64_t prx, ptx;
	if (!r->quota || cycle_usage(s, id, cfg->cycle_start_day, now, &u))
		return;
	/* The store has the committed part; the rest waits for the next
	 * commit, and a threshold crossed meanwhile must not be missed. */
	recorder_pending(rec, h, u.start, u.end, &prx, &ptx);
	cycle_usage_add(&u, prx, ptx, now);
	int crossed = alerts_crossed(u.used, r->quota);
	int fire = crossed ? mark_new(s, id, u.start, crossed) : 0;
	if (fire <= 0)
		return;
	if (r->alert_command && *r->alert_command)
		run_alert(a, r, iface, fire, &u);
	else
		log_warnx("router %s: %s: %d %% of the quota used", r->name, iface, fire);
}
