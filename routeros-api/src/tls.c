/*
 * tls.c — the TLS transport (OpenSSL), non-blocking.
 *
 * Three modes, never mixed: CA verification with host name check,
 * SHA-256 fingerprint pinning (self-signed router certificates), and
 * anonymous Diffie-Hellman for api-ssl services without a certificate,
 * which OpenSSL 3 only allows at security level 0 and TLS <= 1.2.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tls_session {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO_METHOD *bio_method; /* socket I/O without SIGPIPE, see sock_bio_new */
	int fd;
	enum ros_tls_mode mode;
	unsigned char pin[32];
	char fingerprint[7 + 32 * 3];
	char cipher[64];
	char certificate[400];  /* "subject ..., valid from ... until ..." */
	unsigned char first[2]; /* the first bytes the peer sent, to tell what it speaks */
	size_t nfirst;
};

/* Describes the first queued OpenSSL error (or fallback) into err. */
static void openssl_error(char *err, size_t errsz, const char *what, const char *fallback)
{
	unsigned long e = ERR_get_error();
	char detail[200];
	if (e)
		ERR_error_string_n(e, detail, sizeof detail);
	snprintf(err, errsz, "%s: %s", what, e ? detail : fallback);
	ERR_clear_error();
}

static bool is_ip_literal(const char *host)
{
	unsigned char tmp[16];
	return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

/*
 * OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the
 * router has gone. A library must not kill its host process, so TLS goes
 * through this small BIO that uses send(MSG_NOSIGNAL). The method belongs
 * to the session (no process-wide state).
 */
static int sock_bio_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct tls_session *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	ssize_t n;
	do
		n = send(t->fd, data, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_write(b);
		return 0;
	}
	*written = (size_t)n;
	return 1;
}

static int sock_bio_read(BIO *b, char *data, size_t len, size_t *got)
{
	struct tls_session *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	ssize_t n;
	do
		n = recv(t->fd, data, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_read(b);
		return 0;
	}
	if (n == 0)
		BIO_set_flags(b, BIO_FLAGS_IN_EOF);
	for (ssize_t i = 0; i < n && t->nfirst < sizeof t->first; i++)
		t->first[t->nfirst++] = (unsigned char)data[i];
	*got = (size_t)n;
	return n > 0;
}

static long sock_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH: return 1;
	case BIO_CTRL_EOF: return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
	default: return 0;
	}
}

static int sock_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* Creates the session's BIO over its socket; NULL on failure. */
static BIO *sock_bio_new(struct tls_session *t)
{
	t->bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ros-socket");
	if (!t->bio_method || !BIO_meth_set_write_ex(t->bio_method, sock_bio_write) ||
	    !BIO_meth_set_read_ex(t->bio_method, sock_bio_read) ||
	    !BIO_meth_set_ctrl(t->bio_method, sock_bio_ctrl) ||
	    !BIO_meth_set_create(t->bio_method, sock_bio_create))
		return NULL;
	BIO *b = BIO_new(t->bio_method);
	if (b)
		BIO_set_data(b, t);
	return b;
}

/* Configures the context for the mode: ADH ciphers, or the trust store. */
static int configure_ctx(struct tls_session *t, const struct tls_config *cfg, char *err,
                         size_t errsz)
{
	if (cfg->mode == ROS_TLS_ANONYMOUS) {
		SSL_CTX_set_security_level(t->ctx, 0);
		if (!SSL_CTX_set_max_proto_version(t->ctx, TLS1_2_VERSION) ||
		    !SSL_CTX_set_cipher_list(t->ctx, "ADH:@SECLEVEL=0")) {
			openssl_error(err, errsz, "TLS setup", "anonymous DH ciphers unavailable");
			return ROS_ERR_TLS;
		}
		return ROS_OK;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	if (cfg->mode == ROS_TLS_FINGERPRINT) {
		/* Chain checks are replaced by the pin, checked after the handshake. */
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
		memcpy(t->pin, cfg->pin, 32);
		return ROS_OK;
	}
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	int ok = cfg->ca_file ? SSL_CTX_load_verify_locations(t->ctx, cfg->ca_file, NULL)
	                      : SSL_CTX_set_default_verify_paths(t->ctx);
	if (!ok) {
		openssl_error(err, errsz, "cannot load CA certificates",
		              cfg->ca_file ? cfg->ca_file : "system store");
		return ROS_ERR_TLS;
	}
	return ROS_OK;
}

/* Per-connection settings: the name the certificate must carry, and SNI. */
static int configure_ssl(struct tls_session *t, const struct tls_config *cfg, char *err,
                         size_t errsz)
{
	if (cfg->mode == ROS_TLS_ANONYMOUS)
		return ROS_OK;
	bool ip = is_ip_literal(cfg->host);
	if (!ip)
		SSL_set_tlsext_host_name(t->ssl, cfg->host);
	if (cfg->mode != ROS_TLS_VERIFY)
		return ROS_OK;
	X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
	int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, cfg->host)
	            : X509_VERIFY_PARAM_set1_host(param, cfg->host, 0);
	if (!ok) {
		openssl_error(err, errsz, "TLS setup", "cannot set the expected host name");
		return ROS_ERR_TLS;
	}
	return ROS_OK;
}

struct tls_session *tls_session_new(const struct tls_config *cfg, int fd, char *err, size_t errsz)
{
	struct tls_session *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	t->mode = cfg->mode;
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		openssl_error(err, errsz, "TLS setup", "cannot create a TLS context");
		goto fail;
	}
	if (configure_ctx(t, cfg, err, errsz) != ROS_OK)
		goto fail;
	t->ssl = SSL_new(t->ctx);
	if (!t->ssl) {
		openssl_error(err, errsz, "TLS setup", "cannot create a TLS session");
		goto fail;
	}
	if (configure_ssl(t, cfg, err, errsz) != ROS_OK)
		goto fail;
	t->fd = fd;
	BIO *bio = sock_bio_new(t);
	if (!bio) {
		openssl_error(err, errsz, "TLS setup", "cannot attach the socket");
		goto fail;
	}
	SSL_set_bio(t->ssl, bio, bio); /* the SSL owns the BIO now */
	SSL_set_connect_state(t->ssl);
	return t;
fail:
	tls_session_free(t);
	return NULL;
}

void tls_session_free(struct tls_session *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	BIO_meth_free(t->bio_method);
	free(t);
}

/* Writes an ASN1 time as OpenSSL prints it ("Dec  6 15:00:00 2026 GMT"). */
static void format_time(const ASN1_TIME *tm, char *out, size_t outsz)
{
	BIO *m = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len = m && ASN1_TIME_print(m, tm) ? BIO_get_mem_data(m, &data) : 0;
	snprintf(out, outsz, "%.*s", len > 0 ? (int)len : 1, len > 0 ? data : "?");
	BIO_free(m);
}

/* Records the certificate's subject and validity for ros_peer_certificate. */
static void describe_certificate(struct tls_session *t, X509 *cert)
{
	char subject[200] = "", from[40], until[40];
	X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
	format_time(X509_get0_notBefore(cert), from, sizeof from);
	format_time(X509_get0_notAfter(cert), until, sizeof until);
	snprintf(t->certificate, sizeof t->certificate, "subject %s, valid from %s until %s",
	         subject, from, until);
}

/* Records the peer certificate's SHA-256 fingerprint; returns 0 if none. */
static int record_fingerprint(struct tls_session *t, unsigned char md[32])
{
	X509 *cert = SSL_get1_peer_certificate(t->ssl);
	unsigned int n = 0;
	int ok = cert && X509_digest(cert, EVP_sha256(), md, &n) && n == 32;
	if (ok)
		describe_certificate(t, cert);
	X509_free(cert);
	if (!ok)
		return 0;
	char *p = t->fingerprint + sprintf(t->fingerprint, "sha256:");
	for (unsigned i = 0; i < 32; i++)
		p += sprintf(p, i ? ":%02X" : "%02X", md[i]);
	return 1;
}

/* Maps a failed SSL_connect to a status and message. */
static int handshake_error(struct tls_session *t, int rc, char *err, size_t errsz)
{
	int e = SSL_get_error(t->ssl, rc);
	long vr = SSL_get_verify_result(t->ssl);
	unsigned char md[32];
	record_fingerprint(t, md); /* users may want to pin what they saw */
	if (t->mode == ROS_TLS_VERIFY && vr != X509_V_OK) {
		snprintf(err, errsz, "TLS certificate verification failed: %s",
		         X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return ROS_ERR_TLS_VERIFY;
	}
	/* A TLS record starts with a content type (0x14..0x18) and major
	 * version 3; an API sentence starts with a short length, then '!'. */
	if (t->nfirst >= 2 && (t->first[0] < 0x14 || t->first[0] > 0x18 || t->first[1] != 0x03)) {
		ERR_clear_error();
		snprintf(err, errsz,
		         "TLS handshake failed: this port speaks the plain API, not TLS");
		return ROS_ERR_PORT_PLAIN;
	}
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		snprintf(err, errsz, "TLS handshake failed: the router closed the connection");
		return ROS_ERR_TLS;
	}
	const char *hint =
	        t->mode == ROS_TLS_ANONYMOUS
	                ? " (the router's api-ssl may have a certificate: use verify or "
	                  "fingerprint)"
	                : " (an api-ssl service without a certificate only offers anonymous DH)";
	char what[240];
	openssl_error(what, sizeof what, "TLS handshake failed", "unknown error");
	snprintf(err, errsz, "%s%s", what, hint);
	return ROS_ERR_TLS;
}

int tls_handshake(struct tls_session *t, char *err, size_t errsz)
{
	ERR_clear_error();
	int rc = SSL_connect(t->ssl);
	if (rc != 1) {
		int e = SSL_get_error(t->ssl, rc);
		if (e == SSL_ERROR_WANT_READ)
			return TLS_IO_WANT_READ;
		if (e == SSL_ERROR_WANT_WRITE)
			return TLS_IO_WANT_WRITE;
		return handshake_error(t, rc, err, errsz);
	}
	snprintf(t->cipher, sizeof t->cipher, "%s", SSL_get_cipher_name(t->ssl));
	unsigned char md[32];
	int have = record_fingerprint(t, md);
	if (t->mode == ROS_TLS_FINGERPRINT) {
		if (!have) {
			snprintf(err, errsz, "TLS: the router presented no certificate to pin");
			return ROS_ERR_TLS_FINGERPRINT;
		}
		if (CRYPTO_memcmp(md, t->pin, 32) != 0) {
			snprintf(err, errsz,
			         "TLS certificate fingerprint mismatch: the router presented %s",
			         t->fingerprint);
			return ROS_ERR_TLS_FINGERPRINT;
		}
	}
	return ROS_OK;
}

/* Maps an SSL_read/SSL_write result. */
static long io_result(struct tls_session *t, int rc, const char *what, char *err, size_t errsz)
{
	int e = SSL_get_error(t->ssl, rc);
	switch (e) {
	case SSL_ERROR_WANT_READ: return TLS_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE: return TLS_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(err, errsz, "the router closed the TLS session");
		return ROS_ERR_CLOSED;
	case SSL_ERROR_SSL:
		if (ERR_GET_REASON(ERR_peek_error()) != SSL_R_UNEXPECTED_EOF_WHILE_READING)
			break;
		/* OpenSSL 3 reports a bare TCP close this way */
		__attribute__((fallthrough));
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 ||
		    ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			snprintf(err, errsz, "the router closed the connection");
			return ROS_ERR_CLOSED;
		}
		break;
	default: break;
	}
	openssl_error(err, errsz, what, "TLS error");
	return ROS_ERR_TLS;
}

long tls_read(struct tls_session *t, void *buf, size_t len, char *err, size_t errsz)
{
	size_t got = 0;
	ERR_clear_error();
	if (SSL_read_ex(t->ssl, buf, len, &got))
		return (long)got;
	return io_result(t, 0, "TLS read", err, errsz);
}

long tls_write(struct tls_session *t, const void *buf, size_t len, char *err, size_t errsz)
{
	size_t put = 0;
	ERR_clear_error();
	if (SSL_write_ex(t->ssl, buf, len, &put))
		return (long)put;
	return io_result(t, 0, "TLS write", err, errsz);
}

int tls_pending(struct tls_session *t)
{
	return SSL_pending(t->ssl);
}

void tls_shutdown(struct tls_session *t)
{
	ERR_clear_error();
	SSL_shutdown(t->ssl);
	ERR_clear_error();
}

const char *tls_certificate(const struct tls_session *t)
{
	return t->certificate[0] ? t->certificate : NULL;
}

const char *tls_fingerprint(const struct tls_session *t)
{
	return t->fingerprint[0] ? t->fingerprint : NULL;
}

const char *tls_cipher(const struct tls_session *t)
{
	return t->cipher[0] ? t->cipher : NULL;
}
