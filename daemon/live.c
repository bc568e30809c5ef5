/*
 * live.c — `tikstat -l`: the event stream client and the terminal view
 * (the contract is in live.h). Plain sockets and poll(); the parsers are
 * bounded and pure so that a hostile or broken peer costs at most a
 * refused stream.
 */
#include "live.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "report.h"

/* --- SSE --- */

void live_sse_init(struct live_sse *p)
{
	memset(p, 0, sizeof *p);
}

/* Ends the event at an empty line: dispatches it when it had data. */
static int sse_dispatch(struct live_sse *p, live_event_fn fn, void *ctx)
{
	int rc = 0;
	if (p->have_data) {
		/* The data lines are joined by '\n'; the last one has none. */
		if (p->data_len && p->data[p->data_len - 1] == '\n')
			p->data_len--;
		p->data[p->data_len] = '\0';
		rc = fn(ctx, p->type, p->data);
	}
	p->type[0] = '\0';
	p->data_len = 0;
	p->have_data = false;
	return rc;
}

/* One complete line (no line end). */
static int sse_line(struct live_sse *p, live_event_fn fn, void *ctx)
{
	char *line = p->line;
	line[p->line_len] = '\0';
	if (p->line_len == 0)
		return sse_dispatch(p, fn, ctx);
	if (line[0] == ':')
		return 0; /* a comment: the daemon's keep-alive */
	char *colon = strchr(line, ':');
	const char *value = "";
	if (colon) {
		*colon = '\0';
		value = colon + 1;
		if (*value == ' ')
			value++;
	}
	size_t vlen = strlen(value);
	if (strcmp(line, "event") == 0) {
		if (vlen > LIVE_EVENT_MAX)
			return LIVE_SSE_TOO_LONG;
		memcpy(p->type, value, vlen + 1);
	} else if (strcmp(line, "data") == 0) {
		if (vlen + 1 > LIVE_DATA_MAX - p->data_len)
			return LIVE_SSE_TOO_LONG;
		memcpy(p->data + p->data_len, value, vlen);
		p->data_len += vlen;
		p->data[p->data_len++] = '\n';
		p->have_data = true;
	}
	/* id, retry and unknown fields: nothing tikstat needs. */
	return 0;
}

int live_sse_feed(struct live_sse *p, const char *buf, size_t len, live_event_fn fn, void *ctx)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c != '\n') {
			if (p->line_len >= LIVE_LINE_MAX)
				return LIVE_SSE_TOO_LONG;
			p->line[p->line_len++] = c;
			continue;
		}
		if (p->line_len && p->line[p->line_len - 1] == '\r')
			p->line_len--;
		int rc = sse_line(p, fn, ctx);
		p->line_len = 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* --- chunked transfer coding --- */

enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER, CH_TRAILER_LINE, CH_DONE };

/* The end of a chunk's size line: its data, or the trailer after the
 * last chunk. -1 when no size was given. */
static int chunk_size_line(struct live_chunked *c)
{
	if (c->digits == 0)
		return -1;
	c->state = c->left ? CH_DATA : CH_TRAILER;
	return 0;
}

/* One framing byte (not chunk data). Returns 0, 1 at the end, -1. */
static int chunk_byte(struct live_chunked *c, char ch)
{
	switch (c->state) {
	case CH_SIZE: {
		int v = text_hex_value((unsigned char)ch);
		if (v >= 0) {
			/* 15 hex digits (2^60 bytes) is more than any stream. */
			if (++c->digits > 15)
				return -1;
			c->left = c->left * 16 + (uint64_t)v;
			return 0;
		}
		if (ch == '\n')
			return chunk_size_line(c);
		if (ch != ';' && ch != '\r' && ch != ' ' && ch != '\t')
			return -1;
		c->state = CH_EXT;
		return 0;
	}
	case CH_EXT: return ch == '\n' ? chunk_size_line(c) : 0;
	case CH_DATA_END:
		if (ch == '\r')
			return 0;
		if (ch != '\n')
			return -1;
		c->state = CH_SIZE;
		c->left = 0;
		c->digits = 0;
		return 0;
	case CH_TRAILER:
		if (ch == '\r')
			return 0;
		c->state = ch == '\n' ? CH_DONE : CH_TRAILER_LINE;
		return c->state == CH_DONE;
	case CH_TRAILER_LINE:
		if (ch == '\n')
			c->state = CH_TRAILER;
		return 0;
	default: return 1;
	}
}

int live_chunked_decode(struct live_chunked *c, char *buf, size_t len, size_t *out_len)
{
	size_t out = 0, i = 0;
	while (i < len) {
		if (c->state == CH_DATA) {
			size_t n = len - i;
			if (n > c->left)
				n = (size_t)c->left;
			memmove(buf + out, buf + i, n);
			out += n;
			i += n;
			c->left -= n;
			if (c->left == 0)
				c->state = CH_DATA_END;
			continue;
		}
		int rc = chunk_byte(c, buf[i++]);
		if (rc) {
			*out_len = out;
			return rc;
		}
	}
	*out_len = out;
	return c->state == CH_DONE;
}

/* --- the events' JSON: flat objects of strings and numbers --- */

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* The end of the JSON string whose opening quote is at s (the closing
 * quote), or NULL. */
static const char *string_end(const char *s)
{
	for (s++; *s && *s != '"'; s++)
		if (*s == '\\' && !*++s)
			return NULL;
	return *s == '"' ? s : NULL;
}

/* The end of a scalar (number, true, false, null) at s. */
static const char *scalar_end(const char *s)
{
	while (*s && strchr("+-.0123456789eEtruefalsn", *s))
		s++;
	return s;
}

/* Finds key's value in the object json: *val at its first byte (the
 * quote of a string), *end after it. Returns 0, or -1 when absent or the
 * text is not a flat object. */
static int json_field(const char *json, const char *key, const char **val, const char **end)
{
	const char *s = skip_ws(json);
	if (*s++ != '{')
		return -1;
	size_t klen = strlen(key);
	for (s = skip_ws(s); *s == '"'; s = skip_ws(s)) {
		const char *kend = string_end(s);
		if (!kend)
			return -1;
		bool match = (size_t)(kend - s - 1) == klen && memcmp(s + 1, key, klen) == 0;
		s = skip_ws(kend + 1);
		if (*s++ != ':')
			return -1;
		s = skip_ws(s);
		const char *v = s;
		s = *s == '"' ? string_end(s) : scalar_end(s);
		if (!s || s == v)
			return -1;
		if (*v == '"')
			s++;
		if (match) {
			*val = v;
			*end = s;
			return 0;
		}
		s = skip_ws(s);
		if (*s == ',')
			s++;
		else if (*s != '}')
			return -1;
	}
	return -1;
}

/* An unsigned decimal integer, exactly [val, end). */
static int parse_u64(const char *val, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	if (val == end || end - val > 20)
		return -1;
	for (const char *p = val; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Appends the UTF-8 of code point cp (BMP; a surrogate becomes '?'). */
static size_t put_utf8(char *out, unsigned cp)
{
	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = '?';
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* One escape after a backslash at *s (advanced past it) into out;
 * returns the bytes written, 0 when malformed. */
static size_t unescape_one(const char **s, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = strchr(from, **s);
	if (**s && e) {
		(*s)++;
		*out = to[e - from];
		return 1;
	}
	if (**s != 'u')
		return 0;
	unsigned cp = 0;
	for (int i = 1; i <= 4; i++) {
		int v = text_hex_value((unsigned char)(*s)[i]);
		if (v < 0)
			return 0;
		cp = cp * 16 + (unsigned)v;
	}
	*s += 5;
	return put_utf8(out, cp);
}

int live_json_string(const char *json, const char *key, char *out, size_t outsz)
{
	const char *v, *end;
	if (outsz == 0 || json_field(json, key, &v, &end) || *v != '"')
		return -1;
	size_t n = 0;
	for (const char *s = v + 1; s < end - 1;) {
		char buf[4];
		size_t k = 1;
		if (*s == '\\') {
			s++;
			k = unescape_one(&s, buf);
			if (!k)
				return -1;
		} else {
			buf[0] = *s++;
		}
		if (n + k >= outsz)
			break; /* truncated: whole characters only */
		memcpy(out + n, buf, k);
		n += k;
	}
	out[n] = '\0';
	return 0;
}

int live_parse_sample(const char *json, struct live_sample *s)
{
	char when[40];
	const char *v, *end;
	if (live_json_string(json, "time", when, sizeof when) || calendar_parse(when, &s->time))
		return -1;
	if (json_field(json, "rx_bps", &v, &end) || parse_u64(v, end, &s->rx_bps))
		return -1;
	if (json_field(json, "tx_bps", &v, &end) || parse_u64(v, end, &s->tx_bps))
		return -1;
	return 0;
}

/* --- statistics and the summary --- */

void live_stats_init(struct live_stats *st, int64_t since)
{
	memset(st, 0, sizeof *st);
	st->since = since;
	st->last = since - 1;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

bool live_stats_add(struct live_stats *st, const struct live_sample *s)
{
	if (s->time <= st->last)
		return false; /* replayed: before the session, or seen already */
	st->last = s->time;
	st->samples++;
	/* One sample stands for one second: its rate is its bits. */
	st->rx_bits = add_sat(st->rx_bits, s->rx_bps);
	st->tx_bits = add_sat(st->tx_bits, s->tx_bps);
	if (s->rx_bps > st->peak_rx)
		st->peak_rx = s->rx_bps;
	if (s->tx_bps > st->peak_tx)
		st->peak_tx = s->tx_bps;
	return true;
}

void live_format_bps(uint64_t bps, char out[16])
{
	/* report_rate(bytes, seconds) shows bytes * 8 / seconds bit/s, in 128
	 * bits: over 8 seconds that is bps exactly. */
	report_rate(bps, 8, out);
}

void live_summary(const struct live_stats *st, int64_t elapsed_ms, const char *name,
                  struct text_buf *out)
{
	int64_t secs = (elapsed_ms + 500) / 1000;
	if (secs < 1)
		secs = 1;
	/* The average is over the time watched, but never over fewer seconds
	 * than were counted (the first sample may come in the first instant,
	 * the last just before Ctrl-C): it never exceeds the peak. */
	int64_t over = secs;
	if (st->samples > (uint64_t)over)
		over = st->samples > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)st->samples;
	char rxb[16], txb[16], rxa[16], txa[16], rxp[16], txp[16];
	report_iec(st->rx_bits / 8, rxb);
	report_iec(st->tx_bits / 8, txb);
	/* bits over the seconds, as report_rate's bytes * 8 / (over * 8). */
	report_rate(st->rx_bits, over > INT64_MAX / 8 ? INT64_MAX : over * 8, rxa);
	report_rate(st->tx_bits, over > INT64_MAX / 8 ? INT64_MAX : over * 8, txa);
	live_format_bps(st->peak_rx, rxp);
	live_format_bps(st->peak_tx, txp);
	text_buf_printf(out,
	                "\n%s: %" PRId64 ":%02d:%02d, %" PRIu64 " second%s of samples\n"
	                "%-10s %16s %16s\n"
	                "%-10s %16s %16s\n"
	                "%-10s %16s %16s\n"
	                "%-10s %16s %16s\n",
	                name, secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60), st->samples,
	                st->samples == 1 ? "" : "s", "", "rx", "tx", "bytes", rxb, txb, "average",
	                rxa, txa, "peak", rxp, txp);
}

/* --- the connection --- */

enum outcome { GOES_ON, STOPPED, LOST, FATAL };

#define HEAD_MAX    8192 /* the response's status line and headers */
#define ERRBODY_MAX 4096 /* the error body kept */
#define BACKOFF_MAX 30000
#define POLL_SLICE  250 /* ms: how soon a SIGINT is seen if poll is not interrupted */

/* One connection to the daemon and what the session keeps across them. */
struct conn {
	const struct live_target *t;
	volatile sig_atomic_t *stop;
	FILE *out, *err;
	struct live_stats *st;
	bool tty;       /* out is a terminal: one line redrawn */
	bool line_open; /* a redrawn line without its newline is on screen */
	bool got_event; /* this connection delivered an event */
	int fd;
	char head[HEAD_MAX + 1];
	size_t head_len;
	bool in_body, chunked, stream;
	int status;
	struct live_sse sse;
	struct live_chunked ch;
	struct text_buf body; /* an error answer's body */
	char why[512];        /* why the connection ended (LOST, FATAL) */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Untrusted text (a router's reason, a daemon's error) for the terminal. */
static void plain(struct text_buf *b, const char *s)
{
	text_escape_terminal(b, s, strlen(s), 0);
}

/* Says why the connection ends (c->why) and returns o. */
static enum outcome fail(struct conn *c, enum outcome o, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static enum outcome fail(struct conn *c, enum outcome o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	return o;
}

/* Ends a redrawn line before other output. */
static void close_line(struct conn *c)
{
	if (c->line_open)
		fputc('\n', c->out);
	c->line_open = false;
}

static void show_sample(struct conn *c, const struct live_sample *s)
{
	char rx[16], tx[16];
	live_format_bps(s->rx_bps, rx);
	live_format_bps(s->tx_bps, tx);
	fprintf(c->out, "%s   rx: %14s   tx: %14s%s", c->tty ? "\r" : "", rx, tx,
	        c->tty ? "" : "\n");
	c->line_open = c->tty;
	fflush(c->out);
}

static void show_status(struct conn *c, const char *data)
{
	char state[16], reason[256];
	if (live_json_string(data, "state", state, sizeof state))
		return;
	struct text_buf b = TEXT_BUF_INIT;
	if (strcmp(state, "up") == 0) {
		text_buf_puts(&b, "router up again");
	} else {
		text_buf_puts(&b, "router down");
		if (live_json_string(data, "reason", reason, sizeof reason) == 0) {
			text_buf_puts(&b, ": ");
			plain(&b, reason);
		}
	}
	close_line(c);
	fprintf(c->out, "%s\n", text_buf_str(&b));
	fflush(c->out);
	text_buf_free(&b);
}

/* live_event_fn of the stream. */
static int on_event(void *ctx, const char *type, const char *data)
{
	struct conn *c = ctx;
	c->got_event = true;
	if (type[0] == '\0') {
		struct live_sample s;
		/* A sample that does not parse is skipped: the next one comes
		 * in a second. */
		if (live_parse_sample(data, &s) == 0 && live_stats_add(c->st, &s))
			show_sample(c, &s);
	} else if (strcmp(type, "status") == 0) {
		show_status(c, data);
	} else if (strcmp(type, "error") == 0) {
		char msg[256];
		struct text_buf b = TEXT_BUF_INIT;
		plain(&b, live_json_string(data, "error", msg, sizeof msg) ? "(no reason)" : msg);
		fail(c, FATAL, "tikstatd ended the live stream: %s", text_buf_str(&b));
		text_buf_free(&b);
		return 1;
	}
	return 0;
}

/* The refusal's message from the status and the JSON error body. */
static enum outcome refused(struct conn *c)
{
	char msg[256] = "";
	struct text_buf b = TEXT_BUF_INIT;
	text_buf_printf(&b, "tikstatd refused the live stream of %s/%s (HTTP %d", c->t->router,
	                c->t->iface, c->status);
	bool have = live_json_string(text_buf_str(&c->body), "error", msg, sizeof msg) == 0;
	if (have) {
		text_buf_puts(&b, ": ");
		plain(&b, msg);
	}
	text_buf_puts(&b, ")");
	if (c->status == 401)
		text_buf_puts(&b, c->t->user ? ": check auth_user and auth_password_file"
		                             : ": the configuration has no auth_user");
	else if (c->status == 404 && (!have || strcmp(msg, "not found") == 0))
		/* The route table's answer to a path it lacks: a tikstatd from
		 * before the live stream. */
		text_buf_puts(&b, ": this tikstatd has no live endpoint");
	fail(c, FATAL, "%s", text_buf_str(&b));
	text_buf_free(&b);
	return FATAL;
}

/* Payload bytes of the body. */
static enum outcome body_bytes(struct conn *c, const char *buf, size_t len)
{
	if (!c->stream) {
		size_t room = ERRBODY_MAX > c->body.len ? ERRBODY_MAX - c->body.len : 0;
		text_buf_append(&c->body, buf, len < room ? len : room);
		return GOES_ON;
	}
	int rc = live_sse_feed(&c->sse, buf, len, on_event, c);
	if (rc == LIVE_SSE_TOO_LONG)
		return fail(c, FATAL, "tikstatd sent an event line or event beyond the bounds");
	return rc ? FATAL : GOES_ON;
}

/* Body bytes as received: chunked decoding first when used. */
static enum outcome body_raw(struct conn *c, char *buf, size_t len)
{
	if (!c->chunked)
		return body_bytes(c, buf, len);
	size_t n = 0;
	int rc = live_chunked_decode(&c->ch, buf, len, &n);
	if (rc < 0)
		return fail(c, FATAL, "tikstatd's answer has a malformed chunked framing");
	enum outcome o = body_bytes(c, buf, n);
	if (o != GOES_ON)
		return o;
	if (rc == 1) /* the last chunk */
		return c->stream ? fail(c, LOST, "tikstatd ended the stream") : refused(c);
	return GOES_ON;
}

/* The value of header name in the head, lowercased, or "". */
static void header(const char *head, const char *name, char *out, size_t outsz)
{
	size_t nlen = strlen(name);
	out[0] = '\0';
	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
		const char *s = l + 2;
		if (strncasecmp(s, name, nlen) != 0 || s[nlen] != ':')
			continue;
		s += nlen + 1;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = strcspn(s, "\r");
		if (n >= outsz)
			n = outsz - 1;
		for (size_t i = 0; i < n; i++)
			out[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
		out[n] = '\0';
		return;
	}
}

/* The status line and headers are complete in head[0..end). */
static enum outcome on_head(struct conn *c, size_t end)
{
	char saved = c->head[end];
	c->head[end] = '\0';
	char te[64], ct[64];
	int status = 0;
	if (sscanf(c->head, "HTTP/1.%*1[01] %3d", &status) != 1 || status < 100) {
		c->head[end] = saved;
		return fail(c, FATAL, "the answer is not HTTP: is the listen address tikstatd's?");
	}
	header(c->head, "Transfer-Encoding", te, sizeof te);
	header(c->head, "Content-Type", ct, sizeof ct);
	c->head[end] = saved;
	c->status = status;
	c->chunked = strstr(te, "chunked") != NULL;
	c->stream = status == 200 && strncmp(ct, "text/event-stream", 17) == 0;
	c->in_body = true;
	if (status == 200 && !c->stream)
		return fail(c, FATAL, "the answer is not an event stream: is this tikstatd?");
	return GOES_ON;
}

/* Bytes received (in c->head's buffer when before the body). */
static enum outcome received(struct conn *c, char *buf, size_t len)
{
	if (c->in_body)
		return body_raw(c, buf, len);
	/* Headers: gathered until the empty line; what follows is body. */
	size_t room = HEAD_MAX - c->head_len;
	size_t n = len < room ? len : room;
	memcpy(c->head + c->head_len, buf, n);
	c->head_len += n;
	c->head[c->head_len] = '\0';
	char *blank = strstr(c->head, "\r\n\r\n");
	if (!blank)
		return c->head_len == HEAD_MAX
		               ? fail(c, FATAL, "tikstatd's answer headers are too long")
		               : GOES_ON;
	size_t end = (size_t)(blank - c->head) + 4;
	enum outcome o = on_head(c, end);
	if (o != GOES_ON)
		return o;
	/* The rest of the head buffer, then the rest of buf it did not hold. */
	size_t rest = c->head_len - end;
	char tail[HEAD_MAX];
	memcpy(tail, c->head + end, rest);
	o = rest ? body_raw(c, tail, rest) : GOES_ON;
	return o == GOES_ON && n < len ? body_raw(c, buf + n, len - n) : o;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 of s[0..len). */
static void base64(struct text_buf *b, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		char q[4] = {b64[v >> 18], b64[v >> 12 & 63], i + 1 < len ? b64[v >> 6 & 63] : '=',
		             i + 2 < len ? b64[v & 63] : '='};
		text_buf_append(b, q, 4);
	}
}

/* Appends s percent-encoded for a query value (all but unreserved). */
static void query_value(struct text_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			text_buf_append(b, p, 1);
		else
			text_buf_printf(b, "%%%02X", *p);
	}
}

/* The request; the credentials are wiped from the buffer by the caller. */
static void request(const struct live_target *t, struct text_buf *b)
{
	text_buf_puts(b, "GET /api/v1/live?router=");
	query_value(b, t->router);
	text_buf_puts(b, "&interface=");
	query_value(b, t->iface);
	bool v6 = strchr(t->host, ':') != NULL;
	text_buf_printf(b,
	                " HTTP/1.1\r\nHost: %s%s%s:%s\r\nAccept: text/event-stream\r\n"
	                "Cache-Control: no-cache\r\nConnection: close\r\nUser-Agent: tikstat\r\n",
	                v6 ? "[" : "", t->host, v6 ? "]" : "", t->port);
	if (t->user) {
		struct text_buf cred = TEXT_BUF_INIT;
		text_buf_printf(&cred, "%s:%s", t->user, t->password ? t->password : "");
		text_buf_puts(b, "Authorization: Basic ");
		base64(b, (const unsigned char *)text_buf_str(&cred), cred.len);
		text_buf_puts(b, "\r\n");
		explicit_bzero(cred.data, cred.cap);
		text_buf_free(&cred);
	}
	text_buf_puts(b, "\r\n");
}

/* Waits for events on fd until deadline (monotonic ms) in slices, so a
 * stop is seen; 1 ready, 0 timed out, -1 stopped. */
static int wait_fd(struct conn *c, short events, int64_t deadline)
{
	for (;;) {
		if (*c->stop)
			return -1;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = c->fd, .events = events};
		int rc = poll(&p, 1, left < POLL_SLICE ? (int)left : POLL_SLICE);
		if (rc > 0)
			return 1;
	}
}

/* Connects to one address of t within the stall time. */
static int connect_one(struct conn *c, const struct addrinfo *ai)
{
	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	               ai->ai_protocol);
	if (c->fd < 0)
		return errno;
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	int e = errno;
	if (e == EINPROGRESS) {
		int w = wait_fd(c, POLLOUT, now_ms() + c->t->stall_ms);
		socklen_t sl = sizeof e;
		if (w <= 0)
			e = w < 0 ? EINTR : ETIMEDOUT;
		else if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0)
			e = errno;
	}
	if (e) {
		close(c->fd);
		c->fd = -1;
	}
	return e;
}

static enum outcome connect_daemon(struct conn *c)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int g = getaddrinfo(c->t->host, c->t->port, &hints, &res);
	if (g)
		return fail(c, LOST, "cannot resolve tikstatd's address: %s", gai_strerror(g));
	int e = ENOENT;
	for (const struct addrinfo *ai = res; ai && c->fd < 0 && !*c->stop; ai = ai->ai_next)
		e = connect_one(c, ai);
	freeaddrinfo(res);
	if (*c->stop)
		return STOPPED;
	if (c->fd < 0) {
		snprintf(c->why, sizeof c->why, "cannot connect to tikstatd at %s port %s: %s",
		         c->t->host, c->t->port, strerror(e));
		return LOST;
	}
	return GOES_ON;
}

static enum outcome send_request(struct conn *c)
{
	struct text_buf req = TEXT_BUF_INIT;
	request(c->t, &req);
	enum outcome o = req.failed ? fail(c, FATAL, "out of memory") : GOES_ON;
	int64_t deadline = now_ms() + c->t->stall_ms;
	for (size_t off = 0; o == GOES_ON && off < req.len;) {
		ssize_t n = send(c->fd, req.data + off, req.len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		int w = n < 0 && (errno == EAGAIN || errno == EINTR) ? wait_fd(c, POLLOUT, deadline)
		                                                     : 0;
		if (w < 0)
			o = STOPPED;
		else if (w == 0)
			o = fail(c, LOST, "cannot send the request to tikstatd: %s",
			         n < 0 ? strerror(errno) : "timed out");
	}
	explicit_bzero(req.data, req.cap); /* the Basic credentials */
	text_buf_free(&req);
	return o;
}

/* Reads until the connection ends, a stall, a refusal or a stop. */
static enum outcome read_stream(struct conn *c)
{
	char buf[4096];
	for (;;) {
		int w = wait_fd(c, POLLIN, now_ms() + c->t->stall_ms);
		if (w < 0)
			return STOPPED;
		if (w == 0) {
			snprintf(c->why, sizeof c->why, "tikstatd sent nothing for %d s",
			         (c->t->stall_ms + 999) / 1000);
			return LOST;
		}
		ssize_t n = recv(c->fd, buf, sizeof buf, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return fail(c, LOST, "the connection to tikstatd failed: %s",
			            strerror(errno));
		if (n == 0) {
			if (c->in_body && !c->stream)
				return refused(c);
			return fail(c, LOST, "tikstatd closed the connection");
		}
		enum outcome o = received(c, buf, (size_t)n);
		if (o != GOES_ON)
			return o;
	}
}

/* One connection: connect, ask, read. */
static enum outcome one_connection(struct conn *c)
{
	c->fd = -1;
	c->head_len = 0;
	c->in_body = c->chunked = c->stream = c->got_event = false;
	c->status = 0;
	memset(&c->ch, 0, sizeof c->ch);
	live_sse_init(&c->sse);
	text_buf_reset(&c->body);
	enum outcome o = connect_daemon(c);
	if (o == GOES_ON)
		o = send_request(c);
	if (o == GOES_ON)
		o = read_stream(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return o;
}

/* Sleeps ms unless stopped; true when stopped. */
static bool pause_ms(volatile sig_atomic_t *stop, int ms)
{
	int64_t end = now_ms() + ms;
	while (!*stop && now_ms() < end) {
		struct timespec ts = {0, POLL_SLICE * 1000000L};
		nanosleep(&ts, NULL);
	}
	return *stop != 0;
}

static void report(FILE *err, const char *msg)
{
	fprintf(err, "tikstat: %s\n", msg);
	fflush(err);
}

int live_run(const struct live_target *t, volatile sig_atomic_t *stop, FILE *out, FILE *err)
{
	struct live_stats st;
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		report(err, "out of memory");
		return 1;
	}
	*c = (struct conn){.t = t, .stop = stop, .out = out, .err = err, .st = &st, .fd = -1};
	c->body = (struct text_buf)TEXT_BUF_INIT;
	c->tty = isatty(fileno(out));
	int64_t start = now_ms();
	live_stats_init(&st, (int64_t)time(NULL));
	bool streamed = false;
	int backoff = 1000, status = 0;
	for (;;) {
		enum outcome o = one_connection(c);
		streamed = streamed || c->stream;
		if (o == STOPPED || *stop)
			break;
		close_line(c);
		if (o == FATAL || !streamed) {
			/* Never reached or refused: a wrong address, an unknown
			 * interface: saying so beats retrying forever. */
			report(err, c->why);
			status = 1;
			break;
		}
		if (c->got_event)
			backoff = 1000;
		fprintf(err, "tikstat: %s: connecting again in %d s\n", c->why, backoff / 1000);
		fflush(err);
		if (pause_ms(stop, backoff))
			break;
		backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
	}
	close_line(c);
	if (status == 0 || st.samples) {
		struct text_buf name = TEXT_BUF_INIT, sum = TEXT_BUF_INIT;
		plain(&name, t->router);
		text_buf_puts(&name, "/");
		plain(&name, t->iface);
		live_summary(&st, now_ms() - start, text_buf_str(&name), &sum);
		fputs(text_buf_str(&sum), out);
		fflush(out);
		text_buf_free(&name);
		text_buf_free(&sum);
	}
	text_buf_free(&c->body);
	free(c);
	return status;
}
