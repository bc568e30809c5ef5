/*
 * live.h — `tikstat -l`: the live rate of one interface in a terminal,
 * read from tikstatd's event stream, and the pieces it is made of.
 *
 * The stream (GET /api/v1/live?router=R&interface=I, text/event-stream,
 * the contract the daemon's endpoint is built to):
 *   - one unnamed event per second, data
 *     {"time":"2026-12-06T18:00:01Z","rx_bps":123,"tx_bps":456}: bits per
 *     second as the router reports them; the first events replay the last
 *     minute;
 *   - "event: status", data {"state":"down","reason":"..."} when the router
 *     goes down and {"state":"up"} when it is back;
 *   - "event: error", data {"error":"..."}, then the daemon closes: a
 *     refusal once the stream has started (push-mode interface, viewer
 *     cap). A refusal before the stream starts is an HTTP 4xx or 503 with
 *     the API's JSON error body {"error":"..."}.
 *
 * Pure parts (tested by tests/test_live.c): the SSE parser (bounded lines
 * and events), the chunked transfer decoder, the JSON fields of the
 * events, the statistics of a session and its summary. live_run is the
 * I/O: plain TCP to the daemon (no TLS, no libmicrohttpd), HTTP/1.1 with
 * Basic auth, a stalled daemon detected, reconnection with back-off.
 */
#ifndef TIKSTAT_LIVE_H
#define TIKSTAT_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "text.h"

/* The longest SSE line and the most data of one event: the events are
 * ~80 bytes; anything far larger is not tikstatd's stream. */
#define LIVE_LINE_MAX  2048
#define LIVE_DATA_MAX  4096
#define LIVE_EVENT_MAX 32

/* Called per complete event: type "" for unnamed (samples), data joined
 * by '\n'. Returns 0 to go on, nonzero to stop the feed (returned). */
typedef int (*live_event_fn)(void *ctx, const char *type, const char *data);

/* The SSE parser's state: zero it with live_sse_init. Lines end in "\n"
 * or "\r\n" (a lone "\r" is not a line end: tikstatd never sends one). */
struct live_sse {
	char line[LIVE_LINE_MAX + 1];
	size_t line_len;
	char type[LIVE_EVENT_MAX + 1];
	char data[LIVE_DATA_MAX + 1];
	size_t data_len;
	bool have_data;
};

void live_sse_init(struct live_sse *p);

/* Feeds len bytes; calls fn for each event an empty line completes.
 * Returns 0; LIVE_SSE_TOO_LONG when a line or an event's data exceeds its
 * bound (the stream is not to be trusted further); or fn's nonzero
 * return. */
#define LIVE_SSE_TOO_LONG (-2)
int live_sse_feed(struct live_sse *p, const char *buf, size_t len, live_event_fn fn, void *ctx);

/* The chunked transfer decoder's state: zero it (= {0}) to start. */
struct live_chunked {
	int state;
	uint64_t left;   /* bytes of the current chunk still to come */
	unsigned digits; /* hex digits read of the size line */
};

/* Decodes buf[0..len) in place (the output is never longer); *out_len
 * gets the payload bytes now at the start of buf. Returns 0 to go on, 1
 * after the last (zero) chunk, -1 when the framing is malformed. */
int live_chunked_decode(struct live_chunked *c, char *buf, size_t len, size_t *out_len);

/* One per-second sample. time: seconds since the epoch. */
struct live_sample {
	int64_t time;
	uint64_t rx_bps, tx_bps;
};

/* Parses a sample event's data. Returns 0, or -1 when a field is missing
 * or malformed. */
int live_parse_sample(const char *json, struct live_sample *s);

/* The string field key of the flat JSON object json (the status and
 * error events, an error body), unescaped into out (truncated to fit).
 * Returns 0, or -1 when absent or not a string. */
int live_json_string(const char *json, const char *key, char *out, size_t outsz);

/* What a session saw: samples from since on (the replayed minute before
 * it is shown but not counted), each second once (a reconnection's
 * replay is not counted twice). */
struct live_stats {
	int64_t since;    /* first second counted */
	int64_t last;     /* last second counted, since - 1 before any */
	uint64_t samples; /* counted */
	uint64_t rx_bits; /* sum of rx_bps over the counted seconds (saturating) */
	uint64_t tx_bits;
	uint64_t peak_rx; /* bits/s */
	uint64_t peak_tx;
};

void live_stats_init(struct live_stats *st, int64_t since);

/* Counts s when it is a new second from since on. Returns true when
 * counted. */
bool live_stats_add(struct live_stats *st, const struct live_sample *s);

/* Formats bits/s as report_rate does: "800 bit/s", "1.23 Mbit/s". */
void live_format_bps(uint64_t bps, char out[16]);

/* Appends the summary of a session of elapsed_ms milliseconds of name
 * (already escaped for the terminal): duration, bytes (the counted rates
 * / 8), average (bits over the duration, or over the counted seconds when
 * more) and peak, rx and tx. */
void live_summary(const struct live_stats *st, int64_t elapsed_ms, const char *name,
                  struct text_buf *out);

/* Where live_run connects and what it asks for. */
struct live_target {
	const char *host;     /* address or name of tikstatd's HTTP listener */
	const char *port;     /* its port, as text */
	const char *user;     /* Basic auth user, or NULL */
	const char *password; /* its password (never printed) */
	const char *router, *iface;
	int stall_ms; /* nothing received for this long: the daemon stalled */
};

/* Shows the live rate of t's interface on out until *stop is set (the
 * SIGINT handler's flag), then its summary; errors, one a line
 * "tikstat: ...", on err. A lost or stalled stream is opened again with
 * back-off (1 s doubling to 30 s), said on err; a refusal (HTTP 4xx/5xx,
 * an error event) or no daemon at the first connection ends it.
 * Returns 0 after *stop, 1 after an error. */
int live_run(const struct live_target *t, volatile sig_atomic_t *stop, FILE *out, FILE *err);

#endif
