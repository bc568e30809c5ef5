/*
 * privdrop.c — giving up root; see privdrop.h.
 */
#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
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

/* A directory the database lives under, open as fd and shown as path,
 * is safe when root or u owns it and nobody else can replace its
 * entries: not writable by others, nor by a group other than root's or
 * u's, unless sticky (/tmp: entries only their owners may rename). */
static int check_dir(int fd, const char *path, const struct privdrop_user *u, char *err,
                     size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != u->uid) {
		snprintf(err, errlen,
		         "%s belongs to uid %ld: the directories of the database must belong to "
		         "root or %s, or its owner could replace the database",
		         path, (long)st.st_uid, u->name);
		return -1;
	}
	bool group_ok = st.st_gid == 0 || st.st_gid == u->gid;
	bool open_to_others = (st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && !group_ok);
	if (st.st_uid == 0 && open_to_others && !(st.st_mode & S_ISVTX)) {
		snprintf(err, errlen,
		         "%s is writable by group or others (mode %04o): they could replace the "
		         "database; chmod go-w %s",
		         path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/* Opens component name of the directory dirfd without following a link;
 * creates it (mode 0750, handed to u) when missing. path is the directory
 * shown in messages. The new descriptor, or -1 with err. */
static int open_component(int dirfd, const char *name, const char *path,
                          const struct privdrop_user *u, char *err, size_t errlen)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	bool created = false;
	int fd = openat(dirfd, name, flags);
	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(dirfd, name, 0750) == 0)
			created = true;
		else if (errno != EEXIST) {
			snprintf(err, errlen, "mkdir %s: %s", path, strerror(errno));
			return -1;
		}
		fd = openat(dirfd, name, flags);
	}
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			snprintf(err, errlen,
			         "%s is not a directory or was replaced by a symbolic link while "
			         "being checked",
			         path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The descriptor, not the name: a link planted since is not followed. */
	if (created && fchown(fd, u->uid, u->gid) < 0) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The directory of the database as an absolute path without links: the
 * existing part resolved by realpath, the missing rest appended. */
static int resolve_dir(const char *dir, char *out, size_t outlen, char *err, size_t errlen)
{
	char head[PATH_MAX], tail[PATH_MAX] = "";
	snprintf(head, sizeof head, "%s", dir);
	for (;;) {
		if (realpath(head, out))
			break;
		char *slash = strrchr(head, '/');
		if (errno != ENOENT || !slash) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		char rest[PATH_MAX];
		if (snprintf(rest, sizeof rest, "%s%s", slash, tail) >= (int)sizeof rest) {
			snprintf(err, errlen, "database path too long");
			return -1;
		}
		memcpy(tail, rest, sizeof tail);
		if (slash == head)
			head[1] = '\0'; /* "/" itself exists */
		else
			*slash = '\0';
	}
	size_t n = strlen(out);
	if (n + strlen(tail) >= outlen) {
		snprintf(err, errlen, "database path too long");
		return -1;
	}
	memcpy(out + n, tail, strlen(tail) + 1);
	return 0;
}

/* A file of the database (name in the directory dirfd; path for
 * messages) that exists must be u's own regular file. A regular file of
 * root's with one link, as an older start as root left it, is handed to
 * u through its descriptor: never through a name, which u may have
 * pointed elsewhere. A link is refused, not followed. */
static int check_db_file(int dirfd, const char *name, const char *path,
                         const struct privdrop_user *u, char *err, size_t errlen)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
		         "%s is a symbolic link: refusing to open the database through it (remove "
		         "it)",
		         path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -1;
	}
	if (st.st_uid == u->uid)
		return 0; /* u opens it itself (privdrop_become) */
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = -1;
	if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s is not a regular file", path);
	else if (st.st_uid != 0)
		snprintf(err, errlen, "%s belongs to uid %ld: it must belong to %s (or root)", path,
		         (long)st.st_uid, u->name);
	else if (st.st_nlink != 1 || (st.st_mode & (S_ISUID | S_ISGID)))
		snprintf(err, errlen,
		         "%s has %ld hard links or set-id bits: refusing to hand it to %s", path,
		         (long)st.st_nlink, u->name);
	else if (fchown(fd, u->uid, u->gid) < 0)
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

int privdrop_prepare_database(const char *database, const struct privdrop_user *u, char *err,
                              size_t errlen)
{
	char dir[PATH_MAX], real[PATH_MAX], shown[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s", database) >= (int)sizeof dir) {
		snprintf(err, errlen, "database path too long");
		return -1;
	}
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		snprintf(err, errlen, "%s: not a file name", database);
		return -1;
	}
	char name[NAME_MAX + 1];
	if (snprintf(name, sizeof name, "%s", base) >= (int)sizeof name) {
		snprintf(err, errlen, "%s: file name too long", database);
		return -1;
	}
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		snprintf(dir, sizeof dir, "/");
	else
		*slash = '\0';
	if (resolve_dir(dir, real, sizeof real, err, errlen) < 0)
		return -1;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "/: %s", strerror(errno));
		return -1;
	}
	snprintf(shown, sizeof shown, "/");
	int rc = check_dir(fd, shown, u, err, errlen);
	/* Walk down from / one descriptor at a time: what was checked is what
	 * is used, whatever happens to the names meanwhile. */
	for (char *save = NULL, *c = strtok_r(real, "/", &save); c && rc == 0;
	     c = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(shown);
		snprintf(shown + n, sizeof shown - n, "%s%s", n > 1 ? "/" : "", c);
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			snprintf(err, errlen, "%s: '.' or '..' in the database path", database);
			rc = -1;
			break;
		}
		int next = open_component(fd, c, shown, u, err, errlen);
		close(fd);
		fd = next;
		rc = fd < 0 ? -1 : check_dir(fd, shown, u, err, errlen);
	}
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof *suffix && rc == 0; i++) {
		char file[NAME_MAX + 16], path[PATH_MAX + NAME_MAX + 16];
		snprintf(file, sizeof file, "%s%s", name, suffix[i]);
		snprintf(path, sizeof path, "%s%s%s", shown, strcmp(shown, "/") ? "/" : "", file);
		rc = check_db_file(fd, file, path, u, err, errlen);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Root's supplementary groups, put back by privdrop_restore. */
static gid_t saved_groups[NGROUPS_MAX];
static int n_saved_groups = -1;
static gid_t saved_egid;

int privdrop_become(const struct privdrop_user *u, char *err, size_t errlen)
{
	saved_egid = getegid();
	n_saved_groups = getgroups(NGROUPS_MAX, saved_groups);
	if (n_saved_groups < 0) {
		snprintf(err, errlen, "getgroups: %s", strerror(errno));
		return -1;
	}
	/* u's groups, not root's: the files opened now are opened as u would. */
	if (initgroups(u->name, u->gid) < 0 || setegid(u->gid) < 0 || seteuid(u->uid) < 0) {
		snprintf(err, errlen, "acting as %s: %s", u->name, strerror(errno));
		privdrop_restore();
		return -1;
	}
	return 0;
}

void privdrop_restore(void)
{
	/* Cannot fail while the saved set-user-ID is root; if it did, the
	 * process would go on with fewer rights, never more. */
	if (seteuid(0) < 0 || setegid(saved_egid) < 0)
		return;
	if (n_saved_groups >= 0 && setgroups((size_t)n_saved_groups, saved_groups) < 0)
		return;
}

int privdrop_can_read(const struct privdrop_user *u, const char *path, char *why, size_t whylen)
{
	char err[256];
	if (privdrop_become(u, err, sizeof err) < 0) {
		snprintf(why, whylen, "%s", err);
		return -1;
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int e = errno;
	if (fd >= 0)
		close(fd);
	privdrop_restore();
	if (fd >= 0)
		return 0;
	snprintf(why, whylen, "%s", strerror(e));
	return -1;
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
