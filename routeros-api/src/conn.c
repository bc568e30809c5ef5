/*
 * conn.c — the connection state machine: connect, TLS, login, commands.
 *
 * Everything is non-blocking and driven by ros_step; the blocking API in
 * blocking.c is a poll() loop around it. One operation is pending at a
 * time: the connect sequence (TCP, TLS, login) or one untagged command;
 * besides it, once logged in, up to ROS_MAX_COMMANDS tagged commands
 * (cmd.c), whose sentences are routed here by their .tag word.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum phase {
	PH_CLOSED,
	PH_CONNECTING, /* TCP connect in progress */
	PH_TLS,        /* TLS handshake in progress */
	PH_LOGIN,      /* /login with name and password sent */
	PH_CHALLENGE,  /* pre-6.43 challenge response sent */
	PH_READY,      /* logged in, idle */
	PH_COMMAND,    /* a command is waiting for its reply */
};

struct ros_conn {
	char *host, *user, *password, *ca_file;
	uint16_t port;
	enum ros_tls_mode tls;
	unsigned char pin[32];
	int timeout_ms;
	size_t max_word;
	size_t max_reply_sentences; /* bounds of what one reply holds */
	size_t max_reply_bytes;
	int command_deadline_ms; /* 0 = derived from timeout_ms, < 0 = none */

	struct transport tr;
	enum phase phase;
	struct ros_buf out; /* bytes still to send */
	size_t out_off;
	ros_parser *parser;
	ros_reply *pending;                /* the reply being received */
	ros_reply *done;                   /* the completed reply, until taken */
	int64_t deadline;                  /* silence: restarts with every chunk received */
	int64_t op_deadline;               /* overall: the whole connect sequence or reply */
	int op_deadline_ms;                /* its length, for the message */
	size_t held_sentences, held_bytes; /* of c->pending, for the limits */
	bool input_pending;                /* the last step stopped at its read budget */
	bool heard;                        /* the router sent something since the login began */
	char *pending_tag;                 /* a .tag the caller gave the untagged command */
	size_t pending_taglen;
	bool cancel_untagged;            /* ros_cancel_pending asked to interrupt it */
	bool untagged_interrupted;       /* and the interruption's !trap arrived */
	int64_t heard_ms;                /* when bytes last arrived (tagged silence) */
	ros_cmd *cmds[ROS_MAX_COMMANDS]; /* tagged commands, open or not yet released */
	size_t ncmds;
	uint64_t next_tag;
	char fingerprint[7 + 32 * 3];
	char cipher[64];
	char certificate[400];
	char err[512];
};

int64_t ros_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_opt(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static int validate(const struct ros_options *opt)
{
	if (!opt || !opt->host || !opt->host[0] || !opt->user)
		return ROS_ERR_ARG;
	if (opt->tls > ROS_TLS_ANONYMOUS || opt->timeout_ms < 0)
		return ROS_ERR_ARG;
	unsigned char pin[32];
	if (opt->tls == ROS_TLS_FINGERPRINT &&
	    (!opt->fingerprint || fingerprint_parse(opt->fingerprint, pin) != ROS_OK))
		return ROS_ERR_ARG;
	return ROS_OK;
}

ros_conn *ros_conn_new(const struct ros_options *opt, int *status)
{
	int rc = validate(opt);
	ros_conn *c = rc ? NULL : calloc(1, sizeof *c);
	if (!rc && !c)
		rc = ROS_ERR_NOMEM;
	if (c) {
		bool oom = false;
		c->host = dup_opt(opt->host, &oom);
		c->user = dup_opt(opt->user, &oom);
		c->password = dup_opt(opt->password ? opt->password : "", &oom);
		c->ca_file = dup_opt(opt->ca_file, &oom);
		c->tls = opt->tls;
		c->port = opt->port ? opt->port : (opt->tls != ROS_TLS_OFF ? 8729 : 8728);
		c->timeout_ms = opt->timeout_ms ? opt->timeout_ms : 10000;
		c->max_word = opt->max_word;
		c->max_reply_sentences = ROS_DEFAULT_MAX_REPLY_SENTENCES;
		c->max_reply_bytes = ROS_DEFAULT_MAX_REPLY_BYTES;
		c->deadline = -1;
		c->op_deadline = -1;
		if (opt->tls == ROS_TLS_FINGERPRINT)
			fingerprint_parse(opt->fingerprint, c->pin);
		transport_init(&c->tr);
		if (oom) {
			ros_conn_free(c);
			c = NULL;
			rc = ROS_ERR_NOMEM;
		}
	}
	if (status)
		*status = rc;
	return c;
}

void ros_set_reply_limits(ros_conn *c, size_t max_sentences, size_t max_bytes)
{
	c->max_reply_sentences = max_sentences ? max_sentences : ROS_DEFAULT_MAX_REPLY_SENTENCES;
	c->max_reply_bytes = max_bytes ? max_bytes : ROS_DEFAULT_MAX_REPLY_BYTES;
}

void ros_set_command_deadline(ros_conn *c, int deadline_ms)
{
	c->command_deadline_ms = deadline_ms;
}

/* The overall deadline's length in ms, or -1 for none. */
static int64_t command_deadline(const ros_conn *c)
{
	if (c->command_deadline_ms < 0)
		return -1;
	if (c->command_deadline_ms > 0)
		return c->command_deadline_ms;
	int64_t d = (int64_t)c->timeout_ms * 4; /* timeout_ms is an int: no overflow */
	return d > ROS_MIN_COMMAND_DEADLINE_MS ? d : ROS_MIN_COMMAND_DEADLINE_MS;
}

/* Starts the overall deadline of an operation beginning at now. */
static void start_op_deadline(ros_conn *c, int64_t now)
{
	int64_t d = command_deadline(c);
	c->op_deadline = d < 0 ? -1 : now + d;
	c->op_deadline_ms = d < 0 ? 0 : (int)(d > INT32_MAX ? INT32_MAX : d);
}

/* Forgets the counts of the reply limits (a new or consumed reply). */
static void reset_held(ros_conn *c)
{
	c->held_sentences = 0;
	c->held_bytes = 0;
}

const char *ros_errstr(const ros_conn *c)
{
	return c->err;
}

void conn_set_error(ros_conn *c, const char *msg)
{
	snprintf(c->err, sizeof c->err, "%s", msg);
}

const char *ros_peer_certificate(const ros_conn *c)
{
	return c->certificate[0] ? c->certificate : NULL;
}

const char *ros_peer_fingerprint(const ros_conn *c)
{
	return c->fingerprint[0] ? c->fingerprint : NULL;
}

const char *ros_tls_cipher(const ros_conn *c)
{
	return c->cipher[0] ? c->cipher : NULL;
}

/* Formats "host:port" ("[v6]:port") for messages. */
static void endpoint(const ros_conn *c, char *out, size_t outsz)
{
	if (strchr(c->host, ':'))
		snprintf(out, outsz, "[%s]:%u", c->host, (unsigned)c->port);
	else
		snprintf(out, outsz, "%s:%u", c->host, (unsigned)c->port);
}

/* Removes slot i, keeping the order of the others. */
static void remove_slot(ros_conn *c, size_t i)
{
	cmd_free(c->cmds[i]);
	memmove(&c->cmds[i], &c->cmds[i + 1], (c->ncmds - i - 1) * sizeof c->cmds[0]);
	c->ncmds--;
}

/* Ends every open tagged command with status; the library's own and
 * released ones go at once, the caller's stay until released. */
static void end_commands(ros_conn *c, int status)
{
	for (size_t i = c->ncmds; i-- > 0;) {
		ros_cmd *cmd = c->cmds[i];
		if (cmd->status == ROS_AGAIN)
			cmd->status = status;
		if (cmd->internal || cmd->released)
			remove_slot(c, i);
	}
}

static void forget_pending_tag(ros_conn *c)
{
	free(c->pending_tag);
	c->pending_tag = NULL;
	c->pending_taglen = 0;
}

/* Remembers a .tag word the caller put into the untagged command, whose
 * reply then carries it: those sentences are the command's, not a
 * stranger's. ROS_ERR_NOMEM or ROS_OK. */
static int note_pending_tag(ros_conn *c, const char *const *words, size_t n)
{
	forget_pending_tag(c);
	for (size_t i = 1; i < n; i++) {
		if (!words[i] || strncmp(words[i], ".tag=", 5) != 0)
			continue;
		c->pending_tag = strdup(words[i] + 5);
		if (!c->pending_tag)
			return ROS_ERR_NOMEM;
		c->pending_taglen = strlen(c->pending_tag);
		return ROS_OK;
	}
	return ROS_OK;
}

/* 1 when tag (len bytes) is the caller's tag of the pending untagged command. */
static bool is_pending_tag(const ros_conn *c, const char *tag, size_t len)
{
	return c->phase == PH_COMMAND && c->pending_tag && c->pending_taglen == len &&
	       memcmp(c->pending_tag, tag, len) == 0;
}

/* Tagged commands still open (the library's /cancel ones included). */
static size_t open_tagged(const ros_conn *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->ncmds; i++)
		n += c->cmds[i]->status == ROS_AGAIN;
	return n;
}

/* Drops the socket and all per-session state (open tagged commands end
 * with status); the options stay. */
static void teardown(ros_conn *c, bool graceful, int status)
{
	transport_close(&c->tr, graceful);
	buf_wipe(&c->out);
	c->out_off = 0;
	ros_parser_free(c->parser);
	c->parser = NULL;
	ros_reply_free(c->pending);
	c->pending = NULL;
	c->phase = PH_CLOSED;
	c->deadline = -1;
	c->op_deadline = -1;
	c->input_pending = false;
	c->cancel_untagged = false;
	c->untagged_interrupted = false;
	forget_pending_tag(c);
	reset_held(c);
	end_commands(c, status);
}

/* Records an error that ends the connection and returns status. */
static int fail(ros_conn *c, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(ros_conn *c, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	teardown(c, false, status);
	return status;
}

/* Appends the word prefix+value without building it in a temporary (the
 * value may be the password: it must only ever live in c->out). */
static int add_attr_word(struct ros_buf *b, const char *prefix, const char *value)
{
	size_t pl = strlen(prefix), vl = strlen(value);
	unsigned char lp[5];
	if (pl + vl > UINT32_MAX)
		return ROS_ERR_TOO_BIG;
	size_t n = ros_length_encode((uint32_t)(pl + vl), lp);
	if (buf_reserve(b, n + pl + vl))
		return ROS_ERR_NOMEM;
	buf_append(b, lp, n);
	buf_append(b, prefix, pl);
	buf_append(b, value, vl);
	return ROS_OK;
}

static int queue_login(ros_conn *c, const char *secret_prefix, const char *secret)
{
	unsigned char end = 0;
	int rc = ros_buf_add_word(&c->out, "/login", 6);
	if (!rc)
		rc = add_attr_word(&c->out, "=name=", c->user);
	if (!rc)
		rc = add_attr_word(&c->out, secret_prefix, secret);
	if (!rc)
		rc = buf_append(&c->out, &end, 1);
	return rc;
}

/* Enters the login phase: the modern form, which old routers answer with
 * a challenge in =ret=. */
static int start_login(ros_conn *c, int64_t now)
{
	c->parser = ros_parser_new(c->max_word, 0);
	if (!c->parser || queue_login(c, "=password=", c->password))
		return fail(c, ROS_ERR_NOMEM, "out of memory");
	c->phase = PH_LOGIN;
	c->heard = false;
	c->deadline = now + c->timeout_ms;
	c->tr.want = 0; /* a stale read interest must not hide queued output */
	return ROS_AGAIN;
}

int ros_start_connect(ros_conn *c, int64_t now_ms)
{
	if (c->phase != PH_CLOSED)
		return ROS_ERR_STATE;
	c->err[0] = '\0';
	c->fingerprint[0] = '\0';
	c->cipher[0] = '\0';
	c->certificate[0] = '\0';
	char ep[300], why[300] = "";
	endpoint(c, ep, sizeof ep);
	int rc = transport_connect_start(&c->tr, c->host, c->port, why, sizeof why);
	if (rc != ROS_AGAIN)
		return fail(c, rc, "%s: %s", ep, why);
	c->phase = PH_CONNECTING;
	c->deadline = now_ms + c->timeout_ms;
	start_op_deadline(c, now_ms);
	return ROS_AGAIN;
}

/* Sends as much of c->out as the socket takes; wipes it once sent. */
static int flush_out(ros_conn *c)
{
	while (c->out_off < c->out.len) {
		char why[300];
		long n = transport_write(&c->tr, c->out.data + c->out_off, c->out.len - c->out_off,
		                         why, sizeof why);
		if (n == TRANSPORT_AGAIN)
			return ROS_AGAIN;
		if (n < 0)
			return fail(c, (int)n, "send failed: %s", why);
		c->out_off += (size_t)n;
	}
	buf_wipe(&c->out);
	c->out_off = 0;
	return ROS_OK;
}

/* Message of a !trap for error strings, escaped. */
static void trap_message(const ros_sentence *s, char *out, size_t outsz)
{
	size_t len;
	const char *m = ros_sentence_get(s, "message", &len);
	if (!m) {
		snprintf(out, outsz, "(no message)");
		return;
	}
	escape_bytes(out, outsz, m, len, 200);
}

static int fatal_error(ros_conn *c, const ros_sentence *s, const char *during)
{
	size_t len;
	const char *r = ros_sentence_fatal_reason(s, &len);
	char reason[256];
	escape_bytes(reason, sizeof reason, r, len, 200);
	return fail(c, ROS_ERR_FATAL, "the router ended the session%s: %s", during, reason);
}

/* A login answer: logged in, a challenge, or a refusal. */
static int on_login_sentence(ros_conn *c, ros_sentence *s, int64_t now)
{
	enum ros_reply_type t = ros_sentence_type(s);
	int rc = ROS_AGAIN;
	char msg[256];
	if (t == ROS_REPLY_FATAL) {
		rc = fatal_error(c, s, " during login");
	} else if (t == ROS_REPLY_TRAP) {
		trap_message(s, msg, sizeof msg);
		if (strstr(msg, "not allowed"))
			rc = fail(c, ROS_ERR_POLICY,
			          "login refused: %s (the user's group lacks the 'api' policy)",
			          msg);
		else
			rc = fail(c, ROS_ERR_AUTH, "login failed: %s", msg);
	} else if (t != ROS_REPLY_DONE) {
		rc = fail(c, ROS_ERR_PROTOCOL, "protocol error: unexpected !%s during login",
		          ros_reply_type_name(t));
	} else {
		size_t len;
		const char *ret = ros_sentence_get(s, "ret", &len);
		if (ret && c->phase == PH_LOGIN) {
			char response[35];
			if (ros_login_response(c->password, ret, len, response) != ROS_OK)
				rc = fail(c, ROS_ERR_PROTOCOL,
				          "protocol error: login challenge is not hex");
			else if (queue_login(c, "=response=", response))
				rc = fail(c, ROS_ERR_NOMEM, "out of memory");
			else {
				c->tr.want = 0;
				c->phase = PH_CHALLENGE;
				c->deadline = now + c->timeout_ms;
			}
			explicit_bzero(response, sizeof response);
		} else {
			c->phase = PH_READY;
			c->deadline = -1;
			c->op_deadline = -1;
			c->heard_ms = now;
			rc = ROS_OK;
		}
	}
	ros_sentence_free(s);
	return rc;
}

/* Whether one more sentence costing cost bytes fits next to count
 * sentences holding held bytes: ROS_OK, or fails the connection (freeing
 * s) naming the limit; suffix ends the message. */
static int check_limits(ros_conn *c, ros_sentence *s, size_t count, size_t held, size_t cost,
                        const char *suffix)
{
	const char *what = NULL;
	size_t limit = 0;
	if (count >= c->max_reply_sentences) {
		what = "sentences";
		limit = c->max_reply_sentences;
	} else if (cost > c->max_reply_bytes || held > c->max_reply_bytes - cost) {
		what = "bytes";
		limit = c->max_reply_bytes;
	}
	if (!what)
		return ROS_OK;
	ros_sentence_free(s);
	char ep[300];
	endpoint(c, ep, sizeof ep);
	return fail(c, ROS_ERR_REPLY_TOO_LARGE, "%s: reply too large: more than %zu %s%s", ep,
	            limit, what, suffix);
}

/* Counts s against the reply limits; fails the connection (freeing s and
 * everything received) when it would exceed one. */
static int hold_sentence(ros_conn *c, ros_sentence *s)
{
	size_t bytes = cmd_sentence_cost(s); /* and its slot in the reply */
	int rc = check_limits(c, s, c->held_sentences, c->held_bytes, bytes, "");
	if (rc == ROS_OK) {
		c->held_sentences++;
		c->held_bytes += bytes;
	}
	return rc;
}

/* 1 for the !trap RouterOS ends an interrupted command with
 * (=category=2, "interrupted"). */
static bool is_interruption(const ros_sentence *s)
{
	size_t len;
	const char *cat = ros_sentence_get(s, "category", &len);
	return ros_sentence_type(s) == ROS_REPLY_TRAP && cat && len == 1 && cat[0] == '2';
}

/* A sentence of a command's reply: collect it until !done or !fatal. */
static int on_command_sentence(ros_conn *c, ros_sentence *s)
{
	enum ros_reply_type t = ros_sentence_type(s);
	if (c->cancel_untagged && is_interruption(s)) {
		c->untagged_interrupted = true; /* asked for: not an error */
		ros_sentence_free(s);
		return ROS_AGAIN;
	}
	int rc = hold_sentence(c, s);
	if (rc != ROS_OK)
		return rc;
	if (ros_reply_add(c->pending, s))
		return fail(c, ROS_ERR_NOMEM, "out of memory");
	if (t == ROS_REPLY_FATAL) {
		c->done = c->pending;
		c->pending = NULL;
		return fatal_error(c, s, "");
	}
	if (t != ROS_REPLY_DONE)
		return ROS_AGAIN;
	c->done = c->pending;
	c->pending = NULL;
	c->phase = PH_READY;
	c->deadline = -1;
	c->op_deadline = -1;
	reset_held(c);
	bool cancelled = c->untagged_interrupted;
	c->cancel_untagged = false;
	c->untagged_interrupted = false;
	if (cancelled)
		return ROS_CANCELLED;
	const ros_sentence *trap = ros_reply_trap(c->done);
	if (!trap)
		return ROS_OK;
	char msg[256];
	trap_message(trap, msg, sizeof msg);
	snprintf(c->err, sizeof c->err, "router error: %s", msg);
	return ROS_ERR_TRAP;
}

/* The open tagged command whose tag is tag (len bytes), or SIZE_MAX. */
static size_t find_open(const ros_conn *c, const char *tag, size_t len)
{
	for (size_t i = 0; i < c->ncmds; i++) {
		const ros_cmd *cmd = c->cmds[i];
		if (cmd->status == ROS_AGAIN && cmd->taglen == len &&
		    memcmp(cmd->tag, tag, len) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* Queues s for cmd within the reply limits (they bound what waits to be
 * taken, not a stream's total); fails the connection beyond them. */
static int queue_sentence(ros_conn *c, ros_cmd *cmd, ros_sentence *s)
{
	int rc = check_limits(c, s, cmd->count, cmd->held_bytes, cmd_sentence_cost(s),
	                      " not taken by the caller");
	if (rc != ROS_OK)
		return rc;
	if (cmd_push(cmd, s) != ROS_OK)
		return fail(c, ROS_ERR_NOMEM, "out of memory");
	return ROS_OK;
}

/* A sentence tagged for slot i: queue it (or drop it for the library's
 * own and released commands) and end the command on !done. */
static int on_tagged_sentence(ros_conn *c, size_t i, ros_sentence *s)
{
	ros_cmd *cmd = c->cmds[i];
	enum ros_reply_type t = ros_sentence_type(s);
	sentence_drop_tag(s);
	bool drop = cmd->internal || cmd->released;
	if (cmd->cancel_requested && is_interruption(s)) {
		cmd->interrupted = true;
		drop = true;
	}
	if (t == ROS_REPLY_TRAP && !drop)
		cmd->trapped = true;
	if (drop) {
		ros_sentence_free(s);
	} else {
		int rc = queue_sentence(c, cmd, s);
		if (rc != ROS_OK)
			return rc;
	}
	if (t != ROS_REPLY_DONE)
		return ROS_AGAIN;
	cmd->status = cmd->interrupted ? ROS_CANCELLED : cmd->trapped ? ROS_ERR_TRAP : ROS_OK;
	if (cmd->internal || cmd->released)
		remove_slot(c, i);
	return ROS_AGAIN;
}

/* Routes a reply sentence once logged in: by its tag to a tagged command,
 * untagged ones to the untagged command. Returns ROS_AGAIN, the untagged
 * command's end (ROS_OK, ROS_ERR_TRAP, ROS_CANCELLED) or an error. */
static int on_reply_sentence(ros_conn *c, ros_sentence *s)
{
	size_t len;
	const char *tag = ros_sentence_tag(s, &len);
	if (tag && ros_sentence_type(s) != ROS_REPLY_FATAL && !is_pending_tag(c, tag, len)) {
		size_t i = find_open(c, tag, len);
		if (i != SIZE_MAX)
			return on_tagged_sentence(c, i, s);
		char esc[80];
		escape_bytes(esc, sizeof esc, tag, len, 40);
		ros_sentence_free(s);
		return fail(c, ROS_ERR_PROTOCOL,
		            "protocol error: a reply tagged '%s', which no open command has", esc);
	}
	if (c->phase == PH_COMMAND)
		return on_command_sentence(c, s);
	if (ros_sentence_type(s) == ROS_REPLY_FATAL) {
		int rc = fatal_error(c, s, "");
		ros_sentence_free(s);
		return rc;
	}
	enum ros_reply_type t = ros_sentence_type(s);
	ros_sentence_free(s);
	return fail(c, ROS_ERR_PROTOCOL,
	            "protocol error: an untagged !%s while no untagged "
	            "command is pending",
	            ros_reply_type_name(t));
}

/* Reads what has arrived and feeds it to the parser, sentence by sentence,
 * up to ROS_STEP_READ_BUDGET bytes per call: a router that floods must not
 * keep the caller's loop (other routers, signals) waiting. */
static int read_in(ros_conn *c, int64_t now)
{
	unsigned char buf[16384];
	size_t budget = ROS_STEP_READ_BUDGET;
	int result = ROS_AGAIN; /* the untagged command's end, while tagged ones run */
	for (;;) {
		char why[300];
		if (result != ROS_AGAIN) {
			/* TLS may hold more, invisible to poll. */
			c->input_pending = transport_pending(&c->tr) > 0;
			return result;
		}
		if (budget == 0) {
			c->input_pending = true; /* maybe inside TLS, invisible to poll */
			return ROS_AGAIN;
		}
		long n = transport_read(&c->tr, buf, budget < sizeof buf ? budget : sizeof buf, why,
		                        sizeof why);
		if (n == TRANSPORT_AGAIN)
			return ROS_AGAIN;
		if (n < 0) {
			/* A TLS server drops a plain client silently (OpenSSL sends
			 * no alert for a record that is not TLS): say so. */
			if ((n == ROS_ERR_CLOSED || n == ROS_ERR_IO) && c->phase == PH_LOGIN &&
			    !c->heard)
				return fail(
				        c, (int)n,
				        "%s, no answer to the login: an api-ssl (TLS) port does "
				        "that to the plain API; else check the API service's "
				        "available-from",
				        why);
			if (n == ROS_ERR_CLOSED && !parser_idle(c->parser))
				return fail(c, ROS_ERR_CLOSED,
				            "the router closed the connection in the middle of a "
				            "reply");
			return fail(c, (int)n, "%s", why);
		}
		c->deadline = now + c->timeout_ms; /* the timeout is for silence */
		c->heard_ms = now;
		budget -= (size_t)n;
		/* A TLS alert or handshake record (0x15/0x16, version 3.x) where
		 * an API answer ("!done": length 5) belongs: an api-ssl port. */
		if (c->phase == PH_LOGIN && !c->heard && (buf[0] == 0x15 || buf[0] == 0x16) &&
		    (n < 2 || buf[1] == 0x03))
			return fail(c, ROS_ERR_PORT_TLS,
			            "this port speaks TLS (api-ssl), not the plain API");
		c->heard = true;
		size_t off = 0;
		while (off < (size_t)n) {
			long used = ros_parser_feed(c->parser, buf + off, (size_t)n - off);
			if (used < 0)
				return fail(c, (int)used, "protocol error: %s",
				            ros_parser_error(c->parser));
			off += (size_t)used;
			ros_sentence *s = ros_parser_take(c->parser);
			if (!s)
				continue;
			bool logged_in = c->phase == PH_COMMAND || c->phase == PH_READY;
			int rc = logged_in ? on_reply_sentence(c, s) : on_login_sentence(c, s, now);
			if (rc != ROS_AGAIN && c->phase == PH_READY && open_tagged(c) > 0) {
				/* The untagged command ended; the rest of the chunk is
				 * for tagged commands. Report the end now, read on later. */
				if (result == ROS_AGAIN)
					result = rc;
				continue;
			}
			if (rc != ROS_AGAIN) {
				if (off < (size_t)n && (rc == ROS_OK || rc == ROS_CANCELLED))
					return fail(
					        c, ROS_ERR_PROTOCOL,
					        "protocol error: data after the end of a reply");
				return rc;
			}
			if (c->out.len) { /* the challenge answer */
				int f = flush_out(c);
				if (f != ROS_OK)
					return f;
			}
		}
	}
}

/* Moves bytes in both directions for the login and command phases. */
static int pump(ros_conn *c, int64_t now)
{
	if (c->out.len) {
		int rc = flush_out(c);
		if (rc != ROS_OK)
			return rc;
	}
	return read_in(c, now);
}

static const char *phase_name(enum phase p)
{
	switch (p) {
	case PH_CONNECTING: return "connecting";
	case PH_TLS: return "the TLS handshake";
	case PH_LOGIN:
	case PH_CHALLENGE: return "login";
	default: return "a reply";
	}
}

static int step_tls(ros_conn *c, int64_t now);

/* Starts TLS after TCP, or goes straight to login. */
static int after_connect(ros_conn *c, int64_t now)
{
	if (c->tls == ROS_TLS_OFF)
		return start_login(c, now);
	struct tls_config cfg = {c->tls, c->host, c->ca_file, c->pin};
	char why[400];
	if (transport_tls_start(&c->tr, &cfg, why, sizeof why) != ROS_OK)
		return fail(c, ROS_ERR_TLS, "%s", why);
	c->phase = PH_TLS;
	c->deadline = now + c->timeout_ms;
	return step_tls(c, now); /* sends the ClientHello now */
}

static int step_tls(ros_conn *c, int64_t now)
{
	char why[400];
	int rc = transport_handshake(&c->tr, why, sizeof why);
	if (c->tr.tls) {
		const char *fp = tls_fingerprint(c->tr.tls);
		const char *ci = tls_cipher(c->tr.tls);
		const char *ce = tls_certificate(c->tr.tls);
		snprintf(c->certificate, sizeof c->certificate, "%s", ce ? ce : "");
		snprintf(c->fingerprint, sizeof c->fingerprint, "%s", fp ? fp : "");
		snprintf(c->cipher, sizeof c->cipher, "%s", ci ? ci : "");
	}
	if (rc == ROS_AGAIN)
		return rc;
	if (rc != ROS_OK)
		return fail(c, rc, "%s", why);
	return start_login(c, now);
}

/* Advances the pending operation by whatever the socket allows now. */
static int advance(ros_conn *c, int64_t now_ms, const char *ep)
{
	switch (c->phase) {
	case PH_CONNECTING: {
		char why[300];
		int rc = transport_connect_step(&c->tr, why, sizeof why);
		if (rc == ROS_OK)
			return after_connect(c, now_ms);
		if (rc != ROS_AGAIN)
			return fail(c, rc, "%s: %s", ep, why);
		return rc;
	}
	case PH_TLS: return step_tls(c, now_ms);
	default: return pump(c, now_ms);
	}
}

/* The tagged command whose silence or overall deadline comes first, and
 * that moment (-1 when none has one). */
static int64_t tagged_deadline(const ros_conn *c, const ros_cmd **which, bool *overall)
{
	int64_t best = -1;
	for (size_t i = 0; i < c->ncmds; i++) {
		const ros_cmd *cmd = c->cmds[i];
		if (cmd->status != ROS_AGAIN)
			continue;
		if (cmd->silence_ms >= 0) {
			int64_t from = cmd->started > c->heard_ms ? cmd->started : c->heard_ms;
			int64_t t = from + cmd->silence_ms;
			if (best < 0 || t < best) {
				best = t;
				*which = cmd;
				*overall = false;
			}
		}
		if (cmd->deadline >= 0 && (best < 0 || cmd->deadline < best)) {
			best = cmd->deadline;
			*which = cmd;
			*overall = true;
		}
	}
	return best;
}

/* Fails the connection when a tagged command's deadline has passed. */
static int check_tagged_deadlines(ros_conn *c, int64_t now, const char *ep)
{
	const ros_cmd *cmd = NULL;
	bool overall = false;
	int64_t t = tagged_deadline(c, &cmd, &overall);
	if (t < 0 || now < t)
		return ROS_AGAIN;
	if (overall)
		return fail(c, ROS_ERR_TIMEOUT, "%s: reply not complete after %d s", ep,
		            (cmd->deadline_ms + 999) / 1000);
	return fail(c, ROS_ERR_TIMEOUT, "%s: timeout during a reply (no answer within %d ms)", ep,
	            cmd->silence_ms);
}

int ros_step(ros_conn *c, int64_t now_ms)
{
	char ep[300];
	if (c->phase == PH_CLOSED || (c->phase == PH_READY && open_tagged(c) == 0))
		return ROS_ERR_STATE;
	endpoint(c, ep, sizeof ep);
	c->input_pending = false;
	int rc = advance(c, now_ms, ep);
	if (rc == ROS_AGAIN && c->phase == PH_READY)
		rc = open_tagged(c) ? check_tagged_deadlines(c, now_ms, ep) : ROS_OK;
	else if (rc == ROS_AGAIN && c->phase == PH_COMMAND)
		rc = check_tagged_deadlines(c, now_ms, ep);
	/* However steadily bytes arrive, the operation as a whole must end. */
	if (rc == ROS_AGAIN && c->op_deadline >= 0 && now_ms >= c->op_deadline)
		return fail(c, ROS_ERR_TIMEOUT, "%s: %s not complete after %d s", ep,
		            c->phase == PH_COMMAND ? "reply" : "connect and login",
		            (c->op_deadline_ms + 999) / 1000);
	/* This deadline counts only while nothing arrives (see read_in). */
	if (rc == ROS_AGAIN && c->deadline >= 0 && now_ms >= c->deadline)
		return fail(c, ROS_ERR_TIMEOUT, "%s: timeout during %s (no answer within %d ms%s)",
		            ep, phase_name(c->phase), c->timeout_ms,
		            c->phase == PH_TLS ? "; a plain API port may also stay silent" : "");
	return rc;
}

int ros_start_command(ros_conn *c, const char *const *words, size_t n, int64_t now_ms)
{
	if (c->phase != PH_READY)
		return ROS_ERR_STATE;
	if (n == 0 || !words[0] || words[0][0] != '/')
		return ROS_ERR_ARG;
	ros_reply_free(c->done);
	c->done = NULL;
	if (note_pending_tag(c, words, n) != ROS_OK)
		return ROS_ERR_NOMEM;
	c->pending = ros_reply_new();
	if (!c->pending)
		return ROS_ERR_NOMEM;
	int rc = ros_buf_add_sentence(&c->out, words, n);
	if (rc) {
		ros_reply_free(c->pending);
		c->pending = NULL;
		return rc;
	}
	c->err[0] = '\0';
	c->tr.want = 0;
	c->phase = PH_COMMAND;
	c->cancel_untagged = false;
	c->untagged_interrupted = false;
	c->deadline = now_ms + c->timeout_ms;
	start_op_deadline(c, now_ms);
	reset_held(c);
	return ROS_AGAIN;
}

int ros_fd(const ros_conn *c)
{
	return c->tr.fd;
}

int ros_events(const ros_conn *c)
{
	if (c->phase == PH_READY && open_tagged(c) == 0)
		return 0;
	switch (c->phase) {
	case PH_CLOSED: return 0;
	case PH_CONNECTING: return ROS_WANT_WRITE;
	case PH_TLS: return c->tr.want ? c->tr.want : ROS_WANT_READ;
	default:
		if (c->out_off < c->out.len)
			return c->tr.want ? c->tr.want : ROS_WANT_WRITE;
		/* TLS may need to write while reading (rare), else wait for data. */
		return c->tr.tls && c->tr.want ? c->tr.want : ROS_WANT_READ;
	}
}

/* The earlier of two deadlines, -1 meaning none. */
static int64_t earlier(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	return b >= 0 && b < a ? b : a;
}

int64_t ros_deadline(const ros_conn *c)
{
	const ros_cmd *cmd = NULL;
	bool overall = false;
	int64_t t = c->phase == PH_CLOSED ? -1 : tagged_deadline(c, &cmd, &overall);
	return earlier(earlier(c->op_deadline, c->deadline), t);
}

int ros_input_pending(const ros_conn *c)
{
	return c->input_pending && c->phase != PH_CLOSED &&
	       (c->phase != PH_READY || open_tagged(c) > 0);
}

int ros_is_ready(const ros_conn *c)
{
	return c->phase == PH_READY;
}

ros_reply *ros_take_reply(ros_conn *c)
{
	ros_reply *r = c->done;
	c->done = NULL;
	return r;
}

const ros_reply *ros_pending_reply(const ros_conn *c)
{
	return c->pending;
}

void ros_pending_discard(ros_conn *c)
{
	if (!c->pending)
		return;
	reply_clear(c->pending);
	reset_held(c);
}

void ros_close(ros_conn *c)
{
	if (!c)
		return;
	if (c->phase == PH_READY) {
		/* Best effort /quit: one non-blocking write, no wait for !fatal. */
		static const char *const quit[] = {"/quit"};
		char why[300];
		buf_wipe(&c->out);
		if (ros_buf_add_sentence(&c->out, quit, 1) == ROS_OK)
			transport_write(&c->tr, c->out.data, c->out.len, why, sizeof why);
	}
	teardown(c, c->phase == PH_READY, ROS_ERR_CLOSED);
	ros_reply_free(c->done);
	c->done = NULL;
}

/* Queues one command sentence: words, then ".tag=TAG" when tag is set.
 * On error c->out is as before. */
static int queue_sentence_words(ros_conn *c, const char *const *words, size_t n, const char *tag)
{
	size_t before = c->out.len;
	unsigned char end = 0;
	int rc = ROS_OK;
	for (size_t i = 0; i < n && rc == ROS_OK; i++)
		rc = ros_buf_add_word(&c->out, words[i], strlen(words[i]));
	if (rc == ROS_OK && tag)
		rc = add_attr_word(&c->out, ".tag=", tag);
	if (rc == ROS_OK)
		rc = buf_append(&c->out, &end, 1);
	if (rc != ROS_OK)
		c->out.len = before;
	return rc;
}

/* Opens a tagged command slot and queues its sentence. */
static int start_tagged(ros_conn *c, const char *const *words, size_t n,
                        const struct ros_cmd_options *opt, int64_t now, ros_cmd **out)
{
	if (c->ncmds >= ROS_MAX_COMMANDS)
		return ROS_ERR_ARG;
	ros_cmd *cmd = cmd_new(++c->next_tag, opt, c->timeout_ms, now);
	if (!cmd)
		return ROS_ERR_NOMEM;
	int rc = queue_sentence_words(c, words, n, cmd->tag);
	if (rc != ROS_OK) {
		cmd_free(cmd);
		return rc;
	}
	c->tr.want = 0; /* a stale read interest must not hide the new output */
	c->cmds[c->ncmds++] = cmd;
	*out = cmd;
	return ROS_AGAIN;
}

int ros_cmd_start(ros_conn *c, const char *const *words, size_t n,
                  const struct ros_cmd_options *opt, int64_t now_ms, ros_cmd **out)
{
	if (c->phase != PH_READY && c->phase != PH_COMMAND)
		return ROS_ERR_STATE;
	if (n == 0 || !words[0] || words[0][0] != '/' || !out)
		return ROS_ERR_ARG;
	for (size_t i = 0; i < n; i++)
		if (!words[i] || !words[i][0] || strncmp(words[i], ".tag=", 5) == 0)
			return ROS_ERR_ARG;
	return start_tagged(c, words, n, opt, now_ms, out);
}

/* Queues the library's own "/cancel" (=tag=TARGET when target is set). */
static int start_cancel(ros_conn *c, const char *target, int64_t now)
{
	char word[40];
	const char *words[2] = {"/cancel", word};
	snprintf(word, sizeof word, "=tag=%s", target ? target : "");
	ros_cmd *cmd = NULL;
	int rc = start_tagged(c, words, target ? 2 : 1, NULL, now, &cmd);
	if (rc != ROS_AGAIN)
		return rc;
	cmd->internal = true;
	return ROS_OK;
}

int ros_cancel(ros_conn *c, ros_cmd *cmd, int64_t now_ms)
{
	if (cmd->status != ROS_AGAIN || cmd->cancel_requested)
		return ROS_OK;
	if (c->phase != PH_READY && c->phase != PH_COMMAND)
		return ROS_ERR_STATE;
	int rc = start_cancel(c, cmd->tag, now_ms);
	if (rc == ROS_OK)
		cmd->cancel_requested = true;
	return rc;
}

int ros_cancel_pending(ros_conn *c, int64_t now_ms)
{
	if (c->phase != PH_COMMAND)
		return ROS_ERR_STATE;
	if (c->cancel_untagged)
		return ROS_OK;
	int rc = start_cancel(c, NULL, now_ms);
	if (rc == ROS_OK)
		c->cancel_untagged = true;
	return rc;
}

void ros_cmd_release(ros_conn *c, ros_cmd *cmd)
{
	if (!cmd)
		return;
	for (size_t i = 0; i < c->ncmds; i++) {
		if (c->cmds[i] != cmd)
			continue;
		if (cmd->status != ROS_AGAIN) {
			remove_slot(c, i);
			return;
		}
		/* Open: keep the slot until the router confirms the end, so
		 * its late sentences are recognised (and dropped). */
		cmd_drop_queue(cmd);
		cmd->released = true;
		ros_cancel(c, cmd, ros_now_ms());
		return;
	}
}

size_t ros_open_commands(const ros_conn *c)
{
	return open_tagged(c) + (c->phase == PH_COMMAND);
}

void ros_conn_free(ros_conn *c)
{
	if (!c)
		return;
	ros_close(c);
	while (c->ncmds > 0)
		remove_slot(c, c->ncmds - 1);
	ros_buf_free(&c->out);
	if (c->password) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->host);
	free(c->user);
	free(c->ca_file);
	free(c);
}
