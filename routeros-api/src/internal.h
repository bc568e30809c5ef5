/*
 * internal.h — definitions shared by the library's modules, not installed.
 */
#ifndef ROS_INTERNAL_H
#define ROS_INTERNAL_H

#include "routeros.h"

#include <stdarg.h>
#include <stdbool.h>

/* One =key=value attribute of a sentence, pointing into its data. */
struct ros_attr {
	struct ros_word key;
	struct ros_word value;
};

/* A sentence is one allocation: this header, the word and attribute
 * arrays, then the bytes of all words (each followed by a NUL). */
struct ros_sentence {
	enum ros_reply_type type;
	size_t nwords;
	size_t nattrs;
	size_t tag_index; /* index of the ".tag=" word, or SIZE_MAX */
	size_t size;      /* bytes of the allocation, for the reply limits */
	struct ros_word *words;
	struct ros_attr *attrs;
};

struct ros_reply {
	ros_sentence **items;
	size_t count;
	size_t cap;
};

/* A tagged command (see ros_cmd_start). Its slot lives in the connection. */
struct ros_cmd {
	char tag[24]; /* decimal, never reused on the connection */
	size_t taglen;
	int status;            /* ROS_AGAIN while open */
	bool cancel_requested; /* an interruption ends it as ROS_CANCELLED */
	bool interrupted;      /* the interruption's !trap arrived */
	bool trapped;          /* a !trap was queued */
	bool internal;         /* the library's /cancel: sentences dropped */
	bool released;         /* given back while open: sentences dropped */
	int silence_ms;        /* < 0: none */
	int64_t started;
	int64_t deadline; /* absolute end of the overall deadline, -1 none */
	int deadline_ms;
	ros_sentence **q; /* FIFO of sentences not taken: q[head..head+count) */
	size_t head, count, cap;
	size_t held_bytes; /* what the queued sentences take, for the limits */
};

/* cmd.c: a new open command with the given tag number, or NULL (OOM). */
ros_cmd *cmd_new(uint64_t tag, const struct ros_cmd_options *opt, int timeout_ms, int64_t now);
/* Frees cmd and its queued sentences. NULL-safe. */
void cmd_free(ros_cmd *cmd);
/* Frees the queued sentences (a released command keeps none). */
void cmd_drop_queue(ros_cmd *cmd);
/* Appends s (taken; freed on ROS_ERR_NOMEM). */
int cmd_push(ros_cmd *cmd, ros_sentence *s);
/* Bytes s counts against the reply limits while queued. */
size_t cmd_sentence_cost(const ros_sentence *s);

/* sentence.c: removes the .tag word, so that a tagged command's
 * sentences look like an untagged command's. */
void sentence_drop_tag(ros_sentence *s);

/* reply.c: frees every sentence of r, which stays usable and empty. */
void reply_clear(ros_reply *r);

/* sentence.c: builds a classified sentence from nwords words stored
 * NUL-terminated in data (total bytes) at the given offsets. On a protocol
 * error returns ROS_ERR_PROTOCOL with err filled in. */
int sentence_build(const unsigned char *data, const size_t *offsets, size_t nwords, size_t total,
                   ros_sentence **out, char *err, size_t errsz);

/* buf.c */
int buf_reserve(struct ros_buf *b, size_t extra);
int buf_append(struct ros_buf *b, const void *data, size_t len);
/* Zeroes the bytes (they may have held a password) and empties b. */
void buf_wipe(struct ros_buf *b);

/* Escapes bytes for an error message: printable ASCII kept, others \xHH;
 * at most max input bytes, "..." appended when cut. */
void escape_bytes(char *out, size_t outsz, const void *data, size_t len, size_t max);

/* tls.c: the only file that includes OpenSSL's TLS headers. */
struct tls_session;
struct tls_config {
	enum ros_tls_mode mode;
	const char *host;
	const char *ca_file;
	const unsigned char *pin; /* 32 bytes for ROS_TLS_FINGERPRINT */
};
/* codec.c: true when the parser is between sentences (nothing partial). */
bool parser_idle(const ros_parser *p);

/* transport.c: a TCP socket, optionally wrapped in TLS, non-blocking. */
struct addrinfo;
struct transport {
	int fd;
	struct addrinfo *addrs; /* resolved addresses, tried in order */
	struct addrinfo *next;  /* the next one to try */
	struct tls_session *tls;
	int want; /* ROS_WANT_* of the last call that could not finish */
};
void transport_init(struct transport *t);
/* Resolves host and starts connecting to the first address. ROS_AGAIN or an error. */
int transport_connect_start(struct transport *t, const char *host, uint16_t port, char *err,
                            size_t errsz);
/* Checks the pending connect: ROS_OK connected, ROS_AGAIN, or an error
 * once every address failed. */
int transport_connect_step(struct transport *t, char *err, size_t errsz);
/* Wraps the connected socket in TLS. */
int transport_tls_start(struct transport *t, const struct tls_config *cfg, char *err, size_t errsz);
/* ROS_OK, ROS_AGAIN (see want) or an error. */
int transport_handshake(struct transport *t, char *err, size_t errsz);
/* Bytes moved (> 0), TRANSPORT_AGAIN (see want) or an error (ROS_ERR_CLOSED
 * on EOF). Not ROS_AGAIN: that is 1, a valid byte count. */
#define TRANSPORT_AGAIN (-1000)
long transport_read(struct transport *t, void *buf, size_t len, char *err, size_t errsz);
long transport_write(struct transport *t, const void *buf, size_t len, char *err, size_t errsz);
/* Bytes buffered inside TLS that poll() cannot see. */
int transport_pending(struct transport *t);
/* Closes; with graceful, sends TLS close_notify first (never waits). */
void transport_close(struct transport *t, bool graceful);

/* tls.c, continued. Results of the non-blocking TLS calls. */
enum { TLS_IO_WANT_READ = -100, TLS_IO_WANT_WRITE = -101 };
struct tls_session *tls_session_new(const struct tls_config *cfg, int fd, char *err, size_t errsz);
void tls_session_free(struct tls_session *t);
/* ROS_OK, TLS_IO_WANT_*, or an error status with err filled in. */
int tls_handshake(struct tls_session *t, char *err, size_t errsz);
/* Bytes transferred (> 0), TLS_IO_WANT_*, or an error status (ROS_ERR_CLOSED on EOF). */
long tls_read(struct tls_session *t, void *buf, size_t len, char *err, size_t errsz);
long tls_write(struct tls_session *t, const void *buf, size_t len, char *err, size_t errsz);
/* Bytes already decrypted and waiting inside the TLS layer. */
int tls_pending(struct tls_session *t);
/* Sends close_notify once, without waiting. */
void tls_shutdown(struct tls_session *t);
const char *tls_fingerprint(const struct tls_session *t);
/* "subject ..., valid from ... until ..." of the peer certificate, or NULL. */
const char *tls_certificate(const struct tls_session *t);
const char *tls_cipher(const struct tls_session *t);

/* digest.c: parses "sha256:AB:CD:..." into 32 bytes. */
int fingerprint_parse(const char *text, unsigned char out[32]);

#endif
