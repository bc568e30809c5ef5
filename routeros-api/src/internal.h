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

/* conn.c: records msg as the detail ros_errstr shows, leaving the
 * connection as it is (a reply that parsed badly does not end a session). */
void conn_set_error(ros_conn *c, const char *msg);

/* rows.c: the rows of a print reply, shared by the helpers of helpers.c,
 * queues.c and devices.c. */

/* Copies s[0..len) into a new NUL-terminated string; NULL when out of
 * memory. */
char *row_dup(const char *s, size_t len);

/* The row being parsed, for the message naming it. */
struct row_ctx {
	const char *kind;      /* "simple queue" */
	size_t number;         /* 1-based, among the reply's rows */
	const ros_sentence *s; /* the row's !re sentence */
	char *err;             /* the caller's, may be NULL */
	size_t errsz;
};

/* Writes "KIND N (.id X, name "Y"): " and the message into ctx->err (the
 * values escaped) and returns ROS_ERR_PROTOCOL. */
int row_fail(const struct row_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escapes a router value for such a message: at most ROW_QUOTE_MAX of its
 * bytes, each at most 4 characters ("\xHH"), and "..." when cut. Two
 * quoted values and a sentence of text fit in ROS_ROW_ERR_SIZE. */
#define ROW_QUOTE_MAX  24
#define ROW_QUOTE_SIZE (4 * ROW_QUOTE_MAX + 8)
void row_quote(char *out, size_t outsz, const char *v, size_t len);
/* Property key as a new string in *out: "" when absent and not required.
 * ROS_ERR_PROTOCOL (reported) when required and absent or when it holds
 * a NUL byte; ROS_ERR_NOMEM. */
int row_string(const struct row_ctx *ctx, const char *key, bool required, char **out);
/* Property key as a decimal counter: 0 when absent and not required. */
int row_u64(const struct row_ctx *ctx, const char *key, bool required, uint64_t *out);
/* "true"/"yes" -> 1, another value -> 0, absent -> -1. */
int row_flag(const ros_sentence *s, const char *key);

/* Fills one zeroed row from ctx->s: ROS_OK, ROW_SKIP (the row is left
 * out, and must then hold nothing to free) or an error status. */
#define ROW_SKIP 1
/* A kind of row: its name in messages, size, parser and free function
 * (which frees rows v[0..n) and the array). */
struct row_kind {
	const char *name;
	size_t size;
	int (*parse)(const struct row_ctx *ctx, void *row);
	void (*free_rows)(void *v, size_t n);
};
/* Parses every !re of r into a new array of rows (*out, *n: set on ROS_OK
 * only). On an error the rows parsed so far are freed and the error
 * returned. */
int rows_parse(const ros_reply *r, const struct row_kind *kind, void **out, size_t *n, char *err,
               size_t errsz);
/* Blocking: runs the print of print_words(command, proplist, names, nn)
 * and parses its reply; a parse error's message goes to ros_errstr. */
int rows_read(ros_conn *c, const char *command, const char *proplist, const char *const *names,
              size_t nn, const struct row_kind *kind, void **out, size_t *n);

/* The words of command with proplist and a "?name=" query per name,
 * joined with "?#|" (see ros_counters_words). */
size_t print_words_needed(size_t n);
int print_words(const char *command, const char *proplist, const char *const *names, size_t n,
                const char **words, char **storage);

/* Row numbers of v (n rows of size bytes) ordered by the string member at
 * offset key of each row, equal strings in row order; a new array, NULL
 * when out of memory. O(n log n). */
size_t *rows_order(const void *v, size_t n, size_t size, size_t key);
/* The string key of entry i of an index. */
typedef const char *(*index_key_fn)(const void *index, size_t i);
/* The position of the first entry whose key equals want in an index of n
 * entries sorted by key, or n when none. O(log n). */
size_t rows_find(const void *index, size_t n, index_key_fn key, const char *want);

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
