/* rig.c — see rig.h. */
#include "rig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "tmpdir.h"

int rig_init(struct rig *r, const char *name)
{
	memset(r, 0, sizeof *r);
	return tmpdir_make(r->dir, sizeof r->dir, name);
}

int rig_write(const struct rig *r, const char *file, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", r->dir, file);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	int rc = write(fd, text, len) == (ssize_t)len ? 0 : -1;
	return close(fd) < 0 ? -1 : rc;
}

/* Writes and loads the configuration. 0 or -1. */
static int load_config(struct rig *r, const char *routers)
{
	static const char head[] = "[tikstat]\ndatabase = %s/tikstat.db\ncommit_interval = 1\n"
	                           "timezone = UTC\n\n%s";
	size_t len = sizeof head + strlen(r->dir) + strlen(routers);
	char *text = malloc(len);
	char path[512], err[1024];
	if (!text)
		return -1;
	snprintf(text, len, head, r->dir, routers);
	int rc = rig_write(r, "tikstat.conf", text);
	free(text);
	if (rc < 0)
		return -1;
	snprintf(path, sizeof path, "%s/tikstat.conf", r->dir);
	r->cfg = cfg_load(path, err, sizeof err);
	if (!r->cfg)
		fprintf(stderr, "rig: %s\n", err);
	return r->cfg ? 0 : -1;
}

int rig_start(struct rig *r, const char *routers)
{
	char err[512];
	if (load_config(r, routers) < 0 || calendar_set_zone(r->cfg->timezone) < 0)
		return -1;
	r->db = store_open(r->cfg->database, false, err, sizeof err);
	if (!r->db) {
		fprintf(stderr, "rig: %s\n", err);
		return -1;
	}
	struct recorder_options ro = {.max_rate = r->cfg->max_rate,
	                              .commit_interval = r->cfg->commit_interval};
	memcpy(ro.retention, r->cfg->retention, sizeof ro.retention);
	cfg_device_retention(r->cfg, ro.device_retention);
	r->rec = recorder_new(r->db, &ro);
	r->status = status_new(r->cfg);
	r->alerts = alerts_new();
	if (!r->rec || !r->status || !r->alerts)
		return -1;
	r->ingest = ingest_new(r->cfg, r->rec, r->status, r->alerts);
	return r->ingest ? 0 : -1;
}

void rig_close(struct rig *r)
{
	ingest_free(r->ingest);
	recorder_free(r->rec, (int64_t)time(NULL));
	alerts_free(r->alerts);
	status_free(r->status);
	store_close(r->db);
	cfg_free(r->cfg);
	tmpdir_remove(r->dir);
	memset(r, 0, sizeof *r);
}
