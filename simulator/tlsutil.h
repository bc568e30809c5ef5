/*
 * tlsutil: everything that touches OpenSSL. A self-signed identity made at
 * start-up, server contexts for "tls" (certificate) and "adh" (anonymous
 * Diffie-Hellman only, like RouterOS api-ssl without a certificate), and
 * non-blocking per-connection TLS I/O. No other file includes OpenSSL.
 */
#ifndef FR_TLSUTIL_H
#define FR_TLSUTIL_H

#include <stddef.h>
#include <sys/types.h>

struct tls_ident; /* key + self-signed certificate */
struct tls_ctx;   /* a server context (SSL_CTX) */
struct tls_conn;  /* one server-side TLS session on a socket */

/* Results of non-blocking operations (negative; reads return >0 bytes or 0
 * for a clean or unclean end of stream). */
enum { TLSU_WANT_READ = -1, TLSU_WANT_WRITE = -2, TLSU_ERR = -3 };

/* Generates an EC P-256 key and a certificate for CN=localhost with
 * subjectAltName DNS:localhost, IP:127.0.0.1, valid from now-1d to now+1y.
 * On failure returns NULL and writes a message into err. */
struct tls_ident *tlsutil_ident_new(char *err, size_t errlen);

/* Frees the identity. NULL-safe. */
void tlsutil_ident_free(struct tls_ident *id);

/* Writes the certificate (not the key) as PEM to path; 0 or -1 (errno). */
int tlsutil_ident_write_pem(const struct tls_ident *id, const char *path);

/* "sha256:AB:CD:..." fingerprint of the DER certificate; owned by id. */
const char *tlsutil_ident_fingerprint(const struct tls_ident *id);

/* A TLS 1.2+ server context presenting id. NULL on failure. */
struct tls_ctx *tlsutil_ctx_cert(const struct tls_ident *id);

/* A server context offering only anonymous DH ciphers ("ADH:@SECLEVEL=0"),
 * TLS 1.2 at most, no certificate. NULL on failure. */
struct tls_ctx *tlsutil_ctx_adh(void);

/* Frees a context (sessions keep their own reference). NULL-safe. */
void tlsutil_ctx_free(struct tls_ctx *c);

/* Starts a server-side session on the connected non-blocking socket fd
 * (not owned: the caller closes it). NULL on failure. */
struct tls_conn *tlsutil_conn_new(struct tls_ctx *c, int fd);

/* Frees the session without sending anything. NULL-safe. */
void tlsutil_conn_free(struct tls_conn *t);

/* Advances the handshake: 1 when done, or TLSU_WANT_READ/WANT_WRITE/ERR. */
int tlsutil_handshake(struct tls_conn *t);

/* Reads decrypted bytes: >0 count, 0 end of stream, or TLSU_*. */
ssize_t tlsutil_read(struct tls_conn *t, void *buf, size_t n);

/* Writes up to n bytes (partial writes allowed): >0 count or TLSU_*.
 * After a WANT result, retry with the same bytes (more may follow). */
ssize_t tlsutil_write(struct tls_conn *t, const void *buf, size_t n);

/* Sends close_notify once, best effort, without waiting for the peer. */
void tlsutil_shutdown(struct tls_conn *t);

/* Fills buf with n cryptographically random bytes; 0 or -1. */
int tlsutil_random(void *buf, size_t n);

#endif
