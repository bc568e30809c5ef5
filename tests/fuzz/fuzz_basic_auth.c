/*
 * fuzz_basic_auth.c — libFuzzer target for the Authorization header
 * parser (http_basic_credentials), which runs on every request of a
 * server with [http] auth_user, before anything is authenticated.
 *
 * Input layout: byte 0 sizes the output buffer (1..256 bytes); the rest
 * is the header value. Property: accepted credentials, encoded again,
 * decode to the same bytes.
 */
#include <string.h>

#include "fuzz.h"
#include "http.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* "Basic " and the base64 of s[0..n) into out (big enough). */
static void encode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	memcpy(out, "Basic ", 6);
	o = 6;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[256], again[256], header[6 + 4 * 86 + 1];
	size_t outsz, ulen = 9999, ulen2 = 9999;
	long n, n2;
	char *s;

	if (size < 1)
		return 0;
	outsz = (size_t)data[0] + 1;
	s = fuzz_cstr(data + 1, size - 1);
	if (!s)
		return 0;
	n = http_basic_credentials(s, out, outsz, &ulen);
	free(s);
	if (n < 0)
		return 0;
	CHECK((size_t)n < outsz && out[n] == '\0');
	CHECK(ulen < (size_t)n && out[ulen] == ':');
	CHECK(memchr(out, ':', ulen) == NULL);
	encode(out, (size_t)n, header);
	n2 = http_basic_credentials(header, again, sizeof again, &ulen2);
	CHECK(n2 == n && ulen2 == ulen && memcmp(again, out, (size_t)n) == 0);
	return 0;
}
