/*
 * privdrop.h — tikstatd started as root gives up root for an unprivileged
 * user (-u USER) once it has opened what needs privilege.
 *
 * Order: privdrop_lookup (the user exists), privdrop_prepare_dir (the
 * database directory exists and belongs to the user), opening the
 * database and binding the HTTP sockets, privdrop_chown_db (files SQLite
 * created as root), privdrop_drop (groups, gid, uid, verified). The
 * poller's first connection to a router comes after that.
 */
#ifndef TIKSTAT_PRIVDROP_H
#define TIKSTAT_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

struct privdrop_user {
	char name[64];
	uid_t uid;
	gid_t gid;
};

/* The message tikstatd prints when started as root without -u. */
#define PRIVDROP_ROOT_MESSAGE \
	"tikstatd: running as root: use -u USER (e.g. -u tikstat) or start it from systemd with User=tikstat"

/* Looks up name (a user name or a numeric uid). 0, or -1 with err. */
int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen);

/* Creates the directory of database (mode 0750) when it is missing, and
 * hands the directories it created to u. An existing directory is left
 * as it is. 0, or -1 with err. */
int privdrop_prepare_dir(const char *database, const struct privdrop_user *u, char *err,
			 size_t errlen);

/* Hands database and its -wal, -shm and -journal files, where they
 * exist, to u. 0, or -1 with err. */
int privdrop_chown_db(const char *database, const struct privdrop_user *u, char *err,
		      size_t errlen);

/* initgroups, setgid, setuid to u, then checks that real and effective
 * ids are u's and that root cannot be regained. 0, or -1 with err (the
 * caller must exit). */
int privdrop_drop(const struct privdrop_user *u, char *err, size_t errlen);

#endif
