/*
 * dbcorrupt.h — damages one page of an SQLite database file on purpose,
 * for the tests of database faults (a bad page in old data).
 */
#ifndef TESTS_DBCORRUPT_H
#define TESTS_DBCORRUPT_H

#include <stddef.h>
#include <stdint.h>

/* The 4 bytes SQLite stores for an integer from 2^23 to 2^31-1 in a record
 * (big-endian): a needle to find the page holding a row. */
void dbcorrupt_be32(unsigned char out[4], uint32_t v);

/* Overwrites with garbage the first page (page 1, the header, excluded) of
 * the database file at path that contains the n bytes of needle. The
 * database must be closed with its WAL checkpointed into the file.
 * Returns that page's number, or -1 (not found, I/O error). */
long dbcorrupt_page_with(const char *path, const void *needle, size_t n);

/* The same page, but only its first-freeblock pointer is made wrong: the
 * page still reads, and PRAGMA quick_check reports "Page N: free space
 * corruption" under a "*** in database main ***" line. */
long dbcorrupt_freeblock_of_page_with(const char *path, const void *needle, size_t n);

#endif
