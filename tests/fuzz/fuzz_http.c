/*
 * fuzz_http.c — libFuzzer target for what the HTTP server parses from the
 * request line: the request-target check (http_check_target, the code the
 * server runs before routing), the query and form parser
 * (api_params_parse) and url_percent_byte.
 *
 * Input layout: byte 0 bit 0 selects the target check (1) or the query
 * parser (0); bits 1-7 size the path buffer of the target check (1..128
 * bytes, so "too long" is reached). The rest is the target or query.
 */
#include <string.h>

#include "api.h"
#include "fuzz.h"
#include "http.h"
#include "urlcode.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* url_percent_byte against a plain reading of its contract. */
static void check_percent(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int b, hi, lo;

		if (s[i] != '%')
			continue;
		b = url_percent_byte(s, len, i);
		hi = i + 1 < len ? hexval((unsigned char)s[i + 1]) : -1;
		lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			CHECK(b == -1);
		else
			CHECK(b == hi * 16 + lo);
	}
}

static void check_target(const char *target, size_t pathsz)
{
	char path[128];
	const char *seg;

	memset(path, 'x', sizeof path);
	if (http_check_target(target, path, pathsz) != 0)
		return;
	CHECK(strlen(path) < pathsz);
	CHECK(path[0] == '/');
	CHECK(strstr(path, "//") == NULL);
	for (seg = path; seg; seg = strchr(seg + 1, '/')) {
		size_t n = strcspn(seg + 1, "/");

		CHECK(!(n == 1 && seg[1] == '.'));
		CHECK(!(n == 2 && seg[1] == '.' && seg[2] == '.'));
	}
	/* The raw path has no blank or control byte (they would make the
	 * request line ambiguous); decoded ones come only from %XX. */
	for (const char *t = target; *t && *t != '?'; t++)
		CHECK((unsigned char)*t > 0x20 && *t != 0x7F);
}

static void check_query(const char *q, size_t len)
{
	struct api_params p = {0};

	if (api_params_parse(&p, q, len) == 0) {
		for (size_t i = 0; i < p.n; i++) {
			const char *v = NULL;
			size_t same = 0;
			int rc;

			CHECK(p.v[i].name && p.v[i].value);
			for (size_t j = 0; j < p.n; j++)
				same += strcmp(p.v[j].name, p.v[i].name) == 0;
			rc = api_param_get(&p, p.v[i].name, &v);
			CHECK(same == 1 ? rc == 1 && strcmp(v, p.v[i].value) == 0 : rc == -1);
		}
	}
	api_params_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	if (!s)
		return 0;
	check_percent(s, size - 1);
	if (data[0] & 1)
		check_target(s, (size_t)(data[0] >> 1) + 1);
	else
		check_query(s, size - 1);
	free(s);
	return 0;
}
