#include "tlsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct tls_ident {
	EVP_PKEY *key;
	X509 *cert;
	char fingerprint[7 + 32 * 3];
};

struct tls_ctx {
	SSL_CTX *ctx;
};

struct tls_conn {
	SSL *ssl;
};

static void set_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char detail[256] = "";
	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", detail);
	ERR_clear_error();
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int set_random_serial(X509 *x)
{
	unsigned char rnd[16];
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	rnd[0] &= 0x7F; /* serials are positive */
	BIGNUM *bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -1;
}

/* Self-issued, self-signed, no keyUsage: OpenSSL then treats it as its own
 * trust anchor, so clients can pass the PEM as a CA file. */
static int fill_cert(X509 *x, EVP_PKEY *key)
{
	X509V3_CTX v3;
	X509_NAME *name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) || set_random_serial(x) < 0 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -86400L) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400L) || !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                (const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		return -1;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") < 0 ||
	    add_ext(x, &v3, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") < 0)
		return -1;
	return X509_sign(x, key, EVP_sha256()) > 0 ? 0 : -1;
}

static int fill_fingerprint(struct tls_ident *id)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!X509_digest(id->cert, EVP_sha256(), md, &n) || n != 32)
		return -1;
	char *p = id->fingerprint;
	p += sprintf(p, "sha256:");
	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, i ? ":%02X" : "%02X", md[i]);
	return 0;
}

struct tls_ident *tlsutil_ident_new(char *err, size_t errlen)
{
	struct tls_ident *id = calloc(1, sizeof(*id));
	if (!id) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	id->key = EVP_EC_gen("P-256");
	id->cert = X509_new();
	if (!id->key || !id->cert || fill_cert(id->cert, id->key) < 0 || fill_fingerprint(id) < 0) {
		set_err(err, errlen, "cannot make the self-signed certificate");
		tlsutil_ident_free(id);
		return NULL;
	}
	return id;
}

void tlsutil_ident_free(struct tls_ident *id)
{
	if (!id)
		return;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	free(id);
}

int tlsutil_ident_write_pem(const struct tls_ident *id, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = PEM_write_X509(f, id->cert);
	if (fclose(f) != 0 || !ok) {
		if (!ok)
			errno = EIO;
		return -1;
	}
	return 0;
}

const char *tlsutil_ident_fingerprint(const struct tls_ident *id)
{
	return id->fingerprint;
}

/* Settings shared by both contexts: non-blocking friendly writes, small
 * idle memory (thousands of sessions), no server-side session cache. */
static struct tls_ctx *ctx_wrap(SSL_CTX *c)
{
	struct tls_ctx *t = calloc(1, sizeof(*t));
	if (!t) {
		SSL_CTX_free(c);
		return NULL;
	}
	SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                            SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	t->ctx = c;
	return t;
}

struct tls_ctx *tlsutil_ctx_cert(const struct tls_ident *id)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());
	if (!c)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(c, id->cert) != 1 || SSL_CTX_use_PrivateKey(c, id->key) != 1 ||
	    SSL_CTX_check_private_key(c) != 1) {
		SSL_CTX_free(c);
		ERR_clear_error();
		return NULL;
	}
	return ctx_wrap(c);
}

struct tls_ctx *tlsutil_ctx_adh(void)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());
	if (!c)
		return NULL;
	SSL_CTX_set_security_level(c, 0);
	if (!SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION) ||
	    SSL_CTX_set_cipher_list(c, "ADH:@SECLEVEL=0") != 1 || SSL_CTX_set_dh_auto(c, 1) != 1) {
		SSL_CTX_free(c);
		ERR_clear_error();
		return NULL;
	}
	return ctx_wrap(c);
}

void tlsutil_ctx_free(struct tls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

struct tls_conn *tlsutil_conn_new(struct tls_ctx *c, int fd)
{
	struct tls_conn *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ssl = SSL_new(c->ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_accept_state(t->ssl);
	return t;
}

void tlsutil_conn_free(struct tls_conn *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* Maps an SSL_get_error result; ERR queue is cleared so a failure on one
 * connection never leaks into the next call on another. */
static int map_error(struct tls_conn *t, int rc)
{
	int e = SSL_get_error(t->ssl, rc);
	ERR_clear_error();
	switch (e) {
	case SSL_ERROR_WANT_READ: return TLSU_WANT_READ;
	case SSL_ERROR_WANT_WRITE: return TLSU_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN: return 0;
	default: return TLSU_ERR;
	}
}

int tlsutil_handshake(struct tls_conn *t)
{
	ERR_clear_error();
	int rc = SSL_do_handshake(t->ssl);
	if (rc == 1)
		return 1;
	int m = map_error(t, rc);
	return m == 0 ? TLSU_ERR : m;
}

ssize_t tlsutil_read(struct tls_conn *t, void *buf, size_t n)
{
	size_t got = 0;
	ERR_clear_error();
	int rc = SSL_read_ex(t->ssl, buf, n, &got);
	if (rc == 1)
		return (ssize_t)got;
	int m = map_error(t, rc);
	return m == TLSU_ERR ? 0 : m; /* an unclean end of stream is still an end */
}

ssize_t tlsutil_write(struct tls_conn *t, const void *buf, size_t n)
{
	size_t done = 0;
	ERR_clear_error();
	int rc = SSL_write_ex(t->ssl, buf, n, &done);
	if (rc == 1)
		return (ssize_t)done;
	int m = map_error(t, rc);
	return m == 0 ? TLSU_ERR : m;
}

void tlsutil_shutdown(struct tls_conn *t)
{
	ERR_clear_error();
	SSL_shutdown(t->ssl);
	ERR_clear_error();
}

int tlsutil_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}
