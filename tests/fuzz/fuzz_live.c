/*
 * fuzz_live.c — libFuzzer target for what `tikstat -l` reads from the
 * network (live.h): the chunked transfer decoder, the event-stream parser
 * and the JSON fields of its events. Whatever answers on tikstatd's
 * address (a proxy, another server, an attacker) may send anything.
 *
 * Input layout: byte 0 is where the rest is split in two pieces (modulo
 * its length). Properties: decoding or parsing in two pieces gives what
 * one piece gives (the parsers keep their state across reads); the
 * decoder's output is never longer than its input; every event's data is
 * within LIVE_DATA_MAX; the JSON readers stay within their buffers.
 */
#include <string.h>

#include "fuzz.h"
#include "live.h"

/* What the events of one feed were, folded into a checksum. */
struct seen {
	unsigned long long sum;
	size_t events;
};

static int on_event(void *ctx, const char *type, const char *data)
{
	struct seen *s = ctx;
	struct live_sample smp;
	char text[64];
	CHECK(strlen(type) <= LIVE_EVENT_MAX && strlen(data) <= LIVE_DATA_MAX);
	if (live_parse_sample(data, &smp) == 0)
		s->sum += (unsigned long long)smp.time ^ smp.rx_bps ^ (smp.tx_bps << 1);
	if (live_json_string(data, "reason", text, sizeof text) == 0)
		CHECK(strlen(text) < sizeof text);
	for (const char *p = data; *p; p++)
		s->sum = s->sum * 31 + (unsigned char)*p;
	for (const char *p = type; *p; p++)
		s->sum = s->sum * 37 + (unsigned char)*p;
	s->events++;
	return 0;
}

/* Parses buf[0..n) as an event stream in pieces split at cut. */
static int parse(const char *buf, size_t n, size_t cut, struct seen *s)
{
	struct live_sse p;
	live_sse_init(&p);
	int rc = live_sse_feed(&p, buf, cut, on_event, s);
	if (rc == 0)
		rc = live_sse_feed(&p, buf + cut, n - cut, on_event, s);
	return rc;
}

/* Decodes a copy of in[0..n) as chunked in pieces split at cut into out;
 * returns the decoder's last status, *outn the payload length. */
static int dechunk(const char *in, size_t n, size_t cut, char *out, size_t *outn)
{
	struct live_chunked c = {0};
	size_t a = 0, b = 0;
	memcpy(out, in, n);
	int rc = live_chunked_decode(&c, out, cut, &a);
	CHECK(a <= cut);
	if (rc == 0) {
		memmove(out + a, out + cut, n - cut);
		rc = live_chunked_decode(&c, out + a, n - cut, &b);
		CHECK(b <= n - cut);
	}
	*outn = a + b;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *in = (const char *)data + 1;
	size_t n = size - 1, cut = n ? data[0] % (n + 1) : 0;
	char *one = malloc(n + 1), *two = malloc(n + 1);
	if (!one || !two) {
		free(one);
		free(two);
		return 0;
	}
	size_t n1, n2;
	int r1 = dechunk(in, n, n, one, &n1);
	int r2 = dechunk(in, n, cut, two, &n2);
	/* the same payload however the bytes arrived, up to an error */
	if (r1 != -1 && r2 != -1)
		CHECK(r1 == r2 && n1 == n2 && memcmp(one, two, n1) == 0);
	struct seen s1 = {0}, s2 = {0};
	int p1 = parse(in, n, n, &s1);
	int p2 = parse(in, n, cut, &s2);
	CHECK(p1 == p2 && s1.events == s2.events && s1.sum == s2.sum);
	free(one);
	free(two);
	return 0;
}
