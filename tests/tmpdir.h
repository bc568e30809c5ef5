/*
 * tmpdir.h — a throwaway directory for tests that work on real files.
 */
#ifndef TESTS_TMPDIR_H
#define TESTS_TMPDIR_H

#include <stddef.h>

/* Creates $TMPDIR/NAME.XXXXXX (or under /tmp) and stores its path in dir
 * (dirsz bytes). Returns 0 or -1. */
int tmpdir_make(char *dir, size_t dirsz, const char *name);

/* Removes the files in dir, then dir itself (no subdirectories expected).
 * Returns 0 or -1. */
int tmpdir_remove(const char *dir);

#endif
