/*
 * privdrop.h — tikstatd started as root gives up root for an unprivileged
 * user (-u USER) once it has opened what needs privilege.
 *
 * Order: privdrop_lookup (the user exists), privdrop_prepare_database
 * (the database's directories exist, belong to root or the user and
 * cannot be replaced by others), opening the database as the user
 * (privdrop_become .. privdrop_restore) and binding the HTTP sockets as
 * root, privdrop_drop (groups, gid, uid, verified). The poller's first
 * connection to a router comes after that.
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
#define PRIVDROP_ROOT_MESSAGE                                                                      \
	"tikstatd: running as root: use -u USER (e.g. -u tikstat) or start it from systemd with "  \
	"User=tikstat"

/* Looks up name (a user name or a numeric uid). 0, or -1 with err. */
int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen);

/* Makes the database's place safe for root to start from: creates the
 * missing directories of database (mode 0750, handed to u through their
 * descriptors) and checks, walking from / with O_NOFOLLOW descriptors,
 * that every directory belongs to root or u and that nobody else may
 * replace its entries; the database and its -wal, -shm and -journal
 * files, where they exist, must be regular files of u's (a root-owned
 * one with a single link, left by an older start, is handed to u through
 * its descriptor). A symbolic link there is refused. 0, or -1 with err
 * naming the path and the reason (the caller exits). The database itself
 * is then opened as u (privdrop_become), so no link u planted can make
 * root create, open or chown anything. */
int privdrop_prepare_database(const char *database, const struct privdrop_user *u, char *err,
                              size_t errlen);

/* Root acts as u for a while: u's groups, effective gid and uid, so the
 * files opened meanwhile are opened with u's rights (the saved set-user-ID
 * stays root). 0, or -1 with err (then nothing changed). Undo with
 * privdrop_restore. Call it while no other thread runs. */
int privdrop_become(const struct privdrop_user *u, char *err, size_t errlen);
/* Back to root's effective ids and groups after privdrop_become. */
void privdrop_restore(void);

/* Whether u can open path for reading (checked as u, by root). 0, or -1
 * with the reason (strerror) in why. */
int privdrop_can_read(const struct privdrop_user *u, const char *path, char *why, size_t whylen);

/* initgroups, setgid, setuid to u, then checks that real and effective
 * ids are u's and that root cannot be regained. 0, or -1 with err (the
 * caller must exit). */
int privdrop_drop(const struct privdrop_user *u, char *err, size_t errlen);

#endif
