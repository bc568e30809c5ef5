/* quota.c — see quota.h. */
#include "quota.h"

#include "log.h"

#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

const int quota_thresholds[3] = {80, 90, 100};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* used from rx + tx, and the linear estimate at the cycle's end. */
static void set_estimate(struct quota_usage *u, int64_t now)
{
	u->used = sat_add(u->rx, u->tx);
	int64_t elapsed = now - u->start, length = u->end - u->start;
	if (elapsed < 3600)
		elapsed = 3600; /* an estimate from minutes of data would be noise */
	if (elapsed > length)
		elapsed = length;
	u->estimate = (uint64_t)((unsigned __int128)u->used * (uint64_t)length / (uint64_t)elapsed);
}

int quota_usage(store *s, int64_t iface, int cycle_start_day, int64_t now,
		struct quota_usage *u)
{
	calendar_cycle(now, cycle_start_day, &u->start, &u->end);
	/* Cycles start at local midnight, so day buckets cover them exactly. */
	if (store_sum(s, iface, STEP_DAY, u->start, u->end, &u->rx, &u->tx))
		return -1;
	set_estimate(u, now);
	return 0;
}

/* posix_spawn of /bin/sh with every signal at its default disposition
 * and none blocked: the daemon ignores SIGPIPE, and a command like
 * "yes | head -1" must not inherit that (nor a blocked mask). */
static int spawn_clean(pid_t *pid, char *const argv[], char *const env[])
{
	posix_spawnattr_t attr;
	sigset_t all, none;
	int rc = posix_spawnattr_init(&attr);
	if (rc)
		return rc;
	sigfillset(&all);
	sigemptyset(&none);
	rc = posix_spawnattr_setsigdefault(&attr, &all);
	if (!rc)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (!rc)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	if (!rc)
		rc = posix_spawn(pid, "/bin/sh", NULL, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Runs the alert command in the background with its environment. */
static void run_alert(const struct cfg_router *r, const char *iface, int percent,
		      const struct quota_usage *u)
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
	pid_t pid;
	int rc = spawn_clean(&pid, argv, env);
	free(env);
	if (rc != 0)
		log_warnx("router %s: %s: cannot run alert_command: %s", r->name, iface,
			  strerror(rc));
	else
		log_info("router %s: %s: %d %% of the quota used, alert_command started", r->name,
			 iface, percent);
}

void quota_check(const struct cfg *cfg, const struct cfg_router *r, const struct recorder *rec,
		 int h, const char *iface_name, int64_t now)
{
	store *s = recorder_store(rec);
	int64_t iface = recorder_iface_id(rec, h);
	struct quota_usage u;
	uint64_t prx, ptx;
	if (!r->quota || quota_usage(s, iface, cfg->cycle_start_day, now, &u))
		return;
	/* The store has the committed part; the rest waits for the next
	 * commit, and a threshold crossed meanwhile must not be missed. */
	recorder_pending(rec, h, u.start, u.end, &prx, &ptx);
	u.rx = sat_add(u.rx, prx);
	u.tx = sat_add(u.tx, ptx);
	set_estimate(&u, now);
	int fire = 0;
	for (int k = 0; k < 3; k++) {
		int pc = quota_thresholds[k];
		if ((unsigned __int128)u.used * 100 < (unsigned __int128)r->quota * (uint64_t)pc)
			break;
		bool sent = true;
		if (store_alert_sent(s, iface, u.start, pc, &sent) || sent)
			continue;
		if (store_mark_alert(s, iface, u.start, pc)) {
			log_warnx("database: %s", store_errmsg(s));
			return;
		}
		fire = pc;
	}
	if (!fire)
		return;
	if (r->alert_command && *r->alert_command)
		run_alert(r, iface_name, fire, &u);
	else
		log_warnx("router %s: %s: %d %% of the quota used", r->name, iface_name, fire);
}

void quota_reap(void)
{
	int status;
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}
