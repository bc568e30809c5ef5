/* quota.c — see quota.h. */
#include "quota.h"

#include "log.h"

#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

const int quota_thresholds[3] = {80, 90, 100};

int quota_usage(store *s, int64_t iface, int cycle_start_day, int64_t now,
		struct quota_usage *u)
{
	calendar_cycle(now, cycle_start_day, &u->start, &u->end);
	/* Cycles start at local midnight, so day buckets cover them exactly. */
	if (store_sum(s, iface, STEP_DAY, u->start, u->end, &u->rx, &u->tx))
		return -1;
	u->used = u->rx + u->tx;
	int64_t elapsed = now - u->start, length = u->end - u->start;
	if (elapsed < 3600)
		elapsed = 3600; /* an estimate from minutes of data would be noise */
	if (elapsed > length)
		elapsed = length;
	u->estimate = (uint64_t)((unsigned __int128)u->used * (uint64_t)length / (uint64_t)elapsed);
	return 0;
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
	int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, env);
	free(env);
	if (rc != 0)
		log_warnx("router %s: %s: cannot run alert_command: %s", r->name, iface,
			  strerror(rc));
	else
		log_info("router %s: %s: %d %% of the quota used, alert_command started", r->name,
			 iface, percent);
}

void quota_check(const struct cfg *cfg, const struct cfg_router *r, store *s, int64_t iface,
		 const char *iface_name, int64_t now)
{
	struct quota_usage u;
	if (!r->quota || quota_usage(s, iface, cfg->cycle_start_day, now, &u))
		return;
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
