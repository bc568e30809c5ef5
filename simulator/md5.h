/*
 * md5: RFC 1321 MD5, needed only for the pre-6.43 challenge login. Pure.
 * Not a security primitive here: RouterOS chose it, the fake mimics it.
 */
#ifndef FR_MD5_H
#define FR_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5_ctx {
	uint32_t state[4];
	uint64_t nbytes;
	unsigned char block[64];
};

/* Starts a digest. */
void md5_init(struct md5_ctx *c);

/* Adds n bytes. */
void md5_update(struct md5_ctx *c, const void *data, size_t n);

/* Writes the 16-byte digest; the context is then spent. */
void md5_final(struct md5_ctx *c, unsigned char out[16]);

#endif
