/*
 * rig.h — the daemon's reading path for a test, from a configuration
 * text: a temporary directory, the store, the recorder, the status table,
 * the alert runner and the ingest table, as tikstatd wires them.
 */
#ifndef TESTS_RIG_H
#define TESTS_RIG_H

#include "alerts.h"
#include "cfg.h"
#include "ingest.h"
#include "recorder.h"
#include "status.h"
#include "store.h"

struct rig {
	char dir[256];
	struct cfg *cfg;
	store *db;
	struct recorder *rec;
	struct status *status;
	struct alerts *alerts;
	struct ingest *ingest;
};

/* Makes the temporary directory (named after name). 0 or -1. */
int rig_init(struct rig *r, const char *name);

/* Writes text as r->dir/file with mode 600 (a secret file). 0 or -1. */
int rig_write(const struct rig *r, const char *file, const char *text);

/* Loads a configuration made of a [tikstat] section (the database in
 * r->dir, commit_interval 1, time zone UTC) and routers (the [router NAME]
 * sections), then opens everything. 0, or -1 with the reason on stderr. */
int rig_start(struct rig *r, const char *routers);

/* Frees what rig_start made (the recorder commits first) and removes the
 * directory. */
void rig_close(struct rig *r);

#endif
