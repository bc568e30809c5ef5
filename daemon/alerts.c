/* alerts.c — see alerts.h. */
#include "alerts.h"

#include "text.h"

#include "billing.h"
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
	int64_t bills_checked; /* the recorder's last_commit when bills were last checked */
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

/* Runs command through /bin/sh -c in the background, with the daemon's
 * environment and the n variables vars ("NAME=value") added. 0, or an
 * errno value. */
static int spawn_command(struct alerts *a, const char *command, char (*vars)[512], size_t n)
{
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **env = calloc(ne + n + 1, sizeof *env);
	if (!env)
		return ENOMEM;
	for (size_t i = 0; i < ne; i++)
		env[i] = environ[i];
	for (size_t i = 0; i < n; i++)
		env[ne + i] = vars[i];
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	int rc = alerts_spawn(a, argv, env);
	free(env);
	return rc;
}

/* The variables every alert has: TIKSTAT_PERCENT, _USED, _QUOTA,
 * _CYCLE_START and _CYCLE_END, into vars[0..5). */
static void common_vars(char (*vars)[512], int percent, uint64_t used, uint64_t quota,
                        int64_t start, int64_t end)
{
	snprintf(vars[0], sizeof vars[0], "TIKSTAT_PERCENT=%d", percent);
	snprintf(vars[1], sizeof vars[1], "TIKSTAT_USED=%" PRIu64, used);
	snprintf(vars[2], sizeof vars[2], "TIKSTAT_QUOTA=%" PRIu64, quota);
	calendar_format(start, vars[3] + snprintf(vars[3], 32, "TIKSTAT_CYCLE_START="));
	calendar_format(end, vars[4] + snprintf(vars[4], 32, "TIKSTAT_CYCLE_END="));
}

/* Runs the alert command in the background with its environment. */
static void run_alert(struct alerts *a, const struct cfg_router *r, const char *iface, int percent,
                      const struct cycle_usage *u)
{
	char vars[7][512];
	common_vars(vars, percent, u->used, r->quota, u->start, u->end);
	snprintf(vars[5], sizeof vars[5], "TIKSTAT_ROUTER=%s", r->name);
	snprintf(vars[6], sizeof vars[6], "TIKSTAT_INTERFACE=%s", iface);
	int rc = spawn_command(a, r->alert_command, vars, 7);
	if (rc != 0)
		log_warnx("router %s: %s: cannot run alert_command: %s", r->name, iface,
		          strerror(rc));
	else
		log_info("router %s: %s: %d %% of the quota used, alert_command started", r->name,
		         iface, percent);
}

/* Marks in the store every threshold up to crossed not marked yet in the
 * cycle starting at start, of interface iface or, when bill is not NULL,
 * of that bill; returns the highest newly marked, 0 when none, -1 on a
 * store failure (logged). */
static int mark_new(store *s, int64_t iface, const char *bill, int64_t start, int crossed)
{
	int fire = 0;
	for (int k = 0; k < ALERTS_N && alerts_thresholds[k] <= crossed; k++) {
		int pc = alerts_thresholds[k];
		bool sent = true;
		if ((bill ? store_bill_alert_sent(s, bill, start, pc, &sent)
		          : store_alert_sent(s, iface, start, pc, &sent)) ||
		    sent)
			continue;
		if (bill ? store_mark_bill_alert(s, bill, start, pc)
		         : store_mark_alert(s, iface, start, pc)) {
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
	int fire = crossed ? mark_new(s, id, NULL, u.start, crossed) : 0;
	if (fire <= 0)
		return;
	if (r->alert_command && *r->alert_command)
		run_alert(a, r, iface, fire, &u);
	else
		log_warnx("router %s: %s: %d %% of the quota used", r->name, iface, fire);
}

/* Checks bill b (with a quota) against its quota at now. */
static void check_bill(struct alerts *a, const struct cfg *cfg, const struct cfg_bill *b, store *s,
                       int64_t now)
{
	struct billing_state st;
	if (billing_load(s, cfg, b, now, false, &st)) {
		log_warnx("database: bill %s: %s", b->name, store_errmsg(s));
		return;
	}
	int crossed = alerts_crossed(st.usage.used, b->quota);
	int fire = crossed ? mark_new(s, 0, b->name, st.usage.start, crossed) : 0;
	if (fire <= 0)
		return;
	if (!b->alert_command || !*b->alert_command) {
		log_warnx("bill %s: %d %% of the quota used", b->name, fire);
		return;
	}
	char vars[6][512];
	common_vars(vars, fire, st.usage.used, b->quota, st.usage.start, st.usage.end);
	snprintf(vars[5], sizeof vars[5], "TIKSTAT_BILL=%s", b->name);
	int rc = spawn_command(a, b->alert_command, vars, 6);
	if (rc != 0)
		log_warnx("bill %s: cannot run alert_command: %s", b->name, strerror(rc));
	else
		log_info("bill %s: %d %% of the quota used, alert_command started", b->name, fire);
}

void alerts_bills(struct alerts *a, const struct cfg *cfg, const struct recorder *rec, int64_t now)
{
	int64_t commit = recorder_health(rec)->last_commit;
	if (commit == 0 || commit == a->bills_checked)
		return;
	a->bills_checked = commit;
	for (size_t i = 0; i < cfg->n_bills; i++)
		if (cfg->bills[i].quota)
			check_bill(a, cfg, &cfg->bills[i], recorder_store(rec), now);
}
