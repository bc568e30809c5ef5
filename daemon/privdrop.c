/*
 * privdrop.c — giving up root; see privdrop.h.
 */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	if (!name || !*name || strlen(name) >= sizeof u->name) {
		snprintf(err, errlen, "bad user name");
		return -1;
	}
	errno = 0;
	struct passwd *pw = getpwnam(name);
	if (!pw) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(name, &end, 10);
		if (*end == '\0' && errno == 0 && n <= (unsigned long)INT_MAX)
			pw = getpwuid((uid_t)n);
	}
	if (!pw) {
		snprintf(err, errlen, "no user %s", name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "user %s is root: choose an unprivileged user", name);
		return -1;
	}
	snprintf(u->name, sizeof u->name, "%s", pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/* mkdir -p of dir's missing components (mode 0750), chowned to u. */
static int make_dirs(char *dir, const struct privdrop_user *u, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is not a directory", dir);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		int rc = make_dirs(dir, u, err, errlen);
		*slash = '/';
		if (rc < 0)
			return -1;
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (chown(dir, u->uid, u->gid) < 0) {
		snprintf(err, errlen, "chown %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int privdrop_prepare_dir(const char *database, const struct privdrop_user *u, char *err,
			 size_t errlen)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s", database) >= (int)sizeof dir) {
		snprintf(err, errlen, "database path too long");
		return -1;
	}
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0; /* relative to the working directory, or in / */
	*slash = '\0';
	return make_dirs(dir, u, err, errlen);
}

int privdrop_chown_db(const char *database, const struct privdrop_user *u, char *err,
		      size_t errlen)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
		char path[PATH_MAX];
		if (snprintf(path, sizeof path, "%s%s", database, suffix[i]) >= (int)sizeof path) {
			snprintf(err, errlen, "database path too long");
			return -1;
		}
		if (chown(path, u->uid, u->gid) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int privdrop_drop(const struct privdrop_user *u, char *err, size_t errlen)
{
	if (initgroups(u->name, u->gid) < 0) {
		snprintf(err, errlen, "initgroups %s: %s", u->name, strerror(errno));
		return -1;
	}
	if (setgid(u->gid) < 0) {
		snprintf(err, errlen, "setgid %ld: %s", (long)u->gid, strerror(errno));
		return -1;
	}
	if (setuid(u->uid) < 0) {
		snprintf(err, errlen, "setuid %ld: %s", (long)u->uid, strerror(errno));
		return -1;
	}
	if (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid ||
	    getegid() != u->gid) {
		snprintf(err, errlen, "still running with other ids after dropping to %s", u->name);
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen, "root could be regained after dropping to %s", u->name);
		return -1;
	}
#ifdef TIKSTAT_SANITIZE
	/* Changing ids made the process non-dumpable; LeakSanitizer then
	 * cannot ptrace its threads at exit. Sanitizer builds only. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	return 0;
}
