/*
 * routeros.h — a C client for the MikroTik RouterOS API (TCP 8728, TLS 8729).
 *
 * Three layers, each usable on its own:
 *
 *   1. The codec: length prefixes, sentence encoding and an incremental
 *      parser fed arbitrary byte chunks. Pure: no I/O, no clock, no globals.
 *   2. The connection: TCP or TLS (OpenSSL), login (RouterOS >= 6.43 and the
 *      older challenge-response), commands and their replies. One state
 *      machine drives it; use it blocking (ros_connect, ros_command) or from
 *      an event loop (ros_start_connect, ros_start_command, ros_step).
 *   3. Helpers for what traffic accounting needs: interface counters,
 *      simple queues, kid-control devices and DHCP leases, router uptime,
 *      strict number parsing.
 *
 * Errors: functions return ROS_OK (0) or a negative enum ros_status. A
 * connection keeps a human-readable detail string (ros_errstr) that never
 * contains the password. The library never prints and never exits.
 *
 * Thread safety: no global state; a handle may be used by one thread at a
 * time. OpenSSL >= 1.1 initialises itself.
 */
#ifndef ROUTEROS_H
#define ROUTEROS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Status codes                                                        */
/* ------------------------------------------------------------------ */

enum ros_status {
	ROS_OK = 0,
	ROS_AGAIN = 1,                 /* non-blocking: not finished, call ros_step again */
	ROS_CANCELLED = 2,             /* the command ended because the caller cancelled it */
	ROS_ERR_NOMEM = -1,            /* out of memory */
	ROS_ERR_ARG = -2,              /* invalid argument or option */
	ROS_ERR_STATE = -3,            /* call not valid in the connection's state */
	ROS_ERR_RESOLVE = -4,          /* host name could not be resolved */
	ROS_ERR_REFUSED = -5,          /* connection refused or host unreachable */
	ROS_ERR_TIMEOUT = -6,          /* a deadline passed (connect, TLS, login, reply) */
	ROS_ERR_IO = -7,               /* socket error */
	ROS_ERR_CLOSED = -8,           /* the router closed the connection */
	ROS_ERR_TLS = -9,              /* TLS handshake or record failure */
	ROS_ERR_TLS_VERIFY = -10,      /* certificate not trusted or wrong host name */
	ROS_ERR_TLS_FINGERPRINT = -11, /* certificate does not match the pinned fingerprint */
	ROS_ERR_AUTH = -12,            /* wrong user name or password */
	ROS_ERR_POLICY = -13,          /* user lacks the 'api' policy */
	ROS_ERR_PROTOCOL = -14,        /* malformed or unexpected data from the router */
	ROS_ERR_FATAL = -15,           /* the router sent !fatal (reason in ros_errstr) */
	ROS_ERR_TRAP = -16,            /* the command was answered with !trap */
	ROS_ERR_TOO_BIG = -17,         /* a word exceeded the size cap */
	ROS_ERR_REPLY_TOO_LARGE = -18, /* a reply exceeded the connection's reply limits */
	ROS_ERR_PORT_TLS = -19,        /* plain API asked, the port speaks TLS (api-ssl) */
	ROS_ERR_PORT_PLAIN = -20,      /* TLS asked, the port speaks the plain API */
};

/* Short stable name of a status, e.g. "timeout". Never NULL. */
const char *ros_status_name(int status);

/* ------------------------------------------------------------------ */
/* Codec                                                               */
/* ------------------------------------------------------------------ */

#define ROS_DEFAULT_MAX_WORD     (1024u * 1024u) /* 1 MiB */
#define ROS_DEFAULT_MAX_SENTENCE (16u * 1024u * 1024u)

/* Encodes the length prefix of a word of 'len' bytes into out (1 to 5
 * bytes, big-endian as the API specifies). Returns the number of bytes. */
size_t ros_length_encode(uint32_t len, unsigned char out[5]);

/* Decodes a length prefix from buf[0..avail). Returns the prefix size
 * (1..5) and stores the length, 0 if more bytes are needed, or
 * ROS_ERR_PROTOCOL for a reserved control byte (first byte F1..FF). */
int ros_length_decode(const unsigned char *buf, size_t avail, uint32_t *len);

/* A growable byte buffer. Zero-initialise it; release with ros_buf_free. */
struct ros_buf {
	unsigned char *data;
	size_t len;
	size_t cap;
};
void ros_buf_free(struct ros_buf *b);

/* Appends one encoded word (prefix + bytes). */
int ros_buf_add_word(struct ros_buf *b, const void *word, size_t len);

/* Appends a whole sentence: n words given as NUL-terminated strings, then
 * the terminating zero-length word. */
int ros_buf_add_sentence(struct ros_buf *b, const char *const *words, size_t n);

/* A word as it came off the wire: bytes, not necessarily NUL-free or UTF-8.
 * 'data' is always followed by a NUL byte (not counted in len) for
 * convenience with ASCII words. */
struct ros_word {
	const char *data;
	size_t len;
};

/* Kinds of reply sentences. */
enum ros_reply_type {
	ROS_REPLY_RE = 1, /* !re: one item */
	ROS_REPLY_DONE,   /* !done: end of a command's reply */
	ROS_REPLY_TRAP,   /* !trap: error (=message=, =category=); !done follows */
	ROS_REPLY_FATAL,  /* !fatal REASON: the router closes the connection */
	ROS_REPLY_EMPTY,  /* !empty: RouterOS 7.18+, nothing to return; !done follows */
};

/* A parsed sentence. Owns its words. Opaque; use the accessors. */
typedef struct ros_sentence ros_sentence;

void ros_sentence_free(ros_sentence *s);
/* The reply kind (sentences from ros_parser are always classified). */
enum ros_reply_type ros_sentence_type(const ros_sentence *s);
/* "re", "done", "trap", "fatal", "empty". */
const char *ros_reply_type_name(enum ros_reply_type t);
/* All words including the first ("!re") and the tag word. */
size_t ros_sentence_word_count(const ros_sentence *s);
/* Word i (0 <= i < count); borrowed until ros_sentence_free. */
struct ros_word ros_sentence_word(const ros_sentence *s, size_t i);
/* The value of the .tag API attribute, or NULL (len 0) if untagged. */
const char *ros_sentence_tag(const ros_sentence *s, size_t *len);
/* Number of =key=value attribute words. */
size_t ros_sentence_attr_count(const ros_sentence *s);
/* Attribute i: key and value, borrowed. Keys are compared as bytes. */
void ros_sentence_attr_at(const ros_sentence *s, size_t i, struct ros_word *key,
                          struct ros_word *value);
/* The first attribute named 'key' (e.g. "rx-byte", "message"). Returns its
 * value (NUL-terminated, borrowed) and stores its length, or NULL when the
 * sentence has no such attribute. An attribute may be present and empty. */
const char *ros_sentence_get(const ros_sentence *s, const char *key, size_t *len);
/* The reason word of a !fatal sentence (empty string if none), else NULL. */
const char *ros_sentence_fatal_reason(const ros_sentence *s, size_t *len);

/* Incremental parser for reply sentences. */
typedef struct ros_parser ros_parser;

/* Creates a parser. max_word caps one word (0 = ROS_DEFAULT_MAX_WORD),
 * max_sentence caps a whole sentence (0 = ROS_DEFAULT_MAX_SENTENCE). Caps
 * are enforced from the length prefix, before allocating. NULL on OOM. */
ros_parser *ros_parser_new(size_t max_word, size_t max_sentence);
void ros_parser_free(ros_parser *p);

/* Feeds bytes. Stops at the end of a complete non-empty sentence, so a
 * caller can take it before feeding more. Returns the number of bytes
 * consumed (<= len) or a negative status: ROS_ERR_PROTOCOL (control byte,
 * unknown reply word, a sentence without a reply word), ROS_ERR_TOO_BIG,
 * ROS_ERR_NOMEM. After an error the parser is unusable. */
long ros_parser_feed(ros_parser *p, const void *data, size_t len);

/* Takes the completed sentence, if any: returns it (caller owns it) or
 * NULL when no sentence is complete yet. Empty sentences are skipped. */
ros_sentence *ros_parser_take(ros_parser *p);

/* Describes the last parser error (static text plus the offending byte or
 * word, escaped). Borrowed until the next call on the parser. */
const char *ros_parser_error(const ros_parser *p);

/* ------------------------------------------------------------------ */
/* Replies                                                             */
/* ------------------------------------------------------------------ */

/* All sentences answering one command, in order, ending with !done (or a
 * !fatal). Owned by the caller of the function that returned it. */
typedef struct ros_reply ros_reply;

/* An empty reply, for callers that run their own parser (and tests). */
ros_reply *ros_reply_new(void);
/* Appends s (the reply takes ownership; on ROS_ERR_NOMEM s is freed). */
int ros_reply_add(ros_reply *r, ros_sentence *s);
void ros_reply_free(ros_reply *r);
size_t ros_reply_count(const ros_reply *r);
/* Sentence i, borrowed until ros_reply_free. */
const ros_sentence *ros_reply_sentence(const ros_reply *r, size_t i);
/* The first !trap sentence, or NULL. */
const ros_sentence *ros_reply_trap(const ros_reply *r);
/* Number of !re sentences. */
size_t ros_reply_rows(const ros_reply *r);

/* ------------------------------------------------------------------ */
/* Connection                                                          */
/* ------------------------------------------------------------------ */

enum ros_tls_mode {
	ROS_TLS_OFF = 0, /* plain TCP; the password crosses the wire in clear */
	ROS_TLS_VERIFY,  /* verify the certificate chain (CA file or system store) and host name */
	ROS_TLS_FINGERPRINT, /* accept exactly the certificate with this SHA-256 fingerprint */
	ROS_TLS_ANONYMOUS, /* anonymous DH (api-ssl without certificate): encrypts, does not authenticate */
};

/* Options for a connection. Strings are copied by ros_conn_new. */
struct ros_options {
	const char *host; /* name or address (IPv4, IPv6) */
	uint16_t port;    /* 0: 8728, or 8729 when tls != OFF */
	enum ros_tls_mode tls;
	const char *ca_file; /* ROS_TLS_VERIFY: PEM bundle; NULL = system store */
	const char
	        *fingerprint; /* ROS_TLS_FINGERPRINT: "sha256:AB:CD:..." (colons, case ignored) */
	const char *user;
	const char *password; /* wiped from memory by ros_conn_free */
	int timeout_ms;       /* connect, TLS, login, and each reply; 0 = 10000 */
	size_t max_word;      /* 0 = ROS_DEFAULT_MAX_WORD */
};

/* Default bounds of one command's reply (see ros_set_reply_limits).
 * Measured: a RouterOS 7 /interface/print of 5,000 interfaces with all 30
 * properties is 5,001 sentences, 3.1 MB on the wire and 10.3 MiB held
 * here (2.1 KiB a row); with a .proplist, as tikstatd reads, a third of
 * that. The defaults leave a 3x margin on that and 20x on the sentence
 * count, for routers with thousands of interfaces and queues. */
#define ROS_DEFAULT_MAX_REPLY_SENTENCES 100000u
#define ROS_DEFAULT_MAX_REPLY_BYTES     (32u * 1024u * 1024u) /* 32 MiB */
/* The overall deadline of a command (and of connect + TLS + login) when
 * none is set: 4 x timeout_ms, but at least this. */
#define ROS_MIN_COMMAND_DEADLINE_MS 30000

typedef struct ros_conn ros_conn;

/* Creates an unconnected handle from opt (validated: host and user must be
 * set, the fingerprint must be 32 hex bytes). Returns NULL and stores a
 * status in *status (may be NULL) on error. */
ros_conn *ros_conn_new(const struct ros_options *opt, int *status);

/* Sends /quit if logged in (best effort, without waiting long), closes the
 * socket, wipes the password and frees. NULL-safe. */
void ros_conn_free(ros_conn *c);

/* Closes the connection (as ros_conn_free, but keeps the handle so it can
 * connect again). */
void ros_close(ros_conn *c);

/* Bounds what one command's reply may hold: at most max_sentences
 * sentences and max_bytes bytes (the memory the parsed sentences take)
 * received and not yet released with ros_pending_discard. 0 selects the
 * default (ROS_DEFAULT_MAX_REPLY_*), SIZE_MAX means no limit. A reply
 * beyond either fails with ROS_ERR_REPLY_TOO_LARGE (ros_errstr names the
 * limit), and the connection is closed: a reply cannot be resynchronised.
 * Takes effect from the next sentence. Memory is bounded by max_bytes plus
 * the sentence being parsed (ROS_DEFAULT_MAX_SENTENCE at most). */
void ros_set_reply_limits(ros_conn *c, size_t max_sentences, size_t max_bytes);

/* Sets the overall deadline of each command's reply and of the connect
 * sequence (TCP, TLS, login together), besides timeout_ms, which bounds
 * only silence: a reply still incomplete deadline_ms after the command
 * started fails with ROS_ERR_TIMEOUT ("reply not complete after N s"), so
 * a router dribbling an endless reply cannot hold a connection forever.
 * 0 selects the default, max(4 x timeout_ms, ROS_MIN_COMMAND_DEADLINE_MS);
 * a negative value disables it (streaming commands read until cancelled).
 * Applies to operations started afterwards. */
void ros_set_command_deadline(ros_conn *c, int deadline_ms);

/* The detail of the last error, e.g. "login failed: invalid user name or
 * password (6)". Never contains the password. Borrowed until the next call. */
const char *ros_errstr(const ros_conn *c);

/* The SHA-256 fingerprint of the router's certificate after a TLS
 * handshake ("sha256:AB:CD:..."), or NULL. Also set when pinning failed,
 * so users can see what the router presented. */
const char *ros_peer_fingerprint(const ros_conn *c);

/* The router certificate's subject and validity after a TLS handshake
 * that saw one ("subject /CN=router, valid from Dec  6 15:00:00 2026 GMT
 * until ..."), also when the pin did not match; NULL otherwise. Borrowed
 * until the next connect or ros_conn_free. */
const char *ros_peer_certificate(const ros_conn *c);

/* The negotiated TLS cipher name after a handshake, or NULL. */
const char *ros_tls_cipher(const ros_conn *c);

/* --- blocking use --- */

/* Connects, performs the TLS handshake if configured and logs in, each
 * step bounded by timeout_ms. */
int ros_connect(ros_conn *c);

/* Sends one command (words[0] is the command, the rest attributes, API
 * attributes and queries, all as NUL-terminated strings) and waits for its
 * complete reply. On ROS_OK, ROS_ERR_TRAP or ROS_ERR_FATAL, *reply
 * receives the reply (caller frees; NULL otherwise); on a trap, ros_errstr
 * holds the router's message and the connection stays usable. On any other
 * error, and after !fatal, the connection is closed. */
int ros_command(ros_conn *c, const char *const *words, size_t n, ros_reply **reply);

/* --- non-blocking use (event loops) --- */

/* Event interest, as returned by ros_events. */
#define ROS_WANT_READ  1
#define ROS_WANT_WRITE 2

/* Starts connecting; now_ms is the caller's monotonic clock in ms. The
 * name is resolved synchronously (pass an address to avoid blocking).
 * Returns ROS_AGAIN (continue with ros_step) or an error. */
int ros_start_connect(ros_conn *c, int64_t now_ms);

/* Queues a command on a logged-in, idle connection. Returns ROS_AGAIN. */
int ros_start_command(ros_conn *c, const char *const *words, size_t n, int64_t now_ms);

/* Advances the pending operation (connect + TLS + login, or a command):
 * call it when the fd is ready as ros_events says, when the deadline has
 * passed, or at once when ros_input_pending says so. Each call reads and
 * parses a bounded amount (at most ROS_STEP_READ_BUDGET bytes), so one
 * flooding connection cannot starve the caller's event loop. Returns ROS_AGAIN while in progress, ROS_OK when the
 * operation completed (for a command: ros_take_reply has the reply),
 * ROS_ERR_TRAP when a command was answered with !trap (reply available,
 * connection usable), or another error (connection closed). */
int ros_step(ros_conn *c, int64_t now_ms);

/* Bytes one ros_step call reads at most. */
#define ROS_STEP_READ_BUDGET (64u * 1024u)

/* 1 when the last ros_step stopped because of its read budget: more input
 * may be waiting in the socket or inside TLS, where poll/epoll cannot see
 * it. Call ros_step again without waiting for the fd. */
int ros_input_pending(const ros_conn *c);

/* The socket, or -1 when closed. */
int ros_fd(const ros_conn *c);
/* ROS_WANT_READ and/or ROS_WANT_WRITE for the pending operation, 0 if idle. */
int ros_events(const ros_conn *c);
/* Absolute monotonic ms at which the pending operation times out (the
 * earlier of the silence timeout and the overall deadline), or -1. */
int64_t ros_deadline(const ros_conn *c);
/* 1 when logged in and no operation is pending. */
int ros_is_ready(const ros_conn *c);
/* The reply of the completed command (caller owns it), or NULL. */
ros_reply *ros_take_reply(ros_conn *c);

/* The reply still being received for the pending command (borrowed, valid
 * until the next ros_step or ros_take_reply), or NULL. Streaming commands
 * such as /interface/monitor-traffic without =once= never finish: read
 * their sentences from here as they arrive. */
const ros_reply *ros_pending_reply(const ros_conn *c);

/* Frees the sentences of the pending reply received so far (for a caller
 * that has consumed them, e.g. printed a streaming command's rows), so
 * they no longer count against the reply limits: a stream read this way
 * runs in bounded memory. No-op without a pending command. */
void ros_pending_discard(ros_conn *c);

/* Cancels the pending untagged command (the one of ros_start_command or
 * ros_command): sends "/cancel" carrying an internal .tag, so its own
 * !done is not mixed into the reply. RouterOS interrupts EVERY command of
 * the session on a /cancel without =tag=, tagged ones too (they end as
 * ROS_CANCELLED if cancelled here, else with their !trap): cancel tagged
 * commands with ros_cancel instead. The interruption (!trap category 2,
 * then !done) ends the command: ros_step returns ROS_CANCELLED, the
 * interruption's !trap is dropped and ros_take_reply holds the rows
 * received and the !done. ROS_ERR_STATE without a pending command. */
int ros_cancel_pending(ros_conn *c, int64_t now_ms);

/* --- several commands at once: tagged commands ---
 *
 * Any number of tagged commands (up to ROS_MAX_COMMANDS, counting the
 * library's own /cancel commands) run on one logged-in session, next to at
 * most one untagged command of ros_start_command. The library appends
 * ".tag=N" (N a decimal number it never reuses on the connection) and
 * routes each reply sentence by its tag to that command's queue, with the
 * tag word removed: callers see the sentences as an untagged command's.
 * Untagged reply sentences belong to the untagged command; one arriving
 * while none is pending, or a sentence whose tag names no open command
 * (never issued, or already finished), is a protocol error that closes the
 * connection: the stream cannot be trusted any more.
 *
 * Ownership: the connection owns each ros_cmd from ros_cmd_start until
 * the caller gives it back with ros_cmd_release (also after it ended,
 * also after the connection failed or was closed; every handle dies with
 * ros_conn_free). Sentences taken with ros_cmd_take belong to the caller.
 *
 * Lifetime: a command is open (ros_cmd_status == ROS_AGAIN) until its
 * !done: then ROS_OK, ROS_ERR_TRAP (its !trap is queued before the
 * !done), or ROS_CANCELLED after ros_cancel (the interruption's !trap is
 * dropped, the !done queued). When the connection fails or is closed,
 * every open command ends with the connection's status (ROS_ERR_TIMEOUT,
 * ROS_ERR_CLOSED, ROS_ERR_FATAL, ROS_ERR_PROTOCOL ...; ros_errstr says
 * why); what it had queued can still be taken.
 *
 * Streams (/interface/monitor-traffic without =once=, /listen ...) are
 * commands that never end by themselves: their !re sentences are queued
 * as they arrive. The reply limits (ros_set_reply_limits) bound each
 * command's queue, i.e. the sentences received and not yet taken, never
 * the total of a stream: a caller that takes what arrives runs for hours
 * in bounded memory; one that does not hits ROS_ERR_REPLY_TOO_LARGE.
 * The command deadline (ros_set_command_deadline) does not apply to
 * tagged commands; opt.deadline_ms gives one per command. Silence: while
 * an open command has a silence timeout (opt.silence_ms, default
 * timeout_ms), the connection fails with ROS_ERR_TIMEOUT when nothing at
 * all arrived for that long since the later of the command's start and
 * the last bytes received: a 1-per-second monitor keeps it alive, a dead
 * link is noticed. A command that may be legitimately silent for long
 * (/listen) takes silence_ms < 0; the caller then keeps the session
 * checked itself (e.g. a periodic print), as tikstatd's poll does.
 *
 * Driving: ros_step advances everything (the untagged command, if any,
 * and all tagged ones). With no untagged command pending, it returns
 * ROS_AGAIN while a tagged command is open and ROS_OK once none is;
 * ros_events asks for READ while anything is open; ros_deadline includes
 * the tagged commands' timeouts. ros_is_ready stays 1 while only tagged
 * commands are open (an untagged command may be started). */
#define ROS_MAX_COMMANDS 64

typedef struct ros_cmd ros_cmd;

/* Per-command options; a zeroed struct (or NULL) gives the defaults. */
struct ros_cmd_options {
	int silence_ms;  /* 0 = the connection's timeout_ms, < 0 = none */
	int deadline_ms; /* overall, from the start; 0 or < 0 = none */
};

/* Starts a tagged command (words as for ros_start_command, without a
 * .tag word: ROS_ERR_ARG) on a logged-in connection. Stores the handle
 * in *out and returns ROS_AGAIN; ROS_ERR_STATE when not logged in,
 * ROS_ERR_ARG when ROS_MAX_COMMANDS are open (or unreleased), or
 * ROS_ERR_NOMEM. Nothing is sent before the next ros_step. */
int ros_cmd_start(ros_conn *c, const char *const *words, size_t n,
                  const struct ros_cmd_options *opt, int64_t now_ms, ros_cmd **out);

/* The next sentence delivered to cmd, in arrival order (caller frees it
 * with ros_sentence_free), or NULL when none is waiting. */
ros_sentence *ros_cmd_take(ros_cmd *cmd);

/* ROS_AGAIN while cmd is open, else how it ended (see above). */
int ros_cmd_status(const ros_cmd *cmd);

/* The .tag value the library gave cmd (for logs), NUL-terminated. */
const char *ros_cmd_tag(const ros_cmd *cmd);

/* Asks the router to interrupt cmd (queues "/cancel =tag=N", itself a
 * tagged command whose answer the library consumes). The command stays
 * open until the router's interruption arrives, then ends ROS_CANCELLED;
 * if its !done was already under way it ends as it would have. ROS_OK,
 * also for a command already ended or already cancelled; ROS_ERR_STATE
 * when the connection is closed, ROS_ERR_ARG when the /cancel would
 * exceed ROS_MAX_COMMANDS, ROS_ERR_NOMEM. */
int ros_cancel(ros_conn *c, ros_cmd *cmd, int64_t now_ms);

/* Gives cmd back (its queued sentences are freed). An open command is
 * cancelled first and its slot is reclaimed when the router confirms, so
 * that late sentences are not taken for a hostile router's. NULL-safe. */
void ros_cmd_release(ros_conn *c, ros_cmd *cmd);

/* Number of open commands, tagged (the library's /cancel ones too) and
 * untagged. */
size_t ros_open_commands(const ros_conn *c);

/* Blocking: waits up to timeout_ms (< 0: until the connection's deadline)
 * for the socket, then advances the connection once (ros_step). Returns
 * ROS_OK (look at your commands; also after a signal interrupted the
 * wait), ROS_ERR_STATE when nothing is open, or the connection's error. */
int ros_wait(ros_conn *c, int timeout_ms);

/* Monotonic clock in ms (CLOCK_MONOTONIC), for callers without one. */
int64_t ros_now_ms(void);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Parses a decimal unsigned 64-bit number: digits only, no sign, no
 * blanks, no overflow. Returns 0 or ROS_ERR_ARG. */
int ros_parse_u64(const char *s, size_t len, uint64_t *out);

/* The largest uptime accepted: 100 years (of 365.25 days) in seconds. */
#define ROS_UPTIME_MAX UINT64_C(3155760000)

/* Parses a RouterOS duration: "1w4d1h16m55s", "42m53s", "7w3s" (units w d
 * h m s, any zero unit left out, also "0s" and ms fractions ignored), or
 * the old "6w6d18:33:07" / "01:22:53" forms. As RouterOS prints them, only
 * the first unit is unbounded: after it days are < 7, hours < 24, minutes
 * and seconds < 60, milliseconds < 1000, and the clock form's hours < 24.
 * Returns 0, or ROS_ERR_ARG when malformed or above ROS_UPTIME_MAX. */
int ros_parse_uptime(const char *s, size_t len, uint64_t *seconds);

/* Computes the pre-6.43 login response for a challenge given as hex (the
 * =ret= value): "00" followed by the lowercase hex MD5 of a zero byte, the
 * password and the decoded challenge. out receives 34 characters and a
 * NUL. Returns 0, or ROS_ERR_PROTOCOL when the challenge is not valid hex. */
int ros_login_response(const char *password, const char *challenge_hex, size_t hex_len,
                       char out[35]);

/* Counters of one interface as /interface/print reports them. */
struct ros_iface_counters {
	char *id;   /* ".id", e.g. "*1" */
	char *name; /* raw bytes, NUL-terminated (names have no NUL) */
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	int running;  /* 1, 0, or -1 if not reported */
	int disabled; /* 1, 0, or -1 if not reported */
};

/* Builds the words of one /interface/print that reads the counters of the
 * named interfaces (a ?name= query per name joined with ?#|, and a
 * .proplist). words must hold ros_counters_words_needed(n) entries; the
 * strings are allocated into *storage (free it with free()). Returns the
 * number of words, or a negative status. n == 0 reads every interface. */
size_t ros_counters_words_needed(size_t n);
int ros_counters_words(const char *const *names, size_t n, const char **words, char **storage);

/* Parses a reply of that command into an array of n entries (caller frees
 * with ros_counters_free). A row missing .id, name, rx-byte or tx-byte, or
 * with a malformed number, is ROS_ERR_PROTOCOL. */
int ros_counters_parse(const ros_reply *r, struct ros_iface_counters **out, size_t *n);
void ros_counters_free(struct ros_iface_counters *v, size_t n);

/* An index of v's n rows by name, for ros_counters_find: pointers into v,
 * sorted by name (equal names in reply order). NULL when out of memory.
 * The caller frees the array (not the rows) with free(); it is valid while
 * v is. O(n log n), so that looking up each of n names is not O(n^2). */
const struct ros_iface_counters **ros_counters_index(const struct ros_iface_counters *v, size_t n);
/* The first row (in reply order) named name in an index of n rows, or
 * NULL. O(log n). */
const struct ros_iface_counters *ros_counters_find(const struct ros_iface_counters *const *index,
                                                   size_t n, const char *name);

/* Blocking: reads counters of the named interfaces in one command. */
int ros_read_counters(ros_conn *c, const char *const *names, size_t n,
                      struct ros_iface_counters **out, size_t *nout);

/* --- simple queues, kid-control devices, DHCP leases --- *
 *
 * Their row parsers follow ros_counters_parse: rows are !re sentences
 * (other sentences are skipped), strings are raw bytes copied
 * NUL-terminated (a value holding a NUL byte is malformed), and a row
 * missing a required property or holding a malformed one makes the whole
 * reply ROS_ERR_PROTOCOL (nothing is returned). They also take err
 * (errsz bytes, may be NULL), which then receives one line naming the row
 * (its number among the rows, .id and name, escaped) and the property,
 * e.g. 'simple queue 3 (.id *5, name "guest"): bytes "12/x" is not
 * UPLOAD/DOWNLOAD'. ROS_ERR_NOMEM when out of memory. The blocking
 * helpers (ros_read_queues ...) put that line in ros_errstr; a router
 * without the menu answers !trap: ROS_ERR_TRAP, the router's message in
 * ros_errstr. Each index is made and searched as ros_counters_index and
 * ros_counters_find: O(n log n) once, O(log n) a look-up, the first row in
 * reply order among equal keys, freed with free(). */

/* A room for err that holds every message the row parsers write. */
#define ROS_ROW_ERR_SIZE 512

/* Parses a MAC address: six pairs of hex digits (either case) separated
 * by ':' or by '-' (the same throughout). out receives the form RouterOS
 * prints, upper case with colons ("AA:BB:CC:0D:EE:FF") and a NUL. Returns
 * 0, or ROS_ERR_ARG (out untouched). */
int ros_parse_mac(const char *s, size_t len, char out[18]);

/* Counters of one simple queue as /queue/simple/print reports them. Its
 * bytes property is "UPLOAD/DOWNLOAD", two cumulative counters seen from
 * the target (the LAN side): upload is the traffic the target sends (the
 * LAN device's tx, the router's rx from it), download what it receives.
 * Fast-tracked connections bypass queues and are counted by neither. */
struct ros_queue_counters {
	char *id;            /* ".id", e.g. "*1A" */
	char *name;          /* raw bytes */
	char *target;        /* "192.168.88.10/32", a list with commas, or "" */
	char *comment;       /* "" when none */
	uint64_t up_bytes;   /* upload: from the target */
	uint64_t down_bytes; /* download: to the target */
	int disabled;        /* 1, 0, or -1 if not reported */
};

/* Builds the words of one /queue/simple/print reading the named queues (a
 * ?name= query per name joined with ?#|; n == 0 reads every queue) with
 * a .proplist of .id,name,target,comment,disabled,bytes, as
 * ros_counters_words does: words must hold ros_queues_words_needed(n)
 * entries, *storage receives the strings (free it with free()). Returns
 * the number of words, or ROS_ERR_NOMEM. */
size_t ros_queues_words_needed(size_t n);
int ros_queues_words(const char *const *names, size_t n, const char **words, char **storage);
/* Parses a reply of that command into n rows (caller frees with
 * ros_queues_free). Required: .id, name, and bytes as two decimal
 * numbers around one '/'; target, comment and disabled are optional. */
int ros_queues_parse(const ros_reply *r, struct ros_queue_counters **out, size_t *n, char *err,
                     size_t errsz);
void ros_queues_free(struct ros_queue_counters *v, size_t n);
/* An index of v's n rows by name (NULL when out of memory). */
const struct ros_queue_counters **ros_queues_index(const struct ros_queue_counters *v, size_t n);
/* The first row named name in an index of n rows, or NULL. */
const struct ros_queue_counters *ros_queues_find(const struct ros_queue_counters *const *index,
                                                 size_t n, const char *name);
/* Blocking: reads the named queues (n == 0: all) in one command. */
int ros_read_queues(ros_conn *c, const char *const *names, size_t n,
                    struct ros_queue_counters **out, size_t *nout);

/* A device as RouterOS 7 tracks it in /ip/kid-control/device: its MAC
 * (learnt from ARP) identifies it across IP changes. bytes-up counts what
 * the device sends (its tx), bytes-down what it receives; both are
 * cumulative and reset on reboot or /ip/kid-control/device/reset-counters.
 * RouterOS 6 lists devices without these counters (ROS_ERR_PROTOCOL). */
struct ros_device_counters {
	char *id;   /* ".id" */
	char *mac;  /* normalised by ros_parse_mac: "AA:BB:CC:DD:EE:FF" */
	char *ip;   /* an IPv4 or IPv6 address, "" when none is known */
	char *name; /* raw bytes, "" when the router has none */
	char *user; /* the kid-control profile, "" when none */
	uint64_t up_bytes, down_bytes;
};

/* Words of /ip/kid-control/device/print with a .proplist of .id,
 * mac-address, ip-address, name, user, bytes-up, bytes-down (2 words). */
extern const char *const ros_devices_words[2];
/* Parses a reply of that command. Required: .id, mac-address (any form
 * ros_parse_mac takes), bytes-up, bytes-down; ip-address (absent or empty,
 * else a valid IPv4 or IPv6 address), name and user are optional. */
int ros_devices_parse(const ros_reply *r, struct ros_device_counters **out, size_t *n, char *err,
                      size_t errsz);
void ros_devices_free(struct ros_device_counters *v, size_t n);
/* An index of v's n rows by MAC (NULL when out of memory). */
const struct ros_device_counters **ros_devices_index(const struct ros_device_counters *v, size_t n);
/* The first row with MAC mac (any form ros_parse_mac takes) in an index
 * of n rows, or NULL (also for a malformed mac). */
const struct ros_device_counters *ros_devices_find(const struct ros_device_counters *const *index,
                                                   size_t n, const char *mac);
/* Blocking: reads every kid-control device. */
int ros_read_devices(ros_conn *c, struct ros_device_counters **out, size_t *nout);

/* A DHCP lease, for the names of devices. */
struct ros_lease {
	char *mac;       /* normalised by ros_parse_mac */
	char *address;   /* raw, "" when none */
	char *host_name; /* what the client sent, raw; "" when none */
	char *comment;   /* the administrator's, raw; "" when none */
};

/* Words of /ip/dhcp-server/lease/print with a .proplist of mac-address,
 * address, host-name, comment (2 words). */
extern const char *const ros_leases_words[2];
/* Parses a reply of that command. A lease without a mac-address, or with
 * an empty one, names no device and is left out; a malformed one is
 * ROS_ERR_PROTOCOL. address, host-name and comment are optional. */
int ros_leases_parse(const ros_reply *r, struct ros_lease **out, size_t *n, char *err,
                     size_t errsz);
void ros_leases_free(struct ros_lease *v, size_t n);
/* An index of v's n rows by MAC (NULL when out of memory). */
const struct ros_lease **ros_leases_index(const struct ros_lease *v, size_t n);
/* The first lease with MAC mac (any form ros_parse_mac takes) in an index
 * of n rows, or NULL. */
const struct ros_lease *ros_leases_find(const struct ros_lease *const *index, size_t n,
                                        const char *mac);
/* Blocking: reads every DHCP lease. */
int ros_read_leases(ros_conn *c, struct ros_lease **out, size_t *nout);

/* The name to show for device d: its kid-control name, else the
 * host-name, else the comment of a DHCP lease for its MAC (the first
 * lease, in reply order, that has one), else its MAC. leases is an index
 * of n rows from ros_leases_index (NULL with n == 0: no leases). Borrowed
 * from d or the leases; never NULL. O(log n), plus the leases of that
 * MAC. */
const char *ros_device_display_name(const struct ros_device_counters *d,
                                    const struct ros_lease *const *leases, size_t n);

/* Words of /system/resource/print restricted to uptime (2 words). */
extern const char *const ros_uptime_words[2];
/* Extracts the uptime from a reply of that command. */
int ros_uptime_parse(const ros_reply *r, uint64_t *seconds);
/* Blocking: reads the router's uptime in seconds. */
int ros_read_uptime(ros_conn *c, uint64_t *seconds);

#ifdef __cplusplus
}
#endif
#endif
