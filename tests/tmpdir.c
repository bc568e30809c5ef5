/* tmpdir.c — see tmpdir.h. */
#include "tmpdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tmpdir_make(char *dir, size_t dirsz, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n = snprintf(dir, dirsz, "%s/%s.XXXXXX", base && *base ? base : "/tmp", name);
	if (n < 0 || (size_t)n >= dirsz)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

int tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	char p[4096];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(dir);
}
