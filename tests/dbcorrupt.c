/* dbcorrupt.c — see dbcorrupt.h. */
#include "dbcorrupt.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void dbcorrupt_be32(unsigned char out[4], uint32_t v)
{
	out[0] = (unsigned char)(v >> 24);
	out[1] = (unsigned char)(v >> 16);
	out[2] = (unsigned char)(v >> 8);
	out[3] = (unsigned char)v;
}

/* Page size from the file header (bytes 16-17, big-endian; 1 = 65536). */
static size_t page_size(int fd)
{
	unsigned char h[2];
	if (pread(fd, h, 2, 16) != 2)
		return 0;
	size_t n = (size_t)h[0] << 8 | h[1];
	return n == 1 ? 65536 : n;
}

/* Finds the page holding needle and lets damage change it in place. */
static long corrupt(const char *path, const void *needle, size_t n,
                    void (*damage)(unsigned char *page, size_t ps))
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	long found = -1;
	size_t ps = page_size(fd);
	unsigned char *page = ps >= 512 ? malloc(ps) : NULL;
	for (long no = 2; page && found < 0; no++) {
		if (pread(fd, page, ps, (off_t)(no - 1) * (off_t)ps) != (ssize_t)ps)
			break;
		for (size_t i = 0; i + n <= ps; i++)
			if (memcmp(page + i, needle, n) == 0) {
				found = no;
				break;
			}
	}
	if (found > 0) {
		damage(page, ps);
		if (pwrite(fd, page, ps, (off_t)(found - 1) * (off_t)ps) != (ssize_t)ps ||
		    fsync(fd) < 0)
			found = -1;
	}
	free(page);
	close(fd);
	return found;
}

/* 0xA5 is no b-tree page type: every read of the page fails. */
static void garbage(unsigned char *page, size_t ps)
{
	memset(page, 0xA5, ps);
}

/* The first freeblock (header bytes 1-2) points near the end of the page. */
static void bad_freeblock(unsigned char *page, size_t ps)
{
	size_t off = ps - 96;
	page[1] = (unsigned char)(off >> 8);
	page[2] = (unsigned char)off;
}

long dbcorrupt_page_with(const char *path, const void *needle, size_t n)
{
	return corrupt(path, needle, n, garbage);
}

long dbcorrupt_freeblock_of_page_with(const char *path, const void *needle, size_t n)
{
	return corrupt(path, needle, n, bad_freeblock);
}
