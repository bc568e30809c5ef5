/*
 * fuzz_numbers.c — libFuzzer target for the number, duration and address
 * parsers that read untrusted text: ros_parse_uptime and ros_parse_u64
 * (router replies, push parameters), cfg_parse_size, cfg_parse_duration
 * and cfg_parse_listen (configuration, HTTP parameters).
 *
 * Input layout: byte 0 selects the parser (value % 5) and, for
 * cfg_parse_listen, the host buffer size (byte 0 / 5 + 1); the rest is the
 * text. Properties: whatever a parser accepts, rendered back in canonical
 * form and parsed again, gives the same value; a refusal leaves the output
 * alone and sets errno as documented.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"
#include "routeros.h"

#define SENTINEL 0x5A5A5A5A5A5A5A5Aull

/* An accepted uptime, in both forms RouterOS prints, parses to itself. */
static void check_uptime(const uint8_t *d, size_t n)
{
	uint64_t v = SENTINEL, again = SENTINEL;
	char text[96];
	int len;

	if (ros_parse_uptime((const char *)d, n, &v) != 0) {
		CHECK(v == SENTINEL);
		return;
	}
	len = snprintf(text, sizeof text,
	               "%" PRIu64 "w%" PRIu64 "d%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s", v / 604800,
	               v / 86400 % 7, v / 3600 % 24, v / 60 % 60, v % 60);
	CHECK(len > 0 && (size_t)len < sizeof text);
	CHECK(ros_parse_uptime(text, (size_t)len, &again) == 0 && again == v);
	len = snprintf(text, sizeof text,
	               "%" PRIu64 "w%" PRIu64 "d%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, v / 604800,
	               v / 86400 % 7, v / 3600 % 24, v / 60 % 60, v % 60);
	CHECK(len > 0 && (size_t)len < sizeof text);
	again = SENTINEL;
	CHECK(ros_parse_uptime(text, (size_t)len, &again) == 0 && again == v);
}

/* ros_parse_u64 accepts exactly the decimal numbers up to 2^64 - 1. */
static void check_u64(const uint8_t *d, size_t n)
{
	uint64_t v = SENTINEL, again = SENTINEL;
	char text[32];
	int len;
	size_t digits = 0;

	while (digits < n && d[digits] >= '0' && d[digits] <= '9')
		digits++;
	if (ros_parse_u64((const char *)d, n, &v) != 0) {
		CHECK(v == SENTINEL);
		/* Up to 19 digits always fit. */
		CHECK(n == 0 || digits < n || n >= 20);
		return;
	}
	CHECK(n > 0 && digits == n);
	len = snprintf(text, sizeof text, "%" PRIu64, v);
	CHECK(ros_parse_u64(text, (size_t)len, &again) == 0 && again == v);
}

static void check_size(const char *s)
{
	uint64_t v = SENTINEL, again = SENTINEL;
	char text[32];

	errno = 0;
	if (cfg_parse_size(s, &v) != 0) {
		CHECK(v == SENTINEL);
		CHECK(errno == EINVAL || errno == ERANGE);
		return;
	}
	snprintf(text, sizeof text, "%" PRIu64, v);
	CHECK(cfg_parse_size(text, &again) == 0 && again == v);
	snprintf(text, sizeof text, "%" PRIu64 " B", v);
	CHECK(cfg_parse_size(text, &again) == 0 && again == v);
}

static void check_duration(const char *s)
{
	int64_t v = (int64_t)SENTINEL, again = -1;
	char text[32];

	errno = 0;
	if (cfg_parse_duration(s, &v) != 0) {
		CHECK(v == (int64_t)SENTINEL);
		CHECK(errno == EINVAL || errno == ERANGE);
		return;
	}
	CHECK(v >= 0);
	snprintf(text, sizeof text, "%" PRId64 "s", v);
	CHECK(cfg_parse_duration(text, &again) == 0 && again == v);
}

static void check_listen(const char *s, size_t hostsz)
{
	char host[64], text[128], host2[256];
	uint16_t port = 0, port2 = 0;

	memset(host, 'x', sizeof host);
	errno = 0;
	if (cfg_parse_listen(s, host, hostsz, &port) != 0) {
		CHECK(errno == EINVAL);
		return;
	}
	CHECK(port >= 1);
	CHECK(strlen(host) < hostsz && host[0] != '\0');
	snprintf(text, sizeof text, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
	CHECK(cfg_parse_listen(text, host2, sizeof host2, &port2) == 0);
	CHECK(port2 == port && strcmp(host2, host) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	char *s;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0: check_uptime(d, n); return 0;
	case 1: check_u64(d, n); return 0;
	default: break;
	}
	s = fuzz_cstr(d, n);
	if (!s)
		return 0;
	if (data[0] % 5 == 2)
		check_size(s);
	else if (data[0] % 5 == 3)
		check_duration(s);
	else
		check_listen(s, (size_t)(data[0] / 5) % 64 + 1);
	free(s);
	return 0;
}
